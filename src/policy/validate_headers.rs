//! `validate-headers`: the response's headers against the headers the
//! API's schema declares for the response's status (outbound, on-error;
//! once per section).
//!
//! ```xml
//! <validate-headers specified-header-action="prevent" unspecified-header-action="detect"
//!                   errors-variable-name="headerErrors">
//!   <header name="X-Debug" action="ignore"/>
//! </validate-headers>
//! ```
//! A declared header is turned into JSON by its schema's type and
//! validated (a missing required one and several values of a non-array
//! one are errors too); a header the schema does not declare for the
//! status gets the unspecified action. A `header` child overrides the
//! action of one name (case-insensitive). `Content-Type` (see
//! `validate-content`) and the framing headers (`Content-Length`,
//! `Transfer-Encoding`, `Connection`, `Keep-Alive`) are never unspecified.
//! Every error is APIM's response-side one: 502 with `prevent`, the
//! details only in `LastError.Message` and the errors variable.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::validate_parameters::{check_value, is_transport_header};
use super::validation::{errors_variable, once_per_section, required_action, Action, ActionAttr, Report};

const SOURCE: &str = "validate-headers";

#[derive(Clone, Debug)]
pub struct ValidateHeaders {
    specified: ActionAttr,
    unspecified: ActionAttr,
    errors_variable: Option<Box<str>>,
    headers: Vec<(String, ActionAttr)>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ValidateHeaders, CompileError> {
    c.only_in(el, &[Section::Outbound, Section::OnError])?;
    once_per_section(c, el)?;
    let mut headers = Vec::new();
    for h in children(el) {
        if h.name != "header" {
            return Err(c.error(h, "only <header> may appear in <validate-headers>"));
        }
        headers.push((
            c.required(h, "name")?.trim().to_owned(),
            required_action(c, h, "action")?,
        ));
    }
    Ok(ValidateHeaders {
        specified: required_action(c, el, "specified-header-action")?,
        unspecified: required_action(c, el, "unspecified-header-action")?,
        errors_variable: errors_variable(c, el)?,
        headers,
    })
}

impl ValidateHeaders {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let mut report = Report::new(SOURCE, true);
        self.check(r, &mut report)?;
        report.finish(r, self.errors_variable.as_deref())
    }

    fn action(&self, r: &Run<'_, '_>, name: &str, specified: bool) -> Result<Action, Failure> {
        match self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, a)) => a.eval(r, SOURCE),
            None if specified => self.specified.eval(r, SOURCE),
            None => self.unspecified.eval(r, SOURCE),
        }
    }

    fn check(&self, r: &Run<'_, '_>, report: &mut Report) -> Result<(), Failure> {
        let Some(schema) = r.env.op.schema.as_ref().filter(|s| s.defined) else {
            let action = self.specified.eval(r, SOURCE)?;
            report.no_schema(action);
            return Ok(());
        };
        let declared = schema.response(r.status()).map_or(&[][..], |resp| &resp.headers[..]);
        let present = r.all_headers(true);
        for h in declared {
            let action = self.action(r, &h.name, true)?;
            if action != Action::Ignore {
                let found: Vec<&str> = present
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(&h.name))
                    .map(|(_, v)| v.as_ref())
                    .collect();
                check_value(report, action, h, &found, true);
            }
            if report.stopped() {
                return Ok(());
            }
        }
        for (name, _) in &present {
            let specified = declared.iter().any(|h| h.name.eq_ignore_ascii_case(name));
            if specified || is_transport_header(name) {
                continue;
            }
            let action = self.action(r, name, false)?;
            report.add(
                action,
                name.as_ref(),
                "ResponseHeader",
                "Unspecified",
                format!("Unspecified header {name} is not allowed."),
                None,
            );
            if report.stopped() {
                return Ok(());
            }
        }
        Ok(())
    }
}
