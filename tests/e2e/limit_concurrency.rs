//! `limit-concurrency` through the real gateway: requests held open at a
//! real backend that answers only when the test releases it (no sleeps),
//! exactly `max-count` admitted across both workers, the 429 body, and the
//! slot given back on success, on a failure inside the block and when the
//! client went away.

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
         <outbound><base /></outbound><on-error><base /></on-error></policies>"
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
    drop(gone);
    backend.release();
    gw.wait_for_line(
        |l| l.contains("\"category\":\"GatewayLogs\"") && field(l, "url").is_some_and(|u| u.ends_with("/slow/gone")),
        WAIT,
    );
    let r = gw.connect().get("/api/fixed/after");
    assert_eq!(r.status, 200, "the slot came back: {}", r.text());
}
