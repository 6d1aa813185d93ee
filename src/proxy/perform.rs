//! Performing the I/O of async policies (`policy::effect`): one arm per
//! kind of [`Effect`], each turning it into its [`Outcome`] on this worker.
//!
//! Invariants: never blocks the worker (every wait is a future on its
//! runtime); never fails: a failed I/O is an outcome the policy's `finish`
//! turns into a `Failure` (or ignores, `ignore-error`).

use crate::policy::effect::{Effect, Outcome};
use crate::replica::Replica;
use crate::worker::WorkerCtx;

/// Performs `effect` on this worker; `replica` is the request's.
pub async fn perform(ctx: &WorkerCtx, replica: &Replica, effect: Effect) -> Outcome {
    match effect {
        Effect::Nothing => Outcome::Done,
        Effect::Sleep(wait) => {
            monoio::time::sleep(wait).await;
            Outcome::Done
        }
        Effect::Authority(want) => Outcome::Authority(ctx.services.authority.ask(want).await),
        Effect::Cache(e) => Outcome::Cache(crate::cache::perform(&ctx.services.cache, e).await),
        Effect::Http(call) => {
            let result = match super::call::destination(replica, &call) {
                Ok(dest) => ctx.client.send(dest, &call).await,
                Err(e) => Err(e),
            };
            Outcome::Http(result)
        }
        Effect::Detach(call) => {
            match super::call::destination(replica, &call) {
                Ok(dest) => ctx.client.detach(dest, *call),
                Err(e) => tracing::info!(url = %call.url.display(), error = %e, "one-way request not sent"),
            }
            Outcome::Done
        }
    }
}
