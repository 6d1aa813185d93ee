//! `rewrite-uri`: replace the backend-relative path and query of the request.
//!
//! ```xml
//! <rewrite-uri template="/v2/users/{id}?source=gw" copy-unmatched-params="true"/>
//! ```
//! `{name}` is replaced by the operation's matched template parameter, as
//! received (still percent-encoded). With `copy-unmatched-params` (the
//! default) the original query parameters that the operation's template did
//! not capture, and that the new query does not set, are appended.

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct RewriteUri {
    pub template: Text,
    pub copy_unmatched: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<RewriteUri, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Backend])?;
    let template = c
        .text_attr(el, "template", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `template`"))?;
    if let Some(t) = template.literal().filter(|t| !c.unresolved(el, "template", t)) {
        if t.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(c.error(el, "template must not contain spaces or control characters"));
        }
    }
    Ok(RewriteUri {
        template,
        copy_unmatched: c.boolean(el, "copy-unmatched-params", true)?,
    })
}

impl RewriteUri {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let template = r.eval(&self.template, "rewrite-uri")?;
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest: &str = &template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            out.push_str(r.req.param(r.env.op, name).unwrap_or_default());
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        let (path, mut query) = match out.split_once('?') {
            Some((p, q)) => (p.to_owned(), q.to_owned()),
            None => (out, String::new()),
        };
        if self.copy_unmatched {
            copy_unmatched(r, &mut query);
        }
        r.flow.request.path = Some(if path.starts_with('/') || path.is_empty() {
            path
        } else {
            format!("/{path}")
        });
        r.flow.request.query = Some(query);
        Ok(())
    }
}

/// Appends the original query parameters not captured by the operation's
/// template and not already named in `query`.
fn copy_unmatched(r: &Run<'_, '_>, query: &mut String) {
    let Some(original) = r.req.query() else { return };
    let mut offset = 0;
    for pair in original.split(|&b| b == b'&') {
        let range = offset..offset + pair.len();
        offset += pair.len() + 1;
        if pair.is_empty() {
            continue;
        }
        let captured = r
            .req
            .params
            .iter()
            .any(|p| p.2 && p.1.start >= range.start && p.1.end <= range.end);
        let name = pair.split(|&b| b == b'=').next().unwrap_or_default();
        let named = query
            .split('&')
            .any(|q| q.split('=').next().unwrap_or_default().as_bytes() == name);
        if captured || named {
            continue;
        }
        if let Ok(pair) = std::str::from_utf8(pair) {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(pair);
        }
    }
}
