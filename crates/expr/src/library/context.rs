//! Members of `context`'s objects ([`Value::Ns`]) and dictionaries
//! ([`Value::Dict`]): reading them goes through the [`crate::Context`]
//! trait the gateway implements.

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub static TYPES: &[&TypeDef] = &[];

/// A property of a context object or dictionary.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, v, name);
    None
}

/// A method of a context object or dictionary.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    v: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, v, name, targs, args);
    None
}

/// `dict[key]` on a context dictionary.
pub fn index<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, v, key);
    None
}

/// Enumerating a context dictionary: its `KeyValuePair`s.
pub fn items<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> Option<EvalResult<Vec<Value<'a>>>> {
    let _ = (rt, v);
    None
}

/// Whether a context object or dictionary is an instance of `ty`
/// (`IReadOnlyDictionary<string, string[]>`, `IEnumerable<…>`…).
pub fn is_instance(v: &Value<'_>, ty: &TypeRef) -> bool {
    let _ = (v, ty);
    false
}

/// `ToString()` of a context object or dictionary.
pub fn to_text(v: &Value<'_>) -> String {
    match v {
        Value::Ns(n) => n.to_string(),
        Value::Dict(d) => d.to_string(),
        _ => String::new(),
    }
}

/// The interface type of a context object or dictionary (`context` →
/// `IContext`, `context.Request` → `IRequest`, headers →
/// `IReadOnlyDictionary<string, string[]>`…).
pub fn type_of(v: &Value<'_>) -> Option<&'static TypeDef> {
    let _ = v;
    None
}
