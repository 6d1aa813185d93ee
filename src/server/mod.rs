//! The downstream HTTP/1.1 connection loop: reads request heads (with the
//! head, idle and drain rules), answers health probes, hands requests to
//! [`crate::proxy`], writes gateway errors, and decides keep-alive.
//!
//! Invariants:
//! - requests on a connection are handled strictly one after another, so
//!   pipelined requests get their responses in order;
//! - after any error whose response is sent, or any request whose body was
//!   not fully read, the connection is closed: the next bytes cannot be
//!   trusted to start a request (request-smuggling defence); when the client
//!   may still be sending, the close is a lingering one ([`linger`]), so the
//!   response is not destroyed by a reset;
//! - each request takes the worker's current replica when it starts and
//!   keeps it to the end, so a reload never changes a request mid-flight.

pub mod access_log;
pub mod idle;
pub mod io;
pub mod linger;
pub mod log_batch;
pub mod request_metrics;
pub mod request_trace;

use crate::http::RequestHead;
use crate::proxy::error::{write_rescue, write_simple, ProxyError};
use crate::proxy::{Exchange, RequestLog, Scratch};
use crate::tls::info::ClientTls;
use crate::worker::WorkerCtx;
use io::{write_vec, Buffered, ReadHalf, WriteHalf};
use monoio::io::Splitable;
use monoio::net::TcpStream;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;
use tracing::debug;

/// Liveness probe path (APIM's): 200 while the process is up.
pub const STATUS_PATH: &[u8] = b"/status-0123456789abcdef";
/// Readiness probe path (APIM's): 200 once a configuration is loaded.
pub const INTERNAL_STATUS_PATH: &[u8] = b"/internal-status-0123456789abcdef";

enum Next {
    Continue,
    Close,
    /// Close, but the client may still be sending: linger first.
    Linger,
    /// The backend switched protocols: relay bytes until both sides end.
    Tunnel((Buffered<ReadHalf>, WriteHalf)),
}

/// Serves one plain-HTTP client connection until it closes.
pub async fn serve_connection(ctx: Rc<WorkerCtx>, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    serve_split(ctx, io::tcp_conn(stream.into_split()), peer, None).await
}

/// Serves one HTTPS client connection: handshake (bounded by the head
/// timeout; failures are counted and logged at debug with the reason),
/// then the same loop as plain HTTP.
pub async fn serve_tls_connection(ctx: Rc<WorkerCtx>, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let replica = ctx.replica();
    let tls = replica.as_ref().and_then(|r| r.server_tls.as_deref());
    let handshake = Box::pin(crate::tls::server::accept(stream, tls));
    let accepted = match monoio::time::timeout(ctx.settings.head_timeout, handshake).await {
        Ok(r) => r,
        Err(_) => Err(crate::tls::server::HandshakeError::Timeout),
    };
    drop(replica);
    match accepted {
        Ok(conn) => {
            let conn = io::tls_conn(conn);
            let info = conn.0.client_tls();
            if let Some(i) = &info {
                debug!(worker = ctx.id, peer = %peer, protocol = %i.protocol_name(), resumed = i.resumed,
                    sni = i.sni.as_deref().unwrap_or(""), client_certificate = i.certificate.is_some(),
                    "TLS handshake completed");
            }
            // Boxed: the TLS path's state stays out of every plain
            // connection's future.
            Box::pin(serve_split(ctx, conn, peer, info.map(Box::new))).await
        }
        Err(e) => {
            ctx.count_handshake_failure();
            debug!(worker = ctx.id, peer = %peer, error = %e, "TLS handshake failed");
        }
    }
}

/// The connection loop over an already split (and, for HTTPS, handshaken)
/// connection.
///
/// Its future is resident for the connection's whole life, so it is kept
/// small: the request's future is boxed while a request runs, and the
/// request head and scratch buffers ([`Working`]) exist only while the
/// connection is not idle.
async fn serve_split(ctx: Rc<WorkerCtx>, conn: io::Conn, peer: SocketAddr, tls: Option<Box<ClientTls>>) {
    let (r, mut client_w) = conn;
    // A new connection's first read may wait for a slow client: a head-sized
    // buffer. Later reads follow readiness (bytes are there): body-sized.
    let mut client = Buffered::pooled(r, ctx.buffers.clone(), crate::bufpool::HEAD);
    let mut working: Option<Box<Working>> = None;
    let mut first = true;
    loop {
        if !first
            && client.data().is_empty()
            && !idle::wait_for_request(&ctx, &mut client, &mut client_w, &mut working).await
        {
            return;
        }
        let Working { head, scratch } = &mut **working.get_or_insert_with(Default::default);
        let mut first_byte = None;
        match read_head(&ctx, &mut client, head, &mut first_byte).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                debug!(worker = ctx.id, peer = %peer, error = %e, "rejected request head");
                Box::pin(send_error(
                    &mut client_w,
                    scratch.get_or_insert_with(Scratch::default),
                    &e,
                ))
                .await;
                if let (Some(started), Some((status, _))) = (first_byte, e.rescue()) {
                    request_metrics::record_rejected(&ctx, &e, status, started);
                }
                return Box::pin(linger::lingering_close(client, client_w, &ctx.settings)).await;
            }
        }
        if first {
            client.set_first_read(crate::bufpool::BODY);
        }
        first = false;
        let started = first_byte.unwrap_or_else(Instant::now);
        // The request's future (the whole pipeline, tens of KiB) is boxed:
        // it exists only while a request runs, and the connection's own
        // future, resident for its whole life, stays small.
        let handled = Box::pin(handle_request(
            &ctx,
            &mut client,
            &mut client_w,
            head,
            peer,
            tls.as_deref(),
            scratch.get_or_insert_with(Scratch::default),
            started,
        ))
        .await;
        match handled {
            Next::Continue if !ctx.is_draining() => {}
            Next::Continue if client.data().is_empty() => return,
            Next::Tunnel(upstream) => {
                return Box::pin(crate::proxy::tunnel::tunnel((client, client_w), upstream)).await
            }
            Next::Close => return,
            Next::Continue | Next::Linger => {
                return Box::pin(linger::lingering_close(client, client_w, &ctx.settings)).await
            }
        }
    }
}

/// What a connection uses while it reads or handles a request (dropped while
/// it is idle).
#[derive(Default)]
pub struct Working {
    pub head: RequestHead,
    /// Made when a head is complete (a partial head holds none of it).
    pub scratch: Option<Scratch>,
}

/// Waits for a complete head (a keep-alive connection's wait between
/// requests is [`idle`]'s). `Ok(false)` = the connection should just close
/// (peer closed, or no byte before the head timeout). `first_byte` is set
/// when the head's first bytes are seen (the request's start for its
/// durations).
async fn read_head(
    ctx: &WorkerCtx,
    client: &mut Buffered<ReadHalf>,
    head: &mut RequestHead,
    first_byte: &mut Option<Instant>,
) -> Result<bool, ProxyError> {
    let s = &ctx.settings;
    let mut deadline = None;
    loop {
        if first_byte.is_none() && !client.data().is_empty() {
            *first_byte = Some(Instant::now());
        }
        if !client.data().is_empty() && head.parse(client.data(), &ctx.limits).map_err(ProxyError::Head)? {
            return Ok(true);
        }
        // An incomplete head waits for more bytes in a small buffer (a slow
        // client holds 2 KiB, not a body-sized buffer).
        client.shrink_pooled(crate::bufpool::HEAD);
        let d = *deadline.get_or_insert_with(|| crate::coarse_timer::later(Instant::now(), s.head_timeout));
        let read = monoio::select! {
            r = client.fill() => Some(r),
            _ = ctx.timers.at(d) => None,
        };
        match read {
            Some(Ok(0)) | Some(Err(_)) => return Ok(false),
            Some(Ok(_)) => {}
            // The dropped read took the buffer: whether head bytes came is
            // `first_byte`'s to say.
            None if first_byte.is_none() => return Ok(false),
            None => return Err(ProxyError::HeadTimeout),
        }
    }
}

async fn send_error(client_w: &mut WriteHalf, scratch: &mut Scratch, e: &ProxyError) {
    let mut out = std::mem::take(&mut scratch.out);
    out.clear();
    if write_rescue(&mut out, e, true) {
        let (_, written) = write_vec(client_w, out).await;
        out = written;
    }
    scratch.out = out;
}

#[allow(clippy::too_many_arguments)]
async fn handle_request(
    ctx: &WorkerCtx,
    client: &mut Buffered<ReadHalf>,
    client_w: &mut WriteHalf,
    head: &RequestHead,
    peer: SocketAddr,
    tls: Option<&ClientTls>,
    scratch: &mut Scratch,
    started: Instant,
) -> Next {
    let parsed = Instant::now();
    let path = head.path.get(client.data());
    if path == STATUS_PATH || path == INTERNAL_STATUS_PATH {
        let ready = path == STATUS_PATH || ctx.replica().is_some();
        return health(ctx, client, client_w, head, scratch, ready).await;
    }
    let url = access_log::wanted(ctx).then(|| access_log::request_url(head, client.data(), tls.is_some()));
    let replica = ctx.replica();
    let traced = request_trace::start(ctx, head, client.data(), started);
    let mut log = RequestLog {
        client_time: parsed.saturating_duration_since(started),
        ..RequestLog::default()
    };
    if request_metrics::wants_hostname(ctx) {
        if let Some(h) = head.host {
            log.hostname = request_metrics::hostname(h.get(client.data()));
        }
    }
    let mut x = Exchange {
        ctx,
        client,
        client_w,
        head,
        peer,
        tls,
        scratch,
        log,
        upgraded: None,
        trace: traced.as_ref().map(|t| &t.trace),
    };
    let result = match &replica {
        Some(r) => crate::proxy::handle(&mut x, r).await,
        None => Err(ProxyError::NotReady),
    };
    let Exchange {
        client,
        client_w,
        scratch,
        mut log,
        upgraded,
        ..
    } = x;
    let next = match &result {
        Ok(()) if log.status == 0 => {
            // The pipeline produced no response (no forward-request): APIM answers 200, empty.
            client.consume(head.head_len);
            let mut out = std::mem::take(&mut scratch.out);
            out.clear();
            let close = !head.keep_alive || has_body(head) || ctx.is_draining();
            write_simple(&mut out, 200, "text/plain", b"", close);
            let writing = Instant::now();
            let (res, out) = write_vec(client_w, out).await;
            log.client_time += writing.elapsed();
            scratch.out = out;
            log.status = 200;
            if res.is_err() || close {
                Next::Close
            } else {
                Next::Continue
            }
        }
        Ok(()) if log.keep_alive && log.request_body_done && !log.upgraded => Next::Continue,
        Ok(()) => Next::Close,
        Err(e) => {
            log_failure(ctx, peer, replica.as_deref(), &log, e);
            if !log.response_started {
                if let Some((status, _)) = e.rescue() {
                    log.status = status;
                }
                let writing = Instant::now();
                send_error(client_w, scratch, e).await;
                log.client_time += writing.elapsed();
            }
            Next::Close
        }
    };
    ctx.count_request(result.is_err());
    request_metrics::record(ctx, replica.as_deref(), &log, result.as_ref().err(), started);
    if let Some(t) = &traced {
        let error = result.as_ref().err();
        request_trace::finish(ctx, t, head, peer, tls.is_some(), replica.as_deref(), &log, error);
    }
    if let Some(log_url) = url {
        access_log::emit(
            ctx,
            peer,
            head,
            &log_url,
            &log,
            replica.as_deref(),
            result.as_ref().err(),
            started,
        );
    }
    let pending = !client.data().is_empty() || (has_body(head) && !log.request_body_done);
    match (upgraded, next) {
        (Some(up), _) if result.is_ok() => Next::Tunnel(up),
        (_, Next::Close) if pending => Next::Linger,
        (_, next) => next,
    }
}

/// Whether the request announces a non-empty body.
fn has_body(head: &RequestHead) -> bool {
    !matches!(
        head.framing,
        crate::http::BodyFraming::None | crate::http::BodyFraming::Length(0)
    )
}

/// Logs a failed request with its worker, API, operation and peer (never
/// headers or bodies): backend failures at warn, client-caused ones at debug.
fn log_failure(
    ctx: &WorkerCtx,
    peer: SocketAddr,
    replica: Option<&crate::replica::Replica>,
    log: &RequestLog,
    e: &ProxyError,
) {
    let api = replica.zip(log.api).and_then(|(r, i)| r.apis.get(i));
    let operation = api.zip(log.operation).and_then(|(a, i)| a.operations.get(i));
    let api_id = api.map_or("", |a| a.id.as_str());
    let op_id = operation.map_or("", |o| o.id.as_str());
    match e.rescue() {
        Some((status, _)) if status >= 500 => {
            tracing::warn!(worker = ctx.id, api = api_id, operation = op_id, peer = %peer, status, error = %e, "request failed")
        }
        _ => debug!(worker = ctx.id, api = api_id, operation = op_id, peer = %peer, error = %e, "request failed"),
    }
}

async fn health(
    ctx: &WorkerCtx,
    client: &mut Buffered<ReadHalf>,
    client_w: &mut WriteHalf,
    head: &RequestHead,
    scratch: &mut Scratch,
    ready: bool,
) -> Next {
    let close = !head.keep_alive || has_body(head) || ctx.is_draining();
    client.consume(head.head_len);
    let mut out = std::mem::take(&mut scratch.out);
    out.clear();
    let (status, body): (u16, &[u8]) = if ready {
        (200, b"")
    } else {
        (503, b"no configuration loaded")
    };
    write_simple(&mut out, status, "text/plain", body, close);
    let (res, out) = write_vec(client_w, out).await;
    scratch.out = out;
    if res.is_err() {
        Next::Close
    } else if close && (has_body(head) || !client.data().is_empty()) {
        Next::Linger
    } else if close {
        Next::Close
    } else {
        Next::Continue
    }
}
