//! Writes the message heads that cross the gateway: the request head sent to
//! a backend and the response head sent back to the client.
//!
//! Invariants: hop-by-hop headers and every header named in `Connection`
//! are dropped in both directions; framing headers (`Content-Length`,
//! `Transfer-Encoding`) are never copied, only written from the framing we
//! parsed and will actually send; the request path and query bytes are
//! copied exactly as received (no decoding or re-encoding).

use crate::http::{BodyFraming, RequestHead, ResponseHead, Span, Version};
use std::io::Write;
use std::net::IpAddr;

/// The parts of a backend request that come from routing.
pub struct Target<'a> {
    pub base_path: &'a str,
    pub host_header: &'a str,
    /// The request path after the API suffix (may be empty).
    pub remainder: &'a [u8],
    /// The client's scheme (`http` / `https`), or a trusted front's
    /// `X-Forwarded-Proto` (see [`client_scheme`]).
    pub scheme: &'a [u8],
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
    out.extend_from_slice(head.method.as_str().as_bytes());
    out.push(b' ');
    // Service URL path + the rest of the request path, exactly as received;
    // "/" only when both are empty (a request-target cannot be).
    out.extend_from_slice(target.base_path.as_bytes());
    if target.base_path.is_empty() && target.remainder.first() != Some(&b'/') {
        out.push(b'/');
    }
    out.extend_from_slice(target.remainder);
    if let Some(q) = head.query {
        out.push(b'?');
        out.extend_from_slice(q.get(buf));
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
        {
            continue;
        }
        if eq(name, b"x-forwarded-for") {
            forwarded_for = Some(h.value);
            continue;
        }
        header(out, name, h.value.get(buf));
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
    match head.framing {
        BodyFraming::Length(n) => {
            let _ = write!(out, "Content-Length: {n}\r\n");
        }
        BodyFraming::Chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
        BodyFraming::None | BodyFraming::UntilClose => {}
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
pub fn write_response_head(
    out: &mut Vec<u8>,
    resp: &ResponseHead,
    buf: &[u8],
    plan: ResponsePlan,
    client_version: Version,
    upgrade: bool,
) {
    let _ = write!(out, "HTTP/1.1 {} ", resp.status);
    out.extend_from_slice(resp.reason.get(buf));
    out.extend_from_slice(b"\r\n");
    for h in &resp.headers {
        let name = h.name.get(buf);
        let framing_header = eq(name, b"content-length") && resp.framing != BodyFraming::None;
        if framing_header || resp.is_connection_header(buf, name) {
            continue;
        }
        header(out, name, h.value.get(buf));
    }
    match resp.framing {
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

fn header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}
