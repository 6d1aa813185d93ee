//! The evaluator over the compiled IR: a tree walker with one flat frame
//! of slots (locals, lambda parameters, temporaries), implementing
//! [`Runtime`] for the library (lambda calls, `out` values, the budget).
//!
//! Module map: `expr` (expressions, calls), `build` (creation, strings),
//! `assign` (assignments, `++`/`--`), `stmt` (statements, loops,
//! exceptions), `ops` (operators, equality, comparisons), `numeric` (C#'s
//! arithmetic and the primitive numeric conversions). Object receivers
//! are kept alive until the evaluation ends (JSON and XML parents are
//! weak links).
//!
//! Invariants: evaluation never panics; every statement, loop iteration,
//! call and lambda invocation charges a step and every string or array
//! the evaluator builds charges its bytes, so [`Limits`] bound any
//! evaluation; a budget error ([`EvalErrorKind::Budget`]) is never caught
//! by `catch`. Frames are inline for up to eight slots, call arguments for
//! up to four: one-line expressions allocate nothing of their own.

use std::rc::Rc;

use smallvec::SmallVec;

use crate::compile::ir::{Body, Program};
use crate::context::Context;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::numbers;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::{Object, Value};
use crate::Want;

mod assign;
mod build;
mod expr;
mod numeric;
pub(crate) mod ops;
mod stmt;

use stmt::Flow;

/// How deeply lambda invocations may nest.
const MAX_INVOKE_DEPTH: u32 = 64;

/// The budget of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Statements, loop iterations, calls, lambda invocations, and the
    /// elements library members touch.
    pub max_steps: u64,
    /// Bytes of strings, arrays, collections and documents built during
    /// the evaluation (counted as allocated, never given back).
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_steps: 1_000_000,
            max_bytes: 16 << 20,
        }
    }
}

/// One evaluation.
pub(crate) struct Machine<'a> {
    prog: &'a Program,
    cx: &'a dyn Context,
    slots: SmallVec<[Value<'a>; 8]>,
    steps: u64,
    bytes: usize,
    limits: Limits,
    /// Values the current calls set with `set_out` (position, value).
    outs: SmallVec<[(usize, Value<'a>); 2]>,
    depth: u32,
    /// Objects that were receivers of member accesses, kept alive until
    /// the evaluation ends, as a garbage collector would: JSON and XML
    /// nodes link to their parent weakly, and `Parse(…)["a"].Parent` must
    /// still find the parsed root.
    keep: Vec<Rc<dyn Object>>,
}

/// How many receivers an evaluation keeps alive at most.
const MAX_KEEP: usize = 1 << 16;

/// Evaluates a compiled expression against `cx`.
pub(crate) fn run<'a>(prog: &'a Program, cx: &'a dyn Context, limits: &Limits) -> EvalResult<Value<'a>> {
    let mut m = Machine {
        prog,
        cx,
        slots: SmallVec::new(),
        steps: 0,
        bytes: 0,
        limits: *limits,
        outs: SmallVec::new(),
        depth: 0,
        keep: Vec::new(),
    };
    m.slots.resize(prog.slots as usize, Value::Null);
    let v = match &prog.body {
        Body::Expr(n) => m.eval(n)?,
        Body::Block(b) => match m.exec_block(b)? {
            Flow::Return(v) => v,
            _ => Value::Null,
        },
    };
    if prog.want_exact {
        return Ok(v);
    }
    m.want(v, prog.want)
}

impl<'a> Machine<'a> {
    fn slot(&self, s: u32) -> Value<'a> {
        self.slots.get(s as usize).cloned().unwrap_or(Value::Null)
    }

    fn set_slot(&mut self, s: u32, v: Value<'a>) {
        if let Some(x) = self.slots.get_mut(s as usize) {
            *x = v;
        }
    }

    /// Keeps an object receiver alive until the evaluation ends.
    fn keep_alive(&mut self, v: &Value<'a>) {
        if let Value::Obj(o) = v {
            if self.keep.len() < MAX_KEEP && !self.keep.last().is_some_and(|k| Rc::ptr_eq(k, o)) {
                self.keep.push(o.clone());
            }
        }
    }

    fn take_slot(&mut self, s: u32) -> Value<'a> {
        self.slots
            .get_mut(s as usize)
            .map(|x| std::mem::replace(x, Value::Null))
            .unwrap_or(Value::Null)
    }

    /// The result converted to what the caller wants.
    fn want(&mut self, v: Value<'a>, want: Want) -> EvalResult<Value<'a>> {
        let to = match want {
            Want::Any | Want::String => return Ok(v),
            Want::Bool => {
                return match v {
                    Value::Bool(_) => Ok(v),
                    v => Err(EvalError::cast(v.type_name(), "bool")),
                }
            }
            Want::Int => &numbers::INT32,
            Want::Double => &numbers::DOUBLE,
        };
        match (&v, want) {
            (Value::Int(_), Want::Int) | (Value::Double(_), Want::Double) => Ok(v),
            (Value::Null, _) => Err(EvalError::new(
                EvalErrorKind::NullReference,
                format!("the expression gave null where an {} is needed", TypeRef::of(to)),
            )),
            _ => self.convert(v, &TypeRef::of(to), false, false),
        }
    }

    /// A conversion: the primitive numeric ones here, the rest in the library.
    pub(crate) fn convert(
        &mut self,
        v: Value<'a>,
        to: &TypeRef,
        explicit: bool,
        checked: bool,
    ) -> EvalResult<Value<'a>> {
        if let Some(r) = ops::convert_prim(&v, to, explicit, checked) {
            return r;
        }
        crate::library::convert(self, v, to, explicit, checked)
    }
}

impl<'a> Runtime<'a> for Machine<'a> {
    fn context(&self) -> &'a dyn Context {
        self.cx
    }

    fn invoke(&mut self, f: &Value<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
        let prog: &'a Program = self.prog;
        let Value::Lambda(i) = f else {
            return Err(EvalError::argument(format!(
                "expected a lambda, got a {}",
                f.type_name()
            )));
        };
        let Some(l) = prog.lambdas.get(*i as usize) else {
            return Err(EvalError::argument("no such lambda"));
        };
        if l.params.len() != args.len() {
            return Err(EvalError::argument(format!(
                "the lambda takes {} argument(s), not {}",
                l.params.len(),
                args.len()
            )));
        }
        self.charge(1)?;
        if self.depth >= MAX_INVOKE_DEPTH {
            return Err(EvalError::new(EvalErrorKind::Budget, "lambdas nest too deeply"));
        }
        self.depth += 1;
        for (s, a) in l.params.iter().zip(args) {
            self.set_slot(*s, a.clone());
        }
        let r = match &l.body {
            Body::Expr(n) => self.eval(n),
            Body::Block(b) => self.exec_block(b).map(|f| match f {
                Flow::Return(v) => v,
                _ => Value::Null,
            }),
        };
        self.depth -= 1;
        r
    }

    fn lambda_arity(&self, f: &Value<'a>) -> Option<usize> {
        match f {
            Value::Lambda(i) => self.prog.lambdas.get(*i as usize).map(|l| l.params.len()),
            _ => None,
        }
    }

    fn set_out(&mut self, arg: usize, value: Value<'a>) -> EvalResult<()> {
        self.outs.push((arg, value));
        Ok(())
    }

    fn charge(&mut self, steps: u64) -> EvalResult<()> {
        self.steps = self.steps.saturating_add(steps);
        if self.steps > self.limits.max_steps {
            return Err(EvalError::new(
                EvalErrorKind::Budget,
                format!(
                    "the expression used more than its budget of {} steps (an endless loop?)",
                    self.limits.max_steps
                ),
            ));
        }
        Ok(())
    }

    fn alloc(&mut self, bytes: usize) -> EvalResult<()> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.limits.max_bytes {
            return Err(EvalError::new(
                EvalErrorKind::Budget,
                format!(
                    "the expression allocated more than its budget of {} bytes",
                    self.limits.max_bytes
                ),
            ));
        }
        Ok(())
    }

    fn random_u64(&mut self) -> u64 {
        rand::random()
    }
}
