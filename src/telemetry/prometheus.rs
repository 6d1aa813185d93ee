//! The Prometheus scrape endpoint (`telemetry.metrics.local=prometheus`):
//! a std listener on `telemetry.metrics.prometheus.address:port` served by
//! its own thread (`outpost-prometheus`), answering `GET /metrics` with the
//! text exposition of the cumulative store ([`super::prometheus_text`]).
//!
//! Invariants:
//! - a scrape reads the [`SharedStore`] under its mutex (held while the
//!   text is rendered); workers never take that lock, so a scrape costs
//!   them nothing; the hub waits at most one render;
//! - HTTP parsing is strict and bounded: one request head of at most
//!   [`MAX_HEAD`] bytes read within [`READ_TIMEOUT`] (httparse, at most
//!   [`MAX_HEADERS`] headers), only `GET`/`HEAD` of `/metrics` (query
//!   ignored) or `/`; anything else gets a 4xx; one request per connection
//!   (`Connection: close`), so no body or pipelining is ever read;
//! - at most [`MAX_CONNECTIONS`] connections are served at once (each on a
//!   short-lived thread); more are closed at once.

use super::hub::{lock, SharedStore, SinkQueue};
use super::prometheus_text::{render, SinkDrops};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest request head read.
pub const MAX_HEAD: usize = 8 * 1024;
/// Headers a request may have.
pub const MAX_HEADERS: usize = 64;
/// Time to receive the whole head (and the write timeout).
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 8;

/// Binds the endpoint and starts its thread; returns the bound address
/// (logged, as the port may be ephemeral).
pub fn spawn(addr: SocketAddr, store: SharedStore, sinks: Vec<SinkQueue>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let bound = listener.local_addr()?;
    let active = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new()
        .name("outpost-prometheus".into())
        .spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                if active.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::AcqRel);
                    continue;
                }
                let (store, sinks, done) = (store.clone(), sinks.clone(), active.clone());
                let spawned = std::thread::Builder::new()
                    .name("outpost-prometheus-conn".into())
                    .spawn(move || {
                        serve(conn, &store, &sinks);
                        done.fetch_sub(1, Ordering::AcqRel);
                    });
                if spawned.is_err() {
                    active.fetch_sub(1, Ordering::AcqRel);
                }
            }
        })?;
    tracing::info!(address = %bound, path = "/metrics", "Prometheus endpoint listening");
    Ok(bound)
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    Metrics { head_only: bool },
    Error(u16, &'static str),
}

fn serve(mut conn: TcpStream, store: &SharedStore, sinks: &[SinkQueue]) {
    let _ = conn.set_write_timeout(Some(READ_TIMEOUT));
    let asked = match read_head(&mut conn) {
        Some(head) => parse(&head),
        None => return,
    };
    let response = match asked {
        Asked::Metrics { head_only } => {
            let drops: Vec<SinkDrops> = sinks
                .iter()
                .map(|q| SinkDrops {
                    sink: q.name,
                    dropped: q.dropped(),
                })
                .collect();
            let body = render(&lock(store), &drops);
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            if !head_only {
                r.extend_from_slice(body.as_bytes());
            }
            r
        }
        Asked::Error(status, reason) => format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{reason}",
            reason.len()
        )
        .into_bytes(),
    };
    let _ = conn.write_all(&response);
    let _ = conn.shutdown(std::net::Shutdown::Write);
}

/// Reads until the end of the head; `None` on timeout, close or I/O error;
/// an oversized head is returned whole-so-far (and refused by [`parse`]).
fn read_head(conn: &mut TcpStream) -> Option<Vec<u8>> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut buf = vec![0u8; MAX_HEAD];
    let mut len = 0;
    while len < MAX_HEAD {
        let left = deadline.checked_duration_since(Instant::now())?;
        conn.set_read_timeout(Some(left.max(Duration::from_millis(1)))).ok()?;
        let n = conn.read(buf.get_mut(len..)?).ok()?;
        if n == 0 {
            return None;
        }
        len += n;
        if buf.get(..len)?.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    buf.truncate(len);
    Some(buf)
}

fn parse(head: &[u8]) -> Asked {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if head.len() >= MAX_HEAD => {
            return Asked::Error(431, "Request Header Fields Too Large")
        }
        Err(httparse::Error::TooManyHeaders) => return Asked::Error(431, "Request Header Fields Too Large"),
        _ => return Asked::Error(400, "Bad Request"),
    }
    let path = req.path.unwrap_or("");
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    if path != "/metrics" && path != "/" {
        return Asked::Error(404, "Not Found");
    }
    match req.method {
        Some("GET") => Asked::Metrics { head_only: false },
        Some("HEAD") => Asked::Metrics { head_only: true },
        _ => Asked::Error(405, "Method Not Allowed"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::hub::Store;
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn requests_are_parsed_strictly() {
        assert_eq!(
            parse(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            Asked::Metrics { head_only: false }
        );
        assert_eq!(
            parse(b"GET /metrics?x=1 HTTP/1.0\r\n\r\n"),
            Asked::Metrics { head_only: false }
        );
        assert_eq!(parse(b"HEAD / HTTP/1.1\r\n\r\n"), Asked::Metrics { head_only: true });
        assert_eq!(
            parse(b"POST /metrics HTTP/1.1\r\n\r\n"),
            Asked::Error(405, "Method Not Allowed")
        );
        assert_eq!(parse(b"GET /other HTTP/1.1\r\n\r\n"), Asked::Error(404, "Not Found"));
        assert_eq!(parse(b"GET /metrics HTTP/1.1\r\n"), Asked::Error(400, "Bad Request"));
        assert_eq!(parse(b"GET\x00 / HTTP/1.1\r\n\r\n"), Asked::Error(400, "Bad Request"));
        let mut many = b"GET /metrics HTTP/1.1\r\n".to_vec();
        for i in 0..100 {
            many.extend_from_slice(format!("X-{i}: y\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(parse(&many), Asked::Error(431, "Request Header Fields Too Large"));
        let big = vec![b'a'; MAX_HEAD];
        assert_eq!(parse(&big), Asked::Error(431, "Request Header Fields Too Large"));
    }

    #[test]
    fn serves_the_store_over_tcp() {
        let store = Arc::new(Mutex::new(Store::new(Arc::from(vec![10.0]), 10)));
        lock(&store).folded = 7;
        let addr = spawn("127.0.0.1:0".parse().unwrap(), store, Vec::new()).unwrap();
        let mut c = TcpStream::connect(addr).unwrap();
        c.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        let mut text = String::new();
        c.read_to_string(&mut text).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("\noutpost_telemetry_folded_total 7\n"), "{text}");
        let mut c = TcpStream::connect(addr).unwrap();
        c.write_all(b"DELETE /metrics HTTP/1.1\r\n\r\n").unwrap();
        let mut text = String::new();
        c.read_to_string(&mut text).unwrap();
        assert!(text.starts_with("HTTP/1.1 405 "), "{text}");
    }
}
