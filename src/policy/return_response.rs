//! `return-response`: stop the pipeline and answer with the response built
//! by its `set-status`, `set-header` and `set-body` children.
//!
//! ```xml
//! <return-response>
//!   <set-status code="403" reason="Forbidden"/>
//!   <set-header name="X-Reason" exists-action="override"><value>blocked</value></set-header>
//!   <set-body>blocked</set-body>
//! </return-response>
//! <return-response response-variable-name="fromService" />
//! ```
//! With `response-variable-name` the answer starts as the `IResponse` held
//! by that variable (`send-request`, the Dapr policies): its status,
//! reason, header fields and body; the children then modify it. A variable
//! that is missing or holds anything else (a `null` left by
//! `ignore-error`) fails with `ExpressionValueEvaluationFailure`.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::flow::ResponseEdits;
use super::{set_body, set_header, set_status};

#[derive(Clone, Debug)]
pub struct ReturnResponse {
    /// `response-variable-name` (no expressions: APIM's rule).
    pub variable: Option<Box<str>>,
    pub status: Option<set_status::SetStatus>,
    pub headers: Vec<set_header::SetHeader>,
    pub body: Option<set_body::SetBody>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ReturnResponse, CompileError> {
    let variable = match c.attr(el, "response-variable-name").map(str::trim) {
        Some("") => return Err(c.error(el, "empty `response-variable-name`")),
        v => v.map(Into::into),
    };
    let section = c.section;
    c.section = Section::Outbound;
    let result = (|| {
        let mut out = ReturnResponse {
            variable,
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
        r.flow.response = match &self.variable {
            None => ResponseEdits::synthetic(200),
            Some(name) => stored(r, name)?,
        };
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

/// The response held by variable `name`, as a gateway-made response.
fn stored<'p>(r: &Run<'_, 'p>, name: &str) -> Result<ResponseEdits<'p>, Failure> {
    let parts = r
        .flow
        .var(name)
        .and_then(outpost_expr::library::apim::response_parts)
        .ok_or_else(|| {
            Failure::expression(
                "return-response",
                format!("context.Variables[\"{name}\"] does not hold a response"),
            )
        })?;
    let status = u16::try_from(parts.status)
        .ok()
        .filter(|s| (200..=599).contains(s))
        .unwrap_or(500);
    let mut resp = ResponseEdits::synthetic(status);
    if !parts.reason.is_empty() {
        resp.reason = Some(parts.reason.into());
    }
    for (n, v) in parts.headers {
        if !super::outgoing::is_framing(&n) {
            resp.headers.add_owned(n, v);
        }
    }
    resp.body = Some(parts.body);
    Ok(resp)
}
