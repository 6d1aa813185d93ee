//! One access-log record per request (JSON log mode only), with the field
//! names of APIM's `GatewayLogs` category for the fields that exist today.
//!
//! Invariant: never logs header values or bodies (they may carry keys);
//! a subscription appears by id only (`apimSubscriptionId`), never its key,
//! and a key sent in the query string is masked (`***`) in the logged URL.

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
    let subs = replica.map(|r| &r.subscriptions);
    let subscription = subs.and_then(|s| log.grant.subscription(s)).map(|s| s.id.as_str());
    let product = subs.and_then(|s| log.grant.product(s)).map(|p| p.id.as_str());
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
        url = %mask_key(url, api.map_or("subscription-key", |a| &*a.access.key_query)),
        responseCode = log.status,
        responseSize = log.response_bytes,
        cache = "none",
        backendTime = backend_ms,
        apiId = api.map(|a| a.id.as_str()),
        operationId = operation.map(|o| o.id.as_str()),
        apimSubscriptionId = subscription,
        productId = product,
        clientProtocol = if head.version == crate::http::Version::Http10 { "HTTP/1.0" } else { "HTTP/1.1" },
        lastErrorReason = error.map(ProxyError::reason),
        lastErrorMessage = error.map(tracing::field::display),
        "request"
    );
}

/// `url` with the value of every `name` query parameter replaced by `***`
/// (borrowed unchanged when there is none).
fn mask_key<'a>(url: &'a str, name: &str) -> std::borrow::Cow<'a, str> {
    let Some((path, query)) = url.split_once('?') else {
        return url.into();
    };
    let is_key = |pair: &str| pair.split_once('=').is_some_and(|(k, v)| k == name && !v.is_empty());
    if !query.split('&').any(is_key) {
        return url.into();
    }
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| {
            if is_key(pair) {
                format!("{name}=***")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", masked.join("&")).into()
}

#[cfg(test)]
mod tests {
    use super::mask_key;

    #[test]
    fn masks_only_the_key_parameter() {
        assert_eq!(
            mask_key("/a?x=1&subscription-key=s3cret", "subscription-key"),
            "/a?x=1&subscription-key=***"
        );
        assert_eq!(mask_key("/a?k=1&k=2&kk=3", "k"), "/a?k=***&k=***&kk=3");
        assert!(matches!(mask_key("/a?x=1", "k"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(mask_key("/a", "k"), "/a");
        assert_eq!(mask_key("/a?k=", "k"), "/a?k=");
    }
}
