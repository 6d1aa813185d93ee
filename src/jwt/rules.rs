//! The claim rules of validate-jwt with APIM's semantics: accepted
//! issuers and audiences (any one matches), required claims with
//! `match="all|any"` and a `separator` for multi-valued claims,
//! `require-expiration-time`, `require-signed-tokens` and `clock-skew`.
//!
//! Invariant: rules are plain data, built once (at compile time or from
//! evaluated expressions) and checked by [`super::validate`].

use serde_json::{Map, Value as Json};

/// How the values of a required claim must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClaimMatch {
    /// Every listed value must be among the claim's values (APIM's default).
    #[default]
    All,
    /// At least one listed value must be among the claim's values.
    Any,
}

/// A `required-claims/claim` element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimRule {
    pub name: String,
    pub matching: ClaimMatch,
    /// Splits a string claim into several values (e.g. `,` or ` `).
    pub separator: Option<String>,
    /// Accepted values; none: the claim must only be present.
    pub values: Vec<String>,
}

/// What a token must satisfy besides its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Accepted `iss` values (none: not checked unless discovery gave one).
    pub issuers: Vec<String>,
    /// Accepted `aud` values (none: not checked).
    pub audiences: Vec<String>,
    pub required_claims: Vec<ClaimRule>,
    pub require_expiration_time: bool,
    pub require_signed_tokens: bool,
    /// Tolerance on `exp` and `nbf`, in seconds.
    pub clock_skew: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            issuers: Vec::new(),
            audiences: Vec::new(),
            required_claims: Vec::new(),
            require_expiration_time: true,
            require_signed_tokens: true,
            clock_skew: 0,
        }
    }
}

fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A claim's values: array elements, each split by the separator.
pub fn claim_values(claims: &Map<String, Json>, name: &str, separator: Option<&str>) -> Option<Vec<String>> {
    let raw: Vec<String> = match claims.get(name)? {
        Json::Array(items) => items.iter().map(text).collect(),
        v => vec![text(v)],
    };
    Some(match separator.filter(|s| !s.is_empty()) {
        Some(sep) => raw
            .iter()
            .flat_map(|v| v.split(sep).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned))
            .collect(),
        None => raw,
    })
}

/// Why the required claims refuse a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimsRefusal {
    Missing(Vec<String>),
    ValueNotAllowed { name: String, value: String },
}

/// Checks the required claims: first that all are present, then values.
pub fn check_claims(rules: &[ClaimRule], claims: &Map<String, Json>) -> Result<(), ClaimsRefusal> {
    let missing: Vec<String> = rules
        .iter()
        .filter(|r| !claims.contains_key(&r.name))
        .map(|r| r.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ClaimsRefusal::Missing(missing));
    }
    for rule in rules.iter().filter(|r| !r.values.is_empty()) {
        let have = claim_values(claims, &rule.name, rule.separator.as_deref()).unwrap_or_default();
        let ok = match rule.matching {
            ClaimMatch::All => rule.values.iter().all(|v| have.contains(v)),
            ClaimMatch::Any => rule.values.iter().any(|v| have.contains(v)),
        };
        if !ok {
            let value = claims.get(&rule.name).map(text).unwrap_or_default();
            return Err(ClaimsRefusal::ValueNotAllowed {
                name: rule.name.clone(),
                value,
            });
        }
    }
    Ok(())
}

/// Audiences compare ordinally, a trailing `/` ignored (IdentityModel's
/// default).
pub fn audience_matches(accepted: &[String], token: &[String]) -> bool {
    fn norm(s: &str) -> &str {
        s.strip_suffix('/').unwrap_or(s)
    }
    token.iter().any(|t| accepted.iter().any(|a| norm(a) == norm(t)))
}

/// Issuers compare ordinally; an accepted issuer with Entra's
/// `{tenantid}` placeholder (multi-tenant discovery documents) takes the
/// token's `tid`.
pub fn issuer_matches(accepted: &[&str], iss: &str, tid: Option<&str>) -> bool {
    accepted.iter().any(|a| {
        if *a == iss {
            return true;
        }
        match tid {
            Some(tid) if a.contains("{tenantid}") => a.replace("{tenantid}", tid) == iss,
            _ => false,
        }
    })
}
