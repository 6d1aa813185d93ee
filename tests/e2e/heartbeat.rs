//! What a gateway reports in its heartbeats (instance, version, uptime,
//! request counters, token expiry) and the token-expiry warning it logs in
//! advance.

use crate::support::control_plane::{iso_utc, unix_now};
use crate::support::gateway::TempDir;
use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SYNC_TIMEOUT: Duration = Duration::from_secs(30);
const WARNING: &str = "the gateway token expires within 7 days";

/// A token for `gw` expiring `secs` from now (the expiry as the token carries it).
fn token_expiring_in(cp: &ControlPlane, gw: &str, secs: i64) -> (String, String) {
    let expiry = iso_utc(unix_now() + secs);
    let v = cp.admin(
        "POST",
        &format!("/mgmt/gateways/{gw}/generateToken"),
        &json!({ "keyType": "primary", "expiry": expiry }).to_string(),
    );
    let token = v["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no token in {v}"))
        .to_string();
    (token, expiry)
}

/// Polls the instances of `gw` until one satisfies `pred`.
fn instance_where(cp: &ControlPlane, gw: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + SYNC_TIMEOUT;
    loop {
        let v = cp.admin("GET", &format!("/mgmt/gateways/{gw}/instances"), "");
        let list = v["value"].as_array().cloned().unwrap_or_default();
        if let Some(i) = list.into_iter().find(|i| pred(i)) {
            return i;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: last {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A management plane with gateway `gw1` serving the API `live` → `backend`.
fn plane_serving(backend: &Backend) -> ControlPlane {
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("live", "live", &backend.url());
    cp.assign("gw1", "live");
    cp
}

#[test]
fn heartbeats_carry_request_counters_and_token_expiry() {
    let backend = Backend::start("a");
    let cp = plane_serving(&backend);
    cp.put_api("dead", "dead", "http://127.0.0.1:9");
    cp.assign("gw1", "dead");
    let (token, expiry) = token_expiring_in(&cp, "gw1", 20 * 86400);
    let backup = TempDir::new("backup");
    let gw = Gateway::builder().remote(&cp.endpoint(), &token, &backup.0).start();
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);

    const OK: u64 = 5;
    let mut c = gw.connect();
    for _ in 0..OK {
        assert_eq!(c.get("/live/fixed").status, 200);
    }
    assert_eq!(gw.connect().get("/dead/x").status, 502, "a dead backend");

    let inst = instance_where(&cp, "gw1", "counters of 6 requests, 1 failed", |i| {
        i["requests"]["total"].as_u64() >= Some(OK + 1) && i["requests"]["failed"].as_u64() >= Some(1)
    });
    assert!(
        inst["requests"]["failed"].as_u64() < inst["requests"]["total"].as_u64(),
        "successful requests are not counted as failed: {inst}"
    );
    // The token's expiry has minute precision.
    assert_eq!(
        inst["tokenExpiry"].as_str(),
        Some(&*format!("{}:00.000Z", &expiry[..16])),
        "{inst}"
    );
    assert!(inst["hostname"].as_str().is_some_and(|h| !h.is_empty()), "{inst}");
    assert_eq!(inst["version"].as_str(), Some(env!("CARGO_PKG_VERSION")), "{inst}");
    assert!(inst["uptimeSecs"].as_u64().is_some(), "{inst}");
    // A token 20 days from expiry is no reason to warn (the check runs
    // before each heartbeat, so one has been made by now).
    assert!(gw.lines_with(WARNING).is_empty(), "{:?}", gw.lines_with(WARNING));
}

#[test]
fn a_token_close_to_expiry_is_warned_about_once_in_advance() {
    let backend = Backend::start("a");
    let cp = plane_serving(&backend);
    let (token, _) = token_expiring_in(&cp, "gw1", 3 * 86400);
    let backup = TempDir::new("backup");
    let gw = Gateway::builder().remote(&cp.endpoint(), &token, &backup.0).start();
    let line = gw.wait_for_line(|l| l.contains(WARNING), SYNC_TIMEOUT);
    assert!(line.contains("WARN"), "a warning: {line}");
    let signature = token.rsplit('&').next().unwrap_or_default();
    assert!(!line.contains(signature), "the token is never logged: {line}");

    // The gateway still works with it, and warns once, not every heartbeat
    // (they come every 200 ms here).
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_eq!(gw.connect().get("/live/fixed").status, 200);
    let first = instance_where(&cp, "gw1", "a heartbeat", |_| true);
    instance_where(&cp, "gw1", "a later heartbeat", |i| {
        i["lastHeartbeat"] != first["lastHeartbeat"] && i["uptimeSecs"].as_u64() > first["uptimeSecs"].as_u64()
    });
    assert_eq!(gw.lines_with(WARNING).len(), 1, "{:?}", gw.lines_with(WARNING));
}
