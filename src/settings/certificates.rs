//! `certificates.*`: CA certificates mounted in a local directory
//! (`certificates.local.ca.enabled`, APIM's; `certificates.local.ca.path`,
//! Outpost's), read by `crate::tls::local_ca`.
//!
//! Invariant: applies exactly the `certificates.*` keys of
//! [`KEYS`](super::KEYS) (`Ok(false)` for any other key).

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
