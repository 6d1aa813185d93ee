//! `KeyValuePair<TKey, TValue>`: what enumerating a dictionary yields (a
//! value type: equality is by key and value), and the static
//! `KeyValuePair.Create(key, value)`.
//!
//! Invariants: equality, hashing and `ToString()` of nested pairs stop at
//! a fixed depth ([`MAX_DEPTH`]), so a pair nested in a pair a million
//! times cannot overflow the stack.

use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;

use super::common::{generic_match, no_overload};
use crate::error::EvalResult;
use crate::library::{self, OBJECT};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Shape, Value};

pub static KEY_VALUE_PAIR: TypeDef = TypeDef {
    name: "KeyValuePair",
    namespace: "System.Collections.Generic",
    kind: TypeKind::Struct,
    generics: 2,
    members: &[m("Key", "TKey"), m("Value", "TValue"), m("Deconstruct", "void")],
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

/// The static class `KeyValuePair` (`KeyValuePair.Create(k, v)`).
pub static KEY_VALUE_PAIR_STATIC: TypeDef = TypeDef {
    name: "KeyValuePair",
    namespace: "System.Collections.Generic",
    kind: TypeKind::Static,
    statics: &[m("Create", "?")],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// How deep equality, hashing and text go into nested pairs.
const MAX_DEPTH: u32 = 64;

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` one level deeper, or returns `deep` past [`MAX_DEPTH`].
fn nested<R>(deep: R, f: impl FnOnce() -> R) -> R {
    let d = DEPTH.with(|d| d.get());
    if d >= MAX_DEPTH {
        return deep;
    }
    DEPTH.with(|c| c.set(d + 1));
    let r = f();
    DEPTH.with(|c| c.set(d));
    r
}

fn construct<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let t = |i: usize| targs.get(i).cloned().unwrap_or_else(|| TypeRef::of(&OBJECT));
    match args {
        [k, v] => {
            let k = super::common::store(rt, k.clone(), &t(0))?;
            let v = super::common::store(rt, v.clone(), &t(1))?;
            KeyValuePair::checked(k, v)
        }
        _ => Err(no_overload("KeyValuePair", args.len())),
    }
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match name {
        "Create" => Some(construct(rt, targs, args)),
        _ => None,
    }
}

/// A key and its value.
#[derive(Debug)]
pub struct KeyValuePair {
    pub key: Value<'static>,
    pub value: Value<'static>,
    shape: Shape,
}

impl KeyValuePair {
    /// A pair of values the library built (dictionary entries: their
    /// shapes are small); an expression's own pairs go through [`KeyValuePair::checked`].
    pub fn value(key: Value<'_>, value: Value<'_>) -> Value<'static> {
        let shape = Shape::of_parts([&key, &value]).unwrap_or(Shape {
            nodes: Shape::MAX_NODES,
            depth: Shape::MAX_DEPTH,
        });
        Value::obj(KeyValuePair {
            key: key.into_owned(),
            value: value.into_owned(),
            shape,
        })
    }

    /// A pair an expression builds: refused when too big to walk.
    pub fn checked(key: Value<'_>, value: Value<'_>) -> EvalResult<Value<'static>> {
        let shape = Shape::of_parts([&key, &value])?;
        Ok(Value::obj(KeyValuePair {
            key: key.into_owned(),
            value: value.into_owned(),
            shape,
        }))
    }
}

impl Object for KeyValuePair {
    fn type_def(&self) -> &'static TypeDef {
        &KEY_VALUE_PAIR
    }

    fn shape(&self) -> Shape {
        self.shape
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    /// `KeyValuePair<K, V>` with arguments: the key and value must be
    /// instances of them (null passes for reference types).
    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        let Some(d) = ty.def() else {
            return false;
        };
        if d.is(&OBJECT) {
            return true;
        }
        if !d.is(&KEY_VALUE_PAIR) {
            return false;
        }
        let fits = |v: &Value<'_>, t: &TypeRef| {
            if v.is_null() {
                !super::common::is_value_type(t)
            } else {
                library::is_instance(v, t)
            }
        };
        match ty.args() {
            [k, v] => fits(&self.key, k) && fits(&self.value, v),
            want => generic_match(&[], want, false),
        }
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        match name {
            "Key" => Some(Ok(self.key.clone())),
            "Value" => Some(Ok(self.value.clone())),
            _ => None,
        }
    }

    /// `Deconstruct(out key, out value)`.
    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (this, targs);
        match (name, args) {
            ("Deconstruct", [_, _]) => Some(
                rt.set_out(0, self.key.clone())
                    .and_then(|()| rt.set_out(1, self.value.clone()))
                    .map(|()| Value::Null),
            ),
            _ => None,
        }
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        Some(vec![("Key", self.key.clone()), ("Value", self.value.clone())])
    }

    fn to_text(&self) -> String {
        nested("[…]".to_owned(), || {
            format!("[{}, {}]", library::to_text(&self.key), library::to_text(&self.value))
        })
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<KeyValuePair>()?;
        Some(nested(false, || {
            library::equals(&self.key, &o.key) && library::equals(&self.value, &o.value)
        }))
    }

    fn hash_code(&self) -> Option<u64> {
        Some(nested(0, || {
            library::hash(&self.key).rotate_left(5) ^ library::hash(&self.value)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::numbers::INT32;
    use crate::library::text::STRING;
    use crate::testing::TestRt;

    #[test]
    fn pairs() {
        let mut rt = TestRt::new();
        let p = construct(&mut rt, &[], &[Value::str("a"), Value::Int(1)]).unwrap();
        assert_eq!(library::to_text_plain(&p), "[a, 1]");
        let q = call_static(&mut rt, "Create", &[], &[Value::str("a"), Value::Int(1)])
            .unwrap()
            .unwrap();
        assert!(library::equals(&p, &q));
        assert_eq!(library::hash(&p), library::hash(&q));
        let string_int = TypeRef::Named(&KEY_VALUE_PAIR, Box::new([TypeRef::of(&STRING), TypeRef::of(&INT32)]));
        let int_int = TypeRef::Named(&KEY_VALUE_PAIR, Box::new([TypeRef::of(&INT32), TypeRef::of(&INT32)]));
        assert!(library::is_instance(&p, &string_int));
        assert!(!library::is_instance(&p, &int_int));
        let Value::Obj(o) = &p else { panic!() };
        o.call(&mut rt, o, "Deconstruct", &[], &[Value::Null, Value::Null])
            .unwrap()
            .unwrap();
        assert_eq!(rt.outs, vec![(0, Value::str("a")), (1, Value::Int(1))]);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut p = KeyValuePair::value(Value::Int(0), Value::Int(0));
        let mut q = KeyValuePair::value(Value::Int(0), Value::Int(0));
        for _ in 0..10_000 {
            p = KeyValuePair::value(Value::Int(1), p);
            q = KeyValuePair::value(Value::Int(1), q);
        }
        let _ = library::equals(&p, &q);
        let _ = library::hash(&p);
        assert!(library::to_text_plain(&p).len() < 1000);
    }
}
