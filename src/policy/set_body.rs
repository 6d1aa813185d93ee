//! `set-body`: replace the request body (inbound, backend) or the response
//! body (outbound, on-error) with literal text or an expression's value.
//!
//! ```xml
//! <set-body>{"status":"ok"}</set-body>
//! <set-body>@("hello " + context.Request.Headers.GetValueOrDefault("name", "you"))</set-body>
//! ```
//! Liquid templates (`template="liquid"`) are not supported.

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct SetBody {
    pub body: Text,
    pub response: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetBody, CompileError> {
    if let Some(t) = c.attr(el, "template") {
        if t != "none" {
            return Err(c.error(el, format!("template=\"{t}\" is not supported")));
        }
    }
    Ok(SetBody {
        body: c.content(el, Want::String)?,
        response: c.section.is_response(),
    })
}

impl SetBody {
    /// Whether running it needs the current body in memory.
    pub fn reads_body(&self) -> bool {
        self.body.reads_body()
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let body = r.eval(&self.body, "set-body")?.into_owned().into_bytes();
        if self.response {
            r.flow.response.body = Some(body);
        } else {
            r.flow.request.body = Some(body);
        }
        Ok(())
    }
}
