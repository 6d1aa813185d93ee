//! `set-backend-service` (pick the backend: `base-url` or `backend-id`) and
//! `forward-request` (send the request to it).
//!
//! ```xml
//! <set-backend-service base-url="http://orders.internal:8080/v2"/>
//! <set-backend-service backend-id="orders"/>
//! <set-backend-service backend-id="dapr" dapr-app-id="orders" dapr-method="api/new" dapr-namespace="shop"/>
//! <forward-request timeout="20" buffer-request-body="true" fail-on-error-status-code="true" follow-redirects="true"/>
//! ```
//! Host names are resolved on the control thread, never per request: a
//! literal `base-url` is resolved with the configuration; an expression must
//! evaluate to the URL of a configured backend, an API's service URL or a
//! literal `base-url` (else the request fails with
//! `ExpressionValueEvaluationFailure`).
//!
//! `backend-id="dapr"` (with `dapr-app-id`) is Dapr service invocation: the
//! request goes to the sidecar (`policy::dapr`) at
//! `/v1.0/invoke/{app-id}[.{namespace}]/method/{method}` (the method
//! replaces the request's path; its query is kept).

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;
use crate::config::ServiceUrl;

#[derive(Clone, Debug)]
pub enum SetBackendService {
    /// Index into `Replica::targets`.
    Fixed(usize),
    /// A `base-url` expression, matched against `Replica::targets` URLs.
    Dynamic(Text),
    /// Dapr service invocation through the sidecar (target index).
    Dapr {
        sidecar: usize,
        /// The sidecar URL's own path (`""` normally).
        base: Box<str>,
        app_id: Text,
        method: Text,
        namespace: Option<Text>,
    },
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetBackendService, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Backend])?;
    let dapr = c.attr(el, "dapr-app-id").is_some() || c.attr(el, "dapr-method").is_some();
    if c.attr(el, "backend-id").map(str::trim) == Some("dapr") && (dapr || c.backend_index("dapr").is_none()) {
        return compile_dapr(c, el);
    }
    if dapr {
        return Err(c.error(el, "dapr-app-id and dapr-method need backend-id=\"dapr\""));
    }
    match (c.attr(el, "backend-id"), c.text_attr(el, "base-url", Want::String)?) {
        (Some(_), Some(_)) => Err(c.error(el, "use either `base-url` or `backend-id`, not both")),
        (None, None) => Err(c.error(el, "missing attribute `base-url` or `backend-id`")),
        (Some(id), None) => c
            .backend_index(id)
            .map(SetBackendService::Fixed)
            .ok_or_else(|| c.error(el, format!("no backend with id `{id}`"))),
        (None, Some(Text::Lit(url))) => {
            ServiceUrl::parse(&url).map_err(|m| c.error(el, format!("base-url: {m}")))?;
            Ok(SetBackendService::Fixed(c.target_url(&url)))
        }
        (None, Some(t)) => Ok(SetBackendService::Dynamic(t)),
    }
}

fn compile_dapr(c: &mut Compiler<'_>, el: &Element) -> Result<SetBackendService, CompileError> {
    let need = |c: &Compiler<'_>, name: &str, t: Option<Text>| {
        t.ok_or_else(|| c.error(el, format!("missing attribute `{name}`")))
    };
    let app_id = c.text_attr(el, "dapr-app-id", Want::String)?;
    let app_id = need(c, "dapr-app-id", app_id)?;
    let method = c.text_attr(el, "dapr-method", Want::String)?;
    let method = need(c, "dapr-method", method)?;
    let namespace = c.text_attr(el, "dapr-namespace", Want::String)?;
    let sidecar = super::dapr::sidecar_url(c, el)?;
    Ok(SetBackendService::Dapr {
        sidecar: sidecar.known.unwrap_or_default(),
        base: sidecar.target.into(),
        app_id,
        method,
        namespace,
    })
}

/// Normalises a URL for matching (no trailing `/`, lowercase scheme/host).
pub fn url_key(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.find("://") {
        Some(i) => {
            let host_end = url[i + 3..].find('/').map_or(url.len(), |j| i + 3 + j);
            format!("{}{}", url[..host_end].to_ascii_lowercase(), &url[host_end..])
        }
        None => url.to_owned(),
    }
}

impl SetBackendService {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let index = match self {
            SetBackendService::Fixed(i) => *i,
            SetBackendService::Dapr {
                sidecar,
                base,
                app_id,
                method,
                namespace,
            } => {
                const SRC: &str = "set-backend-service";
                let mut app = super::dapr::segment(r.eval(app_id, SRC)?.trim());
                if let Some(ns) = namespace {
                    let ns = r.eval(ns, SRC)?;
                    if !ns.trim().is_empty() {
                        app.push('.');
                        app.push_str(&super::dapr::segment(ns.trim()));
                    }
                }
                let method = super::dapr::path(r.eval(method, SRC)?.trim());
                r.flow.request.path = Some(format!("{base}/v1.0/invoke/{app}/method/{method}"));
                *sidecar
            }
            SetBackendService::Dynamic(t) => {
                let url = r.eval(t, "set-backend-service")?;
                let key = url_key(&url);
                r.env.replica.targets.iter().position(|t| t.key == key).ok_or_else(|| {
                    Failure::expression(
                        "set-backend-service",
                        format!("base-url `{url}` is not a configured backend"),
                    )
                })?
            }
        };
        r.flow.request.backend = Some(index);
        Ok(())
    }
}

/// `forward-request`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forward {
    /// `None`: the gateway's default backend timeout.
    pub timeout: Option<Duration>,
    /// Read the whole request body before sending (needed to retry).
    pub buffer_request_body: bool,
    /// A 4xx/5xx backend response goes to `on-error`.
    pub fail_on_error_status_code: bool,
    /// Follow the backend's redirects (`proxy::redirect`).
    pub follow_redirects: bool,
}

pub fn compile_forward(c: &mut Compiler<'_>, el: &Element) -> Result<Forward, CompileError> {
    c.only_in(el, &[Section::Backend])?;
    let timeout = match (c.number(el, "timeout")?, c.number(el, "timeout-ms")?) {
        (Some(_), Some(_)) => return Err(c.error(el, "use either `timeout` or `timeout-ms`")),
        (Some(s), None) => Some(Duration::from_secs(s)),
        (None, Some(ms)) => Some(Duration::from_millis(ms)),
        (None, None) => None,
    };
    Ok(Forward {
        timeout,
        buffer_request_body: c.boolean(el, "buffer-request-body", false)?,
        fail_on_error_status_code: c.boolean(el, "fail-on-error-status-code", false)?,
        follow_redirects: c.boolean(el, "follow-redirects", false)?,
    })
}
