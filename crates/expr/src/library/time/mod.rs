//! The time family: `DateTime`, `DateTimeOffset`, `TimeSpan`,
//! `DateTimeKind`, `TimeZoneInfo` (UTC and fixed offsets), `DayOfWeek`;
//! .NET's invariant-culture formatting and parsing.

use std::cmp::Ordering;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub mod civil;
pub mod datetime;

pub use datetime::{DateTime, DateTimeOffset, TimeSpan};

pub static DATETIME: TypeDef = TypeDef {
    name: "DateTime",
    kind: TypeKind::Struct,
    bases: &["IComparable"],
    ..TypeDef::EMPTY
};

pub static DATETIMEOFFSET: TypeDef = TypeDef {
    name: "DateTimeOffset",
    kind: TypeKind::Struct,
    bases: &["IComparable"],
    ..TypeDef::EMPTY
};

pub static TIMESPAN: TypeDef = TypeDef {
    name: "TimeSpan",
    kind: TypeKind::Struct,
    bases: &["IComparable"],
    ..TypeDef::EMPTY
};

pub static TYPES: &[&TypeDef] = &[&DATETIME, &DATETIMEOFFSET, &TIMESPAN];

/// A property of a DateTime, DateTimeOffset or TimeSpan.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, v, name);
    None
}

/// A method of a DateTime, DateTimeOffset or TimeSpan.
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

/// `ToString(format)` ("" = the default, `G`).
pub fn format(v: &Value<'_>, format: &str) -> EvalResult<String> {
    Ok(match v {
        Value::DateTime(d) => d.format(format).unwrap_or_default(),
        Value::TimeSpan(t) => t.to_dotnet_string(),
        _ => String::new(),
    })
}

/// Orders two time values of the same type.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::TimeSpan(x), Value::TimeSpan(y)) => Some(x.cmp(y)),
        (Value::DateTimeOffset(x), Value::DateTimeOffset(y)) => Some(x.utc.cmp(&y.utc)),
        _ => None,
    }
}

/// `DateTime.Parse` (temporary).
pub fn parse_datetime(s: &str) -> EvalResult<DateTime> {
    Err(crate::error::EvalError::new(crate::error::EvalErrorKind::Format, format!("String '{s}' was not recognized as a valid DateTime.")))
}
