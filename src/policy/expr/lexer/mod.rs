//! Tokens of the C# subset. Positions are byte offsets into the text given
//! to [`Expr::compile`](super::Expr::compile) (the lexer of an
//! interpolation hole starts at the hole's offset).
//!
//! `mod` holds the tokens, punctuation, comments and identifiers; the
//! literals (strings, verbatim and interpolated strings with their holes,
//! escapes, chars, numbers) are read in `literals`.
//!
//! Invariant: a token's position is where it starts in the compiled text,
//! so every later error can point at it; an interpolation hole is kept as
//! a byte range and lexed again when parsed.

use super::scan::{string_prefix, Chars, StrChars};
use super::CompileError;

mod literals;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier or keyword (`@class` is lexed as `class`).
    Ident(String),
    /// An integer literal without suffix (range-checked by the parser).
    Int(u64),
    Double(f64),
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
    /// `{code}` or `{code:format}`; `start..end` is the code's byte range.
    Hole {
        start: usize,
        end: usize,
        format: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const PUNCTS: &[&str] = &[
    "??=", "?.", "?[", "??", "=>", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "<<",
    "::", "(", ")", "{", "}", "[", "]", ".", ",", ";", ":", "?", "+", "-", "*", "/", "%", "!", "<", ">", "=", "&", "|",
    "^", "~",
];

/// Splits `src[start..end]` into tokens, ending with [`Tok::Eof`] at `end`.
pub fn lex(src: &str, start: usize, end: usize) -> Result<Vec<Token>, CompileError> {
    let mut l = Lexer {
        c: StrChars {
            src: &src[..end],
            i: start,
        },
        out: Vec::new(),
    };
    l.run()?;
    l.out.push(Token {
        tok: Tok::Eof,
        pos: end,
    });
    Ok(l.out)
}

struct Lexer<'s> {
    c: StrChars<'s>,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> CompileError {
        CompileError::at(pos, msg)
    }

    fn push(&mut self, tok: Tok, pos: usize) {
        self.out.push(Token { tok, pos });
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
                let rest = &self.c.src[pos + 2..];
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
            } else if ch == '_' || ch.is_alphabetic() || (ch == '@' && self.c.peek(1).is_some_and(is_ident_start)) {
                if ch == '@' {
                    self.c.bump();
                }
                let s = self.c.i;
                while self.c.peek(0).is_some_and(|c| c == '_' || c.is_alphanumeric()) {
                    self.c.bump();
                }
                let word = self.c.src[s..self.c.i].to_owned();
                self.push(Tok::Ident(word), pos);
            } else {
                let rest = &self.c.src[pos..];
                let p = PUNCTS
                    .iter()
                    .find(|p| rest.starts_with(**p))
                    .ok_or_else(|| self.err(pos, format!("unexpected character `{ch}`")))?;
                // `c ?.5 : 1` is a conditional, not `?.`.
                let p = if *p == "?." && rest[2..].starts_with(|d: char| d.is_ascii_digit()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src, 0, src.len()).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn literals() {
        assert_eq!(toks(r#""a\"b\u0041\n""#), vec![Tok::Str("a\"bA\n".into()), Tok::Eof]);
        assert_eq!(toks(r#"@"c:\x""y""#), vec![Tok::Str("c:\\x\"y".into()), Tok::Eof]);
        assert_eq!(toks(r"'\'' 'x'"), vec![Tok::Char('\''), Tok::Char('x'), Tok::Eof]);
        assert_eq!(
            toks("1 2.5 1e3 3d 0x1F 1_000"),
            vec![
                Tok::Int(1),
                Tok::Double(2.5),
                Tok::Double(1000.0),
                Tok::Double(3.0),
                Tok::Int(31),
                Tok::Int(1000),
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("1.ToString()")[..3],
            [Tok::Int(1), Tok::Punct("."), Tok::Ident("ToString".into())]
        );
    }

    #[test]
    fn interpolation() {
        let src = r#"$"a{{{x}-{y:o}}}""#;
        let t = toks(src);
        let Tok::Interp(p) = &t[0] else { panic!("{t:?}") };
        assert_eq!(p[0], Piece::Text("a{".into()));
        assert_eq!(
            p[1],
            Piece::Hole {
                start: 6,
                end: 7,
                format: None
            }
        );
        assert_eq!(p[2], Piece::Text("-".into()));
        assert_eq!(
            p[3],
            Piece::Hole {
                start: 10,
                end: 11,
                format: Some("o".into())
            }
        );
        assert_eq!(p[4], Piece::Text("}".into()));
    }

    #[test]
    fn punctuation_and_errors() {
        assert_eq!(
            toks("a?.b ?? c?[0]"),
            vec![
                Tok::Ident("a".into()),
                Tok::Punct("?."),
                Tok::Ident("b".into()),
                Tok::Punct("??"),
                Tok::Ident("c".into()),
                Tok::Punct("?["),
                Tok::Int(0),
                Tok::Punct("]"),
                Tok::Eof
            ]
        );
        let e = lex("a # b", 0, 5).unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(lex("\"abc", 0, 4).unwrap_err().message.contains("unterminated"));
        assert!(lex("10L", 0, 3).unwrap_err().message.contains("suffix"));
        assert!(lex(r#"$"{x,5}""#, 0, 8).unwrap_err().message.contains("alignment"));
    }
}
