//! `Queue<T>` (first in, first out) and `Stack<T>` (last in, first out):
//! one deque whose enumeration order is the order items would leave it
//! (a stack enumerates and `ToArray()`s top first, as .NET does).
//!
//! Invariants: stored items are converted to `T`; the `RefCell` is
//! borrowed only inside one member's own work.

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use super::common::{self, enumerate, generic_name, instance_of, int_arg, no_overload, store, targ};
use super::views::Enumerator;
use super::Array;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

// (The non-generic `ICollection` they implement is not nameable here.)
const BASES: &[&str] = &["IEnumerable", "IReadOnlyCollection"];

pub static QUEUE: TypeDef = TypeDef {
    name: "Queue",
    namespace: "System.Collections.Generic",
    generics: 1,
    bases: BASES,
    members: &[
        m("Count", "int"),
        m("Enqueue", "void"),
        m("Dequeue", "T"),
        m("Peek", "T"),
        m("TryDequeue", "bool"),
        m("TryPeek", "bool"),
        m("Contains", "bool"),
        m("ToArray", "T[]"),
        m("Clear", "void"),
        m("CopyTo", "void"),
        m("TrimExcess", "void"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    unimplemented: &["EnsureCapacity"],
    ctor: Some(construct_queue),
    ..TypeDef::EMPTY
};

pub static STACK: TypeDef = TypeDef {
    name: "Stack",
    namespace: "System.Collections.Generic",
    generics: 1,
    bases: BASES,
    members: &[
        m("Count", "int"),
        m("Push", "void"),
        m("Pop", "T"),
        m("Peek", "T"),
        m("TryPop", "bool"),
        m("TryPeek", "bool"),
        m("Contains", "bool"),
        m("ToArray", "T[]"),
        m("Clear", "void"),
        m("CopyTo", "void"),
        m("TrimExcess", "void"),
        m("GetEnumerator", "IEnumerator<T>"),
    ],
    unimplemented: &["EnsureCapacity"],
    ctor: Some(construct_stack),
    ..TypeDef::EMPTY
};

/// A `Queue<T>` or a `Stack<T>`.
pub struct Deque {
    stack: bool,
    pub elem: TypeRef,
    /// The next item to leave is at the front.
    items: RefCell<VecDeque<Value<'static>>>,
}

fn construct_queue<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    construct(rt, false, targs, args)
}

fn construct_stack<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    construct(rt, true, targs, args)
}

/// `new Queue<T>()`, `(capacity)`, `(collection)` (a stack pushes the
/// collection's items in order, so its last item is on top).
fn construct<'a>(
    rt: &mut dyn Runtime<'a>,
    stack: bool,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> EvalResult<Value<'a>> {
    let d = Deque {
        stack,
        elem: targ(targs, 0),
        items: RefCell::new(VecDeque::new()),
    };
    match args {
        [] => {}
        [n] if n.as_integer().is_some() => {
            let n = int_arg(n, "capacity")?;
            if n < 0 {
                return Err(common::non_negative("capacity"));
            }
            rt.alloc((n as usize).saturating_mul(common::VALUE_BYTES))?;
        }
        [src] => {
            for x in enumerate(rt, src, "collection")? {
                d.put(rt, x)?;
            }
        }
        _ => return Err(no_overload(if stack { "Stack" } else { "Queue" }, args.len())),
    }
    Ok(Value::obj(d))
}

impl Deque {
    pub fn len(&self) -> usize {
        self.items.try_borrow().map_or(0, |v| v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn snapshot(&self) -> Vec<Value<'static>> {
        self.items
            .try_borrow()
            .map(|v| v.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn items_mut(&self) -> EvalResult<std::cell::RefMut<'_, VecDeque<Value<'static>>>> {
        self.items.try_borrow_mut().map_err(|_| common::modified())
    }

    /// `Enqueue`/`Push`.
    fn put<'a>(&self, rt: &mut dyn Runtime<'a>, x: Value<'a>) -> EvalResult<()> {
        let x = store(rt, x, &self.elem)?;
        rt.alloc(common::cost(&x))?;
        let mut items = self.items_mut()?;
        if self.stack {
            items.push_front(x);
        } else {
            items.push_back(x);
        }
        Ok(())
    }

    fn empty(&self) -> EvalError {
        EvalError::new(
            EvalErrorKind::InvalidOperation,
            if self.stack { "Stack empty." } else { "Queue empty." },
        )
    }

    /// `Dequeue`/`Pop` (`take`) or `Peek`.
    fn front(&self, take: bool) -> EvalResult<Option<Value<'static>>> {
        let mut items = self.items_mut()?;
        Ok(if take {
            items.pop_front()
        } else {
            items.front().cloned()
        })
    }
}

impl Object for Deque {
    fn type_def(&self) -> &'static TypeDef {
        if self.stack {
            &STACK
        } else {
            &QUEUE
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        instance_of(self.type_def(), std::slice::from_ref(&self.elem), &self.elem, ty)
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        (name == "Count").then(|| Ok(Value::Int(self.len() as i32)))
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
        let (put, take, try_take) = if self.stack {
            ("Push", "Pop", "TryPop")
        } else {
            ("Enqueue", "Dequeue", "TryDequeue")
        };
        Some(match (name, args) {
            (n, [x]) if n == put => self.put(rt, x.clone()).map(|()| Value::Null),
            (n, []) if n == take || n == "Peek" => self.front(n == take).and_then(|v| v.ok_or_else(|| self.empty())),
            (n, [_]) if n == try_take || n == "TryPeek" => self.front(n == try_take).and_then(|v| {
                let found = v.is_some();
                rt.set_out(0, v.unwrap_or_else(|| common::default_of(&self.elem)))?;
                Ok(Value::Bool(found))
            }),
            ("Contains", [x]) => Ok(Value::Bool(self.snapshot().iter().any(|v| library::equals(v, x)))),
            ("ToArray", []) => {
                let items = self.snapshot();
                common::alloc_items(rt, &items).map(|()| Array::of(self.elem.clone(), items))
            }
            ("Clear", []) => self.items_mut().map(|mut v| {
                v.clear();
                Value::Null
            }),
            ("CopyTo", [dst, at]) => int_arg(at, "arrayIndex")
                .and_then(|at| Array::write_to(rt, dst, at, &self.snapshot()).map(|()| Value::Null)),
            ("TrimExcess", []) => self.items_mut().map(|mut v| {
                v.shrink_to_fit();
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
        generic_name(self.type_def(), std::slice::from_ref(&self.elem))
    }

    fn size_hint(&self) -> usize {
        self.len() * common::VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        common::fmt_items(f, self.type_def().name, &self.snapshot())
    }
}
