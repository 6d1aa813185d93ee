//! The built-in echo backend (`service-url = "echo://"`), like APIM's Echo
//! API: answers with the request's method, path, query, headers and body as
//! JSON, so the shipped default configuration works with no other server.
//!
//! Invariant: the body read is bounded by [`ECHO_MAX_BODY`] (413 above it),
//! so the demo backend cannot be used to exhaust a worker's memory.

use super::error::ProxyError;
use super::forward::maybe_continue;
use super::Exchange;
use crate::http::chunked::{ChunkedDecoder, Decoded};
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
    let data = x.client.data();
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
    x.client.consume(head.head_len);
    let body = read_body(x).await?;
    x.log.request_body_done = true;
    string(&mut json, &body);
    json.push(b'}');

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
        out.extend_from_slice(&json);
    }
    x.log.status = 200;
    x.log.response_started = true;
    x.log.keep_alive = keep_alive;
    x.log.response_bytes = json.len() as u64;
    let (res, out) = write_vec(x.client_w, out).await;
    x.scratch.out = out;
    res.map_err(ProxyError::ClientIo)
}

async fn read_body(x: &mut Exchange<'_>) -> Result<Vec<u8>, ProxyError> {
    let mut body = Vec::new();
    let mut decoder = ChunkedDecoder::new();
    loop {
        match x.head.framing {
            BodyFraming::None | BodyFraming::UntilClose => return Ok(body),
            BodyFraming::Length(n) => {
                let want = n as usize - body.len();
                let take = want.min(x.client.data().len());
                body.extend_from_slice(&x.client.data()[..take]);
                x.client.consume(take);
                if body.len() as u64 == n {
                    return Ok(body);
                }
            }
            BodyFraming::Chunked => {
                let (consumed, event) = decoder.decode(x.client.data()).map_err(ProxyError::RequestBody)?;
                if let Decoded::Data(r) = &event {
                    body.extend_from_slice(&x.client.data()[r.clone()]);
                    if body.len() as u64 > ECHO_MAX_BODY {
                        return Err(ProxyError::BodyTooLarge);
                    }
                }
                x.client.consume(consumed);
                match event {
                    Decoded::Done => return Ok(body),
                    Decoded::Data(_) if !x.client.data().is_empty() => continue,
                    _ => {}
                }
            }
        }
        match monoio::time::timeout(x.ctx.settings.body_timeout, x.client.fill()).await {
            Ok(Ok(0)) => return Err(ProxyError::ClientIo(std::io::ErrorKind::UnexpectedEof.into())),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(ProxyError::ClientIo(e)),
            Err(_) => return Err(ProxyError::ClientTimeout),
        }
    }
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
