//! Rate limits (`rate-limit`, `rate-limit-by-key`): at most `calls` in any
//! sliding window of `renewal-period`, as APIM documents it.
//!
//! A counter is a short log of slots `(last call, count)`: a call joins the
//! newest slot when that slot was opened less than period/16 ago (or when
//! the log already has 16 slots), else opens a new one. A slot expires a
//! full period after its **last** call, so no call is ever forgotten early:
//! the guarantee "at most `calls` admitted in any interval of one period"
//! is exact, and the only slack is on the safe side — a call may be
//! remembered up to period/16 too long (a burst at one instant, the usual
//! test, is remembered exactly one period). Memory: at most 16 slots.

use super::clock::duration_nanos;
use super::table::{Expiry, Window};
use super::{LimitKeyRef, Limits, Outcome, Probe};
use std::collections::VecDeque;
use std::time::Duration;

const SLOTS: usize = 16;

/// The answer to one rate check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    /// Calls still allowed in the current window (after this one, if counted).
    pub remaining: u32,
    /// When denied: how long until the request would be allowed (round up
    /// to whole seconds for `Retry-After`). Zero when allowed.
    pub retry_after: Duration,
    /// Denied because the counter table is full and this key is new.
    pub table_full: bool,
}

impl RateDecision {
    fn allow(remaining: u64) -> Self {
        let remaining = u32::try_from(remaining).unwrap_or(u32::MAX);
        RateDecision {
            allowed: true,
            remaining,
            retry_after: Duration::ZERO,
            table_full: false,
        }
    }

    fn deny(remaining: u64, retry_after: Duration) -> Self {
        let remaining = u32::try_from(remaining).unwrap_or(u32::MAX);
        RateDecision {
            allowed: false,
            remaining,
            retry_after,
            table_full: false,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    last: u64,
    count: u64,
}

#[derive(Debug)]
pub(super) struct RateState {
    period: u64,
    used: u64,
    newest_opened: u64,
    slots: VecDeque<Slot>,
}

impl RateState {
    fn new(period: u64) -> Self {
        RateState {
            period,
            used: 0,
            newest_opened: 0,
            slots: VecDeque::new(),
        }
    }

    fn expire(&mut self, now: u64) {
        while let Some(slot) = self.slots.front() {
            if slot.last.saturating_add(self.period) > now {
                break;
            }
            self.used = self.used.saturating_sub(slot.count);
            self.slots.pop_front();
        }
    }

    fn record(&mut self, now: u64, n: u64) {
        self.used = self.used.saturating_add(n);
        let granule = self.period / SLOTS as u64;
        let full = self.slots.len() >= SLOTS;
        if let Some(back) = self.slots.back_mut() {
            if full || now.saturating_sub(self.newest_opened) < granule {
                back.last = back.last.max(now);
                back.count = back.count.saturating_add(n);
                return;
            }
        }
        self.slots.push_back(Slot { last: now, count: n });
        self.newest_opened = now;
    }

    /// Time until `need` more calls fit under `calls`.
    fn retry_after(&self, now: u64, calls: u64, need: u64) -> Duration {
        if need > calls {
            return Duration::from_nanos(self.period);
        }
        let excess = self.used.saturating_add(need).saturating_sub(calls);
        let mut freed = 0;
        for slot in &self.slots {
            freed += slot.count;
            if freed >= excess {
                return Duration::from_nanos(slot.last.saturating_add(self.period).saturating_sub(now));
            }
        }
        Duration::from_nanos(self.period)
    }
}

impl Expiry for RateState {
    fn expires_at(&self) -> Option<u64> {
        Some(self.slots.back().map_or(0, |s| s.last.saturating_add(self.period)))
    }
}

impl Limits {
    /// Checks a rate limit of `calls` per sliding `period` and, when
    /// allowed, counts `increment` calls (APIM's `increment-count`; 0 when
    /// `increment-condition` is false or is evaluated later — then count
    /// with [`Limits::add_rate_calls`]). A request needs room for
    /// `max(increment, 1)` calls.
    pub fn check_rate<'k>(
        &self,
        key: impl Into<LimitKeyRef<'k>>,
        calls: u32,
        period: Duration,
        increment: u32,
    ) -> RateDecision {
        let key = key.into();
        let now = self.now().unix_nanos();
        let period = duration_nanos(period);
        let window = Window { period, start: 0 };
        let calls = u64::from(calls);
        let need = u64::from(increment.max(1));
        let outcome = self.with_entry(
            &self.inner.rate,
            Probe {
                now,
                key,
                window,
                create: increment > 0,
            },
            || RateState::new(period),
            |e, _| {
                let s = &mut e.state;
                s.expire(now);
                if s.used.saturating_add(need) <= calls {
                    if increment > 0 {
                        s.record(now, u64::from(increment));
                    }
                    RateDecision::allow(calls - s.used)
                } else {
                    RateDecision::deny(calls.saturating_sub(s.used), s.retry_after(now, calls, need))
                }
            },
        );
        match outcome {
            Outcome::Done(decision) => decision,
            Outcome::Absent if need <= calls => RateDecision::allow(calls),
            Outcome::Absent => RateDecision::deny(calls, Duration::from_nanos(period)),
            Outcome::Full { retry_after } => RateDecision {
                allowed: false,
                remaining: 0,
                retry_after,
                table_full: true,
            },
        }
    }

    /// Counts `n` calls without checking (an increment decided after the
    /// response). False if the table was full and the key new.
    pub fn add_rate_calls<'k>(&self, key: impl Into<LimitKeyRef<'k>>, period: Duration, n: u32) -> bool {
        let key = key.into();
        if n == 0 {
            return true;
        }
        let now = self.now().unix_nanos();
        let period = duration_nanos(period);
        let window = Window { period, start: 0 };
        let outcome = self.with_entry(
            &self.inner.rate,
            Probe {
                now,
                key,
                window,
                create: true,
            },
            || RateState::new(period),
            |e, _| {
                e.state.expire(now);
                e.state.record(now, u64::from(n));
            },
        );
        matches!(outcome, Outcome::Done(()))
    }
}
