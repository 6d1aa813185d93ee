//! Rate limits and quotas through the real gateway (2 workers) and a real
//! backend: APIM's exact 429/403 bodies and `Retry-After`, remaining-calls
//! headers, per-subscription counters, the subscription/product expression
//! context, and a hammer from many connections asserting the gateway-wide
//! count. Periods are long (hours) so no test depends on timing.

use crate::support::gateway::GatewayBuilder;
use crate::support::*;

const KEY_A: &str = "lim-key-a-0123456789abcdef0123456789abcdef";
const KEY_B: &str = "lim-key-b-fedcba9876543210fedcba9876543210";

fn with_inbound(backend: &Backend, inbound: &str) -> GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    let xml = format!(
        "<policies><inbound><base />{inbound}</inbound><backend><base /></backend>\
         <outbound><base /></outbound><on-error><base /></on-error></policies>"
    );
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

fn subscriptions() -> String {
    let one = |id: &str, key: &str, scope: &str| {
        format!("[[subscription]]\nid = \"{id}\"\ndisplay-name = \"Sub {id}\"\nscope = \"{scope}\"\nprimary-key = \"{key}\"\nstate = \"active\"\n")
    };
    [one("sub-a", KEY_A, "all"), one("sub-b", KEY_B, "product:gold")].concat()
}

fn rate_body(secs: u64) -> String {
    format!(r#"{{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in {secs} seconds." }}"#)
}

fn retry_after(r: &Response) -> u64 {
    r.header("Retry-After")
        .expect("Retry-After")
        .parse()
        .expect("Retry-After is seconds")
}

#[test]
fn rate_limit_by_key_refuses_with_apims_body_and_headers() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<rate-limit-by-key calls="3" renewal-period="3600" counter-key="@(context.Request.Headers.GetValueOrDefault("X-Client", "none"))"
              remaining-calls-header-name="X-Remaining" total-calls-header-name="X-Total"
              retry-after-variable-name="wait" />"#,
    )
    .start();
    let mut c = gw.connect();
    for left in [2, 1, 0] {
        let r = c.request("GET", "/api/x", &[("X-Client", "one")], b"");
        assert_eq!(r.status, 200, "{}", r.status_line());
        assert_eq!(r.header("X-Remaining"), Some(left.to_string()));
        assert_eq!(r.header("X-Total").as_deref(), Some("3"));
    }
    let r = gw.connect().request("GET", "/api/x", &[("X-Client", "one")], b"");
    assert_eq!(r.status, 429);
    let secs = retry_after(&r);
    assert!((3599..=3600).contains(&secs), "Retry-After {secs}");
    assert_eq!(r.text(), rate_body(secs));
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));
    // Another key has its own counter.
    let r = gw.connect().request("GET", "/api/x", &[("X-Client", "two")], b"");
    assert_eq!(r.status, 200);
    assert_eq!(
        backend.request_count(),
        4,
        "a refused request never reaches the backend"
    );
}

#[test]
fn increment_condition_false_is_not_counted_and_retry_header_name_is_honoured() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<rate-limit-by-key calls="2" renewal-period="7200" counter-key="k" increment-count="2"
              increment-condition="@(context.Request.Method == "POST")" retry-after-header-name="X-Wait" />"#,
    )
    .start();
    for _ in 0..5 {
        assert_eq!(gw.connect().get("/api/free").status, 200, "GETs are not counted");
    }
    let r = gw.connect().request("POST", "/api/x", &[("Content-Length", "0")], b"");
    assert_eq!(r.status, 200, "one POST counts 2 calls");
    let r = gw.connect().get("/api/now-full");
    assert_eq!(r.status, 429, "the limit is checked even when not counting");
    let secs: u64 = r.header("X-Wait").expect("X-Wait").parse().unwrap();
    assert!(r.header("Retry-After").is_none());
    assert_eq!(r.text(), rate_body(secs));
}

#[test]
fn rate_limit_counts_per_subscription() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<rate-limit calls="2" renewal-period="3600" remaining-calls-header-name="X-Left" />"#,
    )
    .file("subscriptions.toml", &subscriptions())
    .file(
        "products/gold.toml",
        "display-name = \"Gold\"\napis = [\"test-api\"]\nstate = \"published\"\n",
    )
    .start();
    let call = |key: &str| {
        gw.connect()
            .request("GET", "/api/x", &[("Ocp-Apim-Subscription-Key", key)], b"")
    };
    assert_eq!(call(KEY_A).header("X-Left").as_deref(), Some("1"));
    assert_eq!(call(KEY_A).header("X-Left").as_deref(), Some("0"));
    let r = call(KEY_A);
    assert_eq!(r.status, 429);
    assert_eq!(r.text(), rate_body(retry_after(&r)));
    assert_eq!(call(KEY_B).status, 200, "another subscription has its own counter");
}

#[test]
fn quota_and_quota_by_key_refuse_with_403() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<quota-by-key calls="2" renewal-period="86400" first-period-start="2020-01-01T00:00:00Z" counter-key="@(context.Request.Headers.GetValueOrDefault("X-Client", ""))" />
           <quota calls="3" renewal-period="0" />"#,
    )
    .start();
    let call = |client: &str| gw.connect().request("GET", "/api/x", &[("X-Client", client)], b"");
    assert_eq!(call("a").status, 200);
    assert_eq!(call("a").status, 200);
    let r = call("a");
    assert_eq!(r.status, 403, "quota-by-key: {}", r.text());
    let secs = retry_after(&r);
    assert!((1..=86_400).contains(&secs), "Retry-After {secs}");
    let hms = format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60);
    assert_eq!(
        r.text(),
        format!(
            r#"{{ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in {hms}." }}"#
        )
    );
    // The plain quota (never renewing) has counted the two admitted calls.
    assert_eq!(call("b").status, 200);
    let r = call("c");
    assert_eq!(r.status, 403);
    assert!(
        r.header("Retry-After").is_none(),
        "a never-renewing quota has no retry time"
    );
}

#[test]
fn expressions_read_the_subscription_and_product() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<set-header name="X-Sub" exists-action="override"><value>@(context.Subscription.Id + "|" + context.Subscription.Name + "|" + context.Subscription.Key)</value></set-header>
           <set-header name="X-Product" exists-action="override"><value>@(context.Product == null ? "none" : context.Product.Id + "|" + context.Product.Name)</value></set-header>"#,
    )
    .file("subscriptions.toml", &subscriptions())
    .file("products/gold.toml", "display-name = \"Gold\"\napis = [\"test-api\"]\nstate = \"published\"\n")
    .start();
    let cases = [
        (KEY_B, format!("sub-b|Sub sub-b|{KEY_B}"), "gold|Gold"),
        (KEY_A, format!("sub-a|Sub sub-a|{KEY_A}"), "none"),
    ];
    for (key, _, _) in &cases {
        let r = gw
            .connect()
            .request("GET", "/api/x", &[("Ocp-Apim-Subscription-Key", key)], b"");
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let got = backend.wait_until("both requests", std::time::Duration::from_secs(10), |r| r.len() >= 2);
    for (seen, (_, sub, product)) in got.iter().zip(&cases) {
        assert_eq!(seen.headers.get("X-Sub").as_ref(), Some(sub));
        assert_eq!(seen.headers.get("X-Product").as_deref(), Some(*product));
    }
}

/// Many connections over both workers send more requests than the limit:
/// exactly `CALLS` are admitted gateway-wide, every other one is a 429.
#[test]
fn hammer_rate_limit_by_key_is_exact_across_workers() {
    const CALLS: usize = 200;
    const CONNS: usize = 24;
    const PER_CONN: usize = 15; // 360 requests in total
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<rate-limit-by-key calls="200" renewal-period="3600" counter-key="hammer" />"#,
    )
    .env("OUTPOST_RUNTIME_WORKERS", "2")
    .start();
    assert_eq!(gw.workers, 2);
    let port = gw.port;
    let results: Vec<(usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CONNS)
            .map(|_| {
                s.spawn(move || {
                    let mut c = Conn::connect(port);
                    let (mut ok, mut limited) = (0, 0);
                    for _ in 0..PER_CONN {
                        let r = c.get("/api/h");
                        match r.status {
                            200 => ok += 1,
                            429 => {
                                assert_eq!(r.text(), rate_body(retry_after(&r)));
                                limited += 1;
                                // A 429 may close the connection: reconnect.
                                c = Conn::connect(port);
                            }
                            other => panic!("unexpected status {other}"),
                        }
                    }
                    (ok, limited)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok: usize = results.iter().map(|r| r.0).sum();
    let limited: usize = results.iter().map(|r| r.1).sum();
    assert_eq!(ok, CALLS, "exactly the limit is admitted gateway-wide");
    assert_eq!(limited, CONNS * PER_CONN - CALLS);
    assert_eq!(backend.request_count(), CALLS);
}
