//! Checks one bearer token of an authority with `crate::jwt`: signature
//! against the authority's keys (a refetch when the token names an unknown
//! key id, rate-limited by the key cache), then expiry and not-before
//! (with the clock skew), audience and issuer. Unsigned tokens (`alg:
//! none`) and tokens without `exp` are refused.
//!
//! Invariant: a refusal names the reason (`TokenExpired: …`) and never
//! contains the token or a key.

use serde_json::{Map, Value};

use super::keys::KeyCache;
use crate::jwt::{validate, KeySet, Refusal, Rules, MAX_TOKEN_BYTES};
use crate::mgmt::tokens;
use crate::settings::AuthoritySettings;

/// The claims of a valid token, or why it was refused.
pub fn verify(
    token: &str,
    authority: &AuthoritySettings,
    keys: &KeyCache,
    clock_skew_secs: u64,
) -> Result<Map<String, Value>, String> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!("the token is longer than {MAX_TOKEN_BYTES} bytes"));
    }
    let rules = Rules {
        issuers: authority.issuer.iter().cloned().collect(),
        audiences: authority.audiences.clone(),
        required_claims: Vec::new(),
        require_expiration_time: true,
        require_signed_tokens: true,
        clock_skew: clock_skew_secs.min(i64::MAX as u64) as i64,
    };
    let check = |set: &KeySet| {
        let sets = [set];
        let trust = crate::jwt::validate::Trust {
            keys: &sets,
            ..Default::default()
        };
        validate(token, &trust, &rules, tokens::now_unix())
    };
    let held = keys
        .current()
        .map_err(|e| format!("the authority's signing keys are unavailable ({e})"))?;
    let result = match check(&held) {
        Err(Refusal { unknown_kid: true, .. }) => {
            let fresh = keys
                .refetch()
                .map_err(|e| format!("the authority's signing keys are unavailable ({e})"))?;
            check(&fresh)
        }
        other => other,
    };
    result
        .map(|v| v.claims)
        .map_err(|r| format!("{}: {}", r.reason.as_str(), r.message))
}
