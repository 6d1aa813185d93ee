//! What the policies of one worker use beyond the request: settings that
//! shape policy execution, and (gateway-wide, shared by all workers) the
//! rate-limit, quota and concurrency counters.
//!
//! Invariant: built once per worker from the settings; the only state
//! shared across workers is the counters' own design (see `limits`).

/// Per-worker policy services.
#[derive(Debug, Clone)]
pub struct Services {
    /// `context.Deployment.GatewayId`.
    pub gateway_id: String,
    /// Largest body a policy may buffer (`policy.body.max-bytes`).
    pub body_max: u64,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            gateway_id: "outpost".into(),
            body_max: 4 * 1024 * 1024,
        }
    }
}
