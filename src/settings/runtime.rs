//! `runtime.*`: worker threads, the io driver and the SIGTERM drain period.
//!
//! Invariant: applies exactly the `runtime.*` keys of
//! [`KEYS`](super::KEYS) (`Ok(false)` for any other key; APIM's
//! informational `runtime.deployment.*` keys never reach it).

use super::parse::{parse_duration, parse_num};
use super::{DriverChoice, Settings};

/// Applies `key = v`; `Ok(false)` when `key` is not a `runtime.*` key.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    match key {
        "runtime.workers" => s.workers = parse_num(v)?,
        "runtime.driver" => {
            s.driver = match v {
                "auto" => DriverChoice::Auto,
                "io_uring" | "iouring" => DriverChoice::IoUring,
                "epoll" | "legacy" => DriverChoice::Epoll,
                _ => return Err(format!("expected auto, io_uring or epoll, got {v:?}")),
            }
        }
        "runtime.shutdown.grace" => s.shutdown_grace = parse_duration(v)?,
        _ => return Ok(false),
    }
    Ok(true)
}
