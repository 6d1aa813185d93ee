//! Fetching one OpenID provider's keys: its discovery document, then the
//! JWKS at its `jwks_uri`, each size-capped, parsed and checked before
//! anything is kept; and how long to keep them ([`fresh_for`]: the
//! JWKS's cache headers — `Cache-Control: max-age`, else `Expires` —,
//! else the discovery document's, bounded by [`FRESH_MIN`]..[`FRESH_MAX`];
//! `no-cache`, `no-store` or an `Expires` in the past mean [`FRESH_MIN`];
//! [`FRESH_DEFAULT`] without any — APIM refetches hourly).
//!
//! Invariant: a malformed, huge or inconsistent answer is an error (the
//! caller keeps its last good keys); parsing is `jwt`'s
//! (`discovery::Discovery::parse`, `KeySet::from_jwks`).

use std::time::{Duration, SystemTime};

use super::http::Http;
use super::{KeySet, OpenIdKeys};

pub const FRESH_MIN: Duration = Duration::from_secs(5 * 60);
pub const FRESH_MAX: Duration = Duration::from_secs(24 * 3600);
pub const FRESH_DEFAULT: Duration = Duration::from_secs(3600);

/// What a fetch gave.
pub struct Fetched {
    pub keys: OpenIdKeys,
    /// The JWKS as received (persisted, re-parsed at start).
    pub jwks: Vec<u8>,
    /// How long to keep them before refetching.
    pub fresh_for: Duration,
}

pub use crate::jwt::discovery::Discovery;

/// Fetches the discovery document at `url` and its JWKS.
pub fn fetch(http: &Http, url: &str) -> Result<Fetched, String> {
    let doc = http
        .get(url, crate::jwt::MAX_DISCOVERY_BYTES as u64)
        .map_err(|e| format!("discovery document {url}: {e}"))?;
    let d = parse_discovery(&doc.bytes).map_err(|e| format!("discovery document {url}: {e}"))?;
    let jwks = http
        .get(&d.jwks_uri, crate::jwt::MAX_JWKS_BYTES as u64)
        .map_err(|e| format!("JWKS {}: {e}", d.jwks_uri))?;
    let keys = parse_keys(&jwks.bytes).map_err(|e| format!("JWKS {}: {e}", d.jwks_uri))?;
    let fresh_for = fresh_for(jwks.max_age, doc.max_age);
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

/// How long fetched keys are kept before the next scheduled refetch:
/// the JWKS's freshness, else the discovery document's
/// (`http::freshness`), else [`FRESH_DEFAULT`]; always within
/// [`FRESH_MIN`]..=[`FRESH_MAX`].
pub fn fresh_for(jwks: Option<Duration>, discovery: Option<Duration>) -> Duration {
    jwks.or(discovery).unwrap_or(FRESH_DEFAULT).clamp(FRESH_MIN, FRESH_MAX)
}

/// The discovery document's `issuer`, `jwks_uri` and `token_endpoint`
/// (`jwt::discovery`).
pub fn parse_discovery(raw: &[u8]) -> Result<Discovery, String> {
    Discovery::parse(raw).map_err(|e| e.to_string())
}

/// The keys of a JWKS (`jwt::KeySet::from_jwks`: size and count bounded),
/// at least one usable.
pub fn parse_keys(raw: &[u8]) -> Result<KeySet, String> {
    let keys = KeySet::from_jwks(raw).map_err(|e| e.to_string())?;
    if keys.is_empty() {
        return Err("no usable signing key".into());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_documents_and_jwks_are_checked() {
        let d = parse_discovery(
            br#"{"issuer":"https://idp","jwks_uri":"https://idp/jwks","token_endpoint":"https://idp/token"}"#,
        )
        .unwrap();
        assert_eq!(d.issuer, "https://idp");
        assert_eq!(d.token_endpoint.as_deref(), Some("https://idp/token"));
        assert!(parse_discovery(br#"{"issuer":"https://idp"}"#).is_err());
        assert!(parse_discovery(br#"{"issuer":"https://idp","jwks_uri":"file:///etc/passwd"}"#).is_err());
        assert!(parse_discovery(b"<html>").is_err());
        assert!(parse_keys(br#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k"}]}"#).is_ok());
        assert!(parse_keys(br#"{"keys":[]}"#).is_err());
        assert!(parse_keys(b"[]").is_err());
    }

    #[test]
    fn the_refresh_schedule_follows_cache_headers_within_bounds() {
        use super::super::http::freshness;
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let date = httpdate::fmt_http_date(now);
        let expires_in = |secs: u64| httpdate::fmt_http_date(now + Duration::from_secs(secs));
        let h = |cc: Option<&str>, exp: Option<&str>| freshness(cc, exp, Some(&date), now);
        // Expires alone sets the schedule.
        assert_eq!(
            fresh_for(h(None, Some(&expires_in(7200))), None),
            Duration::from_secs(7200)
        );
        // no-cache / no-store / an Expires in the past: the minimum interval.
        assert_eq!(fresh_for(h(Some("no-cache"), Some(&expires_in(7200))), None), FRESH_MIN);
        assert_eq!(fresh_for(h(Some("no-store"), None), None), FRESH_MIN);
        assert_eq!(
            fresh_for(h(None, Some("Thu, 01 Jan 1970 00:00:00 GMT")), None),
            FRESH_MIN
        );
        assert_eq!(fresh_for(h(None, Some("0")), None), FRESH_MIN);
        // Bounded both ways.
        assert_eq!(fresh_for(h(Some("max-age=5"), None), None), FRESH_MIN);
        assert_eq!(fresh_for(h(None, Some(&expires_in(90 * 86_400))), None), FRESH_MAX);
        // The JWKS's headers first, then the discovery document's, then the default.
        assert_eq!(
            fresh_for(h(None, None), h(None, Some(&expires_in(1800)))),
            Duration::from_secs(1800)
        );
        assert_eq!(
            fresh_for(h(Some("max-age=600"), None), h(None, Some(&expires_in(1800)))),
            Duration::from_secs(600)
        );
        assert_eq!(fresh_for(h(None, None), h(None, None)), FRESH_DEFAULT);
    }
}
