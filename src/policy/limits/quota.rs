//! Quotas (`quota`, `quota-by-key`): calls and/or kilobytes per fixed
//! renewal period, as APIM documents it: periods start at
//! `first-period-start` (default 0001-01-01T00:00:00Z) and repeat every
//! `renewal-period`, in UTC; a period of 0 means the quota never renews.
//!
//! Calls are checked before the request; bandwidth is known only after the
//! response, so it is added with [`Limits::add_bandwidth`] and a request is
//! refused once the period's bytes have reached the limit (the response
//! that crosses it completes). APIM counts a key once per request even if
//! several policies name it: the engine must not check twice with an
//! increment for one request.

use super::clock::duration_nanos;
use super::table::{Expiry, Window};
use super::{LimitKeyRef, Limits, Outcome, Probe};
use std::time::Duration;

/// APIM's default `first-period-start`, 0001-01-01T00:00:00Z, in Unix seconds.
pub const APIM_FIRST_PERIOD_START: i64 = -62_135_596_800;

/// One quota policy's limits (compiled once by the engine).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaSpec {
    pub calls: Option<u64>,
    pub bandwidth_kb: Option<u64>,
    /// Zero: the quota never renews.
    pub renewal_period: Duration,
    /// Unix seconds (may be before 1970).
    pub first_period_start: i64,
}

impl QuotaSpec {
    pub fn new(calls: Option<u64>, bandwidth_kb: Option<u64>, renewal_period: Duration) -> Self {
        QuotaSpec {
            calls,
            bandwidth_kb,
            renewal_period,
            first_period_start: APIM_FIRST_PERIOD_START,
        }
    }

    pub fn starting_at(self, first_period_start: i64) -> Self {
        QuotaSpec {
            first_period_start,
            ..self
        }
    }

    fn window(&self) -> Window {
        Window {
            period: duration_nanos(self.renewal_period),
            start: self.first_period_start,
        }
    }

    /// [start, end) of the period containing `now`, in unix nanos.
    fn period_at(&self, now: u64) -> (u64, u64) {
        let period = i128::from(duration_nanos(self.renewal_period));
        if period == 0 {
            return (0, u64::MAX);
        }
        let origin = i128::from(self.first_period_start) * 1_000_000_000;
        let start = origin + (i128::from(now) - origin).div_euclid(period) * period;
        let clamp = |t: i128| u64::try_from(t.max(0)).unwrap_or(u64::MAX);
        (clamp(start), clamp(start + period))
    }
}

/// Which part of a quota ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuotaLimit {
    /// APIM: "Out of call volume quota. Quota will be replenished in hh:mm:ss."
    Calls,
    /// APIM: "Out of bandwidth quota. Quota will be replenished in hh:mm:ss."
    Bandwidth,
}

/// The answer to one quota check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaDecision {
    pub allowed: bool,
    /// Set when denied because a limit ran out (not when the table is full).
    pub exceeded: Option<QuotaLimit>,
    pub remaining_calls: Option<u64>,
    pub remaining_kb: Option<u64>,
    /// Time until the current period ends; `None` for a quota that never renews.
    pub retry_after: Option<Duration>,
    /// Denied because the counter table is full and this key is new.
    pub table_full: bool,
}

#[derive(Debug)]
pub(super) struct QuotaState {
    start: u64,
    end: u64,
    calls: u64,
    bytes: u64,
}

impl QuotaState {
    fn fresh(now: u64, spec: &QuotaSpec) -> Self {
        let (start, end) = spec.period_at(now);
        QuotaState {
            start,
            end,
            calls: 0,
            bytes: 0,
        }
    }

    fn roll(&mut self, now: u64, spec: &QuotaSpec) {
        if now < self.start || now >= self.end {
            *self = QuotaState::fresh(now, spec);
        }
    }

    fn decide(&mut self, now: u64, spec: &QuotaSpec, increment: u64) -> QuotaDecision {
        self.roll(now, spec);
        let need = increment.max(1);
        let byte_limit = spec.bandwidth_kb.map(|kb| kb.saturating_mul(1024));
        let exceeded = if spec.calls.is_some_and(|c| self.calls.saturating_add(need) > c) {
            Some(QuotaLimit::Calls)
        } else if byte_limit.is_some_and(|b| self.bytes >= b) {
            Some(QuotaLimit::Bandwidth)
        } else {
            None
        };
        if exceeded.is_none() {
            self.calls = self.calls.saturating_add(increment);
        }
        QuotaDecision {
            allowed: exceeded.is_none(),
            exceeded,
            remaining_calls: spec.calls.map(|c| c.saturating_sub(self.calls)),
            remaining_kb: byte_limit.map(|b| b.saturating_sub(self.bytes) / 1024),
            retry_after: (self.end != u64::MAX).then(|| Duration::from_nanos(self.end.saturating_sub(now))),
            table_full: false,
        }
    }
}

impl Expiry for QuotaState {
    fn expires_at(&self) -> Option<u64> {
        (self.end != u64::MAX).then_some(self.end)
    }
}

impl Limits {
    /// Checks a quota and, when allowed, counts `increment` calls (0 when
    /// the increment is decided after the response; then count with
    /// [`Limits::add_quota_calls`]).
    pub fn check_quota<'k>(&self, key: impl Into<LimitKeyRef<'k>>, spec: &QuotaSpec, increment: u64) -> QuotaDecision {
        let key = key.into();
        let now = self.now().unix_nanos();
        let outcome = self.with_entry(
            &self.inner.quota,
            Probe {
                now,
                key,
                window: spec.window(),
                create: increment > 0,
            },
            || QuotaState::fresh(now, spec),
            |e, _| e.state.decide(now, spec, increment),
        );
        match outcome {
            Outcome::Done(decision) => decision,
            Outcome::Absent => QuotaState::fresh(now, spec).decide(now, spec, 0),
            Outcome::Full { retry_after } => QuotaDecision {
                allowed: false,
                exceeded: None,
                remaining_calls: None,
                remaining_kb: None,
                retry_after: Some(retry_after),
                table_full: true,
            },
        }
    }

    /// Adds response (or request) bytes to the key's current period. False
    /// if the table was full and the key new.
    pub fn add_bandwidth<'k>(&self, key: impl Into<LimitKeyRef<'k>>, spec: &QuotaSpec, bytes: u64) -> bool {
        self.add_quota(key, spec, 0, bytes)
    }

    /// Counts `calls` without checking (an increment decided after the response).
    pub fn add_quota_calls<'k>(&self, key: impl Into<LimitKeyRef<'k>>, spec: &QuotaSpec, calls: u64) -> bool {
        self.add_quota(key, spec, calls, 0)
    }

    /// Adds `calls` and `bytes` without checking (what was decided after
    /// the response). False if the table was full and the key new.
    pub fn add_quota<'k>(&self, key: impl Into<LimitKeyRef<'k>>, spec: &QuotaSpec, calls: u64, bytes: u64) -> bool {
        let key = key.into();
        if calls == 0 && bytes == 0 {
            return true;
        }
        let now = self.now().unix_nanos();
        let outcome = self.with_entry(
            &self.inner.quota,
            Probe {
                now,
                key,
                window: spec.window(),
                create: true,
            },
            || QuotaState::fresh(now, spec),
            |e, _| {
                e.state.roll(now, spec);
                e.state.calls = e.state.calls.saturating_add(calls);
                e.state.bytes = e.state.bytes.saturating_add(bytes);
            },
        );
        matches!(outcome, Outcome::Done(()))
    }
}
