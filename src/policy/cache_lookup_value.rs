//! `cache-lookup-value`: read a value `cache-store-value` stored into a
//! variable.
//!
//! ```xml
//! <cache-lookup-value key="@("token-" + context.Api.Id)" variable-name="token"
//!     default-value="none" caching-type="internal"/>
//! ```
//! Every section. `key` (*expr*) names the entry (values and responses
//! never share keys). A hit sets `variable-name` to the stored value with
//! its type (a string, a number, a JSON token…: see `crate::cache::value`).
//! A miss sets it to `default-value` (*expr*; a literal is a string) when
//! one is given, else leaves the variable unset, so
//! `context.Variables.ContainsKey(…)` tells a miss (what APIM's samples
//! rely on). A failing store is a miss (logged).

use std::borrow::Cow;

use super::cache_attrs::{caching_type, required_text};
use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::failure::Failure;
use super::set_variable::VarValue;
use super::text::{is_expression, Text};
use crate::cache::key::value_key;
use crate::cache::{CacheEffect, CacheOutcome, CachingType, Entry};

const SOURCE: &str = "cache-lookup-value";

#[derive(Clone, Debug)]
pub struct CacheLookupValue {
    pub key: Text,
    pub variable: Box<str>,
    pub default: Option<VarValue>,
    pub caching_type: CachingType,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<CacheLookupValue, CompileError> {
    let variable = c.required(el, "variable-name")?.trim();
    if variable.is_empty() || is_expression(variable) {
        return Err(c.error(el, "`variable-name` must be a variable name (no expression)"));
    }
    let default = VarValue::compile(c, el, "default-value")?;
    Ok(CacheLookupValue {
        key: required_text(c, el, "key")?,
        variable: variable.into(),
        default,
        caching_type: caching_type(c, el)?,
    })
}

impl CacheLookupValue {
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Option<CacheEffect>, Failure> {
        let key = r.eval(&self.key, SOURCE)?;
        Ok(Some(CacheEffect::Get {
            caching_type: self.caching_type,
            key: value_key(&key),
        }))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Option<CacheOutcome>) -> Result<(), Failure> {
        let found = match outcome {
            Some(CacheOutcome::Found(Some(hit))) => match &*hit.entry {
                Entry::Value(v) => Some(
                    v.to_value(&r.env.services.expr_limits)
                        .map_err(|e| Failure::expression(SOURCE, format!("the cached value cannot be read: {e}")))?,
                ),
                Entry::Response(_) => None,
            },
            Some(CacheOutcome::Failed(e)) => {
                tracing::warn!(api = %r.env.api.id, error = %e, "cache-lookup-value: the cache failed; treated as a miss");
                None
            }
            _ => None,
        };
        let value = match (found, &self.default) {
            (Some(v), _) => v,
            (None, Some(default)) => default.eval(r, SOURCE)?,
            (None, None) => return Ok(()),
        };
        r.flow.set_var(Cow::Borrowed(&self.variable), value);
        Ok(())
    }
}
