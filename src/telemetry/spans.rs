//! The gateway's spans and the W3C trace context it sends on: one
//! [`Tracer`] per worker (settings, sampling, identifiers), one
//! [`RequestTrace`] per request (its trace, its server span, the client
//! spans of its backend calls, the `trace` policy's events).
//!
//! Model (see docs/telemetry.md, "Traces"):
//! - with `observability.tracecontext.enabled` (default) a valid incoming
//!   `traceparent` continues the caller's trace; an absent or invalid one
//!   starts a new trace (random ids); `tracestate` is passed on when valid.
//!   With it off, incoming headers are ignored (and forwarded untouched).
//! - sampling is parent-based: a caller's `sampled` flag decides; a new
//!   trace is sampled when its trace-id's random part (its right 7 bytes)
//!   falls under `observability.opentelemetry.traces.sampling`, so every
//!   gateway instance decides the same for one trace.
//! - a sampled trace is *recorded* when spans are exported: a server span
//!   for the request (child of the caller's span), a client span per
//!   backend call and per `send-request` (children of the server span),
//!   each backend receiving its client span as parent; otherwise nothing is
//!   recorded and the backend receives the caller's `traceparent` unchanged
//!   (normalised to version 00) or the generated one.
//!
//! Invariants: nothing here allocates for a request that is not recorded,
//! beyond a valid `tracestate` it passes on; a recorded request holds at
//! most [`MAX_EVENTS`] events and [`MAX_CHILDREN`] client spans, and
//! attribute values of at most [`MAX_ATTR_LEN`] bytes; ids never repeat
//! across instances (a generator seeded from the OS per worker); no
//! attribute carries a header value, a query string or a key.

use super::model::{AttrValue, SpanEvent, SpanKind, SpanRecord};
use super::recorder::Recorder;
use super::trace_context::{parse_tracestate, TraceParent, FLAG_RANDOM, FLAG_SAMPLED};
use crate::settings::TelemetrySettings;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::cell::RefCell;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Events (the `trace` policy's) kept per request span.
pub const MAX_EVENTS: usize = 128;
/// Client spans (backend calls, `send-request`s) kept per request.
pub const MAX_CHILDREN: usize = 128;
/// Longest attribute value or event name, in bytes (cut at a character).
pub const MAX_ATTR_LEN: usize = 1024;

/// The `traceparent` fields a request carried.
#[derive(Clone, Copy, Debug)]
pub enum Incoming<'a> {
    Absent,
    One(&'a [u8]),
    /// More than one field: invalid (a new trace starts).
    Several,
}

/// A worker's trace settings and identifier generator.
pub struct Tracer {
    propagate: bool,
    record: bool,
    /// A new trace is sampled when its 56 random bits are below this.
    threshold: u64,
    rng: RefCell<StdRng>,
}

const RANDOM_BITS: u32 = 56;

impl Tracer {
    /// `None` when the gateway neither propagates trace context nor
    /// records spans; `exporting`: a span exporter is running.
    pub fn new(t: &TelemetrySettings, exporting: bool) -> Option<Tracer> {
        let record = t.traces_enabled && exporting;
        (t.trace_context || record).then(|| Tracer {
            propagate: t.trace_context,
            record,
            threshold: (t.traces_sampling.clamp(0.0, 1.0) * (1u64 << RANDOM_BITS) as f64) as u64,
            rng: RefCell::new(StdRng::from_entropy()),
        })
    }

    pub fn propagates(&self) -> bool {
        self.propagate
    }

    pub fn records(&self) -> bool {
        self.record
    }

    fn trace_id(&self) -> [u8; 16] {
        let mut id = [0u8; 16];
        while id == [0; 16] {
            self.rng.borrow_mut().fill_bytes(&mut id);
        }
        id
    }

    /// A new span id (never all zero).
    pub fn span_id(&self) -> [u8; 8] {
        loop {
            let id = self.rng.borrow_mut().next_u64().to_be_bytes();
            if id != [0; 8] {
                return id;
            }
        }
    }

    /// Whether a trace this gateway starts is sampled (its right 7 bytes
    /// against the ratio, as W3C Level 2's random part).
    pub fn sampled_by_ratio(&self, trace_id: &[u8; 16]) -> bool {
        let mut low = [0u8; 8];
        low[1..].copy_from_slice(&trace_id[9..]);
        u64::from_be_bytes(low) < self.threshold
    }

    /// The trace of a request whose first byte arrived at `started`.
    pub fn start<'a>(
        &self,
        traceparent: Incoming<'_>,
        tracestate: impl IntoIterator<Item = &'a [u8]>,
        started: Instant,
    ) -> RequestTrace {
        let parent = match traceparent {
            Incoming::One(v) if self.propagate => TraceParent::parse(v).ok(),
            _ => None,
        };
        let (trace_id, remote_parent, flags) = match parent {
            Some(p) => (p.trace_id, Some(p.parent_id), p.flags & (FLAG_SAMPLED | FLAG_RANDOM)),
            None => {
                let id = self.trace_id();
                (id, None, if self.sampled_by_ratio(&id) { FLAG_SAMPLED } else { 0 })
            }
        };
        let recording = self.record && flags & FLAG_SAMPLED != 0;
        let span_id = match remote_parent {
            // Not recorded: the caller's span stays the backend's parent.
            Some(p) if !recording => p,
            _ => self.span_id(),
        };
        let tracestate = if remote_parent.is_some() {
            parse_tracestate(tracestate).map(String::into_boxed_str)
        } else {
            None
        };
        RequestTrace {
            trace_id,
            span_id,
            remote_parent,
            flags,
            recording,
            propagate: self.propagate,
            tracestate,
            start_unix_nanos: if recording { unix_nanos_at(started) } else { 0 },
            events: RefCell::new(Vec::new()),
            call: RefCell::new(None),
            children: RefCell::new(Vec::new()),
        }
    }
}

fn now_unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The wall-clock time of `at` (an instant in the past).
fn unix_nanos_at(at: Instant) -> u64 {
    let ago = u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX);
    now_unix_nanos().saturating_sub(ago)
}

/// `s` cut to at most [`MAX_ATTR_LEN`] bytes, at a character boundary.
fn bounded(s: &str) -> Box<str> {
    if s.len() <= MAX_ATTR_LEN {
        return s.into();
    }
    let mut end = MAX_ATTR_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].into()
}

fn attr_str(k: &str, v: &str) -> (Box<str>, AttrValue) {
    (k.into(), AttrValue::Str(bounded(v)))
}

fn attr_int(k: &str, v: i64) -> (Box<str>, AttrValue) {
    (k.into(), AttrValue::Int(v))
}

/// OTel's `http.request.method`: a known method, or `_OTHER` (the name
/// then reads `HTTP`, the original goes to `http.request.method_original`).
fn method_attrs(method: &str, attrs: &mut Vec<(Box<str>, AttrValue)>) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    match KNOWN.iter().find(|m| **m == method) {
        Some(m) => {
            attrs.push(attr_str("http.request.method", m));
            m
        }
        None => {
            attrs.push(attr_str("http.request.method", "_OTHER"));
            attrs.push(attr_str("http.request.method_original", method));
            "HTTP"
        }
    }
}

/// A call to a backend or a `send-request` target, as a client span sees it.
#[derive(Clone, Copy, Debug)]
pub struct CallInfo<'a> {
    pub method: &'a str,
    /// `http` / `https`.
    pub scheme: &'a str,
    pub host: &'a str,
    pub port: u16,
    /// The request path sent (no query: it may carry a key).
    pub path: &'a str,
}

/// The finished request, as its server span describes it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServerFacts<'a> {
    pub method: &'a str,
    /// Request path as received (no query).
    pub path: &'a str,
    pub scheme: &'a str,
    /// Host name without port ("" when none).
    pub host: &'a str,
    pub port: Option<u16>,
    pub client_address: &'a str,
    /// `1.0` / `1.1`.
    pub protocol_version: &'a str,
    /// The matched API path and operation template (`/orders/{id}`).
    pub route: Option<&'a str>,
    /// 0 when no response was sent.
    pub status: u16,
    pub api_id: &'a str,
    pub operation_id: &'a str,
    pub subscription_id: Option<&'a str>,
    pub product_id: Option<&'a str>,
    /// The failure's reason (`BackendConnectionFailure`…), when the request failed.
    pub error: Option<&'a str>,
}

/// A client span in flight, owned by its caller (`send-request`).
pub struct ChildSpan(Box<SpanRecord>);

/// One request's trace (see the module doc).
pub struct RequestTrace {
    pub trace_id: [u8; 16],
    /// The gateway's request span (or, when not recorded and continuing a
    /// trace, the caller's span, which the backend then sees as parent).
    pub span_id: [u8; 8],
    /// The caller's span, from a valid `traceparent`.
    pub remote_parent: Option<[u8; 8]>,
    /// `sampled` (and `random`, when the caller set it).
    pub flags: u8,
    recording: bool,
    propagate: bool,
    tracestate: Option<Box<str>>,
    start_unix_nanos: u64,
    events: RefCell<Vec<SpanEvent>>,
    /// The backend call in flight (`forward-request`).
    call: RefCell<Option<Box<SpanRecord>>>,
    children: RefCell<Vec<SpanRecord>>,
}

impl RequestTrace {
    /// Whether this request's spans are recorded (sampled and exported).
    pub fn recording(&self) -> bool {
        self.recording
    }

    /// The `tracestate` passed on, when valid.
    pub fn tracestate(&self) -> Option<&str> {
        self.tracestate.as_deref()
    }

    /// The `traceparent` a backend receives with `parent` as its parent
    /// span; `None` when the gateway does not propagate.
    fn outgoing(&self, parent: [u8; 8]) -> Option<TraceParent> {
        self.propagate.then_some(TraceParent {
            trace_id: self.trace_id,
            parent_id: parent,
            flags: self.flags,
        })
    }

    /// The context a call without a client span of its own carries
    /// (`send-one-way-request`): the request span as parent.
    pub fn request_context(&self) -> Option<TraceParent> {
        self.outgoing(self.span_id)
    }

    fn client_span(&self, tracer: &Tracer, call: &CallInfo<'_>) -> Box<SpanRecord> {
        let mut attributes = Vec::with_capacity(6);
        let name = method_attrs(call.method, &mut attributes);
        attributes.push(attr_str("server.address", call.host));
        attributes.push(attr_int("server.port", i64::from(call.port)));
        let full = format!(
            "{}://{}{}",
            call.scheme,
            host_port(call.host, call.port, call.scheme),
            call.path
        );
        attributes.push(attr_str("url.full", &full));
        Box::new(SpanRecord {
            trace_id: self.trace_id,
            span_id: tracer.span_id(),
            parent_span_id: Some(self.span_id),
            trace_state: self.tracestate.clone(),
            name: name.into(),
            kind: SpanKind::Client,
            start_unix_nanos: now_unix_nanos(),
            end_unix_nanos: 0,
            error: None,
            attributes,
            events: Vec::new(),
        })
    }

    /// A backend call (`forward-request`) starts: opens its client span
    /// when recording (closing one left open) and returns the
    /// `traceparent` to send, if any.
    pub fn begin_call(&self, tracer: &Tracer, call: CallInfo<'_>) -> Option<TraceParent> {
        if !self.recording {
            return self.outgoing(self.span_id);
        }
        self.end_call(0, Some("abandoned"));
        let span = self.client_span(tracer, &call);
        let tp = self.outgoing(span.span_id);
        *self.call.borrow_mut() = Some(span);
        tp
    }

    /// The backend call in flight ended: with the backend's status (0: none
    /// came) and the failure's reason, if it failed.
    pub fn end_call(&self, status: u16, error: Option<&str>) {
        if let Some(span) = self.call.borrow_mut().take() {
            self.keep_child(*span, status, error);
        }
    }

    /// A `send-request` call starts: its client span (when recording) and
    /// the `traceparent` to send.
    pub fn begin_child(&self, tracer: &Tracer, call: CallInfo<'_>) -> (Option<ChildSpan>, Option<TraceParent>) {
        if !self.recording {
            return (None, self.outgoing(self.span_id));
        }
        let span = self.client_span(tracer, &call);
        let tp = self.outgoing(span.span_id);
        (Some(ChildSpan(span)), tp)
    }

    /// A `send-request` call ended.
    pub fn end_child(&self, child: Option<ChildSpan>, status: u16, error: Option<&str>) {
        if let Some(ChildSpan(span)) = child {
            self.keep_child(*span, status, error);
        }
    }

    fn keep_child(&self, mut span: SpanRecord, status: u16, error: Option<&str>) {
        span.end_unix_nanos = now_unix_nanos().max(span.start_unix_nanos);
        if status != 0 {
            span.attributes
                .push(attr_int("http.response.status_code", i64::from(status)));
        }
        // Client spans: a 4xx or 5xx answer is an error (OTel HTTP conventions).
        let kind = match error {
            Some(e) => Some(e.to_owned()),
            None if status >= 400 => Some(status.to_string()),
            None => None,
        };
        if let Some(kind) = kind {
            span.attributes.push(attr_str("error.type", &kind));
            span.error = Some(bounded(&kind));
        }
        let mut children = self.children.borrow_mut();
        if children.len() < MAX_CHILDREN {
            children.push(span);
        }
    }

    /// Adds an event to the request span (the `trace` policy), when recording.
    pub fn event(&self, name: &str, attributes: impl FnOnce() -> Vec<(Box<str>, AttrValue)>) {
        if !self.recording {
            return;
        }
        let mut events = self.events.borrow_mut();
        if events.len() < MAX_EVENTS {
            let attributes = attributes()
                .into_iter()
                .map(|(k, v)| match v {
                    AttrValue::Str(s) if s.len() > MAX_ATTR_LEN => (k, AttrValue::Str(bounded(&s))),
                    v => (k, v),
                })
                .collect();
            events.push(SpanEvent {
                time_unix_nanos: now_unix_nanos(),
                name: bounded(name),
                attributes,
            });
        }
    }

    /// The request ended: records its server span and client spans (when
    /// recording) into `recorder`. A backend call still open ends with the
    /// request's error. Call once: it empties the trace.
    pub fn finish(&self, recorder: Option<&Recorder>, f: &ServerFacts<'_>) {
        if !self.recording {
            return;
        }
        let Some(recorder) = recorder else { return };
        self.end_call(0, Some(f.error.unwrap_or("unfinished")));
        let mut attributes = Vec::with_capacity(16);
        let method = method_attrs(f.method, &mut attributes);
        let name = match f.route {
            Some(r) => format!("{method} {r}"),
            None => method.to_owned(),
        };
        attributes.push(attr_str("url.path", f.path));
        attributes.push(attr_str("url.scheme", f.scheme));
        if !f.host.is_empty() {
            attributes.push(attr_str("server.address", f.host));
        }
        if let Some(p) = f.port {
            attributes.push(attr_int("server.port", i64::from(p)));
        }
        attributes.push(attr_str("client.address", f.client_address));
        attributes.push(attr_str("network.protocol.version", f.protocol_version));
        if let Some(r) = f.route {
            attributes.push(attr_str("http.route", r));
        }
        if f.status != 0 {
            attributes.push(attr_int("http.response.status_code", i64::from(f.status)));
        }
        for (k, v) in [("ApiId", f.api_id), ("OperationId", f.operation_id)] {
            if !v.is_empty() {
                attributes.push(attr_str(k, v));
            }
        }
        if let Some(s) = f.subscription_id {
            attributes.push(attr_str("SubscriptionId", s));
        }
        if let Some(p) = f.product_id {
            attributes.push(attr_str("ProductId", p));
        }
        // Server spans: a 5xx answer, or no answer, is an error; a 4xx is the client's.
        let error = if f.status >= 500 || f.status == 0 {
            Some(f.error.map_or_else(|| f.status.to_string(), str::to_owned))
        } else {
            None
        };
        if let Some(e) = &error {
            attributes.push(attr_str("error.type", e));
        }
        let end = now_unix_nanos().max(self.start_unix_nanos);
        for child in self.children.take() {
            recorder.push_span(child);
        }
        recorder.push_span(SpanRecord {
            trace_id: self.trace_id,
            span_id: self.span_id,
            parent_span_id: self.remote_parent,
            trace_state: self.tracestate.clone(),
            name: bounded(&name),
            kind: SpanKind::Server,
            start_unix_nanos: self.start_unix_nanos,
            end_unix_nanos: end,
            error: error.as_deref().map(bounded),
            attributes,
            events: self.events.take(),
        });
    }
}

/// `host[:port]` for a URL (the port left out when it is the scheme's default).
fn host_port(host: &str, port: u16, scheme: &str) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    match (scheme, port) {
        ("http", 80) | ("https", 443) => host,
        _ => format!("{host}:{port}"),
    }
}

#[cfg(test)]
#[path = "spans_tests.rs"]
mod tests;
