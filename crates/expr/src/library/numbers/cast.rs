//! C#'s numeric, char and enum conversions (implicit and explicit, checked
//! and unchecked) and exact comparison across numeric types.
//!
//! Choices where .NET leaves room (documented in docs/expressions.md):
//! - `double`/`float` → integral in unchecked code saturates, NaN gives 0
//!   (.NET 9+'s behaviour on x64; earlier runtimes gave the "integer
//!   indefinite" value); in checked code NaN and out-of-range values throw
//!   `OverflowException`;
//! - `decimal` → integral truncates and always checks (C# calls
//!   `decimal.op_Explicit`, which throws even in unchecked code);
//!   `double` → `decimal` keeps 15 significant digits (`float`: 7) and
//!   throws `OverflowException` for NaN, infinities and |x| ≥ 7.9E+28;
//! - an implicit conversion the C# compiler would refuse for a variable but
//!   accept for a constant (`byte b = 5;`) succeeds when the value fits:
//!   the evaluator cannot tell constants apart, the checker can.

use std::cmp::Ordering;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

use super::fmt::NumBuf;
use super::num::{Num, Scalar};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::text::CHAR;
use crate::types::{TypeDef, TypeKind};
use crate::value::Value;

/// Whether C# converts `from` to `to` implicitly (`None` = char).
pub fn implicit_ok(from: Option<Num>, to: Num) -> bool {
    use Num::*;
    match from {
        None => matches!(to, UShort | Int | UInt | Long | ULong | Float | Double | Decimal),
        Some(from) if from == to => true,
        Some(SByte) => matches!(to, Short | Int | Long | Float | Double | Decimal),
        Some(Byte) => matches!(
            to,
            Short | UShort | Int | UInt | Long | ULong | Float | Double | Decimal
        ),
        Some(Short) => matches!(to, Int | Long | Float | Double | Decimal),
        Some(UShort) => matches!(to, Int | UInt | Long | ULong | Float | Double | Decimal),
        Some(Int) => matches!(to, Long | Float | Double | Decimal),
        Some(UInt) => matches!(to, Long | ULong | Float | Double | Decimal),
        Some(Long | ULong) => matches!(to, Float | Double | Decimal),
        Some(Float) => to == Double,
        Some(Double | Decimal) => false,
    }
}

fn implicit_error(v: &Value<'_>, to: &TypeDef) -> EvalError {
    EvalError::cast(v.type_name(), to.aliases.first().copied().unwrap_or(to.name))
}

/// See [`super::convert`].
pub fn convert<'a>(
    v: &Value<'a>,
    to: &'static TypeDef,
    explicit: bool,
    checked: bool,
) -> Option<EvalResult<Value<'a>>> {
    if let Some(k) = Num::from_def(to) {
        let s = match v {
            Value::Enum(..) if !explicit => return Some(Err(implicit_error(v, to))),
            Value::Enum(_, x) => Scalar::Int(i128::from(*x)),
            Value::Bool(_) => return Some(Err(implicit_error(v, to))),
            v => Scalar::of(v)?,
        };
        if !explicit && !implicit_ok(Num::of(v), k) {
            // A constant's conversion (`byte b = 5;`) when it fits.
            return Some(match (s, k.is_integral()) {
                (Scalar::Int(i), true) if !matches!(v, Value::Char(_)) => k.int(i).ok_or_else(|| implicit_error(v, to)),
                _ => Err(implicit_error(v, to)),
            });
        }
        return Some(scalar_to(s, k, checked));
    }
    if to.is(&CHAR) {
        let s = match v {
            Value::Char(c) => return Some(Ok(Value::Char(*c))),
            Value::Enum(_, x) if explicit => Scalar::Int(i128::from(*x)),
            v => Scalar::of(v)?,
        };
        if !explicit {
            return Some(Err(implicit_error(v, to)));
        }
        return Some(scalar_to(s, Num::UShort, checked).and_then(|u| match u {
            Value::UShort(u) => char_from(u32::from(u)),
            _ => Err(implicit_error(v, to)),
        }));
    }
    if to.kind == TypeKind::Enum {
        return match v {
            Value::Enum(d, x) if d.is(to) => Some(Ok(Value::Enum(to, *x))),
            Value::Enum(_, x) if explicit => Some(Ok(Value::Enum(to, *x))),
            v => {
                let s = Scalar::of(v)?;
                if !explicit {
                    // Only the constant 0 converts implicitly to an enum.
                    return Some(match s {
                        Scalar::Int(0) => Ok(Value::Enum(to, 0)),
                        _ => Err(implicit_error(v, to)),
                    });
                }
                Some(scalar_to(s, Num::Long, checked).map(|l| match l {
                    Value::Long(x) => Value::Enum(to, x),
                    _ => Value::Enum(to, 0),
                }))
            }
        };
    }
    None
}

/// A char from a UTF-16 code unit (lone surrogates cannot be a Rust char).
pub fn char_from(u: u32) -> EvalResult<Value<'static>> {
    char::from_u32(u).map(Value::Char).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::NotSupported,
            format!("Outpost cannot represent the lone surrogate char \\u{u:04X}"),
        )
    })
}

/// An exact scalar as numeric type `k` (an explicit conversion).
pub fn scalar_to(s: Scalar, k: Num, checked: bool) -> EvalResult<Value<'static>> {
    match (s, k) {
        (Scalar::Int(i), k) if k.is_integral() => match k.int(i) {
            Some(v) => Ok(v),
            None if checked => Err(super::num::arithmetic_overflow()),
            None => Ok(k.wrap(i)),
        },
        (Scalar::Int(i), Num::Float) => Ok(Value::Float(i as f32)),
        (Scalar::Int(i), Num::Double) => Ok(Value::Double(i as f64)),
        (Scalar::Int(i), _) => Ok(Value::Decimal(Decimal::from_i128_with_scale(i, 0))),
        (Scalar::F(x, _), k) if k.is_integral() => {
            let t = x.trunc();
            let (lo, hi) = k.range();
            if x.is_nan() || t < lo as f64 || t > hi as f64 {
                if checked {
                    return Err(super::num::arithmetic_overflow());
                }
                let sat = if x.is_nan() {
                    0
                } else if t < lo as f64 {
                    lo
                } else {
                    hi
                };
                return Ok(k.wrap(sat));
            }
            Ok(k.wrap(t as i128))
        }
        (Scalar::F(x, _), Num::Float) => Ok(Value::Float(x as f32)),
        (Scalar::F(x, _), Num::Double) => Ok(Value::Double(x)),
        (Scalar::F(x, single), _) => float_to_decimal(x, single).map(Value::Decimal),
        (Scalar::Dec(d), k) if k.is_integral() => {
            let t = d.trunc();
            t.to_i128().and_then(|i| k.int(i)).ok_or_else(|| k.overflow())
        }
        (Scalar::Dec(d), Num::Float) => Ok(Value::Float(d.to_f32().unwrap_or(0.0))),
        (Scalar::Dec(d), Num::Double) => Ok(Value::Double(d.to_f64().unwrap_or(0.0))),
        (Scalar::Dec(d), _) => Ok(Value::Decimal(d)),
    }
}

/// `new decimal(double)`: 15 significant digits (7 for a float).
pub fn float_to_decimal(x: f64, single: bool) -> EvalResult<Decimal> {
    if !x.is_finite() || x.abs() >= 7.922_816_251_426_434e28 {
        return Err(Num::Decimal.overflow());
    }
    if x == 0.0 {
        return Ok(Decimal::ZERO);
    }
    let n = NumBuf::significant(x, single, if single { 7 } else { 15 });
    let digits = std::str::from_utf8(&n.digits).unwrap_or("0");
    let mantissa: i128 = digits.parse().unwrap_or(0);
    let mantissa = if x < 0.0 { -mantissa } else { mantissa };
    let exp = n.scale - n.digits.len() as i32;
    if exp >= 0 {
        let m = Decimal::from_i128_with_scale(mantissa, 0);
        let p = Decimal::from_i128_with_scale(10i128.pow(exp as u32), 0);
        return m.checked_mul(p).ok_or_else(|| Num::Decimal.overflow());
    }
    let scale = (-exp) as u32;
    if scale <= 28 {
        return Ok(Decimal::from_i128_with_scale(mantissa, scale));
    }
    // Below 1E-28 the digits past the 28th decimal are rounded off.
    let drop = scale - 28;
    if drop > 38 {
        return Ok(Decimal::ZERO);
    }
    let p = 10i128.pow(drop);
    let q = mantissa / p;
    let r = (mantissa % p).abs();
    let q = if r * 2 >= p { q + mantissa.signum() } else { q };
    Ok(Decimal::from_i128_with_scale(q, 28))
}

/// Orders two numeric (or char) values by their exact values; `None` when
/// one is NaN or a value is not numeric.
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    compare_scalars(Scalar::of(a)?, Scalar::of(b)?)
}

pub fn compare_scalars(a: Scalar, b: Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(&y)),
        (Scalar::Dec(x), Scalar::Dec(y)) => Some(x.cmp(&y)),
        (Scalar::Int(x), Scalar::Dec(y)) => Some(Decimal::from_i128_with_scale(x, 0).cmp(&y)),
        (Scalar::Dec(_), Scalar::Int(_)) => compare_scalars(b, a).map(Ordering::reverse),
        (Scalar::F(x, _), Scalar::F(y, _)) => x.partial_cmp(&y),
        (Scalar::F(x, _), Scalar::Int(i)) => float_cmp_int(x, i),
        (Scalar::Int(_), Scalar::F(..)) => compare_scalars(b, a).map(Ordering::reverse),
        (Scalar::F(x, _), Scalar::Dec(d)) => {
            if x.is_nan() {
                None
            } else if x.abs() >= 1e29 {
                Some(if x > 0.0 { Ordering::Greater } else { Ordering::Less })
            } else {
                Some(Decimal::from_f64_retain(x).unwrap_or(Decimal::ZERO).cmp(&d))
            }
        }
        (Scalar::Dec(_), Scalar::F(..)) => compare_scalars(b, a).map(Ordering::reverse),
    }
}

fn float_cmp_int(x: f64, i: i128) -> Option<Ordering> {
    if x.is_nan() {
        return None;
    }
    const LIMIT: f64 = 1.7e38;
    if x >= LIMIT {
        return Some(Ordering::Greater);
    }
    if x <= -LIMIT {
        return Some(Ordering::Less);
    }
    let t = x.trunc();
    Some(match (t as i128).cmp(&i) {
        Ordering::Equal => x.partial_cmp(&t).unwrap_or(Ordering::Equal),
        o => o,
    })
}

/// `Decimal` from an `i128` that fits, for callers with exact integers.
pub fn decimal_of(i: i128) -> Option<Decimal> {
    Decimal::from_i128(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::numbers::defs::{BYTE, DECIMAL, DOUBLE, INT32, INT64, SINGLE, UINT32};
    use crate::library::numbers::math::MIDPOINT_ROUNDING;

    fn cv(
        v: Value<'static>,
        to: &'static TypeDef,
        explicit: bool,
        checked: bool,
    ) -> Result<Value<'static>, EvalErrorKind> {
        convert(&v, to, explicit, checked).unwrap().map_err(|e| e.kind)
    }

    #[test]
    fn implicit() {
        assert_eq!(cv(Value::Int(5), &INT64, false, false), Ok(Value::Long(5)));
        assert_eq!(cv(Value::Int(5), &DOUBLE, false, false), Ok(Value::Double(5.0)));
        assert_eq!(cv(Value::Char('A'), &INT32, false, false), Ok(Value::Int(65)));
        assert_eq!(cv(Value::Float(0.5), &DOUBLE, false, false), Ok(Value::Double(0.5)));
        // A constant that fits (`byte b = 5;`), one that does not.
        assert_eq!(cv(Value::Int(5), &BYTE, false, false), Ok(Value::Byte(5)));
        assert_eq!(
            cv(Value::Int(300), &BYTE, false, false),
            Err(EvalErrorKind::InvalidCast)
        );
        assert_eq!(
            cv(Value::Double(1.5), &INT32, false, false),
            Err(EvalErrorKind::InvalidCast)
        );
        assert_eq!(
            cv(Value::Double(1.5), &DECIMAL, false, false),
            Err(EvalErrorKind::InvalidCast)
        );
        assert_eq!(
            cv(Value::Int(0), &MIDPOINT_ROUNDING, false, false),
            Ok(Value::Enum(&MIDPOINT_ROUNDING, 0))
        );
        assert_eq!(
            cv(Value::Int(1), &MIDPOINT_ROUNDING, false, false),
            Err(EvalErrorKind::InvalidCast)
        );
        assert!(convert(&Value::str("1"), &INT32, true, false).is_none());
    }

    #[test]
    fn explicit() {
        assert_eq!(cv(Value::Int(300), &BYTE, true, false), Ok(Value::Byte(44)));
        assert_eq!(cv(Value::Int(300), &BYTE, true, true), Err(EvalErrorKind::Overflow));
        assert_eq!(cv(Value::Int(-1), &UINT32, true, false), Ok(Value::UInt(u32::MAX)));
        assert_eq!(cv(Value::Double(-3.99), &INT32, true, false), Ok(Value::Int(-3)));
        assert_eq!(cv(Value::Double(f64::NAN), &INT32, true, false), Ok(Value::Int(0)));
        assert_eq!(cv(Value::Double(1e10), &INT32, true, false), Ok(Value::Int(i32::MAX)));
        assert_eq!(
            cv(Value::Double(1e10), &INT32, true, true),
            Err(EvalErrorKind::Overflow)
        );
        assert_eq!(
            cv(Value::Double(0.1), &DECIMAL, true, false),
            Ok(Value::Decimal(Decimal::new(1, 1)))
        );
        assert_eq!(
            cv(Value::Double(1.0 / 3.0), &DECIMAL, true, false),
            Ok(Value::Decimal(Decimal::new(333_333_333_333_333, 15)))
        );
        assert_eq!(
            cv(Value::Double(1e30), &DECIMAL, true, false),
            Err(EvalErrorKind::Overflow)
        );
        assert_eq!(
            cv(Value::Double(1e-30), &DECIMAL, true, false),
            Ok(Value::Decimal(Decimal::ZERO))
        );
        assert_eq!(
            cv(Value::Decimal(Decimal::new(-19, 1)), &INT32, true, false),
            Ok(Value::Int(-1))
        );
        assert_eq!(
            cv(
                Value::Decimal(Decimal::new(1, 0) * Decimal::from(10_000_000_000i64)),
                &INT32,
                true,
                false
            ),
            Err(EvalErrorKind::Overflow)
        );
        assert_eq!(cv(Value::Double(1.5), &SINGLE, true, false), Ok(Value::Float(1.5)));
        assert_eq!(cv(Value::Int(66), &CHAR, true, false), Ok(Value::Char('B')));
        assert_eq!(
            cv(Value::Int(0xD800), &CHAR, true, false),
            Err(EvalErrorKind::NotSupported)
        );
        assert_eq!(
            cv(Value::Enum(&MIDPOINT_ROUNDING, 1), &INT32, true, false),
            Ok(Value::Int(1))
        );
        assert_eq!(
            cv(Value::Int(2), &MIDPOINT_ROUNDING, true, false),
            Ok(Value::Enum(&MIDPOINT_ROUNDING, 2))
        );
        assert_eq!(
            cv(Value::Bool(true), &INT32, true, false),
            Err(EvalErrorKind::InvalidCast)
        );
    }

    #[test]
    fn comparisons() {
        use std::cmp::Ordering::*;
        assert_eq!(compare(&Value::Int(1), &Value::Double(1.0)), Some(Equal));
        assert_eq!(compare(&Value::Int(1), &Value::Double(1.5)), Some(Less));
        assert_eq!(
            compare(&Value::Long(i64::MAX), &Value::Double(i64::MAX as f64)),
            Some(Less)
        );
        assert_eq!(compare(&Value::ULong(u64::MAX), &Value::Long(-1)), Some(Greater));
        assert_eq!(
            compare(&Value::Decimal(Decimal::new(15, 1)), &Value::Int(1)),
            Some(Greater)
        );
        assert_eq!(
            compare(&Value::Double(0.5), &Value::Decimal(Decimal::new(5, 1))),
            Some(Equal)
        );
        assert_eq!(compare(&Value::Double(f64::NAN), &Value::Int(1)), None);
        assert_eq!(
            compare(&Value::Double(f64::INFINITY), &Value::Long(i64::MAX)),
            Some(Greater)
        );
    }
}
