//! Runtime behaviour of the methods and properties in the subset, with
//! .NET's semantics: string indices and lengths count UTF-16 code units,
//! comparisons are ordinal (optionally ignoring case), failures are the
//! exceptions .NET would throw.
//!
//! [`Eval::call`] dispatches on the receiver's runtime value: `string`
//! receivers in `string`, `DateTime`/`TimeSpan` in `date`, dictionaries and
//! `string[]` in `collections`, receiver-less (static) calls in `statics`;
//! `format` holds the .NET format strings they share. The checker has
//! already resolved every call to a [`Method`] valid for the receiver's
//! static type, so a mismatch here is an internal error, never a panic.

use std::borrow::Cow;

use super::eval::{fail, internal, Eval, R};
use super::ir::{Method, Node};
use super::types::Ns;
use super::value::Value;
use super::EvalErrorKind as K;
use format::format_value;

mod collections;
mod date;
mod format;
mod statics;
mod string;

pub(super) fn text_arg<'v>(v: &'v Value<'_>) -> R<Cow<'v, str>> {
    match v {
        Value::Str(s) => Ok(Cow::Borrowed(s)),
        Value::Char(c) => Ok(Cow::Owned(c.to_string())),
        Value::Null => fail(K::ArgumentNull, "Value cannot be null."),
        v => internal(v, "string"),
    }
}

pub(super) fn int_arg(v: &Value<'_>) -> R<i32> {
    match v {
        Value::Int(i) => Ok(*i),
        v => internal(v, "int"),
    }
}

pub(super) fn out_of_range<T>(what: &str) -> R<T> {
    fail(K::ArgumentOutOfRange, format!("{what} is out of range"))
}

impl<'a> Eval<'a> {
    pub(super) fn arg(&mut self, args: &'a [Node], i: usize) -> R<Value<'a>> {
        match args.get(i) {
            Some(n) => self.node(n),
            None => Ok(Value::Null),
        }
    }

    pub fn call(&mut self, m: Method, recv: Option<Value<'a>>, args: &'a [Node]) -> R<Value<'a>> {
        let Some(recv) = recv else {
            return self.call_static(m, args);
        };
        let cx = self.cx;
        match recv {
            Value::Dict(d) => self.dict_method(m, d, args),
            Value::Str(s) => self.string_method(m, s, args),
            Value::Array(a) => self.array_method(m, a, args),
            Value::DateTime(d) => self.date_method(m, d, args),
            Value::TimeSpan(t) => date::span_method(m, t),
            Value::Ns(Ns::Certificate) if m == Method::CertVerify => Ok(Value::Bool(cx.verify_certificate())),
            Value::Ns(Ns::Body(msg)) => {
                let preserve = matches!(self.arg(args, 0)?, Value::Bool(true));
                match cx.body(msg, preserve) {
                    Ok(text) => Ok(Value::Str(text)),
                    Err(why) => fail(K::InvalidOperation, why),
                }
            }
            other => match m {
                Method::ToText => Ok(Value::Str(Cow::Owned(other.to_text().into_owned()))),
                Method::ToTextFormat => {
                    let f = self.arg(args, 0)?;
                    format_value(&other, &text_arg(&f)?)
                }
                _ => internal(&other, "receiver"),
            },
        }
    }
}
