//! APIM policy expressions: the C# subset of `@(expression)` and
//! `@{ statements }`, compiled once (lexed, parsed, type-checked, resolved
//! to the typed IR in [`ir`]) and evaluated per request against a
//! [`Context`]. docs/expressions.md lists every supported construct.
//!
//! Invariants:
//! - a compiled [`Expr`] is plain `Send + Sync` data and never re-parses;
//! - everything outside the subset, and every type error, is a
//!   [`CompileError`] naming the construct and its position in the text
//!   given to [`Expr::compile`] (the caller adds the document and line);
//! - evaluation never panics: runtime failures (`int.Parse("x")`, a null
//!   dereference, a missing key with an indexer) are an [`EvalError`] named
//!   after the .NET exception APIM would report, which the engine turns into
//!   `ExpressionValueEvaluationFailure` in on-error.
//!
//! Module map: [`lexer`] → [`parser`] ([`ast`]) → `check` + `members`
//! ([`ir`], [`types`]) → `eval` + `methods` ([`value`], [`context`]);
//! `scan` delimits the wrapper and interpolation holes. Raw policy XML
//! (unescaped `"`, `&&`, `<` in expressions) is made well-formed before
//! this module sees the text, by `policy::document::prepass`.

pub mod ast;
mod check;
pub mod context;
pub mod datetime;
mod eval;
pub mod ir;
pub mod lexer;
mod members;
mod methods;
pub mod parser;
mod scan;
pub mod types;
pub mod value;

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests_check;
#[cfg(test)]
mod tests_docs;
#[cfg(test)]
mod tests_eval;

use std::borrow::Cow;
use std::fmt;

pub use context::{Context, Values};
pub use datetime::{DateTime, TimeSpan};
pub use types::{CertDate, CertName, DictKind, IntField, Msg, Ns, Prim, TextField, Type, UrlKind};
pub use value::Value;

use scan::{scan_code, StrChars};

/// An expression outside the subset or ill-typed. `offset` is a byte
/// offset into the compiled text; `line` and `column` (1-based, columns in
/// chars) locate it within that text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CompileError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl CompileError {
    pub(crate) fn at(offset: usize, message: impl Into<String>) -> CompileError {
        CompileError {
            offset,
            line: 1,
            column: 1,
            message: message.into(),
        }
    }

    fn locate(mut self, src: &str) -> CompileError {
        let offset = self.offset.min(src.len());
        let before = src.get(..offset).unwrap_or(src);
        self.line = before.matches('\n').count() + 1;
        self.column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        self
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (expression line {}, column {})",
            self.message, self.line, self.column
        )
    }
}

/// The .NET exception an evaluation failure corresponds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalErrorKind {
    NullReference,
    KeyNotFound,
    InvalidCast,
    Format,
    Overflow,
    DivideByZero,
    ArgumentOutOfRange,
    IndexOutOfRange,
    ArgumentNull,
    Argument,
    InvalidOperation,
}

impl EvalErrorKind {
    /// The .NET exception type name (`NullReferenceException`, ...).
    pub fn exception(self) -> &'static str {
        match self {
            EvalErrorKind::NullReference => "NullReferenceException",
            EvalErrorKind::KeyNotFound => "KeyNotFoundException",
            EvalErrorKind::InvalidCast => "InvalidCastException",
            EvalErrorKind::Format => "FormatException",
            EvalErrorKind::Overflow => "OverflowException",
            EvalErrorKind::DivideByZero => "DivideByZeroException",
            EvalErrorKind::ArgumentOutOfRange => "ArgumentOutOfRangeException",
            EvalErrorKind::IndexOutOfRange => "IndexOutOfRangeException",
            EvalErrorKind::ArgumentNull => "ArgumentNullException",
            EvalErrorKind::Argument => "ArgumentException",
            EvalErrorKind::InvalidOperation => "InvalidOperationException",
        }
    }
}

/// A runtime failure of an expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.exception())]
pub struct EvalError {
    pub kind: EvalErrorKind,
    pub message: String,
}

impl EvalError {
    pub fn new(kind: EvalErrorKind, message: impl Into<String>) -> EvalError {
        EvalError {
            kind,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Single(ir::Node),
    Block(Box<[ir::Stmt]>),
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    body: Body,
    ty: Type,
    slots: usize,
}

/// Whether an attribute value or element text is an expression: it starts
/// with `@(` or `@{` (after whitespace).
pub fn is_expression(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("@(") || t.starts_with("@{")
}

impl Expr {
    /// Compiles `src`, the whole expression text including its wrapper:
    /// `@(expression)` or `@{ statements }` (surrounding whitespace is
    /// allowed, nothing else). Positions in errors are relative to `src`.
    pub fn compile(src: &str) -> Result<Expr, CompileError> {
        Expr::compile_inner(src).map_err(|e| e.locate(src))
    }

    /// Compiles `src` and requires its type to convert implicitly to
    /// `want` (e.g. [`Type::Bool`] for a `<when condition>`, which then
    /// makes [`Expr::eval_bool`] infallible but for runtime errors).
    pub fn compile_as(src: &str, want: Type) -> Result<Expr, CompileError> {
        let mut e = Expr::compile(src)?;
        if e.ty == want {
            return Ok(e);
        }
        let from = e.ty;
        let fail =
            || CompileError::at(0, format!("the expression has type {from}, but {want} is needed here")).locate(src);
        e.body = match e.body {
            Body::Single(node) => Body::Single(check::convert(node, from, want).ok_or_else(fail)?),
            Body::Block(stmts) => {
                if check::convert(ir::Node::Const(ir::Const::Null), from, want).is_none() {
                    return Err(fail());
                }
                // Implicit conversions that change the value are int/char →
                // double and char → int; wrap the block's result.
                Body::Block(wrap_returns(stmts, from, want))
            }
        };
        e.ty = want;
        Ok(e)
    }

    fn compile_inner(src: &str) -> Result<Expr, CompileError> {
        let start = src.len() - src.trim_start().len();
        let rest = &src[start..];
        let (close, block) = if rest.starts_with("@(") {
            (')', false)
        } else if rest.starts_with("@{") {
            ('}', true)
        } else {
            return Err(CompileError::at(start, "an expression must start with `@(` or `@{`"));
        };
        let inner = start + 2;
        let mut c = StrChars { src, i: inner };
        scan_code(&mut c, &[close]).map_err(|e| CompileError::at(e.at(), e.to_string()))?;
        let end = c.i;
        if !src[end + 1..].trim().is_empty() {
            return Err(CompileError::at(
                end + 1,
                format!("unexpected text after the expression's closing `{close}`"),
            ));
        }
        if block {
            let stmts = parser::parse_block(src, inner, end)?;
            let (stmts, ty, slots) = check::Checker::new().block(&stmts, end)?;
            Ok(Expr {
                body: Body::Block(stmts.into_boxed_slice()),
                ty,
                slots,
            })
        } else {
            let ast = parser::parse_expr(src, inner, end)?;
            let (node, ty) = check::Checker::new().expr(&ast)?;
            Ok(Expr {
                body: Body::Single(node),
                ty,
                slots: 0,
            })
        }
    }

    /// The static type of the expression's value.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// Evaluates against `cx`. The result may borrow from the expression
    /// and from the context (a header value, a literal); it allocates only
    /// as the `eval` module's docs list. Takes `&dyn Context` (a `&mut`
    /// context coerces) so values can borrow from it: expressions never
    /// modify the context.
    pub fn eval<'a>(&'a self, cx: &'a dyn Context) -> Result<Value<'a>, EvalError> {
        match &self.body {
            Body::Single(node) => eval::Eval { cx, locals: Vec::new() }.node(node),
            Body::Block(stmts) => {
                let mut ev = eval::Eval {
                    cx,
                    locals: vec![Value::Null; self.slots],
                };
                Ok(ev.block(stmts)?.unwrap_or(Value::Null))
            }
        }
    }

    /// Evaluates a boolean expression (compile it with
    /// [`Expr::compile_as`]`(.., Type::Bool)`); a non-bool result is an
    /// `InvalidCastException`.
    pub fn eval_bool(&self, cx: &dyn Context) -> Result<bool, EvalError> {
        match self.eval(cx)? {
            Value::Bool(b) => Ok(b),
            v => Err(EvalError::new(
                EvalErrorKind::InvalidCast,
                format!("the expression gave {}, not bool", v.type_name()),
            )),
        }
    }

    /// Evaluates and converts the result with C#'s `ToString()` (`null`
    /// gives ""). Borrows when the result is a string read from the
    /// context or a literal.
    pub fn eval_string<'a>(&'a self, cx: &'a dyn Context) -> Result<Cow<'a, str>, EvalError> {
        Ok(self.eval(cx)?.into_text())
    }
}

fn wrap_returns(stmts: Box<[ir::Stmt]>, from: Type, to: Type) -> Box<[ir::Stmt]> {
    stmts
        .into_vec()
        .into_iter()
        .map(|s| match s {
            ir::Stmt::Return(n) => ir::Stmt::Return(check::convert(n, from, to).expect("checked convertible")),
            ir::Stmt::If(c, t, e) => ir::Stmt::If(c, wrap_returns(t, from, to), wrap_returns(e, from, to)),
            s => s,
        })
        .collect()
}
