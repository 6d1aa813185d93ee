//! The eleven numeric types as one enum ([`Num`]) and a numeric value as
//! one of three exact representations ([`Scalar`]): what conversions,
//! comparisons, parsing and `Math` share.
//!
//! Invariant: `Scalar::Int` holds any integral value (char included)
//! exactly; it never holds more than 64 bits of magnitude.

use rust_decimal::Decimal;

use super::defs::{BYTE, DECIMAL, DOUBLE, INT16, INT32, INT64, SBYTE, SINGLE, UINT16, UINT32, UINT64};
use crate::error::{EvalError, EvalErrorKind};
use crate::types::TypeDef;
use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
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
}

/// A numeric value, exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Int(i128),
    /// A `double`, or a `float` widened (`single`).
    F(f64, bool),
    Dec(Decimal),
}

impl Scalar {
    /// Any numeric or char value (`None` for others).
    pub fn of(v: &Value<'_>) -> Option<Scalar> {
        Some(match *v {
            Value::Float(f) => Scalar::F(f.into(), true),
            Value::Double(f) => Scalar::F(f, false),
            Value::Decimal(d) => Scalar::Dec(d),
            _ => Scalar::Int(v.as_integer()?),
        })
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Int(i) => i as f64,
            Scalar::F(f, _) => f,
            Scalar::Dec(d) => rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or(0.0),
        }
    }
}

pub const ALL: [Num; 11] = [
    Num::SByte,
    Num::Byte,
    Num::Short,
    Num::UShort,
    Num::Int,
    Num::UInt,
    Num::Long,
    Num::ULong,
    Num::Float,
    Num::Double,
    Num::Decimal,
];

impl Num {
    /// The kind of a numeric value (`None` for char and others).
    pub fn of(v: &Value<'_>) -> Option<Num> {
        Some(match v {
            Value::SByte(_) => Num::SByte,
            Value::Byte(_) => Num::Byte,
            Value::Short(_) => Num::Short,
            Value::UShort(_) => Num::UShort,
            Value::Int(_) => Num::Int,
            Value::UInt(_) => Num::UInt,
            Value::Long(_) => Num::Long,
            Value::ULong(_) => Num::ULong,
            Value::Float(_) => Num::Float,
            Value::Double(_) => Num::Double,
            Value::Decimal(_) => Num::Decimal,
            _ => return None,
        })
    }

    pub fn from_index(i: u8) -> Num {
        ALL.get(usize::from(i)).copied().unwrap_or(Num::Int)
    }

    pub fn def(self) -> &'static TypeDef {
        match self {
            Num::SByte => &SBYTE,
            Num::Byte => &BYTE,
            Num::Short => &INT16,
            Num::UShort => &UINT16,
            Num::Int => &INT32,
            Num::UInt => &UINT32,
            Num::Long => &INT64,
            Num::ULong => &UINT64,
            Num::Float => &SINGLE,
            Num::Double => &DOUBLE,
            Num::Decimal => &DECIMAL,
        }
    }

    pub fn from_def(d: &TypeDef) -> Option<Num> {
        ALL.into_iter().find(|k| k.def().is(d))
    }

    pub fn is_integral(self) -> bool {
        !matches!(self, Num::Float | Num::Double | Num::Decimal)
    }

    /// Width in bits of an integral type.
    pub fn bits(self) -> u32 {
        match self {
            Num::SByte | Num::Byte => 8,
            Num::Short | Num::UShort => 16,
            Num::Int | Num::UInt | Num::Float => 32,
            _ => 64,
        }
    }

    pub fn signed(self) -> bool {
        matches!(self, Num::SByte | Num::Short | Num::Int | Num::Long)
    }

    /// The range of an integral type.
    pub fn range(self) -> (i128, i128) {
        let bits = self.bits();
        if self.signed() {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        }
    }

    /// `v` as this integral type, if it fits.
    pub fn int(self, v: i128) -> Option<Value<'static>> {
        let (lo, hi) = self.range();
        (lo..=hi).contains(&v).then(|| self.wrap(v))
    }

    /// `v` truncated to this integral type's width (unchecked C#).
    pub fn wrap(self, v: i128) -> Value<'static> {
        match self {
            Num::SByte => Value::SByte(v as i8),
            Num::Byte => Value::Byte(v as u8),
            Num::Short => Value::Short(v as i16),
            Num::UShort => Value::UShort(v as u16),
            Num::Int => Value::Int(v as i32),
            Num::UInt => Value::UInt(v as u32),
            Num::Long => Value::Long(v as i64),
            Num::ULong => Value::ULong(v as u64),
            Num::Float => Value::Float(v as f32),
            Num::Double => Value::Double(v as f64),
            Num::Decimal => Value::Decimal(Decimal::try_from_i128_with_scale(v, 0).unwrap_or_default()),
        }
    }

    /// `MaxValue`.
    pub fn max_value(self) -> Value<'static> {
        match self {
            Num::Float => Value::Float(f32::MAX),
            Num::Double => Value::Double(f64::MAX),
            Num::Decimal => Value::Decimal(Decimal::MAX),
            k => k.wrap(k.range().1),
        }
    }

    /// `MinValue`.
    pub fn min_value(self) -> Value<'static> {
        match self {
            Num::Float => Value::Float(f32::MIN),
            Num::Double => Value::Double(f64::MIN),
            Num::Decimal => Value::Decimal(Decimal::MIN),
            k => k.wrap(k.range().0),
        }
    }

    /// The .NET type name (`Int32`).
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// .NET's "Value was either too large or too small for an Int32."
    pub fn overflow(self) -> EvalError {
        let name = self.name();
        let article = if matches!(self, Num::Int | Num::Short | Num::Long) {
            "an"
        } else {
            "a"
        };
        EvalError::new(
            EvalErrorKind::Overflow,
            format!("Value was either too large or too small for {article} {name}."),
        )
    }

    /// A value of this type from an exact scalar, as a C# explicit
    /// conversion would make it.
    pub fn from_scalar(self, s: Scalar, checked: bool) -> Result<Value<'static>, EvalError> {
        super::cast::scalar_to(s, self, checked)
    }
}

/// C#'s "Arithmetic operation resulted in an overflow."
pub fn arithmetic_overflow() -> EvalError {
    EvalError::new(EvalErrorKind::Overflow, "Arithmetic operation resulted in an overflow.")
}
