//! `quota`: at most `calls` per `renewal-period` seconds per subscription,
//! in fixed periods aligned to `first-period-start`, counted gateway-wide.
//!
//! ```xml
//! <quota calls="10000" renewal-period="3600" first-period-start="2024-01-01T00:00:00Z"/>
//! ```
//! Refusal: 403 `{ "statusCode": 403, "message": "Out of call volume quota.
//! Quota will be replenished in hh:mm:ss." }` with `Retry-After` (seconds),
//! `LastError.Reason` `QuotaExceeded`. `renewal-period="0"` never renews.
//! Not supported yet (configuration errors): `bandwidth` and nested
//! `<api>`/`<operation>` elements.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::limit_reply::{period, policy_identity, quota_refused};
use super::limits::{LimitKey, QuotaSpec, APIM_FIRST_PERIOD_START};

#[derive(Clone, Debug)]
pub struct Quota {
    pub spec: QuotaSpec,
    pub identity: Box<str>,
}

/// The [`QuotaSpec`] of a `quota` or `quota-by-key` element.
pub fn spec(c: &Compiler<'_>, el: &Element) -> Result<QuotaSpec, CompileError> {
    if c.attr(el, "bandwidth").is_some() {
        return Err(c.error(el, "`bandwidth` quotas are not supported yet"));
    }
    let calls = c
        .number(el, "calls")?
        .ok_or_else(|| c.error(el, "missing attribute `calls`"))?;
    let start = match c.attr(el, "first-period-start") {
        None => APIM_FIRST_PERIOD_START,
        Some(v) => parse_utc(v.trim()).ok_or_else(|| {
            c.error(
                el,
                format!("`first-period-start` must be like 2024-01-31T00:00:00Z, not `{v}`"),
            )
        })?,
    };
    Ok(QuotaSpec::new(Some(calls), None, period(c, el, true)?).starting_at(start))
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
    if let Some(child) = children(el).next() {
        return Err(c.error(child, "nested <api>/<operation> quotas are not supported yet"));
    }
    Ok(Quota {
        spec: spec(c, el)?,
        identity: policy_identity(el, ""),
    })
}

/// Checks and counts one call against `key`.
pub fn check(r: &mut Run<'_, '_>, source: &'static str, key: &LimitKey, spec: &QuotaSpec) -> Result<(), Failure> {
    let env = r.env;
    let d = env.services.limits.check_quota(key, spec, 1);
    if d.table_full {
        tracing::warn!(api = %env.api.id, "quota counters are full; refusing a new key");
    }
    if d.allowed {
        Ok(())
    } else {
        Err(quota_refused(r, source, d.retry_after))
    }
}

impl Quota {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let env = r.env;
        let subject = env
            .grant
            .subscription(&env.replica.subscriptions)
            .map_or("", |s| s.id.as_str());
        check(r, "quota", &LimitKey::per_policy(&*self.identity, subject), &self.spec)
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
