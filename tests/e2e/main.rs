//! End-to-end tests: the real `outpost` binary against real backends on
//! 127.0.0.1, through raw sockets. One test binary to keep link time low.

mod bodies;
mod body_and_log_policies;
mod cache;
mod check_policy;
mod client_certs;
mod container;
mod early;
mod errors;
mod expressions;
mod forward_request;
mod gateway_cas;
mod heartbeat;
mod invalid_snapshot;
mod last_error;
mod lifecycle;
mod limit_concurrency;
mod limit_counting;
mod limits;
mod mgmt;
mod mgmt_resources;
mod mgmt_tls;
mod mgmt_transport;
mod openapi_import;
mod policies;
mod policy_documents;
mod policy_errors;
mod pool;
mod probe;
mod proxy;
mod retry_sections;
mod send_request;
mod smuggling;
mod subscriptions;
mod support;
mod tls;
