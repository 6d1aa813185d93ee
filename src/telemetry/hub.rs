//! The telemetry thread (`outpost-telemetry`): receives the workers'
//! [`Frame`]s, merges them into the process's cumulative [`Store`] (what
//! Prometheus scrapes and OTLP exports as cumulative sums), and hands each
//! frame to every sink's own thread through a bounded queue.
//!
//! Invariants:
//! - workers never wait on telemetry: they `try_send` one frame a second
//!   into a bounded channel (a full channel drops the frame and counts it);
//! - every sink runs on its own thread behind a queue of
//!   `telemetry.queue.capacity` frames; a slow or dead sink fills its own
//!   queue, then its frames are dropped and counted ([`SinkQueue::dropped`]),
//!   never delaying the hub, other sinks or a worker;
//! - the cumulative store is bounded like a worker's recorder: past
//!   `4 × max_series` series, new series fold into [`OTHER`] (and past
//!   `4 × max_series + FOLD_SLACK`, their codes and custom dimension names
//!   too);
//! - the store's mutex is taken by the hub (once per frame) and by readers
//!   (a scrape, an export), never by a worker.

use super::model::{BufferGauges, CustomAgg, CustomKey, Frame, RequestAgg, RequestDims, OTHER};
use super::recorder::FOLD_SLACK;
use crossbeam_channel::{Receiver, Sender, TrySendError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// Frames the hub's inbound channel holds (workers send one a second each).
pub const INBOUND: usize = 256;

/// Cumulative values since the process started.
#[derive(Debug)]
pub struct Store {
    pub bounds: Arc<[f64]>,
    pub started: SystemTime,
    pub requests: HashMap<RequestDims, RequestAgg>,
    pub custom: HashMap<CustomKey, CustomAgg>,
    /// Observations folded into [`OTHER`] (workers' and the store's own).
    pub folded: u64,
    /// Samples and spans the workers dropped at their frame bound.
    pub dropped_in_workers: u64,
    /// Frames the workers could not hand over (hub inbound full).
    pub dropped_frames: u64,
    /// Each worker's buffer pool, as last reported.
    pub buffers: std::collections::BTreeMap<usize, BufferGauges>,
    max_series: usize,
}

impl Store {
    pub fn new(bounds: Arc<[f64]>, max_series: usize) -> Store {
        Store {
            bounds,
            started: SystemTime::now(),
            requests: HashMap::new(),
            custom: HashMap::new(),
            folded: 0,
            dropped_in_workers: 0,
            dropped_frames: 0,
            buffers: Default::default(),
            max_series: max_series.saturating_mul(4),
        }
    }

    /// Adds a frame's values.
    pub fn merge(&mut self, f: &Frame) {
        self.folded += f.folded;
        self.dropped_in_workers += f.dropped;
        if let Some(b) = f.buffers {
            self.buffers.insert(f.worker, b);
        }
        for (d, a) in &f.requests {
            if let Some(s) = self.requests.get_mut(d) {
                s.merge(a);
                continue;
            }
            let key = if self.requests.len() >= self.max_series {
                self.folded += a.requests;
                let codes = self.requests.len() < self.max_series + FOLD_SLACK;
                RequestDims {
                    api_id: OTHER.into(),
                    operation_id: OTHER.into(),
                    hostname: OTHER.into(),
                    last_error_reason: OTHER.into(),
                    response_code: if codes { d.response_code } else { 0 },
                    backend_response_code: if codes { d.backend_response_code } else { 0 },
                    cache: if codes { d.cache } else { Default::default() },
                }
            } else {
                d.clone()
            };
            self.requests
                .entry(key)
                .or_insert_with(|| RequestAgg::new(&self.bounds))
                .merge(a);
        }
        for (k, a) in &f.custom {
            if let Some(s) = self.custom.get_mut(k) {
                s.merge(a);
                continue;
            }
            let key = if self.custom.len() >= self.max_series {
                self.folded += a.count;
                let dims = if self.custom.len() < self.max_series + FOLD_SLACK {
                    k.dims.iter().map(|(n, _)| (n.clone(), OTHER.into())).collect()
                } else {
                    vec![(OTHER.into(), OTHER.into())]
                };
                CustomKey { dims, ..k.clone() }
            } else {
                k.clone()
            };
            self.custom.entry(key).or_default().merge(a);
        }
    }
}

/// The store shared by the hub (writer) and the readers.
pub type SharedStore = Arc<Mutex<Store>>;

/// Locks the store, recovering from a poisoned mutex (a panicking reader
/// must not stop telemetry).
pub fn lock(s: &SharedStore) -> MutexGuard<'_, Store> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// One sink's bounded queue and its drop counter.
#[derive(Clone)]
pub struct SinkQueue {
    pub name: &'static str,
    tx: Sender<Arc<Frame>>,
    dropped: Arc<AtomicU64>,
}

impl SinkQueue {
    /// Starts a sink thread named `outpost-<name>`; `run` owns the receiving
    /// end (and returns when it disconnects, at shutdown).
    pub fn spawn(
        name: &'static str,
        capacity: usize,
        run: impl FnOnce(Receiver<Arc<Frame>>) + Send + 'static,
    ) -> std::io::Result<SinkQueue> {
        let (tx, rx) = crossbeam_channel::bounded(capacity.max(1));
        std::thread::Builder::new()
            .name(format!("outpost-{name}"))
            .spawn(move || run(rx))?;
        Ok(SinkQueue {
            name,
            tx,
            dropped: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Frames this sink lost because its queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn offer(&self, f: &Arc<Frame>, outage: &mut bool) {
        match self.tx.try_send(f.clone()) {
            Ok(()) => {
                if std::mem::take(outage) {
                    tracing::info!(
                        sink = self.name,
                        dropped = self.dropped(),
                        "telemetry sink keeps up again"
                    );
                }
            }
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                if !std::mem::replace(outage, true) {
                    tracing::warn!(
                        sink = self.name,
                        "telemetry sink is not keeping up; dropping its telemetry"
                    );
                }
            }
        }
    }
}

/// Logs a sink's outage once, and its end once (for the sinks' own I/O).
#[derive(Debug)]
pub struct OutageLog {
    pub sink: &'static str,
    down: bool,
    pub failures: u64,
}

impl OutageLog {
    pub fn new(sink: &'static str) -> OutageLog {
        OutageLog {
            sink,
            down: false,
            failures: 0,
        }
    }

    pub fn failed(&mut self, reason: &dyn std::fmt::Display) {
        self.failures += 1;
        if !std::mem::replace(&mut self.down, true) {
            tracing::warn!(sink = self.sink, reason = %reason, "telemetry export failing; dropping until it recovers");
        }
    }

    pub fn ok(&mut self) {
        if std::mem::take(&mut self.down) {
            tracing::info!(sink = self.sink, "telemetry export resumed");
        }
    }

    pub fn is_down(&self) -> bool {
        self.down
    }
}

/// The handle kept by `main`: the workers' sending end and the readers' store.
#[derive(Clone)]
pub struct Hub {
    pub frames: Sender<Frame>,
    pub store: SharedStore,
    pub sinks: Vec<SinkQueue>,
    /// The management plane's one-minute buckets, read by the heartbeat
    /// thread (`telemetry.metrics.cloud` with a management plane).
    pub rollup: Option<super::rollup::SharedRollup>,
}

impl Hub {
    /// Starts the hub thread, fanning frames out to `sinks`.
    pub fn spawn(store: SharedStore, sinks: Vec<SinkQueue>) -> std::io::Result<Hub> {
        let (tx, rx) = crossbeam_channel::bounded::<Frame>(INBOUND);
        let (st, qs) = (store.clone(), sinks.clone());
        std::thread::Builder::new()
            .name("outpost-telemetry".into())
            .spawn(move || {
                let mut outages = vec![false; qs.len()];
                for frame in rx {
                    lock(&st).merge(&frame);
                    let frame = Arc::new(frame);
                    for (q, down) in qs.iter().zip(outages.iter_mut()) {
                        q.offer(&frame, down);
                    }
                }
            })?;
        Ok(Hub {
            frames: tx,
            store,
            sinks,
            rollup: None,
        })
    }
}

/// A worker's sending end: counts the frames it could not hand over.
pub struct FrameSender {
    tx: Sender<Frame>,
    store: SharedStore,
    dropped: u64,
}

impl FrameSender {
    pub fn new(hub: &Hub) -> FrameSender {
        FrameSender {
            tx: hub.frames.clone(),
            store: hub.store.clone(),
            dropped: 0,
        }
    }

    /// Never blocks: a full hub drops the frame (`false`).
    pub fn send(&mut self, f: Frame) -> bool {
        let sent = self.tx.try_send(f).is_ok();
        if !sent {
            self.dropped += 1;
            // Rare (the hub is far behind); the count is reported through the
            // store, taking its lock off the request path.
            if let Ok(mut s) = self.store.try_lock() {
                s.dropped_frames += std::mem::take(&mut self.dropped);
            }
        }
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::CacheOutcome;
    use super::*;

    fn frame(api: &str, n: u64) -> Frame {
        let bounds: Arc<[f64]> = Arc::from(vec![10.0]);
        let mut a = RequestAgg::new(&bounds);
        a.requests = n;
        Frame {
            worker: 0,
            bounds,
            requests: vec![(
                RequestDims {
                    api_id: api.into(),
                    operation_id: "".into(),
                    hostname: "h".into(),
                    response_code: 200,
                    backend_response_code: 200,
                    last_error_reason: "None".into(),
                    cache: CacheOutcome::None,
                },
                a,
            )],
            custom: vec![],
            samples: vec![],
            spans: vec![],
            folded: 0,
            dropped: 0,
            buffers: None,
        }
    }

    #[test]
    fn store_merges_and_folds_past_its_bound() {
        let mut s = Store::new(Arc::from(vec![10.0]), 1);
        for i in 0..10 {
            s.merge(&frame(&format!("a{i}"), 2));
        }
        s.merge(&frame("a0", 1));
        assert_eq!(s.requests.len(), 5, "4 own series + one folded");
        assert_eq!(s.requests.values().map(|a| a.requests).sum::<u64>(), 21);
        assert_eq!(s.folded, 12);
    }

    #[test]
    fn a_stuck_sink_drops_and_counts_without_blocking_the_hub() {
        let (release_tx, release_rx) = crossbeam_channel::bounded::<()>(0);
        let (seen_tx, seen_rx) = crossbeam_channel::unbounded();
        let stuck = SinkQueue::spawn("test-stuck", 1, move |rx| {
            let _ = release_rx.recv();
            for f in rx {
                let _ = seen_tx.send(f.requests[0].1.requests);
            }
        })
        .unwrap();
        let store = Arc::new(Mutex::new(Store::new(Arc::from(vec![10.0]), 100)));
        let hub = Hub::spawn(store.clone(), vec![stuck.clone()]).unwrap();
        let mut sender = FrameSender::new(&hub);
        for _ in 0..20 {
            sender.send(frame("a", 1));
        }
        // The store sees every frame even though the sink takes none.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while lock(&store).requests.values().map(|a| a.requests).sum::<u64>() < 20 {
            assert!(std::time::Instant::now() < deadline, "hub merged every frame");
            std::thread::yield_now();
        }
        assert!(stuck.dropped() >= 18, "{}", stuck.dropped());
        drop(release_tx);
        drop(hub);
        drop(sender);
        drop(stuck);
        let seen: Vec<u64> = seen_rx.iter().collect();
        assert!(!seen.is_empty() && seen.len() <= 2, "{seen:?}");
    }
}
