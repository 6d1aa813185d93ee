//! `trace`: write a message to the gateway's log (APIM sends it to the
//! request trace and Application Insights; here it is a log record at the
//! given severity with the API, operation and request id) and, when the
//! request's span is recorded, an event on it: named by the message, with
//! `source`, `severity` and the metadata as attributes.
//!
//! ```xml
//! <trace source="orders" severity="information">
//!   <message>@("caller " + context.Request.IpAddress)</message>
//!   <metadata name="tenant" value="contoso"/>
//! </trace>
//! <trace source="orders">@("legacy form: " + context.RequestId)</trace>
//! ```
//! The legacy form (text content, no `<message>`) is a message at the
//! default severity (`verbose`).

use super::compile::{children, CompileError, Compiler, Element, Node};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Verbose,
    Information,
    Error,
}

#[derive(Clone, Debug)]
pub struct Trace {
    pub source: Box<str>,
    pub severity: Severity,
    pub message: Text,
    pub metadata: Vec<(Box<str>, Box<str>)>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<Trace, CompileError> {
    let severity = match c.attr(el, "severity").unwrap_or("verbose") {
        "verbose" => Severity::Verbose,
        "information" => Severity::Information,
        "error" => Severity::Error,
        other => {
            return Err(c.error(
                el,
                format!("severity must be verbose, information or error, not `{other}`"),
            ))
        }
    };
    let mut message = None;
    let mut metadata = Vec::new();
    let has_text = el
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(t, _) if !t.trim().is_empty()));
    if has_text {
        if children(el).next().is_some() {
            return Err(c.error(el, "use either a text message (the legacy form) or <message>, not both"));
        }
        message = Some(c.content(el, Want::String)?);
    }
    for child in children(el) {
        match child.name.as_str() {
            "message" => message = Some(c.content(child, Want::String)?),
            "metadata" => metadata.push((c.required(child, "name")?.into(), c.required(child, "value")?.into())),
            _ => return Err(c.error(child, "only <message> and <metadata> may appear in <trace>")),
        }
    }
    Ok(Trace {
        source: c.required(el, "source")?.into(),
        severity,
        message: message.ok_or_else(|| c.error(el, "missing <message> (or text, the legacy form)"))?,
        metadata,
    })
}

impl Trace {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let message = r.eval(&self.message, "trace")?;
        let meta = self
            .metadata
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        if let Some(t) = r.env.trace {
            t.event(&message, || self.event_attributes());
        }
        let (api, op) = (&*r.env.api.id, &*r.env.op.id);
        match self.severity {
            Severity::Verbose => {
                tracing::debug!(target: "outpost::trace", source = &*self.source, api, operation = op, metadata = %meta, "{message}")
            }
            Severity::Information => {
                tracing::info!(target: "outpost::trace", source = &*self.source, api, operation = op, metadata = %meta, "{message}")
            }
            Severity::Error => {
                tracing::error!(target: "outpost::trace", source = &*self.source, api, operation = op, metadata = %meta, "{message}")
            }
        }
        Ok(())
    }

    fn event_attributes(&self) -> Vec<(Box<str>, crate::telemetry::model::AttrValue)> {
        use crate::telemetry::model::AttrValue;
        let severity = match self.severity {
            Severity::Verbose => "verbose",
            Severity::Information => "information",
            Severity::Error => "error",
        };
        let mut a = Vec::with_capacity(2 + self.metadata.len());
        a.push(("source".into(), AttrValue::Str(self.source.clone())));
        a.push(("severity".into(), AttrValue::Str(severity.into())));
        for (k, v) in &self.metadata {
            a.push((k.clone(), AttrValue::Str(v.clone())));
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::compile::{Compiler, Section, TargetTable, Unsupported};
    use crate::policy::program::{Op, Policy};

    fn compile(xml: &str) -> Result<super::Trace, String> {
        let doc = crate::policy::document::parse("t.xml", Default::default(), xml).map_err(|e| e.to_string())?;
        let els = doc
            .section(crate::policy::document::SectionKind::Inbound)
            .unwrap_or_default();
        let mut targets = TargetTable::default();
        let (p, _, _) = Compiler::new(Section::Inbound, Unsupported::Error, &mut targets, "t.xml")
            .program(els)
            .map_err(|e| e.to_string())?;
        match p.ops.into_iter().next() {
            Some(Op::Do(Policy::Trace(t))) => Ok(t),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn legacy_text_form_and_current_form() {
        let t = compile("<policies><inbound><trace source=\"s\">hello @ you</trace></inbound></policies>").unwrap();
        assert_eq!(t.message.literal(), Some("hello @ you"));
        assert_eq!(t.severity, super::Severity::Verbose);
        let t = compile("<policies><inbound><trace source=\"s\">@(context.RequestId)</trace></inbound></policies>")
            .unwrap();
        assert!(t.message.literal().is_none(), "an expression");
        let t = compile("<policies><inbound><trace source=\"s\" severity=\"error\"><message>m</message><metadata name=\"a\" value=\"b\"/></trace></inbound></policies>").unwrap();
        assert_eq!(t.message.literal(), Some("m"));
        let both = compile("<policies><inbound><trace source=\"s\">x<message>m</message></trace></inbound></policies>");
        assert!(both.unwrap_err().contains("not both"));
        let none = compile("<policies><inbound><trace source=\"s\"/></inbound></policies>");
        assert!(none.unwrap_err().contains("missing <message>"));
    }
}
