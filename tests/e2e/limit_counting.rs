//! What the limits count, through the real gateway: `increment-condition`
//! on the response (checked on the request, counted after the response),
//! `increment-count`, quota `bandwidth` (request and response body bytes)
//! with APIM's bandwidth message, and the nested `<api>`/`<operation>`
//! limits of a product-scope `rate-limit` and `quota`. Periods are hours,
//! so nothing depends on timing.

use crate::support::gateway::{field, GatewayBuilder, LOG_TIMEOUT};
use crate::support::*;

const KEY: &str = "count-key-0123456789abcdef0123456789abcdef";

fn with_inbound(backend: &Backend, inbound: &str) -> GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    let xml = format!(
        "<policies><inbound><base />{inbound}</inbound><backend><base /></backend>\
         <outbound><base /></outbound><on-error><base /></on-error></policies>"
    );
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

fn quota_body(what: &str, r: &Response) -> String {
    let secs: u64 = r.header("Retry-After").expect("Retry-After").parse().unwrap();
    let hms = format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60);
    format!(r#"{{ "statusCode": 403, "message": "Out of {what} quota. Quota will be replenished in {hms}." }}"#)
}

#[test]
fn increment_condition_on_the_response_counts_only_successes() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<rate-limit-by-key calls="2" renewal-period="3600" counter-key="ok-only"
              increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 300)"
              remaining-calls-header-name="X-Left" />"#,
    )
    .start();
    // One connection: a call is counted when it ends, after its response is
    // written; the next call on the same connection comes after that.
    let mut c = gw.connect();
    for _ in 0..4 {
        let r = c.get("/api/status/500");
        assert_eq!(r.status, 500, "failures pass and are not counted");
    }
    assert_eq!(c.get("/api/fixed").status, 200);
    let r = c.get("/api/fixed");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("X-Left").as_deref(),
        Some("1"),
        "checked before this call counted"
    );
    let r = c.get("/api/fixed");
    assert_eq!(r.status, 429, "two successes counted: {}", r.text());
    assert_eq!(backend.request_count(), 6);
}

#[test]
fn quota_by_key_response_condition_with_increment_count() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<quota-by-key calls="4" renewal-period="86400" counter-key="q" increment-count="@(1 + 1)"
              increment-condition="@(context.Response.StatusCode != 404)" />"#,
    )
    .start();
    let mut c = gw.connect();
    for _ in 0..3 {
        assert_eq!(c.get("/api/status/404").status, 404, "not counted");
    }
    assert_eq!(c.get("/api/fixed").status, 200);
    assert_eq!(c.get("/api/fixed").status, 200);
    let r = c.get("/api/fixed");
    assert_eq!(r.status, 403, "two calls counted 2 each");
    assert_eq!(r.text(), quota_body("call volume", &r));
}

#[test]
fn quota_by_key_counts_a_key_once_per_request() {
    let backend = Backend::start("b");
    let gw = with_inbound(
        &backend,
        r#"<quota-by-key calls="3" renewal-period="3600" counter-key="shared" />
           <quota-by-key calls="3" renewal-period="3600" counter-key="shared" />"#,
    )
    .start();
    for _ in 0..3 {
        assert_eq!(gw.connect().get("/api/fixed").status, 200, "one count per request");
    }
    let r = gw.connect().get("/api/fixed");
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), quota_body("call volume", &r));
}

#[test]
fn bandwidth_quota_counts_request_and_response_bytes() {
    let backend = Backend::start("b");
    let big = "x".repeat(1100);
    let gw = with_inbound(
        &backend,
        &format!(
            r#"<quota-by-key bandwidth="1" calls="100" renewal-period="3600"
                  counter-key="@(context.Request.Headers.GetValueOrDefault("X-Client", ""))" />
               <choose><when condition="@(context.Request.Headers.ContainsKey("X-Big"))">
                   <return-response><set-status code="200" reason="OK" /><set-body>{big}</set-body></return-response>
               </when><when condition="@(context.Request.Headers.ContainsKey("X-Stop"))">
                   <return-response><set-status code="202" reason="Accepted" /></return-response>
               </when></choose>"#
        ),
    )
    .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
    .start();
    // Bytes are counted when a call ends, after its response is written:
    // calls share one connection so each starts after the previous ended.
    let conn = std::cell::RefCell::new(gw.connect());
    let call = |client: &str, extra: &[(&str, &str)], method: &str, path: &str, body: &[u8]| {
        let mut h = vec![("X-Client", client)];
        h.extend_from_slice(extra);
        conn.borrow_mut().request(method, path, &h, body)
    };
    // Request bytes: 1100 bytes up, no body back.
    let r = call("up", &[], "POST", "/api/status/204", big.as_bytes());
    assert_eq!(r.status, 204);
    let r = call("up", &[], "GET", "/api/fixed", b"");
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.text(), quota_body("bandwidth", &r));
    // Response bytes: a gateway-made 1100-byte answer.
    let r = call("down", &[("X-Big", "1")], "GET", "/api/x", b"");
    assert_eq!((r.status, r.body.len()), (200, 1100));
    let r = call("down", &[], "GET", "/api/fixed", b"");
    assert_eq!(r.status, 403);
    // A body announced but never sent (answered in inbound, the connection
    // closed) was not read from the client, so it is not counted.
    let mut c = gw.connect();
    c.send(b"POST /api/x HTTP/1.1\r\nHost: t\r\nX-Client: unsent\r\nX-Stop: 1\r\nContent-Length: 5000\r\n\r\n");
    assert_eq!(c.read_response().status, 202);
    // That call has ended (and would have been counted) once it is logged.
    gw.wait_for_line(
        |l| l.contains("\"category\":\"GatewayLogs\"") && field(l, "responseCode").as_deref() == Some("202"),
        LOG_TIMEOUT,
    );
    let r = call("unsent", &[], "GET", "/api/fixed", b"");
    assert_eq!(r.status, 200, "{}", r.text());
    // Small exchanges stay under the kilobyte: echo 300 bytes up and back.
    let body = vec![b'y'; 300];
    let r = call("small", &[], "POST", "/api/echo", &body);
    assert_eq!((r.status, r.body.len()), (200, 300));
    assert_eq!(call("small", &[], "GET", "/api/fixed", b"").status, 200);
    let r = call("small", &[], "POST", "/api/echo", &body);
    assert_eq!(r.status, 200);
    assert_eq!(
        call("small", &[], "GET", "/api/fixed", b"").status,
        403,
        "600 + 11 + 600 bytes reached 1 KB"
    );
}

fn product_gateway(backend: &Backend, product_inbound: &str) -> Gateway {
    let api = format!(
        "display-name = \"Shop\"\npath = \"api\"\nservice-url = \"{}\"\n\
         [[operations]]\nid = \"get-item\"\nmethod = \"GET\"\nurl-template = \"/items/{{id}}\"\n\
         [[operations]]\nid = \"rest\"\nmethod = \"*\"\nurl-template = \"/*\"\n",
        backend.url()
    );
    let product = format!(
        "<policies><inbound><base />{product_inbound}</inbound><backend><base /></backend>\
         <outbound><base /></outbound><on-error><base /></on-error></policies>"
    );
    Gateway::builder()
        .api("shop", &api)
        .file(
            "subscriptions.toml",
            &format!(
                "[[subscription]]\nid = \"sub-g\"\ndisplay-name = \"G\"\nscope = \"product:gold\"\nprimary-key = \"{KEY}\"\nstate = \"active\"\n"
            ),
        )
        .file(
            "products/gold.toml",
            "display-name = \"Gold\"\napis = [\"shop\"]\nstate = \"published\"\n",
        )
        .file("products/gold.xml", &product)
        .start()
}

#[test]
fn nested_api_and_operation_rate_limits_apply_independently() {
    let backend = Backend::start("b");
    let gw = product_gateway(
        &backend,
        r#"<rate-limit calls="10" renewal-period="3600" remaining-calls-header-name="X-Left">
             <api name="Shop" calls="3" renewal-period="3600">
               <operation id="get-item" calls="1" renewal-period="3600" />
             </api>
           </rate-limit>"#,
    );
    let call = |path: &str| {
        gw.connect()
            .request("GET", path, &[("Ocp-Apim-Subscription-Key", KEY)], b"")
    };
    let r = call("/api/items/1");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("X-Left").as_deref(),
        Some("0"),
        "the operation limit is the tightest"
    );
    let r = call("/api/items/2");
    assert_eq!(r.status, 429, "operation limit");
    let secs: u64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert_eq!(
        r.text(),
        format!(r#"{{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in {secs} seconds." }}"#)
    );
    // The refused call counted nowhere: the API limit still has two calls.
    assert_eq!(call("/api/a").status, 200);
    let r = call("/api/b");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Left").as_deref(), Some("0"));
    assert_eq!(call("/api/c").status, 429, "API limit");
    assert_eq!(backend.request_count(), 3);
}

#[test]
fn nested_quota_for_one_api() {
    let backend = Backend::start("b");
    let gw = product_gateway(
        &backend,
        r#"<quota calls="100" renewal-period="3600">
             <api id="shop"><operation name="get-item" calls="2" renewal-period="3600" /></api>
           </quota>"#,
    );
    let call = |path: &str| {
        gw.connect()
            .request("GET", path, &[("Ocp-Apim-Subscription-Key", KEY)], b"")
    };
    assert_eq!(call("/api/items/1").status, 200);
    assert_eq!(call("/api/items/1").status, 200);
    let r = call("/api/items/1");
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), quota_body("call volume", &r));
    assert_eq!(
        call("/api/other").status,
        200,
        "other operations only count against the product quota"
    );
}
