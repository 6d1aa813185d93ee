//! Policies that wait (`send-request`, the cache policies…): the contract
//! between such a policy and the proxy that performs its I/O.
//!
//! An async policy is split in three:
//! 1. `start` (synchronous, on the request's [`Run`]) evaluates everything
//!    it needs and returns an owned [`Effect`]: no borrow of the request,
//!    the program or the flow survives it;
//! 2. the proxy performs the effect (`proxy::perform`, async: an HTTP call,
//!    a cache get/put, a sleep) and gets an owned [`Outcome`];
//! 3. `finish` (synchronous) applies the outcome to the [`Run`]'s flow: set
//!    a variable, answer the request (`flow.response` + `flow.answered`),
//!    or fail with a [`Failure`].
//!
//! `exec::run` stops at every `Op::Async` (in any section) with
//! `Stop::Suspend(pc)`; the proxy's section driver calls `start`, performs,
//! calls `finish` and resumes at `pc + 1`.
//!
//! Invariants: an [`Effect`] and an [`Outcome`] are `'static` (they cross
//! an `.await` while the request is borrowed elsewhere); `start` and
//! `finish` never wait; a failure in either stops the section like any
//! policy failure (`on-error` runs). Adding a policy: a variant in
//! [`AsyncPolicy`] and its arms in `start`/`finish`; a new kind of I/O: a
//! variant in [`Effect`] and [`Outcome`] and its arm in `proxy::perform`.

use std::time::Duration;

use super::exec::Run;
use super::failure::Failure;

/// The I/O an async policy asks the proxy to perform.
#[derive(Debug)]
pub enum Effect {
    /// Nothing to wait for (the policy decided at `start`, e.g. a value
    /// already known): `finish` gets [`Outcome::Done`] at once.
    Nothing,
    /// Wait this long.
    Sleep(Duration),
    /// A cache get, put or remove (`crate::cache::perform`).
    Cache(crate::cache::CacheEffect),
}

/// What performing an [`Effect`] gave.
#[derive(Debug)]
pub enum Outcome {
    /// The effect had no result ([`Effect::Nothing`], [`Effect::Sleep`]).
    Done,
    /// What a cache operation came to.
    Cache(crate::cache::CacheOutcome),
}

/// The compiled async policies (the `Op::Async` payload).
#[derive(Clone, Debug)]
pub enum AsyncPolicy {
    CacheLookup(Box<super::cache_lookup::CacheLookup>),
    CacheStore(super::cache_store::CacheStore),
    CacheLookupValue(super::cache_lookup_value::CacheLookupValue),
    CacheStoreValue(super::cache_store_value::CacheStoreValue),
    CacheRemoveValue(super::cache_remove_value::CacheRemoveValue),
}

impl AsyncPolicy {
    /// The element name, for logs and failures.
    pub fn name(&self) -> &'static str {
        match self {
            AsyncPolicy::CacheLookup(_) => "cache-lookup",
            AsyncPolicy::CacheStore(_) => "cache-store",
            AsyncPolicy::CacheLookupValue(_) => "cache-lookup-value",
            AsyncPolicy::CacheStoreValue(_) => "cache-store-value",
            AsyncPolicy::CacheRemoveValue(_) => "cache-remove-value",
        }
    }

    /// Whether it reads the whole request body (`send-request mode="copy"`).
    pub fn needs_request_body(&self) -> bool {
        match self {
            AsyncPolicy::CacheLookup(_)
            | AsyncPolicy::CacheStore(_)
            | AsyncPolicy::CacheLookupValue(_)
            | AsyncPolicy::CacheStoreValue(_)
            | AsyncPolicy::CacheRemoveValue(_) => false,
        }
    }

    /// Whether it reads the whole response body (`cache-store`).
    pub fn needs_response_body(&self) -> bool {
        match self {
            AsyncPolicy::CacheStore(_) => true,
            AsyncPolicy::CacheLookup(_)
            | AsyncPolicy::CacheLookupValue(_)
            | AsyncPolicy::CacheStoreValue(_)
            | AsyncPolicy::CacheRemoveValue(_) => false,
        }
    }

    /// Evaluates the policy's inputs and says what to perform.
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        let cache = match self {
            AsyncPolicy::CacheLookup(p) => p.start(r)?,
            AsyncPolicy::CacheStore(p) => p.start(r)?,
            AsyncPolicy::CacheLookupValue(p) => p.start(r)?,
            AsyncPolicy::CacheStoreValue(p) => p.start(r)?,
            AsyncPolicy::CacheRemoveValue(p) => p.start(r)?,
        };
        Ok(cache.map_or(Effect::Nothing, Effect::Cache))
    }

    /// Applies what was performed to the request's flow.
    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        let cache = match outcome {
            Outcome::Cache(o) => Some(o),
            Outcome::Done => None,
        };
        match self {
            AsyncPolicy::CacheLookup(p) => p.finish(r, cache),
            AsyncPolicy::CacheStore(p) => p.finish(r, cache),
            AsyncPolicy::CacheLookupValue(p) => p.finish(r, cache),
            AsyncPolicy::CacheStoreValue(p) => p.finish(r, cache),
            AsyncPolicy::CacheRemoveValue(p) => p.finish(r, cache),
        }
    }
}
