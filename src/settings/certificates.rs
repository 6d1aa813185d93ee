//! `certificates.*`: trust of the CA certificates mounted next to the
//! gateway (APIM's `certificates.local.ca.enabled`, and the directory they
//! are read from).
//!
//! Invariant: applies exactly the `certificates.*` keys of
//! [`KEYS`](super::KEYS) (`Ok(false)` for any other key); the directory is
//! only read when trust is enabled (src/tls/local_ca.rs).

use std::path::PathBuf;

use super::parse::parse_bool;
use super::Settings;

/// Applies `key = v`; `Ok(false)` when `key` is not a `certificates.*` key.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    match key {
        "certificates.local.ca.enabled" => s.local_ca_enabled = parse_bool(v)?,
        "certificates.local.ca.path" => {
            if v.is_empty() {
                return Err("expected a directory".into());
            }
            s.local_ca_path = PathBuf::from(v)
        }
        _ => return Ok(false),
    }
    Ok(true)
}
