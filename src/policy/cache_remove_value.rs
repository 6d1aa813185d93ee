//! `cache-remove-value`: drop the value stored under a key.
//!
//! ```xml
//! <cache-remove-value key="@("token-" + context.Api.Id)" caching-type="internal"/>
//! ```
//! Every section. `key` (*expr*), `caching-type`. Removing a key that
//! holds nothing is not an error. A failing store is logged.

use super::cache_attrs::{caching_type, log_write, required_text};
use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::failure::Failure;
use super::text::Text;
use crate::cache::key::value_key;
use crate::cache::{CacheEffect, CacheOutcome, CachingType};

const SOURCE: &str = "cache-remove-value";

#[derive(Clone, Debug)]
pub struct CacheRemoveValue {
    pub key: Text,
    pub caching_type: CachingType,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<CacheRemoveValue, CompileError> {
    Ok(CacheRemoveValue {
        key: required_text(c, el, "key")?,
        caching_type: caching_type(c, el)?,
    })
}

impl CacheRemoveValue {
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Option<CacheEffect>, Failure> {
        let key = r.eval(&self.key, SOURCE)?;
        Ok(Some(CacheEffect::Remove {
            caching_type: self.caching_type,
            key: value_key(&key),
        }))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Option<CacheOutcome>) -> Result<(), Failure> {
        log_write(r, SOURCE, outcome.as_ref());
        Ok(())
    }
}
