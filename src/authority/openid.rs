//! Fetching one OpenID provider's keys: its discovery document, then the
//! JWKS at its `jwks_uri`, each size-capped, parsed and checked before
//! anything is kept; and how long to keep them (the JWKS's
//! `Cache-Control: max-age`, else the discovery document's, bounded by
//! [`FRESH_MIN`]..[`FRESH_MAX`], [`FRESH_DEFAULT`] without one — APIM
//! refetches hourly).
//!
//! Invariant: a malformed, huge or inconsistent answer is an error (the
//! caller keeps its last good keys); parsing is delegated to `jwt`
//! (`discovery`, `KeySet::from_jwks`) once merged, to the stand-ins here
//! until then.

use std::time::{Duration, SystemTime};

use super::http::{Http, JWKS_MAX, SMALL_MAX};
use super::{KeySet, OpenIdKeys};

pub const FRESH_MIN: Duration = Duration::from_secs(5 * 60);
pub const FRESH_MAX: Duration = Duration::from_secs(24 * 3600);
pub const FRESH_DEFAULT: Duration = Duration::from_secs(3600);
/// Most keys accepted in one JWKS.
pub const MAX_KEYS: usize = 100;

/// What a fetch gave.
pub struct Fetched {
    pub keys: OpenIdKeys,
    /// The JWKS as received (persisted, re-parsed at start).
    pub jwks: Vec<u8>,
    /// How long to keep them before refetching.
    pub fresh_for: Duration,
}

/// The parts of a discovery document the gateway uses.
#[derive(Debug, PartialEq, Eq)]
pub struct Discovery {
    pub issuer: String,
    pub jwks_uri: String,
    pub token_endpoint: Option<String>,
}

/// Fetches the discovery document at `url` and its JWKS.
pub fn fetch(http: &Http, url: &str) -> Result<Fetched, String> {
    let doc = http.get(url, SMALL_MAX).map_err(|e| format!("discovery document {url}: {e}"))?;
    let d = parse_discovery(&doc.bytes).map_err(|e| format!("discovery document {url}: {e}"))?;
    let jwks = http
        .get(&d.jwks_uri, JWKS_MAX)
        .map_err(|e| format!("JWKS {}: {e}", d.jwks_uri))?;
    let keys = parse_keys(&jwks.bytes).map_err(|e| format!("JWKS {}: {e}", d.jwks_uri))?;
    let fresh_for = jwks
        .max_age
        .or(doc.max_age)
        .unwrap_or(FRESH_DEFAULT)
        .clamp(FRESH_MIN, FRESH_MAX);
    Ok(Fetched {
        keys: OpenIdKeys {
            url: url.to_owned(),
            issuer: d.issuer,
            token_endpoint: d.token_endpoint,
            keys,
            fetched: SystemTime::now(),
        },
        jwks: jwks.bytes,
        fresh_for,
    })
}

/// The discovery document's `issuer`, `jwks_uri` (http(s)) and `token_endpoint`.
pub fn parse_discovery(raw: &[u8]) -> Result<Discovery, String> {
    let v: serde_json::Value = serde_json::from_slice(raw).map_err(|_| "not a JSON document".to_string())?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    let issuer = s("issuer").filter(|i| !i.is_empty()).ok_or("no issuer")?;
    let jwks_uri = s("jwks_uri")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or("no http(s) jwks_uri")?;
    Ok(Discovery {
        issuer,
        jwks_uri,
        token_endpoint: s("token_endpoint"),
    })
}

/// The keys of a JWKS (at least one, at most [`MAX_KEYS`]).
pub fn parse_keys(raw: &[u8]) -> Result<KeySet, String> {
    let v: serde_json::Value = serde_json::from_slice(raw).map_err(|_| "not a JSON document".to_string())?;
    let keys = v.get("keys").and_then(|k| k.as_array()).ok_or("no keys array")?;
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return Err(format!("{} keys (1 to {MAX_KEYS} accepted)", keys.len()));
    }
    Ok(KeySet { jwks: raw.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_documents_and_jwks_are_checked() {
        let d = parse_discovery(br#"{"issuer":"https://idp","jwks_uri":"https://idp/jwks","token_endpoint":"https://idp/token"}"#).unwrap();
        assert_eq!(d.issuer, "https://idp");
        assert_eq!(d.token_endpoint.as_deref(), Some("https://idp/token"));
        assert!(parse_discovery(br#"{"issuer":"https://idp"}"#).is_err());
        assert!(parse_discovery(br#"{"issuer":"https://idp","jwks_uri":"file:///etc/passwd"}"#).is_err());
        assert!(parse_discovery(b"<html>").is_err());
        assert!(parse_keys(br#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#).is_ok());
        assert!(parse_keys(br#"{"keys":[]}"#).is_err());
        assert!(parse_keys(b"[]").is_err());
    }
}
