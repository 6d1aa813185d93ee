//! Tokens of the C# subset. Positions are byte offsets into the text given
//! to [`Expr::compile`](super::Expr::compile) (the lexer of an
//! interpolation hole starts at the hole's offset).

use super::scan::{scan_code, skip_hole, string_prefix, Chars, StrChars};
use super::CompileError;

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

    /// Reads string content up to the closing `"` (consumed) or, when
    /// `stop_at_brace`, an unescaped `{` (consumed; returns true).
    fn string_body(
        &mut self,
        start: usize,
        verbatim: bool,
        stop_at_brace: bool,
    ) -> Result<(String, bool), CompileError> {
        let mut s = String::new();
        loop {
            let pos = self.c.i;
            let Some(ch) = self.c.bump() else {
                return Err(self.err(start, "unterminated string literal"));
            };
            match ch {
                '"' if verbatim && self.c.peek(0) == Some('"') => {
                    self.c.bump();
                    s.push('"');
                }
                '"' => return Ok((s, false)),
                '\n' if !verbatim => return Err(self.err(start, "newline in string literal")),
                '\\' if !verbatim => s.push(self.escape(pos)?),
                '{' if stop_at_brace && self.c.peek(0) == Some('{') => {
                    self.c.bump();
                    s.push('{');
                }
                '{' if stop_at_brace => return Ok((s, true)),
                '}' if stop_at_brace => {
                    if self.c.peek(0) != Some('}') {
                        return Err(self.err(pos, "`}` in an interpolated string must be doubled (`}}`)"));
                    }
                    self.c.bump();
                    s.push('}');
                }
                _ => s.push(ch),
            }
        }
    }

    fn interpolated(&mut self, start: usize, verbatim: bool) -> Result<Vec<Piece>, CompileError> {
        let mut pieces = Vec::new();
        loop {
            let (text, hole) = self.string_body(start, verbatim, true)?;
            if !text.is_empty() {
                pieces.push(Piece::Text(text));
            }
            if !hole {
                return Ok(pieces);
            }
            let code_start = self.c.i;
            let stop = scan_code(&mut self.c, &['}', ':', ','])
                .map_err(|e| self.err(e.at(), format!("{e} in interpolated string")))?;
            let code_end = self.c.i;
            let format = match stop {
                ',' => {
                    return Err(self.err(
                        code_end,
                        "alignment in an interpolation hole (`{x,10}`) is not supported",
                    ))
                }
                ':' => {
                    self.c.bump();
                    let f = self.c.i;
                    let mut probe = StrChars {
                        src: self.c.src,
                        i: code_start,
                    };
                    skip_hole(&mut probe).map_err(|e| self.err(e.at(), format!("{e} in interpolated string")))?;
                    self.c.i = probe.i;
                    Some(self.c.src[f..probe.i - 1].to_owned())
                }
                _ => {
                    self.c.bump();
                    None
                }
            };
            if self.c.src[code_start..code_end].trim().is_empty() {
                return Err(self.err(code_start, "empty interpolation hole"));
            }
            pieces.push(Piece::Hole {
                start: code_start,
                end: code_end,
                format,
            });
        }
    }

    fn escape(&mut self, pos: usize) -> Result<char, CompileError> {
        let bad = |l: &Self| l.err(pos, "unrecognized escape sequence");
        let ch = self.c.bump().ok_or_else(|| bad(self))?;
        Ok(match ch {
            '\'' => '\'',
            '"' => '"',
            '\\' => '\\',
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            'u' | 'x' | 'U' => {
                let max = match ch {
                    'u' => 4,
                    'x' => 4,
                    _ => 8,
                };
                let s = self.c.i;
                while self.c.i - s < max && self.c.peek(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.c.bump();
                }
                let digits = &self.c.src[s..self.c.i];
                if digits.is_empty() || (ch != 'x' && digits.len() != max) {
                    return Err(bad(self));
                }
                u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| bad(self))?
            }
            _ => return Err(bad(self)),
        })
    }

    fn char_literal(&mut self, pos: usize) -> Result<Tok, CompileError> {
        let ch = match self.c.bump() {
            Some('\\') => self.escape(pos)?,
            Some('\'') | Some('\n') | None => return Err(self.err(pos, "empty or unterminated char literal")),
            Some(c) => c,
        };
        if self.c.bump() != Some('\'') {
            return Err(self.err(
                pos,
                "char literal with more than one character (use \"...\" for strings)",
            ));
        }
        Ok(Tok::Char(ch))
    }

    fn number(&mut self, pos: usize) -> Result<Tok, CompileError> {
        let src = self.c.src;
        let digits = |l: &mut Self, hex: bool| {
            while l
                .c
                .peek(0)
                .is_some_and(|c| c == '_' || c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()))
            {
                l.c.bump();
            }
        };
        if src[pos..].starts_with("0x") || src[pos..].starts_with("0X") {
            self.c.i += 2;
            digits(self, true);
            let text = src[pos + 2..self.c.i].replace('_', "");
            let v = u64::from_str_radix(&text, 16).map_err(|_| self.err(pos, "invalid hex literal"))?;
            self.no_suffix(pos)?;
            return Ok(Tok::Int(v));
        }
        digits(self, false);
        let mut is_double = false;
        if self.c.peek(0) == Some('.') && self.c.peek(1).is_some_and(|d| d.is_ascii_digit()) {
            is_double = true;
            self.c.bump();
            digits(self, false);
        }
        if matches!(self.c.peek(0), Some('e' | 'E')) {
            let save = self.c.i;
            self.c.bump();
            if matches!(self.c.peek(0), Some('+' | '-')) {
                self.c.bump();
            }
            if self.c.peek(0).is_some_and(|d| d.is_ascii_digit()) {
                is_double = true;
                digits(self, false);
            } else {
                self.c.i = save;
            }
        }
        let text = src[pos..self.c.i].replace('_', "");
        match self.c.peek(0) {
            Some('d' | 'D' | 'f' | 'F') => {
                self.c.bump();
                is_double = true;
            }
            _ => self.no_suffix(pos)?,
        }
        if is_double {
            let v: f64 = text.parse().map_err(|_| self.err(pos, "invalid number"))?;
            Ok(Tok::Double(v))
        } else {
            let v: u64 = text
                .parse()
                .map_err(|_| self.err(pos, "integer literal is too large"))?;
            Ok(Tok::Int(v))
        }
    }

    fn no_suffix(&self, pos: usize) -> Result<(), CompileError> {
        match self.c.peek(0) {
            Some(c @ ('l' | 'L' | 'u' | 'U' | 'm' | 'M')) => Err(self.err(
                pos,
                format!("numeric suffix `{c}` is not supported (only int and double literals)"),
            )),
            Some(c) if c.is_alphanumeric() || c == '_' => Err(self.err(pos, "invalid numeric literal")),
            _ => Ok(()),
        }
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
