//! Arrays: `T[]` (a fixed-length, mutable list of values with an element
//! type) and the `System.Array` statics. `byte[]` keeps its bytes packed.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::numbers::BYTE;
use crate::library::text::STRING;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

/// `System.Array` (the base of every `T[]`).
pub static ARRAY: TypeDef = TypeDef {
    name: "Array",
    bases: &[
        "IEnumerable",
        "ICollection",
        "IList",
        "IReadOnlyCollection",
        "IReadOnlyList",
    ],
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
        if elem.def().is_some_and(|d| d.is(&BYTE)) && !matches!(elem, TypeRef::Nullable(_)) {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|v| match v {
                    Value::Byte(b) => Some(*b),
                    _ => None,
                })
                .collect();
            if let Some(b) = bytes {
                return Array::bytes(b);
            }
        }
        Value::obj(Array {
            elem,
            store: RefCell::new(Store::Values(items)),
        })
    }

    /// The bytes of a `byte[]` value (a copy), or `None` for anything else.
    pub fn to_bytes(v: &Value<'_>) -> Option<Vec<u8>> {
        let a = v.downcast::<Array>()?;
        match &*a.store.borrow() {
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
        match &*self.store.borrow() {
            Store::Bytes(b) => b.len(),
            Store::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn at(&self, key: &Value<'_>) -> EvalResult<usize> {
        let i = key
            .as_integer()
            .ok_or_else(|| EvalError::argument("an array index must be an integer"))?;
        usize::try_from(i).ok().filter(|i| *i < self.len()).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::IndexOutOfRange,
                "Index was outside the bounds of the array.",
            )
        })
    }
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
            TypeRef::Array(e) => **e == self.elem || e.def().is_some_and(|d| d.name == "Object"),
            t => t
                .def()
                .is_some_and(|d| d.is(&ARRAY) || ARRAY.bases.contains(&d.name) || d.name == "Object"),
        }
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        match name {
            "Length" | "Count" => Some(Ok(Value::Int(self.len() as i32))),
            "LongLength" => Some(Ok(Value::Long(self.len() as i64))),
            "Rank" => Some(Ok(Value::Int(1))),
            _ => None,
        }
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(self.at(&key).map(|i| match &*self.store.borrow() {
            Store::Bytes(b) => Value::Byte(b[i]),
            Store::Values(v) => v[i].clone(),
        }))
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        let _ = rt;
        Some(self.at(&key).and_then(|i| {
            let mut store = self.store.borrow_mut();
            match (&mut *store, value) {
                (Store::Bytes(b), Value::Byte(x)) => b[i] = x,
                (Store::Bytes(_), v) => return Err(EvalError::cast(v.type_name(), "byte")),
                (Store::Values(vs), v) => vs[i] = v.into_owned(),
            }
            Ok(())
        }))
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(match &*self.store.borrow() {
            Store::Bytes(b) => b.iter().map(|x| Value::Byte(*x)).collect(),
            Store::Values(v) => v.clone(),
        })
    }

    fn to_text(&self) -> String {
        format!("{}[]", self.elem_full_name())
    }

    fn size_hint(&self) -> usize {
        match &*self.store.borrow() {
            Store::Bytes(b) => b.len(),
            Store::Values(v) => v.len() * std::mem::size_of::<Value<'static>>(),
        }
    }
}

impl Array {
    fn elem_full_name(&self) -> String {
        match self.elem.def() {
            Some(d) => d.full_name(),
            None => self.elem.to_string(),
        }
    }
}
