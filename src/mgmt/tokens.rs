//! Gateway keys and `GatewayKey` access tokens, the admin credential, and the
//! small amount of UTC calendar arithmetic they need.
//!
//! Token wire form: `GatewayKey <gatewayId>&<yyyyMMddHHmm UTC>&<base64 sig>`
//! with `sig = HMAC-SHA512(key, "<gatewayId>\n<yyyyMMddHHmm>")`, where `key`
//! is the UTF-8 text of the gateway's base64 key (as APIM does, so anyone
//! holding a key can mint tokens offline).
//!
//! Invariants: tokens live at most [`MAX_TOKEN_LIFETIME_SECS`]; a token is valid
//! only while `now < expiry`, only for the gateway id it names, and only while
//! the key that signed it is unchanged; signatures are compared in constant
//! time (`Mac::verify_slice`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256, Sha512};

use super::{bad, MgmtError};
use crate::civil_date::DateTimeParts;

/// 30 days.
pub const MAX_TOKEN_LIFETIME_SECS: i64 = 30 * 24 * 3600;
const PREFIX: &str = "GatewayKey ";

/// Which of a gateway's two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Primary,
    Secondary,
}

impl KeyType {
    pub fn parse(s: &str) -> Result<KeyType, MgmtError> {
        match s.to_ascii_lowercase().as_str() {
            "primary" => Ok(KeyType::Primary),
            "secondary" => Ok(KeyType::Secondary),
            _ => Err(bad("keyType must be \"primary\" or \"secondary\"")),
        }
    }
}

/// 64 random bytes, base64.
pub fn generate_key() -> String {
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// A subscription key: 16 random bytes as 32 hex digits (safe in headers and queries).
pub fn generate_subscription_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An opaque admin bearer token (32 random bytes, URL-safe base64).
pub fn generate_admin_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "outpost-admin-{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Hex SHA-256, used to store the admin token.
pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Constant-time equality of two byte strings (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn mac(key: &str, gateway_id: &str, expiry: &str) -> Hmac<Sha512> {
    // HMAC accepts keys of any length; this cannot fail.
    let mut m = <Hmac<Sha512> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    m.update(gateway_id.as_bytes());
    m.update(b"\n");
    m.update(expiry.as_bytes());
    m
}

/// Signs a token for `gateway_id` expiring at `expiry_unix` (truncated to the
/// minute). Fails when the expiry is not in the future or more than 30 days ahead.
pub fn generate_token(gateway_id: &str, key: &str, expiry_unix: i64, now_unix: i64) -> Result<String, MgmtError> {
    let expiry_unix = expiry_unix - expiry_unix.rem_euclid(60);
    if expiry_unix <= now_unix {
        return Err(bad("expiry must be in the future"));
    }
    if expiry_unix > now_unix + MAX_TOKEN_LIFETIME_SECS {
        return Err(bad("expiry must be at most 30 days ahead"));
    }
    let expiry = format_compact(expiry_unix);
    let sig = B64.encode(mac(key, gateway_id, &expiry).finalize().into_bytes());
    Ok(format!("{PREFIX}{gateway_id}&{expiry}&{sig}"))
}

/// A token split into its parts (not yet verified).
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedToken {
    pub gateway_id: String,
    pub expiry: String,
    pub expiry_unix: i64,
    pub signature: Vec<u8>,
}

/// Parses an `Authorization` header value. `None` for anything malformed.
pub fn parse_token(header: &str) -> Option<ParsedToken> {
    let rest = header.trim().strip_prefix(PREFIX)?;
    let mut parts = rest.splitn(3, '&');
    let (gateway_id, expiry, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if gateway_id.is_empty() {
        return None;
    }
    let expiry_unix = parse_compact(expiry)?;
    let signature = B64.decode(sig).ok()?;
    Some(ParsedToken {
        gateway_id: gateway_id.to_string(),
        expiry: expiry.to_string(),
        expiry_unix,
        signature,
    })
}

/// Verifies a parsed token against the named gateway's current keys.
pub fn verify(token: &ParsedToken, primary: &str, secondary: &str, now_unix: i64) -> bool {
    // Expired, or further ahead than any token this plane would issue.
    if now_unix >= token.expiry_unix || token.expiry_unix > now_unix + MAX_TOKEN_LIFETIME_SECS + 60 {
        return false;
    }
    [primary, secondary].iter().any(|k| {
        mac(k, &token.gateway_id, &token.expiry)
            .verify_slice(&token.signature)
            .is_ok()
    })
}

// ---- UTC calendar -------------------------------------------------------

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn to_unix(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if y < 1970 {
        return None;
    }
    DateTimeParts::unix_from_fields(y, mo, d, h, mi, s)
}

fn digits(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// `yyyyMMddHHmm`
pub fn format_compact(unix: i64) -> String {
    let t = DateTimeParts::from_unix(unix);
    format!("{:04}{:02}{:02}{:02}{:02}", t.year, t.month, t.day, t.hour, t.minute)
}

/// Parses exactly twelve digits `yyyyMMddHHmm` (UTC).
pub fn parse_compact(s: &str) -> Option<i64> {
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| digits(&s[a..b]);
    to_unix(n(0, 4)?, n(4, 6)?, n(6, 8)?, n(8, 10)?, n(10, 12)?, 0)
}

/// `2026-12-01T00:00:00Z`
pub fn format_iso(unix: i64) -> String {
    let t = DateTimeParts::from_unix(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Parses ISO 8601 `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)` or a bare date.
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let n = |a: usize, b: usize| s.get(a..b).and_then(digits);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" {
        return None;
    }
    let (y, mo, d) = (n(0, 4)?, n(5, 7)?, n(8, 10)?);
    if s.len() == 10 {
        return to_unix(y, mo, d, 0, 0, 0);
    }
    if !matches!(s.get(10..11)?, "T" | "t" | " ") || s.get(13..14)? != ":" {
        return None;
    }
    let (h, mi) = (n(11, 13)?, n(14, 16)?);
    let mut rest = s.get(16..)?;
    let mut sec = 0;
    if let Some(r) = rest.strip_prefix(':') {
        sec = r.get(0..2).and_then(digits)?;
        rest = &r[2..];
        if let Some(frac) = rest.strip_prefix('.') {
            let end = frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len());
            if end == 0 {
                return None;
            }
            rest = &frac[end..];
        }
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            sign * (rest.get(1..3).and_then(digits)? * 3600 + rest.get(4..6).and_then(digits)? * 60)
        }
    };
    Some(to_unix(y, mo, d, h, mi, sec)? - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000; // 2026-05-28

    fn token(gw: &str, key: &str, expiry: i64) -> String {
        generate_token(gw, key, expiry, NOW).unwrap()
    }

    fn ok(t: &str, p: &str, s: &str, now: i64) -> bool {
        parse_token(t).is_some_and(|pt| verify(&pt, p, s, now))
    }

    #[test]
    fn calendar_round_trips() {
        assert_eq!(parse_iso("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso("2026-12-01T00:00:00Z").map(format_iso).unwrap(),
            "2026-12-01T00:00:00Z"
        );
        assert_eq!(
            parse_iso("2024-02-29T12:30:15.123+02:00").map(format_iso).unwrap(),
            "2024-02-29T10:30:15Z"
        );
        assert_eq!(parse_iso("2026-12-01"), parse_iso("2026-12-01T00:00Z"));
        for bad in [
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "garbage",
            "2026-12-01T00:00:00",
            "",
            "2026-1",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(
            format_compact(parse_iso("2026-12-01T23:59:59Z").unwrap()),
            "202612012359"
        );
        assert_eq!(parse_compact("202612012359"), parse_iso("2026-12-01T23:59:00Z"));
        assert_eq!(parse_compact("2026120123590"), None);
        assert_eq!(parse_compact("20261301235a"), None);
    }

    #[test]
    fn generate_and_verify() {
        let (p, s) = (generate_key(), generate_key());
        assert_eq!(B64.decode(&p).unwrap().len(), 64);
        let t = token("gw1", &p, NOW + 3600);
        assert!(t.starts_with("GatewayKey gw1&"));
        assert!(ok(&t, &p, &s, NOW));
        assert!(
            ok(&token("gw1", &s, NOW + 3600), &p, &s, NOW),
            "secondary key signs too"
        );
        assert!(!ok(&t, &p, &s, NOW + 3600), "expired at the expiry minute");
        assert!(!ok(&t, &generate_key(), &s, NOW), "primary regenerated: token dead");
        assert!(
            !ok(&t, &p, &s, NOW - MAX_TOKEN_LIFETIME_SECS),
            "too far ahead to have been issued"
        );
    }

    #[test]
    fn expiry_limits() {
        let k = generate_key();
        assert!(generate_token("g", &k, NOW + MAX_TOKEN_LIFETIME_SECS, NOW).is_ok());
        assert!(matches!(
            generate_token("g", &k, NOW + MAX_TOKEN_LIFETIME_SECS + 60, NOW),
            Err(MgmtError::BadRequest(_))
        ));
        assert!(generate_token("g", &k, NOW - 60, NOW).is_err());
    }

    #[test]
    fn tampering_with_any_part_fails() {
        let (p, s) = (generate_key(), generate_key());
        let t = token("gw-a", &p, NOW + 7200);
        let body = t.strip_prefix(PREFIX).unwrap();
        let parts: Vec<&str> = body.split('&').collect();
        let later = format_compact(NOW + 10 * 3600);
        let mut sig = B64.decode(parts[2]).unwrap();
        sig[0] ^= 1;
        let flipped = B64.encode(&sig);
        let tampered = [
            format!("{PREFIX}gw-b&{}&{}", parts[1], parts[2]),
            format!("{PREFIX}{}&{later}&{}", parts[0], parts[2]),
            format!("{PREFIX}{}&{}&{flipped}", parts[0], parts[1]),
            format!("{PREFIX}{}&{}&{}", parts[0], parts[1], &parts[2][..20]),
            format!("{PREFIX}{}&{}&not-base64!", parts[0], parts[1]),
            format!("{PREFIX}{}&{}", parts[0], parts[1]),
            format!("Bearer {body}"),
            String::new(),
        ];
        for t in &tampered {
            assert!(!ok(t, &p, &s, NOW), "{t}");
        }
        // A token for gateway A never verifies with gateway B's keys.
        let (bp, bs) = (generate_key(), generate_key());
        assert!(!ok(&t, &bp, &bs, NOW));
    }

    #[test]
    fn admin_hash_and_ct_eq() {
        let t = generate_admin_token();
        assert_eq!(sha256_hex(&t).len(), 64);
        assert!(ct_eq(sha256_hex(&t).as_bytes(), sha256_hex(&t).as_bytes()));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
