//! `mock-response`: answer without calling the backend.
//!
//! ```xml
//! <mock-response status-code="200" content-type="application/json"/>
//! ```
//! APIM fills the body from the operation's response examples; operations
//! here have none, so the body is empty.

use std::borrow::Cow;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use super::flow::ResponseEdits;

#[derive(Clone, Debug)]
pub struct MockResponse {
    pub status: u16,
    pub content_type: Box<str>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<MockResponse, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Outbound, Section::OnError])?;
    let status = c.number(el, "status-code")?.unwrap_or(200);
    if !(100..=599).contains(&status) {
        return Err(c.error(el, format!("status-code must be 100-599, not {status}")));
    }
    Ok(MockResponse {
        status: status as u16,
        content_type: c.attr(el, "content-type").unwrap_or("application/json").into(),
    })
}

impl MockResponse {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        r.flow.response = ResponseEdits::synthetic(self.status);
        r.flow
            .response
            .headers
            .add("Content-Type", Cow::Borrowed(&self.content_type));
        r.flow.response.body = Some(Vec::new());
        r.flow.answered = true;
        Ok(())
    }
}
