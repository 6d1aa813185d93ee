//! `set-header`: add, replace, append or delete a request header (inbound,
//! backend) or a response header (outbound, on-error).
//!
//! ```xml
//! <set-header name="X-Api" exists-action="override|skip|append|delete">
//!   <value>literal or @(expression)</value>
//! </set-header>
//! ```

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExistsAction {
    Override,
    Skip,
    Append,
    Delete,
}

impl ExistsAction {
    pub fn parse(c: &Compiler<'_>, el: &Element) -> Result<ExistsAction, CompileError> {
        Ok(match c.attr(el, "exists-action").unwrap_or("override") {
            "override" => ExistsAction::Override,
            "skip" => ExistsAction::Skip,
            "append" => ExistsAction::Append,
            "delete" => ExistsAction::Delete,
            other => {
                return Err(c.error(
                    el,
                    format!("exists-action must be override, skip, append or delete, not `{other}`"),
                ))
            }
        })
    }
}

#[derive(Clone, Debug)]
pub struct SetHeader {
    pub name: Box<str>,
    pub action: ExistsAction,
    pub values: Vec<Text>,
    /// Request header (inbound, backend) or response header (outbound, on-error).
    pub response: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetHeader, CompileError> {
    let name = c.required(el, "name")?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(c.error(el, format!("invalid header name `{name}`")));
    }
    let action = ExistsAction::parse(c, el)?;
    let values = c.values(el)?;
    Ok(SetHeader {
        name: name.into(),
        action,
        values,
        response: c.section.is_response(),
    })
}

impl SetHeader {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let name: &'p str = &self.name;
        match self.action {
            ExistsAction::Delete => r.headers(self.response).remove(name),
            ExistsAction::Skip if r.header(self.response, name).is_some() => {}
            ExistsAction::Override | ExistsAction::Skip | ExistsAction::Append => {
                let values = r.eval_values(&self.values, "set-header")?;
                if self.action == ExistsAction::Override {
                    r.headers(self.response).remove(name);
                }
                for v in values {
                    // A computed value must stay one field: a line break
                    // would split the message (response splitting, request
                    // smuggling). The request fails; the value is not shown
                    // (it may be a credential).
                    if v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                        return Err(Failure::expression(
                            "set-header",
                            format!("the value of header {name} holds a line break or NUL"),
                        ));
                    }
                    r.headers(self.response).add(name, v);
                }
            }
        }
        Ok(())
    }
}
