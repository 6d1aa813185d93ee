//! The Prometheus endpoint scraped by a real Prometheus server: series and
//! values after a known number of requests (APIM's names and dimensions,
//! histograms with the configured bounds, cache hits and misses, backend
//! codes, unmatched requests and rejected heads, emit-metric custom
//! metrics, health probes not counted), the endpoint's strict HTTP
//! handling, and cardinality folding.

use crate::support::prometheus::Prometheus;
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// The scrape endpoint's `host:port`, from the gateway's start-up log line.
fn endpoint(gw: &Gateway) -> String {
    let line = gw.wait_for_line(|l| l.contains("Prometheus endpoint listening"), WAIT);
    crate::support::gateway::field(&line, "address").unwrap_or_else(|| panic!("no address in {line}"))
}

fn prometheus_gateway() -> crate::support::gateway::GatewayBuilder {
    Gateway::builder()
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL", "prometheus")
        .env("OUTPOST_TELEMETRY_METRICS_PROMETHEUS_ADDRESS", "127.0.0.1")
        .env("OUTPOST_TELEMETRY_METRICS_PROMETHEUS_PORT", "0")
}

#[test]
fn telemetry_prometheus_scrapes_request_and_custom_metrics() {
    let backend = Backend::start("b");
    let gw = prometheus_gateway()
        .env("OUTPOST_OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS", "1,100,10000")
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
        .proxy("px", "px", &backend.url())
        .proxy("cached", "cached", &backend.url())
        .file(
            "apis/cached.xml",
            &policies(
                r#"<cache-lookup downstream-caching-type="none" caching-type="internal" />"#,
                "<base />",
                r#"<cache-store duration="3600" />"#,
                "",
            ),
        )
        .start();
    let target = endpoint(&gw);

    for i in 1..=5 {
        let r = gw
            .connect()
            .request("GET", "/echo/a", &[("X-Count", &i.to_string())], b"");
        assert_eq!(r.status, 200);
    }
    for _ in 0..3 {
        assert_eq!(gw.connect().get("/cached/fixed").status, 200);
    }
    for _ in 0..2 {
        assert_eq!(gw.connect().get("/nowhere").status, 404);
    }
    assert_eq!(gw.connect().get("/px/status/503").status, 503);
    // A rejected head (two Host headers) is counted too.
    let mut c = gw.connect();
    c.send(b"GET /echo/a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assert_eq!(c.read_response().status, 400);
    // Health probes are not requests.
    for _ in 0..4 {
        assert_eq!(gw.connect().get("/status-0123456789abcdef").status, 200);
    }

    let prom = Prometheus::start(std::slice::from_ref(&target));
    prom.wait_value("sum(azure_apim_Requests)", 12.0, WAIT);
    prom.wait_value(r#"up{job="outpost"}"#, 1.0, WAIT);
    let q = |labels: &str| format!("sum(azure_apim_Requests{{{labels}}})");
    let echo = r#"ApiId="echo",Hostname="gateway.test",ResponseCode="200",ResponseCodeCategory="2xx",BackendResponseCode="200",BackendResponseCodeCategory="2xx",LastErrorReason="None",Cache="None",Status="Successful""#;
    prom.wait_value(&q(echo), 5.0, WAIT);
    prom.wait_value(
        &q(r#"ApiId="cached",Cache="Miss",BackendResponseCode="200""#),
        1.0,
        WAIT,
    );
    prom.wait_value(&q(r#"ApiId="cached",Cache="Hit",BackendResponseCode="0""#), 2.0, WAIT);
    prom.wait_value(
        &q(r#"ApiId="",ResponseCode="404",LastErrorReason="OperationNotFound",Status="Failed""#),
        2.0,
        WAIT,
    );
    prom.wait_value(
        &q(r#"ApiId="",Hostname="",ResponseCode="400",LastErrorReason="BadRequest",Status="Failed""#),
        1.0,
        WAIT,
    );
    prom.wait_value(
        &q(r#"ApiId="px",ResponseCode="503",BackendResponseCode="503",ResponseCodeCategory="5xx",Status="Failed""#),
        1.0,
        WAIT,
    );

    // The four histograms, with the configured bounds.
    for h in [
        "DurationInMs",
        "BackendDurationInMs",
        "ClientDurationInMs",
        "GatewayDurationInMs",
    ] {
        prom.wait_value(&format!(r#"sum(azure_apim_{h}_count{{ApiId="echo"}})"#), 5.0, WAIT);
        prom.wait_value(
            &format!(r#"sum(azure_apim_{h}_bucket{{ApiId="echo",le="+Inf"}})"#),
            5.0,
            WAIT,
        );
    }
    let les: Vec<String> = prom
        .query(r#"azure_apim_DurationInMs_bucket{ApiId="echo"}"#)
        .iter()
        .map(|s| s["metric"]["le"].as_str().unwrap_or("").to_owned())
        .collect();
    let mut les = les;
    les.sort();
    assert_eq!(les, ["+Inf", "1", "100", "10000"]);
    // An echo request takes well under 10 s: every one is in the le=10000 bucket.
    prom.wait_value(
        r#"sum(azure_apim_DurationInMs_bucket{ApiId="echo",le="10000"})"#,
        5.0,
        WAIT,
    );

    // emit-metric: value sum and count, namespace and dimensions (default one filled in).
    prom.wait_value(
        r#"azure_apim_custom_orders_placed_sum{Namespace="shop",API_ID="echo",Region="eu"}"#,
        15.0,
        WAIT,
    );
    prom.wait_value(
        r#"azure_apim_custom_orders_placed_count{Namespace="shop",API_ID="echo",Region="eu"}"#,
        5.0,
        WAIT,
    );
    prom.wait_value("outpost_telemetry_folded_total", 0.0, WAIT);

    // The endpoint itself: strict and small.
    let port: u16 = target.rsplit(':').next().unwrap().parse().unwrap();
    let mut c = Conn::connect(port);
    let r = c.request("POST", "/metrics", &[], b"");
    assert_eq!(r.status, 405);
    let r = Conn::connect(port).get("/other");
    assert_eq!(r.status, 404);
    let r = Conn::connect(port).get("/metrics");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("Content-Type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(r.text().contains("# TYPE azure_apim_Requests counter\n"));
}

#[test]
fn telemetry_prometheus_folds_client_chosen_dimensions() {
    let gw = prometheus_gateway()
        .env("OUTPOST_TELEMETRY_METRICS_MAX_SERIES", "10")
        .api("echo", &api_toml("echo", "echo://"))
        .start();
    let target = endpoint(&gw);
    for i in 0..60 {
        let mut c = gw.connect();
        c.send(format!("GET /echo/x HTTP/1.1\r\nHost: h{i}.example\r\n\r\n").as_bytes());
        assert_eq!(c.read_response().status, 200);
    }
    let prom = Prometheus::start(&[target]);
    prom.wait_value("sum(azure_apim_Requests)", 60.0, WAIT);
    // Workers keep 10 series per second each, the store 4 × 10: of 60 host
    // names at least 19 end up as `(other)`, in one folded series.
    prom.wait_value(
        r#"sum(azure_apim_Requests{Hostname="(other)",ApiId="(other)"}) >= bool 19"#,
        1.0,
        WAIT,
    );
    let series = prom.value("count(azure_apim_Requests)").unwrap_or(0.0);
    assert!(series <= 41.0, "{series} series");
    prom.wait_value("outpost_telemetry_folded_total >= bool 19", 1.0, WAIT);
}
