//! `check-header`: refuse the request unless a header is present (and, when
//! values are listed, has one of them).
//!
//! ```xml
//! <check-header name="Authorization" failed-check-httpcode="401"
//!               failed-check-error-message="Not authorized" ignore-case="false">
//!   <value>Bearer token-1</value>
//! </check-header>
//! ```
//! Refusal: status `failed-check-httpcode`, body
//! `{ "statusCode": N, "message": "<failed-check-error-message>" }`,
//! `LastError.Reason` `HeaderNotFound` or `HeaderValueNotAllowed`.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;

#[derive(Clone, Debug)]
pub struct CheckHeader {
    pub name: Box<str>,
    pub status: u16,
    pub message: Box<str>,
    pub ignore_case: bool,
    pub values: Vec<Box<str>>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<CheckHeader, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    let status = c
        .number(el, "failed-check-httpcode")?
        .ok_or_else(|| c.error(el, "missing attribute `failed-check-httpcode`"))?;
    if !(100..=599).contains(&status) {
        return Err(c.error(el, format!("failed-check-httpcode must be 100-599, not {status}")));
    }
    let mut values = Vec::new();
    for v in children(el) {
        if v.name != "value" {
            return Err(c.error(v, "only <value> elements may appear in <check-header>"));
        }
        values.push(v.text().into());
    }
    Ok(CheckHeader {
        name: c.required(el, "name")?.into(),
        status: status as u16,
        message: c.required(el, "failed-check-error-message")?.into(),
        ignore_case: c.boolean(el, "ignore-case", false)?,
        values,
    })
}

impl CheckHeader {
    fn fail(&self, reason: &'static str) -> Failure {
        Failure::new("check-header", reason, self.status, self.message.to_string())
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let Some(value) = r.header(false, &self.name) else {
            return Err(self.fail("HeaderNotFound"));
        };
        if self.values.is_empty() {
            return Ok(());
        }
        // Several values may arrive comma-separated in one header.
        let allowed = value.split(',').map(str::trim).any(|v| {
            self.values.iter().any(|a| {
                if self.ignore_case {
                    a.eq_ignore_ascii_case(v)
                } else {
                    **a == *v
                }
            })
        });
        if allowed {
            Ok(())
        } else {
            Err(self.fail("HeaderValueNotAllowed"))
        }
    }
}
