//! Where cache entries live: the [`Store`] the policies talk to (async, so
//! a Redis-backed store can slot in as another variant without touching
//! them) and its one implementation today, the in-process
//! [`InternalStore`] shared by every worker of the process.
//!
//! The internal store is a `moka` sync cache: lock-striped and concurrent,
//! bounded by weight (each entry weighs its key, its data and a fixed
//! overhead, in bytes; the bound is `cache.max-bytes`), with TinyLFU
//! admission and eviction and per-entry expiry. Time is the injected
//! [`Clock`]: every record carries when it was stored and when it expires
//! by that clock, and a lookup past its expiry is a miss whatever moka has
//! done yet; moka's own per-entry expiry (same TTL, on the monotonic
//! clock) is what frees the memory of expired entries.
//!
//! Invariants: an entry weighing more than `cache.max-entry-bytes` or the
//! whole bound is not stored (and the key's older entry is dropped, so a
//! lookup never sees a value older than the last store); no operation
//! blocks beyond moka's short critical sections (no I/O, no waiting);
//! moka runs its housekeeping on the calling threads in bounded batches,
//! so the cache may exceed its bound briefly by at most the writes of one
//! batch.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::sync::Cache as Moka;
use moka::Expiry;

use super::entry::Entry;
use crate::policy::limits::{Clock, Moment};

/// Bytes counted per entry besides its key and data (moka's node, the
/// record, the hash table slot).
pub const ENTRY_OVERHEAD: usize = 160;

/// The longest TTL kept (about 100 years): longer durations are clamped.
pub const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A store's failure (an external store being unreachable; the internal
/// store never fails).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cache store error: {0}")]
pub struct StoreError(pub String);

/// A found entry.
#[derive(Clone, Debug)]
pub struct Hit {
    pub entry: Arc<Entry>,
    /// Time since it was stored (the `Age` of a cached response).
    pub age: Duration,
    /// Time until it expires.
    pub ttl_left: Duration,
}

/// What a `put` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    Stored,
    /// Over `cache.max-entry-bytes` or the whole bound: not stored.
    TooLarge { weight: u64 },
    /// A zero TTL: nothing to keep.
    Expired,
}

/// A cache store. `caching-type` picks one (see `super::Cache::store`).
#[derive(Clone, Debug)]
pub enum Store {
    /// In this process, shared by its workers.
    Internal(InternalStore),
}

impl Store {
    /// The live entry under `key`.
    pub async fn get(&self, key: &str) -> Result<Option<Hit>, StoreError> {
        match self {
            Store::Internal(s) => Ok(s.get(key)),
        }
    }

    /// Stores `entry` under `key` for `ttl`, replacing any entry there.
    pub async fn put(&self, key: String, entry: Entry, ttl: Duration) -> Result<Put, StoreError> {
        match self {
            Store::Internal(s) => Ok(s.put(key, entry, ttl)),
        }
    }

    /// Removes the entry under `key`, if any.
    pub async fn remove(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Store::Internal(s) => {
                s.remove(key);
                Ok(())
            }
        }
    }
}

/// One stored entry with its times.
#[derive(Clone)]
struct Record {
    entry: Arc<Entry>,
    stored: Moment,
    expires: Moment,
    ttl: Duration,
    weight: u32,
}

/// moka's per-entry expiry: each record's own TTL, from its (re)insertion.
struct RecordTtl;

impl Expiry<Box<str>, Record> for RecordTtl {
    fn expire_after_create(&self, _key: &Box<str>, value: &Record, _now: Instant) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &Box<str>,
        value: &Record,
        _now: Instant,
        _left: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The in-process store (cheap to clone: a handle).
#[derive(Clone)]
pub struct InternalStore {
    cache: Moka<Box<str>, Record>,
    clock: Arc<dyn Clock>,
    max_bytes: u64,
    max_entry_bytes: u64,
}

impl fmt::Debug for InternalStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InternalStore")
            .field("max_bytes", &self.max_bytes)
            .field("max_entry_bytes", &self.max_entry_bytes)
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl InternalStore {
    /// A store of at most `max_bytes` in all, `max_entry_bytes` per entry.
    pub fn new(max_bytes: u64, max_entry_bytes: u64, clock: Arc<dyn Clock>) -> Self {
        let cache = Moka::builder()
            .max_capacity(max_bytes)
            .weigher(|_k: &Box<str>, r: &Record| r.weight)
            .expire_after(RecordTtl)
            .build();
        InternalStore {
            cache,
            clock,
            max_bytes,
            max_entry_bytes: max_entry_bytes.min(max_bytes),
        }
    }

    pub fn get(&self, key: &str) -> Option<Hit> {
        let r = self.cache.get(key)?;
        let now = self.clock.now();
        if now >= r.expires {
            return None;
        }
        Some(Hit {
            entry: r.entry,
            age: now.saturating_since(r.stored),
            ttl_left: r.expires.saturating_since(now),
        })
    }

    pub fn put(&self, key: String, entry: Entry, ttl: Duration) -> Put {
        let ttl = ttl.min(MAX_TTL);
        let weight = (key.len() + entry.weight() + ENTRY_OVERHEAD) as u64;
        let fits = weight <= self.max_entry_bytes && u32::try_from(weight).is_ok();
        if ttl.is_zero() || !fits {
            // A lookup must not see the value this store replaces.
            self.cache.invalidate(key.as_str());
            return if ttl.is_zero() {
                Put::Expired
            } else {
                Put::TooLarge { weight }
            };
        }
        let stored = self.clock.now();
        let record = Record {
            entry: Arc::new(entry),
            stored,
            expires: stored.saturating_add(ttl),
            ttl,
            weight: u32::try_from(weight).unwrap_or(u32::MAX),
        };
        self.cache.insert(key.into_boxed_str(), record);
        Put::Stored
    }

    pub fn remove(&self, key: &str) {
        self.cache.invalidate(key);
    }

    /// The bytes the live entries weigh (after pending housekeeping).
    pub fn weighted_size(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.weighted_size()
    }
}

#[cfg(test)]
mod tests {
    use super::super::value::CachedValue;
    use super::*;
    use crate::policy::limits::ManualClock;

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(Moment::from_unix_secs(1_700_000_000)))
    }

    fn value(s: &str) -> Entry {
        Entry::Value(CachedValue::Str(s.into()))
    }

    fn text(h: &Hit) -> &str {
        match &*h.entry {
            Entry::Value(CachedValue::Str(s)) => s,
            _ => "?",
        }
    }

    #[test]
    fn entries_expire_by_the_injected_clock() {
        let c = clock();
        let s = InternalStore::new(1 << 20, 1 << 16, c.clone());
        assert_eq!(s.put("k".into(), value("v"), Duration::from_secs(10)), Put::Stored);
        c.advance(Duration::from_secs(4));
        let hit = s.get("k").expect("live");
        assert_eq!(text(&hit), "v");
        assert_eq!(hit.age, Duration::from_secs(4));
        assert_eq!(hit.ttl_left, Duration::from_secs(6));
        c.advance(Duration::from_secs(6));
        assert!(s.get("k").is_none(), "expired at exactly its TTL");
    }

    #[test]
    fn put_replaces_and_remove_removes() {
        let s = InternalStore::new(1 << 20, 1 << 16, clock());
        s.put("k".into(), value("a"), Duration::from_secs(10));
        s.put("k".into(), value("b"), Duration::from_secs(10));
        assert_eq!(text(&s.get("k").unwrap()), "b");
        s.remove("k");
        assert!(s.get("k").is_none());
        s.remove("never there");
    }

    #[test]
    fn an_entry_over_the_cap_is_not_stored_and_drops_the_older_one() {
        let s = InternalStore::new(1 << 20, 1024, clock());
        s.put("k".into(), value("small"), Duration::from_secs(10));
        let big = "x".repeat(2000);
        assert!(matches!(
            s.put("k".into(), value(&big), Duration::from_secs(10)),
            Put::TooLarge { .. }
        ));
        assert!(s.get("k").is_none());
        // The whole bound caps the per-entry cap too.
        let tiny = InternalStore::new(300, 1 << 20, clock());
        assert!(matches!(
            tiny.put("k".into(), value(&"y".repeat(400)), Duration::from_secs(1)),
            Put::TooLarge { .. }
        ));
    }

    #[test]
    fn zero_ttl_stores_nothing() {
        let s = InternalStore::new(1 << 20, 1 << 16, clock());
        s.put("k".into(), value("a"), Duration::from_secs(10));
        assert_eq!(s.put("k".into(), value("b"), Duration::ZERO), Put::Expired);
        assert!(s.get("k").is_none());
    }

    #[test]
    fn total_weight_stays_within_the_bound() {
        let max = 64 * 1024;
        let s = InternalStore::new(max, 4096, clock());
        for i in 0..1000 {
            s.put(format!("key-{i}"), value(&"z".repeat(1000)), Duration::from_secs(60));
        }
        assert!(s.weighted_size() <= max, "{} > {max}", s.weighted_size());
        assert!(s.weighted_size() > 0);
    }

    #[test]
    fn a_zero_bound_caches_nothing() {
        let s = InternalStore::new(0, 1 << 20, clock());
        assert!(matches!(
            s.put("k".into(), value("a"), Duration::from_secs(10)),
            Put::TooLarge { .. }
        ));
        assert!(s.get("k").is_none());
    }

    #[test]
    fn shared_between_threads() {
        let s = InternalStore::new(1 << 20, 1 << 16, clock());
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..100 {
                        s.put(format!("{t}-{i}"), value("v"), Duration::from_secs(60));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(text(&s.get("3-99").unwrap()), "v");
    }

    #[test]
    fn store_interface_is_async() {
        let store = Store::Internal(InternalStore::new(1 << 20, 1 << 16, clock()));
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().build().unwrap();
        rt.block_on(async {
            let put = store
                .put("k".into(), value("v"), Duration::from_secs(5))
                .await
                .unwrap();
            assert_eq!(put, Put::Stored);
            assert!(store.get("k").await.unwrap().is_some());
            store.remove("k").await.unwrap();
            assert!(store.get("k").await.unwrap().is_none());
        });
    }
}
