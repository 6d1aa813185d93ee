//! What the management plane reads from a verified token's claims: the
//! administrator's role and name, and a gateway application's client id.
//!
//! Invariants: pure functions of the claims (no I/O); a name taken from a
//! claim is bounded ([`MAX_NAME`]) before it reaches the audit log or an
//! error message; contributor wins when a token carries both roles.

use serde_json::{Map, Value};

use crate::mgmt::principal::Role;

/// Longest subject or client id accepted from a token.
pub const MAX_NAME: usize = 256;

/// The values of a claim: a string (split on spaces, like `scope`), or an
/// array of strings.
pub fn claim_values<'a>(claims: &'a Map<String, Value>, name: &str) -> Vec<&'a str> {
    match claims.get(name) {
        Some(Value::String(s)) => s.split_ascii_whitespace().collect(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The role granted by `claim`'s values, if any.
pub fn role(claims: &Map<String, Value>, claim: &str, readers: &[String], contributors: &[String]) -> Option<Role> {
    let values = claim_values(claims, claim);
    let has = |wanted: &[String]| values.iter().any(|v| wanted.iter().any(|w| w == v));
    if has(contributors) {
        Some(Role::Contributor)
    } else if has(readers) {
        Some(Role::Reader)
    } else {
        None
    }
}

/// The first of `names` holding a non-empty string of at most [`MAX_NAME`] bytes.
pub fn first_string(claims: &Map<String, Value>, names: &[impl AsRef<str>]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| claims.get(n.as_ref())?.as_str())
        .find(|s| !s.is_empty() && s.len() <= MAX_NAME && !s.chars().any(char::is_control))
        .map(str::to_string)
}

/// The administrator's name for the audit log: `sub`, else the client id.
pub fn actor(claims: &Map<String, Value>) -> String {
    first_string(claims, &["sub", "azp", "appid", "client_id"]).unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn roles_from_strings_and_arrays() {
        let (r, c) = (vec!["read".to_string()], vec!["write".to_string()]);
        assert_eq!(
            role(&obj(json!({"roles": ["x", "read"]})), "roles", &r, &c),
            Some(Role::Reader)
        );
        assert_eq!(
            role(&obj(json!({"roles": ["read", "write"]})), "roles", &r, &c),
            Some(Role::Contributor)
        );
        assert_eq!(
            role(&obj(json!({"scope": "openid write"})), "scope", &r, &c),
            Some(Role::Contributor)
        );
        assert_eq!(role(&obj(json!({"roles": "reader"})), "roles", &r, &c), None);
        assert_eq!(role(&obj(json!({"roles": [1, {"a": "read"}]})), "roles", &r, &c), None);
        assert_eq!(role(&obj(json!({})), "roles", &r, &c), None);
    }

    #[test]
    fn names_are_bounded() {
        assert_eq!(actor(&obj(json!({"sub": "alice", "azp": "app"}))), "alice");
        assert_eq!(actor(&obj(json!({"sub": "", "azp": "app"}))), "app");
        assert_eq!(actor(&obj(json!({"sub": "x".repeat(300)}))), "unknown");
        assert_eq!(actor(&obj(json!({"sub": "a\nb"}))), "unknown");
        let claims = obj(json!({"appid": 5, "client_id": "gw-app"}));
        assert_eq!(
            first_string(&claims, &["appid", "azp", "client_id"]).as_deref(),
            Some("gw-app")
        );
    }
}
