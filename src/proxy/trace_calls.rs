//! The request's trace on the proxy side (see `telemetry::spans`): the
//! client span of each backend call (`forward-request`, each redirect
//! followed, each `retry` attempt) and of each `send-request`, and the W3C
//! context the call carries; `send-one-way-request` carries the request
//! span as parent (nobody awaits its outcome, so it has no span).
//!
//! Invariants: a backend call's span is opened when its head is written
//! (`forward::prepare`) and closed when its response ends, fails or is
//! discarded (`forward::send`, `relay_pending`, `discard_pending`); one left
//! open ends with the request. Nothing here allocates unless the request
//! is recorded; a `traceparent` a policy set is never replaced.

use super::error::ProxyError;
use super::forward::HttpBackend;
use super::Exchange;
use crate::policy::effect::{CallError, HttpCall, HttpResponse};
use crate::telemetry::spans::{CallInfo, ChildSpan, RequestTrace, Tracer};
use crate::telemetry::trace_context::{TraceParent, TRACEPARENT, TRACESTATE};

/// `host` and port of a `Host` value (`host[:port]`, bracketed IPv6), the
/// scheme's default port when it has none.
pub fn host_and_port(host_header: &str, tls: bool) -> (&str, u16) {
    let default = if tls { 443 } else { 80 };
    let (host, port) = match host_header.rfind(':') {
        Some(i) if !host_header[i..].contains(']') => (&host_header[..i], host_header[i + 1..].parse().ok()),
        _ => (host_header, None),
    };
    (
        host.trim_start_matches('[').trim_end_matches(']'),
        port.unwrap_or(default),
    )
}

/// A backend call starts: its client span opens and the returned context
/// goes into its head. `path` (the path sent, without query) is built only
/// when the request is recorded.
pub(super) fn begin_forward<'t>(
    trace: Option<&'t RequestTrace>,
    tracer: Option<&Tracer>,
    backend: &HttpBackend<'_>,
    method: &http::Method,
    path: impl FnOnce() -> String,
) -> Option<(TraceParent, Option<&'t str>)> {
    let (trace, tracer) = trace.zip(tracer)?;
    let tls = backend.tls.is_some();
    let (host, port) = host_and_port(backend.host_header, tls);
    let path = if trace.recording() { path() } else { String::new() };
    let call = CallInfo {
        method: method.as_str(),
        scheme: if tls { "https" } else { "http" },
        host,
        port,
        path: &path,
    };
    let tp = trace.begin_call(tracer, call)?;
    Some((tp, trace.tracestate()))
}

/// The backend call in flight ended (`error`: why it failed).
pub(super) fn end_forward(x: &Exchange<'_>, error: Option<&ProxyError>) {
    if let Some(t) = x.trace {
        t.end_call(x.log.backend_status, error.map(ProxyError::reason));
    }
}

fn has_header(call: &HttpCall, name: &str) -> bool {
    call.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Adds the context to a call's headers, unless a policy set `traceparent`.
fn add_context(call: &mut HttpCall, tp: Option<TraceParent>, trace: &RequestTrace) {
    let Some(tp) = tp else { return };
    if has_header(call, TRACEPARENT) {
        return;
    }
    call.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(TRACESTATE));
    call.headers.push((TRACEPARENT.to_owned(), tp.to_header()));
    if let Some(s) = trace.tracestate() {
        call.headers.push((TRACESTATE.to_owned(), s.to_owned()));
    }
}

fn call_info(call: &HttpCall) -> CallInfo<'_> {
    CallInfo {
        method: call.method.as_str(),
        scheme: if call.url.tls { "https" } else { "http" },
        host: &call.url.host,
        port: call.url.port,
        path: call.url.target.split('?').next().unwrap_or_default(),
    }
}

/// A `send-request` (or Dapr) call starts: its client span and context.
pub(super) fn begin_send(
    tracer: Option<&Tracer>,
    trace: Option<&RequestTrace>,
    call: &mut HttpCall,
) -> Option<ChildSpan> {
    let (tracer, trace) = tracer.zip(trace)?;
    let (child, tp) = trace.begin_child(tracer, call_info(call));
    add_context(call, tp, trace);
    child
}

/// A `send-request` call ended.
pub(super) fn end_send(trace: Option<&RequestTrace>, child: Option<ChildSpan>, r: &Result<HttpResponse, CallError>) {
    if let Some(t) = trace {
        match r {
            Ok(resp) => t.end_child(child, resp.status, None),
            Err(e) => t.end_child(child, 0, Some(e.reason())),
        }
    }
}

/// A `send-one-way-request` carries the request's context.
pub(super) fn one_way(trace: Option<&RequestTrace>, call: &mut HttpCall) {
    if let Some(t) = trace {
        add_context(call, t.request_context(), t);
    }
}

#[cfg(test)]
mod tests {
    use super::host_and_port;

    #[test]
    fn host_headers_split() {
        assert_eq!(host_and_port("api.example.com", true), ("api.example.com", 443));
        assert_eq!(host_and_port("api.example.com:8080", false), ("api.example.com", 8080));
        assert_eq!(host_and_port("[::1]:9000", false), ("::1", 9000));
        assert_eq!(host_and_port("[::1]", false), ("::1", 80));
        assert_eq!(host_and_port("h:x", false), ("h", 80));
    }
}
