//! JSON Web Tokens for validate-jwt, validate-azure-ad-token and the
//! management plane: compact JWS parsing and signature checks (through
//! `jsonwebtoken`, which verifies with `ring`), JWE decryption for
//! `decryption-keys` ([`jwe`], RustCrypto primitives), key sets ([`keys`]),
//! APIM's claim rules and failure reasons ([`rules`], [`validate`]), the
//! OpenID discovery document ([`discovery`], parse only) and the per-worker
//! cache of verified tokens ([`cache`]).
//!
//! Invariants: this module imports nothing from the gateway (`proxy`,
//! `worker`, `server`, `policy`, `mgmt`): it could be a crate. Nothing in
//! it panics on a token, a key or a document; every input is bounded
//! (`MAX_*` below) and refused beyond; nothing here does I/O or logs a
//! token, a key or a secret.

pub mod cache;
pub mod discovery;
pub mod jwe;
pub mod keys;
pub mod rules;
mod token;
pub mod validate;

#[cfg(test)]
mod tests;

pub use keys::{Key, KeySet};
pub use rules::{ClaimMatch, ClaimRule, Rules};
pub use validate::{validate, Reason, Refusal, Validated};

/// Longest compact token accepted (JWS or JWE), in bytes.
pub const MAX_TOKEN_BYTES: usize = 32 * 1024;
/// Largest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 512 * 1024;
/// Most keys kept from one JWKS document (the rest are refused).
pub const MAX_KEYS: usize = 64;
/// Largest OpenID discovery document accepted, in bytes.
pub const MAX_DISCOVERY_BYTES: usize = 256 * 1024;

/// Why a key set, key or document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("document too large ({0} bytes, at most {1})")]
    TooLarge(usize, usize),
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("malformed document: {0}")]
    Malformed(&'static str),
    #[error("invalid key: {0}")]
    Key(String),
    #[error("too many keys ({0}, at most {1})")]
    TooManyKeys(usize, usize),
}

pub(crate) fn b64url(part: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()
}

/// The wall clock in Unix seconds (what `exp` and `nbf` compare with).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
