//! `telemetry.*`: standard-output logs (format and level).
//!
//! Invariant: applies exactly the `telemetry.*` keys of
//! [`KEYS`](super::KEYS) (`Ok(false)` for any other key; the telemetry
//! keys APIM defines that we do not implement yet are reserved and warned
//! about before this runs); level `fatal` turns logging off, as no
//! tracing level is above error.

use super::{LogFormat, Settings};

/// Applies `key = v`; `Ok(false)` when `key` is not a `telemetry.*` key.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    match key {
        "telemetry.logs.std" => {
            s.log_format = match v {
                "none" => LogFormat::None,
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(format!("expected none, text or json, got {v:?}")),
            }
        }
        "telemetry.logs.std.level" => {
            s.log_enabled = v != "fatal";
            s.log_level = match v {
                "all" | "debug" => tracing::Level::DEBUG,
                "info" => tracing::Level::INFO,
                "warn" => tracing::Level::WARN,
                "error" | "fatal" => tracing::Level::ERROR,
                _ => return Err(format!("expected all, debug, info, warn, error or fatal, got {v:?}")),
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}
