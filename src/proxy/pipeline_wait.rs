//! Running `wait`: its branches' programs concurrently on the worker.
//!
//! Each branch runs synchronously (`exec::run`) until it reaches an op that
//! waits; its effect is started and the future performing it (owning its
//! inputs) joins the set in flight. The set is polled together; when one
//! completes, its branch's `finish` runs and the branch goes on to its next
//! wait or its end. `for="all"` ends when every branch has ended,
//! `for="any"` when the first one has (the other futures are dropped:
//! their connections close, nothing else of them runs).
//!
//! Invariants: the flow is only touched between polls (synchronous parts),
//! so branches never see each other half-way; a failure in a branch ends
//! the `wait` with that failure, attributed to the `wait` element; a
//! branch that answers (a `return-response` in a `choose`) ends the
//! pipeline.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use super::error::ProxyError;
use super::pipeline_section::Next;
use crate::policy::effect::{Effect, Outcome};
use crate::policy::exec::{self, Env, RequestView, ResponseView, Run, Stop};
use crate::policy::failure::Failure;
use crate::policy::flow::Flow;
use crate::policy::program::{Op, Program};
use crate::policy::wait::Wait;
use crate::worker::WorkerCtx;

type Pending<'a> = Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// What a branch does when its pending future completes.
enum Resume {
    /// Run the `finish` of the async op at this index, then go on after it.
    Finish(usize),
    /// Go on at this index (after a `retry` back-off).
    At(usize),
}

/// Runs `w` (op `i` of `prog`) and says where `prog` goes on.
#[allow(clippy::too_many_arguments)]
pub(super) async fn wait<'r>(
    ctx: &WorkerCtx,
    prog: &'r Program,
    i: usize,
    w: &'r Wait,
    flow: &mut Flow<'r>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    resp: Option<ResponseView<'_>>,
) -> Result<Next, ProxyError> {
    let fail = |mut f: Failure| {
        // Attributed to the `wait` element (the branch's own index means
        // nothing in `prog`).
        f.at = None;
        ProxyError::Policy(f.in_op(prog.section, i))
    };
    let any = {
        let r = Run { flow, env, req, resp };
        w.any(&r).map_err(fail)?
    };
    let n = w.branches.len();
    let mut pending: Vec<Option<(Pending<'_>, Resume)>> = (0..n).map(|_| None).collect();
    let mut ended = vec![false; n];
    for b in 0..n {
        match advance(ctx, env, &w.branches[b], 0, flow, req, resp).map_err(fail)? {
            Step::Ended => ended[b] = true,
            Step::Answered => return Ok(Next::Answered),
            Step::Waits(fut, resume) => pending[b] = Some((fut, resume)),
        }
        if any && ended[b] {
            return Ok(Next::At(i + 1));
        }
    }
    while ended.iter().any(|e| !e) {
        let (b, outcome) = std::future::poll_fn(|cx| {
            for (b, slot) in pending.iter_mut().enumerate() {
                if let Some((fut, _)) = slot {
                    if let Poll::Ready(outcome) = fut.as_mut().poll(cx) {
                        return Poll::Ready((b, outcome));
                    }
                }
            }
            Poll::Pending
        })
        .await;
        let Some((_, resume)) = pending.get_mut(b).and_then(Option::take) else {
            continue;
        };
        let branch = &w.branches[b];
        let at = match resume {
            Resume::At(pc) => pc,
            Resume::Finish(pc) => {
                let Some(Op::Async(policy)) = branch.ops.get(pc) else {
                    continue;
                };
                let mut r = Run { flow, env, req, resp };
                policy.finish(&mut r, outcome).map_err(fail)?;
                if r.flow.answered {
                    return Ok(Next::Answered);
                }
                pc + 1
            }
        };
        match advance(ctx, env, branch, at, flow, req, resp).map_err(fail)? {
            Step::Ended => ended[b] = true,
            Step::Answered => return Ok(Next::Answered),
            Step::Waits(fut, resume) => pending[b] = Some((fut, resume)),
        }
        if any && ended[b] {
            break;
        }
    }
    Ok(Next::At(i + 1))
}

/// Where a branch stands after running its synchronous part.
enum Step<'a> {
    Ended,
    Answered,
    Waits(Pending<'a>, Resume),
}

/// Runs `branch` from `pc` to its next wait (started) or its end.
fn advance<'a, 'r: 'a>(
    ctx: &'a WorkerCtx,
    env: &'r Env<'r>,
    branch: &'r Program,
    mut pc: usize,
    flow: &mut Flow<'r>,
    req: RequestView<'r>,
    resp: Option<ResponseView<'_>>,
) -> Result<Step<'a>, Failure> {
    loop {
        let mut r = Run { flow, env, req, resp };
        let i = match exec::run(branch, pc, &mut r)? {
            Stop::End => return Ok(Step::Ended),
            Stop::Answered => return Ok(Step::Answered),
            Stop::Suspend(i) => i,
        };
        match branch.ops.get(i) {
            Some(Op::Async(policy)) => {
                let effect = policy.start(&mut r)?;
                let replica = env.replica;
                let fut: Pending<'a> = Box::pin(super::perform::perform(ctx, replica, effect, env.trace));
                return Ok(Step::Waits(fut, Resume::Finish(i)));
            }
            Some(Op::RetryCheck { retry, slot, start }) => match retry.again(*slot, &mut r)? {
                Some(wait) if !wait.is_zero() => {
                    let fut: Pending<'a> =
                        Box::pin(super::perform::perform(ctx, env.replica, Effect::Sleep(wait), None));
                    return Ok(Step::Waits(fut, Resume::At(*start)));
                }
                Some(_) => pc = *start,
                None => pc = i + 1,
            },
            // Forwarding and nested waits are not compiled into branches.
            _ => pc = i + 1,
        }
    }
}
