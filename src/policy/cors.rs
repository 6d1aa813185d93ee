//! `cors`: cross-origin resource sharing, including preflight handling.
//!
//! ```xml
//! <cors allow-credentials="false" terminate-unmatched-request="true">
//!   <allowed-origins><origin>https://app.example.com</origin></allowed-origins>
//!   <allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method></allowed-methods>
//!   <allowed-headers><header>content-type</header></allowed-headers>
//!   <expose-headers><header>x-request-id</header></expose-headers>
//! </cors>
//! ```
//! - Preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`):
//!   matched → empty `200` with the `Access-Control-Allow-*` headers;
//!   unmatched → empty `200` without them when `terminate-unmatched-request`
//!   (the default), else the request continues.
//! - `GET`/`HEAD` with an unmatched `Origin` → empty `200` when
//!   `terminate-unmatched-request`, else continues without CORS headers.
//! - Other matched requests get `Access-Control-Allow-Origin` (and
//!   `-Credentials`, `-Expose-Headers`) on the response.
//!
//! `*` allows any origin (not combinable with `allow-credentials="true"`),
//! any method, any header.

use std::borrow::Cow;

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::flow::ResponseEdits;

#[derive(Clone, Debug, Default)]
pub struct Cors {
    pub allow_credentials: bool,
    pub terminate_unmatched: bool,
    /// Empty with `any_origin`.
    pub origins: Vec<Box<str>>,
    pub any_origin: bool,
    pub methods: Vec<Box<str>>,
    pub any_method: bool,
    pub headers: Vec<Box<str>>,
    pub any_header: bool,
    pub expose: Option<Box<str>>,
    pub max_age: Option<Box<str>>,
    /// Comma-joined `methods` / `headers`, computed once.
    methods_joined: Box<str>,
    headers_joined: Box<str>,
}

fn list(c: &Compiler<'_>, el: &Element, item: &str) -> Result<Vec<Box<str>>, CompileError> {
    let mut out = Vec::new();
    for child in children(el) {
        if child.name != item {
            return Err(c.error(child, format!("only <{item}> may appear in <{}>", el.name)));
        }
        out.push(child.text().trim().into());
    }
    Ok(out)
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<Cors, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    let mut cors = Cors {
        allow_credentials: c.boolean(el, "allow-credentials", false)?,
        terminate_unmatched: c.boolean(el, "terminate-unmatched-request", true)?,
        ..Default::default()
    };
    for child in children(el) {
        match child.name.as_str() {
            "allowed-origins" => cors.origins = list(c, child, "origin")?,
            "allowed-methods" => {
                cors.methods = list(c, child, "method")?;
                cors.max_age = c
                    .number(child, "preflight-result-max-age")?
                    .map(|n| n.to_string().into());
            }
            "allowed-headers" => cors.headers = list(c, child, "header")?,
            "expose-headers" => {
                let h = list(c, child, "header")?;
                cors.expose = (!h.is_empty()).then(|| h.join(",").into());
            }
            _ => return Err(c.error(child, "unexpected element in <cors>")),
        }
    }
    if cors.origins.is_empty() {
        return Err(c.error(el, "<allowed-origins> with at least one <origin> is required"));
    }
    cors.any_origin = cors.origins.iter().any(|o| &**o == "*");
    if cors.any_origin && cors.allow_credentials {
        return Err(c.error(el, "origin `*` cannot be used with allow-credentials=\"true\""));
    }
    cors.any_method = cors.methods.is_empty() || cors.methods.iter().any(|m| &**m == "*");
    cors.any_header = cors.headers.iter().any(|h| &**h == "*");
    cors.methods_joined = cors.methods.join(",").into();
    cors.headers_joined = cors.headers.join(",").into();
    Ok(cors)
}

impl Cors {
    fn origin_allowed(&self, origin: &str) -> bool {
        self.any_origin || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    fn method_allowed(&self, method: &str) -> bool {
        self.any_method || self.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
    }

    fn headers_allowed(&self, requested: &str) -> bool {
        self.any_header
            || requested
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .all(|h| self.headers.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }

    fn allow_origin<'p>(&'p self, origin: &str) -> Cow<'p, str> {
        if self.any_origin {
            Cow::Borrowed("*")
        } else {
            Cow::Owned(origin.to_owned())
        }
    }

    /// Ends the request with an empty 200.
    fn terminate(r: &mut Run<'_, '_>) {
        r.flow.response = ResponseEdits::synthetic(200);
        r.flow.response.body = Some(Vec::new());
        r.flow.answered = true;
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let Some(origin) = r.header(false, "Origin").map(str::to_owned) else {
            return Ok(());
        };
        let method = r.req.head.method.clone();
        let preflight_method = r.header(false, "Access-Control-Request-Method").map(str::to_owned);
        if method == http::Method::OPTIONS {
            if let Some(requested) = preflight_method {
                let requested_headers = r
                    .header(false, "Access-Control-Request-Headers")
                    .unwrap_or("")
                    .to_owned();
                let ok = self.origin_allowed(&origin)
                    && self.method_allowed(&requested)
                    && self.headers_allowed(&requested_headers);
                if !ok {
                    if self.terminate_unmatched {
                        Self::terminate(r);
                    }
                    return Ok(());
                }
                Self::terminate(r);
                let h = &mut r.flow.response.headers;
                h.add("Access-Control-Allow-Origin", self.allow_origin(&origin));
                if self.allow_credentials {
                    h.add("Access-Control-Allow-Credentials", Cow::Borrowed("true"));
                }
                h.add(
                    "Access-Control-Allow-Methods",
                    if self.any_method {
                        Cow::Owned(requested)
                    } else {
                        Cow::Borrowed(&self.methods_joined)
                    },
                );
                if self.any_header {
                    if !requested_headers.is_empty() {
                        h.add("Access-Control-Allow-Headers", Cow::Owned(requested_headers));
                    }
                } else if !self.headers.is_empty() {
                    h.add("Access-Control-Allow-Headers", Cow::Borrowed(&self.headers_joined));
                }
                if let Some(age) = &self.max_age {
                    h.add("Access-Control-Max-Age", Cow::Borrowed(age));
                }
                if !self.any_origin {
                    h.add("Vary", Cow::Borrowed("Origin"));
                }
                return Ok(());
            }
        }
        if !self.origin_allowed(&origin) {
            if self.terminate_unmatched && (method == http::Method::GET || method == http::Method::HEAD) {
                Self::terminate(r);
            }
            return Ok(());
        }
        let h = &mut r.flow.response.headers;
        h.add("Access-Control-Allow-Origin", self.allow_origin(&origin));
        if self.allow_credentials {
            h.add("Access-Control-Allow-Credentials", Cow::Borrowed("true"));
        }
        if let Some(e) = &self.expose {
            h.add("Access-Control-Expose-Headers", Cow::Borrowed(e));
        }
        if !self.any_origin {
            h.add("Vary", Cow::Borrowed("Origin"));
        }
        Ok(())
    }
}
