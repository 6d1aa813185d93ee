//! Recursive-descent parser for the C# subset, with C#'s precedence
//! (conditional < `??` < `||` < `&&` < equality < relational < additive <
//! multiplicative < unary < primary). Syntax C# has but the subset lacks
//! (lambdas, `new`, `is`, bitwise operators, loops, ...) is rejected here
//! with a message naming it.
//!
//! `mod` holds the entry points, the token cursor and the nesting bound;
//! `stmt` parses the statements of `@{ }` blocks and type names, `ops` the
//! operator levels (conditional down to unary and casts), `primary` the
//! postfix chains (member access, calls, indexers) and the primaries
//! (literals, names, parentheses, interpolated strings).
//!
//! Invariant: every recursive production goes through `Parser::enter`
//! (or counts its chain against the same depth), so input nested deeper
//! than [`MAX_NESTING`] is a compile error, never a stack overflow.

use super::ast::{Ast, Stmt};
use super::lexer::{lex, Tok, Token};
use super::CompileError;

mod ops;
mod primary;
mod stmt;

/// Parses `src[start..end]` as one expression.
pub fn parse_expr(src: &str, start: usize, end: usize) -> Result<Ast, CompileError> {
    parse_nested(src, start, end, 0)
}

/// Nesting (parentheses, operator chains, unary operators, statements)
/// deeper than this is rejected, which bounds the recursion of the parser,
/// the checker and the evaluator.
pub const MAX_NESTING: usize = 100;

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

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    i: usize,
    /// Current nesting, see [`MAX_NESTING`] (not restored on errors, which
    /// end the parse).
    depth: usize,
}

const TYPE_KEYWORDS: &[&str] = &[
    "string", "int", "bool", "double", "char", "object", "long", "float", "decimal", "byte", "short", "uint", "ulong",
    "String", "Int32", "Boolean", "Double", "Object", "DateTime", "TimeSpan", "Guid",
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

    fn peek(&self) -> &Tok {
        &self.toks[self.i].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> usize {
        self.toks[self.i].pos
    }

    fn bump(&mut self) -> Tok {
        let t = self.toks[self.i].tok.clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
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

    fn expect(&mut self, p: &str) -> Result<(), CompileError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{p}`")))
        }
    }

    fn expect_eof(&self) -> Result<(), CompileError> {
        if self.peek() == &Tok::Eof {
            Ok(())
        } else {
            Err(self.unexpected("end of expression"))
        }
    }

    fn unexpected(&self, wanted: &str) -> CompileError {
        let found = match self.peek() {
            Tok::Eof => "end of expression".to_owned(),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Ident(s) => format!("`{s}`"),
            _ => "a literal".to_owned(),
        };
        CompileError::at(self.pos(), format!("expected {wanted}, found {found}"))
    }

    fn ident(&mut self) -> Result<String, CompileError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected("a name")),
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
}
