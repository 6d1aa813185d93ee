//! `System.String`'s statics (`string.Join`, `string.Format`,
//! `string.IsNullOrEmpty`, `string.Compare`…) and its constructors
//! (`new string('-', 3)`, `new string(chars)`).

use std::borrow::Cow;

use super::args::{self, no_overload, null_arg, out_of_range, owned, Meter};
use super::compare::Cmp;
use super::format::{composite, params};
use super::utf16;
use crate::error::EvalResult;
use crate::library::{items, to_text};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

pub fn get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    match name {
        "Empty" => Some(Ok(Value::str(""))),
        _ => None,
    }
}

/// The values a `Join`/`Concat` call joins: one enumerable argument (not
/// a string) gives its items, anything else is the list of arguments.
fn values<'a>(rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<Vec<Value<'a>>> {
    if let [one] = args {
        if !matches!(one, Value::Str(_)) {
            if let Some(r) = items(rt, one) {
                return r;
            }
        }
    }
    Ok(params(args))
}

fn join<'a>(rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let (sep, rest) = args.split_first().ok_or_else(|| no_overload("Join", args))?;
    let sep: Cow<'_, str> = match sep {
        Value::Char(c) => Cow::Owned(c.to_string()),
        Value::Str(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        _ => return Err(no_overload("Join", args)),
    };
    // Join(string, string[], startIndex, count).
    let vals = match rest {
        [arr, start, count] if args::string_array(arr).is_some() && args::is_int(start) && args::is_int(count) => {
            let all = args::string_array(arr).unwrap_or_default();
            let start = args::index(start, "startIndex", "StartIndex cannot be less than zero.")?;
            let count = args::index(count, "count", "Count cannot be less than zero.")?;
            if start + count > all.len() {
                return Err(out_of_range(
                    "startIndex",
                    "Index and count must refer to a location within the buffer.",
                ));
            }
            all[start..start + count]
                .iter()
                .map(|s| s.clone().map_or(Value::Null, Value::string))
                .collect()
        }
        [Value::Null] => return Err(null_arg("value")),
        _ => values(rt, rest)?,
    };
    rt.charge(vals.len() as u64)?;
    if let [Value::Str(s)] = vals.as_slice() {
        if matches!(rest, [Value::Str(_)]) {
            return Ok(Value::Str(s.clone()));
        }
    }
    let mut meter = Meter::default();
    let mut out = String::new();
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&to_text(v));
        meter.grow(rt, out.len())?;
    }
    meter.finish(rt, out)
}

fn concat<'a>(rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    if let [Value::Str(s)] = args {
        return Ok(Value::Str(s.clone()));
    }
    let vals = values(rt, args)?;
    rt.charge(vals.len() as u64)?;
    let mut meter = Meter::default();
    let mut out = String::new();
    for v in &vals {
        out.push_str(&to_text(v));
        meter.grow(rt, out.len())?;
    }
    meter.finish(rt, out)
}

fn format<'a>(rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    // Format(IFormatProvider, format, args…): the provider can only be null.
    let args = match args {
        [Value::Null, Value::Str(_), ..] if args.len() >= 2 => &args[1..],
        _ => args,
    };
    let (f, rest) = args.split_first().ok_or_else(|| no_overload("Format", args))?;
    let f = args::req_str(f, "format")?;
    let vals = params(rest);
    let s = composite(rt, f, &vals)?;
    Ok(Value::Str(Cow::Owned(s)))
}

/// Nulls order first (as .NET's `Compare` does).
fn nulls(a: Option<&str>, b: Option<&str>) -> Option<i32> {
    match (a, b) {
        (None, None) => Some(0),
        (None, Some(_)) => Some(-1),
        (Some(_), None) => Some(1),
        _ => None,
    }
}

/// The UTF-16 range `index..index+len` of `s` (clamped to its end, as
/// `Compare(strA, indexA, strB, indexB, length)` does).
fn range<'s>(s: &'s str, index: &Value<'_>, len: usize, param: &str) -> EvalResult<Cow<'s, str>> {
    let i = args::index(
        index,
        param,
        "Index was out of range. Must be non-negative and less than the size of the collection.",
    )?;
    let total = utf16::len16(s);
    if i > total {
        return Err(out_of_range(
            param,
            "Index was out of range. Must be non-negative and less than the size of the collection.",
        ));
    }
    let c = utf16::cut(s, i, (i + len).min(total)).ok_or_else(|| out_of_range(param, "Index was out of range."))?;
    Ok(utf16::cut_text(s, c))
}

fn compare<'a>(args: &[Value<'a>], name: &str) -> EvalResult<Value<'a>> {
    let ordinal = name == "CompareOrdinal";
    let default = if ordinal { Cmp::Ordinal } else { Cmp::Culture };
    let (a, b, opt) = match args {
        [a, b, opt @ ..] if opt.len() <= 1 => (
            args::opt_str(a).map(Cow::Borrowed),
            args::opt_str(b).map(Cow::Borrowed),
            opt,
        ),
        [a, ia, b, ib, len, opt @ ..] if opt.len() <= 1 => {
            let len = args::index(len, "length", "Length cannot be less than zero.")?;
            let a = args::opt_str(a).map(|s| range(s, ia, len, "indexA")).transpose()?;
            let b = args::opt_str(b).map(|s| range(s, ib, len, "indexB")).transpose()?;
            (a, b, opt)
        }
        _ => return Err(no_overload(name, args)),
    };
    let cmp = match opt {
        [] => default,
        [Value::Bool(true)] => Cmp::CultureIgnoreCase,
        [Value::Bool(false)] => Cmp::Culture,
        [c] => Cmp::from_value(c).ok_or_else(|| no_overload(name, args))?,
        _ => return Err(no_overload(name, args)),
    };
    if let Some(n) = nulls(a.as_deref(), b.as_deref()) {
        return Ok(Value::Int(n));
    }
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    Ok(Value::Int(cmp.compare(&a, &b)))
}

pub fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    Some(match (name, args) {
        ("IsNullOrEmpty", [v]) => Ok(Value::Bool(args::opt_str(v).is_none_or(str::is_empty))),
        ("IsNullOrWhiteSpace", [v]) => Ok(Value::Bool(
            args::opt_str(v).is_none_or(|s| s.chars().all(char::is_whitespace)),
        )),
        ("Join", _) => join(rt, args),
        ("Concat", _) => concat(rt, args),
        ("Format", _) => format(rt, args),
        ("Equals", [a, b, rest @ ..]) if rest.len() <= 1 => {
            let cmp = match rest {
                [] => Some(Cmp::Ordinal),
                [c] => Cmp::from_value(c),
                _ => None,
            };
            match (cmp, a, b) {
                (None, ..) => Err(no_overload(name, args)),
                (Some(_), Value::Null, Value::Null) => Ok(Value::Bool(true)),
                (Some(c), Value::Str(x), Value::Str(y)) => Ok(Value::Bool(c.eq(x, y))),
                _ => Ok(Value::Bool(false)),
            }
        }
        ("Compare" | "CompareOrdinal", _) => compare(args, name),
        ("Copy" | "Intern", [v]) => match v {
            Value::Str(s) => Ok(Value::Str(s.clone())),
            _ => Err(null_arg("str")),
        },
        ("IsInterned", [v]) => match v {
            Value::Str(s) => Ok(Value::Str(s.clone())),
            _ => Err(null_arg("str")),
        },
        _ => return None,
    })
}

/// `new string(char, count)`, `new string(char[])`,
/// `new string(char[], startIndex, length)`.
pub fn ctor<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    match args {
        [Value::Char(c), n] => {
            let n = args::index(n, "count", "Non-negative number required.")?;
            rt.alloc(n.saturating_mul(c.len_utf8()))?;
            owned(rt, std::iter::repeat_n(*c, n).collect())
        }
        [Value::Null] => Ok(Value::str("")),
        [a] => {
            let cs = args::char_array(a).ok_or_else(|| no_overload("String", args))?;
            owned(rt, cs.into_iter().collect())
        }
        [a, start, len] => {
            let cs = args::char_array(a).ok_or_else(|| no_overload("String", args))?;
            let start = args::index(start, "startIndex", "StartIndex cannot be less than zero.")?;
            let len = args::index(len, "length", "Length cannot be less than zero.")?;
            if start + len > cs.len() {
                return Err(out_of_range(
                    "startIndex",
                    "Index was out of range. Must be non-negative and less than the size of the collection.",
                ));
            }
            owned(rt, cs[start..start + len].iter().collect())
        }
        _ => Err(no_overload("String", args)),
    }
}
