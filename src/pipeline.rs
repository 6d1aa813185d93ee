//! The per-operation policy pipeline: APIM's four sections (`inbound`,
//! `backend`, `outbound`, `on-error`), each compiled once, on the control
//! thread, into a [`Program`] (see `policy::program`) that workers run
//! without re-parsing anything.
//!
//! Execution model (driven by `proxy::pipeline_run`):
//! - `inbound` runs first against the incoming request. A step may change
//!   the request before it is forwarded (set a header, rewrite the URL,
//!   pick another backend) or answer (`return-response`, `mock-response`):
//!   the rest of the pipeline is skipped and that response is sent.
//! - `backend` produces the response; normally it is one `forward-request`.
//!   An empty backend section means "no backend call" and yields an empty
//!   `200` (which `outbound` may then shape).
//! - `outbound` runs on the response head (and on the whole body only when
//!   one of its policies needs it, bounded by `policy.body.max-bytes`)
//!   before it is written to the client; an outbound section that waits
//!   (`send-request`, `retry`…) runs on a materialised response instead
//!   (read into memory, connection back to the pool, written as a
//!   gateway-made response).
//! - `on-error` runs instead of the rest when any step fails, including a
//!   policy refusal (rate limit, ip-filter…) and a backend failure, with
//!   `context.LastError` set; it shapes the error response.
//!
//! Invariants: a pipeline is immutable after compilation, `Clone + Send +
//! 'static`, and holds no per-request state; `plain` pipelines (no policy
//! but the default forward) take the proxy's fast path unchanged.

use crate::policy::compile::Section;
use crate::policy::program::{Op, Program};
use crate::policy::set_backend_service::Forward;

#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub inbound: Program,
    pub backend: Program,
    pub outbound: Program,
    pub on_error: Program,
    /// Only the default `forward-request` with default attributes.
    pub plain: bool,
    /// Some policy needs the whole request body in memory.
    pub request_body: bool,
    /// Some outbound policy needs the whole response body in memory.
    pub response_body: bool,
    /// Whether `inbound`, `outbound`, `on-error` may suspend (an async
    /// policy, a `retry`): such a section is driven asynchronously, and an
    /// outbound one runs on a materialised response (see
    /// `proxy::pipeline_section`). Sections that cannot suspend run as
    /// plain synchronous code.
    pub inbound_waits: bool,
    pub outbound_waits: bool,
    pub on_error_waits: bool,
}

impl Pipeline {
    /// The pipeline of an operation without policies: forward, nothing else.
    pub fn forward_only() -> Self {
        Pipeline {
            backend: Program {
                section: Section::Backend,
                ops: vec![Op::Forward(Forward::default())],
                sites: Vec::new(),
            },
            plain: true,
            ..Default::default()
        }
    }

    /// The program of `section`.
    pub fn program(&self, section: Section) -> &Program {
        match section {
            Section::Inbound => &self.inbound,
            Section::Backend => &self.backend,
            Section::Outbound => &self.outbound,
            Section::OnError => &self.on_error,
        }
    }

    /// Computes the derived flags after the sections are set.
    pub fn finish(mut self) -> Self {
        let sections = [&self.inbound, &self.backend, &self.outbound, &self.on_error];
        self.request_body = sections.iter().any(|p| p.needs_request_body());
        self.response_body = self.outbound.needs_response_body();
        self.inbound_waits = self.inbound.has_async();
        self.outbound_waits = self.outbound.has_async();
        self.on_error_waits = self.on_error.has_async();
        self.plain = self.inbound.is_empty()
            && self.outbound.is_empty()
            && self.on_error.is_empty()
            && matches!(self.backend.ops.as_slice(), [Op::Forward(f)] if *f == Forward::default());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_only_is_plain() {
        let p = Pipeline::forward_only();
        assert!(p.plain && p.inbound.is_empty() && p.outbound.is_empty() && p.on_error.is_empty());
        assert!(p.clone().finish().plain);
        let mut q = Pipeline::forward_only();
        q.backend.ops.clear();
        assert!(!q.finish().plain, "an empty backend section is not the plain proxy");
    }
}
