//! The process: hot reload under load, invalid reloads, SIGHUP, SIGTERM
//! drain, SIGINT, health probes, check-config, JSON access logs and the
//! embedded default configuration.

use crate::support::gateway::{check_config, field, LOG_TIMEOUT};
use crate::support::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: usize = 3;

/// Requests completed per client thread, waitable.
#[derive(Default)]
struct Progress {
    done: Mutex<Vec<u64>>,
    cv: Condvar,
}

impl Progress {
    fn bump(&self, i: usize) {
        self.done.lock().unwrap()[i] += 1;
        self.cv.notify_all();
    }

    fn snapshot(&self) -> Vec<u64> {
        self.done.lock().unwrap().clone()
    }

    /// Waits until every client completed `n` more requests than in `since`.
    fn wait_all_past(&self, since: &[u64], n: u64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut done = self.done.lock().unwrap();
        while done.iter().zip(since).any(|(d, s)| *d < s + n) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "clients stopped making progress: {:?} (since {since:?})",
                *done
            );
            done = self.cv.wait_timeout(done, left).unwrap().0;
        }
    }
}

#[test]
fn hot_reload_under_load_drops_nothing() {
    let backends: Vec<Backend> = ["a", "b", "c"].iter().map(|n| Backend::start(n)).collect();
    let gw = Gateway::builder()
        .proxy("test-api", "api", &backends[0].url())
        // Longer than the workers' counter reports (one per worker per
        // ~second under load): the watch must still fire while they arrive.
        .env("OUTPOST_CONFIG_LOCAL_WATCH_INTERVAL", "1500ms")
        .start();
    let stop = Arc::new(AtomicBool::new(false));
    // The backend every request must reach from now on, once set.
    let expected: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let progress = Arc::new(Progress {
        done: Mutex::new(vec![0; CLIENTS]),
        cv: Condvar::new(),
    });
    let total = Arc::new(AtomicUsize::new(0));
    let port = gw.port;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (stop, expected, errors, progress, total) = (
                stop.clone(),
                expected.clone(),
                errors.clone(),
                progress.clone(),
                total.clone(),
            );
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                let mut c = Conn::connect(port);
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    let want = expected.lock().unwrap().clone();
                    let r = c.request("POST", &format!("/api/echo/load-{i}"), &[], b"payload");
                    let backend = r.header("x-backend").unwrap_or_default();
                    if r.status != 200 || r.text() != "payload" {
                        errors
                            .lock()
                            .unwrap()
                            .push(format!("client {i}: {} {:?}", r.status_line(), r.text()));
                    } else if want.as_ref().is_some_and(|w| *w != backend) {
                        errors
                            .lock()
                            .unwrap()
                            .push(format!("client {i}: reached {backend:?} after the reload to {want:?}"));
                    }
                    total.fetch_add(1, Ordering::SeqCst);
                    progress.bump(i);
                }
            })
        })
        .collect();

    progress.wait_all_past(&[0; CLIENTS], 3);
    // Each step rewrites one file (display names keep every configuration
    // distinct); the last one leaves backend "b".
    let step = |k: usize, path: &str, b: &Backend| {
        format!("# step {k}\n{}", api_toml(path, &b.url()))
            .replace("display-name = \"Test", &format!("display-name = \"Step {k}"))
    };
    let steps: [(&str, String); 5] = [
        ("test-api", step(1, "api", &backends[1])),
        ("extra", step(2, "extra", &backends[0])),
        ("test-api", step(3, "api", &backends[2])),
        ("test-api", step(4, "api", &backends[0])),
        ("test-api", step(5, "api", &backends[1])),
    ];
    let mut hashes = Vec::new();
    for (k, (id, toml)) in steps.iter().enumerate() {
        let from = gw.line_count();
        gw.write_api(id, toml);
        hashes.push(gw.wait_reload_after(from));
        if k == steps.len() - 1 {
            *expected.lock().unwrap() = Some("b".into());
        }
        if k == 1 {
            let r = gw.connect().get("/extra/fixed");
            assert_eq!(r.status, 200, "the API added by a reload is served");
            assert_eq!(r.header("x-backend").as_deref(), Some("a"));
        }
        let snap = progress.snapshot();
        progress.wait_all_past(&snap, 3);
    }
    stop.store(true, Ordering::SeqCst);
    let mut panics = Vec::new();
    for (i, t) in clients.into_iter().enumerate() {
        if let Err(e) = t.join() {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or(e.downcast_ref::<&str>().map(|s| s.to_string()));
            panics.push(format!("client {i} failed: {}", msg.unwrap_or_default()));
        }
    }
    let errors = errors.lock().unwrap();
    assert!(
        panics.is_empty() && errors.is_empty(),
        "reloads must not fail requests: {panics:?} {errors:?}"
    );
    assert!(total.load(Ordering::SeqCst) >= 6 * 3 * CLIENTS);
    let distinct: std::collections::HashSet<_> = hashes.iter().collect();
    assert_eq!(
        distinct.len(),
        hashes.len(),
        "every reload produced a new configuration: {hashes:?}"
    );
    let r = gw.connect().get("/api/fixed/final");
    assert_eq!(
        r.header("x-backend").as_deref(),
        Some("b"),
        "new connections reach the last backend"
    );
}

#[test]
fn invalid_config_is_rejected_and_serving_continues() {
    let (one, two) = (Backend::start("one"), Backend::start("two"));
    let gw = Gateway::builder()
        .proxy("t", "api", &one.url())
        .env("OUTPOST_CONFIG_LOCAL_WATCH_INTERVAL", "100ms")
        .start();
    let mut c = gw.connect();
    let invalid = [
        "display-name = \"x\"\npath = \n".to_string(),
        "display-name = \"x\"\npath = \"api\"\nservice-url = \"ftp://127.0.0.1/x\"\n".to_string(),
        format!(
            "display-name = \"x\"\npath = \"api\"\nservice-url = \"{}\"\nno-such-key = 1\n",
            two.url()
        ),
    ];
    for toml in &invalid {
        let from = gw.line_count();
        gw.write_api("t", toml);
        let (_, line) = gw.wait_for_line_after(from, |l| l.contains("configuration rejected"), LOG_TIMEOUT);
        assert!(line.contains("t.toml"), "the rejection names the file: {line}");
        let r = c.get("/api/fixed");
        assert_eq!(r.status, 200, "still serving after rejecting {toml:?}");
        assert_eq!(
            r.header("x-backend").as_deref(),
            Some("one"),
            "the last good configuration stays"
        );
    }
    let from = gw.line_count();
    gw.write_api("t", &api_toml("api", &two.url()));
    gw.wait_reload_after(from);
    assert_eq!(
        c.get("/api/fixed").header("x-backend").as_deref(),
        Some("two"),
        "a valid change applies after rejections"
    );
}

#[test]
fn sighup_reloads_configuration() {
    let (one, two) = (Backend::start("one"), Backend::start("two"));
    let gw = Gateway::builder()
        .proxy("t", "api", &one.url())
        .env("OUTPOST_CONFIG_LOCAL_WATCH_INTERVAL", "1h")
        .start();
    let mut c = gw.connect();
    assert_eq!(c.get("/api/fixed").header("x-backend").as_deref(), Some("one"));
    gw.write_api("t", &api_toml("api", &two.url()));
    let from = gw.line_count();
    gw.signal(libc::SIGHUP);
    gw.wait_for_line_after(from, |l| l.contains("SIGHUP"), LOG_TIMEOUT);
    gw.wait_reload_after(from);
    assert_eq!(c.get("/api/fixed").header("x-backend").as_deref(), Some("two"));
}

#[test]
fn sigterm_drains_in_flight_requests_and_exits_0() {
    let backend = Backend::start("b");
    let mut gw = gateway_for(&backend);
    let mut inflight = gw.connect();
    inflight.send(b"GET /api/slow HTTP/1.1\r\nHost: x\r\n\r\n");
    backend.wait_until("the slow request", LOG_TIMEOUT, |r| !r.is_empty());

    gw.signal(libc::SIGTERM);
    gw.wait_for_line(|l| l.contains("SIGTERM: draining"), LOG_TIMEOUT);
    let workers = gw.workers;
    gw.wait_until("every worker to start draining", LOG_TIMEOUT, |lines| {
        (lines.iter().filter(|l| l.contains("worker draining")).count() >= workers).then_some(())
    });
    if let Ok(mut late) = Conn::try_connect(gw.port) {
        late.send_lossy(b"GET /api/fixed HTTP/1.1\r\nHost: x\r\n\r\n");
        let r = late.read_response_or_close();
        assert!(
            r.is_none(),
            "a connection after SIGTERM must be refused or closed, got {:?}",
            r.map(|r| r.status_line())
        );
    }
    assert_eq!(
        backend.request_count(),
        1,
        "nothing new reaches the backend while draining"
    );

    backend.release();
    let r = inflight.read_response();
    assert_eq!(r.status, 200, "the in-flight request completes: {}", r.status_line());
    assert_eq!(r.text(), "released");
    let status = gw.wait_exit(Duration::from_secs(20));
    assert_eq!(status.code(), Some(0), "exit status after SIGTERM");
    assert!(gw.lines().iter().any(|l| l.contains("shutdown complete")));
}

#[test]
fn sigint_exits_at_once_with_130() {
    let backend = Backend::start("b");
    let mut gw = gateway_for(&backend);
    let mut inflight = gw.connect();
    inflight.send(b"GET /api/slow HTTP/1.1\r\nHost: x\r\n\r\n");
    backend.wait_until("the slow request", LOG_TIMEOUT, |r| !r.is_empty());
    gw.signal(libc::SIGINT);
    // The backend is never released: exiting must not wait for it.
    let status = gw.wait_exit(Duration::from_secs(20));
    assert_eq!(status.code(), Some(130));
    assert!(inflight.read_response_or_close().is_none(), "the held request is cut");
}

#[test]
fn health_endpoints_answer_200() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    for path in ["/status-0123456789abcdef", "/internal-status-0123456789abcdef"] {
        let r = c.get(path);
        assert_eq!(r.status, 200, "GET {path}");
        if r.headers.has_token("connection", "close") {
            c = gw.connect();
        }
    }
    assert_eq!(backend.request_count(), 0, "health probes never reach a backend");
}

#[test]
fn check_config_accepts_valid_and_names_the_bad_file() {
    let good = gateway::TempDir::new("check-ok");
    std::fs::create_dir_all(good.0.join("apis")).unwrap();
    std::fs::write(
        good.0.join("apis/fine.toml"),
        api_toml("fine", "http://127.0.0.1:9/base"),
    )
    .unwrap();
    let (code, out, err) = check_config(&good.0);
    assert_eq!(code, 0, "valid dir: stdout {out:?} stderr {err:?}");
    assert!(out.contains("OK"), "{out:?}");

    let bad = gateway::TempDir::new("check-bad");
    std::fs::create_dir_all(bad.0.join("apis")).unwrap();
    std::fs::write(
        bad.0.join("apis/fine.toml"),
        api_toml("fine", "http://127.0.0.1:9/base"),
    )
    .unwrap();
    std::fs::write(
        bad.0.join("apis/broken.toml"),
        "display-name = \"b\"\npath = \"b\"\nservice-url = 42\n",
    )
    .unwrap();
    let (code, out, err) = check_config(&bad.0);
    assert_eq!(code, 1, "invalid dir: stdout {out:?} stderr {err:?}");
    assert!(err.contains("broken.toml"), "the error names the file: {err:?}");
    assert!(err.contains("service-url"), "the error names the field: {err:?}");
}

#[test]
fn json_access_log_has_one_gatewaylogs_record_per_request() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("logs-api", "api", &backend.url())
        .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
        .start();
    let mut c = gw.connect();
    assert_eq!(c.get("/api/fixed/log?x=1").status, 200);
    let r = c.get("/nope");
    assert_eq!(r.status, 404);
    let is_access = |l: &str| l.contains("\"category\":\"GatewayLogs\"");
    let (_, miss) = gw.wait_for_line_after(0, |l| is_access(l) && l.contains("/nope"), LOG_TIMEOUT);
    let records: Vec<String> = gw.lines().into_iter().filter(|l| is_access(l)).collect();
    assert_eq!(records.len(), 2, "one record per request: {records:#?}");
    let hit = &records[0];
    assert_eq!(field(hit, "method").as_deref(), Some("GET"), "{hit}");
    assert_eq!(field(hit, "responseCode").as_deref(), Some("200"), "{hit}");
    assert_eq!(field(hit, "apiId").as_deref(), Some("logs-api"), "{hit}");
    assert!(
        field(hit, "url").is_some_and(|u| u.ends_with("/api/fixed/log?x=1")),
        "{hit}"
    );
    assert_eq!(field(hit, "callerIpAddress").as_deref(), Some("127.0.0.1"), "{hit}");
    for key in [
        "operationId",
        "totalTime",
        "backendTime",
        "correlationId",
        "timeGenerated",
        "isRequestSuccess",
    ] {
        assert!(hit.contains(&format!("\"{key}\":")), "{key} missing: {hit}");
    }
    assert_eq!(field(&miss, "responseCode").as_deref(), Some("404"), "{miss}");
    assert_eq!(field(&miss, "isRequestSuccess").as_deref(), Some("false"), "{miss}");
}

#[test]
fn embedded_default_serves_the_echo_api() {
    let gw = Gateway::builder().embedded().start();
    let mut c = gw.connect();
    let r = c.request("POST", "/echo/hello?x=1", &[], b"hi");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"));
    let body = r.text();
    for part in [
        "\"method\":\"POST\"",
        "\"path\":\"/echo/hello\"",
        "\"body\":\"hi\"",
        "\"query\":\"x=1\"",
    ] {
        assert!(body.contains(part), "{part} missing in {body}");
    }
    // The demo API-scope policy (config/apis/echo.xml).
    assert_eq!(r.header("x-served-by").as_deref(), Some("outpost"));
    let r = c.request("GET", "/echo/hello", &[("X-Demo", "teapot")], b"");
    assert_eq!(r.status, 418, "{}", r.text());
    assert_eq!(r.text(), "short and stout");
}

#[test]
fn batched_access_log_loses_no_record_on_a_burst_or_at_sigterm() {
    let backend = Backend::start("b");
    let mut gw = Gateway::builder()
        .proxy("burst-api", "api", &backend.url())
        .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
        .start();
    // A burst: 3 connections × 40 pipelined requests, so workers batch many
    // records into one write.
    let mut conns: Vec<_> = (0..3).map(|_| gw.connect()).collect();
    for (i, c) in conns.iter_mut().enumerate() {
        let mut burst = Vec::new();
        for j in 0..40 {
            burst.extend_from_slice(format!("GET /api/c{i}/r{j} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
        }
        c.send(&burst);
    }
    for c in &mut conns {
        for _ in 0..40 {
            assert_eq!(c.read_response().status, 200);
        }
    }
    gw.signal(libc::SIGTERM);
    let status = gw.wait_exit(Duration::from_secs(30));
    assert_eq!(status.code(), Some(0));
    let records: Vec<String> = gw
        .lines()
        .into_iter()
        .filter(|l| l.contains("\"category\":\"GatewayLogs\""))
        .collect();
    assert_eq!(records.len(), 120, "one record per request, none lost or merged");
    for i in 0..3 {
        for j in 0..40 {
            let url = format!("/api/c{i}/r{j}");
            let n = records
                .iter()
                .filter(|r| field(r, "url").is_some_and(|u| u.ends_with(&url)))
                .count();
            assert_eq!(n, 1, "{url}: {n} records");
        }
    }
    for r in &records {
        assert!(r.starts_with('{') && r.ends_with('}'), "a whole JSON line: {r}");
        assert_eq!(field(r, "level").as_deref(), Some("INFO"), "{r}");
    }
}
