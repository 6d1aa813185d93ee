//! The attributes the caching policies share (`cache-lookup`,
//! `cache-store`, `cache-lookup-value`, `cache-store-value`,
//! `cache-remove-value`): boolean flags that may be expressions,
//! `caching-type`, `key`, `duration`, and APIM's "once per section" rule.
//!
//! Invariant: literal values are checked at load (the element and line
//! in the message); an expression's value is checked when evaluated, and a
//! bad one is a `Failure` with APIM's `ExpressionValueEvaluationFailure`.

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::{Expr, Want};
use super::failure::Failure;
use super::text::{is_expression, Text};
use crate::cache::http::Downstream;
use crate::cache::{CacheOutcome, CachingType, Put};

/// A boolean attribute that may be a policy expression.
#[derive(Clone, Debug)]
pub enum Flag {
    Lit(bool),
    Expr(Expr),
}

impl Flag {
    /// Reads attribute `name` (`default` when absent).
    pub fn compile(c: &Compiler<'_>, el: &Element, name: &str, default: bool) -> Result<Flag, CompileError> {
        match c.attr(el, name) {
            Some(v) if is_expression(v) => Ok(Flag::Expr(
                c.expr_attr(el, name, Want::Bool)?
                    .ok_or_else(|| c.error(el, format!("missing attribute `{name}`")))?,
            )),
            _ => c.boolean(el, name, default).map(Flag::Lit),
        }
    }

    pub fn eval<'p>(&'p self, r: &Run<'_, 'p>, source: &'static str) -> Result<bool, Failure> {
        match self {
            Flag::Lit(b) => Ok(*b),
            Flag::Expr(e) => r.eval_bool(e, source),
        }
    }
}

/// `downstream-caching-type` (may be an expression).
#[derive(Clone, Debug)]
pub enum DownstreamAttr {
    Lit(Downstream),
    Expr(Text),
}

impl DownstreamAttr {
    pub fn compile(c: &Compiler<'_>, el: &Element) -> Result<DownstreamAttr, CompileError> {
        const NAME: &str = "downstream-caching-type";
        match c.attr(el, NAME) {
            None => Ok(DownstreamAttr::Lit(Downstream::None)),
            Some(v) if is_expression(v) => Ok(DownstreamAttr::Expr(
                c.text_attr(el, NAME, Want::String)?
                    .ok_or_else(|| c.error(el, format!("missing attribute `{NAME}`")))?,
            )),
            Some(v) => Downstream::parse(v)
                .map(DownstreamAttr::Lit)
                .ok_or_else(|| c.error(el, format!("`{NAME}` must be none, private or public, not `{v}`"))),
        }
    }

    pub fn eval<'p>(&'p self, r: &Run<'_, 'p>, source: &'static str) -> Result<Downstream, Failure> {
        match self {
            DownstreamAttr::Lit(d) => Ok(*d),
            DownstreamAttr::Expr(t) => {
                let v = r.eval(t, source)?;
                Downstream::parse(&v).ok_or_else(|| {
                    Failure::expression(
                        source,
                        format!("downstream-caching-type must be none, private or public, not `{v}`"),
                    )
                })
            }
        }
    }
}

/// `caching-type` (no expressions; APIM's default `prefer-external`).
pub fn caching_type(c: &Compiler<'_>, el: &Element) -> Result<CachingType, CompileError> {
    match c.attr(el, "caching-type") {
        None => Ok(CachingType::default()),
        Some(v) => CachingType::parse(v).ok_or_else(|| {
            c.error(
                el,
                format!("`caching-type` must be internal, external or prefer-external, not `{v}`"),
            )
        }),
    }
}

/// A required attribute that may be an expression (`key`, `value`).
pub fn required_text(c: &Compiler<'_>, el: &Element, name: &str) -> Result<Text, CompileError> {
    c.text_attr(el, name, Want::String)?
        .ok_or_else(|| c.error(el, format!("missing attribute `{name}`")))
}

/// `duration`: seconds, required; a literal must be a number.
pub fn duration(c: &Compiler<'_>, el: &Element) -> Result<Text, CompileError> {
    let t = required_text(c, el, "duration")?;
    if let Some(v) = t.literal() {
        if seconds(v).is_none() {
            return Err(c.error(el, format!("`duration` must be a number of seconds, not `{v}`")));
        }
    }
    Ok(t)
}

/// Evaluates a `duration`: zero or negative is zero (nothing is stored).
pub fn eval_duration<'p>(r: &Run<'_, 'p>, t: &'p Text, source: &'static str) -> Result<Duration, Failure> {
    let v = r.eval(t, source)?;
    seconds(&v).ok_or_else(|| Failure::expression(source, format!("duration must be a number of seconds, not `{v}`")))
}

/// Parses a number of seconds (an integer, or a real an expression gave).
fn seconds(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(n) = v.parse::<i64>() {
        return Some(Duration::from_secs(u64::try_from(n).unwrap_or(0)).min(crate::cache::store::MAX_TTL));
    }
    let f = v.parse::<f64>().ok().filter(|f| f.is_finite())?;
    let max = crate::cache::store::MAX_TTL.as_secs_f64();
    Some(Duration::from_secs_f64(f.clamp(0.0, max)))
}

/// Logs what a cache write came to when it did not happen: an entry over
/// `cache.max-entry-bytes` (debug: documented behaviour) or a failing
/// store (warning). Keys and values are never logged (they may be tokens).
pub fn log_write(r: &Run<'_, '_>, source: &'static str, outcome: Option<&CacheOutcome>) {
    match outcome {
        Some(CacheOutcome::Put(Put::TooLarge { weight })) => {
            tracing::debug!(api = %r.env.api.id, source, weight, "cache entry over cache.max-entry-bytes; not stored");
        }
        Some(CacheOutcome::Failed(e)) => {
            tracing::warn!(api = %r.env.api.id, source, error = %e, "the cache failed; not written");
        }
        _ => {}
    }
}

/// APIM allows some caching policies once per section.
pub fn once_per_section(c: &Compiler<'_>, el: &Element) -> Result<(), CompileError> {
    if c.notes.iter().any(|n| n.element == el.name && !n.skipped) {
        return Err(c.error(el, format!("may appear only once in the {} section", c.section.name())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse() {
        assert_eq!(seconds("300"), Some(Duration::from_secs(300)));
        assert_eq!(seconds(" 1 "), Some(Duration::from_secs(1)));
        assert_eq!(seconds("-5"), Some(Duration::ZERO));
        assert_eq!(seconds("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(seconds("abc"), None);
        assert_eq!(seconds("NaN"), None);
        assert_eq!(seconds("1e300"), Some(crate::cache::store::MAX_TTL));
        assert_eq!(seconds(&i64::MAX.to_string()), Some(crate::cache::store::MAX_TTL));
    }
}
