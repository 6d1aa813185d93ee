//! C#'s arithmetic on runtime numbers: binary numeric promotion (small
//! integers and `char` to `int`, `int`/`uint` to `long`, `byte`/`ushort`/
//! `char` stay unsigned next to `uint`…), checked and unchecked integer
//! arithmetic with .NET's exceptions, `decimal`, IEEE `float`/`double`,
//! masked shifts, unary operators, `++`/`--` in the operand's own type,
//! and the primitive numeric conversions from integral sources.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::compile::ir::{Bin, Un};
use crate::compile::ty::Prim;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::types::TypeRef;
use crate::value::Value;

pub fn overflow() -> EvalError {
    EvalError::new(EvalErrorKind::Overflow, "Arithmetic operation resulted in an overflow.")
}

fn div_zero() -> EvalError {
    EvalError::new(EvalErrorKind::DivideByZero, "Attempted to divide by zero.")
}

fn decimal_overflow() -> EvalError {
    EvalError::new(
        EvalErrorKind::Overflow,
        "Value was either too large or too small for a Decimal.",
    )
}

/// What .NET's dynamic binder says of an operator it cannot apply.
pub(super) fn binder(op: &str, a: &Value<'_>, b: Option<&Value<'_>>) -> EvalError {
    let msg = match b {
        Some(b) => format!(
            "Operator '{op}' cannot be applied to operands of type '{}' and '{}'",
            a.type_name(),
            b.type_name()
        ),
        None => format!(
            "Operator '{op}' cannot be applied to operand of type '{}'",
            a.type_name()
        ),
    };
    EvalError::new(EvalErrorKind::Other("RuntimeBinderException"), msg)
}

/// A number after unary promotion.
#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    I(i32),
    U(u32),
    L(i64),
    UL(u64),
    F(f32),
    D(f64),
    M(Decimal),
}

fn num(v: &Value<'_>) -> Option<Num> {
    Some(match *v {
        Value::SByte(x) => Num::I(x.into()),
        Value::Byte(x) => Num::I(x.into()),
        Value::Short(x) => Num::I(x.into()),
        Value::UShort(x) => Num::I(x.into()),
        Value::Char(c) => Num::I(c as i32),
        Value::Int(x) => Num::I(x),
        Value::UInt(x) => Num::U(x),
        Value::Long(x) => Num::L(x),
        Value::ULong(x) => Num::UL(x),
        Value::Float(x) => Num::F(x),
        Value::Double(x) => Num::D(x),
        Value::Decimal(x) => Num::M(x),
        _ => return None,
    })
}

/// Both operands as numbers; `byte`, `ushort` and `char` stay unsigned
/// next to a `uint` (C# promotes that pair to `uint`, not `long`).
pub(super) fn num2(a: &Value<'_>, b: &Value<'_>) -> Option<(Num, Num)> {
    let small_unsigned = |v: &Value<'_>| match *v {
        Value::Byte(x) => Some(u32::from(x)),
        Value::UShort(x) => Some(u32::from(x)),
        Value::Char(c) => Some(c as u32),
        _ => None,
    };
    let (mut x, mut y) = (num(a)?, num(b)?);
    if matches!(x, Num::U(_)) {
        if let Some(u) = small_unsigned(b) {
            y = Num::U(u);
        }
    }
    if matches!(y, Num::U(_)) {
        if let Some(u) = small_unsigned(a) {
            x = Num::U(u);
        }
    }
    Some((x, y))
}

pub(super) fn is_num(v: &Value<'_>) -> bool {
    num(v).is_some()
}

fn to_f64(n: Num) -> f64 {
    match n {
        Num::I(x) => x.into(),
        Num::U(x) => x.into(),
        Num::L(x) => x as f64,
        Num::UL(x) => x as f64,
        Num::F(x) => x.into(),
        Num::D(x) => x,
        Num::M(x) => rust_decimal::prelude::ToPrimitive::to_f64(&x).unwrap_or(f64::NAN),
    }
}

fn to_i128(n: Num) -> Option<i128> {
    Some(match n {
        Num::I(x) => x.into(),
        Num::U(x) => x.into(),
        Num::L(x) => x.into(),
        Num::UL(x) => x.into(),
        _ => return None,
    })
}

/// Binary numeric promotion; `None` where C# refuses the pair
/// (`decimal` with `float`/`double`, `ulong` with a negative signed value).
fn promote(a: Num, b: Num) -> Option<(Num, Num)> {
    use Num::*;
    let is = |f: fn(&Num) -> bool| f(&a) || f(&b);
    if is(|n| matches!(n, M(_))) {
        if is(|n| matches!(n, F(_) | D(_))) {
            return None;
        }
        let m = |n: Num| match n {
            M(x) => Some(M(x)),
            n => to_i128(n).map(|i| M(Decimal::from_i128_with_scale(i, 0))),
        };
        return Some((m(a)?, m(b)?));
    }
    if is(|n| matches!(n, D(_))) {
        return Some((D(to_f64(a)), D(to_f64(b))));
    }
    if is(|n| matches!(n, F(_))) {
        return Some((F(to_f64(a) as f32), F(to_f64(b) as f32)));
    }
    let (x, y) = (to_i128(a)?, to_i128(b)?);
    if is(|n| matches!(n, UL(_))) {
        return Some((UL(u64::try_from(x).ok()?), UL(u64::try_from(y).ok()?)));
    }
    if is(|n| matches!(n, L(_))) || (is(|n| matches!(n, U(_))) && is(|n| matches!(n, I(_)))) {
        return Some((L(i64::try_from(x).ok()?), L(i64::try_from(y).ok()?)));
    }
    if is(|n| matches!(n, U(_))) {
        return Some((U(u32::try_from(x).ok()?), U(u32::try_from(y).ok()?)));
    }
    Some((I(i32::try_from(x).ok()?), I(i32::try_from(y).ok()?)))
}

macro_rules! int_op {
    ($op:expr, $x:expr, $y:expr, $checked:expr) => {
        match $op {
            Bin::Add => {
                if $checked {
                    $x.checked_add($y).ok_or_else(overflow)
                } else {
                    Ok($x.wrapping_add($y))
                }
            }
            Bin::Sub => {
                if $checked {
                    $x.checked_sub($y).ok_or_else(overflow)
                } else {
                    Ok($x.wrapping_sub($y))
                }
            }
            Bin::Mul => {
                if $checked {
                    $x.checked_mul($y).ok_or_else(overflow)
                } else {
                    Ok($x.wrapping_mul($y))
                }
            }
            // MinValue / -1 overflows in checked and unchecked code alike.
            Bin::Div if $y == 0 => Err(div_zero()),
            Bin::Div => $x.checked_div($y).ok_or_else(overflow),
            Bin::Rem if $y == 0 => Err(div_zero()),
            Bin::Rem => $x.checked_rem($y).ok_or_else(overflow),
            Bin::And => Ok($x & $y),
            Bin::Or => Ok($x | $y),
            Bin::Xor => Ok($x ^ $y),
            _ => Err(overflow()),
        }
    };
}

macro_rules! float_op {
    ($op:expr, $x:expr, $y:expr) => {
        match $op {
            Bin::Add => Some($x + $y),
            Bin::Sub => Some($x - $y),
            Bin::Mul => Some($x * $y),
            Bin::Div => Some($x / $y),
            Bin::Rem => Some($x % $y),
            _ => None,
        }
    };
}

pub(super) fn arith<'a>(
    op: Bin,
    a: Num,
    b: Num,
    checked: bool,
    av: &Value<'_>,
    bv: &Value<'_>,
) -> EvalResult<Value<'a>> {
    let Some(pair) = promote(a, b) else {
        return Err(binder(op.symbol(), av, Some(bv)));
    };
    let refuse = || binder(op.symbol(), av, Some(bv));
    Ok(match pair {
        (Num::I(x), Num::I(y)) => Value::Int(int_op!(op, x, y, checked)?),
        (Num::U(x), Num::U(y)) => Value::UInt(int_op!(op, x, y, checked)?),
        (Num::L(x), Num::L(y)) => Value::Long(int_op!(op, x, y, checked)?),
        (Num::UL(x), Num::UL(y)) => Value::ULong(int_op!(op, x, y, checked)?),
        (Num::F(x), Num::F(y)) => Value::Float(float_op!(op, x, y).ok_or_else(refuse)?),
        (Num::D(x), Num::D(y)) => Value::Double(float_op!(op, x, y).ok_or_else(refuse)?),
        (Num::M(x), Num::M(y)) => Value::Decimal(match op {
            Bin::Add => x.checked_add(y).ok_or_else(decimal_overflow)?,
            Bin::Sub => x.checked_sub(y).ok_or_else(decimal_overflow)?,
            Bin::Mul => x.checked_mul(y).ok_or_else(decimal_overflow)?,
            Bin::Div if y.is_zero() => return Err(div_zero()),
            Bin::Div => x.checked_div(y).ok_or_else(decimal_overflow)?,
            Bin::Rem if y.is_zero() => return Err(div_zero()),
            Bin::Rem => x.checked_rem(y).ok_or_else(decimal_overflow)?,
            _ => return Err(refuse()),
        }),
        _ => return Err(refuse()),
    })
}

pub(super) fn shift<'a>(op: Bin, a: Num, b: Num, av: &Value<'_>, bv: &Value<'_>) -> EvalResult<Value<'a>> {
    let Num::I(count) = b else {
        return Err(binder(op.symbol(), av, Some(bv)));
    };
    // Counts are masked to the operand's width (& 31, & 63), as in C#.
    let c = count as u32;
    let left = op == Bin::Shl;
    Ok(match a {
        Num::I(x) => Value::Int(if left { x.wrapping_shl(c) } else { x.wrapping_shr(c) }),
        Num::U(x) => Value::UInt(if left { x.wrapping_shl(c) } else { x.wrapping_shr(c) }),
        Num::L(x) => Value::Long(if left { x.wrapping_shl(c) } else { x.wrapping_shr(c) }),
        Num::UL(x) => Value::ULong(if left { x.wrapping_shl(c) } else { x.wrapping_shr(c) }),
        _ => return Err(binder(op.symbol(), av, Some(bv))),
    })
}

/// Numeric ordering after promotion (`None`: NaN, or not comparable).
pub(super) fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match promote(a, b) {
        Some((Num::I(x), Num::I(y))) => Some(x.cmp(&y)),
        Some((Num::U(x), Num::U(y))) => Some(x.cmp(&y)),
        Some((Num::L(x), Num::L(y))) => Some(x.cmp(&y)),
        Some((Num::UL(x), Num::UL(y))) => Some(x.cmp(&y)),
        Some((Num::F(x), Num::F(y))) => x.partial_cmp(&y),
        Some((Num::D(x), Num::D(y))) => x.partial_cmp(&y),
        Some((Num::M(x), Num::M(y))) => Some(x.cmp(&y)),
        // ulong with a negative value, decimal with a real: by value.
        _ => match (to_i128(a), to_i128(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => to_f64(a).partial_cmp(&to_f64(b)),
        },
    }
}

/// A unary operator.
pub fn unary<'a>(op: Un, v: Value<'a>, checked: bool) -> EvalResult<Value<'a>> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let sym = match op {
        Un::Neg => "-",
        Un::Plus => "+",
        Un::Not => "!",
        Un::BitNot => "~",
    };
    match (op, &v) {
        (Un::Not, Value::Bool(b)) => return Ok(Value::Bool(!b)),
        (Un::BitNot, Value::Enum(d, x)) => return Ok(Value::Enum(d, !x)),
        _ => {}
    }
    let Some(n) = num(&v) else {
        return Err(binder(sym, &v, None));
    };
    Ok(match (op, n) {
        (Un::Plus, n) => from_num(n),
        (Un::Neg, Num::I(x)) => Value::Int(if checked {
            x.checked_neg().ok_or_else(overflow)?
        } else {
            x.wrapping_neg()
        }),
        (Un::Neg, Num::U(x)) => Value::Long(-i64::from(x)),
        (Un::Neg, Num::L(x)) => Value::Long(if checked {
            x.checked_neg().ok_or_else(overflow)?
        } else {
            x.wrapping_neg()
        }),
        (Un::Neg, Num::F(x)) => Value::Float(-x),
        (Un::Neg, Num::D(x)) => Value::Double(-x),
        (Un::Neg, Num::M(x)) => Value::Decimal(-x),
        (Un::BitNot, Num::I(x)) => Value::Int(!x),
        (Un::BitNot, Num::U(x)) => Value::UInt(!x),
        (Un::BitNot, Num::L(x)) => Value::Long(!x),
        (Un::BitNot, Num::UL(x)) => Value::ULong(!x),
        _ => return Err(binder(sym, &v, None)),
    })
}

fn from_num<'a>(n: Num) -> Value<'a> {
    match n {
        Num::I(x) => Value::Int(x),
        Num::U(x) => Value::UInt(x),
        Num::L(x) => Value::Long(x),
        Num::UL(x) => Value::ULong(x),
        Num::F(x) => Value::Float(x),
        Num::D(x) => Value::Double(x),
        Num::M(x) => Value::Decimal(x),
    }
}

macro_rules! step_int {
    ($x:expr, $inc:expr, $checked:expr) => {{
        let r = if $inc { $x.checked_add(1) } else { $x.checked_sub(1) };
        match r {
            Some(v) => v,
            None if $checked => return Err(overflow()),
            None if $inc => $x.wrapping_add(1),
            None => $x.wrapping_sub(1),
        }
    }};
}

/// `++`/`--` on a value: the same type, one more or less.
pub fn step<'a>(v: Value<'a>, inc: bool, checked: bool) -> EvalResult<Value<'a>> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::SByte(x) => Value::SByte(step_int!(x, inc, checked)),
        Value::Byte(x) => Value::Byte(step_int!(x, inc, checked)),
        Value::Short(x) => Value::Short(step_int!(x, inc, checked)),
        Value::UShort(x) => Value::UShort(step_int!(x, inc, checked)),
        Value::Int(x) => Value::Int(step_int!(x, inc, checked)),
        Value::UInt(x) => Value::UInt(step_int!(x, inc, checked)),
        Value::Long(x) => Value::Long(step_int!(x, inc, checked)),
        Value::ULong(x) => Value::ULong(step_int!(x, inc, checked)),
        Value::Char(c) => {
            let x = c as u32 as u16;
            let y = step_int!(x, inc, checked);
            Value::Char(char::from_u32(y.into()).ok_or_else(|| {
                EvalError::new(
                    EvalErrorKind::NotSupported,
                    "a lone UTF-16 surrogate is not supported as a char",
                )
            })?)
        }
        Value::Float(x) => Value::Float(if inc { x + 1.0 } else { x - 1.0 }),
        Value::Double(x) => Value::Double(if inc { x + 1.0 } else { x - 1.0 }),
        Value::Decimal(x) => Value::Decimal(if inc {
            x.checked_add(Decimal::ONE).ok_or_else(decimal_overflow)?
        } else {
            x.checked_sub(Decimal::ONE).ok_or_else(decimal_overflow)?
        }),
        Value::Enum(d, x) => Value::Enum(d, if inc { x.wrapping_add(1) } else { x.wrapping_sub(1) }),
        v => return Err(binder(if inc { "++" } else { "--" }, &v, None)),
    })
}

/// The primitive type of a conversion target (through `T?`).
fn target(to: &TypeRef) -> Option<Prim> {
    match to {
        TypeRef::Nullable(t) => target(t),
        TypeRef::Named(d, _) => Prim::of(d),
        TypeRef::Array(_) => None,
    }
}

fn prim_of_value(v: &Value<'_>) -> Option<Prim> {
    Some(match v {
        Value::Char(_) => Prim::Char,
        Value::SByte(_) => Prim::SByte,
        Value::Byte(_) => Prim::Byte,
        Value::Short(_) => Prim::Short,
        Value::UShort(_) => Prim::UShort,
        Value::Int(_) => Prim::Int,
        Value::UInt(_) => Prim::UInt,
        Value::Long(_) => Prim::Long,
        Value::ULong(_) => Prim::ULong,
        Value::Float(_) => Prim::Float,
        Value::Double(_) => Prim::Double,
        Value::Decimal(_) => Prim::Decimal,
        Value::Bool(_) => Prim::Bool,
        Value::Str(_) => Prim::String,
        _ => return None,
    })
}

/// Whether `v` already is a value of the primitive type `to` names.
pub fn is_exactly(v: &Value<'_>, to: &TypeRef) -> bool {
    match (prim_of_value(v), target(to)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The conversions between C#'s integral types (and `char`), and from
/// them to `float`, `double` and `decimal`, implicit or explicit; `None`
/// for anything else (the library converts it).
pub fn convert_prim<'a>(v: &Value<'a>, to: &TypeRef, explicit: bool, checked: bool) -> Option<EvalResult<Value<'a>>> {
    let tp = target(to)?;
    let vp = prim_of_value(v)?;
    if vp == tp {
        return Some(Ok(v.clone()));
    }
    if !vp.is_integral() || !tp.is_arith() {
        return None;
    }
    if !explicit && !vp.widens_to(tp) {
        return None;
    }
    let x = v.as_integer()?;
    let fits = |ok: bool| if ok || !checked { Ok(()) } else { Err(overflow()) };
    Some((|| {
        Ok(match tp {
            Prim::SByte => {
                fits(i8::try_from(x).is_ok())?;
                Value::SByte(x as i8)
            }
            Prim::Byte => {
                fits(u8::try_from(x).is_ok())?;
                Value::Byte(x as u8)
            }
            Prim::Short => {
                fits(i16::try_from(x).is_ok())?;
                Value::Short(x as i16)
            }
            Prim::UShort => {
                fits(u16::try_from(x).is_ok())?;
                Value::UShort(x as u16)
            }
            Prim::Int => {
                fits(i32::try_from(x).is_ok())?;
                Value::Int(x as i32)
            }
            Prim::UInt => {
                fits(u32::try_from(x).is_ok())?;
                Value::UInt(x as u32)
            }
            Prim::Long => {
                fits(i64::try_from(x).is_ok())?;
                Value::Long(x as i64)
            }
            Prim::ULong => {
                fits(u64::try_from(x).is_ok())?;
                Value::ULong(x as u64)
            }
            Prim::Char => {
                fits(u16::try_from(x).is_ok())?;
                Value::Char(char::from_u32(u32::from(x as u16)).ok_or_else(|| {
                    EvalError::new(
                        EvalErrorKind::NotSupported,
                        "a lone UTF-16 surrogate is not supported as a char",
                    )
                })?)
            }
            Prim::Float => Value::Float(x as f32),
            Prim::Double => Value::Double(x as f64),
            Prim::Decimal => Value::Decimal(Decimal::from_i128_with_scale(x, 0)),
            _ => return Err(EvalError::cast(v.type_name(), to)),
        })
    })())
}
