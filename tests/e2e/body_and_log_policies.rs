//! Policies not covered elsewhere, through the real gateway against a real
//! backend: request-body edits in inbound (set-body with an expression,
//! find-and-replace), set-backend-service by `base-url` (literal and
//! expression, and its failure), trace and emit-metric to the log (debug), and the
//! client's error body for an expression that fails at run time.

use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn inbound_only(inbound: &str) -> String {
    policies(inbound, "<base />", "", "")
}

#[test]
fn inbound_set_body_and_find_and_replace_edit_the_request_body() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("sb", "sb", &backend.url())
        .file(
            "apis/sb.xml",
            &inbound_only(r#"<set-body>@(context.Request.Method + " from " + context.Request.Headers.GetValueOrDefault("X-Who", "nobody"))</set-body>"#),
        )
        .proxy("fr", "fr", &backend.url())
        .file(
            "apis/fr.xml",
            &inbound_only(r#"<find-and-replace from="internal.example" to="api.example.com" />"#),
        )
        .start();
    let mut c = gw.connect();
    let r = c.request("POST", "/sb/echo", &[("X-Who", "ann")], b"original body");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "POST from ann");
    let r = c.request(
        "PUT",
        "/fr/echo",
        &[],
        b"see http://internal.example/a and internal.example/b",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "see http://api.example.com/a and api.example.com/b");
    let reqs = backend.wait_until("both", WAIT, |r| r.len() == 2 && r.iter().all(|x| x.complete));
    assert_eq!(reqs[0].body_len, 13);
    assert_eq!(reqs[0].headers.get("Content-Length").as_deref(), Some("13"));
}

#[test]
fn set_backend_service_base_url_literal_and_expression() {
    let first = Backend::start("first");
    let second = Backend::start("second");
    let gw = Gateway::builder()
        .proxy("lit", "lit", &first.url())
        .file(
            "apis/lit.xml",
            &inbound_only(&format!(r#"<set-backend-service base-url="{}" />"#, second.url())),
        )
        .proxy("dyn", "dyn", &first.url())
        .file(
            "apis/dyn.xml",
            &inbound_only(&format!(
                r#"<set-backend-service base-url="@(context.Request.Headers.GetValueOrDefault("X-Target", "{}"))" />"#,
                second.url()
            )),
        )
        .start();
    let mut c = gw.connect();
    let r = c.get("/lit/echo/a");
    assert_eq!(r.header("X-Backend").as_deref(), Some("second"));
    assert_eq!(r.header("X-Request-Target").as_deref(), Some("/base/echo/a"));
    let r = c.get("/dyn/echo/b");
    assert_eq!(
        r.header("X-Backend").as_deref(),
        Some("second"),
        "the literal registered by `lit`"
    );
    let r = c.request("GET", "/dyn/echo/c", &[("X-Target", &first.url())], b"");
    assert_eq!(
        r.header("X-Backend").as_deref(),
        Some("first"),
        "the API's own service URL"
    );
    // A URL the configuration never resolved: ExpressionValueEvaluationFailure.
    let r = c.request("GET", "/dyn/echo/d", &[("X-Target", "http://127.0.0.1:1/nowhere")], b"");
    assert_eq!(r.status, 500);
    assert_eq!(r.text(), r#"{ "statusCode": 500, "message": "Internal server error" }"#);
    assert_eq!(first.request_count(), 1);
    assert_eq!(second.request_count(), 2);
}

#[test]
fn a_runtime_expression_failure_answers_apims_500() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("x", "x", &backend.url())
        .file(
            "apis/x.xml",
            &inbound_only(
                r#"<set-header name="X-N" exists-action="override"><value>@(int.Parse(context.Request.Headers.GetValueOrDefault("X-N", "0")).ToString())</value></set-header>"#,
            ),
        )
        .start();
    let mut c = gw.connect();
    // The override's value reads the header it replaces: the request's value.
    let r = c.request("GET", "/x/echo", &[("X-N", "012")], b"");
    assert_eq!(r.status, 200);
    let got = backend.wait_until("the first", WAIT, |r| r.len() == 1).remove(0);
    assert_eq!(got.headers.get_all("X-N"), ["12"]);
    let r = c.request("GET", "/x/echo", &[("X-N", "twelve")], b"");
    assert_eq!(r.status, 500);
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));
    assert_eq!(r.text(), r#"{ "statusCode": 500, "message": "Internal server error" }"#);
    assert_eq!(backend.request_count(), 1);
    assert_eq!(c.get("/x/echo").status, 200, "the connection stays usable");
}

#[test]
fn trace_and_emit_metric_write_log_records() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        // emit-metric's record is at debug level (the metric itself goes to
        // the metric sinks: tests/e2e/telemetry_*.rs).
        .env("OUTPOST_TELEMETRY_LOGS_STD_LEVEL", "debug")
        .proxy("obs", "obs", &backend.url())
        .file(
            "apis/obs.xml",
            &inbound_only(
                r#"<trace source="orders" severity="information">
                     <message>@("order from " + context.Request.Headers.GetValueOrDefault("X-Who", "?"))</message>
                     <metadata name="tier" value="gold" />
                   </trace>
                   <emit-metric name="orders-placed" value="@(context.Request.Headers.GetValueOrDefault("X-Count", "1"))" namespace="shop">
                     <dimension name="API ID" />
                     <dimension name="Region" value="eu" />
                   </emit-metric>"#,
            ),
        )
        .start();
    let r = gw
        .connect()
        .request("GET", "/obs/echo", &[("X-Who", "zoe"), ("X-Count", "3")], b"");
    assert_eq!(r.status, 200);
    let trace = gw.wait_for_line(|l| l.contains("INFO order from zoe"), WAIT);
    for part in ["source=\"orders\"", "api=\"obs\"", "metadata=tier=gold"] {
        assert!(trace.contains(part), "{part} in {trace}");
    }
    let metric = gw.wait_for_line(|l| l.contains("DEBUG") && l.contains("custom metric"), WAIT);
    for part in [
        "metric=\"orders-placed\"",
        "namespace=\"shop\"",
        "value=3.0",
        "dimensions=[(\"API ID\", \"obs\"), (\"Region\", \"eu\")]",
    ] {
        assert!(metric.contains(part), "{part} in {metric}");
    }
    // A value that is no number is an expression failure, not a log record.
    let r = gw.connect().request("GET", "/obs/echo", &[("X-Count", "many")], b"");
    assert_eq!(r.status, 500);
    assert_eq!(r.text(), r#"{ "statusCode": 500, "message": "Internal server error" }"#);
}
