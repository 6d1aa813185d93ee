//! Heap allocations of the gateway-wide limit policies on the request path.
//!
//! Issue 5: "evaluation of the common policies allocates nothing per
//! request that it can avoid". This binary wraps the global allocator in a
//! counter (armed per thread, so tests running in parallel do not see each
//! other's allocations), runs the real inbound program of an operation
//! (compiled from policy XML, through `policy::exec::run`) once to create
//! its counters, then again and asserts the second run allocates nothing:
//! a check of an existing counter borrows its key.
//!
//! `rate-limit-by-key` with a computed key may allocate only what the
//! expression evaluation itself allocates (`context.Request.IpAddress`
//! formats the address); the test measures the bare evaluation and asserts
//! the policy adds nothing to it.
//!
//! Outside the assertion, the run also records what an allocation costs
//! on the request path: the allocator under the counter is mimalloc, as in
//! the `outpost` binary.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

use outpost::http::{HeadLimits, RequestHead};
use outpost::policy::exec::{self, Env, RequestView, Run, Stop};
use outpost::policy::expr::Expr;
use outpost::policy::flow::Flow;
use outpost::policy::services::Services;
use outpost::replica::{CompiledApi, Replica};
use outpost::subscription::Grant;

/// Counts allocations (not frees) made on a thread while it is armed.
struct Counting<A>(A);

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `const` thread locals of `Cell`s need no lazy initialisation and no
    // destructor, so this never allocates (no recursion into the
    // allocator); `try_with` copes with a thread being torn down.
    let _ = ARMED.try_with(|armed| {
        if armed.get() {
            COUNT.with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: every method forwards to the wrapped allocator with the caller's
// own arguments, so the wrapped allocator's guarantees (and the caller's
// obligations) carry over unchanged; `note` only touches thread locals and
// never allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded as is; the caller upholds `alloc`'s contract.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded as is; the caller upholds `alloc_zeroed`'s contract.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: forwarded as is: `ptr` was allocated by this allocator
        // (which is `self.0`'s) with `layout`, as the caller guarantees.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is: `ptr` came from `self.0` with `layout`.
        unsafe { self.0.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting<mimalloc::MiMalloc> = Counting(mimalloc::MiMalloc);

/// Runs `f` and returns its result with the allocations it made on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    COUNT.with(|c| c.set(0));
    ARMED.with(|a| a.set(true));
    let r = f();
    ARMED.with(|a| a.set(false));
    (r, COUNT.with(Cell::get))
}

const API: &str = r#"display-name = "Limits"
path = "limits"
service-url = "echo://"
subscription-required = true
"#;

const SUBSCRIPTIONS: &str = r#"[[subscription]]
id = "a-subscription-with-a-long-enough-id"
display-name = "S"
scope = "api:limits"
primary-key = "alloc-free-primary-key"
secondary-key = "alloc-free-secondary-key"
state = "active"
"#;

const KEY: &str = "alloc-free-primary-key";

/// (operation id, its inbound policies).
const OPERATIONS: &[(&str, &str)] = &[
    ("rate", r#"<rate-limit calls="2000000000" renewal-period="60" />"#),
    (
        "rate-nested",
        r#"<rate-limit calls="2000000000" renewal-period="60">
             <api id="limits" calls="2000000000" renewal-period="30">
               <operation id="rate-nested" calls="2000000000" renewal-period="10" />
             </api>
           </rate-limit>"#,
    ),
    ("quota", r#"<quota calls="2000000000" renewal-period="3600" />"#),
    (
        "quota-nested",
        r#"<quota calls="2000000000" renewal-period="3600">
             <api name="Limits" calls="2000000000" renewal-period="600">
               <operation id="quota-nested" calls="2000000000" renewal-period="60" />
             </api>
           </quota>"#,
    ),
    (
        "by-literal-key",
        r#"<rate-limit-by-key calls="2000000000" renewal-period="60" counter-key="everyone" />"#,
    ),
    (
        "by-header-key",
        r#"<rate-limit-by-key calls="2000000000" renewal-period="60"
             counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;, &quot;&quot;))" />"#,
    ),
    (
        "by-subscription-key",
        r#"<rate-limit-by-key calls="2000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />"#,
    ),
    (
        "by-ip-key",
        r#"<rate-limit-by-key calls="2000000000" renewal-period="60" counter-key="@(context.Request.IpAddress)" />"#,
    ),
    (
        "all",
        r#"<rate-limit calls="2000000000" renewal-period="60">
             <api id="limits" calls="2000000000" renewal-period="30" />
           </rate-limit>
           <quota calls="2000000000" renewal-period="3600" />
           <rate-limit-by-key calls="2000000000" renewal-period="60" counter-key="@(context.Subscription.Id)" />"#,
    ),
];

fn replica() -> Replica {
    let mut api = String::from(API);
    let mut files = vec![("subscriptions.toml".to_owned(), SUBSCRIPTIONS.to_owned())];
    for (id, policies) in OPERATIONS {
        api.push_str(&format!(
            "\n[[operations]]\nid = \"{id}\"\ndisplay-name = \"{id}\"\nmethod = \"GET\"\nurl-template = \"/{id}\"\n"
        ));
        let xml = format!("<policies><inbound>{policies}</inbound><backend><forward-request /></backend></policies>");
        files.push((format!("apis/limits/{id}.xml"), xml));
    }
    files.push(("apis/limits.toml".to_owned(), api));
    let cfg = outpost::config::load_files(&files).expect("valid configuration");
    outpost::replica::compile(&cfg, &mut |_, _| Ok(Vec::new())).expect("compiles")
}

/// One request to the `limits` API: a parsed head over its bytes.
struct Request {
    buf: Vec<u8>,
    head: RequestHead,
}

impl Request {
    fn get(path: &str) -> Request {
        let buf = format!(
            "GET /limits/{path} HTTP/1.1\r\nHost: gw\r\nOcp-Apim-Subscription-Key: {KEY}\r\nX-Client: client-7\r\n\r\n"
        )
        .into_bytes();
        let mut head = RequestHead::new();
        let limits = HeadLimits {
            max_head_bytes: 8192,
            max_uri_bytes: 2048,
            max_headers: 32,
        };
        assert_eq!(head.parse(&buf, &limits), Ok(true), "a complete head");
        Request { buf, head }
    }

    fn view(&self) -> RequestView<'_> {
        RequestView {
            head: &self.head,
            buf: &self.buf,
            params: &[],
            remaining_start: "/limits".len(),
        }
    }
}

struct Gateway {
    replica: Replica,
    services: Services,
}

impl Gateway {
    fn new() -> Gateway {
        Gateway {
            replica: replica(),
            services: Services::default(),
        }
    }

    fn api(&self) -> &CompiledApi {
        &self.replica.apis[0]
    }

    fn env(&self, operation: &str) -> Env<'_> {
        let api = self.api();
        let op = api.operations.iter().find(|o| o.id == operation).expect("operation");
        let grant: Grant = self
            .replica
            .subscriptions
            .authorize(&api.access, Some(KEY.as_bytes()))
            .expect("the key is valid");
        assert!(grant.subscription.is_some());
        Env {
            replica: &self.replica,
            api,
            op,
            peer: "192.0.2.17".parse().expect("an address"),
            services: &self.services,
            request_id: 1,
            grant,
            tls: None,
            timestamp: outpost::policy::expr::DateTime::now_utc(),
            started: std::time::Instant::now(),
            trace: None,
            telemetry: None,
        }
    }

    /// Runs the operation's inbound section for one request; returns the
    /// allocations the run made (building the request, the environment and
    /// the flow is not counted: the proxy reuses or needs them anyway).
    fn inbound(&self, operation: &str) -> usize {
        let req = Request::get(operation);
        let env = self.env(operation);
        let prog = &env.op.pipeline_for(env.grant.product).inbound;
        assert!(!prog.ops.is_empty(), "{operation} has inbound policies");
        let mut flow = Flow::default();
        let mut run = Run {
            flow: &mut flow,
            env: &env,
            req: req.view(),
            resp: None,
        };
        let (stop, n) = allocations(|| exec::run(prog, 0, &mut run));
        match stop {
            Ok(Stop::End) => {}
            Ok(other) => panic!("{operation}: stopped at {other:?}"),
            Err(f) => panic!("{operation}: refused or failed: {f:?}"),
        }
        n
    }

    /// Allocations of evaluating `expr` alone against a request to `operation`.
    fn eval_alone(&self, operation: &str, expr: &str) -> usize {
        let e = Expr::compile(expr).expect("compiles");
        let req = Request::get(operation);
        let env = self.env(operation);
        let mut flow = Flow::default();
        let run = Run {
            flow: &mut flow,
            env: &env,
            req: req.view(),
            resp: None,
        };
        let cx = run.context();
        let (v, n) = allocations(|| e.eval_string(&cx).map(|v| v.len()));
        assert!(v.expect("evaluates") > 0);
        n
    }
}

#[test]
fn the_counter_sees_allocations() {
    let (v, n) = allocations(|| std::hint::black_box(vec![1u8; 3]));
    assert_eq!(v.len(), 3);
    assert_eq!(n, 1);
    let g = Gateway::new();
    assert!(g.inbound("rate") > 0, "the first request creates its counter");
}

#[test]
fn checks_of_existing_counters_allocate_nothing() {
    let g = Gateway::new();
    let allocating: Vec<(&str, usize)> = OPERATIONS
        .iter()
        .filter(|(op, _)| *op != "by-ip-key")
        .map(|(op, _)| {
            g.inbound(op);
            (*op, g.inbound(op))
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(
        allocating,
        [],
        "(operation, allocations) of requests on existing counters"
    );
}

#[test]
fn a_computed_counter_key_costs_only_its_evaluation() {
    let g = Gateway::new();
    g.inbound("by-ip-key");
    let eval = g.eval_alone("by-ip-key", "@(context.Request.IpAddress)");
    assert_eq!(
        g.inbound("by-ip-key"),
        eval,
        "rate-limit-by-key adds nothing to evaluating its key"
    );
}

#[test]
fn one_line_expressions_over_the_request_allocate_nothing() {
    let g = Gateway::new();
    g.inbound("by-ip-key");
    for e in [
        r#"@(context.Request.Headers.GetValueOrDefault("X-Client", ""))"#,
        r#"@(context.Request.Headers.GetValueOrDefault("Host", "none"))"#,
        "@(context.Subscription.Id)",
        "@(context.Subscription?.Key ?? \"anonymous\")",
        "@(context.Api.Id)",
        "@(context.Operation.Id)",
        "@(context.Request.Method)",
        r#"@(context.Request.Headers.ContainsKey("X-Client") ? context.Api.Name : "none")"#,
    ] {
        assert_eq!(g.eval_alone("by-ip-key", e), 0, "{e} allocates");
    }
}

/// This thread's CPU time in ns (Linux schedstat), if readable.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// One request's inbound run (not inlined, so `valgrind --tool=callgrind
/// --toggle-collect='*alloc_free*one_inbound*'` counts exactly its instructions).
#[inline(never)]
fn one_inbound(env: &Env<'_>, req: RequestView<'_>) -> bool {
    let prog = &env.op.pipeline_for(env.grant.product).inbound;
    let mut flow = Flow::default();
    let mut run = Run {
        flow: &mut flow,
        env,
        req,
        resp: None,
    };
    matches!(exec::run(prog, 0, &mut run), Ok(Stop::End))
}

/// Micro-benchmark: CPU ns per inbound run on existing counters, one
/// thread, and allocations per run. Prints figures, asserts nothing about
/// speed (bench/README.md, "Limit policies"). Run with
/// `cargo test --release --test alloc_free -- --ignored --nocapture`;
/// `ALLOC_FREE_ITERS` sets the runs per operation (default 1,000,000),
/// `ALLOC_FREE_ONLY` a comma-separated list of operations (default all).
#[test]
#[ignore = "micro-benchmark: prints figures, asserts nothing about speed"]
fn bench_inbound_on_existing_counters() {
    let iters: u32 = std::env::var("ALLOC_FREE_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let only = std::env::var("ALLOC_FREE_ONLY").unwrap_or_default();
    let g = Gateway::new();
    for (op, _) in OPERATIONS {
        if !only.is_empty() && !only.split(',').any(|o| o == *op) {
            continue;
        }
        let req = Request::get(op);
        let env = g.env(op);
        assert!(one_inbound(&env, req.view()), "{op}: admitted");
        let (_, allocs) = allocations(|| one_inbound(&env, req.view()));
        let before = thread_cpu_ns().unwrap_or(0);
        for _ in 0..iters {
            std::hint::black_box(one_inbound(&env, req.view()));
        }
        let cpu = thread_cpu_ns().unwrap_or(0).saturating_sub(before) as f64 / f64::from(iters.max(1));
        println!("inbound {op:<20} CPU {cpu:7.1} ns/request, {allocs} allocations/request");
    }
}

/// Trace context without spans (the default: propagate, export nothing)
/// costs a request no allocation: continuing a caller's trace, starting
/// one, the backend call's context and the request's end.
#[test]
fn trace_context_without_spans_allocates_nothing() {
    use outpost::telemetry::spans::{CallInfo, Incoming, ServerFacts, Tracer};
    let settings = outpost::settings::TelemetrySettings::default();
    let tracer = Tracer::new(&settings, false).expect("trace context is on by default");
    let call = CallInfo {
        method: "GET",
        scheme: "http",
        host: "127.0.0.1",
        port: 9000,
        path: "/x",
    };
    let parent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let mut out = Vec::with_capacity(256);
    for incoming in [Incoming::One(parent), Incoming::Absent, Incoming::One(b"invalid")] {
        let (_, n) = allocations(|| {
            let trace = tracer.start(incoming, std::iter::empty(), std::time::Instant::now());
            let tp = trace.begin_call(&tracer, call).expect("propagated");
            tp.write(&mut out);
            trace.end_call(200, None);
            trace.finish(None, &ServerFacts::default());
        });
        assert_eq!(n, 0, "{incoming:?}");
        out.clear();
    }
}

/// Micro-benchmark: CPU ns and allocations per request of a request's
/// trace on the worker, propagation only (the default) and recorded (a
/// server span and one client span into the worker's recorder, whose frame
/// is taken every 1000 requests as the worker does once a second). Prints
/// figures, asserts nothing about speed. Run with `cargo test --release
/// --test alloc_free bench_request_trace -- --ignored --nocapture`.
#[test]
#[ignore = "micro-benchmark: prints figures, asserts nothing about speed"]
fn bench_request_trace() {
    use outpost::telemetry::recorder::{Recorder, RecorderConfig};
    use outpost::telemetry::spans::{CallInfo, Incoming, ServerFacts, Tracer};
    let iters: u32 = std::env::var("ALLOC_FREE_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let call = CallInfo {
        method: "GET",
        scheme: "http",
        host: "127.0.0.1",
        port: 9000,
        path: "/base/orders/7",
    };
    let facts = ServerFacts {
        method: "GET",
        path: "/api/orders/7",
        scheme: "http",
        host: "api.example.com",
        port: Some(8080),
        client_address: "127.0.0.1",
        protocol_version: "1.1",
        route: Some("/api/orders/{id}"),
        status: 200,
        api_id: "orders",
        operation_id: "get-order",
        subscription_id: Some("sub-1"),
        product_id: Some("starter"),
        error: None,
    };
    let parent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    for (label, traces) in [("propagation only", false), ("recorded (2 spans)", true)] {
        let settings = outpost::settings::TelemetrySettings {
            traces_enabled: traces,
            ..Default::default()
        };
        let tracer = Tracer::new(&settings, true).expect("a tracer");
        let recorder = Recorder::new(
            std::sync::Arc::from(vec![5.0, 10.0]),
            RecorderConfig {
                max_series: 100,
                sampling: 0.0,
            },
        );
        let mut out = Vec::with_capacity(256);
        let one = |out: &mut Vec<u8>| {
            let trace = tracer.start(Incoming::One(parent), std::iter::empty(), std::time::Instant::now());
            if let Some(tp) = trace.begin_call(&tracer, call) {
                tp.write(out);
            }
            trace.end_call(200, None);
            trace.finish(Some(&recorder), &facts);
            out.clear();
        };
        let (_, allocs) = allocations(|| one(&mut out));
        recorder.take(0);
        let before = thread_cpu_ns().unwrap_or(0);
        for i in 0..iters {
            one(&mut out);
            if i % 1000 == 999 {
                std::hint::black_box(recorder.take(0));
            }
        }
        let cpu = thread_cpu_ns().unwrap_or(0).saturating_sub(before) as f64 / f64::from(iters.max(1));
        println!("trace {label:<20} CPU {cpu:7.1} ns/request, {allocs} allocations/request");
    }
}
