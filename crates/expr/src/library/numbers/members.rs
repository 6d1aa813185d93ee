//! Members of numeric and `bool` values and the statics of their types
//! (`int.Parse`, `double.IsNaN`, `decimal.Round`, `int.MaxValue`…).
//! `K` in the generic entry points is the index of the type in
//! [`super::num::ALL`] (one function pointer per TypeDef).
//!
//! `Equals`/`CompareTo` follow C#'s overload resolution: `5L.Equals(5)` is
//! true (the int converts to long), `5.Equals(5L)` false (boxed long is
//! not an int); `double.NaN.Equals(double.NaN)` is true.

use std::cmp::Ordering;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::cast::{compare_scalars, implicit_ok, scalar_to};
use super::math::{divide_by_zero, typed};
use super::num::{Num, Scalar};
use super::parse::{default_styles, parse_bool, parse_number};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

/// A property of a number or bool (`Nullable<T>`'s `HasValue`/`Value` on a
/// non-null value, `decimal.Scale`).
pub fn get<'a>(v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(match (v, name) {
        (_, "HasValue") => Value::Bool(true),
        (_, "Value") => v.clone(),
        (Value::Decimal(d), "Scale") => Value::Byte(d.scale() as u8),
        _ => return None,
    }))
}

/// A method of a number or bool.
pub fn call<'a>(v: &Value<'a>, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    let text = |f: &str| super::format(v, f).map(Value::string);
    Some(match (name, args) {
        ("GetValueOrDefault", [] | [_]) => Ok(v.clone()),
        ("ToString", []) | ("ToString", [Value::Null | Value::Obj(_)]) => text(""),
        ("ToString", [Value::Str(f)]) | ("ToString", [Value::Str(f), _]) => text(f),
        ("ToString", [Value::Null, _]) => text(""),
        ("CompareTo", [o]) => compare_to(v, o).map(Value::Int),
        ("Equals", [o]) => Ok(Value::Bool(equals(v, o))),
        ("GetHashCode", []) => Ok(Value::Int(hash_code(v))),
        _ => return None,
    })
}

/// Whether `o` converts implicitly to `v`'s type (C#'s choice between
/// `Equals(T)` and `Equals(object)`).
fn same_type(v: &Value<'_>, o: &Value<'_>) -> bool {
    match (v, o) {
        (Value::Bool(_), Value::Bool(_)) => true,
        (v, Value::Char(_)) => Num::of(v).is_some_and(|k| implicit_ok(None, k)),
        (v, o) => match (Num::of(v), Num::of(o)) {
            (Some(k), Some(n)) => implicit_ok(Some(n), k),
            _ => false,
        },
    }
}

fn ordering(v: &Value<'_>, o: &Value<'_>) -> Ordering {
    if let (Value::Bool(a), Value::Bool(b)) = (v, o) {
        return a.cmp(b);
    }
    match (Scalar::of(v), Scalar::of(o)) {
        (Some(a), Some(b)) => compare_scalars(a, b).unwrap_or_else(|| {
            // NaN sorts first and equals itself.
            let nan = |s: Scalar| matches!(s, Scalar::F(x, _) if x.is_nan());
            nan(b).cmp(&nan(a))
        }),
        _ => Ordering::Equal,
    }
}

fn compare_to(v: &Value<'_>, o: &Value<'_>) -> EvalResult<i32> {
    if o.is_null() {
        return Ok(1);
    }
    if !same_type(v, o) {
        return Err(EvalError::argument(format!(
            "Object must be of type {}.",
            crate::library::type_of(v).map_or("Object", |d| d.name)
        )));
    }
    Ok(ordering(v, o) as i32)
}

fn equals(v: &Value<'_>, o: &Value<'_>) -> bool {
    same_type(v, o) && ordering(v, o) == Ordering::Equal
}

/// .NET's `GetHashCode()` of the value types.
pub fn hash_code(v: &Value<'_>) -> i32 {
    let fold = |x: u64| (x as u32 ^ (x >> 32) as u32) as i32;
    match *v {
        Value::Bool(b) => i32::from(b),
        Value::SByte(x) => i32::from(x) ^ (i32::from(x) << 8),
        Value::Byte(x) => i32::from(x),
        Value::Short(x) => i32::from(x as u16) | (i32::from(x) << 16),
        Value::UShort(x) => i32::from(x),
        Value::Int(x) => x,
        Value::UInt(x) => x as i32,
        Value::Long(x) => fold(x as u64),
        Value::ULong(x) => fold(x),
        Value::Float(x) => {
            let x = if x == 0.0 || x.is_nan() { x.abs() } else { x };
            x.to_bits() as i32
        }
        Value::Double(x) => {
            let x = if x == 0.0 || x.is_nan() { x.abs() } else { x };
            fold(x.to_bits())
        }
        Value::Decimal(d) => hash_code(&Value::Double(d.to_f64().unwrap_or(0.0))),
        _ => crate::library::hash(v) as i32,
    }
}

fn str_arg<'v>(args: &'v [Value<'_>], i: usize) -> EvalResult<Option<&'v str>> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(Value::Null) | None => Ok(None),
        Some(v) => Err(EvalError::argument(format!("expected a string, got {}", v.type_name()))),
    }
}

/// `NumberStyles` given as an enum value or an integer.
fn styles_arg(v: Option<&Value<'_>>) -> Option<u32> {
    match v? {
        Value::Enum(_, x) => u32::try_from(*x).ok(),
        v => v.as_integer().and_then(|i| u32::try_from(i).ok()),
    }
}

fn null_arg(name: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentNull,
        format!("Value cannot be null. (Parameter '{name}')"),
    )
}

/// `Parse(s[, styles][, provider])`.
fn parse<'a>(k: Num, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let s = str_arg(args, 0)?.ok_or_else(|| null_arg("s"))?;
    let styles = styles_arg(args.get(1)).unwrap_or_else(|| default_styles(k));
    parse_number(s, k, styles)
}

/// `TryParse(s[, styles, provider], out result)`: the out argument is last.
fn try_parse<'a>(rt: &mut dyn Runtime<'a>, k: Num, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let out = args.len().saturating_sub(1);
    let inputs = args.get(..out).unwrap_or(&[]);
    let parsed = match str_arg(inputs, 0)? {
        Some(s) => {
            let styles = styles_arg(inputs.get(1)).unwrap_or_else(|| default_styles(k));
            parse_number(s, k, styles).ok()
        }
        None => None,
    };
    let ok = parsed.is_some();
    rt.set_out(out, parsed.unwrap_or_else(|| k.wrap(0)))?;
    Ok(Value::Bool(ok))
}

fn f(args: &[Value<'_>], i: usize) -> EvalResult<f64> {
    args.get(i)
        .and_then(Value::as_f64)
        .ok_or_else(|| EvalError::argument("expected a number"))
}

fn int_arg(args: &[Value<'_>], i: usize, k: Num) -> EvalResult<i128> {
    let s = args
        .get(i)
        .and_then(Scalar::of)
        .ok_or_else(|| EvalError::argument("expected a number"))?;
    match scalar_to(s, k, false)?.as_integer() {
        Some(i) => Ok(i),
        None => Err(EvalError::argument("expected an integer")),
    }
}

fn dec_arg(args: &[Value<'_>], i: usize) -> EvalResult<Decimal> {
    let s = args
        .get(i)
        .and_then(Scalar::of)
        .ok_or_else(|| EvalError::argument("expected a number"))?;
    match scalar_to(s, Num::Decimal, false)? {
        Value::Decimal(d) => Ok(d),
        _ => Err(EvalError::argument("expected a decimal")),
    }
}

/// Static properties of the numeric types.
pub fn get_static<'a, const K: u8>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let k = Num::from_index(K);
    let real = |x: f64| {
        if k == Num::Float {
            Value::Float(x as f32)
        } else {
            Value::Double(x)
        }
    };
    Some(Ok(match (name, k) {
        ("MaxValue", k) => k.max_value(),
        ("MinValue", k) => k.min_value(),
        ("NaN", Num::Float | Num::Double) => real(f64::NAN),
        ("PositiveInfinity", Num::Float | Num::Double) => real(f64::INFINITY),
        ("NegativeInfinity", Num::Float | Num::Double) => real(f64::NEG_INFINITY),
        ("NegativeZero", Num::Float | Num::Double) => real(-0.0),
        ("Epsilon", Num::Float) => Value::Float(f32::from_bits(1)),
        ("Epsilon", Num::Double) => Value::Double(f64::from_bits(1)),
        ("E", Num::Float | Num::Double) => real(std::f64::consts::E),
        ("Pi", Num::Float | Num::Double) => real(std::f64::consts::PI),
        ("Tau", Num::Float | Num::Double) => real(std::f64::consts::TAU),
        ("One", Num::Decimal) => Value::Decimal(Decimal::ONE),
        ("Zero", Num::Decimal) => Value::Decimal(Decimal::ZERO),
        ("MinusOne", Num::Decimal) => Value::Decimal(Decimal::NEGATIVE_ONE),
        _ => return None,
    }))
}

/// Static methods of the numeric types.
pub fn call_static<'a, const K: u8>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let k = Num::from_index(K);
    let b = |r: EvalResult<bool>| r.map(Value::Bool);
    Some(match (name, k) {
        ("Parse", k) => parse(k, args),
        ("TryParse", k) => try_parse(rt, k, args),
        ("Equals", _) if args.len() == 2 => Ok(Value::Bool(crate::library::equals(&args[0], &args[1]))),
        ("Abs" | "Max" | "Min" | "Clamp" | "Sign", k) => typed(name, k, args),
        ("Round" | "Floor" | "Ceiling" | "Truncate", Num::Float | Num::Double | Num::Decimal) => typed(name, k, args),
        ("IsNaN", _) => b(f(args, 0).map(f64::is_nan)),
        ("IsInfinity", _) => b(f(args, 0).map(f64::is_infinite)),
        ("IsPositiveInfinity", _) => b(f(args, 0).map(|x| x == f64::INFINITY)),
        ("IsNegativeInfinity", _) => b(f(args, 0).map(|x| x == f64::NEG_INFINITY)),
        ("IsFinite", _) => b(f(args, 0).map(f64::is_finite)),
        ("IsNormal", Num::Float) => b(f(args, 0).map(|x| (x as f32).is_normal())),
        ("IsNormal", _) => b(f(args, 0).map(f64::is_normal)),
        ("IsSubnormal", Num::Float) => b(f(args, 0).map(|x| (x as f32).is_subnormal())),
        ("IsSubnormal", _) => b(f(args, 0).map(f64::is_subnormal)),
        ("IsInteger", Num::Decimal) => b(dec_arg(args, 0).map(|d| d.fract().is_zero())),
        ("IsInteger", _) => b(f(args, 0).map(|x| x.is_finite() && x.fract() == 0.0)),
        ("IsNegative", Num::Decimal) => b(dec_arg(args, 0).map(|d| d.is_sign_negative())),
        ("IsPositive", Num::Decimal) => b(dec_arg(args, 0).map(|d| d.is_sign_positive())),
        ("IsNegative", Num::Float | Num::Double) => b(f(args, 0).map(f64::is_sign_negative)),
        ("IsPositive", Num::Float | Num::Double) => b(f(args, 0).map(f64::is_sign_positive)),
        ("IsEvenInteger" | "IsOddInteger", Num::Float | Num::Double) => b(
            f(args, 0).map(|x| x.is_finite() && x.fract() == 0.0 && ((x % 2.0 == 0.0) == (name == "IsEvenInteger")))
        ),
        ("IsEvenInteger" | "IsOddInteger", Num::Decimal) => b(dec_arg(args, 0)
            .map(|d| d.fract().is_zero() && ((d % Decimal::TWO).is_zero() == (name == "IsEvenInteger")))),
        ("Sqrt", Num::Float | Num::Double) => f(args, 0).and_then(|x| scalar_to(Scalar::F(x.sqrt(), false), k, false)),
        ("Pow", Num::Float | Num::Double) => (|| {
            let r = f(args, 0)?.powf(f(args, 1)?);
            scalar_to(Scalar::F(r, false), k, false)
        })(),
        (_, Num::Decimal) => return decimal_static(name, args),
        (_, k) if k.is_integral() => return integral_static(rt, name, k, args),
        _ => return None,
    })
}

fn decimal_static<'a>(name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    let overflow = || Num::Decimal.overflow();
    let two = || -> EvalResult<(Decimal, Decimal)> { Ok((dec_arg(args, 0)?, dec_arg(args, 1)?)) };
    Some(match name {
        "Add" => two().and_then(|(a, b)| a.checked_add(b).ok_or_else(overflow).map(Value::Decimal)),
        "Subtract" => two().and_then(|(a, b)| a.checked_sub(b).ok_or_else(overflow).map(Value::Decimal)),
        "Multiply" => two().and_then(|(a, b)| a.checked_mul(b).ok_or_else(overflow).map(Value::Decimal)),
        "Divide" | "Remainder" => two().and_then(|(a, b)| {
            if b.is_zero() {
                return Err(divide_by_zero());
            }
            let r = if name == "Divide" {
                a.checked_div(b)
            } else {
                a.checked_rem(b)
            };
            r.ok_or_else(overflow).map(Value::Decimal)
        }),
        "Negate" => dec_arg(args, 0).map(|d| Value::Decimal(-d)),
        "Compare" => two().map(|(a, b)| Value::Int(a.cmp(&b) as i32)),
        "ToDouble" => dec_arg(args, 0).map(|d| Value::Double(d.to_f64().unwrap_or(0.0))),
        "ToSingle" => dec_arg(args, 0).map(|d| Value::Float(d.to_f32().unwrap_or(0.0))),
        "ToInt16" | "ToInt32" | "ToInt64" | "ToUInt16" | "ToUInt32" | "ToUInt64" | "ToByte" | "ToSByte" => {
            let k = match name {
                "ToInt16" => Num::Short,
                "ToInt32" => Num::Int,
                "ToInt64" => Num::Long,
                "ToUInt16" => Num::UShort,
                "ToUInt32" => Num::UInt,
                "ToUInt64" => Num::ULong,
                "ToByte" => Num::Byte,
                _ => Num::SByte,
            };
            dec_arg(args, 0).and_then(|d| scalar_to(Scalar::Dec(d), k, true))
        }
        _ => return None,
    })
}

fn integral_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    k: Num,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let bits = k.bits();
    let mask: u128 = (1u128 << bits) - 1;
    let unsigned = |i: i128| (i as u128) & mask;
    let one = || int_arg(args, 0, k);
    Some(match name {
        "IsNegative" => one().map(|i| Value::Bool(i < 0)),
        "IsPositive" => one().map(|i| Value::Bool(i >= 0)),
        "IsEvenInteger" => one().map(|i| Value::Bool(i % 2 == 0)),
        "IsOddInteger" => one().map(|i| Value::Bool(i % 2 != 0)),
        "IsPow2" => one().map(|i| Value::Bool(i > 0 && (i & (i - 1)) == 0)),
        "PopCount" => one().map(|i| k.wrap(i128::from(unsigned(i).count_ones()))),
        "LeadingZeroCount" => one().map(|i| k.wrap(i128::from(unsigned(i).leading_zeros() - (128 - bits)))),
        "TrailingZeroCount" => one().map(|i| k.wrap(i128::from(unsigned(i).trailing_zeros().min(bits)))),
        "Log2" => one().and_then(|i| {
            if i < 0 {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Value must be positive. (Parameter 'value')",
                ));
            }
            Ok(k.wrap(if i == 0 {
                0
            } else {
                i128::from(127 - (i as u128).leading_zeros())
            }))
        }),
        "RotateLeft" | "RotateRight" => (|| {
            let (v, n) = (
                unsigned(one()?),
                args.get(1).map_or(Ok(0), |a| a.to_i32("rotateAmount"))?,
            );
            let n = (n.rem_euclid(bits as i32)) as u32;
            let n = if name == "RotateLeft" { n } else { (bits - n) % bits };
            let r = if n == 0 {
                v
            } else {
                ((v << n) | (v >> (bits - n))) & mask
            };
            Ok(k.wrap(r as i128))
        })(),
        "DivRem" if args.len() == 3 => (|| {
            let (a, d) = (one()?, int_arg(args, 1, k)?);
            if d == 0 {
                return Err(divide_by_zero());
            }
            rt.set_out(2, k.wrap(a % d))?;
            k.int(a / d).ok_or_else(super::num::arithmetic_overflow)
        })(),
        _ => return None,
    })
}

/// `bool.TrueString`, `bool.FalseString`.
pub fn bool_get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(match name {
        "TrueString" => Value::str("True"),
        "FalseString" => Value::str("False"),
        _ => return None,
    }))
}

/// `bool.Parse`, `bool.TryParse`, `bool.Equals`.
pub fn bool_call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("Parse", [v]) => (|| {
            let s = str_arg(args, 0)?.ok_or_else(|| null_arg("value"))?;
            let _ = v;
            parse_bool(s).map(Value::Bool)
        })(),
        ("TryParse", [_, _]) => (|| {
            let r = str_arg(args, 0)?.and_then(|s| parse_bool(s).ok());
            rt.set_out(1, Value::Bool(r.unwrap_or(false)))?;
            Ok(Value::Bool(r.is_some()))
        })(),
        ("Equals", [a, b]) => Ok(Value::Bool(crate::library::equals(a, b))),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    #[test]
    fn instance_members() {
        let c = |v: Value<'static>, n: &str, a: &[Value<'static>]| call(&v, n, a).unwrap();
        assert_eq!(c(Value::Long(5), "Equals", &[Value::Int(5)]), Ok(Value::Bool(true)));
        assert_eq!(c(Value::Int(5), "Equals", &[Value::Long(5)]), Ok(Value::Bool(false)));
        assert_eq!(
            c(Value::Double(f64::NAN), "Equals", &[Value::Double(f64::NAN)]),
            Ok(Value::Bool(true))
        );
        assert_eq!(c(Value::Int(3), "CompareTo", &[Value::Int(5)]), Ok(Value::Int(-1)));
        assert_eq!(
            c(Value::Double(f64::NAN), "CompareTo", &[Value::Double(1.0)]),
            Ok(Value::Int(-1))
        );
        assert_eq!(c(Value::Int(3), "CompareTo", &[Value::Null]), Ok(Value::Int(1)));
        assert!(c(Value::Int(3), "CompareTo", &[Value::Long(1)]).is_err());
        assert_eq!(
            c(Value::Int(255), "ToString", &[Value::str("X2")]),
            Ok(Value::str("FF"))
        );
        assert_eq!(c(Value::Bool(true), "ToString", &[]), Ok(Value::str("True")));
        assert_eq!(c(Value::Int(-7), "GetHashCode", &[]), Ok(Value::Int(-7)));
        assert_eq!(get(&Value::Int(1), "HasValue").unwrap(), Ok(Value::Bool(true)));
    }

    #[test]
    fn statics() {
        let mut rt = TestRt::new();
        let r = call_static::<4>(&mut rt, "Parse", &[], &[Value::str("42")]).unwrap();
        assert_eq!(r, Ok(Value::Int(42)));
        let r = call_static::<4>(&mut rt, "TryParse", &[], &[Value::str("x"), Value::Null]).unwrap();
        assert_eq!(r, Ok(Value::Bool(false)));
        assert_eq!(rt.outs, vec![(1, Value::Int(0))]);
        let r = call_static::<9>(&mut rt, "IsNaN", &[], &[Value::Double(f64::NAN)]).unwrap();
        assert_eq!(r, Ok(Value::Bool(true)));
        let r = call_static::<4>(&mut rt, "Parse", &[], &[Value::Null]).unwrap();
        assert_eq!(r.unwrap_err().kind, EvalErrorKind::ArgumentNull);
        let r = call_static::<10>(&mut rt, "Divide", &[], &[Value::Int(1), Value::Int(0)]).unwrap();
        assert_eq!(r.unwrap_err().kind, EvalErrorKind::DivideByZero);
        let r = call_static::<4>(&mut rt, "RotateLeft", &[], &[Value::Int(1), Value::Int(31)]).unwrap();
        assert_eq!(r, Ok(Value::Int(i32::MIN)));
        let r = call_static::<1>(&mut rt, "LeadingZeroCount", &[], &[Value::Byte(1)]).unwrap();
        assert_eq!(r, Ok(Value::Byte(7)));
        assert_eq!(get_static::<4>(&mut rt, "MaxValue").unwrap(), Ok(Value::Int(i32::MAX)));
        let r = bool_call_static(&mut rt, "Parse", &[], &[Value::str("true")]).unwrap();
        assert_eq!(r, Ok(Value::Bool(true)));
    }
}
