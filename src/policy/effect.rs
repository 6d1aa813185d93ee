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
    /// Send an HTTP request and wait for the whole response
    /// (`send-request`, the Dapr policies): [`Outcome::Http`].
    Http(Box<HttpCall>),
    /// Send an HTTP request without waiting for it (`send-one-way-request`):
    /// [`Outcome::Done`] at once; the call runs on as its own task.
    Detach(Box<HttpCall>),
    /// A cache get, put or remove (`crate::cache::perform`).
    Cache(crate::cache::CacheEffect),
    /// Keys or a token the worker does not have yet (or keys to refresh
    /// for an unknown `kid`): asked of the fetch thread
    /// (`crate::authority`), awaited without blocking, bounded by
    /// `authority.wait.timeout`: [`Outcome::Authority`].
    Authority(crate::authority::Want),
}

/// What performing an [`Effect`] gave.
#[derive(Debug)]
pub enum Outcome {
    /// The effect had no result ([`Effect::Nothing`], [`Effect::Sleep`],
    /// [`Effect::Detach`]).
    Done,
    /// What a cache operation came to.
    Cache(crate::cache::CacheOutcome),
    /// The response to an [`Effect::Http`], or why there is none.
    Http(Result<HttpResponse, CallError>),
    /// The worker's copy of what an [`Effect::Authority`] asked for (also
    /// kept in `Services::authority`), or why there is none. Also the
    /// outcome of an [`Effect::Http`] whose [`Bearer`] token could not be
    /// had (the call was not sent).
    Authority(Result<crate::authority::Got, crate::authority::AuthorityError>),
    /// An [`Effect::Http`] sent after waiting for its [`Bearer`] token:
    /// the token it carried and the call's own outcome (`Outcome::Http`).
    Authorized(std::rc::Rc<crate::authority::Token>, Box<Outcome>),
}

/// One outgoing HTTP request, owned (see `proxy::call` for how it is sent).
#[derive(Debug)]
pub struct HttpCall {
    pub method: http::Method,
    pub url: CallUrl,
    /// Header fields, in order (no framing fields: the client writes them).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The whole exchange (resolution, connection, response) must end
    /// within this.
    pub timeout: Duration,
    /// `authentication-certificate`: index into the replica's store.
    pub client_cert: Option<usize>,
    /// `proxy`: an HTTP proxy to go through.
    pub proxy: Option<CallProxy>,
    /// Largest response body read (`policy.body.max-bytes`).
    pub body_max: u64,
    /// A token to get before sending (`authentication-managed-identity`
    /// inside `send-request`, when the worker has none yet): the proxy
    /// waits for it (`Effect::Authority`'s way), then sends the call with
    /// `Authorization: Bearer <token>`.
    pub bearer: Option<Bearer>,
}

/// The token an [`HttpCall`] waits for before it is sent.
#[derive(Debug)]
pub struct Bearer {
    /// Always a `Want::Token`.
    pub want: crate::authority::Want,
    /// Without a token, send the call without one (the child's
    /// `ignore-error="true"`) instead of failing with
    /// [`Outcome::Authority`]`(Err(..))`.
    pub ignore_error: bool,
}

impl HttpCall {
    /// Sets `Authorization: Bearer <token>`, replacing any other.
    pub fn set_bearer(&mut self, token: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        self.headers
            .push(("Authorization".to_owned(), format!("Bearer {token}")));
    }
}

/// Where an [`HttpCall`] goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallUrl {
    pub tls: bool,
    /// Lowercase; IPv6 without brackets.
    pub host: String,
    pub port: u16,
    /// The `Host` field: host (bracketed IPv6), `:port` unless the default.
    pub host_header: String,
    /// Path and query as sent (`/` at least).
    pub target: String,
    /// A replica target with the same scheme, host and port, when the URL
    /// was literal (its addresses resolved on the control thread).
    pub known: Option<usize>,
}

impl CallUrl {
    /// The URL as text for messages and logs, without its query (which
    /// may carry a key).
    pub fn display(&self) -> String {
        let path = self.target.split('?').next().unwrap_or_default();
        format!(
            "{}://{}{path}",
            if self.tls { "https" } else { "http" },
            self.host_header
        )
    }
}

/// An HTTP proxy (`<proxy url username password>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallProxy {
    pub url: CallUrl,
    /// `Proxy-Authorization` value (Basic), when credentials were given.
    pub authorization: Option<String>,
}

/// A response read whole.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why an [`HttpCall`] has no response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No complete response within the timeout.
    #[error("{0}")]
    Timeout(String),
    /// Could not connect, TLS failed, the connection broke, the answer was
    /// not HTTP.
    #[error("{0}")]
    Connection(String),
    /// The response body is larger than `policy.body.max-bytes`.
    #[error("{0}")]
    TooLarge(String),
}

impl CallError {
    /// APIM's `LastError.Reason` for it.
    pub fn reason(&self) -> &'static str {
        match self {
            CallError::Timeout(_) => "Timeout",
            CallError::Connection(_) | CallError::TooLarge(_) => "BackendConnectionFailure",
        }
    }

    /// The failure of policy `source` (status 500: the client's body says
    /// "Internal server error", `LastError.Message` says why).
    pub fn failure(&self, source: &'static str) -> Failure {
        Failure::new(source, self.reason(), 500, self.to_string())
    }
}

/// The compiled async policies (the `Op::Async` payload).
#[derive(Clone, Debug)]
pub enum AsyncPolicy {
    SendRequest(Box<super::send_request::SendRequest>),
    SendOneWayRequest(Box<super::send_one_way_request::SendOneWayRequest>),
    PublishToDapr(Box<super::publish_to_dapr::PublishToDapr>),
    InvokeDaprBinding(Box<super::invoke_dapr_binding::InvokeDaprBinding>),
    CacheLookup(Box<super::cache_lookup::CacheLookup>),
    CacheStore(super::cache_store::CacheStore),
    CacheLookupValue(super::cache_lookup_value::CacheLookupValue),
    CacheStoreValue(super::cache_store_value::CacheStoreValue),
    CacheRemoveValue(super::cache_remove_value::CacheRemoveValue),
    AuthenticationManagedIdentity(Box<super::authentication_managed_identity::AuthenticationManagedIdentity>),
    /// validate-jwt and validate-azure-ad-token.
    Jwt(Box<super::jwt_check::JwtCheck>),
}

impl AsyncPolicy {
    /// The element name, for logs and failures.
    pub fn name(&self) -> &'static str {
        match self {
            AsyncPolicy::SendRequest(_) => "send-request",
            AsyncPolicy::SendOneWayRequest(_) => "send-one-way-request",
            AsyncPolicy::PublishToDapr(_) => "publish-to-dapr",
            AsyncPolicy::InvokeDaprBinding(_) => "invoke-dapr-binding",
            AsyncPolicy::CacheLookup(_) => "cache-lookup",
            AsyncPolicy::CacheStore(_) => "cache-store",
            AsyncPolicy::CacheLookupValue(_) => "cache-lookup-value",
            AsyncPolicy::CacheStoreValue(_) => "cache-store-value",
            AsyncPolicy::CacheRemoveValue(_) => "cache-remove-value",
            AsyncPolicy::AuthenticationManagedIdentity(_) => "authentication-managed-identity",
            AsyncPolicy::Jwt(p) => p.source_name,
        }
    }

    /// Whether it reads the whole request body (`send-request mode="copy"`).
    pub fn needs_request_body(&self) -> bool {
        match self {
            AsyncPolicy::SendRequest(p) => p.out.needs_request_body(),
            AsyncPolicy::SendOneWayRequest(p) => p.out.needs_request_body(),
            AsyncPolicy::PublishToDapr(p) => p.needs_request_body(),
            AsyncPolicy::InvokeDaprBinding(p) => p.needs_request_body(),
            AsyncPolicy::CacheLookup(_)
            | AsyncPolicy::CacheStore(_)
            | AsyncPolicy::CacheLookupValue(_)
            | AsyncPolicy::CacheStoreValue(_)
            | AsyncPolicy::CacheRemoveValue(_)
            | AsyncPolicy::AuthenticationManagedIdentity(_)
            | AsyncPolicy::Jwt(_) => false,
        }
    }

    /// Whether it reads the whole response body (`cache-store`).
    pub fn needs_response_body(&self) -> bool {
        match self {
            AsyncPolicy::SendRequest(p) => p.out.needs_response_body(),
            AsyncPolicy::SendOneWayRequest(p) => p.out.needs_response_body(),
            AsyncPolicy::PublishToDapr(_) | AsyncPolicy::InvokeDaprBinding(_) => false,
            AsyncPolicy::CacheStore(_) => true,
            AsyncPolicy::CacheLookup(_)
            | AsyncPolicy::CacheLookupValue(_)
            | AsyncPolicy::CacheStoreValue(_)
            | AsyncPolicy::CacheRemoveValue(_)
            | AsyncPolicy::AuthenticationManagedIdentity(_)
            | AsyncPolicy::Jwt(_) => false,
        }
    }

    /// Evaluates the policy's inputs and says what to perform.
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        match self {
            AsyncPolicy::SendRequest(p) => p.start(r),
            AsyncPolicy::SendOneWayRequest(p) => p.start(r),
            AsyncPolicy::PublishToDapr(p) => p.start(r),
            AsyncPolicy::InvokeDaprBinding(p) => p.start(r),
            AsyncPolicy::CacheLookup(p) => p.start(r).map(cache_effect),
            AsyncPolicy::CacheStore(p) => p.start(r).map(cache_effect),
            AsyncPolicy::CacheLookupValue(p) => p.start(r).map(cache_effect),
            AsyncPolicy::CacheStoreValue(p) => p.start(r).map(cache_effect),
            AsyncPolicy::CacheRemoveValue(p) => p.start(r).map(cache_effect),
            AsyncPolicy::AuthenticationManagedIdentity(p) => p.start(r),
            AsyncPolicy::Jwt(p) => p.start(r),
        }
    }

    /// Applies what was performed to the request's flow.
    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        match self {
            AsyncPolicy::SendRequest(p) => p.finish(r, outcome),
            AsyncPolicy::SendOneWayRequest(p) => p.finish(r, outcome),
            AsyncPolicy::PublishToDapr(p) => p.finish(r, outcome),
            AsyncPolicy::InvokeDaprBinding(p) => p.finish(r, outcome),
            AsyncPolicy::CacheLookup(p) => p.finish(r, cache_outcome(outcome)),
            AsyncPolicy::CacheStore(p) => p.finish(r, cache_outcome(outcome)),
            AsyncPolicy::CacheLookupValue(p) => p.finish(r, cache_outcome(outcome)),
            AsyncPolicy::CacheStoreValue(p) => p.finish(r, cache_outcome(outcome)),
            AsyncPolicy::CacheRemoveValue(p) => p.finish(r, cache_outcome(outcome)),
            AsyncPolicy::AuthenticationManagedIdentity(p) => p.finish(r, outcome),
            AsyncPolicy::Jwt(p) => p.finish(r, outcome),
        }
    }
}

/// A cache policy's effect: none when it decided at `start` (a request
/// not looked up, a response not stored).
fn cache_effect(e: Option<crate::cache::CacheEffect>) -> Effect {
    e.map_or(Effect::Nothing, Effect::Cache)
}

/// A cache policy's outcome (`None`: nothing was performed).
fn cache_outcome(o: Outcome) -> Option<crate::cache::CacheOutcome> {
    match o {
        Outcome::Cache(o) => Some(o),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_bearer_replaces_any_authorization() {
        let mut call = HttpCall {
            method: http::Method::GET,
            url: CallUrl {
                tls: false,
                host: "h".into(),
                port: 80,
                host_header: "h".into(),
                target: "/".into(),
                known: None,
            },
            headers: vec![
                ("authorization".into(), "Basic x".into()),
                ("X-A".into(), "1".into()),
                ("Authorization".into(), "Bearer old".into()),
            ],
            body: Vec::new(),
            timeout: Duration::from_secs(1),
            client_cert: None,
            proxy: None,
            body_max: 1,
            bearer: None,
        };
        call.set_bearer("t0k");
        assert_eq!(
            call.headers,
            vec![
                ("X-A".to_owned(), "1".to_owned()),
                ("Authorization".to_owned(), "Bearer t0k".to_owned())
            ]
        );
    }
}
