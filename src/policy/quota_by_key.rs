//! `quota-by-key`: `quota` per value of `counter-key`, one counter per value
//! shared by every policy and scope using it (with the same period and
//! start), counted gateway-wide.
//!
//! ```xml
//! <quota-by-key calls="10000" bandwidth="40000" renewal-period="3600"
//!     counter-key="@(context.Request.IpAddress)"
//!     increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)"/>
//! ```
//! Refusal as `quota` (403, `Retry-After`). `increment-count` (default 1,
//! *expr*) counts a call as several. `increment-condition` decides whether
//! the call counts (calls and bandwidth): evaluated in inbound, or, when it
//! reads `context.Response`, after the response (the quota is still checked
//! on the request; see `policy::limit_after`). A key is counted at most once
//! per request even if several policies name it (APIM).

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Type};
use super::failure::Failure;
use super::limit_after::{reads_response, Count, Deferred};
use super::limit_reply::{eval_increment, increment, quota_refused};
use super::limits::{LimitKey, QuotaSpec};
use super::text::Text;

#[derive(Clone, Debug)]
pub struct QuotaByKey {
    pub spec: QuotaSpec,
    pub counter_key: Text,
    pub condition: Option<Expr>,
    /// The condition reads the response: decide after it.
    pub after_response: bool,
    pub increment: Text,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<QuotaByKey, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    Ok(QuotaByKey {
        spec: super::quota::spec(c, el)?,
        counter_key: c
            .text_attr(el, "counter-key", Type::String)?
            .ok_or_else(|| c.error(el, "missing attribute `counter-key`"))?,
        condition: c.expr_attr(el, "increment-condition", Type::Bool)?,
        after_response: c.attr(el, "increment-condition").is_some_and(reads_response),
        increment: increment(c, el)?,
    })
}

impl QuotaByKey {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        const SOURCE: &str = "quota-by-key";
        let key = LimitKey::shared(r.eval(&self.counter_key, SOURCE)?);
        let seen = r
            .flow
            .after
            .iter()
            .any(|d| d.key == key && matches!(d.count, Count::Quota { .. }));
        if seen {
            // Already checked and counted for this request by another policy.
            return Ok(());
        }
        let increment = u64::from(eval_increment(r, &self.increment, SOURCE)?);
        let deferred = self.condition.as_ref().filter(|_| self.after_response);
        let counted = deferred.is_none()
            && match &self.condition {
                Some(cond) => r.eval_bool(cond, SOURCE)?,
                None => true,
            };
        let limits = &r.env.services.limits;
        let d = limits.check_quota(&key, &self.spec, if counted { increment } else { 0 });
        if d.table_full {
            tracing::warn!(api = %r.env.api.id, "quota counters are full; refusing a new key");
        }
        if !d.allowed {
            return Err(quota_refused(r, SOURCE, d.retry_after, d.exceeded));
        }
        let entry = match deferred {
            Some(cond) => Deferred::on_response(
                key,
                Count::Quota {
                    spec: &self.spec,
                    calls: increment,
                },
                cond,
            ),
            // Marks the key as counted for this request; adds the bytes later.
            None => Deferred::decided(
                key,
                Count::Quota {
                    spec: &self.spec,
                    calls: 0,
                },
                counted,
            ),
        };
        r.flow.after.push(entry);
        Ok(())
    }
}
