//! What the policies of one worker use beyond the request: settings that
//! shape policy execution, and (gateway-wide, shared by all workers) the
//! rate-limit, quota and concurrency counters and the cache.
//!
//! Invariant: built once per worker from the settings; the only state
//! shared across workers is the counters' and the cache's own design (see
//! `limits` and `crate::cache`); keys and tokens (`authority`) are the
//! worker's own copies.

use std::sync::Arc;

use super::limits::{Limits, SystemClock, DEFAULT_MAX_KEYS};

/// Per-worker policy services.
#[derive(Debug, Clone)]
pub struct Services {
    /// `context.Deployment.GatewayId`.
    pub gateway_id: String,
    /// `context.Deployment.Gateway.InstanceId`: this process (host name).
    pub instance_id: String,
    /// `context.Deployment.Region` (`deployment.region`).
    pub region: String,
    /// `context.Deployment.ServiceName`.
    pub service_name: String,
    /// The budget of one expression evaluation (`policy.expressions.*`).
    pub expr_limits: outpost_expr::Limits,
    /// Largest body a policy may buffer (`policy.body.max-bytes`).
    pub body_max: u64,
    /// The process-wide limit counters (one `Limits` per process, a clone
    /// per worker: counts are gateway-wide).
    pub limits: Limits,
    /// The process-wide cache of the caching policies (one `Cache` per
    /// process, a clone per worker: entries are shared by all workers).
    pub cache: crate::cache::Cache,
    /// This worker's keys of OpenID providers and OAuth2 tokens (its own
    /// copy, filled by the fetch thread; see `crate::authority`).
    pub authority: crate::authority::View,
    /// This worker's verified tokens (validate-jwt, validate-azure-ad-token).
    pub jwt_cache: super::jwt_check::SharedCache,
}

/// `context.Deployment.GatewayId` unless configured.
pub const DEFAULT_GATEWAY_ID: &str = "outpost";

/// This process's instance id: the host name (a pod's name on Kubernetes).
pub fn instance_id() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| DEFAULT_GATEWAY_ID.into())
}

/// Fresh counters on the system clock (one per process).
pub fn process_limits() -> Limits {
    Limits::new(Arc::new(SystemClock::new()), DEFAULT_MAX_KEYS)
}

impl Default for Services {
    fn default() -> Self {
        Services {
            gateway_id: DEFAULT_GATEWAY_ID.into(),
            instance_id: instance_id(),
            region: String::new(),
            service_name: DEFAULT_GATEWAY_ID.into(),
            expr_limits: outpost_expr::Limits::default(),
            body_max: 4 * 1024 * 1024,
            limits: process_limits(),
            cache: crate::cache::Cache::default(),
            authority: crate::authority::View::default(),
            jwt_cache: Default::default(),
        }
    }
}
