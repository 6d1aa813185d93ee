//! `String.Split` and the `StringSplitOptions` enum: separators are
//! chars, strings or (none / null / empty) whitespace; `count` caps the
//! number of pieces (the last holds the rest); `RemoveEmptyEntries` and
//! `TrimEntries` follow .NET Core's post-processing exactly (an empty
//! piece does not count toward `count`; leading empty pieces before the
//! last one are skipped).

use super::args::{self, out_of_range};
use crate::error::EvalResult;
use crate::types::{TypeDef, TypeKind};
use crate::value::Value;

/// `System.StringSplitOptions`.
pub static STRING_SPLIT_OPTIONS: TypeDef = TypeDef {
    name: "StringSplitOptions",
    kind: TypeKind::Enum,
    flags: true,
    enum_values: &[("None", 0), ("RemoveEmptyEntries", 1), ("TrimEntries", 2)],
    ..TypeDef::EMPTY
};

const REMOVE_EMPTY: i64 = 1;
const TRIM: i64 = 2;

/// What to split on.
#[derive(Debug, PartialEq)]
pub enum Seps {
    Whitespace,
    Chars(Vec<char>),
    /// Non-empty strings, tried in order at each position.
    Strings(Vec<String>),
}

/// A split request parsed from a call's arguments.
#[derive(Debug)]
pub struct SplitArgs {
    pub seps: Seps,
    pub count: usize,
    pub options: i64,
}

fn options_of(v: &Value<'_>) -> Option<i64> {
    match v {
        Value::Enum(d, x) if d.is(&STRING_SPLIT_OPTIONS) => Some(*x),
        _ => None,
    }
}

/// Reads `Split`'s overloads: `(params char[])`, `(char[]|char|string|
/// string[] [, count] [, options])`.
pub fn parse_args(args: &[Value<'_>]) -> EvalResult<SplitArgs> {
    let mut rest = args;
    let mut options = 0;
    if let Some(o) = rest.last().and_then(options_of) {
        options = o;
        rest = &rest[..rest.len() - 1];
    }
    let mut count = usize::MAX;
    if rest.len() == 2 && args::is_int(&rest[1]) {
        let c = args::int(&rest[1], "count")?;
        count = usize::try_from(c).map_err(|_| out_of_range("count", "Count cannot be less than zero."))?;
        rest = &rest[..1];
    }
    if options & !(REMOVE_EMPTY | TRIM) != 0 {
        return Err(crate::EvalError::argument(format!(
            "Value of flags is invalid. (Parameter 'options')\nActual value was {options}."
        )));
    }
    let seps = match rest {
        [] | [Value::Null] => Seps::Whitespace,
        [Value::Str(s)] => {
            if s.is_empty() {
                Seps::Strings(Vec::new())
            } else {
                Seps::Strings(vec![s.to_string()])
            }
        }
        [one] if args::string_array(one).is_some() && args::char_array(one).is_none() => {
            let v: Vec<String> = args::string_array(one)
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect();
            if v.is_empty() {
                Seps::Whitespace
            } else {
                Seps::Strings(v)
            }
        }
        _ => match args::params_chars(rest) {
            Some(cs) if cs.is_empty() => Seps::Whitespace,
            Some(cs) => Seps::Chars(cs),
            None => return Err(args::no_overload("Split", args)),
        },
    };
    Ok(SplitArgs { seps, count, options })
}

/// The separators' positions: (byte offset, byte length), in order.
fn separators(s: &str, seps: &Seps) -> Vec<(usize, usize)> {
    match seps {
        Seps::Whitespace => s
            .char_indices()
            .filter(|(_, c)| c.is_whitespace())
            .map(|(i, c)| (i, c.len_utf8()))
            .collect(),
        Seps::Chars(cs) => {
            if cs.len() == 1 && cs[0].is_ascii() {
                let b = cs[0] as u8;
                return s
                    .bytes()
                    .enumerate()
                    .filter(|(_, x)| *x == b)
                    .map(|(i, _)| (i, 1))
                    .collect();
            }
            s.char_indices()
                .filter(|(_, c)| cs.contains(c))
                .map(|(i, c)| (i, c.len_utf8()))
                .collect()
        }
        Seps::Strings(ss) => {
            let mut out = Vec::new();
            let mut i = 0;
            while i < s.len() {
                let rest = &s[i..];
                if let Some(sep) = ss.iter().find(|x| rest.starts_with(x.as_str())) {
                    out.push((i, sep.len()));
                    i += sep.len();
                } else {
                    i += rest.chars().next().map_or(1, char::len_utf8);
                }
            }
            out
        }
    }
}

/// Splits `s` (pieces borrow from it).
pub fn split<'s>(s: &'s str, a: &SplitArgs) -> Vec<&'s str> {
    let remove = a.options & REMOVE_EMPTY != 0;
    let trim = a.options & TRIM != 0;
    let tidy = |x: &'s str| if trim { x.trim() } else { x };
    let sole = |out: &mut Vec<&'s str>| {
        let x = tidy(s);
        if !(remove && x.is_empty()) {
            out.push(x);
        }
    };
    let mut out = Vec::new();
    if a.count == 0 {
        return out;
    }
    if a.count == 1 || s.is_empty() {
        sole(&mut out);
        return out;
    }
    let seps = separators(s, &a.seps);
    if seps.is_empty() {
        sole(&mut out);
        return out;
    }
    let mut cur = 0;
    let mut i = 0;
    while i < seps.len() {
        let (at, len) = seps[i];
        let piece = tidy(&s[cur..at]);
        if !(remove && piece.is_empty()) {
            out.push(piece);
        }
        cur = at + len;
        if out.len() == a.count - 1 {
            if remove {
                while i + 1 < seps.len() {
                    let (at, len) = seps[i + 1];
                    if !tidy(&s[cur..at]).is_empty() {
                        break;
                    }
                    cur = at + len;
                    i += 1;
                }
            }
            break;
        }
        i += 1;
    }
    let last = tidy(&s[cur..]);
    if !(remove && last.is_empty()) {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: &str, seps: Seps, count: usize, options: i64) -> Vec<&str> {
        split(s, &SplitArgs { seps, count, options })
    }

    #[test]
    fn splits() {
        let c = |x: char| Seps::Chars(vec![x]);
        assert_eq!(sp("a,b,,c", c(','), usize::MAX, 0), ["a", "b", "", "c"]);
        assert_eq!(sp("a,b,,c", c(','), usize::MAX, 1), ["a", "b", "c"]);
        assert_eq!(sp("a,,b,c", c(','), 2, 1), ["a", "b,c"]);
        assert_eq!(sp("a,b,c", c(','), 2, 0), ["a", "b,c"]);
        assert_eq!(sp(" a , b ,", c(','), usize::MAX, 3), ["a", "b"]);
        assert_eq!(
            sp("Bearer  tok", Seps::Whitespace, usize::MAX, 0),
            ["Bearer", "", "tok"]
        );
        assert_eq!(
            sp("a<>b<>c", Seps::Strings(vec!["<>".into()]), usize::MAX, 0),
            ["a", "b", "c"]
        );
        assert_eq!(sp("abc", Seps::Strings(vec![]), usize::MAX, 0), ["abc"]);
        assert_eq!(sp("", c(','), usize::MAX, 0), [""]);
        assert_eq!(sp("", c(','), usize::MAX, 1), Vec::<&str>::new());
        assert_eq!(sp("a,b", c(','), 0, 0), Vec::<&str>::new());
    }
}
