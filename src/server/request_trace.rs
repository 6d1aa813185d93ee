//! The server side of a request's trace (see `telemetry::spans`): reads
//! the client's `traceparent`/`tracestate` when the request starts, and
//! records the request's server span (with its backend calls' client
//! spans) when it ends.
//!
//! Invariants: when nothing is recorded a request costs one scan of its
//! header names and no allocation (beyond a valid `tracestate` passed on);
//! the span's attributes name the API, operation, subscription and product
//! by id, never a key, a header value or the query string.

use crate::http::RequestHead;
use crate::proxy::error::ProxyError;
use crate::proxy::RequestLog;
use crate::replica::Replica;
use crate::telemetry::spans::{Incoming, RequestTrace, ServerFacts};
use crate::worker::WorkerCtx;
use std::net::SocketAddr;
use std::time::Instant;

/// A request's trace and what its server span needs from the head (whose
/// bytes are gone from the client buffer when the request ends).
pub struct Traced {
    pub trace: RequestTrace,
    path: Box<str>,
    port: Option<u16>,
}

/// Starts the trace of the request in `head` (bytes `buf`) that began at `started`.
pub fn start(ctx: &WorkerCtx, head: &RequestHead, buf: &[u8], started: Instant) -> Option<Traced> {
    let tracer = ctx.tracer.as_ref()?;
    let named = |n: &'static [u8]| {
        head.headers
            .iter()
            .filter(move |h| h.name.get(buf).eq_ignore_ascii_case(n))
            .map(|h| h.value.get(buf))
    };
    let mut traceparent = Incoming::Absent;
    if tracer.propagates() {
        for v in named(b"traceparent") {
            traceparent = match traceparent {
                Incoming::Absent => Incoming::One(v),
                _ => Incoming::Several,
            };
        }
    }
    let trace = tracer.start(traceparent, named(b"tracestate"), started);
    let (path, port) = if trace.recording() {
        let host = head.host.map(|h| h.get(buf)).unwrap_or_default();
        (String::from_utf8_lossy(head.path.get(buf)).into(), port_of(host))
    } else {
        (Box::default(), None)
    };
    Some(Traced { trace, path, port })
}

/// The port of a `Host` value, when it names one.
fn port_of(host: &[u8]) -> Option<u16> {
    let colon = host.iter().rposition(|&b| b == b':')?;
    if host[colon..].contains(&b']') {
        return None;
    }
    std::str::from_utf8(&host[colon + 1..]).ok()?.parse().ok()
}

/// The request ended: records its spans when it is sampled.
#[allow(clippy::too_many_arguments)]
pub fn finish(
    ctx: &WorkerCtx,
    t: &Traced,
    head: &RequestHead,
    peer: SocketAddr,
    https: bool,
    replica: Option<&Replica>,
    log: &RequestLog,
    error: Option<&ProxyError>,
) {
    if !t.trace.recording() {
        return;
    }
    let api = replica.zip(log.api).and_then(|(r, i)| r.apis.get(i));
    let operation = api.zip(log.operation).and_then(|(a, i)| a.operations.get(i));
    let route = api.zip(operation).map(|(a, o)| {
        if a.path.is_empty() {
            o.template.clone()
        } else {
            format!("/{}{}", a.path, o.template)
        }
    });
    let subs = replica.map(|r| &r.subscriptions);
    let client = peer.ip().to_string();
    let facts = ServerFacts {
        method: head.method.as_str(),
        path: &t.path,
        scheme: if https { "https" } else { "http" },
        host: &log.hostname,
        port: t.port,
        client_address: &client,
        protocol_version: match head.version {
            crate::http::Version::Http10 => "1.0",
            crate::http::Version::Http11 => "1.1",
        },
        route: route.as_deref(),
        status: log.status,
        api_id: api.map_or("", |a| a.id.as_str()),
        operation_id: operation.map_or("", |o| o.id.as_str()),
        subscription_id: subs.and_then(|s| log.grant.subscription(s)).map(|s| s.id.as_str()),
        product_id: subs.and_then(|s| log.grant.product(s)).map(|p| p.id.as_str()),
        error: error.map(ProxyError::reason),
    };
    t.trace.finish(ctx.telemetry.as_ref().map(|w| &w.recorder), &facts);
}

#[cfg(test)]
mod tests {
    #[test]
    fn ports_of_host_values() {
        assert_eq!(super::port_of(b"api.example.com:8080"), Some(8080));
        assert_eq!(super::port_of(b"api.example.com"), None);
        assert_eq!(super::port_of(b"[::1]:9"), Some(9));
        assert_eq!(super::port_of(b"[::1]"), None);
        assert_eq!(super::port_of(b"h:99999"), None);
    }
}
