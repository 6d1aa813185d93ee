//! The raw text writer's escaping, as .NET's `XmlEncodedRawTextWriter`
//! does it: element text (`&`, `<`, `>`; line ends as `\n`), attribute
//! values (also `"` and `\t`, `\n`, `\r` as character references),
//! comments and processing instructions (a space breaks `--` and `?>`),
//! and the indentation.
//!
//! Invariants: characters XML cannot hold are an `ArgumentException`, or
//! character references when checking is off.

use crate::error::EvalResult;

use super::writer::{argument, is_invalid_char, XmlWriter};

impl XmlWriter {
    pub(super) fn invalid(&mut self, c: char) -> EvalResult<()> {
        if self.check_chars {
            return Err(argument(format!(
                "'{c}', hexadecimal value 0x{:02X}, is an invalid character.",
                c as u32
            )));
        }
        self.out.push_str(&format!("&#x{:X};", c as u32));
        Ok(())
    }

    /// Element text: `&`, `<`, `>` escaped, line ends as `\n`.
    pub(super) fn text_block(&mut self, s: &str) -> EvalResult<()> {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    self.out.push('\n');
                }
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
        }
        self.text_pos = self.out.len();
        self.content_pos = usize::MAX;
        Ok(())
    }

    /// An attribute value: also `"` and the white-space characters
    /// `\t`, `\n`, `\r` as character references.
    pub(super) fn attr_block(&mut self, s: &str) -> EvalResult<()> {
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\t' => self.out.push_str("&#x9;"),
                '\n' => self.out.push_str("&#xA;"),
                '\r' => self.out.push_str("&#xD;"),
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
        }
        Ok(())
    }

    /// Comment or PI text: a space breaks `--` (and a final `-`) or `?>`.
    pub(super) fn comment_or_pi(&mut self, s: &str, stop: char) -> EvalResult<()> {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '-' if stop == '-' => {
                    self.out.push('-');
                    if matches!(chars.peek(), None | Some('-')) {
                        self.out.push(' ');
                    }
                }
                '?' if stop == '?' => {
                    self.out.push('?');
                    if chars.peek() == Some(&'>') {
                        self.out.push(' ');
                    }
                }
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    self.out.push('\n');
                }
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
        }
        Ok(())
    }

    pub(super) fn write_indent(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent_level {
            self.out.push_str("  ");
        }
    }

    /// The indenting writer's "new line before markup" rule.
    pub(super) fn indent_before_markup(&mut self) {
        if self.indent && !self.mixed && self.text_pos != self.out.len() {
            self.write_indent();
        }
    }
}
