//! `validate-status-code`: the response's status against the responses
//! the API's schema declares for the operation (outbound, on-error).
//!
//! ```xml
//! <validate-status-code unspecified-status-code-action="prevent" errors-variable-name="statusErrors">
//!   <status-code code="418" action="ignore"/>
//! </validate-status-code>
//! ```
//! A status is specified by its code, its range (`4XX`) or `default`; an
//! unspecified one gets its `status-code` child's action, else the
//! unspecified action (a child never changes a specified code). Errors are
//! APIM's response-side ones: 502 with `prevent`.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::validation::{errors_variable, required_action, ActionAttr, Report};

const SOURCE: &str = "validate-status-code";

#[derive(Clone, Debug)]
pub struct ValidateStatusCode {
    unspecified: ActionAttr,
    errors_variable: Option<Box<str>>,
    codes: Vec<(u16, ActionAttr)>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ValidateStatusCode, CompileError> {
    c.only_in(el, &[Section::Outbound, Section::OnError])?;
    let mut codes = Vec::new();
    for s in children(el) {
        if s.name != "status-code" {
            return Err(c.error(s, "only <status-code> may appear in <validate-status-code>"));
        }
        let code = c.required(s, "code")?.trim();
        let code = code
            .parse::<u16>()
            .ok()
            .filter(|n| (100..=599).contains(n))
            .ok_or_else(|| c.error(s, format!("`code` must be an HTTP status code, not `{code}`")))?;
        codes.push((code, required_action(c, s, "action")?));
    }
    Ok(ValidateStatusCode {
        unspecified: required_action(c, el, "unspecified-status-code-action")?,
        errors_variable: errors_variable(c, el)?,
        codes,
    })
}

impl ValidateStatusCode {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let mut report = Report::new(SOURCE, true);
        let status = r.status();
        let schema = r.env.op.schema.as_ref().filter(|s| s.defined);
        if schema.is_none_or(|s| s.response(status).is_none()) {
            let attr = self
                .codes
                .iter()
                .find(|(c, _)| *c == status)
                .map_or(&self.unspecified, |(_, a)| a);
            let action = attr.eval(r, SOURCE)?;
            if schema.is_none() {
                report.no_schema(action);
            } else {
                report.add(
                    action,
                    status.to_string(),
                    "StatusCode",
                    "Unspecified",
                    format!("Response status code {status} is not allowed."),
                    None,
                );
            }
        }
        report.finish(r, self.errors_variable.as_deref())
    }
}
