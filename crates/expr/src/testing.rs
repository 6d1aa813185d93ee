//! Test support for library families: [`TestRt`], a [`Runtime`] whose
//! lambdas are Rust closures and whose context is empty, so a family's
//! members can be unit-tested without the parser or the evaluator.
//! (Expression-level tests go through `Expr::compile` and the conformance
//! tables in `tests/conformance/`.)

use std::borrow::Cow;

use crate::context::{Context, IntField, Msg, Ns, TextField, UrlKind, Values};
use crate::error::{EvalError, EvalResult};
use crate::library::time::datetime::{DateTime, TimeSpan};
use crate::runtime::Runtime;
use crate::value::Value;

/// A context with nothing in it and a fixed clock (2024-01-02T03:04:05Z).
pub struct EmptyContext;

impl Context for EmptyContext {
    fn text(&self, _: TextField) -> Option<Cow<'_, str>> {
        None
    }
    fn int(&self, _: IntField) -> i32 {
        0
    }
    fn present(&self, _: Ns) -> bool {
        false
    }
    fn header(&self, _: Msg, _: &str) -> Option<Values<'_>> {
        None
    }
    fn query(&self, _: UrlKind, _: &str) -> Option<Values<'_>> {
        None
    }
    fn matched_parameter(&self, _: &str) -> Option<Cow<'_, str>> {
        None
    }
    fn variable(&self, _: &str) -> Option<Value<'_>> {
        None
    }
    fn set_variable(&mut self, _: &str, _: Value<'static>) {}
    fn timestamp(&self) -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }
    fn elapsed(&self) -> TimeSpan {
        TimeSpan::from_millis(5)
    }
    fn now(&self) -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }
}

static EMPTY: EmptyContext = EmptyContext;

type Lambda = Box<dyn Fn(Vec<Value<'static>>) -> EvalResult<Value<'static>>>;

/// A runtime for unit tests: `lambdas[i]` is what `Value::Lambda(i)` calls.
#[derive(Default)]
pub struct TestRt {
    pub lambdas: Vec<Lambda>,
    /// Each lambda's number of parameters (what `lambda_arity` reports).
    pub arities: Vec<usize>,
    pub steps: u64,
    pub bytes: usize,
    /// Budget limits (0 = unlimited).
    pub max_steps: u64,
    pub max_bytes: usize,
    /// What members wrote with `set_out`, by argument position.
    pub outs: Vec<(usize, Value<'static>)>,
    seed: u64,
}

impl TestRt {
    pub fn new() -> TestRt {
        TestRt::default()
    }

    /// Adds a lambda; returns the value that calls it.
    pub fn lambda(
        &mut self,
        f: impl Fn(Vec<Value<'static>>) -> EvalResult<Value<'static>> + 'static,
    ) -> Value<'static> {
        self.lambda_n(1, f)
    }

    /// Adds a lambda taking `arity` parameters (LINQ's index overloads
    /// choose by it: `Where((x, i) => …)`).
    pub fn lambda_n(
        &mut self,
        arity: usize,
        f: impl Fn(Vec<Value<'static>>) -> EvalResult<Value<'static>> + 'static,
    ) -> Value<'static> {
        self.lambdas.push(Box::new(f));
        self.arities.push(arity);
        Value::Lambda((self.lambdas.len() - 1) as u32)
    }
}

impl<'a> Runtime<'a> for TestRt {
    fn context(&self) -> &'a dyn Context {
        &EMPTY
    }

    fn invoke(&mut self, f: &Value<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
        let Value::Lambda(i) = f else {
            return Err(EvalError::argument("not a lambda"));
        };
        let f = self
            .lambdas
            .get(*i as usize)
            .ok_or_else(|| EvalError::argument("no such lambda"))?;
        f(args.iter().cloned().map(Value::into_owned).collect())
    }

    fn lambda_arity(&self, f: &Value<'a>) -> Option<usize> {
        match f {
            Value::Lambda(i) => self.arities.get(*i as usize).copied(),
            _ => None,
        }
    }

    fn set_out(&mut self, arg: usize, value: Value<'a>) -> EvalResult<()> {
        self.outs.push((arg, value.into_owned()));
        Ok(())
    }

    fn charge(&mut self, steps: u64) -> EvalResult<()> {
        self.steps += steps;
        if self.max_steps > 0 && self.steps > self.max_steps {
            return Err(EvalError::new(crate::EvalErrorKind::Budget, "step budget exceeded"));
        }
        Ok(())
    }

    fn alloc(&mut self, bytes: usize) -> EvalResult<()> {
        self.bytes += bytes;
        if self.max_bytes > 0 && self.bytes > self.max_bytes {
            return Err(EvalError::new(crate::EvalErrorKind::Budget, "memory budget exceeded"));
        }
        Ok(())
    }

    fn random_u64(&mut self) -> u64 {
        // splitmix64: deterministic in tests.
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The context conformance cases run against (the integrator fills it
/// with a sample request: headers, query, variables, subscription…).
pub fn sample_context() -> &'static dyn Context {
    &EMPTY
}
