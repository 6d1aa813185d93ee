//! `set-method`: change the HTTP method of the backend request.
//!
//! ```xml
//! <set-method>POST</set-method>
//! ```

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub enum SetMethod {
    Fixed(http::Method),
    Dynamic(Text),
}

fn parse(s: &str) -> Option<http::Method> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("CONNECT") {
        return None;
    }
    http::Method::from_bytes(s.to_ascii_uppercase().as_bytes()).ok()
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetMethod, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Backend, Section::OnError])?;
    match c.content(el, Want::String)? {
        Text::Lit(s) => parse(&s)
            .map(SetMethod::Fixed)
            .ok_or_else(|| c.error(el, format!("invalid method `{}`", s.trim()))),
        t => Ok(SetMethod::Dynamic(t)),
    }
}

impl SetMethod {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let m = match self {
            SetMethod::Fixed(m) => m.clone(),
            SetMethod::Dynamic(t) => {
                let v = r.eval(t, "set-method")?;
                parse(&v).ok_or_else(|| Failure::expression("set-method", format!("invalid method `{v}`")))?
            }
        };
        r.flow.request.method = Some(m);
        Ok(())
    }
}
