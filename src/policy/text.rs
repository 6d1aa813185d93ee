//! Attribute and element values that are either literal text or a policy
//! expression (`@(…)` or `@{…}`), compiled once with the expression
//! type-checked; evaluation of a literal borrows it (no copy).

use std::borrow::Cow;

use super::expr::{Expr, Want};

/// A literal or a compiled expression.
#[derive(Clone, Debug)]
pub enum Text {
    Lit(Box<str>),
    /// The compiled expression and whether it reads a message body.
    Expr(Expr, bool),
}

/// Whether `s` is a policy expression rather than literal text.
pub fn is_expression(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with("@(") && t.ends_with(')')) || (t.starts_with("@{") && t.ends_with('}'))
}

impl Text {
    /// Compiles `s`; an expression must produce a value convertible to `ty`.
    pub fn compile(s: &str, ty: Want) -> Result<Text, String> {
        if is_expression(s) {
            // Values are converted to text when used (APIM calls ToString);
            // only conditions must be typed bool.
            let compiled = if ty == Want::Bool {
                Expr::compile_as(s.trim(), ty)
            } else {
                Expr::compile(s.trim())
            };
            compiled
                .map(|e| Text::Expr(e, s.contains(".Body")))
                .map_err(|e| format!("expression `{}`: {e}", s.trim()))
        } else {
            Ok(Text::Lit(s.into()))
        }
    }

    /// Names where the expression comes from (`document:line`), for the
    /// message of an evaluation failure.
    pub fn with_origin(self, document: &str, line: u32) -> Text {
        match self {
            Text::Expr(e, body) => Text::Expr(e.with_origin(format!("{document} line {line}")), body),
            t => t,
        }
    }

    pub fn literal(&self) -> Option<&str> {
        match self {
            Text::Lit(s) => Some(s),
            Text::Expr(..) => None,
        }
    }

    pub fn lit(s: &str) -> Text {
        Text::Lit(s.into())
    }

    /// Whether the expression (if any) reads the message body.
    pub fn reads_body(&self) -> bool {
        match self {
            Text::Lit(_) => false,
            Text::Expr(_, body) => *body,
        }
    }
}

/// The borrowed-or-owned result of evaluating a [`Text`].
pub type Evaluated<'p> = Cow<'p, str>;
