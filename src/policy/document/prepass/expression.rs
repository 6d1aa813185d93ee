//! One expression, lexed as C# just enough to find where it ends: strings
//! (regular, verbatim, interpolated with holes), char literals, comments
//! and bracket nesting, with entity references read as the character they
//! stand for. Raw `<`, `&`, `"` and `'` inside are replaced by entities.
//!
//! Invariants: nesting is tracked on an explicit stack (no recursion), so
//! hostile input cannot overflow the stack; each replacement is one
//! character by one entity without newlines, so lines are preserved; an
//! expression still open at EOF is a [`PrepassError`] naming the line it
//! starts on.

use super::{PrepassError, Scanner};

/// What an open construct inside an expression is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `(`, `[` or `{` in code, or an interpolation hole in a `$"..."` string.
    Bracket,
    Hole,
    Str {
        verbatim: bool,
        interp: bool,
    },
}

impl Scanner<'_> {
    /// The character at `at` as C# sees it, and how many input bytes it
    /// takes: an entity reference counts as the character it stands for.
    /// Returns `(byte, len, raw)` where `raw` means the byte is a literal
    /// special character that must be escaped. At EOF: `(0, 1, false)`.
    fn lex_at(&self, at: usize) -> (u8, usize, bool) {
        let c = self.at(at);
        if c != b'&' {
            return (c, 1, matches!(c, b'<' | b'"' | b'\''));
        }
        let rest = &self.src[at..];
        for (name, ch) in [
            (&b"&quot;"[..], b'"'),
            (b"&apos;", b'\''),
            (b"&lt;", b'<'),
            (b"&gt;", b'>'),
            (b"&amp;", b'&'),
        ] {
            if rest.starts_with(name) {
                return (ch, name.len(), false);
            }
        }
        if let Some((ch, len)) = char_ref(rest) {
            return (ch, len, false);
        }
        (b'&', 1, true)
    }

    /// Consumes one lexed character, escaping it if raw.
    fn take(&mut self) -> u8 {
        let (c, len, raw) = self.lex_at(self.pos);
        if raw {
            let entity = match c {
                b'<' => "&lt;",
                b'&' => "&amp;",
                b'"' => "&quot;",
                _ => "&apos;",
            };
            let out = self
                .out
                .get_or_insert_with(|| String::with_capacity(self.src.len() + 64));
            out.push_str(&self.text[self.copied..self.pos]);
            out.push_str(entity);
            self.copied = self.pos + 1;
        }
        self.pos += len;
        c
    }

    fn peek(&self) -> u8 {
        self.lex_at(self.pos).0
    }

    /// The lexed character after the current one.
    fn peek2(&self) -> u8 {
        let (_, len, _) = self.lex_at(self.pos);
        self.lex_at(self.pos + len).0
    }

    /// An expression at `@(` or `@{`, up to and including its closer.
    pub(super) fn expression(&mut self) -> Result<(), PrepassError> {
        let start = self.pos;
        self.pos += 2;
        let mut stack = vec![Open::Bracket];
        while let Some(&top) = stack.last() {
            if self.pos >= self.src.len() {
                return Err(PrepassError {
                    line: line_of(self.src, start),
                    message: "policy expression is never closed (check its brackets and string quotes)".into(),
                });
            }
            match top {
                Open::Str { verbatim, interp } => self.in_string(&mut stack, verbatim, interp),
                Open::Bracket | Open::Hole => self.in_code(&mut stack),
            }
        }
        Ok(())
    }

    fn in_string(&mut self, stack: &mut Vec<Open>, verbatim: bool, interp: bool) {
        match self.take() {
            b'"' if verbatim && self.peek() == b'"' => {
                self.take();
            }
            b'"' => {
                stack.pop();
            }
            b'\\' if !verbatim => {
                self.take();
            }
            b'{' if interp && self.peek() == b'{' => {
                self.take();
            }
            b'{' if interp => stack.push(Open::Hole),
            b'}' if interp && self.peek() == b'}' => {
                self.take();
            }
            _ => {}
        }
    }

    fn in_code(&mut self, stack: &mut Vec<Open>) {
        let c = self.peek();
        let next = self.peek2();
        match c {
            b'"' => {
                self.take();
                stack.push(Open::Str {
                    verbatim: false,
                    interp: false,
                });
            }
            b'@' | b'$' if next == b'"' => {
                self.take();
                self.take();
                stack.push(Open::Str {
                    verbatim: c == b'@',
                    interp: c == b'$',
                });
            }
            b'@' | b'$' if matches!(next, b'@' | b'$') && next != c => {
                self.take();
                self.take();
                if self.peek() == b'"' {
                    self.take();
                    stack.push(Open::Str {
                        verbatim: true,
                        interp: true,
                    });
                }
            }
            b'\'' => self.char_literal(),
            b'/' if next == b'/' => {
                while !matches!(self.peek(), b'\n' | 0) {
                    self.take();
                }
            }
            b'/' if next == b'*' => {
                self.take();
                self.take();
                while self.pos < self.src.len() && !(self.peek() == b'*' && self.peek2() == b'/') {
                    self.take();
                }
                self.take();
                self.take();
            }
            b'(' | b'[' | b'{' => {
                self.take();
                stack.push(Open::Bracket);
            }
            b')' | b']' | b'}' => {
                self.take();
                stack.pop();
            }
            _ => {
                self.take();
            }
        }
    }

    /// `'x'`, `'\''`, `'"'`: at most a few characters, never past a newline.
    fn char_literal(&mut self) {
        self.take();
        for _ in 0..8 {
            match self.peek() {
                b'\'' => {
                    self.take();
                    return;
                }
                b'\\' => {
                    self.take();
                    self.take();
                }
                b'\n' | 0 => return,
                _ => {
                    self.take();
                }
            }
        }
    }
}

/// `&#NN;` or `&#xHH;` naming an ASCII character.
fn char_ref(rest: &[u8]) -> Option<(u8, usize)> {
    let body = rest.strip_prefix(b"&#")?;
    let end = body.iter().take(8).position(|&b| b == b';')?;
    let digits = std::str::from_utf8(&body[..end]).ok()?;
    let n = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    let b = u8::try_from(n).ok().filter(u8::is_ascii)?;
    Some((b, end + 3))
}

/// 1-based line of byte offset `at`.
fn line_of(src: &[u8], at: usize) -> u32 {
    let n = src[..at.min(src.len())].iter().filter(|&&b| b == b'\n').count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_refs() {
        assert_eq!(char_ref(b"&#34;x"), Some((b'"', 5)));
        assert_eq!(char_ref(b"&#x3C;"), Some((b'<', 6)));
        assert_eq!(char_ref(b"&#233;"), None);
        assert_eq!(char_ref(b"&#;"), None);
    }
}
