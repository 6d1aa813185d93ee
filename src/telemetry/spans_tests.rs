use super::*;
use crate::telemetry::recorder::RecorderConfig;
use crate::telemetry::trace_context::hex;
use std::sync::Arc;

const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn settings(propagate: bool, traces: bool, sampling: f64) -> TelemetrySettings {
    TelemetrySettings {
        trace_context: propagate,
        traces_enabled: traces,
        traces_sampling: sampling,
        ..TelemetrySettings::default()
    }
}

fn recorder() -> Recorder {
    Recorder::new(
        Arc::from(vec![5.0]),
        RecorderConfig {
            max_series: 10,
            sampling: 0.0,
        },
    )
}

fn facts() -> ServerFacts<'static> {
    ServerFacts {
        method: "GET",
        path: "/orders/7",
        scheme: "http",
        host: "api.example.com",
        port: Some(8080),
        client_address: "127.0.0.1",
        protocol_version: "1.1",
        route: Some("/orders/{id}"),
        status: 200,
        api_id: "orders",
        operation_id: "get-order",
        subscription_id: Some("sub1"),
        product_id: Some("starter"),
        error: None,
    }
}

fn call() -> CallInfo<'static> {
    CallInfo {
        method: "GET",
        scheme: "http",
        host: "127.0.0.1",
        port: 9000,
        path: "/api/orders/7",
    }
}

fn attr<'a>(s: &'a SpanRecord, k: &str) -> Option<&'a AttrValue> {
    s.attributes.iter().find(|(n, _)| &**n == k).map(|(_, v)| v)
}

fn str_attr(v: &str) -> Option<AttrValue> {
    Some(AttrValue::Str(v.into()))
}

#[test]
fn nothing_to_do_means_no_tracer() {
    assert!(Tracer::new(&settings(false, false, 1.0), true).is_none());
    assert!(Tracer::new(&settings(false, true, 1.0), false).is_none(), "no exporter");
    let t = Tracer::new(&settings(false, true, 1.0), true).unwrap();
    assert!(t.records() && !t.propagates());
}

#[test]
fn a_sampled_caller_is_continued_and_recorded() {
    let tracer = Tracer::new(&settings(true, true, 0.0), true).unwrap();
    let state = [&b"congo=t61rcWkgMzE"[..]];
    let trace = tracer.start(Incoming::One(PARENT.as_bytes()), state, Instant::now());
    assert!(trace.recording(), "the caller's sampled flag wins over a ratio of 0");
    assert_eq!(hex(&trace.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(
        trace.remote_parent.map(|p| hex(&p)).as_deref(),
        Some("00f067aa0ba902b7")
    );
    assert_ne!(hex(&trace.span_id), "00f067aa0ba902b7");
    let tp = trace.begin_call(&tracer, call()).unwrap();
    assert_eq!(tp.trace_id, trace.trace_id);
    assert!(tp.sampled());
    assert_ne!(tp.parent_id, trace.span_id, "the backend's parent is the client span");
    trace.end_call(503, None);
    trace.event("hello", || vec![("source".into(), AttrValue::Str("s".into()))]);
    let r = recorder();
    let server_id = trace.span_id;
    trace.finish(Some(&r), &facts());
    let spans = r.take(0).unwrap().spans;
    assert_eq!(spans.len(), 2);
    let (client, server) = (&spans[0], &spans[1]);
    assert_eq!(client.kind, SpanKind::Client);
    assert_eq!(client.span_id, tp.parent_id);
    assert_eq!(client.parent_span_id, Some(server_id));
    assert_eq!(client.name.as_ref(), "GET");
    assert_eq!(client.error.as_deref(), Some("503"), "a 5xx answer fails a client span");
    assert_eq!(
        attr(client, "url.full"),
        str_attr("http://127.0.0.1:9000/api/orders/7").as_ref()
    );
    assert_eq!(attr(client, "http.response.status_code"), Some(&AttrValue::Int(503)));
    assert_eq!(client.trace_state.as_deref(), Some("congo=t61rcWkgMzE"));
    assert_eq!(server.kind, SpanKind::Server);
    assert_eq!(server.parent_span_id, trace_parent_id());
    assert_eq!(server.name.as_ref(), "GET /orders/{id}");
    assert!(server.error.is_none());
    assert!(server.end_unix_nanos >= server.start_unix_nanos && server.start_unix_nanos > 0);
    for (k, v) in [
        ("ApiId", "orders"),
        ("OperationId", "get-order"),
        ("SubscriptionId", "sub1"),
        ("ProductId", "starter"),
        ("http.route", "/orders/{id}"),
        ("url.path", "/orders/7"),
        ("server.address", "api.example.com"),
        ("http.request.method", "GET"),
    ] {
        assert_eq!(attr(server, k), str_attr(v).as_ref(), "{k}");
    }
    assert_eq!(attr(server, "http.response.status_code"), Some(&AttrValue::Int(200)));
    assert_eq!(server.events.len(), 1);
    assert_eq!(server.events[0].name.as_ref(), "hello");
}

fn trace_parent_id() -> Option<[u8; 8]> {
    TraceParent::parse(PARENT.as_bytes()).ok().map(|p| p.parent_id)
}

#[test]
fn without_export_the_callers_context_passes_through() {
    let tracer = Tracer::new(&settings(true, false, 1.0), false).unwrap();
    let trace = tracer.start(Incoming::One(PARENT.as_bytes()), [&b"a=1"[..]], Instant::now());
    assert!(!trace.recording());
    let tp = trace.begin_call(&tracer, call()).unwrap();
    assert_eq!(tp.to_header(), PARENT, "unchanged");
    assert_eq!(trace.tracestate(), Some("a=1"));
    let r = recorder();
    trace.finish(Some(&r), &facts());
    assert!(r.take(0).is_none(), "nothing recorded");
}

#[test]
fn a_caller_that_did_not_sample_is_not_recorded() {
    let tracer = Tracer::new(&settings(true, true, 1.0), true).unwrap();
    let unsampled = PARENT.replace("-01", "-00");
    let trace = tracer.start(Incoming::One(unsampled.as_bytes()), [], Instant::now());
    assert!(!trace.recording());
    let tp = trace.begin_call(&tracer, call()).unwrap();
    assert_eq!(tp.to_header(), unsampled);
}

#[test]
fn absent_invalid_or_repeated_traceparent_starts_a_trace() {
    let tracer = Tracer::new(&settings(true, true, 1.0), true).unwrap();
    let bad = PARENT.to_uppercase();
    for incoming in [Incoming::Absent, Incoming::One(bad.as_bytes()), Incoming::Several] {
        let trace = tracer.start(incoming, [&b"a=1"[..]], Instant::now());
        assert!(trace.recording());
        assert_ne!(hex(&trace.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert!(trace.remote_parent.is_none());
        assert!(
            trace.tracestate().is_none(),
            "a tracestate without a valid traceparent is dropped"
        );
        let tp = trace.begin_call(&tracer, call()).unwrap();
        assert_eq!(tp.trace_id, trace.trace_id);
        assert!(tp.sampled());
        let r = recorder();
        trace.finish(Some(&r), &facts());
        let spans = r.take(0).unwrap().spans;
        assert_eq!(spans[1].parent_span_id, None, "a root span");
        assert_eq!(spans[0].parent_span_id, Some(spans[1].span_id));
    }
    let a = tracer.start(Incoming::Absent, [], Instant::now());
    let b = tracer.start(Incoming::Absent, [], Instant::now());
    assert_ne!(a.trace_id, b.trace_id);
}

#[test]
fn generated_traces_are_sampled_by_ratio_of_their_random_part() {
    let none = Tracer::new(&settings(true, true, 0.0), true).unwrap();
    let all = Tracer::new(&settings(true, true, 1.0), true).unwrap();
    let half = Tracer::new(&settings(true, true, 0.5), true).unwrap();
    let mut low = [0xffu8; 16];
    low[9..].copy_from_slice(&[0x10, 0, 0, 0, 0, 0, 1]);
    let mut high = [0u8; 16];
    high[9..].copy_from_slice(&[0xf0, 0, 0, 0, 0, 0, 0]);
    assert!(!none.sampled_by_ratio(&low));
    assert!(all.sampled_by_ratio(&high) && all.sampled_by_ratio(&[0xff; 16]));
    assert!(half.sampled_by_ratio(&low) && !half.sampled_by_ratio(&high));
    let trace = none.start(Incoming::Absent, [], Instant::now());
    assert!(!trace.recording());
    let tp = trace.begin_call(&none, call()).unwrap();
    assert!(!tp.sampled(), "the backend learns the trace is not sampled");
    let sampled = (0..1000)
        .filter(|_| half.start(Incoming::Absent, [], Instant::now()).recording())
        .count();
    assert!((350..650).contains(&sampled), "{sampled}");
}

#[test]
fn without_propagation_nothing_is_sent_and_spans_are_roots() {
    let tracer = Tracer::new(&settings(false, true, 1.0), true).unwrap();
    let trace = tracer.start(Incoming::One(PARENT.as_bytes()), [], Instant::now());
    assert!(trace.recording());
    assert!(trace.remote_parent.is_none(), "incoming context is ignored");
    assert!(trace.begin_call(&tracer, call()).is_none());
    assert!(trace.request_context().is_none());
    let r = recorder();
    trace.finish(Some(&r), &facts());
    let spans = r.take(0).unwrap().spans;
    assert_eq!(spans.len(), 2, "the open call ends with the request");
    assert_eq!(spans[0].error.as_deref(), Some("unfinished"));
}

#[test]
fn send_request_children_and_failures() {
    let tracer = Tracer::new(&settings(true, true, 1.0), true).unwrap();
    let trace = tracer.start(Incoming::Absent, [], Instant::now());
    let (child, tp) = trace.begin_child(&tracer, call());
    let child_id = child.as_ref().map(|c| c.0.span_id);
    assert_eq!(tp.map(|t| t.parent_id), child_id);
    trace.end_child(child, 0, Some("Timeout"));
    let one_way = trace.request_context().unwrap();
    assert_eq!(one_way.parent_id, trace.span_id);
    let r = recorder();
    let mut f = facts();
    f.status = 0;
    f.error = Some("ClientConnectionFailure");
    f.route = None;
    f.method = "PURGE";
    trace.finish(Some(&r), &f);
    let spans = r.take(0).unwrap().spans;
    assert_eq!(spans[0].error.as_deref(), Some("Timeout"));
    assert_eq!(attr(&spans[0], "error.type"), str_attr("Timeout").as_ref());
    let server = &spans[1];
    assert_eq!(server.error.as_deref(), Some("ClientConnectionFailure"));
    assert_eq!(server.name.as_ref(), "HTTP", "an unknown method");
    assert_eq!(attr(server, "http.request.method"), str_attr("_OTHER").as_ref());
    assert_eq!(attr(server, "http.request.method_original"), str_attr("PURGE").as_ref());
    assert!(attr(server, "http.response.status_code").is_none());
}

#[test]
fn events_children_and_values_are_bounded() {
    let tracer = Tracer::new(&settings(true, true, 1.0), true).unwrap();
    let trace = tracer.start(Incoming::Absent, [], Instant::now());
    let long = "é".repeat(MAX_ATTR_LEN);
    for _ in 0..MAX_EVENTS + 10 {
        trace.event(&long, || vec![("m".into(), AttrValue::Str(long.clone().into()))]);
    }
    for _ in 0..MAX_CHILDREN + 10 {
        trace.begin_call(&tracer, call());
        trace.end_call(200, None);
    }
    let r = recorder();
    let mut f = facts();
    f.status = 500;
    trace.finish(Some(&r), &f);
    let spans = r.take(0).unwrap().spans;
    assert_eq!(spans.len(), MAX_CHILDREN + 1);
    let server = spans.last().unwrap();
    assert_eq!(server.error.as_deref(), Some("500"));
    assert_eq!(server.events.len(), MAX_EVENTS);
    assert!(server.events[0].name.len() <= MAX_ATTR_LEN);
    match &server.events[0].attributes[0].1 {
        AttrValue::Str(s) => assert!(s.len() <= MAX_ATTR_LEN && s.chars().all(|c| c == 'é')),
        other => panic!("{other:?}"),
    }
}
