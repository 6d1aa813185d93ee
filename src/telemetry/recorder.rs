//! A worker's own metric and span aggregation: no lock, no atomic, no
//! allocation for a request whose series already exists.
//!
//! Invariants:
//! - lives on one worker thread (`RefCell`s); [`Recorder::take`] empties it
//!   into a [`Frame`] the worker sends to the telemetry thread;
//! - cardinality is bounded per frame: at most `max_series` request series
//!   (and as many custom series) with their own values; beyond that a new
//!   series has its client-influenced values (API, operation, host name, error
//!   reason; custom dimension values) folded into [`OTHER`], and beyond
//!   `max_series + FOLD_SLACK` everything new lands in one overflow series.
//!   Host names are folded sooner: at most [`MAX_HOSTNAMES`] distinct ones per
//!   frame, since any client can send any `Host`. Custom series fold the same
//!   way: past `max_series` their dimension values read [`OTHER`], past
//!   `max_series + FOLD_SLACK` their dimensions are one `(other)=(other)`
//!   (dimension names may come from expressions);
//! - samples (StatsD timings) and spans are bounded per frame
//!   ([`MAX_SAMPLES`], [`MAX_SPANS`]); what does not fit is counted in
//!   `Frame::dropped`.

use super::model::{CacheOutcome, CustomAgg, CustomKey, Frame, RequestAgg, RequestDims, Sample, SpanRecord, OTHER};
use hashbrown::HashTable;
use std::cell::{Cell, RefCell};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

/// Series allowed past `max_series` with folded values.
pub const FOLD_SLACK: usize = 256;
/// Distinct host names per frame before the rest read [`OTHER`].
pub const MAX_HOSTNAMES: usize = 64;
/// StatsD samples per frame.
pub const MAX_SAMPLES: usize = 20_000;
/// Spans per frame.
pub const MAX_SPANS: usize = 20_000;

/// One finished request, as the request path knows it (borrowed).
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts<'a> {
    pub api_id: &'a str,
    pub operation_id: &'a str,
    pub hostname: &'a str,
    pub response_code: u16,
    pub backend_response_code: u16,
    /// "None" without an error.
    pub last_error_reason: &'a str,
    pub cache: CacheOutcome,
    pub duration: Duration,
    pub backend: Duration,
    pub client: Duration,
}

struct DimsRef<'a> {
    api_id: &'a str,
    operation_id: &'a str,
    hostname: &'a str,
    response_code: u16,
    backend_response_code: u16,
    last_error_reason: &'a str,
    cache: CacheOutcome,
}

impl DimsRef<'_> {
    fn hash_with(&self, s: &foldhash::fast::RandomState) -> u64 {
        let mut h = s.build_hasher();
        self.api_id.hash(&mut h);
        self.operation_id.hash(&mut h);
        self.hostname.hash(&mut h);
        self.response_code.hash(&mut h);
        self.backend_response_code.hash(&mut h);
        self.last_error_reason.hash(&mut h);
        self.cache.hash(&mut h);
        h.finish()
    }

    fn matches(&self, d: &RequestDims) -> bool {
        *d.api_id == *self.api_id
            && *d.operation_id == *self.operation_id
            && *d.hostname == *self.hostname
            && d.response_code == self.response_code
            && d.backend_response_code == self.backend_response_code
            && *d.last_error_reason == *self.last_error_reason
            && d.cache == self.cache
    }

    fn owned(&self) -> RequestDims {
        RequestDims {
            api_id: self.api_id.into(),
            operation_id: self.operation_id.into(),
            hostname: self.hostname.into(),
            response_code: self.response_code,
            backend_response_code: self.backend_response_code,
            last_error_reason: self.last_error_reason.into(),
            cache: self.cache,
        }
    }
}

/// How much of a custom series' dimensions is kept (see the module invariants).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// Names and values as given.
    None,
    /// Names kept, values read [`OTHER`].
    Values,
    /// One dimension `(other)=(other)`: names from expressions are bounded too.
    All,
}

impl Fold {
    fn len(self, dims: &[(&str, &str)]) -> usize {
        if self == Fold::All {
            1
        } else {
            dims.len()
        }
    }

    fn dims<'a>(self, dims: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let all = (self == Fold::All).then_some((OTHER, OTHER));
        let each = dims
            .iter()
            .filter(move |_| self != Fold::All)
            .map(move |(k, v)| (*k, if self == Fold::Values { OTHER } else { *v }));
        all.into_iter().chain(each)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What the recorder keeps (see the module invariants).
#[derive(Clone, Copy, Debug)]
pub struct RecorderConfig {
    pub max_series: usize,
    /// 0..=1: share of requests kept as [`Sample`]s; 0 keeps none.
    pub sampling: f64,
}

/// One worker's aggregation.
pub struct Recorder {
    bounds: Arc<[f64]>,
    config: RecorderConfig,
    hasher: foldhash::fast::RandomState,
    /// (hash, index into `series`).
    index: RefCell<HashTable<(u64, u32)>>,
    series: RefCell<Vec<(RequestDims, RequestAgg)>>,
    custom: RefCell<HashTable<(u64, CustomKey, CustomAgg)>>,
    hostnames: RefCell<Vec<Box<str>>>,
    samples: RefCell<Vec<Sample>>,
    spans: RefCell<Vec<SpanRecord>>,
    folded: Cell<u64>,
    dropped: Cell<u64>,
    rng: Cell<u64>,
}

impl Recorder {
    pub fn new(bounds: Arc<[f64]>, config: RecorderConfig) -> Recorder {
        let hasher = foldhash::fast::RandomState::default();
        let seed = hasher.hash_one(std::process::id()) | 1;
        Recorder {
            bounds,
            config,
            hasher,
            index: RefCell::new(HashTable::new()),
            series: RefCell::new(Vec::new()),
            custom: RefCell::new(HashTable::new()),
            hostnames: RefCell::new(Vec::new()),
            samples: RefCell::new(Vec::new()),
            spans: RefCell::new(Vec::new()),
            folded: Cell::new(0),
            dropped: Cell::new(0),
            rng: Cell::new(seed),
        }
    }

    pub fn bounds(&self) -> &Arc<[f64]> {
        &self.bounds
    }

    fn next_random(&self) -> u64 {
        // xorshift64*: cheap, per worker, good enough for sampling.
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A uniform number in `[0, 1)` (sampling decisions).
    pub fn unit_random(&self) -> f64 {
        (self.next_random() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn hostname<'a>(&self, h: &'a str) -> &'a str {
        let mut names = self.hostnames.borrow_mut();
        if names.iter().any(|n| **n == *h) {
            return h;
        }
        if names.len() < MAX_HOSTNAMES {
            names.push(h.into());
            return h;
        }
        OTHER
    }

    /// Counts one finished request.
    pub fn record(&self, f: &RequestFacts<'_>) {
        let mut key = DimsRef {
            api_id: f.api_id,
            operation_id: f.operation_id,
            hostname: self.hostname(f.hostname),
            response_code: f.response_code,
            backend_response_code: f.backend_response_code,
            last_error_reason: f.last_error_reason,
            cache: f.cache,
        };
        if key.hostname == OTHER && f.hostname != OTHER {
            self.folded.set(self.folded.get() + 1);
        }
        let mut index = self.index.borrow_mut();
        let mut series = self.series.borrow_mut();
        let mut hash = key.hash_with(&self.hasher);
        let find = |index: &HashTable<(u64, u32)>, hash: u64, key: &DimsRef<'_>| {
            index
                .find(hash, |(h, i)| {
                    *h == hash && series.get(*i as usize).is_some_and(|(d, _)| key.matches(d))
                })
                .map(|(_, i)| *i)
        };
        let mut at = find(&index, hash, &key);
        if at.is_none() && series.len() >= self.config.max_series {
            self.folded.set(self.folded.get() + 1);
            key.api_id = OTHER;
            key.operation_id = OTHER;
            key.hostname = OTHER;
            key.last_error_reason = OTHER;
            if series.len() >= self.config.max_series + FOLD_SLACK {
                key.response_code = 0;
                key.backend_response_code = 0;
                key.cache = CacheOutcome::None;
            }
            hash = key.hash_with(&self.hasher);
            at = find(&index, hash, &key);
        }
        let bounds = &self.bounds;
        let at = match at {
            Some(i) => i as usize,
            None => {
                let i = series.len();
                series.push((key.owned(), RequestAgg::new(bounds)));
                index.insert_unique(hash, (hash, u32::try_from(i).unwrap_or(u32::MAX)), |e| e.0);
                i
            }
        };
        let Some((_, agg)) = series.get_mut(at) else { return };
        let (total, backend, client) = (ms(f.duration), ms(f.backend), ms(f.client));
        let gateway = (total - backend - client).max(0.0);
        agg.requests += 1;
        agg.duration.observe(bounds, total);
        agg.backend.observe(bounds, backend);
        agg.client.observe(bounds, client);
        agg.gateway.observe(bounds, gateway);
        if self.config.sampling > 0.0 && (self.config.sampling >= 1.0 || self.unit_random() < self.config.sampling) {
            let mut samples = self.samples.borrow_mut();
            if samples.len() < MAX_SAMPLES {
                samples.push(Sample {
                    series: u32::try_from(at).unwrap_or(u32::MAX),
                    duration_ms: total as f32,
                    backend_ms: backend as f32,
                    client_ms: client as f32,
                    gateway_ms: gateway as f32,
                });
            } else {
                self.dropped.set(self.dropped.get() + 1);
            }
        }
    }

    /// Counts one `emit-metric` value.
    pub fn emit(&self, namespace: &str, name: &str, dims: &[(&str, &str)], value: f64) {
        let mut table = self.custom.borrow_mut();
        let hash_of = |fold: Fold| {
            let mut h = self.hasher.build_hasher();
            namespace.hash(&mut h);
            name.hash(&mut h);
            for (k, v) in fold.dims(dims) {
                k.hash(&mut h);
                v.hash(&mut h);
            }
            h.finish()
        };
        let same = |k: &CustomKey, fold: Fold| {
            *k.namespace == *namespace
                && *k.name == *name
                && k.dims.len() == fold.len(dims)
                && k.dims
                    .iter()
                    .zip(fold.dims(dims))
                    .all(|((a, b), (c, d))| **a == *c && **b == *d)
        };
        let mut fold = Fold::None;
        let mut hash = hash_of(fold);
        if table.find(hash, |(_, k, _)| same(k, fold)).is_none() && table.len() >= self.config.max_series {
            self.folded.set(self.folded.get() + 1);
            fold = if table.len() >= self.config.max_series + FOLD_SLACK {
                Fold::All
            } else {
                Fold::Values
            };
            hash = hash_of(fold);
        }
        let entry = match table.find_mut(hash, |(_, k, _)| same(k, fold)) {
            Some(e) => e,
            None => {
                let key = CustomKey {
                    namespace: namespace.into(),
                    name: name.into(),
                    dims: fold.dims(dims).map(|(k, v)| (k.into(), v.into())).collect(),
                };
                table
                    .insert_unique(hash, (hash, key, CustomAgg::default()), |e| e.0)
                    .into_mut()
            }
        };
        entry.2.observe(value);
    }

    /// Keeps a finished span for export (bounded per frame).
    pub fn push_span(&self, span: SpanRecord) {
        let mut spans = self.spans.borrow_mut();
        if spans.len() < MAX_SPANS {
            spans.push(span);
        } else {
            self.dropped.set(self.dropped.get() + 1);
        }
    }

    /// Everything since the last call, or `None` when nothing happened.
    pub fn take(&self, worker: usize) -> Option<Frame> {
        self.index.borrow_mut().clear();
        let requests = std::mem::take(&mut *self.series.borrow_mut());
        let custom = std::mem::take(&mut *self.custom.borrow_mut())
            .into_iter()
            .map(|(_, k, a)| (k, a))
            .collect();
        self.hostnames.borrow_mut().clear();
        let frame = Frame {
            worker,
            bounds: self.bounds.clone(),
            requests,
            custom,
            samples: std::mem::take(&mut *self.samples.borrow_mut()),
            spans: std::mem::take(&mut *self.spans.borrow_mut()),
            folded: self.folded.replace(0),
            dropped: self.dropped.replace(0),
            buffers: None,
        };
        (!frame.is_empty() || frame.folded > 0 || frame.dropped > 0).then_some(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(api: &'a str, host: &'a str, code: u16) -> RequestFacts<'a> {
        RequestFacts {
            api_id: api,
            operation_id: "op",
            hostname: host,
            response_code: code,
            backend_response_code: code,
            last_error_reason: "None",
            cache: CacheOutcome::None,
            duration: Duration::from_millis(12),
            backend: Duration::from_millis(7),
            client: Duration::from_millis(1),
        }
    }

    fn recorder(max_series: usize, sampling: f64) -> Recorder {
        Recorder::new(
            Arc::from(vec![5.0, 10.0, 25.0]),
            RecorderConfig { max_series, sampling },
        )
    }

    #[test]
    fn requests_aggregate_per_series_and_take_empties() {
        let r = recorder(100, 1.0);
        for _ in 0..3 {
            r.record(&facts("echo", "localhost", 200));
        }
        r.record(&facts("echo", "localhost", 404));
        let f = r.take(1).unwrap();
        assert_eq!(f.worker, 1);
        assert_eq!(f.requests.len(), 2);
        let (d, a) = &f.requests[0];
        assert_eq!((&*d.api_id, d.response_code, a.requests), ("echo", 200, 3));
        assert_eq!(a.duration.counts, vec![0, 0, 3, 0]);
        assert_eq!(a.backend.counts, vec![0, 3, 0, 0]);
        assert_eq!(a.gateway.sum, 12.0, "3 × (12 − 7 − 1) ms");
        assert_eq!(f.samples.len(), 4);
        assert_eq!(f.samples[3].series, 1, "the 404 sample points at its series");
        assert!(r.take(1).is_none(), "nothing since the last frame");
    }

    #[test]
    fn series_and_hostnames_are_bounded() {
        let r = recorder(10, 0.0);
        for i in 0..1000 {
            r.record(&facts(&format!("api{i}"), &format!("h{i}"), 200 + (i % 300) as u16));
        }
        let f = r.take(0).unwrap();
        assert!(f.requests.len() <= 10 + FOLD_SLACK + 1, "{}", f.requests.len());
        assert!(f.folded > 900);
        assert_eq!(
            f.requests.iter().map(|(_, a)| a.requests).sum::<u64>(),
            1000,
            "nothing is lost"
        );
        assert!(f.samples.is_empty());
        let r = recorder(10_000, 0.0);
        for i in 0..200 {
            r.record(&facts("a", &format!("h{i}"), 200));
        }
        let f = r.take(0).unwrap();
        assert_eq!(f.requests.len(), MAX_HOSTNAMES + 1);
        assert!(f.requests.iter().any(|(d, _)| &*d.hostname == OTHER));
    }

    #[test]
    fn custom_metrics_aggregate_and_fold() {
        let r = recorder(2, 0.0);
        r.emit("ns", "calls", &[("Client", "a")], 1.0);
        r.emit("ns", "calls", &[("Client", "a")], 2.0);
        r.emit("ns", "calls", &[("Client", "b")], 1.0);
        r.emit("ns", "calls", &[("Client", "c")], 1.0);
        r.emit("ns", "calls", &[("Client", "d")], 1.0);
        let f = r.take(0).unwrap();
        let mut c = f.custom.clone();
        c.sort_by(|a, b| a.0.dims.cmp(&b.0.dims));
        assert_eq!(c.len(), 3);
        assert_eq!(&*c[0].0.dims[0].1, OTHER);
        assert_eq!(c[0].1.count, 2);
        assert_eq!((c[1].1.count, c[1].1.sum), (2, 3.0));
        assert_eq!(f.folded, 2);
    }

    #[test]
    fn custom_dimension_names_fold_past_the_slack() {
        let r = recorder(1, 0.0);
        let n = FOLD_SLACK + 50;
        for i in 0..n {
            let name = format!("n{i}");
            r.emit("ns", "m", &[(&name, "v")], 1.0);
        }
        let f = r.take(0).unwrap();
        assert!(f.custom.len() <= FOLD_SLACK + 2, "{}", f.custom.len());
        let all: Vec<(Box<str>, Box<str>)> = vec![(OTHER.into(), OTHER.into())];
        assert!(f.custom.iter().any(|(k, _)| k.dims == all));
        assert_eq!(f.custom.iter().map(|(_, a)| a.count).sum::<u64>(), n as u64);
        assert_eq!(f.folded, n as u64 - 1);
    }
}
