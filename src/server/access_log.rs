//! One access-log record per request (JSON log mode only), with the field
//! names of APIM's `GatewayLogs` category for the fields that exist today.
//!
//! Invariant: never logs header values or bodies (they may carry keys);
//! a subscription appears by id only (`apimSubscriptionId`), never its key,
//! and a key sent in the query string is masked (`***`) in the logged URL.

use super::log_batch::LogBatch;
use crate::http::RequestHead;
use crate::logging::rfc3339_now;
use crate::proxy::error::ProxyError;
use crate::proxy::RequestLog;
use crate::replica::Replica;
use crate::worker::WorkerCtx;
use serde::Serialize;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

/// One `GatewayLogs` record. Field names are APIM's; `None` fields are left
/// out. `timestamp`/`level`/`message` match the `tracing` JSON lines around it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    timestamp: &'a str,
    level: &'static str,
    message: &'static str,
    category: &'static str,
    worker: usize,
    is_request_success: bool,
    total_time: f64,
    caller_ip_address: Disp<std::net::IpAddr>,
    time_generated: &'a str,
    correlation_id: Disp<Correlation>,
    method: &'a str,
    url: &'a str,
    response_code: u16,
    response_size: u64,
    cache: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    backend_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apim_subscription_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_id: Option<&'a str>,
    client_protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error_message: Option<Disp<&'a ProxyError>>,
}

/// Serializes a `Display` value as a JSON string without an intermediate `String`.
struct Disp<T>(T);

impl<T: std::fmt::Display> Serialize for Disp<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A GUID-shaped correlation id from one per-worker random number.
struct Correlation(u64);

impl std::fmt::Display for Correlation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.0;
        write!(
            f,
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            c >> 32,
            (c >> 16) & 0xffff,
            c & 0xfff,
            (c >> 20) & 0xfff,
            c.rotate_left(17) & 0xffff_ffff_ffff
        )
    }
}

/// Queues the request's record on the worker's batch (see `log_batch`).
#[allow(clippy::too_many_arguments)]
pub fn emit(
    ctx: &WorkerCtx,
    batch: &Rc<LogBatch>,
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
    let subs = replica.map(|r| &r.subscriptions);
    let now = rfc3339_now();
    let url = mask_key(url, api.map_or("subscription-key", |a| &*a.access.key_query));
    let record = Record {
        timestamp: &now,
        level: "INFO",
        message: "request",
        category: "GatewayLogs",
        worker: ctx.id,
        is_request_success: error.is_none() && log.status < 400,
        total_time: started.elapsed().as_secs_f64() * 1000.0,
        caller_ip_address: Disp(peer.ip()),
        time_generated: &now,
        correlation_id: Disp(Correlation(ctx.next_random())),
        method: head.method.as_str(),
        url: &url,
        response_code: log.status,
        response_size: log.response_bytes,
        cache: "none",
        backend_time: log.backend_time.map(|d| d.as_secs_f64() * 1000.0),
        api_id: api.map(|a| a.id.as_str()),
        operation_id: operation.map(|o| o.id.as_str()),
        apim_subscription_id: subs.and_then(|s| log.grant.subscription(s)).map(|s| s.id.as_str()),
        product_id: subs.and_then(|s| log.grant.product(s)).map(|p| p.id.as_str()),
        client_protocol: if head.version == crate::http::Version::Http10 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        },
        last_error_reason: error.map(ProxyError::reason),
        last_error_message: error.map(Disp),
    };
    batch.push(|buf| {
        // Serializing plain fields into a Vec cannot fail; a failure would
        // leave a partial line, so it is cut back off.
        let len = buf.len();
        if serde_json::to_writer(&mut *buf, &record).is_err() {
            buf.truncate(len);
        }
    });
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
