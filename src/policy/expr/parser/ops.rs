//! The operator levels, loosest first: `?:`, `??`, the binary levels by
//! precedence (`||` ... multiplicative), unary operators and casts.
//!
//! Invariants: binary operators are left-associative and `?:`/`??`
//! right-associative as in C#; a long operator chain counts one nesting
//! level per operator, so `a + b + ... ` cannot outgrow `MAX_NESTING`
//! in the checker or the evaluator either.

use super::super::ast::{Ast, BinOp, Kind, UnOp};
use super::super::lexer::Tok;
use super::super::CompileError;
use super::{Parser, TYPE_KEYWORDS};

impl Parser<'_> {
    pub fn expr(&mut self) -> Result<Ast, CompileError> {
        self.enter()?;
        let e = self.expr_inner()?;
        self.depth -= 1;
        Ok(e)
    }

    pub(super) fn expr_inner(&mut self) -> Result<Ast, CompileError> {
        let cond = self.coalesce()?;
        if !self.is("?") {
            return Ok(cond);
        }
        self.bump();
        let a = self.expr()?;
        self.expect(":")?;
        let b = self.expr()?;
        let pos = cond.pos;
        Ok(Ast {
            kind: Kind::Cond(Box::new(cond), Box::new(a), Box::new(b)),
            pos,
        })
    }

    pub(super) fn coalesce(&mut self) -> Result<Ast, CompileError> {
        let l = self.binary(0)?;
        if self.is("??") {
            let pos = self.pos();
            self.bump();
            let r = self.coalesce()?;
            return Ok(Ast {
                kind: Kind::Coalesce(Box::new(l), Box::new(r)),
                pos,
            });
        }
        Ok(l)
    }

    /// Binary operators by level: 0 `||`, 1 `&&`, 2 equality, 3 relational,
    /// 4 additive, 5 multiplicative.
    pub(super) fn binary(&mut self, level: u8) -> Result<Ast, CompileError> {
        if level == 6 {
            return self.unary();
        }
        let mut l = self.binary(level + 1)?;
        // A chain `a + b + c ...` nests to the left in the tree.
        let mut chain = 0;
        loop {
            if chain > 0 {
                self.enter()?;
            }
            chain += 1;
            let pos = self.pos();
            let op = match (level, self.peek()) {
                (0, Tok::Punct("||")) => BinOp::Or,
                (1, Tok::Punct("&&")) => BinOp::And,
                (2, Tok::Punct("==")) => BinOp::Eq,
                (2, Tok::Punct("!=")) => BinOp::Ne,
                (3, Tok::Punct("<")) => BinOp::Lt,
                (3, Tok::Punct(">")) => BinOp::Gt,
                (3, Tok::Punct("<=")) => BinOp::Le,
                (3, Tok::Punct(">=")) => BinOp::Ge,
                (3, Tok::Ident(w)) if w == "as" => {
                    self.bump();
                    let ty = self.type_name()?;
                    l = Ast {
                        kind: Kind::As(Box::new(l), ty),
                        pos,
                    };
                    continue;
                }
                (3, Tok::Ident(w)) if w == "is" => {
                    return Err(CompileError::at(pos, "the `is` operator is not supported"));
                }
                (4, Tok::Punct("+")) => BinOp::Add,
                (4, Tok::Punct("-")) => BinOp::Sub,
                (5, Tok::Punct("*")) => BinOp::Mul,
                (5, Tok::Punct("/")) => BinOp::Div,
                (5, Tok::Punct("%")) => BinOp::Rem,
                (0, Tok::Punct(p @ ("&" | "|" | "^" | "<<"))) => {
                    return Err(CompileError::at(
                        pos,
                        format!("bitwise operator `{p}` is not supported"),
                    ));
                }
                (0, Tok::Punct(p @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "??=" | "++" | "--"))) => {
                    return Err(CompileError::at(
                        pos,
                        format!("`{p}` is not supported here: only local variables can be assigned, in a statement (context is read-only)"),
                    ));
                }
                (0, Tok::Punct("=>")) => {
                    return Err(CompileError::at(pos, "lambda expressions are not supported"));
                }
                _ => {
                    self.depth -= chain - 1;
                    return Ok(l);
                }
            };
            self.bump();
            let r = self.binary(level + 1)?;
            l = Ast {
                kind: Kind::Binary(op, Box::new(l), Box::new(r)),
                pos,
            };
        }
    }

    pub(super) fn unary(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let op = match self.peek() {
            Tok::Punct("!") => UnOp::Not,
            Tok::Punct("-") => UnOp::Neg,
            Tok::Punct("+") => UnOp::Plus,
            Tok::Punct(p @ ("~" | "++" | "--")) => {
                return Err(CompileError::at(pos, format!("operator `{p}` is not supported")));
            }
            Tok::Punct("(") => {
                if let Some(cast) = self.try_cast()? {
                    return Ok(cast);
                }
                return self.postfix();
            }
            _ => return self.postfix(),
        };
        self.bump();
        self.enter()?;
        let e = self.unary()?;
        self.depth -= 1;
        Ok(Ast {
            kind: Kind::Unary(op, Box::new(e)),
            pos,
        })
    }

    /// `(Type)operand`, when the parenthesis holds a type and what follows
    /// can only start an operand.
    pub(super) fn try_cast(&mut self) -> Result<Option<Ast>, CompileError> {
        let save = self.i;
        let pos = self.pos();
        self.bump();
        let Tok::Ident(word) = self.peek().clone() else {
            self.i = save;
            return Ok(None);
        };
        let Ok(ty) = self.type_name() else {
            self.i = save;
            return Ok(None);
        };
        if !self.eat(")") {
            self.i = save;
            return Ok(None);
        }
        let keyword = TYPE_KEYWORDS.contains(&word.as_str()) && !matches!(self.peek(), Tok::Punct("."));
        let starts_operand = match self.peek() {
            Tok::Ident(w) => !matches!(w.as_str(), "as" | "is"),
            Tok::Int(_) | Tok::Double(_) | Tok::Str(_) | Tok::Char(_) | Tok::Interp(_) => true,
            Tok::Punct("(" | "!") => true,
            Tok::Punct("-" | "+") => keyword,
            _ => false,
        };
        if !(starts_operand && (keyword || ty.name.chars().next().is_some_and(char::is_uppercase))) {
            self.i = save;
            return Ok(None);
        }
        let e = self.unary()?;
        Ok(Some(Ast {
            kind: Kind::Cast(ty, Box::new(e)),
            pos,
        }))
    }
}
