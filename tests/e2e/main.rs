//! End-to-end tests: the real `outpost` binary against real backends on
//! 127.0.0.1, through raw sockets. One test binary to keep link time low.

mod bodies;
mod errors;
mod lifecycle;
mod mgmt;
mod proxy;
mod smuggling;
mod support;
mod tls;
