//! The `forward-request` step: sends the request to the API's backend over a
//! pooled keep-alive connection and streams the response back.
//!
//! Two shapes:
//! - **buffered**: no body, or a `Content-Length` body of at most
//!   [`SMALL_BODY_MAX`]: the body is read completely first (reads go straight
//!   into the outgoing buffer, after the rewritten head), then head and body
//!   go to the backend in one write, then the response is read and relayed.
//!   Only this shape is retried.
//! - **streamed** (larger or chunked bodies): sending the body and relaying
//!   the response run concurrently, see [`super::duplex`].
//!
//! Invariants:
//! - a request is retried once, on a fresh connection, only when it failed
//!   on a reused connection before any response byte arrived, its method is
//!   idempotent, and its whole body was still in memory;
//! - a connection goes back to the pool only after a complete response with
//!   nothing unread, the whole request sent, and keep-alive on both ends;
//! - DNS is never resolved here: addresses come from the replica, resolved
//!   on the control thread.

use super::duplex::duplex;
use super::error::ProxyError;
use super::pool::Conn;
use super::respond::{read_response_head, relay_response, ResponseCtx};
use super::upstream_head::{write_request_head, Target};
use super::Exchange;
use crate::http::chunked::{ChunkedDecoder, Decoded};
use crate::http::{BodyFraming, Span};
use crate::server::io::{append_exact, write_vec, Buffered, ReadHalf, WriteHalf};
use monoio::io::{AsyncWriteRentExt, Splitable};
use monoio::net::TcpStream;
use std::cell::Cell;
use std::net::SocketAddr;
use std::time::Instant;

/// Largest `Content-Length` body read completely before forwarding (and
/// kept for a possible retry).
pub const SMALL_BODY_MAX: u64 = 64 * 1024;
/// A connection's outgoing buffer grown beyond this by a large request is
/// given back after the request, so idle connections stay small.
const OUT_RETAIN_MAX: usize = 32 * 1024;
/// Read buffer of a backend connection.
const UPSTREAM_BUF: usize = 16 * 1024;

pub struct HttpBackend<'a> {
    /// Set for `https://` backends.
    pub tls: Option<&'a crate::tls::client::BackendConnector>,
    pub pool_key: &'a str,
    pub addrs: &'a [SocketAddr],
    pub base_path: &'a str,
    pub host_header: &'a str,
}

/// A backend connection in use: buffered read half and write half.
pub struct Upstream {
    pub r: Buffered<ReadHalf>,
    pub w: WriteHalf,
}

fn idempotent(m: &http::Method) -> bool {
    use http::Method as M;
    matches!(*m, M::GET | M::HEAD | M::OPTIONS | M::TRACE | M::PUT | M::DELETE)
}

/// Sends `100 Continue` when the client waits for it before sending a body.
pub async fn maybe_continue(x: &mut Exchange<'_>) -> Result<(), ProxyError> {
    let h = x.head;
    let has_body = !matches!(h.framing, BodyFraming::None | BodyFraming::Length(0));
    if h.expect_continue && has_body && x.client.data().len() == h.head_len {
        let mut out = std::mem::take(&mut x.scratch.out);
        out.clear();
        out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        let (res, out) = write_vec(x.client_w, out).await;
        x.scratch.out = out;
        res.map_err(ProxyError::ClientIo)?;
    }
    Ok(())
}

/// Opens a backend connection (TCP, then the TLS handshake for `https`),
/// all within the connect timeout.
async fn connect(x: &Exchange<'_>, backend: &HttpBackend<'_>) -> Result<Conn, ProxyError> {
    let tcp = connect_tcp(x, backend.addrs);
    match backend.tls {
        None => Ok(crate::server::io::tcp_conn(tcp.await?.into_split())),
        Some(tls) => {
            let handshake = async {
                let stream = tcp.await?;
                crate::tls::client::connect(stream, tls)
                    .await
                    .map_err(ProxyError::BackendTls)
            };
            match monoio::time::timeout(x.ctx.settings.connect_timeout, handshake).await {
                Ok(r) => Ok(crate::server::io::tls_conn(r?)),
                Err(_) => Err(ProxyError::ConnectTimeout),
            }
        }
    }
}

async fn connect_tcp(x: &Exchange<'_>, addrs: &[SocketAddr]) -> Result<TcpStream, ProxyError> {
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

/// Forwards the request in `x` to `backend`; `remainder` is the path part
/// after the API suffix, as a span of the request buffer.
pub async fn forward(x: &mut Exchange<'_>, backend: &HttpBackend<'_>, remainder: Span) -> Result<(), ProxyError> {
    if backend.addrs.is_empty() {
        return Err(ProxyError::Unresolved(backend.host_header.to_string()));
    }
    let head = x.head;
    let replay_len = match head.framing {
        BodyFraming::None => Some(0),
        BodyFraming::Length(n) if n <= SMALL_BODY_MAX => Some(n as usize),
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
        scheme: super::upstream_head::client_scheme(
            head,
            x.client.data(),
            x.tls.is_some(),
            x.ctx.settings.forwarded_proto,
        ),
    };
    write_request_head(&mut out, head, x.client.data(), &target, x.peer.ip());
    if let Some(n) = replay_len {
        out = match read_small_body(x, out, n).await {
            Ok(out) => out,
            Err((e, out)) => {
                x.scratch.out = out;
                return Err(e);
            }
        };
        x.log.request_body_done = true;
    } else {
        x.client.consume(head.head_len);
    }

    let pooled = x.ctx.pool.take(backend.pool_key);
    let reused = pooled.is_some();
    let conn = match pooled {
        Some(c) => c,
        None => connect(x, backend).await?,
    };
    let mut buf = std::mem::take(&mut x.scratch.upstream_buf);
    buf.reserve(UPSTREAM_BUF);
    let mut up = Upstream {
        r: Buffered::with_buffer(conn.0, buf),
        w: conn.1,
    };
    let sent_at = Instant::now();
    let (res, o) = up.w.write_all(out).await;
    out = o;
    let mut result = res.map(|_| ()).map_err(ProxyError::BackendIo);

    let result = if replay_len.is_some() {
        if result.is_ok() {
            result = read_response_head(x.ctx, x.head, &mut x.scratch.resp, &mut up.r, sent_at).await;
        }
        let retry = reused && idempotent(&head.method) && up.r.data().is_empty();
        match result {
            Err(ProxyError::BackendIo(_) | ProxyError::BackendClosed) if retry => {
                x.scratch.upstream_buf = up.r.into_parts().1;
                let conn = connect(x, backend).await?;
                let mut buf = std::mem::take(&mut x.scratch.upstream_buf);
                buf.reserve(UPSTREAM_BUF);
                up = Upstream {
                    r: Buffered::with_buffer(conn.0, buf),
                    w: conn.1,
                };
                let sent_at = Instant::now();
                let (res, o) = up.w.write_all(out).await;
                out = o;
                match res {
                    Ok(_) => read_response_head(x.ctx, x.head, &mut x.scratch.resp, &mut up.r, sent_at).await,
                    Err(e) => Err(ProxyError::BackendIo(e)),
                }
            }
            other => other,
        }
    } else {
        result
    };
    out.clear();
    if out.capacity() > OUT_RETAIN_MAX {
        out.shrink_to(4096);
    }
    x.scratch.out = out;
    if let Err(e) = result {
        x.scratch.upstream_buf = up.r.into_parts().1;
        return Err(e);
    }
    let outcome = if replay_len.is_some() {
        x.log.backend_time = Some(sent_at.elapsed());
        let settled = Cell::new(true);
        let mut rc = response_ctx(x, &settled);
        relay_response(&mut rc, &mut up.r).await
    } else {
        duplex(x, &mut up, sent_at).await
    };
    if x.log.upgraded && outcome.is_ok() {
        x.upgraded = Some((up.r, up.w));
        return Ok(());
    }
    let (r, buf) = up.r.into_parts();
    x.scratch.upstream_buf = buf;
    if let Ok(true) = outcome {
        if x.log.request_body_done {
            x.ctx.pool.put(backend.pool_key, (r, up.w));
        }
    }
    outcome.map(|_| ())
}

fn response_ctx<'a>(x: &'a mut Exchange<'_>, body_settled: &'a Cell<bool>) -> ResponseCtx<'a> {
    ResponseCtx {
        ctx: x.ctx,
        head: x.head,
        client_w: &mut *x.client_w,
        scratch_out: &mut x.scratch.out,
        chunk: &mut x.scratch.chunk_out,
        resp: &mut x.scratch.resp,
        log: &mut x.log,
        body_settled,
    }
}

/// Moves the request's `n`-byte body from the client to the end of `out`
/// (which holds the rewritten head): first what is already buffered, then
/// reads straight into `out`, each bounded by the body timeout, never past
/// the body (pipelined bytes stay unread). Consumes head and body.
async fn read_small_body(x: &mut Exchange<'_>, mut out: Vec<u8>, n: usize) -> Result<Vec<u8>, (ProxyError, Vec<u8>)> {
    let head_len = x.head.head_len;
    let have = (x.client.data().len() - head_len).min(n);
    out.extend_from_slice(&x.client.data()[head_len..head_len + have]);
    x.client.consume(head_len + have);
    if have == n {
        return Ok(out);
    }
    let (res, out) = append_exact(&mut x.client.stream, out, n - have, x.ctx.settings.body_timeout).await;
    match res {
        Ok(()) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Err((ProxyError::ClientTimeout, out)),
        Err(e) => Err((ProxyError::ClientIo(e), out)),
    }
}
