//! What `rate-limit`, `rate-limit-by-key`, `quota` and `quota-by-key` share:
//! their optional header/variable names and APIM's refusals (429
//! `Rate limit is exceeded. Try again in N seconds.` with `Retry-After: N`;
//! 403 `Out of call volume quota. Quota will be replenished in hh:mm:ss.`
//! with `Retry-After`).
//!
//! Invariant: names are borrowed from the compiled program; the extra
//! headers of a refusal are recorded on the flow (`Flow::error_headers`),
//! which the error response picks up, because their names are configurable.

use std::borrow::Cow;
use std::time::Duration;

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Value;
use super::expr::Want;
use super::failure::Failure;
use super::limits::QuotaLimit;
use super::text::Text;

/// The optional `*-header-name` / `*-variable-name` attributes.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub retry_after_header: Option<Box<str>>,
    pub retry_after_variable: Option<Box<str>>,
    pub remaining_header: Option<Box<str>>,
    pub remaining_variable: Option<Box<str>>,
    pub total_header: Option<Box<str>>,
}

impl Names {
    pub fn compile(c: &Compiler<'_>, el: &Element) -> Result<Names, CompileError> {
        let name = |attr: &str| -> Result<Option<Box<str>>, CompileError> {
            match c.attr(el, attr).map(str::trim) {
                None => Ok(None),
                Some("") => Err(c.error(el, format!("`{attr}` must not be empty"))),
                Some(v) => Ok(Some(v.into())),
            }
        };
        Ok(Names {
            retry_after_header: name("retry-after-header-name")?,
            retry_after_variable: name("retry-after-variable-name")?,
            remaining_header: name("remaining-calls-header-name")?,
            remaining_variable: name("remaining-calls-variable-name")?,
            total_header: name("total-calls-header-name")?,
        })
    }

    /// After an admitted call: remaining/total headers and variable.
    pub fn admitted<'p>(&'p self, r: &mut Run<'_, 'p>, remaining: u64, total: u64) {
        for (h, n) in [(&self.remaining_header, remaining), (&self.total_header, total)] {
            if let Some(h) = h {
                r.flow.response.headers.remove(h);
                r.flow.response.headers.add(h, Cow::Owned(n.to_string()));
            }
        }
        if let Some(v) = &self.remaining_variable {
            r.flow.set_var(Cow::Borrowed(v), Value::Int(saturate(remaining)));
        }
    }

    /// A refused rate-limited call: 429 with `Retry-After` (or the
    /// configured header) and the retry variable.
    pub fn rate_refused<'p>(&'p self, r: &mut Run<'_, 'p>, source: &'static str, retry_after: Duration) -> Failure {
        let secs = whole_seconds(retry_after);
        self.retry_headers(r, secs);
        Failure::new(
            source,
            "RateLimitExceeded",
            429,
            format!("Rate limit is exceeded. Try again in {secs} seconds."),
        )
    }

    fn retry_headers<'p>(&'p self, r: &mut Run<'_, 'p>, secs: u64) {
        let header = self.retry_after_header.as_deref().unwrap_or("Retry-After");
        r.flow.error_headers.push((header, secs.to_string()));
        if let Some(v) = &self.retry_after_variable {
            r.flow.set_var(Cow::Borrowed(v), Value::Int(saturate(secs)));
        }
    }
}

/// A refused quota call: 403 with `Retry-After`; the message names the
/// part that ran out (calls unless it was the bandwidth).
pub fn quota_refused(
    r: &mut Run<'_, '_>,
    source: &'static str,
    retry_after: Option<Duration>,
    exceeded: Option<QuotaLimit>,
) -> Failure {
    let secs = retry_after.map_or(0, whole_seconds);
    if retry_after.is_some() {
        r.flow.error_headers.push(("Retry-After", secs.to_string()));
    }
    let what = match exceeded {
        Some(QuotaLimit::Bandwidth) => "bandwidth",
        Some(QuotaLimit::Calls) | None => "call volume",
    };
    Failure::new(
        source,
        "QuotaExceeded",
        403,
        format!("Out of {what} quota. Quota will be replenished in {}.", hms(secs)),
    )
}

/// Seconds, rounded up (never 0 for a positive wait).
pub fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `hh:mm:ss` as .NET's TimeSpan prints it (days as `d.hh:mm:ss`).
pub fn hms(secs: u64) -> String {
    let (d, rem) = (secs / 86_400, secs % 86_400);
    let t = format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60);
    if d > 0 {
        format!("{d}.{t}")
    } else {
        t
    }
}

fn saturate(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// `renewal-period` in seconds (required, positive unless `zero_ok`).
pub fn period(c: &Compiler<'_>, el: &Element, zero_ok: bool) -> Result<Duration, CompileError> {
    let secs = c
        .number(el, "renewal-period")?
        .ok_or_else(|| c.error(el, "missing attribute `renewal-period`"))?;
    if secs == 0 && !zero_ok {
        return Err(c.error(el, "`renewal-period` must be at least 1 second"));
    }
    Ok(Duration::from_secs(secs))
}

/// `increment-count` (default 1): a number or an expression.
pub fn increment(c: &Compiler<'_>, el: &Element) -> Result<Text, CompileError> {
    let Some(t) = c.text_attr(el, "increment-count", Want::Int)? else {
        return Ok(Text::lit("1"));
    };
    if let Some(v) = t.literal() {
        v.trim()
            .parse::<u32>()
            .map_err(|_| c.error(el, format!("`increment-count` must be 0-{}, not `{v}`", u32::MAX)))?;
    }
    Ok(t)
}

/// Evaluates `increment-count` for the policy `source`.
pub fn eval_increment<'p>(r: &Run<'_, 'p>, t: &'p Text, source: &'static str) -> Result<u32, Failure> {
    r.with_value(t, source, |_, v| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| Failure::expression(source, format!("increment-count `{v}` is not a count")))
    })?
}

/// The identity of one `rate-limit`/`quota` element: its document and line
/// (two such policies never share a counter).
pub fn policy_identity(el: &Element, nested: &str) -> Box<str> {
    format!("{}:{}:{}{nested}", el.origin.document, el.line, el.name).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(7)), 7);
        assert_eq!(hms(0), "00:00:00");
        assert_eq!(hms(3_725), "01:02:05");
        assert_eq!(hms(90_061), "1.01:01:01");
    }
}
