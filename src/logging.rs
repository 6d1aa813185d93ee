//! Log output: `tracing` to standard output as text or JSON
//! (`telemetry.logs.std`) at the level of `telemetry.logs.std.level`; text
//! lines carry ANSI colours when `telemetry.logs.std.color` is on (the
//! default) and standard output is a terminal.
//!
//! Access-log records are written only in JSON mode at level info or more
//! verbose, one line per request with APIM's GatewayLogs field names, by each
//! worker's batch (`server::log_batch`), not through `tracing`.
//! Invariant: nothing here logs secrets; callers pass only fields that are
//! safe to print.

use crate::settings::{LogFormat, Settings};
use std::time::{SystemTime, UNIX_EPOCH};

/// Installs the global subscriber. Returns whether access logs are on.
pub fn init(settings: &Settings) -> bool {
    let level = if settings.log_enabled && settings.log_format != LogFormat::None {
        tracing::level_filters::LevelFilter::from_level(settings.log_level)
    } else {
        tracing::level_filters::LevelFilter::OFF
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stdout)
        .with_target(false);
    let result = match settings.log_format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        // ANSI colours only on a terminal: piped or collected output
        // (containers, files) stays plain text.
        _ => builder
            .with_ansi(settings.telemetry.std_color && std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    drop(result);
    settings.log_format == LogFormat::Json && level >= tracing::Level::INFO
}

/// RFC 3339 UTC time with milliseconds, as APIM's `timeGenerated`.
pub fn rfc3339_now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    rfc3339(d.as_secs(), d.subsec_millis())
}

/// Formats seconds since the epoch.
pub fn rfc3339(secs: u64, millis: u32) -> String {
    let t = crate::civil_date::DateTimeParts::from_unix(i64::try_from(secs).unwrap_or(i64::MAX));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(super::rfc3339(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::rfc3339(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(super::rfc3339(1_795_306_332, 999), "2026-11-22T00:12:12.999Z");
    }
}
