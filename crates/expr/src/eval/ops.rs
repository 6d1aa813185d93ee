//! C#'s operators on runtime values: dispatch of binary operators to
//! numeric arithmetic (`numeric`), string concatenation, logical and
//! bitwise operators on bools (with `bool?`'s three-valued logic) and
//! enums, equality and ordering, and the operator-method convention for
//! objects and time values (`op_Addition`, `op_Equality`…).

use std::cmp::Ordering;

use super::numeric::{arith, binder, is_num, num2, num_cmp, shift, Num};
use super::Machine;
use crate::compile::ir::Bin;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::value::Value;

pub use super::numeric::{convert_prim, is_exactly, overflow, step, unary};

fn is_time(v: &Value<'_>) -> bool {
    matches!(v, Value::DateTime(_) | Value::DateTimeOffset(_) | Value::TimeSpan(_))
}

fn truth_of(r: EvalResult<Value<'_>>, op: &str, a: &Value<'_>, b: &Value<'_>) -> EvalResult<bool> {
    match r? {
        Value::Bool(x) => Ok(x),
        _ => Err(binder(op, a, Some(b))),
    }
}

impl<'a> Machine<'a> {
    /// `a op b` with both operands evaluated.
    pub(crate) fn binary(&mut self, op: Bin, a: Value<'a>, b: Value<'a>, checked: bool) -> EvalResult<Value<'a>> {
        if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
            if let Some(v) = int_fast(op, *x, *y, checked) {
                return v;
            }
        }
        match op {
            Bin::Eq => return self.equal(&a, &b).map(Value::Bool),
            Bin::Ne => return self.equal(&a, &b).map(|x| Value::Bool(!x)),
            Bin::Lt | Bin::Gt | Bin::Le | Bin::Ge => return self.relational(op, a, b).map(Value::Bool),
            Bin::Add if matches!(a, Value::Str(_)) || matches!(b, Value::Str(_)) => {
                if let Value::Obj(_) = a {
                    if let Some(r) = library::call_member(self, a.clone(), "op_Addition", &[], std::slice::from_ref(&b))
                    {
                        return r;
                    }
                }
                return self.concat(&a, &b);
            }
            _ => {}
        }
        if let Some((x, y)) = num2(&a, &b) {
            return match op {
                Bin::Shl | Bin::Shr => shift(op, x, y, &a, &b),
                Bin::And | Bin::Or | Bin::Xor if matches!(x, Num::F(_) | Num::D(_) | Num::M(_)) => {
                    Err(binder(op.symbol(), &a, Some(&b)))
                }
                _ => arith(op, x, y, checked, &a, &b),
            };
        }
        match (&a, &b) {
            (Value::Bool(x), Value::Bool(y)) => match op {
                Bin::And => Ok(Value::Bool(*x & *y)),
                Bin::Or => Ok(Value::Bool(*x | *y)),
                Bin::Xor => Ok(Value::Bool(*x ^ *y)),
                _ => Err(binder(op.symbol(), &a, Some(&b))),
            },
            // bool?: false & null is false, true | null is true.
            (Value::Bool(x), Value::Null) | (Value::Null, Value::Bool(x)) => match op {
                Bin::And if !*x => Ok(Value::Bool(false)),
                Bin::Or if *x => Ok(Value::Bool(true)),
                Bin::And | Bin::Or | Bin::Xor => Ok(Value::Null),
                _ => Err(binder(op.symbol(), &a, Some(&b))),
            },
            // Lifted operators: null in, null out.
            (Value::Null, v) | (v, Value::Null) if is_num(v) || v.is_null() || matches!(v, Value::Enum(..)) => {
                Ok(Value::Null)
            }
            (Value::Enum(d, x), Value::Enum(e, y)) if d.is(e) => Ok(match op {
                Bin::And => Value::Enum(d, x & y),
                Bin::Or => Value::Enum(d, x | y),
                Bin::Xor => Value::Enum(d, x ^ y),
                Bin::Sub => Value::Int(x.wrapping_sub(*y) as i32),
                _ => return Err(binder(op.symbol(), &a, Some(&b))),
            }),
            (Value::Enum(d, x), n) | (n, Value::Enum(d, x)) if n.as_integer().is_some() => {
                let y = n.as_integer().and_then(|i| i64::try_from(i).ok()).unwrap_or(0);
                match op {
                    Bin::Add => Ok(Value::Enum(d, x.wrapping_add(y))),
                    Bin::Sub if matches!(a, Value::Enum(..)) => Ok(Value::Enum(d, x.wrapping_sub(y))),
                    _ => Err(binder(op.symbol(), &a, Some(&b))),
                }
            }
            (Value::Obj(_), _) | (_, Value::Obj(_)) => self.operator_method(op, a, b),
            _ if is_time(&a) || is_time(&b) => self.operator_method(op, a, b),
            _ => Err(binder(op.symbol(), &a, Some(&b))),
        }
    }

    /// The left operand's `op_…` method (objects, time values).
    fn operator_method(&mut self, op: Bin, a: Value<'a>, b: Value<'a>) -> EvalResult<Value<'a>> {
        if a.is_null() {
            return Err(binder(op.symbol(), &a, Some(&b)));
        }
        let (an, bn) = (a.type_name(), b.type_name());
        match library::call_member(self, a, op.method(), &[], std::slice::from_ref(&b)) {
            Some(r) => r,
            None => Err(EvalError::new(
                EvalErrorKind::Other("RuntimeBinderException"),
                format!(
                    "Operator '{}' cannot be applied to operands of type '{an}' and '{bn}'",
                    op.symbol()
                ),
            )),
        }
    }

    /// String concatenation of two values (null is "").
    pub(crate) fn concat(&mut self, a: &Value<'a>, b: &Value<'a>) -> EvalResult<Value<'a>> {
        let x = library::to_text(a);
        let y = library::to_text(b);
        self.alloc(x.len() + y.len())?;
        let mut s = String::with_capacity(x.len() + y.len());
        s.push_str(&x);
        s.push_str(&y);
        Ok(Value::string(s))
    }

    /// `a == b`.
    pub(crate) fn equal(&mut self, a: &Value<'a>, b: &Value<'a>) -> EvalResult<bool> {
        Ok(match (a, b) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (Value::Str(x), Value::Str(y)) => x == y,
            _ if is_num(a) && is_num(b) => {
                let Some((x, y)) = num2(a, b) else {
                    return Ok(false);
                };
                num_cmp(x, y) == Some(Ordering::Equal)
            }
            _ if is_time(a) && is_time(b) => library::compare(a, b) == Some(Ordering::Equal),
            (Value::Obj(x), Value::Obj(y)) if std::rc::Rc::ptr_eq(x, y) => true,
            (Value::Obj(_), _) => {
                match library::call_member(self, a.clone(), "op_Equality", &[], std::slice::from_ref(b)) {
                    Some(r) => truth_of(r, "==", a, b)?,
                    None => false,
                }
            }
            (_, Value::Obj(_)) => {
                match library::call_member(self, b.clone(), "op_Equality", &[], std::slice::from_ref(a)) {
                    Some(r) => truth_of(r, "==", b, a)?,
                    None => false,
                }
            }
            (x, y) => x == y,
        })
    }

    /// `<`, `>`, `<=`, `>=` (false when either side is null, as C#'s lifted
    /// operators and NaN give).
    fn relational(&mut self, op: Bin, a: Value<'a>, b: Value<'a>) -> EvalResult<bool> {
        if a.is_null() || b.is_null() {
            return Ok(false);
        }
        let ord = match num2(&a, &b) {
            Some((x, y)) => num_cmp(x, y),
            _ => match (&a, &b) {
                (Value::Str(_), _) | (_, Value::Str(_)) | (Value::Bool(_), _) => {
                    return Err(binder(op.symbol(), &a, Some(&b)))
                }
                (Value::Obj(_), _) => {
                    let (a2, b2) = (a.clone(), b.clone());
                    let r = library::call_member(self, a, op.method(), &[], std::slice::from_ref(&b));
                    return match r {
                        Some(r) => truth_of(r, op.symbol(), &a2, &b2),
                        None => Err(binder(op.symbol(), &a2, Some(&b2))),
                    };
                }
                _ => match library::compare(&a, &b) {
                    Some(o) => Some(o),
                    None => return Err(binder(op.symbol(), &a, Some(&b))),
                },
            },
        };
        let Some(o) = ord else {
            return Ok(false);
        };
        Ok(match op {
            Bin::Lt => o == Ordering::Less,
            Bin::Gt => o == Ordering::Greater,
            Bin::Le => o != Ordering::Greater,
            _ => o != Ordering::Less,
        })
    }
}

/// `int op int`, the common case, without promotion (`None`: shifts and
/// the operators of other types).
#[inline]
fn int_fast<'a>(op: Bin, x: i32, y: i32, checked: bool) -> Option<EvalResult<Value<'a>>> {
    let arith = |r: Option<i32>, wrapped: i32| match r {
        Some(v) => Ok(Value::Int(v)),
        None if checked => Err(overflow()),
        None => Ok(Value::Int(wrapped)),
    };
    Some(match op {
        Bin::Add => arith(x.checked_add(y), x.wrapping_add(y)),
        Bin::Sub => arith(x.checked_sub(y), x.wrapping_sub(y)),
        Bin::Mul => arith(x.checked_mul(y), x.wrapping_mul(y)),
        Bin::Lt => Ok(Value::Bool(x < y)),
        Bin::Gt => Ok(Value::Bool(x > y)),
        Bin::Le => Ok(Value::Bool(x <= y)),
        Bin::Ge => Ok(Value::Bool(x >= y)),
        Bin::Eq => Ok(Value::Bool(x == y)),
        Bin::Ne => Ok(Value::Bool(x != y)),
        Bin::And => Ok(Value::Int(x & y)),
        Bin::Or => Ok(Value::Int(x | y)),
        Bin::Xor => Ok(Value::Int(x ^ y)),
        _ => return None,
    })
}

/// `bool` of a condition value.
pub fn truth(v: &Value<'_>) -> EvalResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Err(EvalError::new(
            EvalErrorKind::InvalidOperation,
            "Nullable object must have a value.",
        )),
        v => Err(EvalError::cast(v.type_name(), "bool")),
    }
}
