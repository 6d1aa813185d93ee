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

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Type};
use super::failure::Failure;
use super::limit_after::{reads_response, Count, Deferred};
use super::limit_reply::{eval_increment, increment, period, Names};
use super::limits::LimitKey;
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
            .text_attr(el, "counter-key", Type::String)?
            .ok_or_else(|| c.error(el, "missing attribute `counter-key`"))?,
        condition: c.expr_attr(el, "increment-condition", Type::Bool)?,
        after_response: c.attr(el, "increment-condition").is_some_and(reads_response),
        increment: increment(c, el)?,
        names: Names::compile(c, el)?,
    })
}

impl RateLimitByKey {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let key = LimitKey::shared(r.eval(&self.counter_key, "rate-limit-by-key")?);
        let calls = eval_increment(r, &self.increment, "rate-limit-by-key")?;
        let deferred = self.condition.as_ref().filter(|_| self.after_response);
        let counted = deferred.is_none()
            && match &self.condition {
                Some(cond) => r.eval_bool(cond, "rate-limit-by-key")?,
                None => true,
            };
        let increment = if counted { calls } else { 0 };
        let env = r.env;
        let d = env.services.limits.check_rate(&key, self.calls, self.period, increment);
        if d.table_full {
            tracing::warn!(api = %env.api.id, "rate-limit counters are full; refusing a new key");
        }
        if !d.allowed {
            return Err(self.names.rate_refused(r, "rate-limit-by-key", d.retry_after));
        }
        self.names.admitted(r, u64::from(d.remaining), u64::from(self.calls));
        if let Some(cond) = deferred {
            let count = Count::Rate {
                period: self.period,
                calls,
            };
            r.flow.after.push(Deferred::on_response(key, count, cond));
        }
        Ok(())
    }
}
