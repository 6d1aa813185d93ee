//! `cache-lookup`: answer a `GET` from the cache when a response for the
//! same key was stored (by `cache-store` in outbound).
//!
//! ```xml
//! <cache-lookup vary-by-developer="false" vary-by-developer-groups="false"
//!     downstream-caching-type="public" must-revalidate="true" caching-type="internal">
//!   <vary-by-header>Accept</vary-by-header>
//!   <vary-by-query-parameter>page;size</vary-by-query-parameter>
//! </cache-lookup>
//! ```
//! Inbound only, once. The key (`crate::cache::key`) is the API and
//! revision, the operation, the subscription when varying by developer or
//! developer groups (Outpost models no developers: a subscription belongs
//! to one, so entries are never shared between developers), the listed
//! headers and query parameters, and the request path; query parameters
//! not listed do not vary it (as APIM). Only `GET` is looked up, a request
//! with `Authorization` only with `allow-private-response-caching`, a
//! `Range` request never (`crate::cache::http`).
//!
//! A hit answers at once with the stored status, headers and body plus
//! `Age` (and `Cache-Control` per `downstream-caching-type`), or `304` to a
//! matching conditional request: the rest of inbound and the backend are
//! skipped, outbound runs (as APIM: `cache-store` there sees the hit and
//! stores nothing). A miss removes the request's caching headers
//! (`Cache-Control`, `Pragma`, `If-None-Match`, `If-Modified-Since`) so the
//! backend sends a complete response, and leaves the key on the flow for
//! `cache-store`. A failing store is a miss (logged).

use std::borrow::Cow;

use super::cache_attrs::{caching_type, once_per_section, DownstreamAttr, Flag};
use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::flow::{header_eq, ResponseEdits};
use crate::cache::http::{self, Conditional, Downstream, Freshness};
use crate::cache::key::{query_values, split_names, ResponseKey};
use crate::cache::{CacheEffect, CacheOutcome, CachedResponse, CachingType, Entry};

const SOURCE: &str = "cache-lookup";

#[derive(Clone, Debug)]
pub struct CacheLookup {
    pub vary_by_developer: Flag,
    pub vary_by_developer_groups: Flag,
    pub caching_type: CachingType,
    pub downstream: DownstreamAttr,
    pub must_revalidate: Flag,
    pub allow_private: Flag,
    /// `vary-by-header` names, in order.
    pub headers: Vec<Box<str>>,
    /// `vary-by-query-parameter` names, in order.
    pub query: Vec<Box<str>>,
}

/// What a lookup leaves on the request's flow: the key and the caching
/// settings `cache-store` uses, and whether the request was answered from
/// the cache.
#[derive(Clone, Debug)]
pub struct Lookup {
    pub key: String,
    pub caching_type: CachingType,
    pub downstream: Downstream,
    pub must_revalidate: bool,
    pub hit: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<CacheLookup, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    once_per_section(c, el)?;
    let mut headers = Vec::new();
    let mut query: Vec<Box<str>> = Vec::new();
    for child in children(el) {
        let text = c.content(child, Want::String)?;
        let Some(text) = text.literal() else {
            return Err(c.error(child, "expressions are not allowed here"));
        };
        match child.name.as_str() {
            "vary-by-header" => {
                if !query.is_empty() {
                    return Err(c.error(child, "must come before every <vary-by-query-parameter>"));
                }
                let name = text.trim();
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                    return Err(c.error(child, format!("`{name}` is not a header name")));
                }
                headers.push(name.into());
            }
            "vary-by-query-parameter" => {
                let before = query.len();
                query.extend(split_names(text).map(Into::into));
                if query.len() == before {
                    return Err(c.error(child, "names no query parameter"));
                }
            }
            _ => {
                return Err(c.error(
                    child,
                    "only vary-by-header and vary-by-query-parameter may appear in <cache-lookup>",
                ))
            }
        }
    }
    Ok(CacheLookup {
        vary_by_developer: Flag::compile(c, el, "vary-by-developer", false)?,
        vary_by_developer_groups: Flag::compile(c, el, "vary-by-developer-groups", false)?,
        caching_type: caching_type(c, el)?,
        downstream: DownstreamAttr::compile(c, el)?,
        must_revalidate: Flag::compile(c, el, "must-revalidate", true)?,
        allow_private: Flag::compile(c, el, "allow-private-response-caching", false)?,
        headers,
        query,
    })
}

impl CacheLookup {
    /// Decides whether the request is looked up and builds its key.
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Option<CacheEffect>, Failure> {
        let allow_private = self.allow_private.eval(r, SOURCE)?;
        let method = r.flow.request.method.as_ref().unwrap_or(&r.req.head.method);
        let allowed = http::lookup_allowed(
            method,
            r.header(false, "Authorization").is_some(),
            r.header(false, "Range").is_some(),
            allow_private,
        );
        if let Err(skip) = allowed {
            tracing::debug!(api = %r.env.api.id, reason = ?skip, "cache-lookup: request not looked up");
            return Ok(None);
        }
        let downstream = self.downstream.eval(r, SOURCE)?;
        let must_revalidate = self.must_revalidate.eval(r, SOURCE)?;
        let key = self.key(r)?;
        r.flow.cache = Some(Box::new(Lookup {
            key: key.clone(),
            caching_type: self.caching_type,
            downstream,
            must_revalidate,
            hit: false,
        }));
        Ok(Some(CacheEffect::Get {
            caching_type: self.caching_type,
            key,
        }))
    }

    /// Answers from a hit; on a miss, prepares the request for the backend.
    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Option<CacheOutcome>) -> Result<(), Failure> {
        let hit = match outcome {
            Some(CacheOutcome::Found(Some(hit))) => Some(hit),
            Some(CacheOutcome::Failed(e)) => {
                tracing::warn!(api = %r.env.api.id, error = %e, "cache-lookup: the cache failed; treated as a miss");
                None
            }
            Some(_) => None,
            // Not looked up.
            None => return Ok(()),
        };
        let Some(lookup) = r.flow.cache.as_deref() else {
            return Ok(());
        };
        let answer = hit.as_ref().and_then(|hit| match &*hit.entry {
            Entry::Response(stored) => {
                let fresh = Freshness {
                    age: hit.age,
                    ttl_left: hit.ttl_left,
                    downstream: lookup.downstream,
                    must_revalidate: lookup.must_revalidate,
                };
                let conditional = Conditional {
                    if_none_match: r.header(false, "If-None-Match"),
                    if_modified_since: r.header(false, "If-Modified-Since"),
                };
                Some(http::hit_response(stored, &fresh, conditional))
            }
            Entry::Value(_) => None,
        });
        match answer {
            Some(resp) => {
                answer_with(r, resp);
                if let Some(lookup) = r.flow.cache.as_deref_mut() {
                    lookup.hit = true;
                }
                r.flow.answered = true;
            }
            None => {
                for name in http::MISS_STRIPPED {
                    r.flow.request.headers.remove(name);
                }
            }
        }
        Ok(())
    }

    /// The response key of this request.
    fn key<'p>(&'p self, r: &Run<'_, 'p>) -> Result<String, Failure> {
        let env = r.env;
        let revision = env.api.revision.to_string();
        let mut k = ResponseKey::new(&env.api.id, &revision, &env.op.id);
        let subscription = env
            .grant
            .subscription(&env.replica.subscriptions)
            .map(|s| s.id.as_str());
        if self.vary_by_developer.eval(r, SOURCE)? {
            k.developer(subscription);
        }
        if self.vary_by_developer_groups.eval(r, SOURCE)? {
            k.groups(subscription);
        }
        if !self.headers.is_empty() {
            let all = r.all_headers(false);
            for name in &self.headers {
                let mut values: Option<String> = None;
                for (_, v) in all.iter().filter(|(n, _)| header_eq(n.as_bytes(), name.as_bytes())) {
                    match &mut values {
                        Some(s) => {
                            s.push(',');
                            s.push_str(v);
                        }
                        None => values = Some(v.to_string()),
                    }
                }
                k.header(name, values.as_deref());
            }
        }
        if !self.query.is_empty() {
            let query = String::from_utf8_lossy(r.req.query().unwrap_or_default());
            for name in &self.query {
                k.query(name, query_values(&query, name).as_deref());
            }
        }
        Ok(k.finish(&String::from_utf8_lossy(r.req.path())))
    }
}

/// Makes `resp` the gateway-made answer to the request.
fn answer_with(r: &mut Run<'_, '_>, resp: CachedResponse) {
    let mut edits = ResponseEdits::synthetic(resp.status);
    edits.reason = resp.reason.map(|s| Cow::Owned(s.into_string()));
    for (name, value) in resp.headers {
        edits.headers.add_owned(name.into_string(), value.into_string());
    }
    edits.body = Some(resp.body);
    r.flow.response = edits;
}
