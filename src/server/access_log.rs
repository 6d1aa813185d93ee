//! One access-log record per request (JSON log mode only), with the field
//! names of APIM's `GatewayLogs` category for the fields that exist today.
//!
//! Invariant: never logs header values or bodies (they may carry keys).

use crate::http::RequestHead;
use crate::logging::{rfc3339_now, ACCESS_TARGET};
use crate::proxy::error::ProxyError;
use crate::proxy::RequestLog;
use crate::replica::Replica;
use crate::worker::WorkerCtx;
use std::net::SocketAddr;
use std::time::Instant;

#[allow(clippy::too_many_arguments)]
pub fn emit(
    ctx: &WorkerCtx,
    peer: SocketAddr,
    head: &RequestHead,
    url: &str,
    log: &RequestLog,
    replica: Option<&Replica>,
    error: Option<&ProxyError>,
    started: Instant,
) {
    let api = replica.zip(log.api).and_then(|(r, i)| r.apis.get(i));
    let operation = api.zip(log.operation).and_then(|(a, i)| a.operations.get(i));
    let correlation = ctx.next_random();
    let backend_ms = log.backend_time.map(|d| d.as_secs_f64() * 1000.0);
    tracing::info!(
        target: ACCESS_TARGET,
        category = "GatewayLogs",
        worker = ctx.id,
        isRequestSuccess = error.is_none() && log.status < 400,
        totalTime = started.elapsed().as_secs_f64() * 1000.0,
        callerIpAddress = %peer.ip(),
        timeGenerated = rfc3339_now(),
        correlationId = format_args!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", correlation >> 32, (correlation >> 16) & 0xffff, correlation & 0xfff, (correlation >> 20) & 0xfff, correlation.rotate_left(17) & 0xffff_ffff_ffff),
        method = head.method.as_str(),
        url = url,
        responseCode = log.status,
        responseSize = log.response_bytes,
        cache = "none",
        backendTime = backend_ms,
        apiId = api.map(|a| a.id.as_str()),
        operationId = operation.map(|o| o.id.as_str()),
        clientProtocol = if head.version == crate::http::Version::Http10 { "HTTP/1.0" } else { "HTTP/1.1" },
        lastErrorReason = error.map(ProxyError::reason),
        lastErrorMessage = error.map(tracing::field::display),
        "request"
    );
}
