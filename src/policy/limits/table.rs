//! One sharded hash table of counters (one table per kind of limit).
//!
//! Invariants:
//! - a key lives in exactly one shard, chosen by bits 32.. of its keyed hash
//!   (hashbrown uses the low bits for buckets and the top 7 for tags);
//! - a thread holds at most one shard lock at a time (no lock ordering to
//!   get wrong); every critical section is O(1) except a sweep, which is
//!   O(shard) and runs at most once per [`SWEEP_INTERVAL`] per shard;
//! - `earliest` is a lower bound on the moment any entry of the shard can be
//!   removed (entries only ever move their expiry later, except a
//!   concurrency entry whose last permit is released, which resets it);
//! - every entry holds one unit of the [`Budget`] shared by all tables;
//! - lookups hash and compare the borrowed key ([`LimitKeyRef`]); a stored
//!   key is compared through [`LimitKey::is`], and its hash is kept in
//!   the entry (never recomputed from the owned form), so finding an
//!   existing entry allocates nothing and the owned key is built only by
//!   [`Shard::insert`].

use super::key::{LimitKey, LimitKeyRef};
use crossbeam_utils::CachePadded;
use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A shard sweeps its expired entries at most this often (in clock time).
pub(super) const SWEEP_INTERVAL: u64 = 1_000_000_000;

/// What separates counters of one key inside a kind (rate: period; quota:
/// period and first-period-start; concurrency: nothing).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Window {
    pub period: u64,
    pub start: i64,
}

/// The state of one counter; says when it carries no information any more.
pub(super) trait Expiry {
    /// Unix nanos from which the entry may be dropped; `None`: not by time.
    fn expires_at(&self) -> Option<u64>;
}

pub(super) struct Entry<S> {
    pub hash: u64,
    pub id: u64,
    pub key: LimitKey,
    pub window: Window,
    pub state: S,
}

pub(super) struct Shard<S> {
    pub entries: HashTable<Entry<S>>,
    pub earliest: u64,
    last_sweep: Option<u64>,
    next_id: u64,
}

pub(super) type ShardRef<S> = Arc<CachePadded<Mutex<Shard<S>>>>;

pub(super) fn lock<S>(shard: &ShardRef<S>) -> MutexGuard<'_, Shard<S>> {
    // A panic while holding a shard leaves counters that are at worst off by
    // one request; keep serving rather than poisoning every later request.
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Expiry> Shard<S> {
    fn new() -> Self {
        Shard {
            entries: HashTable::new(),
            earliest: u64::MAX,
            last_sweep: None,
            next_id: 0,
        }
    }

    pub fn find_mut(&mut self, hash: u64, key: LimitKeyRef<'_>, window: Window) -> Option<&mut Entry<S>> {
        self.entries.find_mut(hash, |e| e.window == window && e.key.is(key))
    }

    /// Adds a new entry (the only place an owned key is made).
    pub fn insert(&mut self, hash: u64, key: LimitKeyRef<'_>, window: Window, state: S) -> &mut Entry<S> {
        let id = self.next_id;
        self.next_id += 1;
        let entry = Entry {
            hash,
            id,
            key: key.into_owned(),
            window,
            state,
        };
        self.entries.insert_unique(hash, entry, |e| e.hash).into_mut()
    }

    /// Lowers `earliest` to cover an entry's current expiry.
    pub fn note_expiry(&mut self, expires_at: Option<u64>) {
        if let Some(t) = expires_at {
            self.earliest = self.earliest.min(t);
        }
    }

    /// Whether a sweep could free anything now and is not too soon.
    pub fn sweep_due(&self, now: u64) -> bool {
        now >= self.earliest && self.last_sweep.is_none_or(|t| now >= t.saturating_add(SWEEP_INTERVAL))
    }

    /// Drops every expired entry; returns how many were dropped.
    pub fn sweep(&mut self, now: u64) -> usize {
        let before = self.entries.len();
        let mut earliest = u64::MAX;
        self.entries.retain(|e| match e.state.expires_at() {
            Some(t) if t <= now => false,
            Some(t) => {
                earliest = earliest.min(t);
                true
            }
            None => true,
        });
        self.earliest = earliest;
        self.last_sweep = Some(now);
        before - self.entries.len()
    }
}

/// The process-wide cap on live entries, shared by all tables. Touched only
/// when an entry is created or dropped, never when one is used.
#[derive(Debug)]
pub(super) struct Budget {
    max: usize,
    used: CachePadded<AtomicUsize>,
}

impl Budget {
    pub fn new(max: usize) -> Self {
        Budget {
            max,
            used: CachePadded::new(AtomicUsize::new(0)),
        }
    }

    pub fn try_take(&self) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| (u < self.max).then_some(u + 1))
            .is_ok()
    }

    pub fn give_back(&self, n: usize) {
        if n > 0 {
            self.used.fetch_sub(n, Ordering::AcqRel);
        }
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

pub(super) struct Table<S> {
    shards: Box<[ShardRef<S>]>,
    mask: u64,
    hasher: foldhash::fast::RandomState,
}

impl<S: Expiry> Table<S> {
    /// `shards` is rounded up to a power of two.
    pub fn new(shards: usize) -> Self {
        let n = shards.max(1).next_power_of_two();
        let shards = (0..n)
            .map(|_| Arc::new(CachePadded::new(Mutex::new(Shard::new()))))
            .collect();
        Table {
            shards,
            mask: (n - 1) as u64,
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    pub fn hash(&self, key: LimitKeyRef<'_>, window: Window) -> u64 {
        self.hasher.hash_one((key, window))
    }

    pub fn shard(&self, hash: u64) -> &ShardRef<S> {
        // The mask keeps the index below `shards.len()`.
        &self.shards[((hash >> 32) & self.mask) as usize]
    }

    /// Sweeps every shard (one lock at a time); returns (dropped, earliest
    /// remaining expiry).
    pub fn sweep_all(&self, now: u64) -> (usize, u64) {
        let mut dropped = 0;
        let mut earliest = u64::MAX;
        for shard in self.shards.iter() {
            let mut s = lock(shard);
            if now >= s.earliest {
                dropped += s.sweep(now);
            }
            earliest = earliest.min(s.earliest);
        }
        (dropped, earliest)
    }
}
