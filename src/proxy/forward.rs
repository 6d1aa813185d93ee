//! The `forward-request` step: sends the request to the API's backend over a
//! pooled keep-alive connection and streams the response back.
//!
//! Phases, in order: pick/open an upstream connection, write the rewritten
//! head (plus the body when it is already buffered), stream the rest of the
//! request body, read the response head (skipping interim 1xx), write the
//! client head, stream the response body, return the connection to the pool.
//!
//! Invariants:
//! - a request is retried once, on a fresh connection, only when it failed
//!   on a reused connection before any response byte arrived, its method is
//!   idempotent, and its whole body was still in memory;
//! - a connection goes back to the pool only after a complete response with
//!   nothing unread and keep-alive on both ends;
//! - DNS is never resolved here: addresses come from the replica, resolved
//!   on the control thread.

use super::body::{copy_body, CopyError, CopySpec, Side};
use super::error::ProxyError;
use super::upstream_head::{plan_response, write_request_head, write_response_head, Target};
use super::Exchange;
use crate::http::chunked::{ChunkedDecoder, Decoded};
use crate::http::{BodyFraming, Span};
use crate::server::io::{write_vec, Buffered};
use monoio::io::AsyncWriteRentExt;
use monoio::net::TcpStream;
use std::net::SocketAddr;
use std::time::Instant;

/// Largest buffered body we keep for a possible retry / single write.
const REPLAY_MAX: usize = 64 * 1024;
/// Largest response body merged into the head's write.
const MERGE_MAX: usize = 16 * 1024;

pub struct HttpBackend<'a> {
    pub pool_key: &'a str,
    pub addrs: &'a [SocketAddr],
    pub base_path: &'a str,
    pub host_header: &'a str,
}

fn idempotent(m: &http::Method) -> bool {
    matches!(
        *m,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::OPTIONS
            | http::Method::TRACE
            | http::Method::PUT
            | http::Method::DELETE
    )
}

/// Sends `100 Continue` when the client waits for it before sending a body.
pub async fn maybe_continue(x: &mut Exchange<'_>) -> Result<(), ProxyError> {
    let h = x.head;
    let has_body = !matches!(h.framing, BodyFraming::None | BodyFraming::Length(0));
    if h.expect_continue && has_body && x.client.data().len() == h.head_len {
        let out = std::mem::take(&mut x.scratch.out);
        let mut out = out;
        out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        let (res, out) = write_vec(&mut x.client.stream, out).await;
        x.scratch.out = out;
        res.map_err(ProxyError::ClientIo)?;
    }
    Ok(())
}

async fn connect(x: &Exchange<'_>, addrs: &[SocketAddr]) -> Result<TcpStream, ProxyError> {
    let start = (x.ctx.next_random() as usize) % addrs.len();
    let mut last = ProxyError::ConnectTimeout;
    for i in 0..addrs.len() {
        let addr = addrs[(start + i) % addrs.len()];
        match monoio::time::timeout(x.ctx.settings.connect_timeout, TcpStream::connect_addr(addr)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) => last = ProxyError::Connect(e),
            Err(_) => last = ProxyError::ConnectTimeout,
        }
    }
    Err(last)
}

/// Forwards the request in `x` to `backend`; `remainder` is the path part
/// after the API suffix, as a span of the request buffer.
pub async fn forward(x: &mut Exchange<'_>, backend: &HttpBackend<'_>, remainder: Span) -> Result<(), ProxyError> {
    if backend.addrs.is_empty() {
        return Err(ProxyError::Unresolved(backend.host_header.to_string()));
    }
    let head = x.head;
    let buffered_body = x.client.data().len() - head.head_len;
    let replay_len = match head.framing {
        BodyFraming::None => Some(0),
        BodyFraming::Length(n) if (n as usize) <= buffered_body.min(REPLAY_MAX) => Some(n as usize),
        _ => None,
    };
    if head.framing == BodyFraming::Chunked {
        prevalidate_chunks(&x.client.data()[head.head_len..])?;
    }
    maybe_continue(x).await?;

    let mut out = std::mem::take(&mut x.scratch.out);
    out.clear();
    let target = Target {
        base_path: backend.base_path,
        host_header: backend.host_header,
        remainder: remainder.get(x.client.data()),
    };
    write_request_head(&mut out, head, x.client.data(), &target, x.peer.ip());
    if let Some(n) = replay_len {
        out.extend_from_slice(&x.client.data()[head.head_len..head.head_len + n]);
        x.client.consume(head.head_len + n);
        x.log.request_body_done = true;
    } else {
        x.client.consume(head.head_len);
    }

    let mut stream = x.ctx.pool.take(backend.pool_key);
    let mut reused = stream.is_some();
    let sent_at = Instant::now();
    let mut up = loop {
        let s = match stream.take() {
            Some(s) => s,
            None => connect(x, backend.addrs).await?,
        };
        let mut up = Buffered::with_buffer(s, std::mem::take(&mut x.scratch.upstream_buf));
        let (res, o) = up.stream.write_all(out).await;
        out = o;
        let mut result = res.map(|_| ()).map_err(ProxyError::BackendIo);
        if result.is_ok() && replay_len.is_none() {
            result = send_body(x, &mut up).await;
        }
        if result.is_ok() {
            result = read_response_head(x, &mut up, sent_at).await;
        }
        let retry = reused && replay_len.is_some() && idempotent(&head.method) && up.data().is_empty();
        match result {
            Ok(()) => break up,
            Err(ProxyError::BackendIo(_) | ProxyError::BackendClosed) if retry => {
                reused = false;
                x.scratch.upstream_buf = up.into_parts().1;
            }
            Err(e) => {
                x.scratch.upstream_buf = up.into_parts().1;
                out.clear();
                x.scratch.out = out;
                return Err(e);
            }
        }
    };
    x.log.backend_time = Some(sent_at.elapsed());
    out.clear();
    x.scratch.out = out;
    let result = relay_response(x, &mut up).await;
    if x.log.upgraded && result.is_ok() {
        x.upgraded = Some(up);
        return Ok(());
    }
    let (stream, buf) = up.into_parts();
    x.scratch.upstream_buf = buf;
    if let Ok(true) = result {
        x.ctx.pool.put(backend.pool_key, stream);
    }
    result.map(|_| ())
}

/// Rejects a chunked body whose already-received part is malformed before
/// anything is sent to the backend (a later malformed chunk aborts the
/// upstream request instead; the backend never sees a complete request).
fn prevalidate_chunks(mut buffered: &[u8]) -> Result<(), ProxyError> {
    let mut decoder = ChunkedDecoder::new();
    while !buffered.is_empty() {
        let (n, event) = decoder.decode(buffered).map_err(ProxyError::RequestBody)?;
        if event == Decoded::Done {
            break;
        }
        buffered = &buffered[n..];
    }
    Ok(())
}

/// Streams the request body that was not buffered.
async fn send_body(x: &mut Exchange<'_>, up: &mut Buffered<TcpStream>) -> Result<(), ProxyError> {
    let spec = CopySpec {
        framing: x.head.framing,
        chunked_out: x.head.framing == BodyFraming::Chunked,
        limit: x.ctx.settings.max_body_bytes,
        read_timeout: x.ctx.settings.body_timeout,
        side: Side::Client,
    };
    match copy_body(x.client, &mut up.stream, &spec, &mut x.scratch.chunk).await {
        Ok(_) => {
            x.log.request_body_done = true;
            Ok(())
        }
        Err(CopyError::Source(e)) => Err(e),
        // The backend went away mid-upload: it may still have answered.
        Err(CopyError::Sink(e)) => Err(ProxyError::BackendIo(e)),
    }
}

async fn read_response_head(
    x: &mut Exchange<'_>,
    up: &mut Buffered<TcpStream>,
    sent_at: Instant,
) -> Result<(), ProxyError> {
    let deadline = monoio::time::Instant::from_std(sent_at + x.ctx.settings.response_timeout);
    let was_head = x.head.method == http::Method::HEAD;
    loop {
        match x.scratch.resp.parse(up.data(), &x.ctx.limits, was_head) {
            Ok(true) => {
                let status = x.scratch.resp.status;
                if (100..200).contains(&status) && status != 101 {
                    up.consume(x.scratch.resp.head_len);
                    continue;
                }
                return Ok(());
            }
            Ok(false) => {}
            Err(e) => return Err(ProxyError::BackendHead(e)),
        }
        match monoio::time::timeout_at(deadline, up.fill()).await {
            Ok(Ok(0)) => return Err(ProxyError::BackendClosed),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(ProxyError::BackendIo(e)),
            Err(_) => return Err(ProxyError::ResponseTimeout),
        }
    }
}

/// Writes the response to the client. `Ok(true)` = upstream reusable.
async fn relay_response(x: &mut Exchange<'_>, up: &mut Buffered<TcpStream>) -> Result<bool, ProxyError> {
    let resp = &x.scratch.resp;
    x.log.status = resp.status;
    let upgrade = resp.status == 101 && x.head.upgrade;
    let plan = plan_response(resp, x.head.version, x.head.keep_alive && !x.ctx.is_draining());
    let mut out = std::mem::take(&mut x.scratch.out);
    write_response_head(&mut out, resp, up.data(), plan, x.head.version, upgrade);
    let framing = resp.framing;
    let upstream_keep = resp.keep_alive;
    up.consume(resp.head_len);
    if let BodyFraming::Length(n) = framing {
        if n as usize <= MERGE_MAX && up.data().len() >= n as usize {
            out.extend_from_slice(&up.data()[..n as usize]);
            up.consume(n as usize);
            x.log.response_bytes = n;
            return finish_small(x, out, plan.keep_alive, upstream_keep && up.data().is_empty()).await;
        }
    }
    x.log.response_started = true;
    x.log.keep_alive = plan.keep_alive;
    let (res, out) = write_vec(&mut x.client.stream, out).await;
    x.scratch.out = out;
    res.map_err(ProxyError::ClientIo)?;
    if upgrade {
        x.log.upgraded = true;
        return Ok(false);
    }
    let spec = CopySpec {
        framing,
        chunked_out: plan.chunked_out,
        limit: 0,
        read_timeout: x.ctx.settings.response_timeout,
        side: Side::Backend,
    };
    match copy_body(up, &mut x.client.stream, &spec, &mut x.scratch.chunk).await {
        Ok(n) => {
            x.log.response_bytes = n;
            Ok(upstream_keep && up.data().is_empty())
        }
        Err(CopyError::Source(e)) => Err(e),
        Err(CopyError::Sink(e)) => Err(ProxyError::ClientIo(e)),
    }
}

async fn finish_small(
    x: &mut Exchange<'_>,
    out: Vec<u8>,
    keep_alive: bool,
    reusable: bool,
) -> Result<bool, ProxyError> {
    x.log.response_started = true;
    x.log.keep_alive = keep_alive;
    let (res, out) = write_vec(&mut x.client.stream, out).await;
    x.scratch.out = out;
    res.map_err(ProxyError::ClientIo)?;
    Ok(reusable)
}
