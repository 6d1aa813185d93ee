//! The OpenID Provider configuration document
//! (`/.well-known/openid-configuration`, OpenID Connect Discovery 1.0 §3):
//! only the fields the gateway uses. Parse only: fetching is the
//! authority's business.
//!
//! Invariant: a document larger than [`MAX_DISCOVERY_BYTES`], not a JSON
//! object, or without `issuer` and `jwks_uri` is refused; URLs must be
//! http(s).

use serde::Deserialize;

use super::{JwtError, MAX_DISCOVERY_BYTES};

/// The fields of a discovery document we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub issuer: String,
    pub jwks_uri: String,
    pub token_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    issuer: Option<String>,
    jwks_uri: Option<String>,
    token_endpoint: Option<String>,
}

/// Where keys and tokens may be fetched from: `https://`, or `http://` on
/// a loopback host (a network attacker must not be able to swap the keys
/// that decide who is authenticated). Bounded, without spaces or control
/// characters.
pub fn secure_url(u: &str) -> bool {
    if u.len() > 2048 || u.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return false;
    }
    let Ok(parsed) = url::Url::parse(u) else { return false };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return false,
    };
    parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback)
}

impl Discovery {
    /// Parses a discovery document.
    pub fn parse(bytes: &[u8]) -> Result<Discovery, JwtError> {
        if bytes.len() > MAX_DISCOVERY_BYTES {
            return Err(JwtError::TooLarge(bytes.len(), MAX_DISCOVERY_BYTES));
        }
        let raw: Raw = serde_json::from_slice(bytes).map_err(|e| JwtError::Json(e.to_string()))?;
        let issuer = raw
            .issuer
            .filter(|s| !s.is_empty())
            .ok_or(JwtError::Malformed("no issuer"))?;
        let jwks_uri = raw
            .jwks_uri
            .filter(|s| secure_url(s))
            .ok_or(JwtError::Malformed("no https jwks_uri (http only on a loopback host)"))?;
        let token_endpoint = match raw.token_endpoint {
            Some(t) if !secure_url(&t) => {
                return Err(JwtError::Malformed(
                    "token_endpoint is not https (http only on a loopback host)",
                ))
            }
            t => t,
        };
        Ok(Discovery {
            issuer,
            jwks_uri,
            token_endpoint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_fields_we_use() {
        let d = Discovery::parse(
            br#"{"issuer":"https://idp/t","jwks_uri":"https://idp/t/keys","token_endpoint":"https://idp/t/token","x":[1]}"#,
        )
        .unwrap();
        assert_eq!(d.issuer, "https://idp/t");
        assert_eq!(d.jwks_uri, "https://idp/t/keys");
        assert_eq!(d.token_endpoint.as_deref(), Some("https://idp/t/token"));
    }

    #[test]
    fn refuses_bad_documents() {
        assert!(Discovery::parse(b"[]").is_err());
        assert!(Discovery::parse(b"{").is_err());
        assert!(Discovery::parse(br#"{"issuer":"x"}"#).is_err());
        assert!(Discovery::parse(br#"{"issuer":"x","jwks_uri":"file:///etc/passwd"}"#).is_err());
        assert!(Discovery::parse(br#"{"issuer":1,"jwks_uri":"https://a"}"#).is_err());
        // Keys over plain http only from a loopback host.
        assert!(Discovery::parse(br#"{"issuer":"https://i","jwks_uri":"http://idp.example/keys"}"#).is_err());
        assert!(Discovery::parse(br#"{"issuer":"https://i","jwks_uri":"http://127.0.0.1:9/keys"}"#).is_ok());
        assert!(secure_url("http://localhost/x") && secure_url("http://[::1]:8/x") && secure_url("https://a/b"));
        assert!(!secure_url("http://10.0.0.1/x") && !secure_url("ftp://a/b") && !secure_url("https://a/ b"));
        let huge = vec![b' '; MAX_DISCOVERY_BYTES + 1];
        assert!(matches!(Discovery::parse(&huge), Err(JwtError::TooLarge(..))));
        let deep = "[".repeat(100_000);
        assert!(Discovery::parse(deep.as_bytes()).is_err());
    }
}
