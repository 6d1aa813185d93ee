//! Process settings: listeners, workers, timeouts, limits and logging.
//!
//! Settings use APIM's dotted key names where APIM has one (see
//! `docs/settings.md`). They come from, in increasing precedence: built-in
//! defaults, a settings file (`key = value` or `key: value` lines, `#`
//! comments; the format of a Kubernetes ConfigMap's data), and environment
//! variables named either exactly like the key (`telemetry.logs.std=json`,
//! as Kubernetes allows) or `OUTPOST_` + the key upper-cased with `.` and
//! `-` as `_` (`OUTPOST_TELEMETRY_LOGS_STD=json`).
//!
//! An APIM user's `docker run --env-file env.conf` works unchanged apart from
//! the endpoint: every dotted name is read, the keys APIM's portal adds for
//! its own bookkeeping (`runtime.deployment.*`) are accepted and ignored, and
//! a dotted variable we do not know is warned about (the environment holds
//! other programs' variables too, so it is not an error there).
//!
//! Invariant: a `Settings` value is fully validated; an unknown key, a bad
//! value or a key APIM defines that we do not implement yet is reported with
//! its source, never silently ignored (the last only warns).
//!
//! Layout: this module owns the [`Settings`] value, its defaults, loading
//! and the checks across keys; `keys` the key names (the `--help` table,
//! reserved and informational APIM keys, environment names); one module
//! per key group applies that group's keys (`net`, `runtime`, `telemetry`,
//! `config`, `policy`, `certificates`, `mgmt`); `parse` holds the file and value
//! parsing.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod authority;
mod certificates;
mod config;
mod keys;
mod mgmt;
mod net;
mod parse;
mod policy;
mod runtime;
mod telemetry;

pub use keys::KEYS;
use keys::{env_key, is_informational, looks_like_setting, RESERVED_APIM_KEYS};
pub use mgmt::{AuthoritySettings, KeySource, MgmtAuthSettings};
pub use parse::parse_duration;
use parse::parse_file;
pub use telemetry::{
    parse_buckets, LogsLocal, MetricsLocal, OtlpProtocol, TagFormat, TelemetrySettings, DEFAULT_BUCKETS,
};

/// A settings error, naming where the bad value came from.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {key}: {message}")]
pub struct SettingsError {
    pub source_name: String,
    pub key: String,
    pub message: String,
}

/// Log output format (`telemetry.logs.std`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    None,
    Text,
    Json,
}

/// Which io driver workers use (`runtime.driver`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverChoice {
    Auto,
    IoUring,
    Epoll,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub http_address: IpAddr,
    pub http_port: u16,
    /// HTTPS listener port (same address as HTTP).
    pub https_port: u16,
    /// `net.server.tls.ciphers.allowed-suites` (IANA names; `None` = all implemented).
    pub server_suites: Option<String>,
    /// `net.client.tls.ciphers.allowed-suites`.
    pub client_suites: Option<String>,
    /// Honour a trusted front's `X-Forwarded-Proto` (`net.server.http.forwarded.proto.enabled`).
    pub forwarded_proto: bool,
    /// Skip verifying the management plane's certificate (testing only).
    pub service_skip_verify: bool,
    /// 0 = one per usable CPU.
    pub workers: usize,
    pub driver: DriverChoice,
    pub head_timeout: Duration,
    pub keepalive_timeout: Duration,
    /// How long a keep-alive connection keeps its read buffer for the next
    /// request before it gives its buffers back (`server::idle`).
    pub keepalive_buffer_hold: Duration,
    pub body_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_uri_bytes: usize,
    pub max_headers: usize,
    /// 0 = unlimited.
    pub max_body_bytes: u64,
    /// Longest a closing connection keeps reading (and discarding) what the
    /// client still sends, and longest an unread request body is drained
    /// after an early response.
    pub linger_timeout: Duration,
    /// Most bytes discarded that way before the connection is closed anyway.
    pub linger_max_bytes: u64,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    pub pool_max_idle: usize,
    pub pool_idle_timeout: Duration,
    pub shutdown_grace: Duration,
    pub log_format: LogFormat,
    pub log_level: tracing::Level,
    /// `None` = no logs at all (`fatal` has no tracing level below error).
    pub log_enabled: bool,
    /// Metrics, traces and the local request-log sink (`telemetry.*`, `observability.*`).
    pub telemetry: TelemetrySettings,
    pub config_watch_interval: Duration,
    /// Management plane (`config.service.endpoint`); `None` = standalone.
    pub service_endpoint: Option<String>,
    /// `GatewayKey …` credential. Secret: never logged (see `Debug`).
    pub service_auth: Option<Secret>,
    pub service_timeout: Duration,
    pub service_poll_interval: Duration,
    /// `None` = plain polling every `service_poll_interval`.
    pub service_long_poll: Option<Duration>,
    pub service_heartbeat_interval: Duration,
    /// Directory of the configuration backup (APIM mounts `/apim/config`).
    pub backup_dir: Option<PathBuf>,
    /// `policy.unsupported`: skip unsupported policy elements (with a warning) instead of refusing the configuration.
    pub policy_skip_unsupported: bool,
    /// `policy.body.max-bytes`: largest body a policy may buffer.
    pub policy_body_max: u64,
    /// `policy.expressions.max-steps`: steps one expression evaluation may take.
    pub policy_expr_max_steps: u64,
    /// `policy.expressions.max-bytes`: memory one expression evaluation may allocate.
    pub policy_expr_max_bytes: u64,
    /// `deployment.region`: what `context.Deployment.Region` returns.
    pub deployment_region: String,
    /// `cache.max-bytes`: bound of the process's response and value cache.
    pub cache_max_bytes: u64,
    /// `cache.max-entry-bytes`: largest single cache entry.
    pub cache_max_entry_bytes: u64,
    /// `policy.send-one-way.max-in-flight`: `send-one-way-request` calls a
    /// worker keeps in flight; beyond it new ones are dropped (logged).
    pub one_way_max_in_flight: usize,
    /// `policy.dapr.url`: the Dapr sidecar's HTTP API (`http://localhost:3500`).
    pub dapr_url: String,
    /// `certificates.local.ca.enabled` / `certificates.local.ca.path`: the
    /// directory of mounted CA certificates to trust, when enabled.
    pub local_ca_enabled: bool,
    pub local_ca_path: PathBuf,
    /// `authority.identity.<name>.*`: OAuth2 identities of
    /// `authentication-managed-identity` (checked whole in `validate`).
    pub identities: std::collections::BTreeMap<String, crate::authority::identity::Draft>,
    /// `authority.wait.timeout`: longest a request waits for keys or a token.
    pub authority_wait_timeout: Duration,
    /// `authority.fetch.timeout`: one exchange with an identity provider.
    pub authority_fetch_timeout: Duration,
    /// `config.service.auth.azureAd.*`: the gateway's own identity
    /// (`config.service.auth=azureAdApp`).
    pub service_azure_ad: crate::authority::identity::Draft,
    /// `config.service.auth.tokenAudience`.
    pub service_token_audience: String,
    /// `gateway.name`: the gateway resource this gateway is (APIM requires it
    /// with Microsoft Entra authentication): sent to the management plane
    /// as `Outpost-Gateway-Id` with OAuth2 tokens.
    pub gateway_name: Option<String>,
    /// `mgmt.auth.*`: OAuth2 on the management plane (`outpost control-plane`).
    pub mgmt_auth: MgmtAuthSettings,
}

/// The name `validate` reports an identity's error under (interned: the
/// settings error wants a `&'static str`; identities are few).
fn identity_key(name: &str) -> &'static str {
    Box::leak(format!("authority.identity.{name}").into_boxed_str())
}

/// A secret setting value; its `Debug` form is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            http_address: IpAddr::from([0, 0, 0, 0]),
            http_port: 8080,
            https_port: 8081,
            server_suites: None,
            client_suites: None,
            forwarded_proto: false,
            service_skip_verify: false,
            workers: 0,
            driver: DriverChoice::Auto,
            head_timeout: Duration::from_secs(10),
            keepalive_timeout: Duration::from_secs(75),
            keepalive_buffer_hold: Duration::ZERO,
            body_timeout: Duration::from_secs(60),
            max_head_bytes: 32 * 1024,
            max_uri_bytes: 8 * 1024,
            max_headers: 100,
            max_body_bytes: 0,
            linger_timeout: Duration::from_secs(5),
            linger_max_bytes: 1024 * 1024,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(300),
            pool_max_idle: 64,
            pool_idle_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
            log_format: LogFormat::Text,
            log_level: tracing::Level::INFO,
            log_enabled: true,
            telemetry: TelemetrySettings::default(),
            config_watch_interval: Duration::from_secs(1),
            service_endpoint: None,
            service_auth: None,
            service_timeout: Duration::from_secs(100),
            service_poll_interval: Duration::from_secs(10),
            service_long_poll: Some(Duration::from_secs(25)),
            service_heartbeat_interval: Duration::from_secs(60),
            backup_dir: None,
            policy_skip_unsupported: false,
            policy_body_max: 4 * 1024 * 1024,
            policy_expr_max_steps: 1_000_000,
            policy_expr_max_bytes: 16 * 1024 * 1024,
            deployment_region: String::new(),
            cache_max_bytes: crate::cache::DEFAULT_MAX_BYTES,
            cache_max_entry_bytes: crate::cache::DEFAULT_MAX_ENTRY_BYTES,
            one_way_max_in_flight: 256,
            dapr_url: "http://localhost:3500".into(),
            local_ca_enabled: false,
            local_ca_path: PathBuf::from(crate::tls::local_ca::DEFAULT_DIR),
            identities: Default::default(),
            authority_wait_timeout: crate::authority::ask::DEFAULT_TIMEOUT,
            authority_fetch_timeout: Duration::from_secs(10),
            service_azure_ad: Default::default(),
            service_token_audience: "https://azure-api.net/configuration".into(),
            gateway_name: None,
            mgmt_auth: MgmtAuthSettings::default(),
        }
    }
}

impl Settings {
    /// Defaults, then `file` (when given), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<(Settings, Vec<String>), SettingsError> {
        let mut pairs = Vec::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
                source_name: path.display().to_string(),
                key: String::new(),
                message: e.to_string(),
            })?;
            pairs.extend(parse_file(&text, path)?);
        }
        let mut unknown = Vec::new();
        for (name, value) in std::env::vars() {
            if let Some(key) = env_key(&name) {
                pairs.push((format!("environment variable {name}"), key, value));
            } else if looks_like_setting(&name) && !is_informational(&name) {
                unknown.push(format!(
                    "environment variable {name}: unknown setting, ignored (see `outpost help settings`)"
                ));
            }
        }
        let (settings, mut warnings) = Settings::from_pairs(pairs)?;
        warnings.extend(unknown);
        Ok((settings, warnings))
    }

    /// Applies `(source, key, value)` triples in order; returns warnings.
    pub fn from_pairs(pairs: Vec<(String, String, String)>) -> Result<(Settings, Vec<String>), SettingsError> {
        let mut s = Settings::default();
        let mut warnings = Vec::new();
        for (source, key, value) in pairs {
            let err = |message: String| SettingsError {
                source_name: source.clone(),
                key: key.clone(),
                message,
            };
            if is_informational(&key) {
                continue;
            }
            if RESERVED_APIM_KEYS.contains(&key.as_str()) {
                warnings.push(format!("{source}: {key}: not implemented yet, ignored"));
                continue;
            }
            let v = value.trim();
            let known = net::apply(&mut s, &source, &key, v, &mut warnings).map_err(&err)?
                || runtime::apply(&mut s, &key, v).map_err(&err)?
                || telemetry::apply(&mut s, &key, v).map_err(&err)?
                || config::apply(&mut s, &key, v).map_err(&err)?
                || policy::apply(&mut s, &key, v).map_err(&err)?
                || certificates::apply(&mut s, &key, v).map_err(&err)?
                || authority::apply(&mut s, &key, v).map_err(&err)?
                || mgmt::apply(&mut s.mgmt_auth, &key, v).map_err(&err)?;
            if !known {
                return Err(err("unknown setting (see `outpost help settings`)".into()));
            }
        }
        // What the telemetry sinks name the gateway with.
        if let Some(name) = &s.gateway_name {
            s.telemetry.gateway_id = name.clone();
        }
        s.telemetry.location = s.deployment_region.clone();
        s.validate().map_err(|(key, message)| SettingsError {
            source_name: "settings".into(),
            key: key.into(),
            message,
        })?;
        Ok((s, warnings))
    }

    fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.max_head_bytes < 1024 {
            return Err(("net.server.http.head.max-bytes", "must be at least 1024".into()));
        }
        if self.max_uri_bytes == 0 || self.max_uri_bytes >= self.max_head_bytes {
            return Err((
                "net.server.http.uri.max-bytes",
                "must be positive and below net.server.http.head.max-bytes".into(),
            ));
        }
        if self.max_headers == 0 || self.max_headers > 128 {
            return Err(("net.server.http.headers.max-count", "must be 1..=128".into()));
        }
        if self.service_endpoint.is_some() != self.service_auth.is_some() {
            return Err((
                "config.service.auth",
                "config.service.endpoint and config.service.auth go together".into(),
            ));
        }
        self.mgmt_auth.check()?;
        self.telemetry.check()?;
        if self.service_oauth() {
            if let Some(Err(e)) = self.gateway_identity() {
                return Err(("config.service.auth.azureAd", e));
            }
        }
        for (name, d) in &self.identities {
            if let Err(e) = crate::authority::identity::Identity::from_draft(name, d) {
                // The key names the identity (a leaked name, never a value).
                return Err((identity_key(name), e));
            }
        }
        if self.config_watch_interval.is_zero() {
            return Err(("config.local.watch.interval", "must be positive".into()));
        }
        Ok(())
    }

    /// Whether the gateway authenticates to its management plane with
    /// OAuth2 (`config.service.auth=azureAdApp`).
    pub fn service_oauth(&self) -> bool {
        self.service_auth.as_ref().is_some_and(|a| a.0 == "azureAdApp")
    }

    /// The gateway's own identity (`config.service.auth.azureAd.*`), when
    /// `config.service.auth=azureAdApp`.
    pub fn gateway_identity(&self) -> Option<Result<crate::authority::identity::Identity, String>> {
        self.service_oauth()
            .then(|| crate::authority::identity::Identity::from_draft("gateway", &self.service_azure_ad))
    }

    /// The checked OAuth2 identities of `authority.identity.*`, and
    /// `workload-identity` from Entra Workload ID's environment
    /// (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE`,
    /// `AZURE_AUTHORITY_HOST`) unless configured.
    pub fn oauth_identities(&self) -> Vec<crate::authority::identity::Identity> {
        use crate::authority::identity::{Draft, Identity};
        let mut out: Vec<Identity> = self
            .identities
            .iter()
            .filter_map(|(n, d)| Identity::from_draft(n, d).ok())
            .collect();
        let name = crate::policy::authentication_managed_identity::WORKLOAD_IDENTITY;
        if !out.iter().any(|i| i.name == name) {
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            if let (Some(client), Some(tenant), Some(file)) = (
                env("AZURE_CLIENT_ID"),
                env("AZURE_TENANT_ID"),
                env("AZURE_FEDERATED_TOKEN_FILE"),
            ) {
                let d = Draft {
                    client_id: Some(client),
                    tenant_id: Some(tenant),
                    federated_token_file: Some(file.into()),
                    authority: env("AZURE_AUTHORITY_HOST").map(|a| a.trim_end_matches('/').to_owned()),
                    ..Draft::default()
                };
                match Identity::from_draft(name, &d) {
                    Ok(i) => out.push(i),
                    Err(e) => tracing::warn!(error = %e, "Entra Workload ID environment unusable"),
                }
            }
        }
        out
    }

    /// The settings file next to a configuration directory, when present.
    pub fn default_file(config_dir: &Path) -> Option<PathBuf> {
        let p = config_dir.join("settings.conf");
        p.is_file().then_some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(source, key, value)` triples from `test`.
    pub(super) fn pairs(kv: &[(&str, &str)]) -> Vec<(String, String, String)> {
        kv.iter()
            .map(|(k, v)| ("test".to_string(), k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keys_apply_and_unknown_keys_fail() {
        let (s, w) = Settings::from_pairs(pairs(&[
            ("net.server.http.port", "0"),
            ("telemetry.logs.std", "json"),
            ("telemetry.logs.std.level", "warn"),
            (
                "net.server.tls.ciphers.allowed-suites",
                "TLS_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA",
            ),
            ("telemetry.metrics.local", "none"),
        ]))
        .unwrap();
        assert_eq!(s.http_port, 0);
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.log_level, tracing::Level::WARN);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("TLS_RSA_WITH_AES_128_CBC_SHA") && w[0].contains("ignored"),
            "{w:?}"
        );
        let e = Settings::from_pairs(pairs(&[(
            "net.client.tls.ciphers.allowed-suites",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
        )]))
        .unwrap_err();
        assert!(e.to_string().contains("no usable cipher suite"), "{e}");
        let (s, _) = Settings::from_pairs(pairs(&[
            ("config.service.endpoint", "http://127.0.0.1:9"),
            ("config.service.auth", "GatewayKey gw&202612010000&c2ln"),
            ("config.service.long-poll.wait", "0"),
        ]))
        .unwrap();
        assert_eq!(s.service_long_poll, None);
        assert!(!format!("{s:?}").contains("c2ln"), "the token never shows in Debug");
        assert!(Settings::from_pairs(pairs(&[("config.service.endpoint", "http://x")])).is_err());
        let e = Settings::from_pairs(pairs(&[("net.server.htp.port", "1")])).unwrap_err();
        assert_eq!(e.key, "net.server.htp.port");
        let e = Settings::from_pairs(pairs(&[("runtime.workers", "many")])).unwrap_err();
        assert!(e.to_string().contains("runtime.workers"));
    }

    #[test]
    fn local_ca_settings() {
        let d = Settings::default();
        assert!(!d.local_ca_enabled);
        assert_eq!(d.local_ca_path, Path::new(crate::tls::local_ca::DEFAULT_DIR));
        let (s, _) = Settings::from_pairs(pairs(&[
            ("certificates.local.ca.enabled", "true"),
            ("certificates.local.ca.path", "/etc/outpost/ca"),
        ]))
        .unwrap();
        assert!(s.local_ca_enabled);
        assert_eq!(s.local_ca_path, Path::new("/etc/outpost/ca"));
        for (k, v) in [
            ("certificates.local.ca.enabled", "yes please"),
            ("certificates.local.ca.path", ""),
        ] {
            let e = Settings::from_pairs(pairs(&[(k, v)])).unwrap_err();
            assert_eq!(e.key, k, "{e}");
        }
    }

    #[test]
    fn every_listed_key_is_applied() {
        // A value no key accepts: every key in KEYS must fail on the value,
        // never as an unknown setting.
        for (key, _) in KEYS {
            match Settings::from_pairs(pairs(&[(key, "\u{1}")])) {
                Ok(_) => {}
                Err(e) => assert!(!e.message.starts_with("unknown setting"), "{key}: {e}"),
            }
        }
    }
}
