//! The management plane end to end: `outpost control-plane` configured
//! through its REST API, gateways in management-plane mode syncing from it
//! (long poll, fail static, the configuration backup), gateway tokens and
//! keys, heartbeats, OpenAPI import and admin authentication.

use crate::support::control_plane::{compact_utc, unix_now};
use crate::support::gateway::{field, TempDir};
use crate::support::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bound on waiting for the gateway to pick up a change (long poll is 5 s).
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound on a reconnection after an outage (retries back off 1 s, 2 s, 4 s…).
const RECONNECT_TIMEOUT: Duration = Duration::from_secs(60);
const INTERNAL_STATUS: &str = "/internal-status-0123456789abcdef";
const STATUS: &str = "/status-0123456789abcdef";

fn remote_gateway(cp: &ControlPlane, token: &str, backup: &Path) -> Gateway {
    Gateway::builder().remote(&cp.endpoint(), token, backup).start()
}

fn get(gw: &Gateway, path: &str) -> Response {
    gw.connect().get(path)
}

/// Asserts a 200 from `backend` that reached it as `target`.
fn assert_proxied(r: &Response, backend: &Backend, name: &str, target: &str, what: &str) {
    assert_eq!(r.status, 200, "{what}: {} {:?}", r.status_line(), r.text());
    assert_eq!(
        r.header("x-backend").as_deref(),
        Some(name),
        "{what}: served by backend {name}"
    );
    assert_eq!(
        r.header("x-request-target").as_deref(),
        Some(target),
        "{what}: request target at the backend"
    );
    assert!(
        backend.requests().iter().any(|q| q.target == target),
        "{what}: backend {name} recorded {target}"
    );
}

fn assert_not_found(r: &Response, what: &str) {
    assert_eq!(r.status, 404, "{what}: {} {:?}", r.status_line(), r.text());
    assert_eq!(r.text(), NOT_FOUND_BODY, "{what}: APIM's 404 body");
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"), "{what}");
}

/// Polls `cond` (an externally observable condition) until it holds.
fn poll_until<T>(what: &str, timeout: Duration, mut cond: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(t) = cond() {
            return t;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The backup file's snapshot version, when the file is present and well formed.
fn backup_version(file: &Path) -> Option<u64> {
    let bytes = std::fs::read(file).ok()?;
    let nl = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..nl]).ok()?;
    let digest = header.strip_prefix("outpost-backup 1 sha256=")?;
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v: Value = serde_json::from_slice(&bytes[nl + 1..]).ok()?;
    v["version"].as_u64()
}

/// Checks a gateway without configuration: not ready, API requests 503,
/// liveness still 200, and nothing reached `backend`.
fn assert_unconfigured(gw: &Gateway, backend: &Backend, what: &str) {
    let before = backend.request_count();
    let r = get(gw, INTERNAL_STATUS);
    assert_eq!(
        r.status,
        503,
        "{what}: readiness without configuration: {}",
        r.status_line()
    );
    let r = get(gw, "/inv/fixed");
    assert_eq!(
        r.status,
        503,
        "{what}: API request without configuration: {}",
        r.status_line()
    );
    let r = get(gw, STATUS);
    assert_eq!(r.status, 200, "{what}: liveness: {}", r.status_line());
    assert_eq!(backend.request_count(), before, "{what}: nothing reached the backend");
}

/// Listens on a stopped control plane's port and answers every request
/// with 503, counting configuration fetches.
struct DeadPlane {
    port: u16,
    fetches: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DeadPlane {
    fn start(port: u16) -> DeadPlane {
        let listener = poll_until("the plane's port to be free", SYNC_TIMEOUT, || {
            TcpListener::bind(("127.0.0.1", port)).ok()
        });
        let fetches = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, st) = (fetches.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                if head.starts_with(b"GET /gateway/config") {
                    f.fetch_add(1, Ordering::SeqCst);
                }
                let _ = conn
                    .write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        DeadPlane {
            port,
            fetches,
            stop,
            thread: Some(thread),
        }
    }

    /// Waits for `n` configuration fetches (retries back off 1 s, 2 s, …).
    fn wait_fetches(&self, n: u64) {
        poll_until(&format!("{n} fetch retries"), RECONNECT_TIMEOUT, || {
            (self.fetches.load(Ordering::SeqCst) >= n).then_some(())
        });
    }
}

impl Drop for DeadPlane {
    /// Stops listening (the port is free again once this returns).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn rest_changes_are_served_then_unassigned() {
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("orders", "orders", &a.url());
    cp.assign("gw1", "orders");
    let backup = TempDir::new("backup");
    let gw = remote_gateway(&cp, &cp.token("gw1"), &backup.0);
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);

    // No operations: one wildcard operation for every method and path.
    let mut c = gw.connect();
    let r = c.get("/orders/fixed/x?q=1");
    assert_proxied(&r, &a, "a", "/base/fixed/x?q=1", "GET through the assigned API");
    let r = c.request("POST", "/orders/echo/new", &[], b"order");
    assert_proxied(&r, &a, "a", "/base/echo/new", "POST through the wildcard operation");
    assert_eq!(r.text(), "order");
    let r = c.request("DELETE", "/orders/echo/1", &[], b"");
    assert_proxied(&r, &a, "a", "/base/echo/1", "DELETE through the wildcard operation");

    // New serviceUrl and path.
    cp.put_api("orders", "shop", &b.url());
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let before_a = a.request_count();
    let r = c.get("/shop/fixed");
    assert_proxied(&r, &b, "b", "/base/fixed", "GET through the new path and serviceUrl");
    assert_not_found(&get(&gw, "/orders/fixed"), "the old path after the change");
    assert_eq!(
        a.request_count(),
        before_a,
        "the old backend gets nothing after the change"
    );

    // Unassigned: gone.
    cp.unassign("gw1", "orders");
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let before_b = b.request_count();
    assert_not_found(&get(&gw, "/shop/fixed"), "the API after unassignment");
    assert_eq!(
        b.request_count(),
        before_b,
        "nothing reaches the backend after unassignment"
    );
}

#[test]
fn outage_fail_static_backup_corruption_and_catch_up() {
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let mut cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("inv", "inv", &a.url());
    cp.assign("gw1", "inv");
    let token = cp.token("gw1");
    let backup = TempDir::new("backup");
    let file = backup.0.join("snapshot.lock.json");
    let g1 = remote_gateway(&cp, &token, &backup.0);
    let (v1, _) = g1.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_proxied(&get(&g1, "/inv/fixed"), &a, "a", "/base/fixed", "before the outage");
    poll_until("the backup of the first snapshot", SYNC_TIMEOUT, || {
        (backup_version(&file) == Some(v1)).then_some(())
    });

    // The management plane dies: the running gateway keeps serving.
    let mut kept = g1.connect();
    assert_eq!(kept.get("/inv/fixed").status, 200);
    cp.stop();
    g1.wait_for_line(|l| l.contains("configuration sync failing"), SYNC_TIMEOUT);
    // A stand-in answers 503 on the plane's port (a load balancer with no
    // healthy plane behind it), so that retries are observable: after two
    // more failed fetches, each reason was logged once, not once per retry.
    let dead = DeadPlane::start(cp.port);
    dead.wait_fetches(2);
    let failing = g1.lines_with("configuration sync failing");
    let reasons: Vec<&str> = failing.iter().map(|l| l.split_once(' ').map_or("", |x| x.1)).collect();
    let distinct: std::collections::HashSet<_> = reasons.iter().collect();
    assert_eq!(
        distinct.len(),
        reasons.len(),
        "fail static logged once per reason, not per retry: {failing:#?}"
    );
    assert_proxied(
        &kept.get("/inv/fixed"),
        &a,
        "a",
        "/base/fixed",
        "kept connection, plane down",
    );
    assert_proxied(
        &get(&g1, "/inv/fixed"),
        &a,
        "a",
        "/base/fixed",
        "new connection, plane down",
    );
    assert_eq!(
        get(&g1, INTERNAL_STATUS).status,
        200,
        "still ready while failing static"
    );

    // A gateway (re)started during the outage serves the backup.
    let g2 = remote_gateway(&cp, &token, &backup.0);
    let line = g2.wait_for_line(
        |l| l.contains("serving the configuration backup until the management plane answers"),
        SYNC_TIMEOUT,
    );
    assert_eq!(field(&line, "version"), Some(v1.to_string()), "{line}");
    assert_eq!(get(&g2, INTERNAL_STATUS).status, 200, "ready from the backup");
    assert_proxied(
        &get(&g2, "/inv/fixed"),
        &a,
        "a",
        "/base/fixed",
        "restarted gateway, from the backup",
    );
    g2.wait_for_line(|l| l.contains("configuration sync failing"), SYNC_TIMEOUT);
    drop(g2);

    // A corrupt backup (one byte flipped) is refused, never served.
    let good = std::fs::read(&file).unwrap();
    let header_len = good.iter().position(|&x| x == b'\n').unwrap() + 1;
    let mut flipped = good.clone();
    flipped[header_len + (good.len() - header_len) / 2] ^= 0x04;
    std::fs::write(&file, &flipped).unwrap();
    let g3 = remote_gateway(&cp, &token, &backup.0);
    let refused = g3.wait_for_line(|l| l.contains("configuration backup"), SYNC_TIMEOUT);
    assert!(
        refused.contains("configuration backup refused") || refused.contains("configuration backup unusable"),
        "a flipped byte is refused clearly: {refused}"
    );
    assert!(refused.contains("checksum mismatch"), "the refusal says why: {refused}");
    g3.wait_for_line(|l| l.contains("no configuration yet"), SYNC_TIMEOUT);
    assert_unconfigured(&g3, &a, "flipped byte");
    drop(g3);

    // So is a truncated one; this gateway stays up for the recovery.
    std::fs::write(&file, &good[..good.len() / 2]).unwrap();
    let g4 = remote_gateway(&cp, &token, &backup.0);
    let refused = g4.wait_for_line(|l| l.contains("configuration backup"), SYNC_TIMEOUT);
    assert!(
        refused.contains("configuration backup refused") || refused.contains("configuration backup unusable"),
        "a truncated backup is refused clearly: {refused}"
    );
    g4.wait_for_line(|l| l.contains("no configuration yet"), SYNC_TIMEOUT);
    assert!(
        g4.lines_with("serving the configuration backup").is_empty(),
        "a corrupt backup is never served"
    );
    assert_unconfigured(&g4, &a, "truncated backup");
    // g4 must have seen the outage before the plane returns (its first fetch
    // can wait in the stand-in's backlog), or it never logs a recovery.
    g4.wait_for_line(|l| l.contains("configuration sync failing"), SYNC_TIMEOUT);

    drop(g1);

    drop(dead);
    // The plane comes back on the same port and data; a change made there
    // reaches the gateway that had nothing.
    cp.restart();
    cp.put_api("inv", "inv", &b.url());
    let v2 = cp.version();
    assert!(v2 > v1);
    let (applied, _) = g4.wait_snapshot(v2, RECONNECT_TIMEOUT);
    assert!(applied >= v2);
    g4.wait_for_line(|l| l.contains("configuration sync restored"), SYNC_TIMEOUT);
    assert_eq!(get(&g4, INTERNAL_STATUS).status, 200, "ready after catching up");
    assert_proxied(
        &get(&g4, "/inv/fixed"),
        &b,
        "b",
        "/base/fixed",
        "the change made during the outage",
    );
    poll_until("a fresh, valid backup", SYNC_TIMEOUT, || {
        backup_version(&file).filter(|v| *v >= v2)
    });
}

#[test]
fn gateway_tokens_scope_regeneration_and_expiry() {
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let cp = ControlPlane::start();
    cp.put_gateway("gwa");
    cp.put_gateway("gwb");
    cp.put_api("apia", "alpha", &a.url());
    cp.put_api("apib", "beta", &b.url());
    cp.assign("gwa", "apia");
    cp.assign("gwb", "apib");
    let tok_a = cp.token("gwa");
    let tok_b = cp.token("gwb");

    let (status, snap) = cp.gateway_config(&tok_b);
    assert_eq!(status, 200, "{snap}");
    assert_eq!(snap["gatewayId"], "gwb");
    let paths: Vec<&str> = snap["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.contains(&"apis/apib.toml"), "B's snapshot has B's API: {paths:?}");
    assert!(
        !paths.iter().any(|p| p.contains("apia")),
        "B's snapshot lacks A's API: {paths:?}"
    );

    // A gateway holding B's token serves B's configuration only.
    let backup = TempDir::new("backup");
    let gw = remote_gateway(&cp, &tok_b, &backup.0);
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_proxied(&get(&gw, "/beta/fixed"), &b, "b", "/base/fixed", "B's API");
    assert_not_found(&get(&gw, "/alpha/fixed"), "A's API on B's gateway");
    assert_eq!(a.request_count(), 0);

    // Regenerating B's primary key revokes the running gateway's token:
    // it fails static, saying why.
    let from = gw.line_count();
    cp.admin(
        "POST",
        "/mgmt/gateways/gwb/regenerateKey",
        &json!({ "keyType": "primary" }).to_string(),
    );
    let (status, body) = cp.gateway_config(&tok_b);
    assert_eq!(status, 401, "a token signed by the old key: {body}");
    let (_, line) = gw.wait_for_line_after(from, |l| l.contains("configuration sync failing"), SYNC_TIMEOUT);
    assert!(
        line.contains("management plane refused the gateway token"),
        "the failure names the refusal: {line}"
    );
    assert!(!line.contains(&tok_b), "the token is never logged: {line}");
    assert_proxied(
        &get(&gw, "/beta/fixed"),
        &b,
        "b",
        "/base/fixed",
        "fail static after revocation",
    );

    // An expired token: A's token with its expiry moved into the past
    // (the signature no longer matches either). A's real token works.
    assert_eq!(cp.gateway_config(&tok_a).0, 200, "A's token as issued");
    let parts: Vec<&str> = tok_a.splitn(3, '&').collect();
    assert_eq!(parts.len(), 3, "{tok_a}");
    let expired = format!("{}&{}&{}", parts[0], compact_utc(unix_now() - 3600), parts[2]);
    let moved_ahead = format!("{}&{}&{}", parts[0], compact_utc(unix_now() + 86400), parts[2]);
    let wrong_gateway = tok_a.replacen("GatewayKey gwa&", "GatewayKey gwb&", 1);
    let short_sig = &tok_a[..tok_a.len() - 8];
    let admin = format!("Bearer {}", cp.admin_token());
    let cases: Vec<(&str, String)> = vec![
        ("expired (expiry edited into the past)", expired),
        ("expiry edited into the future", moved_ahead),
        ("another gateway's id", wrong_gateway),
        ("truncated signature", short_sig.to_string()),
        ("no fields", "GatewayKey ".to_string()),
        ("gateway id only", "GatewayKey gwa".to_string()),
        ("expiry not a date", format!("GatewayKey gwa&notadate&{}", parts[2])),
        ("signature not base64", format!("{}&{}&!!!", parts[0], parts[1])),
        ("no scheme", tok_a.trim_start_matches("GatewayKey ").to_string()),
        ("the admin token", admin),
    ];
    for (what, auth) in &cases {
        let (status, body) = cp.gateway_config(auth);
        assert_eq!(status, 401, "{what}: {auth:?} → {body}");
        assert_eq!(body["error"]["code"], "Unauthorized", "{what}: {body}");
    }
    let r = cp.raw("GET", "/gateway/config", None, "");
    assert_eq!(r.status, 401, "no Authorization: {}", r.text());
}

#[test]
fn heartbeats_report_the_applied_version() {
    let backend = Backend::start("a");
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("hb", "hb", &backend.url());
    cp.assign("gw1", "hb");
    let backup = TempDir::new("backup");
    let gw = remote_gateway(&cp, &cp.token("gw1"), &backup.0);
    let instance_with = |version: u64| {
        poll_until(
            &format!("an instance reporting applied version {version}"),
            SYNC_TIMEOUT,
            || {
                let v = cp.admin("GET", "/mgmt/gateways/gw1/instances", "");
                let list = v["value"].as_array().cloned().unwrap_or_default();
                assert!(list.len() <= 1, "one gateway process, one instance: {v}");
                list.into_iter().find(|i| i["appliedVersion"].as_u64() == Some(version))
            },
        )
    };
    let (v1, _) = gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let inst = instance_with(v1);
    assert!(
        inst["instanceId"].as_str().is_some_and(|s| !s.is_empty()),
        "instance id: {inst}"
    );
    assert!(inst["lastHeartbeat"].as_str().is_some(), "last heartbeat time: {inst}");
    assert!(inst["lastError"].is_null(), "no error while in sync: {inst}");

    // A new version is reported too.
    cp.put_api("hb", "hb2", &backend.url());
    let (v2, _) = gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert!(v2 > v1);
    let inst2 = instance_with(v2);
    assert_eq!(inst2["instanceId"], inst["instanceId"], "the same instance");
}

#[test]
fn updates_every_100ms_under_load_drop_nothing() {
    const CLIENTS: usize = 2;
    const UPDATES: usize = 30;
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("load", "load", &a.url());
    cp.assign("gw1", "load");
    let backup = TempDir::new("backup");
    let gw = remote_gateway(&cp, &cp.token("gw1"), &backup.0);
    let (first, _) = gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);

    let stop = Arc::new(AtomicBool::new(false));
    let done: Arc<Vec<AtomicU64>> = Arc::new((0..CLIENTS).map(|_| AtomicU64::new(0)).collect());
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let port = gw.port;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (stop, done, errors) = (stop.clone(), done.clone(), errors.clone());
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(120);
                let mut c = Conn::connect(port);
                let mut n = 0u64;
                while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                    c.send(format!("GET /load/fixed/{i}/{n} HTTP/1.1\r\nHost: gateway.test\r\n\r\n").as_bytes());
                    let Some(r) = c.read_response_or_close() else {
                        errors
                            .lock()
                            .unwrap()
                            .push(format!("client {i}: connection dropped at request {n}"));
                        return;
                    };
                    if r.status != 200 || r.text() != "hello world" {
                        errors.lock().unwrap().push(format!(
                            "client {i} request {n}: {} {:?}",
                            r.status_line(),
                            r.text()
                        ));
                    }
                    if r.headers.has_token("connection", "close") {
                        errors
                            .lock()
                            .unwrap()
                            .push(format!("client {i}: Connection: close at request {n}"));
                        return;
                    }
                    n += 1;
                    done[i].store(n, Ordering::SeqCst);
                }
            })
        })
        .collect();
    let counts = || done.iter().map(|d| d.load(Ordering::SeqCst)).collect::<Vec<_>>();
    let progressed = |since: Vec<u64>| {
        poll_until("every client to make progress", SYNC_TIMEOUT, || {
            counts().iter().zip(&since).all(|(now, s)| *now >= s + 3).then_some(())
        })
    };
    progressed(vec![0; CLIENTS]);

    // Each update is distinct (description) and alternates the backend; the
    // last one leaves backend b. The spacing only shapes the load.
    for k in 1..=UPDATES {
        let url = if k % 2 == 0 { b.url() } else { a.url() };
        let body =
            json!({ "displayName": "Load", "description": format!("update {k}"), "path": "load", "serviceUrl": url });
        cp.admin("PUT", "/mgmt/apis/load", &body.to_string());
        std::thread::sleep(Duration::from_millis(100));
    }
    let (last, _) = gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    progressed(counts());
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
        "configuration updates must not fail requests or drop connections: {panics:?} {errors:#?}"
    );
    let total: u64 = counts().iter().sum();
    assert!(last > first);
    assert!(
        gw.lines_with("snapshot refused").is_empty(),
        "every snapshot was accepted"
    );
    let r = get(&gw, "/load/fixed/final");
    assert_proxied(&r, &b, "b", "/base/fixed/final", "after the last update");
    eprintln!(
        "{total} requests on {CLIENTS} connections across {} applied snapshots",
        gw.lines_with("management-plane snapshot accepted").len()
    );
}

#[test]
fn openapi_import_serves_the_documented_operations_only() {
    let backend = Backend::start("pets");
    let cp = ControlPlane::start();
    let doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "Petstore", "version": "1.0" },
        "paths": {
            "/pets": { "get": { "operationId": "listPets", "responses": { "200": { "description": "all pets" } } } },
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                    "responses": { "200": { "description": "one pet" } }
                }
            }
        }
    });
    let imported = cp.admin(
        "POST",
        &format!("/mgmt/apis/import?id=petstore&path=pets&serviceUrl={}", backend.url()),
        &doc.to_string(),
    );
    let ops = imported["operations"].as_array().expect("operations");
    assert_eq!(ops.len(), 2, "{imported}");
    cp.put_gateway("gw1");
    cp.assign("gw1", "petstore");
    let backup = TempDir::new("backup");
    let gw = remote_gateway(&cp, &cp.token("gw1"), &backup.0);
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);

    let mut c = gw.connect();
    assert_proxied(
        &c.get("/pets/pets/1"),
        &backend,
        "pets",
        "/base/pets/1",
        "GET /pets/{id}",
    );
    assert_proxied(&c.get("/pets/pets"), &backend, "pets", "/base/pets", "GET /pets");
    assert_proxied(
        &c.get("/pets/pets/7?verbose=1"),
        &backend,
        "pets",
        "/base/pets/7?verbose=1",
        "GET /pets/{id} with a query",
    );
    let before = backend.request_count();
    // A 404 may close the connection (as in proxy.rs): one connection each.
    let r = gw.connect().request("POST", "/pets/pets", &[], b"{}");
    assert_not_found(&r, "POST /pets (not documented)");
    let r = gw.connect().request("DELETE", "/pets/pets/1", &[], b"");
    assert_not_found(&r, "DELETE /pets/{id} (not documented)");
    assert_not_found(&get(&gw, "/pets/owners"), "GET /owners (not documented)");
    assert_not_found(&get(&gw, "/pets/pets/1/toys"), "GET /pets/1/toys (not documented)");
    assert_eq!(
        backend.request_count(),
        before,
        "undocumented requests never reach the backend"
    );
}

#[test]
fn management_api_requires_the_admin_token() {
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    let token = cp.token("gw1");
    let admin = cp.admin_token().to_string();
    let bad_auth: Vec<(&str, Option<String>)> = vec![
        ("no Authorization", None),
        ("a wrong bearer token", Some("Bearer outpost-admin-wrong".into())),
        ("an empty bearer token", Some("Bearer ".into())),
        ("the admin token plus a byte", Some(format!("Bearer {admin}x"))),
        ("the admin token without a scheme", Some(admin.clone())),
        ("a gateway token as bearer", Some(format!("Bearer {token}"))),
        (
            "a gateway token's value as bearer",
            Some(format!("Bearer {}", token.trim_start_matches("GatewayKey "))),
        ),
        ("a gateway token", Some(token.clone())),
    ];
    let calls: [(&str, &str, &str); 5] = [
        ("GET", "/mgmt/apis", ""),
        ("GET", "/mgmt/version", ""),
        (
            "PUT",
            "/mgmt/apis/sneaky",
            r#"{"displayName":"S","path":"s","serviceUrl":"http://127.0.0.1:9/"}"#,
        ),
        ("POST", "/mgmt/gateways/gw1/listKeys", ""),
        ("POST", "/mgmt/gateways/gw1/generateToken", r#"{"keyType":"primary"}"#),
    ];
    let keys = cp.admin("POST", "/mgmt/gateways/gw1/listKeys", "");
    let primary = keys["primary"].as_str().expect("primary key").to_string();
    for (what, auth) in &bad_auth {
        for (method, path, body) in calls {
            let r = cp.raw(method, path, auth.as_deref(), body);
            assert_eq!(
                r.status,
                401,
                "{what}: {method} {path}: {} {}",
                r.status_line(),
                r.text()
            );
            let v: Value = serde_json::from_slice(&r.body).expect("JSON error body");
            assert_eq!(v["error"]["code"], "Unauthorized", "{what}: {method} {path}: {v}");
            assert!(!r.text().contains(&primary), "{what}: {method} {path} leaked a key");
        }
    }
    let (status, body) = cp.call("GET", "/mgmt/apis/sneaky", Some(&format!("Bearer {admin}")), "");
    assert_eq!(status, 404, "unauthorised PUTs changed nothing: {body}");
    let v = cp.admin("GET", "/mgmt/apis", "");
    assert!(v["value"].as_array().is_some_and(|l| l.is_empty()), "{v}");
}
