//! Aggregation: `Sum`, `Average`, `Min`, `Max` (each with an optional
//! selector; `Min`/`Max` also with a comparer), `MinBy`, `MaxBy`,
//! `Aggregate` (its three overloads).
//!
//! Numeric result types follow .NET's overloads, chosen by the items'
//! runtime types: `int` sums stay `int` and overflow as .NET's checked
//! `Sum` does (`OverflowException`), `long` likewise, `float`/`double`/
//! `decimal` keep their type; `Average` of integers is a `double`.
//! Nulls are skipped (the nullable overloads); an empty sequence gives
//! `0` for `Sum`, and for `Min`/`Max`/`Average` `null` when the element
//! type is nullable or a reference type, else `InvalidOperationException`.

use std::cmp::Ordering;

use rust_decimal::prelude::FromPrimitive;

use super::super::common::{is_lambda, KeyCmp};
use super::Src;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::numbers;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::{Decimal, Value};

pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("Sum" | "Average", [] | [_]) => values(rt, &src, args.first()).and_then(|(vals, nulls)| {
            if name == "Sum" {
                sum(&src, &vals)
            } else {
                average(&vals, nulls || (args.is_empty() && src.nullable()))
            }
        }),
        ("Min" | "Max", [] | [_]) => (|| {
            let (selector, cmp) = match args.first() {
                Some(f) if is_lambda(f) => (Some(f), KeyCmp::Default),
                Some(c) => (None, KeyCmp::from_arg(c)?),
                None => (None, KeyCmp::Default),
            };
            let (vals, nulls) = values(rt, &src, selector)?;
            let nullable = nulls || (selector.is_none() && src.nullable());
            extreme(rt, vals, name == "Max", cmp, nullable)
        })(),
        ("MinBy" | "MaxBy", [f] | [f, _]) => (|| {
            let cmp = args.get(1).map_or(Ok(KeyCmp::Default), KeyCmp::from_arg)?;
            extreme_by(rt, src, f, name == "MaxBy", cmp)
        })(),
        ("Aggregate", [f]) => (|| {
            let mut items = src.items.into_iter();
            let mut acc = items.next().ok_or_else(no_elements)?;
            for x in items {
                acc = rt.invoke(f, &[acc, x])?;
            }
            Ok(acc)
        })(),
        ("Aggregate", [seed, f] | [seed, f, _]) => (|| {
            let mut acc = seed.clone();
            for x in src.items {
                acc = rt.invoke(f, &[acc, x])?;
            }
            match args.get(2) {
                Some(r) => rt.invoke(r, &[acc]),
                None => Ok(acc),
            }
        })(),
        _ => return None,
    })
}

fn no_elements() -> EvalError {
    EvalError::new(EvalErrorKind::InvalidOperation, "Sequence contains no elements")
}

fn overflow() -> EvalError {
    EvalError::new(EvalErrorKind::Overflow, "Arithmetic operation resulted in an overflow.")
}

/// The values aggregated (the items, or the selector's results) without
/// nulls, and whether there were nulls.
fn values<'a>(
    rt: &mut dyn Runtime<'a>,
    src: &Src<'a>,
    selector: Option<&Value<'a>>,
) -> EvalResult<(Vec<Value<'a>>, bool)> {
    let mut out = Vec::with_capacity(src.items.len());
    let mut nulls = false;
    for x in &src.items {
        let v = match selector {
            Some(f) => rt.invoke(f, std::slice::from_ref(x))?,
            None => x.clone(),
        };
        if v.is_null() {
            nulls = true;
        } else {
            out.push(v);
        }
    }
    Ok((out, nulls))
}

/// The .NET overload a numeric value selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Int,
    Long,
    Float,
    Double,
    Decimal,
}

fn kind_of(v: &Value<'_>) -> Option<Kind> {
    Some(match v {
        Value::SByte(_) | Value::Byte(_) | Value::Short(_) | Value::UShort(_) | Value::Int(_) => Kind::Int,
        Value::UInt(_) | Value::Long(_) | Value::ULong(_) => Kind::Long,
        Value::Float(_) => Kind::Float,
        Value::Double(_) => Kind::Double,
        Value::Decimal(_) => Kind::Decimal,
        _ => return None,
    })
}

fn kind_of_type(t: &TypeRef) -> Option<Kind> {
    let d = t.def()?;
    [
        (&numbers::INT32, Kind::Int),
        (&numbers::INT16, Kind::Int),
        (&numbers::BYTE, Kind::Int),
        (&numbers::INT64, Kind::Long),
        (&numbers::SINGLE, Kind::Float),
        (&numbers::DOUBLE, Kind::Double),
        (&numbers::DECIMAL, Kind::Decimal),
    ]
    .into_iter()
    .find(|(x, _)| d.is(x))
    .map(|(_, k)| k)
}

/// The widest overload the values need (`InvalidCastException` for a
/// non-number); `None` for no values.
fn kind(vals: &[Value<'_>]) -> EvalResult<Option<Kind>> {
    let mut k: Option<Kind> = None;
    for v in vals {
        let vk = kind_of(v).ok_or_else(|| EvalError::cast(v.type_name(), "a number"))?;
        k = Some(k.map_or(vk, |k| k.max(vk)));
    }
    Ok(k)
}

fn decimal_of(v: &Value<'_>) -> EvalResult<Decimal> {
    match v {
        Value::Decimal(d) => Ok(*d),
        v => v
            .as_integer()
            .and_then(Decimal::from_i128)
            .or_else(|| v.as_f64().and_then(Decimal::from_f64))
            .ok_or_else(overflow),
    }
}

/// Exact integer sum, checked against `[min, max]`.
fn int_sum(vals: &[Value<'_>], min: i128, max: i128) -> EvalResult<i128> {
    let mut s: i128 = 0;
    for v in vals {
        s += v.as_integer().unwrap_or(0);
        if s < min || s > max {
            return Err(overflow());
        }
    }
    Ok(s)
}

fn sum<'a>(src: &Src<'a>, vals: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let k = kind(vals)?
        .or_else(|| src.elem.as_ref().and_then(kind_of_type))
        .unwrap_or(Kind::Int);
    Ok(match k {
        Kind::Int => Value::Int(int_sum(vals, i32::MIN.into(), i32::MAX.into())? as i32),
        Kind::Long => Value::Long(int_sum(vals, i64::MIN.into(), i64::MAX.into())? as i64),
        Kind::Float => Value::Float(vals.iter().filter_map(Value::as_f64).sum::<f64>() as f32),
        Kind::Double => Value::Double(vals.iter().filter_map(Value::as_f64).sum()),
        Kind::Decimal => {
            let mut s = Decimal::ZERO;
            for v in vals {
                s = s.checked_add(decimal_of(v)?).ok_or_else(overflow)?;
            }
            Value::Decimal(s)
        }
    })
}

fn average<'a>(vals: &[Value<'a>], nullable: bool) -> EvalResult<Value<'a>> {
    let Some(k) = kind(vals)? else {
        return if nullable { Ok(Value::Null) } else { Err(no_elements()) };
    };
    let n = vals.len() as f64;
    Ok(match k {
        Kind::Int | Kind::Long => Value::Double(int_sum(vals, i64::MIN.into(), i64::MAX.into())? as f64 / n),
        Kind::Float => Value::Float((vals.iter().filter_map(Value::as_f64).sum::<f64>() / n) as f32),
        Kind::Double => Value::Double(vals.iter().filter_map(Value::as_f64).sum::<f64>() / n),
        Kind::Decimal => {
            let mut s = Decimal::ZERO;
            for v in vals {
                s = s.checked_add(decimal_of(v)?).ok_or_else(overflow)?;
            }
            Value::Decimal(s.checked_div(Decimal::from(vals.len() as u64)).ok_or_else(overflow)?)
        }
    })
}

fn is_nan(v: &Value<'_>) -> bool {
    match v {
        Value::Double(d) => d.is_nan(),
        Value::Float(f) => f.is_nan(),
        _ => false,
    }
}

/// `Min`/`Max` of non-null values (.NET's double rules: `Min` is NaN if
/// any value is; `Max` is NaN only if all are).
fn extreme<'a>(
    rt: &mut dyn Runtime<'a>,
    vals: Vec<Value<'a>>,
    max: bool,
    cmp: KeyCmp,
    nullable: bool,
) -> EvalResult<Value<'a>> {
    let mut best: Option<Value<'a>> = None;
    for v in vals {
        rt.charge(1)?;
        if is_nan(&v) {
            if !max {
                return Ok(v);
            }
            if best.is_none() {
                best = Some(v);
            }
            continue;
        }
        let better = match &best {
            None => true,
            Some(b) if is_nan(b) => true,
            Some(b) => {
                let o = cmp.compare(&v, b)?;
                if max {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            best = Some(v);
        }
    }
    match best {
        Some(v) => Ok(v),
        None if nullable => Ok(Value::Null),
        None => Err(no_elements()),
    }
}

/// `MinBy`/`MaxBy`: the first element with the least/greatest key (null
/// keys skipped; all null: the first element).
fn extreme_by<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    f: &Value<'a>,
    max: bool,
    cmp: KeyCmp,
) -> EvalResult<Value<'a>> {
    if src.items.is_empty() {
        return if src.nullable() || src.elem.is_none() {
            Ok(src.default())
        } else {
            Err(no_elements())
        };
    }
    let first = src.items.first().cloned().unwrap_or(Value::Null);
    let mut best: Option<(Value<'a>, Value<'a>)> = None;
    for x in src.items {
        let k = rt.invoke(f, std::slice::from_ref(&x))?;
        if k.is_null() {
            continue;
        }
        let better = match &best {
            None => true,
            Some((bk, _)) => {
                let o = cmp.compare(&k, bk)?;
                if max {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            best = Some((k, x));
        }
    }
    Ok(best.map_or(first, |(_, x)| x))
}
