//! The helpers policy modules call while compiling their element: reading
//! attributes (plain, boolean, numeric, text with expressions, expression),
//! element content and `<value>` lists, section checks, backend targets,
//! and errors that name the document and line.
//!
//! Invariant: every error built here carries the document (the element's
//! own, else the compiler's) and the line of the element or attribute at
//! fault; expressions are compiled (and type-checked) here, once.

use super::super::expr::{Expr, Want};
use super::super::text::Text;
use super::{children, CompileError, Compiler, Element, Node, Section};

impl Compiler<'_> {
    pub(super) fn doc_of(&self, el: &Element) -> String {
        if el.origin.document.is_empty() {
            self.document.clone()
        } else {
            el.origin.document.to_string()
        }
    }

    /// The target index of a configured backend.
    pub fn backend_index(&self, id: &str) -> Option<usize> {
        self.targets.ids.iter().position(|i| i == id)
    }

    /// The target index of a literal `base-url` (registered once).
    pub fn target_url(&mut self, url: &str) -> usize {
        self.targets.url_index(url)
    }

    pub fn error(&self, el: &Element, message: impl Into<String>) -> CompileError {
        CompileError {
            document: self.doc_of(el),
            line: el.line,
            message: format!("<{}>: {}", el.name, message.into()),
        }
    }

    pub fn attr<'e>(&self, el: &'e Element, name: &str) -> Option<&'e str> {
        el.attrs.iter().find(|a| a.name == name).map(|a| a.value.as_str())
    }

    pub fn required<'e>(&self, el: &'e Element, name: &str) -> Result<&'e str, CompileError> {
        self.attr(el, name)
            .ok_or_else(|| self.error(el, format!("missing attribute `{name}`")))
    }

    /// An attribute that may hold an expression.
    pub fn text_attr(&self, el: &Element, name: &str, ty: Want) -> Result<Option<Text>, CompileError> {
        let Some(a) = el.attrs.iter().find(|a| a.name == name) else {
            return Ok(None);
        };
        match Text::compile(&a.value, ty) {
            Ok(t) => Ok(Some(t.with_origin(&self.doc_of(el), a.line))),
            Err(m) => {
                let e = CompileError {
                    document: self.doc_of(el),
                    line: a.line,
                    message: format!("<{}> {name}: {m}", el.name),
                };
                if self.defer(&e) {
                    Ok(Some(Text::lit("")))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// An attribute that must be an expression (a condition, a key).
    pub fn expr_attr(&self, el: &Element, name: &str, ty: Want) -> Result<Option<Expr>, CompileError> {
        let Some(a) = el.attrs.iter().find(|a| a.name == name) else {
            return Ok(None);
        };
        let compiled = if ty == Want::Any {
            Expr::compile(a.value.trim())
        } else {
            Expr::compile_as(a.value.trim(), ty)
        };
        match compiled {
            Ok(e) => Ok(Some(e.with_origin(format!("{} line {}", self.doc_of(el), a.line)))),
            Err(e) => {
                let e = CompileError {
                    document: self.doc_of(el),
                    line: a.line,
                    message: format!("<{}> {name}: expression `{}`: {e}", el.name, a.value.trim()),
                };
                if self.defer(&e) {
                    Ok(Some(placeholder(ty)))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// A non-negative integer attribute without expressions.
    pub fn number(&self, el: &Element, name: &str) -> Result<Option<u64>, CompileError> {
        match self.attr(el, name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| self.error(el, format!("`{name}` must be a non-negative integer, not `{v}`"))),
        }
    }

    pub fn boolean(&self, el: &Element, name: &str, default: bool) -> Result<bool, CompileError> {
        match self.attr(el, name).map(str::trim) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.error(el, format!("`{name}` must be true or false, not `{v}`"))),
        }
    }

    /// The text content of an element (literal or one expression).
    pub fn content(&self, el: &Element, ty: Want) -> Result<Text, CompileError> {
        let mut s = String::new();
        let mut line = el.line;
        for n in &el.children {
            match n {
                Node::Text(t, l) => {
                    if s.is_empty() {
                        line = *l;
                    }
                    s.push_str(t);
                }
                Node::Element(child) => {
                    return Err(self.error(child, format!("unexpected element inside <{}>", el.name)))
                }
            }
        }
        let body = if super::super::text::is_expression(&s) {
            s.trim()
        } else {
            s.as_str()
        };
        match Text::compile(body, ty) {
            Ok(t) => Ok(t.with_origin(&self.doc_of(el), line)),
            Err(m) => {
                let e = CompileError {
                    document: self.doc_of(el),
                    line,
                    message: format!("<{}>: {m}", el.name),
                };
                if self.defer(&e) {
                    Ok(Text::lit(""))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// The `<value>` children of an element.
    pub fn values(&self, el: &Element) -> Result<Vec<Text>, CompileError> {
        let mut out = Vec::new();
        for child in children(el) {
            if child.name != "value" {
                return Err(self.error(child, format!("unexpected element inside <{}>", el.name)));
            }
            out.push(self.content(child, Want::String)?);
        }
        Ok(out)
    }

    /// In lint mode (`check-policy`), whether `value` still holds the
    /// `{{name}}` of a named value the caller did not define: it cannot be
    /// checked before substitution, so a warning says so and the caller
    /// skips its check (the gateway checks the substituted value at load).
    pub fn unresolved(&mut self, el: &Element, attr: &str, value: &str) -> bool {
        if self.lint.is_none() {
            return false;
        }
        let Some(reference) = super::super::document::first_reference(value) else {
            return false;
        };
        let w = self.error(
            el,
            format!("{attr} not checked: named value {reference} is not defined here (use --named-value)"),
        );
        self.warnings.push(w.to_string());
        true
    }

    /// Fails unless this section is one of `allowed`.
    pub fn only_in(&self, el: &Element, allowed: &[Section]) -> Result<(), CompileError> {
        if allowed.contains(&self.section) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
        Err(self.error(
            el,
            format!(
                "not allowed in the {} section (only in {})",
                self.section.name(),
                names.join(", ")
            ),
        ))
    }
}

/// What lint mode compiles in place of a broken expression: a constant of
/// the wanted type.
fn placeholder(ty: Want) -> Expr {
    let src = match ty {
        Want::Bool => "@(false)",
        Want::Int => "@(0)",
        Want::Double => "@(0.0)",
        Want::String => "@(\"\")",
        Want::Any => "@(null)",
    };
    // The placeholders are constant literals of the wanted type.
    match Expr::compile_as(src, ty) {
        Ok(e) => e,
        Err(_) => unreachable!("placeholder {src} compiles"),
    }
}
