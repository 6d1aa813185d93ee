//! `wait`: run its children concurrently and go on when all of them (or the
//! first one, `for="any"`) have completed.
//!
//! ```xml
//! <wait for="all">
//!   <send-request mode="new" response-variable-name="profile">…</send-request>
//!   <send-request mode="new" response-variable-name="orders">…</send-request>
//! </wait>
//! ```
//! Children: `send-request`, `cache-lookup-value` and `choose` (whose
//! branches may hold any policy). Each child is compiled into its own
//! small [`Program`]; the proxy runs them on the worker as concurrent
//! futures (`proxy::pipeline_wait`): the synchronous parts of each branch
//! run between the waits, the I/O of every branch is in flight at once.
//! With `any`, the first child to complete ends the `wait` and the others'
//! calls are dropped (their connections closed; what they already set
//! stays). Allowed in inbound, backend and outbound (not on-error, not
//! inside `retry`).

use super::exec::Run;
use super::failure::Failure;
use super::program::Program;
use super::text::Text;

/// `for`.
#[derive(Clone, Debug)]
pub enum WaitFor {
    All,
    Any,
    Expr(Text),
}

#[derive(Clone, Debug)]
pub struct Wait {
    pub for_: WaitFor,
    /// One program per child, in document order.
    pub branches: Vec<Program>,
}

/// Parses a literal `for`.
pub fn parse_for(s: &str) -> Option<WaitFor> {
    match s.trim() {
        s if s.eq_ignore_ascii_case("all") => Some(WaitFor::All),
        s if s.eq_ignore_ascii_case("any") => Some(WaitFor::Any),
        _ => None,
    }
}

impl Wait {
    /// Whether the first child to complete ends the wait.
    pub fn any<'p>(&'p self, r: &Run<'_, 'p>) -> Result<bool, Failure> {
        match &self.for_ {
            WaitFor::All => Ok(false),
            WaitFor::Any => Ok(true),
            WaitFor::Expr(t) => match parse_for(&r.eval(t, "wait")?) {
                Some(WaitFor::Any) => Ok(true),
                Some(_) => Ok(false),
                None => Err(Failure::expression("wait", "for must be all or any".into())),
            },
        }
    }
}
