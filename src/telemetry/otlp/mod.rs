//! The OTLP sink (`observability.opentelemetry.*`): the gateway's metrics,
//! and its spans when `traces.enabled`, pushed to an OpenTelemetry
//! collector over OTLP/gRPC or OTLP/HTTP (protobuf).
//!
//! One thread, `outpost-otlp`, owns everything here:
//! - every `export.interval` it copies the hub's cumulative store
//!   ([`metrics::Snapshot`], a short lock, never taken by a worker) and
//!   exports it ([`metrics`]), with the process metrics ([`system`]) and
//!   the telemetry self-metrics;
//! - it receives the workers' frames from its bounded [`SinkQueue`] and
//!   buffers their spans ([`spans::Pending`], bounded), sending a batch when
//!   [`spans::BATCH`] are waiting or the oldest has waited
//!   `min(1 s, export.interval)`;
//! - exports go through [`transport::Transport`] with a deadline
//!   (`export.timeout`) and at most [`ATTEMPTS`] tries of one request;
//!   after a failure the collector is left alone for a backoff that doubles
//!   from 1 s up to `clamp(export.interval, 1 s, 30 s)`.
//!
//! Faults: a collector that is down, slow or refusing costs this thread
//! time, never a worker. Metrics are cumulative, so a lost export loses no
//! counts (the next one carries them); spans wait in the bounded buffer and
//! beyond it are dropped and counted (`outpost.telemetry.dropped`
//! {stage=`otlp-spans`}), as are frames the full queue refused
//! ({stage=`otlp-queue`}). The outage is logged once when it starts and
//! once when export resumes ([`OutageLog`]).

pub mod metrics;
pub mod spans;
pub mod system;
pub mod transport;

use super::hub::{OutageLog, SharedStore, SinkQueue};
use super::model::Frame;
use crate::settings::TelemetrySettings;
use crossbeam_channel::{Receiver, RecvTimeoutError};
use metrics::{number_point, own_scope, sum_metric, Snapshot, Window};
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{number_data_point::Value, ScopeMetrics};
use opentelemetry_proto::tonic::resource::v1::Resource;
use std::sync::Arc;
use std::time::{Duration, Instant};
use transport::{ExportError, Transport};

/// Tries of one export request (the first and two retries).
pub const ATTEMPTS: u32 = 3;
/// Spans buffered while the collector is slow or down.
pub const MAX_PENDING_SPANS: usize = 8192;
/// Longest a span waits for its batch when few spans come.
const SPAN_DELAY: Duration = Duration::from_secs(1);

/// A string attribute.
pub fn attr(key: &str, v: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(v.into())),
        }),
        ..Default::default()
    }
}

/// An integer attribute.
pub fn int_attr(key: &str, v: i64) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::IntValue(v)),
        }),
        ..Default::default()
    }
}

/// The gateway as APIM names it on every metric point.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    /// `GatewayId`: `gateway.name`, else `outpost`.
    pub gateway_id: String,
    /// `Location`: `deployment.region`.
    pub location: String,
}

/// The OTLP resource: the service and this instance (OpenTelemetry's
/// semantic conventions), plus `OTEL_RESOURCE_ATTRIBUTES` /
/// `OTEL_SERVICE_NAME` from the environment like any OpenTelemetry SDK.
pub fn resource(id: &Identity, env: &dyn Fn(&str) -> Option<String>) -> Resource {
    let instance = crate::policy::services::instance_id();
    let mut attrs = vec![
        attr("service.name", "outpost"),
        attr("service.version", env!("CARGO_PKG_VERSION")),
        attr("service.instance.id", &instance),
        attr("host.name", &instance),
        attr("GatewayId", &id.gateway_id),
    ];
    if !id.location.is_empty() {
        attrs.push(attr("cloud.region", &id.location));
    }
    // `key=value,key=value`, values percent-encoded (W3C baggage form);
    // bounded: at most 64 pairs of at most 255 bytes each.
    let mut extra: Vec<(String, String)> = Vec::new();
    if let Some(list) = env("OTEL_RESOURCE_ATTRIBUTES") {
        for pair in list.split(',').take(64) {
            let Some((k, v)) = pair.split_once('=') else { continue };
            let (k, v) = (k.trim(), v.trim());
            if k.is_empty() || k.len() > 255 || v.len() > 255 {
                continue;
            }
            let v = url::form_urlencoded::parse(format!("v={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            extra.push((k.to_owned(), v));
        }
    }
    if let Some(name) = env("OTEL_SERVICE_NAME").filter(|n| !n.is_empty() && n.len() <= 255) {
        extra.push(("service.name".into(), name));
    }
    for (k, v) in extra {
        match attrs.iter_mut().find(|a| a.key == k) {
            Some(a) => *a = attr(&k, &v),
            None => attrs.push(attr(&k, &v)),
        }
    }
    Resource {
        attributes: attrs,
        dropped_attributes_count: 0,
        entity_refs: Vec::new(),
    }
}

/// `text` (a URI, an error mentioning one) with the `user:password@` of
/// every URI in it left out: collector credentials never reach a log.
pub fn redacted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        let (authority, after) = tail.split_at(end);
        out.push_str(authority.rsplit_once('@').map_or(authority, |(_, host)| host));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Counters of the sink itself, exported with the metrics.
#[derive(Debug, Default, Clone)]
struct Counts {
    exports_ok: [u64; 2],
    exports_failed: [u64; 2],
    rejected: [u64; 2],
}

const METRICS: usize = 0;
const TRACES: usize = 1;
const SIGNALS: [&str; 2] = ["metrics", "traces"];

struct Sink {
    transport: Transport,
    store: SharedStore,
    id: Identity,
    resource: Resource,
    interval: Duration,
    system_metrics: bool,
    traces: bool,
    pending: spans::Pending,
    counts: Counts,
    outage: OutageLog,
    /// No export before this (backoff after a failure).
    retry_at: Instant,
    backoff: Duration,
    max_backoff: Duration,
    /// The queue's drop counter (known once the queue exists).
    queue: Option<SinkQueue>,
    partial_logged: bool,
}

/// Starts the OTLP thread; `None` when OpenTelemetry is off.
pub fn spawn(t: &TelemetrySettings, store: SharedStore) -> Option<std::io::Result<SinkQueue>> {
    if !t.otel_enabled {
        return None;
    }
    let uri = t.otel_collector_uri.clone()?;
    let id = Identity {
        gateway_id: t.gateway_id.clone(),
        location: t.location.clone(),
    };
    let (protocol, timeout, interval) = (t.otel_protocol, t.otel_export_timeout, t.otel_export_interval);
    let (system_metrics, traces) = (t.otel_system_metrics, t.traces_enabled);
    let (queue_tx, queue_rx) = crossbeam_channel::bounded::<SinkQueue>(1);
    tracing::info!(
        collector = %redacted(&uri),
        protocol = ?protocol,
        interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        traces,
        system_metrics,
        "OpenTelemetry export on"
    );
    let queue = SinkQueue::spawn("otlp", t.queue_capacity, move |rx| {
        // The transport (and its tokio runtime) lives on this thread.
        let transport = match Transport::new(&uri, protocol, timeout) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %redacted(&e.to_string()), "OpenTelemetry export disabled");
                return;
            }
        };
        let mut sink = Sink {
            transport,
            store,
            resource: resource(&id, &|k| std::env::var(k).ok()),
            id,
            interval,
            system_metrics,
            traces,
            pending: spans::Pending::new(MAX_PENDING_SPANS),
            counts: Counts::default(),
            outage: OutageLog::new("otlp"),
            retry_at: Instant::now(),
            backoff: Duration::from_secs(1),
            max_backoff: interval.clamp(Duration::from_secs(1), Duration::from_secs(30)),
            queue: None,
            partial_logged: false,
        };
        sink.queue = queue_rx.recv().ok();
        sink.run(rx);
    });
    if let Ok(q) = &queue {
        let _ = queue_tx.send(q.clone());
    }
    Some(queue)
}

impl Sink {
    fn run(&mut self, rx: Receiver<Arc<Frame>>) {
        let mut next_metrics = Instant::now() + self.interval;
        let span_delay = SPAN_DELAY.min(self.interval);
        // When the oldest buffered span arrived.
        let mut oldest: Option<Instant> = None;
        loop {
            let mut due = next_metrics;
            if let Some(o) = oldest {
                due = due.min((o + span_delay).max(self.retry_at));
            }
            match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(frame) => {
                    if self.traces && !frame.spans.is_empty() {
                        self.pending.push(&frame.spans);
                        oldest.get_or_insert_with(Instant::now);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    // Shutting down: one last try of each, no retries.
                    self.retry_at = Instant::now();
                    self.export_spans();
                    self.export_metrics();
                    return;
                }
            }
            let now = Instant::now();
            if now >= next_metrics {
                self.export_metrics();
                next_metrics += self.interval;
                if next_metrics <= now {
                    next_metrics = now + self.interval;
                }
            }
            let spans_due = oldest.is_some_and(|o| now >= o + span_delay) || self.pending.len() >= spans::BATCH;
            if spans_due && now >= self.retry_at {
                self.export_spans();
                oldest = (!self.pending.is_empty()).then(Instant::now);
            }
        }
    }

    fn export_metrics(&mut self) {
        if Instant::now() < self.retry_at {
            return;
        }
        let snap = Snapshot::take(&self.store);
        let w = Window {
            start: snap.start_nanos,
            now: snap.now_nanos,
        };
        let mut extra = vec![self.self_metrics(&snap, w)];
        if self.system_metrics {
            extra.push(system::collect(w));
        }
        for req in metrics::build(&snap, &self.id, &self.resource, extra) {
            if !self.send(METRICS, |t| t.metrics(req.clone())) {
                // The rest waits for the next interval (they are cumulative).
                return;
            }
        }
    }

    fn export_spans(&mut self) {
        while let Some(req) = self.pending.batch(&self.resource) {
            let mut failed = None;
            let ok = self.send(TRACES, |t| {
                let r = t.traces(req.clone());
                if let Err(e) = &r {
                    failed = Some(e.retryable());
                }
                r
            });
            if !ok {
                if failed == Some(true) {
                    self.pending.restore(req);
                } else {
                    self.pending.lost(&req);
                }
                return;
            }
        }
    }

    /// One request with bounded retries; true when the collector took it.
    fn send(
        &mut self,
        signal: usize,
        mut call: impl FnMut(&Transport) -> Result<transport::Accepted, ExportError>,
    ) -> bool {
        let mut pause = Duration::from_millis(100);
        for attempt in 1..=ATTEMPTS {
            match call(&self.transport) {
                Ok(accepted) => {
                    self.outage.ok();
                    self.backoff = Duration::from_secs(1);
                    self.counts.exports_ok[signal] += 1;
                    if accepted.rejected > 0 {
                        self.counts.rejected[signal] += accepted.rejected.unsigned_abs();
                        if !std::mem::replace(&mut self.partial_logged, true) {
                            tracing::warn!(
                                signal = SIGNALS[signal],
                                rejected = accepted.rejected,
                                message = %accepted.message,
                                "the OpenTelemetry collector rejected part of an export"
                            );
                        }
                    }
                    return true;
                }
                Err(e) => {
                    if !e.retryable() || attempt == ATTEMPTS {
                        self.counts.exports_failed[signal] += 1;
                        self.outage.failed(&redacted(&format!("{}: {e}", SIGNALS[signal])));
                        self.retry_at = Instant::now() + self.backoff;
                        self.backoff = (self.backoff * 2).min(self.max_backoff);
                        return false;
                    }
                    std::thread::sleep(pause);
                    pause *= 2;
                }
            }
        }
        false
    }

    /// `outpost.telemetry.*` and `outpost.otlp.*`: what was folded, dropped
    /// and exported.
    fn self_metrics(&self, snap: &Snapshot, w: Window) -> ScopeMetrics {
        let int = |v: u64| Value::AsInt(i64::try_from(v).unwrap_or(i64::MAX));
        let queue_dropped = self.queue.as_ref().map_or(0, SinkQueue::dropped);
        let dropped = [
            ("worker", snap.dropped_in_workers),
            ("hub", snap.dropped_frames),
            ("otlp-queue", queue_dropped),
            ("otlp-spans", self.pending.dropped),
        ];
        let mut exports = Vec::new();
        let mut rejected = Vec::new();
        for (i, signal) in SIGNALS.iter().enumerate() {
            for (outcome, n) in [
                ("ok", self.counts.exports_ok[i]),
                ("failed", self.counts.exports_failed[i]),
            ] {
                exports.push(number_point(
                    int(n),
                    vec![attr("signal", signal), attr("outcome", outcome)],
                    w,
                ));
            }
            rejected.push(number_point(
                int(self.counts.rejected[i]),
                vec![attr("signal", signal)],
                w,
            ));
        }
        ScopeMetrics {
            scope: Some(own_scope()),
            metrics: vec![
                sum_metric(
                    "outpost.telemetry.folded",
                    "Observations whose dimension values were folded into (other)",
                    "{observation}",
                    true,
                    vec![number_point(int(snap.folded), vec![], w)],
                ),
                sum_metric(
                    "outpost.telemetry.dropped",
                    "Telemetry items dropped, by stage",
                    "{item}",
                    true,
                    dropped
                        .iter()
                        .map(|(stage, n)| number_point(int(*n), vec![attr("stage", stage)], w))
                        .collect(),
                ),
                sum_metric(
                    "outpost.otlp.exports",
                    "OTLP export requests, by signal and outcome",
                    "{request}",
                    true,
                    exports,
                ),
                sum_metric(
                    "outpost.otlp.rejected",
                    "Data points or spans the collector rejected (partial success)",
                    "{item}",
                    true,
                    rejected,
                ),
            ],
            schema_url: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(r: &'a Resource, key: &str) -> Option<&'a str> {
        match r
            .attributes
            .iter()
            .find(|a| a.key == key)?
            .value
            .as_ref()?
            .value
            .as_ref()?
        {
            any_value::Value::StringValue(s) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn resource_names_the_service_and_takes_the_standard_environment() {
        let id = Identity {
            gateway_id: "gw1".into(),
            location: "westeurope".into(),
        };
        let r = resource(&id, &|_| None);
        assert_eq!(get(&r, "service.name"), Some("outpost"));
        assert_eq!(get(&r, "GatewayId"), Some("gw1"));
        assert_eq!(get(&r, "cloud.region"), Some("westeurope"));
        let env = |k: &str| match k {
            "OTEL_RESOURCE_ATTRIBUTES" => Some("deployment.environment=prod,team=a%20b,broken,=x".to_owned()),
            "OTEL_SERVICE_NAME" => Some("edge".to_owned()),
            _ => None,
        };
        let r = resource(&id, &env);
        assert_eq!(get(&r, "service.name"), Some("edge"));
        assert_eq!(get(&r, "deployment.environment"), Some("prod"));
        assert_eq!(get(&r, "team"), Some("a b"));
        assert_eq!(r.attributes.iter().filter(|a| a.key == "service.name").count(), 1);
    }

    #[test]
    fn logged_uris_carry_no_credentials() {
        assert_eq!(redacted("http://u:secret@collector:4317"), "http://collector:4317");
        assert_eq!(redacted("https://collector:4318"), "https://collector:4318");
        assert_eq!(
            redacted("http://a:b@c:1/v1/metrics: refused; see https://x@y/z"),
            "http://c:1/v1/metrics: refused; see https://y/z"
        );
    }
}
