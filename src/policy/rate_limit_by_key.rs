//! `rate-limit-by-key`: at most `calls` per `renewal-period` seconds per
//! value of `counter-key`, one counter per value shared by every policy and
//! scope using it, counted gateway-wide.
//!
//! ```xml
//! <rate-limit-by-key calls="10" renewal-period="60"
//!     counter-key="@(context.Request.IpAddress)"
//!     increment-condition="@(context.Request.Method != "OPTIONS")" increment-count="1"/>
//! ```
//! Refusal as `rate-limit` (429, `Retry-After`). `increment-condition` is
//! evaluated in inbound, before the request is forwarded: when false the
//! request is checked against the limit but not counted.

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Type};
use super::failure::Failure;
use super::limit_reply::{period, Names};
use super::limits::LimitKey;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct RateLimitByKey {
    pub calls: u32,
    pub period: Duration,
    pub counter_key: Text,
    pub condition: Option<Expr>,
    pub increment: u32,
    pub names: Names,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<RateLimitByKey, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    let increment = c.number(el, "increment-count")?.unwrap_or(1);
    let increment =
        u32::try_from(increment).map_err(|_| c.error(el, format!("`increment-count` is too large: {increment}")))?;
    Ok(RateLimitByKey {
        calls: super::rate_limit::calls(c, el)?,
        period: period(c, el, false)?,
        counter_key: c
            .text_attr(el, "counter-key", Type::String)?
            .ok_or_else(|| c.error(el, "missing attribute `counter-key`"))?,
        condition: c.expr_attr(el, "increment-condition", Type::Bool)?,
        increment,
        names: Names::compile(c, el)?,
    })
}

impl RateLimitByKey {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let key = LimitKey::shared(r.eval(&self.counter_key, "rate-limit-by-key")?);
        let counted = match &self.condition {
            Some(cond) => r.eval_bool(cond, "rate-limit-by-key")?,
            None => true,
        };
        let increment = if counted { self.increment } else { 0 };
        let env = r.env;
        let d = env.services.limits.check_rate(&key, self.calls, self.period, increment);
        if d.table_full {
            tracing::warn!(api = %env.api.id, "rate-limit counters are full; refusing a new key");
        }
        if !d.allowed {
            return Err(self.names.rate_refused(r, "rate-limit-by-key", d.retry_after));
        }
        self.names.admitted(r, u64::from(d.remaining), u64::from(self.calls));
        Ok(())
    }
}
