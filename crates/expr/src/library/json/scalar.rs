//! What a `JValue` holds ([`Scalar`]): a .NET primitive as a [`Value`],
//! plus what the value alone cannot say (a date's `Kind`, `JRaw`,
//! comments, `undefined`); its `JTokenType`, its `ToString()`, and
//! Newtonsoft's value equality and ordering (`JValue.Equals`,
//! `JValue.CompareTo`).
//!
//! Invariants: integers are stored as `Long` (`ULong` above `i64::MAX`),
//! as Newtonsoft's `JValue(long)` constructor and reader store them;
//! enums become their number; `Flavor::Raw`/`Comment` hold a `Str`; a
//! date's `Flavor` is its kind (`Plain` = `Utc`).

use std::cmp::Ordering;

use base64::Engine;

use super::dates::DateKind;
use super::fmt;
use super::TokenType;
use crate::error::{EvalError, EvalResult};
use crate::library::collections::Array;
use crate::value::{Decimal, Value};

/// What a `JValue` holds.
#[derive(Debug, Clone)]
pub struct Scalar {
    pub v: Value<'static>,
    pub flavor: Flavor,
}

/// The extra information of a `JValue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Plain,
    /// `JRaw`: `v` is raw JSON text written as is.
    Raw,
    /// `JValue.CreateComment`: written as `/*text*/`.
    Comment,
    /// `JValue.CreateUndefined`: written as `undefined`.
    Undefined,
    /// A `DateTime` of kind `Unspecified` (written without a zone).
    Unspecified,
    /// A `DateTime` of kind `Local` (written with the local offset).
    Local,
}

impl Scalar {
    pub fn null() -> Scalar {
        Scalar {
            v: Value::Null,
            flavor: Flavor::Plain,
        }
    }

    pub fn plain(v: Value<'static>) -> Scalar {
        Scalar {
            v,
            flavor: Flavor::Plain,
        }
    }

    pub fn string(s: impl Into<String>) -> Scalar {
        Scalar::plain(Value::string(s))
    }

    pub fn date(ticks: i64, kind: DateKind) -> Scalar {
        Scalar {
            v: Value::DateTime(crate::library::time::datetime::DateTime {
                ticks,
                kind: match kind {
                    DateKind::Utc => crate::library::time::datetime::Kind::Utc,
                    _ => crate::library::time::datetime::Kind::Unspecified,
                },
            }),
            flavor: match kind {
                DateKind::Utc => Flavor::Plain,
                DateKind::Unspecified => Flavor::Unspecified,
                DateKind::Local => Flavor::Local,
            },
        }
    }

    /// `new JValue(object)`: a primitive, or `None` for a value Newtonsoft
    /// cannot hold ("Could not determine JSON object type").
    pub fn from_value(v: &Value<'_>) -> Option<Scalar> {
        let v = match v {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Char(c) => Value::Char(*c),
            Value::ULong(u) => match i64::try_from(*u) {
                Ok(i) => Value::Long(i),
                Err(_) => Value::ULong(*u),
            },
            Value::Enum(_, n) => Value::Long(*n),
            v @ (Value::SByte(_)
            | Value::Byte(_)
            | Value::Short(_)
            | Value::UShort(_)
            | Value::Int(_)
            | Value::UInt(_)
            | Value::Long(_)) => Value::Long(v.as_integer().and_then(|i| i64::try_from(i).ok()).unwrap_or(0)),
            Value::Float(f) => Value::Float(*f),
            Value::Double(d) => Value::Double(*d),
            Value::Decimal(d) => Value::Decimal(*d),
            Value::Str(s) => Value::string(s.as_ref()),
            Value::DateTime(d) => Value::DateTime(*d),
            Value::DateTimeOffset(d) => Value::DateTimeOffset(*d),
            Value::TimeSpan(t) => Value::TimeSpan(*t),
            Value::Guid(g) => Value::Guid(*g),
            Value::Obj(o) if Array::to_bytes(v).is_some() || o.type_def().name == "Uri" => Value::Obj(o.clone()),
            _ => return None,
        };
        Some(Scalar::plain(v))
    }

    pub fn is_raw(&self) -> bool {
        self.flavor == Flavor::Raw
    }

    /// The bytes of a `Bytes` value.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        Array::to_bytes(&self.v)
    }

    /// `JValue.Type`.
    pub fn token_type(&self) -> TokenType {
        match self.flavor {
            Flavor::Raw => return TokenType::Raw,
            Flavor::Comment => return TokenType::Comment,
            Flavor::Undefined => return TokenType::Undefined,
            _ => {}
        }
        match &self.v {
            Value::Null => TokenType::Null,
            Value::Bool(_) => TokenType::Boolean,
            Value::Char(_) | Value::Str(_) => TokenType::String,
            Value::Float(_) | Value::Double(_) | Value::Decimal(_) => TokenType::Float,
            Value::DateTime(_) | Value::DateTimeOffset(_) => TokenType::Date,
            Value::TimeSpan(_) => TokenType::TimeSpan,
            Value::Guid(_) => TokenType::Guid,
            Value::Obj(o) if o.type_def().name == "Uri" => TokenType::Uri,
            Value::Obj(_) => TokenType::Bytes,
            v if v.as_integer().is_some() => TokenType::Integer,
            _ => TokenType::String,
        }
    }

    /// The date kind of a `DateTime` value.
    pub fn date_kind(&self) -> DateKind {
        match self.flavor {
            Flavor::Unspecified => DateKind::Unspecified,
            Flavor::Local => DateKind::Local,
            _ => DateKind::Utc,
        }
    }

    /// `JValue.ToString()`: the value's own `ToString()` in the invariant
    /// culture (`""` for null, `True`, `1.5`, `01/02/2024 03:04:05`…).
    pub fn to_text(&self) -> String {
        match &self.v {
            Value::Obj(o) if self.token_type() == TokenType::Bytes => {
                let _ = o;
                "System.Byte[]".into()
            }
            _ => self.convert_to_string().unwrap_or_default(),
        }
    }

    /// `Convert.ToString(value, InvariantCulture)` (what `(string)token`
    /// returns): `None` for null; bytes in base64.
    pub fn convert_to_string(&self) -> Option<String> {
        Some(match &self.v {
            Value::Null => return None,
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Char(c) => c.to_string(),
            Value::Long(i) => i.to_string(),
            Value::ULong(u) => u.to_string(),
            Value::Double(d) => fmt::double_r(*d),
            Value::Float(f) => fmt::single_r(*f),
            Value::Decimal(d) => d.to_string(),
            Value::Str(s) => s.to_string(),
            Value::DateTime(d) => d.format("").unwrap_or_default(),
            Value::DateTimeOffset(d) => fmt::dto_text(d),
            Value::TimeSpan(t) => t.to_dotnet_string(),
            Value::Guid(g) => fmt::guid_d(*g),
            Value::Obj(o) => match self.bytes() {
                Some(b) => base64::engine::general_purpose::STANDARD.encode(b),
                None => o.to_text(),
            },
            v => crate::library::to_text_plain(v),
        })
    }

    /// `JValue.Equals(JValue)`: same token type and `Compare` = 0.
    pub fn value_equals(&self, other: &Scalar) -> bool {
        let (t1, t2) = (self.token_type(), other.token_type());
        t1 == t2 && compare_values(t1, &self.v, &other.v) == Some(Ordering::Equal)
    }

    /// `JValue.CompareTo(JValue)` (a string compares by the other's type).
    pub fn compare_to(&self, other: &Scalar) -> Option<Ordering> {
        let t = self.token_type();
        let t = if t == TokenType::String && other.token_type() != t {
            other.token_type()
        } else {
            t
        };
        compare_values(t, &self.v, &other.v)
    }

    /// A hash consistent with [`Scalar::value_equals`].
    pub fn hash_code(&self) -> u64 {
        match &self.v {
            v if v.is_numeric() => match v.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => (f as i64) as u64,
                Some(f) => f.to_bits(),
                None => 0,
            },
            v => crate::library::hash(v),
        }
    }
}

/// Newtonsoft's `JValue.Compare(valueType, a, b)`; `None` when the values
/// are not comparable (Newtonsoft would throw; JSONPath filters treat it
/// as no match).
pub fn compare_values(t: TokenType, a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, Value::Null) => return Some(Ordering::Equal),
        (_, Value::Null) => return Some(Ordering::Greater),
        (Value::Null, _) => return Some(Ordering::Less),
        _ => {}
    }
    match t {
        TokenType::Integer | TokenType::Float => compare_numbers(a, b),
        TokenType::String | TokenType::Comment | TokenType::Raw | TokenType::Uri => {
            let x = Scalar::plain(a.clone().into_owned()).convert_to_string()?;
            let y = Scalar::plain(b.clone().into_owned()).convert_to_string()?;
            Some(ordinal(&x, &y))
        }
        TokenType::Boolean => match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
            _ => None,
        },
        TokenType::Date => Some(date_ticks(a)?.cmp(&date_ticks(b)?)),
        TokenType::Guid => match (a, b) {
            (Value::Guid(x), Value::Guid(y)) => Some(x.cmp(y)),
            _ => None,
        },
        TokenType::TimeSpan => match (a, b) {
            (Value::TimeSpan(x), Value::TimeSpan(y)) => Some(x.cmp(y)),
            _ => None,
        },
        TokenType::Bytes => {
            let (x, y) = (Array::to_bytes(a)?, Array::to_bytes(b)?);
            Some(x.len().cmp(&y.len()).then_with(|| x.cmp(&y)))
        }
        _ => None,
    }
}

/// `string.CompareOrdinal` (UTF-16 code unit order).
fn ordinal(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A date's instant for comparison (a `DateTimeOffset` by its UTC time).
fn date_ticks(v: &Value<'_>) -> Option<i64> {
    match v {
        Value::DateTime(d) => Some(d.ticks),
        Value::DateTimeOffset(d) => Some(d.utc.ticks),
        _ => None,
    }
}

/// Numbers: integers exactly, decimals as decimals, otherwise as doubles.
fn compare_numbers(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_integer(), b.as_integer()) {
        return Some(x.cmp(&y));
    }
    if matches!(a, Value::Decimal(_)) || matches!(b, Value::Decimal(_)) {
        if let (Some(x), Some(y)) = (to_decimal(a), to_decimal(b)) {
            return Some(x.cmp(&y));
        }
    }
    let (x, y) = (number_f64(a)?, number_f64(b)?);
    // .NET's double.CompareTo: NaN is less than everything, equal to itself.
    Some(match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => x.partial_cmp(&y)?,
    })
}

fn number_f64(v: &Value<'_>) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Str(s) => s.trim().parse().ok(),
        v => v.as_f64(),
    }
}

fn to_decimal(v: &Value<'_>) -> Option<Decimal> {
    use rust_decimal::prelude::FromPrimitive;
    match v {
        Value::Decimal(d) => Some(*d),
        Value::Double(f) => Decimal::from_f64(*f),
        Value::Float(f) => Decimal::from_f32(*f),
        v => v.as_integer().map(Decimal::from),
    }
}

/// An `ArgumentException` "Could not determine JSON object type for type X.".
pub fn unknown_type(v: &Value<'_>) -> EvalError {
    let name = match crate::library::type_of(v) {
        Some(d) => d.full_name(),
        None => v.type_name().to_owned(),
    };
    EvalError::argument(format!("Could not determine JSON object type for type {name}."))
}

/// `new JValue(x)`, or the `ArgumentException` Newtonsoft throws.
pub fn scalar_of(v: &Value<'_>) -> EvalResult<Scalar> {
    Scalar::from_value(v).ok_or_else(|| unknown_type(v))
}
