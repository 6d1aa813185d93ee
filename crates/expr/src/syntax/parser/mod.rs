//! Recursive-descent parser for the C# subset, with C#'s precedence and
//! associativity (loosest first): assignment and lambdas (right), `?:`
//! (right), `??` (right), `||`, `&&`, `|`, `^`, `&`, equality, relational
//! and `is`/`as`, shifts, additive, multiplicative, unary and casts,
//! primary (postfix chains).
//!
//! `mod` holds the entry points, the token cursor and the nesting bound;
//! `ops` the operator levels, `primary` postfix chains, arguments and
//! primaries, `create` `new` and initializers, `lambda` lambdas and
//! parenthesised forms (casts, lambdas, parentheses), `pattern` the `is`
//! and `case` patterns, `types` type names and the generic-argument
//! disambiguation, `stmt` and `control` the statements.
//!
//! Positions: a node's `pos` is where it starts, except binary, `is`,
//! `as`, assignment and `?:` nodes (the operator), member access (the
//! `.`/`?.`), indexers (`[`) and calls (`(`), so errors point at the
//! construct. Integer literals stay unsigned: `-2147483648` is
//! `Unary(Neg, Int(2147483648))`, for the checker to fold.
//!
//! Invariant: every recursive production goes through `Parser::enter`
//! (chains count one level per link), so input nested deeper than
//! [`MAX_NESTING`] is a compile error, never a stack overflow.
//! Speculative parses (casts, generic arguments, out declarations)
//! restore both the cursor and the depth when they back out.

use super::ast::{Ast, Stmt};
use super::lexer::{lex, Tok, Token};
use super::CompileError;

mod control;
mod create;
mod lambda;
mod ops;
mod pattern;
mod primary;
mod stmt;
mod types;

/// Nesting (parentheses, operator chains, unary operators, type
/// arguments, statements) deeper than this is rejected, which bounds the
/// recursion of the parser, the checker and the evaluator.
pub const MAX_NESTING: usize = 100;

/// Parses `src[start..end]` as one expression.
pub fn parse_expr(src: &str, start: usize, end: usize) -> Result<Ast, CompileError> {
    parse_nested(src, start, end, 0)
}

fn parse_nested(src: &str, start: usize, end: usize, depth: usize) -> Result<Ast, CompileError> {
    let mut p = Parser::new(src, start, end)?;
    p.depth = depth;
    let e = p.expr()?;
    p.expect_eof()?;
    Ok(e)
}

/// Parses `src[start..end]` as the statements of a `@{ }` block.
pub fn parse_block(src: &str, start: usize, end: usize) -> Result<Vec<Stmt>, CompileError> {
    let mut p = Parser::new(src, start, end)?;
    let mut stmts = Vec::new();
    while p.peek() != &Tok::Eof {
        stmts.push(p.stmt()?);
    }
    Ok(stmts)
}

pub(crate) struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    i: usize,
    /// Current nesting, see [`MAX_NESTING`] (not restored on errors, which
    /// end the parse, except by speculative parses, which restore it).
    depth: usize,
}

/// The predefined type keywords (`string`, `int`, …): always types.
pub(crate) const PREDEFINED: &[&str] = &[
    "bool", "byte", "char", "decimal", "double", "float", "int", "long", "object", "sbyte", "short", "string", "uint",
    "ulong", "ushort", "void",
];

impl<'s> Parser<'s> {
    fn new(src: &'s str, start: usize, end: usize) -> Result<Self, CompileError> {
        Ok(Parser {
            src,
            toks: lex(src, start, end)?,
            i: 0,
            depth: 0,
        })
    }

    fn tok_at(&self, k: usize) -> Option<&Token> {
        self.toks.get(self.i + k).or_else(|| self.toks.last())
    }

    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, k: usize) -> &Tok {
        self.tok_at(k).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn pos(&self) -> usize {
        self.tok_at(0).map_or(0, |t| t.pos)
    }

    /// Whether the token `k` ahead starts right where the one before ends.
    fn adjacent(&self, k: usize) -> bool {
        match (k.checked_sub(1).and_then(|j| self.tok_at(j)), self.tok_at(k)) {
            (Some(a), Some(b)) => a.end == b.pos,
            _ => false,
        }
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_at(&self, k: usize, p: &str) -> bool {
        matches!(self.peek_at(k), Tok::Punct(q) if *q == p)
    }

    fn is_kw(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Kw(k) if *k == w)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, w: &str) -> bool {
        if self.is_kw(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Expects punctuation `p`; `what` completes the message ("to close the
    /// argument list").
    fn expect(&mut self, p: &str, what: &str) -> Result<(), CompileError> {
        if self.eat(p) {
            Ok(())
        } else if what.is_empty() {
            Err(self.unexpected(&format!("`{p}`")))
        } else {
            Err(self.unexpected(&format!("`{p}` {what}")))
        }
    }

    fn expect_eof(&self) -> Result<(), CompileError> {
        if self.peek() == &Tok::Eof {
            Ok(())
        } else {
            Err(self.unexpected("end of expression"))
        }
    }

    /// How the current token reads in a message.
    fn found(&self) -> String {
        match self.peek() {
            Tok::Eof => "end of expression".to_owned(),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Kw(k) => format!("keyword `{k}`"),
            Tok::Str(_) | Tok::Interp(_) => "a string literal".to_owned(),
            Tok::Char(_) => "a char literal".to_owned(),
            Tok::Int(..) | Tok::Real(..) => "a number".to_owned(),
        }
    }

    fn unexpected(&self, wanted: &str) -> CompileError {
        CompileError::at(self.pos(), format!("expected {wanted}, found {}", self.found()))
    }

    fn ident(&mut self, what: &str) -> Result<String, CompileError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// Enters one nesting level (see [`MAX_NESTING`]).
    fn enter(&mut self) -> Result<(), CompileError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(CompileError::at(self.pos(), "expression nested too deeply"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Runs `f` one nesting level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, CompileError>) -> Result<T, CompileError> {
        self.enter()?;
        let r = f(self)?;
        self.leave();
        Ok(r)
    }

    /// Runs a speculative parse: on `None` or an error, restores the
    /// cursor and the depth.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<Option<T>, CompileError>) -> Option<T> {
        let (i, depth) = (self.i, self.depth);
        match f(self) {
            Ok(Some(v)) => Some(v),
            _ => {
                self.i = i;
                self.depth = depth;
                None
            }
        }
    }
}

/// The node at `pos`.
pub(crate) fn node(kind: super::ast::Kind, pos: usize) -> Ast {
    Ast { kind, pos }
}
