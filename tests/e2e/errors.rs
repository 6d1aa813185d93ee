//! Backend failures map to 502/504 with `Connection: close`; a client that
//! goes away mid-body does not hurt the worker.

use crate::support::*;
use std::net::TcpListener;
use std::time::Duration;

fn assert_error_and_close(c: &mut Conn, r: &Response, status: u16, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.status_line());
    assert!(
        r.headers.has_token("connection", "close"),
        "{what}: error responses carry Connection: close: {:?}",
        r.headers
    );
    c.assert_closed();
}

#[test]
fn dead_backend_gives_502() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let gw = Gateway::builder()
        .proxy("dead", "api", &format!("http://127.0.0.1:{port}/base"))
        .start();
    let mut c = gw.connect();
    let r = c.get("/api/x");
    assert_error_and_close(&mut c, &r, 502, "GET to a closed port");
}

#[test]
fn backend_closing_without_response_gives_502() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    let r = c.get("/api/close");
    assert_error_and_close(&mut c, &r, 502, "backend closed without answering");
    assert!(backend.request_count() >= 1, "the request reached the backend");
}

#[test]
fn slow_backend_gives_504_after_the_response_timeout() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("slow", "api", &backend.url())
        .env("OUTPOST_NET_CLIENT_RESPONSE_TIMEOUT", "500ms")
        .start();
    let mut c = gw.connect();
    let r = c.get("/api/hang");
    assert_error_and_close(&mut c, &r, 504, "backend never answers");
    // The gateway gave up on the backend connection as well.
    let mut fresh = gw.connect();
    assert_eq!(fresh.get("/api/fixed").status, 200);
}

#[test]
fn client_disconnect_mid_body_leaves_the_worker_serving() {
    let backend = Backend::start("b");
    // One worker, so the next request is served by the same one.
    let gw = Gateway::builder()
        .proxy("t", "api", &backend.url())
        .env("OUTPOST_RUNTIME_WORKERS", "1")
        .start();
    for _ in 0..3 {
        let mut c = gw.connect();
        c.send(b"POST /api/echo/partial HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
        c.send(&pattern(1000));
        drop(c);
        let mut next = gw.connect();
        let r = next.request("POST", "/api/echo/after", &[], b"still alive");
        assert_eq!(r.status, 200, "{}", r.status_line());
        assert_eq!(r.text(), "still alive");
    }
    backend.wait_until("the three good requests", Duration::from_secs(10), |r| {
        r.iter().filter(|q| q.target.ends_with("/after") && q.complete).count() == 3
    });
    assert!(backend
        .requests()
        .iter()
        .all(|q| !q.target.ends_with("/partial") || !q.complete));
}

#[test]
fn idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("t", "api", &backend.url())
        .env("OUTPOST_NET_SERVER_HTTP_KEEPALIVE_TIMEOUT", "300ms")
        .start();
    let mut c = gw.connect();
    let r = c.get("/api/one");
    assert_eq!(r.status, 200, "{}", r.status_line());
    // Nothing more is sent: the gateway closes the idle connection by itself
    // (the read blocks until then; the client's own read timeout is far longer).
    c.assert_closed();
}

#[test]
fn backend_that_never_accepts_gives_504_after_the_connect_timeout() {
    use socket2::{Domain, Socket, Type};
    // A listener whose accept queue is full and never drained: further SYNs
    // are dropped by the kernel, so a connect neither succeeds nor fails.
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        s.set_nonblocking(true).unwrap();
        let _ = s.connect(&addr.into());
        fillers.push(s);
    }
    let gw = Gateway::builder()
        .proxy("blackhole", "api", &format!("http://{addr}/base"))
        .env("OUTPOST_NET_CLIENT_CONNECT_TIMEOUT", "300ms")
        .start();
    let mut c = gw.connect();
    let r = c.get("/api/x");
    assert_error_and_close(&mut c, &r, 504, "backend never completes the TCP handshake");
    drop(fillers);
}
