//! `forward-request follow-redirects="true"`: which backend redirects the
//! gateway follows itself and where they lead. The rules are .NET's
//! `HttpClient` ones, which APIM's gateway uses:
//!
//! - 301, 302 (and 300): a `POST` becomes a `GET` without a body; other
//!   methods are kept with their body;
//! - 303: every method but `GET`/`HEAD` becomes a `GET` without a body;
//! - 307, 308: method and body are kept;
//! - the `Location` may be relative (resolved against the URL just
//!   requested, RFC 3986); only `http` and `https` are followed, and never
//!   from `https` to `http`;
//! - `Authorization` is not sent on to the redirect target;
//! - at most [`MAX_REDIRECTS`] redirects per request: the next one is
//!   relayed to the client as is.
//!
//! Invariant (the proxy's): no DNS per request. A redirect is followed only
//! to a backend the configuration already resolved: the API's own backend,
//! a configured backend, or a literal `set-backend-service base-url`. A
//! redirect anywhere else is relayed to the client as is.

use http::Method;

use super::error::ProxyError;
use super::forward::{self, HttpBackend, Outgoing, Pending};
use super::pipeline_backend::{http_backend, remainder, with_client_cert};
use super::Exchange;
use crate::policy::exec::{Env, RequestView};
use crate::policy::flow::{FieldEdits, Flow};
use crate::replica::{BackendTarget, Target};
use crate::tls::client::BackendConnector;

/// Redirects followed per request before the next one is relayed as is.
pub const MAX_REDIRECTS: u32 = 10;

/// What a redirect does to the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    /// The method of the next request.
    pub method: Method,
    /// Whether the body is dropped (the method became `GET`).
    pub drop_body: bool,
}

/// The next request's method for a `status` redirect of a `method`
/// request, or `None` when `status` is not a redirect the gateway follows.
pub fn rewrite(status: u16, method: &Method) -> Option<Rewrite> {
    let to_get = match status {
        300..=302 => *method == Method::POST,
        303 => *method != Method::GET && *method != Method::HEAD,
        307 | 308 => false,
        _ => return None,
    };
    Some(if to_get {
        Rewrite {
            method: Method::GET,
            drop_body: true,
        }
    } else {
        Rewrite {
            method: method.clone(),
            drop_body: false,
        }
    })
}

/// Where a redirect leads: a configured backend and the path and query to
/// request from it (absolute, without the backend's base path).
pub struct Hop<'r> {
    pub target: &'r BackendTarget,
    pub tls: Option<&'r BackendConnector>,
    pub path: String,
    pub query: String,
}

/// Resolves `location` against `current` (the backend just called) and
/// `requested` (the request-target just sent, path and query), and finds
/// the backend it names: the API's, or one of `targets` (the replica's).
/// `None`: not followed.
pub fn hop<'r>(
    targets: &'r [Target],
    api_backend: (&'r BackendTarget, Option<&'r BackendConnector>),
    current: &BackendTarget,
    requested: &str,
    location: &str,
) -> Option<Hop<'r>> {
    let BackendTarget::Http { tls, host, port, .. } = current else {
        return None;
    };
    let scheme = if *tls { "https" } else { "http" };
    let base = url::Url::parse(&format!("{scheme}://{}{requested}", authority(host, *port))).ok()?;
    let next = base.join(location.trim()).ok()?;
    let next_tls = match next.scheme() {
        "http" => false,
        "https" => true,
        _ => return None,
    };
    if *tls && !next_tls {
        return None;
    }
    let next_host = match next.host()? {
        url::Host::Ipv6(a) => a.to_string(),
        h => h.to_string(),
    };
    let next_port = next.port_or_known_default()?;
    let same = |t: &BackendTarget| {
        matches!(t, BackendTarget::Http { tls, host, port, .. }
            if *tls == next_tls && *port == next_port && host.eq_ignore_ascii_case(&next_host))
    };
    let (target, connector) = if same(api_backend.0) {
        api_backend
    } else {
        let t = targets.iter().find(|t| same(&t.backend))?;
        (&t.backend, t.backend_tls.as_ref())
    };
    Some(Hop {
        target,
        tls: connector,
        path: next.path().to_owned(),
        query: next.query().unwrap_or("").to_owned(),
    })
}

/// Follows the redirects of the response whose head `p` holds (a request
/// to the backend and pool `at` for the request-target `requested`), up to [`MAX_REDIRECTS`]:
/// each followed one edits the request in `flow` (method, path, query,
/// body, `Authorization`) and sends it to the backend the `Location`
/// names. Returns the first response that is not followed, and the pool
/// key of its connection.
#[allow(clippy::too_many_arguments)]
pub async fn follow<'r>(
    x: &mut Exchange<'_>,
    env: &'r Env<'r>,
    flow: &mut Flow<'r>,
    req: RequestView<'r>,
    mut p: Pending,
    at: (&'r BackendTarget, &'r str),
    mut requested: String,
    timeout: Option<std::time::Duration>,
) -> Result<(Pending, &'r str), ProxyError> {
    let (mut target, mut pool) = at;
    for _ in 0..MAX_REDIRECTS {
        let method = flow.request.method.as_ref().unwrap_or(&req.head.method);
        let Some(rw) = rewrite(x.scratch.resp.status, method) else {
            break;
        };
        let location = x
            .scratch
            .resp
            .header(p.up.r.data(), b"location")
            .and_then(|v| std::str::from_utf8(v).ok());
        let api_backend = (&env.api.backend, env.api.backend_tls.as_ref());
        let Some(next) = location.and_then(|l| hop(&env.replica.targets, api_backend, target, &requested, l)) else {
            break;
        };
        forward::discard_pending(x, p);
        let edits = &mut flow.request;
        edits.method = Some(rw.method);
        if rw.drop_body {
            edits.body = Some(Vec::new());
            edits.headers.remove("Content-Type");
        }
        edits.headers.remove("Authorization");
        edits.path = Some(next.path);
        edits.query = Some(next.query);
        edits.query_ops = FieldEdits::default();
        target = next.target;
        let (tls, next_pool) = with_client_cert(target, next.tls, flow.request.client_cert)?;
        pool = next_pool;
        let backend = HttpBackend {
            base_path: "",
            ..http_backend(target, tls, next_pool)
        };
        let out = Outgoing {
            edits: Some(&flow.request),
            head_buf: Some(req.buf),
            body: flow.request.body.as_deref().or(flow.request_body.as_deref()),
            timeout,
            defer: true,
        };
        let prepared = forward::prepare(x, &backend, remainder(req), &out).await?;
        requested = request_target(&x.scratch.out).unwrap_or("/").to_owned();
        // The body is in memory, so the response always comes back deferred.
        p = forward::send(x, &backend, prepared, true, None)
            .await?
            .ok_or(ProxyError::BackendClosed)?;
    }
    Ok((p, pool))
}

fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The request-target (path and query) of the request head at the start
/// of `request` (`METHOD SP target SP version`).
pub fn request_target(request: &[u8]) -> Option<&str> {
    let line = &request[..request.iter().position(|&b| b == b'\r')?];
    let mut parts = line.splitn(3, |&b| b == b' ');
    parts.next()?;
    std::str::from_utf8(parts.next()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_rules_are_dotnets() {
        let get = |s, m: Method| rewrite(s, &m).map(|r| (r.method, r.drop_body));
        assert_eq!(get(301, Method::POST), Some((Method::GET, true)));
        assert_eq!(get(302, Method::POST), Some((Method::GET, true)));
        assert_eq!(get(302, Method::PUT), Some((Method::PUT, false)));
        assert_eq!(get(303, Method::PUT), Some((Method::GET, true)));
        assert_eq!(get(303, Method::HEAD), Some((Method::HEAD, false)));
        assert_eq!(get(307, Method::POST), Some((Method::POST, false)));
        assert_eq!(get(308, Method::DELETE), Some((Method::DELETE, false)));
        assert_eq!(get(304, Method::GET), None);
        assert_eq!(get(200, Method::GET), None);
    }

    #[test]
    fn request_target_is_the_second_word_of_the_request_line() {
        assert_eq!(
            request_target(b"GET /a/b?c=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some("/a/b?c=1")
        );
        assert_eq!(request_target(b"GET"), None);
    }

    fn http(host: &str, port: u16) -> BackendTarget {
        BackendTarget::Http {
            tls: false,
            host: host.into(),
            port,
            base_path: "/base".into(),
            host_header: format!("{host}:{port}"),
            addrs: vec![],
            pool_key: format!("http://{host}:{port}"),
        }
    }

    #[test]
    fn locations_resolve_relative_and_only_to_known_backends() {
        let api = http("127.0.0.1", 8080);
        let other = Target {
            key: "http://127.0.0.1:9090".into(),
            backend: http("127.0.0.1", 9090),
            backend_tls: None,
        };
        let targets = [other];
        let go = |loc: &str| hop(&targets, (&api, None), &api, "/base/a/b?x=1", loc).map(|h| (h.path, h.query));
        assert_eq!(go("/c?d=2"), Some(("/c".into(), "d=2".into())));
        assert_eq!(go("c"), Some(("/base/a/c".into(), String::new())));
        assert_eq!(go("../up"), Some(("/base/up".into(), String::new())));
        assert_eq!(go("http://127.0.0.1:8080/abs"), Some(("/abs".into(), String::new())));
        assert_eq!(go("HTTP://127.0.0.1:8080/abs"), Some(("/abs".into(), String::new())));
        assert_eq!(go("http://127.0.0.1:9090/other?q"), Some(("/other".into(), "q".into())));
        assert_eq!(go("http://127.0.0.1:9/elsewhere"), None, "not a configured backend");
        assert_eq!(go("http://example.com/"), None, "never resolved per request");
        assert_eq!(go("ftp://127.0.0.1:8080/x"), None, "only http and https");
    }
}
