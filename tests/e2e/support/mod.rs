//! Test support: the gateway process, a recording backend, a raw client.

pub mod backend;
pub mod browser;
pub mod client;
pub mod control_plane;
pub mod gateway;
pub mod log_receiver;
pub mod npm;
pub mod oidc;
pub mod otlp;
pub mod prometheus;
pub mod statsd;
pub mod tls;
pub mod wire;

pub use backend::Backend;
pub use client::{Conn, Response};
pub use control_plane::ControlPlane;
pub use gateway::{api_toml, Gateway};
pub use wire::{pattern, pattern_fnv, Fnv};

/// The exact 404 body of APIM (and Outpost).
pub const NOT_FOUND_BODY: &str = r#"{ "statusCode": 404, "message": "Resource not found" }"#;

/// A gateway with one wildcard API `api` → `backend` (base path `/base`).
pub fn gateway_for(backend: &Backend) -> Gateway {
    Gateway::builder().proxy("test-api", "api", &backend.url()).start()
}

/// A policy document: `<base />` then `inbound`, `backend` as given (write
/// `<base />` there to forward), `<base />` then `outbound`, `<base />` then
/// `on_error`.
pub fn policies(inbound: &str, backend: &str, outbound: &str, on_error: &str) -> String {
    format!(
        "<policies>\n<inbound>\n<base />\n{inbound}\n</inbound>\n<backend>\n{backend}\n</backend>\n\
         <outbound>\n<base />\n{outbound}\n</outbound>\n<on-error>\n<base />\n{on_error}\n</on-error>\n</policies>\n"
    )
}
