//! `validate-content`: the size and content of the request body (inbound)
//! or the response body (outbound, on-error) against the API's schema for
//! the operation and content type, or a `schema-id` schema.
//!
//! ```xml
//! <validate-content unspecified-content-type-action="prevent" max-size="102400"
//!                   size-exceeded-action="prevent" errors-variable-name="bodyErrors">
//!   <content-type-map missing-content-type-value="application/json">
//!     <type from="application/hal+json" to="application/json"/>
//!   </content-type-map>
//!   <content type="application/json" validate-as="json" action="prevent"
//!            allow-additional-properties="false"/>
//! </validate-content>
//! ```
//! Order of the checks (a `prevent` error stops them): the size (the
//! buffered body's length, else `Content-Length`; over `max-size` the body
//! is not validated); the content type, mapped by `content-type-map`
//! (`type` mappings first, then `any-content-type-value`, then
//! `missing-content-type-value`); a type neither the schema nor a `content`
//! element with `schema-id` specifies is *unspecified*; a specified type
//! with a matching `content` element (its `type`, or a `content` without
//! `type`) is validated as JSON (schema), XML (well-formedness) or SOAP
//! (well-formed envelope with a `Body`). XML Schema (XSD) validation is
//! not supported: `schema-id` with `validate-as="xml"`/`"soap"` is refused
//! when loading.
//!
//! A body announced (`Content-Length`) larger than `max-size` is not read
//! into memory; a chunked one is read, bounded by `policy.body.max-bytes`
//! (see `Pipeline::reads_request_body`); errors, statuses and messages are
//! APIM's (see `validation`).

use std::sync::Arc;

use serde_json::Value;

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Want};
use super::failure::Failure;
use super::validation::{errors_variable, required_action, Action, ActionAttr, Report};
use crate::schema::{locate::locate, Direction, NamedKey, OperationSchema, Schema};

const SOURCE: &str = "validate-content";
/// APIM's ceiling for `max-size`.
pub const MAX_SIZE_LIMIT: u64 = 102_400;

#[derive(Clone, Debug)]
pub struct ValidateContent {
    pub response: bool,
    unspecified: ActionAttr,
    pub max_size: u64,
    size_exceeded: ActionAttr,
    errors_variable: Option<Box<str>>,
    map: ContentTypeMap,
    pub contents: Vec<Content>,
}

#[derive(Clone, Debug, Default)]
struct ContentTypeMap {
    any: Option<String>,
    missing: Option<String>,
    types: Vec<TypeMap>,
}

#[derive(Clone, Debug)]
struct TypeMap {
    from: Option<String>,
    when: Option<Expr>,
    to: String,
}

/// How a body is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidateAs {
    Json,
    Xml,
    Soap,
}

/// A `<content>` element.
#[derive(Clone, Debug)]
pub struct Content {
    /// Lowercase essence; `None`: every type the API's schema specifies.
    pub media_type: Option<String>,
    pub validate_as: ValidateAs,
    /// The `schema-id` schema (and `schema-ref`), compiled with the
    /// operation's schemas.
    pub named: Option<NamedKey>,
    action: ActionAttr,
    pub additional: Option<bool>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ValidateContent, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Outbound, Section::OnError])?;
    let response = c.section.is_response();
    let max_size = c
        .number(el, "max-size")?
        .ok_or_else(|| c.error(el, "missing attribute `max-size`"))?;
    if max_size > MAX_SIZE_LIMIT {
        return Err(c.error(el, format!("`max-size` must be at most {MAX_SIZE_LIMIT} bytes")));
    }
    let mut v = ValidateContent {
        response,
        unspecified: required_action(c, el, "unspecified-content-type-action")?,
        max_size,
        size_exceeded: required_action(c, el, "size-exceeded-action")?,
        errors_variable: errors_variable(c, el)?,
        map: ContentTypeMap::default(),
        contents: Vec::new(),
    };
    let direction = if response {
        Direction::Response
    } else {
        Direction::Request
    };
    for (i, child) in children(el).enumerate() {
        match child.name.as_str() {
            "content-type-map" if i == 0 => v.map = content_type_map(c, child)?,
            "content-type-map" => return Err(c.error(child, "must be the first child of <validate-content>")),
            "content" => v.contents.push(content(c, child, direction)?),
            _ => {
                return Err(c.error(
                    child,
                    "only <content-type-map> and <content> may appear in <validate-content>",
                ))
            }
        }
    }
    Ok(v)
}

fn media(c: &Compiler<'_>, el: &Element, name: &str) -> Result<Option<String>, CompileError> {
    match c.attr(el, name).map(str::trim) {
        None => Ok(None),
        Some(v) if super::text::is_expression(v) => {
            Err(c.error(el, format!("`{name}` does not take policy expressions")))
        }
        Some(v) => Ok(Some(crate::schema::document::essence(v))),
    }
}

fn content_type_map(c: &Compiler<'_>, el: &Element) -> Result<ContentTypeMap, CompileError> {
    let mut map = ContentTypeMap {
        any: media(c, el, "any-content-type-value")?,
        missing: media(c, el, "missing-content-type-value")?,
        types: Vec::new(),
    };
    for t in children(el) {
        if t.name != "type" {
            return Err(c.error(t, "only <type> may appear in <content-type-map>"));
        }
        let from = media(c, t, "from")?;
        let when = c.expr_attr(t, "when", Want::Bool)?;
        if from.is_some() == when.is_some() {
            return Err(c.error(t, "needs exactly one of `from` and `when`"));
        }
        let to = media(c, t, "to")?.ok_or_else(|| c.error(t, "missing attribute `to`"))?;
        map.types.push(TypeMap { from, when, to });
    }
    Ok(map)
}

fn content(c: &Compiler<'_>, el: &Element, direction: Direction) -> Result<Content, CompileError> {
    let validate_as = match c.required(el, "validate-as")?.trim() {
        "json" => ValidateAs::Json,
        "xml" => ValidateAs::Xml,
        "soap" => ValidateAs::Soap,
        other => return Err(c.error(el, format!("`validate-as` must be json, xml or soap, not `{other}`"))),
    };
    let additional = match c.attr(el, "allow-additional-properties") {
        None => None,
        Some(_) => Some(c.boolean(el, "allow-additional-properties", false)?),
    };
    let schema_id = c.attr(el, "schema-id").map(str::trim).filter(|s| !s.is_empty());
    let reference = c.attr(el, "schema-ref").map(str::trim).filter(|s| !s.is_empty());
    if reference.is_some() && schema_id.is_none() {
        return Err(c.error(el, "`schema-ref` needs `schema-id`"));
    }
    if let Some(r) = reference {
        if !r.starts_with('#') {
            return Err(c.error(
                el,
                "`schema-ref` must be a local reference such as #/components/schemas/address",
            ));
        }
    }
    if schema_id.is_some() && validate_as != ValidateAs::Json {
        return Err(c.error(
            el,
            "XML Schema (XSD) validation is not supported: `schema-id` works with validate-as=\"json\" only",
        ));
    }
    Ok(Content {
        media_type: media(c, el, "type")?.filter(|t| !t.is_empty()),
        validate_as,
        named: schema_id.map(|id| NamedKey {
            id: id.to_owned(),
            reference: reference.unwrap_or_default().to_owned(),
            direction,
            additional,
        }),
        action: required_action(c, el, "action")?,
        additional,
    })
}

impl ValidateContent {
    /// The `allow-additional-properties` variants of the API's schemas
    /// this policy uses (compiled with the operation's schemas).
    pub fn variants(&self) -> impl Iterator<Item = (Direction, bool)> + '_ {
        let d = if self.response {
            Direction::Response
        } else {
            Direction::Request
        };
        self.contents
            .iter()
            .filter(|c| c.named.is_none())
            .filter_map(move |c| c.additional.map(|a| (d, a)))
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let mut report = Report::new(SOURCE, self.response);
        self.check(r, &mut report)?;
        report.finish(r, self.errors_variable.as_deref())
    }

    fn body<'a>(&self, r: &'a Run<'_, '_>) -> Option<&'a [u8]> {
        let flow = &*r.flow;
        if self.response {
            flow.response.body.as_deref().or(flow.response_body.as_deref())
        } else {
            flow.request.body.as_deref().or(flow.request_body.as_deref())
        }
    }

    fn check<'p>(&'p self, r: &Run<'_, 'p>, report: &mut Report) -> Result<(), Failure> {
        let (side, kind) = if self.response {
            ("Response", "ResponseBody")
        } else {
            ("Request", "RequestBody")
        };
        let body = self.body(r);
        let declared = r
            .header(self.response, "Content-Length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let size = body.map(|b| b.len() as u64).or(declared);
        if let Some(size) = size.filter(|s| *s > self.max_size) {
            let action = self.size_exceeded.eval(r, SOURCE)?;
            let max = self.max_size;
            report.add(
                action,
                "",
                kind,
                "SizeLimit",
                format!("{side}'s body is {size} bytes long and it exceeds the configured limit of {max} bytes."),
                Some(format!(
                    "{side}'s body is {size} bytes long and it exceeds the limit of {max} bytes."
                )),
            );
            return Ok(());
        }
        let Some(body) = body else {
            // Nothing buffered: no body (or one the pipeline streams).
            return Ok(());
        };
        let header = r
            .header(self.response, "Content-Type")
            .map(crate::schema::document::essence);
        if body.is_empty() && header.is_none() {
            return Ok(());
        }
        let ct = self.map_content_type(r, header)?;
        let schema: Option<&Arc<OperationSchema>> = r.env.op.schema.as_ref().filter(|s| s.defined);
        let api_body = schema.and_then(|s| {
            if self.response {
                s.response(r.status())
                    .and_then(|resp| crate::schema::find_body(&resp.bodies, &ct))
            } else {
                s.request_body(&ct)
            }
        });
        let element = self
            .contents
            .iter()
            .find(|c| c.media_type.as_deref() == Some(ct.as_str()))
            .or_else(|| {
                self.contents
                    .iter()
                    .find(|c| c.media_type.is_none() && api_body.is_some())
            });
        let specified = api_body.is_some()
            || element.is_some_and(|e| e.named.is_some() || e.validate_as != ValidateAs::Json || schema.is_none());
        if !specified {
            let action = self.unspecified.eval(r, SOURCE)?;
            let message = format!("Unspecified content type {ct} is not allowed.");
            report.add(action, ct.as_str(), kind, "Unspecified", message.clone(), Some(message));
            return Ok(());
        }
        let Some(element) = element else { return Ok(()) };
        let action = element.action.eval(r, SOURCE)?;
        if action == Action::Ignore {
            return Ok(());
        }
        let lower = side.to_ascii_lowercase();
        match element.validate_as {
            ValidateAs::Json => {
                let found: Option<&Arc<Schema>> = match &element.named {
                    Some(key) => r.env.op.schema.as_ref().and_then(|s| s.named(key)),
                    None => api_body.and_then(|b| b.schema_for(element.additional)),
                };
                if element.named.is_none() && schema.is_none() {
                    report.no_schema(action);
                    return Ok(());
                }
                let Some(found) = found else { return Ok(()) };
                let invalid = match serde_json::from_slice::<Value>(body) {
                    Err(e) => Some(format!(
                        "{} Line: {}, Position: {}",
                        json_error(&e),
                        e.line(),
                        e.column()
                    )),
                    Ok(v) => found.check(&v).map(|inv| {
                        let (line, pos) = locate(body, &inv.pointer);
                        format!("{} Line: {line}, Position: {pos}", inv.message)
                    }),
                };
                if let Some(msg) = invalid {
                    let def = &found.definition;
                    let text = format!(
                        "Body of the {lower} does not conform to the definition {def}, which is associated with the content type {ct}. {msg}"
                    );
                    report.incorrect(action, &ct, kind, text.clone(), text);
                }
            }
            ValidateAs::Xml | ValidateAs::Soap => {
                let soap = (element.validate_as == ValidateAs::Soap).then_some(ct.as_str());
                if let Err(msg) = check_xml(body, soap) {
                    let text = format!(
                        "Body of the {lower} does not conform to the definition, which is associated with the content type {ct}. {msg}"
                    );
                    report.incorrect(action, &ct, kind, text.clone(), text);
                }
            }
        }
        Ok(())
    }

    /// The content type validation uses (see the module docs).
    fn map_content_type<'p>(&'p self, r: &Run<'_, 'p>, header: Option<String>) -> Result<String, Failure> {
        for t in &self.map.types {
            let hit = match (&t.from, &t.when) {
                (Some(from), _) => header.as_deref() == Some(from.as_str()),
                (None, Some(when)) => r.eval_bool(when, SOURCE)?,
                (None, None) => false,
            };
            if hit {
                return Ok(t.to.clone());
            }
        }
        if let Some(any) = &self.map.any {
            return Ok(any.clone());
        }
        Ok(match header.filter(|h| !h.is_empty()) {
            Some(h) => h,
            None => self.map.missing.clone().unwrap_or_default(),
        })
    }
}

/// serde_json's parse error without its ` at line L column C` tail.
fn json_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let msg = s.split(" at line ").next().unwrap_or(&s);
    let mut msg = capitalise(msg);
    msg.push('.');
    msg
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Well-formed XML; with `soap` (the content type), a SOAP envelope of the
/// matching version with a `Body`.
pub fn check_xml(body: &[u8], soap: Option<&str>) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut depth = 0usize;
    let mut roots = 0;
    let mut envelope_ns: Option<String> = None;
    let mut has_body = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("The XML is not well-formed: {e}. Position: {}", reader.error_position()))?;
        let opens = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                let (prefix, local) = name.split_once(':').map_or(("", name.as_str()), |(p, l)| (p, l));
                if depth == 0 {
                    roots += 1;
                    if local == "Envelope" {
                        let xmlns = if prefix.is_empty() {
                            "xmlns".to_owned()
                        } else {
                            format!("xmlns:{prefix}")
                        };
                        envelope_ns = e
                            .attributes()
                            .flatten()
                            .find_map(|a| (a.key.as_ref() == xmlns.as_str()).then(|| a.value.to_string()));
                    }
                } else if depth == 1 && local == "Body" {
                    has_body = true;
                }
                if opens {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    if roots != 1 {
        return Err("The XML document must have exactly one root element.".into());
    }
    let Some(ct) = soap else { return Ok(()) };
    let want = if ct == "text/xml" {
        "http://schemas.xmlsoap.org/soap/envelope/"
    } else {
        "http://www.w3.org/2003/05/soap-envelope"
    };
    if envelope_ns.as_deref() != Some(want) || !has_body {
        return Err(format!("The body is not a SOAP envelope ({want}) with a Body."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_soap_checks() {
        assert!(check_xml(b"<a><b/></a>", None).is_ok());
        assert!(check_xml(b"<a><b></a>", None).unwrap_err().contains("not well-formed"));
        assert!(check_xml(b"<a/><b/>", None).unwrap_err().contains("one root"));
        let soap11 =
            br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>"#;
        assert!(check_xml(soap11, Some("text/xml")).is_ok());
        assert!(
            check_xml(soap11, Some("application/soap+xml")).is_err(),
            "1.1 envelope for a 1.2 type"
        );
        assert!(check_xml(
            b"<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\"/>",
            Some("application/soap+xml")
        )
        .unwrap_err()
        .contains("Body"));
    }

    #[test]
    fn json_errors_read_like_sentences() {
        let e = serde_json::from_slice::<Value>(b"{\"a\": }").unwrap_err();
        assert_eq!(json_error(&e), "Expected value.");
    }
}
