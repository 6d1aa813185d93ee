//! `validate-parameters`: the request's path parameters, query parameters
//! and headers against the operation's parameters in the API's schema
//! (inbound; once per section).
//!
//! ```xml
//! <validate-parameters specified-parameter-action="prevent"
//!                      unspecified-parameter-action="detect" errors-variable-name="paramErrors">
//!   <headers specified-parameter-action="detect" unspecified-parameter-action="ignore">
//!     <parameter name="X-Trace" action="prevent"/>
//!   </headers>
//!   <query unspecified-parameter-action="prevent"/>
//!   <path specified-parameter-action="prevent"/>
//! </validate-parameters>
//! ```
//! A specified parameter is turned into JSON by its schema's type (see
//! `schema::params`) and validated; a missing required one, several values
//! of a non-array one and a value of the wrong type are errors too. An
//! unspecified one (present in the request, absent from the schema) gets
//! the unspecified action. A `parameter` child overrides the action of one
//! name (headers compare names case-insensitively). The action of a
//! parameter is its `parameter`'s, else its location element's, else the
//! root's. Headers the HTTP layer owns are never unspecified:
//! `Content-Type`, `Content-Length`, `Transfer-Encoding`, `Connection`,
//! `Keep-Alive`, `TE`, `Upgrade`, `Proxy-Connection`, and the API's
//! subscription key header and query parameter.

use std::borrow::Cow;

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::validation::{action_attr, errors_variable, once_per_section, required_action, Action, ActionAttr, Report};
use crate::schema::params::{coerce, Coerce};
use crate::schema::{locate::locate, In, Parameter};

const SOURCE: &str = "validate-parameters";

/// Request headers that are never unspecified parameters: the message's
/// content type and its framing fields.
pub fn is_transport_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-type") || super::outgoing::is_framing(name)
}

#[derive(Clone, Debug)]
pub struct ValidateParameters {
    specified: ActionAttr,
    unspecified: ActionAttr,
    errors_variable: Option<Box<str>>,
    headers: Location,
    query: Location,
    path: Location,
}

/// A `headers`, `query` or `path` element.
#[derive(Clone, Debug, Default)]
struct Location {
    specified: Option<ActionAttr>,
    unspecified: Option<ActionAttr>,
    parameters: Vec<(String, ActionAttr)>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ValidateParameters, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    once_per_section(c, el)?;
    let mut v = ValidateParameters {
        specified: required_action(c, el, "specified-parameter-action")?,
        unspecified: required_action(c, el, "unspecified-parameter-action")?,
        errors_variable: errors_variable(c, el)?,
        headers: Location::default(),
        query: Location::default(),
        path: Location::default(),
    };
    for child in children(el) {
        let (slot, unspecified) = match child.name.as_str() {
            "headers" => (&mut v.headers, true),
            "query" => (&mut v.query, true),
            "path" => (&mut v.path, false),
            _ => {
                return Err(c.error(
                    child,
                    "only <headers>, <query> and <path> may appear in <validate-parameters>",
                ))
            }
        };
        slot.specified = action_attr(c, child, "specified-parameter-action")?;
        if unspecified {
            slot.unspecified = action_attr(c, child, "unspecified-parameter-action")?;
        } else if c.attr(child, "unspecified-parameter-action").is_some() {
            return Err(c.error(child, "<path> takes only `specified-parameter-action`"));
        }
        for p in children(child) {
            if p.name != "parameter" {
                return Err(c.error(p, format!("only <parameter> may appear in <{}>", child.name)));
            }
            let name = c.required(p, "name")?.trim().to_owned();
            slot.parameters.push((name, required_action(c, p, "action")?));
        }
    }
    Ok(v)
}

impl ValidateParameters {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let mut report = Report::new(SOURCE, false);
        self.check(r, &mut report)?;
        report.finish(r, self.errors_variable.as_deref())
    }

    fn location(&self, at: In) -> &Location {
        match at {
            In::Header => &self.headers,
            In::Query | In::Cookie => &self.query,
            In::Path => &self.path,
        }
    }

    /// The action for parameter `name` at `at`.
    fn action(&self, r: &Run<'_, '_>, at: In, name: &str, specified: bool) -> Result<Action, Failure> {
        let loc = self.location(at);
        let own = loc.parameters.iter().find(|(n, _)| match at {
            In::Header => n.eq_ignore_ascii_case(name),
            _ => n == name,
        });
        let attr = match (own, specified) {
            (Some((_, a)), _) => a,
            (None, true) => loc.specified.as_ref().unwrap_or(&self.specified),
            (None, false) => loc.unspecified.as_ref().unwrap_or(&self.unspecified),
        };
        attr.eval(r, SOURCE)
    }

    fn check(&self, r: &Run<'_, '_>, report: &mut Report) -> Result<(), Failure> {
        let Some(schema) = r.env.op.schema.as_ref().filter(|s| s.defined) else {
            let action = self.specified.eval(r, SOURCE)?;
            report.no_schema(action);
            return Ok(());
        };
        let values = request_values(r);
        for p in &schema.parameters {
            if p.location == In::Cookie {
                continue;
            }
            let action = self.action(r, p.location, &p.name, true)?;
            if action != Action::Ignore {
                let found: Vec<&str> = values
                    .iter()
                    .filter(|(at, n, _)| *at == p.location && same_name(p.location, n, &p.name))
                    .map(|(_, _, v)| v.as_ref())
                    .collect();
                check_value(report, action, p, &found, false);
            }
            if report.stopped() {
                return Ok(());
            }
        }
        let keys = &r.env.api.access;
        for (at, name, _) in &values {
            let specified = schema
                .parameters
                .iter()
                .any(|p| p.location == *at && same_name(*at, name, &p.name));
            let exempt = match at {
                In::Header => is_transport_header(name) || keys.key_header.eq_ignore_ascii_case(name),
                In::Query => *keys.key_query == *name.as_ref(),
                _ => false,
            };
            if specified || exempt {
                continue;
            }
            let action = self.action(r, *at, name, false)?;
            let message = format!("Unspecified {} {name} is not allowed.", at.describe());
            report.add(
                action,
                name.as_ref(),
                kind(*at),
                "Unspecified",
                message.clone(),
                Some(message),
            );
            if report.stopped() {
                return Ok(());
            }
        }
        Ok(())
    }
}

fn same_name(at: In, a: &str, b: &str) -> bool {
    match at {
        In::Header => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// APIM's error type of a parameter location.
pub fn kind(at: In) -> &'static str {
    match at {
        In::Path => "PathParameter",
        In::Query => "QueryParameter",
        In::Header | In::Cookie => "RequestHeader",
    }
}

/// Checks one specified parameter's occurrences (`response`: a response
/// header, whose messages say "Response").
pub fn check_value(report: &mut Report, action: Action, p: &Parameter, found: &[&str], response: bool) {
    let what = p.location.describe();
    let name = &p.name;
    let kind = if response { "ResponseHeader" } else { kind(p.location) };
    let side = if response { "Response" } else { "Request" };
    let (details, public) = if found.is_empty() {
        if !p.required {
            return;
        }
        let message = format!("{side} does not contain the required {what} {name}.");
        (message.clone(), message)
    } else {
        match coerce(p.shape, p.explode, found) {
            Err(Coerce::Multiple) => {
                let message = format!("{side} cannot contain multiple values for the {what} {name}.");
                (message.clone(), message)
            }
            Err(Coerce::Unparsable(why)) => (
                format!("Value of the {what} {name} cannot be parsed according to the definition. {why}"),
                format!("Value of the {what} {name} couldn't be parsed according to the definition. {why}"),
            ),
            Ok(value) => {
                let Some(inv) = p.schema.as_ref().and_then(|s| s.check(&value)) else {
                    return;
                };
                let text = serde_json::to_string(&value).unwrap_or_default();
                let (line, pos) = locate(text.as_bytes(), &inv.pointer);
                let msg = format!("{} Line: {line}, Position: {pos}", inv.message);
                (
                    format!("Value of the {what} {name} does not conform to the definition. {msg}"),
                    format!("The value of the {what} {name} does not conform to the definition. {msg}"),
                )
            }
        }
    };
    report.incorrect(action, name, kind, details, public);
}

/// Every parameter the request carries: (location, name, decoded value).
fn request_values<'a>(r: &'a Run<'_, '_>) -> Vec<(In, Cow<'a, str>, Cow<'a, str>)> {
    use outpost_expr::library::net::escape::{unescape_data, url_decode};
    let mut out = Vec::new();
    let op = r.env.op;
    let path_part = op.template.split('?').next().unwrap_or_default();
    for name in &op.params {
        if !path_part.contains(&format!("{{{name}}}")) {
            continue;
        }
        if let Some(v) = r.req.param(op, name) {
            out.push((In::Path, Cow::Borrowed(name.as_str()), Cow::Owned(unescape_data(v))));
        }
    }
    if let Some(q) = r.req.query() {
        for pair in String::from_utf8_lossy(q).split('&').filter(|p| !p.is_empty()) {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.push((In::Query, Cow::Owned(url_decode(n)), Cow::Owned(url_decode(v))));
        }
    }
    for (n, v) in r.all_headers(false) {
        out.push((In::Header, n, v));
    }
    out
}
