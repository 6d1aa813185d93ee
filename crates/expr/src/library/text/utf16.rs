//! UTF-16 positions over Rust's UTF-8 strings: .NET counts string indices
//! and lengths in UTF-16 code units, so every index a member takes or
//! returns goes through here (ASCII strings take a fast path where a byte
//! offset is the UTF-16 index).
//!
//! Surrogate pairs: a Rust string cannot hold a lone surrogate. A
//! supplementary character (U+10000 and above, an emoji) counts 2 units,
//! as in .NET; when an index falls between its two halves, the half that
//! a result would keep alone becomes U+FFFD (the replacement character,
//! itself one unit, so lengths and later indices stay what .NET computes).
//! That is also what .NET's UTF-8 encoder writes for a lone surrogate, so
//! a header or body built from such a cut carries the same bytes; only
//! re-joining the two halves differs (.NET gets the character back,
//! Outpost two U+FFFD).

use std::borrow::Cow;

/// The string's length in UTF-16 code units (`string.Length`).
pub fn len16(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// Where a UTF-16 position falls in a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// On a character boundary, at this byte offset.
    At(usize),
    /// Between the two halves of the supplementary character at bytes
    /// `start..end`.
    Inside(usize, usize),
}

/// The location of UTF-16 position `p` (0..=len16), or `None` past the end.
pub fn locate(s: &str, p: usize) -> Option<Loc> {
    if s.is_ascii() {
        return (p <= s.len()).then_some(Loc::At(p));
    }
    let mut u = 0;
    for (b, c) in s.char_indices() {
        if u == p {
            return Some(Loc::At(b));
        }
        let w = c.len_utf16();
        if w == 2 && u + 1 == p {
            return Some(Loc::Inside(b, b + c.len_utf8()));
        }
        u += w;
        if u > p {
            break;
        }
    }
    (u == p).then_some(Loc::At(s.len()))
}

/// The byte offset of UTF-16 position `p`, rounded forward to the next
/// character boundary when it splits a pair (`None` past the end).
pub fn byte_at(s: &str, p: usize) -> Option<usize> {
    locate(s, p).map(|l| match l {
        Loc::At(b) => b,
        Loc::Inside(_, e) => e,
    })
}

/// The UTF-16 index of byte offset `b` (a character boundary; clamped).
pub fn index16(s: &str, b: usize) -> usize {
    if s.is_ascii() {
        return b.min(s.len());
    }
    let mut u = 0;
    for (i, c) in s.char_indices() {
        if i >= b {
            break;
        }
        u += c.len_utf16();
    }
    u
}

/// UTF-16 range `from..to` of `s` as byte offsets plus whether a lone
/// half (U+FFFD) leads or trails the whole characters in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub start: usize,
    pub end: usize,
    pub lead: bool,
    pub trail: bool,
}

impl Cut {
    /// Whether the cut is exactly a slice of the string.
    pub fn is_slice(&self) -> bool {
        !self.lead && !self.trail
    }
}

/// The cut of UTF-16 range `from..to` (`from <= to <= len16`, else `None`).
pub fn cut(s: &str, from: usize, to: usize) -> Option<Cut> {
    if from > to {
        return None;
    }
    if s.is_ascii() {
        return (to <= s.len()).then_some(Cut {
            start: from,
            end: to,
            lead: false,
            trail: false,
        });
    }
    let a = locate(s, from)?;
    let b = locate(s, to)?;
    if from == to {
        let at = match a {
            Loc::At(x) | Loc::Inside(x, _) => x,
        };
        return Some(Cut {
            start: at,
            end: at,
            lead: false,
            trail: false,
        });
    }
    let (start, lead) = match a {
        Loc::At(x) => (x, false),
        Loc::Inside(_, e) => (e, true),
    };
    let (end, trail) = match b {
        Loc::At(x) => (x, false),
        Loc::Inside(st, _) => (st, true),
    };
    Some(Cut {
        start,
        end: end.max(start),
        lead,
        trail,
    })
}

/// The text of a cut of `s` (borrowed when it is a plain slice).
pub fn cut_text(s: &str, c: Cut) -> Cow<'_, str> {
    let mid = s.get(c.start..c.end).unwrap_or("");
    if c.is_slice() {
        return Cow::Borrowed(mid);
    }
    let mut out = String::with_capacity(mid.len() + 6);
    if c.lead {
        out.push('\u{FFFD}');
    }
    out.push_str(mid);
    if c.trail {
        out.push('\u{FFFD}');
    }
    Cow::Owned(out)
}

/// The char at UTF-16 index `i` (U+FFFD for either half of a pair), or
/// `None` past the end.
pub fn char_at(s: &str, i: usize) -> Option<char> {
    if s.is_ascii() {
        return s.as_bytes().get(i).map(|b| char::from(*b));
    }
    let mut u = 0;
    for c in s.chars() {
        let w = c.len_utf16();
        if i < u + w {
            return Some(if w == 2 { '\u{FFFD}' } else { c });
        }
        u += w;
    }
    None
}

/// The supplementary character that UTF-16 index `i` is a half of:
/// `Some((c, true))` for its high (first) half, `Some((c, false))` for the
/// low one; `None` for a BMP char or past the end.
pub fn pair_at(s: &str, i: usize) -> Option<(char, bool)> {
    if s.is_ascii() {
        return None;
    }
    let mut u = 0;
    for c in s.chars() {
        let w = c.len_utf16();
        if i < u + w {
            return (w == 2).then_some((c, i == u));
        }
        u += w;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_pairs() {
        assert_eq!(len16("abc"), 3);
        assert_eq!(len16("a😀b"), 4);
        assert_eq!(len16("é"), 1);
        assert_eq!(locate("a😀b", 2), Some(Loc::Inside(1, 5)));
        assert_eq!(locate("a😀b", 3), Some(Loc::At(5)));
        assert_eq!(locate("a😀b", 4), Some(Loc::At(6)));
        assert_eq!(locate("a😀b", 5), None);
        assert_eq!(index16("a😀b", 5), 3);
        assert_eq!(char_at("a😀b", 1), Some('\u{FFFD}'));
        assert_eq!(char_at("a😀b", 3), Some('b'));
        assert_eq!(cut_text("a😀b", cut("a😀b", 0, 2).unwrap()), "a\u{FFFD}");
        assert_eq!(cut_text("a😀b", cut("a😀b", 2, 4).unwrap()), "\u{FFFD}b");
        assert_eq!(cut_text("a😀b", cut("a😀b", 1, 3).unwrap()), "😀");
        assert_eq!(cut_text("a😀b", cut("a😀b", 1, 2).unwrap()), "\u{FFFD}");
        assert_eq!(cut_text("a😀b", cut("a😀b", 2, 3).unwrap()), "\u{FFFD}");
        assert_eq!(pair_at("a😀b", 2), Some(('😀', false)));
    }
}
