//! `xml-to-json`: convert an XML request body (inbound) or response body
//! (outbound, on-error) to JSON and set `Content-Type: application/json`.
//!
//! ```xml
//! <xml-to-json kind="javascript-friendly" apply="content-type-xml"
//!     consider-accept-header="false" always-array-child-elements="true" />
//! ```
//! `apply="content-type-xml"` converts only a body whose `Content-Type` is
//! XML (`application/xml`, `text/xml`, `…+xml`), `always` any body; with
//! `consider-accept-header` (the default) only when the request's `Accept`
//! asks for JSON. `kind` is `javascript-friendly` or `direct` (see
//! `convert::to_json`). An empty body is left alone; one that is not XML,
//! or whose JSON would exceed `policy.body.max-bytes`, fails with reason
//! `BodyConversionFailure` (400 inbound, 500 otherwise).

use super::compile::{CompileError, Compiler, Element, Section};
use super::convert::to_json::{xml_to_json, Kind, ToJson};
use super::exec::Run;
use super::failure::Failure;
use super::json_to_xml::{choice, conversion_failure, eval_choice};
use super::message_body;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct XmlToJson {
    pub kind: Text,
    pub apply: Text,
    pub consider_accept: Text,
    pub always_array: Text,
    pub response: bool,
}

const KINDS: &[&str] = &["javascript-friendly", "direct"];
const APPLY: &[&str] = &["always", "content-type-xml"];
const BOOL: &[&str] = &["true", "false"];

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<XmlToJson, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Outbound, Section::OnError])?;
    Ok(XmlToJson {
        kind: choice(c, el, "kind", KINDS, None)?,
        apply: choice(c, el, "apply", APPLY, None)?,
        consider_accept: choice(c, el, "consider-accept-header", BOOL, Some("true"))?,
        always_array: choice(c, el, "always-array-child-elements", BOOL, Some("false"))?,
        response: c.section.is_response(),
    })
}

impl XmlToJson {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        const SRC: &str = "xml-to-json";
        let kind = match eval_choice(r, &self.kind, SRC, KINDS)?.as_str() {
            "direct" => Kind::Direct,
            _ => Kind::JavascriptFriendly,
        };
        let apply = eval_choice(r, &self.apply, SRC, APPLY)?;
        let consider = eval_choice(r, &self.consider_accept, SRC, BOOL)? == "true";
        let always_array = eval_choice(r, &self.always_array, SRC, BOOL)? == "true";
        if apply == "content-type-xml" && !message_body::is_xml(r.header(self.response, "Content-Type")) {
            return Ok(());
        }
        if consider && !message_body::accepts(r.header(false, "Accept"), message_body::is_json) {
            return Ok(());
        }
        let body = message_body::current(r.flow, self.response);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let opts = ToJson { kind, always_array };
        let json = xml_to_json(body, opts, message_body::max_bytes(r))
            .map_err(|e| conversion_failure(SRC, self.response, e.to_string()))?;
        message_body::replace(r, self.response, json.into_bytes(), Some("application/json"));
        Ok(())
    }
}
