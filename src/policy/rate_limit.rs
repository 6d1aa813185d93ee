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
//! elements are not supported yet (a configuration error).

use std::time::Duration;

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::limit_reply::{period, policy_identity, Names};
use super::limits::LimitKey;

#[derive(Clone, Debug)]
pub struct RateLimit {
    pub calls: u32,
    pub period: Duration,
    /// This element's identity in its counters' keys.
    pub identity: Box<str>,
    pub names: Names,
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
    if let Some(child) = children(el).next() {
        return Err(c.error(child, "nested <api>/<operation> limits are not supported yet"));
    }
    Ok(RateLimit {
        calls: calls(c, el)?,
        period: period(c, el, false)?,
        identity: policy_identity(el, ""),
        names: Names::compile(c, el)?,
    })
}

impl RateLimit {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let env = r.env;
        let subject = env
            .grant
            .subscription(&env.replica.subscriptions)
            .map_or("", |s| s.id.as_str());
        let key = LimitKey::per_policy(&*self.identity, subject);
        let d = env.services.limits.check_rate(&key, self.calls, self.period, 1);
        if d.table_full {
            tracing::warn!(api = %env.api.id, "rate-limit counters are full; refusing a new key");
        }
        if !d.allowed {
            return Err(self.names.rate_refused(r, "rate-limit", d.retry_after));
        }
        self.names.admitted(r, u64::from(d.remaining), u64::from(self.calls));
        Ok(())
    }
}
