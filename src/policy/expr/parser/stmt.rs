//! Statements of `@{ }` blocks (declarations, assignments, `if`/`else`,
//! `return`, blocks) and C# type names (`string`, `int?`, `string[]`).
//!
//! Invariant: loops, `switch`, `try` and the other statements outside the
//! subset are rejected by name at their position; a block's statements
//! nest through `Parser::enter` like expressions do.

use super::super::ast::{BinOp, Stmt, TypeName};
use super::super::lexer::Tok;
use super::super::CompileError;
use super::{Parser, TYPE_KEYWORDS};

const UNSUPPORTED_STATEMENTS: &[&str] = &[
    "for", "foreach", "while", "do", "switch", "try", "throw", "using", "lock", "goto", "break", "continue", "const",
];

impl Parser<'_> {
    pub(super) fn stmt(&mut self) -> Result<Stmt, CompileError> {
        self.enter()?;
        let s = self.stmt_inner()?;
        self.depth -= 1;
        Ok(s)
    }

    pub(super) fn stmt_inner(&mut self) -> Result<Stmt, CompileError> {
        let pos = self.pos();
        if self.eat(";") {
            return Ok(Stmt::Empty);
        }
        if self.eat("{") {
            let mut body = Vec::new();
            while !self.eat("}") {
                if self.peek() == &Tok::Eof {
                    return Err(self.unexpected("`}`"));
                }
                body.push(self.stmt()?);
            }
            return Ok(Stmt::Block(body));
        }
        if let Tok::Ident(word) = self.peek().clone() {
            match word.as_str() {
                "return" => {
                    self.bump();
                    let e = self.expr()?;
                    self.expect(";")?;
                    return Ok(Stmt::Return(e));
                }
                "if" => {
                    self.bump();
                    self.expect("(")?;
                    let cond = self.expr()?;
                    self.expect(")")?;
                    let then = Box::new(self.stmt()?);
                    let els = if self.is_word("else") {
                        self.bump();
                        Some(Box::new(self.stmt()?))
                    } else {
                        None
                    };
                    return Ok(Stmt::If { cond, then, els });
                }
                w if UNSUPPORTED_STATEMENTS.contains(&w) => {
                    return Err(CompileError::at(pos, format!("`{w}` statements are not supported")));
                }
                _ => {}
            }
            if let Some(ty) = self.try_decl_type() {
                let name = self.ident()?;
                let init = if self.eat("=") { Some(self.expr()?) } else { None };
                if self.is(",") {
                    return Err(CompileError::at(self.pos(), "declare one variable per statement"));
                }
                self.expect(";")?;
                return Ok(Stmt::Decl { ty, name, init, pos });
            }
            if let Tok::Punct(op @ ("=" | "+=" | "-=")) = self.peek_at(1) {
                let op = match *op {
                    "+=" => Some(BinOp::Add),
                    "-=" => Some(BinOp::Sub),
                    _ => None,
                };
                self.bump();
                self.bump();
                let value = self.expr()?;
                self.expect(";")?;
                return Ok(Stmt::Assign {
                    name: word,
                    op,
                    value,
                    pos,
                });
            }
        }
        let e = self.expr()?;
        if self.is("=") || self.is("+=") || self.is("-=") {
            return Err(CompileError::at(
                self.pos(),
                "only local variables can be assigned (context is read-only)",
            ));
        }
        Err(CompileError::at(
            e.pos,
            "an expression cannot be a statement here (use var, assignment, if/else or return)",
        ))
    }

    /// At `Type name`, parses and returns the type (leaving the name).
    pub(super) fn try_decl_type(&mut self) -> Option<TypeName> {
        let save = self.i;
        if let Tok::Ident(w) = self.peek() {
            if w == "var" || TYPE_KEYWORDS.contains(&w.as_str()) || w.chars().next().is_some_and(char::is_uppercase) {
                if let Ok(ty) = self.type_name() {
                    if matches!(self.peek(), Tok::Ident(_)) && matches!(self.peek_at(1), Tok::Punct("=" | ";" | ",")) {
                        return Some(ty);
                    }
                }
            }
        }
        self.i = save;
        None
    }

    pub(super) fn type_name(&mut self) -> Result<TypeName, CompileError> {
        let pos = self.pos();
        let mut name = self.ident()?;
        while self.is(".") && matches!(self.peek_at(1), Tok::Ident(_)) {
            self.bump();
            name.push('.');
            name.push_str(&self.ident()?);
        }
        let mut args = Vec::new();
        if self.eat("<") {
            loop {
                args.push(self.type_name()?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(">")?;
        }
        let nullable = self.eat("?");
        let mut array = false;
        if self.is("[") && matches!(self.peek_at(1), Tok::Punct("]")) {
            self.bump();
            self.bump();
            array = true;
        }
        Ok(TypeName {
            name,
            args,
            array,
            nullable,
            pos,
        })
    }
}
