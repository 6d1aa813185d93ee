//! `quota`: at most `calls` per `renewal-period` seconds per subscription,
//! in fixed periods aligned to `first-period-start`, counted gateway-wide.
//!
//! ```xml
//! <quota calls="10000" renewal-period="3600" first-period-start="2024-01-01T00:00:00Z"/>
//! ```
//! Refusal: 403 `{ "statusCode": 403, "message": "Out of call volume quota.
//! Quota will be replenished in hh:mm:ss." }` with `Retry-After` (seconds),
//! `LastError.Reason` `QuotaExceeded`. `renewal-period="0"` never renews.
//! `bandwidth` (kilobytes, alone or with `calls`) counts the request and
//! response body bytes of each admitted call once it is over (see
//! `policy::limit_after`); once a period's bytes reached the limit, calls
//! are refused with "Out of bandwidth quota. …". Nested `<api>`/`<operation>`
//! elements add quotas of their own (`policy::limit_nested`); a call must
//! fit every quota that applies, and is counted by all of them only when
//! it does. Counter keys are borrowed: a request on existing counters
//! allocates nothing (a bandwidth quota records an owned key on the flow
//! for after the response).

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::{Env, Run};
use super::failure::Failure;
use super::limit_after::{Count, Deferred};
use super::limit_nested::{self, Nested};
use super::limit_reply::{period, policy_identity, quota_refused};
use super::limits::{LimitKeyRef, QuotaSpec, APIM_FIRST_PERIOD_START};

#[derive(Clone, Debug)]
pub struct Quota {
    pub spec: QuotaSpec,
    pub identity: Box<str>,
    pub nested: Vec<Nested<QuotaSpec>>,
}

/// The [`QuotaSpec`] of a `quota` or `quota-by-key` element (or of a
/// nested `<api>`/`<operation>`).
pub fn spec(c: &Compiler<'_>, el: &Element) -> Result<QuotaSpec, CompileError> {
    let calls = c.number(el, "calls")?;
    let bandwidth = c.number(el, "bandwidth")?;
    if calls.is_none() && bandwidth.is_none() {
        return Err(c.error(el, "needs `calls`, `bandwidth` or both"));
    }
    let start = match c.attr(el, "first-period-start") {
        None => APIM_FIRST_PERIOD_START,
        Some(v) => parse_utc(v.trim()).ok_or_else(|| {
            c.error(
                el,
                format!("`first-period-start` must be like 2024-01-31T00:00:00Z, not `{v}`"),
            )
        })?,
    };
    Ok(QuotaSpec::new(calls, bandwidth, period(c, el, true)?).starting_at(start))
}

/// `YYYY-MM-DDThh:mm:ss[Z]` (UTC) as unix seconds.
pub fn parse_utc(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once('T').unwrap_or((s, "00:00:00"));
    let num = |p: Option<&str>| p.and_then(|v| v.parse::<i64>().ok());
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next())?, num(d.next())?, num(d.next())?);
    let mut t = time.split(':');
    let (h, mi, sec) = (num(t.next())?, num(t.next())?, num(t.next())?);
    if d.next().is_some() || t.next().is_some() {
        return None;
    }
    // No leap second here: a period starts on a whole minute's second.
    if sec >= 60 {
        return None;
    }
    crate::civil_date::DateTimeParts::unix_from_fields(y, m, day, h, mi, sec)
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<Quota, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    Ok(Quota {
        spec: spec(c, el)?,
        identity: policy_identity(el, ""),
        nested: limit_nested::compile(c, el, spec)?,
    })
}

impl Quota {
    /// This element's quota, then the nested ones that apply to the
    /// request; borrows everything (no allocation).
    fn levels<'s: 'e, 'e>(
        &'s self,
        env: &'e Env<'_>,
        subject: &'e str,
    ) -> impl Iterator<Item = (LimitKeyRef<'e>, &'s QuotaSpec)> + 'e {
        let own = (LimitKeyRef::per_policy(&self.identity, subject), &self.spec);
        let nested = self.nested.iter().filter(move |n| n.applies(env));
        std::iter::once(own).chain(nested.map(move |n| (LimitKeyRef::per_policy(&n.identity, subject), &n.limit)))
    }

    /// Checks that one more call fits every quota that applies (counting
    /// nothing), then counts it; records bandwidth for after the response
    /// (the one place that needs an owned key).
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        const SOURCE: &str = "quota";
        let env = r.env;
        let subject = env
            .grant
            .subscription(&env.replica.subscriptions)
            .map_or("", |s| s.id.as_str());
        let limits = &env.services.limits;
        if self.levels(env, subject).nth(1).is_some() {
            for (key, spec) in self.levels(env, subject) {
                let d = limits.check_quota(key, spec, 0);
                if !d.allowed {
                    return Err(quota_refused(r, SOURCE, d.retry_after, d.exceeded));
                }
            }
        }
        for (key, spec) in self.levels(env, subject) {
            let d = limits.check_quota(key, spec, 1);
            if d.table_full {
                tracing::warn!(api = %env.api.id, "quota counters are full; refusing a new key");
            }
            if !d.allowed {
                return Err(quota_refused(r, SOURCE, d.retry_after, d.exceeded));
            }
            if spec.bandwidth_kb.is_some() {
                let bytes = Deferred::decided(key.into_owned(), Count::Quota { spec, calls: 0 }, true);
                r.flow.after.push(bytes);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2024-03-01T01:02:03Z"), Some(1_709_254_923));
        assert_eq!(parse_utc("0001-01-01T00:00:00Z"), Some(APIM_FIRST_PERIOD_START));
        assert_eq!(parse_utc("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_utc("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_utc("yesterday"), None);
    }
}
