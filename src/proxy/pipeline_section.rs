//! Driving a policy section that waits: the generic loop of the async-policy
//! contract (`policy::effect`). `exec::run` runs the synchronous ops and
//! stops at one that waits; [`suspended`] performs it (an async policy's
//! start → perform → finish, or a `retry` check and its back-off) and says
//! where the program goes on.
//!
//! Used for inbound, outbound (on a materialised response) and on-error when
//! they hold such an op, and by the backend loop for the async policies it
//! meets (it keeps `forward-request` and its own `retry`, which own the
//! backend connection). A section without such ops never comes here: it
//! runs as plain synchronous code (`pipeline_run::sync_section`).
//!
//! The futures of these paths are boxed where the pipeline awaits them, so
//! the state of a request that never waits (and of every connection's
//! future) does not grow with the HTTP client's.
//!
//! Invariants: nothing borrowed from the request crosses an `.await` but
//! the program, the environment and the request view (all immutable for
//! the request's life); a failure is attributed to the op that suspended.

use super::error::ProxyError;
use crate::policy::effect::Effect;
use crate::policy::exec::{self, Env, RequestView, ResponseView, Run, Stop};
use crate::policy::failure::Failure;
use crate::policy::flow::Flow;
use crate::policy::program::{Op, Program};
use crate::worker::WorkerCtx;

/// Where a program goes on after a suspended op.
pub(super) enum Next {
    /// At this op index.
    At(usize),
    /// The op answered the request: skip the rest of the pipeline.
    Answered,
}

/// Runs `prog` from its start until it ends or answers, performing what
/// waits. For sections that see no backend response head (inbound,
/// outbound on a materialised response, on-error).
pub(super) async fn run_section<'r>(
    ctx: &WorkerCtx,
    prog: &'r Program,
    flow: &mut Flow<'r>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
) -> Result<Stop, ProxyError> {
    let mut pc = 0;
    loop {
        let stop = {
            let mut r = Run {
                flow,
                env,
                req,
                resp: None,
            };
            exec::run(prog, pc, &mut r).map_err(ProxyError::Policy)?
        };
        let Stop::Suspend(i) = stop else {
            return Ok(stop);
        };
        match Box::pin(suspended(ctx, prog, i, flow, env, req, None)).await? {
            Next::At(next) => pc = next,
            Next::Answered => return Ok(Stop::Answered),
        }
    }
}

/// Performs op `i` of `prog`, where `exec::run` suspended: an async policy,
/// or a `retry` check (evaluated, then its back-off slept). Any other op
/// (`forward-request` is the backend loop's) is stepped over.
pub(super) async fn suspended<'r>(
    ctx: &WorkerCtx,
    prog: &'r Program,
    i: usize,
    flow: &mut Flow<'r>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    resp: Option<ResponseView<'_>>,
) -> Result<Next, ProxyError> {
    let at = |f: Failure| ProxyError::Policy(f.in_op(prog.section, i));
    match prog.ops.get(i) {
        Some(Op::Async(policy)) => {
            let effect = {
                let mut r = Run { flow, env, req, resp };
                policy.start(&mut r).map_err(at)?
            };
            let outcome = super::perform::perform(ctx, env.replica, effect, env.trace).await;
            let mut r = Run { flow, env, req, resp };
            policy.finish(&mut r, outcome).map_err(at)?;
            Ok(if r.flow.answered {
                Next::Answered
            } else {
                Next::At(i + 1)
            })
        }
        Some(Op::RetryCheck { retry, slot, start }) => {
            let again = {
                let mut r = Run { flow, env, req, resp };
                retry.again(*slot, &mut r).map_err(at)?
            };
            match again {
                Some(wait) => {
                    if !wait.is_zero() {
                        super::perform::perform(ctx, env.replica, Effect::Sleep(wait), None).await;
                    }
                    Ok(Next::At(*start))
                }
                None => Ok(Next::At(i + 1)),
            }
        }
        Some(Op::Wait(w)) => super::pipeline_wait::wait(ctx, prog, i, w, flow, env, req, resp).await,
        _ => Ok(Next::At(i + 1)),
    }
}
