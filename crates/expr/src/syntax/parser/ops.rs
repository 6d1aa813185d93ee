//! The operator levels, loosest first: assignment (right-associative, an
//! expression as in C#), `throw` expressions, `?:`, `??` (right), then the
//! binary operators by precedence climbing, and the prefix unary operators.
//!
//! Invariants: binary operators are left-associative; a long operator
//! chain counts one nesting level per operator, so `a + b + …` cannot
//! outgrow `MAX_NESTING` in the checker or the evaluator either; `>>` and
//! `>>=` are adjacent `>` `>` / `>` `>=` tokens (never produced by the
//! lexer, so that `List<List<int>>` closes two argument lists).

use super::super::ast::{Ast, BinOp, Kind, UnOp};
use super::super::lexer::Tok;
use super::super::CompileError;
use super::{node, Parser};

/// Precedence of the multiplicative operators (the tightest binary level).
const MUL: u8 = 9;
/// Precedence of the relational and type-testing operators.
const REL: u8 = 6;

impl Parser<'_> {
    /// A full expression: assignment, lambda, `throw`, conditional. (The
    /// levels down to `binary` are merged into few functions: the stack
    /// per nesting level stays small even unoptimised.)
    pub(super) fn expr(&mut self) -> Result<Ast, CompileError> {
        self.enter()?;
        if self.is_kw("throw") {
            let e = self.throw_expr()?;
            self.leave();
            return Ok(e);
        }
        let lhs = self.conditional()?;
        let pos = self.pos();
        let Some((op, len)) = self.assign_op() else {
            self.leave();
            return Ok(lhs);
        };
        for _ in 0..len {
            self.bump();
        }
        let value = self.expr()?;
        self.leave();
        Ok(node(
            Kind::Assign {
                op,
                target: Box::new(lhs),
                value: Box::new(value),
            },
            pos,
        ))
    }

    /// `throw e` where C# allows it: a whole expression, the right of `??`,
    /// a branch of `?:`, a lambda body.
    pub(super) fn throw_expr(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        self.bump();
        let e = self.expr()?;
        Ok(node(Kind::Throw(Box::new(e)), pos))
    }

    /// The assignment operator at the cursor: (binary operator, tokens).
    fn assign_op(&self) -> Option<(Option<BinOp>, usize)> {
        let op = match self.peek() {
            Tok::Punct("=") => None,
            Tok::Punct("+=") => Some(BinOp::Add),
            Tok::Punct("-=") => Some(BinOp::Sub),
            Tok::Punct("*=") => Some(BinOp::Mul),
            Tok::Punct("/=") => Some(BinOp::Div),
            Tok::Punct("%=") => Some(BinOp::Rem),
            Tok::Punct("&=") => Some(BinOp::BitAnd),
            Tok::Punct("|=") => Some(BinOp::BitOr),
            Tok::Punct("^=") => Some(BinOp::BitXor),
            Tok::Punct("<<=") => Some(BinOp::Shl),
            Tok::Punct("??=") => Some(BinOp::Coalesce),
            Tok::Punct(">") if self.is_at(1, ">=") && self.adjacent(1) => return Some((Some(BinOp::Shr), 2)),
            _ => return None,
        };
        Some((op, 1))
    }

    /// `c ? a : b` over `l ?? r` (right-associative) over the binary
    /// operators.
    fn conditional(&mut self) -> Result<Ast, CompileError> {
        let mut cond = self.binary(0)?;
        if self.is("??") {
            let pos = self.pos();
            self.bump();
            let r = if self.is_kw("throw") {
                self.throw_expr()?
            } else {
                self.enter()?;
                let r = self.coalesce_operand()?;
                self.leave();
                r
            };
            cond = node(Kind::Binary(BinOp::Coalesce, Box::new(cond), Box::new(r)), pos);
        }
        if !self.is("?") {
            return Ok(cond);
        }
        let pos = self.pos();
        self.bump();
        let a = self.expr()?;
        self.expect(":", "after the `?` branch of the conditional operator")?;
        let b = self.expr()?;
        Ok(node(Kind::Cond(Box::new(cond), Box::new(a), Box::new(b)), pos))
    }

    /// The right operand of `??`: `b ?? c ?? …` (right-associative).
    fn coalesce_operand(&mut self) -> Result<Ast, CompileError> {
        let l = self.binary(0)?;
        if !self.is("??") {
            return Ok(l);
        }
        let pos = self.pos();
        self.bump();
        let r = if self.is_kw("throw") {
            self.throw_expr()?
        } else {
            self.enter()?;
            let r = self.coalesce_operand()?;
            self.leave();
            r
        };
        Ok(node(Kind::Binary(BinOp::Coalesce, Box::new(l), Box::new(r)), pos))
    }

    /// The binary operator at the cursor: (precedence, operator, tokens);
    /// `is`/`as` are reported as `None` operators at [`REL`].
    fn binary_op(&self) -> Option<(u8, Option<BinOp>, usize)> {
        let (prec, op) = match self.peek() {
            Tok::Punct("||") => (0, BinOp::Or),
            Tok::Punct("&&") => (1, BinOp::And),
            Tok::Punct("|") => (2, BinOp::BitOr),
            Tok::Punct("^") => (3, BinOp::BitXor),
            Tok::Punct("&") => (4, BinOp::BitAnd),
            Tok::Punct("==") => (5, BinOp::Eq),
            Tok::Punct("!=") => (5, BinOp::Ne),
            Tok::Punct("<") => (REL, BinOp::Lt),
            Tok::Punct("<=") => (REL, BinOp::Le),
            Tok::Punct(">=") => (REL, BinOp::Ge),
            Tok::Punct(">") if self.adjacent(1) && self.is_at(1, ">=") => return None,
            Tok::Punct(">") if self.adjacent(1) && self.is_at(1, ">") => return Some((7, Some(BinOp::Shr), 2)),
            Tok::Punct(">") => (REL, BinOp::Gt),
            Tok::Kw("is" | "as") => return Some((REL, None, 0)),
            Tok::Punct("<<") => (7, BinOp::Shl),
            Tok::Punct("+") => (8, BinOp::Add),
            Tok::Punct("-") => (8, BinOp::Sub),
            Tok::Punct("*") => (MUL, BinOp::Mul),
            Tok::Punct("/") => (MUL, BinOp::Div),
            Tok::Punct("%") => (MUL, BinOp::Rem),
            _ => return None,
        };
        Some((prec, Some(op), 1))
    }

    /// Binary operators of precedence `min` and tighter (precedence
    /// climbing: 0 `||` … 9 multiplicative).
    pub(super) fn binary(&mut self, min: u8) -> Result<Ast, CompileError> {
        let mut l = self.unary()?;
        let mut chain = 0;
        let result = loop {
            let Some((prec, op, len)) = self.binary_op() else {
                break Ok(l);
            };
            if prec < min {
                break Ok(l);
            }
            self.enter()?;
            chain += 1;
            let pos = self.pos();
            let Some(op) = op else {
                l = self.type_test(l)?;
                continue;
            };
            for _ in 0..len {
                self.bump();
            }
            let r = if prec == MUL {
                self.unary()?
            } else {
                self.binary(prec + 1)?
            };
            l = node(Kind::Binary(op, Box::new(l), Box::new(r)), pos);
        };
        self.depth = self.depth.saturating_sub(chain);
        result
    }

    /// `value is pattern` / `value as Type` (the cursor at `is`/`as`).
    fn type_test(&mut self, value: Ast) -> Result<Ast, CompileError> {
        let pos = self.pos();
        if self.eat_kw("as") {
            let ty = self.type_name(false)?;
            return Ok(node(Kind::As(Box::new(value), ty), pos));
        }
        self.bump();
        let pattern = self.pattern(false)?;
        Ok(node(Kind::Is(Box::new(value), Box::new(pattern)), pos))
    }

    /// Prefix operators, casts, lambdas and parentheses, then postfix.
    pub(super) fn unary(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let op = match self.peek() {
            Tok::Punct("!") => UnOp::Not,
            Tok::Punct("-") => UnOp::Neg,
            Tok::Punct("+") => UnOp::Plus,
            Tok::Punct("~") => UnOp::BitNot,
            Tok::Punct("++") => UnOp::PreInc,
            Tok::Punct("--") => UnOp::PreDec,
            Tok::Punct("&" | "*") => {
                return Err(CompileError::at(
                    pos,
                    "pointer operations (`&x`, `*p`) are not supported in policy expressions",
                ))
            }
            Tok::Punct("(") => return self.paren_form(),
            _ => return self.postfix(),
        };
        self.bump();
        let e = self.nested(|p| p.unary())?;
        Ok(node(Kind::Unary(op, Box::new(e)), pos))
    }
}
