//! Request processing after the head is parsed: routing on the worker's
//! replica, then the operation's pipeline (APIM's inbound, backend,
//! outbound and on-error sections), whose only step today is forwarding.
//!
//! Phases of one exchange (see `docs/architecture.md`): `route` →
//! subscription check ([`crate::subscription`]: 401 or a [`Grant`]) →
//! `inbound` steps (may answer early or rewrite the request) → `backend`
//! steps (`forward-request`: [`forward`], or the built-in [`echo`]) →
//! `outbound` steps (may rewrite the response) → access log. Any error goes
//! to [`error::ProxyError::rescue`], the one place errors become responses.
//!
//! Invariant: an [`Exchange`] borrows everything per-connection and owns
//! nothing, so a request allocates only what its policies demand.

pub mod body;
pub mod call;
pub mod duplex;
pub mod echo;
pub mod error;
pub mod forward;
pub mod perform;
mod pipeline_backend;
mod pipeline_error;
pub mod pipeline_outbound;
pub mod pipeline_run;
mod pipeline_section;
mod pipeline_wait;
pub mod pool;
pub mod redirect;
pub mod resolve;
pub mod respond;
pub mod trace_calls;
pub mod tunnel;
pub mod upstream_head;

use crate::http::{RequestHead, ResponseHead, Span};
use crate::replica::{BackendTarget, CompiledApi, Replica};
use crate::routing::{RouteRequest, RouteScratch};
use crate::server::io::{Buffered, ReadHalf, WriteHalf};
use crate::subscription::{Denied, Grant};
use crate::worker::WorkerCtx;
use error::ProxyError;
use std::net::SocketAddr;
use std::time::Duration;

/// Buffers a connection reuses for every request it carries.
pub struct Scratch {
    pub out: Vec<u8>,
    /// Re-chunking buffer of the request direction.
    pub chunk: Vec<u8>,
    /// Re-chunking buffer of the response direction.
    pub chunk_out: Vec<u8>,
    pub resp: ResponseHead,
    pub route: RouteScratch,
    /// Copy of the request head for policy pipelines.
    pub req_head: Vec<u8>,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            out: Vec::with_capacity(4096),
            chunk: Vec::new(),
            chunk_out: Vec::new(),
            resp: ResponseHead::new(),
            route: RouteScratch::default(),
            req_head: Vec::new(),
        }
    }
}

/// What happened to one request, for the connection loop and the access log.
#[derive(Default)]
pub struct RequestLog {
    pub status: u16,
    pub response_started: bool,
    pub request_body_done: bool,
    pub keep_alive: bool,
    pub upgraded: bool,
    pub response_bytes: u64,
    /// Request body bytes read from the client and forwarded (or buffered).
    pub request_bytes: u64,
    /// Backend I/O: from asking the pool for a connection (or connecting)
    /// until the backend's response ended (APIM's `BackendDurationInMs`).
    pub backend_time: Option<Duration>,
    /// The last backend request as sent (for the request record); kept
    /// only when request records are written (`server::access_log::wanted`).
    pub backend_request: Option<Box<BackendRequest>>,
    /// The status the backend answered with (APIM's `BackendResponseCode`,
    /// `backendResponseCode`); 0 when no backend answered (an error before
    /// or during the call, a gateway-made or cached response).
    pub backend_status: u16,
    /// What `cache-lookup` found (APIM's `Cache`/`cache`): `None` when the
    /// request was not looked up.
    pub cache: crate::telemetry::model::CacheOutcome,
    /// Client I/O (APIM's `ClientDurationInMs`): reading the request head
    /// (first byte to parsed), reading a request body the gateway takes
    /// whole, and writing response heads and gateway-written responses.
    /// Bodies streamed between backend and client count as backend time.
    pub client_time: Duration,
    /// The request's host name (the `Host` header or absolute-form
    /// authority) without port, ASCII-lowercased; "" when there is none or
    /// when no consumer asked for it (see `server::wants_hostname`).
    pub hostname: Box<str>,
    pub api: Option<usize>,
    pub operation: Option<usize>,
    /// The subscription and product the request was granted with.
    pub grant: Grant,
}

/// A backend request's method and URL (`scheme://host/path?query`, as
/// sent: after policy edits).
#[derive(Debug)]
pub struct BackendRequest {
    pub method: Box<str>,
    pub url: Box<str>,
}

impl BackendRequest {
    /// From the request line at the start of `head` (`METHOD SP target SP
    /// HTTP/1.1`); `None` when it is not one.
    pub fn from_head(head: &[u8], tls: bool, host: &str) -> Option<Box<BackendRequest>> {
        let line = head.split(|&b| b == b'\r').next()?;
        let mut parts = line.splitn(3, |&b| b == b' ');
        let (method, target) = (parts.next()?, parts.next()?);
        let scheme = if tls { "https://" } else { "http://" };
        let mut url = String::with_capacity(scheme.len() + host.len() + target.len());
        url.push_str(scheme);
        url.push_str(host);
        url.push_str(&String::from_utf8_lossy(target));
        Some(Box::new(BackendRequest {
            method: String::from_utf8_lossy(method).into(),
            url: url.into(),
        }))
    }
}

/// One request in flight on a connection.
pub struct Exchange<'a> {
    pub ctx: &'a WorkerCtx,
    pub client: &'a mut Buffered<ReadHalf>,
    pub client_w: &'a mut WriteHalf,
    pub head: &'a RequestHead,
    pub peer: SocketAddr,
    /// The client connection's TLS facts (`None` on plain HTTP).
    pub tls: Option<&'a crate::tls::info::ClientTls>,
    pub scratch: &'a mut Scratch,
    pub log: RequestLog,
    /// Set when the backend accepted an upgrade: the connection becomes a tunnel.
    pub upgraded: Option<(Buffered<ReadHalf>, WriteHalf)>,
    /// The request's trace (`None` without trace context or spans).
    pub trace: Option<&'a crate::telemetry::spans::RequestTrace>,
}

impl Exchange<'_> {
    /// The subscription and product this request runs with, for
    /// `context.Subscription.*` and `context.Product.*` (read against the
    /// replica the request is handled with).
    pub fn grant(&self) -> Grant {
        self.log.grant
    }
}

/// APIM's subscription check for a request routed to `api`: the grant, or
/// the 401 error (with its `WWW-Authenticate` challenge for a missing key).
fn check_subscription(replica: &Replica, api: &CompiledApi, req: &RouteRequest<'_>) -> Result<Grant, ProxyError> {
    let key = crate::subscription::request_key(&api.access, req.header, req.query);
    match replica.subscriptions.authorize(&api.access, key.as_deref()) {
        Ok(grant) => Ok(grant),
        Err(Denied::InvalidKey) => Err(ProxyError::InvalidSubscriptionKey),
        Err(Denied::MissingKey) => {
            let host = String::from_utf8_lossy(req.host.unwrap_or(b"localhost"));
            let challenge = format!(
                "AzureApiManagementKey realm=\"https://{host}/{}\",name=\"{}\",type=\"header\"",
                api.path, api.access.key_header
            );
            Err(ProxyError::MissingSubscriptionKey { challenge })
        }
    }
}

/// Routes the request, checks its subscription key and runs its
/// operation's pipeline.
pub async fn handle(x: &mut Exchange<'_>, replica: &Replica) -> Result<(), ProxyError> {
    let head = x.head;
    let data = x.client.data();
    let header = |name: &[u8]| head.header(data, name);
    let req = RouteRequest {
        host: head.host.map(|h| h.get(data)),
        method: &head.method,
        path: head.path.get(data),
        query: head.query.map(|q| q.get(data)),
        header: &header,
    };
    let m = replica
        .router
        .route(&req, &mut x.scratch.route)
        .ok_or(ProxyError::NoRoute)?;
    let api = &replica.apis[m.api];
    if api.protocols != crate::config::Protocols::default() {
        let https =
            upstream_head::client_scheme(head, data, x.tls.is_some(), x.ctx.settings.forwarded_proto) == b"https";
        if !api.protocols.allows(https) {
            // APIM answers a request on a scheme the API does not accept as unmatched.
            return Err(ProxyError::NoRoute);
        }
    }
    let op = &api.operations[m.operation];
    x.log.api = Some(m.api);
    x.log.operation = Some(m.operation);
    x.log.grant = check_subscription(replica, api, &req)?;
    if let Some(max) = std::num::NonZeroU64::new(x.ctx.settings.max_body_bytes) {
        if let crate::http::BodyFraming::Length(n) = head.framing {
            if n > max.get() {
                return Err(ProxyError::BodyTooLarge);
            }
        }
    }
    let pipeline = op.pipeline_for(x.log.grant.product);
    if !pipeline.plain {
        return pipeline_run::run(x, replica, &m, pipeline).await;
    }
    let remainder = Span {
        start: head.path.start + m.remaining_start,
        end: head.path.end,
    };
    match &api.backend {
        BackendTarget::Echo => echo::echo(x).await,
        BackendTarget::Http {
            pool_key,
            addrs,
            base_path,
            host_header,
            ..
        } => {
            let backend = forward::HttpBackend {
                tls: api.backend_tls.as_ref(),
                pool_key,
                addrs,
                base_path,
                host_header,
            };
            forward::forward(x, &backend, remainder, &forward::Outgoing::default(), None)
                .await
                .map(|_| ())
        }
    }
}
