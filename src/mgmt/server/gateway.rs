//! The gateway-facing endpoints: `GET /gateway/config` (long-polled
//! snapshot with an ETag) and `POST /gateway/heartbeat`, both behind a
//! verified `GatewayKey` token or an OAuth2 application's bearer token
//! (client id mapped to the gateway); the heartbeat records which.
//!
//! Invariants: a gateway is served only its own snapshot (the one its
//! verified token names); every token failure is the same 401 message;
//! a 304 means the gateway's content is unchanged: the version it holds
//! is current, or this process served that version with the same content
//! hash (the last 32 versions per gateway are remembered); a long poll is
//! held at most 60 s.

use std::time::{Duration, Instant};

use super::{Req, Resp, State};
use crate::mgmt::model::{GatewayAuth, Heartbeat};
use crate::mgmt::{api, bad, metrics, resources as res, snapshot, tokens, MgmtError};
use std::sync::atomic::Ordering;

const MAX_WAIT_SECS: u64 = 60;
const GATEWAY_AUTH_FAILED: &str = "invalid or expired gateway token";
/// Names the gateway of a request authenticated with an OAuth2 token.
pub const GATEWAY_ID_HEADER: &str = "Outpost-Gateway-Id";

impl State {
    fn remember(&self, gw: &str, version: u64, hash: [u8; 32]) {
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        let list = served.entry(gw.to_string()).or_default();
        if !list.iter().any(|(v, _)| *v == version) {
            list.push((version, hash));
            if list.len() > 32 {
                list.remove(0);
            }
        }
    }
    fn recall(&self, gw: &str, version: u64) -> Option<[u8; 32]> {
        let served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        served.get(gw)?.iter().find(|(v, _)| *v == version).map(|(_, h)| *h)
    }
}

/// Verifies the gateway's credential: a `GatewayKey` token (naming its
/// gateway), or an OAuth2 bearer token of the gateways' authority whose
/// client id is mapped to the gateway. Returns the gateway id and how it
/// authenticated.
fn check_gateway(state: &State, req: &Req) -> Result<(String, GatewayAuth), MgmtError> {
    let authorization = req.header("Authorization").unwrap_or_default();
    if let Some(token) = super::bearer(authorization) {
        return check_gateway_bearer(state, req, token);
    }
    let fail = || MgmtError::Unauthorized(GATEWAY_AUTH_FAILED.into());
    let token = tokens::parse_token(authorization).ok_or_else(fail)?;
    let (primary, secondary) = state
        .store
        .read(|c| res::gateway_keys(c, &token.gateway_id))?
        .ok_or_else(fail)?;
    if tokens::verify(&token, &primary, &secondary, tokens::now_unix()) {
        Ok((token.gateway_id, GatewayAuth::GatewayKey))
    } else {
        Err(fail())
    }
}

/// An application's bearer token. The gateway is named by the
/// `Outpost-Gateway-Id` header or the `gatewayId` query parameter (APIM's
/// `gateway.name` setting), or is the only gateway the client id is mapped
/// to. The mapping is read on every request, so a revocation takes effect
/// at the gateway's next request.
fn check_gateway_bearer(state: &State, req: &Req, token: &str) -> Result<(String, GatewayAuth), MgmtError> {
    let client_id = state.oauth.gateway_client_id(token)?;
    let named = req
        .header(GATEWAY_ID_HEADER)
        .or_else(|| req.query("gatewayId"))
        .map(|g| g.trim().to_string());
    let gateway = state.store.read(|c| match &named {
        Some(g) => Ok(res::identity_allowed(c, g, &client_id)?.then(|| g.clone())),
        None => {
            let mut all = res::gateways_of_identity(c, &client_id, 2)?;
            Ok(if all.len() == 1 { all.pop() } else { None })
        }
    })?;
    match (gateway, named) {
        (Some(g), _) => Ok((g, GatewayAuth::OAuth2 { client_id })),
        (None, Some(g)) => Err(MgmtError::Forbidden(format!(
            "application '{client_id}' may not configure gateway '{g}' (see /mgmt/gateways/{{g}}/identities)"
        ))),
        (None, None) => Err(MgmtError::Forbidden(format!(
            "application '{client_id}' is not mapped to exactly one gateway; name the gateway with the \
             {GATEWAY_ID_HEADER} header"
        ))),
    }
}

fn parse_etag(v: &str) -> Option<u64> {
    let v = v.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"').parse().ok()
}

pub(super) fn gateway_config(state: &State, req: &Req) -> Result<Resp, MgmtError> {
    let (gw, _) = check_gateway(state, req)?;
    let wait = match req.query("wait") {
        None => 0,
        Some(w) => w
            .parse::<u64>()
            .map_err(|_| bad("wait must be a number of seconds (0-60)"))?
            .min(MAX_WAIT_SECS),
    };
    let known = req.header("If-None-Match").and_then(parse_etag);
    let known_hash = known.and_then(|n| state.recall(&gw, n));
    let deadline = Instant::now() + Duration::from_secs(wait);
    let mut first = true;
    loop {
        // A long-poll woken by a change is authorized again before it
        // answers: a credential revoked (identity unmapped, key
        // regenerated) or expired while it waited gets nothing new.
        if !std::mem::take(&mut first) {
            check_gateway(state, req)?;
        }
        let snap = state.store.read(|c| snapshot::build(c, &gw)).map_err(|e| match e {
            MgmtError::NotFound(_) => MgmtError::Unauthorized(GATEWAY_AUTH_FAILED.into()),
            other => other,
        })?;
        let hash = snap.content_hash();
        state.remember(&gw, snap.version, hash);
        let etag = format!("\"{}\"", snap.version);
        let unchanged = known == Some(snap.version) || (known_hash.is_some() && known_hash == Some(hash));
        if !unchanged {
            return Ok(Resp::json(200, &snap).with_header("ETag", etag));
        }
        if Instant::now() >= deadline {
            return Ok(Resp::empty(304).with_header("ETag", etag));
        }
        state.store.wait_for_version_change(snap.version, deadline);
    }
}

pub(super) fn heartbeat(state: &State, req: &Req) -> Result<Resp, MgmtError> {
    let (gw, auth) = check_gateway(state, req)?;
    let hb: Heartbeat = api::parse_json(&req.body)?;
    model_check(&hb)?;
    let now = tokens::now_unix();
    // Old rows go at most once a minute, in a heartbeat's transaction.
    let last = state.metrics_pruned.load(Ordering::Relaxed);
    let prune = now >= last + 60
        && state
            .metrics_pruned
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok();
    state.store.write_status(|c| {
        res::record_heartbeat(c, &gw, &hb, &auth, now)?;
        if let Some(report) = &hb.metrics {
            metrics::ingest::record(c, &gw, &hb.instance_id, report, now)?;
        }
        if prune {
            metrics::ingest::prune_default(c, now)?;
        }
        Ok(())
    })?;
    Ok(Resp::empty(204))
}

fn model_check(hb: &Heartbeat) -> Result<(), MgmtError> {
    if hb.instance_id.is_empty() || hb.instance_id.len() > 256 {
        return Err(bad("instanceId must be 1-256 characters"));
    }
    let long = [&hb.hostname, &hb.version, &hb.last_error, &hb.token_expiry]
        .into_iter()
        .flatten()
        .any(|s| s.len() > 4096);
    if long || hb.requests.as_ref().is_some_and(|r| r.to_string().len() > 64 * 1024) {
        return Err(bad("heartbeat field too long"));
    }
    if let Some(m) = &hb.metrics {
        metrics::ingest::validate(m)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags() {
        assert_eq!(parse_etag("W/\"12\""), Some(12));
        assert_eq!(parse_etag("\"x\""), None);
    }
}
