//! What a library member may ask of the evaluation it runs in: call a
//! lambda argument, charge the budget, read the context and the clock.
//! The evaluator implements [`Runtime`]; library families take
//! `&mut dyn Runtime<'a>` so they never depend on the evaluator.

use crate::context::Context;
use crate::error::EvalResult;
use crate::library::time::datetime::DateTime;
use crate::value::Value;

/// The services of one evaluation.
pub trait Runtime<'a> {
    /// The request state `context` reads.
    fn context(&self) -> &'a dyn Context;

    /// Calls `f` (a [`Value::Lambda`] argument) with `args`. Errors if `f`
    /// is not a lambda or has another number of parameters.
    fn invoke(&mut self, f: &Value<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>>;

    /// The number of parameters of lambda `f` (LINQ overloads such as
    /// `Select((x, i) => …)` choose by it); `None` if `f` is not a lambda.
    fn lambda_arity(&self, f: &Value<'a>) -> Option<usize>;

    /// Writes the `out` argument at position `arg` of the current call
    /// (`int.TryParse(s, out var n)`: the family calls `set_out(1, n)`).
    /// The evaluator passes `Value::Null` in that position and assigns the
    /// value to the argument's variable when the call returns.
    fn set_out(&mut self, arg: usize, value: Value<'a>) -> EvalResult<()>;

    /// Charges `steps` units of work (one per loop iteration, per element a
    /// LINQ operator or a parser touches): an error once the evaluation's
    /// step budget is spent. Library code that loops over input calls it.
    fn charge(&mut self, steps: u64) -> EvalResult<()>;

    /// Charges `bytes` of memory the evaluation allocates (strings, arrays,
    /// collections, parsed documents): an error past the memory cap.
    fn alloc(&mut self, bytes: usize) -> EvalResult<()>;

    /// `DateTime.UtcNow` (from the context, so tests can fix the clock).
    fn now(&self) -> DateTime {
        self.context().now()
    }

    /// 64 random bits (`Random`, `Guid.NewGuid`, `RandomNumberGenerator`):
    /// from the operating system's generator.
    fn random_u64(&mut self) -> u64;
}
