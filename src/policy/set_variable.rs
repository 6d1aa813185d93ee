//! `set-variable`: store a value in `context.Variables`.
//!
//! ```xml
//! <set-variable name="user" value="@(context.Request.Headers.GetValueOrDefault("X-User", ""))"/>
//! ```
//! A literal value is a string; an expression keeps its type.

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::{Expr, Value, Want};
use super::failure::Failure;
use super::text::is_expression;

#[derive(Clone, Debug)]
pub enum VarValue {
    /// A literal string (kept as text: runtime values are per-worker and
    /// not `Send`, the compiled program is).
    Lit(Box<str>),
    Expr(Expr),
}

#[derive(Clone, Debug)]
pub struct SetVariable {
    pub name: Box<str>,
    pub value: VarValue,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SetVariable, CompileError> {
    let name = c.required(el, "name")?;
    if name.is_empty() {
        return Err(c.error(el, "empty variable name"));
    }
    let raw = c.required(el, "value")?;
    let value = if is_expression(raw) {
        VarValue::Expr(
            c.expr_attr(el, "value", Want::Any)?
                .ok_or_else(|| c.error(el, "missing attribute `value`"))?,
        )
    } else {
        VarValue::Lit(raw.into())
    };
    Ok(SetVariable {
        name: name.into(),
        value,
    })
}

impl SetVariable {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let v = match &self.value {
            VarValue::Lit(v) => Value::string(&**v),
            VarValue::Expr(e) => r.eval_value(e, "set-variable")?,
        };
        r.flow.set_var(std::borrow::Cow::Borrowed(&self.name), v);
        Ok(())
    }
}
