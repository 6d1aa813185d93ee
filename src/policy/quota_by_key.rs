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
//!
//! The evaluated key is lent to the check (`Run::with_value`); an admitted
//! call records it, owned, on the flow (which is how the key is counted
//! once per request, and how bandwidth is added after the response).

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Want};
use super::failure::Failure;
use super::limit_after::{reads_response, Count, Deferred};
use super::limit_reply::{eval_increment, increment, quota_refused};
use super::limits::{LimitKeyRef, QuotaSpec};
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
            .text_attr(el, "counter-key", Want::String)?
            .ok_or_else(|| c.error(el, "missing attribute `counter-key`"))?,
        condition: c.expr_attr(el, "increment-condition", Want::Bool)?,
        after_response: c.attr(el, "increment-condition").is_some_and(reads_response),
        increment: increment(c, el)?,
    })
}

impl QuotaByKey {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        const SOURCE: &str = "quota-by-key";
        let deferred = self.condition.as_ref().filter(|_| self.after_response);
        let checked = r.with_value(&self.counter_key, SOURCE, |r, key| {
            let key = LimitKeyRef::Shared(key);
            let seen = r
                .flow
                .after
                .iter()
                .any(|d| d.key.borrowed() == key && matches!(d.count, Count::Quota { .. }));
            if seen {
                // Already checked and counted for this request by another policy.
                return Ok(None);
            }
            let increment = u64::from(eval_increment(r, &self.increment, SOURCE)?);
            let counted = deferred.is_none()
                && match &self.condition {
                    Some(cond) => r.eval_bool(cond, SOURCE)?,
                    None => true,
                };
            let limits = &r.env.services.limits;
            let d = limits.check_quota(key, &self.spec, if counted { increment } else { 0 });
            // The entry marks the key as counted for this request (and adds
            // the bytes later), so it needs an owned key.
            let entry = d.allowed.then(|| match deferred {
                Some(cond) => Deferred::on_response(
                    key.into_owned(),
                    Count::Quota {
                        spec: &self.spec,
                        calls: increment,
                    },
                    cond,
                ),
                None => Deferred::decided(
                    key.into_owned(),
                    Count::Quota {
                        spec: &self.spec,
                        calls: 0,
                    },
                    counted,
                ),
            });
            Ok(Some((d, entry)))
        });
        let Some((d, entry)) = checked?? else {
            return Ok(());
        };
        if d.table_full {
            tracing::warn!(api = %r.env.api.id, "quota counters are full; refusing a new key");
        }
        if !d.allowed {
            return Err(quota_refused(r, SOURCE, d.retry_after, d.exceeded));
        }
        r.flow.after.extend(entry);
        Ok(())
    }
}
