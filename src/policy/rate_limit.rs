//! `rate-limit`: at most `calls` per `renewal-period` seconds per
//! subscription, counted gateway-wide (sliding window, see docs/limits.md).
//!
//! ```xml
//! <rate-limit calls="20" renewal-period="90" remaining-calls-header-name="X-Remaining"/>
//! ```
//! Refusal: 429 `{ "statusCode": 429, "message": "Rate limit is exceeded.
//! Try again in N seconds." }` with `Retry-After: N`, `LastError.Reason`
//! `RateLimitExceeded`. Each element has its own counter per subscription
//! (requests without a subscription share one). Nested `<api>`/`<operation>`
//! elements add limits of their own for one API or operation
//! (`policy::limit_nested`); a request must fit every limit that applies,
//! and is counted by all of them only when it does. The remaining/total
//! headers report the limit with the fewest calls left.
//!
//! Per request the limits that apply are walked (twice with nested limits:
//! check all, then count all) straight from the compiled element, with
//! borrowed counter keys: a request on existing counters allocates nothing.

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::{Env, Run};
use super::failure::Failure;
use super::limit_nested::{self, Nested};
use super::limit_reply::{period, policy_identity, Names};
use super::limits::{LimitKeyRef, RateDecision};

#[derive(Clone, Debug)]
pub struct RateLimit {
    pub calls: u32,
    pub period: Duration,
    /// This element's identity in its counters' keys.
    pub identity: Box<str>,
    pub names: Names,
    /// `<api>`/`<operation>` limits: (calls, period).
    pub nested: Vec<Nested<(u32, Duration)>>,
}

/// `calls`: a positive 32-bit count.
pub fn calls(c: &Compiler<'_>, el: &Element) -> Result<u32, CompileError> {
    let n = c
        .number(el, "calls")?
        .ok_or_else(|| c.error(el, "missing attribute `calls`"))?;
    u32::try_from(n)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| c.error(el, format!("`calls` must be 1-{}, not {n}", u32::MAX)))
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<RateLimit, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    Ok(RateLimit {
        calls: calls(c, el)?,
        period: period(c, el, false)?,
        identity: policy_identity(el, ""),
        names: Names::compile(c, el)?,
        nested: limit_nested::compile(c, el, |c, e| Ok((calls(c, e)?, period(c, e, false)?)))?,
    })
}

impl RateLimit {
    /// This element's limit, then the nested ones that apply to the
    /// request, as (key, calls, period); borrows everything (no allocation).
    fn levels<'a>(
        &'a self,
        env: &'a Env<'_>,
        subject: &'a str,
    ) -> impl Iterator<Item = (LimitKeyRef<'a>, u32, Duration)> + 'a {
        let own = (
            LimitKeyRef::per_policy(&self.identity, subject),
            self.calls,
            self.period,
        );
        let nested = self.nested.iter().filter(move |n| n.applies(env));
        std::iter::once(own).chain(nested.map(move |n| {
            let (calls, period) = n.limit;
            (LimitKeyRef::per_policy(&n.identity, subject), calls, period)
        }))
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let env = r.env;
        let subject = env
            .grant
            .subscription(&env.replica.subscriptions)
            .map_or("", |s| s.id.as_str());
        let limits = &env.services.limits;
        // With nested limits, first check that every one has room (counting nothing).
        if self.levels(env, subject).nth(1).is_some() {
            for (key, calls, period) in self.levels(env, subject) {
                let d = limits.check_rate(key, calls, period, 0);
                if !d.allowed {
                    return Err(self.names.rate_refused(r, "rate-limit", d.retry_after));
                }
            }
        }
        let mut tightest: Option<(RateDecision, u32)> = None;
        for (key, calls, period) in self.levels(env, subject) {
            let d = limits.check_rate(key, calls, period, 1);
            if d.table_full {
                tracing::warn!(api = %env.api.id, "rate-limit counters are full; refusing a new key");
            }
            if !d.allowed {
                return Err(self.names.rate_refused(r, "rate-limit", d.retry_after));
            }
            if tightest.is_none_or(|(t, _)| d.remaining < t.remaining) {
                tightest = Some((d, calls));
            }
        }
        if let Some((d, calls)) = tightest {
            self.names.admitted(r, u64::from(d.remaining), u64::from(calls));
        }
        Ok(())
    }
}
