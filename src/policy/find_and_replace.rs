//! `find-and-replace`: replace every occurrence of a string in the request
//! body (inbound, backend) or the response body (outbound, on-error).
//!
//! ```xml
//! <find-and-replace from="http://internal.example" to="https://api.example.com"/>
//! ```
//! The body is buffered (bounded by `policy.body.max-bytes`); a body that
//! is not UTF-8 is replaced byte-wise.

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct FindAndReplace {
    pub from: Text,
    pub to: Text,
    pub response: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<FindAndReplace, CompileError> {
    let from = c
        .text_attr(el, "from", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `from`"))?;
    if from.literal() == Some("") {
        return Err(c.error(el, "`from` must not be empty"));
    }
    Ok(FindAndReplace {
        from,
        to: c
            .text_attr(el, "to", Want::String)?
            .ok_or_else(|| c.error(el, "missing attribute `to`"))?,
        response: c.section.is_response(),
    })
}

/// Replaces every non-overlapping `from` in `body` with `to`.
pub fn replace_all(body: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if !from.is_empty() && body[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

impl FindAndReplace {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let from = r.eval(&self.from, "find-and-replace")?;
        let to = r.eval(&self.to, "find-and-replace")?;
        let flow = &mut *r.flow;
        let (edited, original) = if self.response {
            (&mut flow.response.body, &flow.response_body)
        } else {
            (&mut flow.request.body, &flow.request_body)
        };
        let current: &[u8] = match (edited.as_deref(), original.as_deref()) {
            (Some(b), _) | (None, Some(b)) => b,
            (None, None) => &[],
        };
        let replaced = replace_all(current, from.as_bytes(), to.as_bytes());
        *edited = Some(replaced);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_every_occurrence() {
        assert_eq!(super::replace_all(b"a-b-a", b"a", b"xy"), b"xy-b-xy");
        assert_eq!(super::replace_all(b"aaa", b"aa", b"b"), b"ba");
        assert_eq!(super::replace_all(b"", b"a", b"b"), b"");
    }
}
