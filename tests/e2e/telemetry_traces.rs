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
