//! W3C trace context and spans through the real binary: what the backend
//! receives (propagated, generated, invalid ones replaced, `tracestate`,
//! `send-request`, a policy's own `traceparent`), and the spans exported
//! over OTLP to the receiver built on the official protocol definitions
//! (parent/child ids, attributes, sampling, `trace` policy events).

use crate::support::otlp::{self, Item, Otlp};
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

/// The fields of a well-formed version-00 `traceparent`.
fn fields(tp: &str) -> (String, String, String) {
    let parts: Vec<&str> = tp.split('-').collect();
    assert_eq!(parts.len(), 4, "{tp}");
    assert_eq!(parts[0], "00", "{tp}");
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    assert!(hex(parts[1], 32) && parts[1] != "0".repeat(32), "{tp}");
    assert!(hex(parts[2], 16) && parts[2] != "0".repeat(16), "{tp}");
    assert!(hex(parts[3], 2), "{tp}");
    (parts[1].into(), parts[2].into(), parts[3].into())
}

/// Sends `GET /api/echo/<tag>` with `headers`; returns the `traceparent`
/// fields the backend received and its `tracestate`.
fn through(gw: &Gateway, backend: &Backend, tag: &str, headers: &[(&str, &str)]) -> (Vec<String>, Option<String>) {
    let mut c = gw.connect();
    let r = c.request("GET", &format!("/api/echo/{tag}"), headers, b"");
    assert_eq!(r.status, 200, "{}", r.status_line());
    let target = format!("/base/echo/{tag}");
    let got = backend.wait_until(&target, WAIT, |rs| rs.iter().any(|r| r.target == target));
    let req = got.iter().find(|r| r.target == target).expect("recorded");
    (req.headers.get_all("traceparent"), req.headers.get("tracestate"))
}

#[test]
fn trace_context_reaches_the_backend() {
    let backend = Backend::start("api");
    let gw = gateway_for(&backend);

    // Absent: generated, sampled (the default ratio is 1), no tracestate.
    let (tp, state) = through(&gw, &backend, "absent", &[]);
    assert_eq!(tp.len(), 1, "{tp:?}");
    let (trace_a, _, flags) = fields(&tp[0]);
    assert_eq!(flags, "01");
    assert_eq!(state, None);
    let (tp, _) = through(&gw, &backend, "absent-again", &[("tracestate", "a=1")]);
    let (trace_b, _, _) = fields(&tp[0]);
    assert_ne!(trace_a, trace_b, "every new trace has its own id");

    // Valid (spans not exported): passed on unchanged, tracestate normalised.
    let (tp, state) = through(
        &gw,
        &backend,
        "valid",
        &[
            ("traceparent", PARENT),
            ("tracestate", "rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE"),
            ("TraceState", "x@y=1"),
        ],
    );
    assert_eq!(tp, vec![PARENT.to_owned()]);
    assert_eq!(state.as_deref(), Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,x@y=1"));

    // A future version: read by version 00's layout, sent as version 00.
    let future = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra";
    let (tp, _) = through(&gw, &backend, "future", &[("traceparent", future)]);
    assert_eq!(tp, vec![PARENT.to_owned()]);

    // A not-sampled caller stays not sampled.
    let unsampled = PARENT.replace("-01", "-00");
    let (tp, _) = through(&gw, &backend, "unsampled", &[("traceparent", &unsampled)]);
    assert_eq!(tp, vec![unsampled.clone()]);

    // An invalid tracestate is dropped, the traceparent still continues.
    let (tp, state) = through(
        &gw,
        &backend,
        "bad-state",
        &[("traceparent", PARENT), ("tracestate", "UPPER=1")],
    );
    assert_eq!(tp, vec![PARENT.to_owned()]);
    assert_eq!(state, None);

    // Invalid: replaced by a new trace; its tracestate goes with it.
    let invalid = [
        ("uppercase", PARENT.to_uppercase()),
        (
            "zero-trace",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01".to_owned(),
        ),
        (
            "zero-parent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01".to_owned(),
        ),
        ("version-ff", PARENT.replacen("00-", "ff-", 1)),
        ("too-long", format!("{PARENT}-01")),
        ("garbage", "hello".to_owned()),
    ];
    for (tag, value) in &invalid {
        let (tp, state) = through(&gw, &backend, tag, &[("traceparent", value), ("tracestate", "a=1")]);
        assert_eq!(tp.len(), 1, "{tag}: {tp:?}");
        let (trace, parent, _) = fields(&tp[0]);
        assert_ne!(trace, TRACE_ID, "{tag}");
        assert_ne!(parent, PARENT_ID, "{tag}");
        assert_eq!(state, None, "{tag}");
    }
    // Two traceparent fields are invalid too.
    let (tp, _) = through(
        &gw,
        &backend,
        "two",
        &[("traceparent", PARENT), ("traceparent", &unsampled)],
    );
    assert_eq!(tp.len(), 1, "{tp:?}");
    assert_ne!(fields(&tp[0]).0, TRACE_ID);
}

#[test]
fn trace_context_off_leaves_the_headers_alone() {
    let backend = Backend::start("api");
    let gw = Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("observability.tracecontext.enabled", "false")
        .start();
    let (tp, _) = through(&gw, &backend, "absent", &[]);
    assert!(tp.is_empty(), "nothing generated: {tp:?}");
    let (tp, state) = through(
        &gw,
        &backend,
        "invalid",
        &[("traceparent", "hello"), ("tracestate", "UPPER")],
    );
    assert_eq!(tp, vec!["hello".to_owned()], "forwarded like any header");
    assert_eq!(state.as_deref(), Some("UPPER"));
}

#[test]
fn a_policy_traceparent_wins_and_send_request_carries_the_trace() {
    let backend = Backend::start("api");
    let side = Backend::start("side");
    let xml = policies(
        &format!(
            r#"<send-request mode="new" response-variable-name="side" timeout="20" ignore-error="false">
                 <set-url>{}/echo/side</set-url>
                 <set-method>GET</set-method>
               </send-request>
               <choose>
                 <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Own&quot;))">
                   <set-header name="traceparent" exists-action="override"><value>00-11111111111111111111111111111111-2222222222222222-01</value></set-header>
                 </when>
               </choose>"#,
            side.url()
        ),
        "<forward-request />",
        "",
        "",
    );
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    let gw = b.start();

    let (tp, state) = through(&gw, &backend, "main", &[("traceparent", PARENT), ("tracestate", "a=1")]);
    assert_eq!(
        tp,
        vec![PARENT.to_owned()],
        "not recorded: the caller's context passes on"
    );
    assert_eq!(state.as_deref(), Some("a=1"));
    let got = side.wait_until("the side call", WAIT, |rs| !rs.is_empty());
    assert_eq!(got[0].headers.get_all("traceparent"), vec![PARENT.to_owned()]);
    assert_eq!(got[0].headers.get("tracestate").as_deref(), Some("a=1"));

    let (tp, _) = through(&gw, &backend, "own", &[("traceparent", PARENT), ("X-Own", "1")]);
    assert_eq!(
        tp,
        vec!["00-11111111111111111111111111111111-2222222222222222-01".to_owned()],
        "a traceparent the policy set is sent as set"
    );
}

/// A gateway exporting spans to `rx` (gRPC unless `http`), with `xml` as
/// the API's policy document when given.
fn traced(backend: &Backend, rx: &Otlp, http: bool, sampling: &str, xml: Option<&str>) -> Gateway {
    let b = Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("observability.opentelemetry.enabled", "true")
        .env(
            "observability.opentelemetry.collector.uri",
            &if http { rx.http_uri() } else { rx.grpc_uri() },
        )
        .env(
            "observability.opentelemetry.collector.protocol",
            if http { "http/protobuf" } else { "grpc" },
        )
        .env("observability.opentelemetry.export.interval", "200ms")
        .env("observability.opentelemetry.traces.enabled", "true")
        .env("observability.opentelemetry.traces.sampling", sampling);
    if let Some(xml) = xml {
        std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    }
    b.start()
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_owned()
}

/// Waits for the spans of `trace` until `done` says they are all there.
fn wait_trace(rx: &Otlp, trace: &str, done: impl Fn(&[Item]) -> bool) -> Vec<Item> {
    rx.wait_for(&format!("the spans of trace {trace}"), WAIT, |items| {
        let spans: Vec<Item> = otlp::spans(items)
            .into_iter()
            .filter(|i| s(&i.value, "traceId") == trace)
            .collect();
        done(&spans).then_some(spans)
    })
}

fn kind<'a>(spans: &'a [Item], k: &str) -> Vec<&'a Item> {
    spans.iter().filter(|i| s(&i.value, "kind") == k).collect()
}

#[test]
fn spans_link_the_caller_the_gateway_and_the_backend() {
    let backend = Backend::start("api");
    let rx = Otlp::start();
    let gw = traced(&backend, &rx, false, "1", None);
    let mut c = gw.connect();
    let r = c.request(
        "GET",
        "/api/echo/one?sig=s3cret-key&x=1",
        &[("traceparent", PARENT), ("tracestate", "congo=t61rcWkgMzE")],
        b"",
    );
    assert_eq!(r.status, 200);
    let got = backend.wait_until("the call", WAIT, |rs| !rs.is_empty());
    let sent = got[0].headers.get_all("traceparent");
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (trace, backend_parent, flags) = fields(&sent[0]);
    assert_eq!((trace.as_str(), flags.as_str()), (TRACE_ID, "01"));
    assert_ne!(
        backend_parent, PARENT_ID,
        "the backend's parent is the gateway's client span"
    );
    assert_eq!(got[0].headers.get("tracestate").as_deref(), Some("congo=t61rcWkgMzE"));

    let spans = wait_trace(&rx, TRACE_ID, |sp| {
        kind(sp, "SPAN_KIND_SERVER").len() == 1 && kind(sp, "SPAN_KIND_CLIENT").len() == 1
    });
    let server = kind(&spans, "SPAN_KIND_SERVER")[0];
    let client = kind(&spans, "SPAN_KIND_CLIENT")[0];
    assert_eq!(
        s(&server.value, "parentSpanId"),
        PARENT_ID,
        "the caller's span is the parent"
    );
    assert_eq!(s(&client.value, "parentSpanId"), s(&server.value, "spanId"));
    assert_eq!(s(&client.value, "spanId"), backend_parent);
    assert_eq!(s(&server.value, "traceState"), "congo=t61rcWkgMzE");
    assert_eq!(s(&server.value, "name"), "GET /api/*");
    for (k, v) in [
        ("http.request.method", "GET"),
        ("url.path", "/api/echo/one"),
        ("url.scheme", "http"),
        ("http.route", "/api/*"),
        ("http.response.status_code", "200"),
        ("server.address", "gateway.test"),
        ("client.address", "127.0.0.1"),
        ("network.protocol.version", "1.1"),
        ("ApiId", "test-api"),
        ("OperationId", "default"),
    ] {
        assert_eq!(server.attr(k).as_deref(), Some(v), "server {k}: {:?}", server.value);
    }
    for (k, v) in [
        ("http.request.method", "GET"),
        ("server.address", "127.0.0.1"),
        ("server.port", &backend.port().to_string()),
        ("url.full", &format!("{}/echo/one", backend.url())),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(client.attr(k).as_deref(), Some(v), "client {k}: {:?}", client.value);
    }
    assert!(server.value["status"]["code"].as_str() != Some("STATUS_CODE_ERROR"));
    let start: u64 = s(&server.value, "startTimeUnixNano").parse().unwrap();
    let end: u64 = s(&server.value, "endTimeUnixNano").parse().unwrap();
    let c_start: u64 = s(&client.value, "startTimeUnixNano").parse().unwrap();
    assert!(start <= c_start && c_start <= end, "the call is inside the request");
    let all = serde_json::to_string(&rx.received().iter().map(|r| &r.request).collect::<Vec<_>>()).unwrap();
    assert!(!all.contains("s3cret-key"), "no query string is exported");
}

#[test]
fn failed_calls_and_new_traces_over_http() {
    let backend = Backend::start("api");
    let rx = Otlp::start();
    let xml = policies(
        "",
        r#"<retry condition="@(context.Response.StatusCode == 500)" count="1" interval="0">
             <forward-request buffer-request-body="true" />
           </retry>"#,
        "",
        "",
    );
    let gw = traced(&backend, &rx, true, "1", Some(&xml));
    let mut c = gw.connect();
    // No traceparent: a new trace, whose id the backend learns.
    let r = c.request("GET", "/api/status/500", &[], b"");
    assert_eq!(r.status, 500);
    let got = backend.wait_until("two attempts", WAIT, |rs| rs.len() == 2);
    let (trace, first_parent, _) = fields(&got[0].headers.get_all("traceparent")[0]);
    let (trace2, second_parent, _) = fields(&got[1].headers.get_all("traceparent")[0]);
    assert_eq!(trace, trace2, "one trace");
    assert_ne!(first_parent, second_parent, "each attempt is its own call");
    let spans = wait_trace(&rx, &trace, |sp| {
        kind(sp, "SPAN_KIND_SERVER").len() == 1 && kind(sp, "SPAN_KIND_CLIENT").len() == 2
    });
    let server = kind(&spans, "SPAN_KIND_SERVER")[0];
    assert_eq!(s(&server.value, "parentSpanId"), "", "a root span");
    assert_eq!(server.value["status"]["code"], "STATUS_CODE_ERROR", "a 5xx answer");
    let clients = kind(&spans, "SPAN_KIND_CLIENT");
    let ids: Vec<String> = clients.iter().map(|c| s(&c.value, "spanId")).collect();
    assert!(ids.contains(&first_parent) && ids.contains(&second_parent), "{ids:?}");
    for c in &clients {
        assert_eq!(c.value["status"]["code"], "STATUS_CODE_ERROR");
        assert_eq!(c.attr("error.type").as_deref(), Some("500"));
        assert_eq!(s(&c.value, "parentSpanId"), s(&server.value, "spanId"));
    }

    // A 404 from the backend fails the client span, not the server span.
    let r = c.request("GET", "/api/status/404", &[("traceparent", PARENT)], b"");
    assert_eq!(r.status, 404);
    let spans = wait_trace(&rx, TRACE_ID, |sp| {
        kind(sp, "SPAN_KIND_SERVER").len() == 1 && kind(sp, "SPAN_KIND_CLIENT").len() == 1
    });
    let server = kind(&spans, "SPAN_KIND_SERVER")[0];
    assert_ne!(server.value["status"]["code"], "STATUS_CODE_ERROR");
    assert_eq!(
        kind(&spans, "SPAN_KIND_CLIENT")[0].value["status"]["code"],
        "STATUS_CODE_ERROR"
    );

    // A backend that cannot be reached: both spans fail with the reason.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://127.0.0.1:{}/base", dead.local_addr().unwrap().port());
    drop(dead);
    gw.write_api("dead-api", &api_toml("dead", &dead_url));
    let from = gw.line_count();
    gw.wait_reload_after(from);
    let unreachable = PARENT.replace("4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c");
    let r = c.request("GET", "/dead/x", &[("traceparent", &unreachable)], b"");
    assert!(r.status >= 500, "{}", r.status_line());
    let spans = wait_trace(&rx, "0af7651916cd43dd8448eb211c80319c", |sp| {
        kind(sp, "SPAN_KIND_SERVER").len() == 1 && kind(sp, "SPAN_KIND_CLIENT").len() == 1
    });
    let server = kind(&spans, "SPAN_KIND_SERVER")[0];
    let client = kind(&spans, "SPAN_KIND_CLIENT")[0];
    assert_eq!(server.attr("error.type").as_deref(), Some("BackendConnectionFailure"));
    assert_eq!(client.attr("error.type").as_deref(), Some("BackendConnectionFailure"));
    assert!(client.attr("http.response.status_code").is_none());
}

#[test]
fn sampling_zero_exports_no_new_trace_but_honours_a_sampled_caller() {
    let backend = Backend::start("api");
    let rx = Otlp::start();
    let gw = traced(&backend, &rx, false, "0", None);
    let mut c = gw.connect();
    for i in 0..20 {
        let r = c.request("GET", &format!("/api/echo/{i}"), &[], b"");
        assert_eq!(r.status, 200);
    }
    let unsampled = PARENT
        .replace("4bf92f3577b34da6a3ce929d0e0e4736", "11111111111111111111111111111111")
        .replace("-01", "-00");
    assert_eq!(
        c.request("GET", "/api/echo/unsampled", &[("traceparent", &unsampled)], b"")
            .status,
        200
    );
    let got = backend.wait_until("21 calls", WAIT, |rs| rs.len() == 21);
    for r in &got {
        let (_, _, flags) = fields(&r.headers.get_all("traceparent")[0]);
        assert_eq!(flags, "00", "the backend learns nobody sampled");
    }
    // A caller that sampled is recorded; on the same connection (so the
    // same worker, whose frames arrive in order) after everything above.
    assert_eq!(
        c.request("GET", "/api/echo/last", &[("traceparent", PARENT)], b"")
            .status,
        200
    );
    wait_trace(&rx, TRACE_ID, |sp| sp.len() == 2);
    let spans = otlp::spans(&rx.received());
    let others: Vec<String> = spans
        .iter()
        .map(|i| s(&i.value, "traceId"))
        .filter(|t| t != TRACE_ID)
        .collect();
    assert!(others.is_empty(), "only the sampled caller's trace: {others:?}");
}

#[test]
fn trace_policy_events_and_send_request_spans() {
    let backend = Backend::start("api");
    let side = Backend::start("side");
    let rx = Otlp::start();
    let xml = policies(
        &format!(
            r#"<trace source="orders" severity="information">
                 <message>@("hello " + context.Request.Method)</message>
                 <metadata name="tenant" value="contoso"/>
               </trace>
               <send-request mode="new" response-variable-name="side" timeout="20" ignore-error="false">
                 <set-url>{}/echo/side</set-url>
                 <set-method>POST</set-method>
               </send-request>"#,
            side.url()
        ),
        "<forward-request />",
        r#"<trace source="orders">legacy form</trace>"#,
        "",
    );
    let gw = traced(&backend, &rx, false, "1", Some(&xml));
    let r = gw
        .connect()
        .request("GET", "/api/echo/x", &[("traceparent", PARENT)], b"");
    assert_eq!(r.status, 200);
    let spans = wait_trace(&rx, TRACE_ID, |sp| sp.len() == 3);
    let server = kind(&spans, "SPAN_KIND_SERVER")[0];
    let events = server.value["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["name"], "hello GET");
    let ev = |i: usize, k: &str| otlp::attr(&events[i], k);
    assert_eq!(ev(0, "source").as_deref(), Some("orders"));
    assert_eq!(ev(0, "severity").as_deref(), Some("information"));
    assert_eq!(ev(0, "tenant").as_deref(), Some("contoso"));
    assert_eq!(events[1]["name"], "legacy form");
    assert_eq!(ev(1, "severity").as_deref(), Some("verbose"));

    let side_got = side.wait_until("the side call", WAIT, |rs| !rs.is_empty());
    let (trace, side_parent, _) = fields(&side_got[0].headers.get_all("traceparent")[0]);
    assert_eq!(trace, TRACE_ID);
    let clients = kind(&spans, "SPAN_KIND_CLIENT");
    let side_span = clients
        .iter()
        .find(|c| s(&c.value, "spanId") == side_parent)
        .unwrap_or_else(|| panic!("the send-request span: {clients:?}"));
    assert_eq!(s(&side_span.value, "parentSpanId"), s(&server.value, "spanId"));
    assert_eq!(side_span.attr("http.request.method").as_deref(), Some("POST"));
    assert_eq!(side_span.attr("url.full"), Some(format!("{}/echo/side", side.url())));
    assert_eq!(side_span.attr("http.response.status_code").as_deref(), Some("200"));
}
