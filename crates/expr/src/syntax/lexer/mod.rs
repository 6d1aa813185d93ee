//! Tokens of the C# subset. Positions are byte offsets into the text given
//! to the parser (the lexer of an interpolation hole starts at the hole's
//! offset, so positions stay offsets into the whole compiled text).
//!
//! `mod` holds the tokens, punctuation, comments, identifiers and
//! keywords; `literals` reads strings (regular, verbatim, interpolated with
//! their holes) and chars, `number` the numeric literals.
//!
//! Invariants: a token's `pos..end` is exactly its text, so every later
//! error can point at it and the parser can tell adjacent tokens apart
//! (`>` `>` is a shift only when adjacent; the lexer never produces `>>`,
//! so `List<List<int>>` closes two type argument lists); an interpolation
//! hole is kept as byte ranges and lexed again when parsed; reserved
//! keywords are [`Tok::Kw`] (`@class` is the identifier `class`),
//! contextual ones (`var`, `when`, `nameof`, …) stay identifiers.

use super::ast::{IntSuffix, RealSuffix};
use super::scan::{string_prefix, Chars, StrChars};
use super::CompileError;

mod literals;
mod number;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier (or a contextual keyword).
    Ident(String),
    /// A reserved C# keyword.
    Kw(&'static str),
    Int(u64, IntSuffix),
    /// A real literal: value, suffix, and its text without `_` and suffix.
    Real(f64, RealSuffix, String),
    Str(String),
    Char(char),
    Interp(Vec<Piece>),
    Punct(&'static str),
    Eof,
}

/// A part of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    /// `{code,alignment:format}`: the byte ranges of the code and of the
    /// alignment expression, and the format text.
    Hole {
        start: usize,
        end: usize,
        align: Option<(usize, usize)>,
        format: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
    pub end: usize,
}

/// Punctuation, longest first. `>>`, `>>=` and `?[` are not tokens: the
/// parser joins adjacent `>` `>` / `>` `>=`, and `?` `[` (`int?[]` is a
/// type).
const PUNCTS: &[&str] = &[
    "<<=", "??=", "->", "?.", "??", "=>", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", "<<", "::", "(", ")", "{", "}", "[", "]", ".", ",", ";", ":", "?", "+", "-", "*", "/", "%", "!",
    "<", ">", "=", "&", "|", "^", "~",
];

/// The reserved keywords of C# 7.
pub const KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

/// Splits `src[start..end]` into tokens, ending with [`Tok::Eof`] at `end`.
pub fn lex(src: &str, start: usize, end: usize) -> Result<Vec<Token>, CompileError> {
    let text = src
        .get(..end)
        .filter(|t| t.is_char_boundary(start.min(t.len())) && start <= end)
        .ok_or_else(|| CompileError::at(start, "invalid expression range"))?;
    let mut l = Lexer {
        c: StrChars { src: text, i: start },
        out: Vec::new(),
    };
    l.run()?;
    l.out.push(Token {
        tok: Tok::Eof,
        pos: end,
        end,
    });
    Ok(l.out)
}

pub(crate) struct Lexer<'s> {
    pub(crate) c: StrChars<'s>,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> CompileError {
        CompileError::at(pos, msg)
    }

    fn push(&mut self, tok: Tok, pos: usize) {
        self.out.push(Token {
            tok,
            pos,
            end: self.c.i,
        });
    }

    /// The source text from `a` to `b` (empty when not a valid range).
    fn text(&self, a: usize, b: usize) -> &str {
        self.c.src.get(a..b).unwrap_or("")
    }

    fn run(&mut self) -> Result<(), CompileError> {
        while let Some(ch) = self.c.peek(0) {
            let pos = self.c.i;
            if ch.is_whitespace() {
                self.c.bump();
            } else if ch == '/' && self.c.peek(1) == Some('/') {
                while !matches!(self.c.peek(0), None | Some('\n')) {
                    self.c.bump();
                }
            } else if ch == '/' && self.c.peek(1) == Some('*') {
                let rest = self.text(pos + 2, self.c.src.len());
                let close = rest.find("*/").ok_or_else(|| self.err(pos, "unterminated comment"))?;
                self.c.i = pos + 2 + close + 2;
            } else if let Some((verbatim, interpolated, len)) = string_prefix(&self.c) {
                for _ in 0..len {
                    self.c.bump();
                }
                let tok = if interpolated {
                    Tok::Interp(self.interpolated(pos, verbatim)?)
                } else {
                    Tok::Str(self.string_body(pos, verbatim, false)?.0)
                };
                self.push(tok, pos);
            } else if ch == '\'' {
                self.c.bump();
                let tok = self.char_literal(pos)?;
                self.push(tok, pos);
            } else if ch.is_ascii_digit() || (ch == '.' && self.c.peek(1).is_some_and(|d| d.is_ascii_digit())) {
                let tok = self.number(pos)?;
                self.push(tok, pos);
            } else if is_ident_start(ch) || (ch == '@' && self.c.peek(1).is_some_and(is_ident_start)) {
                let escaped = ch == '@';
                if escaped {
                    self.c.bump();
                }
                let s = self.c.i;
                while self.c.peek(0).is_some_and(is_ident_char) {
                    self.c.bump();
                }
                let word = self.text(s, self.c.i);
                let tok = match KEYWORDS.iter().find(|k| **k == word) {
                    Some(k) if !escaped => Tok::Kw(k),
                    _ => Tok::Ident(word.to_owned()),
                };
                self.push(tok, pos);
            } else if ch == '#' {
                return Err(self.err(
                    pos,
                    "preprocessor directives (`#…`) are not supported in policy expressions",
                ));
            } else {
                let rest = self.text(pos, self.c.src.len());
                let p = PUNCTS
                    .iter()
                    .find(|p| rest.starts_with(**p))
                    .ok_or_else(|| self.err(pos, format!("unexpected character `{ch}`")))?;
                // `c ?.5 : 1` is a conditional, not `?.`.
                let p = if *p == "?."
                    && rest
                        .get(2..)
                        .is_some_and(|r| r.starts_with(|d: char| d.is_ascii_digit()))
                {
                    "?"
                } else {
                    p
                };
                self.c.i += p.len();
                self.push(Tok::Punct(p), pos);
            }
        }
        Ok(())
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

#[cfg(test)]
mod tests;
