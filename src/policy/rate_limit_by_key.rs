//! `rate-limit-by-key`: at most `calls` per `renewal-period` seconds per
//! value of `counter-key`, one counter per value shared by every policy and
//! scope using it, counted gateway-wide.
//!
//! ```xml
//! <rate-limit-by-key calls="10" renewal-period="60"
//!     counter-key="@(context.Request.IpAddress)"
//!     increment-condition="@(context.Request.Method != "OPTIONS")" increment-count="1"/>
//! ```
//! Refusal as `rate-limit` (429, `Retry-After`). `increment-count` (default
//! 1, *expr*) counts a request as several calls. `increment-condition` is
//! evaluated in inbound, before the request is forwarded (when false the
//! request is checked against the limit but not counted), unless it reads
//! `context.Response`: then the limit is checked on the request and the
//! calls are counted after the response if the condition holds there
//! (`policy::limit_after`).
//!
//! The evaluated key is lent to the counter check, not copied (see
//! `Run::with_value`): a literal key or one read from the request
//! (a header, the subscription id) costs no allocation on an existing
//! counter; a computed one (`context.Request.IpAddress`) costs what its
//! evaluation allocates. A count deferred to the response keeps an owned key.

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Want};
use super::failure::Failure;
use super::limit_after::{reads_response, Count, Deferred};
use super::limit_reply::{eval_increment, increment, period, Names};
use super::limits::LimitKeyRef;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct RateLimitByKey {
    pub calls: u32,
    pub period: Duration,
    pub counter_key: Text,
    pub condition: Option<Expr>,
    /// The condition reads the response: count after it.
    pub after_response: bool,
    pub increment: Text,
    pub names: Names,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<RateLimitByKey, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    Ok(RateLimitByKey {
        calls: super::rate_limit::calls(c, el)?,
        period: period(c, el, false)?,
        counter_key: c
            .text_attr(el, "counter-key", Want::String)?
            .ok_or_else(|| c.error(el, "missing attribute `counter-key`"))?,
        condition: c.expr_attr(el, "increment-condition", Want::Bool)?,
        after_response: c.attr(el, "increment-condition").is_some_and(reads_response),
        increment: increment(c, el)?,
        names: Names::compile(c, el)?,
    })
}

impl RateLimitByKey {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        const SOURCE: &str = "rate-limit-by-key";
        let deferred = self.condition.as_ref().filter(|_| self.after_response);
        // The key is borrowed while the counter is checked; it is copied
        // only when the count waits for the response.
        let checked = r.with_value(&self.counter_key, SOURCE, |r, key| {
            let calls = eval_increment(r, &self.increment, SOURCE)?;
            let counted = deferred.is_none()
                && match &self.condition {
                    Some(cond) => r.eval_bool(cond, SOURCE)?,
                    None => true,
                };
            let increment = if counted { calls } else { 0 };
            let d = r
                .env
                .services
                .limits
                .check_rate(LimitKeyRef::Shared(key), self.calls, self.period, increment);
            let after = deferred.filter(|_| d.allowed).map(|cond| {
                let count = Count::Rate {
                    period: self.period,
                    calls,
                };
                Deferred::on_response(LimitKeyRef::Shared(key).into_owned(), count, cond)
            });
            Ok((d, after))
        });
        let (d, after) = checked??;
        if d.table_full {
            tracing::warn!(api = %r.env.api.id, "rate-limit counters are full; refusing a new key");
        }
        if !d.allowed {
            return Err(self.names.rate_refused(r, SOURCE, d.retry_after));
        }
        self.names.admitted(r, u64::from(d.remaining), u64::from(self.calls));
        if let Some(after) = after {
            r.flow.after.push(after);
        }
        Ok(())
    }
}
