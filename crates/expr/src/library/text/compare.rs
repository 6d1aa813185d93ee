//! String comparison: the `StringComparison` enum, ordinal and
//! case-insensitive equality and search folding, and the invariant
//! culture's collation as an approximation.
//!
//! Case-insensitive means .NET's simple (one char to one char) case
//! mapping: `ß` stays `ß` (Rust's full mapping would give `SS`).
//!
//! [`compare_invariant`] approximates ICU's root collation, which is what
//! .NET 5+ on Linux (the self-hosted gateway's container) uses for the
//! invariant culture. It compares, in order of strength:
//! 1. primary: ASCII punctuation and symbols in ICU's order
//!    (`_ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % ` ^ + < = > | ~ $`),
//!    after whitespace, before digits, before letters; letters
//!    case-insensitively and without their diacritics (after canonical
//!    decomposition: `é` sorts with `e`); digits of any script by value;
//! 2. secondary: the diacritics (`e` < `é`);
//! 3. tertiary: case, lowercase first (`a` < `A` < `b`);
//! 4. last, the decomposed text ordinally, so the order is total and only
//!    canonically equivalent strings compare equal.
//!
//! Where it differs from ICU (and from NLS, .NET Framework's collation on
//! Windows): non-ASCII punctuation and symbols sort by code point after
//! the ASCII ones of their class; letters without a decomposition (`ø`,
//! `æ`, `ß`, `ł`) sort by code point after `z` instead of next to their
//! base letter or as expansions (`æ` = `ae`, `ß` = `ss`); scripts other
//! than Latin sort by code point; control characters are not ignorable
//! (ICU ignores them: `"a\u0001b"` equals `"ab"` there); no contractions
//! or language tailoring. NLS also gives hyphen and apostrophe minimal
//! weight ("word sort": `"coop"` < `"co-op"`), which ICU and Outpost do not.

use std::cmp::Ordering;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::library::text::chars;
use crate::types::{TypeDef, TypeKind};
use crate::value::Value;

/// `System.StringComparison`.
pub static STRING_COMPARISON: TypeDef = TypeDef {
    name: "StringComparison",
    kind: TypeKind::Enum,
    enum_values: &[
        ("CurrentCulture", 0),
        ("CurrentCultureIgnoreCase", 1),
        ("InvariantCulture", 2),
        ("InvariantCultureIgnoreCase", 3),
        ("Ordinal", 4),
        ("OrdinalIgnoreCase", 5),
    ],
    ..TypeDef::EMPTY
};

/// A comparison kind (the current culture is the invariant one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Culture,
    CultureIgnoreCase,
    Ordinal,
    OrdinalIgnoreCase,
}

impl Cmp {
    /// From a `StringComparison` value.
    pub fn from_value(v: &Value<'_>) -> Option<Cmp> {
        match v {
            Value::Enum(d, x) if d.is(&STRING_COMPARISON) => Cmp::from_code(*x),
            _ => None,
        }
    }

    pub fn from_code(x: i64) -> Option<Cmp> {
        Some(match x {
            0 | 2 => Cmp::Culture,
            1 | 3 => Cmp::CultureIgnoreCase,
            4 => Cmp::Ordinal,
            5 => Cmp::OrdinalIgnoreCase,
            _ => return None,
        })
    }

    pub fn ignore_case(self) -> bool {
        matches!(self, Cmp::CultureIgnoreCase | Cmp::OrdinalIgnoreCase)
    }

    /// Equality under this comparison.
    pub fn eq(self, a: &str, b: &str) -> bool {
        match self {
            Cmp::Ordinal => a == b,
            Cmp::OrdinalIgnoreCase => eq_ignore_case(a, b),
            Cmp::Culture => a == b || culture(a, b, false) == Ordering::Equal,
            Cmp::CultureIgnoreCase => eq_ignore_case(a, b) || culture(a, b, true) == Ordering::Equal,
        }
    }

    /// Order under this comparison, as -1/0/1 (culture) or .NET's
    /// ordinal difference of the first differing UTF-16 units.
    pub fn compare(self, a: &str, b: &str) -> i32 {
        match self {
            Cmp::Ordinal => compare_ordinal(a, b),
            Cmp::OrdinalIgnoreCase => sign(compare_ordinal_ignore_case(a, b)),
            Cmp::Culture => culture(a, b, false) as i32,
            Cmp::CultureIgnoreCase => culture(a, b, true) as i32,
        }
    }

    /// A hash consistent with [`Cmp::eq`].
    pub fn hash(self, s: &str) -> i32 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match self {
            Cmp::Ordinal => s.hash(&mut h),
            Cmp::OrdinalIgnoreCase => s.chars().map(fold).for_each(|c| c.hash(&mut h)),
            Cmp::Culture => s.nfd().for_each(|c| c.hash(&mut h)),
            Cmp::CultureIgnoreCase => s.nfd().map(fold).for_each(|c| c.hash(&mut h)),
        }
        h.finish() as i32
    }
}

fn sign(o: Ordering) -> i32 {
    o as i32
}

/// .NET's simple uppercase mapping used to compare case-insensitively.
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    chars::to_upper(c)
}

/// Ordinal case-insensitive equality.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars().map(fold).eq(b.chars().map(fold))
}

/// Ordinal case-insensitive order (by the uppercase UTF-16 units).
pub fn compare_ordinal_ignore_case(a: &str, b: &str) -> Ordering {
    let up = |s: &str| s.chars().map(fold).collect::<String>();
    if a.is_ascii() && b.is_ascii() {
        let x = a.bytes().map(|c| c.to_ascii_uppercase());
        return x.cmp(b.bytes().map(|c| c.to_ascii_uppercase()));
    }
    up(a).encode_utf16().cmp(up(b).encode_utf16())
}

/// `string.CompareOrdinal`: the difference of the first differing UTF-16
/// units, else of the lengths.
pub fn compare_ordinal(a: &str, b: &str) -> i32 {
    if a.is_ascii() && b.is_ascii() {
        for (x, y) in a.bytes().zip(b.bytes()) {
            if x != y {
                return i32::from(x) - i32::from(y);
            }
        }
        return a.len() as i32 - b.len() as i32;
    }
    let (mut x, mut y) = (a.encode_utf16(), b.encode_utf16());
    loop {
        match (x.next(), y.next()) {
            (Some(p), Some(q)) if p == q => continue,
            (Some(p), Some(q)) => return i32::from(p) - i32::from(q),
            (Some(_), None) => return 1 + x.count() as i32,
            (None, Some(_)) => return -1 - y.count() as i32,
            (None, None) => return 0,
        }
    }
}

/// ICU's root order of the ASCII characters that are neither letters nor
/// digits (whitespace first, then punctuation, then symbols).
const ASCII_ORDER: &[u8] = b"\t\n\x0b\x0c\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";

/// A character's primary key: (class, weight). Classes: 0 whitespace and
/// punctuation and symbols (ASCII ones in [`ASCII_ORDER`], others after
/// them by code point), 1 digits (by value), 2 letters (by lowercase
/// base letter), 3 anything else.
fn primary(c: char) -> (u8, u32) {
    if c.is_ascii() {
        let b = c as u8;
        if b.is_ascii_digit() {
            return (1, u32::from(b - b'0'));
        }
        if b.is_ascii_alphabetic() {
            return (2, u32::from(b.to_ascii_lowercase()));
        }
        if let Some(p) = ASCII_ORDER.iter().position(|x| *x == b) {
            return (0, p as u32);
        }
        return (0, 0x100 + u32::from(b));
    }
    if c.is_alphabetic() {
        return (2, chars::to_lower(c) as u32);
    }
    if c.is_numeric() {
        let v = chars::numeric_value(c);
        if v >= 0.0 && v.fract() == 0.0 && v < 10.0 {
            return (1, v as u32);
        }
        return (1, 0x1000 + c as u32);
    }
    if c.is_whitespace() || chars::is_punctuation(c) || chars::is_symbol(c) {
        return (0, 0x1000 + c as u32);
    }
    (3, c as u32)
}

/// The collation elements of a string: for each base char, (primary,
/// its combining marks, whether uppercase).
fn elements(s: &str) -> Vec<((u8, u32), Vec<char>, bool)> {
    let mut out: Vec<((u8, u32), Vec<char>, bool)> = Vec::with_capacity(s.len());
    let mut push = |c: char| {
        if is_combining_mark(c) {
            if let Some(last) = out.last_mut() {
                last.1.push(c);
                return;
            }
        }
        out.push((primary(c), Vec::new(), chars::is_upper(c)));
    };
    if s.is_ascii() {
        s.chars().for_each(&mut push);
    } else {
        s.nfd().for_each(&mut push);
    }
    out
}

/// The invariant culture's comparison (see the module doc).
pub fn culture(a: &str, b: &str, ignore_case: bool) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_ascii() && b.is_ascii() {
        // No diacritics: primary, then case, then ordinal; no allocation.
        let primary = a.chars().map(primary).cmp(b.chars().map(primary));
        if primary != Ordering::Equal || ignore_case {
            return primary;
        }
        let case = |c: char| c.is_ascii_uppercase();
        return a.chars().map(case).cmp(b.chars().map(case)).then_with(|| a.cmp(b));
    }
    let (x, y) = (elements(a), elements(b));
    let primary = x.iter().map(|e| e.0).cmp(y.iter().map(|e| e.0));
    if primary != Ordering::Equal {
        return primary;
    }
    let secondary = x.iter().map(|e| &e.1).cmp(y.iter().map(|e| &e.1));
    if secondary != Ordering::Equal {
        return secondary;
    }
    if !ignore_case {
        let tertiary = x.iter().map(|e| e.2).cmp(y.iter().map(|e| e.2));
        if tertiary != Ordering::Equal {
            return tertiary;
        }
        return a.nfd().cmp(b.nfd());
    }
    a.nfd().map(fold).cmp(b.nfd().map(fold))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invariant_order() {
        let mut v = vec!["b", "B", "a", "A", "_x", "1", "é", "e", "f", "ab", "-", "Z"];
        v.sort_by(|a, b| culture(a, b, false));
        assert_eq!(v, ["_x", "-", "1", "a", "A", "ab", "b", "B", "e", "é", "f", "Z"]);
        assert_eq!(culture("e\u{301}", "é", false), Ordering::Equal);
        assert_eq!(culture("abc", "ABC", true), Ordering::Equal);
        assert_eq!(culture("abc", "ABD", true), Ordering::Less);
    }

    #[test]
    fn ordinal() {
        assert_eq!(compare_ordinal("a", "c"), -2);
        assert_eq!(compare_ordinal("abc", "ab"), 1);
        assert_eq!(compare_ordinal("A", "a"), -32);
        assert!(!eq_ignore_case("Straße", "STRASSE"));
        assert!(eq_ignore_case("héllo", "HÉLLO"));
        assert_eq!(Cmp::OrdinalIgnoreCase.hash("aB"), Cmp::OrdinalIgnoreCase.hash("Ab"));
    }
}
