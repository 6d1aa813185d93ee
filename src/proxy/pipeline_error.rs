//! The failure path of a policy pipeline: running `on-error` with the
//! error's APIM response as its starting point, building
//! `context.LastError` from the failing op's site, and logging the failure.
//!
//! Invariants: a failure releases every `limit-concurrency` slot before
//! `on-error` runs; a failure inside `on-error` answers with the original
//! error's response; `LastError` names the failing policy's section, scope,
//! path and id, or for a built-in step the section it happened in.

use std::borrow::Cow;

use super::error::{error_body, ProxyError};
use super::pipeline_run::{sync_section, State};
use super::pipeline_section::run_section;
use super::Exchange;
use crate::pipeline::Pipeline;
use crate::policy::exec::{Env, RequestView};
use crate::policy::failure::LastError;
use crate::policy::flow::{Flow, ResponseEdits};

pub(super) fn log_policy_failure(x: &Exchange<'_>, env: &Env<'_>, e: &ProxyError) {
    tracing::debug!(
        worker = x.ctx.id,
        api = %env.api.id,
        operation = %env.op.id,
        peer = %x.peer,
        source = e.source_name(),
        reason = e.reason(),
        error = %e,
        "request failed in the policy pipeline"
    );
}

/// Runs on-error: the response starts as the error's APIM response and the
/// section may change or replace it.
pub(super) async fn on_error<'r>(
    ctx: &crate::worker::WorkerCtx,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    pipeline: &'r Pipeline,
    flow: &mut Flow<'r>,
    st: &State,
    e: &ProxyError,
) {
    // A failure leaves every `limit-concurrency` block: give the slots back.
    flow.permits.clear();
    let (status, message) = e.rescue().unwrap_or((500, "Internal server error"));
    let mut resp = ResponseEdits::synthetic(status);
    resp.headers.add("Content-Type", Cow::Borrowed("application/json"));
    for (name, value) in e.headers() {
        resp.headers.add(name, Cow::Owned(value.clone()));
    }
    for (name, value) in std::mem::take(&mut flow.error_headers) {
        resp.headers.add(name, Cow::Owned(value));
    }
    resp.body = Some(error_body(status, message).into_bytes());
    flow.response = resp;
    flow.answered = false;
    flow.last_error = Some(last_error(pipeline, st, e));
    if pipeline.on_error.is_empty() {
        return;
    }
    let saved = flow.response.clone();
    let ran = if pipeline.on_error_waits {
        Box::pin(run_section(ctx, &pipeline.on_error, flow, env, req)).await
    } else {
        sync_section(&pipeline.on_error, flow, env, req, None)
    };
    if let Err(again) = ran {
        // A failure inside on-error: answer with the original error.
        tracing::debug!(api = %env.api.id, error = %again, "on-error section failed");
        flow.response = saved;
    }
}

/// `context.LastError` for `e`: the failing op's section and site, or for
/// a built-in step (reading the request) the section it happened in.
fn last_error(pipeline: &Pipeline, st: &State, e: &ProxyError) -> LastError {
    let at = match e {
        ProxyError::Policy(f) => f.at,
        _ => st.at,
    };
    let site = at.and_then(|a| pipeline.program(a.section).site(a.pc));
    LastError {
        source: Cow::Borrowed(e.source_name()),
        reason: Cow::Borrowed(e.reason()),
        message: Cow::Owned(match e {
            ProxyError::Policy(f) => f.message.to_string(),
            other => other.to_string(),
        }),
        scope: Cow::Borrowed(site.map_or("", |s| s.scope.as_str())),
        section: Cow::Borrowed(at.map_or(st.section, |a| a.section.name())),
        path: Cow::Owned(site.map_or_else(String::new, |s| s.path.to_string())),
        policy_id: Cow::Owned(site.and_then(|s| s.policy_id.as_deref()).unwrap_or("").to_owned()),
    }
}
