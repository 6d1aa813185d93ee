//! The evaluator: walks the typed IR against a [`Context`]. Values borrow
//! from the compiled expression (literals) and from the context (headers,
//! fields, variables) for the lifetime `'a` of both.
//!
//! Allocation: reading members, headers, variables, comparing, `&&`/`||`,
//! `?:`/`??`, `ContainsKey`, `GetValueOrDefault` of a single-valued header,
//! `StartsWith`/`Contains`/`Equals`/`IndexOf` (ordinal), `Substring`,
//! `Trim` and `First()` of a single value allocate nothing. Allocating:
//! `+` concatenation and `$"..."` (one `String`), `ToString()` of a
//! non-string, `ToLower`/`ToUpper`/`Replace` when they change the text,
//! `Split` and header indexers (a `Vec`), case-insensitive comparisons of
//! non-ASCII text, joining multi-valued headers, `Guid.NewGuid()`, and the
//! locals of a `@{ }` block (one `Vec` per evaluation).

use std::borrow::Cow;

use super::context::Context;
use super::datetime::{DateTime, TimeSpan};
use super::ir::{Const, Conv, Member, Node, Op, Stmt};
use super::types::DictKind;
use super::value::Value;
use super::{EvalError, EvalErrorKind as K};

pub type R<T> = Result<T, EvalError>;

pub struct Eval<'a> {
    pub cx: &'a dyn Context,
    pub locals: Vec<Value<'a>>,
}

pub fn fail<T>(kind: K, msg: impl Into<String>) -> R<T> {
    Err(EvalError::new(kind, msg))
}

pub fn null_ref<T>(what: impl std::fmt::Display) -> R<T> {
    fail(
        K::NullReference,
        format!("Object reference not set to an instance of an object ({what} on null)"),
    )
}

impl<'a> Eval<'a> {
    pub fn block(&mut self, stmts: &'a [Stmt]) -> R<Option<Value<'a>>> {
        for s in stmts {
            match s {
                Stmt::Set(slot, n) => {
                    let v = self.node(n)?;
                    self.locals[*slot] = v;
                }
                Stmt::If(c, t, e) => {
                    let branch = if self.bool(c)? { t } else { e };
                    if let Some(v) = self.block(branch)? {
                        return Ok(Some(v));
                    }
                }
                Stmt::Return(n) => return self.node(n).map(Some),
            }
        }
        Ok(None)
    }

    pub fn bool(&mut self, n: &'a Node) -> R<bool> {
        match self.node(n)? {
            Value::Bool(b) => Ok(b),
            Value::Null => fail(K::InvalidOperation, "Nullable object must have a value"),
            v => internal(&v, "bool"),
        }
    }

    pub fn node(&mut self, n: &'a Node) -> R<Value<'a>> {
        Ok(match n {
            Node::Const(c) => match c {
                Const::Null => Value::Null,
                Const::Bool(b) => Value::Bool(*b),
                Const::Int(i) => Value::Int(*i),
                Const::Double(d) => Value::Double(*d),
                Const::Char(c) => Value::Char(*c),
                Const::Str(s) => Value::Str(Cow::Borrowed(s)),
            },
            Node::Local(slot) => self.locals[*slot].clone(),
            Node::Context => Value::Ns(super::types::Ns::Context),
            Node::Member { obj, member, lift } => {
                match self.node(obj)? {
                    Value::Ns(_) => {}
                    Value::Null if *lift => return Ok(Value::Null),
                    Value::Null => return null_ref(format_args!("reading {member:?}")),
                    v => return internal(&v, "context object"),
                }
                match *member {
                    Member::Ns(child) if child.may_be_absent() && !self.cx.present(child) => Value::Null,
                    Member::Ns(child) => Value::Ns(child),
                    Member::Text(f) => self.cx.text(f).map_or(Value::Null, Value::Str),
                    Member::Int(f) => Value::Int(self.cx.int(f)),
                    Member::Dict(d) => Value::Dict(d),
                    Member::Timestamp => Value::DateTime(self.cx.timestamp()),
                    Member::Elapsed => Value::TimeSpan(self.cx.elapsed()),
                    Member::CertDate(d) => Value::DateTime(self.cx.certificate_date(d)),
                }
            }
            Node::Call {
                recv,
                method,
                args,
                lift,
            } => {
                let recv = match recv {
                    None => None,
                    Some(r) => match self.node(r)? {
                        Value::Null if *lift => return Ok(Value::Null),
                        Value::Null => return null_ref(format_args!("calling {method:?}")),
                        v => Some(v),
                    },
                };
                self.call(*method, recv, args)?
            }
            Node::Index { obj, index, lift } => {
                let o = self.node(obj)?;
                if o.is_null() {
                    return if *lift { Ok(Value::Null) } else { null_ref("indexing") };
                }
                self.index(o, index)?
            }
            Node::Not(e) => match self.node(e)? {
                Value::Bool(b) => Value::Bool(!b),
                Value::Null => Value::Null,
                v => return internal(&v, "bool"),
            },
            Node::Neg(e) => match self.node(e)? {
                Value::Int(i) => Value::Int(i.wrapping_neg()),
                Value::Double(d) => Value::Double(-d),
                Value::TimeSpan(t) => Value::TimeSpan(TimeSpan { ticks: -t.ticks }),
                Value::Null => Value::Null,
                v => return internal(&v, "number"),
            },
            Node::Bin(op, l, r) => self.binary(*op, l, r)?,
            Node::Cond(c, a, b) => {
                if self.bool(c)? {
                    self.node(a)?
                } else {
                    self.node(b)?
                }
            }
            Node::Coalesce(l, r) => match self.node(l)? {
                Value::Null => self.node(r)?,
                v => v,
            },
            Node::Convert(conv, e) => convert(*conv, self.node(e)?)?,
            Node::Interp(parts) => {
                let mut s = String::new();
                for p in parts {
                    s.push_str(&self.node(p)?.to_text());
                }
                Value::Str(Cow::Owned(s))
            }
        })
    }

    fn index(&mut self, o: Value<'a>, index: &'a Node) -> R<Value<'a>> {
        let cx = self.cx;
        let idx = self.node(index)?;
        match o {
            Value::Dict(d) => {
                let Value::Str(key) = idx else {
                    return fail(K::ArgumentNull, "Value cannot be null. (Parameter 'key')");
                };
                let found = match d {
                    DictKind::Headers(m) => cx.header(m, &key).map(|v| Value::Array(v.into_vec())),
                    DictKind::Query(k) => cx.query(k, &key).map(|v| Value::Array(v.into_vec())),
                    DictKind::MatchedParameters => cx.matched_parameter(&key).map(Value::Str),
                    DictKind::Variables => cx.variable(&key),
                };
                match found {
                    Some(v) => Ok(v),
                    None => fail(
                        K::KeyNotFound,
                        format!("The given key '{key}' was not present in the dictionary ({d})"),
                    ),
                }
            }
            Value::Array(a) => {
                let Value::Int(i) = idx else {
                    return internal(&idx, "int");
                };
                let len = a.len();
                match usize::try_from(i).ok().and_then(|i| a.into_iter().nth(i)) {
                    Some(s) => Ok(Value::Str(s)),
                    None => fail(
                        K::IndexOutOfRange,
                        format!("Index {i} was outside the bounds of the array (length {len})"),
                    ),
                }
            }
            Value::Str(s) => {
                let Value::Int(i) = idx else {
                    return internal(&idx, "int");
                };
                let unit = usize::try_from(i).ok().and_then(|i| s.encode_utf16().nth(i));
                match unit {
                    Some(u) => Ok(Value::Char(char::from_u32(u32::from(u)).unwrap_or('\u{fffd}'))),
                    None => fail(
                        K::IndexOutOfRange,
                        format!("Index {i} was outside the bounds of the string"),
                    ),
                }
            }
            v => internal(&v, "indexable value"),
        }
    }

    fn binary(&mut self, op: Op, l: &'a Node, r: &'a Node) -> R<Value<'a>> {
        match op {
            Op::And => return Ok(Value::Bool(self.bool(l)? && self.bool(r)?)),
            Op::Or => return Ok(Value::Bool(self.bool(l)? || self.bool(r)?)),
            _ => {}
        }
        let a = self.node(l)?;
        let b = self.node(r)?;
        Ok(match op {
            Op::Concat => {
                let (x, y) = (a.to_text(), b.to_text());
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(&x);
                s.push_str(&y);
                Value::Str(Cow::Owned(s))
            }
            Op::Eq => Value::Bool(equal(&a, &b)),
            Op::Ne => Value::Bool(!equal(&a, &b)),
            Op::Lt | Op::Gt | Op::Le | Op::Ge => {
                let Some(ord) = compare(&a, &b) else {
                    return Ok(Value::Bool(false));
                };
                Value::Bool(match op {
                    Op::Lt => ord.is_lt(),
                    Op::Gt => ord.is_gt(),
                    Op::Le => ord.is_le(),
                    _ => ord.is_ge(),
                })
            }
            _ => arith(op, a, b)?,
        })
    }
}

/// Reports a value the checker should have made impossible.
pub fn internal<T>(v: &Value<'_>, wanted: &str) -> R<T> {
    fail(
        K::InvalidCast,
        format!("expected {wanted}, found {} (internal type error)", v.type_name()),
    )
}

fn num(v: &Value<'_>) -> Option<f64> {
    match v {
        Value::Int(i) => Some(f64::from(*i)),
        Value::Double(d) => Some(*d),
        Value::Char(c) => Some(f64::from(*c as u32)),
        _ => None,
    }
}

fn int(v: &Value<'_>) -> Option<i32> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Char(c) => Some(*c as i32),
        _ => None,
    }
}

/// C# `==` (value equality for strings and numbers; for `object` operands
/// too, see docs/expressions.md).
pub fn equal(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::DateTime(x), Value::DateTime(y)) => x == y,
        (Value::TimeSpan(x), Value::TimeSpan(y)) => x == y,
        (Value::Dict(x), Value::Dict(y)) => x == y,
        (Value::Ns(x), Value::Ns(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::TimeSpan(x), Value::TimeSpan(y)) => Some(x.cmp(y)),
        _ => match (int(a), int(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => num(a)?.partial_cmp(&num(b)?),
        },
    }
}

fn arith<'a>(op: Op, a: Value<'a>, b: Value<'a>) -> R<Value<'a>> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    match (&a, &b) {
        (Value::DateTime(d), Value::TimeSpan(t)) => {
            let ticks = if op == Op::Add {
                d.ticks.checked_add(t.ticks)
            } else {
                d.ticks.checked_sub(t.ticks)
            };
            return date(ticks);
        }
        (Value::DateTime(x), Value::DateTime(y)) => return span(x.ticks.checked_sub(y.ticks)),
        (Value::TimeSpan(x), Value::TimeSpan(y)) => {
            return span(if op == Op::Add {
                x.ticks.checked_add(y.ticks)
            } else {
                x.ticks.checked_sub(y.ticks)
            });
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (int(&a), int(&b)) {
        return Ok(Value::Int(match op {
            Op::Add => x.wrapping_add(y),
            Op::Sub => x.wrapping_sub(y),
            Op::Mul => x.wrapping_mul(y),
            Op::Div | Op::Rem if y == 0 => return fail(K::DivideByZero, "Attempted to divide by zero."),
            Op::Div => x.checked_div(y).ok_or_else(overflow)?,
            _ => x.checked_rem(y).unwrap_or(0),
        }));
    }
    let (Some(x), Some(y)) = (num(&a), num(&b)) else {
        return internal(&a, "number");
    };
    Ok(Value::Double(match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
        _ => x % y,
    }))
}

fn overflow() -> EvalError {
    EvalError::new(K::Overflow, "Arithmetic operation resulted in an overflow.")
}

fn date<'a>(ticks: Option<i64>) -> R<Value<'a>> {
    ticks
        .map(|ticks| Value::DateTime(DateTime { ticks }))
        .ok_or_else(overflow)
}

fn span<'a>(ticks: Option<i64>) -> R<Value<'a>> {
    ticks
        .map(|ticks| Value::TimeSpan(TimeSpan { ticks }))
        .ok_or_else(overflow)
}

fn convert(conv: Conv, v: Value<'_>) -> R<Value<'_>> {
    Ok(match (conv, v) {
        (_, Value::Null) if !matches!(conv, Conv::Unbox(_)) => Value::Null,
        (Conv::ToDouble, v) => Value::Double(num(&v).ok_or_else(|| cast_error(&v, "double"))?),
        (Conv::ToInt, v) => Value::Int(int(&v).ok_or_else(|| cast_error(&v, "int"))?),
        (Conv::Truncate, Value::Double(d)) => Value::Int(if d.is_nan() { i32::MIN } else { d as i32 }),
        (Conv::Truncate, v) => return internal(&v, "double"),
        (Conv::Unbox(t), Value::Null) => {
            if t.admits_null() {
                Value::Null
            } else {
                return null_ref(format_args!("casting to {t}"));
            }
        }
        (Conv::Unbox(t), v) => {
            if v.is_of(t) {
                v
            } else {
                return Err(cast_error(&v, &t.to_string()));
            }
        }
        (Conv::As(t), v) => {
            if v.is_of(t) {
                v
            } else {
                Value::Null
            }
        }
    })
}

fn cast_error(v: &Value<'_>, to: &str) -> EvalError {
    EvalError::new(
        K::InvalidCast,
        format!("Unable to cast object of type '{}' to type '{to}'", v.type_name()),
    )
}
