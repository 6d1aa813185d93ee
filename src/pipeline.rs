//! The per-operation policy pipeline seam: APIM's four sections (`inbound`,
//! `backend`, `outbound`, `on-error`), compiled once per operation when the
//! replica is built and shared read-only by every request.
//!
//! Today the only step is [`Step::Forward`]: send the (unchanged) request to
//! the API's backend. The policy issue adds steps; the intended execution
//! model, which new steps must fit, is:
//!
//! - `inbound` runs first, in order, against the incoming request. A step may
//!   change the request before it is forwarded (set a header, rewrite the URL,
//!   pick another backend), or answer early: it returns a response (for
//!   example `return-response`, a failed `check-header`, a rate limit), the
//!   remaining inbound and the backend sections are skipped, and execution
//!   continues with `outbound` against that response.
//! - `backend` produces the response; normally it is one `Forward`, whose
//!   `timeout` bounds the backend exchange. An empty backend section means
//!   "no backend call" and yields an empty `200`.
//! - `outbound` runs against the response and may change it (status, headers,
//!   body) before it is written to the client.
//! - `on-error` runs instead of the rest when any step fails (including a
//!   backend failure); it can shape the error response.
//!
//! Invariants: a pipeline is immutable after compilation, `Clone + Send +
//! 'static`, and holds no per-request state.

use std::time::Duration;

/// APIM's four sections, compiled per operation. Today the only step is
/// forwarding; the policy issue adds steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub inbound: Vec<Step>,
    pub backend: Vec<Step>,
    pub outbound: Vec<Step>,
    pub on_error: Vec<Step>,
}

/// One compiled policy statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Send the request to the backend and make its answer the response.
    Forward(Forward),
}

/// `<forward-request timeout="…"/>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forward {
    /// `None`: the gateway's default backend timeout.
    pub timeout: Option<Duration>,
}

impl Pipeline {
    /// The pipeline used until policies are compiled: forward, nothing else.
    pub fn forward_only() -> Self {
        Pipeline {
            inbound: Vec::new(),
            backend: vec![Step::Forward(Forward::default())],
            outbound: Vec::new(),
            on_error: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_only_has_single_backend_forward() {
        let p = Pipeline::forward_only();
        assert!(p.inbound.is_empty() && p.outbound.is_empty() && p.on_error.is_empty());
        assert_eq!(p.backend, vec![Step::Forward(Forward { timeout: None })]);
    }
}
