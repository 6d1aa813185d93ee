//! The `forward-request` step: sends the request to the API's backend over a
//! pooled keep-alive connection and streams the response back.
//!
//! Two shapes:
//! - **buffered**: the whole request (head and body) is in memory; it is
//!   written in one go, then the response is read and relayed. Only this
//!   shape is retried.
//! - **streamed**: the body is still arriving; sending it and relaying the
//!   response run concurrently (full duplex), so a backend that answers
//!   before reading the whole upload (a 401 or 413, or an echo that streams
//!   back) never deadlocks the exchange.
//!
//! Invariants:
//! - a request is retried once, on a fresh connection, only when it failed
//!   on a reused connection before any response byte arrived, its method is
//!   idempotent, and its whole body was still in memory;
//! - a connection goes back to the pool only after a complete response with
//!   nothing unread, the whole request sent, and keep-alive on both ends;
//! - DNS is never resolved here: addresses come from the replica, resolved
//!   on the control thread.

use super::body::{copy_body, CopyError, CopySpec, Side};
use super::error::ProxyError;
use super::pool::Conn;
use super::respond::{read_response_head, relay_response, ResponseCtx};
use super::upstream_head::{write_request_head, Target};
use super::Exchange;
use crate::http::chunked::{ChunkedDecoder, Decoded};
use crate::http::{BodyFraming, Span};
use crate::server::io::{write_vec, Buffered, ReadHalf, WriteHalf};
use monoio::io::{AsyncWriteRentExt, Splitable};
use monoio::net::TcpStream;
use std::cell::Cell;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::Poll;
use std::time::Instant;

/// Largest buffered body we keep for a possible retry / single write.
const REPLAY_MAX: usize = 64 * 1024;
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
        scheme: super::upstream_head::client_scheme(
            head,
            x.client.data(),
            x.tls.is_some(),
            x.ctx.settings.forwarded_proto,
        ),
    };
    write_request_head(&mut out, head, x.client.data(), &target, x.peer.ip());
    if let Some(n) = replay_len {
        out.extend_from_slice(&x.client.data()[head.head_len..head.head_len + n]);
        x.client.consume(head.head_len + n);
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
    x.scratch.out = out;
    if let Err(e) = result {
        x.scratch.upstream_buf = up.r.into_parts().1;
        return Err(e);
    }
    x.log.request_body_done = replay_len.is_some();
    let outcome = if replay_len.is_some() {
        x.log.backend_time = Some(sent_at.elapsed());
        let mut rc = response_ctx(x);
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

fn response_ctx<'a>(x: &'a mut Exchange<'_>) -> ResponseCtx<'a> {
    ResponseCtx {
        ctx: x.ctx,
        head: x.head,
        client_w: &mut *x.client_w,
        scratch_out: &mut x.scratch.out,
        chunk: &mut x.scratch.chunk_out,
        resp: &mut x.scratch.resp,
        log: &mut x.log,
    }
}

/// Streams the rest of the request body while reading and relaying the
/// response. Returns whether the upstream connection is reusable.
async fn duplex(x: &mut Exchange<'_>, up: &mut Upstream, sent_at: Instant) -> Result<bool, ProxyError> {
    let spec = CopySpec {
        framing: x.head.framing,
        chunked_out: x.head.framing == BodyFraming::Chunked,
        limit: x.ctx.settings.max_body_bytes,
        read_timeout: x.ctx.settings.body_timeout,
        write_timeout: x.ctx.settings.response_timeout,
        side: Side::Client,
    };
    let response_timeout = x.ctx.settings.response_timeout;
    let (upload_result, response_result) = {
        let Exchange {
            ctx,
            head,
            client,
            client_w,
            scratch,
            log,
            ..
        } = x;
        let upload = pin!(copy_body(&mut **client, &mut up.w, &spec, &mut scratch.chunk));
        let mut rc = ResponseCtx {
            ctx,
            head,
            client_w,
            scratch_out: &mut scratch.out,
            chunk: &mut scratch.chunk_out,
            resp: &mut scratch.resp,
            log,
        };
        let head_seen = Cell::new(false);
        let response = pin!(async {
            super::respond::wait_response_head(&mut rc, &mut up.r).await?;
            head_seen.set(true);
            relay_response(&mut rc, &mut up.r).await
        });
        run_duplex(upload, response, response_timeout, &head_seen).await
    };
    x.log.backend_time = Some(sent_at.elapsed());
    x.log.request_body_done = matches!(upload_result, Some(Ok(_)));
    match (upload_result, response_result) {
        // The client side failed (or sent a bad or oversized body) first.
        (Some(Err(CopyError::Source(e))), None) => Err(e),
        (Some(Err(CopyError::Sink(e))), None) => Err(ProxyError::BackendIo(e)),
        (_, Some(Ok(reusable))) => Ok(reusable && x.log.request_body_done),
        (_, Some(Err(e))) => Err(e),
        (_, None) => Err(ProxyError::ResponseTimeout),
    }
}

/// Polls the upload and the response together. Ends when the response is
/// done, when the upload fails, or when no response head has arrived
/// `timeout` after the upload finished. Unfinished halves are dropped.
async fn run_duplex<A, B>(
    mut upload: std::pin::Pin<&mut A>,
    mut response: std::pin::Pin<&mut B>,
    timeout: std::time::Duration,
    head_seen: &Cell<bool>,
) -> (Option<A::Output>, Option<B::Output>)
where
    A: Future<Output = Result<u64, CopyError>>,
    B: Future<Output = Result<bool, ProxyError>>,
{
    let mut upload_result = None;
    let mut timer: Option<std::pin::Pin<Box<monoio::time::Sleep>>> = None;
    let response_result = std::future::poll_fn(|cx| {
        if upload_result.is_none() {
            if let Poll::Ready(r) = upload.as_mut().poll(cx) {
                let failed = r.is_err();
                upload_result = Some(r);
                if failed {
                    return Poll::Ready(None);
                }
                timer = Some(Box::pin(monoio::time::sleep(timeout)));
            }
        }
        if let Poll::Ready(r) = response.as_mut().poll(cx) {
            return Poll::Ready(Some(r));
        }
        if let Some(t) = timer.as_mut() {
            if !head_seen.get() && t.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
        }
        Poll::Pending
    })
    .await;
    (upload_result, response_result)
}
