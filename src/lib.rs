//! Outpost: a self-hosted, thread-per-core API gateway compatible with the
//! Azure API Management self-hosted gateway.
//!
//! Layout (see `docs/architecture.md`):
//! - [`http`]: HTTP/1.1 message heads and chunked framing (pure, no I/O);
//! - [`config`], [`replica`], [`routing`], [`pipeline`]: the declarative
//!   configuration, validated and compiled into the per-worker replica;
//! - [`settings`]: process settings (APIM's dotted keys, file + environment);
//! - [`worker`]: one pinned monoio runtime per core, owning its listener,
//!   upstream pools and configuration replica;
//! - [`server`] and [`proxy`]: the downstream connection loop and forwarding;
//! - [`subscription`]: subscription keys and products (access decisions);
//! - [`control`]: the control thread (reload, signals, broadcast, shutdown);
//! - [`probe`]: `outpost probe`, the container health check.
//! - [`tls`]: TLS termination, backend TLS, suites, certificates.
//! - [`schema`]: API schemas (OpenAPI, JSON Schema) for the validation policies.
//! - [`cache`]: the process-wide cache of the caching policies.
//! - [`authority`]: keys and tokens fetched from identity providers.
//! - [`jwt`]: JSON Web Tokens (keys, validation, JWE, discovery documents).

/// Proleptic Gregorian calendar arithmetic (the expression crate owns it;
/// the access log, tokens and quotas use the same one).
pub use outpost_expr::library::time::civil as civil_date;
pub mod authority;
pub mod bufpool;
pub mod cache;
pub mod coarse_timer;
pub mod config;
pub mod control;
pub mod cpus;
pub mod http;
pub mod jwt;
pub mod logging;
pub mod mgmt;
pub mod pipeline;
pub mod policy;
pub mod probe;
pub mod proxy;
pub mod readiness;
pub mod replica;
pub mod routing;
pub mod schema;
pub mod server;
pub mod settings;
pub mod subscription;
pub mod sync;
pub mod telemetry;
pub mod tls;
pub mod worker;
