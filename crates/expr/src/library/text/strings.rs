//! `System.String`'s instance members (`s.Length`, `s.Substring(…)`, `s[i]`…).
//! The receiver arrives as a `Cow<'a, str>`: results that are a part of
//! it (`Trim`, `Substring`, `ToString`, an unchanged `Replace`/`ToUpper`)
//! borrow it, so the one-line expressions over headers allocate nothing.
//! Indices are UTF-16 ([`super::utf16`]).

use std::borrow::Cow;

use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::args::{self, no_overload, null_arg, out_of_range, owned};
use super::chars::{to_lower, to_upper, CHAR};
use super::compare::Cmp;
use super::search::{self, backward_window, forward_window, Window};
use super::split;
use super::utf16;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

/// A part of the receiver: borrowed from a borrowed receiver, cut in
/// place from an owned one.
fn part<'a>(s: Cow<'a, str>, start: usize, end: usize) -> Cow<'a, str> {
    if start == 0 && end == s.len() {
        return s;
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(start..end).unwrap_or("")),
        Cow::Owned(o) => Cow::Owned(o.get(start..end).unwrap_or("").to_owned()),
    }
}

/// A property of a string.
pub fn string_get<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    match name {
        "Length" => Some(Ok(Value::Int(utf16::len16(&s) as i32))),
        _ => None,
    }
}

/// `s[i]`: the char at UTF-16 index `i` (U+FFFD for half of a pair).
pub fn string_index<'a>(s: &str, key: &Value<'a>) -> Option<EvalResult<Value<'a>>> {
    let Some(i) = key.as_integer().filter(|_| !matches!(key, Value::Char(_))) else {
        return Some(Err(EvalError::argument("a string index must be an int")));
    };
    Some(
        usize::try_from(i)
            .ok()
            .and_then(|i| utf16::char_at(s, i))
            .map(Value::Char)
            .ok_or_else(|| {
                EvalError::new(
                    EvalErrorKind::IndexOutOfRange,
                    "Index was outside the bounds of the array.",
                )
            }),
    )
}

/// The trailing `StringComparison` argument, if any.
fn split_cmp<'v, 'a>(args: &'v [Value<'a>], default: Cmp) -> (&'v [Value<'a>], Cmp) {
    match args.last().and_then(Cmp::from_value) {
        Some(c) => (&args[..args.len() - 1], c),
        None => (args, default),
    }
}

/// `(value, bool ignoreCase, CultureInfo)` overloads' comparison.
fn bool_cmp<'v, 'a>(args: &'v [Value<'a>]) -> (&'v [Value<'a>], Cmp) {
    if let [v, Value::Bool(ic), _culture] = args {
        let cmp = if *ic { Cmp::CultureIgnoreCase } else { Cmp::Culture };
        return (std::slice::from_ref(v), cmp);
    }
    (args, Cmp::Culture)
}

fn int_opt(v: Option<&Value<'_>>, param: &str) -> EvalResult<Option<i32>> {
    v.map(|v| args::int(v, param)).transpose()
}

fn found<'a>(s: &str, at: Option<usize>) -> Value<'a> {
    Value::Int(at.map_or(-1, |b| utf16::index16(s, b) as i32))
}

/// `IndexOf`/`LastIndexOf` over chars or strings.
fn index_of<'a>(s: &str, args: &[Value<'a>], last: bool) -> EvalResult<Value<'a>> {
    let name = if last { "LastIndexOf" } else { "IndexOf" };
    let (rest, cmp) = split_cmp(args, Cmp::Culture);
    let (value, nums) = rest.split_first().ok_or_else(|| no_overload(name, args))?;
    if nums.len() > 2 || !nums.iter().all(args::is_int) {
        return Err(no_overload(name, args));
    }
    let from = int_opt(nums.first(), "startIndex")?;
    let count = int_opt(nums.get(1), "count")?;
    let w = if last {
        backward_window(s, from, count)?
    } else {
        forward_window(s, from, count)?
    };
    let hit = match value {
        Value::Char(c) => {
            let ic = cmp.ignore_case();
            if last {
                search::rfind_any(s, &[*c], w, ic)
            } else {
                search::find_any(s, &[*c], w, ic)
            }
        }
        Value::Str(v) => {
            let cmp = if matches!(value, Value::Str(_)) {
                cmp
            } else {
                Cmp::Ordinal
            };
            let r = if last {
                search::rfind(s, v, w, cmp)
            } else {
                search::find(s, v, w, cmp)
            };
            r.map(|x| x.0)
        }
        Value::Null => return Err(null_arg("value")),
        _ => return Err(no_overload(name, args)),
    };
    Ok(found(s, hit))
}

fn index_of_any<'a>(s: &str, args: &[Value<'a>], last: bool) -> EvalResult<Value<'a>> {
    let name = if last { "LastIndexOfAny" } else { "IndexOfAny" };
    let (set, nums) = args.split_first().ok_or_else(|| no_overload(name, args))?;
    if set.is_null() {
        return Err(null_arg("anyOf"));
    }
    let set = args::char_array(set).ok_or_else(|| no_overload(name, args))?;
    let from = int_opt(nums.first(), "startIndex")?;
    let count = int_opt(nums.get(1), "count")?;
    let w = if last {
        backward_window(s, from, count)?
    } else {
        forward_window(s, from, count)?
    };
    let hit = if last {
        search::rfind_any(s, &set, w, false)
    } else {
        search::find_any(s, &set, w, false)
    };
    Ok(found(s, hit))
}

/// `Contains`, `StartsWith`, `EndsWith`.
fn test<'a>(s: &str, name: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let default = if name == "Contains" { Cmp::Ordinal } else { Cmp::Culture };
    let (rest, cmp) = split_cmp(args, default);
    let (rest, cmp) = if rest.len() == 3 { bool_cmp(rest) } else { (rest, cmp) };
    let r = match rest {
        [Value::Char(c)] => {
            let ic = cmp.ignore_case();
            let eq = |x: char| x == *c || (ic && super::compare::fold(x) == super::compare::fold(*c));
            match name {
                "Contains" => s.chars().any(eq),
                "StartsWith" => s.chars().next().is_some_and(eq),
                _ => s.chars().next_back().is_some_and(eq),
            }
        }
        [Value::Str(v)] => match name {
            "Contains" => search::find(s, v, Window { start: 0, end: s.len() }, cmp).is_some(),
            "StartsWith" => search::starts_with(s, v, cmp),
            _ => search::ends_with(s, v, cmp),
        },
        [Value::Null] => return Err(null_arg("value")),
        _ => return Err(no_overload(name, args)),
    };
    Ok(Value::Bool(r))
}

/// `Substring(start[, length])`.
fn substring<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
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
fn cut<'a>(s: Cow<'a, str>, from: usize, to: usize) -> EvalResult<Cow<'a, str>> {
    let c = utf16::cut(&s, from, to)
        .ok_or_else(|| out_of_range("length", "Index and length must refer to a location within the string."))?;
    if c.is_slice() {
        return Ok(part(s, c.start, c.end));
    }
    Ok(Cow::Owned(utf16::cut_text(&s, c).into_owned()))
}

/// `Remove(start[, count])`.
fn remove<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
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
fn insert<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
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
fn pad<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, args: &[Value<'a>], left: bool) -> EvalResult<Cow<'a, str>> {
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
fn trim<'a>(s: Cow<'a, str>, name: &str, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
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
fn case<'a>(s: Cow<'a, str>, upper: bool) -> Cow<'a, str> {
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
fn replace<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
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

/// `ReplaceLineEndings([replacement])`: `\r\n`, `\r`, `\n`, NEL, LS, PS,
/// FF become `replacement` (default: Linux's `\n`).
fn replace_line_endings<'a>(s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Cow<'a, str>> {
    let with = match args {
        [] => "\n",
        [v] => args::req_str(v, "replacementText")?,
        _ => return Err(no_overload("ReplaceLineEndings", args)),
    };
    let is_nl = |c: char| matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{c}');
    if !s.contains(is_nl) {
        return Ok(s);
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

/// A method of a string.
pub fn string_call<'a>(
    rt: &mut dyn Runtime<'a>,
    s: Cow<'a, str>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    if let Err(e) = rt.charge(1 + s.len() as u64 / 64) {
        return Some(Err(e));
    }
    let text = |rt: &mut dyn Runtime<'a>, r: EvalResult<Cow<'a, str>>| r.and_then(|c| args::text(rt, c));
    Some(match (name, args) {
        ("ToString" | "Clone", [] | [_]) => Ok(Value::Str(s)),
        ("Length", []) => Ok(Value::Int(utf16::len16(&s) as i32)),
        ("Chars", [i]) => string_index(&s, i)?,
        ("Equals", _) => {
            let (rest, cmp) = split_cmp(args, Cmp::Ordinal);
            match rest {
                [Value::Str(o)] => Ok(Value::Bool(cmp.eq(&s, o))),
                [_] => Ok(Value::Bool(false)),
                _ => Err(no_overload(name, args)),
            }
        }
        ("CompareTo", [Value::Str(o)]) => Ok(Value::Int(Cmp::Culture.compare(&s, o))),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [_]) => Err(EvalError::argument("Object must be of type String.")),
        ("GetHashCode", []) => Ok(Value::Int(Cmp::Ordinal.hash(&s))),
        ("GetHashCode", [c]) => match Cmp::from_value(c) {
            Some(c) => Ok(Value::Int(c.hash(&s))),
            None => Err(no_overload(name, args)),
        },
        ("Contains" | "StartsWith" | "EndsWith", _) => test(&s, name, args),
        ("IndexOf", _) => index_of(&s, args, false),
        ("LastIndexOf", _) => index_of(&s, args, true),
        ("IndexOfAny", _) => index_of_any(&s, args, false),
        ("LastIndexOfAny", _) => index_of_any(&s, args, true),
        ("Substring", [_] | [_, _]) => text(rt, substring(s, args)),
        ("Remove", [_] | [_, _]) => text(rt, remove(s, args)),
        ("Insert", _) => text(rt, insert(s, args)),
        ("PadLeft", _) => {
            let r = pad(rt, s, args, true);
            text(rt, r)
        }
        ("PadRight", _) => {
            let r = pad(rt, s, args, false);
            text(rt, r)
        }
        ("Trim" | "TrimStart" | "TrimEnd", _) => text(rt, trim(s, name, args)),
        ("ToUpper" | "ToUpperInvariant", [] | [_]) => text(rt, Ok(case(s, true))),
        ("ToLower" | "ToLowerInvariant", [] | [_]) => text(rt, Ok(case(s, false))),
        ("Replace", _) => {
            let r = replace(rt, s, args);
            text(rt, r)
        }
        ("ReplaceLineEndings", _) => text(rt, replace_line_endings(s, args)),
        ("Split", _) => split_call(rt, &s, args),
        ("ToCharArray", []) => to_char_array(rt, &s),
        ("ToCharArray", [a, b]) => (|| {
            let start = args::index(a, "startIndex", "StartIndex cannot be less than zero.")?;
            let len = args::index(b, "length", "Length cannot be less than zero.")?;
            let c = utf16::cut(&s, start, start.saturating_add(len)).ok_or_else(|| {
                out_of_range(
                    "startIndex",
                    "Index was out of range. Must be non-negative and less than the size of the collection.",
                )
            })?;
            to_char_array(rt, &utf16::cut_text(&s, c))
        })(),
        ("Normalize", [] | [_]) => normalize(rt, s, args),
        ("IsNormalized", [] | [_]) => match form(args) {
            Ok(Form::C) => Ok(Value::Bool(is_nfc(&s))),
            Ok(f) => Ok(Value::Bool(normalized(&s, f) == *s)),
            Err(e) => Err(e),
        },
        _ => return None,
    })
}

fn split_call<'a>(rt: &mut dyn Runtime<'a>, s: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let a = split::parse_args(args)?;
    rt.charge(s.len() as u64 / 16)?;
    let pieces = split::split(s, &a);
    rt.alloc(s.len() + pieces.len() * 32)?;
    Ok(Array::strings(pieces))
}

/// `ToCharArray()`: one char per Unicode scalar (a supplementary
/// character stays whole, as `foreach` over the string gives it).
fn to_char_array<'a>(rt: &mut dyn Runtime<'a>, s: &str) -> EvalResult<Value<'a>> {
    let items: Vec<Value<'static>> = s.chars().map(Value::Char).collect();
    rt.alloc(items.len() * std::mem::size_of::<Value<'static>>())?;
    Ok(Array::of(TypeRef::of(&CHAR), items))
}

/// A `NormalizationForm` (an enum APIM does not allow naming: only its
/// numeric values can reach here). FormC = 1, FormD = 2, FormKC = 5,
/// FormKD = 6.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    C,
    D,
    KC,
    KD,
}

fn form(args: &[Value<'_>]) -> EvalResult<Form> {
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

fn normalized(s: &str, f: Form) -> String {
    match f {
        Form::C => s.nfc().collect(),
        Form::D => s.nfd().collect(),
        Form::KC => s.nfkc().collect(),
        Form::KD => s.nfkd().collect(),
    }
}

fn normalize<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let f = form(args)?;
    if s.is_ascii() || (f == Form::C && is_nfc(&s)) {
        return Ok(Value::Str(s));
    }
    owned(rt, normalized(&s, f))
}
