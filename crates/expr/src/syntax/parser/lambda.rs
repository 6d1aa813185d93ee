//! What an opening parenthesis in operand position starts: a lambda
//! (`(x, y) => …`, `(string x) => …`, `() => { … }`), a cast (`(T)x`), or
//! a parenthesised expression; and single-parameter lambdas (`x => …`).
//!
//! Invariants: a parenthesis is a lambda exactly when its matching `)` is
//! followed by `=>`; a cast follows C#'s disambiguation rule (a type that
//! cannot be an expression — a predefined type, `T?`, `T[]`, `T<…>` —
//! always casts; otherwise only when the `)` is followed by an identifier,
//! a literal, `(`, `!`, `~` or a keyword other than `as`/`is`), so
//! `(x) - y` is a subtraction; the speculative part parses only a type.

use super::super::ast::{Ast, Kind, LambdaBody, Param, TypeName};
use super::super::lexer::Tok;
use super::super::CompileError;
use super::{node, Parser, PREDEFINED};

impl Parser<'_> {
    /// The cursor is at `(` in operand position.
    pub(super) fn paren_form(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        if self.paren_lambda_ahead() {
            return self.paren_lambda();
        }
        if let Some(ty) = self.attempt(|p| p.cast_type()) {
            let e = self.nested(|p| p.unary())?;
            return Ok(node(Kind::Cast(ty, Box::new(e)), pos));
        }
        self.bump();
        let e = self.expr()?;
        if self.is(",") {
            return Err(CompileError::at(
                self.pos(),
                "tuples are not supported in policy expressions",
            ));
        }
        self.expect(")", "to close the parenthesis")?;
        let e = node(Kind::Paren(Box::new(e)), pos);
        self.postfix_chain(e)
    }

    /// Whether the `(` at the cursor is matched by a `)` followed by `=>`.
    fn paren_lambda_ahead(&self) -> bool {
        let mut depth = 0usize;
        let mut k = 0;
        loop {
            match self.peek_at(k) {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return self.is_at(k + 1, "=>");
                    }
                }
                Tok::Eof => return false,
                _ => {}
            }
            k += 1;
        }
    }

    /// `(T)` followed by what can only be a cast operand; `None` otherwise.
    fn cast_type(&mut self) -> Result<Option<TypeName>, CompileError> {
        self.bump();
        let ty = self.type_name(false)?;
        if !self.eat(")") {
            return Ok(None);
        }
        let type_only = PREDEFINED.contains(&ty.name.as_str()) || ty.nullable || ty.array > 0 || !ty.args.is_empty();
        let operand = match self.peek() {
            Tok::Ident(_) | Tok::Int(..) | Tok::Real(..) | Tok::Str(_) | Tok::Char(_) | Tok::Interp(_) => true,
            Tok::Punct("(" | "!" | "~") => true,
            Tok::Kw(k) => !matches!(*k, "as" | "is"),
            _ => false,
        };
        Ok((type_only || operand).then_some(ty))
    }

    fn paren_lambda(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        self.bump();
        let mut params = Vec::new();
        if !self.eat(")") {
            loop {
                params.push(self.lambda_param()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",", "or `)` in the lambda's parameter list")?;
            }
        }
        self.lambda_body(params, pos)
    }

    fn lambda_param(&mut self) -> Result<Param, CompileError> {
        let pos = self.pos();
        if let Tok::Kw(k @ ("ref" | "out" | "in" | "params")) = self.peek() {
            return Err(CompileError::at(
                pos,
                format!("`{k}` lambda parameters are not supported"),
            ));
        }
        if let Tok::Ident(name) = self.peek().clone() {
            if self.is_at(1, ",") || self.is_at(1, ")") {
                self.bump();
                return Ok(Param { ty: None, name, pos });
            }
        }
        let ty = self.type_name(true)?;
        let name = self.ident("a parameter name")?;
        Ok(Param {
            ty: Some(ty),
            name,
            pos,
        })
    }

    /// `x => …` (the cursor at `x`).
    pub(super) fn simple_lambda(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let name = self.ident("a parameter name")?;
        self.lambda_body(vec![Param { ty: None, name, pos }], pos)
    }

    /// `=> expr` or `=> { statements }`.
    fn lambda_body(&mut self, params: Vec<Param>, pos: usize) -> Result<Ast, CompileError> {
        self.expect("=>", "after the lambda's parameters")?;
        let body = if self.is("{") {
            LambdaBody::Block(self.nested(|p| p.block())?)
        } else {
            LambdaBody::Expr(Box::new(self.expr()?))
        };
        Ok(node(Kind::Lambda { params, body }, pos))
    }
}
