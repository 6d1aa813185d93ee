//! The numbers family: the numeric types (`SByte` … `Decimal`),
//! `Boolean`, `Math`, `MidpointRounding`, `Convert`, `BitConverter`,
//! `Random`, `Guid`, `Enum`, `Nullable`, `Tuple`; numeric conversions,
//! parsing and formatting (`"N2"`, `"X2"`, `"F3"`, custom patterns) in the
//! invariant culture.
//!
//! Modules: `defs` (the numeric TypeDefs), `num` (the numeric kinds and
//! exact scalars), `cast` (C# conversions and comparison), `parse`,
//! `fmt` (formatting), `members` (members and statics of numbers and
//! bools), `math`, `convert` (System.Convert), `encoding` (Base64 and
//! hex), `bits` (BitConverter),
//! `random`, `guid`, `enums`, `tuple` (Tuple and Nullable).
//!
//! Invariant: every function here is total on any `Value` (wrong types
//! give `None` or an `EvalError`, never a panic).

use std::cmp::Ordering;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub mod bits;
pub mod cast;
pub mod convert;
pub mod defs;
pub mod encoding;
pub mod enums;
pub mod fmt;
pub mod guid;
pub mod math;
pub mod members;
pub mod num;
pub mod parse;
pub mod random;
pub mod tuple;

pub use defs::{BOOLEAN, BYTE, DECIMAL, DOUBLE, INT16, INT32, INT64, SBYTE, SINGLE, UINT16, UINT32, UINT64};
pub use enums::{ENUM, ENUM_MEMBERS};
pub use guid::GUID;
pub use math::{MATH, MIDPOINT_ROUNDING};

pub static TYPES: &[&TypeDef] = &[
    &BOOLEAN,
    &SBYTE,
    &BYTE,
    &INT16,
    &UINT16,
    &INT32,
    &UINT32,
    &INT64,
    &UINT64,
    &SINGLE,
    &DOUBLE,
    &DECIMAL,
    &GUID,
    &MATH,
    &MIDPOINT_ROUNDING,
    &convert::CONVERT,
    &convert::BASE64_FORMATTING_OPTIONS,
    &bits::BIT_CONVERTER,
    &random::RANDOM,
    &ENUM,
    &tuple::TUPLE,
    &tuple::TUPLE1,
    &tuple::TUPLE2,
    &tuple::TUPLE3,
    &tuple::TUPLE4,
    &tuple::TUPLE5,
    &tuple::TUPLE6,
    &tuple::TUPLE7,
    &tuple::NULLABLE,
    &tuple::NULLABLE_T,
];

/// A property of a number, bool, Guid or enum value.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    members::get(v, name)
}

/// A method of a number, bool, Guid or enum value.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    v: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, targs);
    // `2 * span`: C#'s `operator *(double, TimeSpan)`.
    if let ("op_Multiply", [Value::TimeSpan(t)]) = (name, args) {
        return crate::library::time::timespan::call(*t, name, std::slice::from_ref(v));
    }
    match v {
        Value::Enum(d, x) => enums::call(d, *x, name, args).or_else(|| members::call(v, name, args)),
        Value::Guid(g) => guid::call(*g, name, args),
        v => members::call(v, name, args),
    }
}

/// `ToString(format)` of a number, bool or Guid ("" = the default).
pub fn format(v: &Value<'_>, format: &str) -> EvalResult<String> {
    let int = |i: i128, bits: u32| fmt::format_integer(i, bits, format);
    match *v {
        Value::Bool(b) => Ok(if b { "True" } else { "False" }.into()),
        Value::Char(c) => Ok(c.to_string()),
        Value::SByte(x) => int(x.into(), 8),
        Value::Byte(x) => int(x.into(), 8),
        Value::Short(x) => int(x.into(), 16),
        Value::UShort(x) => int(x.into(), 16),
        Value::Int(x) => int(x.into(), 32),
        Value::UInt(x) => int(x.into(), 32),
        Value::Long(x) => int(x.into(), 64),
        Value::ULong(x) => int(x.into(), 64),
        Value::Float(x) => fmt::format_float(x.into(), true, format),
        Value::Double(x) => fmt::format_float(x, false, format),
        Value::Decimal(d) => fmt::format_decimal(d, format),
        Value::Guid(g) => guid::format(g, format),
        Value::Enum(d, x) => enums::format_enum(d, x, format),
        _ => Ok(crate::library::to_text(v).into_owned()),
    }
}

/// `ToString(format)` of an enum value (`"G"`, `"D"`, `"X"`, `"F"`).
pub fn format_enum(def: &TypeDef, v: i64, format: &str) -> EvalResult<String> {
    enums::format_enum(def, v, format)
}

/// Compares two numeric values by their exact values (an `int` and a
/// `double` included); `None` when one is NaN.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    cast::compare(a, b)
}

/// A numeric, char or enum conversion of `v` to `to` (implicit or
/// explicit; `checked` makes an out-of-range explicit conversion an
/// `OverflowException`), or one of the time family's conversion operators
/// (`DateTime` → `DateTimeOffset`). `None`: not a conversion these
/// families know.
pub fn convert<'a>(
    v: &Value<'a>,
    to: &'static TypeDef,
    explicit: bool,
    checked: bool,
) -> Option<EvalResult<Value<'a>>> {
    cast::convert(v, to, explicit, checked).or_else(|| crate::library::time::convert(v, to))
}

#[cfg(test)]
mod robustness {
    //! Random formats and inputs never panic (a cheap stand-in for fuzzing).

    use super::*;
    use crate::library::time;

    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn random_text(seed: &mut u64, alphabet: &[char]) -> String {
        let len = (next(seed) % 12) as usize;
        (0..len)
            .map(|_| alphabet[(next(seed) % alphabet.len() as u64) as usize])
            .collect()
    }

    #[test]
    fn formats_and_parsers_never_panic() {
        let fmt_chars: Vec<char> = "0#.,;%\u{2030}eE+-'\"\\dDxXnNcCfFgGpPrRbB9 hHmMsStTyYzZkKoOuU:/"
            .chars()
            .collect();
        let num_chars: Vec<char> = "0123456789.,+-eE ()xXaAfF\u{a4}:TZ/".chars().collect();
        let values = [
            Value::Int(0),
            Value::Int(-1234567),
            Value::Long(i64::MIN),
            Value::ULong(u64::MAX),
            Value::Byte(255),
            Value::Double(0.0),
            Value::Double(-0.0),
            Value::Double(1e308),
            Value::Double(-1.5e-300),
            Value::Double(f64::NAN),
            Value::Double(0.125),
            Value::Float(3.4e38),
            Value::Decimal(rust_decimal::Decimal::MAX),
            Value::Decimal(rust_decimal::Decimal::new(-5, 28)),
            Value::Guid(u128::MAX),
            Value::DateTime(time::DateTime::MAX),
            Value::DateTime(time::DateTime::MIN),
            Value::TimeSpan(time::TimeSpan { ticks: i64::MIN }),
            Value::DateTimeOffset(time::DateTimeOffset {
                utc: time::DateTime::MIN,
                offset_minutes: 840,
            }),
        ];
        let mut seed = 0x2545_F491_4F6C_DD1D;
        for _ in 0..3000 {
            let f = random_text(&mut seed, &fmt_chars);
            for v in &values {
                let _ = crate::library::format_value(v, &f);
            }
            let s = random_text(&mut seed, &num_chars);
            for k in num::ALL {
                for styles in [parse::INTEGER, parse::NUMBER, parse::FLOAT, 511, parse::HEX] {
                    let _ = parse::parse_number(&s, k, styles);
                }
            }
            let today = time::DateTime::from_unix_seconds(0);
            let _ = time::parse::parse(&s, today);
            let _ = time::parse::parse_exact(&s, &f, today);
            let _ = time::timespan::parse(&s);
            let _ = guid::parse(&s);
        }
    }
}
