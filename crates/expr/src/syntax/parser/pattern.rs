//! The C# 7 patterns of `is` and `case`: type patterns (`string`,
//! `string s`), `var v`, and constants (`null`, `3`, `-1`, `"x"`, `'c'`,
//! `Enum.Value`).
//!
//! Invariants: a pattern that starts with a name and parses as a type is a
//! [`Pattern::Type`] (a dotted name such as `HttpStatusCode.OK` may be a
//! constant: the checker decides, as C# does by binding); anything else is
//! a constant expression — at shift precedence after `is` (so
//! `x is 1 == b` is `(x is 1) == b`), any binary expression after `case`.

use super::super::ast::Pattern;
use super::super::lexer::Tok;
use super::super::CompileError;
use super::primary::starts_operand;
use super::{Parser, PREDEFINED};

impl Parser<'_> {
    /// A pattern after `is` (`case_label` false) or `case` (true).
    pub(super) fn pattern(&mut self, case_label: bool) -> Result<Pattern, CompileError> {
        let pos = self.pos();
        if let Tok::Ident(w) = self.peek() {
            if matches!(w.as_str(), "not" | "and" | "or") && starts_operand(self.peek_at(1)) {
                return Err(CompileError::at(
                    pos,
                    format!("`{w}` patterns are C# 9, not the C# 7 of policy expressions"),
                ));
            }
        }
        if self.is("{") || (self.is("(") && self.is_at(1, ")")) {
            return Err(CompileError::at(
                pos,
                "property and positional patterns are C# 8, not the C# 7 of policy expressions",
            ));
        }
        if self.is_word("var") {
            if let Tok::Ident(name) = self.peek_at(1).clone() {
                self.bump();
                self.bump();
                return Ok(Pattern::Var(name));
            }
        }
        let named = match self.peek() {
            Tok::Ident(_) => true,
            Tok::Kw(k) => PREDEFINED.contains(k),
            _ => false,
        };
        if named {
            let typed = self.attempt(|p| {
                let ty = p.type_name(false)?;
                if let Tok::Ident(name) = p.peek().clone() {
                    if name != "when" {
                        p.bump();
                        return Ok(Some(Pattern::Type(ty, Some(name))));
                    }
                }
                let ends = !case_label || p.is(":") || p.is_word("when");
                Ok(ends.then_some(Pattern::Type(ty, None)))
            });
            if let Some(pattern) = typed {
                return Ok(pattern);
            }
        }
        let value = if case_label { self.binary(0)? } else { self.binary(7)? };
        Ok(Pattern::Const(value))
    }
}
