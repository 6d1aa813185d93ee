//! APIM policy expressions: the C# subset of `@(expression)` and
//! `@{ statements }` that Azure API Management accepts, with the .NET
//! types and members its allow-list names (docs/expressions.md).
//!
//! This crate needs nothing from the gateway: the gateway implements
//! [`Context`] (what `context` reads) and calls [`Expr::compile`] once per
//! expression at load and [`Expr::eval`] per request.
//!
//! Module map (a pipeline; each stage imports only from the ones before it
//! and from the shared data modules `value`, `types`, `error`):
//! - [`syntax`]: lexer, parser, [`syntax::ast`] — text to an untyped tree;
//! - [`compile`]: name resolution, the gradual type checker, the typed IR;
//! - [`eval`]: the evaluator (statements, operators, lambdas, exceptions,
//!   the step and memory budget), implementing [`runtime::Runtime`];
//! - [`library`]: the .NET runtime library, one module per type family
//!   (JSON, XML, text, time, numbers, collections and LINQ, crypto, net),
//!   and the registry of types the checker resolves names against;
//! - [`context`]: the narrow interface to the gateway's request state.
//!
//! Invariants:
//! - a compiled [`Expr`] is plain `Send + Sync` data and never re-parses;
//! - nothing that comes from a policy document or from a request panics:
//!   compile errors are [`CompileError`]s, runtime failures [`EvalError`]s
//!   named after the .NET exception APIM would report;
//! - evaluation is bounded by a step and memory budget.

pub mod compile;
pub mod context;
pub mod error;
pub mod eval;
pub mod library;
pub mod runtime;
pub mod syntax;
pub mod types;
pub mod value;

pub use context::Context;
pub use error::{CompileError, EvalError, EvalErrorKind};
pub use eval::Limits;
pub use types::{TypeDef, TypeRef};
pub use value::{Object, Value};

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod perf_tests;
#[cfg(test)]
pub mod testing;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A compiled policy expression: plain data (`Send + Sync`), compiled once
/// at load and evaluated per request, on any worker.
#[derive(Clone)]
pub struct Expr {
    prog: Arc<compile::ir::Program>,
    /// Where the expression comes from (`apis/x.xml line 12`), for messages.
    origin: Option<Arc<str>>,
    /// The expression's text, for messages.
    source: Arc<str>,
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({})", self.prog.ty)
    }
}

impl Expr {
    /// Compiles a whole attribute value (`@(…)` or `@{…}`, surrounding
    /// whitespace allowed). Errors are located (line, column) in `src`.
    pub fn compile(src: &str) -> Result<Expr, CompileError> {
        Expr::compile_as(src, Want::Any)
    }

    /// Compiles, refusing at load an expression whose static type cannot
    /// convert implicitly to `want` (a dynamic type is converted at run
    /// time: `InvalidCastException` if the value is not a bool for
    /// [`Want::Bool`]).
    pub fn compile_as(src: &str, want: Want) -> Result<Expr, CompileError> {
        match compile::compile(src, want) {
            Ok(prog) => Ok(Expr {
                prog: Arc::new(prog),
                origin: None,
                source: Arc::from(src.trim()),
            }),
            Err(e) => Err(e.locate(src)),
        }
    }

    /// Evaluates against `cx` with the default [`Limits`].
    pub fn eval<'a>(&'a self, cx: &'a dyn Context) -> Result<Value<'a>, EvalError> {
        self.eval_with(cx, &Limits::default())
    }

    /// Evaluates against `cx` within `limits`.
    pub fn eval_with<'a>(&'a self, cx: &'a dyn Context, limits: &Limits) -> Result<Value<'a>, EvalError> {
        eval::run(&self.prog, cx, limits)
    }

    /// Names where the expression comes from (`document line N`), which
    /// [`Expr::describe`] puts in error messages.
    pub fn with_origin(mut self, origin: impl Into<Arc<str>>) -> Expr {
        self.origin = Some(origin.into());
        self
    }

    /// Where the expression comes from, when the caller said.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The expression's text (`@(…)` or `@{…}`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// An evaluation error's message naming the expression: the .NET
    /// exception and message, then where the expression is and its text
    /// (shortened past 200 characters).
    pub fn describe(&self, err: &EvalError) -> String {
        let mut text: String = self.source.chars().take(200).collect();
        if text.len() < self.source.len() {
            text.push('…');
        }
        match &self.origin {
            Some(o) => format!("{err} (in the expression at {o}: {text})"),
            None => format!("{err} (in the expression {text})"),
        }
    }

    /// Evaluates a condition.
    pub fn eval_bool(&self, cx: &dyn Context) -> Result<bool, EvalError> {
        self.eval_bool_with(cx, &Limits::default())
    }

    /// Evaluates a condition within `limits`.
    pub fn eval_bool_with(&self, cx: &dyn Context, limits: &Limits) -> Result<bool, EvalError> {
        match self.eval_with(cx, limits)? {
            Value::Bool(b) => Ok(b),
            v => Err(EvalError::cast(v.type_name(), "bool")),
        }
    }

    /// Evaluates to text: the value's `ToString()` (null is "").
    pub fn eval_string<'a>(&'a self, cx: &'a dyn Context) -> Result<Cow<'a, str>, EvalError> {
        Ok(match self.eval(cx)? {
            Value::Str(s) => s,
            v => Cow::Owned(library::to_text(&v).into_owned()),
        })
    }

    /// The static type, as C# text (`dynamic` when unknown).
    pub fn ty(&self) -> String {
        self.prog.ty.clone()
    }
}

/// Whether an attribute value is a policy expression (starts with `@(` or
/// `@{` after whitespace).
pub fn is_expression(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("@(") || t.starts_with("@{")
}

/// What a policy attribute needs an expression's value to be (the
/// gateway's `<when condition>` needs `Bool`, `set-status code` `Int`…).
/// [`Expr::compile_as`] refuses at load an expression whose static type
/// cannot convert implicitly (`Any` accepts everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Any,
    Bool,
    String,
    Int,
    Double,
}
