//! Metrics for the management plane (`telemetry.metrics.cloud`): a sink that
//! rolls the workers' frames into one-minute buckets per (minute, API id,
//! response-code class) — requests, failed requests, and the total and
//! backend duration histograms — and hands them to the heartbeat thread
//! (`sync`), which sends what accumulated since the last acknowledged
//! heartbeat as a [`Report`].
//!
//! Delivery: pending buckets are sealed into numbered [`Batch`]es when a
//! heartbeat takes a report; a batch stays until a heartbeat carrying it
//! is acknowledged (2xx), and is sent again after a failed one. Sequence
//! numbers rise per process, so the management plane applies each batch of
//! an instance once even when an acknowledgement was lost.
//!
//! Invariants (memory is bounded whatever the management plane does):
//! - at most [`MAX_KEYS_PER_MINUTE`] buckets per minute: past that, new API
//!   ids of that minute fold into [`OTHER`] (API ids come from the
//!   configuration, but the recorder may already have folded some);
//! - at most [`MAX_BUCKETS`] buckets pending and unacknowledged together: past
//!   that, the oldest batch (else the oldest minute) is dropped; the
//!   requests dropped are counted and the loss is logged once per outage;
//! - a report carries at most [`MAX_BUCKETS_PER_REPORT`] buckets (a
//!   backlog drains over several heartbeats).
//!
//! Minutes are those of the sink's clock when a frame arrives (workers hand
//! frames over every second, so a request is counted in the minute it
//! ended, give or take a second). Nothing here runs on a worker.

use super::hub::SinkQueue;
use super::model::{code_category, Frame, Histogram, OTHER};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Distinct (API id, class) buckets per minute before API ids fold.
pub const MAX_KEYS_PER_MINUTE: usize = 1_000;
/// Buckets kept, pending and unacknowledged (≈ 300 bytes each).
pub const MAX_BUCKETS: usize = 10_000;
/// Buckets in one sealed batch.
pub const MAX_BUCKETS_PER_BATCH: usize = 1_000;
/// Buckets in one heartbeat.
pub const MAX_BUCKETS_PER_REPORT: usize = 2_000;

/// What a heartbeat carries (`metrics` field of `POST /gateway/heartbeat`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub batches: Vec<Batch>,
}

/// Buckets sealed together, numbered per gateway process (from 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub seq: u64,
    /// The histograms' upper bounds in ms (the gateway's
    /// `observability.opentelemetry.histogram.buckets`); the last count of
    /// a histogram is above every bound.
    pub bounds: Vec<f64>,
    pub buckets: Vec<Bucket>,
}

/// One (minute, API, response-code class) bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    /// Start of the minute, seconds since the Unix epoch (a multiple of 60).
    pub time: u64,
    /// "" when no API matched, `(other)` when folded.
    pub api_id: String,
    /// `1xx`…`5xx`, or `None` when no response was sent.
    pub class: String,
    pub requests: u64,
    /// Requests whose `Status` is `Failed` (5xx, no response, or an error).
    pub errors: u64,
    /// `DurationInMs`.
    pub duration: WireHistogram,
    /// `BackendDurationInMs`.
    pub backend: WireHistogram,
}

/// A histogram on the batch's bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireHistogram {
    pub counts: Vec<u64>,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl WireHistogram {
    fn from(h: &Histogram) -> WireHistogram {
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        WireHistogram {
            counts: h.counts.clone(),
            sum: finite(h.sum),
            min: finite(h.min),
            max: finite(h.max),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    minute: u64,
    api_id: Box<str>,
    class: &'static str,
}

#[derive(Clone, Debug)]
struct Agg {
    requests: u64,
    errors: u64,
    duration: Histogram,
    backend: Histogram,
}

/// The buckets of one gateway process: filled by the sink thread, taken and
/// acknowledged by the heartbeat thread.
#[derive(Debug)]
pub struct Rollup {
    bounds: Arc<[f64]>,
    pending: BTreeMap<Key, Agg>,
    per_minute: HashMap<u64, usize>,
    /// Sealed, sent or not yet, not acknowledged; oldest first.
    unacked: VecDeque<Batch>,
    unacked_buckets: usize,
    next_seq: u64,
    /// Requests dropped at the bound since start.
    pub dropped_requests: u64,
    overflowing: bool,
}

/// The rollup shared by the sink thread and the heartbeat thread.
pub type SharedRollup = Arc<Mutex<Rollup>>;

/// Locks the rollup, recovering from a poisoned mutex.
pub fn lock(r: &SharedRollup) -> MutexGuard<'_, Rollup> {
    r.lock().unwrap_or_else(|e| e.into_inner())
}

impl Rollup {
    pub fn new(bounds: Arc<[f64]>) -> Rollup {
        Rollup {
            bounds,
            pending: BTreeMap::new(),
            per_minute: HashMap::new(),
            unacked: VecDeque::new(),
            unacked_buckets: 0,
            next_seq: 1,
            dropped_requests: 0,
            overflowing: false,
        }
    }

    /// Buckets held (pending and unacknowledged).
    pub fn buckets(&self) -> usize {
        self.pending.len() + self.unacked_buckets
    }

    /// Adds a frame's request series to the minute of `now` (Unix seconds).
    pub fn add(&mut self, f: &Frame, now: u64) {
        let minute = now - now % 60;
        for (d, a) in &f.requests {
            if a.requests == 0 {
                continue;
            }
            let class = code_category(d.response_code);
            let mut key = Key {
                minute,
                api_id: d.api_id.clone(),
                class,
            };
            if !self.pending.contains_key(&key) {
                let n = self.per_minute.entry(minute).or_default();
                if *n >= MAX_KEYS_PER_MINUTE {
                    key.api_id = OTHER.into();
                }
                if !self.pending.contains_key(&key) {
                    *n += 1;
                }
            }
            let bounds = &self.bounds;
            let agg = self.pending.entry(key).or_insert_with(|| Agg {
                requests: 0,
                errors: 0,
                duration: Histogram::new(bounds),
                backend: Histogram::new(bounds),
            });
            agg.requests += a.requests;
            if d.status() == "Failed" {
                agg.errors += a.requests;
            }
            agg.duration.merge(&a.duration);
            agg.backend.merge(&a.backend);
        }
        self.enforce_bound();
    }

    /// Drops the oldest data until at most [`MAX_BUCKETS`] are held.
    fn enforce_bound(&mut self) {
        while self.buckets() > MAX_BUCKETS {
            let lost = if let Some(b) = self.unacked.pop_front() {
                self.unacked_buckets -= b.buckets.len();
                b.buckets.iter().map(|b| b.requests).sum::<u64>()
            } else if let Some((k, a)) = self.pending.pop_first() {
                if let Some(n) = self.per_minute.get_mut(&k.minute) {
                    *n = n.saturating_sub(1);
                }
                a.requests
            } else {
                break;
            };
            self.dropped_requests += lost;
            if !std::mem::replace(&mut self.overflowing, true) {
                tracing::warn!(
                    kept = MAX_BUCKETS,
                    "metrics for the management plane are not being acknowledged; dropping the oldest minutes"
                );
            }
        }
    }

    /// Seals what is pending into batches.
    fn seal(&mut self) {
        self.per_minute.clear();
        let bounds: Vec<f64> = self.bounds.to_vec();
        let mut batch: Vec<Bucket> = Vec::new();
        for (k, a) in std::mem::take(&mut self.pending) {
            batch.push(Bucket {
                time: k.minute,
                api_id: k.api_id.into(),
                class: k.class.into(),
                requests: a.requests,
                errors: a.errors,
                duration: WireHistogram::from(&a.duration),
                backend: WireHistogram::from(&a.backend),
            });
            if batch.len() == MAX_BUCKETS_PER_BATCH {
                self.push_batch(bounds.clone(), std::mem::take(&mut batch));
            }
        }
        if !batch.is_empty() {
            self.push_batch(bounds, batch);
        }
    }

    fn push_batch(&mut self, bounds: Vec<f64>, buckets: Vec<Bucket>) {
        self.unacked_buckets += buckets.len();
        self.unacked.push_back(Batch {
            seq: self.next_seq,
            bounds,
            buckets,
        });
        self.next_seq += 1;
    }

    /// What the next heartbeat carries: the oldest unacknowledged batches,
    /// after sealing what is pending; `None` when there is nothing.
    pub fn report(&mut self) -> Option<Report> {
        self.seal();
        let mut batches = Vec::new();
        let mut n = 0;
        for b in &self.unacked {
            if n > 0 && n + b.buckets.len() > MAX_BUCKETS_PER_REPORT {
                break;
            }
            n += b.buckets.len();
            batches.push(b.clone());
        }
        (!batches.is_empty()).then_some(Report { batches })
    }

    /// The management plane took `r`: its batches are forgotten.
    pub fn acknowledge(&mut self, r: &Report) {
        let Some(last) = r.batches.last().map(|b| b.seq) else {
            return;
        };
        while self.unacked.front().is_some_and(|b| b.seq <= last) {
            if let Some(b) = self.unacked.pop_front() {
                self.unacked_buckets -= b.buckets.len();
            }
        }
        if std::mem::take(&mut self.overflowing) {
            tracing::info!(
                dropped_requests = self.dropped_requests,
                "metrics for the management plane are acknowledged again"
            );
        }
    }

    /// The management plane refused `r` as invalid (4xx other than an
    /// authentication failure): sending it again would fail again, so its
    /// batches are dropped (counted) and heartbeats go on without them.
    pub fn refused(&mut self, r: &Report) {
        let before: u64 = self.unacked.iter().flat_map(|b| &b.buckets).map(|b| b.requests).sum();
        self.acknowledge(r);
        let after: u64 = self.unacked.iter().flat_map(|b| &b.buckets).map(|b| b.requests).sum();
        self.dropped_requests += before - after;
        tracing::warn!(
            batches = r.batches.len(),
            "the management plane refused a metrics report; its minutes are dropped"
        );
    }

    /// Whether unacknowledged batches remain beyond what one report holds.
    pub fn backlog(&self) -> bool {
        self.unacked_buckets > 0
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Starts the sink thread (`outpost-rollup`) fed by the hub; the returned
/// rollup is what the heartbeat thread reads.
pub fn spawn(bounds: Arc<[f64]>, capacity: usize) -> std::io::Result<(SinkQueue, SharedRollup)> {
    let rollup = Arc::new(Mutex::new(Rollup::new(bounds)));
    let r = rollup.clone();
    let queue = SinkQueue::spawn("rollup", capacity, move |rx| {
        for frame in rx {
            lock(&r).add(&frame, unix_now());
        }
    })?;
    Ok((queue, rollup))
}

#[cfg(test)]
mod tests {
    use super::super::model::{CacheOutcome, RequestAgg, RequestDims};
    use super::*;

    const T0: u64 = 1_700_000_040; // a minute start

    fn frame(series: &[(&str, u16, u64, f64)]) -> Frame {
        let bounds: Arc<[f64]> = Arc::from(vec![5.0, 10.0]);
        let requests = series
            .iter()
            .map(|(api, code, n, ms)| {
                let mut a = RequestAgg::new(&bounds);
                a.requests = *n;
                for _ in 0..*n {
                    a.duration.observe(&bounds, *ms);
                    a.backend.observe(&bounds, ms / 2.0);
                }
                let d = RequestDims {
                    api_id: (*api).into(),
                    operation_id: "op".into(),
                    hostname: "h".into(),
                    response_code: *code,
                    backend_response_code: *code,
                    last_error_reason: "None".into(),
                    cache: CacheOutcome::None,
                };
                (d, a)
            })
            .collect();
        Frame {
            worker: 0,
            bounds,
            requests,
            custom: vec![],
            samples: vec![],
            spans: vec![],
            folded: 0,
            dropped: 0,
            buffers: None,
        }
    }

    fn rollup() -> Rollup {
        Rollup::new(Arc::from(vec![5.0, 10.0]))
    }

    #[test]
    fn frames_roll_into_minute_api_class_buckets() {
        let mut r = rollup();
        r.add(
            &frame(&[("a", 200, 3, 1.0), ("a", 502, 1, 7.0), ("b", 404, 2, 20.0)]),
            T0 + 5,
        );
        r.add(&frame(&[("a", 201, 2, 1.0)]), T0 + 59);
        r.add(&frame(&[("a", 200, 1, 1.0)]), T0 + 60);
        let rep = r.report().unwrap();
        assert_eq!(rep.batches.len(), 1);
        let b = &rep.batches[0];
        assert_eq!((b.seq, b.bounds.clone()), (1, vec![5.0, 10.0]));
        let got: Vec<_> = b
            .buckets
            .iter()
            .map(|b| (b.time, b.api_id.as_str(), b.class.as_str(), b.requests, b.errors))
            .collect();
        assert_eq!(
            got,
            vec![
                (T0, "a", "2xx", 5, 0),
                (T0, "a", "5xx", 1, 1),
                (T0, "b", "4xx", 2, 0),
                (T0 + 60, "a", "2xx", 1, 0),
            ]
        );
        let a2 = &b.buckets[0];
        assert_eq!(a2.duration.counts, vec![5, 0, 0]);
        assert_eq!(a2.backend.sum, 2.5);
        assert_eq!(b.buckets[2].duration.counts, vec![0, 0, 2], "above every bound");
        assert_eq!((b.buckets[2].duration.min, b.buckets[2].duration.max), (20.0, 20.0));
    }

    #[test]
    fn batches_are_resent_until_acknowledged_then_forgotten() {
        let mut r = rollup();
        r.add(&frame(&[("a", 200, 1, 1.0)]), T0);
        let first = r.report().unwrap();
        // The heartbeat failed: the next report carries the same batch and the new one.
        r.add(&frame(&[("a", 200, 2, 1.0)]), T0 + 1);
        let second = r.report().unwrap();
        assert_eq!(second.batches.iter().map(|b| b.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(second.batches[0], first.batches[0], "resent unchanged (same seq)");
        r.acknowledge(&second);
        assert!(!r.backlog());
        assert_eq!(r.report(), None, "nothing new");
        r.add(&frame(&[("a", 200, 1, 1.0)]), T0 + 2);
        assert_eq!(r.report().unwrap().batches[0].seq, 3, "numbers keep rising");
    }

    #[test]
    fn api_ids_fold_past_the_per_minute_bound() {
        let mut r = rollup();
        let names: Vec<String> = (0..MAX_KEYS_PER_MINUTE + 10).map(|i| format!("api{i}")).collect();
        let series: Vec<(&str, u16, u64, f64)> = names.iter().map(|n| (n.as_str(), 200, 1, 1.0)).collect();
        r.add(&frame(&series), T0);
        assert_eq!(r.buckets(), MAX_KEYS_PER_MINUTE + 1, "own buckets + (other)");
        let rep = r.report().unwrap();
        let other = rep
            .batches
            .iter()
            .flat_map(|b| &b.buckets)
            .find(|b| b.api_id == OTHER)
            .unwrap();
        assert_eq!(other.requests, 10);
        let total: u64 = rep.batches.iter().flat_map(|b| &b.buckets).map(|b| b.requests).sum();
        assert_eq!(total, names.len() as u64, "nothing lost");
        assert!(rep.batches.iter().all(|b| b.buckets.len() <= MAX_BUCKETS_PER_BATCH));
    }

    #[test]
    fn an_unreachable_management_plane_costs_bounded_memory() {
        let mut r = rollup();
        let mut total = 0;
        // Ten hours of heartbeats that all fail, 40 buckets a minute.
        for m in 0..600u64 {
            let names: Vec<String> = (0..20).map(|i| format!("api{i}")).collect();
            let series: Vec<(&str, u16, u64, f64)> = names
                .iter()
                .flat_map(|n| [(n.as_str(), 200, 2, 1.0), (n.as_str(), 500, 1, 1.0)])
                .collect();
            r.add(&frame(&series), T0 + 60 * m);
            total += 60;
            let rep = r.report().unwrap();
            assert!(rep.batches.iter().map(|b| b.buckets.len()).sum::<usize>() <= MAX_BUCKETS_PER_REPORT);
            assert!(r.buckets() <= MAX_BUCKETS);
        }
        assert!(r.dropped_requests > 0);
        // Once heartbeats go through, the backlog drains oldest first, and
        // what was kept plus what was dropped is everything.
        let mut delivered = 0;
        let mut last_time = 0;
        while let Some(rep) = r.report() {
            for b in rep.batches.iter().flat_map(|b| &b.buckets) {
                assert!(b.time >= last_time, "oldest first");
                last_time = b.time;
                delivered += b.requests;
            }
            r.acknowledge(&rep);
        }
        assert_eq!(delivered + r.dropped_requests, total);
        assert_eq!(r.buckets(), 0);
    }

    #[test]
    fn a_refused_report_is_dropped_and_counted() {
        let mut r = rollup();
        r.add(&frame(&[("a", 200, 4, 1.0)]), T0);
        let rep = r.report().unwrap();
        r.refused(&rep);
        assert_eq!((r.report(), r.dropped_requests), (None, 4));
    }

    #[test]
    fn reports_serialize_with_camel_case_names() {
        let mut r = rollup();
        r.add(&frame(&[("a", 0, 1, 1.0)]), T0);
        let rep = r.report().unwrap();
        let v = serde_json::to_value(&rep).unwrap();
        assert_eq!(v["batches"][0]["buckets"][0]["apiId"], "a");
        assert_eq!(v["batches"][0]["buckets"][0]["class"], "None");
        assert_eq!(v["batches"][0]["buckets"][0]["errors"], 1, "no response is a failure");
        let back: Report = serde_json::from_value(v).unwrap();
        assert_eq!(back, rep);
    }
}
