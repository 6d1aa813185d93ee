//! One request record per request, with the field names of APIM's
//! `GatewayLogs` category, built once on the worker and encoded for each
//! consumer: the JSON access log on standard output (`telemetry.logs.std`
//! = json) and the local request-log sink (`telemetry.logs.local`, see
//! [`crate::telemetry::request_log`]).
//!
//! Invariants: never logs header values or bodies (they may carry keys);
//! a subscription appears by id only (`apimSubscriptionId`), never its key;
//! in the client's URL the API's subscription-key query parameter and the
//! usual credential parameters ([`SECRET_PARAMS`]) are masked (`***`), and
//! in the backend's URL every query value is (policies put named values,
//! which may be secrets, there); URLs are cut at [`MAX_URL`] bytes.

use crate::http::RequestHead;
use crate::proxy::error::ProxyError;
use crate::proxy::RequestLog;
use crate::replica::Replica;
use crate::telemetry::model::CacheOutcome;
use crate::telemetry::request_log::encode::{self, Fields, Stamp, Value};
use crate::worker::WorkerCtx;
use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// Longest URL a record carries (bytes); longer ones are cut.
pub const MAX_URL: usize = 8192;

/// Query parameters whose values are masked in the logged client URL,
/// besides the API's subscription-key parameter (ASCII case-insensitive):
/// Azure Functions keys, SAS signatures, OAuth tokens, API keys.
pub const SECRET_PARAMS: &[&str] = &[
    "subscription-key",
    "code",
    "sig",
    "key",
    "apikey",
    "api-key",
    "api_key",
    "access_token",
    "id_token",
    "refresh_token",
    "token",
    "client_secret",
    "password",
    "secret",
];

/// One `GatewayLogs` record: APIM's fields in the order of its syslog
/// sample, then ours (`productId`, `lastErrorReason`, `lastErrorMessage`).
/// Absent fields are left out.
struct Record<'a> {
    success: bool,
    total_ms: f64,
    caller: IpAddr,
    at: Stamp,
    region: &'a str,
    correlation: Correlation,
    method: &'a str,
    url: &'a str,
    backend_status: u16,
    status: u16,
    response_size: u64,
    cache: &'static str,
    backend_ms: Option<f64>,
    api_id: Option<&'a str>,
    operation_id: Option<&'a str>,
    subscription_id: Option<&'a str>,
    client_protocol: &'static str,
    api_revision: Option<u32>,
    /// Method and (masked) URL of the last backend call.
    backend: Option<(&'a str, &'a str)>,
    product_id: Option<&'a str>,
    error: Option<&'a ProxyError>,
}

impl Fields for Record<'_> {
    fn visit(&self, f: &mut dyn FnMut(&'static str, Value<'_>)) {
        f("isRequestSuccess", Value::Bool(self.success));
        f("totalTime", Value::Ms(self.total_ms));
        f("category", Value::Str("GatewayLogs"));
        f("callerIpAddress", Value::Disp(&self.caller));
        f("timeGenerated", Value::Disp(&self.at));
        if !self.region.is_empty() {
            f("region", Value::Str(self.region));
        }
        f("correlationId", Value::Disp(&self.correlation));
        f("method", Value::Str(self.method));
        f("url", Value::Str(self.url));
        if self.backend_status != 0 {
            f("backendResponseCode", Value::Int(self.backend_status.into()));
        }
        f("responseCode", Value::Int(self.status.into()));
        f("responseSize", Value::Int(self.response_size));
        f("cache", Value::Str(self.cache));
        if let Some(ms) = self.backend_ms {
            f("backendTime", Value::Ms(ms));
        }
        let opt = |f: &mut dyn FnMut(&'static str, Value<'_>), name, v: Option<&str>| {
            if let Some(v) = v {
                f(name, Value::Str(v));
            }
        };
        opt(f, "apiId", self.api_id);
        opt(f, "operationId", self.operation_id);
        opt(f, "apimSubscriptionId", self.subscription_id);
        f("clientProtocol", Value::Str(self.client_protocol));
        if self.backend.is_some() {
            f("backendProtocol", Value::Str("HTTP/1.1"));
        }
        if let Some(r) = self.api_revision {
            f("apiRevision", Value::Int(r.into()));
        }
        if let Some((method, url)) = self.backend {
            f("backendMethod", Value::Str(method));
            f("backendUrl", Value::Str(url));
        }
        opt(f, "productId", self.product_id);
        if let Some(e) = self.error {
            f("lastErrorReason", Value::Str(e.reason()));
            f("lastErrorMessage", Value::Disp(e));
        }
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

/// Whether this worker writes request records anywhere.
pub fn wanted(ctx: &WorkerCtx) -> bool {
    ctx.access_log.is_some() || ctx.request_log.is_some()
}

/// The request's URL as APIM logs it: `scheme://host/path?query` (the
/// target as received when it is absolute or there is no `Host`), taken
/// before the request is handled (the head's bytes go away).
pub fn request_url(head: &RequestHead, buf: &[u8], tls: bool) -> String {
    let target = head.target.get(buf);
    let host = head.host.map(|h| h.get(buf)).filter(|h| !h.is_empty());
    let mut url = String::with_capacity(target.len() + 32);
    match host {
        Some(host) if target.first() == Some(&b'/') => {
            url.push_str(if tls { "https://" } else { "http://" });
            url.push_str(&String::from_utf8_lossy(host));
        }
        _ => {}
    }
    url.push_str(&String::from_utf8_lossy(target));
    cut(&mut url);
    url
}

fn cut(s: &mut String) {
    if s.len() > MAX_URL {
        let mut end = MAX_URL;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// Queues the request's record on the worker's batches (see `log_batch`).
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
    let subs = replica.map(|r| &r.subscriptions);
    let key_param = api.map_or("subscription-key", |a| &*a.access.key_query);
    let url = mask_query(url, |name| {
        name.eq_ignore_ascii_case(key_param) || SECRET_PARAMS.iter().any(|s| name.eq_ignore_ascii_case(s))
    });
    let backend_url = log
        .backend_request
        .as_ref()
        .map(|b| (&*b.method, mask_query(&b.url, |_| true)));
    let record = Record {
        success: error.is_none() && log.status < 400,
        total_ms: started.elapsed().as_secs_f64() * 1000.0,
        caller: peer.ip(),
        at: Stamp::now(),
        region: &ctx.services.region,
        correlation: Correlation(ctx.next_random()),
        method: head.method.as_str(),
        url: &url,
        backend_status: log.backend_status,
        status: log.status,
        response_size: log.response_bytes,
        cache: match log.cache {
            CacheOutcome::None => "none",
            CacheOutcome::Hit => "hit",
            CacheOutcome::Miss => "miss",
        },
        backend_ms: log.backend_time.map(|d| d.as_secs_f64() * 1000.0),
        api_id: api.map(|a| a.id.as_str()),
        operation_id: operation.map(|o| o.id.as_str()),
        subscription_id: subs.and_then(|s| log.grant.subscription(s)).map(|s| s.id.as_str()),
        client_protocol: if head.version == crate::http::Version::Http10 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        },
        api_revision: api.map(|a| a.revision),
        backend: backend_url.as_ref().map(|(m, u)| (*m, &**u)),
        product_id: subs.and_then(|s| log.grant.product(s)).map(|p| p.id.as_str()),
        error,
    };
    if let Some(batch) = &ctx.access_log {
        let head = [
            ("timestamp", Value::Disp(&record.at)),
            ("level", Value::Str("INFO")),
            ("message", Value::Str("request")),
            ("worker", Value::Int(ctx.id as u64)),
        ];
        batch.push(|buf| encode::json(buf, &head, &record));
    }
    if let Some(batch) = &ctx.request_log {
        batch.push_record(record.at, &record);
    }
}

/// `url` with the value of every query parameter whose name `secret`
/// accepts replaced by `***` (borrowed unchanged when there is none).
fn mask_query<'a>(url: &'a str, secret: impl Fn(&str) -> bool) -> Cow<'a, str> {
    let Some((path, query)) = url.split_once('?') else {
        return url.into();
    };
    let is_key = |pair: &str| {
        pair.split_once('=')
            .is_some_and(|(k, v)| secret(k) && !v.is_empty() && v != "***")
    };
    if !query.split('&').any(is_key) {
        return url.into();
    }
    let mut out = String::with_capacity(url.len());
    out.push_str(path);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((k, _)) if is_key(pair) => {
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(pair),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::mask_query;

    fn mask<'a>(url: &'a str, name: &str) -> std::borrow::Cow<'a, str> {
        mask_query(url, |k| k == name)
    }

    #[test]
    fn masks_only_the_key_parameter() {
        assert_eq!(
            mask("/a?x=1&subscription-key=s3cret", "subscription-key"),
            "/a?x=1&subscription-key=***"
        );
        assert_eq!(mask("/a?k=1&k=2&kk=3", "k"), "/a?k=***&k=***&kk=3");
        assert!(matches!(mask("/a?x=1", "k"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(mask("/a", "k"), "/a");
        assert_eq!(mask("/a?k=", "k"), "/a?k=");
        assert_eq!(mask("/a?k=v=w&x", "k"), "/a?k=***&x");
    }

    #[test]
    fn masks_every_value_of_a_backend_url() {
        assert_eq!(
            mask_query("http://b/f?code=abc&x=1&flag", |_| true),
            "http://b/f?code=***&x=***&flag"
        );
    }

    #[test]
    fn secret_parameter_names() {
        let secret = |k: &str| super::SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s));
        assert_eq!(
            mask_query("/f?Code=1&sig=2&access_token=3&page=4", secret),
            "/f?Code=***&sig=***&access_token=***&page=4"
        );
    }
}
