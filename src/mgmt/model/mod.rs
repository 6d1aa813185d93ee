//! REST JSON shapes (camelCase, APIM-like names) and their validation.
//!
//! Invariant: a value that passed `validate()` can be rendered into the
//! gateway's declarative files without breaking the loader's syntax rules
//! (ids, methods, templates, URLs). Cross-resource rules (e.g. at most one
//! current revision) are left to the gateway loader.
//!
//! This module holds the syntax validators the shapes share; the shapes
//! are in `apis` (APIs, operations), `products` (products,
//! subscriptions), `values` (named values, fragments, backends) and
//! `gateways` (certificates, host names, gateways, heartbeats),
//! re-exported here.

use super::{bad, MgmtError};

mod apis;
mod gateways;
mod products;
mod values;

pub use apis::*;
pub use gateways::*;
pub use products::*;
pub use values::*;

/// `[A-Za-z0-9._-]+`, at most 256 characters.
pub fn validate_id(kind: &str, id: &str) -> Result<(), MgmtError> {
    let ok = !id.is_empty()
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && id != "."
        && id != "..";
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "invalid {kind} id '{id}': use 1-256 characters from A-Z a-z 0-9 . _ -"
        )))
    }
}

/// `http://…`, `https://…` or `echo://`; no query, fragment or user info.
pub fn validate_url(field: &str, url: &str) -> Result<(), MgmtError> {
    let lower = url.to_ascii_lowercase();
    let rest = if lower == "echo://" || lower == "echo:" {
        return Ok(());
    } else if let Some(r) = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://")) {
        r
    } else {
        return Err(bad(format!("{field}: scheme must be http, https or echo")));
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', '@', ' ']) {
        return Err(bad(format!(
            "{field}: expected http(s)://host[:port][/path] without query, fragment or user info"
        )));
    }
    Ok(())
}

/// An uppercase method token or `*`; lowercase input is uppercased.
pub fn normalize_method(m: &str) -> Result<String, MgmtError> {
    let up = m.trim().to_ascii_uppercase();
    if up == "*" || (!up.is_empty() && up.len() <= 20 && up.bytes().all(|b| b.is_ascii_uppercase())) {
        Ok(up)
    } else {
        Err(bad(format!(
            "invalid method '{m}': expected an HTTP method such as GET or \"*\""
        )))
    }
}

pub fn validate_template(t: &str) -> Result<(), MgmtError> {
    let mut depth = 0i32;
    for c in t.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if c.is_whitespace() || c.is_control() => depth = 9,
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            break;
        }
    }
    if !t.starts_with('/') || depth != 0 {
        return Err(bad(format!(
            "invalid urlTemplate '{t}': must begin with '/', with balanced {{param}} and no spaces"
        )));
    }
    Ok(())
}

fn validate_api_path(p: &str) -> Result<(), MgmtError> {
    if p.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,=:@/".contains(c))
    {
        Ok(())
    } else {
        Err(bad(format!(
            "invalid path '{p}': allowed are letters, digits, / and -._~!$&'()*+,=:@"
        )))
    }
}

/// serde default `true`, for the shapes of `apis` and `products`.
fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(validate_id("api", "echo-1.v2_x").is_ok());
        for id in ["", "a/b", "a b", "..", "é"] {
            assert!(validate_id("api", id).is_err(), "{id}");
        }
        assert!(validate_url("u", "echo://").is_ok());
        assert!(validate_url("u", "https://example.com:8443/base").is_ok());
        for u in ["ftp://x", "http://", "http://u@h", "http://h/?q", "h"] {
            assert!(validate_url("u", u).is_err(), "{u}");
        }
        assert_eq!(normalize_method("get").unwrap(), "GET");
        assert!(normalize_method("G T").is_err());
        assert!(validate_template("/users/{id}").is_ok());
        assert!(validate_template("users").is_err());
        assert!(validate_template("/a/{id").is_err());
        assert!(validate_template("/a/}{").is_err());
    }
}
