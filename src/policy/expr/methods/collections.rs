//! Collection receivers: the dictionaries (`Headers`, `Query`,
//! `MatchedParameters`, `Variables`: `ContainsKey`, `GetValueOrDefault`)
//! and `string[]` (`First`, `Last`, `Length`, `Contains`).
//!
//! Invariants: dictionary lookups read the context without copying (a
//! multi-valued header or query parameter is joined with `,` only when
//! read as one string); `GetValueOrDefault<T>` of a value of another type
//! is `InvalidCastException`, a missing key gives the default argument or
//! `default(T)`.

use std::borrow::Cow;

use super::super::context::Values;
use super::super::eval::{fail, internal, Eval, R};
use super::super::ir::{Method, Node};
use super::super::types::{DictKind, Type};
use super::super::value::Value;
use super::super::EvalErrorKind as K;
use super::text_arg;

impl<'a> Eval<'a> {
    pub(super) fn dict_method(&mut self, m: Method, d: DictKind, args: &'a [Node]) -> R<Value<'a>> {
        let cx = self.cx;
        let key = self.arg(args, 0)?;
        let key = text_arg(&key)?;
        let key: &str = &key;
        match m {
            Method::ContainsKey => Ok(Value::Bool(match d {
                DictKind::Headers(msg) => cx.header(msg, key).is_some(),
                DictKind::Query(k) => cx.query(k, key).is_some(),
                DictKind::MatchedParameters => cx.matched_parameter(key).is_some(),
                DictKind::Variables => cx.variable(key).is_some(),
            })),
            Method::GetValueOrDefault { ty, default } => {
                let found = match d {
                    DictKind::Headers(msg) => cx.header(msg, key).map(|v| Value::Str(Values::joined(v))),
                    DictKind::Query(k) => cx.query(k, key).map(|v| Value::Str(Values::joined(v))),
                    DictKind::MatchedParameters => cx.matched_parameter(key).map(Value::Str),
                    DictKind::Variables => cx.variable(key),
                };
                match found {
                    Some(v) if v.is_of(ty) => Ok(v),
                    Some(v) => fail(
                        K::InvalidCast,
                        format!(
                            "Unable to cast object of type '{}' to type '{ty}' (variable '{key}')",
                            v.type_name()
                        ),
                    ),
                    None if default => self.arg(args, 1),
                    None => Ok(default_value(ty)),
                }
            }
            _ => internal(&Value::Dict(d), "dictionary method"),
        }
    }

    pub(super) fn array_method(&mut self, m: Method, a: Vec<Cow<'a, str>>, args: &'a [Node]) -> R<Value<'a>> {
        Ok(match m {
            Method::First { or_default } | Method::Last { or_default } => {
                let first = matches!(m, Method::First { .. });
                let v = if first {
                    a.into_iter().next()
                } else {
                    a.into_iter().next_back()
                };
                match v {
                    Some(s) => Value::Str(s),
                    None if or_default => Value::Null,
                    None => return fail(K::InvalidOperation, "Sequence contains no elements"),
                }
            }
            Method::ArrayLength => Value::Int(a.len() as i32),
            Method::ArrayContains => {
                let x = self.arg(args, 0)?;
                Value::Bool(a.iter().any(|s| x.as_str() == Some(s)))
            }
            Method::ToText => Value::str("System.String[]"),
            _ => return internal(&Value::Array(a), "string[] method"),
        })
    }
}

/// `default(T)` for GetValueOrDefault without a default argument.
fn default_value(ty: Type) -> Value<'static> {
    match ty {
        Type::Bool => Value::Bool(false),
        Type::Int => Value::Int(0),
        Type::Double => Value::Double(0.0),
        Type::Char => Value::Char('\0'),
        _ => Value::Null,
    }
}
