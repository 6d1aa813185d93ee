//! Composite formatting: `string.Format`, `StringBuilder.AppendFormat`,
//! `StringWriter.Write(format, …)`, and the alignment of interpolation
//! holes (`$"{x,8:N2}"`: the evaluator calls [`align`]).
//!
//! Format items are `{index[,alignment][:format]}`; `{{` and `}}` are
//! literal braces. Malformed text and an index past the arguments throw
//! `FormatException` with .NET's messages. The `:format` part goes to
//! [`crate::library::format_value`] (the value's own `ToString(format)`).

use std::borrow::Cow;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::{array::Store, Array};
use crate::library::{format_value, numbers::TYPES as NUMBER_TYPES};
use crate::runtime::Runtime;
use crate::types::TypeKind;
use crate::value::Value;

/// .NET's limits on an index and an alignment in a format item.
const MAX_INDEX: usize = 1_000_000;
const MAX_WIDTH: usize = 1_000_000;

fn bad_format() -> EvalError {
    EvalError::new(EvalErrorKind::Format, "Input string was not in a correct format.")
}

fn bad_index() -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.",
    )
}

/// Pads `s` with spaces to `width` UTF-16 units: on the left for a
/// positive alignment (right-aligned), on the right for a negative one.
pub fn align(s: &str, alignment: i64) -> Cow<'_, str> {
    let width = alignment.unsigned_abs() as usize;
    let len = super::utf16::len16(s);
    if len >= width {
        return Cow::Borrowed(s);
    }
    let pad = " ".repeat(width - len);
    Cow::Owned(if alignment > 0 { pad + s } else { format!("{s}{pad}") })
}

/// The arguments of a `params object[]` call: one array of reference
/// type elements binds as the array itself (C#'s rule), anything else is
/// the list of arguments.
pub fn params<'a>(args: &[Value<'a>]) -> Vec<Value<'a>> {
    if let [one] = args {
        if let Some(a) = one.downcast::<Array>() {
            let value_typed = a.elem.def().is_some_and(|d| {
                d.kind == TypeKind::Struct || d.kind == TypeKind::Enum || NUMBER_TYPES.iter().any(|n| n.is(d))
            });
            if !value_typed {
                if let Store::Values(vs) = &*a.store.borrow() {
                    return vs.clone();
                }
            }
        }
    }
    args.to_vec()
}

/// `string.Format(format, args)`.
pub fn composite<'a>(rt: &mut dyn Runtime<'a>, format: &str, args: &[Value<'a>]) -> EvalResult<String> {
    rt.charge(format.len() as u64 / 8 + 1)?;
    let mut meter = super::args::Meter::default();
    let mut out = String::with_capacity(format.len() + 16 * args.len());
    let b = format.as_bytes();
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        match b[i] {
            b'{' if b.get(i + 1) == Some(&b'{') => {
                out.push_str(&format[lit..=i]);
                i += 2;
                lit = i;
            }
            b'}' if b.get(i + 1) == Some(&b'}') => {
                out.push_str(&format[lit..=i]);
                i += 2;
                lit = i;
            }
            b'}' => return Err(bad_format()),
            b'{' => {
                out.push_str(&format[lit..i]);
                i = item(format, i + 1, args, &mut out)?;
                lit = i;
                meter.grow(rt, out.len())?;
            }
            _ => i += 1,
        }
    }
    out.push_str(&format[lit..]);
    meter.settle(rt, out.len())?;
    Ok(out)
}

/// Parses and writes one format item starting after its `{`; returns the
/// offset after its `}`.
fn item(f: &str, mut i: usize, args: &[Value<'_>], out: &mut String) -> EvalResult<usize> {
    let b = f.as_bytes();
    let digits = |i: &mut usize| -> Option<usize> {
        let start = *i;
        let mut n: usize = 0;
        while let Some(d) = b.get(*i).filter(|c| c.is_ascii_digit()) {
            n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
            *i += 1;
        }
        (*i > start).then_some(n)
    };
    let spaces = |i: &mut usize| {
        while b.get(*i) == Some(&b' ') {
            *i += 1;
        }
    };
    let index = digits(&mut i).ok_or_else(bad_format)?;
    if index >= MAX_INDEX {
        return Err(bad_format());
    }
    spaces(&mut i);
    let mut alignment: i64 = 0;
    if b.get(i) == Some(&b',') {
        i += 1;
        spaces(&mut i);
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        let w = digits(&mut i).ok_or_else(bad_format)?;
        if w >= MAX_WIDTH {
            return Err(bad_format());
        }
        alignment = if neg { -(w as i64) } else { w as i64 };
        spaces(&mut i);
    }
    let mut fmt = "";
    if b.get(i) == Some(&b':') {
        let start = i + 1;
        let end = f[start..].find(['{', '}']).map(|e| start + e).ok_or_else(bad_format)?;
        if b[end] == b'{' {
            return Err(bad_format());
        }
        fmt = &f[start..end];
        i = end;
    }
    if b.get(i) != Some(&b'}') {
        return Err(bad_format());
    }
    let arg = args.get(index).ok_or_else(bad_index)?;
    let text = format_value(arg, fmt)?;
    out.push_str(&align(&text, alignment));
    Ok(i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn fmt(f: &str, args: &[Value<'static>]) -> EvalResult<String> {
        composite(&mut TestRt::new(), f, args)
    }

    #[test]
    fn items() {
        let a = [Value::string("GET"), Value::string("/p")];
        assert_eq!(fmt("{0} {1}", &a).unwrap(), "GET /p");
        assert_eq!(fmt("[{0,-5}|{1,4}]", &a).unwrap(), "[GET  |  /p]");
        assert_eq!(fmt("{{{0}}}", &a).unwrap(), "{GET}");
        assert_eq!(fmt("{0:x}", &[Value::Null]).unwrap(), "");
        assert_eq!(fmt("{2}", &a).unwrap_err().kind, EvalErrorKind::Format);
        assert_eq!(fmt("{0", &a).unwrap_err().kind, EvalErrorKind::Format);
        assert_eq!(fmt("a}b", &a).unwrap_err().kind, EvalErrorKind::Format);
        assert_eq!(fmt("{x}", &a).unwrap_err().kind, EvalErrorKind::Format);
        assert_eq!(fmt("{ 0}", &a).unwrap_err().kind, EvalErrorKind::Format);
        assert_eq!(fmt("{0 , 4 }", &a).unwrap(), " GET");
    }
}
