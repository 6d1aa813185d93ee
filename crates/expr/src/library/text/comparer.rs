//! `System.StringComparer`: the six comparer objects (`Ordinal`,
//! `OrdinalIgnoreCase`, `InvariantCulture[IgnoreCase]`,
//! `CurrentCulture[IgnoreCase]` — the current culture is the invariant
//! one) with `Equals(a, b)`, `Compare(a, b)` and `GetHashCode(s)`; the
//! collections family asks [`comparer_ignores_case`] when a dictionary or
//! a LINQ operator receives one.

use std::any::Any;
use std::rc::Rc;

use super::args::{no_overload, null_arg};
use super::compare::{Cmp, STRING_COMPARISON};
use crate::error::EvalResult;
use crate::library;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

/// `System.StringComparer`.
pub static STRING_COMPARER: TypeDef = TypeDef {
    name: "StringComparer",
    bases: &["IComparer", "IEqualityComparer"],
    statics: &[
        m("Ordinal", "StringComparer"),
        m("OrdinalIgnoreCase", "StringComparer"),
        m("InvariantCulture", "StringComparer"),
        m("InvariantCultureIgnoreCase", "StringComparer"),
        m("CurrentCulture", "StringComparer"),
        m("CurrentCultureIgnoreCase", "StringComparer"),
        m("FromComparison", "StringComparer"),
    ],
    members: &[
        m("Equals", "bool"),
        m("Compare", "int"),
        m("GetHashCode", "int"),
        m("ToString", "string"),
    ],
    unimplemented: &[
        "Create",
        "IsWellKnownOrdinalComparer",
        "IsWellKnownCultureAwareComparer",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// A string comparer object.
#[derive(Debug)]
pub struct StringComparer {
    /// The `StringComparison` code it stands for (0..=5).
    pub code: i64,
}

impl StringComparer {
    fn cmp(&self) -> Cmp {
        Cmp::from_code(self.code).unwrap_or(Cmp::Ordinal)
    }
}

fn comparer<'a>(code: i64) -> Value<'a> {
    Value::Obj(Rc::new(StringComparer { code }))
}

fn get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    let code = STRING_COMPARISON.enum_values.iter().find(|(n, _)| *n == name)?.1;
    Some(Ok(comparer(code)))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, targs);
    match (name, args) {
        ("FromComparison", [c]) => Some(match Cmp::from_value(c) {
            Some(_) => Ok(comparer(match c {
                Value::Enum(_, x) => *x,
                _ => 4,
            })),
            None => Err(no_overload(name, args)),
        }),
        _ => None,
    }
}

/// Whether `v` is a `StringComparer` that ignores case (`None`: not a
/// string comparer).
pub fn comparer_ignores_case(v: &Value<'_>) -> Option<bool> {
    v.downcast::<StringComparer>().map(|c| c.cmp().ignore_case())
}

impl Object for StringComparer {
    fn type_def(&self) -> &'static TypeDef {
        &STRING_COMPARER
    }

    fn as_any(&self) -> &dyn Any {
        self
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
        let cmp = self.cmp();
        Some(match (name, args) {
            ("Equals", [a, b]) => Ok(Value::Bool(match (a, b) {
                (Value::Str(x), Value::Str(y)) => cmp.eq(x, y),
                (Value::Null, Value::Null) => true,
                (Value::Null, _) | (_, Value::Null) => false,
                (x, y) => library::equals(x, y),
            })),
            ("Compare", [a, b]) => Ok(Value::Int(match (a, b) {
                (Value::Str(x), Value::Str(y)) => cmp.compare(x, y),
                (Value::Null, Value::Null) => 0,
                (Value::Null, _) => -1,
                (_, Value::Null) => 1,
                (x, y) => library::compare(x, y).map_or(0, |o| o as i32),
            })),
            ("GetHashCode", [Value::Str(s)]) => Ok(Value::Int(cmp.hash(s))),
            ("GetHashCode", [Value::Null]) => Err(null_arg("obj")),
            ("GetHashCode", [v]) => Ok(Value::Int(library::hash(v) as i32)),
            _ => return None,
        })
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        other
            .as_any()
            .downcast_ref::<StringComparer>()
            .map(|o| o.cmp() == self.cmp())
    }

    fn hash_code(&self) -> Option<u64> {
        Some(self.code as u64)
    }

    fn to_text(&self) -> String {
        match self.cmp() {
            Cmp::Ordinal => "System.OrdinalComparer",
            Cmp::OrdinalIgnoreCase => "System.OrdinalIgnoreCaseComparer",
            _ => "System.CultureAwareComparer",
        }
        .to_owned()
    }
}
