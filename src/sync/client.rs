//! Blocking HTTP client for the management plane's gateway endpoints,
//! used only by the sync threads (never by a worker).
//!
//! Invariants: the `GatewayKey` credential is sent only in the
//! `Authorization` header and never logged or included in errors; every
//! call is bounded by `config.service.integration.timeout` (plus the
//! long-poll wait when one is asked for).

use super::snapshot::Snapshot;
use serde::Serialize;
use std::io::Read;
use std::time::Duration;

/// Largest snapshot accepted (a bound on memory, not a format limit).
const MAX_SNAPSHOT: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SyncError {
    #[error("management plane unreachable: {0}")]
    Transport(String),
    #[error("management plane refused the gateway token (expired, regenerated key, or another gateway's token)")]
    Unauthorized,
    #[error("management plane answered HTTP {0}")]
    Status(u16),
    #[error("invalid snapshot from the management plane: {0}")]
    BadSnapshot(String),
    #[error("no OAuth2 token for the management plane: {0}")]
    Token(String),
}

/// The result of a configuration fetch.
pub enum Fetched {
    Changed {
        snapshot: Snapshot,
        raw: Vec<u8>,
        etag: Option<String>,
    },
    Unchanged,
}

/// What a gateway instance reports every heartbeat.
#[derive(Debug, Clone, Serialize)]
pub struct Heartbeat {
    #[serde(rename = "instanceId")]
    pub instance_id: String,
    pub hostname: String,
    pub version: String,
    #[serde(rename = "uptimeSecs")]
    pub uptime_secs: u64,
    #[serde(rename = "appliedVersion")]
    pub applied_version: Option<u64>,
    pub requests: Counters,
    #[serde(rename = "lastError")]
    pub last_error: Option<String>,
    #[serde(rename = "tokenExpiry")]
    pub token_expiry: Option<String>,
    /// The OAuth2 application (client id) the gateway authenticates as
    /// (`config.service.auth=azureAdApp`); absent with a gateway token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Request metrics since the last acknowledged heartbeat
    /// (`telemetry.metrics.cloud`; see `telemetry::rollup`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<crate::telemetry::rollup::Report>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counters {
    pub total: u64,
    pub failed: u64,
    /// Failed TLS handshakes with clients.
    #[serde(rename = "tlsHandshakeFailures")]
    pub tls_handshake_failures: u64,
}

pub struct MgmtClient {
    agent: ureq::Agent,
    endpoint: String,
    auth: String,
    timeout: Duration,
    oauth: Option<std::sync::Arc<crate::authority::gateway::GatewayToken>>,
    /// Expiry of the last OAuth2 token sent (seconds since the epoch).
    oauth_expiry: std::sync::atomic::AtomicU64,
    /// `gateway.name`, sent with OAuth2 tokens (an application may be
    /// allowed to configure several gateways).
    gateway_name: Option<String>,
}

impl MgmtClient {
    /// A client of `endpoint`; `https://` endpoints are verified against
    /// the system roots unless `skip_verify` (testing only).
    pub fn new(endpoint: &str, auth: &str, timeout: Duration, skip_verify: bool) -> MgmtClient {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .redirects(0)
            .tls_config(crate::tls::client::mgmt_client_config(skip_verify))
            .build();
        MgmtClient {
            agent,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            auth: auth.to_string(),
            timeout,
            oauth: None,
            oauth_expiry: std::sync::atomic::AtomicU64::new(0),
            gateway_name: None,
        }
    }

    /// Sends `Bearer` tokens of `oauth` instead of the gateway key.
    pub fn with_oauth(mut self, oauth: Option<std::sync::Arc<crate::authority::gateway::GatewayToken>>) -> MgmtClient {
        self.oauth = oauth;
        self
    }

    /// Names the gateway (`gateway.name`) on calls made with OAuth2 tokens.
    pub fn with_gateway_name(mut self, name: Option<String>) -> MgmtClient {
        self.gateway_name = name;
        self
    }

    /// The gateway id field sent beside an OAuth2 token, if any.
    fn gateway_id_field(&self) -> Option<(&'static str, &str)> {
        let name = self.gateway_name.as_deref().filter(|_| self.oauth.is_some())?;
        Some((crate::mgmt::GATEWAY_ID_HEADER, name))
    }

    /// The `Authorization` value of the next call (may fetch a token).
    fn authorization(&self) -> Result<String, SyncError> {
        match &self.oauth {
            None => Ok(self.auth.clone()),
            Some(o) => {
                let (value, expires) = o.authorization().map_err(SyncError::Token)?;
                let secs = expires
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default();
                self.oauth_expiry.store(secs, std::sync::atomic::Ordering::Relaxed);
                Ok(value)
            }
        }
    }

    /// Expiry of the last OAuth2 token sent, in seconds since the epoch.
    pub fn oauth_expiry(&self) -> Option<u64> {
        let s = self.oauth_expiry.load(std::sync::atomic::Ordering::Relaxed);
        (s > 0).then_some(s)
    }

    fn map_err(e: ureq::Error) -> SyncError {
        match e {
            ureq::Error::Status(401 | 403, _) => SyncError::Unauthorized,
            ureq::Error::Status(code, _) => SyncError::Status(code),
            ureq::Error::Transport(t) => SyncError::Transport(t.kind().to_string()),
        }
    }

    /// Fetches the snapshot; with `etag` it is conditional, and with `wait`
    /// the management plane may hold the request until something changes.
    pub fn fetch(&self, etag: Option<&str>, wait: Option<Duration>) -> Result<Fetched, SyncError> {
        let mut url = format!("{}/gateway/config", self.endpoint);
        if let (Some(w), Some(_)) = (wait, etag) {
            url.push_str(&format!("?wait={}", w.as_secs()));
        }
        let mut req = self
            .agent
            .get(&url)
            .set("Authorization", &self.authorization()?)
            .timeout(self.timeout + wait.unwrap_or_default());
        if let Some(tag) = etag {
            req = req.set("If-None-Match", tag);
        }
        if let Some((name, value)) = self.gateway_id_field() {
            req = req.set(name, value);
        }
        let resp = req.call().map_err(Self::map_err)?;
        match resp.status() {
            304 => Ok(Fetched::Unchanged),
            200 => {
                let etag = resp.header("ETag").map(str::to_string);
                let mut raw = Vec::new();
                resp.into_reader()
                    .take(MAX_SNAPSHOT)
                    .read_to_end(&mut raw)
                    .map_err(|e| SyncError::Transport(e.to_string()))?;
                let snapshot = Snapshot::parse(&raw).map_err(|e| SyncError::BadSnapshot(e.to_string()))?;
                Ok(Fetched::Changed { snapshot, raw, etag })
            }
            other => Err(SyncError::Status(other)),
        }
    }

    pub fn heartbeat(&self, beat: &Heartbeat) -> Result<(), SyncError> {
        let body = simd_json::to_vec(beat).map_err(|e| SyncError::Transport(e.to_string()))?;
        let mut req = self
            .agent
            .post(&format!("{}/gateway/heartbeat", self.endpoint))
            .set("Authorization", &self.authorization()?)
            .set("Content-Type", "application/json")
            .timeout(self.timeout);
        if let Some((name, value)) = self.gateway_id_field() {
            req = req.set(name, value);
        }
        req.send_bytes(&body).map_err(Self::map_err)?;
        Ok(())
    }
}

/// The expiry of a `GatewayKey <id>&<yyyyMMddHHmm>&<sig>` token, in seconds
/// since the epoch (UTC); `None` when the token is not of that form.
pub fn token_expiry(auth: &str) -> Option<u64> {
    let token = auth.trim().strip_prefix("GatewayKey ")?;
    let stamp = token.split('&').nth(1)?;
    if stamp.len() != 12 || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| stamp[r].parse::<i64>().ok();
    let (y, m, d, hh, mm) = (n(0..4)?, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 {
        return None;
    }
    // days from civil (proleptic Gregorian)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60).ok()
}

#[cfg(test)]
mod tests {
    use super::token_expiry;

    #[test]
    fn token_expiry_is_read_from_the_token() {
        assert_eq!(token_expiry("GatewayKey gw&197001010001&sig"), Some(60));
        assert_eq!(token_expiry("GatewayKey gw&202611220012&x=="), Some(1_795_306_320));
        assert_eq!(token_expiry("GatewayKey gw&2026112200&x"), None);
        assert_eq!(token_expiry("Bearer x"), None);
        assert_eq!(token_expiry("GatewayKey gw&202613010000&x"), None);
    }
}
