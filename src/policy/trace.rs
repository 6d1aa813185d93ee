//! `trace`: write a message to the gateway's log (APIM sends it to the
//! request trace and Application Insights; here it is a log record at the
//! given severity with the API, operation and request id).
//!
//! ```xml
//! <trace source="orders" severity="information">
//!   <message>@("caller " + context.Request.IpAddress)</message>
//!   <metadata name="tenant" value="contoso"/>
//! </trace>
//! ```

use super::compile::{children, CompileError, Compiler, Element};
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
        message: message.ok_or_else(|| c.error(el, "missing <message>"))?,
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
}
