//! `cache-store`: keep the response for `cache-lookup` to answer later
//! requests with.
//!
//! ```xml
//! <cache-store duration="@{
//!     var cc = context.Response.Headers.GetValueOrDefault("Cache-Control", "");
//!     var m = Regex.Match(cc, @"max-age=(?<s>\d+)");
//!     return m.Success ? int.Parse(m.Groups["s"].Value) : 300;
//! }" cache-response="false"/>
//! ```
//! Outbound only, once. `duration` (seconds, *expr*) is the entry's TTL;
//! zero or less stores nothing. It stores only when this request was
//! looked up by `cache-lookup` and missed (so only `GET`, and a request
//! with `Authorization` only when the lookup allowed it), under the
//! lookup's key and `caching-type`; only a `200` unless `cache-response`
//! (*expr*) is true; never a response with `Set-Cookie`. What is stored:
//! the status, the end-to-end headers and the whole body as they leave
//! outbound so far (the proxy reads the body into memory for it, bounded
//! by `policy.body.max-bytes`); an entry over `cache.max-entry-bytes` is
//! not stored. With `downstream-caching-type` private/public on the lookup
//! the response also gets the lookup's `Cache-Control` (max-age =
//! `duration`), as hits do.

use std::borrow::Cow;

use super::cache_attrs::{duration, eval_duration, log_write, once_per_section, Flag};
use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::text::Text;
use crate::cache::http::{cache_control, storable, stored_response};
use crate::cache::{CacheEffect, CacheOutcome, Entry};

const SOURCE: &str = "cache-store";

#[derive(Clone, Debug)]
pub struct CacheStore {
    pub duration: Text,
    pub cache_response: Flag,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<CacheStore, CompileError> {
    c.only_in(el, &[Section::Outbound])?;
    once_per_section(c, el)?;
    Ok(CacheStore {
        duration: duration(c, el)?,
        cache_response: Flag::compile(c, el, "cache-response", false)?,
    })
}

impl CacheStore {
    /// Builds the entry when the response is to be stored.
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Option<CacheEffect>, Failure> {
        let Some(lookup) = r.flow.cache.as_deref() else {
            return Ok(None);
        };
        if lookup.hit {
            return Ok(None);
        }
        let (key, caching_type, downstream, must_revalidate) = (
            lookup.key.clone(),
            lookup.caching_type,
            lookup.downstream,
            lookup.must_revalidate,
        );
        let cache_response = self.cache_response.eval(r, SOURCE)?;
        let status = r.status();
        if !storable(status, cache_response, r.header(true, "Set-Cookie").is_some()) {
            tracing::debug!(api = %r.env.api.id, status, "cache-store: response not stored");
            return Ok(None);
        }
        let ttl = eval_duration(r, &self.duration, SOURCE)?;
        if ttl.is_zero() {
            return Ok(None);
        }
        let Some(body) = r.flow.response.body.clone().or_else(|| r.flow.response_body.clone()) else {
            tracing::debug!(api = %r.env.api.id, "cache-store: the response body is not in memory; not stored");
            return Ok(None);
        };
        let headers = r.all_headers(true);
        let entry = stored_response(
            status,
            r.flow.response.reason.as_deref(),
            headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
            body,
        );
        if let Some(cc) = cache_control(downstream, must_revalidate, ttl) {
            r.flow.response.headers.remove("Cache-Control");
            r.flow.response.headers.add("Cache-Control", Cow::Owned(cc));
        }
        Ok(Some(CacheEffect::Put {
            caching_type,
            key,
            entry: Entry::Response(entry),
            ttl,
        }))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Option<CacheOutcome>) -> Result<(), Failure> {
        log_write(r, SOURCE, outcome.as_ref());
        Ok(())
    }
}
