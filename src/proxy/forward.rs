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
/// Read buffer of a backend exchange (taken from the worker's pool for the
/// exchange only): a 64 KiB response is one read and one write.
const UPSTREAM_BUF: usize = crate::bufpool::LARGE;

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

/// How the request goes out, beyond the plain proxy case.
#[derive(Default)]
pub struct Outgoing<'a> {
    /// Policy edits to the request head.
    pub edits: Option<&'a crate::policy::flow::RequestEdits<'a>>,
    /// The request head's bytes when the client buffer no longer starts
    /// with them (the body was already read by a policy).
    pub head_buf: Option<&'a [u8]>,
    /// The whole body, already read from the client (or replaced by a policy).
    pub body: Option<&'a [u8]>,
    /// `forward-request timeout`.
    pub timeout: Option<std::time::Duration>,
    /// Read only the response head and return it as [`Pending`] (retry).
    pub defer: bool,
}

/// A response whose head is read but not yet relayed.
pub struct Pending {
    pub up: Upstream,
    pub timeout: std::time::Duration,
}

/// A request written into `x.scratch.out`, ready to send.
pub struct Prepared {
    /// `Some(n)`: the whole request (with `n` body bytes from the client
    /// buffer, or a policy's body) is in memory; `None`: the body streams.
    replay_len: Option<usize>,
    timeout: std::time::Duration,
}

/// Forwards the request in `x` to `backend`; `remainder` is the path part
/// after the API suffix, as a span of the request head bytes. Relays the
/// response through `hook`.
pub async fn forward(
    x: &mut Exchange<'_>,
    backend: &HttpBackend<'_>,
    remainder: Span,
    out_spec: &Outgoing<'_>,
    hook: Option<&mut dyn super::respond::ResponseHook>,
) -> Result<Option<Pending>, ProxyError> {
    let prepared = prepare(x, backend, remainder, out_spec).await?;
    send(x, backend, prepared, out_spec.defer, hook).await
}

/// Writes the backend request (head, and body when in memory) into
/// `x.scratch.out`, consuming what it took from the client buffer.
pub async fn prepare(
    x: &mut Exchange<'_>,
    backend: &HttpBackend<'_>,
    remainder: Span,
    out_spec: &Outgoing<'_>,
) -> Result<Prepared, ProxyError> {
    if backend.addrs.is_empty() {
        return Err(ProxyError::Unresolved(backend.host_header.to_string()));
    }
    let head = x.head;
    let timeout = out_spec.timeout.unwrap_or(x.ctx.settings.response_timeout);
    let replay_len = if out_spec.body.is_some() {
        Some(0)
    } else {
        match head.framing {
            BodyFraming::None => Some(0),
            BodyFraming::Length(n) if n <= SMALL_BODY_MAX => Some(n as usize),
            _ => None,
        }
    };
    if out_spec.body.is_none() {
        if head.framing == BodyFraming::Chunked {
            prevalidate_chunks(&x.client.data()[head.head_len..])?;
        }
        maybe_continue(x).await?;
    }
    let mut out = std::mem::take(&mut x.scratch.out);
    out.clear();
    {
        let head_buf = out_spec.head_buf.unwrap_or(x.client.data());
        let method = out_spec.edits.and_then(|e| e.method.as_ref()).unwrap_or(&head.method);
        let trace = super::trace_calls::begin_forward(x.trace, x.ctx.tracer.as_ref(), backend, method, || {
            let rest = match out_spec.edits.and_then(|e| e.path.as_deref()) {
                Some(p) => p.as_bytes(),
                None => remainder.get(head_buf),
            };
            format!("{}{}", backend.base_path, String::from_utf8_lossy(rest))
        });
        let target = Target {
            base_path: backend.base_path,
            host_header: backend.host_header,
            remainder: remainder.get(head_buf),
            edits: out_spec.edits,
            body_len: out_spec.body.map(|b| b.len() as u64),
            scheme: super::upstream_head::client_scheme(
                head,
                head_buf,
                x.tls.is_some(),
                x.ctx.settings.forwarded_proto,
            ),
            trace,
        };
        write_request_head(&mut out, head, head_buf, &target, x.peer.ip());
        if crate::server::access_log::wanted(x.ctx) {
            x.log.backend_request = super::BackendRequest::from_head(&out, backend.tls.is_some(), backend.host_header);
        }
    }
    if let Some(body) = out_spec.body {
        out.extend_from_slice(body);
    } else if let Some(n) = replay_len {
        let reading = Instant::now();
        let read = read_small_body(x, out, n).await;
        x.log.client_time += reading.elapsed();
        out = match read {
            Ok(out) => out,
            Err((e, out)) => {
                x.scratch.out = out;
                return Err(e);
            }
        };
        x.log.request_body_done = true;
        x.log.request_bytes = n as u64;
    } else {
        x.client.consume(head.head_len);
    }
    x.scratch.out = out;
    Ok(Prepared { replay_len, timeout })
}

/// Sends a [`Prepared`] request and relays the response through `hook`,
/// or, when `defer` and the request was in memory, returns the response
/// with only its head read. The call's span ends here unless deferred.
pub async fn send(
    x: &mut Exchange<'_>,
    backend: &HttpBackend<'_>,
    prepared: Prepared,
    defer: bool,
    hook: Option<&mut dyn super::respond::ResponseHook>,
) -> Result<Option<Pending>, ProxyError> {
    // No backend has answered this call yet.
    x.log.backend_status = 0;
    let sent = send_call(x, backend, prepared, defer, hook).await;
    if !matches!(sent, Ok(Some(_))) {
        super::trace_calls::end_forward(x, sent.as_ref().err());
    }
    sent
}

async fn send_call(
    x: &mut Exchange<'_>,
    backend: &HttpBackend<'_>,
    prepared: Prepared,
    defer: bool,
    hook: Option<&mut dyn super::respond::ResponseHook>,
) -> Result<Option<Pending>, ProxyError> {
    let Prepared { replay_len, timeout } = prepared;
    let head = x.head;
    let mut out = std::mem::take(&mut x.scratch.out);
    let asked_at = Instant::now();
    let pooled = x.ctx.pool.take(backend.pool_key);
    let reused = pooled.is_some();
    let conn = match pooled {
        Some(c) => c,
        None => connect(x, backend).await?,
    };
    let mut up = Upstream {
        r: Buffered::with_buffer(conn.0, x.ctx.buffers.take(UPSTREAM_BUF)),
        w: conn.1,
    };
    let sent_at = Instant::now();
    let (res, o) = up.w.write_all(out).await;
    out = o;
    let mut result = res.map(|_| ()).map_err(ProxyError::BackendIo);

    let result = if replay_len.is_some() {
        if result.is_ok() {
            result = read_response_head(x.ctx, x.head, &mut x.scratch.resp, &mut up.r, sent_at, timeout).await;
        }
        let retry = reused && idempotent(&head.method) && up.r.data().is_empty();
        match result {
            Err(ProxyError::BackendIo(_) | ProxyError::BackendClosed) if retry => {
                drop(up);
                let conn = connect(x, backend).await?;
                up = Upstream {
                    r: Buffered::with_buffer(conn.0, x.ctx.buffers.take(UPSTREAM_BUF)),
                    w: conn.1,
                };
                let sent_at = Instant::now();
                let (res, o) = up.w.write_all(out).await;
                out = o;
                match res {
                    Ok(_) => read_response_head(x.ctx, x.head, &mut x.scratch.resp, &mut up.r, sent_at, timeout).await,
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
    result?;
    x.log.request_body_done = replay_len.is_some();
    if replay_len.is_some() {
        x.log.backend_time = Some(asked_at.elapsed());
        x.log.backend_status = x.scratch.resp.status;
        if defer {
            return Ok(Some(Pending { up, timeout }));
        }
        relay_pending(x, Pending { up, timeout }, backend.pool_key, hook).await?;
        return Ok(None);
    }
    let outcome = super::duplex::duplex(x, &mut up, sent_at, timeout, hook).await;
    // Backend time counts the connect (or pool take) too.
    x.log.backend_time = Some(asked_at.elapsed());
    finish(x, up, backend.pool_key, outcome)?;
    Ok(None)
}

/// Relays a response read by a deferred [`forward`].
pub async fn relay_pending(
    x: &mut Exchange<'_>,
    mut p: Pending,
    pool_key: &str,
    hook: Option<&mut dyn super::respond::ResponseHook>,
) -> Result<(), ProxyError> {
    let outcome = {
        let settled = Cell::new(true);
        let mut rc = response_ctx(x, &settled, p.timeout, super::respond::shorten(hook));
        relay_response(&mut rc, &mut p.up.r).await
    };
    let relayed = finish(x, p.up, pool_key, outcome);
    super::trace_calls::end_forward(x, relayed.as_ref().err());
    relayed
}

/// Drops or pools the connection after a relay; keeps upgraded ones.
fn finish(
    x: &mut Exchange<'_>,
    up: Upstream,
    pool_key: &str,
    outcome: Result<bool, ProxyError>,
) -> Result<(), ProxyError> {
    if x.log.upgraded && outcome.is_ok() {
        x.upgraded = Some((up.r, up.w));
        return Ok(());
    }
    // The read buffer goes back to the worker's pool here (dropped).
    let (r, _) = up.r.into_parts();
    if let Ok(true) = outcome {
        if x.log.request_body_done {
            x.ctx.pool.put(pool_key, (r, up.w));
        }
    }
    outcome.map(|_| ())
}

/// Returns a deferred response's connection buffer (the connection closes).
pub fn discard_pending(x: &mut Exchange<'_>, p: Pending) {
    drop(p);
    super::trace_calls::end_forward(x, None);
}

pub(super) fn response_ctx<'a>(
    x: &'a mut Exchange<'_>,
    body_settled: &'a Cell<bool>,
    timeout: std::time::Duration,
    hook: Option<&'a mut (dyn super::respond::ResponseHook + 'a)>,
) -> ResponseCtx<'a> {
    ResponseCtx {
        ctx: x.ctx,
        head: x.head,
        client_w: &mut *x.client_w,
        scratch_out: &mut x.scratch.out,
        chunk: &mut x.scratch.chunk_out,
        resp: &mut x.scratch.resp,
        log: &mut x.log,
        hook,
        timeout,
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
