//! `set-status`: set the response status code and reason phrase.
//!
//! ```xml
//! <set-status code="401" reason="Unauthorized"/>
//! ```

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct SetStatus {
    pub code: Text,
    pub reason: Option<Text>,
}

fn valid(code: &str) -> Option<u16> {
    code.trim().parse::<u16>().ok().filter(|c| (100..=599).contains(c))
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetStatus, CompileError> {
    let code = c
        .text_attr(el, "code", Want::Int)?
        .ok_or_else(|| c.error(el, "missing attribute `code`"))?;
    if let Some(lit) = code.literal() {
        if valid(lit).is_none() {
            return Err(c.error(el, format!("code must be 100-599, not `{lit}`")));
        }
    }
    let reason = c.text_attr(el, "reason", Want::String)?;
    Ok(SetStatus { code, reason })
}

impl SetStatus {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let code = r.eval(&self.code, "set-status")?;
        let code =
            valid(&code).ok_or_else(|| Failure::expression("set-status", format!("invalid status code `{code}`")))?;
        r.flow.response.status = Some(code);
        r.flow.response.reason = match &self.reason {
            Some(t) => Some(r.eval(t, "set-status")?),
            None => None,
        };
        Ok(())
    }
}
