//! Request-smuggling defences and limits over raw sockets. Each rejection is
//! checked on the status line, on the connection being closed, and on the
//! backend: after a valid sentinel request, it must have seen only that one.

use crate::support::client::chunked;
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
const SMUGGLED: &str = "GET /api/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

/// Sends a valid request and returns the backend's requests once it arrived.
fn sentinel(gw: &Gateway, backend: &Backend) -> Vec<backend::Recorded> {
    let r = gw.connect().get("/api/fixed/sentinel");
    assert_eq!(r.status, 200, "the gateway still serves after a rejection");
    backend.wait_until("the sentinel", WAIT, |r| {
        r.iter().any(|q| q.target == "/base/fixed/sentinel")
    })
}

/// `raw` must get `status` (with Connection: close, then a close) and
/// nothing may reach the backend.
fn assert_rejected_with(env: &[(&str, &str)], raw: &[u8], status: u16) {
    let backend = Backend::start("b");
    let mut b = Gateway::builder().proxy("t", "api", &backend.url());
    for (k, v) in env {
        b = b.env(k, v);
    }
    let gw = b.start();
    let mut c = gw.connect();
    c.send_lossy(raw);
    let shown = String::from_utf8_lossy(&raw[..raw.len().min(300)]).into_owned();
    let r = c
        .read_response_or_close()
        .unwrap_or_else(|| panic!("connection closed without a {status} for {shown:?}"));
    assert_eq!(r.status, status, "request {shown:?}: got {}", r.status_line());
    assert!(
        r.headers.has_token("connection", "close"),
        "{status} must carry Connection: close: {:?}",
        r.headers
    );
    let rest = c.read_until_close();
    assert!(
        rest.is_empty(),
        "nothing may follow a {status}: {:?}",
        String::from_utf8_lossy(&rest)
    );
    let seen = sentinel(&gw, &backend);
    assert_eq!(
        seen.len(),
        1,
        "request {shown:?} must not reach the backend; it saw {seen:#?}"
    );
}

fn assert_rejected(raw: &str, status: u16) {
    assert_rejected_with(&[], raw.as_bytes(), status);
}

#[test]
fn content_length_with_transfer_encoding_is_400() {
    assert_rejected(
        &format!("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{SMUGGLED}"),
        400,
    );
}

#[test]
fn differing_content_lengths_are_400() {
    assert_rejected(
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        400,
    );
}

#[test]
fn differing_content_lengths_in_one_field_are_400() {
    assert_rejected(
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!",
        400,
    );
}

#[test]
fn signed_content_length_is_400() {
    assert_rejected(
        "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
        400,
    );
}

#[test]
fn transfer_encoding_gzip_then_chunked_is_400() {
    assert_rejected(
        &format!("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n{SMUGGLED}"),
        400,
    );
}

#[test]
fn transfer_encoding_chunked_then_gzip_is_400() {
    assert_rejected(
        &format!("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n{SMUGGLED}"),
        400,
    );
}

#[test]
fn transfer_encoding_identity_is_400() {
    assert_rejected(
        &format!("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n{SMUGGLED}"),
        400,
    );
}

#[test]
fn transfer_encoding_chunked_twice_is_400() {
    assert_rejected(
        &format!(
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{SMUGGLED}"
        ),
        400,
    );
}

#[test]
fn whitespace_before_colon_is_400() {
    assert_rejected("GET /api/echo HTTP/1.1\r\nHost : x\r\n\r\n", 400);
}

#[test]
fn whitespace_before_colon_in_transfer_encoding_is_400() {
    assert_rejected(
        &format!("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n{SMUGGLED}"),
        400,
    );
}

#[test]
fn obs_fold_is_400() {
    assert_rejected("GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 400);
}

#[test]
fn bare_cr_in_header_value_is_400() {
    assert_rejected("GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Cr: a\rb\r\n\r\n", 400);
}

#[test]
fn head_over_32_kib_is_431() {
    let big = "a".repeat(33 * 1024);
    assert_rejected(
        &format!("GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n"),
        431,
    );
}

#[test]
fn uri_over_8_kib_is_414() {
    let long = "a".repeat(9 * 1024);
    assert_rejected(&format!("GET /api/echo/{long} HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
}

#[test]
fn more_than_100_headers_is_431() {
    let mut req = String::from("GET /api/echo HTTP/1.1\r\nHost: x\r\n");
    for i in 0..101 {
        req.push_str(&format!("X-H{i}: v\r\n"));
    }
    req.push_str("\r\n");
    assert_rejected(&req, 431);
}

#[test]
fn content_length_over_body_max_is_413() {
    let mut raw = b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n".to_vec();
    raw.extend_from_slice(&pattern(2000));
    assert_rejected_with(&[("OUTPOST_NET_SERVER_HTTP_BODY_MAX_BYTES", "1000")], &raw, 413);
}

#[test]
fn chunked_body_over_body_max_is_413_and_never_completes_upstream() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("t", "api", &backend.url())
        .env("OUTPOST_NET_SERVER_HTTP_BODY_MAX_BYTES", "1000")
        .start();
    let mut c = gw.connect();
    let mut raw = b"POST /api/echo/over HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    raw.extend_from_slice(&chunked(&pattern(2000), 300));
    c.send_lossy(&raw);
    let r = c.read_response_or_close().expect("a 413 response");
    assert_eq!(r.status, 413, "{}", r.status_line());
    let seen = sentinel(&gw, &backend);
    assert!(
        seen.iter().all(|q| !q.target.ends_with("/over") || !q.complete),
        "an over-limit body must never be delivered whole: {seen:#?}"
    );
}

/// Bad chunked framing: the head may already be upstream, but the backend
/// must never receive a complete request, nor the bytes after the bad chunk
/// as a request of their own.
#[test]
fn bad_chunked_framing_is_400_or_close_and_nothing_is_smuggled() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let bodies = [
        format!("zz\r\n{SMUGGLED}"),
        format!("ffffffffffffffffffff\r\n{SMUGGLED}"),
        format!("5\r\nhelloXX0\r\n\r\n{SMUGGLED}"),
        format!("-5\r\nhello\r\n0\r\n\r\n{SMUGGLED}"),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let mut c = gw.connect();
        c.send_lossy(
            format!("POST /api/echo/bad{i} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{body}").as_bytes(),
        );
        if let Some(r) = c.read_response_or_close() {
            assert_eq!(r.status, 400, "chunked body {body:?}: {}", r.status_line());
            c.assert_closed();
        }
    }
    let seen = sentinel(&gw, &backend);
    for q in &seen {
        assert!(
            !q.target.contains("smuggled"),
            "smuggled request reached the backend: {seen:#?}"
        );
        assert!(
            !q.target.contains("/bad") || !q.complete,
            "a badly framed body was delivered whole: {q:#?}"
        );
    }
}

#[test]
fn slowloris_partial_head_is_timed_out() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("t", "api", &backend.url())
        .env("OUTPOST_NET_SERVER_HTTP_HEAD_TIMEOUT", "500ms")
        .start();
    let mut c = gw.connect();
    c.send(b"GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    // The gateway must answer 408 or close before our 10 s read timeout.
    if let Some(r) = c.read_response_or_close() {
        assert_eq!(r.status, 408, "{}", r.status_line());
        c.assert_closed();
    }
    let seen = sentinel(&gw, &backend);
    assert_eq!(seen.len(), 1, "{seen:#?}");
}
