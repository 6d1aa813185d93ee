//! `set-query-parameter`: add, replace, append or delete a query parameter
//! of the backend request (inbound, backend).
//!
//! ```xml
//! <set-query-parameter name="api-key" exists-action="override|skip|append|delete">
//!   <value>literal or @(expression)</value>
//! </set-query-parameter>
//! ```
//! Values are percent-encoded when the query is written.

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::set_header::ExistsAction;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct SetQueryParameter {
    pub name: Box<str>,
    pub action: ExistsAction,
    pub values: Vec<Text>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetQueryParameter, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Backend])?;
    let name = c.required(el, "name")?;
    if name.is_empty() {
        return Err(c.error(el, "empty parameter name"));
    }
    Ok(SetQueryParameter {
        name: name.into(),
        action: ExistsAction::parse(c, el)?,
        values: c.values(el)?,
    })
}

/// Whether the request's (possibly rewritten) query has parameter `name`.
fn present(r: &Run<'_, '_>, name: &str) -> bool {
    use super::flow::{query_eq, FieldOp};
    for op in r.flow.request.query_ops.ops.iter().rev() {
        match op {
            FieldOp::Add(n, _) if n == name => return true,
            FieldOp::Remove(n) if *n == name => return false,
            _ => {}
        }
    }
    let query: &[u8] = match &r.flow.request.query {
        Some(q) => q.as_bytes(),
        None => r.req.query().unwrap_or_default(),
    };
    query
        .split(|&b| b == b'&')
        .any(|pair| query_eq(pair.split(|&b| b == b'=').next().unwrap_or_default(), name.as_bytes()))
}

impl SetQueryParameter {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let name: &'p str = &self.name;
        match self.action {
            ExistsAction::Delete => r.flow.request.query_ops.remove(name),
            ExistsAction::Skip if present(r, name) => {}
            _ => {
                let values = r.eval_values(&self.values, "set-query-parameter")?;
                if self.action == ExistsAction::Override {
                    r.flow.request.query_ops.remove(name);
                }
                for v in values {
                    r.flow.request.query_ops.add(name, v);
                }
            }
        }
        Ok(())
    }
}
