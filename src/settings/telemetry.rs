//! `telemetry.*` and `observability.*`: standard-output logs, the local
//! request-log sink, local metrics (StatsD, Prometheus), metrics sent to the
//! management plane, and OpenTelemetry (metrics and traces over OTLP).
//!
//! Invariant: applies exactly the `telemetry.*` / `observability.*` keys of
//! [`KEYS`](super::KEYS) (`Ok(false)` for any other key); level `fatal`
//! turns logging off, as no tracing level is above error. Endpoints are
//! checked for shape here (a `host:port`, a URI); whether they answer is the
//! sinks' business, at run time.

use super::parse::{parse_bool, parse_num};
use super::{parse_duration, LogFormat, Settings};
use crate::telemetry::request_log::transport::Endpoint;
use std::time::Duration;

/// `telemetry.metrics.local`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsLocal {
    None,
    Statsd,
    /// Beyond APIM: a scrape endpoint on `telemetry.metrics.prometheus.*`.
    Prometheus,
}

/// `telemetry.metrics.local.statsd.tag-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFormat {
    /// No tags: dimensions are left out.
    None,
    /// `name:value|type|#k:v,k:v`
    DogStatsD,
    /// `name,k=v,k=v:value|type`
    InfluxDb,
    /// `name#k=v,k=v:value|type`
    Librato,
}

/// `observability.opentelemetry.collector.protocol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtlpProtocol {
    Grpc,
    HttpProtobuf,
}

/// `telemetry.logs.local`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogsLocal {
    None,
    /// APIM's default; here: no local request-log sink (the JSON access log
    /// on standard output is governed by `telemetry.logs.std`).
    Auto,
    LocalSyslog,
    Rfc5424,
    Journal,
    Json,
}

/// Everything the telemetry subsystem (`crate::telemetry`) is configured with.
#[derive(Clone, Debug)]
pub struct TelemetrySettings {
    pub metrics_local: MetricsLocal,
    /// `host:port` (UDP).
    pub statsd_endpoint: Option<String>,
    /// 0..=1: the share of requests whose durations are sent as timings.
    pub statsd_sampling: f64,
    pub statsd_tag_format: TagFormat,
    /// `telemetry.metrics.cloud`: heartbeats carry the metrics since the last one.
    pub metrics_cloud: bool,
    /// `telemetry.metrics.prometheus.address` / `.port`: the scrape endpoint.
    pub prometheus_address: std::net::IpAddr,
    /// 0 = ephemeral (logged at start).
    pub prometheus_port: u16,
    /// `telemetry.metrics.interval`: how often local sinks (StatsD) flush.
    pub metrics_interval: Duration,
    /// `telemetry.metrics.max-series`: series per worker before dimension
    /// values fold into `(other)`.
    pub max_series: usize,
    /// `telemetry.queue.capacity`: items each sink may hold before it drops.
    pub queue_capacity: usize,
    pub otel_enabled: bool,
    pub otel_collector_uri: Option<String>,
    pub otel_protocol: OtlpProtocol,
    pub otel_system_metrics: bool,
    /// Histogram bounds in milliseconds, ascending.
    pub histogram_buckets: Vec<f64>,
    /// `observability.opentelemetry.export.interval` (APIM: every minute).
    pub otel_export_interval: Duration,
    /// `observability.opentelemetry.export.timeout`: one export request's
    /// deadline (connect included).
    pub otel_export_timeout: Duration,
    /// `GatewayId` of the exported metrics: `gateway.name`, else `outpost`
    /// (copied when the settings are loaded; not a key of its own).
    pub gateway_id: String,
    /// `Location` of the exported metrics: `deployment.region` (copied when
    /// the settings are loaded; not a key of its own).
    pub location: String,
    /// `observability.opentelemetry.traces.enabled`: export spans.
    pub traces_enabled: bool,
    /// `observability.opentelemetry.traces.sampling`: 0..=1.
    pub traces_sampling: f64,
    /// `observability.tracecontext.enabled`: propagate (and generate) W3C
    /// `traceparent` to backends.
    pub trace_context: bool,
    pub logs_local: LogsLocal,
    pub localsyslog_endpoint: Option<String>,
    pub localsyslog_facility: u8,
    pub rfc5424_endpoint: Option<String>,
    pub rfc5424_facility: u8,
    pub journal_endpoint: Option<String>,
    pub json_endpoint: String,
    pub std_color: bool,
}

/// APIM's default histogram bounds (ms).
pub const DEFAULT_BUCKETS: &[f64] = &[
    5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
];

impl Default for TelemetrySettings {
    fn default() -> Self {
        TelemetrySettings {
            metrics_local: MetricsLocal::None,
            statsd_endpoint: None,
            statsd_sampling: 1.0,
            statsd_tag_format: TagFormat::DogStatsD,
            metrics_cloud: true,
            prometheus_address: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            prometheus_port: 9464,
            metrics_interval: Duration::from_secs(10),
            max_series: 2000,
            queue_capacity: 1024,
            otel_enabled: false,
            otel_collector_uri: None,
            otel_protocol: OtlpProtocol::Grpc,
            otel_system_metrics: false,
            histogram_buckets: DEFAULT_BUCKETS.to_vec(),
            otel_export_interval: Duration::from_secs(60),
            otel_export_timeout: Duration::from_secs(10),
            gateway_id: crate::policy::services::DEFAULT_GATEWAY_ID.into(),
            location: String::new(),
            traces_enabled: false,
            traces_sampling: 1.0,
            trace_context: true,
            logs_local: LogsLocal::Auto,
            localsyslog_endpoint: None,
            localsyslog_facility: 16,
            rfc5424_endpoint: None,
            rfc5424_facility: 16,
            journal_endpoint: None,
            json_endpoint: "127.0.0.1:8888".into(),
            std_color: true,
        }
    }
}

impl TelemetrySettings {
    /// Cross-key checks, run after every key is applied.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.metrics_local == MetricsLocal::Statsd && self.statsd_endpoint.is_none() {
            return Err((
                "telemetry.metrics.local.statsd.endpoint",
                "required when telemetry.metrics.local=statsd".into(),
            ));
        }
        if self.otel_enabled && self.otel_collector_uri.is_none() {
            return Err((
                "observability.opentelemetry.collector.uri",
                "required when observability.opentelemetry.enabled=true".into(),
            ));
        }
        let need = match self.logs_local {
            LogsLocal::LocalSyslog => self
                .localsyslog_endpoint
                .is_none()
                .then_some("telemetry.logs.local.localsyslog.endpoint"),
            LogsLocal::Rfc5424 => self
                .rfc5424_endpoint
                .is_none()
                .then_some("telemetry.logs.local.rfc5424.endpoint"),
            _ => None,
        };
        if let Some(key) = need {
            return Err((key, "required by telemetry.logs.local".into()));
        }
        Ok(())
    }
}

fn host_port(v: &str) -> Result<String, String> {
    match v.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p != 0) => Ok(v.to_owned()),
        _ => Err(format!("expected host:port, got {v:?}")),
    }
}

fn ratio(v: &str) -> Result<f64, String> {
    let r: f64 = parse_num(v)?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("expected a number from 0 to 1, got {v:?}"))
    }
}

fn facility(v: &str) -> Result<u8, String> {
    let f: u8 = parse_num(v)?;
    if f <= 23 {
        Ok(f)
    } else {
        Err(format!("expected a syslog facility code 0..23, got {v:?}"))
    }
}

/// Comma-separated, finite, strictly ascending, non-negative, at most 64.
pub fn parse_buckets(v: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let b: f64 = part.parse().map_err(|_| format!("bucket {part:?} is not a number"))?;
        if !b.is_finite() || b < 0.0 {
            return Err(format!("bucket {part:?} must be a finite number ≥ 0"));
        }
        if out.last().is_some_and(|l| *l >= b) {
            return Err("buckets must be strictly ascending".into());
        }
        out.push(b);
    }
    if out.is_empty() || out.len() > 64 {
        return Err("expected 1 to 64 comma-separated bounds".into());
    }
    Ok(out)
}

/// Applies `key = v`; `Ok(false)` when `key` is not a telemetry key.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    let t = &mut s.telemetry;
    match key {
        "telemetry.logs.std" => {
            s.log_format = match v {
                "none" => LogFormat::None,
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(format!("expected none, text or json, got {v:?}")),
            }
        }
        "telemetry.logs.std.level" => {
            s.log_enabled = v != "fatal";
            s.log_level = match v {
                "all" | "debug" => tracing::Level::DEBUG,
                "info" => tracing::Level::INFO,
                "warn" => tracing::Level::WARN,
                "error" | "fatal" => tracing::Level::ERROR,
                _ => return Err(format!("expected all, debug, info, warn, error or fatal, got {v:?}")),
            }
        }
        "telemetry.logs.std.color" => t.std_color = parse_bool(v)?,
        "telemetry.logs.local" => {
            t.logs_local = match v {
                "none" => LogsLocal::None,
                "auto" => LogsLocal::Auto,
                "localsyslog" => LogsLocal::LocalSyslog,
                "rfc5424" => LogsLocal::Rfc5424,
                "journal" => LogsLocal::Journal,
                "json" => LogsLocal::Json,
                _ => {
                    return Err(format!(
                        "expected none, auto, localsyslog, rfc5424, journal or json, got {v:?}"
                    ))
                }
            }
        }
        // Endpoint shapes are checked by the request log's own parser.
        "telemetry.logs.local.localsyslog.endpoint" => {
            Endpoint::socket(v)?;
            t.localsyslog_endpoint = Some(v.to_owned())
        }
        "telemetry.logs.local.localsyslog.facility" => t.localsyslog_facility = facility(v)?,
        "telemetry.logs.local.rfc5424.endpoint" => {
            Endpoint::syslog(v)?;
            t.rfc5424_endpoint = Some(v.to_owned())
        }
        "telemetry.logs.local.rfc5424.facility" => t.rfc5424_facility = facility(v)?,
        "telemetry.logs.local.journal.endpoint" => {
            Endpoint::socket(v)?;
            t.journal_endpoint = Some(v.to_owned())
        }
        "telemetry.logs.local.json.endpoint" => {
            Endpoint::json(v)?;
            t.json_endpoint = v.to_owned()
        }
        "telemetry.metrics.local" => {
            t.metrics_local = match v {
                "none" => MetricsLocal::None,
                "statsd" => MetricsLocal::Statsd,
                "prometheus" => MetricsLocal::Prometheus,
                _ => return Err(format!("expected none, statsd or prometheus, got {v:?}")),
            }
        }
        "telemetry.metrics.local.statsd.endpoint" => t.statsd_endpoint = Some(host_port(v)?),
        "telemetry.metrics.local.statsd.sampling" => t.statsd_sampling = ratio(v)?,
        "telemetry.metrics.local.statsd.tag-format" => {
            t.statsd_tag_format = match v.to_ascii_lowercase().as_str() {
                "none" => TagFormat::None,
                "dogstatsd" => TagFormat::DogStatsD,
                "influxdb" => TagFormat::InfluxDb,
                // The older APIM reference spells it `ibrato`.
                "librato" | "ibrato" => TagFormat::Librato,
                _ => return Err(format!("expected dogStatsD, influxDB, librato or none, got {v:?}")),
            }
        }
        "telemetry.metrics.cloud" => t.metrics_cloud = parse_bool(v)?,
        "telemetry.metrics.prometheus.address" => {
            t.prometheus_address = v.parse().map_err(|_| format!("expected an IP address, got {v:?}"))?
        }
        "telemetry.metrics.prometheus.port" => t.prometheus_port = parse_num(v)?,
        "telemetry.metrics.interval" => {
            t.metrics_interval = parse_duration(v)?;
            if t.metrics_interval < Duration::from_millis(100) {
                return Err("must be at least 100ms".into());
            }
        }
        "telemetry.metrics.max-series" => {
            t.max_series = parse_num(v)?;
            if !(10..=1_000_000).contains(&t.max_series) {
                return Err("expected 10 to 1000000".into());
            }
        }
        "telemetry.queue.capacity" => {
            t.queue_capacity = parse_num(v)?;
            if !(1..=1_000_000).contains(&t.queue_capacity) {
                return Err("expected 1 to 1000000".into());
            }
        }
        "observability.opentelemetry.enabled" => t.otel_enabled = parse_bool(v)?,
        "observability.opentelemetry.collector.uri" => {
            if !(v.starts_with("http://") || v.starts_with("https://")) {
                return Err(format!("expected an http:// or https:// URI, got {v:?}"));
            }
            t.otel_collector_uri = Some(v.trim_end_matches('/').to_owned());
        }
        "observability.opentelemetry.collector.protocol" => {
            t.otel_protocol = match v {
                "grpc" => OtlpProtocol::Grpc,
                "http/protobuf" | "http" => OtlpProtocol::HttpProtobuf,
                _ => return Err(format!("expected grpc or http/protobuf, got {v:?}")),
            }
        }
        "observability.opentelemetry.system-metrics.enabled" => t.otel_system_metrics = parse_bool(v)?,
        "observability.opentelemetry.histogram.buckets" => t.histogram_buckets = parse_buckets(v)?,
        "observability.opentelemetry.export.interval" => {
            t.otel_export_interval = parse_duration(v)?;
            if t.otel_export_interval < Duration::from_millis(100) {
                return Err("must be at least 100ms".into());
            }
        }
        "observability.opentelemetry.export.timeout" => {
            t.otel_export_timeout = parse_duration(v)?;
            if t.otel_export_timeout < Duration::from_millis(100) {
                return Err("must be at least 100ms".into());
            }
        }
        "observability.opentelemetry.traces.enabled" => t.traces_enabled = parse_bool(v)?,
        "observability.opentelemetry.traces.sampling" => t.traces_sampling = ratio(v)?,
        "observability.tracecontext.enabled" => t.trace_context = parse_bool(v)?,
        _ => return Ok(false),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_checked() {
        assert_eq!(parse_buckets("5, 10,25").unwrap(), vec![5.0, 10.0, 25.0]);
        assert!(parse_buckets("10,5").is_err());
        assert!(parse_buckets("10,10").is_err());
        assert!(parse_buckets("").is_err());
        assert!(parse_buckets("1,x").is_err());
        assert!(parse_buckets("-1").is_err());
        assert!(parse_buckets("NaN").is_err());
    }

    #[test]
    fn endpoints_and_ratios_are_checked() {
        assert!(host_port("127.0.0.1:8125").is_ok());
        assert!(host_port("statsd:8125").is_ok());
        assert!(host_port("statsd").is_err());
        assert!(host_port("statsd:0").is_err());
        assert!(ratio("0.5").is_ok());
        assert!(ratio("1.5").is_err());
        assert!(facility("23").is_ok());
        assert!(facility("24").is_err());
    }

    #[test]
    fn request_log_endpoints_are_checked() {
        let mut s = Settings::default();
        let mut ok = |k: &str, v: &str| apply(&mut s, k, v);
        assert_eq!(
            ok("telemetry.logs.local.rfc5424.endpoint", "tcp://127.0.0.1:601"),
            Ok(true)
        );
        assert_eq!(ok("telemetry.logs.local.rfc5424.endpoint", "/dev/log"), Ok(true));
        assert!(ok("telemetry.logs.local.rfc5424.endpoint", "tcp://nohost").is_err());
        assert!(ok("telemetry.logs.local.rfc5424.endpoint", "syslog").is_err());
        assert!(ok("telemetry.logs.local.localsyslog.endpoint", "").is_err());
        assert!(ok(
            "telemetry.logs.local.journal.endpoint",
            &format!("/{}", "j".repeat(200))
        )
        .is_err());
        assert_eq!(
            ok("telemetry.logs.local.json.endpoint", "/var/log/outpost/requests.json"),
            Ok(true)
        );
        assert!(ok("telemetry.logs.local.json.endpoint", "udp://x").is_err());
        assert_eq!(s.telemetry.json_endpoint, "/var/log/outpost/requests.json");
    }
}
