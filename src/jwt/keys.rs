//! Signing keys: a [`KeySet`] is the ordered keys one validation may try
//! (APIM tries keys in turn until one works: key rollover). Built from a
//! JWKS document, an inline Base64 symmetric key, an RSA modulus and
//! exponent, or an X.509 certificate's public key; each key has an
//! optional `kid`.
//!
//! Invariants: a key knows its algorithm family and is only ever used with
//! an algorithm of that family (`jsonwebtoken` would panic on a mismatch);
//! a JWKS larger than [`MAX_JWKS_BYTES`] or with more than [`MAX_KEYS`]
//! usable keys is refused; keys for encryption (`use: enc`) and keys we
//! cannot use are skipped, never fatal. `Debug` shows no key material.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value as Json;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{JwtError, MAX_JWKS_BYTES, MAX_KEYS};

/// The algorithm families of JWS (RFC 7518 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Hmac,
    Rsa,
    Ec,
    Ed,
}

impl Family {
    /// The family of a JWS algorithm.
    pub fn of(alg: Algorithm) -> Family {
        use Algorithm::*;
        match alg {
            HS256 | HS384 | HS512 => Family::Hmac,
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => Family::Rsa,
            ES256 | ES384 => Family::Ec,
            EdDSA => Family::Ed,
        }
    }
}

/// One verification key.
#[derive(Clone)]
pub struct Key {
    kid: Option<String>,
    family: Family,
    /// The JWK's `alg`, when it names one: the key is used with no other.
    alg: Option<Algorithm>,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("family", &self.family)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Key {
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    pub fn family(&self) -> Family {
        self.family
    }

    /// Whether this key may verify a signature made with `alg`.
    pub fn fits(&self, alg: Algorithm) -> bool {
        self.family == Family::of(alg) && self.alg.is_none_or(|a| a == alg)
    }

    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    /// A symmetric (HMAC) key from its Base64 text (APIM's inline `key`;
    /// standard or URL-safe alphabet, padding optional).
    pub fn symmetric_base64(text: &str, kid: Option<String>) -> Result<Key, JwtError> {
        let bytes = base64_any(text).ok_or_else(|| JwtError::Key("not Base64".into()))?;
        if bytes.is_empty() {
            return Err(JwtError::Key("empty symmetric key".into()));
        }
        Ok(Key {
            kid,
            family: Family::Hmac,
            alg: None,
            decoding: DecodingKey::from_secret(&bytes),
        })
    }

    /// An RSA public key from its Base64url modulus and exponent (APIM's
    /// `n`/`e` attributes, a JWK's `n`/`e`).
    pub fn rsa_components(n: &str, e: &str, kid: Option<String>) -> Result<Key, JwtError> {
        let n = base64_any(n)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| JwtError::Key("bad RSA modulus".into()))?;
        let e = base64_any(e)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| JwtError::Key("bad RSA exponent".into()))?;
        if n.len() > 1024 || e.len() > 16 {
            return Err(JwtError::Key("RSA key too large".into()));
        }
        Ok(Key {
            kid,
            family: Family::Rsa,
            alg: None,
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
        })
    }

    /// The public key of a DER X.509 certificate (RSA, EC P-256/P-384, Ed25519).
    pub fn certificate_der(der: &[u8], kid: Option<String>) -> Result<Key, JwtError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| JwtError::Key(format!("bad certificate: {e}")))?;
        let spki = cert.public_key();
        let bits: &[u8] = &spki.subject_public_key.data;
        let (family, decoding) = match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.2.840.113549.1.1.1" => (Family::Rsa, DecodingKey::from_rsa_der(bits)),
            "1.2.840.10045.2.1" => (Family::Ec, DecodingKey::from_ec_der(bits)),
            "1.3.101.112" => (Family::Ed, DecodingKey::from_ed_der(bits)),
            other => return Err(JwtError::Key(format!("unsupported certificate key type {other}"))),
        };
        Ok(Key {
            kid,
            family,
            alg: None,
            decoding,
        })
    }

    /// A key from one JWK object; `Ok(None)` for a key that is not for
    /// signatures or that we cannot use (skipped, not fatal).
    pub fn from_jwk(value: &Json) -> Result<Option<Key>, JwtError> {
        let Json::Object(obj) = value else {
            return Err(JwtError::Malformed("a key is not a JSON object"));
        };
        if obj.get("use").and_then(Json::as_str).is_some_and(|u| u != "sig") {
            return Ok(None);
        }
        let kid = obj.get("kid").and_then(Json::as_str).map(str::to_owned);
        let alg = match obj.get("alg").and_then(Json::as_str) {
            Some(a) => match a.parse::<Algorithm>() {
                Ok(a) => Some(a),
                Err(_) => return Ok(None),
            },
            None => None,
        };
        let kty = obj.get("kty").and_then(Json::as_str).unwrap_or("");
        let text = |k: &str| obj.get(k).and_then(Json::as_str);
        let key = match kty {
            "RSA" => match (text("n"), text("e")) {
                (Some(n), Some(e)) => Key::rsa_components(n, e, kid)?,
                _ => match first_x5c(obj) {
                    Some(der) => Key::certificate_der(&der, kid)?,
                    None => return Ok(None),
                },
            },
            // A symmetric (`oct`) key in a published JWKS would make a public
            // document an HMAC secret: symmetric keys come only inline from
            // the policy, never from a key set.
            "oct" => return Ok(None),
            "EC" | "OKP" => {
                let jwk: Jwk = match serde_json::from_value(value.clone()) {
                    Ok(j) => j,
                    Err(_) => return Ok(None),
                };
                let family = if kty == "EC" { Family::Ec } else { Family::Ed };
                if kty == "OKP" && text("crv") != Some("Ed25519") {
                    return Ok(None);
                }
                let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| JwtError::Key(e.to_string()))?;
                Key {
                    kid,
                    family,
                    alg: None,
                    decoding,
                }
            }
            _ => return Ok(None),
        };
        if alg.is_some_and(|a| Family::of(a) != key.family) {
            return Ok(None);
        }
        Ok(Some(Key { alg, ..key }))
    }
}

fn first_x5c(obj: &serde_json::Map<String, Json>) -> Option<Vec<u8>> {
    let text = obj.get("x5c")?.as_array()?.first()?.as_str()?;
    base64_any(text)
}

/// Base64 in either alphabet, padding optional, ASCII whitespace ignored.
pub(crate) fn base64_any(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let clean: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && *c != '=')
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean).ok()
}

/// The keys one validation may try, in order.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

impl KeySet {
    pub fn new(keys: Vec<Key>) -> KeySet {
        KeySet { keys }
    }

    /// Parses a JWKS document (RFC 7517 §5): `{"keys":[…]}`. Keys for
    /// encryption or of a type we cannot use are skipped; a key of a
    /// known type with bad parameters refuses the whole document (a
    /// provider serving broken keys is reported, not half-trusted).
    pub fn from_jwks(bytes: &[u8]) -> Result<KeySet, JwtError> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(JwtError::TooLarge(bytes.len(), MAX_JWKS_BYTES));
        }
        let doc: Json = serde_json::from_slice(bytes).map_err(|e| JwtError::Json(e.to_string()))?;
        let list = doc
            .get("keys")
            .and_then(Json::as_array)
            .ok_or(JwtError::Malformed("no \"keys\" array"))?;
        if list.len() > MAX_KEYS * 4 {
            return Err(JwtError::TooManyKeys(list.len(), MAX_KEYS));
        }
        let mut keys = Vec::new();
        for value in list {
            if let Some(key) = Key::from_jwk(value)? {
                keys.push(key);
            }
        }
        if keys.len() > MAX_KEYS {
            return Err(JwtError::TooManyKeys(keys.len(), MAX_KEYS));
        }
        Ok(KeySet { keys })
    }

    /// Whether a key has this `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn push(&mut self, key: Key) {
        self.keys.push(key);
    }
}
