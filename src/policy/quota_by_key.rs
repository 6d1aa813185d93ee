//! `quota-by-key`: `quota` per value of `counter-key`, one counter per value
//! shared by every policy and scope using it (with the same period and
//! start), counted gateway-wide.
//!
//! ```xml
//! <quota-by-key calls="1000" renewal-period="86400"
//!     counter-key="@(context.Request.IpAddress)" increment-condition="@(true)"/>
//! ```
//! Refusal as `quota` (403, `Retry-After`). `increment-condition` is
//! evaluated in inbound: when false the call is checked but not counted.

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Type};
use super::failure::Failure;
use super::limit_reply::quota_refused;
use super::limits::{LimitKey, QuotaSpec};
use super::text::Text;

#[derive(Clone, Debug)]
pub struct QuotaByKey {
    pub spec: QuotaSpec,
    pub counter_key: Text,
    pub condition: Option<Expr>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<QuotaByKey, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    Ok(QuotaByKey {
        spec: super::quota::spec(c, el)?,
        counter_key: c
            .text_attr(el, "counter-key", Type::String)?
            .ok_or_else(|| c.error(el, "missing attribute `counter-key`"))?,
        condition: c.expr_attr(el, "increment-condition", Type::Bool)?,
    })
}

impl QuotaByKey {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let key = LimitKey::shared(r.eval(&self.counter_key, "quota-by-key")?);
        let counted = match &self.condition {
            Some(cond) => r.eval_bool(cond, "quota-by-key")?,
            None => true,
        };
        if counted {
            return super::quota::check(r, "quota-by-key", &key, &self.spec);
        }
        let d = r.env.services.limits.check_quota(&key, &self.spec, 0);
        if d.allowed {
            Ok(())
        } else {
            Err(quota_refused(r, "quota-by-key", d.retry_after))
        }
    }
}
