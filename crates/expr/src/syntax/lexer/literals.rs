//! String and char literals: regular strings with C#'s escapes, verbatim
//! strings (`@"…"`, `""` for a quote), interpolated strings (`$"…"`,
//! `$@"…"`/`@$"…"`) split into text and holes, and char literals.
//!
//! Invariants: an interpolated string becomes text pieces and holes kept
//! as byte ranges (code, optional alignment) plus the format text; the
//! parser lexes and parses each range again; `{{`/`}}` are the only
//! literal braces (a lone `}` is an error, as in C#).

use super::super::scan::{scan_code, Chars};
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
            let mut stop = self.hole_code(&['}', ':', ','])?;
            let code_end = self.c.i;
            if self.text(code_start, code_end).trim().is_empty() {
                return Err(self.err(code_start, "empty interpolation hole"));
            }
            let mut align = None;
            if stop == ',' {
                self.c.bump();
                let a = self.c.i;
                stop = self.hole_code(&['}', ':'])?;
                if self.text(a, self.c.i).trim().is_empty() {
                    return Err(self.err(a, "expected an alignment after `,` in an interpolation hole"));
                }
                align = Some((a, self.c.i));
            }
            self.c.bump();
            let format = if stop == ':' {
                let f = self.c.i;
                loop {
                    match self.c.peek(0) {
                        Some('}') => break,
                        Some('"') | None => return Err(self.err(code_start, "unterminated interpolation hole")),
                        Some('\n') if !verbatim => return Err(self.err(start, "newline in string literal")),
                        Some(_) => {
                            self.c.bump();
                        }
                    }
                }
                let format = self.text(f, self.c.i).to_owned();
                self.c.bump();
                Some(format)
            } else {
                None
            };
            pieces.push(Piece::Hole {
                start: code_start,
                end: code_end,
                align,
                format,
            });
        }
    }

    /// Skips a hole's code up to one of `stop` (left unconsumed).
    fn hole_code(&mut self, stop: &[char]) -> Result<char, CompileError> {
        scan_code(&mut self.c, stop).map_err(|e| self.err(e.at(), format!("{e} in interpolated string")))
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
                let max = if ch == 'U' { 8 } else { 4 };
                let s = self.c.i;
                while self.c.i - s < max && self.c.peek(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.c.bump();
                }
                let digits = self.text(s, self.c.i);
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
            Some('\'') => return Err(self.err(pos, "empty char literal")),
            Some('\n') | None => return Err(self.err(pos, "unterminated char literal")),
            Some(c) => c,
        };
        if self.c.bump() != Some('\'') {
            return Err(self.err(
                pos,
                "char literal with more than one character (use \"...\" for strings)",
            ));
        }
        if u32::from(ch) > 0xFFFF {
            return Err(self.err(
                pos,
                "char literal outside the Basic Multilingual Plane (a .NET char is one UTF-16 unit)",
            ));
        }
        Ok(Tok::Char(ch))
    }
}
