//! Numeric literals: decimal, hex (`0x1F`) and binary (`0b101`) integers
//! with `_` separators and `U`/`L`/`UL` suffixes; reals (`1.5`, `.5`,
//! `1e3`, `2f`, `3d`, `1.25m`).
//!
//! Invariants: integers are kept as `u64` with their suffix (beyond
//! `ulong` is an error here; the checker types them and folds a leading
//! `-`); a real keeps its exact text (without `_` and suffix) for
//! `decimal`; a letter glued to a number is an error, never dropped.

use super::super::ast::{IntSuffix, RealSuffix};
use super::super::scan::Chars;
use super::super::CompileError;
use super::{Lexer, Tok};

impl Lexer<'_> {
    fn digits(&mut self, radix: u32) {
        while self.c.peek(0).is_some_and(|c| c == '_' || c.is_digit(radix)) {
            self.c.bump();
        }
    }

    pub(super) fn number(&mut self, pos: usize) -> Result<Tok, CompileError> {
        let radix = match (self.c.peek(0), self.c.peek(1)) {
            (Some('0'), Some('x' | 'X')) => 16,
            (Some('0'), Some('b' | 'B')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.c.bump();
            self.c.bump();
            let s = self.c.i;
            self.digits(radix);
            let text = self.text(s, self.c.i).replace('_', "");
            let what = if radix == 16 { "hexadecimal" } else { "binary" };
            if text.is_empty() || self.text(s, self.c.i).ends_with('_') {
                return Err(self.err(pos, format!("invalid {what} literal")));
            }
            let v = u64::from_str_radix(&text, radix)
                .map_err(|_| self.err(pos, "integral constant is too large (beyond ulong)"))?;
            let suffix = self.int_suffix();
            self.end_of_number(pos)?;
            return Ok(Tok::Int(v, suffix));
        }
        self.digits(10);
        let mut real = false;
        if self.c.peek(0) == Some('.') && self.c.peek(1).is_some_and(|d| d.is_ascii_digit()) {
            real = true;
            self.c.bump();
            self.digits(10);
        }
        if matches!(self.c.peek(0), Some('e' | 'E')) {
            let save = self.c.i;
            self.c.bump();
            if matches!(self.c.peek(0), Some('+' | '-')) {
                self.c.bump();
            }
            if self.c.peek(0).is_some_and(|d| d.is_ascii_digit()) {
                real = true;
                self.digits(10);
            } else {
                self.c.i = save;
            }
        }
        let raw = self.text(pos, self.c.i);
        if raw.ends_with('_') || raw.contains("_.") || raw.contains("._") || raw.starts_with('_') {
            return Err(self.err(pos, "invalid numeric literal (misplaced `_`)"));
        }
        let text = raw.replace('_', "");
        let real_suffix = match self.c.peek(0) {
            Some('f' | 'F') => Some(RealSuffix::F),
            Some('d' | 'D') => Some(RealSuffix::D),
            Some('m' | 'M') => Some(RealSuffix::M),
            _ => None,
        };
        if let Some(suffix) = real_suffix {
            self.c.bump();
            self.end_of_number(pos)?;
            return self.real(pos, text, suffix);
        }
        if real {
            if let Some(c @ ('u' | 'U' | 'l' | 'L')) = self.c.peek(0) {
                return Err(self.err(pos, format!("a real literal cannot have the integer suffix `{c}`")));
            }
            self.end_of_number(pos)?;
            return self.real(pos, text, RealSuffix::None);
        }
        let suffix = self.int_suffix();
        self.end_of_number(pos)?;
        let v: u64 = text
            .parse()
            .map_err(|_| self.err(pos, "integral constant is too large (beyond ulong)"))?;
        Ok(Tok::Int(v, suffix))
    }

    fn real(&self, pos: usize, text: String, suffix: RealSuffix) -> Result<Tok, CompileError> {
        let v: f64 = text.parse().map_err(|_| self.err(pos, "invalid real literal"))?;
        if !v.is_finite() {
            return Err(self.err(pos, "floating-point constant is outside the range of its type"));
        }
        Ok(Tok::Real(v, suffix, text))
    }

    /// `u`, `l`, `ul`, `lu` in any case.
    fn int_suffix(&mut self) -> IntSuffix {
        let (mut u, mut l) = (false, false);
        for _ in 0..2 {
            match self.c.peek(0) {
                Some('u' | 'U') if !u => u = true,
                Some('l' | 'L') if !l => l = true,
                _ => break,
            }
            self.c.bump();
        }
        match (u, l) {
            (true, true) => IntSuffix::UL,
            (true, false) => IntSuffix::U,
            (false, true) => IntSuffix::L,
            (false, false) => IntSuffix::None,
        }
    }

    fn end_of_number(&self, pos: usize) -> Result<(), CompileError> {
        match self.c.peek(0) {
            Some(c) if c.is_alphanumeric() || c == '_' => Err(self.err(
                pos,
                format!("invalid numeric literal (unexpected `{c}` after the number)"),
            )),
            _ => Ok(()),
        }
    }
}
