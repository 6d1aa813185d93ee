//! Where cache entries live: the [`Store`] the policies talk to (async, so
//! a Redis-backed store can slot in as another variant without touching
//! them) and its one implementation today, the in-process
//! [`InternalStore`] shared by every worker of the process.
//!
//! The internal store is a `quick_cache` sync cache: sharded (a short
//! `RwLock` per shard; lookups of one shard run in parallel), bounded by
//! weight (each entry weighs its key, its data and a fixed overhead, in
//! bytes; the bound is `cache.max-bytes`), with S3-FIFO eviction done on
//! insert, in O(1) steps, under the shard's lock: no background thread, no
//! housekeeping that could stall a worker, never over the bound. Time is
//! the injected [`Clock`]: every record carries when it was stored and
//! when it expires by that clock; a lookup past its expiry is a miss and
//! removes the record (unless a newer one replaced it meanwhile); expired
//! records nobody asks for again are evicted like any cold entry (they
//! count against the bound until then).
//!
//! Invariants: an entry weighing more than `cache.max-entry-bytes` (capped
//! at a quarter of a shard, so the shard can always take it) is not stored,
//! and the key's older entry is dropped, so a lookup never sees a value
//! older than the last store; no operation waits for anything but a
//! shard's lock, held for O(1) work.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use quick_cache::sync::Cache as Shards;
use quick_cache::Weighter;

use super::entry::Entry;
use crate::policy::limits::{Clock, Moment};

/// Bytes counted per entry besides its key and data (the record, the
/// table's slot, the eviction queues).
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
    TooLarge {
        weight: u64,
    },
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
    weight: u64,
}

/// An entry weighs what [`InternalStore::put`] computed.
#[derive(Clone)]
struct ByWeight;

impl Weighter<Box<str>, Record> for ByWeight {
    fn weight(&self, _key: &Box<str>, r: &Record) -> u64 {
        r.weight
    }
}

/// The average entry assumed to size the table (a small JSON response).
const TYPICAL_ENTRY: u64 = 4096;

/// The in-process store (cheap to clone: a handle).
#[derive(Clone)]
pub struct InternalStore {
    cache: Arc<Shards<Box<str>, Record, ByWeight>>,
    clock: Arc<dyn Clock>,
    max_bytes: u64,
    max_entry_bytes: u64,
}

impl fmt::Debug for InternalStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InternalStore")
            .field("max_bytes", &self.max_bytes)
            .field("max_entry_bytes", &self.max_entry_bytes)
            .field("entries", &self.cache.len())
            .finish()
    }
}

impl InternalStore {
    /// A store of at most `max_bytes` in all, `max_entry_bytes` per entry.
    pub fn new(max_bytes: u64, max_entry_bytes: u64, clock: Arc<dyn Clock>) -> Self {
        let parallelism = std::thread::available_parallelism().map_or(4, |n| n.get());
        let shards = shard_count(max_bytes, max_entry_bytes, parallelism);
        let items = usize::try_from((max_bytes / TYPICAL_ENTRY).clamp(16, 1 << 20)).unwrap_or(16);
        let options = quick_cache::OptionsBuilder::new()
            .shards(shards)
            .estimated_items_capacity(items)
            .weight_capacity(max_bytes)
            .build();
        let cache = match options {
            Ok(o) => Shards::with_options(o, ByWeight, Default::default(), Default::default()),
            // Every option is set above; keep a working store regardless.
            Err(_) => Shards::with_weighter(items, max_bytes, ByWeight),
        };
        // An entry must fit a quarter of its shard (quick_cache refuses
        // one near a whole shard).
        let max_entry_bytes = max_entry_bytes.min(cache.shard_capacity() / 4);
        InternalStore {
            cache: Arc::new(cache),
            clock,
            max_bytes,
            max_entry_bytes,
        }
    }

    pub fn get(&self, key: &str) -> Option<Hit> {
        let r = self.cache.get(key)?;
        let now = self.clock.now();
        if now >= r.expires {
            // Unless another worker stored a fresh one meanwhile.
            self.cache
                .remove_if(key, |v| v.stored == r.stored && Arc::ptr_eq(&v.entry, &r.entry));
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
        if ttl.is_zero() || weight > self.max_entry_bytes {
            // A lookup must not see the value this store replaces.
            self.cache.remove(key.as_str());
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
            weight,
        };
        self.cache.insert(key.into_boxed_str(), record);
        Put::Stored
    }

    pub fn remove(&self, key: &str) {
        self.cache.remove(key);
    }

    /// The bytes the live entries weigh.
    pub fn weighted_size(&self) -> u64 {
        self.cache.weight()
    }
}

/// Shards for `max_bytes`: as many as quick_cache would use (4 per CPU),
/// but few enough that an entry of `max_entry_bytes` fits a quarter of a
/// shard; a power of two, at least 1.
fn shard_count(max_bytes: u64, max_entry_bytes: u64, parallelism: usize) -> usize {
    let wanted = (parallelism.max(1) as u64).saturating_mul(4);
    let fitting = max_bytes / max_entry_bytes.max(1).saturating_mul(4);
    let n = wanted.min(fitting).max(1);
    // The largest power of two not above `n`.
    let pow = 1u64 << (63 - n.leading_zeros());
    usize::try_from(pow).unwrap_or(1)
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
    fn shards_leave_room_for_the_largest_entry() {
        assert_eq!(shard_count(64 << 20, 4 << 20, 2), 4);
        assert_eq!(shard_count(64 << 20, 64 << 10, 2), 8);
        assert_eq!(shard_count(64 << 20, 64 << 10, 64), 256);
        assert_eq!(shard_count(1 << 20, 4 << 20, 8), 1);
        assert_eq!(shard_count(0, 0, 0), 1);
        let s = InternalStore::new(64 << 20, 4 << 20, clock());
        assert_eq!(s.max_entry_bytes, 4 << 20);
        let big = "b".repeat(3 << 20);
        assert_eq!(s.put("k".into(), value(&big), Duration::from_secs(1)), Put::Stored);
        assert!(s.get("k").is_some());
    }

    #[test]
    fn an_expired_lookup_removes_only_the_expired_record() {
        let c = clock();
        let s = InternalStore::new(1 << 20, 1 << 16, c.clone());
        s.put("k".into(), value("old"), Duration::from_secs(1));
        c.advance(Duration::from_secs(2));
        assert!(s.get("k").is_none());
        assert!(s.weighted_size() == 0, "the expired record was removed");
        s.put("k".into(), value("new"), Duration::from_secs(10));
        assert_eq!(text(&s.get("k").unwrap()), "new");
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
            let put = store.put("k".into(), value("v"), Duration::from_secs(5)).await.unwrap();
            assert_eq!(put, Put::Stored);
            assert!(store.get("k").await.unwrap().is_some());
            store.remove("k").await.unwrap();
            assert!(store.get("k").await.unwrap().is_none());
        });
    }
}
