//! `set-body`: replace the request body (inbound, backend) or the response
//! body (outbound, on-error) with literal text, an expression's value, or a
//! Liquid template's output.
//!
//! ```xml
//! <set-body>{"status":"ok"}</set-body>
//! <set-body>@("hello " + context.Request.Headers.GetValueOrDefault("name", "you"))</set-body>
//! <set-body template="liquid" xsi-nil="null">{"name":"{{ body.user.name | Upcase }}"}</set-body>
//! ```
//! A Liquid template (see `policy::liquid`) reads `body` (the current body,
//! parsed as JSON or XML by its `Content-Type`, else text; empty inside
//! `return-response`) and `context`. Its content may be text or XML markup
//! (a SOAP envelope): markup is the template as written, re-serialised.
//! `parse-date` is accepted; dates stay text (the `Date` filter reads them).

use super::compile::{CompileError, Compiler, Element, Node};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::liquid::globals::{self, XsiNil};
use super::liquid::Liquid;
use super::message_body;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct SetBody {
    pub body: Text,
    pub response: bool,
    /// `template="liquid"`.
    pub liquid: Option<Box<LiquidBody>>,
    /// Inside `return-response`: the template's input body is empty.
    pub empty_input: bool,
}

#[derive(Clone, Debug)]
pub struct LiquidBody {
    pub template: Liquid,
    pub xsi_nil: XsiNil,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetBody, CompileError> {
    let liquid = match c.attr(el, "template").map(str::trim) {
        None | Some("none") => None,
        Some(t) if t.eq_ignore_ascii_case("liquid") => Some(Box::new(compile_liquid(c, el)?)),
        Some(t) => return Err(c.error(el, format!("template must be liquid or none, not `{t}`"))),
    };
    let body = match liquid {
        Some(_) => Text::lit(""),
        None => c.content(el, Want::String)?,
    };
    Ok(SetBody {
        body,
        response: c.section.is_response(),
        liquid,
        empty_input: false,
    })
}

/// The template text of a `set-body` and the document line its first line
/// is on.
fn template_text(el: &Element) -> (String, u32) {
    let only_text = el.children.iter().all(|n| matches!(n, Node::Text(..)));
    if only_text {
        let mut s = String::new();
        let mut line = el.line;
        for n in &el.children {
            if let Node::Text(t, l) = n {
                if s.is_empty() {
                    let lead = &t[..t.len() - t.trim_start().len()];
                    let newlines = u32::try_from(lead.matches('\n').count()).unwrap_or(0);
                    line = l.saturating_sub(newlines);
                }
                s.push_str(t);
            }
        }
        return (s, line);
    }
    let mut s = String::new();
    for n in &el.children {
        write_node(n, &mut s);
    }
    (s, el.line)
}

/// Writes XML markup back as text (entities escaped again).
fn write_node(n: &Node, out: &mut String) {
    use super::convert::to_xml::escape;
    match n {
        Node::Text(t, _) => out.push_str(&escape(t, false)),
        Node::Element(e) => {
            out.push('<');
            out.push_str(&e.name);
            for a in &e.attrs {
                out.push_str(&format!(" {}=\"{}\"", a.name, escape(&a.value, true)));
            }
            if e.children.is_empty() {
                out.push_str(" />");
            } else {
                out.push('>');
                for c in &e.children {
                    write_node(c, out);
                }
                out.push_str(&format!("</{}>", e.name));
            }
        }
    }
}

fn compile_liquid(c: &Compiler<'_>, el: &Element) -> Result<LiquidBody, CompileError> {
    let xsi_nil = match c.attr(el, "xsi-nil").map(str::trim) {
        None | Some("blank") => XsiNil::Blank,
        Some("null") => XsiNil::Null,
        Some(v) => return Err(c.error(el, format!("xsi-nil must be blank or null, not `{v}`"))),
    };
    c.boolean(el, "parse-date", true)?;
    let (text, first_line) = template_text(el);
    let template = Liquid::compile(&text).map_err(|e| {
        let mut err = c.error(el, e.message);
        err.line = first_line.saturating_add(e.line.saturating_sub(1));
        err
    })?;
    Ok(LiquidBody { template, xsi_nil })
}

impl LiquidBody {
    /// Renders the template over the current request (`response` false) or
    /// response body (none when `empty_input`) and the context, for the
    /// policy `source` (`set-body`, or `send-request`'s `set-body` child).
    pub fn render(
        &self,
        r: &Run<'_, '_>,
        response: bool,
        empty_input: bool,
        source: &'static str,
    ) -> Result<Vec<u8>, Failure> {
        let t = &self.template;
        let body = if t.uses_body {
            let bytes = if empty_input {
                &[][..]
            } else {
                message_body::current(r.flow, response)
            };
            globals::body(bytes, r.header(response, "Content-Type"), self.xsi_nil)
        } else {
            liquid_core::model::Value::Nil
        };
        let context = if t.uses_context {
            globals::context(r)
        } else {
            liquid_core::model::Value::Nil
        };
        let out = t
            .render(body, context, message_body::max_bytes(r))
            .map_err(|m| Failure::new(source, "LiquidTemplateFailure", 500, format!("Liquid template: {m}")))?;
        Ok(out.into_bytes())
    }
}

impl SetBody {
    /// Whether running it needs the current body in memory.
    pub fn reads_body(&self) -> bool {
        match &self.liquid {
            Some(l) => l.template.uses_body && !self.empty_input,
            None => self.body.reads_body(),
        }
    }

    /// This `set-body` is a `return-response` child: a template reads no body.
    pub fn inside_return_response(mut self) -> Self {
        self.empty_input = true;
        self
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        if let Some(l) = &self.liquid {
            return self.run_liquid(l, r);
        }
        let body = r.eval(&self.body, "set-body")?.into_owned().into_bytes();
        if self.response {
            r.flow.response.body = Some(body);
        } else {
            r.flow.request.body = Some(body);
        }
        Ok(())
    }

    fn run_liquid<'p>(&'p self, l: &'p LiquidBody, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let out = l.render(r, self.response, self.empty_input, "set-body")?;
        message_body::replace(r, self.response, out, None);
        Ok(())
    }
}
