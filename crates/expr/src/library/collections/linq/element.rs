//! Element access, quantifiers and counting: `First`, `Last`, `Single`
//! (and `…OrDefault`, each with an optional predicate and, as .NET 6+,
//! a default value), `ElementAt`(`OrDefault`), `Any`, `All`, `Count`,
//! `LongCount`, `Contains`, `SequenceEqual`.

use super::super::common::{enumerate, index_out_of_range, int_arg, is_lambda, test, KeyCmp};
use super::Src;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::value::Value;

fn invalid(message: &str) -> EvalError {
    EvalError::new(EvalErrorKind::InvalidOperation, message)
}

pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("First" | "Last" | "Single", [] | [_]) => pick(rt, src, name, args.first(), None),
        ("FirstOrDefault" | "LastOrDefault" | "SingleOrDefault", [] | [_] | [_, _]) => {
            let (pred, default) = match args {
                [f] if is_lambda(f) => (Some(f), None),
                [d] => (None, Some(d)),
                [f, d] => (Some(f), Some(d)),
                _ => (None, None),
            };
            let default = default.cloned().unwrap_or_else(|| src.default());
            pick(rt, src, name.trim_end_matches("OrDefault"), pred, Some(default))
        }
        ("ElementAt" | "ElementAtOrDefault", [i]) => int_arg(i, "index").and_then(|i| {
            let found = usize::try_from(i).ok().and_then(|i| src.items.get(i)).cloned();
            match (found, name) {
                (Some(v), _) => Ok(v),
                (None, "ElementAt") => Err(index_out_of_range()),
                (None, _) => Ok(src.default()),
            }
        }),
        ("Any", []) => Ok(Value::Bool(!src.items.is_empty())),
        ("Any" | "All", [f]) => {
            let all = name == "All";
            (|| {
                for x in src.items {
                    if test(rt, f, x)? != all {
                        return Ok(Value::Bool(!all));
                    }
                }
                Ok(Value::Bool(all))
            })()
        }
        ("Count" | "LongCount", [] | [_]) => (|| {
            let n = match args.first() {
                None => src.items.len(),
                Some(f) => {
                    let mut n = 0;
                    for x in src.items {
                        if test(rt, f, x)? {
                            n += 1;
                        }
                    }
                    n
                }
            };
            Ok(if name == "Count" {
                Value::Int(i32::try_from(n).map_err(|_| overflow())?)
            } else {
                Value::Long(n as i64)
            })
        })(),
        ("Contains", [x] | [x, _]) => args
            .get(1)
            .map_or(Ok(KeyCmp::Default), KeyCmp::from_arg)
            .map(|cmp| Value::Bool(src.items.iter().any(|v| cmp.eq(v, x)))),
        ("SequenceEqual", [other] | [other, _]) => (|| {
            let cmp = args.get(1).map_or(Ok(KeyCmp::Default), KeyCmp::from_arg)?;
            let second = enumerate(rt, other, "second")?;
            Ok(Value::Bool(
                src.items.len() == second.len() && src.items.iter().zip(&second).all(|(a, b)| cmp.eq(a, b)),
            ))
        })(),
        _ => return None,
    })
}

fn overflow() -> EvalError {
    EvalError::new(EvalErrorKind::Overflow, "Arithmetic operation resulted in an overflow.")
}

/// `First`/`Last`/`Single` with an optional predicate; `default` for the
/// `…OrDefault` forms.
fn pick<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    pred: Option<&Value<'a>>,
    default: Option<Value<'a>>,
) -> EvalResult<Value<'a>> {
    let none = || {
        invalid(if pred.is_some() {
            "Sequence contains no matching element"
        } else {
            "Sequence contains no elements"
        })
    };
    let mut items = src.items;
    if name == "Last" {
        items.reverse();
    }
    let mut found: Option<Value<'a>> = None;
    for x in items {
        let hit = match pred {
            Some(f) => test(rt, f, x.clone())?,
            None => true,
        };
        if !hit {
            continue;
        }
        if name != "Single" {
            return Ok(x);
        }
        if found.is_some() {
            return Err(invalid(if pred.is_some() {
                "Sequence contains more than one matching element"
            } else {
                "Sequence contains more than one element"
            }));
        }
        found = Some(x);
    }
    match (found, default) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(none()),
    }
}
