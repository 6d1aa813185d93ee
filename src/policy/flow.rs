//! Per-request policy state: what the policies of one request have decided
//! so far, recorded as edits over the parsed request and response heads
//! instead of rebuilt messages (nothing is re-parsed; the heads are written
//! once, with the edits applied, by `proxy::upstream_head`).
//!
//! Invariants: a [`Flow`] borrows names and literal values from the compiled
//! program (`'p`), so a literal `set-header` copies nothing; header and query
//! edits are ordered operations replayed in order (a later `Remove` hides an
//! earlier `Add` of the same name); empty collections never allocate.

use std::borrow::Cow;

use super::expr::Value;
use super::failure::LastError;

/// One ordered header (or query parameter) edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldOp<'p> {
    /// Remove every field with this name (ASCII case-insensitive for
    /// headers, exact for query parameters) present at this point.
    Remove(&'p str),
    /// Add one field. The name is borrowed from the program, or owned when
    /// it comes from a message (a materialised backend response, a stored
    /// `IResponse`).
    Add(Cow<'p, str>, Cow<'p, str>),
}

/// An ordered list of field edits over an original list of fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldEdits<'p> {
    pub ops: Vec<FieldOp<'p>>,
}

impl<'p> FieldEdits<'p> {
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub fn remove(&mut self, name: &'p str) {
        self.ops.push(FieldOp::Remove(name));
    }

    pub fn add(&mut self, name: &'p str, value: Cow<'p, str>) {
        self.ops.push(FieldOp::Add(Cow::Borrowed(name), value));
    }

    /// Adds a field whose name is not the program's (a message's header).
    pub fn add_owned(&mut self, name: String, value: String) {
        self.ops.push(FieldOp::Add(Cow::Owned(name), Cow::Owned(value)));
    }

    /// Whether an original field named `name` survives the edits.
    pub fn keeps_original(&self, name: &[u8], eq: fn(&[u8], &[u8]) -> bool) -> bool {
        !self
            .ops
            .iter()
            .any(|op| matches!(op, FieldOp::Remove(n) if eq(n.as_bytes(), name)))
    }

    /// The added fields that survive, in order.
    pub fn added(&self, eq: fn(&[u8], &[u8]) -> bool) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.ops.iter().enumerate().filter_map(move |(i, op)| match op {
            FieldOp::Add(n, v) => {
                let removed_later = self.ops[i + 1..]
                    .iter()
                    .any(|later| matches!(later, FieldOp::Remove(r) if eq(r.as_bytes(), n.as_bytes())));
                (!removed_later).then_some((n.as_ref(), v.as_ref()))
            }
            FieldOp::Remove(_) => None,
        })
    }

    /// The current value of `name` given its original values: the last
    /// surviving added value, else the first original one if not removed.
    pub fn current<'a>(
        &'a self,
        name: &str,
        eq: fn(&[u8], &[u8]) -> bool,
        original: impl FnOnce() -> Option<&'a str>,
    ) -> Option<&'a str> {
        for op in self.ops.iter().rev() {
            match op {
                FieldOp::Add(n, v) if eq(n.as_bytes(), name.as_bytes()) => return Some(v.as_ref()),
                FieldOp::Remove(n) if eq(n.as_bytes(), name.as_bytes()) => return None,
                _ => {}
            }
        }
        original()
    }
}

/// Header names compare ASCII case-insensitively.
pub fn header_eq(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Query parameter names compare exactly.
pub fn query_eq(a: &[u8], b: &[u8]) -> bool {
    a == b
}

/// Edits to the request on its way to the backend.
#[derive(Clone, Debug, Default)]
pub struct RequestEdits<'p> {
    pub method: Option<http::Method>,
    /// `rewrite-uri`: the new backend-relative path (after the service URL's
    /// base path) and query, replacing the request's.
    pub path: Option<String>,
    pub query: Option<String>,
    pub query_ops: FieldEdits<'p>,
    pub headers: FieldEdits<'p>,
    /// `set-backend-service`: index into `Replica::targets`.
    pub backend: Option<usize>,
    /// `authentication-certificate`: index into the replica's certificate
    /// store of the certificate presented to an `https://` backend.
    pub client_cert: Option<usize>,
    /// A replacement body (`set-body` in inbound).
    pub body: Option<Vec<u8>>,
}

impl RequestEdits<'_> {
    /// True when forwarding can copy the request head exactly as received.
    pub fn is_empty(&self) -> bool {
        self.method.is_none()
            && self.path.is_none()
            && self.query.is_none()
            && self.query_ops.is_empty()
            && self.headers.is_empty()
            && self.body.is_none()
    }
}

/// Edits to the response on its way to the client. When `synthetic` the
/// response is built from the edits alone (no backend response).
#[derive(Clone, Debug, Default)]
pub struct ResponseEdits<'p> {
    pub synthetic: bool,
    pub status: Option<u16>,
    pub reason: Option<Cow<'p, str>>,
    pub headers: FieldEdits<'p>,
    pub body: Option<Vec<u8>>,
}

impl<'p> ResponseEdits<'p> {
    /// A new gateway-made response replacing whatever came before.
    pub fn synthetic(status: u16) -> Self {
        ResponseEdits {
            synthetic: true,
            status: Some(status),
            ..Default::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.synthetic
            && self.status.is_none()
            && self.reason.is_none()
            && self.headers.is_empty()
            && self.body.is_none()
    }
}

/// The state the policies of one request share.
#[derive(Debug, Default)]
pub struct Flow<'p> {
    pub request: RequestEdits<'p>,
    pub response: ResponseEdits<'p>,
    /// `context.Variables`, in insertion order (few per request: linear scan).
    pub vars: Vec<(Cow<'p, str>, Value<'static>)>,
    /// `context.LastError` while `on-error` runs.
    pub last_error: Option<LastError>,
    /// The buffered request body, when a policy needs it.
    pub request_body: Option<Vec<u8>>,
    /// The buffered response body, when an outbound policy needs it.
    pub response_body: Option<Vec<u8>>,
    /// Set when a step answered (`return-response`, a rejection): the rest
    /// of the pipeline is skipped and `response` is sent as is.
    pub answered: bool,
    /// Attempt counters of the `retry` loops, by slot.
    pub attempts: Vec<u32>,
    /// Extra headers for the error response of the failure being raised
    /// (a rate limit's `Retry-After` under its configured name).
    pub error_headers: Vec<(&'p str, String)>,
    /// `limit-concurrency` slots held, by element id (see
    /// `policy::limit_concurrency` for when they are given back).
    pub permits: Vec<(usize, super::limits::Permit)>,
    /// Limit counting left for after the response (`policy::limit_after`).
    pub after: Vec<super::limit_after::Deferred<'p>>,
    /// What `cache-lookup` decided (its key for `cache-store`; whether the
    /// request was answered from the cache).
    pub cache: Option<Box<super::cache_lookup::Lookup>>,
}

impl<'p> Flow<'p> {
    pub fn var(&self, name: &str) -> Option<&Value<'static>> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn set_attempt(&mut self, slot: usize, n: u32) {
        if self.attempts.len() <= slot {
            self.attempts.resize(slot + 1, 0);
        }
        self.attempts[slot] = n;
    }

    pub fn attempt(&self, slot: usize) -> u32 {
        self.attempts.get(slot).copied().unwrap_or(0)
    }

    pub fn set_var(&mut self, name: Cow<'p, str>, value: Value<'static>) {
        match self.vars.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.vars.push((name, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_remove_hides_earlier_add_and_originals() {
        let mut e = FieldEdits::default();
        e.add("X-A", "1".into());
        e.add("x-b", "2".into());
        e.remove("X-A");
        e.add("x-a", "3".into());
        let added: Vec<_> = e.added(header_eq).collect();
        assert_eq!(added, vec![("x-b", "2"), ("x-a", "3")]);
        assert!(!e.keeps_original(b"x-A", header_eq));
        assert!(e.keeps_original(b"x-c", header_eq));
        assert_eq!(e.current("X-a", header_eq, || Some("orig")), Some("3"));
        assert_eq!(e.current("x-c", header_eq, || Some("orig")), Some("orig"));
        e.remove("x-b");
        assert_eq!(e.current("X-B", header_eq, || Some("orig")), None);
    }

    #[test]
    fn query_names_are_case_sensitive() {
        let mut e = FieldEdits::default();
        e.remove("q");
        assert!(e.keeps_original(b"Q", query_eq));
        assert!(!e.keeps_original(b"q", query_eq));
    }
}
