//! OTLP export through the real binary, checked with the receiver built on
//! the official protocol definitions (tests/otlp/receiver.py): APIM's
//! metrics over OTLP/gRPC and OTLP/HTTP with known counts, cumulative across
//! exports; a collector that is down, refusing or slow, then back; process
//! metrics.

use crate::support::otlp::{self, data_points, Item, Otlp, Received};
use crate::support::*;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// The receiver itself: an empty ExportMetricsServiceRequest (a valid
/// protobuf message of zero bytes) over HTTP comes back as one accepted
/// request; in `unavailable` mode the next one is refused with 503 and
/// reported as not accepted.
#[test]
fn receiver_reports_requests_and_refuses_on_demand() {
    let rx = Otlp::start();
    // The HTTP status of an empty export request to `path`.
    let post = |path: &str| match ureq::post(&format!("{}{path}", rx.http_uri()))
        .set("Content-Type", "application/x-protobuf")
        .send_bytes(&[])
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("POST {path}: {e}"),
    };
    assert_eq!(post("/v1/metrics"), 200);
    let got = rx.wait_requests("metrics", 1, WAIT);
    assert_eq!(got[0].transport, "http");
    assert!(otlp::metrics(&got).is_empty());
    rx.set_mode("unavailable", 0);
    assert_eq!(post("/v1/traces"), 503);
    rx.wait_for("a refused traces request", WAIT, |items| {
        items.iter().any(|r| r.signal == "traces" && !r.accepted).then_some(())
    });
}

/// A gateway exporting to `uri` over `protocol` every 200 ms, with API
/// `test-api` at `/api` → `backend`.
fn otlp_gateway(backend: &Backend, uri: &str, protocol: &str) -> crate::support::gateway::GatewayBuilder {
    Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_ENABLED", "true")
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_COLLECTOR_URI", uri)
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_COLLECTOR_PROTOCOL", protocol)
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_EXPORT_INTERVAL", "200ms")
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_EXPORT_TIMEOUT", "1s")
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS", "5,10,100")
}

/// The `Requests` points of the latest export that has any for `api`.
fn latest_points(items: &[Received], name: &str, api: &str) -> Vec<Value> {
    let metrics = otlp::metrics_named(items, name);
    // The last export's metrics: those of the last request carrying `name`.
    let mut out = Vec::new();
    for m in metrics.iter().rev() {
        let points: Vec<Value> = data_points(&m.value)
            .into_iter()
            .filter(|p| otlp::attr(p, "ApiId").as_deref() == Some(api))
            .collect();
        if !points.is_empty() {
            out = points;
            break;
        }
    }
    out
}

fn int(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

/// The total of `Requests` for `api` in the latest export.
fn requests_total(items: &[Received], api: &str) -> u64 {
    latest_points(items, "Requests", api)
        .iter()
        .map(|p| int(&p["asInt"]))
        .sum()
}

fn wait_requests_total(rx: &Otlp, api: &str, n: u64) -> Vec<Received> {
    rx.wait_for(&format!("Requests = {n} for {api}"), WAIT, |items| {
        (requests_total(items, api) == n).then(|| items.to_vec())
    })
}

/// `n` GETs of `path`, each on its own connection (a 404 closes it).
fn send(gw: &Gateway, path: &str, n: usize, status: u16) {
    for _ in 0..n {
        let r = gw.connect().get(path);
        assert_eq!(r.status, status, "GET {path}");
    }
}

fn metrics_with_known_counts(protocol: &str) {
    let backend = Backend::start("b");
    let rx = Otlp::start();
    let uri = if protocol == "grpc" {
        rx.grpc_uri()
    } else {
        rx.http_uri()
    };
    let gw = otlp_gateway(&backend, &uri, protocol)
        .env("OUTPOST_GATEWAY_NAME", "gw-otlp")
        .env("OUTPOST_DEPLOYMENT_REGION", "on-prem-1")
        .start();
    send(&gw, "/api/echo/a", 5, 200);
    send(&gw, "/nowhere", 2, 404);
    let items = wait_requests_total(&rx, "test-api", 5);
    let transport = if protocol == "grpc" { "grpc" } else { "http" };
    assert!(
        items
            .iter()
            .filter(|r| r.signal == "metrics")
            .all(|r| r.transport == transport),
        "every export over {transport}"
    );
    // The resource names the service.
    let m = otlp::metrics_named(&items, "Requests");
    let last: &Item = m.last().expect("a Requests metric");
    assert_eq!(last.resource_attr("service.name").as_deref(), Some("outpost"));
    assert_eq!(last.scope["name"], "outpost");
    // Requests: a cumulative monotonic sum with APIM's dimensions.
    let sum = &last.value["sum"];
    assert_eq!(sum["aggregationTemporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE");
    assert_eq!(sum["isMonotonic"], true);
    let points = latest_points(&items, "Requests", "test-api");
    assert_eq!(points.len(), 1, "one series: {points:?}");
    let p = &points[0];
    for (key, want) in [
        ("ResponseCode", "200"),
        ("ResponseCodeCategory", "2xx"),
        ("BackendResponseCode", "200"),
        ("BackendResponseCodeCategory", "2xx"),
        ("Hostname", "gateway.test"),
        ("Status", "Successful"),
        ("Cache", "None"),
        ("LastErrorReason", "None"),
        ("GatewayId", "gw-otlp"),
        ("Location", "on-prem-1"),
    ] {
        assert_eq!(otlp::attr(p, key).as_deref(), Some(want), "{key} in {p}");
    }
    // The unmatched requests are their own series (no API id), 404.
    let nowhere = latest_points(&items, "Requests", "");
    assert_eq!(nowhere.iter().map(|p| int(&p["asInt"])).sum::<u64>(), 2, "{nowhere:?}");
    assert_eq!(otlp::attr(&nowhere[0], "ResponseCode").as_deref(), Some("404"));
    // The four histograms, with the configured bounds and 5 observations.
    for name in [
        "DurationInMs",
        "BackendDurationInMs",
        "ClientDurationInMs",
        "GatewayDurationInMs",
    ] {
        let h = latest_points(&items, name, "test-api");
        assert_eq!(h.len(), 1, "{name}");
        let h = &h[0];
        assert_eq!(int(&h["count"]), 5, "{name}: {h}");
        assert_eq!(h["explicitBounds"], serde_json::json!([5.0, 10.0, 100.0]), "{name}");
        let buckets: u64 = h["bucketCounts"].as_array().expect("buckets").iter().map(int).sum();
        assert_eq!(buckets, 5, "{name}: {h}");
        assert_eq!(h["bucketCounts"].as_array().map(Vec::len), Some(4), "{name}");
    }
    let unit = otlp::metrics_named(&items, "DurationInMs");
    assert_eq!(unit.last().map(|m| m.value["unit"].clone()), Some(Value::from("ms")));
    // Cumulative: later exports still carry the same totals, from the same
    // start time; more requests add to them.
    let start = p["startTimeUnixNano"].clone();
    send(&gw, "/api/echo/b", 3, 200);
    let items = wait_requests_total(&rx, "test-api", 8);
    let again = latest_points(&items, "Requests", "test-api");
    assert_eq!(again[0]["startTimeUnixNano"], start);
    assert!(int(&again[0]["timeUnixNano"]) > int(&p["timeUnixNano"]));
}

#[test]
fn metrics_over_grpc_have_apim_names_and_known_counts() {
    metrics_with_known_counts("grpc");
}

#[test]
fn metrics_over_http_protobuf_have_apim_names_and_known_counts() {
    metrics_with_known_counts("http/protobuf");
}

/// The collector goes away (its process stops) and comes back on the same
/// address: the outage is logged once, requests are served meanwhile, and
/// export resumes by itself with every request counted (cumulative sums).
#[test]
fn collector_down_then_up_resumes_without_losing_counts() {
    let backend = Backend::start("b");
    let mut rx = Otlp::start();
    let gw = otlp_gateway(&backend, &rx.grpc_uri(), "grpc").start();
    send(&gw, "/api/echo/1", 3, 200);
    wait_requests_total(&rx, "test-api", 3);
    let (grpc_port, http_port) = (rx.grpc_port, rx.http_port);
    rx.stop();
    send(&gw, "/api/echo/2", 4, 200);
    gw.wait_for_line(|l| l.contains("telemetry export failing"), WAIT);
    // Several export rounds fail (the self-metric counts them once back).
    let rx = Otlp::start_on(grpc_port, http_port);
    send(&gw, "/api/echo/3", 1, 200);
    let items = wait_requests_total(&rx, "test-api", 8);
    gw.wait_for_line(|l| l.contains("telemetry export resumed"), WAIT);
    assert_eq!(
        gw.lines_with("telemetry export failing").len(),
        1,
        "logged once per outage"
    );
    let exports = otlp::metrics_named(&items, "outpost.otlp.exports");
    let failed: u64 = exports
        .last()
        .map(|m| {
            data_points(&m.value)
                .iter()
                .filter(|p| {
                    otlp::attr(p, "outcome").as_deref() == Some("failed")
                        && otlp::attr(p, "signal").as_deref() == Some("metrics")
                })
                .map(|p| int(&p["asInt"]))
                .sum()
        })
        .unwrap_or(0);
    assert!(failed >= 1, "failed exports are counted: {exports:?}");
}

/// A collector that is up but refuses (HTTP 503), then answers, then is
/// slower than the export timeout, then answers again: each outage is
/// logged once and its end once; requests are served throughout.
#[test]
fn refusing_then_slow_collector_outages_are_logged_once_each() {
    let backend = Backend::start("b");
    let rx = Otlp::start();
    let gw = otlp_gateway(&backend, &rx.http_uri(), "http/protobuf").start();
    send(&gw, "/api/echo/1", 2, 200);
    wait_requests_total(&rx, "test-api", 2);
    rx.set_mode("unavailable", 0);
    send(&gw, "/api/echo/2", 2, 200);
    gw.wait_for_line(|l| l.contains("telemetry export failing") && l.contains("503"), WAIT);
    // Refused exports keep coming (retries, then the next rounds).
    rx.wait_for("several refused exports", WAIT, |items| {
        (items.iter().filter(|r| !r.accepted).count() >= 3).then_some(())
    });
    rx.set_mode("ok", 0);
    wait_requests_total(&rx, "test-api", 4);
    gw.wait_for_line(|l| l.contains("telemetry export resumed"), WAIT);
    assert_eq!(gw.lines_with("telemetry export failing").len(), 1);
    // Slower than the 1 s export timeout.
    rx.set_mode("slow", 3000);
    send(&gw, "/api/echo/3", 1, 200);
    gw.wait_until("a second outage", WAIT, |lines| {
        (lines.iter().filter(|l| l.contains("telemetry export failing")).count() == 2).then_some(())
    });
    rx.set_mode("ok", 0);
    wait_requests_total(&rx, "test-api", 5);
    gw.wait_until("the second recovery", WAIT, |lines| {
        (lines.iter().filter(|l| l.contains("telemetry export resumed")).count() == 2).then_some(())
    });
    assert_eq!(gw.lines_with("telemetry export failing").len(), 2);
}

/// `system-metrics.enabled`: the process's CPU time, memory and threads,
/// with OpenTelemetry's semantic-convention names.
#[test]
fn system_metrics_are_exported_when_enabled() {
    let backend = Backend::start("b");
    let rx = Otlp::start();
    let gw = otlp_gateway(&backend, &rx.grpc_uri(), "grpc")
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_SYSTEM_METRICS_ENABLED", "true")
        .start();
    send(&gw, "/api/echo/1", 1, 200);
    let items = rx.wait_for("process metrics", WAIT, |items| {
        (!otlp::metrics_named(items, "process.memory.usage").is_empty()).then(|| items.to_vec())
    });
    let one = |name: &str| -> Vec<Value> {
        let m = otlp::metrics_named(&items, name);
        data_points(&m.last().unwrap_or_else(|| panic!("{name} exported")).value)
    };
    let rss = one("process.memory.usage");
    assert!(int(&rss[0]["asInt"]) > 0, "{rss:?}");
    let threads = one("process.thread.count");
    assert!(int(&threads[0]["asInt"]) >= 2, "two workers at least: {threads:?}");
    let cpu = one("process.cpu.time");
    let modes: Vec<String> = cpu.iter().filter_map(|p| otlp::attr(p, "cpu.mode")).collect();
    assert_eq!(modes, ["user", "system"]);
    assert!(!one("process.unix.file_descriptor.count").is_empty());
    // Without the setting, none (the same gateway kind, another process).
    let rx2 = Otlp::start();
    let _gw2 = otlp_gateway(&backend, &rx2.grpc_uri(), "grpc").start();
    let items = rx2.wait_requests("metrics", 1, WAIT);
    assert!(otlp::metrics_named(&items, "process.memory.usage").is_empty());
    assert!(!otlp::metrics_named(&items, "outpost.telemetry.dropped").is_empty());
}

/// `emit-metric` over OTLP: a scope per namespace, the metric as a
/// histogram without bounds (count, sum, min, max of the values), its
/// dimensions (a default one filled in by the gateway) as attributes.
#[test]
fn emit_metric_custom_metrics_are_exported() {
    let rx = Otlp::start();
    let gw = Gateway::builder()
        .api("echo", &api_toml("echo", "echo://"))
        .file(
            "apis/echo.xml",
            &policies(
                r#"<emit-metric name="orders-placed" value="@(context.Request.Headers.GetValueOrDefault("X-Count", "1"))" namespace="shop">
                     <dimension name="API ID" />
                     <dimension name="Region" value="eu" />
                   </emit-metric>"#,
                "<base />",
                "",
                "",
            ),
        )
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_ENABLED", "true")
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_COLLECTOR_URI", &rx.http_uri())
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_COLLECTOR_PROTOCOL", "http/protobuf")
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_EXPORT_INTERVAL", "200ms")
        .start();
    for i in 1..=4 {
        let r = gw
            .connect()
            .request("GET", "/echo/a", &[("X-Count", &i.to_string())], b"");
        assert_eq!(r.status, 200);
    }
    let point = rx.wait_for("orders-placed with 4 values", WAIT, |items| {
        let m = otlp::metrics_named(items, "orders-placed");
        let last = m.last()?;
        let p = data_points(&last.value).into_iter().next()?;
        (int(&p["count"]) == 4).then(|| (last.clone(), p))
    });
    let (metric, p) = point;
    assert_eq!(metric.scope["name"], "shop");
    assert_eq!(p["sum"], 10.0);
    assert_eq!(
        (p["min"].clone(), p["max"].clone()),
        (Value::from(1.0), Value::from(4.0))
    );
    assert_eq!(otlp::attr(&p, "API ID").as_deref(), Some("echo"));
    assert_eq!(otlp::attr(&p, "Region").as_deref(), Some("eu"));
}
