//! `List<T>`: a growable list of values of element type `T` (stored
//! values are converted to `T`), with .NET's capacity growth (0, 4, 8, …),
//! exceptions and messages.
//!
//! Invariants: the `RefCell` is borrowed only for the duration of one
//! member's own work, never while a lambda runs (members that call lambdas
//! work on a snapshot); every change bumps `version`, which `ForEach`
//! checks as .NET does ("Collection was modified").

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use super::common::{
    self, alloc_items, cost, enumerate, fmt_items, generic_name, index_out_of_range, instance_of, int_arg, no_overload,
    position, range, store, store_all, targ, VALUE_BYTES,
};
use super::listops;
use super::views::{Enumerator, View};
use super::Array;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static LIST: TypeDef = TypeDef {
    name: "List",
    namespace: "System.Collections.Generic",
    generics: 1,
    bases: &[
        "IList",
        "ICollection",
        "IEnumerable",
        "IReadOnlyList",
        "IReadOnlyCollection",
    ],
    members: &[
        m("this[]", "T"),
        m("Count", "int"),
        m("Capacity", "int"),
        m("Add", "void"),
        m("AddRange", "void"),
        m("Insert", "void"),
        m("InsertRange", "void"),
        m("Remove", "bool"),
        m("RemoveAt", "void"),
        m("RemoveAll", "int"),
        m("RemoveRange", "void"),
        m("Contains", "bool"),
        m("IndexOf", "int"),
        m("LastIndexOf", "int"),
        m("Clear", "void"),
        m("Sort", "void"),
        m("Reverse", "void"),
        m("ToArray", "T[]"),
        m("Find", "T"),
        m("FindAll", "List<T>"),
        m("FindIndex", "int"),
        m("FindLast", "T"),
        m("FindLastIndex", "int"),
        m("Exists", "bool"),
        m("TrueForAll", "bool"),
        m("ForEach", "void"),
        m("ConvertAll", "?"),
        m("GetRange", "List<T>"),
        m("Slice", "List<T>"),
        m("BinarySearch", "int"),
        m("AsReadOnly", "ReadOnlyCollection<T>"),
        m("CopyTo", "void"),
        m("TrimExcess", "void"),
        m("EnsureCapacity", "int"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

/// A `List<T>`.
pub struct List {
    pub elem: TypeRef,
    items: RefCell<Vec<Value<'static>>>,
    capacity: Cell<usize>,
    version: Cell<u64>,
}

/// `new List<T>()`, `new List<T>(capacity)`, `new List<T>(collection)`.
fn construct<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let elem = targ(targs, 0);
    match args {
        [] => Ok(List::value(elem, Vec::new())),
        [n] if n.as_integer().is_some() => {
            let n = int_arg(n, "capacity")?;
            if n < 0 {
                return Err(common::non_negative("capacity"));
            }
            rt.alloc((n as usize).saturating_mul(VALUE_BYTES))?;
            let list = List::new(elem, Vec::new());
            list.capacity.set(n as usize);
            Ok(Value::obj(list))
        }
        [src] => {
            let items = enumerate(rt, src, "collection")?;
            let items = store_all(rt, items, &elem)?;
            Ok(List::value(elem, items))
        }
        _ => Err(no_overload("List", args.len())),
    }
}

impl List {
    /// A list of these items (already of type `elem`), its capacity their count.
    pub fn new(elem: TypeRef, items: Vec<Value<'static>>) -> List {
        List {
            elem,
            capacity: Cell::new(items.len()),
            items: RefCell::new(items),
            version: Cell::new(0),
        }
    }

    /// A `List<T>` value.
    pub fn value(elem: TypeRef, items: Vec<Value<'static>>) -> Value<'static> {
        Value::obj(List::new(elem, items))
    }

    /// A copy of the elements.
    pub fn snapshot(&self) -> Vec<Value<'static>> {
        self.items.try_borrow().map(|v| v.clone()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.items.try_borrow().map_or(0, |v| v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Changes the elements, bumping the version and growing the capacity
    /// as .NET does.
    fn modify<R>(&self, f: impl FnOnce(&mut Vec<Value<'static>>) -> R) -> EvalResult<R> {
        let mut items = self.items.try_borrow_mut().map_err(|_| common::modified())?;
        let r = f(&mut items);
        let len = items.len();
        drop(items);
        self.version.set(self.version.get().wrapping_add(1));
        let cap = self.capacity.get();
        if len > cap {
            self.capacity
                .set(if cap == 0 { 4 } else { cap.saturating_mul(2) }.max(len));
        }
        Ok(r)
    }

    /// Element `i` (`ArgumentOutOfRangeException` past the end).
    fn get_at(&self, key: &Value<'_>) -> EvalResult<Value<'static>> {
        let i = position(key, self.len(), false)?;
        self.items
            .try_borrow()
            .ok()
            .and_then(|v| v.get(i).cloned())
            .ok_or_else(index_out_of_range)
    }

    fn position_of(&self, x: &Value<'_>) -> Option<usize> {
        let items = self.items.try_borrow().ok()?;
        items.iter().position(|v| library::equals(v, x))
    }

    fn new_list<'a>(&self, rt: &mut dyn Runtime<'a>, items: Vec<Value<'static>>) -> EvalResult<Value<'a>> {
        alloc_items(rt, &items)?;
        Ok(List::value(self.elem.clone(), items))
    }

    fn call_mut<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let void = |r: EvalResult<()>| r.map(|()| Value::Null);
        Some(match (name, args) {
            ("Add", [x]) => void(store(rt, x.clone(), &self.elem).and_then(|v| {
                rt.alloc(cost(&v))?;
                self.modify(|items| items.push(v))
            })),
            ("AddRange", [xs]) => void(self.insert_range(rt, None, xs)),
            ("Insert", [i, x]) => void(position(i, self.len(), true).and_then(|i| {
                let v = store(rt, x.clone(), &self.elem)?;
                rt.alloc(cost(&v))?;
                self.modify(|items| items.insert(i.min(items.len()), v))
            })),
            ("InsertRange", [i, xs]) => {
                void(position(i, self.len(), true).and_then(|i| self.insert_range(rt, Some(i), xs)))
            }
            ("Remove", [x]) => match self.position_of(x) {
                Some(i) => self.modify(|items| items.remove(i)).map(|_| Value::Bool(true)),
                None => Ok(Value::Bool(false)),
            },
            ("RemoveAt", [i]) => void(position(i, self.len(), false).and_then(|i| {
                self.modify(|items| {
                    items.remove(i);
                })
            })),
            ("RemoveRange", [i, n]) => void(range(i, n, self.len()).and_then(|r| {
                self.modify(|items| {
                    items.drain(r);
                })
            })),
            ("RemoveAll", [f]) => self.remove_all(rt, f),
            ("Clear", []) => void(self.modify(|items| items.clear())),
            ("Sort", _) => {
                let mut items = self.snapshot();
                void(listops::sort(rt, &mut items, args).and_then(|()| self.modify(|v| *v = items)))
            }
            ("Reverse", _) => {
                let mut items = self.snapshot();
                void(listops::reverse(&mut items, args).and_then(|()| self.modify(|v| *v = items)))
            }
            ("ForEach", [f]) => self.for_each(rt, f),
            ("TrimExcess", []) => {
                let n = self.len();
                if (n as f64) < 0.9 * self.capacity.get() as f64 {
                    self.capacity.set(n);
                }
                Ok(Value::Null)
            }
            ("EnsureCapacity", [n]) => int_arg(n, "capacity").and_then(|n| {
                if n < 0 {
                    return Err(common::non_negative("capacity"));
                }
                let cap = self.capacity.get();
                if (n as u64) > cap as u64 {
                    rt.alloc((n as usize).saturating_mul(VALUE_BYTES))?;
                    let grown = if cap == 0 { 4 } else { cap.saturating_mul(2) };
                    self.capacity.set(grown.max(n as usize));
                }
                Ok(Value::Int(self.capacity.get() as i32))
            }),
            _ => return self.call_read(rt, this, name, targs, args),
        })
    }

    fn call_read<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        Some(match (name, args) {
            ("Contains", [x]) => Ok(Value::Bool(self.position_of(x).is_some())),
            ("ToArray", []) => {
                let items = self.snapshot();
                alloc_items(rt, &items).map(|()| Array::of(self.elem.clone(), items))
            }
            ("GetRange" | "Slice", [i, n]) => range(i, n, self.len())
                .and_then(|r| self.new_list(rt, self.snapshot().get(r).unwrap_or_default().to_vec())),
            ("FindAll", _) => listops::find_all(rt, &self.snapshot(), args).map(|v| List::value(self.elem.clone(), v)),
            ("ConvertAll", _) => listops::convert_all(rt, &self.snapshot(), args).map(|v| {
                let elem = targs.first().cloned().unwrap_or_else(|| common::infer_elem(&v));
                List::value(elem, v.into_iter().map(Value::into_owned).collect())
            }),
            ("AsReadOnly", []) => Ok(View::read_only(this.clone(), self.elem.clone())),
            ("GetEnumerator", []) => Ok(Enumerator::value(self.elem.clone(), self.snapshot())),
            ("CopyTo", _) => self.copy_to(rt, args).map(|()| Value::Null),
            (
                "Exists" | "Find" | "FindLast" | "TrueForAll" | "FindIndex" | "FindLastIndex" | "IndexOf"
                | "LastIndexOf" | "BinarySearch",
                _,
            ) => return listops::query(rt, &self.snapshot(), &self.elem, name, args),
            _ => return None,
        })
    }

    fn insert_range<'a>(&self, rt: &mut dyn Runtime<'a>, at: Option<usize>, xs: &Value<'a>) -> EvalResult<()> {
        let items = enumerate(rt, xs, "collection")?;
        let items = store_all(rt, items, &self.elem)?;
        self.modify(|v| {
            let at = at.unwrap_or(v.len()).min(v.len());
            v.splice(at..at, items);
        })
    }

    fn remove_all<'a>(&self, rt: &mut dyn Runtime<'a>, f: &Value<'a>) -> EvalResult<Value<'a>> {
        let items = self.snapshot();
        let mut keep = Vec::with_capacity(items.len());
        for x in &items {
            if !common::test(rt, f, x.clone())? {
                keep.push(x.clone());
            }
        }
        let removed = items.len() - keep.len();
        if removed > 0 {
            self.modify(|v| *v = keep)?;
        }
        Ok(Value::Int(removed as i32))
    }

    fn for_each<'a>(&self, rt: &mut dyn Runtime<'a>, f: &Value<'a>) -> EvalResult<Value<'a>> {
        let version = self.version.get();
        for x in self.snapshot() {
            if self.version.get() != version {
                break;
            }
            rt.invoke(f, &[x])?;
        }
        if self.version.get() != version {
            return Err(common::modified());
        }
        Ok(Value::Null)
    }

    /// `CopyTo(array)`, `CopyTo(array, arrayIndex)`,
    /// `CopyTo(index, array, arrayIndex, count)`.
    fn copy_to<'a>(&self, rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<()> {
        let items = self.snapshot();
        let (r, dst, at) = match args {
            [dst] => (0..items.len(), dst, 0),
            [dst, at] => (0..items.len(), dst, int_arg(at, "arrayIndex")?),
            [i, dst, at, n] => (range(i, n, items.len())?, dst, int_arg(at, "arrayIndex")?),
            _ => return Err(no_overload("CopyTo", args.len())),
        };
        let part = items.get(r).unwrap_or_default();
        Array::write_to(rt, dst, at, part)
    }
}

impl Object for List {
    fn type_def(&self) -> &'static TypeDef {
        &LIST
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        instance_of(&LIST, std::slice::from_ref(&self.elem), &self.elem, ty)
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        Some(Ok(match name {
            "Count" => Value::Int(self.len() as i32),
            "Capacity" => Value::Int(self.capacity.get() as i32),
            "IsReadOnly" => Value::Bool(false),
            _ => return None,
        }))
    }

    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        if name != "Capacity" {
            return None;
        }
        Some(int_arg(&value, "value").and_then(|n| {
            if n < self.len() as i64 {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "capacity was less than the current size. (Parameter 'value')",
                ));
            }
            rt.alloc((n as usize).saturating_mul(VALUE_BYTES))?;
            self.capacity.set(n as usize);
            Ok(())
        }))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        self.call_mut(rt, this, name, targs, args)
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(self.get_at(&key))
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        Some(position(&key, self.len(), false).and_then(|i| {
            let v = store(rt, value, &self.elem)?;
            self.modify(|items| {
                if let Some(slot) = items.get_mut(i) {
                    *slot = v;
                }
            })
        }))
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.snapshot())
    }

    fn to_text(&self) -> String {
        generic_name(&LIST, std::slice::from_ref(&self.elem))
    }

    fn size_hint(&self) -> usize {
        self.capacity.get().max(self.len()) * VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_items(f, "List", &self.snapshot())
    }
}
