//! `System.Math` and `MidpointRounding`. Overloads are chosen as C# would
//! from the runtime argument types: the first of sbyte, byte, short,
//! ushort, int, uint, long, ulong, float, double, decimal that the method
//! has and every argument converts to implicitly (`Math.Max(1, 2L)` is
//! `long`, `Math.Round(2.5m)` is `decimal`).
//!
//! `Math.Round(x)` rounds half to even (`Math.Round(2.5)` is 2); with
//! digits, doubles are scaled by 10^digits, rounded and scaled back (as
//! .NET does: `Math.Round(1.005, 2)` is 1 since 1.005 × 100 is just below
//! the tie, `Math.Round(2.675, 2)` is 2.68 since 2.675 × 100 rounds to
//! 267.5 exactly).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::cast::{implicit_ok, scalar_to};
use super::num::{arithmetic_overflow, Num, Scalar};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub static MIDPOINT_ROUNDING: TypeDef = TypeDef {
    name: "MidpointRounding",
    kind: TypeKind::Enum,
    members: super::enums::ENUM_MEMBERS,
    enum_values: &[
        ("ToEven", 0),
        ("AwayFromZero", 1),
        ("ToZero", 2),
        ("ToNegativeInfinity", 3),
        ("ToPositiveInfinity", 4),
    ],
    ..TypeDef::EMPTY
};

pub static MATH: TypeDef = TypeDef {
    name: "Math",
    kind: TypeKind::Static,
    statics: &[
        m("PI", "double"),
        m("E", "double"),
        m("Tau", "double"),
        m("Abs", "?"),
        m("Max", "?"),
        m("Min", "?"),
        m("Clamp", "?"),
        m("Sign", "int"),
        m("Round", "?"),
        m("Floor", "?"),
        m("Ceiling", "?"),
        m("Truncate", "?"),
        m("Pow", "double"),
        m("Sqrt", "double"),
        m("Cbrt", "double"),
        m("Exp", "double"),
        m("Log", "double"),
        m("Log10", "double"),
        m("Log2", "double"),
        m("Sin", "double"),
        m("Cos", "double"),
        m("Tan", "double"),
        m("Asin", "double"),
        m("Acos", "double"),
        m("Atan", "double"),
        m("Atan2", "double"),
        m("Sinh", "double"),
        m("Cosh", "double"),
        m("Tanh", "double"),
        m("Asinh", "double"),
        m("Acosh", "double"),
        m("Atanh", "double"),
        m("IEEERemainder", "double"),
        m("FusedMultiplyAdd", "double"),
        m("CopySign", "double"),
        m("ScaleB", "double"),
        m("BigMul", "long"),
        m("DivRem", "?"),
    ],
    unimplemented: &[
        "BitDecrement",
        "BitIncrement",
        "ILogB",
        "MaxMagnitude",
        "MinMagnitude",
        "ReciprocalEstimate",
        "ReciprocalSqrtEstimate",
        "SinCos",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

const ALL: &[Num] = &super::num::ALL;
const SIGNED: &[Num] = &[
    Num::SByte,
    Num::Short,
    Num::Int,
    Num::Long,
    Num::Float,
    Num::Double,
    Num::Decimal,
];
const REAL: &[Num] = &[Num::Double, Num::Decimal];

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(Value::Double(match name {
        "PI" => std::f64::consts::PI,
        "E" => std::f64::consts::E,
        "Tau" => std::f64::consts::TAU,
        _ => return None,
    })))
}

/// The overload C# picks among `allowed` for these arguments.
pub fn pick(args: &[Value<'_>], allowed: &[Num]) -> Option<Num> {
    allowed.iter().copied().find(|&k| {
        args.iter().all(|a| match a {
            Value::Char(_) => implicit_ok(None, k),
            a => Num::of(a).is_some_and(|n| implicit_ok(Some(n), k)),
        })
    })
}

fn no_overload(name: &str, args: &[Value<'_>]) -> EvalError {
    let types: Vec<&str> = args.iter().map(|a| a.type_name()).collect();
    EvalError::argument(format!("Math.{name} has no overload for ({})", types.join(", ")))
}

/// The arguments converted to `k`, as scalars.
fn scalars(args: &[Value<'_>], k: Num) -> EvalResult<Vec<Scalar>> {
    args.iter()
        .map(|a| {
            let s = Scalar::of(a).ok_or_else(|| EvalError::argument("expected a number"))?;
            Scalar::of(&scalar_to(s, k, false)?).ok_or_else(|| EvalError::argument("expected a number"))
        })
        .collect()
}

fn f(args: &[Value<'_>], i: usize) -> EvalResult<f64> {
    args.get(i)
        .and_then(Value::as_f64)
        .ok_or_else(|| EvalError::argument("expected a number"))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let unary = |op: fn(f64) -> f64| -> EvalResult<Value<'a>> { Ok(Value::Double(op(f(args, 0)?))) };
    Some(match (name, args.len()) {
        ("Abs" | "Sign", 1) | ("Max" | "Min", 2) | ("Clamp", 3) => {
            let allowed = if matches!(name, "Abs" | "Sign") { SIGNED } else { ALL };
            match pick(args, allowed) {
                Some(k) => typed(name, k, args),
                None => Err(no_overload(name, args)),
            }
        }
        ("Round" | "Floor" | "Ceiling" | "Truncate", 1..=3) => {
            let k = match args.first() {
                Some(Value::Decimal(_)) => Num::Decimal,
                Some(Value::Float(_)) if name != "Round" => Num::Double,
                _ => pick(&args[..1], REAL).unwrap_or(Num::Double),
            };
            typed(name, k, args)
        }
        ("Sqrt", 1) => unary(f64::sqrt),
        ("Cbrt", 1) => unary(f64::cbrt),
        ("Exp", 1) => unary(f64::exp),
        ("Log", 1) => unary(f64::ln),
        ("Log10", 1) => unary(f64::log10),
        ("Log2", 1) => unary(f64::log2),
        ("Sin", 1) => unary(f64::sin),
        ("Cos", 1) => unary(f64::cos),
        ("Tan", 1) => unary(f64::tan),
        ("Asin", 1) => unary(f64::asin),
        ("Acos", 1) => unary(f64::acos),
        ("Atan", 1) => unary(f64::atan),
        ("Sinh", 1) => unary(f64::sinh),
        ("Cosh", 1) => unary(f64::cosh),
        ("Tanh", 1) => unary(f64::tanh),
        ("Asinh", 1) => unary(f64::asinh),
        ("Acosh", 1) => unary(f64::acosh),
        ("Atanh", 1) => unary(f64::atanh),
        ("Log", 2) => (|| {
            let (a, b) = (f(args, 0)?, f(args, 1)?);
            Ok(Value::Double(log_base(a, b)))
        })(),
        ("Pow" | "Atan2" | "IEEERemainder" | "CopySign", 2) => (|| {
            let (a, b) = (f(args, 0)?, f(args, 1)?);
            Ok(Value::Double(match name {
                "Pow" => a.powf(b),
                "Atan2" => a.atan2(b),
                "CopySign" => a.copysign(b),
                _ => ieee_remainder(a, b),
            }))
        })(),
        ("ScaleB", 2) => (|| {
            let (x, n) = (f(args, 0)?, args[1].to_i32("n")?);
            Ok(Value::Double(x * 2f64.powi(n)))
        })(),
        ("FusedMultiplyAdd", 3) => (|| Ok(Value::Double(f(args, 0)?.mul_add(f(args, 1)?, f(args, 2)?))))(),
        ("BigMul", 2) => match pick(args, &[Num::Int, Num::UInt, Num::Long, Num::ULong]) {
            Some(Num::Int) => (|| {
                let s = scalars(args, Num::Int)?;
                Ok(Value::Long((int(s[0]) * int(s[1])) as i64))
            })(),
            Some(Num::UInt) => (|| {
                let s = scalars(args, Num::UInt)?;
                Ok(Value::ULong((int(s[0]) * int(s[1])) as u64))
            })(),
            _ => Err(no_overload(name, args)),
        },
        ("BigMul", 3) => (|| {
            let k = pick(&args[..2], &[Num::Long, Num::ULong]).ok_or_else(|| no_overload(name, args))?;
            let s = scalars(&args[..2], k)?;
            let (a, b) = (int(s[0]), int(s[1]));
            let (high, low) = if k == Num::ULong {
                let p = (a as u128) * (b as u128);
                ((p >> 64) as i128, (p as u64) as i128)
            } else {
                let p = a * b;
                (p >> 64, p)
            };
            rt.set_out(2, k.wrap(low))?;
            Ok(k.wrap(high))
        })(),
        ("DivRem", 2 | 3) => (|| {
            let k = pick(&args[..2], &[Num::Int, Num::Long]).ok_or_else(|| no_overload(name, args))?;
            let s = scalars(&args[..2], k)?;
            let (a, b) = (int(s[0]), int(s[1]));
            if b == 0 {
                return Err(divide_by_zero());
            }
            let q = k.int(a / b).ok_or_else(arithmetic_overflow)?;
            if args.len() == 3 {
                rt.set_out(2, k.wrap(a % b))?;
                Ok(q)
            } else {
                Err(EvalError::new(
                    EvalErrorKind::NotSupported,
                    "Math.DivRem(a, b) returns a ValueTuple, which Outpost does not support; use DivRem(a, b, out r)",
                ))
            }
        })(),
        _ => return None,
    })
}

pub fn divide_by_zero() -> EvalError {
    EvalError::new(EvalErrorKind::DivideByZero, "Attempted to divide by zero.")
}

fn int(s: Scalar) -> i128 {
    match s {
        Scalar::Int(i) => i,
        s => s.to_f64() as i128,
    }
}

fn log_base(a: f64, b: f64) -> f64 {
    if a.is_nan() {
        return a;
    }
    if b.is_nan() {
        return b;
    }
    if b == 1.0 || (a != 1.0 && (b == 0.0 || b == f64::INFINITY)) {
        return f64::NAN;
    }
    a.ln() / b.ln()
}

fn ieee_remainder(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() || x.is_infinite() || y == 0.0 {
        return f64::NAN;
    }
    let q = (x / y).round_ties_even();
    let r = x - q * y;
    if r == 0.0 {
        0.0f64.copysign(x)
    } else {
        r
    }
}

/// `Abs`, `Sign`, `Max`, `Min`, `Clamp`, `Round`, `Floor`, `Ceiling`,
/// `Truncate` with every argument as type `k` (also `int.Abs`, …).
pub fn typed<'a>(name: &str, k: Num, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let s = if name == "Round" {
        scalars(args.get(..1).unwrap_or(&[]), k)?
    } else {
        scalars(args, k)?
    };
    let out = |v: Scalar| scalar_to(v, k, false);
    match (name, s.as_slice()) {
        ("Abs", [Scalar::Int(i)]) => k.int(i.abs()).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::Overflow,
                "Negating the minimum value of a twos complement number is invalid.",
            )
        }),
        ("Abs", [Scalar::F(x, s)]) => out(Scalar::F(x.abs(), *s)),
        ("Abs", [Scalar::Dec(d)]) => Ok(Value::Decimal(d.abs())),
        ("Sign", [v]) => sign(*v).map(Value::Int),
        ("Max" | "Min", [a, b]) => out(max_min(name == "Max", *a, *b)),
        ("Clamp", [v, lo, hi]) => {
            if super::cast::compare_scalars(*lo, *hi) == Some(std::cmp::Ordering::Greater) {
                return Err(EvalError::argument(format!(
                    "'{}' cannot be greater than {}.",
                    super::format(&out(*lo)?, "")?,
                    super::format(&out(*hi)?, "")?
                )));
            }
            out(max_min(false, max_min(true, *v, *lo), *hi))
        }
        ("Round", _) => round(k, &s, args),
        ("Floor" | "Ceiling" | "Truncate", [Scalar::Dec(d)]) => Ok(Value::Decimal(match name {
            "Floor" => d.floor(),
            "Ceiling" => d.ceil(),
            _ => d.trunc(),
        })),
        ("Floor" | "Ceiling" | "Truncate", [v]) => {
            let x = v.to_f64();
            out(Scalar::F(
                match name {
                    "Floor" => x.floor(),
                    "Ceiling" => x.ceil(),
                    _ => x.trunc(),
                },
                k == Num::Float,
            ))
        }
        _ => Err(no_overload(name, args)),
    }
}

fn sign(v: Scalar) -> EvalResult<i32> {
    Ok(match v {
        Scalar::Int(i) => i.signum() as i32,
        Scalar::F(x, _) if x.is_nan() => {
            return Err(EvalError::new(
                EvalErrorKind::Other("ArithmeticException"),
                "Function does not accept floating point Not-a-Number values.",
            ))
        }
        Scalar::F(x, _) => {
            if x > 0.0 {
                1
            } else if x < 0.0 {
                -1
            } else {
                0
            }
        }
        Scalar::Dec(d) => {
            if d.is_zero() {
                0
            } else if d.is_sign_negative() {
                -1
            } else {
                1
            }
        }
    })
}

/// `Math.Max`/`Min`: NaN wins; `Max(-0.0, 0.0)` is 0.0.
fn max_min(max: bool, a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::F(x, s), Scalar::F(y, _)) => {
            let r = if x.is_nan() || y.is_nan() {
                f64::NAN
            } else if x == y {
                if (x.is_sign_negative() == max) == y.is_sign_negative() {
                    y
                } else {
                    x
                }
            } else if (x > y) == max {
                x
            } else {
                y
            };
            Scalar::F(r, s)
        }
        (a, b) => match super::cast::compare_scalars(a, b) {
            Some(std::cmp::Ordering::Less) => {
                if max {
                    b
                } else {
                    a
                }
            }
            _ => {
                if max {
                    a
                } else {
                    b
                }
            }
        },
    }
}

/// The `MidpointRounding` argument (an enum value or its number).
fn mode_of(v: &Value<'_>) -> EvalResult<i64> {
    let m = match v {
        Value::Enum(_, m) => *m,
        v => v.as_integer().and_then(|i| i64::try_from(i).ok()).unwrap_or(-1),
    };
    if (0..=4).contains(&m) {
        Ok(m)
    } else {
        Err(EvalError::argument(format!(
            "The value '{m}' is not valid for this usage of the type MidpointRounding. (Parameter 'mode')"
        )))
    }
}

fn round<'a>(k: Num, s: &[Scalar], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let (digits, mode) = match args {
        [_] => (0, 0),
        [_, Value::Enum(..)] => (0, mode_of(&args[1])?),
        [_, d] => (d.to_i32("digits")?, 0),
        [_, d, m] => (d.to_i32("digits")?, mode_of(m)?),
        _ => return Err(no_overload("Round", args)),
    };
    let max = if k == Num::Decimal { 28 } else { 15 };
    if !(0..=max).contains(&digits) {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Rounding digits must be between 0 and 15, inclusive. (Parameter 'digits')".replace("15", &max.to_string()),
        ));
    }
    match s.first() {
        Some(Scalar::Dec(d)) => {
            let strategy = match mode {
                0 => RoundingStrategy::MidpointNearestEven,
                1 => RoundingStrategy::MidpointAwayFromZero,
                2 => RoundingStrategy::ToZero,
                3 => RoundingStrategy::ToNegativeInfinity,
                _ => RoundingStrategy::ToPositiveInfinity,
            };
            Ok(Value::Decimal(d.round_dp_with_strategy(digits as u32, strategy)))
        }
        Some(v) => {
            let x = v.to_f64();
            let r = round_double(x, digits, mode);
            scalar_to(Scalar::F(r, false), k, false)
        }
        None => Err(no_overload("Round", args)),
    }
}

/// .NET's `Math.Round(double, int, MidpointRounding)`.
pub fn round_double(x: f64, digits: i32, mode: i64) -> f64 {
    let whole = |v: f64| match mode {
        0 => v.round_ties_even(),
        1 => v.round(),
        2 => v.trunc(),
        3 => v.floor(),
        _ => v.ceil(),
    };
    if digits == 0 {
        return whole(x);
    }
    if x.abs() >= 1e16 {
        return x;
    }
    let p = 10f64.powi(digits);
    whole(x * p) / p
}

/// `decimal` helpers other families use (`Decimal.ToDouble`).
pub fn decimal_to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn call(name: &str, args: &[Value<'static>]) -> Value<'static> {
        let mut rt = TestRt::new();
        call_static(&mut rt, name, &[], args).unwrap().unwrap()
    }

    #[test]
    fn rounding() {
        assert_eq!(call("Round", &[Value::Double(2.5)]), Value::Double(2.0));
        assert_eq!(call("Round", &[Value::Double(3.5)]), Value::Double(4.0));
        assert_eq!(
            call("Round", &[Value::Double(2.5), Value::Enum(&MIDPOINT_ROUNDING, 1)]),
            Value::Double(3.0)
        );
        assert_eq!(
            call("Round", &[Value::Double(2.675), Value::Int(2)]),
            Value::Double(2.68)
        );
        assert_eq!(
            call("Round", &[Value::Double(1.005), Value::Int(2)]),
            Value::Double(1.0)
        );
        assert_eq!(
            call("Round", &[Value::Decimal(Decimal::new(2675, 3)), Value::Int(2)]),
            Value::Decimal(Decimal::new(268, 2))
        );
        assert_eq!(
            call("Round", &[Value::Decimal(Decimal::new(25, 1))]),
            Value::Decimal(Decimal::new(2, 0))
        );
        assert_eq!(call("Floor", &[Value::Double(-1.5)]), Value::Double(-2.0));
        assert_eq!(call("Ceiling", &[Value::Int(3)]), Value::Double(3.0));
        assert_eq!(
            call("Truncate", &[Value::Decimal(Decimal::new(-19, 1))]),
            Value::Decimal(Decimal::new(-1, 0))
        );
    }

    #[test]
    fn overloads() {
        assert_eq!(call("Max", &[Value::Int(1), Value::Long(2)]), Value::Long(2));
        assert_eq!(call("Max", &[Value::Int(1), Value::Double(0.5)]), Value::Double(1.0));
        assert_eq!(call("Min", &[Value::Byte(3), Value::Byte(4)]), Value::Byte(3));
        assert_eq!(call("Abs", &[Value::Int(-5)]), Value::Int(5));
        assert_eq!(call("Sign", &[Value::Double(-0.1)]), Value::Int(-1));
        assert_eq!(
            call("Clamp", &[Value::Int(15), Value::Int(0), Value::Int(10)]),
            Value::Int(10)
        );
        assert_eq!(call("Pow", &[Value::Int(2), Value::Int(10)]), Value::Double(1024.0));
        assert_eq!(call("Log", &[Value::Int(8), Value::Int(2)]), Value::Double(3.0));
        assert_eq!(
            call("BigMul", &[Value::Int(i32::MAX), Value::Int(2)]),
            Value::Long(4_294_967_294)
        );
        let mut rt = TestRt::new();
        let e = call_static(&mut rt, "Abs", &[], &[Value::Int(i32::MIN)])
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::Overflow);
        let q = call_static(&mut rt, "DivRem", &[], &[Value::Int(7), Value::Int(2), Value::Null]);
        assert_eq!(q.unwrap().unwrap(), Value::Int(3));
        assert_eq!(rt.outs, vec![(2, Value::Int(1))]);
        let e = call_static(&mut rt, "Clamp", &[], &[Value::Int(1), Value::Int(5), Value::Int(0)]);
        assert_eq!(e.unwrap().unwrap_err().kind, EvalErrorKind::Argument);
    }
}
