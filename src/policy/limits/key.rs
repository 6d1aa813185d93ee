//! Which counter a policy uses.
//!
//! APIM's sharing rules, which the engine follows when it builds keys:
//! - `rate-limit` and `quota` count **per subscription, per policy**: the key
//!   is [`LimitKey::per_policy`] with the policy's identity (scope and
//!   position, e.g. `product:starter/inbound/0`, plus `/api:ID` or
//!   `/operation:ID` for the nested `<api>`/`<operation>` limits) and the
//!   subscription id. Two such policies never share a counter.
//! - `rate-limit-by-key`, `quota-by-key` and `limit-concurrency` share by key
//!   value: "for each key value, a single counter is used for all scopes at
//!   which the policy is configured". The key is [`LimitKey::shared`] with
//!   the evaluated `counter-key` (or `key`).
//!
//! Kinds never share: rate, quota and concurrency counters live in separate
//! tables, so the same string used by a rate limit and a quota is two
//! counters. A rate counter is also separated by its `renewal-period`, a
//! quota counter by its `renewal-period` and `first-period-start` (two
//! windows of different length cannot share one sliding log).

/// The identity of one counter (without its kind and window; see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LimitKey {
    /// Shared by every policy that uses the same key value.
    Shared(Box<str>),
    /// Private to one policy instance, per subject (usually the subscription id).
    PerPolicy { policy: Box<str>, subject: Box<str> },
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

    /// Heap bytes the key holds (for the memory bound).
    pub fn heap_bytes(&self) -> usize {
        match self {
            LimitKey::Shared(k) => k.len(),
            LimitKey::PerPolicy { policy, subject } => policy.len() + subject.len(),
        }
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
    }
}
