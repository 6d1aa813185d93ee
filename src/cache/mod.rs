//! The cache of the caching policies (`cache-lookup`/`cache-store` for
//! responses, `cache-lookup-value`/`cache-store-value`/`cache-remove-value`
//! for values): one [`Cache`] per process, a clone in every worker's
//! `policy::services::Services`, so an entry stored by one worker is found
//! by the others (docs/architecture.md, "Response and value cache").
//!
//! The policies never touch a store directly: their synchronous half
//! builds a [`CacheEffect`] (owned: key, entry, TTL), the proxy awaits
//! [`perform`], and their second half reads the [`CacheOutcome`]. The
//! [`Store`] interface is async so an external (Redis) store can be added
//! as a variant without touching them; until it exists `caching-type`
//! `external` and `prefer-external` use the internal store.
//!
//! Modules: `store` (the store interface and the in-process store),
//! `entry` (what an entry holds), `value` (expression values in a form
//! that crosses threads), `key` (response and value keys), `http` (the
//! HTTP rules: what is looked up and stored, what a hit carries).
//!
//! Invariant: this module imports nothing from `proxy`, `worker` or
//! `server`; time comes from the injected `policy::limits::Clock`, so
//! tests never sleep.

pub mod entry;
pub mod http;
pub mod key;
pub mod store;
pub mod value;

use std::sync::Arc;
use std::time::Duration;

pub use entry::{CachedResponse, Entry};
pub use store::{Hit, InternalStore, Put, Store, StoreError};
pub use value::CachedValue;

use crate::policy::limits::{Clock, SystemClock};

/// `cache.max-bytes`: the default bound of the whole cache.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// `cache.max-entry-bytes`: the default bound of one entry.
pub const DEFAULT_MAX_ENTRY_BYTES: u64 = 4 * 1024 * 1024;

/// `caching-type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CachingType {
    Internal,
    External,
    /// External when one is configured, else internal (APIM's default).
    #[default]
    PreferExternal,
}

impl CachingType {
    pub fn parse(s: &str) -> Option<CachingType> {
        match s.trim() {
            "internal" => Some(CachingType::Internal),
            "external" => Some(CachingType::External),
            "prefer-external" => Some(CachingType::PreferExternal),
            _ => None,
        }
    }
}

/// The process's caches (a cheap handle to clone).
#[derive(Clone, Debug)]
pub struct Cache {
    internal: Store,
}

impl Cache {
    /// A cache of at most `max_bytes`, `max_entry_bytes` per entry, on `clock`.
    pub fn new(max_bytes: u64, max_entry_bytes: u64, clock: Arc<dyn Clock>) -> Self {
        Cache {
            internal: Store::Internal(InternalStore::new(max_bytes, max_entry_bytes, clock)),
        }
    }

    /// The store a `caching-type` uses. No external store exists yet:
    /// every type uses the internal one.
    pub fn store(&self, caching_type: CachingType) -> &Store {
        match caching_type {
            CachingType::Internal | CachingType::External | CachingType::PreferExternal => &self.internal,
        }
    }
}

/// The process's cache on the system clock, with the given bounds.
pub fn process_cache(max_bytes: u64, max_entry_bytes: u64) -> Cache {
    Cache::new(max_bytes, max_entry_bytes, Arc::new(SystemClock::new()))
}

impl Default for Cache {
    fn default() -> Self {
        process_cache(DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRY_BYTES)
    }
}

/// A cache operation a policy asks the proxy to perform.
#[derive(Clone, Debug)]
pub enum CacheEffect {
    Get {
        caching_type: CachingType,
        key: String,
    },
    Put {
        caching_type: CachingType,
        key: String,
        entry: Entry,
        ttl: Duration,
    },
    Remove {
        caching_type: CachingType,
        key: String,
    },
}

/// What a [`CacheEffect`] came to.
#[derive(Clone, Debug)]
pub enum CacheOutcome {
    Found(Option<Hit>),
    Put(Put),
    Removed,
    /// The store failed (never the internal one): policies treat it as a
    /// miss or a store not done, with a warning.
    Failed(StoreError),
}

/// Performs `effect` on `cache`.
pub async fn perform(cache: &Cache, effect: CacheEffect) -> CacheOutcome {
    let done = match effect {
        CacheEffect::Get { caching_type, key } => cache.store(caching_type).get(&key).await.map(CacheOutcome::Found),
        CacheEffect::Put {
            caching_type,
            key,
            entry,
            ttl,
        } => cache
            .store(caching_type)
            .put(key, entry, ttl)
            .await
            .map(CacheOutcome::Put),
        CacheEffect::Remove { caching_type, key } => cache
            .store(caching_type)
            .remove(&key)
            .await
            .map(|()| CacheOutcome::Removed),
    };
    done.unwrap_or_else(CacheOutcome::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::limits::{ManualClock, Moment};

    #[test]
    fn caching_types() {
        assert_eq!(CachingType::parse("internal"), Some(CachingType::Internal));
        assert_eq!(CachingType::parse("external"), Some(CachingType::External));
        assert_eq!(CachingType::parse("prefer-external"), Some(CachingType::PreferExternal));
        assert_eq!(CachingType::parse("redis"), None);
        assert_eq!(CachingType::default(), CachingType::PreferExternal);
    }

    #[test]
    fn every_caching_type_shares_the_internal_store_until_an_external_one_exists() {
        let clock = Arc::new(ManualClock::new(Moment::from_unix_secs(1_000)));
        let cache = Cache::new(1 << 20, 1 << 16, clock.clone());
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().build().unwrap();
        rt.block_on(async {
            let put = perform(
                &cache,
                CacheEffect::Put {
                    caching_type: CachingType::External,
                    key: key::value_key("k"),
                    entry: Entry::Value(CachedValue::Int(7)),
                    ttl: Duration::from_secs(30),
                },
            )
            .await;
            assert!(matches!(put, CacheOutcome::Put(Put::Stored)));
            clock.advance(Duration::from_secs(5));
            let get = || CacheEffect::Get {
                caching_type: CachingType::Internal,
                key: key::value_key("k"),
            };
            let got = perform(&cache, get()).await;
            let CacheOutcome::Found(Some(hit)) = got else {
                panic!("expected a hit, got {got:?}");
            };
            assert_eq!(*hit.entry, Entry::Value(CachedValue::Int(7)));
            assert_eq!(hit.age, Duration::from_secs(5));
            let removed = perform(
                &cache,
                CacheEffect::Remove {
                    caching_type: CachingType::PreferExternal,
                    key: key::value_key("k"),
                },
            )
            .await;
            assert!(matches!(removed, CacheOutcome::Removed));
            let gone = perform(&cache, get()).await;
            assert!(matches!(gone, CacheOutcome::Found(None)));
        });
    }
}
