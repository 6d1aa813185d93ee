//! Compact serialization (RFC 7515 §7.1, RFC 7516 §7.1): split a token
//! into its parts and decode the protected header and the claims.
//!
//! Invariant: bounded by [`MAX_TOKEN_BYTES`]; anything that is not three
//! (JWS) or five (JWE) Base64url parts with a JSON object header is
//! malformed.

use serde_json::{Map, Value as Json};

use super::{b64url, MAX_TOKEN_BYTES};

/// A protected header's fields we use.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
    pub enc: Option<String>,
    pub cty: Option<String>,
    pub zip: Option<String>,
}

/// The shapes of a compact token.
pub enum Compact<'t> {
    /// `header.payload.signature`; `signing_input` is `header.payload`.
    Jws {
        header: Header,
        signing_input: &'t str,
        payload: &'t str,
        signature: &'t str,
    },
    /// `header.key.iv.ciphertext.tag`; `protected` is the encoded header (the AAD).
    Jwe {
        header: Header,
        protected: &'t str,
        key: &'t str,
        iv: &'t str,
        ciphertext: &'t str,
        tag: &'t str,
    },
}

/// Why a token is malformed (IdentityModel's wording, without the token).
pub const MALFORMED: &str =
    "IDX12741: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format.";

pub fn split(token: &str) -> Result<Compact<'_>, &'static str> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err("IDX10209: Token has length greater than the maximum size allowed.");
    }
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='))
    {
        return Err(MALFORMED);
    }
    let parts: Vec<&str> = token.splitn(6, '.').collect();
    match parts.as_slice() {
        [h, p, s] => {
            let header = header(h)?;
            let signing_input = token.get(..h.len() + 1 + p.len()).ok_or(MALFORMED)?;
            Ok(Compact::Jws {
                header,
                signing_input,
                payload: p,
                signature: s,
            })
        }
        [h, k, iv, c, t] => Ok(Compact::Jwe {
            header: header(h)?,
            protected: h,
            key: k,
            iv,
            ciphertext: c,
            tag: t,
        }),
        _ => Err(MALFORMED),
    }
}

fn header(encoded: &str) -> Result<Header, &'static str> {
    let obj = object(encoded).ok_or("IDX12729: Unable to decode the header as Base64Url encoded string.")?;
    let text = |k: &str| obj.get(k).and_then(Json::as_str).map(str::to_owned);
    Ok(Header {
        alg: text("alg").ok_or("IDX12721: The JWT header has no 'alg'.")?,
        kid: text("kid"),
        typ: text("typ"),
        enc: text("enc"),
        cty: text("cty"),
        zip: text("zip"),
    })
}

/// A Base64url JSON object.
pub fn object(encoded: &str) -> Option<Map<String, Json>> {
    match serde_json::from_slice(&b64url(encoded)?).ok()? {
        Json::Object(o) => Some(o),
        _ => None,
    }
}
