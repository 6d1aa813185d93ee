//! Request metrics through heartbeats to the management plane, its metrics
//! API, and the console in a real browser (Debian's Chromium, headless):
//! the real `outpost control-plane` and gateway processes on 127.0.0.1.

use crate::support::gateway::TempDir;
use crate::support::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A management plane with gateway `gw1` serving `live` → `backend` and
/// `dead` → a closed port.
fn plane(backend: &Backend) -> ControlPlane {
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("live", "live", &backend.url());
    cp.put_api("dead", "dead", "http://127.0.0.1:9");
    cp.assign("gw1", "live");
    cp.assign("gw1", "dead");
    cp
}

fn gateway(cp: &ControlPlane, backup: &TempDir) -> Gateway {
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), &cp.token("gw1"), &backup.0)
        .start();
    gw.wait_snapshot(cp.version(), TIMEOUT);
    gw
}

fn traffic(gw: &Gateway, live: usize, dead: usize) {
    let mut c = gw.connect();
    for _ in 0..live {
        assert_eq!(c.get("/live/fixed").status, 200);
    }
    for _ in 0..dead {
        assert_eq!(gw.connect().get("/dead/x").status, 502);
    }
}

fn total(v: &Value, field: &str) -> u64 {
    v["value"]
        .as_array()
        .map_or(0, |a| a.iter().filter_map(|p| p[field].as_u64()).sum())
}

/// Polls a metrics call until its requests add up to `n`.
fn metrics_with(cp: &ControlPlane, path: &str, n: u64) -> Value {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let v = cp.admin("GET", path, "");
        if total(&v, "requests") >= n {
            assert_eq!(total(&v, "requests"), n, "{path}: {v}");
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {n} requests in {path}: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits for `n` more heartbeats of the instance (its uptime moves on).
fn heartbeats(cp: &ControlPlane, n: usize) {
    let uptime = || {
        let v = cp.admin("GET", "/mgmt/gateways/gw1/instances", "");
        v["value"][0]["lastHeartbeat"].as_str().map(str::to_string)
    };
    let deadline = Instant::now() + TIMEOUT;
    let mut seen = uptime();
    let mut left = n;
    while left > 0 {
        assert!(Instant::now() < deadline, "timed out waiting for heartbeats");
        std::thread::sleep(Duration::from_millis(100));
        let now = uptime();
        if now != seen {
            left -= 1;
            seen = now;
        }
    }
}

#[test]
fn telemetry_heartbeats_carry_request_metrics_to_the_management_plane() {
    let backend = Backend::start("a");
    let cp = plane(&backend);
    let backup = TempDir::new("backup");
    let gw = gateway(&cp, &backup);
    traffic(&gw, 6, 2);
    assert_eq!(gw.connect().get("/nowhere").status, 404, "no API");

    let by = metrics_with(&cp, "/mgmt/gateways/gw1/metrics?by=responseCodeClass", 9);
    let class = |c: &str| -> (u64, u64) {
        by["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["responseCodeClass"] == c)
            .fold((0, 0), |(r, e), p| {
                (r + p["requests"].as_u64().unwrap(), e + p["errors"].as_u64().unwrap())
            })
    };
    assert_eq!(class("2xx"), (6, 0), "{by}");
    assert_eq!(class("5xx"), (2, 2), "{by}");
    assert_eq!(class("4xx").0, 1, "{by}");

    let live = metrics_with(&cp, "/mgmt/apis/live/metrics", 6);
    assert_eq!(total(&live, "errors"), 0);
    for p in live["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["requests"].as_u64() > Some(0))
    {
        let d = &p["durationMs"];
        let f = |k: &str| d[k].as_f64().unwrap_or_else(|| panic!("{k} in {p}"));
        assert!(
            f("min") <= f("p50") && f("p50") <= f("p95") && f("p95") <= f("p99") && f("p99") <= f("max"),
            "{p}"
        );
        assert!(f("avg") > 0.0 && p["errorRate"] == 0.0, "{p}");
        assert!(p["backendDurationMs"]["avg"].as_f64().is_some(), "{p}");
    }
    let dead = metrics_with(&cp, "/mgmt/apis/dead/metrics?grain=PT5M", 2);
    let p = dead["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["requests"].as_u64() > Some(0))
        .unwrap();
    assert_eq!(p["errorRate"], 1.0, "{dead}");
    assert_eq!(dead["grain"], "PT5M");
    // The gateway's metrics filtered to one API.
    metrics_with(&cp, "/mgmt/gateways/gw1/metrics?apiId=live", 6);
}

#[test]
fn telemetry_metrics_of_an_outage_arrive_once_when_the_management_plane_is_back() {
    let backend = Backend::start("a");
    let mut cp = plane(&backend);
    let backup = TempDir::new("backup");
    let gw = gateway(&cp, &backup);
    traffic(&gw, 3, 0);
    metrics_with(&cp, "/mgmt/gateways/gw1/metrics", 3);

    cp.stop();
    let from = gw.line_count();
    traffic(&gw, 4, 1);
    // A heartbeat carrying them failed: they are kept.
    gw.wait_for_line_after(
        from,
        |l| l.contains("request metrics are kept for the next one"),
        TIMEOUT,
    );
    cp.restart();
    let v = metrics_with(&cp, "/mgmt/gateways/gw1/metrics", 8);
    assert_eq!(total(&v, "errors"), 1);
    gw.wait_for_line_after(
        from,
        |l| l.contains("request metrics delivered to the management plane again"),
        TIMEOUT,
    );
    // Later heartbeats add nothing: every batch counted once.
    heartbeats(&cp, 3);
    let v = cp.admin("GET", "/mgmt/gateways/gw1/metrics", "");
    assert_eq!(total(&v, "requests"), 8, "{v}");
}

#[test]
fn telemetry_console_shows_gateways_and_charts_in_chromium() {
    let backend = Backend::start("a");
    let cp = plane(&backend);
    let backup = TempDir::new("backup");
    let gw = gateway(&cp, &backup);
    traffic(&gw, 5, 1);
    metrics_with(&cp, "/mgmt/gateways/gw1/metrics", 6);

    let dir = TempDir::new("console");
    let shot = dir.0.join("console.png");
    let seen = browser::visit_console(&cp.endpoint(), cp.admin_token(), "gw1", &dir.0.join("profile"), &shot);
    if let Ok(copy) = std::env::var("OUTPOST_CONSOLE_SCREENSHOT") {
        std::fs::copy(&shot, copy).expect("copy the screenshot");
    }

    assert!(seen["loginUrl"].as_str().unwrap().ends_with("/console/login"), "{seen}");
    assert_eq!(
        seen["errors"],
        serde_json::json!([]),
        "no console errors (CSP violations…)"
    );
    assert_eq!(seen["headerColor"], "rgb(17, 24, 39)", "the stylesheet applies");
    let cookies = seen["cookies"].as_array().unwrap();
    assert_eq!(cookies.len(), 1, "{seen}");
    assert_eq!(
        (&cookies[0]["name"], &cookies[0]["httpOnly"], &cookies[0]["sameSite"]),
        (
            &Value::from("outpost_console"),
            &Value::from(true),
            &Value::from("Strict")
        )
    );
    assert_eq!(seen["scriptCookies"], "", "scripts cannot read the session");
    assert!(seen["gatewayTitle"].as_str().unwrap().contains("gw1"), "{seen}");

    // The gateway and its live instance.
    let rows: Vec<&str> = seen["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "header + one instance: {rows:?}");
    let row = rows[1];
    assert!(
        row.contains("live") && row.contains(env!("CARGO_PKG_VERSION")) && row.contains("in sync"),
        "{row}"
    );
    assert!(row.contains(&format!("v{}", cp.version())), "{row}");

    // Each chart's points are the metrics API's values for the call it names.
    let charts = seen["charts"].as_array().unwrap();
    let metric = |m: &str| {
        charts
            .iter()
            .find(|c| c["metric"] == m)
            .unwrap_or_else(|| panic!("{m}: {seen}"))
    };
    let requests = metric("requests");
    assert_eq!(requests["visible"], true);
    let source = requests["source"].as_str().unwrap();
    assert!(source.starts_with("/mgmt/gateways/gw1/metrics?from="), "{source}");
    let api = cp.admin("GET", source, "");
    let api_points = api["value"].as_array().unwrap();
    let drawn = |chart: &Value, series: &str| -> Vec<(String, f64)> {
        chart["points"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["series"] == series)
            .map(|p| (p["ts"].as_str().unwrap().to_string(), p["value"].as_f64().unwrap()))
            .collect()
    };
    let expected = |f: &dyn Fn(&Value) -> Option<f64>| -> Vec<(String, f64)> {
        api_points
            .iter()
            .filter_map(|p| Some((p["timestamp"].as_str()?.to_string(), f(p)?)))
            .collect()
    };
    assert_eq!(drawn(requests, "requests"), expected(&|p| p["requests"].as_f64()));
    assert_eq!(drawn(requests, "requests").iter().map(|(_, v)| v).sum::<f64>(), 6.0);
    let latency = metric("latency");
    assert_eq!(latency["source"], source);
    for q in ["p50", "p95", "p99"] {
        let want = expected(&|p| p["durationMs"][q].as_f64());
        assert!(!want.is_empty());
        assert_eq!(drawn(latency, q), want, "{q}");
    }
    let errors = metric("errorRate");
    assert_eq!(drawn(errors, "errors"), expected(&|p| p["errorRate"].as_f64()));

    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
}
