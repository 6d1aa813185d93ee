//! Gateway-wide counters behind `rate-limit`, `rate-limit-by-key`, `quota`,
//! `quota-by-key` and `limit-concurrency` (the policies themselves, XML and
//! responses, belong to the policy engine, which calls this API).
//!
//! This is the one structure on the request path that every worker shares:
//! a limit of N calls allows N across the whole process, not N per core.
//! Design (docs/architecture.md, "Limit counters"):
//! - three [`table::Table`]s (rate, quota, concurrency) of 64 cache-padded,
//!   mutex-guarded shards each, keyed by a randomly seeded hash of
//!   (key, window); a check locks one shard for an O(1) update, so workers
//!   contend only when they touch keys of the same shard at the same moment;
//! - counts are exact: no per-worker leases, so no slack (the only
//!   deviation is that a rate counter remembers a call up to 1/16 of its
//!   period too long, see [`rate`]), which errs on the safe side;
//! - at most `max_keys` entries over all tables; when full, expired entries
//!   are swept and, if none can be freed, a check that needs a **new** key
//!   **fails closed** (denied with `table_full`), while existing keys keep
//!   working; idle entries are dropped by sweeps (see [`Limits::sweep`]);
//! - a check takes its key borrowed (anything that is
//!   `Into<`[`LimitKeyRef`]`>`, including `&LimitKey`): checking an existing
//!   counter allocates nothing; the owned [`LimitKey`] is made only when a
//!   new counter is inserted (`tests/alloc_free.rs` holds the policies to it).
//!
//! Invariants: a thread holds at most one shard lock at a time, and never
//! across an `.await` (every method is synchronous); a [`Permit`] gives its
//! slot back when dropped, so a cancelled request never leaks one.

mod clock;
mod concurrency;
mod key;
mod quota;
mod rate;
mod table;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;

pub use clock::{Clock, ManualClock, Moment, SystemClock};
pub use concurrency::{ConcurrencyDenied, Permit};
pub use key::{LimitKey, LimitKeyRef};
pub use quota::{QuotaDecision, QuotaLimit, QuotaSpec, APIM_FIRST_PERIOD_START};
pub use rate::RateDecision;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use table::{lock, Budget, Entry, Expiry, ShardRef, Table, Window, SWEEP_INTERVAL};

/// Default shard count per table: enough that 64 workers rarely meet.
pub const DEFAULT_SHARDS: usize = 64;
/// A sensible `max_keys` when nothing else is configured (~50 MB worst case).
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// The process-wide limit counters. Cloning is cheap (one `Arc`); every
/// worker keeps a clone.
#[derive(Clone)]
pub struct Limits {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    budget: Budget,
    rate: Table<rate::RateState>,
    quota: Table<quota::QuotaState>,
    concurrency: Table<concurrency::ConcState>,
    /// No full-table reclaim before this moment (unix nanos).
    next_reclaim: AtomicU64,
    /// When a full table can next be expected to free an entry.
    full_until: AtomicU64,
}

/// Which entry a check wants, and whether it may create it.
#[derive(Clone, Copy)]
struct Probe<'a> {
    now: u64,
    key: LimitKeyRef<'a>,
    window: Window,
    create: bool,
}

enum Outcome<R> {
    Done(R),
    Absent,
    Full { retry_after: Duration },
}

impl Limits {
    pub fn new(clock: Arc<dyn Clock>, max_keys: usize) -> Self {
        Self::with_shards(clock, max_keys, DEFAULT_SHARDS)
    }

    pub fn with_shards(clock: Arc<dyn Clock>, max_keys: usize, shards: usize) -> Self {
        Limits {
            inner: Arc::new(Inner {
                clock,
                budget: Budget::new(max_keys),
                rate: Table::new(shards),
                quota: Table::new(shards),
                concurrency: Table::new(shards),
                next_reclaim: AtomicU64::new(0),
                full_until: AtomicU64::new(0),
            }),
        }
    }

    pub fn now(&self) -> Moment {
        self.inner.clock.now()
    }

    /// Live entries over all kinds.
    pub fn len(&self) -> usize {
        self.inner.budget.used()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn max_keys(&self) -> usize {
        self.inner.budget.max()
    }

    /// Drops every expired entry now (one shard lock at a time). Checks
    /// also sweep on their own (a shard when it creates a key, all shards
    /// when the table is full); calling this from the control thread every
    /// second keeps memory near the live working set.
    pub fn sweep(&self) -> usize {
        self.sweep_all(self.now().unix_nanos()).0
    }

    fn sweep_all(&self, now: u64) -> (usize, u64) {
        let i = &self.inner;
        let (a, ea) = i.rate.sweep_all(now);
        let (b, eb) = i.quota.sweep_all(now);
        let (c, ec) = i.concurrency.sweep_all(now);
        i.budget.give_back(a + b + c);
        (a + b + c, ea.min(eb).min(ec))
    }

    /// When full: sweeps everything, at most once per `SWEEP_INTERVAL`
    /// (one thread wins the right to sweep). True if it swept.
    fn reclaim(&self, now: u64) -> bool {
        let i = &self.inner;
        let next = i.next_reclaim.load(Ordering::Acquire);
        let until = now.saturating_add(SWEEP_INTERVAL);
        if now < next
            || i.next_reclaim
                .compare_exchange(next, until, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return false;
        }
        let (_, earliest) = self.sweep_all(now);
        i.full_until.store(earliest.max(until), Ordering::Release);
        true
    }

    fn full_retry_after(&self, now: u64) -> Duration {
        let until = self
            .inner
            .full_until
            .load(Ordering::Acquire)
            .max(now.saturating_add(SWEEP_INTERVAL));
        Duration::from_nanos(until - now)
    }

    /// Runs `f` on the entry for (key, window), creating it with `make`
    /// when `create` (and the budget allows). One shard lock is held
    /// throughout `f`.
    fn with_entry<S, R>(
        &self,
        table: &Table<S>,
        probe: Probe<'_>,
        make: impl FnOnce() -> S,
        f: impl FnOnce(&mut Entry<S>, &ShardRef<S>) -> R,
    ) -> Outcome<R>
    where
        S: Expiry,
    {
        let hash = table.hash(probe.key, probe.window);
        let shard = table.shard(hash);
        let now = probe.now;
        match self.attempt(shard, hash, probe, make, f) {
            Ok(outcome) => outcome,
            Err((make, f)) => {
                let retried = self.reclaim(now).then(|| self.attempt(shard, hash, probe, make, f));
                match retried {
                    Some(Ok(outcome)) => outcome,
                    _ => Outcome::Full {
                        retry_after: self.full_retry_after(now),
                    },
                }
            }
        }
    }

    /// One try; gives the closures back when the budget is exhausted.
    fn attempt<S, R, M, F>(
        &self,
        shard: &ShardRef<S>,
        hash: u64,
        probe: Probe<'_>,
        make: M,
        f: F,
    ) -> Result<Outcome<R>, (M, F)>
    where
        S: Expiry,
        M: FnOnce() -> S,
        F: FnOnce(&mut Entry<S>, &ShardRef<S>) -> R,
    {
        let Probe {
            now,
            key,
            window,
            create,
        } = probe;
        let mut s = lock(shard);
        if let Some(entry) = s.find_mut(hash, key, window) {
            let r = f(entry, shard);
            let expiry = entry.state.expires_at();
            s.note_expiry(expiry);
            return Ok(Outcome::Done(r));
        }
        if !create {
            return Ok(Outcome::Absent);
        }
        if s.sweep_due(now) {
            let dropped = s.sweep(now);
            self.inner.budget.give_back(dropped);
        }
        if !self.inner.budget.try_take() {
            return Err((make, f));
        }
        let entry = s.insert(hash, key, window, make());
        let r = f(entry, shard);
        let expiry = entry.state.expires_at();
        s.note_expiry(expiry);
        Ok(Outcome::Done(r))
    }
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("len", &self.len())
            .field("max_keys", &self.max_keys())
            .finish()
    }
}
