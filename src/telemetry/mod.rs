//! Telemetry: request metrics with APIM's names and dimensions, `emit-metric`
//! custom metrics, spans, and the sinks they go to (Prometheus, StatsD,
//! OTLP, the management plane's heartbeat).
//!
//! The path of a value:
//! 1. a worker records each finished request into its own
//!    [`recorder::Recorder`] (no lock, no atomic);
//! 2. once a second the worker's control task takes a [`model::Frame`] from
//!    it and `try_send`s it to the telemetry thread ([`hub::Hub`]);
//! 3. the hub merges the frame into the cumulative [`hub::Store`] and offers
//!    it to each sink's bounded queue; each sink runs on its own thread.
//!
//! This module imports nothing from `proxy`, `worker` or `server`: the
//! request path calls into it, never the other way round.

pub mod hub;
pub mod model;
pub mod otlp;
pub mod prometheus;
pub mod prometheus_text;
pub mod recorder;
pub mod request_log;
pub mod rollup;
pub mod spans;
pub mod statsd;
pub mod trace_context;

use crate::settings::TelemetrySettings;
use std::sync::{Arc, Mutex};

/// What a worker holds: its recorder and its end of the hub's channel.
pub struct WorkerTelemetry {
    pub recorder: recorder::Recorder,
    pub frames: std::cell::RefCell<hub::FrameSender>,
    /// The buffer gauges last handed over (sent again only when they change).
    last_buffers: std::cell::Cell<Option<model::BufferGauges>>,
}

impl WorkerTelemetry {
    pub fn new(hub: &hub::Hub, t: &TelemetrySettings) -> WorkerTelemetry {
        let bounds = hub::lock(&hub.store).bounds.clone();
        let sampling = if t.metrics_local == crate::settings::MetricsLocal::Statsd {
            t.statsd_sampling
        } else {
            0.0
        };
        WorkerTelemetry {
            recorder: recorder::Recorder::new(
                bounds,
                recorder::RecorderConfig {
                    max_series: t.max_series,
                    sampling,
                },
            ),
            frames: std::cell::RefCell::new(hub::FrameSender::new(hub)),
            last_buffers: std::cell::Cell::new(None),
        }
    }

    /// Hands what was recorded since the last call to the hub (never blocks).
    pub fn flush(&self, worker: usize, buffers: model::BufferGauges) {
        let mut frame = self.recorder.take(worker);
        let changed = self.last_buffers.get() != Some(buffers);
        if changed {
            frame
                .get_or_insert_with(|| model::Frame::empty(worker, self.recorder.bounds().clone()))
                .buffers = Some(buffers);
        }
        if let Some(f) = frame {
            // A frame the hub could not take sends the gauges again next time.
            if self.frames.borrow_mut().send(f) && changed {
                self.last_buffers.set(Some(buffers));
            }
        }
    }
}

/// Whether any sink consumes metrics or spans (otherwise workers record nothing).
pub fn wanted(t: &TelemetrySettings, management_plane: bool) -> bool {
    t.metrics_local != crate::settings::MetricsLocal::None || t.otel_enabled || (management_plane && t.metrics_cloud)
}

/// Starts the hub and the sinks the settings ask for; `None` when nothing
/// consumes telemetry. A sink that cannot start is logged and left out.
pub fn start(t: &TelemetrySettings, management_plane: bool) -> Option<hub::Hub> {
    if t.traces_enabled && !t.otel_enabled {
        tracing::warn!(
            "observability.opentelemetry.traces.enabled is true but observability.opentelemetry.enabled is false: \
             no span is recorded or exported (trace context is still propagated when \
             observability.tracecontext.enabled is true)"
        );
    }
    if !wanted(t, management_plane) {
        return None;
    }
    let bounds: Arc<[f64]> = Arc::from(t.histogram_buckets.clone());
    let store = Arc::new(Mutex::new(hub::Store::new(bounds.clone(), t.max_series)));
    let mut sinks = Vec::new();
    match otlp::spawn(t, store.clone()) {
        Some(Ok(q)) => sinks.push(q),
        Some(Err(e)) => tracing::error!(error = %e, "cannot start the OpenTelemetry exporter; OTLP export is off"),
        None => {}
    }
    if t.metrics_local == crate::settings::MetricsLocal::Statsd {
        match statsd::spawn(t, bounds.clone()) {
            Ok(q) => sinks.push(q),
            Err(e) => tracing::error!(error = %e, "cannot start the StatsD sink; StatsD metrics are off"),
        }
    }
    // The management plane's metrics: one-minute buckets for the heartbeats.
    let mut rollup = None;
    if management_plane && t.metrics_cloud {
        match rollup::spawn(bounds.clone(), t.queue_capacity) {
            Ok((q, r)) => {
                sinks.push(q);
                rollup = Some(r);
            }
            Err(e) => tracing::error!(error = %e, "cannot start the management plane's metrics sink"),
        }
    }
    let hub = match hub::Hub::spawn(store, sinks) {
        Ok(mut h) => {
            h.rollup = rollup;
            h
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot start the telemetry thread; no metrics are exported");
            return None;
        }
    };
    if t.metrics_local == crate::settings::MetricsLocal::Prometheus {
        let addr = std::net::SocketAddr::new(t.prometheus_address, t.prometheus_port);
        if let Err(e) = prometheus::spawn(addr, hub.store.clone(), hub.sinks.clone()) {
            tracing::error!(address = %addr, error = %e, "cannot start the Prometheus endpoint; it is off");
        }
    }
    Some(hub)
}
