//! The numbers family: the numeric types (`SByte` … `Decimal`),
//! `Boolean`, `Math`, `MidpointRounding`, `Convert`, `BitConverter`,
//! `Random`, `Guid`, `Enum`, `Nullable`, `Tuple`; numeric conversions,
//! parsing and formatting (`"N2"`, `"X2"`, `"F3"`, custom patterns) in the
//! invariant culture.

use std::cmp::Ordering;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeKind, TypeRef};
use crate::value::Value;

macro_rules! value_type {
    ($id:ident, $name:literal, $alias:literal) => {
        pub static $id: TypeDef = TypeDef {
            name: $name,
            aliases: &[$alias],
            kind: TypeKind::Struct,
            bases: &["IComparable"],
            ..TypeDef::EMPTY
        };
    };
}

value_type!(BOOLEAN, "Boolean", "bool");
value_type!(SBYTE, "SByte", "sbyte");
value_type!(BYTE, "Byte", "byte");
value_type!(INT16, "Int16", "short");
value_type!(UINT16, "UInt16", "ushort");
value_type!(INT32, "Int32", "int");
value_type!(UINT32, "UInt32", "uint");
value_type!(INT64, "Int64", "long");
value_type!(UINT64, "UInt64", "ulong");
value_type!(SINGLE, "Single", "float");
value_type!(DOUBLE, "Double", "double");
value_type!(DECIMAL, "Decimal", "decimal");

/// `System.Guid`.
pub static GUID: TypeDef = TypeDef {
    name: "Guid",
    kind: TypeKind::Struct,
    ..TypeDef::EMPTY
};

pub static TYPES: &[&TypeDef] = &[
    &BOOLEAN, &SBYTE, &BYTE, &INT16, &UINT16, &INT32, &UINT32, &INT64, &UINT64, &SINGLE, &DOUBLE, &DECIMAL, &GUID,
];

/// A property of a number, bool, Guid or enum value.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, v, name);
    None
}

/// A method of a number, bool, Guid or enum value.
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

/// `ToString(format)` of a number, bool or Guid ("" = the default).
pub fn format(v: &Value<'_>, format: &str) -> EvalResult<String> {
    let _ = format;
    Ok(match v {
        Value::Int(i) => i.to_string(),
        Value::Long(i) => i.to_string(),
        Value::Double(d) => d.to_string(),
        v => format!("{v:?}"),
    })
}

/// `ToString(format)` of an enum value (`"G"`, `"D"`, `"X"`, `"F"`).
pub fn format_enum(def: &TypeDef, v: i64, format: &str) -> EvalResult<String> {
    let _ = format;
    Ok(def.enum_name(v))
}

/// Compares two numeric values by value (C#'s promotion rules).
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a.as_integer(), b.as_integer()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// A numeric, char, bool or enum conversion of `v` to `to` (implicit or
/// explicit; `checked` makes an out-of-range explicit conversion an
/// `OverflowException`). `None`: not a conversion this family knows.
pub fn convert<'a>(
    v: &Value<'a>,
    to: &'static TypeDef,
    explicit: bool,
    checked: bool,
) -> Option<EvalResult<Value<'a>>> {
    let _ = (v, to, explicit, checked);
    None
}
