//! Type names as written (`string`, `int?`, `byte[]`, `JObject`,
//! `Dictionary<string, List<int>>`, `System.Text.StringBuilder`,
//! `global::System.Guid`) and C#'s disambiguation of `<` in expressions.
//!
//! Invariants: a type's generic arguments nest through `Parser::enter`;
//! `?` after a type in expression position (`as int?`, `(int?)x`) is
//! "nullable" only when what follows cannot start an operand, so
//! `x is int ? a : b` stays a conditional; in declarations (`int? x`) and
//! inside type arguments it always is; `<…>` in an expression is a type
//! argument list only when it parses as one and is followed by one of
//! `( ) ] } : ; , . ? == != | ^ && || & [` or the end (C# spec §6.2.5).

use super::super::ast::TypeName;
use super::super::lexer::Tok;
use super::super::CompileError;
use super::primary::starts_operand;
use super::{Parser, PREDEFINED};

impl Parser<'_> {
    /// A type; `decl` when in a declaration or type-argument position
    /// (where `T?` is always nullable).
    pub(super) fn type_name(&mut self, decl: bool) -> Result<TypeName, CompileError> {
        self.nested(|p| p.type_name_inner(decl))
    }

    fn type_name_inner(&mut self, decl: bool) -> Result<TypeName, CompileError> {
        let pos = self.pos();
        let mut name = match self.peek().clone() {
            Tok::Ident(n) => n,
            Tok::Kw(k) if PREDEFINED.contains(&k) => k.to_owned(),
            _ => return Err(self.unexpected("a type")),
        };
        self.bump();
        if name == "global" && self.is("::") {
            self.bump();
            name = self.ident("a type name after `global::`")?;
        }
        if !PREDEFINED.contains(&name.as_str()) {
            while self.is(".") && matches!(self.peek_at(1), Tok::Ident(_)) {
                self.bump();
                name.push('.');
                name.push_str(&self.ident("a name")?);
            }
        }
        if self.is("::") {
            return Err(CompileError::at(
                self.pos(),
                "namespace alias qualifiers (`::`) are not supported",
            ));
        }
        let mut args = Vec::new();
        if self.eat("<") {
            loop {
                args.push(self.type_name(true)?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(">", "to close the type argument list")?;
        }
        let nullable = self.is("?") && (decl || !starts_operand(self.peek_at(1)) && !self.is_at(1, "-"));
        if nullable {
            self.bump();
        }
        let mut array = 0u8;
        while self.is("[") && (self.is_at(1, "]") || self.is_at(1, ",")) {
            if self.is_at(1, ",") {
                return Err(CompileError::at(
                    self.pos(),
                    "multi-dimensional arrays are not supported",
                ));
            }
            self.bump();
            self.bump();
            array = array.saturating_add(1);
        }
        Ok(TypeName {
            name,
            args,
            nullable,
            array,
            pos,
        })
    }

    /// At `<` in an expression: the type argument list, if C#'s rule makes
    /// it one (see the module doc); the cursor is left after `>` if so,
    /// unmoved otherwise.
    pub(super) fn type_args_in_expr(&mut self) -> Option<Vec<TypeName>> {
        if !self.is("<") {
            return None;
        }
        self.attempt(|p| {
            p.bump();
            let mut args = Vec::new();
            loop {
                args.push(p.type_name(true)?);
                if !p.eat(",") {
                    break;
                }
            }
            if !p.eat(">") {
                return Ok(None);
            }
            let follows = match p.peek() {
                Tok::Punct(t) => matches!(
                    *t,
                    "(" | ")"
                        | "]"
                        | "}"
                        | ":"
                        | ";"
                        | ","
                        | "."
                        | "?"
                        | "?."
                        | "??"
                        | "=="
                        | "!="
                        | "|"
                        | "^"
                        | "&&"
                        | "||"
                        | "&"
                        | "["
                ),
                Tok::Eof => true,
                _ => false,
            };
            Ok(follows.then_some(args))
        })
    }
}
