//! The built-in echo backend (`service-url = "echo://"`), like APIM's Echo
//! API: answers with the request's method, path, query, headers and body as
//! JSON, so the shipped default configuration works with no other server.
//!
//! Invariant: the body read is bounded by [`ECHO_MAX_BODY`] (413 above it),
//! so the demo backend cannot be used to exhaust a worker's memory.

use super::error::ProxyError;
use super::forward::maybe_continue;
use super::Exchange;
use crate::http::BodyFraming;
use crate::server::io::write_vec;
use std::io::Write;

pub const ECHO_MAX_BODY: u64 = 1024 * 1024;

/// Answers the request in `x` with its own description.
pub async fn echo(x: &mut Exchange<'_>) -> Result<(), ProxyError> {
    let head = x.head;
    if let BodyFraming::Length(n) = head.framing {
        if n > ECHO_MAX_BODY {
            return Err(ProxyError::BodyTooLarge);
        }
    }
    maybe_continue(x).await?;
    let mut json = describe(head, x.client.data());
    x.client.consume(head.head_len);
    let body = read_body(x).await?;
    finish(x, json_body(&mut json, &body)).await
}

/// Answers with the request as a backend would receive it after the
/// policies' edits (method, path, query, headers, body).
pub async fn echo_request(
    x: &mut Exchange<'_>,
    req: crate::policy::exec::RequestView<'_>,
    flow: &mut crate::policy::flow::Flow<'_>,
    api_path: &str,
) -> Result<Vec<u8>, ProxyError> {
    let head = x.head;
    let buffered = flow.request.body.take().or(flow.request_body.take());
    if buffered.is_none() {
        if let BodyFraming::Length(n) = head.framing {
            if n > ECHO_MAX_BODY {
                return Err(ProxyError::BodyTooLarge);
            }
        }
        maybe_continue(x).await?;
    }
    let mut bytes = Vec::with_capacity(req.buf.len() + 128);
    let api_path = format!("/{api_path}");
    let remainder = crate::http::Span {
        start: head.path.start + req.remaining_start,
        end: head.path.end,
    };
    let target = super::upstream_head::Target {
        base_path: api_path.trim_end_matches('/'),
        host_header: head
            .host
            .map_or("echo", |h| std::str::from_utf8(h.get(req.buf)).unwrap_or("echo")),
        remainder: remainder.get(req.buf),
        edits: Some(&flow.request),
        body_len: buffered.as_ref().map(|b| b.len() as u64),
        scheme: super::upstream_head::client_scheme(head, req.buf, x.tls.is_some(), x.ctx.settings.forwarded_proto),
        // The built-in backend is no backend call: no trace context of its own.
        trace: None,
    };
    super::upstream_head::write_request_head(&mut bytes, head, req.buf, &target, x.peer.ip());
    let mut edited = crate::http::RequestHead::new();
    match edited.parse(&bytes, &x.ctx.limits) {
        Ok(true) => {}
        _ => {
            return Err(ProxyError::BackendHead(crate::http::HeadError::Malformed(
                "policy edits made an invalid request",
            )))
        }
    }
    let mut json = describe(&edited, &bytes);
    let body = match buffered {
        Some(b) => b,
        None => {
            x.client.consume(head.head_len);
            read_body(x).await?
        }
    };
    x.log.request_body_done = true;
    let _ = json_body(&mut json, &body);
    Ok(json)
}

fn json_body<'a>(json: &'a mut Vec<u8>, body: &[u8]) -> &'a [u8] {
    string(json, body);
    json.push(b'}');
    json
}

/// The JSON description of a request head, up to `"body":`.
fn describe(head: &crate::http::RequestHead, data: &[u8]) -> Vec<u8> {
    let mut json = Vec::with_capacity(512);
    json.extend_from_slice(b"{\"method\":");
    string(&mut json, head.method.as_str().as_bytes());
    json.extend_from_slice(b",\"path\":");
    string(&mut json, head.path.get(data));
    json.extend_from_slice(b",\"query\":");
    string(&mut json, head.query.map_or(&b""[..], |q| q.get(data)));
    json.extend_from_slice(b",\"headers\":{");
    for (i, h) in head.headers.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        string(&mut json, h.name.get(data));
        json.push(b':');
        string(&mut json, h.value.get(data));
    }
    json.extend_from_slice(b"},\"body\":");
    json
}

async fn finish(x: &mut Exchange<'_>, json: &[u8]) -> Result<(), ProxyError> {
    let head = x.head;
    x.log.request_body_done = true;
    let keep_alive = head.keep_alive && !x.ctx.is_draining();
    let mut out = std::mem::take(&mut x.scratch.out);
    out.clear();
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n",
        json.len(),
        if keep_alive { "" } else { "Connection: close\r\n" }
    );
    if head.method != http::Method::HEAD {
        out.extend_from_slice(json);
    }
    x.log.status = 200;
    // The built-in echo backend answered.
    x.log.backend_status = 200;
    x.log.response_started = true;
    x.log.keep_alive = keep_alive;
    x.log.response_bytes = json.len() as u64;
    let writing = std::time::Instant::now();
    let (res, out) = write_vec(x.client_w, out).await;
    x.log.client_time += writing.elapsed();
    x.scratch.out = out;
    res.map_err(ProxyError::ClientIo)
}

async fn read_body(x: &mut Exchange<'_>) -> Result<Vec<u8>, ProxyError> {
    let timeout = x.ctx.settings.body_timeout;
    super::body::read_all(
        x.client,
        x.head.framing,
        ECHO_MAX_BODY,
        timeout,
        super::body::Side::Client,
    )
    .await
}

/// Appends `s` as a JSON string (invalid UTF-8 replaced).
fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for c in String::from_utf8_lossy(s).chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        super::string(&mut out, b"a\"b\\c\n\x01\xff");
        assert_eq!(String::from_utf8(out).unwrap(), "\"a\\\"b\\\\c\\n\\u0001\u{fffd}\"");
    }
}
