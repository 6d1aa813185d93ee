//! `config.*`: where the configuration comes from: the management plane
//! (`config.service.*`: endpoint, gateway key, timeouts, polling,
//! heartbeat), the local directory watch and the backup directory.
//!
//! Invariant: applies exactly the `config.*` keys of [`KEYS`](super::KEYS)
//! (`Ok(false)` for any other key); the gateway key is kept as a
//! [`Secret`] so it never shows in `Debug` output or logs. That endpoint
//! and key go together is checked once all keys are applied.

use std::path::PathBuf;

use super::parse::{parse_bool, parse_duration};
use super::{Secret, Settings};

/// Applies `key = v`; `Ok(false)` when `key` is not a `config.*` key.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    match key {
        "config.service.endpoint.disableCertificateValidation" => s.service_skip_verify = parse_bool(v)?,
        "config.local.watch.interval" => s.config_watch_interval = parse_duration(v)?,
        "config.service.endpoint" => {
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(format!("expected an http:// or https:// URL, got {v:?}"));
            }
            s.service_endpoint = Some(v.to_string())
        }
        "config.service.auth" => {
            if !v.starts_with("GatewayKey ") && v != "azureAdApp" {
                return Err("expected `GatewayKey <gatewayId>&<expiry>&<signature>` or `azureAdApp`".into());
            }
            s.service_auth = Some(Secret(v.to_string()))
        }
        "config.service.integration.timeout" => s.service_timeout = parse_duration(v)?,
        "config.service.poll.interval" => s.service_poll_interval = parse_duration(v)?,
        "config.service.long-poll.wait" => {
            let d = parse_duration(v)?;
            s.service_long_poll = (!d.is_zero()).then_some(d)
        }
        "config.service.heartbeat.interval" => s.service_heartbeat_interval = parse_duration(v)?,
        "config.backup.path" => s.backup_dir = Some(PathBuf::from(v)),
        _ => return Ok(false),
    }
    Ok(true)
}
