//! TEMPORARY stand-in until the `expr` branch lands: the interface the
//! engine uses, with no expression support (every expression is refused at
//! configuration time, so nothing can fail at run time).

use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i32),
    Str(Cow<'a, str>),
}

impl Value<'_> {
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
        }
    }

    pub fn string(s: impl Into<String>) -> Value<'static> {
        Value::Str(Cow::Owned(s.into()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Bool,
    Int,
    Double,
    String,
    Object,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub trait Context {}

#[derive(Debug, Clone)]
pub struct Expr(());

impl Expr {
    pub fn compile_as(_src: &str, _ty: Type) -> Result<Expr, String> {
        Err("policy expressions are not supported in this build".into())
    }

    pub fn eval<'a>(&'a self, _cx: &'a dyn Context) -> Result<Value<'a>, EvalError> {
        Err(EvalError("unreachable".into()))
    }

    pub fn eval_bool(&self, _cx: &dyn Context) -> Result<bool, EvalError> {
        Err(EvalError("unreachable".into()))
    }

    pub fn eval_string<'a>(&'a self, _cx: &'a dyn Context) -> Result<Cow<'a, str>, EvalError> {
        Err(EvalError("unreachable".into()))
    }
}
