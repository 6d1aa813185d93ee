//! The outbound section run as the relay's [`ResponseHook`]: it sees the
//! backend's response head (and the whole body when a policy asked for it)
//! before anything is written to the client, and records its edits in the
//! request's `Flow`. Owns `fail-on-error-status-code` (a 4xx/5xx goes to
//! on-error before outbound runs) and the response-time limit decisions.
//!
//! When outbound waits (`send-request`, `retry`…) it cannot run inside the
//! relay: [`Materialise`] takes the response instead (head and whole body,
//! bounded by `policy.body.max-bytes`), copies it into `flow.response` as
//! a gateway-made response and lets the relay return the connection to the
//! pool; outbound then runs like inbound (`pipeline_section`).
//!
//! Invariant: runs at most once per response, synchronously (no `.await`).

use super::error::ProxyError;
use super::respond::ResponseHook;
use crate::http::ResponseHead;
use crate::pipeline::Pipeline;
use crate::policy::compile::Section;
use crate::policy::exec::{self, Env, RequestView, ResponseView, Run, Stop};
use crate::policy::failure::Failure;
use crate::policy::flow::{header_eq, Flow, ResponseEdits};
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

/// Takes the backend response into `flow.response` (see the module doc).
pub(super) struct Materialise<'a, 'r> {
    flow: &'a mut Flow<'r>,
    body_max: u64,
    /// `fail-on-error-status-code`: the index of its `forward-request`.
    fail_on_error: Option<usize>,
}

impl<'a, 'r> Materialise<'a, 'r> {
    pub(super) fn new(flow: &'a mut Flow<'r>, body_max: u64, fail_on_error: Option<usize>) -> Self {
        Materialise {
            flow,
            body_max,
            fail_on_error,
        }
    }
}

impl ResponseHook for Materialise<'_, '_> {
    fn body_limit(&self, _resp: &ResponseHead) -> Option<u64> {
        Some(self.body_max)
    }

    fn materialise(&self) -> bool {
        true
    }

    fn on_response(&mut self, resp: &ResponseHead, buf: &[u8], body: Option<Vec<u8>>) -> Result<(), ProxyError> {
        if let Some(pc) = self.fail_on_error.filter(|_| resp.status >= 400) {
            return Err(ProxyError::Policy(
                backend_error(resp.status).in_op(Section::Backend, pc),
            ));
        }
        // Edits made before the response (an inbound `cors` adds response
        // headers) apply over the backend's response, as in the relay.
        let before = std::mem::take(&mut self.flow.response);
        let mut made = ResponseEdits::synthetic(before.status.unwrap_or(resp.status));
        made.reason = match before.status {
            Some(_) => before.reason,
            None => Some(String::from_utf8_lossy(resp.reason.get(buf)).into_owned().into()),
        };
        // A HEAD response has no body but declares the length of the GET
        // representation: kept (as a field the writer recognises) when
        // nothing was read, so the client sees the backend's length.
        let no_body = body.as_ref().is_none_or(|b| b.is_empty());
        for h in &resp.headers {
            let name = h.name.get(buf);
            if resp.is_connection_header(buf, name)
                || (header_eq(name, b"content-length") && !no_body)
                || header_eq(name, b"transfer-encoding")
            {
                continue;
            }
            made.headers.add_owned(
                String::from_utf8_lossy(name).into_owned(),
                String::from_utf8_lossy(h.value.get(buf)).into_owned(),
            );
        }
        made.headers.ops.extend(before.headers.ops);
        made.body = before.body.or(body);
        self.flow.response = made;
        Ok(())
    }

    fn edits(&self) -> Option<&ResponseEdits<'_>> {
        None
    }
}
