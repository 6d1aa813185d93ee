//! Spans for OTLP: [`SpanRecord`]s (built on the workers by tracing, carried
//! in frames) become the official generated `Span`s, buffered until the
//! next batch goes out.
//!
//! Invariants: the buffer holds at most its capacity; spans past it are
//! dropped and counted, never queued without bound; a batch holds at most
//! [`BATCH`] spans; a batch that failed with a retryable error goes back to
//! the front of the buffer (still bounded), one that the collector refused
//! for good is dropped and counted.

use super::super::model::{AttrValue, SpanKind, SpanRecord};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{span, status, ResourceSpans, ScopeSpans, Span, Status};
use std::collections::VecDeque;

/// Spans per export request (OpenTelemetry's default batch size).
pub const BATCH: usize = 512;

/// W3C trace flags of an exported span: it was sampled (only sampled spans
/// are recorded).
const SAMPLED: u32 = 0x01;

fn value(v: &AttrValue) -> AnyValue {
    AnyValue {
        value: Some(match v {
            AttrValue::Str(s) => any_value::Value::StringValue(s.to_string()),
            AttrValue::Int(i) => any_value::Value::IntValue(*i),
            AttrValue::Bool(b) => any_value::Value::BoolValue(*b),
            AttrValue::Double(d) => any_value::Value::DoubleValue(*d),
        }),
    }
}

fn attributes(list: &[(Box<str>, AttrValue)]) -> Vec<KeyValue> {
    list.iter()
        .map(|(k, v)| KeyValue {
            key: k.to_string(),
            value: Some(value(v)),
            ..Default::default()
        })
        .collect()
}

/// One span in OTLP's form.
pub fn to_proto(s: &SpanRecord) -> Span {
    let kind = match s.kind {
        SpanKind::Server => span::SpanKind::Server,
        SpanKind::Client => span::SpanKind::Client,
        SpanKind::Internal => span::SpanKind::Internal,
    };
    let status = match &s.error {
        Some(message) => Status {
            message: message.to_string(),
            code: status::StatusCode::Error as i32,
        },
        None => Status {
            message: String::new(),
            code: status::StatusCode::Unset as i32,
        },
    };
    Span {
        trace_id: s.trace_id.to_vec(),
        span_id: s.span_id.to_vec(),
        trace_state: s.trace_state.as_deref().unwrap_or_default().to_owned(),
        parent_span_id: s.parent_span_id.map(|p| p.to_vec()).unwrap_or_default(),
        flags: SAMPLED,
        name: s.name.to_string(),
        kind: kind as i32,
        start_time_unix_nano: s.start_unix_nanos,
        end_time_unix_nano: s.end_unix_nanos.max(s.start_unix_nanos),
        attributes: attributes(&s.attributes),
        dropped_attributes_count: 0,
        events: s
            .events
            .iter()
            .map(|e| span::Event {
                time_unix_nano: e.time_unix_nanos,
                name: e.name.to_string(),
                attributes: attributes(&e.attributes),
                dropped_attributes_count: 0,
            })
            .collect(),
        dropped_events_count: 0,
        links: Vec::new(),
        dropped_links_count: 0,
        status: Some(status),
    }
}

/// Spans waiting for the next batch, bounded.
#[derive(Debug)]
pub struct Pending {
    spans: VecDeque<Span>,
    capacity: usize,
    /// Spans lost: past the capacity, or refused by the collector for good.
    pub dropped: u64,
}

impl Pending {
    pub fn new(capacity: usize) -> Pending {
        Pending {
            spans: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Adds spans; those that do not fit are dropped and counted.
    pub fn push(&mut self, records: &[SpanRecord]) {
        for r in records {
            if self.spans.len() >= self.capacity {
                self.dropped += 1;
                continue;
            }
            self.spans.push_back(to_proto(r));
        }
    }

    /// Takes up to [`BATCH`] spans (oldest first) as one export request.
    pub fn batch(&mut self, resource: &Resource) -> Option<ExportTraceServiceRequest> {
        if self.spans.is_empty() {
            return None;
        }
        let n = self.spans.len().min(BATCH);
        let spans: Vec<Span> = self.spans.drain(..n).collect();
        Some(ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(resource.clone()),
                scope_spans: vec![ScopeSpans {
                    scope: Some(super::metrics::own_scope()),
                    spans,
                    schema_url: String::new(),
                }],
                schema_url: String::new(),
            }],
        })
    }

    /// Puts a batch that failed retryably back in front (oldest first);
    /// what no longer fits (the newest spans) is dropped and counted.
    pub fn restore(&mut self, mut req: ExportTraceServiceRequest) {
        let spans = req
            .resource_spans
            .iter_mut()
            .flat_map(|r| r.scope_spans.iter_mut())
            .flat_map(|s| std::mem::take(&mut s.spans))
            .collect::<Vec<_>>();
        for s in spans.into_iter().rev() {
            self.spans.push_front(s);
        }
        // Over the capacity: the newest go, as when they arrived full.
        while self.spans.len() > self.capacity {
            self.spans.pop_back();
            self.dropped += 1;
        }
    }

    /// Counts a batch the collector refused for good.
    pub fn lost(&mut self, req: &ExportTraceServiceRequest) {
        self.dropped += count(req) as u64;
    }
}

/// The number of spans in a request.
pub fn count(req: &ExportTraceServiceRequest) -> usize {
    req.resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .map(|s| s.spans.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::super::model::SpanEvent;
    use super::*;

    fn record(n: u8, parent: Option<[u8; 8]>) -> SpanRecord {
        SpanRecord {
            trace_id: [n; 16],
            span_id: [n; 8],
            parent_span_id: parent,
            trace_state: Some("k=v".into()),
            name: "GET /echo".into(),
            kind: SpanKind::Client,
            start_unix_nanos: 10,
            end_unix_nanos: 20,
            error: Some("backend down".into()),
            attributes: vec![
                ("http.response.status_code".into(), AttrValue::Int(502)),
                ("ApiId".into(), AttrValue::Str("echo".into())),
            ],
            events: vec![SpanEvent {
                time_unix_nanos: 15,
                name: "trace".into(),
                attributes: vec![("message".into(), AttrValue::Str("hi".into()))],
            }],
        }
    }

    #[test]
    fn records_map_onto_otlp_spans() {
        let s = to_proto(&record(1, Some([9; 8])));
        assert_eq!(s.trace_id, vec![1; 16]);
        assert_eq!(s.span_id, vec![1; 8]);
        assert_eq!(s.parent_span_id, vec![9; 8]);
        assert_eq!(s.trace_state, "k=v");
        assert_eq!(s.kind, span::SpanKind::Client as i32);
        assert_eq!((s.start_time_unix_nano, s.end_time_unix_nano), (10, 20));
        let st = s.status.unwrap();
        assert_eq!(
            (st.code, st.message.as_str()),
            (status::StatusCode::Error as i32, "backend down")
        );
        assert_eq!(s.attributes[0].key, "http.response.status_code");
        assert_eq!(
            s.attributes[0].value.as_ref().unwrap().value,
            Some(any_value::Value::IntValue(502))
        );
        assert_eq!(s.events[0].name, "trace");
        let root = to_proto(&SpanRecord {
            parent_span_id: None,
            error: None,
            ..record(2, None)
        });
        assert!(root.parent_span_id.is_empty());
        assert_eq!(root.status.unwrap().code, status::StatusCode::Unset as i32);
    }

    #[test]
    fn pending_is_bounded_batched_and_restored_in_order() {
        let mut p = Pending::new(600);
        let recs: Vec<SpanRecord> = (0..700u32).map(|i| record((i % 250) as u8, None)).collect();
        p.push(&recs);
        assert_eq!((p.len(), p.dropped), (600, 100));
        let b = p.batch(&Resource::default()).unwrap();
        assert_eq!(count(&b), BATCH);
        assert_eq!(p.len(), 600 - BATCH);
        p.push(&recs[..10]);
        p.restore(b);
        assert_eq!(p.len(), 600, "restored up to the capacity");
        assert_eq!(p.dropped, 100 + (BATCH + 10 - BATCH) as u64);
        let again = p.batch(&Resource::default()).unwrap();
        let first = &again.resource_spans[0].scope_spans[0].spans[0];
        assert_eq!(first.trace_id, vec![0; 16], "the oldest span goes first again");
        p.lost(&again);
        assert_eq!(p.dropped, 110 + BATCH as u64);
    }
}
