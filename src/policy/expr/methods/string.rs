//! String receivers (`s.Length`, `Contains`, `Substring`, `Split`, `Trim`,
//! `PadLeft`, ...) and the text helpers the other method modules share.
//!
//! Invariants: indices and lengths count UTF-16 code units as .NET does
//! (an index inside a surrogate pair is `ArgumentOutOfRangeException`);
//! comparisons are ordinal, optionally ignoring case; results borrow from
//! the receiver whenever the text is unchanged.

use std::borrow::Cow;

use super::super::eval::{fail, internal, Eval, R};
use super::super::ir::{Method, Node, Side};
use super::super::value::Value;
use super::super::EvalErrorKind as K;
use super::format::format_value;
use super::{int_arg, out_of_range, text_arg};

/// A substring of `s` that borrows when `s` does.
fn sub<'a>(s: &Cow<'a, str>, start: usize, end: usize) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[start..end]),
        Cow::Owned(o) => Cow::Owned(o[start..end].to_owned()),
    }
}

fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// Byte offset of UTF-16 index `u` (`None` past the end or inside a char).
fn byte_at(s: &str, u: usize) -> Option<usize> {
    if s.is_ascii() {
        return (u <= s.len()).then_some(u);
    }
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        if units == u {
            return Some(i);
        }
        units += ch.len_utf16();
        if units > u {
            return None;
        }
    }
    (units == u).then_some(s.len())
}

fn lower_if(s: &str, ic: bool) -> Cow<'_, str> {
    if ic {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Byte position of `needle` in `hay` (ordinal, optionally ignoring case),
/// from the start or the end, mapped back to `hay`'s bytes.
fn find(hay: &str, needle: &str, ic: bool, last: bool) -> Option<usize> {
    if ic && !(hay.is_ascii() && needle.is_ascii()) {
        // Lowercasing can change lengths: compare char by char instead.
        let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
        let starts = hay.char_indices().map(|(i, _)| i).chain(std::iter::once(hay.len()));
        let matches_at = |i: usize| {
            let mut it = hay[i..].chars().flat_map(char::to_lowercase);
            needle.iter().all(|c| it.next() == Some(*c))
        };
        let mut all = starts.filter(|&i| matches_at(i));
        return if last { all.next_back() } else { all.next() };
    }
    if ic {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        if n.len() > h.len() {
            return None;
        }
        let mut range = 0..=h.len() - n.len();
        let hit = |i: &usize| h[*i..*i + n.len()].eq_ignore_ascii_case(n);
        return if last { range.rfind(hit) } else { range.find(hit) };
    }
    if last {
        hay.rfind(needle)
    } else {
        hay.find(needle)
    }
}

impl<'a> Eval<'a> {
    pub(super) fn string_method(&mut self, m: Method, s: Cow<'a, str>, args: &'a [Node]) -> R<Value<'a>> {
        let a0 = self.arg(args, 0)?;
        Ok(match m {
            Method::ToText => Value::Str(s),
            Method::ToTextFormat => format_value(&Value::Str(s.clone()), &text_arg(&a0)?)?,
            Method::Length => Value::Int(utf16_len(&s) as i32),
            Method::Contains { ic } => Value::Bool(find(&s, &text_arg(&a0)?, ic, false).is_some()),
            Method::StartsWith { ic } => {
                let p = text_arg(&a0)?;
                Value::Bool(if ic {
                    p.is_empty() || find(&s, &p, true, false) == Some(0)
                } else {
                    s.starts_with(&*p)
                })
            }
            Method::EndsWith { ic } => {
                let p = text_arg(&a0)?;
                let ok = if ic {
                    lower_if(&s, true).ends_with(&*lower_if(&p, true))
                } else {
                    s.ends_with(&*p)
                };
                Value::Bool(ok)
            }
            Method::Equals { ic } => Value::Bool(match &a0 {
                Value::Str(o) => str_eq(&s, o, ic),
                _ => false,
            }),
            Method::IndexOf { ic } | Method::LastIndexOf { ic } => {
                let last = matches!(m, Method::LastIndexOf { .. });
                let n = text_arg(&a0)?;
                Value::Int(match find(&s, &n, ic, last) {
                    Some(b) => utf16_len(&s[..b]) as i32,
                    None => -1,
                })
            }
            Method::ToLower => Value::Str(if s.chars().any(char::is_uppercase) {
                Cow::Owned(s.to_lowercase())
            } else {
                s
            }),
            Method::ToUpper => Value::Str(if s.chars().any(char::is_lowercase) {
                Cow::Owned(s.to_uppercase())
            } else {
                s
            }),
            Method::Trim(side) => {
                let mut chars = Vec::new();
                if !a0.is_null() {
                    chars.push(a0);
                    for i in 1..args.len() {
                        chars.push(self.arg(args, i)?);
                    }
                }
                let strip = |c: char| {
                    if chars.is_empty() {
                        c.is_whitespace()
                    } else {
                        chars.contains(&Value::Char(c))
                    }
                };
                let start = match side {
                    Side::End => 0,
                    _ => s.len() - s.trim_start_matches(strip).len(),
                };
                let end = match side {
                    Side::Start => s.len(),
                    _ => s.trim_end_matches(strip).len(),
                };
                Value::Str(sub(&s, start, end.max(start)))
            }
            Method::Split { remove_empty } => {
                let mut seps = Vec::new();
                if !a0.is_null() {
                    seps.push(text_arg(&a0)?.into_owned());
                    for i in 1..args.len() {
                        seps.push(text_arg(&self.arg(args, i)?)?.into_owned());
                    }
                }
                Value::Array(split(&s, &seps, remove_empty))
            }
            Method::Replace => {
                let from = text_arg(&a0)?.into_owned();
                let to = self.arg(args, 1)?;
                let to = to.to_text();
                if from.is_empty() {
                    return fail(K::Argument, "String cannot be of zero length. (Parameter 'oldValue')");
                }
                Value::Str(if s.contains(&*from) {
                    Cow::Owned(s.replace(&*from, &to))
                } else {
                    s
                })
            }
            Method::Substring => {
                let start = int_arg(&a0)?;
                let len = utf16_len(&s) as i64;
                let count = match args.len() {
                    1 => len - i64::from(start),
                    _ => i64::from(int_arg(&self.arg(args, 1)?)?),
                };
                if start < 0 || count < 0 || i64::from(start) + count > len {
                    return out_of_range("startIndex or length");
                }
                let b0 = byte_at(&s, start as usize);
                let b1 = byte_at(&s, (i64::from(start) + count) as usize);
                match (b0, b1) {
                    (Some(b0), Some(b1)) => Value::Str(sub(&s, b0, b1)),
                    _ => return out_of_range("an index inside a surrogate pair"),
                }
            }
            Method::PadLeft | Method::PadRight => {
                let width = int_arg(&a0)?;
                if width < 0 {
                    return out_of_range("totalWidth");
                }
                let fill = match self.arg(args, 1)? {
                    Value::Char(c) => c,
                    _ => ' ',
                };
                let n = (width as usize).saturating_sub(utf16_len(&s));
                if n == 0 {
                    Value::Str(s)
                } else {
                    let pad: String = std::iter::repeat_n(fill, n).collect();
                    Value::Str(Cow::Owned(if m == Method::PadLeft {
                        pad + &s
                    } else {
                        s.into_owned() + &pad
                    }))
                }
            }
            _ => return internal(&Value::Str(s), "string method"),
        })
    }
}

pub(super) fn str_eq(a: &str, b: &str, ic: bool) -> bool {
    if !ic {
        a == b
    } else if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// `s.Split(seps)`; no separators splits on whitespace.
fn split<'a>(s: &Cow<'a, str>, seps: &[String], remove_empty: bool) -> Vec<Cow<'a, str>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let hit = if seps.is_empty() {
            let c = s[i..].chars().next().unwrap_or(' ');
            c.is_whitespace().then_some(c.len_utf8())
        } else {
            seps.iter()
                .find(|p| !p.is_empty() && s[i..].starts_with(p.as_str()))
                .map(String::len)
        };
        match hit {
            Some(n) => {
                out.push(sub(s, start, i));
                i += n;
                start = i;
            }
            None => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push(sub(s, start, s.len()));
    if remove_empty {
        out.retain(|p| !p.is_empty());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions() {
        assert_eq!(utf16_len("a😀b"), 4);
        assert_eq!(byte_at("a😀b", 3), Some(5));
        assert_eq!(byte_at("a😀b", 2), None);
        assert_eq!(byte_at("ab", 2), Some(2));
        assert_eq!(byte_at("ab", 3), None);
    }

    #[test]
    fn finding() {
        assert_eq!(find("Hello World", "WORLD", true, false), Some(6));
        assert_eq!(find("Hello World", "WORLD", false, false), None);
        assert_eq!(find("ÄbcÄ", "ä", true, true), Some(4));
        assert_eq!(find("abab", "ab", false, true), Some(2));
    }

    #[test]
    fn splitting_borrows() {
        let s = Cow::Borrowed("a,b,,c");
        let parts = split(&s, &[",".into()], false);
        assert_eq!(parts, vec!["a", "b", "", "c"]);
        assert!(matches!(parts[0], Cow::Borrowed(_)));
        assert_eq!(split(&s, &[",".into()], true), vec!["a", "b", "c"]);
        assert_eq!(split(&Cow::Borrowed("a b"), &[], false), vec!["a", "b"]);
    }
}
