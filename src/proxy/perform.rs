//! Performing the I/O of async policies (`policy::effect`): one arm per
//! kind of [`Effect`], each turning it into its [`Outcome`] on this worker.
//!
//! Invariants: never blocks the worker (every wait is a future on its
//! runtime); never fails: a failed I/O is an outcome the policy's `finish`
//! turns into a `Failure` (or ignores, `ignore-error`).

use crate::authority::{AuthorityError, Got};
use crate::policy::effect::CallError;
use crate::policy::effect::{Effect, HttpCall, Outcome};
use crate::replica::Replica;
use crate::telemetry::spans::RequestTrace;
use crate::worker::WorkerCtx;

/// Performs `effect` on this worker; `replica` and `trace` are the
/// request's (calls carry its trace context and get client spans).
pub async fn perform(ctx: &WorkerCtx, replica: &Replica, effect: Effect, trace: Option<&RequestTrace>) -> Outcome {
    match effect {
        Effect::Nothing => Outcome::Done,
        Effect::Sleep(wait) => {
            monoio::time::sleep(wait).await;
            Outcome::Done
        }
        Effect::Authority(want) => Outcome::Authority(ctx.services.authority.ask(want).await),
        Effect::Cache(e) => Outcome::Cache(crate::cache::perform(&ctx.services.cache, e).await),
        Effect::Http(mut call) => {
            let Some(bearer) = call.bearer.take() else {
                return Outcome::Http(send(ctx, replica, &mut call, trace).await);
            };
            match ctx.services.authority.ask(bearer.want).await {
                Ok(Got::Token(token)) => {
                    call.set_bearer(&token.value);
                    let sent = send(ctx, replica, &mut call, trace).await;
                    Outcome::Authorized(token, Box::new(Outcome::Http(sent)))
                }
                Err(e) if bearer.ignore_error => {
                    tracing::debug!(error = %e, "no token for the call; ignore-error sends it without one");
                    Outcome::Http(send(ctx, replica, &mut call, trace).await)
                }
                Ok(Got::OpenId(_)) => Outcome::Authority(Err(AuthorityError::Unavailable(
                    "the identity-provider thread answered with keys, not a token".into(),
                ))),
                Err(e) => Outcome::Authority(Err(e)),
            }
        }
        Effect::Detach(mut call) => {
            super::trace_calls::one_way(trace, &mut call);
            match super::call::destination(replica, &call) {
                Ok(dest) => ctx.client.detach(dest, *call),
                Err(e) => tracing::info!(url = %call.url.display(), error = %e, "one-way request not sent"),
            }
            Outcome::Done
        }
    }
}

/// Sends `call` over the worker's pools, as a client span of `trace`.
async fn send(
    ctx: &WorkerCtx,
    replica: &Replica,
    call: &mut HttpCall,
    trace: Option<&RequestTrace>,
) -> Result<crate::policy::effect::HttpResponse, CallError> {
    let span = super::trace_calls::begin_send(ctx.tracer.as_ref(), trace, call);
    let sent = match super::call::destination(replica, call) {
        Ok(dest) => ctx.client.send(dest, call).await,
        Err(e) => Err(e),
    };
    super::trace_calls::end_send(trace, span, &sent);
    sent
}
