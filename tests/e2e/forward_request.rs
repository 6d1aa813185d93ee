//! `forward-request` attributes through the real gateway against real
//! backends: `follow-redirects` (method rules, relative and absolute
//! `Location`, configured backends only, the hop limit), `timeout`,
//! `buffer-request-body`.

use crate::support::client::chunked;
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn backend_only(forward: &str) -> String {
    policies("", forward, "", "")
}

#[test]
fn follow_redirects_follows_to_configured_backends_with_dotnets_method_rules() {
    let first = Backend::start("first");
    let second = Backend::start("second");
    let gw = Gateway::builder()
        .proxy("follow", "follow", &first.url())
        .file(
            "apis/follow.xml",
            &backend_only(r#"<forward-request follow-redirects="true" />"#),
        )
        .proxy("plain", "plain", &first.url())
        .file("backends/other.toml", &format!("url = \"{}\"\n", second.url()))
        .start();
    let mut c = gw.connect();
    let mut seen = 0;
    let mut next = |n: usize| {
        seen += n;
        let all = first.wait_until("the requests", WAIT, |r| {
            r.len() == seen && r.iter().all(|x| x.complete)
        });
        all[seen - n..].to_vec()
    };

    // 302 after a POST: GET without the body, relative Location, no Authorization.
    let r = c.request(
        "POST",
        "/follow/redirect/302",
        &[
            ("X-Redirect-To", "/base/echo/after?q=1"),
            ("Authorization", "Bearer secret"),
            ("Content-Type", "text/plain"),
        ],
        b"data",
    );
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.header("X-Request-Target").as_deref(), Some("/base/echo/after?q=1"));
    assert_eq!(r.body, b"");
    let reqs = next(2);
    assert_eq!((reqs[0].method.as_str(), reqs[0].body_len), ("POST", 4));
    assert_eq!(reqs[0].headers.get("Authorization").as_deref(), Some("Bearer secret"));
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].target.as_str()),
        ("GET", "/base/echo/after?q=1")
    );
    assert_eq!(reqs[1].body_len, 0);
    assert!(reqs[1].headers.get("Authorization").is_none(), "not sent on");
    assert!(reqs[1].headers.get("Content-Type").is_none(), "the body is gone");

    // 307 keeps the method and resends the body; a Location relative to the path.
    let r = c.request(
        "POST",
        "/follow/redirect/307",
        &[("X-Redirect-To", "../echo/kept")],
        b"payload",
    );
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.text(), "payload");
    let reqs = next(2);
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].target.as_str()),
        ("POST", "/base/echo/kept")
    );
    assert_eq!(reqs[1].body_len, 7);

    // 303 turns a PUT into a GET; 308 keeps a PUT.
    let r = c.request(
        "PUT",
        "/follow/redirect/303",
        &[("X-Redirect-To", "/base/echo/see")],
        b"x",
    );
    assert_eq!(r.status, 200);
    assert_eq!(next(2)[1].method, "GET");
    let r = c.request(
        "PUT",
        "/follow/redirect/308",
        &[("X-Redirect-To", "/base/echo/perm")],
        b"x",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "x");
    assert_eq!(next(2)[1].method, "PUT");

    // An absolute Location naming a configured backend is followed there.
    let to_second = format!("{}/echo/moved", second.url());
    let r = c.request("GET", "/follow/redirect/301", &[("X-Redirect-To", &to_second)], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Backend").as_deref(), Some("second"));
    next(1);
    let got = second
        .wait_until("the redirected request", WAIT, |r| r.len() == 1)
        .remove(0);
    assert_eq!(got.target, "/base/echo/moved");
    assert_eq!(
        got.headers.get("Host"),
        Some(format!("127.0.0.1:{}", second.port())),
        "the Host of the new backend"
    );

    // Elsewhere (never resolved per request) or another scheme: relayed as is.
    for to in ["http://unknown.invalid/x", "ftp://127.0.0.1/x"] {
        let r = c.request("GET", "/follow/redirect/302", &[("X-Redirect-To", to)], b"");
        assert_eq!(r.status, 302, "{to}");
        assert_eq!(r.header("Location").as_deref(), Some(to));
        assert_eq!(r.text(), "redirect!");
        next(1);
    }

    // A loop: ten redirects are followed, the eleventh is relayed.
    let r = c.request(
        "GET",
        "/follow/redirect/302",
        &[("X-Redirect-To", "/base/redirect/302")],
        b"",
    );
    assert_eq!(r.status, 302);
    assert_eq!(next(11).len(), 11);

    // Without follow-redirects the client gets the redirect.
    let r = c.request("GET", "/plain/redirect/302", &[("X-Redirect-To", "/base/echo")], b"");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("Location").as_deref(), Some("/base/echo"));
    assert_eq!(next(1).len(), 1);
}

#[test]
fn timeout_bounds_the_backend_answer_and_reports_timeout() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("t", "t", &backend.url())
        .file("apis/t.xml", &backend_only(r#"<forward-request timeout="1" />"#))
        .proxy("r", "r", &backend.url())
        .file(
            "apis/r.xml",
            r#"<policies><inbound><base /></inbound><backend><forward-request timeout="1" /></backend>
               <outbound><base /></outbound>
               <on-error><set-header name="X-Error" exists-action="override">
                 <value>@(context.LastError.Source + " " + context.LastError.Reason)</value>
               </set-header></on-error></policies>"#,
        )
        .start();
    // The default backend timeout is 300 s, longer than the client waits.
    let r = gw.connect().get("/t/hang");
    assert_eq!(r.status, 504);
    assert_eq!(r.text(), r#"{ "statusCode": 504, "message": "Gateway timeout" }"#);
    let r = gw.connect().get("/r/hang");
    assert_eq!(r.status, 504);
    assert_eq!(r.header("X-Error").as_deref(), Some("forward-request Timeout"));
}

#[test]
fn buffer_request_body_sends_a_chunked_upload_with_its_length() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("buf", "buf", &backend.url())
        .file(
            "apis/buf.xml",
            &backend_only(r#"<forward-request buffer-request-body="true" />"#),
        )
        .proxy("plain", "plain", &backend.url())
        .start();
    let body = chunked(b"0123456789abcdef", 5);
    let mut c = gw.connect();
    for prefix in ["buf", "plain"] {
        let mut raw =
            format!("POST /{prefix}/echo HTTP/1.1\r\nHost: gateway.test\r\nTransfer-Encoding: chunked\r\n\r\n")
                .into_bytes();
        raw.extend_from_slice(&body);
        c.send(&raw);
        let r = c.read_response();
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "0123456789abcdef");
    }
    let reqs = backend.wait_until("both", WAIT, |r| r.len() == 2 && r.iter().all(|x| x.complete));
    assert_eq!(reqs[0].headers.get("Content-Length").as_deref(), Some("16"), "buffered");
    assert!(reqs[0].headers.get("Transfer-Encoding").is_none());
    assert_eq!(
        reqs[1].headers.get("Transfer-Encoding").as_deref(),
        Some("chunked"),
        "streamed"
    );
}
