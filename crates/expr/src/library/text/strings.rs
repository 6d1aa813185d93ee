//! `System.String`'s instance members (`s.Length`, `s.Substring(…)`, `s[i]`…).
//! The receiver arrives as a `Cow<'a, str>`: results that are a part of
//! it (`Trim`, `Substring`, `ToString`, an unchanged `Replace`/`ToUpper`)
//! borrow it, so the one-line expressions over headers allocate nothing.
//! Indices are UTF-16 ([`super::utf16`]).

use std::borrow::Cow;

use super::args::{self, no_overload, null_arg, out_of_range};
use super::chars::CHAR;
use super::compare::Cmp;
use super::edit::{self, Form};
use super::search::{self, backward_window, forward_window, Window};
use super::split;
use super::utf16;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;
use unicode_normalization::is_nfc;

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
        ("Substring", [_] | [_, _]) => text(rt, edit::substring(s, args)),
        ("Remove", [_] | [_, _]) => text(rt, edit::remove(s, args)),
        ("Insert", _) => text(rt, edit::insert(s, args)),
        ("PadLeft", _) => {
            let r = edit::pad(rt, s, args, true);
            text(rt, r)
        }
        ("PadRight", _) => {
            let r = edit::pad(rt, s, args, false);
            text(rt, r)
        }
        ("Trim" | "TrimStart" | "TrimEnd", _) => text(rt, edit::trim(s, name, args)),
        ("ToUpper" | "ToUpperInvariant", [] | [_]) => text(rt, Ok(edit::case(s, true))),
        ("ToLower" | "ToLowerInvariant", [] | [_]) => text(rt, Ok(edit::case(s, false))),
        ("Replace", _) => {
            let r = edit::replace(rt, s, args);
            text(rt, r)
        }
        ("ReplaceLineEndings", _) => text(rt, edit::replace_line_endings(s, args)),
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
        ("Normalize", [] | [_]) => edit::normalize(rt, s, args),
        ("IsNormalized", [] | [_]) => match edit::form(args) {
            Ok(Form::C) => Ok(Value::Bool(is_nfc(&s))),
            Ok(f) => Ok(Value::Bool(edit::normalized(&s, f) == *s)),
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
