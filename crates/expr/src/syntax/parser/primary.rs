//! Postfix chains (`.member`, `.Member<T>`, `?.member`, `[index]`,
//! `?[index]`, `(args)`, `x++`, `x--`), call arguments (named, `out`/
//! `ref`/`in`, `out var x`, `out T x`), and the primaries: literals,
//! names, predefined types as receivers (`int.Parse`), generic types
//! (`List<int>`), `$"…"` strings, `default`, `typeof`, `nameof`,
//! `checked(…)`/`unchecked(…)`, `new` (in `create`), lambdas.
//!
//! Invariants: each link of a postfix chain counts one nesting level;
//! interpolation holes are parsed by a nested parser that inherits the
//! current depth; constructs outside the subset (`this`, `await`,
//! `sizeof`, `stackalloc`, the null-forgiving `!`, `->`, switch
//! expressions, query syntax) are compile errors naming them.

use super::super::ast::{Arg, ArgMod, Ast, Kind, Part, TypeName, UnOp};
use super::super::lexer::{Piece, Tok};
use super::super::CompileError;
use super::{node, parse_nested, Parser, PREDEFINED};

impl Parser<'_> {
    pub(super) fn postfix(&mut self) -> Result<Ast, CompileError> {
        let e = self.primary()?;
        self.postfix_chain(e)
    }

    /// The postfix links after primary `e`.
    pub(super) fn postfix_chain(&mut self, mut e: Ast) -> Result<Ast, CompileError> {
        let mut chain = 0;
        let result = loop {
            let pos = self.pos();
            let cond_index = self.is("?") && self.is_at(1, "[");
            let link = cond_index || matches!(self.peek(), Tok::Punct("." | "?." | "[" | "(" | "++" | "--"));
            if !link {
                match self.peek() {
                    Tok::Punct("->") => {
                        break Err(CompileError::at(pos, "pointer member access (`->`) is not supported"));
                    }
                    Tok::Punct("!") if matches!(self.peek_at(1), Tok::Punct("." | ")" | ";" | "," | "]" | "?.")) => {
                        break Err(CompileError::at(pos, "the null-forgiving operator `!` is not C# 7"));
                    }
                    Tok::Kw("switch") if self.is_at(1, "{") => {
                        break Err(CompileError::at(
                            pos,
                            "switch expressions are not C# 7; use a switch statement",
                        ));
                    }
                    _ => break Ok(e),
                }
            }
            self.enter()?;
            chain += 1;
            e = match self.bump() {
                Tok::Punct(p @ ("." | "?.")) => self.member(e, p == "?.", pos)?,
                Tok::Punct(p @ ("[" | "?")) => {
                    if cond_index {
                        self.bump();
                    }
                    let mut args = Vec::new();
                    loop {
                        args.push(self.expr()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",", "or `]` to close the indexer")?;
                    }
                    node(
                        Kind::Index {
                            obj: Box::new(e),
                            args,
                            cond: p == "?",
                        },
                        pos,
                    )
                }
                Tok::Punct("(") => {
                    let args = self.args(")")?;
                    node(
                        Kind::Call {
                            callee: Box::new(e),
                            args,
                        },
                        pos,
                    )
                }
                Tok::Punct("++") => node(Kind::Unary(UnOp::PostInc, Box::new(e)), pos),
                _ => node(Kind::Unary(UnOp::PostDec, Box::new(e)), pos),
            };
        };
        self.depth = self.depth.saturating_sub(chain);
        result
    }

    /// `.name`, `.Name<T>` after `obj` (the `.`/`?.` consumed). A generic
    /// name not called, on a chain of plain names, is a type
    /// (`System.Collections.Generic.List<int>.…`).
    fn member(&mut self, obj: Ast, cond: bool, pos: usize) -> Result<Ast, CompileError> {
        let name = match self.peek().clone() {
            Tok::Ident(n) => {
                self.bump();
                n
            }
            _ => return Err(self.unexpected("a member name after `.`")),
        };
        let generics = self.type_args_in_expr().unwrap_or_default();
        if !generics.is_empty() && !cond && !self.is("(") {
            if let Some(mut prefix) = dotted(&obj) {
                prefix.push('.');
                prefix.push_str(&name);
                return Ok(type_node(prefix, generics, obj.pos));
            }
        }
        Ok(node(
            Kind::Member {
                obj: Box::new(obj),
                name,
                cond,
                generics,
            },
            pos,
        ))
    }

    /// Call arguments up to `close` (the opening bracket consumed).
    pub(super) fn args(&mut self, close: &str) -> Result<Vec<Arg>, CompileError> {
        let mut args = Vec::new();
        if self.eat(close) {
            return Ok(args);
        }
        loop {
            args.push(self.arg()?);
            if self.eat(close) {
                return Ok(args);
            }
            if !self.is(",") {
                return Err(self.unexpected(&format!("`,` or `{close}` to close the argument list")));
            }
            self.bump();
        }
    }

    fn arg(&mut self) -> Result<Arg, CompileError> {
        let name = match (self.peek().clone(), self.peek_at(1)) {
            (Tok::Ident(n), Tok::Punct(":")) => {
                self.bump();
                self.bump();
                Some(n)
            }
            _ => None,
        };
        let modifier = match self.peek() {
            Tok::Kw("out") => ArgMod::Out,
            Tok::Kw("ref") => ArgMod::Ref,
            Tok::Kw("in") => ArgMod::In,
            _ => ArgMod::None,
        };
        if modifier != ArgMod::None {
            self.bump();
        }
        let value = match modifier {
            ArgMod::Out => match self.attempt(|p| p.out_decl()) {
                Some(v) => v,
                None => self.expr()?,
            },
            _ => self.expr()?,
        };
        Ok(Arg { name, modifier, value })
    }

    /// `var x`, `T x` or `_` after `out`, followed by `,` or `)`.
    fn out_decl(&mut self) -> Result<Option<Ast>, CompileError> {
        let pos = self.pos();
        if self.is_word("_") && (self.is_at(1, ",") || self.is_at(1, ")")) {
            self.bump();
            return Ok(Some(node(Kind::OutVar(None, "_".into()), pos)));
        }
        let ty = self.type_name(true)?;
        let Tok::Ident(name) = self.peek().clone() else {
            return Ok(None);
        };
        if !(self.is_at(1, ",") || self.is_at(1, ")")) {
            return Ok(None);
        }
        self.bump();
        let ty = if ty.is_var() { None } else { Some(ty) };
        Ok(Some(node(Kind::OutVar(ty, name), pos)))
    }

    pub(super) fn primary(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            Tok::Int(v, s) => Kind::Int(v, s),
            Tok::Real(v, s, t) => Kind::Real(v, s, t),
            Tok::Str(s) => Kind::Str(s),
            Tok::Char(c) => Kind::Char(c),
            Tok::Interp(pieces) => {
                self.bump();
                return Ok(node(Kind::Interp(self.interp(pieces)?), pos));
            }
            Tok::Ident(w) => return self.name_primary(w, pos),
            Tok::Kw(k) => return self.keyword_primary(k, pos),
            Tok::Eof => return Err(CompileError::at(pos, "expected an expression, found end of expression")),
            Tok::Punct(p) => return Err(CompileError::at(pos, format!("expected an expression, found `{p}`"))),
        };
        self.bump();
        Ok(node(kind, pos))
    }

    /// An identifier in operand position: a lambda parameter, a generic
    /// type, a name; contextual keywords that start other constructs.
    fn name_primary(&mut self, w: String, pos: usize) -> Result<Ast, CompileError> {
        if w == "global" && self.is_at(1, "::") {
            self.bump();
            self.bump();
            return match self.peek().clone() {
                Tok::Ident(w) => self.name_primary(w, pos),
                _ => Err(self.unexpected("a name after `global::`")),
            };
        }
        if self.is_at(1, "=>") {
            return self.simple_lambda();
        }
        match w.as_str() {
            "nameof" if self.is_at(1, "(") => return self.nameof(),
            "await" if starts_operand(self.peek_at(1)) => {
                return Err(CompileError::at(pos, "`await` is not supported in policy expressions"))
            }
            "from" if matches!(self.peek_at(1), Tok::Ident(_)) && matches!(self.peek_at(2), Tok::Kw("in")) => {
                return Err(CompileError::at(
                    pos,
                    "LINQ query syntax is not supported; use the methods (`Where`, `Select`, …)",
                ))
            }
            _ => {}
        }
        self.bump();
        if self.is("<") {
            if let Some(args) = self.type_args_in_expr() {
                return Ok(type_node(w, args, pos));
            }
        }
        Ok(node(Kind::Name(w), pos))
    }

    fn keyword_primary(&mut self, k: &'static str, pos: usize) -> Result<Ast, CompileError> {
        let kind = match k {
            "null" => Kind::Null,
            "true" => Kind::Bool(true),
            "false" => Kind::Bool(false),
            "new" => return self.new_expr(),
            "default" => {
                self.bump();
                if self.eat("(") {
                    let ty = self.type_name(true)?;
                    self.expect(")", "to close `default(`")?;
                    return Ok(node(Kind::Default(Some(ty)), pos));
                }
                return Ok(node(Kind::Default(None), pos));
            }
            "typeof" => {
                self.bump();
                self.expect("(", "after `typeof`")?;
                let ty = self.type_name(true)?;
                self.expect(")", "to close `typeof(`")?;
                return Ok(node(Kind::TypeOf(ty), pos));
            }
            "checked" | "unchecked" => {
                self.bump();
                self.expect("(", &format!("after `{k}` (a `{k}` block is a statement)"))?;
                let e = self.expr()?;
                self.expect(")", &format!("to close `{k}(`"))?;
                return Ok(node(Kind::Checked(k == "checked", Box::new(e)), pos));
            }
            _ if PREDEFINED.contains(&k) && k != "void" => Kind::Name(k.to_owned()),
            "this" | "base" => {
                return Err(CompileError::at(
                    pos,
                    format!("`{k}` is not available in policy expressions"),
                ))
            }
            "delegate" => {
                return Err(CompileError::at(
                    pos,
                    "anonymous methods (`delegate`) are not supported; use a lambda",
                ))
            }
            "sizeof" | "stackalloc" => {
                return Err(CompileError::at(
                    pos,
                    format!("`{k}` is not supported in policy expressions"),
                ))
            }
            "throw" => {
                return Err(CompileError::at(
                    pos,
                    "a `throw` expression is only allowed after `??`, in a `?:` branch or as a lambda body",
                ))
            }
            _ => {
                return Err(CompileError::at(
                    pos,
                    format!("expected an expression, found keyword `{k}`"),
                ))
            }
        };
        self.bump();
        Ok(node(kind, pos))
    }

    /// `nameof(x.Y)`: the last name.
    fn nameof(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        self.bump();
        self.bump();
        let e = self.expr()?;
        let name = match &e.kind {
            Kind::Name(n) => n.clone(),
            Kind::Member { name, .. } => name.clone(),
            Kind::Type(t) => t.name.rsplit('.').next().unwrap_or_default().to_owned(),
            _ => {
                return Err(CompileError::at(
                    e.pos,
                    "`nameof` needs a name (`nameof(x)`, `nameof(A.B)`)",
                ))
            }
        };
        self.expect(")", "to close `nameof(`")?;
        Ok(node(Kind::NameOf(name), pos))
    }

    fn interp(&mut self, pieces: Vec<Piece>) -> Result<Vec<Part>, CompileError> {
        pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => Ok(Part::Text(t)),
                Piece::Hole {
                    start,
                    end,
                    align,
                    format,
                } => {
                    let value = parse_nested(self.src, start, end, self.depth + 1)?;
                    let alignment = match align {
                        Some((a, b)) => Some(Box::new(parse_nested(self.src, a, b, self.depth + 1)?)),
                        None => None,
                    };
                    Ok(Part::Hole {
                        value,
                        alignment,
                        format,
                    })
                }
            })
            .collect()
    }
}

/// Whether `t` can start an operand (for contextual keywords).
pub(super) fn starts_operand(t: &Tok) -> bool {
    match t {
        Tok::Ident(_) | Tok::Int(..) | Tok::Real(..) | Tok::Str(_) | Tok::Char(_) | Tok::Interp(_) => true,
        Tok::Kw(k) => !matches!(*k, "as" | "is" | "in" | "out" | "ref" | "else" | "case" | "when"),
        Tok::Punct(p) => matches!(*p, "(" | "!" | "~" | "++" | "--"),
        Tok::Eof => false,
    }
}

/// The dotted name `a.b.c` of a chain of plain names.
fn dotted(e: &Ast) -> Option<String> {
    match &e.kind {
        Kind::Name(n) => Some(n.clone()),
        Kind::Member {
            obj,
            name,
            cond: false,
            generics,
        } if generics.is_empty() => {
            let mut s = dotted(obj)?;
            s.push('.');
            s.push_str(name);
            Some(s)
        }
        _ => None,
    }
}

fn type_node(name: String, args: Vec<TypeName>, pos: usize) -> Ast {
    node(
        Kind::Type(TypeName {
            name,
            args,
            nullable: false,
            array: 0,
            pos,
        }),
        pos,
    )
}
