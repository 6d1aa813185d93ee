//! Records each finished request into the worker's telemetry recorder
//! (APIM's `Requests` and the four duration histograms), from the
//! [`RequestLog`] the proxy filled in.
//!
//! Invariants: runs on the worker after the response was written, touches
//! only the worker's own recorder (no lock, no atomic, no allocation for a
//! series seen before in the current frame); health probes never get here;
//! client-influenced values (host name, API and operation ids of a routed
//! request) are bounded by the recorder's folding.

use crate::proxy::error::ProxyError;
use crate::proxy::RequestLog;
use crate::replica::Replica;
use crate::telemetry::model::CacheOutcome;
use crate::telemetry::recorder::RequestFacts;
use crate::worker::WorkerCtx;
use std::time::{Duration, Instant};

/// Whether something consumes [`RequestLog::hostname`] (metrics today).
pub fn wants_hostname(ctx: &WorkerCtx) -> bool {
    ctx.telemetry.is_some()
}

/// The host name of a `Host` value (or absolute-form authority): without
/// its port, ASCII-lowercased, invalid UTF-8 replaced.
pub fn hostname(raw: &[u8]) -> Box<str> {
    let name = if raw.first() == Some(&b'[') {
        // An IPv6 literal keeps its brackets.
        match raw.iter().position(|b| *b == b']') {
            Some(end) => &raw[..=end],
            None => raw,
        }
    } else {
        match raw.iter().rposition(|b| *b == b':') {
            Some(colon) if raw[colon + 1..].iter().all(u8::is_ascii_digit) => &raw[..colon],
            _ => raw,
        }
    };
    // Only what can be a DNS name or an IP literal becomes a label value:
    // a client chooses its `Host`, and a long or odd one would otherwise be
    // kept (and printed on every scrape) for the life of the process.
    let plausible = name.len() <= MAX_HOSTNAME
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':'));
    if !plausible {
        return crate::telemetry::model::OTHER.into();
    }
    let mut s = String::from_utf8_lossy(name).into_owned();
    s.make_ascii_lowercase();
    s.into_boxed_str()
}

/// Longest host name kept as a `Hostname` value (DNS' limit).
const MAX_HOSTNAME: usize = 253;

/// Counts one proxied request (`started`: its first byte arrived).
pub fn record(
    ctx: &WorkerCtx,
    replica: Option<&Replica>,
    log: &RequestLog,
    error: Option<&ProxyError>,
    started: Instant,
) {
    let Some(t) = &ctx.telemetry else { return };
    let api = replica.zip(log.api).and_then(|(r, i)| r.apis.get(i));
    let operation = api.zip(log.operation).and_then(|(a, i)| a.operations.get(i));
    t.recorder.record(&RequestFacts {
        api_id: api.map_or("", |a| a.id.as_str()),
        operation_id: operation.map_or("", |o| o.id.as_str()),
        hostname: &log.hostname,
        response_code: log.status,
        backend_response_code: log.backend_status,
        last_error_reason: error.map_or("None", ProxyError::reason),
        cache: log.cache,
        duration: started.elapsed(),
        backend: log.backend_time.unwrap_or(Duration::ZERO),
        client: log.client_time,
    });
}

/// Counts a request whose head was rejected (400, 408, 414, 431…): no API,
/// no host name, client time = the whole request.
pub fn record_rejected(ctx: &WorkerCtx, error: &ProxyError, status: u16, started: Instant) {
    let Some(t) = &ctx.telemetry else { return };
    let duration = started.elapsed();
    t.recorder.record(&RequestFacts {
        api_id: "",
        operation_id: "",
        hostname: "",
        response_code: status,
        backend_response_code: 0,
        last_error_reason: error.reason(),
        cache: CacheOutcome::None,
        duration,
        backend: Duration::ZERO,
        client: duration,
    });
}

#[cfg(test)]
mod tests {
    use super::hostname;

    #[test]
    fn hostnames_lose_their_port_and_case() {
        assert_eq!(&*hostname(b"API.Example.com:8080"), "api.example.com");
        assert_eq!(&*hostname(b"localhost"), "localhost");
        assert_eq!(&*hostname(b"[::1]:443"), "[::1]");
        assert_eq!(&*hostname(b"[::1]"), "[::1]");
        assert_eq!(&*hostname(b"host:"), "host");
        assert_eq!(&*hostname(b"a:b"), "a:b");
        assert_eq!(&*hostname(b""), "");
        // Not a host name: folded, never kept as a label value.
        assert_eq!(&*hostname(b"\xff:1"), "(other)");
        assert_eq!(&*hostname(b"a b"), "(other)");
        assert_eq!(&*hostname("x".repeat(254).as_bytes()), "(other)");
        assert_eq!(hostname("x".repeat(253).as_bytes()).len(), 253);
    }
}
