//! The gateway-facing endpoints: `GET /gateway/config` (long-polled
//! snapshot with an ETag) and `POST /gateway/heartbeat`, both behind a
//! verified `GatewayKey` token.
//!
//! Invariants: a gateway is served only its own snapshot (the one its
//! verified token names); every token failure is the same 401 message;
//! a 304 means the gateway's content is unchanged: the version it holds
//! is current, or this process served that version with the same content
//! hash (the last 32 versions per gateway are remembered); a long poll is
//! held at most 60 s.

use std::time::{Duration, Instant};

use super::{Req, Resp, State};
use crate::mgmt::model::Heartbeat;
use crate::mgmt::{api, bad, resources as res, snapshot, tokens, MgmtError};

const MAX_WAIT_SECS: u64 = 60;
const GATEWAY_AUTH_FAILED: &str = "invalid or expired gateway token";

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

/// Verifies the `GatewayKey` token; returns the gateway id it names.
fn check_gateway(state: &State, req: &Req) -> Result<String, MgmtError> {
    let fail = || MgmtError::Unauthorized(GATEWAY_AUTH_FAILED.into());
    let token = req
        .header("Authorization")
        .and_then(tokens::parse_token)
        .ok_or_else(fail)?;
    let (primary, secondary) = state
        .store
        .read(|c| res::gateway_keys(c, &token.gateway_id))?
        .ok_or_else(fail)?;
    if tokens::verify(&token, &primary, &secondary, tokens::now_unix()) {
        Ok(token.gateway_id)
    } else {
        Err(fail())
    }
}

fn parse_etag(v: &str) -> Option<u64> {
    let v = v.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"').parse().ok()
}

pub(super) fn gateway_config(state: &State, req: &Req) -> Result<Resp, MgmtError> {
    let gw = check_gateway(state, req)?;
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
    loop {
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
    let gw = check_gateway(state, req)?;
    let hb: Heartbeat = api::parse_json(&req.body)?;
    model_check(&hb)?;
    state
        .store
        .write_status(|c| res::record_heartbeat(c, &gw, &hb, tokens::now_unix()))?;
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
