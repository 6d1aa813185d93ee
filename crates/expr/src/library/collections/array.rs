//! Arrays: `T[]` (a fixed-length, mutable list of values with an element
//! type) and their instance members; the `System.Array` statics are in
//! `array_static`. `byte[]` keeps its bytes packed.
//!
//! Invariants: a stored element is converted to the element type first
//! (`common::store`), so a `byte[]` store only ever receives bytes; the
//! `RefCell` is never borrowed while a lambda runs (statics work on a
//! snapshot and write back with [`Array::replace`]).

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::common::{self, dotnet_name, fmt_items, instance_of, int_arg, no_overload, store};
use super::views::Enumerator;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::numbers::BYTE;
use crate::library::text::STRING;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

/// `System.Array` (the base of every `T[]`). In its tables, `T` is the
/// element type of the array argument (`Array.Find<T>(T[], …)`); `?` an
/// element of the receiver (the checker knows it from `T[]`).
pub static ARRAY: TypeDef = TypeDef {
    name: "Array",
    bases: &[
        "IEnumerable",
        "ICollection",
        "IList",
        "IReadOnlyCollection",
        "IReadOnlyList",
    ],
    statics: &[
        m("Empty", "T[]"),
        m("IndexOf", "int"),
        m("LastIndexOf", "int"),
        m("Reverse", "void"),
        m("Sort", "void"),
        m("Exists", "bool"),
        m("Find", "T"),
        m("FindAll", "T[]"),
        m("FindIndex", "int"),
        m("FindLast", "T"),
        m("FindLastIndex", "int"),
        m("TrueForAll", "bool"),
        m("ConvertAll", "?"),
        m("Copy", "void"),
        m("ConstrainedCopy", "void"),
        m("Clear", "void"),
        m("Fill", "void"),
        m("ForEach", "void"),
        m("BinarySearch", "int"),
        m("AsReadOnly", "ReadOnlyCollection<T>"),
        m("MaxLength", "int"),
    ],
    members: &[
        m("this[]", "?"),
        m("Length", "int"),
        m("LongLength", "long"),
        m("Rank", "int"),
        m("IsFixedSize", "bool"),
        m("IsReadOnly", "bool"),
        m("IsSynchronized", "bool"),
        m("Clone", "object"),
        m("CopyTo", "void"),
        m("GetValue", "object"),
        m("SetValue", "void"),
        m("GetLength", "int"),
        m("GetLongLength", "long"),
        m("GetLowerBound", "int"),
        m("GetUpperBound", "int"),
        m("GetEnumerator", "?"),
    ],
    // `Resize` takes a `ref` argument; the others build multi-dimensional
    // or reflection-typed arrays.
    unimplemented: &[
        "Resize",
        "CreateInstance",
        "CreateInstanceFromArrayType",
        "SyncRoot",
        "Initialize",
    ],
    get_static: Some(super::array_static::get_static),
    call_static: Some(super::array_static::call_static),
    ..TypeDef::EMPTY
};

/// The elements of an array.
#[derive(Debug)]
pub enum Store {
    /// `byte[]`.
    Bytes(Vec<u8>),
    Values(Vec<Value<'static>>),
}

/// A `T[]`.
#[derive(Debug)]
pub struct Array {
    pub elem: TypeRef,
    pub store: RefCell<Store>,
}

impl Array {
    /// A `byte[]` value.
    pub fn bytes(b: Vec<u8>) -> Value<'static> {
        Value::obj(Array {
            elem: TypeRef::of(&BYTE),
            store: RefCell::new(Store::Bytes(b)),
        })
    }

    /// A `string[]` value.
    pub fn strings<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Value<'static> {
        Array::of(
            TypeRef::of(&STRING),
            items.into_iter().map(|s| Value::string(s)).collect(),
        )
    }

    /// A `T[]` value of these items (already of type `elem`).
    pub fn of(elem: TypeRef, items: Vec<Value<'static>>) -> Value<'static> {
        Value::obj(Array::new(elem, items))
    }

    /// A `T[]` of these items (a `byte[]` of bytes is packed).
    pub fn new(elem: TypeRef, items: Vec<Value<'static>>) -> Array {
        Array {
            store: RefCell::new(Array::pack(&elem, items)),
            elem,
        }
    }

    fn pack(elem: &TypeRef, items: Vec<Value<'static>>) -> Store {
        if elem.def().is_some_and(|d| d.is(&BYTE)) && !matches!(elem, TypeRef::Nullable(_)) {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|v| match v {
                    Value::Byte(b) => Some(*b),
                    _ => None,
                })
                .collect();
            if let Some(b) = bytes {
                return Store::Bytes(b);
            }
        }
        Store::Values(items)
    }

    /// The bytes of a `byte[]` value (a copy), or `None` for anything else.
    pub fn to_bytes(v: &Value<'_>) -> Option<Vec<u8>> {
        let a = v.downcast::<Array>()?;
        match &*a.store.try_borrow().ok()? {
            Store::Bytes(b) => Some(b.clone()),
            Store::Values(vs) if a.elem.def().is_some_and(|d| d.is(&BYTE)) => vs
                .iter()
                .map(|v| match v {
                    Value::Byte(b) => Some(*b),
                    _ => None,
                })
                .collect(),
            Store::Values(_) => None,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self.store.try_borrow().as_deref() {
            Ok(Store::Bytes(b)) => b.len(),
            Ok(Store::Values(v)) => v.len(),
            Err(_) => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the elements.
    pub fn snapshot(&self) -> Vec<Value<'static>> {
        match self.store.try_borrow().as_deref() {
            Ok(Store::Bytes(b)) => b.iter().map(|x| Value::Byte(*x)).collect(),
            Ok(Store::Values(v)) => v.clone(),
            Err(_) => Vec::new(),
        }
    }

    /// Replaces the elements with `items` (of the element type: a
    /// permutation or a converted copy of them).
    pub fn replace(&self, items: Vec<Value<'static>>) -> EvalResult<()> {
        let store = Array::pack(&self.elem, items);
        *self.store.try_borrow_mut().map_err(|_| common::modified())? = store;
        Ok(())
    }

    fn at(&self, key: &Value<'_>) -> EvalResult<usize> {
        let i = key
            .as_integer()
            .ok_or_else(|| EvalError::argument("an array index must be an integer"))?;
        usize::try_from(i)
            .ok()
            .filter(|i| *i < self.len())
            .ok_or_else(out_of_bounds)
    }

    fn get_at(&self, i: usize) -> EvalResult<Value<'static>> {
        match self.store.try_borrow().as_deref() {
            Ok(Store::Bytes(b)) => b.get(i).map(|x| Value::Byte(*x)),
            Ok(Store::Values(v)) => v.get(i).cloned(),
            Err(_) => None,
        }
        .ok_or_else(out_of_bounds)
    }

    /// Stores `v` (already converted) at `i`.
    fn put(&self, i: usize, v: Value<'static>) -> EvalResult<()> {
        let mut store = self.store.try_borrow_mut().map_err(|_| common::modified())?;
        let slot_missing = match (&mut *store, v) {
            (Store::Bytes(b), Value::Byte(x)) => b.get_mut(i).map(|s| *s = x).is_none(),
            (Store::Bytes(_), v) => return Err(EvalError::cast(v.type_name(), "byte")),
            (Store::Values(vs), v) => vs.get_mut(i).map(|s| *s = v).is_none(),
        };
        if slot_missing {
            return Err(out_of_bounds());
        }
        Ok(())
    }

    /// Copies `values` into array value `dst` from index `at` (converting
    /// each to its element type): what `CopyTo` and `Array.Copy` do.
    pub fn write_to<'a>(rt: &mut dyn Runtime<'a>, dst: &Value<'a>, at: i64, values: &[Value<'a>]) -> EvalResult<()> {
        if dst.is_null() {
            return Err(common::arg_null("array"));
        }
        let dst = dst
            .downcast::<Array>()
            .ok_or_else(|| EvalError::cast(dst.type_name(), "Array"))?;
        if at < 0 {
            return Err(common::non_negative("arrayIndex"));
        }
        if at as u64 + values.len() as u64 > dst.len() as u64 {
            return Err(EvalError::argument(
                "Destination array was not long enough. Check the destination index, length, and the array's lower bounds. (Parameter 'destinationArray')",
            ));
        }
        let converted: Vec<Value<'static>> = values
            .iter()
            .map(|v| store(rt, v.clone(), &dst.elem))
            .collect::<EvalResult<_>>()?;
        for (k, v) in converted.into_iter().enumerate() {
            dst.put(at as usize + k, v)?;
        }
        Ok(())
    }

    fn dimension(&self, d: &Value<'_>) -> EvalResult<usize> {
        match int_arg(d, "dimension")? {
            0 => Ok(self.len()),
            _ => Err(out_of_bounds()),
        }
    }
}

/// Whether reference type `from` converts to `to` (the same type, a base
/// or interface it names, or `object`).
fn assignable(from: &TypeRef, to: &TypeRef) -> bool {
    if common::is_object(to) {
        return true;
    }
    match (from, to) {
        (TypeRef::Named(f, fa), TypeRef::Named(t, ta)) => {
            (f.is(t) && fa == ta) || (ta.is_empty() && f.bases.contains(&t.name))
        }
        (TypeRef::Array(f), TypeRef::Array(t)) => assignable(f, t),
        _ => false,
    }
}

/// .NET's `IndexOutOfRangeException` of an array access.
pub fn out_of_bounds() -> EvalError {
    EvalError::new(
        EvalErrorKind::IndexOutOfRange,
        "Index was outside the bounds of the array.",
    )
}

impl Object for Array {
    fn type_def(&self) -> &'static TypeDef {
        &ARRAY
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        match ty {
            // Array covariance: a `JObject[]` is a `JToken[]` and an `object[]`.
            TypeRef::Array(e) => **e == self.elem || (!common::is_value_type(&self.elem) && assignable(&self.elem, e)),
            t => instance_of(&ARRAY, &[], &self.elem, t),
        }
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        Some(Ok(match name {
            "Length" | "Count" => Value::Int(self.len() as i32),
            "LongLength" => Value::Long(self.len() as i64),
            "Rank" => Value::Int(1),
            "IsFixedSize" => Value::Bool(true),
            "IsReadOnly" | "IsSynchronized" => Value::Bool(false),
            _ => return None,
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
        let _ = (this, targs);
        Some(match (name, args) {
            ("Clone", []) => {
                let items = self.snapshot();
                rt.alloc(self.size_hint())
                    .map(|()| Value::obj(Array::new(self.elem.clone(), items)))
            }
            ("CopyTo", [dst, at]) => {
                int_arg(at, "index").and_then(|at| Array::write_to(rt, dst, at, &self.snapshot()).map(|()| Value::Null))
            }
            ("GetValue", [i]) => self.at(i).and_then(|i| self.get_at(i)),
            ("GetValue", [_, ..]) => Err(EvalError::argument("Array was not a multidimensional array.")),
            ("SetValue", [v, i]) => self.at(i).and_then(|i| {
                let v = store(rt, v.clone(), &self.elem)?;
                self.put(i, v).map(|()| Value::Null)
            }),
            ("GetLength", [d]) => self.dimension(d).map(|n| Value::Int(n as i32)),
            ("GetLongLength", [d]) => self.dimension(d).map(|n| Value::Long(n as i64)),
            ("GetLowerBound", [d]) => self.dimension(d).map(|_| Value::Int(0)),
            ("GetUpperBound", [d]) => self.dimension(d).map(|n| Value::Int(n as i32 - 1)),
            ("GetEnumerator", []) => Ok(Enumerator::value(self.elem.clone(), self.snapshot())),
            ("Clone" | "CopyTo" | "GetLength" | "GetLongLength" | "GetLowerBound" | "GetUpperBound", _) => {
                Err(no_overload(name, args.len()))
            }
            _ => return None,
        })
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(self.at(&key).and_then(|i| self.get_at(i)))
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        Some(self.at(&key).and_then(|i| {
            let v = store(rt, value, &self.elem)?;
            self.put(i, v)
        }))
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.snapshot())
    }

    fn to_text(&self) -> String {
        dotnet_name(&TypeRef::Array(Box::new(self.elem.clone())))
    }

    fn size_hint(&self) -> usize {
        match self.store.try_borrow().as_deref() {
            Ok(Store::Bytes(b)) => b.len(),
            Ok(Store::Values(v)) => v.len() * common::VALUE_BYTES,
            Err(_) => 0,
        }
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_items(f, &format!("{}[]", self.elem), &self.snapshot())
    }
}
