//! Backends that answer before reading the request body (or answer and
//! close): the client must receive the complete response, never a reset,
//! and its connection must stay usable whenever the body could be read.

use crate::bodies::start_upload;
use crate::support::client::chunked;
use crate::support::*;
use std::io::Write;
use std::time::Duration;

fn assert_early(r: &Response, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.status_line());
    assert_eq!(r.text(), "early", "{what}: the whole response body");
}

/// Small bodies (sent after the head, in a separate write) are read whole
/// and sent with the head in one write: an early answer changes nothing,
/// the client connection carries every request, and a backend that keeps
/// its connection open is reused.
#[test]
fn small_bodies_answered_early_keep_the_connections() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let body = pattern(16 * 1024);
    for (mode, backend_conns) in [("early-close", 10), ("early", 1)] {
        let before = backend.connections();
        let mut c = gw.connect();
        for i in 0..10 {
            let what = format!("{mode} request {i}");
            c.send(
                format!(
                    "POST /api/{mode} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            c.send(&body);
            let r = c.read_response();
            assert_early(&r, &what);
            assert_eq!(r.header("connection"), None, "{what}: the client connection stays open");
        }
        if mode == "early" {
            let reqs = backend.wait_until("the bodies", Duration::from_secs(10), |r| {
                r.iter().filter(|q| q.target.ends_with("/early") && q.complete).count() == 10
            });
            assert!(
                reqs.iter()
                    .filter(|q| q.target.ends_with("/early"))
                    .all(|q| q.body_len == body.len() as u64),
                "every body reached the backend whole"
            );
        }
        assert_eq!(
            backend.connections() - before,
            backend_conns,
            "{mode}: backend connections used for 10 requests"
        );
    }
}

/// A 1 MiB upload (streamed) answered before it was read: the client gets
/// the complete response while still sending, the gateway reads the rest of
/// the body, and the same connection then serves another request. The
/// backend that closed (and reset the upload) gets a fresh connection.
#[test]
fn streamed_upload_answered_early_is_drained_and_the_connection_reused() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    for mode in ["early", "early-close"] {
        let what = format!("{mode} 1 MiB");
        let mut c = gw.connect();
        let writer = start_upload(&mut c, &format!("/api/{mode}"), 1 << 20, false);
        let r = c.read_response();
        assert_early(&r, &what);
        assert_eq!(r.header("connection"), None, "{what}: kept alive");
        writer
            .join()
            .expect("writer thread")
            .unwrap_or_else(|e| panic!("{what}: the gateway must read the whole body: {e}"));
        let r = c.get("/api/fixed");
        assert_eq!(
            (r.status, r.text()),
            (200, "hello world".into()),
            "{what}: next request"
        );
    }
}

/// Bodies that cannot be drained (chunked, or longer than
/// `net.server.http.lingering.max-bytes`) get the complete early response
/// marked `Connection: close`, then an orderly close. The client sends only
/// the first 256 KiB of its body, so the body is certainly unfinished when
/// the response is written.
#[test]
fn undrainable_upload_answered_early_gets_the_response_then_a_close() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("t", "api", &backend.url())
        .env("OUTPOST_NET_SERVER_HTTP_LINGERING_MAX_BYTES", "200000")
        .start();
    for mode in ["early-close", "early"] {
        for chunked_encoding in [false, true] {
            let what = format!("{mode} chunked={chunked_encoding}");
            let mut c = gw.connect();
            let part = pattern(256 * 1024);
            let (framing, bytes) = if chunked_encoding {
                let mut b = chunked(&part, 10_000);
                b.truncate(b.len() - b"0\r\n\r\n".len());
                ("Transfer-Encoding: chunked".to_string(), b)
            } else {
                (format!("Content-Length: {}", 4 << 20), part)
            };
            c.send(format!("POST /api/{mode} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n").as_bytes());
            let mut w = c.writer();
            // The gateway may stop reading (and close) before all of it is sent.
            let writer = std::thread::spawn(move || w.write_all(&bytes));
            let r = c.read_response();
            assert_early(&r, &what);
            assert_eq!(r.header("connection").as_deref(), Some("close"), "{what}");
            c.assert_closed();
            let _ = writer.join().expect("writer thread");
        }
    }
}

/// A `Content-Length` over `net.server.http.body.max-bytes` is refused with
/// 413 before the body is read; the client, still uploading, receives the
/// whole 413 response rather than a reset.
#[test]
fn body_over_the_limit_gets_a_complete_413_while_uploading() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("t", "api", &backend.url())
        .env("OUTPOST_NET_SERVER_HTTP_BODY_MAX_BYTES", "100000")
        .start();
    for chunked_encoding in [false, true] {
        let mut c = gw.connect();
        let writer = start_upload(&mut c, "/api/echo/over", 4 << 20, chunked_encoding);
        let r = c.read_response();
        assert_eq!(r.status, 413, "chunked={chunked_encoding}: {}", r.status_line());
        assert!(r.text().contains("\"statusCode\": 413"), "{}", r.text());
        assert_eq!(r.header("connection").as_deref(), Some("close"));
        c.assert_closed();
        let _ = writer.join().expect("writer thread");
    }
    assert!(
        backend.requests().iter().all(|q| !q.complete),
        "an over-limit body is never delivered whole"
    );
}
