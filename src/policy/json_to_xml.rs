//! `json-to-xml`: convert a JSON request body (inbound) or response body
//! (outbound, on-error) to XML and set `Content-Type: application/xml`.
//!
//! ```xml
//! <json-to-xml apply="content-type-json" consider-accept-header="false" parse-date="false"
//!     namespace-separator=":" namespace-prefix="xmlns" attribute-block-name="#attrs" />
//! ```
//! `apply="content-type-json"` converts only a body whose `Content-Type` is
//! JSON (`application/json`, `text/json`, `…+json`), `always` any body;
//! with `consider-accept-header` (the default) only when the request's
//! `Accept` asks for XML. An empty body is left alone. The mapping is in
//! `convert::to_xml`. A body that is not JSON, or whose XML would exceed
//! `policy.body.max-bytes`, fails with reason `BodyConversionFailure`
//! (400 inbound, 500 otherwise).

use super::compile::{CompileError, Compiler, Element, Section};
use super::convert::to_xml::{json_to_xml, ToXml};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::message_body;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct JsonToXml {
    pub apply: Text,
    pub consider_accept: Text,
    pub parse_date: bool,
    pub separator: Option<Text>,
    pub prefix: Option<Text>,
    pub attribute_block: Option<Text>,
    pub response: bool,
}

/// Reads `name` as an attribute that may be an expression, checking a
/// literal against `allowed` (case-insensitive).
pub(super) fn choice(
    c: &Compiler<'_>,
    el: &Element,
    name: &str,
    allowed: &[&str],
    default: Option<&str>,
) -> Result<Text, CompileError> {
    let t = match (c.text_attr(el, name, Want::String)?, default) {
        (Some(t), _) => t,
        (None, Some(d)) => Text::lit(d),
        (None, None) => return Err(c.error(el, format!("missing attribute `{name}`"))),
    };
    if let Some(v) = t.literal() {
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(v.trim())) {
            return Err(c.error(el, format!("`{name}` must be {}, not `{v}`", allowed.join(" or "))));
        }
    }
    Ok(t)
}

/// Evaluates an attribute read by [`choice`] (lowercased, trimmed).
pub(super) fn eval_choice<'p>(
    r: &Run<'_, 'p>,
    t: &'p Text,
    source: &'static str,
    allowed: &[&str],
) -> Result<String, Failure> {
    let v = r.eval(t, source)?.trim().to_ascii_lowercase();
    if allowed.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(Failure::expression(
            source,
            format!("`{v}` is not one of {}", allowed.join(", ")),
        ))
    }
}

/// The failure of a conversion.
pub(super) fn conversion_failure(source: &'static str, response: bool, message: String) -> Failure {
    Failure::new(
        source,
        "BodyConversionFailure",
        if response { 500 } else { 400 },
        message,
    )
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<JsonToXml, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Outbound, Section::OnError])?;
    Ok(JsonToXml {
        apply: choice(c, el, "apply", &["always", "content-type-json"], None)?,
        consider_accept: choice(c, el, "consider-accept-header", &["true", "false"], Some("true"))?,
        parse_date: c.boolean(el, "parse-date", true)?,
        separator: c.text_attr(el, "namespace-separator", Want::String)?,
        prefix: c.text_attr(el, "namespace-prefix", Want::String)?,
        attribute_block: c.text_attr(el, "attribute-block-name", Want::String)?,
        response: c.section.is_response(),
    })
}

impl JsonToXml {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        const SRC: &str = "json-to-xml";
        let apply = eval_choice(r, &self.apply, SRC, &["always", "content-type-json"])?;
        let consider = eval_choice(r, &self.consider_accept, SRC, &["true", "false"])? == "true";
        if apply == "content-type-json" && !message_body::is_json(r.header(self.response, "Content-Type")) {
            return Ok(());
        }
        if consider && !message_body::accepts(r.header(false, "Accept"), message_body::is_xml) {
            return Ok(());
        }
        let opt = |t: &'p Option<Text>| t.as_ref().map(|t| r.eval(t, SRC)).transpose();
        let opts = ToXml {
            parse_date: self.parse_date,
            namespace_separator: opt(&self.separator)?.map_or_else(|| "_".to_owned(), |s| s.into_owned()),
            namespace_prefix: opt(&self.prefix)?.map(|s| s.into_owned()),
            attribute_block_name: opt(&self.attribute_block)?.map(|s| s.into_owned()),
        };
        let body = message_body::current(r.flow, self.response);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let xml = json_to_xml(body, &opts, message_body::max_bytes(r))
            .map_err(|e| conversion_failure(SRC, self.response, e.to_string()))?;
        message_body::replace(r, self.response, xml.into_bytes(), Some("application/xml"));
        Ok(())
    }
}
