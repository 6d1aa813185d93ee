//! Writes the message heads that cross the gateway: the request head sent to
//! a backend and the response head sent back to the client.
//!
//! Invariants: hop-by-hop headers and every header named in `Connection`
//! are dropped in both directions; framing headers (`Content-Length`,
//! `Transfer-Encoding`) are never copied, only written from the framing we
//! parsed and will actually send; the request path and query bytes are
//! copied exactly as received (no decoding or re-encoding).

use crate::http::{BodyFraming, RequestHead, ResponseHead, Span, Version};
use crate::policy::flow::{header_eq, query_eq, FieldEdits, RequestEdits, ResponseEdits};
use crate::telemetry::trace_context::TraceParent;
use std::io::Write;
use std::net::IpAddr;

/// The parts of a backend request that come from routing.
pub struct Target<'a> {
    pub base_path: &'a str,
    pub host_header: &'a str,
    /// The request path after the API suffix (may be empty).
    pub remainder: &'a [u8],
    /// Policy edits (method, path, query, headers), if any.
    pub edits: Option<&'a RequestEdits<'a>>,
    /// The body length when the gateway sends a buffered or replaced body.
    pub body_len: Option<u64>,
    /// The client's scheme (`http` / `https`), or a trusted front's
    /// `X-Forwarded-Proto` (see [`client_scheme`]).
    pub scheme: &'a [u8],
    /// W3C trace context to send (`traceparent`, valid `tracestate`): it
    /// replaces the client's fields, unless a policy set `traceparent`.
    pub trace: Option<(TraceParent, Option<&'a str>)>,
}

/// The scheme the client used: `https` on the HTTPS listener; with
/// `trust_forwarded` (`net.server.http.forwarded.proto.enabled`), a
/// trusted front's `X-Forwarded-Proto` (`http` or `https`) wins.
pub fn client_scheme(head: &RequestHead, buf: &[u8], tls: bool, trust_forwarded: bool) -> &'static [u8] {
    if trust_forwarded {
        if let Some(v) = head.header(buf, b"x-forwarded-proto") {
            let first = v.split(|&b| b == b',').next().unwrap_or(v).trim_ascii();
            if first.eq_ignore_ascii_case(b"https") {
                return b"https";
            }
            if first.eq_ignore_ascii_case(b"http") {
                return b"http";
            }
        }
    }
    if tls {
        b"https"
    } else {
        b"http"
    }
}

fn eq(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Appends the backend request head for `head` (whose bytes are `buf`).
pub fn write_request_head(out: &mut Vec<u8>, head: &RequestHead, buf: &[u8], target: &Target<'_>, peer: IpAddr) {
    let edits = target.edits;
    let method = edits.and_then(|e| e.method.as_ref()).unwrap_or(&head.method);
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    // Service URL path + the rest of the request path, exactly as received;
    // "/" only when both are empty (a request-target cannot be).
    let remainder = match edits.and_then(|e| e.path.as_deref()) {
        Some(p) => p.as_bytes(),
        None => target.remainder,
    };
    out.extend_from_slice(target.base_path.as_bytes());
    if target.base_path.is_empty() && remainder.first() != Some(&b'/') {
        out.push(b'/');
    }
    out.extend_from_slice(remainder);
    let query = match edits.and_then(|e| e.query.as_deref()) {
        Some(q) => Some(q.as_bytes()).filter(|q| !q.is_empty()),
        None => head.query.map(|q| q.get(buf)),
    };
    match edits {
        Some(e) if !e.query_ops.is_empty() => write_query(out, query, &e.query_ops),
        _ => {
            if let Some(q) = query {
                out.push(b'?');
                out.extend_from_slice(q);
            }
        }
    }
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(target.host_header.as_bytes());
    out.extend_from_slice(b"\r\n");
    let mut forwarded_for: Option<Span> = None;
    for h in &head.headers {
        let name = h.name.get(buf);
        if eq(name, b"host")
            || eq(name, b"content-length")
            || eq(name, b"expect")
            || eq(name, b"x-forwarded-proto")
            || eq(name, b"x-forwarded-host")
            || head.is_connection_header(buf, name)
            || (target.trace.is_some() && (eq(name, b"traceparent") || eq(name, b"tracestate")))
        {
            continue;
        }
        if eq(name, b"x-forwarded-for") {
            forwarded_for = Some(h.value);
            continue;
        }
        if edits.is_some_and(|e| !e.headers.keeps_original(name, header_eq)) {
            continue;
        }
        header(out, name, h.value.get(buf));
    }
    // A trace header a policy sets wins over the gateway's own.
    let (mut policy_traceparent, mut policy_tracestate) = (false, false);
    if let Some(e) = edits {
        for (name, value) in e.headers.added(header_eq) {
            if !is_framing(name.as_bytes()) {
                header(out, name.as_bytes(), value.as_bytes());
                policy_traceparent |= eq(name.as_bytes(), b"traceparent");
                policy_tracestate |= eq(name.as_bytes(), b"tracestate");
            }
        }
    }
    if let Some((tp, state)) = target.trace.as_ref().filter(|_| !policy_traceparent) {
        out.extend_from_slice(b"traceparent: ");
        tp.write(out);
        out.extend_from_slice(b"\r\n");
        if let Some(s) = state.as_ref().filter(|_| !policy_tracestate) {
            header(out, b"tracestate", s.as_bytes());
        }
    }
    out.extend_from_slice(b"X-Forwarded-For: ");
    if let Some(v) = forwarded_for {
        out.extend_from_slice(v.get(buf));
        out.extend_from_slice(b", ");
    }
    let _ = write!(out, "{peer}\r\nX-Forwarded-Proto: ");
    out.extend_from_slice(target.scheme);
    out.extend_from_slice(b"\r\n");
    if let Some(host) = head.host {
        header(out, b"X-Forwarded-Host", host.get(buf));
    }
    match (target.body_len, head.framing) {
        (Some(n), _) => {
            if n > 0 || !matches!(head.framing, BodyFraming::None) {
                let _ = write!(out, "Content-Length: {n}\r\n");
            }
        }
        (None, BodyFraming::Length(n)) => {
            let _ = write!(out, "Content-Length: {n}\r\n");
        }
        (None, BodyFraming::Chunked) => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
        (None, BodyFraming::None | BodyFraming::UntilClose) => {}
    }
    if head.upgrade {
        if let Some(up) = head.header(buf, b"upgrade") {
            out.extend_from_slice(b"Connection: upgrade\r\n");
            header(out, b"Upgrade", up);
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// How the response body is sent to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponsePlan {
    pub chunked_out: bool,
    pub keep_alive: bool,
}

/// Decides the client-side framing of a backend response.
pub fn plan_response(resp: &ResponseHead, client_version: Version, client_keep_alive: bool) -> ResponsePlan {
    let streamed = matches!(resp.framing, BodyFraming::Chunked | BodyFraming::UntilClose);
    let http11 = client_version == Version::Http11;
    ResponsePlan {
        chunked_out: streamed && http11,
        keep_alive: client_keep_alive && (http11 || !streamed),
    }
}

/// Appends the client response head for a backend response.
#[allow(clippy::too_many_arguments)]
pub fn write_response_head(
    out: &mut Vec<u8>,
    resp: &ResponseHead,
    buf: &[u8],
    plan: ResponsePlan,
    client_version: Version,
    upgrade: bool,
    edits: Option<&ResponseEdits<'_>>,
) {
    let status = edits.and_then(|e| e.status).unwrap_or(resp.status);
    let _ = write!(out, "HTTP/1.1 {status} ");
    match edits.and_then(|e| e.reason.as_deref()) {
        Some(r) => out.extend_from_slice(r.as_bytes()),
        None if status != resp.status => out.extend_from_slice(super::error::reason_phrase(status).as_bytes()),
        None => out.extend_from_slice(resp.reason.get(buf)),
    }
    out.extend_from_slice(b"\r\n");
    let new_body = edits.and_then(|e| e.body.as_ref()).map(|b| b.len() as u64);
    for h in &resp.headers {
        let name = h.name.get(buf);
        let framing_header = eq(name, b"content-length") && (resp.framing != BodyFraming::None || new_body.is_some());
        if framing_header || resp.is_connection_header(buf, name) {
            continue;
        }
        if edits.is_some_and(|e| !e.headers.keeps_original(name, header_eq)) {
            continue;
        }
        header(out, name, h.value.get(buf));
    }
    if let Some(e) = edits {
        for (name, value) in e.headers.added(header_eq) {
            if !is_framing(name.as_bytes()) {
                header(out, name.as_bytes(), value.as_bytes());
            }
        }
    }
    let framing = match new_body {
        Some(n) => BodyFraming::Length(n),
        None => resp.framing,
    };
    match framing {
        BodyFraming::Length(n) => {
            let _ = write!(out, "Content-Length: {n}\r\n");
        }
        BodyFraming::Chunked | BodyFraming::UntilClose if plan.chunked_out => {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n")
        }
        _ => {}
    }
    if upgrade {
        if let Some(up) = resp.header(buf, b"upgrade") {
            out.extend_from_slice(b"Connection: upgrade\r\n");
            header(out, b"Upgrade", up);
        }
    } else if !plan.keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    } else if client_version == Version::Http10 {
        out.extend_from_slice(b"Connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends a gateway-made response (policy answer or error) built from
/// `edits` alone; returns the body length.
pub fn write_synthetic(out: &mut Vec<u8>, edits: &ResponseEdits<'_>, keep_alive: bool, head_request: bool) -> u64 {
    let status = edits.status.unwrap_or(200);
    let _ = write!(out, "HTTP/1.1 {status} ");
    match edits.reason.as_deref() {
        Some(r) => out.extend_from_slice(r.as_bytes()),
        None => out.extend_from_slice(super::error::reason_phrase(status).as_bytes()),
    }
    out.extend_from_slice(b"\r\n");
    for (name, value) in edits.headers.added(header_eq) {
        if !is_framing(name.as_bytes()) {
            header(out, name.as_bytes(), value.as_bytes());
        }
    }
    let body: &[u8] = edits.body.as_deref().unwrap_or_default();
    let bodiless = status == 204 || status == 304 || (100..200).contains(&status);
    if !bodiless {
        // HEAD: the length a GET would have, when the response carries one
        // (a materialised backend response keeps its declared length).
        let declared = head_request && body.is_empty();
        let length = declared
            .then(|| {
                edits
                    .headers
                    .added(header_eq)
                    .find(|(name, _)| eq(name.as_bytes(), b"content-length"))
                    .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            })
            .flatten()
            .unwrap_or(body.len() as u64);
        let _ = write!(out, "Content-Length: {length}\r\n");
    }
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_request && !bodiless {
        out.extend_from_slice(body);
    }
    body.len() as u64
}

/// Headers the gateway always writes itself.
fn is_framing(name: &[u8]) -> bool {
    eq(name, b"content-length") || eq(name, b"transfer-encoding") || eq(name, b"connection") || eq(name, b"host")
}

/// Writes `?query` with the parameter edits applied (values percent-encoded).
fn write_query(out: &mut Vec<u8>, query: Option<&[u8]>, ops: &FieldEdits<'_>) {
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>| {
        out.push(if first { b'?' } else { b'&' });
        first = false;
    };
    for pair in query.unwrap_or_default().split(|&b| b == b'&') {
        let name = pair.split(|&b| b == b'=').next().unwrap_or_default();
        if pair.is_empty() || !ops.keeps_original(name, query_eq) {
            continue;
        }
        sep(out);
        out.extend_from_slice(pair);
    }
    for (name, value) in ops.added(query_eq) {
        sep(out);
        percent_encode(out, name.as_bytes());
        out.push(b'=');
        percent_encode(out, value.as_bytes());
    }
}

fn percent_encode(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}
