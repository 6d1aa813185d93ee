//! A token's conversions to .NET primitives: the explicit operators
//! (`(int)token`, `(string)token`, `(bool?)token`…, which `ToObject<T>()`
//! also uses for primitives) and `Convert.ChangeType` (what `Value<T>()`
//! and `Values<T>()` use), with .NET's `Convert.ToXxx(object,
//! InvariantCulture)` rules: doubles round half to even into integers
//! (`(int)1.5` → 2, `(int)2.5` → 2), strings parse in the invariant
//! culture, overflow throws `OverflowException`.
//! Strings parse as [`super::strings`] says.

use super::node::{Data, Node};
use super::scalar::Scalar;
use super::strings::{guid_from_bytes, parse_as};
use super::TokenType;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::time::civil;
use crate::library::time::datetime::{DateTime, DateTimeOffset, TimeSpan};
use crate::types::TypeRef;
use crate::value::{Decimal, Value};

/// A primitive conversion target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Bool,
    SByte,
    Byte,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    Float,
    Double,
    Decimal,
    Char,
    String,
    DateTime,
    DateTimeOffset,
    Guid,
    TimeSpan,
    Bytes,
}

impl Prim {
    /// The target named by `t`, and whether it is nullable (`int?`).
    pub fn of(t: &TypeRef) -> Option<(Prim, bool)> {
        match t {
            TypeRef::Nullable(inner) => Prim::of(inner).map(|(p, _)| (p, true)),
            TypeRef::Array(e) => (e.def()?.name == "Byte").then_some((Prim::Bytes, false)),
            TypeRef::Named(d, _) => Some((
                match d.name {
                    "Boolean" => Prim::Bool,
                    "SByte" => Prim::SByte,
                    "Byte" => Prim::Byte,
                    "Int16" => Prim::Short,
                    "UInt16" => Prim::UShort,
                    "Int32" => Prim::Int,
                    "UInt32" => Prim::UInt,
                    "Int64" => Prim::Long,
                    "UInt64" => Prim::ULong,
                    "Single" => Prim::Float,
                    "Double" => Prim::Double,
                    "Decimal" => Prim::Decimal,
                    "Char" => Prim::Char,
                    "String" => Prim::String,
                    "DateTime" => Prim::DateTime,
                    "DateTimeOffset" => Prim::DateTimeOffset,
                    "Guid" => Prim::Guid,
                    "TimeSpan" => Prim::TimeSpan,
                    _ => return None,
                },
                false,
            )),
        }
    }

    /// The .NET type name in Newtonsoft's messages.
    pub fn name(self) -> &'static str {
        match self {
            Prim::Bool => "Boolean",
            Prim::SByte => "SByte",
            Prim::Byte => "Byte",
            Prim::Short => "Int16",
            Prim::UShort => "UInt16",
            Prim::Int => "Int32",
            Prim::UInt => "UInt32",
            Prim::Long => "Int64",
            Prim::ULong => "UInt64",
            Prim::Float => "Single",
            Prim::Double => "Double",
            Prim::Decimal => "Decimal",
            Prim::Char => "Char",
            Prim::String => "String",
            Prim::DateTime => "DateTime",
            Prim::DateTimeOffset => "DateTimeOffset",
            Prim::Guid => "Guid",
            Prim::TimeSpan => "TimeSpan",
            Prim::Bytes => "byte array",
        }
    }

    pub fn is_value_type(self) -> bool {
        !matches!(self, Prim::String | Prim::Bytes)
    }

    /// `default(T)`.
    pub fn default_value(self) -> Value<'static> {
        match self {
            Prim::Bool => Value::Bool(false),
            Prim::SByte => Value::SByte(0),
            Prim::Byte => Value::Byte(0),
            Prim::Short => Value::Short(0),
            Prim::UShort => Value::UShort(0),
            Prim::Int => Value::Int(0),
            Prim::UInt => Value::UInt(0),
            Prim::Long => Value::Long(0),
            Prim::ULong => Value::ULong(0),
            Prim::Float => Value::Float(0.0),
            Prim::Double => Value::Double(0.0),
            Prim::Decimal => Value::Decimal(Decimal::ZERO),
            Prim::Char => Value::Char('\0'),
            Prim::DateTime => Value::DateTime(DateTime {
                ticks: civil::days_from_civil(1, 1, 1) * 86_400 * 10_000_000,
                kind: crate::library::time::datetime::Kind::Unspecified,
            }),
            Prim::DateTimeOffset => Value::DateTimeOffset(DateTimeOffset {
                utc: DateTime {
                    ticks: civil::days_from_civil(1, 1, 1) * 86_400 * 10_000_000,
                    kind: crate::library::time::datetime::Kind::Utc,
                },
                offset_minutes: 0,
            }),
            Prim::Guid => Value::Guid(0),
            Prim::TimeSpan => Value::TimeSpan(TimeSpan { ticks: 0 }),
            Prim::String | Prim::Bytes => Value::Null,
        }
    }

    /// The token types the explicit operator accepts (Newtonsoft's
    /// `NumberTypes`, `StringTypes`…).
    fn valid(self, t: TokenType) -> bool {
        use TokenType as T;
        let base = matches!(t, T::String | T::Comment | T::Raw);
        match self {
            Prim::String => {
                base || matches!(
                    t,
                    T::Date | T::Integer | T::Float | T::Boolean | T::Bytes | T::Guid | T::TimeSpan | T::Uri
                )
            }
            Prim::Guid => base || matches!(t, T::Guid | T::Bytes),
            Prim::TimeSpan => base || t == T::TimeSpan,
            Prim::Char => base || matches!(t, T::Integer | T::Float),
            Prim::DateTime | Prim::DateTimeOffset => base || t == T::Date,
            Prim::Bytes => base || matches!(t, T::Bytes | T::Integer),
            _ => base || matches!(t, T::Integer | T::Float | T::Boolean),
        }
    }
}

/// The type name Newtonsoft's messages give a token (a property's value's).
fn token_kind_name(n: &Node) -> &'static str {
    match n.prop_value() {
        Some(v) => v.token_type().name(),
        None => n.token_type().name(),
    }
}

/// An explicit operator `(T)token` (`nullable`: `(T?)token`). `node` is
/// `None` for a C# null reference.
pub fn explicit(node: Option<&Node>, prim: Prim, nullable: bool) -> EvalResult<Value<'static>> {
    let Some(node) = node else {
        if nullable || !prim.is_value_type() {
            return Ok(Value::Null);
        }
        return Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'value')",
        ));
    };
    let target = node.prop_value();
    let target = target.as_deref().unwrap_or(node);
    let cannot = || EvalError::argument(format!("Can not convert {} to {}.", token_kind_name(node), prim.name()));
    let Data::Value(s) = &target.data else {
        return Err(cannot());
    };
    let s = s.borrow().clone();
    let t = s.token_type();
    if matches!(t, TokenType::Null | TokenType::Undefined) {
        return if (nullable || prim == Prim::String) && prim != Prim::Bytes {
            Ok(Value::Null)
        } else {
            Err(cannot())
        };
    }
    if !prim.valid(t) {
        return Err(cannot());
    }
    match (prim, &s.v) {
        (Prim::String, _) => Ok(s.convert_to_string().map_or(Value::Null, Value::string)),
        (Prim::Bytes, Value::Long(_) | Value::ULong(_)) => Err(cannot()),
        (Prim::DateTime, Value::DateTimeOffset(d)) => Ok(Value::DateTime(DateTime {
            ticks: d.utc.ticks + i64::from(d.offset_minutes) * 600_000_000,
            kind: crate::library::time::datetime::Kind::Unspecified,
        })),
        _ => convert_value(&s.v, prim),
    }
}

/// `Convert.ChangeType(value, T)` as `Extensions.Convert<JToken, T>` does
/// it for a `JValue` (`Value<T>()`): like the explicit operators, but a
/// null value of a non-nullable value type is an `InvalidCastException`,
/// and types that are not `IConvertible` do not convert.
pub fn change_type(s: &Scalar, prim: Prim, nullable: bool) -> EvalResult<Value<'static>> {
    let invalid = |from: &str| {
        EvalError::new(
            EvalErrorKind::InvalidCast,
            format!("Invalid cast from '{from}' to '{}'.", prim.name()),
        )
    };
    match &s.v {
        Value::Null if nullable || !prim.is_value_type() => Ok(Value::Null),
        Value::Null => Err(EvalError::new(
            EvalErrorKind::InvalidCast,
            "Null object cannot be converted to a value type.",
        )),
        Value::Guid(_) | Value::TimeSpan(_) | Value::Obj(_) => {
            let same = matches!(
                (&s.v, prim),
                (Value::Guid(_), Prim::Guid) | (Value::TimeSpan(_), Prim::TimeSpan) | (Value::Obj(_), Prim::Bytes)
            );
            if same {
                Ok(s.v.clone())
            } else {
                Err(EvalError::new(
                    EvalErrorKind::InvalidCast,
                    "Object must implement IConvertible.",
                ))
            }
        }
        Value::DateTime(_) | Value::DateTimeOffset(_) => match prim {
            Prim::String => Ok(s.convert_to_string().map_or(Value::Null, Value::string)),
            Prim::DateTime | Prim::DateTimeOffset => explicit(Some(&Node::value(s.clone())), prim, nullable),
            _ => Err(invalid("DateTime")),
        },
        v if matches!(prim, Prim::Guid | Prim::TimeSpan | Prim::Bytes) => {
            let from = crate::library::type_of(v).map_or("Object".to_owned(), |d| d.full_name());
            Err(invalid(&from))
        }
        v if v.is_numeric() && matches!(prim, Prim::DateTime | Prim::DateTimeOffset) => {
            Err(invalid(crate::library::type_of(v).map_or("Object", |d| d.name)))
        }
        Value::Str(_) if prim == Prim::String => Ok(s.v.clone()),
        v => convert_value(v, prim),
    }
}

pub(super) fn overflow(prim: Prim) -> EvalError {
    let what = match prim {
        Prim::Int => "an Int32",
        Prim::Long => "an Int64",
        Prim::Short => "an Int16",
        Prim::UShort => "a UInt16",
        Prim::UInt => "a UInt32",
        Prim::ULong => "a UInt64",
        Prim::Byte => "an unsigned byte",
        Prim::SByte => "a signed byte",
        Prim::Char => "a character",
        _ => "a Decimal",
    };
    EvalError::new(
        EvalErrorKind::Overflow,
        format!("Value was either too large or too small for {what}."),
    )
}

pub(super) fn format_error(s: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        format!("The input string '{s}' was not in a correct format."),
    )
}

/// An integer in the target's range.
pub(super) fn integer(i: i128, prim: Prim) -> EvalResult<Value<'static>> {
    let v = match prim {
        Prim::SByte => i8::try_from(i).map(Value::SByte).ok(),
        Prim::Byte => u8::try_from(i).map(Value::Byte).ok(),
        Prim::Short => i16::try_from(i).map(Value::Short).ok(),
        Prim::UShort => u16::try_from(i).map(Value::UShort).ok(),
        Prim::Int => i32::try_from(i).map(Value::Int).ok(),
        Prim::UInt => u32::try_from(i).map(Value::UInt).ok(),
        Prim::Long => i64::try_from(i).map(Value::Long).ok(),
        Prim::ULong => u64::try_from(i).map(Value::ULong).ok(),
        Prim::Char => u16::try_from(i)
            .ok()
            .and_then(|c| char::from_u32(c.into()))
            .map(Value::Char),
        Prim::Float => Some(Value::Float(i as f32)),
        Prim::Double => Some(Value::Double(i as f64)),
        Prim::Decimal => Some(Value::Decimal(Decimal::from_i128_with_scale(i, 0))),
        Prim::Bool => Some(Value::Bool(i != 0)),
        _ => None,
    };
    v.ok_or_else(|| overflow(prim))
}

pub(super) fn is_integral(prim: Prim) -> bool {
    matches!(
        prim,
        Prim::SByte | Prim::Byte | Prim::Short | Prim::UShort | Prim::Int | Prim::UInt | Prim::Long | Prim::ULong
    )
}

/// `Convert.ToXxx(value, InvariantCulture)` of a primitive.
pub fn convert_value(v: &Value<'_>, prim: Prim) -> EvalResult<Value<'static>> {
    let invalid = |from: &str| {
        EvalError::new(
            EvalErrorKind::InvalidCast,
            format!("Invalid cast from '{from}' to '{}'.", prim.name()),
        )
    };
    match v {
        Value::Bool(b) => match prim {
            Prim::Char | Prim::DateTime | Prim::DateTimeOffset => Err(invalid("Boolean")),
            _ => integer(i128::from(*b), prim),
        },
        Value::Char(c) => match prim {
            Prim::Char => Ok(Value::Char(*c)),
            p if is_integral(p) => integer(*c as i128, p),
            _ => Err(invalid("Char")),
        },
        Value::Double(_) | Value::Float(_) => {
            let d = v.as_f64().unwrap_or(f64::NAN);
            match prim {
                Prim::Double => Ok(Value::Double(d)),
                Prim::Float => Ok(Value::Float(d as f32)),
                Prim::Decimal => decimal_of_double(d).map(Value::Decimal),
                Prim::Bool => Ok(Value::Bool(d != 0.0)),
                Prim::Char => Err(invalid("Double")),
                p => {
                    let r = d.round_ties_even();
                    if !r.is_finite() || r.abs() > 1.8e19 {
                        return Err(overflow(p));
                    }
                    integer(r as i128, p)
                }
            }
        }
        Value::Decimal(d) => match prim {
            Prim::Decimal => Ok(Value::Decimal(*d)),
            Prim::Double | Prim::Float => {
                let f = rust_decimal::prelude::ToPrimitive::to_f64(d).unwrap_or(0.0);
                Ok(if prim == Prim::Double {
                    Value::Double(f)
                } else {
                    Value::Float(f as f32)
                })
            }
            Prim::Bool => Ok(Value::Bool(!d.is_zero())),
            Prim::Char => Err(invalid("Decimal")),
            p => {
                let r = d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven);
                let i = rust_decimal::prelude::ToPrimitive::to_i128(&r).ok_or_else(|| overflow(p))?;
                integer(i, p)
            }
        },
        Value::Str(s) => parse_as(s, prim),
        Value::DateTime(d) => match prim {
            Prim::DateTime => Ok(Value::DateTime(*d)),
            Prim::DateTimeOffset => Ok(Value::DateTimeOffset(DateTimeOffset {
                utc: *d,
                offset_minutes: 0,
            })),
            _ => Err(invalid("DateTime")),
        },
        Value::DateTimeOffset(d) => match prim {
            Prim::DateTimeOffset => Ok(Value::DateTimeOffset(*d)),
            _ => Err(invalid("DateTimeOffset")),
        },
        Value::Guid(g) if prim == Prim::Guid => Ok(Value::Guid(*g)),
        Value::TimeSpan(t) if prim == Prim::TimeSpan => Ok(Value::TimeSpan(*t)),
        Value::Obj(_) if prim == Prim::Guid => {
            let b = Array::to_bytes(v).ok_or_else(|| invalid("Object"))?;
            guid_from_bytes(&b).map(Value::Guid)
        }
        Value::Obj(_) if prim == Prim::Bytes => Ok(v.clone().into_owned()),
        v => match v.as_integer() {
            Some(i) => integer(i, prim).map_err(|e| {
                if prim_is_non_numeric(prim) {
                    invalid(v.type_name())
                } else {
                    e
                }
            }),
            None => Err(invalid(v.type_name())),
        },
    }
}

fn prim_is_non_numeric(p: Prim) -> bool {
    matches!(
        p,
        Prim::String | Prim::DateTime | Prim::DateTimeOffset | Prim::Guid | Prim::TimeSpan | Prim::Bytes
    )
}

/// `new decimal(double)`: rounded to 15 significant digits.
pub fn decimal_of_double(d: f64) -> EvalResult<Decimal> {
    if !d.is_finite() || d.abs() >= 7.922_816_251_426_434e28 {
        return Err(overflow(Prim::Decimal));
    }
    if d == 0.0 {
        return Ok(Decimal::ZERO);
    }
    let text = format!("{d:.14e}");
    let r = Decimal::from_scientific(&text).map_err(|_| overflow(Prim::Decimal))?;
    Ok(r.normalize())
}

#[cfg(test)]
mod tests {
    use super::super::strings::{parse_datetime, parse_guid, parse_timespan};
    use super::*;

    fn scalar(v: Value<'static>) -> Node {
        std::rc::Rc::try_unwrap(Node::value(Scalar::plain(v))).ok().unwrap()
    }

    #[test]
    fn integers_round_half_to_even() {
        // documented .NET behaviour (Convert.ToInt32(double)), not run
        let n = scalar(Value::Double(1.5));
        assert!(matches!(explicit(Some(&n), Prim::Int, false), Ok(Value::Int(2))));
        let n = scalar(Value::Double(2.5));
        assert!(matches!(explicit(Some(&n), Prim::Int, false), Ok(Value::Int(2))));
        let n = scalar(Value::Double(-1.7));
        assert!(matches!(explicit(Some(&n), Prim::Long, false), Ok(Value::Long(-2))));
        let n = scalar(Value::Double(3e10));
        assert_eq!(
            explicit(Some(&n), Prim::Int, false).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
    }

    #[test]
    fn strings_parse_invariant() {
        let n = scalar(Value::string(" 42 "));
        assert!(matches!(explicit(Some(&n), Prim::Int, false), Ok(Value::Int(42))));
        let n = scalar(Value::string("x"));
        assert_eq!(
            explicit(Some(&n), Prim::Int, false).unwrap_err().kind,
            EvalErrorKind::Format
        );
        let n = scalar(Value::string("TRUE"));
        assert!(matches!(explicit(Some(&n), Prim::Bool, false), Ok(Value::Bool(true))));
        let n = scalar(Value::string("1.25"));
        assert!(matches!(explicit(Some(&n), Prim::Double, false), Ok(Value::Double(d)) if d == 1.25));
    }

    #[test]
    fn null_handling() {
        let n = scalar(Value::Null);
        assert!(matches!(explicit(Some(&n), Prim::Int, true), Ok(Value::Null)));
        assert!(matches!(explicit(Some(&n), Prim::String, false), Ok(Value::Null)));
        let e = explicit(Some(&n), Prim::Int, false).unwrap_err();
        assert_eq!(e.message, "Can not convert Null to Int32.");
        assert_eq!(
            explicit(None, Prim::Int, false).unwrap_err().kind,
            EvalErrorKind::ArgumentNull
        );
        let e = change_type(&Scalar::null(), Prim::Int, false).unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::InvalidCast);
    }

    #[test]
    fn decimals_from_doubles() {
        assert_eq!(decimal_of_double(0.1).unwrap().to_string(), "0.1");
        assert_eq!(decimal_of_double(1.0).unwrap().to_string(), "1");
        assert_eq!(decimal_of_double(1.0 / 3.0).unwrap().to_string(), "0.333333333333333");
    }

    #[test]
    fn guids_dates_spans() {
        assert_eq!(
            parse_guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
            Some(0x0f8fad5b_d9cb_469f_a165_70867728950e)
        );
        assert_eq!(
            parse_guid("{0f8fad5bd9cb469fa16570867728950e}"),
            Some(0x0f8fad5b_d9cb_469f_a165_70867728950e)
        );
        assert_eq!(parse_guid("nope"), None);
        assert_eq!(parse_timespan("01:02:03"), Some(37_230_000_000));
        assert_eq!(parse_timespan("1.00:00:00.5"), Some(864_005_000_000));
        let (t, off) = parse_datetime("2024-01-02T03:04:05+01:00").unwrap();
        assert_eq!(
            (
                DateTime {
                    ticks: t,
                    kind: crate::library::time::datetime::Kind::Unspecified
                }
                .format("s")
                .unwrap(),
                off
            ),
            ("2024-01-02T02:04:05".into(), Some(60))
        );
        let (t, _) = parse_datetime("01/02/2024 03:04:05").unwrap();
        assert_eq!(
            DateTime {
                ticks: t,
                kind: crate::library::time::datetime::Kind::Unspecified
            }
            .format("s")
            .unwrap(),
            "2024-01-02T03:04:05"
        );
    }
}
