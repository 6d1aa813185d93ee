//! Outpost's management plane (`outpost control-plane`): an APIM-like REST API
//! over a SQLite store, plus the two endpoints self-hosted gateways dial
//! (`GET /gateway/config`, `POST /gateway/heartbeat`).
//!
//! Module map:
//! - [`migrations`]: the schema and its `schema_version` bookkeeping.
//! - [`store`]: connections, transactions, the global configuration version
//!   and the condition variable that wakes long polls.
//! - [`resources`]: row-level CRUD for every resource (inside a transaction).
//! - [`model`]: the REST JSON shapes and their validation.
//! - [`tokens`]: gateway keys, `GatewayKey` tokens, the admin credential, UTC time.
//! - [`snapshot`]: renders one gateway's declarative configuration files.
//! - [`openapi`]: OpenAPI 3 import (JSON or YAML).
//! - [`certificates`]: certificate uploads and gateway host-name configurations.
//! - [`gateway_cas`]: gateway certificate authorities (client-certificate CAs per gateway).
//! - [`metrics`]: request metrics from heartbeats (one-minute rows, bounded) and their queries.
//! - [`api`]: the `/mgmt` routes; [`server`]: HTTP plumbing, auth, gateway endpoints.
//! - [`console`]: the web console (`/console`): HTML pages with SVG charts, sign-in sessions.
//! - [`principal`]: who calls `/mgmt` (admin token or OAuth2 subject) and its role.
//! - [`audit`]: the audit log of every `/mgmt` write (`GET /mgmt/audit`).
//! - [`oauth`]: OAuth2/OIDC bearer tokens for administrators and gateways
//!   (settings, JWKS fetched on the management plane's own thread, validation).
//!
//! Dependencies (all widely used, well-kept crates):
//! - `rusqlite` (bundled SQLite): durable, transactional store with no system library.
//! - No HTTP server crate: [`server`] serves HTTP/1.1 on plain std threads (it is
//!   off the data path) with the gateway's own head parser and chunked decoder
//!   (`crate::http`).
//! - `serde` + `serde_json`: REST bodies; `toml`: renders the gateway's TOML files.
//! - `serde_norway`: YAML OpenAPI documents (a maintained fork of `serde_yaml`).
//! - `hmac` + `sha2` + `base64`: HMAC-SHA512 token signatures, SHA-256 admin-token hash.
//! - `rand`: key generation from the OS-seeded CSPRNG.
//! - `thiserror`: the error type below.
//!
//! Invariant: no request input can panic a handler; every failure is a
//! [`MgmtError`] that maps to a JSON error body.

pub mod api;
pub mod audit;
pub mod certificates;
pub mod console;
pub mod gateway_cas;
pub mod metrics;
pub mod migrations;
pub mod model;
pub mod oauth;
pub mod openapi;
pub mod principal;
pub mod resources;
pub mod server;
/// The field naming the gateway beside an OAuth2 token (gateway side: `sync::client`).
pub use server::gateway::GATEWAY_ID_HEADER;
pub mod snapshot;
pub mod store;
pub mod tls_front;
#[cfg(test)]
mod tls_front_tests;
pub mod tokens;

#[cfg(test)]
mod integration_tests;
#[cfg(test)]
mod test_http;

use std::net::SocketAddr;
use std::path::PathBuf;

/// Every error of the management plane. The variant decides the HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum MgmtError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{0}")]
    Head(#[from] crate::http::HeadError),
    #[error("{0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Internal(String),
}

impl MgmtError {
    /// HTTP status and APIM-like error code.
    pub fn status_and_code(&self) -> (u16, &'static str) {
        match self {
            MgmtError::BadRequest(_) => (400, "ValidationError"),
            MgmtError::NotFound(_) => (404, "ResourceNotFound"),
            MgmtError::Conflict(_) => (409, "Conflict"),
            MgmtError::Unauthorized(_) => (401, "Unauthorized"),
            MgmtError::Forbidden(_) => (403, "Forbidden"),
            MgmtError::PayloadTooLarge => (413, "PayloadTooLarge"),
            MgmtError::Head(e) => match e.status() {
                431 => (431, "RequestHeaderFieldsTooLarge"),
                414 => (414, "UriTooLong"),
                505 => (505, "HttpVersionNotSupported"),
                status => (status, "ValidationError"),
            },
            MgmtError::Unavailable(_) => (503, "ServiceUnavailable"),
            MgmtError::Db(_) | MgmtError::Io(_) | MgmtError::Internal(_) => (500, "InternalError"),
        }
    }

    /// `{ "error": { "code": "...", "message": "..." } }`
    pub fn to_json(&self) -> serde_json::Value {
        let (_, code) = self.status_and_code();
        serde_json::json!({ "error": { "code": code, "message": self.to_string() } })
    }
}

pub(crate) fn bad(msg: impl Into<String>) -> MgmtError {
    MgmtError::BadRequest(msg.into())
}

pub(crate) fn not_found(what: &str, id: &str) -> MgmtError {
    MgmtError::NotFound(format!("{what} '{id}' not found"))
}

/// How to run the control plane.
pub struct ControlPlaneOptions {
    /// Holds `outpost.db` and `admin-token`; created when missing.
    pub data_dir: PathBuf,
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Called once with the bound address, before serving.
    pub ready: Option<Box<dyn FnOnce(SocketAddr) + Send>>,
    /// Serve HTTPS with this (certificate chain PEM, private key PEM).
    pub tls: Option<(String, String)>,
    /// OAuth2 for administrators and gateways (`mgmt.auth.*`).
    pub auth: crate::settings::MgmtAuthSettings,
}

/// Opens the store, binds, prints the address and a walk-through, and serves
/// until the process is killed.
pub fn run(opts: ControlPlaneOptions) -> Result<(), MgmtError> {
    server::run(opts)
}
