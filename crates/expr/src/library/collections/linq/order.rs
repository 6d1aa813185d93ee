//! Ordering: `OrderBy`, `OrderByDescending`, `Order`, `OrderDescending`
//! (each with an optional `StringComparer`) and `ThenBy`/`ThenByDescending`
//! on their result. The sort is stable, as LINQ's is; keys are computed
//! once per element and compared with `Comparer<T>.Default`
//! ([`crate::library::compare`]) or the comparer given.

use std::cmp::Ordering;

use super::super::common::{self, KeyCmp};
use super::super::sort::wrap_compare_error;
use super::seq::{Level, OrderedSeq};
use super::Src;
use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::value::Value;

/// `OrderBy(key[, comparer])`, `Order([comparer])` and their descending forms.
pub fn order_by<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let by_key = name.starts_with("OrderBy");
    let (key, cmp) = match (by_key, args) {
        (false, []) => (None, None),
        (false, [c]) => (None, Some(c)),
        (true, [f]) => (Some(f), None),
        (true, [f, c]) => (Some(f), Some(c)),
        _ => return None,
    };
    Some((|| {
        let cmp = cmp.map_or(Ok(KeyCmp::Default), KeyCmp::from_arg)?;
        let source: Vec<Value<'static>> = src.items.into_iter().map(Value::into_owned).collect();
        let level = level(rt, &source, key, name.ends_with("Descending"), cmp)?;
        build(rt, src.elem, source, vec![level])
    })())
}

/// `ThenBy(key[, comparer])`/`ThenByDescending` on an ordered sequence
/// (`None` for any other receiver: C# has no such method there).
pub fn then_by<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let o = recv.downcast::<OrderedSeq>()?;
    let (f, cmp) = match args {
        [f] => (f, None),
        [f, c] => (f, Some(c)),
        _ => return Some(Err(common::no_overload(name, args.len()))),
    };
    Some((|| {
        rt.charge(o.source.len() as u64)?;
        let cmp = cmp.map_or(Ok(KeyCmp::Default), KeyCmp::from_arg)?;
        let level = level(rt, &o.source, Some(f), name.ends_with("Descending"), cmp)?;
        let mut levels: Vec<Level> = o
            .levels
            .iter()
            .map(|l| Level {
                keys: l.keys.clone(),
                desc: l.desc,
                cmp: l.cmp,
            })
            .collect();
        levels.push(level);
        build(rt, o.elem.clone(), o.source.clone(), levels)
    })())
}

/// One level's keys (`key` applied to each item, or the items themselves).
fn level<'a>(
    rt: &mut dyn Runtime<'a>,
    source: &[Value<'static>],
    key: Option<&Value<'a>>,
    desc: bool,
    cmp: KeyCmp,
) -> EvalResult<Level> {
    let keys = match key {
        None => source.to_vec(),
        Some(f) => {
            let mut keys = Vec::with_capacity(source.len());
            for x in source {
                keys.push(rt.invoke(f, std::slice::from_ref(x))?.into_owned());
            }
            keys
        }
    };
    common::alloc_items(rt, &keys)?;
    Ok(Level { keys, desc, cmp })
}

/// Sorts `source` stably by `levels` and wraps the result.
fn build<'a>(
    rt: &mut dyn Runtime<'a>,
    elem: Option<crate::types::TypeRef>,
    source: Vec<Value<'static>>,
    levels: Vec<Level>,
) -> EvalResult<Value<'a>> {
    let mut order: Vec<usize> = (0..source.len()).collect();
    let mut failure = None;
    order.sort_by(|&a, &b| {
        if failure.is_some() {
            return Ordering::Equal;
        }
        if let Err(e) = rt.charge(1) {
            failure = Some(e);
            return Ordering::Equal;
        }
        for l in &levels {
            let (Some(x), Some(y)) = (l.keys.get(a), l.keys.get(b)) else {
                continue;
            };
            match l.cmp.compare(x, y) {
                Ok(Ordering::Equal) => continue,
                Ok(o) => return if l.desc { o.reverse() } else { o },
                Err(e) => {
                    failure = Some(e);
                    return Ordering::Equal;
                }
            }
        }
        Ordering::Equal
    });
    if let Some(e) = failure {
        return Err(wrap_compare_error(e));
    }
    let sorted: Vec<Value<'static>> = order.iter().filter_map(|&i| source.get(i).cloned()).collect();
    common::alloc_items(rt, &sorted)?;
    Ok(Value::obj(OrderedSeq {
        elem,
        source,
        levels,
        sorted,
    }))
}
