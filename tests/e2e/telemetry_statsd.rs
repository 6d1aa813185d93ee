//! The StatsD sink at a real UDP socket: counters per interval with exact
//! counts, sampled timings with `@rate`, the tag formats, emit-metric custom
//! metrics, datagram size, and an endpoint that refuses and then comes back.

use crate::support::statsd::{counter_sum, StatsdSink};
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

fn statsd_gateway(sink: &str, format: &str, sampling: &str) -> crate::support::gateway::GatewayBuilder {
    Gateway::builder()
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL", "statsd")
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL_STATSD_ENDPOINT", sink)
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL_STATSD_TAG_FORMAT", format)
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL_STATSD_SAMPLING", sampling)
        .env("OUTPOST_TELEMETRY_METRICS_INTERVAL", "200ms")
        .api("echo", &api_toml("echo", "echo://"))
}

#[test]
fn telemetry_statsd_dogstatsd_counters_timings_and_custom_metrics() {
    let sink = StatsdSink::bind(0);
    let gw = statsd_gateway(&sink.endpoint(), "dogStatsD", "1")
        .file(
            "apis/echo.xml",
            &policies(
                r#"<emit-metric name="orders placed" value="2.5" namespace="shop">
                     <dimension name="API ID" />
                     <dimension name="Tier" value="gold" />
                   </emit-metric>"#,
                "<base />",
                "",
                "",
            ),
        )
        .start();
    for _ in 0..4 {
        assert_eq!(gw.connect().get("/echo/a").status, 200);
    }
    assert_eq!(gw.connect().get("/nowhere").status, 404);
    let echo = "ApiId:echo";
    let lines = sink.wait_until("4 echo requests, their timings and the custom metric", WAIT, |l| {
        counter_sum(l, "requests_total", &[echo]) == 4.0
            && counter_sum(l, "requests_total", &["ResponseCode:404"]) == 1.0
            && l.iter()
                .filter(|x| x.starts_with("request_duration_seconds:") && x.contains(echo))
                .count()
                == 4
            && counter_sum(l, "orders_placed", &["Namespace:shop"]) == 10.0
    });
    let counter = lines
        .iter()
        .find(|l| l.starts_with("requests_total:") && l.contains(echo))
        .unwrap();
    assert!(
        counter.contains("|c|#ApiId:echo,")
            && counter.contains(",Hostname:gateway.test,ResponseCode:200,ResponseCodeCategory:2xx,")
            && counter.contains(",BackendResponseCode:200,")
            && counter.ends_with(",LastErrorReason:None,Cache:None,Status:Successful"),
        "{counter}"
    );
    let not_found = lines.iter().find(|l| l.contains("ResponseCode:404")).unwrap();
    assert!(
        !not_found.contains("ApiId:") && not_found.contains("LastErrorReason:OperationNotFound"),
        "empty values are left out: {not_found}"
    );
    for name in [
        "request_duration_seconds:",
        "request_backend_duration_seconds:",
        "request_client_duration_seconds:",
    ] {
        let t = lines.iter().find(|l| l.starts_with(name) && l.contains(echo)).unwrap();
        let value: f64 = t[name.len()..].split('|').next().unwrap().parse().unwrap();
        assert!(
            value >= 0.0 && t.contains("|ms|#ApiId:echo,"),
            "sampling 1: no @rate: {t}"
        );
    }
    let custom = lines.iter().find(|l| l.starts_with("orders_placed:")).unwrap();
    assert!(custom.contains("|c|#Namespace:shop,API_ID:echo,Tier:gold"), "{custom}");
    assert!(sink.sizes().iter().all(|n| *n <= 1432), "{:?}", sink.sizes());
}

#[test]
fn telemetry_statsd_influxdb_sampling_and_librato() {
    let sink = StatsdSink::bind(0);
    let gw = statsd_gateway(&sink.endpoint(), "influxDB", "0.5").start();
    for _ in 0..40 {
        assert_eq!(gw.connect().get("/echo/a").status, 200);
    }
    let lines = sink.wait_until("40 requests counted", WAIT, |l| {
        counter_sum(l, "requests_total", &["ApiId=echo"]) == 40.0
    });
    let counter = lines.iter().find(|l| l.starts_with("requests_total,")).unwrap();
    assert!(
        counter.starts_with("requests_total,ApiId=echo,") && counter.ends_with("|c"),
        "{counter}"
    );
    let timings: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("request_duration_seconds,"))
        .collect();
    assert!(timings.len() <= 40);
    assert!(timings.iter().all(|t| t.ends_with("|ms|@0.5")), "{timings:?}");

    let sink = StatsdSink::bind(0);
    let gw = statsd_gateway(&sink.endpoint(), "librato", "0").start();
    for _ in 0..3 {
        assert_eq!(gw.connect().get("/echo/a").status, 200);
    }
    let lines = sink.wait_until("3 requests counted", WAIT, |l| {
        counter_sum(l, "requests_total", &["ApiId=echo"]) == 3.0
    });
    let counter = lines.iter().find(|l| l.starts_with("requests_total#")).unwrap();
    assert!(
        counter.starts_with("requests_total#ApiId=echo,") && counter.ends_with("|c"),
        "{counter}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("request_duration_seconds")),
        "sampling 0 sends no timings"
    );
}

#[test]
fn telemetry_statsd_refused_then_back() {
    // A port nobody listens on (yet): the kernel answers with ICMP refusals.
    let port = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().port()
    };
    let gw = statsd_gateway(&format!("127.0.0.1:{port}"), "dogStatsD", "1").start();
    let outage = |l: &str| l.contains("telemetry export failing") && l.contains("sink=\"statsd\"");
    let resumed = |l: &str| l.contains("telemetry export resumed") && l.contains("sink=\"statsd\"");
    // Requests go on while the sink is refused; each second's traffic is
    // another batch of datagrams.
    let traffic_until = |what: &str, done: &dyn Fn(&str) -> bool| {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            assert_eq!(gw.connect().get("/echo/a").status, 200, "requests go on");
            if gw.lines().iter().any(|l| done(l)) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    traffic_until("the outage logged", &outage);
    let sink = StatsdSink::bind(port);
    traffic_until("the export resumed", &resumed);
    sink.wait_until("requests counted again", WAIT, |l| {
        counter_sum(l, "requests_total", &["ApiId:echo"]) >= 1.0
    });
    let lines = gw.lines();
    assert_eq!(lines.iter().filter(|l| outage(l)).count(), 1, "one outage, logged once");
    assert_eq!(lines.iter().filter(|l| resumed(l)).count(), 1, "its end, logged once");
    assert!(lines.iter().find(|l| outage(l)).unwrap().contains("WARN"));
}
