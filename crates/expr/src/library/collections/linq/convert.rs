//! Materializing and typing operators: `ToList`, `ToArray`, `ToHashSet`,
//! `ToDictionary` (key and element selectors, comparer; `()` on a
//! sequence of `KeyValuePair`s), `Cast<T>`, `OfType<T>`.
//!
//! The element type of `ToArray`/`ToList`: the call's generic argument
//! (`ToArray<string>()`), else the source's known element type, else the
//! one type all items share (`string[]`), else `object`. `Cast<T>` is a
//! reference/unboxing check as in .NET (no numeric conversion: an `int`
//! cast to `long` is an `InvalidCastException`).

use super::super::common::{self, is_lambda, KeyCmp};
use super::super::{dictionary, Array, Dictionary, HashSet, List};
use super::{seq, Src};
use crate::error::{EvalError, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("ToList" | "ToArray", []) => (|| {
            let elem = targs.first().cloned().unwrap_or_else(|| src.elem_or_infer());
            let items = common::store_all(rt, src.items, &elem)?;
            Ok(if name == "ToList" {
                List::value(elem, items)
            } else {
                Array::of(elem, items)
            })
        })(),
        ("ToHashSet", [] | [_]) => (|| {
            let cmp = args.first().map_or(Ok(KeyCmp::Default), KeyCmp::from_arg)?;
            let elem = targs.first().cloned().unwrap_or_else(|| src.elem_or_infer());
            let set = HashSet::new(elem, cmp);
            for x in src.items {
                set.add(rt, x)?;
            }
            Ok(Value::obj(set))
        })(),
        ("ToDictionary", _) if args.len() <= 3 => to_dictionary(rt, src, args),
        ("Cast" | "OfType", []) => (|| {
            let Some(t) = targs.first() else {
                return Err(EvalError::argument(format!("{name}<T>() needs a type argument")));
            };
            let mut out = Vec::with_capacity(src.items.len());
            for x in src.items {
                if library::is_instance(&x, t) || common::is_object(t) {
                    out.push(x);
                } else if name == "Cast" {
                    if x.is_null() {
                        out.push(library::convert(rt, x, t, true, false)?);
                    } else {
                        return Err(EvalError::cast(x.type_name(), t));
                    }
                }
            }
            seq(rt, Some(t.clone()), out)
        })(),
        _ => return None,
    })
}

/// `ToDictionary(key[, element][, comparer])`, or `ToDictionary([comparer])`
/// on `KeyValuePair`s.
fn to_dictionary<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let lambdas: Vec<&Value<'a>> = args.iter().filter(|a| is_lambda(a)).collect();
    let cmp = match args.iter().find(|a| !is_lambda(a)) {
        Some(c) => KeyCmp::from_arg(c)?,
        None => KeyCmp::Default,
    };
    let pairs: Vec<(Value<'a>, Value<'a>)> = match lambdas.as_slice() {
        [] => dictionary::pairs(rt, &src.value)?,
        [k] | [k, _] => {
            let mut pairs = Vec::with_capacity(src.items.len());
            for x in src.items {
                let key = rt.invoke(k, std::slice::from_ref(&x))?;
                let val = match lambdas.get(1) {
                    Some(e) => rt.invoke(e, &[x])?,
                    None => x,
                };
                pairs.push((key, val));
            }
            pairs
        }
        _ => return Err(common::no_overload("ToDictionary", args.len())),
    };
    let keys: Vec<Value<'a>> = pairs.iter().map(|(k, _)| k.clone()).collect();
    let vals: Vec<Value<'a>> = pairs.iter().map(|(_, v)| v.clone()).collect();
    let val_t = match (lambdas.len(), &src.elem) {
        (1, Some(t)) => t.clone(),
        _ => common::infer_elem(&vals),
    };
    let dict = Dictionary::new(common::infer_elem(&keys), val_t, cmp);
    for (k, v) in pairs {
        dict.add(rt, k, v)?;
    }
    Ok(Value::obj(dict))
}
