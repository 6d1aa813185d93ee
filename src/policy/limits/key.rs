//! Which counter a policy uses.
//!
//! APIM's sharing rules, which the engine follows when it builds keys:
//! - `rate-limit` and `quota` count **per subscription, per policy**: the key
//!   is [`LimitKeyRef::per_policy`] with the policy's identity (scope and
//!   position, e.g. `product:starter/inbound/0`, plus `/api:ID` or
//!   `/operation:ID` for the nested `<api>`/`<operation>` limits) and the
//!   subscription id. Two such policies never share a counter.
//! - `rate-limit-by-key`, `quota-by-key` and `limit-concurrency` share by key
//!   value: "for each key value, a single counter is used for all scopes at
//!   which the policy is configured". The key is [`LimitKeyRef::Shared`]
//!   with the evaluated `counter-key` (or `key`).
//!
//! Kinds never share: rate, quota and concurrency counters live in separate
//! tables, so the same string used by a rate limit and a quota is two
//! counters. A rate counter is also separated by its `renewal-period`, a
//! quota counter by its `renewal-period` and `first-period-start` (two
//! windows of different length cannot share one sliding log).
//!
//! Two forms, one identity: a check looks a counter up with a
//! [`LimitKeyRef`] of borrowed strings (the policy's identity from the
//! program, the subscription id from the replica, the evaluated key), so
//! checking an existing counter copies nothing; the table stores the owned
//! [`LimitKey`], made from the borrowed form only when it inserts a new
//! counter. Invariant: the table only ever hashes the borrowed form (an
//! entry keeps the hash it was inserted with) and compares a stored key
//! with [`LimitKey::is`], field by field, so the two forms cannot disagree.

/// The identity of one counter, owned (as stored in the table, or kept on
/// a request's flow until after the response).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// Shared by every policy that uses the same key value.
    Shared(Box<str>),
    /// Private to one policy instance, per subject (usually the subscription id).
    PerPolicy { policy: Box<str>, subject: Box<str> },
}

/// The identity of one counter, borrowed: what a check looks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKeyRef<'a> {
    /// See [`LimitKey::Shared`].
    Shared(&'a str),
    /// See [`LimitKey::PerPolicy`].
    PerPolicy { policy: &'a str, subject: &'a str },
}

impl LimitKey {
    pub fn shared(counter_key: impl Into<Box<str>>) -> Self {
        LimitKey::Shared(counter_key.into())
    }

    pub fn per_policy(policy: impl Into<Box<str>>, subject: impl Into<Box<str>>) -> Self {
        LimitKey::PerPolicy {
            policy: policy.into(),
            subject: subject.into(),
        }
    }

    /// The borrowed form (what the table hashes and compares).
    pub fn borrowed(&self) -> LimitKeyRef<'_> {
        match self {
            LimitKey::Shared(k) => LimitKeyRef::Shared(k),
            LimitKey::PerPolicy { policy, subject } => LimitKeyRef::PerPolicy { policy, subject },
        }
    }

    /// Whether this is the counter `key` names (what a lookup compares;
    /// the same as `self.borrowed() == key`, without building the pair).
    #[inline]
    pub fn is(&self, key: LimitKeyRef<'_>) -> bool {
        match (self, key) {
            (LimitKey::Shared(a), LimitKeyRef::Shared(b)) => **a == *b,
            (LimitKey::PerPolicy { policy, subject }, LimitKeyRef::PerPolicy { policy: p, subject: s }) => {
                **policy == *p && **subject == *s
            }
            _ => false,
        }
    }

    /// Heap bytes the key holds (for the memory bound).
    pub fn heap_bytes(&self) -> usize {
        match self {
            LimitKey::Shared(k) => k.len(),
            LimitKey::PerPolicy { policy, subject } => policy.len() + subject.len(),
        }
    }
}

impl<'a> LimitKeyRef<'a> {
    pub fn per_policy(policy: &'a str, subject: &'a str) -> Self {
        LimitKeyRef::PerPolicy { policy, subject }
    }

    /// The owned form (allocates: only for a new counter or a deferred count).
    pub fn into_owned(self) -> LimitKey {
        match self {
            LimitKeyRef::Shared(k) => LimitKey::Shared(k.into()),
            LimitKeyRef::PerPolicy { policy, subject } => LimitKey::per_policy(policy, subject),
        }
    }
}

impl<'a> From<&'a LimitKey> for LimitKeyRef<'a> {
    fn from(key: &'a LimitKey) -> Self {
        key.borrowed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_and_per_policy_keys_never_collide() {
        assert_ne!(LimitKey::shared("a"), LimitKey::per_policy("", "a"));
        assert_ne!(LimitKey::per_policy("p1", "sub"), LimitKey::per_policy("p2", "sub"));
        assert_eq!(LimitKey::shared(String::from("k")), LimitKey::shared("k"));
        assert_eq!(LimitKey::per_policy("ab", "c").heap_bytes(), 3);
        assert_ne!(LimitKeyRef::Shared("a"), LimitKeyRef::per_policy("", "a"));
        // The field boundary is part of the identity.
        assert_ne!(LimitKeyRef::per_policy("ab", "c"), LimitKeyRef::per_policy("a", "bc"));
    }

    #[test]
    fn owned_and_borrowed_forms_round_trip() {
        for key in [
            LimitKeyRef::Shared("client-a"),
            LimitKeyRef::per_policy("api:a:3:rate-limit", "sub-1"),
            LimitKeyRef::per_policy("api:a:3:rate-limit", ""),
        ] {
            let owned = key.into_owned();
            assert_eq!(owned.borrowed(), key);
            assert_eq!(LimitKeyRef::from(&owned), key);
            assert!(owned.is(key));
            assert!(!owned.is(LimitKeyRef::Shared("other")));
            assert!(!owned.is(LimitKeyRef::per_policy("api:a:3:rate-limit", "sub-2")));
        }
    }
}
