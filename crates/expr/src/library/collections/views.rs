//! Live views and enumerators: a dictionary's `Keys`/`Values`
//! (`KeyCollection`/`ValueCollection`), `AsReadOnly()`'s
//! `ReadOnlyCollection<T>` (over a list or an array), and the
//! `IEnumerator<T>` that `GetEnumerator()` returns (over a snapshot).
//!
//! Invariants: a view holds its source by `Rc` and reads it on every
//! access, so it sees later changes as .NET's views do; views never write.

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use super::common::{self, fmt_items, generic_name, instance_of, int_arg, no_overload};
use super::dictionary::Dictionary;
use super::interfaces::{IENUMERATOR, KEY_COLLECTION, READ_ONLY_COLLECTION, VALUE_COLLECTION};
use super::{Array, List};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Keys,
    Values,
    ReadOnly,
}

/// A live, read-only view of a dictionary's keys or values, or of a list.
pub struct View {
    part: Part,
    source: Rc<dyn Object>,
    /// The source's generic arguments (`[TKey, TValue]` or `[T]`).
    targs: Vec<TypeRef>,
}

impl View {
    /// `dict.Keys`.
    pub fn keys(dict: Rc<dyn Object>, targs: Vec<TypeRef>) -> Value<'static> {
        Value::Obj(Rc::new(View {
            part: Part::Keys,
            source: dict,
            targs,
        }))
    }

    /// `dict.Values`.
    pub fn values(dict: Rc<dyn Object>, targs: Vec<TypeRef>) -> Value<'static> {
        Value::Obj(Rc::new(View {
            part: Part::Values,
            source: dict,
            targs,
        }))
    }

    /// `list.AsReadOnly()`, `Array.AsReadOnly(a)`.
    pub fn read_only(list: Rc<dyn Object>, elem: TypeRef) -> Value<'static> {
        Value::Obj(Rc::new(View {
            part: Part::ReadOnly,
            source: list,
            targs: vec![elem],
        }))
    }

    /// The element type.
    pub fn elem(&self) -> TypeRef {
        let i = usize::from(self.part == Part::Values);
        common::targ(&self.targs, i)
    }

    fn dict(&self) -> Option<&Dictionary> {
        self.source.as_any().downcast_ref::<Dictionary>()
    }

    fn snapshot(&self) -> Vec<Value<'static>> {
        match self.part {
            Part::Keys => self.dict().map(|d| d.keys()).unwrap_or_default(),
            Part::Values => self.dict().map(|d| d.values()).unwrap_or_default(),
            Part::ReadOnly => self.source.items().unwrap_or_default(),
        }
    }

    fn len(&self) -> usize {
        let any = self.source.as_any();
        if let Some(d) = any.downcast_ref::<Dictionary>() {
            d.len()
        } else if let Some(l) = any.downcast_ref::<List>() {
            l.len()
        } else if let Some(a) = any.downcast_ref::<Array>() {
            a.len()
        } else {
            self.snapshot().len()
        }
    }
}

impl Object for View {
    fn type_def(&self) -> &'static TypeDef {
        match self.part {
            Part::Keys => &KEY_COLLECTION,
            Part::Values => &VALUE_COLLECTION,
            Part::ReadOnly => &READ_ONLY_COLLECTION,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        instance_of(self.type_def(), &self.targs, &self.elem(), ty)
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        match name {
            "Count" => Some(Ok(Value::Int(self.len() as i32))),
            "IsReadOnly" => Some(Ok(Value::Bool(true))),
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
        let _ = (this, targs);
        Some(match (name, args) {
            ("Contains", [x]) => Ok(Value::Bool(match (self.part, self.dict()) {
                (Part::Keys, Some(d)) => d.contains_key(x),
                _ => self.snapshot().iter().any(|v| library::equals(v, x)),
            })),
            ("IndexOf", [x]) if self.part == Part::ReadOnly => {
                let i = self.snapshot().iter().position(|v| library::equals(v, x));
                Ok(Value::Int(i.map_or(-1, |i| i as i32)))
            }
            ("CopyTo", [dst, at]) => {
                int_arg(at, "index").and_then(|at| Array::write_to(rt, dst, at, &self.snapshot()).map(|()| Value::Null))
            }
            ("GetEnumerator", []) => Ok(Enumerator::value(self.elem(), self.snapshot())),
            ("CopyTo" | "GetEnumerator", _) => Err(no_overload(name, args.len())),
            _ => return None,
        })
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        if self.part != Part::ReadOnly {
            return None;
        }
        self.source.index(rt, key)
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.snapshot())
    }

    fn to_text(&self) -> String {
        match self.part {
            Part::ReadOnly => generic_name(&READ_ONLY_COLLECTION, &self.targs),
            Part::Keys => format!(
                "{}+KeyCollection",
                generic_name(&super::dictionary::DICTIONARY, &self.targs)
            ),
            Part::Values => format!(
                "{}+ValueCollection",
                generic_name(&super::dictionary::DICTIONARY, &self.targs)
            ),
        }
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_items(f, self.type_def().name, &self.snapshot())
    }
}

/// An `IEnumerator<T>` over a snapshot: `MoveNext()`, `Current`,
/// `Reset()`, `Dispose()`.
pub struct Enumerator {
    elem: TypeRef,
    items: Vec<Value<'static>>,
    /// 0: before the first item; `k`: on item `k - 1`; `len + 1`: past the end.
    pos: Cell<usize>,
}

impl Enumerator {
    pub fn value(elem: TypeRef, items: Vec<Value<'static>>) -> Value<'static> {
        Value::obj(Enumerator {
            elem,
            items,
            pos: Cell::new(0),
        })
    }
}

impl Object for Enumerator {
    fn type_def(&self) -> &'static TypeDef {
        &IENUMERATOR
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        instance_of(&IENUMERATOR, std::slice::from_ref(&self.elem), &self.elem, ty)
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        if name != "Current" {
            return None;
        }
        let pos = self.pos.get();
        Some(match pos.checked_sub(1).and_then(|i| self.items.get(i)) {
            Some(v) => Ok(v.clone()),
            None if pos == 0 => Err(EvalError::new(
                EvalErrorKind::InvalidOperation,
                "Enumeration has not started. Call MoveNext.",
            )),
            None => Err(EvalError::new(
                EvalErrorKind::InvalidOperation,
                "Enumeration already finished.",
            )),
        })
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
        if !args.is_empty() {
            return None;
        }
        Some(match name {
            "MoveNext" => {
                if let Err(e) = rt.charge(1) {
                    return Some(Err(e));
                }
                let next = (self.pos.get() + 1).min(self.items.len() + 1);
                self.pos.set(next);
                Ok(Value::Bool(next <= self.items.len()))
            }
            "Reset" => {
                self.pos.set(0);
                Ok(Value::Null)
            }
            "Dispose" => Ok(Value::Null),
            _ => return None,
        })
    }

    fn to_text(&self) -> String {
        generic_name(&IENUMERATOR, std::slice::from_ref(&self.elem))
    }
}
