//! The OTLP metrics of one export: the cumulative [`Store`](super::super::hub::Store)
//! turned into `ExportMetricsServiceRequest`s of the official generated types.
//!
//! What is exported (all **cumulative** since the process started, one data
//! point per series):
//! - scope `outpost`: APIM's five request metrics, `Requests` (monotonic
//!   integer sum) and the explicit-bucket histograms `DurationInMs`,
//!   `BackendDurationInMs`, `ClientDurationInMs`, `GatewayDurationInMs`
//!   (unit `ms`, the configured bounds), with the attributes of
//!   [`request_attributes`]; the telemetry self-metrics (folded and dropped
//!   counts, exports per outcome); the process metrics when enabled;
//! - one scope per `emit-metric` namespace: each custom metric as a
//!   cumulative histogram without bounds (one bucket: the count, the sum,
//!   the min and the max of its values, as Application Insights aggregates
//!   them and as the Prometheus endpoint's `_count`/`_sum` show them), with
//!   its dimensions as attributes.
//!
//! Invariants: the series are those of the store, already bounded (folded
//! into `(other)` past `4 × max-series`); a request carries at most about
//! [`MAX_REQUEST_BYTES`] of metrics (more series → more requests), well
//! under collectors' default 4 MiB message limit. Nothing here does I/O.

use super::super::hub::{self, SharedStore};
use super::super::model::{code_category, CustomAgg, CustomKey, Histogram, RequestAgg, RequestDims};
use super::{attr, int_attr, Identity};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    metric::Data, number_data_point, AggregationTemporality, Gauge, Histogram as PHistogram, HistogramDataPoint,
    Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// Request series per scope unit (five metrics each).
const SERIES_PER_UNIT: usize = 250;
/// Custom data points per scope unit.
const POINTS_PER_UNIT: usize = 1000;
/// Size at which a request is closed and the next one started.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

const CUMULATIVE: i32 = AggregationTemporality::Cumulative as i32;

/// Nanoseconds since the Unix epoch.
pub fn unix_nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// What an export reads from the store, copied under its lock (short).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub start_nanos: u64,
    pub now_nanos: u64,
    pub bounds: Vec<f64>,
    pub requests: Vec<(RequestDims, RequestAgg)>,
    pub custom: Vec<(CustomKey, CustomAgg)>,
    pub folded: u64,
    pub dropped_in_workers: u64,
    pub dropped_frames: u64,
}

impl Snapshot {
    pub fn take(store: &SharedStore) -> Snapshot {
        let s = hub::lock(store);
        Snapshot {
            start_nanos: unix_nanos(s.started),
            now_nanos: unix_nanos(SystemTime::now()),
            bounds: s.bounds.to_vec(),
            requests: s.requests.iter().map(|(d, a)| (d.clone(), a.clone())).collect(),
            custom: s.custom.iter().map(|(k, a)| (k.clone(), a.clone())).collect(),
            folded: s.folded,
            dropped_in_workers: s.dropped_in_workers,
            dropped_frames: s.dropped_frames,
        }
    }
}

/// The attributes of a request series: APIM's dimension names, plus
/// `ApiId` and `OperationId`, and the process's `GatewayId` and `Location`.
pub fn request_attributes(d: &RequestDims, id: &Identity) -> Vec<KeyValue> {
    vec![
        attr("ApiId", &d.api_id),
        attr("OperationId", &d.operation_id),
        attr("Hostname", &d.hostname),
        int_attr("ResponseCode", i64::from(d.response_code)),
        attr("ResponseCodeCategory", code_category(d.response_code)),
        int_attr("BackendResponseCode", i64::from(d.backend_response_code)),
        attr("BackendResponseCodeCategory", code_category(d.backend_response_code)),
        attr("Cache", d.cache.as_str()),
        attr("LastErrorReason", &d.last_error_reason),
        attr("Status", d.status()),
        attr("GatewayId", &id.gateway_id),
        attr("Location", &id.location),
    ]
}

/// A point-in-time window shared by every data point of an export.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub start: u64,
    pub now: u64,
}

fn histogram_point(h: &Histogram, bounds: &[f64], attributes: Vec<KeyValue>, w: Window) -> HistogramDataPoint {
    HistogramDataPoint {
        attributes,
        start_time_unix_nano: w.start,
        time_unix_nano: w.now,
        count: h.count,
        sum: Some(h.sum),
        bucket_counts: h.counts.clone(),
        explicit_bounds: bounds.to_vec(),
        exemplars: Vec::new(),
        flags: 0,
        min: (h.count > 0).then_some(h.min),
        max: (h.count > 0).then_some(h.max),
    }
}

/// A number data point (integer or double).
pub fn number_point(value: number_data_point::Value, attributes: Vec<KeyValue>, w: Window) -> NumberDataPoint {
    NumberDataPoint {
        attributes,
        start_time_unix_nano: w.start,
        time_unix_nano: w.now,
        exemplars: Vec::new(),
        flags: 0,
        value: Some(value),
    }
}

/// A cumulative sum metric.
pub fn sum_metric(name: &str, description: &str, unit: &str, monotonic: bool, points: Vec<NumberDataPoint>) -> Metric {
    Metric {
        name: name.into(),
        description: description.into(),
        unit: unit.into(),
        metadata: Vec::new(),
        data: Some(Data::Sum(Sum {
            data_points: points,
            aggregation_temporality: CUMULATIVE,
            is_monotonic: monotonic,
        })),
    }
}

/// A gauge metric.
pub fn gauge_metric(name: &str, description: &str, unit: &str, points: Vec<NumberDataPoint>) -> Metric {
    Metric {
        name: name.into(),
        description: description.into(),
        unit: unit.into(),
        metadata: Vec::new(),
        data: Some(Data::Gauge(Gauge { data_points: points })),
    }
}

fn histogram_metric(name: &str, description: &str, unit: &str, points: Vec<HistogramDataPoint>) -> Metric {
    Metric {
        name: name.into(),
        description: description.into(),
        unit: unit.into(),
        metadata: Vec::new(),
        data: Some(Data::Histogram(PHistogram {
            data_points: points,
            aggregation_temporality: CUMULATIVE,
        })),
    }
}

/// The instrumentation scope of the gateway's own metrics and spans.
pub fn own_scope() -> InstrumentationScope {
    scope("outpost")
}

fn scope(name: &str) -> InstrumentationScope {
    InstrumentationScope {
        name: name.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        attributes: Vec::new(),
        dropped_attributes_count: 0,
    }
}

/// APIM's five request metrics over `series`, one scope unit.
fn request_unit(series: &[(RequestDims, RequestAgg)], bounds: &[f64], id: &Identity, w: Window) -> ScopeMetrics {
    let mut requests = Vec::with_capacity(series.len());
    let mut hists: [Vec<HistogramDataPoint>; 4] = Default::default();
    for (d, a) in series {
        let attrs = request_attributes(d, id);
        let parts: [&Histogram; 4] = [&a.duration, &a.backend, &a.client, &a.gateway];
        for (out, h) in hists.iter_mut().zip(parts) {
            out.push(histogram_point(h, bounds, attrs.clone(), w));
        }
        let n = i64::try_from(a.requests).unwrap_or(i64::MAX);
        requests.push(number_point(number_data_point::Value::AsInt(n), attrs, w));
    }
    let [duration, backend, client, gateway] = hists;
    ScopeMetrics {
        scope: Some(own_scope()),
        metrics: vec![
            sum_metric(
                "Requests",
                "Requests processed by the gateway",
                "{request}",
                true,
                requests,
            ),
            histogram_metric(
                "DurationInMs",
                "Request received to response fully sent",
                "ms",
                duration,
            ),
            histogram_metric(
                "BackendDurationInMs",
                "Backend I/O: connect, send, receive",
                "ms",
                backend,
            ),
            histogram_metric(
                "ClientDurationInMs",
                "Client I/O: reading the request, writing the response",
                "ms",
                client,
            ),
            histogram_metric(
                "GatewayDurationInMs",
                "Time in the gateway: duration − backend − client",
                "ms",
                gateway,
            ),
        ],
        schema_url: String::new(),
    }
}

/// `emit-metric` series: one scope per namespace, one metric per name.
fn custom_units(custom: &[(CustomKey, CustomAgg)], w: Window) -> Vec<ScopeMetrics> {
    // namespace → name → points (sorted: stable output).
    let mut by_ns: BTreeMap<&str, BTreeMap<&str, Vec<HistogramDataPoint>>> = BTreeMap::new();
    for (k, a) in custom {
        let attrs = k.dims.iter().map(|(n, v)| attr(n, v)).collect();
        let point = HistogramDataPoint {
            attributes: attrs,
            start_time_unix_nano: w.start,
            time_unix_nano: w.now,
            count: a.count,
            sum: Some(a.sum),
            bucket_counts: vec![a.count],
            explicit_bounds: Vec::new(),
            exemplars: Vec::new(),
            flags: 0,
            min: (a.count > 0).then_some(a.min),
            max: (a.count > 0).then_some(a.max),
        };
        by_ns
            .entry(&k.namespace)
            .or_default()
            .entry(&k.name)
            .or_default()
            .push(point);
    }
    let mut units = Vec::new();
    for (ns, metrics) in by_ns {
        let mut unit = ScopeMetrics {
            scope: Some(scope(ns)),
            metrics: Vec::new(),
            schema_url: String::new(),
        };
        let mut points_in_unit = 0;
        for (name, points) in metrics {
            for chunk in points.chunks(POINTS_PER_UNIT) {
                if points_in_unit + chunk.len() > POINTS_PER_UNIT && !unit.metrics.is_empty() {
                    let next = ScopeMetrics {
                        scope: Some(scope(ns)),
                        metrics: Vec::new(),
                        schema_url: String::new(),
                    };
                    units.push(std::mem::replace(&mut unit, next));
                    points_in_unit = 0;
                }
                points_in_unit += chunk.len();
                unit.metrics.push(histogram_metric(
                    name,
                    "emit-metric: count, sum, min and max of the values",
                    "",
                    chunk.to_vec(),
                ));
            }
        }
        if !unit.metrics.is_empty() {
            units.push(unit);
        }
    }
    units
}

/// The export's requests: request metrics, custom metrics and `extra`
/// (self and process metrics, already built), packed into requests of
/// about [`MAX_REQUEST_BYTES`] at most.
pub fn build(
    snap: &Snapshot,
    id: &Identity,
    resource: &Resource,
    extra: Vec<ScopeMetrics>,
) -> Vec<ExportMetricsServiceRequest> {
    let w = Window {
        start: snap.start_nanos,
        now: snap.now_nanos,
    };
    let mut units: Vec<ScopeMetrics> = snap
        .requests
        .chunks(SERIES_PER_UNIT)
        .map(|c| request_unit(c, &snap.bounds, id, w))
        .collect();
    units.extend(custom_units(&snap.custom, w));
    units.extend(extra.into_iter().filter(|u| !u.metrics.is_empty()));
    pack(units, resource)
}

fn pack(units: Vec<ScopeMetrics>, resource: &Resource) -> Vec<ExportMetricsServiceRequest> {
    let mut out = Vec::new();
    let mut current: Vec<ScopeMetrics> = Vec::new();
    let mut size = 0;
    for u in units {
        let len = u.encoded_len();
        if !current.is_empty() && size + len > MAX_REQUEST_BYTES {
            out.push(request(std::mem::take(&mut current), resource));
            size = 0;
        }
        size += len;
        current.push(u);
    }
    if !current.is_empty() {
        out.push(request(current, resource));
    }
    out
}

fn request(units: Vec<ScopeMetrics>, resource: &Resource) -> ExportMetricsServiceRequest {
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(resource.clone()),
            scope_metrics: units,
            schema_url: String::new(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::model::CacheOutcome;
    use super::*;

    fn dims(api: &str, code: u16) -> RequestDims {
        RequestDims {
            api_id: api.into(),
            operation_id: "op".into(),
            hostname: "gw.example".into(),
            response_code: code,
            backend_response_code: code,
            last_error_reason: "None".into(),
            cache: CacheOutcome::Miss,
        }
    }

    fn agg(bounds: &[f64], n: u64, ms: f64) -> RequestAgg {
        let mut a = RequestAgg::new(bounds);
        for _ in 0..n {
            a.requests += 1;
            a.duration.observe(bounds, ms);
            a.backend.observe(bounds, ms / 2.0);
            a.client.observe(bounds, 0.1);
            a.gateway.observe(bounds, ms / 2.0 - 0.1);
        }
        a
    }

    fn id() -> Identity {
        Identity {
            gateway_id: "gw1".into(),
            location: "west".into(),
        }
    }

    fn snapshot(requests: Vec<(RequestDims, RequestAgg)>, custom: Vec<(CustomKey, CustomAgg)>) -> Snapshot {
        Snapshot {
            start_nanos: 1_000,
            now_nanos: 2_000,
            bounds: vec![5.0, 10.0],
            requests,
            custom,
            folded: 0,
            dropped_in_workers: 0,
            dropped_frames: 0,
        }
    }

    fn value<'a>(
        kvs: &'a [KeyValue],
        key: &str,
    ) -> Option<&'a opentelemetry_proto::tonic::common::v1::any_value::Value> {
        kvs.iter().find(|kv| kv.key == key)?.value.as_ref()?.value.as_ref()
    }

    #[test]
    fn request_series_become_apim_metrics_with_cumulative_points() {
        let b = [5.0, 10.0];
        let snap = snapshot(
            vec![
                (dims("echo", 200), agg(&b, 3, 7.0)),
                (dims("echo", 503), agg(&b, 1, 20.0)),
            ],
            vec![],
        );
        let reqs = build(&snap, &id(), &Resource::default(), vec![]);
        assert_eq!(reqs.len(), 1);
        let sm = &reqs[0].resource_metrics[0].scope_metrics[0];
        assert_eq!(sm.scope.as_ref().unwrap().name, "outpost");
        let names: Vec<&str> = sm.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Requests",
                "DurationInMs",
                "BackendDurationInMs",
                "ClientDurationInMs",
                "GatewayDurationInMs"
            ]
        );
        let Some(Data::Sum(s)) = &sm.metrics[0].data else {
            panic!("Requests is a sum")
        };
        assert!(s.is_monotonic);
        assert_eq!(s.aggregation_temporality, CUMULATIVE);
        let ok = &s.data_points[0];
        assert_eq!(ok.value, Some(number_data_point::Value::AsInt(3)));
        assert_eq!((ok.start_time_unix_nano, ok.time_unix_nano), (1_000, 2_000));
        use opentelemetry_proto::tonic::common::v1::any_value::Value as V;
        assert_eq!(value(&ok.attributes, "ApiId"), Some(&V::StringValue("echo".into())));
        assert_eq!(value(&ok.attributes, "ResponseCode"), Some(&V::IntValue(200)));
        assert_eq!(
            value(&ok.attributes, "ResponseCodeCategory"),
            Some(&V::StringValue("2xx".into()))
        );
        assert_eq!(value(&ok.attributes, "Cache"), Some(&V::StringValue("Miss".into())));
        assert_eq!(
            value(&ok.attributes, "Status"),
            Some(&V::StringValue("Successful".into()))
        );
        assert_eq!(value(&ok.attributes, "GatewayId"), Some(&V::StringValue("gw1".into())));
        assert_eq!(value(&ok.attributes, "Location"), Some(&V::StringValue("west".into())));
        let failed = &s.data_points[1];
        assert_eq!(
            value(&failed.attributes, "Status"),
            Some(&V::StringValue("Failed".into()))
        );
        let Some(Data::Histogram(h)) = &sm.metrics[1].data else {
            panic!("a histogram")
        };
        assert_eq!(sm.metrics[1].unit, "ms");
        let p = &h.data_points[0];
        assert_eq!(p.explicit_bounds, vec![5.0, 10.0]);
        assert_eq!(p.bucket_counts, vec![0, 3, 0]);
        assert_eq!((p.count, p.sum, p.min, p.max), (3, Some(21.0), Some(7.0), Some(7.0)));
        assert_eq!(h.data_points[1].bucket_counts, vec![0, 0, 1]);
    }

    #[test]
    fn custom_metrics_get_a_scope_per_namespace() {
        let key = |ns: &str, name: &str, v: &str| CustomKey {
            namespace: ns.into(),
            name: name.into(),
            dims: vec![("API ID".into(), v.into())],
        };
        let mut a = CustomAgg::default();
        a.observe(2.5);
        a.observe(1.0);
        let snap = snapshot(
            vec![],
            vec![
                (key("API Management", "orders", "a"), a.clone()),
                (key("shop", "carts", "b"), a),
            ],
        );
        let reqs = build(&snap, &id(), &Resource::default(), vec![]);
        let sms = &reqs[0].resource_metrics[0].scope_metrics;
        let scopes: Vec<&str> = sms.iter().map(|s| s.scope.as_ref().unwrap().name.as_str()).collect();
        assert_eq!(scopes, ["API Management", "shop"]);
        let m = &sms[0].metrics[0];
        assert_eq!(m.name, "orders");
        let Some(Data::Histogram(h)) = &m.data else {
            panic!("a histogram")
        };
        let p = &h.data_points[0];
        assert_eq!((p.count, p.sum, p.min, p.max), (2, Some(3.5), Some(1.0), Some(2.5)));
        assert_eq!((p.bucket_counts.as_slice(), p.explicit_bounds.len()), (&[2u64][..], 0));
        use opentelemetry_proto::tonic::common::v1::any_value::Value as V;
        assert_eq!(value(&p.attributes, "API ID"), Some(&V::StringValue("a".into())));
    }

    #[test]
    fn many_series_are_split_into_bounded_requests() {
        let b = [5.0, 10.0];
        let series: Vec<_> = (0..5000)
            .map(|i| (dims(&format!("api-{i}"), 200), agg(&b, 1, 1.0)))
            .collect();
        let reqs = build(&snapshot(series, vec![]), &id(), &Resource::default(), vec![]);
        assert!(reqs.len() > 1, "{}", reqs.len());
        let mut total = 0;
        for r in &reqs {
            assert!(
                r.encoded_len() <= MAX_REQUEST_BYTES + MAX_REQUEST_BYTES / 2,
                "{}",
                r.encoded_len()
            );
            for sm in &r.resource_metrics[0].scope_metrics {
                let Some(Data::Sum(s)) = &sm.metrics[0].data else {
                    panic!("Requests first")
                };
                total += s.data_points.len();
            }
        }
        assert_eq!(total, 5000);
    }

    #[test]
    fn nothing_recorded_exports_nothing_but_extras() {
        assert!(build(&snapshot(vec![], vec![]), &id(), &Resource::default(), vec![]).is_empty());
    }
}
