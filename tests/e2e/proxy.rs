//! Forwarding: methods, exact path and query bytes, headers, keep-alive,
//! pipelining, HTTP/1.0, 100-continue, bodiless responses, chunked
//! responses, upgrades, and 404 routing.

use crate::support::backend::ws_frame;
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn methods_path_and_query_are_forwarded_exactly() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    let cases = [
        ("GET", "/api/echo/users/42?x=1&y=two", "/base/echo/users/42?x=1&y=two"),
        (
            "POST",
            "/api/echo/a%2Fb/%7e;p=1/+plus?q=a+b&r=%20&s",
            "/base/echo/a%2Fb/%7e;p=1/+plus?q=a+b&r=%20&s",
        ),
        (
            "PUT",
            "/api/echo/%E2%82%AC?empty=&flag",
            "/base/echo/%E2%82%AC?empty=&flag",
        ),
        ("DELETE", "/api/echo/items/7", "/base/echo/items/7"),
    ];
    for (i, (method, path, expected)) in cases.iter().enumerate() {
        let body = if *method == "GET" || *method == "DELETE" {
            Vec::new()
        } else {
            format!("body-{i}").into_bytes()
        };
        let r = c.request(method, path, &[], &body);
        assert_eq!(r.status, 200, "{method} {path}: {}", r.status_line());
        assert_eq!(r.body, body, "{method} {path}: echoed body");
        let reqs = backend.wait_until("the request", WAIT, |r| r.len() > i && r[i].complete);
        let got = &reqs[i];
        assert_eq!(got.method, *method);
        assert_eq!(got.target, *expected, "{method} {path} must be forwarded byte for byte");
        assert_eq!(got.body_len, body.len() as u64);
    }
}

/// The request path is exactly the API path: the forwarded path is the
/// base path plus an empty rest, plus the original query.
#[test]
fn api_root_is_forwarded_to_the_base_path() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    for (i, (path, expected)) in [("/api?only=query", "/base?only=query"), ("/api", "/base")]
        .iter()
        .enumerate()
    {
        assert_eq!(c.get(path).status, 200, "GET {path}");
        let reqs = backend.wait_until("the request", WAIT, |r| r.len() > i);
        assert_eq!(reqs[i].target, *expected, "GET {path}");
    }
}

#[test]
fn request_headers_are_rewritten_and_hop_by_hop_removed() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(
        b"GET /api/echo/h HTTP/1.1\r\n\
          Host: client.example:8443\r\n\
          Connection: close, X-Custom-Hop\r\n\
          X-Custom-Hop: 1\r\n\
          Keep-Alive: timeout=5\r\n\
          TE: trailers\r\n\
          Proxy-Connection: keep-alive\r\n\
          X-Forwarded-For: 10.1.2.3\r\n\
          X-End-To-End: kept\r\n\r\n",
    );
    let r = c.read_response();
    assert_eq!(r.status, 200, "{}", r.status_line());
    // `Connection: close` from the client: the gateway closes after the response.
    c.assert_closed();

    let h = &backend.wait_until("the request", WAIT, |r| !r.is_empty())[0].headers;
    let host = h.get_all("host");
    assert_eq!(
        host,
        vec![format!("127.0.0.1:{}", backend.port())],
        "Host must be the backend's"
    );
    for hop in [
        "connection",
        "x-custom-hop",
        "keep-alive",
        "te",
        "proxy-connection",
        "upgrade",
        "transfer-encoding",
    ] {
        assert!(!h.has(hop), "hop-by-hop header {hop:?} reached the backend: {:?}", h.0);
    }
    assert_eq!(h.get("x-end-to-end").as_deref(), Some("kept"));
    let xff = h.get_all("x-forwarded-for").join(", ");
    assert_eq!(xff, "10.1.2.3, 127.0.0.1", "X-Forwarded-For appends the client IP");
    assert_eq!(h.get("x-forwarded-proto").as_deref(), Some("http"));
    assert_eq!(h.get("x-forwarded-host").as_deref(), Some("client.example:8443"));
}

#[test]
fn x_forwarded_for_is_added_when_absent() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let r = gw.connect().get("/api/echo");
    assert_eq!(r.status, 200);
    let h = &backend.wait_until("the request", WAIT, |r| !r.is_empty())[0].headers;
    assert_eq!(h.get_all("x-forwarded-for"), vec!["127.0.0.1".to_string()]);
    assert_eq!(h.get("x-forwarded-host").as_deref(), Some("gateway.test"));
}

#[test]
fn keep_alive_reuses_client_and_backend_connections() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    for i in 0..5 {
        let r = c.request("POST", &format!("/api/echo/{i}"), &[], format!("n{i}").as_bytes());
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), format!("n{i}"));
        assert_ne!(r.header("connection").as_deref(), Some("close"));
    }
    assert_eq!(backend.request_count(), 5);
    assert_eq!(
        backend.connections(),
        1,
        "sequential requests on one client connection reuse one backend connection"
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(
        b"GET /api/echo/p1 HTTP/1.1\r\nHost: x\r\n\r\n\
          POST /api/echo/p2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
          GET /api/fixed/p3 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    let r1 = c.read_response();
    let r2 = c.read_response();
    let r3 = c.read_response();
    assert_eq!((r1.status, r2.status, r3.status), (200, 200, 200));
    assert_eq!(r1.header("x-request-target").as_deref(), Some("/base/echo/p1"));
    assert_eq!(r2.header("x-request-target").as_deref(), Some("/base/echo/p2"));
    assert_eq!(r2.text(), "hello");
    assert_eq!(r3.header("x-request-target").as_deref(), Some("/base/fixed/p3"));
    assert_eq!(r3.text(), "hello world");
}

#[test]
fn http10_client_gets_a_response_and_the_connection_closes() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(b"GET /api/fixed HTTP/1.0\r\nHost: x\r\n\r\n");
    let r = c.read_response();
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello world");
    assert!(
        !r.headers.has_token("connection", "keep-alive"),
        "no keep-alive for a 1.0 client: {:?}",
        r.headers
    );
    c.assert_closed();
}

#[test]
fn expect_100_continue_is_answered_by_the_gateway() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(b"POST /api/echo/c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
    let (_, status, _, _) = c.read_head();
    assert_eq!(
        status, 100,
        "the gateway must send 100 Continue before the body is sent"
    );
    c.send(b"hello there");
    let r = c.read_response();
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello there");
    let reqs = backend.wait_until("the request", WAIT, |r| !r.is_empty());
    assert!(
        !reqs[0].headers.has("expect"),
        "Expect must not be forwarded: {:?}",
        reqs[0].headers
    );
    assert_eq!(reqs[0].body_len, 11);
}

#[test]
fn head_response_has_no_body_and_connection_stays_usable() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    let r = c.request("HEAD", "/api/fixed", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-length").as_deref(), Some("11"));
    // If the gateway wrongly sent a body, it would be read as the next head.
    let r = c.get("/api/fixed/again");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello world");
}

#[test]
fn status_204_and_304_are_relayed_without_body() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    let r = c.get("/api/status/204");
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    let r = c.get("/api/status/304");
    assert_eq!(r.status, 304);
    assert_eq!(r.header("etag").as_deref(), Some("\"v1\""));
    let r = c.get("/api/fixed");
    assert_eq!(r.status, 200, "connection still usable after 204/304");
    assert_eq!(r.text(), "hello world");
}

#[test]
fn chunked_response_is_relayed() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    let r = c.get("/api/chunked");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello chunked world");
    let r = c.get("/api/fixed");
    assert_eq!(r.status, 200, "connection still usable after a chunked response");
}

fn upgrade_request(path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
}

#[test]
fn upgrade_tunnels_raw_bytes_both_ways() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(upgrade_request("/api/upgrade").as_bytes());
    let (_, status, _, h) = c.read_head();
    assert_eq!(status, 101);
    assert!(h.has_token("upgrade", "websocket"), "{h:?}");
    let reqs = backend.wait_until("the upgrade request", WAIT, |r| !r.is_empty());
    assert!(
        reqs[0].headers.has_token("upgrade", "websocket"),
        "Upgrade must reach the backend: {:?}",
        reqs[0].headers
    );
    for msg in [&b"ping-1"[..], b"\x00\x01binary\xff", b"last"] {
        c.send(msg);
        let mut got = Vec::new();
        c.wire
            .read_exact_to(msg.len() as u64, &mut |b| got.extend_from_slice(b))
            .expect("tunnel echo");
        assert_eq!(got, msg);
    }
}

#[test]
fn websocket_frames_are_echoed_through_the_gateway() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(upgrade_request("/api/ws").as_bytes());
    let (_, status, _, _) = c.read_head();
    assert_eq!(status, 101);
    let big = pattern(70_000);
    for payload in [&b"hello websocket"[..], &big[..]] {
        c.send(&ws_frame(1, payload, Some([0x12, 0x34, 0x56, 0x78])));
        let expect = ws_frame(1, payload, None);
        let mut got = Vec::new();
        c.wire
            .read_exact_to(expect.len() as u64, &mut |b| got.extend_from_slice(b))
            .expect("echoed frame");
        assert!(
            got == expect,
            "echoed frame differs for a {}-byte payload",
            payload.len()
        );
    }
    c.send(&ws_frame(8, b"", Some([1, 2, 3, 4])));
    let mut got = Vec::new();
    c.wire
        .read_exact_to(2, &mut |b| got.extend_from_slice(b))
        .expect("close frame");
    assert_eq!(got, ws_frame(8, b"", None));
    c.assert_closed();
}

#[test]
fn unknown_path_gets_the_apim_404_body() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    for path in ["/nothing-here", "/apiextra", "/apiextra/x", "/ap"] {
        let r = c.get(path);
        assert_eq!(r.status, 404, "GET {path}");
        assert_eq!(r.text(), NOT_FOUND_BODY, "GET {path}: body byte for byte");
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json"),
            "GET {path}"
        );
        if r.header("connection").as_deref() == Some("close") {
            c = gw.connect();
        }
    }
    let r = gw.connect().get("/api/fixed");
    assert_eq!(r.status, 200, "segment boundary: /api still matches");
    assert_eq!(backend.request_count(), 1, "no 404 request may reach the backend");
}
