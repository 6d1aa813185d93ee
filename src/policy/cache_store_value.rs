//! `cache-store-value`: keep a value under a key, for `cache-lookup-value`.
//!
//! ```xml
//! <cache-store-value key="@("token-" + context.Api.Id)"
//!     value="@((string)context.Variables["token"])" duration="3000"/>
//! ```
//! Every section. `key` and `value` (*expr*), `duration` in seconds
//! (*expr*; zero or less removes the key's entry), `caching-type`. The
//! value keeps its type (`crate::cache::value`: strings, numbers,
//! booleans, dates, time spans, GUIDs, JSON tokens); a value of another
//! type (an XML node, a collection) fails the request with
//! `ExpressionValueEvaluationFailure` naming the type. A value over
//! `cache.max-entry-bytes` is not stored (and the key's older value is
//! dropped): the next lookup misses, as when APIM's cache evicts it. A
//! stored value is readable at once by every worker of the process.

use super::cache_attrs::{caching_type, duration, eval_duration, log_write, required_text};
use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Value;
use super::failure::Failure;
use super::set_variable::VarValue;
use super::text::Text;
use crate::cache::key::value_key;
use crate::cache::{CacheEffect, CacheOutcome, CachedValue, CachingType, Entry};

const SOURCE: &str = "cache-store-value";

#[derive(Clone, Debug)]
pub struct CacheStoreValue {
    pub key: Text,
    pub value: VarValue,
    pub duration: Text,
    pub caching_type: CachingType,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<CacheStoreValue, CompileError> {
    let value = VarValue::compile(c, el, "value")?.ok_or_else(|| c.error(el, "missing attribute `value`"))?;
    Ok(CacheStoreValue {
        key: required_text(c, el, "key")?,
        value,
        duration: duration(c, el)?,
        caching_type: caching_type(c, el)?,
    })
}

impl CacheStoreValue {
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Option<CacheEffect>, Failure> {
        let key = r.eval(&self.key, SOURCE)?;
        let value = match &self.value {
            VarValue::Lit(s) => CachedValue::Str(s.clone()),
            VarValue::Expr(e) => {
                let v: Value<'static> = r.eval_value(e, SOURCE)?;
                CachedValue::from_value(&v).map_err(|e| Failure::expression(SOURCE, e.to_string()))?
            }
        };
        let ttl = eval_duration(r, &self.duration, SOURCE)?;
        Ok(Some(CacheEffect::Put {
            caching_type: self.caching_type,
            key: value_key(&key),
            entry: Entry::Value(value),
            ttl,
        }))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Option<CacheOutcome>) -> Result<(), Failure> {
        log_write(r, SOURCE, outcome.as_ref());
        Ok(())
    }
}
