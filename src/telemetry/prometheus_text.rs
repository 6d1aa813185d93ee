//! The Prometheus text exposition format (version 0.0.4) of the cumulative
//! [`Store`]: APIM's request metrics, `emit-metric` custom metrics and the
//! telemetry's own counters.
//!
//! Names (see docs/telemetry.md, "Prometheus"):
//! - `azure_apim_Requests` (counter) and the histograms (ms, the configured
//!   bounds) `azure_apim_DurationInMs`, `azure_apim_BackendDurationInMs`,
//!   `azure_apim_ClientDurationInMs`, `azure_apim_GatewayDurationInMs`: the
//!   names APIM's documented collector recipe produces (namespace
//!   `azure_apim`), so dashboards carry over; labels are APIM's dimension
//!   names ([`REQUEST_LABELS`]);
//! - `azure_apim_custom_<name>` (summary: `_sum`, `_count`) per
//!   `emit-metric` name, labelled `Namespace` and the dimensions;
//! - `outpost_worker_buffers_*`: each worker's read-buffer pool;
//! - `outpost_telemetry_*`: folded observations, dropped frames per sink,
//!   dropped samples and spans, series held.
//!
//! Invariants: every family's lines are contiguous under one `# TYPE`;
//! metric and label names are sanitised to `[A-Za-z_][A-Za-z0-9_]*` (label
//! names unique within a series); label values are escaped; a series whose
//! sanitised name and labels repeat an earlier one is left out (never a
//! duplicate sample).

use super::hub::Store;
use super::model::{code_category, CustomAgg, CustomKey, Histogram, RequestAgg, RequestDims};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

/// The labels of every request series, in order.
pub const REQUEST_LABELS: [&str; 10] = [
    "ApiId",
    "OperationId",
    "Hostname",
    "ResponseCode",
    "ResponseCodeCategory",
    "BackendResponseCode",
    "BackendResponseCodeCategory",
    "LastErrorReason",
    "Cache",
    "Status",
];

/// Metric name prefix (APIM's collector recipe's namespace).
pub const PREFIX: &str = "azure_apim_";

/// One sink's frames dropped, for `outpost_telemetry_dropped_frames_total`.
pub struct SinkDrops {
    pub sink: &'static str,
    pub dropped: u64,
}

/// Renders the store (and the sinks' drop counters) as one exposition.
pub fn render(store: &Store, sinks: &[SinkDrops]) -> String {
    let mut out = String::with_capacity(4096 + store.requests.len() * 2048);
    let series: Vec<(String, &RequestAgg)> = store.requests.iter().map(|(d, a)| (request_labels(d), a)).collect();
    family(&mut out, "Requests", "counter", "Requests processed by the gateway.");
    for (labels, a) in &series {
        let _ = writeln!(out, "{PREFIX}Requests{{{labels}}} {}", a.requests);
    }
    let histograms: [(&str, &str, Pick); 4] = [
        ("DurationInMs", "Request received to response sent, in ms.", |a| {
            &a.duration
        }),
        (
            "BackendDurationInMs",
            "Backend I/O (connect, send, receive), in ms.",
            |a| &a.backend,
        ),
        ("ClientDurationInMs", "Client I/O, in ms.", |a| &a.client),
        (
            "GatewayDurationInMs",
            "Time in the gateway (total − backend − client), in ms.",
            |a| &a.gateway,
        ),
    ];
    for (name, help, pick) in histograms {
        family(&mut out, name, "histogram", help);
        for (labels, a) in &series {
            histogram(&mut out, name, labels, &store.bounds, pick(a));
        }
    }
    custom(&mut out, &store.custom);
    self_metrics(&mut out, store, sinks);
    out
}

/// Picks one of a series' histograms.
type Pick = fn(&RequestAgg) -> &Histogram;

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {PREFIX}{name} {help}\n# TYPE {PREFIX}{name} {kind}");
}

fn request_labels(d: &RequestDims) -> String {
    let mut s = String::with_capacity(256);
    let values: [&str; 10] = [
        &d.api_id,
        &d.operation_id,
        &d.hostname,
        &d.response_code.to_string(),
        code_category(d.response_code),
        &d.backend_response_code.to_string(),
        code_category(d.backend_response_code),
        &d.last_error_reason,
        d.cache.as_str(),
        d.status(),
    ];
    for (i, (k, v)) in REQUEST_LABELS.iter().zip(values).enumerate() {
        if i > 0 {
            s.push(',');
        }
        label(&mut s, k, v);
    }
    s
}

fn histogram(out: &mut String, name: &str, labels: &str, bounds: &[f64], h: &Histogram) {
    let mut cumulative = 0u64;
    for (i, c) in h.counts.iter().enumerate() {
        cumulative += c;
        match bounds.get(i) {
            Some(b) => {
                let _ = writeln!(out, "{PREFIX}{name}_bucket{{{labels},le=\"{b}\"}} {cumulative}");
            }
            None => {
                let _ = writeln!(out, "{PREFIX}{name}_bucket{{{labels},le=\"+Inf\"}} {cumulative}");
            }
        }
    }
    let _ = writeln!(out, "{PREFIX}{name}_sum{{{labels}}} {}", float(h.sum));
    let _ = writeln!(out, "{PREFIX}{name}_count{{{labels}}} {}", h.count);
}

fn custom(out: &mut String, custom: &std::collections::HashMap<CustomKey, CustomAgg>) {
    // Families by sanitised name, so each family's lines stay together.
    let mut families: BTreeMap<String, Vec<(&CustomKey, &CustomAgg)>> = BTreeMap::new();
    for (k, a) in custom {
        families
            .entry(format!("custom_{}", sanitize(&k.name)))
            .or_default()
            .push((k, a));
    }
    for (name, series) in families {
        let _ = writeln!(
            out,
            "# HELP {PREFIX}{name} emit-metric custom metric.\n# TYPE {PREFIX}{name} summary"
        );
        let mut seen = HashSet::new();
        for (k, a) in series {
            let labels = custom_labels(k);
            if !seen.insert(labels.clone()) {
                continue;
            }
            let _ = writeln!(out, "{PREFIX}{name}_sum{{{labels}}} {}", float(a.sum));
            let _ = writeln!(out, "{PREFIX}{name}_count{{{labels}}} {}", a.count);
        }
    }
}

fn custom_labels(k: &CustomKey) -> String {
    let mut s = String::new();
    let mut names: Vec<String> = vec!["Namespace".into()];
    label(&mut s, "Namespace", &k.namespace);
    for (n, v) in &k.dims {
        let base = sanitize(n);
        let mut name = base.clone();
        let mut i = 2;
        while names.contains(&name) || name == "le" || name == "quantile" {
            name = format!("{base}_{i}");
            i += 1;
        }
        s.push(',');
        label(&mut s, &name, v);
        names.push(name);
    }
    s
}

/// Each worker's buffer pool (`outpost_worker_buffers_*`).
fn buffer_metrics(out: &mut String, store: &Store) {
    if store.buffers.is_empty() {
        return;
    }
    type Read = fn(&super::model::BufferGauges) -> u64;
    let kinds: [(&str, &str, &str, Read); 3] = [
        (
            "in_use",
            "gauge",
            "Read buffers lent to connections that are moving bytes (0 when every connection is idle).",
            |b| b.in_use,
        ),
        ("idle", "gauge", "Free read buffers a worker's pool keeps.", |b| b.idle),
        (
            "allocated_total",
            "counter",
            "Read buffers a worker allocated (its pool had none free).",
            |b| b.allocated,
        ),
    ];
    for (name, kind, help, get) in kinds {
        let _ = writeln!(
            out,
            "# HELP outpost_worker_buffers_{name} {help}\n# TYPE outpost_worker_buffers_{name} {kind}"
        );
        for (w, b) in &store.buffers {
            let _ = writeln!(out, "outpost_worker_buffers_{name}{{worker=\"{w}\"}} {}", get(b));
        }
    }
}

fn self_metrics(out: &mut String, store: &Store, sinks: &[SinkDrops]) {
    let _ = writeln!(
        out,
        "# HELP outpost_telemetry_folded_total Observations whose dimension values were folded into (other).\n\
         # TYPE outpost_telemetry_folded_total counter\n\
         outpost_telemetry_folded_total {}",
        store.folded
    );
    let _ = writeln!(
        out,
        "# HELP outpost_telemetry_dropped_frames_total Worker frames a sink (or the telemetry thread, sink=\"hub\") could not take.\n\
         # TYPE outpost_telemetry_dropped_frames_total counter\n\
         outpost_telemetry_dropped_frames_total{{sink=\"hub\"}} {}",
        store.dropped_frames
    );
    for s in sinks {
        let mut l = String::new();
        label(&mut l, "sink", s.sink);
        let _ = writeln!(out, "outpost_telemetry_dropped_frames_total{{{l}}} {}", s.dropped);
    }
    let _ = writeln!(
        out,
        "# HELP outpost_telemetry_dropped_items_total StatsD samples and spans dropped at a worker's per-second bound.\n\
         # TYPE outpost_telemetry_dropped_items_total counter\n\
         outpost_telemetry_dropped_items_total {}",
        store.dropped_in_workers
    );
    let _ = writeln!(
        out,
        "# HELP outpost_telemetry_series Series held by the telemetry store.\n\
         # TYPE outpost_telemetry_series gauge\n\
         outpost_telemetry_series{{kind=\"requests\"}} {}\n\
         outpost_telemetry_series{{kind=\"custom\"}} {}",
        store.requests.len(),
        store.custom.len()
    );
    buffer_metrics(out, store);
    if let Some((sink, s)) = super::request_log::process_stats() {
        request_log_metrics(out, sink, s);
    }
}

/// The local request log's counters (`telemetry.logs.local`).
fn request_log_metrics(out: &mut String, sink: &str, s: &super::request_log::Stats) {
    use std::sync::atomic::Ordering::Relaxed;
    let _ = writeln!(
        out,
        "# HELP outpost_request_log_records_total Request-log records by outcome: sent, dropped_queue_full (the sink was slower than the requests), dropped_endpoint (the endpoint was down or failed).\n\
         # TYPE outpost_request_log_records_total counter"
    );
    for (outcome, v) in [
        ("sent", s.sent.load(Relaxed)),
        ("dropped_queue_full", s.dropped_queue_full.load(Relaxed)),
        ("dropped_endpoint", s.dropped_endpoint.load(Relaxed)),
    ] {
        let mut l = String::new();
        label(&mut l, "sink", sink);
        let _ = writeln!(
            out,
            "outpost_request_log_records_total{{{l},outcome=\"{outcome}\"}} {v}"
        );
    }
}

/// `k="v"` with the value escaped (`\\`, `\"`, `\n`).
fn label(s: &mut String, k: &str, v: &str) {
    s.push_str(k);
    s.push_str("=\"");
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s.push('"');
}

/// A metric or label name: invalid characters become `_`, a leading digit
/// gets a `_` before it, a reserved `__` start gets an `x`.
pub fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if s.starts_with("__") {
        s.insert(0, 'x');
    }
    s
}

/// A sample value: Prometheus reads `+Inf`, `-Inf`, `NaN` and decimals.
fn float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::CacheOutcome;
    use super::*;
    use std::sync::Arc;

    fn store() -> Store {
        let bounds: Arc<[f64]> = Arc::from(vec![5.0, 2.5e3]);
        let mut s = Store::new(bounds.clone(), 100);
        let mut a = RequestAgg::new(&bounds);
        a.requests = 3;
        for v in [1.0, 7.0, 9000.0] {
            a.duration.observe(&bounds, v);
        }
        s.requests.insert(
            RequestDims {
                api_id: "echo".into(),
                operation_id: "get \"x\"".into(),
                hostname: "localhost".into(),
                response_code: 200,
                backend_response_code: 0,
                last_error_reason: "None".into(),
                cache: CacheOutcome::Hit,
            },
            a,
        );
        let mut c = CustomAgg::default();
        c.observe(2.0);
        c.observe(3.5);
        s.custom.insert(
            CustomKey {
                namespace: "shop".into(),
                name: "orders placed".into(),
                dims: vec![("API ID".into(), "echo".into()), ("API_ID".into(), "x\\y".into())],
            },
            c,
        );
        s.folded = 4;
        s
    }

    #[test]
    fn renders_apim_names_labels_and_cumulative_buckets() {
        let text = render(
            &store(),
            &[SinkDrops {
                sink: "statsd",
                dropped: 2,
            }],
        );
        let labels = "ApiId=\"echo\",OperationId=\"get \\\"x\\\"\",Hostname=\"localhost\",ResponseCode=\"200\",\
                      ResponseCodeCategory=\"2xx\",BackendResponseCode=\"0\",BackendResponseCodeCategory=\"None\",\
                      LastErrorReason=\"None\",Cache=\"Hit\",Status=\"Successful\"";
        for line in [
            "# TYPE azure_apim_Requests counter".to_owned(),
            format!("azure_apim_Requests{{{labels}}} 3"),
            "# TYPE azure_apim_DurationInMs histogram".to_owned(),
            format!("azure_apim_DurationInMs_bucket{{{labels},le=\"5\"}} 1"),
            format!("azure_apim_DurationInMs_bucket{{{labels},le=\"2500\"}} 2"),
            format!("azure_apim_DurationInMs_bucket{{{labels},le=\"+Inf\"}} 3"),
            format!("azure_apim_DurationInMs_sum{{{labels}}} 9008"),
            format!("azure_apim_DurationInMs_count{{{labels}}} 3"),
            format!("azure_apim_GatewayDurationInMs_count{{{labels}}} 0"),
            "# TYPE azure_apim_custom_orders_placed summary".to_owned(),
            "azure_apim_custom_orders_placed_sum{Namespace=\"shop\",API_ID=\"echo\",API_ID_2=\"x\\\\y\"} 5.5"
                .to_owned(),
            "azure_apim_custom_orders_placed_count{Namespace=\"shop\",API_ID=\"echo\",API_ID_2=\"x\\\\y\"} 2"
                .to_owned(),
            "outpost_telemetry_folded_total 4".to_owned(),
            "outpost_telemetry_dropped_frames_total{sink=\"statsd\"} 2".to_owned(),
            "outpost_telemetry_series{kind=\"requests\"} 1".to_owned(),
        ] {
            assert!(text.lines().any(|l| l == line), "{line}\nnot in\n{text}");
        }
    }

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitize("API ID"), "API_ID");
        assert_eq!(sanitize("9lives"), "_9lives");
        assert_eq!(sanitize("__x"), "x__x");
        assert_eq!(sanitize(""), "_");
        assert_eq!(sanitize("é-x"), "x__x");
        assert_eq!(float(f64::INFINITY), "+Inf");
        assert_eq!(float(0.5), "0.5");
    }

    #[test]
    fn buffer_gauges_per_worker() {
        let mut s = store();
        let mut out = String::new();
        buffer_metrics(&mut out, &s);
        assert!(out.is_empty(), "nothing before the workers report: {out}");
        s.buffers.insert(
            1,
            super::super::model::BufferGauges {
                in_use: 3,
                idle: 7,
                allocated: 12,
            },
        );
        buffer_metrics(&mut out, &s);
        for line in [
            "# TYPE outpost_worker_buffers_in_use gauge",
            "outpost_worker_buffers_in_use{worker=\"1\"} 3",
            "outpost_worker_buffers_idle{worker=\"1\"} 7",
            "# TYPE outpost_worker_buffers_allocated_total counter",
            "outpost_worker_buffers_allocated_total{worker=\"1\"} 12",
        ] {
            assert!(out.lines().any(|l| l == line), "{line}\nnot in\n{out}");
        }
    }

    #[test]
    fn request_log_counters_by_outcome() {
        let stats = super::super::request_log::Stats::default();
        stats.sent.store(5, std::sync::atomic::Ordering::Relaxed);
        let mut out = String::new();
        request_log_metrics(&mut out, "rfc5424", &stats);
        assert!(
            out.contains("# TYPE outpost_request_log_records_total counter\n"),
            "{out}"
        );
        assert!(
            out.contains("outpost_request_log_records_total{sink=\"rfc5424\",outcome=\"sent\"} 5\n"),
            "{out}"
        );
        assert!(out.contains("outcome=\"dropped_endpoint\"} 0\n"), "{out}");
    }
}
