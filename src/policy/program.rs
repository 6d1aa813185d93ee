//! The compiled form of one section (inbound, backend, outbound, on-error)
//! of a composed policy document: a flat list of [`Op`]s executed by a
//! program counter, so `choose`, `retry` and `limit-concurrency` need no
//! recursion or allocation at run time.
//!
//! Invariants: every jump target is within `0..=ops.len()`; `sites[i]`, when
//! present, is where `ops[i]` came from (a program built by hand may have
//! no sites); a program is immutable after compilation, `Clone + Send +
//! 'static`, and holds no per-request state (that lives in `flow::Flow`).

use super::compile::Section;
use super::document::Scope;
use super::effect::AsyncPolicy;
use super::expr::Expr;
use super::{
    authentication_basic, authentication_certificate, check_header, cors, emit_metric, find_and_replace, ip_filter,
    limit_concurrency, mock_response, quota, quota_by_key, rate_limit, rate_limit_by_key, retry, return_response,
    rewrite_uri, set_backend_service, set_body, set_header, set_method, set_query_parameter, set_status, set_variable,
    trace, validate_client_certificate,
};

/// One section's compiled program.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub section: Section,
    pub ops: Vec<Op>,
    /// Where each op came from, by op index (`context.LastError`).
    pub sites: Vec<Site>,
}

/// Where a compiled op came from: what `context.LastError` reports when it
/// fails (besides the section, which is the program's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    /// The scope of the document the element belongs to.
    pub scope: Scope,
    /// APIM's nested-policy path from the section down to the element,
    /// `\`-separated, `[n]` (from 1) on a name that repeats among its
    /// siblings: `choose\when[2]\set-header`.
    pub path: Box<str>,
    /// The `id` attribute of the policy's root element, when written.
    pub policy_id: Option<Box<str>>,
}

impl Program {
    /// The site of op `pc`, when known.
    pub fn site(&self, pc: usize) -> Option<&Site> {
        self.sites.get(pc)
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Whether running this program may suspend (forward, retry back-off,
    /// an async policy).
    pub fn has_async(&self) -> bool {
        self.ops
            .iter()
            .any(|op| matches!(op, Op::Forward(_) | Op::RetryCheck { .. } | Op::Async(_) | Op::Wait(_)))
    }

    /// Whether any policy needs the whole response body in memory.
    pub fn needs_response_body(&self) -> bool {
        self.ops.iter().any(|op| match op {
            Op::Do(Policy::FindAndReplace(f)) => f.response,
            Op::Do(Policy::SetBody(b)) => b.response && b.reads_body(),
            Op::Async(a) => a.needs_response_body(),
            Op::Wait(w) => w.branches.iter().any(Program::needs_response_body),
            _ => false,
        })
    }

    /// Whether any policy needs the whole request body in memory.
    pub fn needs_request_body(&self) -> bool {
        self.ops.iter().any(|op| match op {
            Op::Do(Policy::FindAndReplace(f)) => !f.response,
            Op::Do(Policy::SetBody(b)) => !b.response,
            Op::Forward(f) => f.buffer_request_body || f.follow_redirects,
            // A retried forward resends the body (retry elsewhere resends none).
            Op::RetryCheck { .. } => self.section == Section::Backend,
            Op::Async(a) => a.needs_request_body(),
            Op::Wait(w) => w.branches.iter().any(Program::needs_request_body),
            _ => false,
        })
    }
}

/// One instruction.
#[derive(Clone, Debug)]
pub enum Op {
    /// A policy that runs to completion without waiting.
    Do(Policy),
    /// `forward-request`: send the request, take the backend's response.
    Forward(set_backend_service::Forward),
    /// `choose`/`when`: when `cond` is false, continue at `otherwise`.
    Branch { cond: Expr, otherwise: usize },
    /// Continue at this index (end of a `when` body).
    Jump(usize),
    /// Start of a `retry` body: resets the attempt counter of `slot`.
    RetryStart { slot: usize },
    /// Start of a `limit-concurrency` body: take a slot (or fail with 429).
    ConcurrencyEnter(Box<limit_concurrency::LimitConcurrency>),
    /// End of a `limit-concurrency` body: give the slot back, unless the
    /// body forwards the request (then it is held until the request ends).
    /// `enter` is the index of the block's `ConcurrencyEnter`.
    ConcurrencyExit { enter: usize, release: bool },
    /// A policy that waits for I/O (see `policy::effect`): the proxy runs
    /// its `start`, performs the effect, runs its `finish`.
    Async(AsyncPolicy),
    /// `wait`: its children's programs run concurrently (see `policy::wait`).
    Wait(Box<super::wait::Wait>),
    /// End of a `retry` body: evaluate the condition, maybe wait and go back.
    RetryCheck {
        retry: Box<retry::Retry>,
        slot: usize,
        start: usize,
    },
}

/// The synchronous policies.
#[derive(Clone, Debug)]
pub enum Policy {
    SetHeader(set_header::SetHeader),
    SetQueryParameter(set_query_parameter::SetQueryParameter),
    RewriteUri(rewrite_uri::RewriteUri),
    SetMethod(set_method::SetMethod),
    SetStatus(set_status::SetStatus),
    SetBody(set_body::SetBody),
    ReturnResponse(return_response::ReturnResponse),
    MockResponse(mock_response::MockResponse),
    SetBackendService(set_backend_service::SetBackendService),
    SetVariable(set_variable::SetVariable),
    CheckHeader(check_header::CheckHeader),
    IpFilter(ip_filter::IpFilter),
    Cors(cors::Cors),
    FindAndReplace(find_and_replace::FindAndReplace),
    AuthenticationBasic(authentication_basic::AuthenticationBasic),
    AuthenticationCertificate(authentication_certificate::AuthenticationCertificate),
    ValidateClientCertificate(validate_client_certificate::ValidateClientCertificate),
    Trace(trace::Trace),
    EmitMetric(emit_metric::EmitMetric),
    RateLimit(rate_limit::RateLimit),
    RateLimitByKey(Box<rate_limit_by_key::RateLimitByKey>),
    Quota(quota::Quota),
    QuotaByKey(Box<quota_by_key::QuotaByKey>),
}
