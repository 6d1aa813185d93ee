//! Searching strings: `IndexOf`/`LastIndexOf` (chars, strings, any-of),
//! `Contains`, `StartsWith`/`EndsWith` and `Replace`, under a
//! [`Cmp`]. Positions in and out are UTF-16 indices; the search itself
//! runs on bytes.
//!
//! Culture-sensitive searches (the default for a string argument of
//! `IndexOf`, `StartsWith`, `EndsWith`) are ordinal here: ICU also ignores
//! zero-width characters and matches canonically equivalent sequences
//! (`"\r\n".IndexOf("\n")` is -1 under ICU, 1 here).

use std::borrow::Cow;

use super::args::out_of_range;
use super::compare::{fold, Cmp};
use super::utf16;

/// A search window of UTF-16 positions, as byte offsets `start..end`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: usize,
    pub end: usize,
}

/// The window `from..from+count` (UTF-16) of `s`, validated as .NET does
/// for `IndexOf(value, startIndex, count)`.
pub fn forward_window(s: &str, from: Option<i32>, count: Option<i32>) -> Result<Window, crate::EvalError> {
    let len = utf16::len16(s) as i64;
    let from = i64::from(from.unwrap_or(0));
    if from < 0 || from > len {
        return Err(out_of_range(
            "startIndex",
            "Index was out of range. Must be non-negative and less than or equal to the size of the collection.",
        ));
    }
    let count = count.map_or(len - from, i64::from);
    if count < 0 || from + count > len {
        return Err(out_of_range(
            "count",
            "Count must be positive and count must refer to a location within the string/array/collection.",
        ));
    }
    Ok(Window {
        start: utf16::byte_at(s, from as usize).unwrap_or(s.len()),
        end: utf16::byte_at(s, (from + count) as usize).unwrap_or(s.len()),
    })
}

/// The window of `LastIndexOf(value, startIndex, count)`: the `count`
/// positions ending at `startIndex` (inclusive).
pub fn backward_window(s: &str, from: Option<i32>, count: Option<i32>) -> Result<Window, crate::EvalError> {
    let len = utf16::len16(s) as i64;
    let start_index = i64::from(from.unwrap_or(len as i32 - 1));
    if len == 0 && (start_index == -1 || start_index == 0) {
        return Ok(Window { start: 0, end: 0 });
    }
    if start_index < 0 || start_index > len {
        return Err(out_of_range(
            "startIndex",
            "Index was out of range. Must be non-negative and less than the size of the collection.",
        ));
    }
    let end = (start_index + 1).min(len);
    let count = count.map_or(end, |c| i64::from(c).min(end));
    if count < 0 || end - count < 0 {
        return Err(out_of_range(
            "count",
            "Count must be positive and count must refer to a location within the string/array/collection.",
        ));
    }
    Ok(Window {
        start: utf16::byte_at(s, (end - count) as usize).unwrap_or(0),
        end: utf16::byte_at(s, end as usize).unwrap_or(s.len()),
    })
}

/// Whether `needle` matches at the start of `hay` case-insensitively;
/// the bytes of `hay` it covers.
fn prefix_fold(hay: &str, needle: &str) -> Option<usize> {
    let mut h = hay.char_indices();
    for n in needle.chars() {
        let (_, c) = h.next()?;
        if fold(c) != fold(n) {
            return None;
        }
    }
    Some(h.next().map_or(hay.len(), |(i, _)| i))
}

/// The first match of `needle` in `s[w]`: (start, end) byte offsets.
pub fn find(s: &str, needle: &str, w: Window, cmp: Cmp) -> Option<(usize, usize)> {
    let hay = s.get(w.start..w.end)?;
    if needle.is_empty() {
        return Some((w.start, w.start));
    }
    if !cmp.ignore_case() {
        return hay.find(needle).map(|i| (w.start + i, w.start + i + needle.len()));
    }
    if hay.is_ascii() && needle.is_ascii() {
        let n = needle.len();
        return hay
            .as_bytes()
            .windows(n)
            .position(|x| x.eq_ignore_ascii_case(needle.as_bytes()))
            .map(|i| (w.start + i, w.start + i + n));
    }
    hay.char_indices()
        .find_map(|(i, _)| prefix_fold(&hay[i..], needle).map(|l| (w.start + i, w.start + i + l)))
}

/// The last match of `needle` in `s[w]`.
pub fn rfind(s: &str, needle: &str, w: Window, cmp: Cmp) -> Option<(usize, usize)> {
    let hay = s.get(w.start..w.end)?;
    if needle.is_empty() {
        return Some((w.end, w.end));
    }
    if !cmp.ignore_case() {
        return hay.rfind(needle).map(|i| (w.start + i, w.start + i + needle.len()));
    }
    hay.char_indices()
        .rev()
        .find_map(|(i, _)| prefix_fold(&hay[i..], needle).map(|l| (w.start + i, w.start + i + l)))
}

/// The first char of `s[w]` in `set` (or equal to it ignoring case).
pub fn find_any(s: &str, set: &[char], w: Window, ignore_case: bool) -> Option<usize> {
    let hay = s.get(w.start..w.end)?;
    let hit = |c: char| set.iter().any(|x| *x == c || (ignore_case && fold(*x) == fold(c)));
    hay.char_indices().find(|(_, c)| hit(*c)).map(|(i, _)| w.start + i)
}

/// The last char of `s[w]` in `set`.
pub fn rfind_any(s: &str, set: &[char], w: Window, ignore_case: bool) -> Option<usize> {
    let hay = s.get(w.start..w.end)?;
    let hit = |c: char| set.iter().any(|x| *x == c || (ignore_case && fold(*x) == fold(c)));
    hay.char_indices()
        .rev()
        .find(|(_, c)| hit(*c))
        .map(|(i, _)| w.start + i)
}

/// `StartsWith(value, cmp)`.
pub fn starts_with(s: &str, value: &str, cmp: Cmp) -> bool {
    if cmp.ignore_case() {
        prefix_fold(s, value).is_some()
    } else {
        s.starts_with(value)
    }
}

/// `EndsWith(value, cmp)`.
pub fn ends_with(s: &str, value: &str, cmp: Cmp) -> bool {
    if !cmp.ignore_case() {
        return s.ends_with(value);
    }
    let n = value.chars().count();
    let start = s.char_indices().rev().nth(n.wrapping_sub(1)).map(|(i, _)| i);
    match (n, start) {
        (0, _) => true,
        (_, Some(i)) => prefix_fold(&s[i..], value) == Some(s.len() - i),
        _ => false,
    }
}

/// `Replace(old, new, cmp)`: `old` is non-empty. Borrows `s` when nothing
/// matches.
pub fn replace<'s>(s: &'s str, old: &str, new: &str, cmp: Cmp) -> Cow<'s, str> {
    let all = Window { start: 0, end: s.len() };
    let Some(mut hit) = find(s, old, all, cmp) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    loop {
        out.push_str(&s[last..hit.0]);
        out.push_str(new);
        last = hit.1;
        match find(
            s,
            old,
            Window {
                start: last,
                end: s.len(),
            },
            cmp,
        ) {
            Some(h) => hit = h,
            None => break,
        }
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches() {
        let all = |s: &str| Window { start: 0, end: s.len() };
        assert_eq!(find("Hello", "LL", all("Hello"), Cmp::OrdinalIgnoreCase), Some((2, 4)));
        assert_eq!(find("Hello", "LL", all("Hello"), Cmp::Ordinal), None);
        assert_eq!(rfind("Hello", "", all("Hello"), Cmp::Ordinal), Some((5, 5)));
        assert_eq!(
            find("ÉTÉ été", "été", all("ÉTÉ été"), Cmp::OrdinalIgnoreCase),
            Some((0, 5))
        );
        assert!(ends_with("Straße.JSON", ".json", Cmp::OrdinalIgnoreCase));
        assert!(!ends_with("a", "ab", Cmp::OrdinalIgnoreCase));
        assert_eq!(replace("aXbxc", "x", "-", Cmp::OrdinalIgnoreCase), "a-b-c");
        assert_eq!(replace("aaa", "a", "aa", Cmp::Ordinal), "aaaaaa");
        let w = backward_window("Hello", Some(3), Some(2)).unwrap();
        assert_eq!((w.start, w.end), (2, 4));
        assert!(forward_window("abc", Some(4), None).is_err());
        assert!(forward_window("abc", Some(1), Some(3)).is_err());
    }
}
