//! The per-worker backend connection pool: a pooled connection the backend
//! has closed is replaced transparently for an idempotent request, idle
//! connections are closed after `net.client.pool.idle.timeout`, and at most
//! `net.client.pool.max-idle` are kept per backend.

use crate::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Counts {
    /// Connections accepted, requests answered, connections the gateway closed.
    accepted: usize,
    requests: usize,
    closed_by_peer: usize,
    /// Responses are held until this is true.
    open: bool,
}

/// A keep-alive backend that records connections; with `close_after_one`
/// it closes every connection right after its first response without
/// announcing it (what a backend with a short idle timeout does).
struct PoolBackend {
    port: u16,
    state: Arc<(Mutex<Counts>, Condvar)>,
}

impl PoolBackend {
    fn start(close_after_one: bool, open: bool) -> PoolBackend {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new((
            Mutex::new(Counts {
                open,
                ..Counts::default()
            }),
            Condvar::new(),
        ));
        let s = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                s.0.lock().unwrap().accepted += 1;
                s.1.notify_all();
                let s = s.clone();
                std::thread::spawn(move || serve(conn, &s, close_after_one));
            }
        });
        PoolBackend { port, state }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/base", self.port)
    }

    fn wait(&self, what: &str, pred: impl Fn(&Counts) -> bool) {
        let (m, cv) = &*self.state;
        let deadline = Instant::now() + WAIT;
        let mut c = m.lock().unwrap();
        while !pred(&c) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}: accepted {}, requests {}, closed {}",
                c.accepted,
                c.requests,
                c.closed_by_peer
            );
            c = cv.wait_timeout(c, left).unwrap().0;
        }
    }

    fn open(&self) {
        self.state.0.lock().unwrap().open = true;
        self.state.1.notify_all();
    }

    fn accepted(&self) -> usize {
        self.state.0.lock().unwrap().accepted
    }
}

fn serve(conn: TcpStream, s: &(Mutex<Counts>, Condvar), close_after_one: bool) {
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            s.0.lock().unwrap().closed_by_peer += 1;
            s.1.notify_all();
            return;
        }
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; len];
        let _ = r.read_exact(&mut body);
        {
            let mut c = s.0.lock().unwrap();
            c.requests += 1;
            s.1.notify_all();
            while !c.open {
                c = s.1.wait(c).unwrap();
            }
        }
        let _ = r.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        if close_after_one {
            return;
        }
    }
}

fn gateway(backend: &PoolBackend, settings: &[(&str, &str)]) -> Gateway {
    let mut b = Gateway::builder()
        .proxy("pooled", "api", &backend.url())
        .env("OUTPOST_RUNTIME_WORKERS", "1");
    for (k, v) in settings {
        b = b.env(k, v);
    }
    b.start()
}

#[test]
fn a_pooled_connection_the_backend_closed_is_replaced_for_idempotent_requests() {
    let backend = PoolBackend::start(true, true);
    let gw = gateway(&backend, &[]);
    let mut c = gw.connect();
    for method in ["GET", "GET", "OPTIONS", "PUT", "DELETE", "GET"] {
        let r = c.request(method, "/api/x", &[], b"");
        assert_eq!(
            r.status,
            200,
            "{method} after the backend closed its pooled connection: {}",
            r.text()
        );
    }
    assert_eq!(backend.accepted(), 6, "one fresh backend connection per request");
}

#[test]
fn idle_backend_connections_are_closed_after_the_pool_idle_timeout() {
    let backend = PoolBackend::start(false, true);
    let gw = gateway(&backend, &[("OUTPOST_NET_CLIENT_POOL_IDLE_TIMEOUT", "300ms")]);
    assert_eq!(gw.connect().get("/api/x").status, 200);
    backend.wait("the gateway to close the idle backend connection", |c| {
        c.closed_by_peer == 1
    });
    // The next request needs (and gets) a new connection.
    assert_eq!(gw.connect().get("/api/y").status, 200);
    assert_eq!(backend.accepted(), 2);
}

#[test]
fn at_most_max_idle_backend_connections_are_kept() {
    const CONCURRENT: usize = 3;
    let backend = PoolBackend::start(false, false);
    let gw = gateway(&backend, &[("OUTPOST_NET_CLIENT_POOL_MAX_IDLE", "1")]);
    // Three requests in flight at once need three backend connections.
    let mut clients: Vec<Conn> = (0..CONCURRENT).map(|_| gw.connect()).collect();
    for c in &mut clients {
        c.send(b"GET /api/x HTTP/1.1\r\nHost: t\r\n\r\n");
    }
    backend.wait("three requests in flight", |c| c.requests == CONCURRENT);
    backend.open();
    for c in &mut clients {
        assert_eq!(c.read_response().status, 200);
    }
    // Back in the pool, only one is kept; the other two are closed.
    backend.wait("two surplus connections closed", |c| c.closed_by_peer == CONCURRENT - 1);
    for _ in 0..3 {
        assert_eq!(gw.connect().get("/api/again").status, 200);
    }
    assert_eq!(backend.accepted(), CONCURRENT, "the kept connection is reused");
}
