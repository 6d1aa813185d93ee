//! Skipping C# code without parsing it: finds where a bracketed region or
//! an interpolation hole ends, stepping over string, verbatim-string,
//! interpolated-string and char literals and comments. Used by
//! [`delimit`](super::delimit) to find the end of `@(...)` / `@{...}`, by
//! the lexer to find the end of interpolation holes, and by the gateway's
//! XML prepass to find the end of a raw expression inside policy XML.
//!
//! Invariants: the scan never looks at a byte offset that is not a char
//! boundary (so it never panics), and its recursion (one level per
//! interpolated string nested in a hole) is bounded by
//! [`MAX_INTERPOLATION_NESTING`].

/// A character source with lookahead; `pos` is a byte offset for messages.
pub trait Chars {
    fn peek(&self, ahead: usize) -> Option<char>;
    fn bump(&mut self) -> Option<char>;
    fn pos(&self) -> usize;
}

/// Why a region could not be delimited; `at` is the byte offset of the
/// construct that is not closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("unterminated {what}")]
    Unterminated { what: &'static str, at: usize },
    #[error("unbalanced `{found}`")]
    Unbalanced { found: char, at: usize },
    #[error("interpolated strings nested too deeply")]
    TooDeep { at: usize },
}

impl ScanError {
    pub fn at(&self) -> usize {
        match self {
            ScanError::Unterminated { at, .. } | ScanError::Unbalanced { at, .. } | ScanError::TooDeep { at } => *at,
        }
    }
}

/// Consumes code until a character of `stop` at bracket depth 0, which is
/// left unconsumed and returned.
pub fn scan_code<C: Chars>(c: &mut C, stop: &[char]) -> Result<char, ScanError> {
    scan_nested(c, stop, 0)
}

/// Interpolated strings nested in interpolation holes deeper than this are
/// rejected (the scan recurses once per level).
pub const MAX_INTERPOLATION_NESTING: usize = 16;

fn scan_nested<C: Chars>(c: &mut C, stop: &[char], depth: usize) -> Result<char, ScanError> {
    let start = c.pos();
    let mut stack: Vec<(char, usize)> = Vec::new();
    loop {
        let Some(ch) = c.peek(0) else {
            return Err(match stack.last() {
                Some(&(open, at)) => ScanError::Unterminated {
                    what: bracket_name(open),
                    at,
                },
                None => ScanError::Unterminated {
                    what: "expression",
                    at: start,
                },
            });
        };
        if stack.is_empty() && stop.contains(&ch) {
            return Ok(ch);
        }
        match ch {
            '(' | '[' | '{' => {
                stack.push((ch, c.pos()));
                c.bump();
            }
            ')' | ']' | '}' => {
                let at = c.pos();
                match stack.pop() {
                    Some((open, _)) if closer(open) == ch => {
                        c.bump();
                    }
                    _ => return Err(ScanError::Unbalanced { found: ch, at }),
                }
            }
            '"' | '\'' | '@' | '$' => skip_literal(c, depth)?,
            '/' if c.peek(1) == Some('/') => {
                while !matches!(c.peek(0), None | Some('\n')) {
                    c.bump();
                }
            }
            '/' if c.peek(1) == Some('*') => {
                let at = c.pos();
                c.bump();
                c.bump();
                loop {
                    match c.bump() {
                        None => return Err(ScanError::Unterminated { what: "comment", at }),
                        Some('*') if c.peek(0) == Some('/') => {
                            c.bump();
                            break;
                        }
                        Some(_) => {}
                    }
                }
            }
            _ => {
                c.bump();
            }
        }
    }
}

fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn bracket_name(open: char) -> &'static str {
    match open {
        '(' => "`(`",
        '[' => "`[`",
        _ => "`{`",
    }
}

/// The prefix of a string literal at the cursor: (verbatim, interpolated,
/// prefix length), or `None` when the cursor is not at a string literal.
pub fn string_prefix<C: Chars>(c: &C) -> Option<(bool, bool, usize)> {
    match (c.peek(0)?, c.peek(1), c.peek(2)) {
        ('"', _, _) => Some((false, false, 1)),
        ('@', Some('"'), _) => Some((true, false, 2)),
        ('$', Some('"'), _) => Some((false, true, 2)),
        ('$', Some('@'), Some('"')) | ('@', Some('$'), Some('"')) => Some((true, true, 3)),
        _ => None,
    }
}

/// Skips one literal at the cursor (string of any kind, or char); a lone
/// `@`/`$` is consumed as a plain character.
fn skip_literal<C: Chars>(c: &mut C, depth: usize) -> Result<(), ScanError> {
    let at = c.pos();
    if c.peek(0) == Some('\'') {
        c.bump();
        loop {
            match c.bump() {
                None | Some('\n') => {
                    return Err(ScanError::Unterminated {
                        what: "char literal",
                        at,
                    })
                }
                Some('\\') => {
                    c.bump();
                }
                Some('\'') => return Ok(()),
                Some(_) => {}
            }
        }
    }
    let Some((verbatim, interpolated, len)) = string_prefix(c) else {
        c.bump();
        return Ok(());
    };
    for _ in 0..len {
        c.bump();
    }
    let unterminated = ScanError::Unterminated {
        what: "string literal",
        at,
    };
    loop {
        match c.peek(0) {
            None => return Err(unterminated),
            Some('\n') if !verbatim => return Err(unterminated),
            Some('\\') if !verbatim => {
                c.bump();
                c.bump();
            }
            Some('"') => {
                c.bump();
                if verbatim && c.peek(0) == Some('"') {
                    c.bump();
                } else {
                    return Ok(());
                }
            }
            Some('{') if interpolated => {
                c.bump();
                if c.peek(0) == Some('{') {
                    c.bump();
                } else {
                    skip_nested_hole(c, depth + 1)?;
                }
            }
            Some(_) => {
                c.bump();
            }
        }
    }
}

/// Skips an interpolation hole's code, format and closing `}` (the `{` is
/// already consumed).
pub fn skip_hole<C: Chars>(c: &mut C) -> Result<(), ScanError> {
    skip_nested_hole(c, 0)
}

fn skip_nested_hole<C: Chars>(c: &mut C, depth: usize) -> Result<(), ScanError> {
    let at = c.pos();
    if depth > MAX_INTERPOLATION_NESTING {
        return Err(ScanError::TooDeep { at });
    }
    if scan_nested(c, &['}', ':'], depth)? == ':' {
        while c.peek(0) != Some('}') {
            if c.bump().is_none() {
                return Err(ScanError::Unterminated {
                    what: "interpolation hole",
                    at,
                });
            }
        }
    }
    c.bump();
    Ok(())
}

/// [`Chars`] over a plain string.
pub struct StrChars<'s> {
    pub src: &'s str,
    pub i: usize,
}

impl Chars for StrChars<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.src.get(self.i..)?.chars().nth(ahead)
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.src.get(self.i..)?.chars().next()?;
        self.i += ch.len_utf8();
        Some(ch)
    }

    fn pos(&self) -> usize {
        self.i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(src: &str, stop: &[char]) -> Result<usize, ScanError> {
        let mut c = StrChars { src, i: 0 };
        scan_code(&mut c, stop).map(|_| c.i)
    }

    #[test]
    fn skips_literals_and_nesting() {
        assert_eq!(end(r#"a("x)") + b)"#, &[')']), Ok(11));
        assert_eq!(end(r#"@"a""b)" )"#, &[')']), Ok(9));
        assert_eq!(end(r#"$"{(x ? ")" : "}")}" )"#, &[')']), Ok(21));
        assert_eq!(end("')' == c)", &[')']), Ok(8));
        assert_eq!(end("'\\'' )", &[')']), Ok(5));
        assert_eq!(end("a // )\n b /* ) */ )", &[')']), Ok(18));
        assert_eq!(end(r#"$"{x:yyyy}" }"#, &['}']), Ok(12));
    }

    #[test]
    fn reports_unterminated() {
        assert!(matches!(
            end(r#"a("x)"#, &[')']),
            Err(ScanError::Unterminated { at: 2, .. })
        ));
        assert!(matches!(
            end(r#""abc"#, &[')']),
            Err(ScanError::Unterminated { at: 0, .. })
        ));
        assert!(matches!(
            end("a]", &[')']),
            Err(ScanError::Unbalanced { found: ']', at: 1 })
        ));
        let deep = format!("{}{})", "$\"{".repeat(40), "}\"".repeat(40));
        assert!(matches!(end(&deep, &[')']), Err(ScanError::TooDeep { .. })));
        let ok = format!("{}{})", "$\"{".repeat(5), "}\"".repeat(5));
        assert!(end(&ok, &[')']).is_ok());
    }
}
