//! Projection, filtering, partitioning and concatenation: `Where`,
//! `Select`, `SelectMany` (with index overloads and a result selector),
//! `Skip`/`Take` (+`While`, `Last`), `Reverse`, `Concat`, `Append`,
//! `Prepend`, `Zip` (with a result selector), `DefaultIfEmpty`,
//! `AsEnumerable`, `Chunk`.

use super::super::common::{self, enumerate, int_arg, truth};
use super::super::Array;
use super::{apply, indexed, seq, Src};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

/// The operator `name`, or `None` for an argument shape it lacks.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("Where", [f]) => filter(rt, src, f),
        ("Select", [f]) => select(rt, src, f),
        ("SelectMany", [f]) => select_many(rt, src, f, None),
        ("SelectMany", [f, r]) => select_many(rt, src, f, Some(r)),
        ("Skip" | "Take" | "SkipLast" | "TakeLast", [n]) => int_arg(n, "count").and_then(|n| {
            let len = src.items.len();
            let n = (n.max(0) as u64).min(len as u64) as usize;
            let r = match name {
                "Skip" => n..len,
                "Take" => 0..n,
                "SkipLast" => 0..len - n,
                _ => len - n..len,
            };
            let items = src.items.get(r).unwrap_or_default().to_vec();
            seq(rt, src.elem, items)
        }),
        ("SkipWhile" | "TakeWhile", [f]) => partition_while(rt, src, name == "TakeWhile", f),
        ("Reverse", []) => {
            let mut items = src.items;
            items.reverse();
            seq(rt, src.elem, items)
        }
        ("Concat", [other]) => enumerate(rt, other, "second").and_then(|more| {
            let mut items = src.items;
            items.extend(more);
            seq(rt, src.elem, items)
        }),
        ("Append" | "Prepend", [x]) => {
            let mut items = src.items;
            if name == "Append" {
                items.push(x.clone());
            } else {
                items.insert(0, x.clone());
            }
            seq(rt, src.elem, items)
        }
        ("Zip", [other, f]) => enumerate(rt, other, "second").and_then(|second| {
            let mut out = Vec::with_capacity(src.items.len().min(second.len()));
            for (a, b) in src.items.into_iter().zip(second) {
                out.push(rt.invoke(f, &[a, b])?);
            }
            seq(rt, None, out)
        }),
        ("Zip", _) => Err(EvalError::new(
            EvalErrorKind::NotSupported,
            "Zip without a result selector returns tuples, which Outpost does not implement; pass a selector: a.Zip(b, (x, y) => …)",
        )),
        ("DefaultIfEmpty", [] | [_]) => {
            let mut items = src.items;
            if items.is_empty() {
                items.push(match args.first() {
                    Some(d) => d.clone(),
                    None => src.elem.as_ref().map_or(Value::Null, common::default_of),
                });
            }
            seq(rt, src.elem, items)
        }
        ("AsEnumerable", []) => Ok(src.value),
        ("Chunk", [n]) => chunk(rt, src, n),
        _ => return None,
    })
}

fn filter<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, f: &Value<'a>) -> EvalResult<Value<'a>> {
    let idx = indexed(rt, f);
    let mut out = Vec::new();
    for (i, x) in src.items.into_iter().enumerate() {
        if truth(&apply(rt, f, x.clone(), idx.then_some(i))?)? {
            out.push(x);
        }
    }
    seq(rt, src.elem, out)
}

fn select<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, f: &Value<'a>) -> EvalResult<Value<'a>> {
    let idx = indexed(rt, f);
    let mut out = Vec::with_capacity(src.items.len());
    for (i, x) in src.items.into_iter().enumerate() {
        out.push(apply(rt, f, x, idx.then_some(i))?);
    }
    seq(rt, None, out)
}

/// `SelectMany(f)`, `SelectMany((x, i) => …)`, `SelectMany(f, (x, y) => r)`.
fn select_many<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    f: &Value<'a>,
    result: Option<&Value<'a>>,
) -> EvalResult<Value<'a>> {
    let idx = indexed(rt, f);
    let mut out = Vec::new();
    for (i, x) in src.items.into_iter().enumerate() {
        let inner = apply(rt, f, x.clone(), idx.then_some(i))?;
        for y in enumerate(rt, &inner, "collectionSelector")? {
            out.push(match result {
                Some(r) => rt.invoke(r, &[x.clone(), y])?,
                None => y,
            });
        }
    }
    seq(rt, None, out)
}

fn partition_while<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, take: bool, f: &Value<'a>) -> EvalResult<Value<'a>> {
    let idx = indexed(rt, f);
    let mut cut = src.items.len();
    for (i, x) in src.items.iter().enumerate() {
        if !truth(&apply(rt, f, x.clone(), idx.then_some(i))?)? {
            cut = i;
            break;
        }
    }
    let mut items = src.items;
    let items = if take {
        items.truncate(cut);
        items
    } else {
        items.split_off(cut)
    };
    seq(rt, src.elem, items)
}

/// `Chunk(size)`: arrays of `size` items (the last may be shorter).
fn chunk<'a>(rt: &mut dyn Runtime<'a>, src: Src<'a>, n: &Value<'a>) -> EvalResult<Value<'a>> {
    let n = int_arg(n, "size")?;
    if n < 1 {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            format!("size ('{n}') must be greater than or equal to '1'. (Parameter 'size')"),
        ));
    }
    let elem = src.elem_or_infer();
    let items: Vec<Value<'static>> = src.items.into_iter().map(Value::into_owned).collect();
    common::alloc_items(rt, &items)?;
    let chunks: Vec<Value<'a>> = items
        .chunks(n as usize)
        .map(|c| Array::of(elem.clone(), c.to_vec()))
        .collect();
    seq(rt, Some(TypeRef::Array(Box::new(elem))), chunks)
}
