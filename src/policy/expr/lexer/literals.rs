//! Literals: regular, verbatim (`@"..."`) and interpolated (`$"..."`)
//! strings with C#'s escapes, char literals, and int/double numbers.
//!
//! Invariants: an interpolated string becomes text pieces and hole byte
//! ranges (holes are lexed by the parser's nested pass); a suffix other
//! than `d`/`f`, or a letter glued to a number, is an error, never dropped;
//! integers are kept as `u64` (beyond that is an error here) for the
//! checker to range-check against `int` with their position.

use super::super::scan::{scan_code, skip_hole, Chars, StrChars};
use super::super::CompileError;
use super::{Lexer, Piece, Tok};

impl Lexer<'_> {
    /// Reads string content up to the closing `"` (consumed) or, when
    /// `stop_at_brace`, an unescaped `{` (consumed; returns true).
    pub(super) fn string_body(
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

    pub(super) fn interpolated(&mut self, start: usize, verbatim: bool) -> Result<Vec<Piece>, CompileError> {
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

    pub(super) fn escape(&mut self, pos: usize) -> Result<char, CompileError> {
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

    pub(super) fn char_literal(&mut self, pos: usize) -> Result<Tok, CompileError> {
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

    pub(super) fn number(&mut self, pos: usize) -> Result<Tok, CompileError> {
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

    pub(super) fn no_suffix(&self, pos: usize) -> Result<(), CompileError> {
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
