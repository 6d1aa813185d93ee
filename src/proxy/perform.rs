//! Performing the I/O of async policies (`policy::effect`): one arm per
//! kind of [`Effect`], each turning it into its [`Outcome`] on this worker.
//!
//! Invariants: never blocks the worker (every wait is a future on its
//! runtime); never fails: a failed I/O is an outcome the policy's `finish`
//! turns into a `Failure` (or ignores, `ignore-error`).

use crate::policy::effect::{Effect, Outcome};
use crate::worker::WorkerCtx;

/// Performs `effect` on this worker.
pub async fn perform(ctx: &WorkerCtx, effect: Effect) -> Outcome {
    let _ = ctx;
    match effect {
        Effect::Nothing => Outcome::Done,
        Effect::Sleep(wait) => {
            monoio::time::sleep(wait).await;
            Outcome::Done
        }
        Effect::Cache(e) => Outcome::Cache(crate::cache::perform(&ctx.services.cache, e).await),
    }
}
