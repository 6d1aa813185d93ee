//! The management plane's HTTP/1.1 transport: a blocking accept loop with
//! one thread per connection (plain std threads: the management plane is
//! off the data path), keep-alive, pipelining in order, and response
//! framing. Requests reach the router as [`Req`], answers leave as [`Resp`].
//!
//! Invariants: at most [`Limits::max_connections`] connections are served
//! at once; one more is answered 503 (JSON error body) and closed by the
//! accept thread, which never blocks on a client. A connection thread
//! waits for a request at most [`Limits::idle_timeout`]; a handler that
//! holds a request (a gateway's long poll) is never cut by a transport
//! timeout, since none runs while the handler does. Every response carries
//! `Content-Length` (except 1xx/204/304) and `Connection`; a HEAD response
//! has no body. A transport error (bad head, oversize head or body) is
//! answered with its status and the connection closed.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::http::{to_req, Req, Resp};
use super::wire::{ReadError, Wire};
use crate::http::BodyFraming;
use crate::mgmt::MgmtError;

/// A request handler: the router, or a test double.
pub(super) type Handler = dyn Fn(Req) -> Resp + Send + Sync;

/// Bounds of the transport.
#[derive(Clone, Debug)]
pub(super) struct Limits {
    /// Connections served at once (each may hold a long poll); more get 503.
    pub max_connections: usize,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How long a request head may take from its first byte (slowloris).
    pub head_timeout: Duration,
    /// Bound on each body read and each response write.
    pub io_timeout: Duration,
    /// Largest request head (431 beyond).
    pub max_head: usize,
    /// Longest request target (414 beyond).
    pub max_uri: usize,
    /// Largest request body, whatever its framing (413 beyond).
    pub max_body: usize,
}

/// Counts a served connection until dropped (also when a handler panics).
struct Active(Arc<AtomicUsize>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Accepts connections forever, each served on its own thread.
pub(super) fn serve_listener(listener: TcpListener, limits: Limits, handler: Arc<Handler>) {
    let limits = Arc::new(limits);
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "management plane: accept failed");
                // Out of descriptors or similar: do not spin on the error.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= limits.max_connections {
            active.fetch_sub(1, Ordering::SeqCst);
            refuse(stream);
            continue;
        }
        let guard = Active(active.clone());
        let (limits, handler) = (limits.clone(), handler.clone());
        let spawned = std::thread::Builder::new()
            .name("outpost-mgmt-conn".into())
            .spawn(move || {
                let _guard = guard;
                serve_connection(stream, &limits, &*handler);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "management plane: cannot start a connection thread");
        }
    }
}

/// Over the connection bound: 503 and close, without blocking the caller.
fn refuse(mut stream: TcpStream) {
    let err = MgmtError::Unavailable("too many concurrent connections".into());
    let resp = Resp::json(503, &err.to_json());
    if stream.set_nonblocking(true).is_ok() {
        // Whatever request bytes already arrived are read, so closing does
        // not reset the connection before the client reads the 503.
        let mut sink = [0u8; 16 * 1024];
        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        let _ = write_response(&mut stream, &resp, false, false);
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// Serves requests on one connection until it closes, idles out, fails,
/// or a response closes it.
pub(super) fn serve_connection(stream: TcpStream, limits: &Limits, handler: &Handler) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(limits.io_timeout));
    let mut wire = Wire::new(stream);
    loop {
        let (req, keep_alive, head_only) = match read_request(&mut wire, limits) {
            Ok(r) => r,
            Err(ReadError::Gone) => return,
            Err(ReadError::Answer(e)) => {
                let (status, _) = e.status_and_code();
                let _ = write_response(&mut wire.stream, &Resp::json(status, &e.to_json()), false, false);
                linger_close(&wire.stream);
                return;
            }
        };
        let resp = handler(req);
        if write_response(&mut wire.stream, &resp, keep_alive, head_only).is_err() {
            return;
        }
        if !keep_alive {
            linger_close(&wire.stream);
            return;
        }
    }
}

/// The next request, and whether the connection stays open after it and
/// the response is head-only.
fn read_request(wire: &mut Wire, limits: &Limits) -> Result<(Req, bool, bool), ReadError> {
    let head = wire.read_head(limits)?;
    let has_body = matches!(head.framing, BodyFraming::Chunked | BodyFraming::Length(1..));
    if has_body && head.expect_continue && !head.http10 {
        wire.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let body = wire.read_body(head.framing, limits)?;
    let (keep_alive, head_only) = (head.keep_alive, head.method == "HEAD");
    Ok((to_req(head, body), keep_alive, head_only))
}

/// Closes after a final response: stops sending, then reads (briefly,
/// boundedly) what the client still sends so the close does not reset
/// the connection before the client has read the response.
fn linger_close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 16 * 1024];
    let mut left: usize = 1024 * 1024;
    let mut s = stream;
    while let Ok(n @ 1..) = s.read(&mut sink) {
        left = match left.checked_sub(n) {
            Some(l) => l,
            None => return,
        };
    }
}

/// Writes one response with `Content-Length` and `Connection` headers.
/// Header lines the handler set that could break the framing are dropped.
pub(super) fn write_response(w: &mut impl Write, resp: &Resp, keep_alive: bool, head_only: bool) -> io::Result<()> {
    let status = resp.status;
    let bodyless = (100..200).contains(&status) || status == 204 || status == 304;
    let mut out = Vec::with_capacity(256 + resp.body.len());
    write!(out, "HTTP/1.1 {status} {}\r\n", reason(status))?;
    for (k, v) in &resp.headers {
        let framing = ["content-length", "connection", "transfer-encoding"]
            .iter()
            .any(|f| k.eq_ignore_ascii_case(f));
        let unsafe_text = |s: &str| s.bytes().any(|b| b == b'\r' || b == b'\n');
        if !framing && !unsafe_text(k) && !unsafe_text(v) && !k.is_empty() {
            write!(out, "{k}: {v}\r\n")?;
        }
    }
    if !bodyless {
        write!(out, "Content-Length: {}\r\n", resp.body.len())?;
    }
    let connection = if keep_alive { "keep-alive" } else { "close" };
    write!(out, "Connection: {connection}\r\n\r\n")?;
    if !bodyless && !head_only {
        out.extend_from_slice(&resp.body);
    }
    w.write_all(&out)?;
    w.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}
