//! `limit-concurrency`: at most `max-count` requests inside the policy at
//! once, per key (the key may be shared by several policies, as in APIM).
//!
//! A [`Permit`] is the right to be inside; dropping it (the request
//! finished, failed, or its future was dropped because the client went
//! away) gives the slot back. An entry whose count is zero is dropped at
//! the next sweep of its shard.

use super::table::{lock, Expiry, ShardRef, Window};
use super::{LimitKeyRef, Limits, Outcome, Probe};

#[derive(Debug)]
pub(super) struct ConcState {
    held: u32,
}

impl Expiry for ConcState {
    fn expires_at(&self) -> Option<u64> {
        (self.held == 0).then_some(0)
    }
}

/// Why a concurrency slot was refused (both are APIM's 429).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConcurrencyDenied {
    #[error("{max} requests already hold this concurrency key")]
    AtMax { max: u32 },
    #[error("the limit counter table is full")]
    TableFull,
}

/// One request's slot under a concurrency key; released on drop.
pub struct Permit {
    shard: ShardRef<ConcState>,
    hash: u64,
    id: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = lock(&self.shard);
        let id = self.id;
        let now_idle = s.entries.find_mut(self.hash, |e| e.id == id).is_some_and(|entry| {
            entry.state.held = entry.state.held.saturating_sub(1);
            entry.state.held == 0
        });
        if now_idle {
            s.earliest = 0;
        }
    }
}

impl std::fmt::Debug for Permit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permit").field("id", &self.id).finish()
    }
}

impl Limits {
    /// Takes one of `max` slots under `key`, or says why not.
    pub fn acquire_concurrency<'k>(
        &self,
        key: impl Into<LimitKeyRef<'k>>,
        max: u32,
    ) -> Result<Permit, ConcurrencyDenied> {
        let key = key.into();
        let now = self.now().unix_nanos();
        let outcome = self.with_entry(
            &self.inner.concurrency,
            Probe {
                now,
                key,
                window: Window::default(),
                create: true,
            },
            || ConcState { held: 0 },
            |e, shard| {
                if e.state.held >= max {
                    return Err(ConcurrencyDenied::AtMax { max });
                }
                e.state.held += 1;
                Ok(Permit {
                    shard: ShardRef::clone(shard),
                    hash: e.hash,
                    id: e.id,
                })
            },
        );
        match outcome {
            Outcome::Done(result) => result,
            Outcome::Absent | Outcome::Full { .. } => Err(ConcurrencyDenied::TableFull),
        }
    }

    /// Requests currently holding a slot under `key`.
    pub fn concurrency_held<'k>(&self, key: impl Into<LimitKeyRef<'k>>) -> u32 {
        let key = key.into();
        let table = &self.inner.concurrency;
        let hash = table.hash(key, Window::default());
        let mut s = lock(table.shard(hash));
        s.find_mut(hash, key, Window::default()).map_or(0, |e| e.state.held)
    }
}
