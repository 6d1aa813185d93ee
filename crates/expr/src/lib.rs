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
pub use types::{TypeDef, TypeRef};
pub use value::{Object, Value};

#[cfg(test)]
pub mod testing;

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
