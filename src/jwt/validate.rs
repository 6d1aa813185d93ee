//! Validates a compact token against keys and [`Rules`] with APIM's
//! order of checks and failure reasons (`context.LastError.Reason`):
//! decode → (decrypt) → signature → lifetime → audience → issuer →
//! required claims.
//!
//! Messages follow Microsoft.IdentityModel's wording (which APIM shows)
//! with its PII hidden: a message never contains the token or a key.
//! Decisions where APIM's page is silent: a token without `exp` when one
//! is required is `TokenExpired`; a token not yet valid (`nbf`) is
//! `JwtInvalid`; an unsupported `alg` is `TokenSignatureInvalid`; no key
//! of the token's `kid` or algorithm family is `TokenSignatureKeyNotFound`.

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value as Json};

use super::jwe::{self, DecryptionKey};
use super::keys::KeySet;
use super::rules::{self, ClaimsRefusal, Rules};
use super::token::{self, Compact, Header};

/// APIM's `context.LastError.Reason` values of validate-jwt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    TokenNotPresent,
    TokenSignatureInvalid,
    TokenAudienceNotAllowed,
    TokenIssuerNotAllowed,
    TokenExpired,
    TokenSignatureKeyNotFound,
    TokenClaimNotFound,
    TokenClaimValueNotAllowed,
    JwtInvalid,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::TokenNotPresent => "TokenNotPresent",
            Reason::TokenSignatureInvalid => "TokenSignatureInvalid",
            Reason::TokenAudienceNotAllowed => "TokenAudienceNotAllowed",
            Reason::TokenIssuerNotAllowed => "TokenIssuerNotAllowed",
            Reason::TokenExpired => "TokenExpired",
            Reason::TokenSignatureKeyNotFound => "TokenSignatureKeyNotFound",
            Reason::TokenClaimNotFound => "TokenClaimNotFound",
            Reason::TokenClaimValueNotAllowed => "TokenClaimValueNotAllowed",
            Reason::JwtInvalid => "JwtInvalid",
        }
    }
}

/// Why a token is refused: APIM's reason and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub message: String,
    /// The token names a `kid` that no key set has: the keys may be stale
    /// (the caller may ask for a refresh).
    pub unknown_kid: bool,
}

impl Refusal {
    fn new(reason: Reason, message: impl Into<String>) -> Refusal {
        Refusal {
            reason,
            message: message.into(),
            unknown_kid: false,
        }
    }

    /// A library message followed by APIM's "Access denied."
    fn denied(reason: Reason, library: &str) -> Refusal {
        Refusal::new(reason, format!("{library} Access denied."))
    }

    /// No token: APIM's `JWT not present.`
    pub fn not_present() -> Refusal {
        Refusal::new(Reason::TokenNotPresent, "JWT not present.")
    }
}

/// A token that passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The signed token (the inner one of a JWE) in compact form, for the
    /// expression language's `Jwt` object.
    pub jws: String,
    pub alg: String,
    pub claims: Map<String, Json>,
    /// `exp` in Unix seconds, if present.
    pub expires: Option<i64>,
}

/// What a token may be checked against: signing key sets (inline keys,
/// then each OpenID configuration's), the issuers the discovery
/// documents name, and the decryption keys.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trust<'a> {
    pub keys: &'a [&'a KeySet],
    pub issuers: &'a [&'a str],
    pub decryption: &'a [DecryptionKey],
}

/// Validates `token` (without a scheme) at Unix time `now`.
pub fn validate(token: &str, trust: &Trust<'_>, rules: &Rules, now: i64) -> Result<Validated, Refusal> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Refusal::not_present());
    }
    match token::split(token).map_err(|m| Refusal::new(Reason::JwtInvalid, m))? {
        Compact::Jws {
            header,
            signing_input,
            payload,
            signature,
        } => {
            let claims = verify(&header, signing_input, payload, signature, trust, rules)?;
            check(token, header, claims, trust, rules, now)
        }
        Compact::Jwe {
            header,
            protected,
            key,
            iv,
            ciphertext,
            tag,
        } => {
            let plain = jwe::decrypt(&header, protected, key, iv, ciphertext, tag, trust.decryption)
                .map_err(|m| Refusal::new(Reason::JwtInvalid, m))?;
            let inner = std::str::from_utf8(&plain)
                .map_err(|_| Refusal::new(Reason::JwtInvalid, "IDX10609: Decryption failed."))?
                .trim();
            match token::split(inner) {
                Ok(Compact::Jws {
                    header,
                    signing_input,
                    payload,
                    signature,
                }) => {
                    let claims = verify(&header, signing_input, payload, signature, trust, rules)?;
                    check(inner, header, claims, trust, rules, now)
                }
                Ok(Compact::Jwe { .. }) => Err(Refusal::new(Reason::JwtInvalid, "IDX10609: Decryption failed.")),
                Err(_) => {
                    // A JWE of bare claims is not signed.
                    if rules.require_signed_tokens {
                        return Err(Refusal::denied(Reason::TokenSignatureInvalid, UNSIGNED));
                    }
                    let claims: Map<String, Json> =
                        serde_json::from_str(inner).map_err(|_| Refusal::new(Reason::JwtInvalid, BAD_PAYLOAD))?;
                    check(inner, header, claims, trust, rules, now)
                }
            }
        }
    }
}

/// The most signature checks one token may cost (keys of its algorithm
/// family tried when its `kid` names no key).
pub const MAX_KEYS_TRIED: usize = 16;

const UNSIGNED: &str = "IDX10504: Unable to validate signature, token does not have a signature.";
const BAD_PAYLOAD: &str = "IDX12723: Unable to decode the payload as Base64Url encoded string.";

/// Checks the signature (or its absence) and decodes the claims.
fn verify(
    header: &Header,
    signing_input: &str,
    payload: &str,
    signature: &str,
    trust: &Trust<'_>,
    rules: &Rules,
) -> Result<Map<String, Json>, Refusal> {
    let claims = token::object(payload).ok_or_else(|| Refusal::new(Reason::JwtInvalid, BAD_PAYLOAD))?;
    if header.alg.eq_ignore_ascii_case("none") || signature.is_empty() {
        if !signature.is_empty() || !header.alg.eq_ignore_ascii_case("none") {
            return Err(Refusal::new(Reason::JwtInvalid, token::MALFORMED));
        }
        if rules.require_signed_tokens {
            return Err(Refusal::denied(Reason::TokenSignatureInvalid, UNSIGNED));
        }
        return Ok(claims);
    }
    let Ok(alg) = header.alg.parse::<Algorithm>() else {
        return Err(Refusal::denied(
            Reason::TokenSignatureInvalid,
            "IDX10511: Signature validation failed. The token's algorithm is not supported.",
        ));
    };
    let kid = header.kid.as_deref();
    let kid_known = kid.is_some_and(|k| trust.keys.iter().any(|s| s.has_kid(k)));
    // A known kid: only its keys (IdentityModel). Otherwise (no kid, or a
    // kid no set has: rollover) the keys in turn, at most
    // MAX_KEYS_TRIED of them, so that a token cannot make us run a
    // signature check per key of a large key set.
    let all = trust.keys.iter().flat_map(|s| s.keys().iter());
    let candidates = all
        .filter(|k| !kid_known || k.kid() == kid)
        .filter(|k| k.fits(alg))
        .take(MAX_KEYS_TRIED);
    let mut tried = 0;
    for key in candidates {
        tried += 1;
        if jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), key.decoding(), alg).unwrap_or(false) {
            return Ok(claims);
        }
    }
    if tried == 0 || (kid.is_some() && !kid_known) {
        let mut r = Refusal::denied(
            Reason::TokenSignatureKeyNotFound,
            "IDX10501: Signature validation failed. Unable to match key.",
        );
        r.unknown_kid = kid.is_some() && !kid_known;
        return Err(r);
    }
    Err(Refusal::denied(
        Reason::TokenSignatureInvalid,
        "IDX10503: Signature validation failed.",
    ))
}

fn seconds(claims: &Map<String, Json>, name: &str) -> Result<Option<i64>, Refusal> {
    match claims.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f.floor() as i64))
            .map(Some)
            .ok_or_else(|| Refusal::new(Reason::JwtInvalid, format!("IDX14300: Claim '{name}' is not a number."))),
        Some(_) => Err(Refusal::new(
            Reason::JwtInvalid,
            format!("IDX14300: Claim '{name}' is not a number."),
        )),
    }
}

/// Lifetime, audience, issuer and required claims.
fn check(
    jws: &str,
    header: Header,
    claims: Map<String, Json>,
    trust: &Trust<'_>,
    rules: &Rules,
    now: i64,
) -> Result<Validated, Refusal> {
    let skew = rules.clock_skew.max(0);
    let expires = seconds(&claims, "exp")?;
    let not_before = seconds(&claims, "nbf")?;
    match expires {
        None if rules.require_expiration_time => {
            return Err(Refusal::denied(
                Reason::TokenExpired,
                "IDX10225: Lifetime validation failed. The token is missing an Expiration Time.",
            ))
        }
        Some(exp) if exp.saturating_add(skew) <= now => {
            return Err(Refusal::denied(
                Reason::TokenExpired,
                "IDX10223: Lifetime validation failed. The token is expired.",
            ))
        }
        _ => {}
    }
    if let Some(nbf) = not_before {
        if nbf.saturating_sub(skew) > now {
            return Err(Refusal::denied(
                Reason::JwtInvalid,
                "IDX10222: Lifetime validation failed. The token is not yet valid.",
            ));
        }
    }
    if !rules.audiences.is_empty() {
        let aud = rules::claim_values(&claims, "aud", None).unwrap_or_default();
        if !rules::audience_matches(&rules.audiences, &aud) {
            return Err(Refusal::denied(
                Reason::TokenAudienceNotAllowed,
                "IDX10214: Audience validation failed. Audiences did not match.",
            ));
        }
    }
    let mut issuers: Vec<&str> = rules.issuers.iter().map(String::as_str).collect();
    issuers.extend_from_slice(trust.issuers);
    if !issuers.is_empty() {
        let iss = claims.get("iss").and_then(Json::as_str);
        let tid = claims.get("tid").and_then(Json::as_str);
        if !iss.is_some_and(|iss| rules::issuer_matches(&issuers, iss, tid)) {
            return Err(Refusal::denied(
                Reason::TokenIssuerNotAllowed,
                "IDX10205: Issuer validation failed. Issuer did not match.",
            ));
        }
    }
    match rules::check_claims(&rules.required_claims, &claims) {
        Ok(()) => {}
        Err(ClaimsRefusal::Missing(names)) => {
            return Err(Refusal::new(
                Reason::TokenClaimNotFound,
                format!(
                    "JWT token is missing the following claims: {}. Access denied.",
                    names.join(", ")
                ),
            ))
        }
        Err(ClaimsRefusal::ValueNotAllowed { name, value }) => {
            return Err(Refusal::new(
                Reason::TokenClaimValueNotAllowed,
                format!("Claim {name} value of {value} is not allowed. Access denied."),
            ))
        }
    }
    Ok(Validated {
        jws: jws.to_owned(),
        alg: header.alg,
        claims,
        expires,
    })
}
