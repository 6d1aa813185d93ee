//! `return-response`: stop the pipeline and answer with the response built
//! by its `set-status`, `set-header` and `set-body` children.
//!
//! ```xml
//! <return-response>
//!   <set-status code="403" reason="Forbidden"/>
//!   <set-header name="X-Reason" exists-action="override"><value>blocked</value></set-header>
//!   <set-body>blocked</set-body>
//! </return-response>
//! ```

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::flow::ResponseEdits;
use super::{set_body, set_header, set_status};

#[derive(Clone, Debug)]
pub struct ReturnResponse {
    pub status: Option<set_status::SetStatus>,
    pub headers: Vec<set_header::SetHeader>,
    pub body: Option<set_body::SetBody>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ReturnResponse, CompileError> {
    if c.attr(el, "response-variable-name").is_some() {
        return Err(c.error(el, "response-variable-name is not supported"));
    }
    let section = c.section;
    c.section = Section::Outbound;
    let result = (|| {
        let mut out = ReturnResponse {
            status: None,
            headers: Vec::new(),
            body: None,
        };
        for child in children(el) {
            match child.name.as_str() {
                "set-status" => out.status = Some(set_status::compile(c, child)?),
                "set-header" => out.headers.push(set_header::compile(c, child)?),
                "set-body" => out.body = Some(set_body::compile(c, child)?.inside_return_response()),
                _ => {
                    return Err(c.error(
                        child,
                        "only set-status, set-header and set-body may appear in <return-response>",
                    ))
                }
            }
        }
        Ok(out)
    })();
    c.section = section;
    result
}

impl ReturnResponse {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        r.flow.response = ResponseEdits::synthetic(200);
        if let Some(s) = &self.status {
            s.run(r)?;
        }
        for h in &self.headers {
            h.run(r)?;
        }
        if let Some(b) = &self.body {
            b.run(r)?;
        }
        r.flow.answered = true;
        Ok(())
    }
}
