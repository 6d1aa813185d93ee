//! The per-worker cache of verified tokens: a client that sends the same
//! token again pays a hash and a lookup, not a signature check.
//!
//! Invariants: bounded (`quick_cache`'s S3-FIFO, by entry count); keyed by
//! SHA-256 over a caller's scope (which policy, which keys) and the token,
//! so no token is stored and a token verified under one policy's keys and
//! rules is never taken as verified under another's; an entry lives until
//! the token expires (plus the clock skew) and at most `max_ttl` seconds,
//! so keys that disappear stop being trusted within that time. Not `Send`:
//! each worker owns one.

use std::rc::Rc;

use super::validate::Validated;

/// A cache key: SHA-256 of the scope and the token.
pub type CacheKey = [u8; 32];

struct Entry {
    validated: Rc<Validated>,
    until: i64,
}

/// Verified tokens of one worker.
pub struct VerifiedCache {
    inner: quick_cache::unsync::Cache<CacheKey, Entry>,
    max_ttl: i64,
}

impl std::fmt::Debug for VerifiedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedCache").field("len", &self.inner.len()).finish()
    }
}

/// Entries kept by default per worker.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// The longest an entry lives, whatever the token's `exp`, in seconds.
pub const DEFAULT_MAX_TTL: i64 = 300;

impl Default for VerifiedCache {
    fn default() -> Self {
        VerifiedCache::new(DEFAULT_CAPACITY, DEFAULT_MAX_TTL)
    }
}

impl VerifiedCache {
    pub fn new(capacity: usize, max_ttl: i64) -> VerifiedCache {
        VerifiedCache {
            inner: quick_cache::unsync::Cache::new(capacity.max(1)),
            max_ttl: max_ttl.max(0),
        }
    }

    /// The key of `token` under `scope` (bytes naming the policy and the
    /// generation of its keys).
    pub fn key(scope: &[u8], token: &str) -> CacheKey {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&(scope.len() as u64).to_le_bytes());
        ctx.update(scope);
        ctx.update(token.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        out
    }

    /// The verified token under `key`, if still valid at `now`.
    pub fn get(&mut self, key: &CacheKey, now: i64) -> Option<Rc<Validated>> {
        match self.inner.get(key) {
            Some(e) if e.until > now => Some(e.validated.clone()),
            Some(_) => {
                self.inner.remove(key);
                None
            }
            None => None,
        }
    }

    /// Remembers a verified token until its `exp` plus `skew` (bounded by
    /// the maximum time to live).
    pub fn insert(&mut self, key: CacheKey, validated: Rc<Validated>, now: i64, skew: i64) {
        let cap = now.saturating_add(self.max_ttl);
        let until = validated
            .expires
            .map_or(cap, |exp| exp.saturating_add(skew.max(0)).min(cap));
        if until > now {
            self.inner.insert(key, Entry { validated, until });
        }
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(expires: Option<i64>) -> Rc<Validated> {
        Rc::new(Validated {
            jws: "a.b.c".into(),
            alg: "HS256".into(),
            claims: Default::default(),
            expires,
        })
    }

    #[test]
    fn entries_expire_with_the_token_and_are_scoped() {
        let mut c = VerifiedCache::new(10, 300);
        let k = VerifiedCache::key(b"p1", "tok");
        assert_ne!(k, VerifiedCache::key(b"p2", "tok"));
        assert_ne!(VerifiedCache::key(b"p", "1tok"), VerifiedCache::key(b"p1", "tok"));
        c.insert(k, v(Some(1_000)), 900, 5);
        assert!(c.get(&k, 1_004).is_some());
        assert!(c.get(&k, 1_005).is_none());
        assert!(c.is_empty());
        c.insert(k, v(None), 0, 0);
        assert!(c.get(&k, 299).is_some());
        assert!(c.get(&k, 300).is_none());
        c.insert(k, v(Some(10)), 20, 0);
        assert!(c.is_empty());
    }

    #[test]
    fn bounded() {
        let mut c = VerifiedCache::new(100, 300);
        for i in 0..1_000 {
            c.insert(VerifiedCache::key(b"", &i.to_string()), v(None), 0, 0);
        }
        assert!(c.len() <= 100);
    }
}
