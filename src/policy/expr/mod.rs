//! Policy expressions. The language (the C# subset APIM accepts, its
//! checker, evaluator and .NET runtime library) is the `outpost-expr` crate
//! in `crates/expr`, which imports nothing from the gateway; this module
//! re-exports what the policy engine uses, and `policy::context`
//! implements its [`Context`] over a running request.

pub use outpost_expr::context::{
    Context, DateField, DictKind, FlagField, IntField, Msg, Ns, TextField, UrlKind, Values,
};
pub use outpost_expr::library::time::{DateTime, TimeSpan};
pub use outpost_expr::{CompileError, EvalError, EvalErrorKind, Value, Want};
pub use outpost_expr::{Expr, Limits};
