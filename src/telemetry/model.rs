//! The telemetry data model shared by workers, the telemetry thread and every
//! sink: request-metric series (APIM's dimensions), histograms with the
//! configured bounds, `emit-metric` custom series, spans, and the [`Frame`]
//! a worker hands over once a second.
//!
//! Invariants: a [`Histogram`] always has `bounds.len() + 1` counts (the
//! last one is the `+Inf` bucket) and is only merged with one of the same
//! length; dimension values are owned strings already folded by the
//! recorder (see `recorder`), so nothing here grows with client input.

use std::sync::Arc;

/// What a folded dimension value reads.
pub const OTHER: &str = "(other)";

/// APIM's `Cache` dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CacheOutcome {
    #[default]
    None,
    Hit,
    Miss,
}

impl CacheOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheOutcome::None => "None",
            CacheOutcome::Hit => "Hit",
            CacheOutcome::Miss => "Miss",
        }
    }
}

/// The dimensions of one request series (APIM's names in comments).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RequestDims {
    /// `ApiId`: "" when no API matched.
    pub api_id: Box<str>,
    /// `OperationId`: "" when no operation matched.
    pub operation_id: Box<str>,
    /// `Hostname`: the request's host (without port), folded when unknown.
    pub hostname: Box<str>,
    /// `ResponseCode`: the status sent to the client (0: none was sent).
    pub response_code: u16,
    /// `BackendResponseCode`: 0 when no backend answered.
    pub backend_response_code: u16,
    /// `LastErrorReason`: "None" without an error.
    pub last_error_reason: Box<str>,
    /// `Cache`.
    pub cache: CacheOutcome,
}

impl RequestDims {
    /// `Status`: `Successful` or `Failed` (APIM shows `Successful`).
    pub fn status(&self) -> &'static str {
        if self.last_error_reason.as_ref() == "None" && self.response_code != 0 && self.response_code < 500 {
            "Successful"
        } else {
            "Failed"
        }
    }
}

/// `ResponseCodeCategory`: `2xx`…; `0` has no category (`None`).
pub fn code_category(code: u16) -> &'static str {
    match code / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        5 => "5xx",
        _ => "None",
    }
}

/// A histogram over fixed bounds (ms): `counts[i]` counts values `≤ bounds[i]`
/// and above `bounds[i-1]`; the last count is above every bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    pub counts: Vec<u64>,
    pub sum: f64,
    pub count: u64,
    pub min: f64,
    pub max: f64,
}

impl Histogram {
    pub fn new(bounds: &[f64]) -> Histogram {
        Histogram {
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    pub fn observe(&mut self, bounds: &[f64], v: f64) {
        let v = if v.is_finite() && v >= 0.0 { v } else { 0.0 };
        let i = bounds.partition_point(|b| *b < v);
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.sum += v;
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds `o` (same bounds) into `self`; a histogram of other bounds is ignored.
    pub fn merge(&mut self, o: &Histogram) {
        if o.counts.len() != self.counts.len() {
            return;
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.sum += o.sum;
        self.count += o.count;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// The `q` quantile (0..=1) estimated by linear interpolation inside the
    /// bucket that holds it (Prometheus' `histogram_quantile` rule), clamped
    /// to the observed min and max. `None` when empty.
    pub fn quantile(&self, bounds: &[f64], q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * self.count as f64;
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            if *c == 0 {
                continue;
            }
            if (seen + c) as f64 >= rank {
                let lo = if i == 0 { 0.0 } else { bounds[i - 1] };
                let hi = bounds.get(i).copied().unwrap_or(self.max);
                let within = (rank - seen as f64) / *c as f64;
                let v = lo + (hi - lo) * within;
                return Some(v.clamp(self.min, self.max));
            }
            seen += c;
        }
        Some(self.max)
    }
}

/// One request series' values over an interval.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestAgg {
    /// `Requests`.
    pub requests: u64,
    /// `DurationInMs`: request received → response fully sent.
    pub duration: Histogram,
    /// `BackendDurationInMs`: backend I/O (connect, send, receive).
    pub backend: Histogram,
    /// `ClientDurationInMs`: client I/O (reading the request, writing the response).
    pub client: Histogram,
    /// `GatewayDurationInMs`: the rest (duration − backend − client).
    pub gateway: Histogram,
}

impl RequestAgg {
    pub fn new(bounds: &[f64]) -> RequestAgg {
        RequestAgg {
            requests: 0,
            duration: Histogram::new(bounds),
            backend: Histogram::new(bounds),
            client: Histogram::new(bounds),
            gateway: Histogram::new(bounds),
        }
    }

    pub fn merge(&mut self, o: &RequestAgg) {
        self.requests += o.requests;
        self.duration.merge(&o.duration);
        self.backend.merge(&o.backend);
        self.client.merge(&o.client);
        self.gateway.merge(&o.gateway);
    }
}

/// An `emit-metric` series: namespace, name and dimensions (in policy order).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomKey {
    pub namespace: Box<str>,
    pub name: Box<str>,
    pub dims: Vec<(Box<str>, Box<str>)>,
}

/// An `emit-metric` series' values over an interval (App Insights' aggregate).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomAgg {
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Default for CustomAgg {
    fn default() -> Self {
        CustomAgg {
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl CustomAgg {
    pub fn observe(&mut self, v: f64) {
        self.count += 1;
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn merge(&mut self, o: &CustomAgg) {
        self.count += o.count;
        self.sum += o.sum;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }
}

/// One request's durations kept for StatsD timings (sampled), pointing at
/// its series in the same frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Index into [`Frame::requests`].
    pub series: u32,
    pub duration_ms: f32,
    pub backend_ms: f32,
    pub client_ms: f32,
    pub gateway_ms: f32,
}

/// OpenTelemetry span kinds we produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    Server,
    Client,
    Internal,
}

/// An attribute value of a span or span event.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    Str(Box<str>),
    Int(i64),
    Bool(bool),
    Double(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpanEvent {
    pub time_unix_nanos: u64,
    pub name: Box<str>,
    pub attributes: Vec<(Box<str>, AttrValue)>,
}

/// A finished span, ready for OTLP.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRecord {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    /// `None` for a root span.
    pub parent_span_id: Option<[u8; 8]>,
    /// The W3C `tracestate` received, passed on unchanged.
    pub trace_state: Option<Box<str>>,
    pub name: Box<str>,
    pub kind: SpanKind,
    pub start_unix_nanos: u64,
    pub end_unix_nanos: u64,
    /// OTLP status: `Some(message)` = error.
    pub error: Option<Box<str>>,
    pub attributes: Vec<(Box<str>, AttrValue)>,
    pub events: Vec<SpanEvent>,
}

/// What one worker hands the telemetry thread: everything since its last frame.
#[derive(Clone, Debug)]
pub struct Frame {
    pub worker: usize,
    pub bounds: Arc<[f64]>,
    pub requests: Vec<(RequestDims, RequestAgg)>,
    pub custom: Vec<(CustomKey, CustomAgg)>,
    /// Sampled per-request durations (StatsD timings), bounded per frame.
    pub samples: Vec<Sample>,
    pub spans: Vec<SpanRecord>,
    /// Observations whose dimension values were folded into [`OTHER`].
    pub folded: u64,
    /// Samples and spans dropped because the frame's bound was reached.
    pub dropped: u64,
    /// The worker's buffer pool, when it changed since its last frame.
    pub buffers: Option<BufferGauges>,
}

/// A worker's buffer pool ([`crate::bufpool`]) as self-metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferGauges {
    /// Buffers lent to connections (0 when none is moving bytes).
    pub in_use: u64,
    /// Free buffers the pool keeps.
    pub idle: u64,
    /// Buffers allocated since the worker started.
    pub allocated: u64,
}

impl Frame {
    /// A frame that records nothing (it carries gauges only).
    pub fn empty(worker: usize, bounds: Arc<[f64]>) -> Frame {
        Frame {
            worker,
            bounds,
            requests: Vec::new(),
            custom: Vec::new(),
            samples: Vec::new(),
            spans: Vec::new(),
            folded: 0,
            dropped: 0,
            buffers: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.custom.is_empty() && self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_merge_and_quantiles() {
        let b = [5.0, 10.0, 25.0];
        let mut h = Histogram::new(&b);
        for v in [1.0, 5.0, 6.0, 30.0, f64::NAN] {
            h.observe(&b, v);
        }
        assert_eq!(h.counts, vec![3, 1, 0, 1], "5 is in the ≤5 bucket; NaN counts as 0");
        assert_eq!(h.count, 5);
        let mut g = Histogram::new(&b);
        g.observe(&b, 20.0);
        h.merge(&g);
        assert_eq!(h.counts, vec![3, 1, 1, 1]);
        assert_eq!(h.quantile(&b, 1.0), Some(30.0));
        let median = h.quantile(&b, 0.5).unwrap();
        assert!((0.0..=5.0).contains(&median), "{median}");
        assert_eq!(Histogram::new(&b).quantile(&b, 0.5), None);
        // A histogram of other bounds is not merged.
        let mut other = Histogram::new(&[1.0]);
        other.merge(&h);
        assert_eq!(other.count, 0);
    }

    #[test]
    fn status_and_categories() {
        let mut d = RequestDims {
            api_id: "a".into(),
            operation_id: "".into(),
            hostname: "h".into(),
            response_code: 200,
            backend_response_code: 200,
            last_error_reason: "None".into(),
            cache: CacheOutcome::None,
        };
        assert_eq!(d.status(), "Successful");
        d.response_code = 502;
        assert_eq!(d.status(), "Failed");
        assert_eq!(code_category(404), "4xx");
        assert_eq!(code_category(0), "None");
    }
}
