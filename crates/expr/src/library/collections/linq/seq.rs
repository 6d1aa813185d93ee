//! The objects LINQ returns: [`Seq`] (a materialized `IEnumerable<T>`),
//! [`OrderedSeq`] (`IOrderedEnumerable<T>`, which keeps its source and
//! key chain so `ThenBy` can refine the order), [`Grouping`]
//! (`IGrouping<TKey, T>`: `Key` and elements) and [`Lookup`]
//! (`ILookup<TKey, T>`: groupings by key).
//!
//! Invariants: all are immutable once built; their items are owned.

use std::any::Any;
use std::fmt;
use std::rc::Rc;

use super::super::common::{self, fmt_items, generic_name, instance_of, KeyCmp};
use super::super::interfaces::{IENUMERABLE, IGROUPING, ILOOKUP, IORDEREDENUMERABLE};
use super::super::table::Table;
use super::super::views::Enumerator;
use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

/// A materialized query result.
pub struct Seq {
    pub elem: Option<TypeRef>,
    pub items: Vec<Value<'static>>,
}

impl Seq {
    pub fn value(elem: Option<TypeRef>, items: Vec<Value<'static>>) -> Value<'static> {
        Value::obj(Seq { elem, items })
    }

    fn elem(&self) -> TypeRef {
        self.elem.clone().unwrap_or_else(|| common::infer_elem(&self.items))
    }
}

/// `GetEnumerator()` of a LINQ result.
fn enumerator<'a>(
    name: &str,
    args: &[Value<'a>],
    elem: TypeRef,
    items: &[Value<'static>],
) -> Option<EvalResult<Value<'a>>> {
    (name == "GetEnumerator" && args.is_empty()).then(|| Ok(Enumerator::value(elem, items.to_vec())))
}

impl Object for Seq {
    fn type_def(&self) -> &'static TypeDef {
        &IENUMERABLE
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        let elem = self.elem();
        instance_of(&IENUMERABLE, std::slice::from_ref(&elem), &elem, ty)
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, targs);
        enumerator(name, args, self.elem(), &self.items)
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.items.clone())
    }

    fn to_text(&self) -> String {
        generic_name(&IENUMERABLE, &[self.elem()])
    }

    fn size_hint(&self) -> usize {
        self.items.len() * common::VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_items(f, "IEnumerable", &self.items)
    }
}

/// One ordering key of an [`OrderedSeq`]: each source item's key, in
/// source order.
pub struct Level {
    pub keys: Vec<Value<'static>>,
    pub desc: bool,
    pub cmp: KeyCmp,
}

/// The result of `OrderBy`/`ThenBy`: the source in its original order,
/// the key levels, and the items sorted by them (stably).
pub struct OrderedSeq {
    pub elem: Option<TypeRef>,
    pub source: Vec<Value<'static>>,
    pub levels: Vec<Level>,
    pub sorted: Vec<Value<'static>>,
}

impl Object for OrderedSeq {
    fn type_def(&self) -> &'static TypeDef {
        &IORDEREDENUMERABLE
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        let elem = self.elem.clone().unwrap_or_else(|| common::infer_elem(&self.sorted));
        instance_of(&IORDEREDENUMERABLE, std::slice::from_ref(&elem), &elem, ty)
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, targs);
        let elem = self.elem.clone().unwrap_or_else(|| common::infer_elem(&self.sorted));
        enumerator(name, args, elem, &self.sorted)
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.sorted.clone())
    }

    fn to_text(&self) -> String {
        "System.Linq.OrderedEnumerable`2".to_owned()
    }

    fn size_hint(&self) -> usize {
        (2 + self.levels.len()) * self.source.len() * common::VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_items(f, "IOrderedEnumerable", &self.sorted)
    }
}

/// A group of `GroupBy`/`ToLookup`/`GroupJoin`.
pub struct Grouping {
    pub key: Value<'static>,
    pub elem: Option<TypeRef>,
    pub items: Vec<Value<'static>>,
}

impl Object for Grouping {
    fn type_def(&self) -> &'static TypeDef {
        &IGROUPING
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        let elem = self.elem.clone().unwrap_or_else(|| common::infer_elem(&self.items));
        match ty.def() {
            Some(d) if d.is(&IGROUPING) => ty.args().len() != 2 || ty.args().get(1) == Some(&elem),
            _ => instance_of(&IGROUPING, &[], &elem, ty),
        }
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        (name == "Key").then(|| Ok(self.key.clone()))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, targs);
        let elem = self.elem.clone().unwrap_or_else(|| common::infer_elem(&self.items));
        enumerator(name, args, elem, &self.items)
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.items.clone())
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        Some(vec![("Key", self.key.clone())])
    }

    fn to_text(&self) -> String {
        "System.Linq.Grouping`2".to_owned()
    }

    fn size_hint(&self) -> usize {
        (1 + self.items.len()) * common::VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Grouping({:?})", self.key)?;
        fmt_items(f, "", &self.items)
    }
}

/// The result of `ToLookup`: groupings in order of their keys' first
/// appearance, and an index by key.
pub struct Lookup {
    pub elem: Option<TypeRef>,
    pub groups: Vec<Value<'static>>,
    pub index: Table<'static, usize>,
}

impl Object for Lookup {
    fn type_def(&self) -> &'static TypeDef {
        &ILOOKUP
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        (name == "Count").then(|| Ok(Value::Int(self.groups.len() as i32)))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, targs);
        match (name, args) {
            ("Contains", [k]) => Some(Ok(Value::Bool(self.index.contains(k)))),
            ("GetEnumerator", []) => Some(Ok(Enumerator::value(common::object_type(), self.groups.clone()))),
            _ => None,
        }
    }

    /// `lookup[key]`: the key's elements, or an empty sequence.
    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        let group = self.index.get(&key).and_then(|i| self.groups.get(*i));
        Some(Ok(match group.and_then(|g| g.downcast::<Grouping>()) {
            Some(g) => Seq::value(g.elem.clone(), g.items.clone()),
            None => Seq::value(self.elem.clone(), Vec::new()),
        }))
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.groups.clone())
    }

    fn to_text(&self) -> String {
        "System.Linq.Lookup`2".to_owned()
    }

    fn size_hint(&self) -> usize {
        self.groups.len() * 2 * common::VALUE_BYTES
    }
}
