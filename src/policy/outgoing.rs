//! The request `send-request` and `send-one-way-request` send: their
//! common attributes (`mode`, `timeout`) and children (`set-url`,
//! `set-method`, `set-header`, `set-body`, `authentication-certificate`,
//! `proxy`), compiled once and evaluated per request into an owned
//! [`HttpCall`] (see `policy::effect`).
//!
//! `mode="new"` starts from an empty request; `mode="copy"` from a copy of
//! the current request: its method, its URL as it would be forwarded, its
//! headers (edits applied; framing and hop-by-hop fields left out) and its
//! body — except in `outbound`/`on-error`, where the body is not copied
//! (APIM's rule). A literal URL's host is registered as a replica target,
//! so it is resolved on the control thread with the configuration; an
//! expression's URL is resolved when sent (`proxy::resolve`).
//!
//! Invariants: nothing of the request is borrowed by the [`HttpCall`];
//! framing fields (`Content-Length`, `Transfer-Encoding`, `Connection`)
//! are never taken from the policy (the client writes them); a `Host`
//! header set by the policy replaces the URL's (APIM's documented
//! `https://127.0.0.1` + `Host` pattern).

use std::time::Duration;

use base64::Engine as _;

use super::authentication_certificate::{self, AuthenticationCertificate};
use super::authentication_managed_identity::{self, AuthenticationManagedIdentity};
use super::compile::{children, CompileError, Compiler, Element, Section};
use super::effect::{CallProxy, CallUrl, HttpCall};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::set_header::{self, ExistsAction, SetHeader};
use super::text::Text;
use crate::config::ServiceUrl;
use crate::replica::BackendTarget;

/// `mode`.
#[derive(Clone, Debug)]
pub enum Mode {
    New,
    Copy,
    Dynamic(Text),
}

/// A URL: parsed when literal, else evaluated per request.
#[derive(Clone, Debug)]
pub enum UrlSpec {
    Lit(CallUrl),
    Expr(Text),
}

/// `<proxy url username password>`.
#[derive(Clone, Debug)]
pub struct ProxySpec {
    pub url: UrlSpec,
    pub username: Option<Text>,
    pub password: Option<Text>,
}

/// A timeout in seconds.
#[derive(Clone, Debug)]
pub enum Timeout {
    Fixed(Duration),
    Expr(Text),
}

/// The compiled request description.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The element name, for failures.
    pub source: &'static str,
    pub mode: Mode,
    pub url: Option<UrlSpec>,
    pub method: Option<Text>,
    pub headers: Vec<SetHeader>,
    pub body: Option<Text>,
    /// `set-body template="liquid"` (instead of `body`).
    pub body_liquid: Option<Box<super::set_body::LiquidBody>>,
    pub cert: Option<AuthenticationCertificate>,
    pub proxy: Option<ProxySpec>,
    pub timeout: Timeout,
    /// In `outbound`/`on-error`: `copy` does not copy the body.
    pub response_section: bool,
    /// `<authentication-managed-identity>` (`send-request` only): the
    /// call carries its token (see `send_request`).
    pub identity: Option<Box<AuthenticationManagedIdentity>>,
}

/// Parses an absolute `http(s)://` URL into where to send it.
pub fn parse_url(url: &str) -> Result<CallUrl, String> {
    let url = url.trim();
    let Some(i) = url.find("://") else {
        return Err(format!("`{url}` is not an absolute http(s) URL"));
    };
    let end = url[i + 3..].find(['/', '?', '#']).map_or(url.len(), |j| i + 3 + j);
    let (origin, rest) = url.split_at(end);
    let rest = rest.split('#').next().unwrap_or_default();
    if rest.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(format!(
            "`{url}`: spaces and control characters must be percent-encoded"
        ));
    }
    let target = match rest.strip_prefix('?') {
        Some(q) => format!("/?{q}"),
        None if rest.is_empty() => "/".to_owned(),
        None => rest.to_owned(),
    };
    match ServiceUrl::parse(origin)? {
        ServiceUrl::Http {
            tls,
            host,
            port,
            host_header,
            ..
        } => Ok(CallUrl {
            tls,
            host,
            port,
            host_header,
            target,
            known: None,
        }),
        ServiceUrl::Echo => Err(format!("`{url}`: echo:// cannot be called")),
    }
}

/// The origin (`scheme://host:port`) of a parsed URL.
fn origin(u: &CallUrl) -> String {
    format!("{}://{}", if u.tls { "https" } else { "http" }, u.host_header)
}

fn url_spec(c: &mut Compiler<'_>, el: &Element, text: Text) -> Result<UrlSpec, CompileError> {
    match text {
        // check-policy without the named value: checked after substitution
        // (as a value computed at run time, should it ever run).
        Text::Lit(s) if c.unresolved(el, "set-url", &s) => Ok(UrlSpec::Expr(Text::Lit(s))),
        Text::Lit(s) => {
            let mut u = parse_url(&s).map_err(|m| c.error(el, m))?;
            u.known = Some(c.target_url(&origin(&u)));
            Ok(UrlSpec::Lit(u))
        }
        t => Ok(UrlSpec::Expr(t)),
    }
}

/// Compiles the common part of `el`; `default_timeout` in seconds.
pub fn compile(
    c: &mut Compiler<'_>,
    el: &Element,
    source: &'static str,
    default_timeout: u64,
) -> Result<Outgoing, CompileError> {
    let mode = match c.text_attr(el, "mode", Want::String)? {
        None => Mode::New,
        Some(Text::Lit(m)) if m.trim().eq_ignore_ascii_case("new") => Mode::New,
        Some(Text::Lit(m)) if m.trim().eq_ignore_ascii_case("copy") => Mode::Copy,
        Some(Text::Lit(m)) => return Err(c.error(el, format!("mode must be new or copy, not `{m}`"))),
        Some(t) => Mode::Dynamic(t),
    };
    let timeout = match c.text_attr(el, "timeout", Want::String)? {
        None => Timeout::Fixed(Duration::from_secs(default_timeout)),
        Some(Text::Lit(t)) => Timeout::Fixed(Duration::from_secs(
            parse_seconds(&t).map_err(|m| c.error(el, format!("timeout: {m}")))?,
        )),
        Some(t) => Timeout::Expr(t),
    };
    let mut out = Outgoing {
        source,
        mode,
        url: None,
        method: None,
        headers: Vec::new(),
        body: None,
        body_liquid: None,
        cert: None,
        proxy: None,
        timeout,
        response_section: c.section.is_response(),
        identity: None,
    };
    for child in children(el) {
        let dup = |c: &Compiler<'_>| c.error(child, format!("<{}> may appear only once", child.name));
        match child.name.as_str() {
            "set-url" => {
                if out.url.is_some() {
                    return Err(dup(c));
                }
                let t = c.content(child, Want::String)?;
                out.url = Some(url_spec(c, child, t)?);
            }
            "set-method" => {
                if out.method.is_some() {
                    return Err(dup(c));
                }
                let t = c.content(child, Want::String)?;
                if let Text::Lit(m) = &t {
                    parse_method(m).map_err(|m| c.error(child, m))?;
                }
                out.method = Some(t);
            }
            "set-header" => out.headers.push(set_header::compile(c, child)?),
            "set-body" => {
                if out.body.is_some() || out.body_liquid.is_some() {
                    return Err(dup(c));
                }
                let b = super::set_body::compile(c, child)?;
                match b.liquid {
                    Some(l) => out.body_liquid = Some(l),
                    None => out.body = Some(b.body),
                }
            }
            "authentication-certificate" => {
                if out.cert.is_some() {
                    return Err(dup(c));
                }
                let section = std::mem::replace(&mut c.section, Section::Inbound);
                let cert = authentication_certificate::compile(c, child);
                c.section = section;
                out.cert = Some(cert?);
            }
            "proxy" => {
                if out.proxy.is_some() {
                    return Err(dup(c));
                }
                out.proxy = Some(proxy(c, child)?);
            }
            "authentication-managed-identity" if source == "send-request" => {
                if out.identity.is_some() {
                    return Err(dup(c));
                }
                out.identity = Some(Box::new(authentication_managed_identity::parse(c, child)?));
            }
            _ => {
                return Err(c.error(
                    child,
                    format!(
                        "not allowed in <{}> (set-url, set-method, set-header, set-body, \
                         authentication-certificate, {}proxy)",
                        el.name,
                        if source == "send-request" {
                            "authentication-managed-identity, "
                        } else {
                            ""
                        }
                    ),
                ))
            }
        }
    }
    if matches!(out.mode, Mode::New) && out.url.is_none() {
        return Err(c.error(el, "<set-url> is required unless mode=\"copy\""));
    }
    Ok(out)
}

fn proxy(c: &mut Compiler<'_>, el: &Element) -> Result<ProxySpec, CompileError> {
    let url = c
        .text_attr(el, "url", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `url`"))?;
    let url = url_spec(c, el, url)?;
    if let UrlSpec::Lit(u) = &url {
        if u.tls {
            return Err(c.error(el, "only an http:// proxy is supported"));
        }
    }
    Ok(ProxySpec {
        url,
        username: c.text_attr(el, "username", Want::String)?,
        password: c.text_attr(el, "password", Want::String)?,
    })
}

/// A whole number of seconds.
pub fn parse_seconds(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t.strip_suffix("sec").map_or(t, str::trim_end);
    let n = t
        .parse::<u64>()
        .map_err(|_| format!("`{s}` is not a whole number of seconds"))?;
    if n > MAX_TIMEOUT_SECS {
        return Err(format!(
            "{n} seconds is more than the largest timeout ({MAX_TIMEOUT_SECS})"
        ));
    }
    Ok(n)
}

/// The largest call timeout: one day (the runtime's timer cannot take
/// arbitrarily far deadlines, and no call should wait longer).
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

fn parse_method(m: &str) -> Result<http::Method, String> {
    let m = m.trim();
    if m.is_empty() || m.eq_ignore_ascii_case("CONNECT") {
        return Err(format!("invalid method `{m}`"));
    }
    http::Method::from_bytes(m.to_ascii_uppercase().as_bytes()).map_err(|_| format!("invalid method `{m}`"))
}

/// Header fields never copied nor taken from a policy: the client frames
/// the message itself (framing and hop-by-hop fields).
pub const FRAMING_FIELDS: [&str; 8] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "upgrade",
    "proxy-connection",
    "trailer",
];

/// Whether `name` is one of [`FRAMING_FIELDS`].
pub fn is_framing(name: &str) -> bool {
    FRAMING_FIELDS.iter().any(|f| name.eq_ignore_ascii_case(f))
}

impl Outgoing {
    /// Whether building the call reads the whole request body.
    pub fn needs_request_body(&self) -> bool {
        !self.response_section && (!matches!(self.mode, Mode::New) || self.reads_body())
    }

    /// Whether the body child reads the current message body.
    fn reads_body(&self) -> bool {
        self.body.as_ref().is_some_and(Text::reads_body)
            || self.body_liquid.as_ref().is_some_and(|l| l.template.uses_body)
    }

    /// Whether building the call reads the whole response body.
    pub fn needs_response_body(&self) -> bool {
        self.response_section && self.reads_body()
    }

    /// Evaluates everything into an owned call.
    pub fn build<'p>(&'p self, r: &Run<'_, 'p>, body_max: u64) -> Result<HttpCall, Failure> {
        let src = self.source;
        let copy = match &self.mode {
            Mode::New => false,
            Mode::Copy => true,
            Mode::Dynamic(t) => {
                let m = r.eval(t, src)?;
                match m.trim() {
                    m if m.eq_ignore_ascii_case("new") => false,
                    m if m.eq_ignore_ascii_case("copy") => true,
                    other => {
                        return Err(Failure::expression(
                            src,
                            format!("mode must be new or copy, not `{other}`"),
                        ))
                    }
                }
            }
        };
        let url = match &self.url {
            Some(UrlSpec::Lit(u)) => u.clone(),
            Some(UrlSpec::Expr(t)) => {
                let s = r.eval(t, src)?;
                parse_url(&s).map_err(|m| Failure::expression(src, m))?
            }
            None if copy => current_url(r, src)?,
            None => {
                return Err(Failure::expression(
                    src,
                    "<set-url> is required unless mode=\"copy\"".into(),
                ))
            }
        };
        let method = match &self.method {
            Some(t) => parse_method(&r.eval(t, src)?).map_err(|m| Failure::expression(src, m))?,
            None if copy => r
                .flow
                .request
                .method
                .clone()
                .unwrap_or_else(|| r.req.head.method.clone()),
            None => http::Method::GET,
        };
        let mut headers: Vec<(String, String)> = if copy {
            r.all_headers(false)
                .into_iter()
                .filter(|(n, _)| !is_framing(n) && !n.eq_ignore_ascii_case("host"))
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect()
        } else {
            Vec::new()
        };
        for h in &self.headers {
            apply_header(r, h, &mut headers, src)?;
        }
        headers.retain(|(n, _)| !is_framing(n));
        let body = match (&self.body, &self.body_liquid) {
            (_, Some(l)) => l.render(r, self.response_section, false, src)?,
            (Some(t), None) => r.eval(t, src)?.into_owned().into_bytes(),
            (None, None) if copy && !self.response_section => {
                let flow = &r.flow;
                flow.request
                    .body
                    .as_ref()
                    .or(flow.request_body.as_ref())
                    .cloned()
                    .unwrap_or_default()
            }
            (None, None) => Vec::new(),
        };
        let timeout = match &self.timeout {
            Timeout::Fixed(d) => *d,
            Timeout::Expr(t) => Duration::from_secs(
                parse_seconds(&r.eval(t, src)?).map_err(|m| Failure::expression(src, format!("timeout: {m}")))?,
            ),
        };
        let client_cert = match &self.cert {
            Some(c) => Some(c.resolve(r)?),
            None => None,
        };
        let proxy = match &self.proxy {
            None => None,
            Some(p) => Some(self.build_proxy(r, p)?),
        };
        Ok(HttpCall {
            method,
            url,
            headers,
            body,
            timeout,
            client_cert,
            proxy,
            body_max,
            bearer: None,
        })
    }

    fn build_proxy<'p>(&'p self, r: &Run<'_, 'p>, p: &'p ProxySpec) -> Result<CallProxy, Failure> {
        let src = self.source;
        let url = match &p.url {
            UrlSpec::Lit(u) => u.clone(),
            UrlSpec::Expr(t) => parse_url(&r.eval(t, src)?).map_err(|m| Failure::expression(src, m))?,
        };
        if url.tls {
            return Err(Failure::expression(src, "only an http:// proxy is supported".into()));
        }
        let authorization = match &p.username {
            Some(u) => {
                let user = r.eval(u, src)?;
                let pass = match &p.password {
                    Some(pw) => r.eval(pw, src)?,
                    None => "".into(),
                };
                let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
                Some(format!("Basic {token}"))
            }
            None => None,
        };
        Ok(CallProxy { url, authorization })
    }
}

/// Applies one `set-header` child to the call's header list.
fn apply_header<'p>(
    r: &Run<'_, 'p>,
    h: &'p SetHeader,
    headers: &mut Vec<(String, String)>,
    src: &'static str,
) -> Result<(), Failure> {
    let name: &str = &h.name;
    let exists = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    match h.action {
        ExistsAction::Delete => headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name)),
        ExistsAction::Skip if exists => {}
        ExistsAction::Override | ExistsAction::Skip | ExistsAction::Append => {
            let values = r.eval_values(&h.values, src)?;
            if h.action == ExistsAction::Override {
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            }
            for v in values {
                if v.contains(['\r', '\n', '\0']) {
                    return Err(Failure::expression(
                        src,
                        format!("the value of header {name} contains a line break"),
                    ));
                }
                headers.push((name.to_owned(), v.into_owned()));
            }
        }
    }
    Ok(())
}

/// The URL the current request would be forwarded to (`mode="copy"`
/// without `set-url`).
fn current_url(r: &Run<'_, '_>, src: &'static str) -> Result<CallUrl, Failure> {
    let env = r.env;
    let (backend, known) = match r
        .flow
        .request
        .backend
        .and_then(|i| env.replica.targets.get(i).map(|t| (t, i)))
    {
        Some((t, i)) => (&t.backend, Some(i)),
        None => (&env.api.backend, None),
    };
    let BackendTarget::Http {
        tls,
        host,
        port,
        base_path,
        host_header,
        ..
    } = backend
    else {
        return Err(Failure::expression(
            src,
            "mode=\"copy\" without <set-url> needs an http(s) backend".into(),
        ));
    };
    let rest = match &r.flow.request.path {
        Some(p) => p.clone(),
        None => {
            let path = r.req.path();
            String::from_utf8_lossy(path.get(r.req.remaining_start..).unwrap_or_default()).into_owned()
        }
    };
    let query = match &r.flow.request.query {
        Some(q) => Some(q.clone()),
        None => r.req.query().map(|q| String::from_utf8_lossy(q).into_owned()),
    };
    let mut target = format!("{base_path}{rest}");
    if !target.starts_with('/') {
        target.insert(0, '/');
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        target.push('?');
        target.push_str(&q);
    }
    Ok(CallUrl {
        tls: *tls,
        host: host.clone(),
        port: *port,
        host_header: host_header.clone(),
        target,
        known,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_origin_and_target() {
        let u = parse_url(" https://Auth.Example.com/oauth2/token?x=1#frag ").unwrap();
        assert!(u.tls);
        assert_eq!((u.host.as_str(), u.port), ("auth.example.com", 443));
        assert_eq!(u.host_header, "auth.example.com");
        assert_eq!(u.target, "/oauth2/token?x=1");
        let u = parse_url("http://127.0.0.1:8081?q").unwrap();
        assert_eq!(
            (u.port, u.target.as_str(), u.host_header.as_str()),
            (8081, "/?q", "127.0.0.1:8081")
        );
        let u = parse_url("http://[::1]:9000").unwrap();
        assert_eq!((u.host.as_str(), u.target.as_str()), ("::1", "/"));
        assert!(parse_url("/relative").is_err());
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("http://x/a b").is_err());
        assert!(parse_url("http://user:pw@x/").is_err());
        assert!(parse_url("echo://").is_err());
    }

    #[test]
    fn seconds_accept_apims_sample_form() {
        assert_eq!(parse_seconds("60"), Ok(60));
        assert_eq!(parse_seconds("60 sec"), Ok(60));
        assert!(parse_seconds("1.5").is_err());
        // The runtime's timer cannot take far deadlines: a day at most.
        assert_eq!(parse_seconds("86400"), Ok(MAX_TIMEOUT_SECS));
        assert!(parse_seconds("86401").is_err());
        assert!(parse_seconds("20000000000000000").is_err());
        assert!(parse_seconds("-1").is_err());
    }
}
