//! The members of `System.String` that build a new string from the
//! receiver: `Substring`, `Remove`, `Insert`, `PadLeft`/`PadRight`,
//! `Trim*`, `ToUpper`/`ToLower`, `Replace`, `ReplaceLineEndings`,
//! `Normalize`. Each returns the receiver itself, or a borrowed part of
//! it, when it can (no allocation); positions are UTF-16 indices.

use std::borrow::Cow;

use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::args::{self, no_overload, out_of_range, owned};
use super::chars::{to_lower, to_upper};
use super::compare::Cmp;
use super::search::{self, Window};
use super::utf16;
use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::value::Value;

/// A part of the receiver: borrowed from a borrowed receiver, cut in
/// place from an owned one.
pub fn part<'a>(s: Cow<'a, str>, start: usize, end: usize) -> Cow<'a, str> {
    if start == 0 && end == s.len() {
        return s;
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(start..end).unwrap_or("")),
        Cow::Owned(o) => Cow::Owned(o.get(start..end).unwrap_or("").to_owned()),
    }
}

/// `Substring(start[, length])`.
pub fn substring<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    let len = utf16::len16(&s);
    let start = args::int(
        args.first().ok_or_else(|| no_overload("Substring", args))?,
        "startIndex",
    )?;
    let start =
        usize::try_from(start).map_err(|_| out_of_range("startIndex", "StartIndex cannot be less than zero."))?;
    if start > len {
        return Err(out_of_range(
            "startIndex",
            "startIndex cannot be larger than length of string.",
        ));
    }
    let count = match args.get(1) {
        Some(v) => usize::try_from(args::int(v, "length")?)
            .map_err(|_| out_of_range("length", "Length cannot be less than zero."))?,
        None => len - start,
    };
    if start + count > len {
        return Err(out_of_range(
            "length",
            "Index and length must refer to a location within the string.",
        ));
    }
    cut(s, start, start + count)
}

/// UTF-16 range `from..to` of `s` (validated by the caller).
pub fn cut<'a>(s: Cow<'a, str>, from: usize, to: usize) -> EvalResult<Cow<'a, str>> {
    let c = utf16::cut(&s, from, to)
        .ok_or_else(|| out_of_range("length", "Index and length must refer to a location within the string."))?;
    if c.is_slice() {
        return Ok(part(s, c.start, c.end));
    }
    Ok(Cow::Owned(utf16::cut_text(&s, c).into_owned()))
}

/// `Remove(start[, count])`.
pub fn remove<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    let len = utf16::len16(&s);
    let start = args::index(
        args.first().ok_or_else(|| no_overload("Remove", args))?,
        "startIndex",
        "StartIndex cannot be less than zero.",
    )?;
    let count = match args.get(1) {
        Some(v) => args::index(v, "count", "Count cannot be less than zero.")?,
        None => {
            if start >= len && !(start == 0 && len == 0) {
                return Err(out_of_range(
                    "startIndex",
                    "startIndex must be less than length of string.",
                ));
            }
            len - start
        }
    };
    if start + count > len {
        return Err(out_of_range(
            "count",
            "Index and count must refer to a location within the string.",
        ));
    }
    if count == len {
        return Ok(Cow::Borrowed(""));
    }
    if start + count == len {
        return cut(s, 0, start);
    }
    if start == 0 {
        return cut(s, count, len);
    }
    let head = utf16::cut_text(
        &s,
        utf16::cut(&s, 0, start).unwrap_or(utf16::Cut {
            start: 0,
            end: 0,
            lead: false,
            trail: false,
        }),
    );
    let tail = utf16::cut_text(
        &s,
        utf16::cut(&s, start + count, len).unwrap_or(utf16::Cut {
            start: 0,
            end: 0,
            lead: false,
            trail: false,
        }),
    );
    Ok(Cow::Owned(format!("{head}{tail}")))
}

/// `Insert(start, value)`.
pub fn insert<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    let [at, v] = args else {
        return Err(no_overload("Insert", args));
    };
    let v = args::req_str(v, "value")?;
    let at = args::int(at, "startIndex")?;
    let b = usize::try_from(at)
        .ok()
        .and_then(|i| utf16::locate(&s, i))
        .ok_or_else(|| {
            out_of_range(
                "startIndex",
                "Index was out of range. Must be non-negative and less than or equal to the size of the collection.",
            )
        })?;
    if v.is_empty() {
        return Ok(s);
    }
    Ok(Cow::Owned(match b {
        utf16::Loc::At(b) => format!("{}{v}{}", &s[..b], &s[b..]),
        utf16::Loc::Inside(st, e) => format!("{}\u{FFFD}{v}\u{FFFD}{}", &s[..st], &s[e..]),
    }))
}

/// `PadLeft`/`PadRight(totalWidth[, char])`.
pub fn pad<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, args: &[Value<'a>], left: bool) -> EvalResult<Cow<'a, str>> {
    let (w, c) = match args {
        [w] => (w, ' '),
        [w, Value::Char(c)] => (w, *c),
        _ => return Err(no_overload(if left { "PadLeft" } else { "PadRight" }, args)),
    };
    let w = args::index(w, "totalWidth", "Non-negative number required.")?;
    let len = utf16::len16(&s);
    if w <= len {
        return Ok(s);
    }
    rt.alloc((w - len).saturating_mul(c.len_utf8()))?;
    let fill: String = std::iter::repeat_n(c, w - len).collect();
    Ok(Cow::Owned(if left { fill + &s } else { format!("{s}{fill}") }))
}

/// `Trim`/`TrimStart`/`TrimEnd` (whitespace, or the given chars).
pub fn trim<'a>(s: Cow<'a, str>, name: &str, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    let set = args::params_chars(args).ok_or_else(|| no_overload(name, args))?;
    let pred = |c: char| {
        if set.is_empty() {
            c.is_whitespace()
        } else {
            set.contains(&c)
        }
    };
    let view: &str = &s;
    let start = match name {
        "TrimEnd" => 0,
        _ => view.len() - view.trim_start_matches(pred).len(),
    };
    let end = match name {
        "TrimStart" => view.len(),
        _ => view.trim_end_matches(pred).len(),
    };
    Ok(part(s, start, end.max(start)))
}

/// `ToUpper`/`ToLower` with .NET's simple (per-char) case mapping.
pub fn case<'a>(s: Cow<'a, str>, upper: bool) -> Cow<'a, str> {
    if s.is_ascii() {
        let changes = if upper {
            s.bytes().any(|b| b.is_ascii_lowercase())
        } else {
            s.bytes().any(|b| b.is_ascii_uppercase())
        };
        if !changes {
            return s;
        }
        let mut o = s.into_owned();
        if upper {
            o.make_ascii_uppercase();
        } else {
            o.make_ascii_lowercase();
        }
        return Cow::Owned(o);
    }
    let map = if upper { to_upper } else { to_lower };
    if s.chars().all(|c| map(c) == c) {
        return s;
    }
    Cow::Owned(s.chars().map(map).collect())
}

/// `Replace(char, char)`, `Replace(string, string[, comparison])`,
/// `Replace(string, string, bool ignoreCase, CultureInfo)`.
pub fn replace<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    match args {
        [Value::Char(a), Value::Char(b)] => {
            if !s.contains(*a) {
                return Ok(s);
            }
            Ok(Cow::Owned(s.chars().map(|c| if c == *a { *b } else { c }).collect()))
        }
        [old, new, rest @ ..] => {
            let cmp = match rest {
                [] => Cmp::Ordinal,
                [c] => Cmp::from_value(c).ok_or_else(|| no_overload("Replace", args))?,
                [Value::Bool(ic), _] => {
                    if *ic {
                        Cmp::CultureIgnoreCase
                    } else {
                        Cmp::Culture
                    }
                }
                _ => return Err(no_overload("Replace", args)),
            };
            let old = args::req_str(old, "oldValue")?;
            if old.is_empty() {
                return Err(EvalError::argument(
                    "String cannot be of zero length. (Parameter 'oldValue')",
                ));
            }
            let new = args::opt_str(new).unwrap_or("");
            if new.len() > old.len() {
                // Charge the growth before building the result.
                let all = Window { start: 0, end: s.len() };
                let (mut n, mut at) = (0usize, 0);
                while let Some((_, e)) = search::find(&s, old, Window { start: at, ..all }, cmp) {
                    n += 1;
                    at = e;
                }
                rt.charge(n as u64)?;
                rt.alloc(n.saturating_mul(new.len() - old.len()))?;
            }
            Ok(match search::replace(&s, old, new, cmp) {
                Cow::Borrowed(_) => s,
                Cow::Owned(o) => Cow::Owned(o),
            })
        }
        _ => Err(no_overload("Replace", args)),
    }
}

/// The most a single text operation without access to the budget may
/// build (the default memory budget is 16 MiB; the caller charges what was
/// built).
const MAX_BUILT: usize = 64 << 20;

/// `ReplaceLineEndings([replacement])`: `\r\n`, `\r`, `\n`, NEL, LS, PS,
/// FF become `replacement` (default: Linux's `\n`).
pub fn replace_line_endings<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    let with = match args {
        [] => "\n",
        [v] => args::req_str(v, "replacementText")?,
        _ => return Err(no_overload("ReplaceLineEndings", args)),
    };
    let is_nl = |c: char| matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{c}');
    if !s.contains(is_nl) {
        return Ok(s);
    }
    // Charged by the caller once built: refuse first what no budget allows.
    let endings = s.chars().filter(|c| is_nl(*c)).count();
    let need = s.len().saturating_add(endings.saturating_mul(with.len()));
    if need > MAX_BUILT {
        return Err(crate::error::EvalError::new(
            crate::error::EvalErrorKind::Budget,
            format!("ReplaceLineEndings would build {need} bytes, more than an expression may allocate"),
        ));
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\r' && it.peek() == Some(&'\n') {
            it.next();
        }
        if is_nl(c) {
            out.push_str(with);
        } else {
            out.push(c);
        }
    }
    Ok(Cow::Owned(out))
}

/// A `NormalizationForm` (an enum APIM does not allow naming: only its
/// numeric values can reach here). FormC = 1, FormD = 2, FormKC = 5,
/// FormKD = 6.
#[derive(Clone, Copy, PartialEq)]
pub enum Form {
    C,
    D,
    KC,
    KD,
}

pub fn form(args: &[Value<'_>]) -> EvalResult<Form> {
    let code = match args {
        [] => return Ok(Form::C),
        [Value::Enum(_, x)] => *x,
        [v] => v.as_integer().unwrap_or(-1) as i64,
        _ => -1,
    };
    Ok(match code {
        1 => Form::C,
        2 => Form::D,
        5 => Form::KC,
        6 => Form::KD,
        _ => {
            return Err(EvalError::argument(
                "Invalid normalization form. (Parameter 'normalizationForm')",
            ))
        }
    })
}

pub fn normalized(s: &str, f: Form) -> String {
    match f {
        Form::C => s.nfc().collect(),
        Form::D => s.nfd().collect(),
        Form::KC => s.nfkc().collect(),
        Form::KD => s.nfkd().collect(),
    }
}

pub fn normalize<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let f = form(args)?;
    if s.is_ascii() || (f == Form::C && is_nfc(&s)) {
        return Ok(Value::Str(s));
    }
    owned(rt, normalized(&s, f))
}
