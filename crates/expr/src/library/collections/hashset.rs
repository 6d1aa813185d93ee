//! `HashSet<T>`: a set over [`Table`] (enumeration in .NET's order),
//! optionally case-insensitive (`new HashSet<string>(StringComparer.OrdinalIgnoreCase)`),
//! with the set operations of `ISet<T>` in .NET's algorithms (which entry
//! is removed or added first decides later enumeration order).
//!
//! Invariants: stored items are converted to `T`; the `RefCell` is
//! borrowed only inside one member's own work (`RemoveWhere` runs its
//! predicate on a snapshot).

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::rc::Rc;

use super::common::{self, enumerate, generic_name, instance_of, int_arg, no_overload, store, targ, KeyCmp};
use super::table::Table;
use super::views::Enumerator;
use super::Array;
use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static HASH_SET: TypeDef = TypeDef {
    name: "HashSet",
    namespace: "System.Collections.Generic",
    generics: 1,
    bases: &[
        "ISet",
        "ICollection",
        "IEnumerable",
        "IReadOnlyCollection",
        "IReadOnlySet",
    ],
    members: &[
        m("Count", "int"),
        m("Add", "bool"),
        m("Contains", "bool"),
        m("Remove", "bool"),
        m("Clear", "void"),
        m("UnionWith", "void"),
        m("IntersectWith", "void"),
        m("ExceptWith", "void"),
        m("SymmetricExceptWith", "void"),
        m("IsSubsetOf", "bool"),
        m("IsSupersetOf", "bool"),
        m("IsProperSubsetOf", "bool"),
        m("IsProperSupersetOf", "bool"),
        m("Overlaps", "bool"),
        m("SetEquals", "bool"),
        m("RemoveWhere", "int"),
        m("TryGetValue", "bool"),
        m("CopyTo", "void"),
        m("TrimExcess", "void"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    unimplemented: &[
        "Comparer",
        "CreateSetComparer",
        "EnsureCapacity",
        "GetObjectData",
        "OnDeserialization",
    ],
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

/// A `HashSet<T>`.
pub struct HashSet {
    pub elem: TypeRef,
    table: RefCell<Table<'static, ()>>,
}

/// `new HashSet<T>()`, `(capacity)`, `(comparer)`, `(collection)`,
/// `(collection, comparer)`, `(capacity, comparer)`.
fn construct<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let elem = targ(targs, 0);
    let (cmp, src) = match args {
        [] => (KeyCmp::Default, None),
        [n] | [n, _] if n.as_integer().is_some() => {
            if int_arg(n, "capacity")? < 0 {
                return Err(common::non_negative("capacity"));
            }
            (args.get(1).map(KeyCmp::from_arg).transpose()?.unwrap_or_default(), None)
        }
        [c] if KeyCmp::is_comparer(c) => (KeyCmp::from_arg(c)?, None),
        [src] => (KeyCmp::Default, Some(src)),
        [src, c] => (KeyCmp::from_arg(c)?, Some(src)),
        _ => return Err(common::no_overload("HashSet", args.len())),
    };
    let set = HashSet::new(elem, cmp);
    if let Some(src) = src {
        for x in enumerate(rt, src, "collection")? {
            set.add(rt, x)?;
        }
    }
    Ok(Value::obj(set))
}

impl HashSet {
    pub fn new(elem: TypeRef, cmp: KeyCmp) -> HashSet {
        HashSet {
            elem,
            table: RefCell::new(Table::new(cmp)),
        }
    }

    pub fn len(&self) -> usize {
        self.table.try_borrow().map_or(0, |t| t.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, x: &Value<'_>) -> bool {
        self.table.try_borrow().is_ok_and(|t| t.contains(x))
    }

    fn cmp(&self) -> KeyCmp {
        self.table.try_borrow().map_or(KeyCmp::Default, |t| t.cmp())
    }

    fn snapshot(&self) -> Vec<Value<'static>> {
        self.table
            .try_borrow()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn table_mut(&self) -> EvalResult<std::cell::RefMut<'_, Table<'static, ()>>> {
        self.table.try_borrow_mut().map_err(|_| common::modified())
    }

    /// `Add`: whether the item was added.
    pub fn add<'a>(&self, rt: &mut dyn Runtime<'a>, x: Value<'a>) -> EvalResult<bool> {
        let x = store(rt, x, &self.elem)?;
        let cost = common::cost(&x);
        let added = self.table_mut()?.insert(x, ()).1;
        if added {
            rt.alloc(cost)?;
        }
        Ok(added)
    }

    fn remove(&self, x: &Value<'_>) -> EvalResult<bool> {
        Ok(self.table_mut()?.remove(x).is_some())
    }

    /// The distinct items of `other` under this set's comparer (and
    /// whether `other` is this very set).
    fn other<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        other: &Value<'a>,
    ) -> EvalResult<(Table<'a, ()>, bool)> {
        let same = matches!(other, Value::Obj(o) if Rc::ptr_eq(o, this));
        let mut t = Table::new(self.cmp());
        for x in enumerate(rt, other, "other")? {
            t.insert(x, ());
        }
        Ok((t, same))
    }

    fn set_op<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        other: &Value<'a>,
    ) -> EvalResult<Value<'a>> {
        let bool_of = |b: bool| Ok(Value::Bool(b));
        match name {
            "UnionWith" => {
                for x in enumerate(rt, other, "other")? {
                    self.add(rt, x)?;
                }
            }
            "ExceptWith" if matches!(other, Value::Obj(o) if Rc::ptr_eq(o, this)) => self.table_mut()?.clear(),
            "ExceptWith" => {
                for x in enumerate(rt, other, "other")? {
                    self.remove(&x)?;
                }
            }
            "IntersectWith" => {
                let (o, _) = self.other(rt, this, other)?;
                let mut t = self.table_mut()?;
                if o.is_empty() {
                    t.clear();
                }
                for i in 0..t.slot_count() {
                    if t.at(i).is_some_and(|(k, _)| !o.contains(k)) {
                        t.remove_at(i);
                    }
                }
            }
            "SymmetricExceptWith" => self.symmetric_except(rt, this, other)?,
            _ => {
                let (o, same) = self.other(rt, this, other)?;
                let mine = self.snapshot();
                let inside = mine.iter().filter(|x| o.contains(x)).count();
                let (n, m) = (mine.len(), o.len());
                return match name {
                    "IsSubsetOf" => bool_of(inside == n),
                    "IsProperSubsetOf" => bool_of(inside == n && m > n),
                    "IsSupersetOf" => bool_of(same || inside == m),
                    "IsProperSupersetOf" => bool_of(!same && inside == m && n > m),
                    "Overlaps" => bool_of(inside > 0),
                    "SetEquals" => bool_of(inside == n && m == n),
                    _ => Err(no_overload(name, 1)),
                };
            }
        }
        Ok(Value::Null)
    }

    /// .NET's `SymmetricExceptWith`: with another set of the same comparer,
    /// each of its items is removed or else added; with any other
    /// sequence, new items are added first, then the items found in both
    /// are removed in entry order.
    fn symmetric_except<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        other: &Value<'a>,
    ) -> EvalResult<()> {
        if matches!(other, Value::Obj(o) if Rc::ptr_eq(o, this)) {
            return self.table_mut().map(|mut t| t.clear());
        }
        let items = enumerate(rt, other, "other")?;
        let same_kind = other.downcast::<HashSet>().is_some_and(|s| s.cmp() == self.cmp());
        if same_kind {
            for x in items {
                if !self.remove(&x)? {
                    self.add(rt, x)?;
                }
            }
            return Ok(());
        }
        let original = self.table.try_borrow().map_or(0, |t| t.slot_count());
        let mut added = BTreeSet::new();
        let mut to_remove = BTreeSet::new();
        for x in items {
            let x = store(rt, x, &self.elem)?;
            rt.alloc(common::cost(&x))?;
            let (at, new) = self.table_mut()?.insert(x, ());
            if new {
                added.insert(at);
            } else if at < original && !added.contains(&at) {
                to_remove.insert(at);
            }
        }
        let mut t = self.table_mut()?;
        for at in to_remove {
            t.remove_at(at);
        }
        Ok(())
    }
}

impl Object for HashSet {
    fn type_def(&self) -> &'static TypeDef {
        &HASH_SET
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        instance_of(&HASH_SET, std::slice::from_ref(&self.elem), &self.elem, ty)
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        match name {
            "Count" => Some(Ok(Value::Int(self.len() as i32))),
            "IsReadOnly" => Some(Ok(Value::Bool(false))),
            _ => None,
        }
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = targs;
        Some(match (name, args) {
            ("Add", [x]) => self.add(rt, x.clone()).map(Value::Bool),
            ("Contains", [x]) => Ok(Value::Bool(self.contains(x))),
            ("Remove", [x]) => self.remove(x).map(Value::Bool),
            ("Clear", []) => self.table_mut().map(|mut t| {
                t.clear();
                Value::Null
            }),
            (
                "UnionWith"
                | "IntersectWith"
                | "ExceptWith"
                | "SymmetricExceptWith"
                | "IsSubsetOf"
                | "IsSupersetOf"
                | "IsProperSubsetOf"
                | "IsProperSupersetOf"
                | "Overlaps"
                | "SetEquals",
                [other],
            ) => self.set_op(rt, this, name, other),
            ("RemoveWhere", [f]) => (|| {
                let mut removed = 0;
                for x in self.snapshot() {
                    if common::test(rt, f, x.clone())? && self.remove(&x)? {
                        removed += 1;
                    }
                }
                Ok(Value::Int(removed))
            })(),
            ("TryGetValue", [x, _]) => {
                let found = self
                    .table
                    .try_borrow()
                    .ok()
                    .and_then(|t| t.find(x).and_then(|i| t.at(i).map(|(k, _)| k.clone())));
                let hit = found.is_some();
                rt.set_out(1, found.unwrap_or_else(|| common::default_of(&self.elem)))
                    .map(|()| Value::Bool(hit))
            }
            ("CopyTo", [dst, rest @ ..]) => {
                let items = self.snapshot();
                (|| {
                    let (at, n) = match rest {
                        [] => (0, items.len()),
                        [at] => (int_arg(at, "arrayIndex")?, items.len()),
                        [at, n] => (
                            int_arg(at, "arrayIndex")?,
                            common::range(&Value::Int(0), n, items.len())?.end,
                        ),
                        _ => return Err(no_overload("CopyTo", args.len())),
                    };
                    Array::write_to(rt, dst, at, items.get(..n).unwrap_or_default()).map(|()| Value::Null)
                })()
            }
            ("TrimExcess", []) => self.table_mut().map(|mut t| {
                t.compact();
                Value::Null
            }),
            ("GetEnumerator", []) => Ok(Enumerator::value(self.elem.clone(), self.snapshot())),
            _ => return None,
        })
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.snapshot())
    }

    fn to_text(&self) -> String {
        generic_name(&HASH_SET, std::slice::from_ref(&self.elem))
    }

    fn size_hint(&self) -> usize {
        self.len() * common::VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common::fmt_items(f, "HashSet", &self.snapshot())
    }
}
