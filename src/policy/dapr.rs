//! What the Dapr policies share (a self-hosted-gateway feature): the
//! sidecar's address, their common attributes, and how a sidecar answer
//! becomes a variable or a failure. The policies: `publish-to-dapr`,
//! `invoke-dapr-binding`, and `set-backend-service backend-id="dapr"`
//! (service invocation, in `set_backend_service`).
//!
//! The sidecar's HTTP API is at `policy.dapr.url` (default
//! `http://localhost:3500`, set once at start-up with [`set_sidecar`]); its
//! origin is registered as a replica target when a policy is compiled, so
//! its name is resolved on the control thread like a backend's. Routes:
//! `POST /v1.0/publish/{pubsub}/{topic}`, `POST /v1.0/bindings/{name}`,
//! `/v1.0/invoke/{app-id}[.{namespace}]/method/{method}`.
//!
//! Failures (source: the policy's name): no answer within `timeout`
//! (default 5 s, 1–240) → `Timeout`; no connection → `BackendConnectionFailure`;
//! an answer that is not 2xx → `BackendErrorStatusCode`, after the answer
//! was stored in `response-variable-name` (so `on-error` can return it with
//! `return-response response-variable-name`). `ignore-error="true"` goes on
//! instead (the variable holds the answer, or `null` without one).

use std::sync::RwLock;
use std::time::Duration;

use super::compile::{CompileError, Compiler, Element};
use super::effect::{CallUrl, HttpCall, Outcome};
use super::exec::Run;
use super::expr::{Value, Want};
use super::failure::Failure;
use super::outgoing::{parse_seconds, parse_url, Timeout};
use super::text::Text;

/// `policy.dapr.url`'s default.
pub const DEFAULT_SIDECAR: &str = "http://localhost:3500";

static SIDECAR: RwLock<String> = RwLock::new(String::new());

/// Sets the sidecar's base URL (`policy.dapr.url`; read at start-up, used
/// whenever a configuration is compiled).
pub fn set_sidecar(url: &str) {
    if let Ok(mut s) = SIDECAR.write() {
        *s = url.trim().trim_end_matches('/').to_owned();
    }
}

/// The sidecar's base URL.
pub fn sidecar() -> String {
    match SIDECAR.read() {
        Ok(s) if !s.is_empty() => s.clone(),
        _ => DEFAULT_SIDECAR.to_owned(),
    }
}

/// The sidecar as a call target (registered as a replica target), with
/// its base path as `target` (`""` for the usual root).
pub fn sidecar_url(c: &mut Compiler<'_>, el: &Element) -> Result<CallUrl, CompileError> {
    let base = sidecar();
    let mut u = parse_url(&base).map_err(|m| c.error(el, format!("policy.dapr.url: {m}")))?;
    let origin = format!("{}://{}", if u.tls { "https" } else { "http" }, u.host_header);
    u.known = Some(c.target_url(&origin));
    u.target = u.target.trim_end_matches('/').to_owned();
    Ok(u)
}

/// The attributes `publish-to-dapr` and `invoke-dapr-binding` share.
#[derive(Clone, Debug)]
pub struct Common {
    pub sidecar: CallUrl,
    pub timeout: Timeout,
    pub ignore_error: bool,
    /// `response-variable-name` (no expressions).
    pub variable: Option<Box<str>>,
    /// `content-type` (only `application/json`).
    pub content_type: Option<&'static str>,
}

pub fn common(c: &mut Compiler<'_>, el: &Element) -> Result<Common, CompileError> {
    if let Some(t) = c.attr(el, "template") {
        return Err(c.error(
            el,
            format!("template=\"{t}\" is not supported on Dapr policies (build the message with an expression)"),
        ));
    }
    let content_type = match c.attr(el, "content-type").map(str::trim) {
        None => None,
        Some(t) if t.eq_ignore_ascii_case("application/json") => Some("application/json"),
        Some(t) => return Err(c.error(el, format!("content-type must be application/json, not `{t}`"))),
    };
    let timeout = match c.text_attr(el, "timeout", Want::String)? {
        None => Timeout::Fixed(Duration::from_secs(5)),
        Some(Text::Lit(t)) => Timeout::Fixed(Duration::from_secs(
            timeout_secs(&t).map_err(|m| c.error(el, format!("timeout: {m}")))?,
        )),
        Some(t) => Timeout::Expr(t),
    };
    let variable = match c.attr(el, "response-variable-name").map(str::trim) {
        Some("") => return Err(c.error(el, "empty `response-variable-name`")),
        v => v.map(Into::into),
    };
    Ok(Common {
        sidecar: sidecar_url(c, el)?,
        timeout,
        ignore_error: c.boolean(el, "ignore-error", false)?,
        variable,
        content_type,
    })
}

/// A Dapr timeout: 1–240 seconds.
fn timeout_secs(s: &str) -> Result<u64, String> {
    match parse_seconds(s)? {
        n @ 1..=240 => Ok(n),
        n => Err(format!("{n} is not between 1 and 240 seconds")),
    }
}

impl Common {
    /// The timeout of this call.
    pub fn timeout<'p>(&'p self, r: &Run<'_, 'p>, source: &'static str) -> Result<Duration, Failure> {
        match &self.timeout {
            Timeout::Fixed(d) => Ok(*d),
            Timeout::Expr(t) => timeout_secs(&r.eval(t, source)?)
                .map(Duration::from_secs)
                .map_err(|m| Failure::expression(source, format!("timeout: {m}"))),
        }
    }

    /// The sidecar URL of `path` (which starts with `/v1.0/`).
    pub fn url(&self, path: String) -> CallUrl {
        let mut u = self.sidecar.clone();
        u.target = format!("{}{path}", u.target);
        u
    }

    /// A `POST` of `body` to the sidecar's `path`.
    pub fn post<'p>(
        &'p self,
        r: &Run<'_, 'p>,
        source: &'static str,
        path: String,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<HttpCall, Failure> {
        Ok(HttpCall {
            method: http::Method::POST,
            url: self.url(path),
            headers: content_type
                .map(|t| vec![("Content-Type".to_owned(), t.to_owned())])
                .unwrap_or_default(),
            body,
            timeout: self.timeout(r, source)?,
            client_cert: None,
            proxy: None,
            body_max: r.env.services.body_max,
            bearer: None,
        })
    }

    /// Applies the sidecar's answer (see the module doc).
    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, source: &'static str, outcome: Outcome) -> Result<(), Failure> {
        let (value, failure) = match outcome {
            Outcome::Http(Ok(resp)) => {
                let status = resp.status;
                let failure = (!(200..300).contains(&status)).then(|| {
                    Failure::new(
                        source,
                        "BackendErrorStatusCode",
                        500,
                        format!("Dapr responded with status code {status}"),
                    )
                });
                let value =
                    outpost_expr::library::apim::response(i32::from(status), &resp.reason, resp.headers, resp.body);
                (value, failure)
            }
            Outcome::Http(Err(e)) => (Value::Null, Some(e.failure(source))),
            Outcome::Done | Outcome::Cache(_) | Outcome::Authority(_) | Outcome::Authorized(..) => (Value::Null, None),
        };
        if let Some(name) = &self.variable {
            r.flow.set_var(std::borrow::Cow::Borrowed(&**name), value);
        }
        match failure {
            Some(f) if !self.ignore_error => Err(f),
            Some(f) => {
                tracing::debug!(source, error = %f, "Dapr call failed; ignore-error goes on");
                Ok(())
            }
            None => Ok(()),
        }
    }
}

/// Percent-encodes one path segment (a name, an id, a topic): every byte
/// but RFC 3986's unreserved ones (.NET's `Uri.EscapeDataString`).
pub fn segment(s: &str) -> String {
    outpost_expr::library::net::escape::escape_data(s)
}

/// Percent-encodes a path that may hold `/` (a Dapr method).
pub fn path(s: &str) -> String {
    s.trim_start_matches('/')
        .split('/')
        .map(segment)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_paths_are_encoded() {
        assert_eq!(segment("orders topic/1"), "orders%20topic%2F1");
        assert_eq!(path("/api/v1/a b"), "api/v1/a%20b");
        assert_eq!(timeout_secs("5"), Ok(5));
        assert!(timeout_secs("0").is_err() && timeout_secs("241").is_err());
    }
}
