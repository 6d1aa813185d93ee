//! Postfix chains (`.member`, `?.member`, `[index]`, `(args)`, generic
//! arguments) and primaries (literals, names, parenthesised expressions,
//! `$"..."` interpolated strings).
//!
//! Invariants: each link of a postfix chain counts one nesting level;
//! interpolation holes are parsed by a nested parser that inherits the
//! current depth; constructs outside the subset (`new`, lambdas, tuples,
//! `out` arguments, ...) are compile errors naming them.

use super::super::ast::{Arg, Ast, Kind, Part, TypeName};
use super::super::lexer::{Piece, Tok};
use super::super::CompileError;
use super::{parse_nested, Parser};

impl Parser<'_> {
    pub(super) fn postfix(&mut self) -> Result<Ast, CompileError> {
        let mut e = self.primary()?;
        // Each `.x`, `[i]` and `(args)` nests the tree one level.
        let mut chain = 0;
        loop {
            let pos = self.pos();
            if matches!(self.peek(), Tok::Punct("." | "?." | "[" | "?[" | "(")) {
                self.enter()?;
                chain += 1;
            }
            if self.is(".") || self.is("?.") {
                let cond = self.is("?.");
                self.bump();
                let name = self.ident()?;
                let generics = self.try_generic_args();
                e = Ast {
                    kind: Kind::Member {
                        obj: Box::new(e),
                        name,
                        cond,
                        generics,
                    },
                    pos,
                };
            } else if self.is("[") || self.is("?[") {
                let cond = self.is("?[");
                self.bump();
                let index = self.expr()?;
                if self.is(",") {
                    return Err(CompileError::at(
                        self.pos(),
                        "multi-dimensional indexers are not supported",
                    ));
                }
                self.expect("]")?;
                e = Ast {
                    kind: Kind::Index {
                        obj: Box::new(e),
                        index: Box::new(index),
                        cond,
                    },
                    pos,
                };
            } else if self.is("(") {
                self.bump();
                let args = self.args()?;
                e = Ast {
                    kind: Kind::Call {
                        callee: Box::new(e),
                        args,
                    },
                    pos,
                };
            } else if self.is("++") || self.is("--") {
                return Err(CompileError::at(
                    pos,
                    "increment and decrement operators are not supported",
                ));
            } else if self.is("!") && matches!(self.peek_at(1), Tok::Punct("." | ")" | ";" | "," | "]")) {
                return Err(CompileError::at(
                    pos,
                    "the null-forgiving operator `!` is not supported",
                ));
            } else {
                self.depth -= chain;
                return Ok(e);
            }
        }
    }

    /// `<T, U>` right before `(`; anything else is left for the relational
    /// operators.
    pub(super) fn try_generic_args(&mut self) -> Vec<TypeName> {
        if !self.is("<") {
            return Vec::new();
        }
        let save = self.i;
        self.bump();
        let mut args = Vec::new();
        while let Ok(t) = self.type_name() {
            args.push(t);
            if self.eat(",") {
                continue;
            }
            if self.eat(">") && self.is("(") {
                return args;
            }
            break;
        }
        self.i = save;
        Vec::new()
    }

    pub(super) fn args(&mut self) -> Result<Vec<Arg>, CompileError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            if self.is_word("out") || self.is_word("ref") {
                return Err(CompileError::at(
                    self.pos(),
                    "`out` and `ref` arguments are not supported",
                ));
            }
            let name = match (self.peek().clone(), self.peek_at(1)) {
                (Tok::Ident(n), Tok::Punct(":")) => {
                    self.bump();
                    self.bump();
                    Some(n)
                }
                _ => None,
            };
            let value = self.expr()?;
            args.push(Arg { name, value });
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }

    pub(super) fn primary(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let kind = match self.bump() {
            Tok::Int(v) => Kind::Int(v),
            Tok::Double(v) => Kind::Double(v),
            Tok::Str(s) => Kind::Str(s),
            Tok::Char(c) => Kind::Char(c),
            Tok::Interp(pieces) => Kind::Interp(self.interp(pieces)?),
            Tok::Punct("(") => {
                let e = self.expr()?;
                if self.is(",") {
                    return Err(CompileError::at(self.pos(), "tuples are not supported"));
                }
                self.expect(")")?;
                Kind::Paren(Box::new(e))
            }
            Tok::Ident(w) => match w.as_str() {
                "null" => Kind::Null,
                "true" => Kind::Bool(true),
                "false" => Kind::Bool(false),
                "new" => return Err(CompileError::at(pos, "object creation (`new`) is not supported")),
                "typeof" | "nameof" | "sizeof" | "default" | "checked" | "unchecked" | "await" | "this" | "base"
                | "stackalloc" | "switch" | "throw" => {
                    return Err(CompileError::at(pos, format!("`{w}` is not supported")));
                }
                _ if self.is("=>") => return Err(CompileError::at(pos, "lambda expressions are not supported")),
                _ => Kind::Name(w),
            },
            Tok::Eof => return Err(CompileError::at(pos, "expected an expression, found end of expression")),
            Tok::Punct(p) => return Err(CompileError::at(pos, format!("expected an expression, found `{p}`"))),
        };
        Ok(Ast { kind, pos })
    }

    pub(super) fn interp(&mut self, pieces: Vec<Piece>) -> Result<Vec<Part>, CompileError> {
        pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => Ok(Part::Text(t)),
                Piece::Hole { start, end, format } => {
                    Ok(Part::Hole(parse_nested(self.src, start, end, self.depth)?, format))
                }
            })
            .collect()
    }
}
