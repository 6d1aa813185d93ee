//! The outbound section run as the relay's [`ResponseHook`]: it sees the
//! backend's response head (and the whole body when a policy asked for it)
//! before anything is written to the client, and records its edits in the
//! request's `Flow`. Owns `fail-on-error-status-code` (a 4xx/5xx goes to
//! on-error before outbound runs) and the response-time limit decisions.
//!
//! Invariant: runs at most once per response, synchronously (no `.await`).

use super::error::ProxyError;
use super::respond::ResponseHook;
use crate::http::ResponseHead;
use crate::pipeline::Pipeline;
use crate::policy::compile::Section;
use crate::policy::exec::{self, Env, RequestView, ResponseView, Run, Stop};
use crate::policy::failure::Failure;
use crate::policy::flow::{Flow, ResponseEdits};
use crate::policy::limit_after;
use crate::policy::program::Program;

/// `fail-on-error-status-code`: a backend 4xx/5xx goes to on-error.
pub(super) fn backend_error(status: u16) -> Failure {
    Failure::new(
        "forward-request",
        "BackendErrorStatusCode",
        status,
        format!("Backend responded with status code {status}"),
    )
}

/// The outbound section as a [`ResponseHook`].
pub(super) struct Outbound<'a, 'r> {
    prog: &'r Program,
    flow: &'a mut Flow<'r>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    pipeline: &'r Pipeline,
    /// `fail-on-error-status-code`: the index of its `forward-request`.
    fail_on_error: Option<usize>,
}

impl<'a, 'r> Outbound<'a, 'r> {
    pub(super) fn new(
        prog: &'r Program,
        flow: &'a mut Flow<'r>,
        env: &'r Env<'r>,
        req: RequestView<'r>,
        pipeline: &'r Pipeline,
        fail_on_error: Option<usize>,
    ) -> Self {
        Outbound {
            prog,
            flow,
            env,
            req,
            pipeline,
            fail_on_error,
        }
    }
}

impl ResponseHook for Outbound<'_, '_> {
    fn body_limit(&self, resp: &ResponseHead) -> Option<u64> {
        self.pipeline
            .reads_response_body(resp.framing)
            .then_some(self.env.services.body_max)
    }

    fn on_response(&mut self, resp: &ResponseHead, buf: &[u8], body: Option<Vec<u8>>) -> Result<(), ProxyError> {
        if let Some(pc) = self.fail_on_error.filter(|_| resp.status >= 400) {
            return Err(ProxyError::Policy(
                backend_error(resp.status).in_op(Section::Backend, pc),
            ));
        }
        let had_body = body.is_some();
        self.flow.response_body = body;
        let mut r = Run {
            flow: &mut *self.flow,
            env: self.env,
            req: self.req,
            resp: Some(ResponseView { head: resp, buf }),
        };
        let mut pc = 0;
        while let Stop::Suspend(i) = exec::run(self.prog, pc, &mut r).map_err(ProxyError::Policy)? {
            pc = i + 1;
        }
        limit_after::decide(&mut r);
        if had_body && self.flow.response.body.is_none() {
            self.flow.response.body = self.flow.response_body.take();
        }
        Ok(())
    }

    fn edits(&self) -> Option<&ResponseEdits<'_>> {
        Some(&self.flow.response)
    }
}
