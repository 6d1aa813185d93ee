//! The `System.Array` statics: `Array.Empty<T>()`, `IndexOf`,
//! `LastIndexOf`, `Reverse`, `Sort` (default, `Comparison<T>` lambda,
//! `StringComparer`, a range, keys-and-items), `Exists`, `Find`,
//! `FindAll`, `FindIndex`, `FindLast`, `FindLastIndex`, `TrueForAll`,
//! `ConvertAll`, `Copy`/`ConstrainedCopy`, `Clear`, `Fill`, `ForEach`,
//! `BinarySearch`, `AsReadOnly`. (`Resize` takes a `ref` argument and is
//! not implemented.)
//!
//! Invariants: each static works on a snapshot of the array and writes
//! back with [`Array::replace`]; lambdas never run under a borrow.

use std::cmp::Ordering;
use std::rc::Rc;

use super::common::{self, default_of, infer_elem, int_arg, no_overload, range, store, targ};
use super::listops::{self, Order};
use super::sort::{introsort, wrap_compare_error};
use super::views::View;
use super::Array;
use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::{Object, Value};

/// `Array.MaxLength`.
pub fn get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    match name {
        "MaxLength" => Some(Ok(Value::Int(0x7FFF_FFC7))),
        _ => None,
    }
}

/// The array argument: `ArgumentNullException` for null.
fn array_arg<'v>(v: &'v Value<'_>, param: &str) -> EvalResult<(&'v Array, &'v Rc<dyn Object>)> {
    match v {
        Value::Null => Err(common::arg_null(param)),
        Value::Obj(o) => match o.as_any().downcast_ref::<Array>() {
            Some(a) => Ok((a, o)),
            None => Err(EvalError::cast(v.type_name(), "Array")),
        },
        v => Err(EvalError::cast(v.type_name(), "Array")),
    }
}

pub fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if name == "Empty" {
        return Some(match args {
            [] => Ok(Array::of(targ(targs, 0), Vec::new())),
            _ => Err(no_overload(name, args.len())),
        });
    }
    let known = [
        "IndexOf",
        "LastIndexOf",
        "Exists",
        "Find",
        "FindIndex",
        "FindLast",
        "FindLastIndex",
        "TrueForAll",
        "BinarySearch",
        "Reverse",
        "Sort",
        "FindAll",
        "ConvertAll",
        "Copy",
        "ConstrainedCopy",
        "Clear",
        "Fill",
        "ForEach",
        "AsReadOnly",
    ];
    if !known.contains(&name) {
        return None;
    }
    let [first, rest @ ..] = args else {
        return Some(Err(no_overload(name, 0)));
    };
    let param = if name == "Copy" || name == "ConstrainedCopy" {
        "sourceArray"
    } else {
        "array"
    };
    Some(array_arg(first, param).and_then(|(a, rc)| call(rt, a, rc, name, targs, rest)))
}

fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    a: &Array,
    rc: &Rc<dyn Object>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> EvalResult<Value<'a>> {
    let mut items = a.snapshot();
    match name {
        "Reverse" => {
            listops::reverse(&mut items, args)?;
            a.replace(items)?;
        }
        "Sort" => match args {
            [items @ Value::Obj(o), rest @ ..] if o.as_any().is::<Array>() => sort_pair(rt, a, items, rest)?,
            [Value::Null, c] if !common::is_lambda(c) => sort_pair(rt, a, &Value::Null, std::slice::from_ref(c))?,
            _ => {
                listops::sort(rt, &mut items, args)?;
                a.replace(items)?;
            }
        },
        "FindAll" => {
            let found = listops::find_all(rt, &items, args)?;
            return Ok(Array::of(a.elem.clone(), found));
        }
        "ConvertAll" => {
            let out = listops::convert_all(rt, &items, args)?;
            let elem = targs.get(1).cloned().unwrap_or_else(|| infer_elem(&out));
            return Ok(Array::of(elem, out.into_iter().map(Value::into_owned).collect()));
        }
        "Copy" | "ConstrainedCopy" => {
            let (r, dst, at) = match args {
                [dst, n] => (range(&Value::Int(0), n, items.len())?, dst, 0),
                [si, dst, di, n] => (range(si, n, items.len())?, dst, int_arg(di, "destinationIndex")?),
                _ => return Err(no_overload(name, args.len() + 1)),
            };
            Array::write_to(rt, dst, at, items.get(r).unwrap_or_default())?;
        }
        "Clear" => {
            let r = match args {
                [] => 0..items.len(),
                [i, n] => range(i, n, items.len())?,
                _ => return Err(no_overload(name, args.len() + 1)),
            };
            let zero = default_of(&a.elem);
            for x in items.get_mut(r).unwrap_or_default() {
                *x = zero.clone();
            }
            a.replace(items)?;
        }
        "Fill" => {
            let (v, r) = match args {
                [v] => (v, 0..items.len()),
                [v, i, n] => (v, range(i, n, items.len())?),
                _ => return Err(no_overload(name, args.len() + 1)),
            };
            let v = store(rt, v.clone(), &a.elem)?;
            for x in items.get_mut(r).unwrap_or_default() {
                *x = v.clone();
            }
            a.replace(items)?;
        }
        "ForEach" => {
            let [f] = args else {
                return Err(no_overload(name, args.len() + 1));
            };
            for x in items {
                rt.invoke(f, &[x])?;
            }
        }
        "AsReadOnly" => return Ok(View::read_only(rc.clone(), a.elem.clone())),
        _ => {
            return listops::query(rt, &items, &a.elem, name, args)
                .unwrap_or_else(|| Err(no_overload(name, args.len() + 1)))
        }
    }
    Ok(Value::Null)
}

/// `Array.Sort(keys, items[, comparer])`: sorts `keys` and moves the
/// elements of `items` (if not null) along with them.
fn sort_pair<'a>(rt: &mut dyn Runtime<'a>, keys: &Array, items: &Value<'a>, args: &[Value<'a>]) -> EvalResult<()> {
    let order = match args {
        [] => Order::Default,
        [c] => Order::from_arg(c)?,
        _ => return Err(no_overload("Sort", args.len() + 2)),
    };
    let ks = keys.snapshot();
    let other = match items {
        Value::Null => None,
        v => Some(array_arg(v, "items")?.0),
    };
    let vs = other.map(Array::snapshot);
    if vs.as_ref().is_some_and(|v| v.len() < ks.len()) {
        return Err(common::bad_range());
    }
    let mut pairs: Vec<(Value<'static>, Value<'static>)> = ks
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, vs.as_ref().and_then(|v| v.get(i).cloned()).unwrap_or(Value::Null)))
        .collect();
    let mut f = |a: &(Value<'static>, Value<'static>), b: &(Value<'static>, Value<'static>)| -> EvalResult<Ordering> {
        listops::compare(rt, &order, &a.0, &b.0)
    };
    introsort(&mut pairs, &mut f).map_err(wrap_compare_error)?;
    let n = pairs.len();
    let (ks, sorted): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    keys.replace(ks)?;
    if let (Some(other), Some(mut vs)) = (other, vs) {
        for (slot, v) in vs.iter_mut().zip(sorted).take(n) {
            *slot = v;
        }
        other.replace(vs)?;
    }
    Ok(())
}
