//! Argument helpers shared by the text family: reading typed arguments out
//! of the runtime values a call receives (overloads are chosen on them),
//! .NET's argument exceptions, and building string results that are
//! charged to the memory budget.

use std::borrow::Cow;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::{array::Store, Array};
use crate::runtime::Runtime;
use crate::value::Value;

/// `ArgumentNullException` for parameter `param`.
pub fn null_arg(param: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentNull,
        format!("Value cannot be null. (Parameter '{param}')"),
    )
}

/// `ArgumentOutOfRangeException` for parameter `param`.
pub fn out_of_range(param: &str, message: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        format!("{message} (Parameter '{param}')"),
    )
}

/// An `ArgumentException` for arguments no overload of `member` takes.
pub fn no_overload(member: &str, args: &[Value<'_>]) -> EvalError {
    let types: Vec<&str> = args.iter().map(Value::type_name).collect();
    EvalError::argument(format!("no overload of {member} takes ({})", types.join(", ")))
}

/// A string argument (`None` for null).
pub fn opt_str<'v>(v: &'v Value<'_>) -> Option<&'v str> {
    v.as_str()
}

/// A required string argument (null: `ArgumentNullException`).
pub fn req_str<'v>(v: &'v Value<'_>, param: &str) -> EvalResult<&'v str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Null => Err(null_arg(param)),
        v => Err(EvalError::cast(v.type_name(), "string")),
    }
}

/// An `int` argument.
pub fn int(v: &Value<'_>, param: &str) -> EvalResult<i32> {
    v.to_i32(param)
}

/// A non-negative `int` argument as `usize` (negative:
/// `ArgumentOutOfRangeException` with `message`).
pub fn index(v: &Value<'_>, param: &str, message: &str) -> EvalResult<usize> {
    let i = int(v, param)?;
    usize::try_from(i).map_err(|_| out_of_range(param, message))
}

/// Whether `v` is an integral number (an `int` overload's argument).
pub fn is_int(v: &Value<'_>) -> bool {
    !matches!(v, Value::Char(_)) && v.as_integer().is_some()
}

/// The chars of a `char[]` argument (`None` if it is not one).
pub fn char_array(v: &Value<'_>) -> Option<Vec<char>> {
    let a = v.downcast::<Array>()?;
    match &*a.store.borrow() {
        Store::Values(vs) => vs
            .iter()
            .map(|v| match v {
                Value::Char(c) => Some(*c),
                _ => None,
            })
            .collect(),
        Store::Bytes(b) if b.is_empty() => Some(Vec::new()),
        Store::Bytes(_) => None,
    }
}

/// The strings of a `string[]` argument (nulls kept as `None`), or `None`
/// if it is not an array of strings.
pub fn string_array(v: &Value<'_>) -> Option<Vec<Option<String>>> {
    let a = v.downcast::<Array>()?;
    let store = a.store.borrow();
    match &*store {
        Store::Values(vs) => vs
            .iter()
            .map(|v| match v {
                Value::Str(s) => Some(Some(s.to_string())),
                Value::Null => Some(None),
                _ => None,
            })
            .collect(),
        Store::Bytes(_) => None,
    }
}

/// `params char[]` received either as one `char[]` or as separate chars
/// (`None`: the arguments are something else).
pub fn params_chars(args: &[Value<'_>]) -> Option<Vec<char>> {
    if let [one] = args {
        if let Some(cs) = char_array(one) {
            return Some(cs);
        }
        if one.is_null() {
            return Some(Vec::new());
        }
    }
    args.iter()
        .map(|v| match v {
            Value::Char(c) => Some(*c),
            _ => None,
        })
        .collect()
}

/// A string result owning `s`, charged to the memory budget.
pub fn owned<'a>(rt: &mut dyn Runtime<'a>, s: String) -> EvalResult<Value<'a>> {
    rt.alloc(s.len())?;
    Ok(Value::Str(Cow::Owned(s)))
}

/// A string result: borrowed text costs nothing, owned text is charged.
pub fn text<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>) -> EvalResult<Value<'a>> {
    if let Cow::Owned(o) = &s {
        rt.alloc(o.len())?;
    }
    Ok(Value::Str(s))
}

/// `ToString()` of any argument as text (null is "").
pub fn display(v: &Value<'_>) -> String {
    crate::library::to_text(v).into_owned()
}

/// Charges a string being built to the memory budget as it grows (in
/// steps, so a runaway build stops early), each byte once.
#[derive(Debug, Default)]
pub struct Meter {
    charged: usize,
}

impl Meter {
    const STEP: usize = 1 << 16;

    /// Called as the text grows to `len` bytes.
    pub fn grow<'a>(&mut self, rt: &mut dyn Runtime<'a>, len: usize) -> EvalResult<()> {
        if len >= self.charged + Self::STEP {
            rt.alloc(len - self.charged)?;
            self.charged = len;
        }
        Ok(())
    }

    /// Charges the bytes up to `len` not charged yet.
    pub fn settle<'a>(&mut self, rt: &mut dyn Runtime<'a>, len: usize) -> EvalResult<()> {
        if len > self.charged {
            rt.alloc(len - self.charged)?;
            self.charged = len;
        }
        Ok(())
    }

    /// The finished text as a value, its remaining bytes charged.
    pub fn finish<'a>(mut self, rt: &mut dyn Runtime<'a>, s: String) -> EvalResult<Value<'a>> {
        self.settle(rt, s.len())?;
        Ok(Value::Str(Cow::Owned(s)))
    }
}
