//! Connections that go idle give their buffers back (issue 17): the next
//! request on them still works (plain, pipelined, large heads that span
//! several reads, bodies), and the workers' pool of read buffers returns to
//! no buffer lent once every connection is idle, after a load of many
//! connections — seen on the Prometheus self-metrics
//! `outpost_worker_buffers_in_use`.

use crate::support::gateway::GatewayBuilder;
use crate::support::*;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

/// A gateway with a proxy API `api` → `backend`, the Prometheus endpoint on
/// an ephemeral port and the given buffer hold.
fn gateway(backend: &Backend, hold: &str) -> GatewayBuilder {
    Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL", "prometheus")
        .env("OUTPOST_TELEMETRY_METRICS_PROMETHEUS_ADDRESS", "127.0.0.1")
        .env("OUTPOST_TELEMETRY_METRICS_PROMETHEUS_PORT", "0")
        .env("OUTPOST_NET_SERVER_HTTP_KEEPALIVE_BUFFER_HOLD", hold)
}

/// The Prometheus endpoint's port, from the start-up log line.
fn metrics_port(gw: &Gateway) -> u16 {
    let line = gw.wait_for_line(|l| l.contains("Prometheus endpoint listening"), WAIT);
    let addr = crate::support::gateway::field(&line, "address").unwrap_or_else(|| panic!("no address in {line}"));
    addr.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {addr}"))
}

/// Sum over workers of `outpost_worker_buffers_<name>` (None before the
/// workers first reported).
fn buffers(port: u16, name: &str) -> Option<u64> {
    let text = Conn::connect(port).get("/metrics").text();
    let prefix = format!("outpost_worker_buffers_{name}{{");
    let values: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// Waits until no worker lends a buffer (every connection idle or closed),
/// and returns how many free buffers the pools keep.
fn wait_no_buffer_lent(port: u16) -> u64 {
    let deadline = Instant::now() + WAIT;
    loop {
        if buffers(port, "in_use") == Some(0) {
            return buffers(port, "idle").unwrap_or(0);
        }
        assert!(
            Instant::now() < deadline,
            "buffers still lent after {WAIT:?}: in use {:?}",
            buffers(port, "in_use")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn idle_keep_alive_connections_lend_no_buffer_and_carry_their_next_request() {
    // The epoll driver too: its readiness wait must not trust the readiness
    // left by the last successful read.
    for (hold, driver) in [("0s", "auto"), ("1s", "auto"), ("0s", "epoll")] {
        let backend = Backend::start("b");
        let gw = gateway(&backend, hold).env("OUTPOST_RUNTIME_DRIVER", driver).start();
        let port = metrics_port(&gw);
        let mut conns: Vec<Conn> = (0..20).map(|_| gw.connect()).collect();
        for (i, c) in conns.iter_mut().enumerate() {
            let body = pattern(10_000 + i);
            let r = c.request("POST", &format!("/api/echo/{i}"), &[], &body);
            assert_eq!(
                (r.status, r.body.len()),
                (200, body.len()),
                "hold {hold} {driver}: first request {i}"
            );
        }
        let kept = wait_no_buffer_lent(port);
        assert!(
            kept > 0,
            "hold {hold} {driver}: the buffers went back to the pool, not away"
        );
        // Every idle connection carries its next request: a GET, a body, and
        // three pipelined requests in one write.
        for (i, c) in conns.iter_mut().enumerate() {
            assert_eq!(
                c.get(&format!("/api/echo/again-{i}")).status,
                200,
                "hold {hold} {driver}: {i}"
            );
            let body = pattern(70_000);
            let r = c.request("PUT", "/api/echo/big", &[], &body);
            assert_eq!(
                r.body, body,
                "hold {hold} {driver}: {i}: a body after the buffer came back"
            );
        }
        wait_no_buffer_lent(port);
        for c in conns.iter_mut() {
            c.send(
                b"GET /api/echo/p1 HTTP/1.1\r\nHost: x\r\n\r\n\
                  POST /api/echo/p2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
                  GET /api/fixed/p3 HTTP/1.1\r\nHost: x\r\n\r\n",
            );
            let (r1, r2, r3) = (c.read_response(), c.read_response(), c.read_response());
            assert_eq!(r1.header("x-request-target").as_deref(), Some("/base/echo/p1"));
            assert_eq!(r2.text(), "hello");
            assert_eq!(r3.header("x-request-target").as_deref(), Some("/base/fixed/p3"));
        }
    }
}

/// A head far larger than the first (small) read buffer, sent in pieces,
/// first on a new connection, then on one that has gone idle.
#[test]
fn large_heads_spanning_several_reads_parse_after_idle() {
    let backend = Backend::start("b");
    let gw = gateway(&backend, "0s").start();
    let port = metrics_port(&gw);
    let big = "v".repeat(350);
    let mut head = String::from("GET /api/echo/large HTTP/1.1\r\nHost: x\r\n");
    for i in 0..60 {
        head.push_str(&format!("X-Filler-{i}: {big}\r\n"));
    }
    head.push_str("\r\n");
    assert!(head.len() > 20_000);
    let mut c = gw.connect();
    for round in 0..2 {
        for piece in head.as_bytes().chunks(3000) {
            c.send(piece);
        }
        let r = c.read_response();
        assert_eq!(r.status, 200, "round {round}: {}", r.status_line());
        let reqs = backend.wait_until("the large request", WAIT, |r| r.len() > round);
        assert_eq!(reqs[round].headers.get("x-filler-59").as_deref(), Some(big.as_str()));
        wait_no_buffer_lent(port);
    }
    // A partial head, then the rest after the gateway has read the start.
    c.send(b"GET /api/echo/slow HTTP/1.1\r\n");
    c.send(b"Host: x\r\n\r\n");
    assert_eq!(c.read_response().status, 200);
}

/// Many connections at once, bodies both ways, some closed by the client
/// mid-way: afterwards no buffer is lent, whatever path each connection
/// took (buffers return to the pool when dropped).
#[test]
fn after_a_load_of_many_connections_no_buffer_is_lent() {
    let backend = Backend::start("b");
    let gw = gateway(&backend, "1s").start();
    let port = metrics_port(&gw);
    let gw_port = gw.port;
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                for n in 0..10 {
                    let mut c = Conn::connect(gw_port);
                    for k in 0..5 {
                        let body = pattern(1000 * (t + 1) * (k + 1));
                        let r = c.request("POST", &format!("/api/echo/{t}-{n}-{k}"), &[], &body);
                        assert_eq!(r.body.len(), body.len());
                    }
                    if n % 3 == 0 {
                        // Leave mid-request: a head and part of a body.
                        c.send(b"POST /api/echo/cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\npartial");
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a load thread failed");
    }
    wait_no_buffer_lent(port);
    assert_eq!(gw.connect().get("/api/echo/after").status, 200);
}
