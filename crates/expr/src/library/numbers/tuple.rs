//! `System.Tuple` (`Tuple.Create(a, b…)`, `new Tuple<T1, T2>(a, b)`,
//! `Item1`…`Item7`, `ToString()` "(1, x)", structural `Equals`) and
//! `System.Nullable` (the static class; `Nullable<T>`'s `HasValue`,
//! `Value`, `GetValueOrDefault` on non-null values are served by the value
//! families, the evaluator handles null receivers).

use std::any::Any;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::{equals, hash, to_text};
use crate::runtime::Runtime;
use crate::types::{m, Member, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Shape, Value};

const TUPLE_MEMBERS: &[Member] = &[
    m("Item1", "?"),
    m("Item2", "?"),
    m("Item3", "?"),
    m("Item4", "?"),
    m("Item5", "?"),
    m("Item6", "?"),
    m("Item7", "?"),
    m("ToString", "string"),
    m("Equals", "bool"),
    m("GetHashCode", "int"),
];

/// `System.Tuple` (the static class).
pub static TUPLE: TypeDef = TypeDef {
    name: "Tuple",
    kind: TypeKind::Static,
    statics: &[m("Create", "?")],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

macro_rules! tuple_def {
    ($id:ident, $n:literal) => {
        pub static $id: TypeDef = TypeDef {
            name: "Tuple",
            generics: $n,
            bases: &["IComparable", "ITuple"],
            members: TUPLE_MEMBERS,
            unimplemented: &["CompareTo", "Rest"],
            ctor: Some(construct),
            ..TypeDef::EMPTY
        };
    };
}

tuple_def!(TUPLE1, 1);
tuple_def!(TUPLE2, 2);
tuple_def!(TUPLE3, 3);
tuple_def!(TUPLE4, 4);
tuple_def!(TUPLE5, 5);
tuple_def!(TUPLE6, 6);
tuple_def!(TUPLE7, 7);

const BY_ARITY: [&TypeDef; 7] = [&TUPLE1, &TUPLE2, &TUPLE3, &TUPLE4, &TUPLE5, &TUPLE6, &TUPLE7];

/// `System.Nullable` (the static class).
pub static NULLABLE: TypeDef = TypeDef {
    name: "Nullable",
    kind: TypeKind::Static,
    statics: &[m("Compare", "int"), m("Equals", "bool")],
    unimplemented: &["GetUnderlyingType", "GetValueRefOrDefaultRef"],
    call_static: Some(nullable_static),
    ..TypeDef::EMPTY
};

/// `Nullable<T>` (what `int?` is).
pub static NULLABLE_T: TypeDef = TypeDef {
    name: "Nullable",
    kind: TypeKind::Struct,
    generics: 1,
    members: &[
        m("HasValue", "bool"),
        m("Value", "T"),
        m("GetValueOrDefault", "T"),
        m("ToString", "string"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
    ],
    ..TypeDef::EMPTY
};

/// A `Tuple<T1…Tn>` value.
#[derive(Debug)]
pub struct Tuple {
    pub items: Vec<Value<'static>>,
    shape: Shape,
}

impl Tuple {
    pub fn value(items: Vec<Value<'_>>) -> EvalResult<Value<'static>> {
        if items.is_empty() || items.len() > 7 {
            return Err(EvalError::new(
                EvalErrorKind::NotSupported,
                "Outpost supports tuples of 1 to 7 items",
            ));
        }
        let shape = Shape::of_parts(items.iter())?;
        Ok(Value::obj(Tuple {
            items: items.into_iter().map(Value::into_owned).collect(),
            shape,
        }))
    }
}

fn call_static<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    (name == "Create").then(|| Tuple::value(args.to_vec()))
}

fn construct<'a>(_: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    if !targs.is_empty() && targs.len() != args.len() {
        return Err(EvalError::argument("new Tuple<…>: one argument per type argument"));
    }
    Tuple::value(args.to_vec())
}

fn nullable_static<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(match (name, args) {
        ("Equals", [a, b]) => Value::Bool(equals(a, b)),
        ("Compare", [a, b]) => Value::Int(crate::library::compare(a, b).map_or(0, |o| o as i32)),
        _ => return None,
    }))
}

impl Object for Tuple {
    fn type_def(&self) -> &'static TypeDef {
        BY_ARITY
            .get(self.items.len().wrapping_sub(1))
            .copied()
            .unwrap_or(&TUPLE1)
    }

    fn shape(&self) -> Shape {
        self.shape
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let i: usize = name.strip_prefix("Item")?.parse().ok()?;
        self.items.get(i.checked_sub(1)?).map(|v| Ok(v.clone()))
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        const NAMES: [&str; 7] = ["Item1", "Item2", "Item3", "Item4", "Item5", "Item6", "Item7"];
        Some(NAMES.iter().copied().zip(self.items.iter().cloned()).collect())
    }

    fn to_text(&self) -> String {
        let parts: Vec<String> = self.items.iter().map(|v| to_text(v).into_owned()).collect();
        format!("({})", parts.join(", "))
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<Tuple>()?;
        Some(o.items.len() == self.items.len() && self.items.iter().zip(&o.items).all(|(a, b)| equals(a, b)))
    }

    fn hash_code(&self) -> Option<u64> {
        Some(
            self.items
                .iter()
                .fold(17u64, |h, v| h.wrapping_mul(31).wrapping_add(hash(v))),
        )
    }

    fn size_hint(&self) -> usize {
        32 + self.items.len() * std::mem::size_of::<Value<'static>>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    #[test]
    fn tuples() {
        let mut rt = TestRt::new();
        let t = call_static(&mut rt, "Create", &[], &[Value::Int(1), Value::str("x")])
            .unwrap()
            .unwrap();
        let Value::Obj(o) = &t else { panic!() };
        assert_eq!(o.to_text(), "(1, x)");
        assert_eq!(o.get(&mut rt, o, "Item2").unwrap().unwrap(), Value::str("x"));
        assert!(o.get(&mut rt, o, "Item3").is_none());
        assert_eq!(o.type_def().generics, 2);
        let u = construct(&mut rt, &[], &[Value::Int(1), Value::str("x")]).unwrap();
        assert!(equals(&t, &u));
    }
}
