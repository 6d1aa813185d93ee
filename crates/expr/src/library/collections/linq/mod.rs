//! `System.Linq.Enumerable`: the LINQ operators, called as extension
//! methods on any enumerable value (`xs.Where(f)`, through [`linq_call`])
//! or as statics (`Enumerable.Where(xs, f)`), plus `Enumerable.Range`,
//! `Repeat` and `Empty<T>()`.
//!
//! **Evaluated eagerly.** .NET defers a query until it is enumerated;
//! here each operator runs when called and returns a materialized
//! sequence ([`Seq`], typed `IEnumerable<T>`). For lambdas without side
//! effects — what policy expressions write — the results are the same;
//! what differs: a lambda's side effects happen at the call rather than
//! at enumeration, a query over a collection changed afterwards does not
//! see the change, and an operator after a throwing one throws at once.
//!
//! Element types travel with the sequences when known (`List<int>` →
//! `Where` → `IEnumerable<int>`), so `FirstOrDefault()` of an empty
//! `int` sequence is `0` and `ToArray()` makes an `int[]`; after a
//! `Select` the type is inferred from the items (`ToArray()` of strings is
//! a `string[]`, of mixed items an `object[]`), and the default of an
//! unknown type is `null`.
//!
//! Module map: `seq` (the result objects), `filter` (projection,
//! filtering, partitioning, concatenation), `element` (element access,
//! quantifiers, counting), `aggregate` (Sum/Min/Max/Average/Aggregate),
//! `order` (OrderBy/ThenBy), `sets` (Distinct/Union/…, GroupBy, Join),
//! `convert` (ToList/ToArray/ToDictionary/ToHashSet/Cast/OfType).
//!
//! Invariants: every operator charges the budget per element it visits
//! (through [`crate::library::items`] and per comparison) and
//! [`Runtime::alloc`]s what it materializes; none holds a borrow of a
//! collection while a lambda runs (they work on snapshots).

use crate::error::{EvalError, EvalResult};
use crate::library::{self, text::CHAR};
use crate::runtime::Runtime;
use crate::types::{m, Member, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

use super::common::{self, int_arg, no_overload, targ};
use super::interfaces::IENUMERABLE;

pub mod aggregate;
pub mod convert;
pub mod element;
pub mod filter;
pub mod order;
pub mod seq;
pub mod sets;

#[cfg(test)]
mod tests;

pub use seq::{Grouping, Lookup, OrderedSeq, Seq};

/// The operators and their C# return types (`T`: the source's element
/// type, or the call's first generic argument).
const OPERATORS: &[Member] = &[
    m("Where", "IEnumerable<T>"),
    m("Select", "?"),
    m("SelectMany", "?"),
    m("First", "T"),
    m("FirstOrDefault", "T"),
    m("Last", "T"),
    m("LastOrDefault", "T"),
    m("Single", "T"),
    m("SingleOrDefault", "T"),
    m("ElementAt", "T"),
    m("ElementAtOrDefault", "T"),
    m("Any", "bool"),
    m("All", "bool"),
    m("Count", "int"),
    m("LongCount", "long"),
    m("Contains", "bool"),
    m("SequenceEqual", "bool"),
    m("Sum", "?"),
    m("Min", "?"),
    m("Max", "?"),
    m("Average", "?"),
    m("MinBy", "T"),
    m("MaxBy", "T"),
    m("Aggregate", "?"),
    m("Distinct", "IEnumerable<T>"),
    m("DistinctBy", "IEnumerable<T>"),
    m("Union", "IEnumerable<T>"),
    m("UnionBy", "IEnumerable<T>"),
    m("Intersect", "IEnumerable<T>"),
    m("IntersectBy", "IEnumerable<T>"),
    m("Except", "IEnumerable<T>"),
    m("ExceptBy", "IEnumerable<T>"),
    m("OrderBy", "IOrderedEnumerable<T>"),
    m("OrderByDescending", "IOrderedEnumerable<T>"),
    m("ThenBy", "IOrderedEnumerable<T>"),
    m("ThenByDescending", "IOrderedEnumerable<T>"),
    m("Order", "IOrderedEnumerable<T>"),
    m("OrderDescending", "IOrderedEnumerable<T>"),
    m("Reverse", "IEnumerable<T>"),
    m("Skip", "IEnumerable<T>"),
    m("Take", "IEnumerable<T>"),
    m("SkipWhile", "IEnumerable<T>"),
    m("TakeWhile", "IEnumerable<T>"),
    m("SkipLast", "IEnumerable<T>"),
    m("TakeLast", "IEnumerable<T>"),
    m("GroupBy", "?"),
    m("GroupJoin", "?"),
    m("Join", "?"),
    m("ToLookup", "?"),
    m("ToDictionary", "?"),
    m("ToList", "List<T>"),
    m("ToArray", "T[]"),
    m("ToHashSet", "HashSet<T>"),
    m("Concat", "IEnumerable<T>"),
    m("Zip", "?"),
    m("DefaultIfEmpty", "IEnumerable<T>"),
    m("Cast", "IEnumerable<T>"),
    m("OfType", "IEnumerable<T>"),
    m("Append", "IEnumerable<T>"),
    m("Prepend", "IEnumerable<T>"),
    m("AsEnumerable", "IEnumerable<T>"),
    m("Chunk", "IEnumerable<T[]>"),
    // Statics that do not take a source:
    m("Range", "IEnumerable<int>"),
    m("Repeat", "IEnumerable<T>"),
    m("Empty", "IEnumerable<T>"),
];

/// `System.Linq.Enumerable`.
pub static ENUMERABLE: TypeDef = TypeDef {
    name: "Enumerable",
    namespace: "System.Linq",
    kind: TypeKind::Static,
    statics: OPERATORS,
    // .NET 6–9 additions not implemented (the tuple-returning `Zip`
    // overloads throw NotSupportedException at run time).
    unimplemented: &["TryGetNonEnumeratedCount", "AggregateBy", "CountBy", "Index"],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// A LINQ operator's source: its items (a snapshot), its element type
/// when known, and the value itself (`AsEnumerable`, `ThenBy`).
pub struct Src<'a> {
    pub value: Value<'a>,
    pub items: Vec<Value<'a>>,
    pub elem: Option<TypeRef>,
}

impl<'a> Src<'a> {
    /// The element type: known, else inferred from the items.
    pub fn elem_or_infer(&self) -> TypeRef {
        self.elem.clone().unwrap_or_else(|| common::infer_elem(&self.items))
    }

    /// `default(T)` of the element type (`null` when unknown).
    pub fn default(&self) -> Value<'static> {
        self.elem.as_ref().map_or(Value::Null, common::default_of)
    }

    /// Whether an empty source's `Min`/`Max`/`Average` is `null` rather
    /// than an exception: nullable or reference element types.
    pub fn nullable(&self) -> bool {
        match &self.elem {
            Some(TypeRef::Nullable(_)) => true,
            Some(t) => !common::is_value_type(t),
            None => self.items.iter().any(Value::is_null),
        }
    }
}

/// The element type of an enumerable value, when its type says it.
pub fn elem_type(v: &Value<'_>) -> Option<TypeRef> {
    use super::{Array, Deque, Dictionary, HashSet, List, View, KEY_VALUE_PAIR};
    match v {
        Value::Str(_) => Some(TypeRef::of(&CHAR)),
        Value::Dict(_) => Some(TypeRef::of(&KEY_VALUE_PAIR)),
        Value::Obj(o) => {
            let any = o.as_any();
            if let Some(a) = any.downcast_ref::<Array>() {
                Some(a.elem.clone())
            } else if let Some(l) = any.downcast_ref::<List>() {
                Some(l.elem.clone())
            } else if let Some(s) = any.downcast_ref::<Seq>() {
                s.elem.clone()
            } else if let Some(s) = any.downcast_ref::<OrderedSeq>() {
                s.elem.clone()
            } else if let Some(d) = any.downcast_ref::<Dictionary>() {
                Some(TypeRef::Named(
                    &KEY_VALUE_PAIR,
                    Box::new([d.key_t.clone(), d.val_t.clone()]),
                ))
            } else if let Some(s) = any.downcast_ref::<HashSet>() {
                Some(s.elem.clone())
            } else if let Some(q) = any.downcast_ref::<Deque>() {
                Some(q.elem.clone())
            } else if let Some(v) = any.downcast_ref::<View>() {
                Some(v.elem())
            } else if let Some(g) = any.downcast_ref::<Grouping>() {
                g.elem.clone()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The source of an operator: `None` if `v` is not enumerable.
pub fn source<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> Option<EvalResult<Src<'a>>> {
    let items = library::items(rt, v)?;
    Some(items.map(|items| Src {
        value: v.clone(),
        items,
        elem: elem_type(v),
    }))
}

/// Whether `name` is a LINQ operator taking a source.
fn is_operator(name: &str) -> bool {
    !matches!(name, "Range" | "Repeat" | "Empty") && ENUMERABLE.static_member(name).is_some()
}

/// LINQ's extension methods on any enumerable receiver. `None`: not an
/// enumerable, or not a LINQ method.
pub fn linq_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if !is_operator(name) {
        return None;
    }
    if matches!(name, "ThenBy" | "ThenByDescending") {
        return order::then_by(rt, &recv, name, args);
    }
    let src = match source(rt, &recv)? {
        Ok(src) => src,
        Err(e) => return Some(Err(e)),
    };
    Some(run(rt, src, name, targs, args))
}

fn run<'a>(
    rt: &mut dyn Runtime<'a>,
    src: Src<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> EvalResult<Value<'a>> {
    let n = args.len();
    let r = match name {
        "Where" | "Select" | "SelectMany" | "Skip" | "Take" | "SkipWhile" | "TakeWhile" | "SkipLast" | "TakeLast"
        | "Reverse" | "Concat" | "Append" | "Prepend" | "Zip" | "DefaultIfEmpty" | "AsEnumerable" | "Chunk" => {
            filter::call(rt, src, name, args)
        }
        "First" | "FirstOrDefault" | "Last" | "LastOrDefault" | "Single" | "SingleOrDefault" | "ElementAt"
        | "ElementAtOrDefault" | "Any" | "All" | "Count" | "LongCount" | "Contains" | "SequenceEqual" => {
            element::call(rt, src, name, args)
        }
        "Sum" | "Min" | "Max" | "Average" | "MinBy" | "MaxBy" | "Aggregate" => aggregate::call(rt, src, name, args),
        "OrderBy" | "OrderByDescending" | "Order" | "OrderDescending" => order::order_by(rt, src, name, args),
        "Distinct" | "DistinctBy" | "Union" | "UnionBy" | "Intersect" | "IntersectBy" | "Except" | "ExceptBy"
        | "GroupBy" | "ToLookup" | "Join" | "GroupJoin" => sets::call(rt, src, name, args),
        "ToList" | "ToArray" | "ToHashSet" | "ToDictionary" | "Cast" | "OfType" => {
            convert::call(rt, src, name, targs, args)
        }
        _ => None,
    };
    r.unwrap_or_else(|| Err(no_overload(name, n)))
}

/// `Enumerable.Range`, `Repeat`, `Empty<T>()`, and every operator in
/// static form (`Enumerable.Where(xs, f)`).
pub fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("Empty", []) => Ok(Seq::value(Some(targ(targs, 0)), Vec::new())),
        ("Range", [start, count]) => range(rt, start, count),
        ("Repeat", [x, count]) => int_arg(count, "count").and_then(|n| {
            if n < 0 {
                return Err(count_out_of_range());
            }
            rt.charge(n as u64)?;
            rt.alloc((n as usize).saturating_mul(common::cost(x)))?;
            let elem = targs.first().cloned().or_else(|| library::type_of(x).map(TypeRef::of));
            Ok(Seq::value(elem, vec![x.clone().into_owned(); n as usize]))
        }),
        ("Empty" | "Range" | "Repeat", _) => Err(no_overload(name, args.len())),
        (_, [source, rest @ ..]) if is_operator(name) => {
            if source.is_null() {
                return Some(Err(common::arg_null("source")));
            }
            linq_call(rt, source.clone(), name, targs, rest).unwrap_or_else(|| {
                Err(EvalError::argument(format!(
                    "a value of type {} is not enumerable (Parameter 'source')",
                    source.type_name()
                )))
            })
        }
        (_, []) if is_operator(name) => Err(no_overload(name, 0)),
        _ => return None,
    })
}

fn count_out_of_range() -> EvalError {
    EvalError::new(
        crate::error::EvalErrorKind::ArgumentOutOfRange,
        "Specified argument was out of the range of valid values. (Parameter 'count')",
    )
}

/// `Enumerable.Range(start, count)`.
fn range<'a>(rt: &mut dyn Runtime<'a>, start: &Value<'a>, count: &Value<'a>) -> EvalResult<Value<'a>> {
    let s = int_arg(start, "start")?;
    let n = int_arg(count, "count")?;
    if n < 0 || s + n - 1 > i64::from(i32::MAX) {
        return Err(count_out_of_range());
    }
    rt.charge(n as u64)?;
    rt.alloc((n as usize).saturating_mul(common::VALUE_BYTES))?;
    let items = (s..s + n).map(|i| Value::Int(i as i32)).collect();
    Ok(Seq::value(Some(TypeRef::of(&crate::library::numbers::INT32)), items))
}

/// A sequence result of element type `elem` (charging its memory).
pub fn seq<'a>(rt: &mut dyn Runtime<'a>, elem: Option<TypeRef>, items: Vec<Value<'a>>) -> EvalResult<Value<'a>> {
    common::alloc_items(rt, &items)?;
    Ok(Seq::value(elem, items.into_iter().map(Value::into_owned).collect()))
}

/// Whether lambda `f` takes the element's index as a second parameter
/// (`Where((x, i) => …)`).
pub fn indexed<'a>(rt: &mut dyn Runtime<'a>, f: &Value<'a>) -> bool {
    rt.lambda_arity(f) == Some(2)
}

/// Calls `f` on `x` (and its index `i` for an indexed lambda).
pub fn apply<'a>(rt: &mut dyn Runtime<'a>, f: &Value<'a>, x: Value<'a>, i: Option<usize>) -> EvalResult<Value<'a>> {
    match i {
        Some(i) => rt.invoke(f, &[x, Value::Int(i as i32)]),
        None => rt.invoke(f, &[x]),
    }
}

/// The type `IEnumerable<T>` for `Seq`'s `is` checks.
pub fn ienumerable_of(elem: TypeRef) -> TypeRef {
    TypeRef::Named(&IENUMERABLE, Box::new([elem]))
}
