//! Set operators and grouping: `Distinct`(`By`), `Union`(`By`),
//! `Intersect`(`By`), `Except`(`By`), `GroupBy` (key, element and result
//! selectors, comparer), `ToLookup`, `Join`, `GroupJoin` — in .NET's
//! orders (first occurrence; groups in order of their key's first
//! appearance), with keys in a [`Table`] (`library::equals`/`hash`, or a
//! case-ignoring `StringComparer`).

use std::rc::Rc;

use super::super::common::{self, enumerate, is_lambda, KeyCmp};
use super::super::table::Table;
use super::seq::{Grouping, Lookup, Seq};
use super::{seq, Src};
use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let cmp_at = |i: usize| args.get(i).map_or(Ok(KeyCmp::Default), KeyCmp::from_arg);
    Some(match (name, args) {
        ("Distinct", [] | [_]) => cmp_at(0).and_then(|c| distinct(rt, src, None, c)),
        ("DistinctBy", [f] | [f, _]) => cmp_at(1).and_then(|c| distinct(rt, src, Some(f), c)),
        ("Union", [second] | [second, _]) => cmp_at(1).and_then(|c| union(rt, src, second, None, c)),
        ("UnionBy", [second, f] | [second, f, _]) => cmp_at(2).and_then(|c| union(rt, src, second, Some(f), c)),
        ("Intersect" | "Except", [second] | [second, _]) => {
            cmp_at(1).and_then(|c| filter_by_set(rt, src, second, None, c, name == "Intersect"))
        }
        ("IntersectBy" | "ExceptBy", [second, f] | [second, f, _]) => {
            cmp_at(2).and_then(|c| filter_by_set(rt, src, second, Some(f), c, name == "IntersectBy"))
        }
        ("GroupBy", [key, rest @ ..]) if rest.len() <= 3 => group_by(rt, src, key, rest),
        ("ToLookup", [key, rest @ ..]) if rest.len() <= 2 => (|| {
            let (elem_f, cmp) = match rest {
                [] => (None, KeyCmp::Default),
                [e] if is_lambda(e) => (Some(e), KeyCmp::Default),
                [c] => (None, KeyCmp::from_arg(c)?),
                [e, c] => (Some(e), KeyCmp::from_arg(c)?),
                _ => (None, KeyCmp::Default),
            };
            let elem = if elem_f.is_some() { None } else { src.elem.clone() };
            let (index, groups) = groups(rt, src.items, key, elem_f, cmp)?;
            let groups: Vec<Value<'static>> = groups
                .into_iter()
                .map(|(k, items)| grouping(k, elem.clone(), items))
                .collect();
            let mut owned = Table::new(cmp);
            for (k, i) in index.into_entries() {
                owned.insert(k.into_owned(), i);
            }
            Ok(Value::obj(Lookup {
                elem,
                groups,
                index: owned,
            }))
        })(),
        ("Join" | "GroupJoin", [inner, outer_key, inner_key, result] | [inner, outer_key, inner_key, result, _]) => {
            cmp_at(4).and_then(|c| join(rt, src, inner, outer_key, inner_key, result, c, name == "GroupJoin"))
        }
        _ => return None,
    })
}

/// The key of `x`: `f(x)`, or `x` itself.
fn key_of<'a>(rt: &mut dyn Runtime<'a>, f: Option<&Value<'a>>, x: &Value<'a>) -> EvalResult<Value<'a>> {
    match f {
        Some(f) => rt.invoke(f, std::slice::from_ref(x)),
        None => Ok(x.clone()),
    }
}

fn distinct<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, f: Option<&Value<'a>>, cmp: KeyCmp) -> EvalResult<Value<'a>> {
    let mut seen = Table::new(cmp);
    let mut out = Vec::new();
    for x in src.items {
        if seen.insert(key_of(rt, f, &x)?, ()).1 {
            out.push(x);
        }
    }
    seq(rt, src.elem, out)
}

fn union<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    second: &Value<'a>,
    f: Option<&Value<'a>>,
    cmp: KeyCmp,
) -> EvalResult<Value<'a>> {
    let more = enumerate(rt, second, "second")?;
    let mut seen = Table::new(cmp);
    let mut out = Vec::new();
    for x in src.items.into_iter().chain(more) {
        if seen.insert(key_of(rt, f, &x)?, ()).1 {
            out.push(x);
        }
    }
    seq(rt, src.elem, out)
}

/// `Intersect` (`keep_common`) or `Except`: a set of `second` (items, or
/// keys for the `By` forms), then the first sequence's items whose key
/// is (or is not) in it, each key once.
fn filter_by_set<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    second: &Value<'a>,
    f: Option<&Value<'a>>,
    cmp: KeyCmp,
    keep_common: bool,
) -> EvalResult<Value<'a>> {
    let mut set = Table::new(cmp);
    for k in enumerate(rt, second, "second")? {
        set.insert(k, ());
    }
    let mut out = Vec::new();
    for x in src.items {
        let k = key_of(rt, f, &x)?;
        let keep = if keep_common {
            set.remove(&k).is_some()
        } else {
            set.insert(k, ()).1
        };
        if keep {
            out.push(x);
        }
    }
    seq(rt, src.elem, out)
}

type Groups<'a> = (Table<'a, usize>, Vec<(Value<'a>, Vec<Value<'a>>)>);

/// Groups `items` by `key` (elements through `elem_f`), in order of each
/// key's first appearance.
fn groups<'a>(
    rt: &mut dyn Runtime<'a>,
    items: Vec<Value<'a>>,
    key: &Value<'a>,
    elem_f: Option<&Value<'a>>,
    cmp: KeyCmp,
) -> EvalResult<Groups<'a>> {
    let mut index: Table<'a, usize> = Table::new(cmp);
    let mut groups: Vec<(Value<'a>, Vec<Value<'a>>)> = Vec::new();
    for x in items {
        let k = rt.invoke(key, std::slice::from_ref(&x))?;
        let e = key_of(rt, elem_f, &x)?;
        let (i, new) = index.insert(k.clone(), groups.len());
        let at = if new {
            groups.push((k, Vec::new()));
            groups.len() - 1
        } else {
            index.at(i).map_or(0, |(_, g)| *g)
        };
        if let Some((_, g)) = groups.get_mut(at) {
            g.push(e);
        }
    }
    Ok((index, groups))
}

fn grouping(key: Value<'_>, elem: Option<TypeRef>, items: Vec<Value<'_>>) -> Value<'static> {
    Value::Obj(Rc::new(Grouping {
        key: key.into_owned(),
        elem,
        items: items.into_iter().map(Value::into_owned).collect(),
    }))
}

/// `GroupBy(key[, element][, result][, comparer])`: an element selector
/// takes one parameter, a result selector two (the key and the group).
fn group_by<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, key: &Value<'a>, rest: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let mut elem_f = None;
    let mut result_f = None;
    let mut cmp = KeyCmp::Default;
    for a in rest {
        if !is_lambda(a) {
            cmp = KeyCmp::from_arg(a)?;
        } else if rt.lambda_arity(a) == Some(2) {
            result_f = Some(a);
        } else {
            elem_f = Some(a);
        }
    }
    let elem = if elem_f.is_some() { None } else { src.elem.clone() };
    let (_, groups) = groups(rt, src.items, key, elem_f, cmp)?;
    let mut out = Vec::with_capacity(groups.len());
    for (k, items) in groups {
        out.push(match result_f {
            Some(r) => {
                common::alloc_items(rt, &items)?;
                let g = Seq::value(elem.clone(), items.into_iter().map(Value::into_owned).collect());
                rt.invoke(r, &[k, g])?
            }
            None => grouping(k, elem.clone(), items),
        });
    }
    seq(rt, None, out)
}

/// `Join` and `GroupJoin` (null keys match nothing).
#[allow(clippy::too_many_arguments)]
fn join<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    inner: &Value<'a>,
    outer_key: &Value<'a>,
    inner_key: &Value<'a>,
    result: &Value<'a>,
    cmp: KeyCmp,
    group: bool,
) -> EvalResult<Value<'a>> {
    let inner_items = enumerate(rt, inner, "inner")?;
    let inner_elem = super::elem_type(inner);
    let mut index: Table<'a, usize> = Table::new(cmp);
    let mut buckets: Vec<Vec<Value<'a>>> = Vec::new();
    for y in inner_items {
        let k = rt.invoke(inner_key, std::slice::from_ref(&y))?;
        if k.is_null() {
            continue;
        }
        let (i, new) = index.insert(k, buckets.len());
        let at = if new {
            buckets.push(Vec::new());
            buckets.len() - 1
        } else {
            index.at(i).map_or(0, |(_, b)| *b)
        };
        if let Some(b) = buckets.get_mut(at) {
            b.push(y);
        }
    }
    let mut out = Vec::new();
    for x in src.items {
        let k = rt.invoke(outer_key, std::slice::from_ref(&x))?;
        let matches: &[Value<'a>] = if k.is_null() {
            &[]
        } else {
            index
                .get(&k)
                .and_then(|i| buckets.get(*i))
                .map_or(&[], |b| b.as_slice())
        };
        if group {
            common::alloc_items(rt, matches)?;
            let g = Seq::value(
                inner_elem.clone(),
                matches.iter().cloned().map(Value::into_owned).collect(),
            );
            out.push(rt.invoke(result, &[x, g])?);
        } else {
            rt.charge(matches.len() as u64)?;
            for y in matches {
                out.push(rt.invoke(result, &[x.clone(), y.clone()])?);
            }
        }
    }
    seq(rt, None, out)
}
