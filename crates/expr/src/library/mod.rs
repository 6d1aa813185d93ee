//! The .NET runtime library: one module per type family, each owning its
//! types' [`TypeDef`]s and the code of their members, plus the dispatch
//! below that routes a member access on a runtime value to its family.
//!
//! Where a new .NET member goes: in the family of its type (the table in
//! docs/architecture.md); add its name and C# return type to the type's
//! `members`/`statics` table (the checker reads it) and its code to the
//! family's `get`/`call` match (or the object's [`Object`] impl).
//!
//! Families: `text` (String, Char, StringBuilder, Regex, Encoding,
//! StringComparer, StringReader/Writer, composite formatting), `numbers`
//! (the numeric types, Boolean, Math, Convert, BitConverter, Random, Guid,
//! Enum, Nullable, Tuple), `time` (DateTime, DateTimeOffset, TimeSpan,
//! TimeZoneInfo), `collections` (arrays, List, Dictionary, HashSet, Queue,
//! Stack, KeyValuePair, the interfaces, Enumerable/LINQ), `json`
//! (Newtonsoft.Json and .Linq), `xml` (System.Xml.Linq), `crypto`
//! (System.Security.Cryptography and X509 certificates), `net` (Uri,
//! UriBuilder, WebUtility, IPAddress), `apim` (the documented helpers:
//! AsJwt, AsBasic, Encrypt/Decrypt, IResponse…), `context` (members of
//! `context`'s objects and dictionaries).
//!
//! Operators on objects and time values: the evaluator calls the left
//! operand's method named as .NET names operator methods (`op_Addition`,
//! `op_Subtraction`, `op_Equality`, `op_Inequality`, `op_LessThan`…) through
//! [`call_member`] when an operand is not a number, string, bool, char or
//! enum (`XNamespace + "name"`, `DateTime - TimeSpan`, `date1 - date2`).
//!
//! Invariants: dispatch functions return `None` for "no such member" and
//! never panic; a family never calls the evaluator except through
//! [`Runtime`].

use std::borrow::Cow;
use std::cmp::Ordering;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{Apim, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub mod allowed;
pub mod anon;
pub mod apim;
pub mod collections;
pub mod context;
pub mod crypto;
pub mod docs;
pub mod json;
pub mod net;
pub mod numbers;
pub mod text;
pub mod time;
pub mod xml;

/// `System.Object`.
pub static OBJECT: TypeDef = TypeDef {
    name: "Object",
    aliases: &["object"],
    apim: Apim::Helper,
    ..TypeDef::EMPTY
};

static CORE_TYPES: &[&TypeDef] = &[&OBJECT];

/// Every implemented type, for name resolution.
pub fn types() -> impl Iterator<Item = &'static TypeDef> {
    [
        CORE_TYPES,
        anon::TYPES,
        text::TYPES,
        numbers::TYPES,
        time::TYPES,
        collections::TYPES,
        json::TYPES,
        xml::TYPES,
        crypto::TYPES,
        net::TYPES,
        apim::TYPES,
        context::TYPES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The implemented type named `name` (a C# alias, a short name, or a
/// namespace-qualified name) with `arity` generic parameters.
pub fn find_type(name: &str, arity: usize) -> Option<&'static TypeDef> {
    types().find(|d| {
        usize::from(d.generics) == arity
            && (d.name == name
                || d.aliases.contains(&name)
                || (name.len() == d.namespace.len() + 1 + d.name.len()
                    && name.starts_with(d.namespace)
                    && name.ends_with(d.name)
                    && name.as_bytes()[d.namespace.len()] == b'.'))
    })
}

/// The .NET type of a runtime value (`None` for null and lambdas);
/// context objects have interface types (`IRequest`, `IUrl`…) whose member
/// tables the checker reads like any other.
pub fn type_of(v: &Value<'_>) -> Option<&'static TypeDef> {
    Some(match v {
        Value::Null | Value::Lambda(_) => return None,
        Value::Ns(_) | Value::Dict(_) => return context::type_of(v),
        Value::Str(_) => &text::STRING,
        Value::Char(_) => &text::CHAR,
        Value::Bool(_) => &numbers::BOOLEAN,
        Value::SByte(_) => &numbers::SBYTE,
        Value::Byte(_) => &numbers::BYTE,
        Value::Short(_) => &numbers::INT16,
        Value::UShort(_) => &numbers::UINT16,
        Value::Int(_) => &numbers::INT32,
        Value::UInt(_) => &numbers::UINT32,
        Value::Long(_) => &numbers::INT64,
        Value::ULong(_) => &numbers::UINT64,
        Value::Float(_) => &numbers::SINGLE,
        Value::Double(_) => &numbers::DOUBLE,
        Value::Decimal(_) => &numbers::DECIMAL,
        Value::Guid(_) => &numbers::GUID,
        Value::DateTime(_) => &time::DATETIME,
        Value::DateTimeOffset(_) => &time::DATETIMEOFFSET,
        Value::TimeSpan(_) => &time::TIMESPAN,
        Value::Enum(d, _) => d,
        Value::Obj(o) => o.type_def(),
    })
}

/// Whether `v` is an instance of `ty` (`is`, `as`, casts of reference
/// types). `null` is an instance of nothing.
pub fn is_instance(v: &Value<'_>, ty: &TypeRef) -> bool {
    match (v, ty) {
        (Value::Null, _) => false,
        (v, TypeRef::Nullable(t)) => is_instance(v, t),
        (Value::Obj(o), t) => o.is_instance_of(t),
        (Value::Lambda(_), _) => false,
        (Value::Ns(_) | Value::Dict(_), t) => context::is_instance(v, t),
        (v, TypeRef::Named(d, _)) => {
            d.is(&OBJECT) || type_of(v).is_some_and(|own| own.is(d) || own.bases.contains(&d.name))
        }
        (_, TypeRef::Array(_)) => false,
    }
}

/// `ToString()` of any value, without a runtime (null gives "").
pub fn to_text_plain(v: &Value<'_>) -> String {
    to_text(v).into_owned()
}

/// `ToString()` (and what `+` concatenation and `$"{x}"` append; null is
/// ""). Borrows for strings.
pub fn to_text<'v>(v: &'v Value<'_>) -> Cow<'v, str> {
    match v {
        Value::Null => Cow::Borrowed(""),
        Value::Str(s) => Cow::Borrowed(s),
        Value::Bool(true) => Cow::Borrowed("True"),
        Value::Bool(false) => Cow::Borrowed("False"),
        Value::Char(c) => Cow::Owned(c.to_string()),
        Value::Enum(d, x) => Cow::Owned(d.enum_name(*x)),
        Value::Obj(o) => Cow::Owned(o.to_text()),
        Value::DateTime(_) | Value::DateTimeOffset(_) | Value::TimeSpan(_) => {
            Cow::Owned(time::format(v, "").unwrap_or_default())
        }
        Value::Ns(_) | Value::Dict(_) => Cow::Owned(context::to_text(v)),
        Value::Lambda(_) => Cow::Borrowed("System.Func"),
        v => Cow::Owned(numbers::format(v, "").unwrap_or_default()),
    }
}

/// `ToString(format)` and the `{x:format}` of interpolation and
/// `string.Format`: a `FormatException` for a format the type rejects.
pub fn format_value(v: &Value<'_>, format: &str) -> EvalResult<String> {
    if format.is_empty() {
        return Ok(to_text(v).into_owned());
    }
    match v {
        Value::DateTime(_) | Value::DateTimeOffset(_) | Value::TimeSpan(_) => time::format(v, format),
        Value::Enum(d, x) => numbers::format_enum(d, *x, format),
        v if v.is_numeric() || matches!(v, Value::Guid(_)) => numbers::format(v, format),
        v => Ok(to_text(v).into_owned()),
    }
}

/// `object.Equals(a, b)`: value equality for value types and strings
/// (numbers of different types compare by value only when C#'s `==`
/// would), [`crate::Object::equals`] or reference equality for objects.
pub fn equals(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Obj(x), Value::Obj(y)) => Rc::ptr_eq(x, y) || x.equals(&**y).unwrap_or(false),
        (Value::Str(x), Value::Str(y)) => x == y,
        (x, y) if x.is_numeric() && y.is_numeric() => numbers::compare(x, y) == Some(Ordering::Equal),
        (x, y) => x == y,
    }
}

/// A hash consistent with [`equals`] (for `Dictionary`, `HashSet`,
/// `Distinct`, `GroupBy`).
pub fn hash(v: &Value<'_>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match v {
        Value::Null => 0u8.hash(&mut h),
        Value::Str(s) => s.hash(&mut h),
        Value::Obj(o) => match o.hash_code() {
            Some(x) => x.hash(&mut h),
            None => (Rc::as_ptr(o) as *const () as usize).hash(&mut h),
        },
        v if v.is_numeric() => match v.as_integer() {
            Some(i) => i.hash(&mut h),
            None => v.as_f64().unwrap_or(0.0).to_bits().hash(&mut h),
        },
        v => to_text(v).hash(&mut h),
    }
    h.finish()
}

/// `Comparer<T>.Default.Compare(a, b)` (OrderBy, Min, Max, Sort): numbers
/// by value, strings by the invariant culture's collation as
/// `text::compare_invariant` approximates it, dates and spans by ticks;
/// null first. `None`: not comparable.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) => Some(Ordering::Less),
        (_, Value::Null) => Some(Ordering::Greater),
        (Value::Str(x), Value::Str(y)) => Some(text::compare_invariant(x, y)),
        (x, y) if x.is_numeric() && y.is_numeric() => numbers::compare(x, y),
        (Value::Char(x), Value::Char(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Guid(x), Value::Guid(y)) => Some(x.cmp(y)),
        (Value::Enum(_, x), Value::Enum(_, y)) => Some(x.cmp(y)),
        (Value::DateTime(_) | Value::DateTimeOffset(_) | Value::TimeSpan(_), _) => time::compare(a, b),
        _ => None,
    }
}

/// The items of an enumerable value (`foreach`, LINQ, `string.Join`):
/// a string's chars, an object's [`crate::Object::items`], a context
/// dictionary's key/value pairs. `None`: not enumerable.
pub fn items<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> Option<EvalResult<Vec<Value<'a>>>> {
    match v {
        Value::Str(s) => {
            let r = rt.charge(s.len() as u64);
            Some(r.map(|()| s.chars().map(Value::Char).collect()))
        }
        Value::Obj(o) => o.items().map(|items| {
            rt.charge(items.len() as u64)?;
            Ok(items)
        }),
        Value::Dict(_) | Value::Ns(_) => context::items(rt, v),
        _ => None,
    }
}

/// A property read `recv.name`.
pub fn get_member<'a>(rt: &mut dyn Runtime<'a>, recv: Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    match recv {
        Value::Null => Some(Err(EvalError::null_ref(name))),
        Value::Str(s) => text::string_get(rt, s, name),
        Value::Char(c) => text::char_get(rt, c, name),
        Value::DateTime(_) | Value::DateTimeOffset(_) | Value::TimeSpan(_) => time::get(rt, &recv, name),
        Value::Ns(_) | Value::Dict(_) => context::get(rt, &recv, name),
        Value::Obj(ref o) => o.get(rt, o, name),
        Value::Lambda(_) => None,
        v => numbers::get(rt, &v, name),
    }
}

/// A method call `recv.name<targs>(args)`: the value's own members, then
/// `object`'s (`ToString`, `Equals`, `GetHashCode`, `GetType`,
/// `CompareTo`), then the extension methods in scope (APIM's helpers,
/// Newtonsoft's and System.Xml.Linq's extensions, LINQ).
pub fn call_member<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if recv.is_null() {
        // Extension methods accept a null receiver; APIM's do (`AsJwt`).
        return apim::extension_call(rt, &recv, name, targs, args)
            .or_else(|| Some(Err(EvalError::null_ref(format!("{name}()")))));
    }
    let own = match &recv {
        Value::Str(s) => text::string_call(rt, s.clone(), name, targs, args),
        Value::Char(c) => text::char_call(rt, *c, name, targs, args),
        Value::DateTime(_) | Value::DateTimeOffset(_) | Value::TimeSpan(_) => time::call(rt, &recv, name, targs, args),
        Value::Ns(_) | Value::Dict(_) => context::call(rt, &recv, name, targs, args),
        Value::Obj(o) => o.call(rt, o, name, targs, args),
        Value::Lambda(_) => None,
        v => numbers::call(rt, v, name, targs, args),
    };
    if own.is_some() {
        return own;
    }
    if let Some(r) = object_call(&recv, name, args) {
        return Some(r);
    }
    if let Some(r) = apim::extension_call(rt, &recv, name, targs, args) {
        return Some(r);
    }
    if let Some(r) = json::extension_call(rt, &recv, name, targs, args) {
        return Some(r);
    }
    if let Some(r) = xml::extension_call(rt, &recv, name, targs, args) {
        return Some(r);
    }
    collections::linq_call(rt, recv, name, targs, args)
}

/// `System.Object`'s members on any non-null value.
fn object_call<'a>(recv: &Value<'a>, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("ToString", []) => Ok(match recv {
            Value::Str(s) => Value::Str(s.clone()),
            v => Value::string(to_text(v).into_owned()),
        }),
        ("ToString", [Value::Str(f)]) => format_value(recv, f).map(Value::string),
        ("Equals", [other]) => Ok(Value::Bool(equals(recv, other))),
        ("GetHashCode", []) => Ok(Value::Int(hash(recv) as i32)),
        ("CompareTo", [other]) => match compare(recv, other) {
            Some(o) => Ok(Value::Int(o as i32)),
            None => Err(EvalError::argument(format!(
                "Object must be of type {}.",
                recv.type_name()
            ))),
        },
        _ => return None,
    })
}

/// A property write `recv.name = value`.
pub fn set_member<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    value: Value<'a>,
) -> Option<EvalResult<()>> {
    match recv {
        Value::Null => Some(Err(EvalError::null_ref(name))),
        Value::Obj(o) => o.set(rt, name, value),
        _ => None,
    }
}

/// An indexer read `recv[key]` (strings: a char; objects: their indexer;
/// context dictionaries: an entry).
pub fn index<'a>(rt: &mut dyn Runtime<'a>, recv: Value<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
    match recv {
        Value::Null => Some(Err(EvalError::null_ref("[]"))),
        Value::Str(s) => text::string_index(&s, &key),
        Value::Obj(ref o) => o.index(rt, key),
        Value::Ns(_) | Value::Dict(_) => context::index(rt, &recv, key),
        _ => None,
    }
}

/// An indexer write `recv[key] = value`.
pub fn set_index<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    key: Value<'a>,
    value: Value<'a>,
) -> Option<EvalResult<()>> {
    match recv {
        Value::Null => Some(Err(EvalError::null_ref("[]"))),
        Value::Obj(o) => o.set_index(rt, key, value),
        _ => None,
    }
}

/// A static member read `T.name` (enum values included).
pub fn get_static<'a>(rt: &mut dyn Runtime<'a>, ty: &'static TypeDef, name: &str) -> Option<EvalResult<Value<'a>>> {
    if ty.kind == TypeKind::Enum {
        if let Some((_, v)) = ty.enum_values.iter().find(|(n, _)| *n == name) {
            return Some(Ok(Value::Enum(ty, *v)));
        }
    }
    ty.get_static.and_then(|f| f(rt, name))
}

/// A static method call `T.name<targs>(args)`.
pub fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    ty: &'static TypeDef,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    ty.call_static.and_then(|f| f(rt, name, targs, args))
}

/// `new T<targs>(args)`.
pub fn construct<'a>(rt: &mut dyn Runtime<'a>, ty: &TypeRef, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    match ty {
        TypeRef::Named(d, targs) => match d.ctor {
            Some(f) => f(rt, targs, args),
            None => Err(EvalError::new(
                EvalErrorKind::NotSupported,
                format!("{} has no public constructor Outpost implements", d.name),
            )),
        },
        t => Err(EvalError::new(
            EvalErrorKind::NotSupported,
            format!("cannot construct {t}"),
        )),
    }
}

/// A conversion to `to`: implicit (`explicit == false`: declarations,
/// arguments, `int` → `long`, `string` → `JToken`) or a cast `(T)v`.
/// Numeric conversions follow C# (`checked` decides overflow: the
/// evaluator passes it); reference conversions check the runtime type
/// (`InvalidCastException`); user-defined explicit operators of the
/// source type (`(string)jtoken`, `(int)xelement`) come from the
/// object's family (`json::convert`, `xml::convert`).
pub fn convert<'a>(
    rt: &mut dyn Runtime<'a>,
    v: Value<'a>,
    to: &TypeRef,
    explicit: bool,
    checked: bool,
) -> EvalResult<Value<'a>> {
    let _ = rt;
    // A token's nullable operators see the nullable type (`(int?)token` is
    // null for a JSON null, where `(int)token` throws).
    if let (Value::Obj(o), TypeRef::Nullable(_)) = (&v, to) {
        if let Some(r) = json::convert(o, to, explicit) {
            return r;
        }
    }
    if let TypeRef::Nullable(inner) = to {
        if v.is_null() {
            return Ok(Value::Null);
        }
        return convert(rt, v, inner, explicit, checked);
    }
    let Some(def) = to.def() else {
        // Arrays: a reference conversion.
        return if v.is_null() || is_instance(&v, to) {
            Ok(v)
        } else {
            Err(EvalError::cast(v.type_name(), to))
        };
    };
    if def.is(&OBJECT) {
        return Ok(v);
    }
    // The source type's conversion operators (JToken, XElement, XAttribute).
    if let Value::Obj(o) = &v {
        if let Some(r) = json::convert(o, to, explicit).or_else(|| xml::convert(o, to, explicit)) {
            return r;
        }
    }
    // Conversions to a JToken from a primitive (implicit in Newtonsoft).
    if let Some(r) = json::convert_to_token(&v, to) {
        return r;
    }
    // Strings to XName/XNamespace (implicit in System.Xml.Linq).
    if let Some(r) = xml::convert_from_string(&v, to) {
        return r;
    }
    if let Some(r) = numbers::convert(&v, def, explicit, checked) {
        return r;
    }
    if v.is_null() {
        return if def.kind == TypeKind::Struct || def.kind == TypeKind::Enum {
            Err(EvalError::new(
                EvalErrorKind::NullReference,
                format!("Nullable object must have a value (null converted to {to})"),
            ))
        } else {
            Ok(Value::Null)
        };
    }
    if is_instance(&v, to) {
        return Ok(v);
    }
    Err(EvalError::cast(v.type_name(), to))
}
