//! `limit-concurrency` through the real gateway: requests held open at a
//! real backend that answers only when the test releases it (no sleeps),
//! exactly `max-count` admitted across both workers, the 429 body and
//! `LastError`, and the slot given back at the block's end, on success, on a
//! failure inside the block, when the client went away, and kept (not
//! taken twice) by a `retry` around the block.

use std::sync::mpsc;
use std::time::Duration;

use crate::support::gateway::{field, GatewayBuilder};
use crate::support::*;

const TOO_MANY: &str = r#"{ "statusCode": 429, "message": "Too many concurrent requests." }"#;
const WAIT: Duration = Duration::from_secs(30);

fn with_sections(backend: &Backend, inbound: &str, backend_section: &str) -> GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    let xml = format!(
        "<policies><inbound><base />{inbound}</inbound><backend>{backend_section}</backend>\
         <outbound><base /></outbound><on-error><base />\
         <set-header name=\"X-Last-Error\" exists-action=\"override\">\
         <value>@(context.LastError.Source + \":\" + context.LastError.Reason)</value></set-header>\
         </on-error></policies>"
    );
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

/// Ten clients on their own connections hit a backend that holds every
/// request: exactly three reach it, seven get APIM's 429 at once; when the
/// backend answers, the three complete and the slots are free again.
#[test]
fn limit_concurrency_admits_exactly_max_count_across_workers() {
    const CLIENTS: usize = 10;
    const MAX: usize = 3;
    let backend = Backend::start("b");
    let gw = with_sections(
        &backend,
        "",
        r#"<limit-concurrency key="@("backend-" + context.Api.Id)" max-count="3"><forward-request /></limit-concurrency>"#,
    )
    .env("OUTPOST_RUNTIME_WORKERS", "2")
    .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
    .start();
    assert_eq!(gw.workers, 2);
    let port = gw.port;
    let (tx, rx) = mpsc::channel();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let r = Conn::connect(port).get(&format!("/api/slow/{i}"));
                tx.send((r.status, r.text())).unwrap();
            })
        })
        .collect();
    drop(tx);
    let mut refused = 0;
    while refused < CLIENTS - MAX {
        let (status, body) = rx.recv_timeout(WAIT).expect("a refusal");
        assert_eq!(
            status, 429,
            "only refusals answer before the backend is released: {body}"
        );
        assert_eq!(body, TOO_MANY);
        refused += 1;
    }
    backend.wait_until("the admitted requests", WAIT, |r| r.len() >= MAX);
    assert_eq!(backend.request_count(), MAX, "exactly max-count requests entered");
    backend.release();
    for _ in 0..MAX {
        let (status, body) = rx.recv_timeout(WAIT).expect("an admitted response");
        assert_eq!((status, body.as_str()), (200, "released"));
    }
    for c in clients {
        c.join().unwrap();
    }
    // A client has its response before the gateway has finished the request
    // (and given the slot back): wait for the three requests' access-log
    // records, written after the request ended.
    gw.wait_until("the admitted requests to end", WAIT, |lines| {
        let ended = lines
            .iter()
            .filter(|l| {
                l.contains("\"category\":\"GatewayLogs\"") && field(l, "responseCode").as_deref() == Some("200")
            })
            .count();
        (ended >= MAX).then_some(())
    });
    // Every slot came back: a full batch of concurrent requests passes.
    let port = gw.port;
    let again: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..MAX)
            .map(|_| s.spawn(move || Conn::connect(port).get("/api/slow/again").status))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(again, vec![200; MAX]);
}

/// A failure inside the block (here `check-header`) goes to on-error with
/// the slot given back; a block without forward-request gives it back at its end.
#[test]
fn limit_concurrency_releases_on_error_and_after_the_block() {
    let backend = Backend::start("b");
    let gw = with_sections(
        &backend,
        r#"<limit-concurrency key="one" max-count="1">
             <check-header name="X-Pass" failed-check-httpcode="401" failed-check-error-message="no pass" ignore-case="true" />
             <set-header name="X-Inside" exists-action="override"><value>yes</value></set-header>
           </limit-concurrency>"#,
        "<base />",
    )
    .start();
    for _ in 0..3 {
        let r = gw.connect().get("/api/fixed");
        assert_eq!(r.status, 401, "{}", r.text());
        let r = gw.connect().request("GET", "/api/fixed", &[("X-Pass", "1")], b"");
        assert_eq!(r.status, 200, "the slot was given back: {}", r.text());
    }
    let seen = backend.requests();
    assert!(seen.iter().all(|r| r.headers.get("X-Inside").as_deref() == Some("yes")));
}

/// A client that goes away while its request holds the only slot: the slot
/// is given back when the gateway ends that request.
#[test]
fn limit_concurrency_releases_when_the_client_disconnects() {
    let backend = Backend::start("b");
    let gw = with_sections(
        &backend,
        "",
        r#"<limit-concurrency key="solo" max-count="1"><forward-request /></limit-concurrency>"#,
    )
    .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
    .start();
    let mut gone = gw.connect();
    gone.send(b"GET /api/slow/gone HTTP/1.1\r\nHost: t\r\n\r\n");
    backend.wait_until("the held request", WAIT, |r| r.len() == 1);
    let r = gw.connect().get("/api/fixed/while-held");
    assert_eq!((r.status, r.text().as_str()), (429, TOO_MANY));
    assert_eq!(
        r.header("X-Last-Error").as_deref(),
        Some("limit-concurrency:ConcurrencyLimitExceeded"),
        "on-error sees the refusal"
    );
    drop(gone);
    backend.release();
    gw.wait_for_line(
        |l| l.contains("\"category\":\"GatewayLogs\"") && field(l, "url").is_some_and(|u| u.ends_with("/slow/gone")),
        WAIT,
    );
    let r = gw.connect().get("/api/fixed/after");
    assert_eq!(r.status, 200, "the slot came back: {}", r.text());
}

/// A `retry` around a forwarding block: every attempt runs inside the same
/// slot (the request never competes with itself).
#[test]
fn limit_concurrency_inside_retry_keeps_one_slot() {
    let backend = Backend::start("b");
    let gw = with_sections(
        &backend,
        "",
        r#"<retry condition="@(context.Response.StatusCode == 500)" count="2" interval="0">
             <limit-concurrency key="retried" max-count="1"><forward-request /></limit-concurrency>
           </retry>"#,
    )
    .start();
    let r = gw.connect().get("/api/status/500");
    assert_eq!(r.status, 500, "{}", r.text());
    assert_eq!(backend.request_count(), 3, "the first try and two retries");
    assert_eq!(gw.connect().get("/api/fixed").status, 200, "the slot came back");
}

/// A block without forward-request gives the slot back at its end, before
/// the request is forwarded: two requests held at the backend at once pass
/// an inbound limit of one.
#[test]
fn limit_concurrency_without_forward_releases_at_the_block_end() {
    let backend = Backend::start("b");
    let gw = with_sections(
        &backend,
        r#"<limit-concurrency key="inbound-only" max-count="1">
             <set-header name="X-Inside" exists-action="override"><value>yes</value></set-header>
           </limit-concurrency>"#,
        "<base />",
    )
    .start();
    let mut a = gw.connect();
    a.send(b"GET /api/slow/a HTTP/1.1\r\nHost: t\r\n\r\n");
    // `b` starts only once `a` is held at the backend: sent at once, the two
    // could be inside the block together on two workers and `b` refused.
    backend.wait_until("the first request", WAIT, |r| r.len() == 1);
    let mut b = gw.connect();
    b.send(b"GET /api/slow/b HTTP/1.1\r\nHost: t\r\n\r\n");
    backend.wait_until("both requests at once", WAIT, |r| r.len() == 2);
    backend.release();
    assert_eq!(a.read_response().status, 200);
    assert_eq!(b.read_response().status, 200);
}
