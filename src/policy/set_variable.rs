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
    let value = VarValue::compile(c, el, "value")?.ok_or_else(|| c.error(el, "missing attribute `value`"))?;
    Ok(SetVariable {
        name: name.into(),
        value,
    })
}

impl VarValue {
    /// Attribute `name` as a value (`None` when absent): a literal is a
    /// string, an expression keeps its type.
    pub fn compile(c: &Compiler<'_>, el: &Element, name: &str) -> Result<Option<VarValue>, CompileError> {
        match c.attr(el, name) {
            None => Ok(None),
            Some(raw) if is_expression(raw) => Ok(c.expr_attr(el, name, Want::Any)?.map(VarValue::Expr)),
            Some(raw) => Ok(Some(VarValue::Lit(raw.into()))),
        }
    }

    /// The value, for the policy `source`.
    pub fn eval<'p>(&'p self, r: &Run<'_, 'p>, source: &'static str) -> Result<Value<'static>, Failure> {
        match self {
            VarValue::Lit(v) => Ok(Value::string(&**v)),
            VarValue::Expr(e) => r.eval_value(e, source),
        }
    }
}

impl SetVariable {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let v = self.value.eval(r, "set-variable")?;
        r.flow.set_var(std::borrow::Cow::Borrowed(&self.name), v);
        Ok(())
    }
}
