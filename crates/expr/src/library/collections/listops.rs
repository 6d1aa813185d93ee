//! The members `List<T>` and `System.Array` share (`Exists`, `Find`,
//! `FindIndex`, `FindLast`, `FindLastIndex`, `TrueForAll`, `IndexOf`,
//! `LastIndexOf`, `BinarySearch`, `Sort`, `Reverse`, `ConvertAll`,
//! `FindAll`), on a snapshot of the elements: the list's method takes
//! `args`, the array's static takes the array then `args`.
//!
//! Invariants: callers pass a snapshot (no `RefCell` borrow is held while
//! a lambda runs); argument checks throw .NET's exceptions.

use std::cmp::Ordering;
use std::ops::Range;

use super::common::{comparison, default_of, int_arg, is_lambda, no_overload, range, test, KeyCmp};
use super::sort::{binary_search, introsort, wrap_compare_error};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

/// The read-only members, or `None` if `name` is not one of them.
pub fn query<'a>(
    rt: &mut dyn Runtime<'a>,
    items: &[Value<'static>],
    elem: &TypeRef,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match name {
        "Exists" | "TrueForAll" | "Find" | "FindLast" => match args {
            [f] => find(rt, items, elem, name, f),
            _ => Err(no_overload(name, args.len())),
        },
        "FindIndex" => forward(args, items.len()).and_then(|(r, f)| {
            for i in r {
                if test(rt, f, at(items, i)?)? {
                    return Ok(Value::Int(i as i32));
                }
            }
            Ok(Value::Int(-1))
        }),
        "FindLastIndex" => backward(args, items.len()).and_then(|(r, f)| {
            for i in r.rev() {
                if test(rt, f, at(items, i)?)? {
                    return Ok(Value::Int(i as i32));
                }
            }
            Ok(Value::Int(-1))
        }),
        "IndexOf" => match args {
            [x, rest @ ..] => index_range(rest, items.len()).map(|r| {
                let found = r.clone().find(|i| items.get(*i).is_some_and(|v| library::equals(v, x)));
                Value::Int(found.map_or(-1, |i| i as i32))
            }),
            [] => Err(no_overload(name, 0)),
        },
        "LastIndexOf" => match args {
            [x, rest @ ..] => last_index_range(rest, items.len()).map(|r| {
                let found = r.rev().find(|i| items.get(*i).is_some_and(|v| library::equals(v, x)));
                Value::Int(found.map_or(-1, |i| i as i32))
            }),
            [] => Err(no_overload(name, 0)),
        },
        "BinarySearch" => {
            let parsed = match args {
                [x] => Ok((0..items.len(), x, Order::Default)),
                [x, c] => Order::from_arg(c).map(|o| (0..items.len(), x, o)),
                [i, n, x, c] => range(i, n, items.len()).and_then(|r| Ok((r, x, Order::from_arg(c)?))),
                _ => Err(no_overload(name, args.len())),
            };
            let (r, x, cmp) = match parsed {
                Ok(p) => p,
                Err(e) => return Some(Err(e)),
            };
            let part = items.get(r.clone()).unwrap_or_default();
            let x: Value<'static> = x.clone().into_owned();
            let mut f = |a: &Value<'static>, b: &Value<'static>| compare(rt, &cmp, a, b);
            binary_search(part, &x, &mut f).map_err(wrap_compare_error).map(|i| {
                Value::Int(if i >= 0 {
                    i + r.start as i32
                } else {
                    !((!i) + r.start as i32)
                })
            })
        }
        _ => return None,
    })
}

fn at<'a>(items: &[Value<'static>], i: usize) -> EvalResult<Value<'a>> {
    items.get(i).cloned().ok_or_else(super::common::index_out_of_range)
}

fn find<'a>(
    rt: &mut dyn Runtime<'a>,
    items: &[Value<'static>],
    elem: &TypeRef,
    name: &str,
    f: &Value<'a>,
) -> EvalResult<Value<'a>> {
    let last = name == "FindLast";
    let n = items.len();
    for k in 0..n {
        let i = if last { n - 1 - k } else { k };
        let hit = test(rt, f, at(items, i)?)?;
        match name {
            "TrueForAll" if !hit => return Ok(Value::Bool(false)),
            "Exists" if hit => return Ok(Value::Bool(true)),
            "Find" | "FindLast" if hit => return at(items, i),
            _ => {}
        }
    }
    Ok(match name {
        "TrueForAll" => Value::Bool(true),
        "Exists" => Value::Bool(false),
        _ => default_of(elem),
    })
}

fn count_error() -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        "Count must be positive and count must refer to a location within the string/array/collection. (Parameter 'count')",
    )
}

fn start_error() -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'startIndex')",
    )
}

/// `FindIndex`'s `([start[, count],] pred)`.
fn forward<'v, 'a>(args: &'v [Value<'a>], len: usize) -> EvalResult<(Range<usize>, &'v Value<'a>)> {
    let (start, count, f) = match args {
        [f] => (0, None, f),
        [s, f] => (int_arg(s, "startIndex")?, None, f),
        [s, c, f] => (int_arg(s, "startIndex")?, Some(int_arg(c, "count")?), f),
        _ => return Err(no_overload("FindIndex", args.len())),
    };
    let len = len as i64;
    if start < 0 || start > len {
        return Err(start_error());
    }
    let count = count.unwrap_or(len - start);
    if count < 0 || start > len - count {
        return Err(count_error());
    }
    Ok((start as usize..(start + count) as usize, f))
}

/// `FindLastIndex`'s `([start[, count],] pred)`: the range searched backward.
fn backward<'v, 'a>(args: &'v [Value<'a>], len: usize) -> EvalResult<(Range<usize>, &'v Value<'a>)> {
    let len = len as i64;
    let (start, count, f) = match args {
        [f] => (len - 1, len, f),
        [s, f] => {
            let s = int_arg(s, "startIndex")?;
            (s, s + 1, f)
        }
        [s, c, f] => (int_arg(s, "startIndex")?, int_arg(c, "count")?, f),
        _ => return Err(no_overload("FindLastIndex", args.len())),
    };
    if len == 0 {
        if start != -1 {
            return Err(start_error());
        }
        return Ok((0..0, f));
    }
    if start < 0 || start >= len {
        return Err(start_error());
    }
    if count < 0 || start - count + 1 < 0 {
        return Err(count_error());
    }
    Ok(((start - count + 1) as usize..(start + 1) as usize, f))
}

/// `IndexOf(x[, index[, count]])`'s range.
fn index_range(args: &[Value<'_>], len: usize) -> EvalResult<Range<usize>> {
    let len = len as i64;
    let (start, count) = match args {
        [] => (0, len),
        [s] => {
            let s = int_arg(s, "index")?;
            (s, len - s)
        }
        [s, c] => (int_arg(s, "index")?, int_arg(c, "count")?),
        _ => return Err(no_overload("IndexOf", args.len() + 1)),
    };
    if start < 0 || start > len {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Index was out of range. Must be non-negative and less than or equal to the size of the collection. (Parameter 'index')",
        ));
    }
    if count < 0 || start > len - count {
        return Err(count_error());
    }
    Ok(start as usize..(start + count) as usize)
}

/// `LastIndexOf(x[, index[, count]])`'s range (searched backward).
fn last_index_range(args: &[Value<'_>], len: usize) -> EvalResult<Range<usize>> {
    let len = len as i64;
    let (start, count) = match args {
        [] => (len - 1, len),
        [s] => {
            let s = int_arg(s, "index")?;
            (s, s + 1)
        }
        [s, c] => (int_arg(s, "index")?, int_arg(c, "count")?),
        _ => return Err(no_overload("LastIndexOf", args.len() + 1)),
    };
    if len == 0 {
        return Ok(0..0);
    }
    if start < 0 || start >= len {
        return Err(super::common::index_out_of_range());
    }
    if count < 0 || count > start + 1 {
        return Err(count_error());
    }
    Ok((start - count + 1) as usize..(start + 1) as usize)
}

/// How elements are ordered: the default comparer, a `Comparison<T>`
/// lambda, or a `StringComparer`.
pub enum Order<'a> {
    Default,
    Lambda(Value<'a>),
    Cmp(KeyCmp),
}

impl<'a> Order<'a> {
    /// A comparison argument: a lambda, a comparer, or `null` (default).
    pub fn from_arg(v: &Value<'a>) -> EvalResult<Order<'a>> {
        if is_lambda(v) {
            Ok(Order::Lambda(v.clone()))
        } else {
            KeyCmp::from_arg(v).map(Order::Cmp)
        }
    }
}

/// Compares two elements by `order`, charging one step.
pub fn compare<'a>(rt: &mut dyn Runtime<'a>, order: &Order<'a>, a: &Value<'a>, b: &Value<'a>) -> EvalResult<Ordering> {
    rt.charge(1)?;
    match order {
        Order::Default => KeyCmp::Default.compare(a, b),
        Order::Cmp(c) => c.compare(a, b),
        Order::Lambda(f) => comparison(rt, f, a.clone(), b.clone()),
    }
}

/// Sorts `items` in place as `Sort()`, `Sort(comparison)`,
/// `Sort(comparer)`, `Sort(index, count[, comparer])`.
pub fn sort<'a>(rt: &mut dyn Runtime<'a>, items: &mut [Value<'static>], args: &[Value<'a>]) -> EvalResult<()> {
    let (r, order) = match args {
        [] => (0..items.len(), Order::Default),
        [c] => (0..items.len(), Order::from_arg(c)?),
        [i, n] => (range(i, n, items.len())?, Order::Default),
        [i, n, c] => (range(i, n, items.len())?, Order::from_arg(c)?),
        _ => return Err(no_overload("Sort", args.len())),
    };
    let part = items.get_mut(r).unwrap_or_default();
    let mut f = |a: &Value<'static>, b: &Value<'static>| compare(rt, &order, a, b);
    introsort(part, &mut f).map_err(wrap_compare_error)
}

/// Reverses `items` in place as `Reverse()` / `Reverse(index, count)`.
pub fn reverse(items: &mut [Value<'static>], args: &[Value<'_>]) -> EvalResult<()> {
    let r = match args {
        [] => 0..items.len(),
        [i, n] => range(i, n, items.len())?,
        _ => return Err(no_overload("Reverse", args.len())),
    };
    items.get_mut(r).unwrap_or_default().reverse();
    Ok(())
}

/// `ConvertAll(f)`: the converted elements.
pub fn convert_all<'a>(
    rt: &mut dyn Runtime<'a>,
    items: &[Value<'static>],
    args: &[Value<'a>],
) -> EvalResult<Vec<Value<'a>>> {
    let [f] = args else {
        return Err(no_overload("ConvertAll", args.len()));
    };
    let mut out = Vec::with_capacity(items.len());
    for x in items {
        out.push(rt.invoke(f, std::slice::from_ref(x))?);
    }
    super::common::alloc_items(rt, &out)?;
    Ok(out)
}

/// `FindAll(pred)`: the matching elements.
pub fn find_all<'a>(
    rt: &mut dyn Runtime<'a>,
    items: &[Value<'static>],
    args: &[Value<'a>],
) -> EvalResult<Vec<Value<'static>>> {
    let [f] = args else {
        return Err(no_overload("FindAll", args.len()));
    };
    let mut out = Vec::new();
    for x in items {
        if test(rt, f, x.clone())? {
            out.push(x.clone());
        }
    }
    super::common::alloc_items(rt, &out)?;
    Ok(out)
}
