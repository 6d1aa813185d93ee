//! `net.*`: the listeners (`net.server.*`: address, ports, TLS suites,
//! HTTP limits and timeouts, lingering close, `X-Forwarded-Proto`) and the
//! backend client (`net.client.*`: TLS suites, timeouts, connection pool).
//!
//! Invariant: applies exactly the `net.*` keys of [`KEYS`](super::KEYS)
//! (`Ok(false)` for any other key); TLS suite names we do not implement
//! are warned about with their source, and a list with no usable suite is
//! an error.

use super::parse::{parse_bool, parse_duration, parse_num};
use super::Settings;

/// Applies `key = v` from `source`; `Ok(false)` when `key` is not a
/// `net.*` key.
pub(super) fn apply(
    s: &mut Settings,
    source: &str,
    key: &str,
    v: &str,
    warnings: &mut Vec<String>,
) -> Result<bool, String> {
    match key {
        "net.server.http.address" => s.http_address = v.parse().map_err(|_| format!("not an IP address: {v:?}"))?,
        "net.server.http.port" => s.http_port = parse_num(v)?,
        "net.server.https.port" => s.https_port = parse_num(v)?,
        "net.server.tls.ciphers.allowed-suites" | "net.client.tls.ciphers.allowed-suites" => {
            let sel = crate::tls::suites::select(Some(v))?;
            for n in sel.ignored {
                warnings.push(format!(
                    "{source}: {key}: {n} is not implemented (no CBC, DHE or static-RSA suites), ignored"
                ));
            }
            let slot = if key.starts_with("net.server") {
                &mut s.server_suites
            } else {
                &mut s.client_suites
            };
            *slot = (!v.is_empty()).then(|| v.to_string());
        }
        "net.server.http.forwarded.proto.enabled" => s.forwarded_proto = parse_bool(v)?,
        "net.server.http.head.timeout" => s.head_timeout = parse_duration(v)?,
        "net.server.http.keepalive.timeout" => s.keepalive_timeout = parse_duration(v)?,
        "net.server.http.keepalive.buffer-hold" => s.keepalive_buffer_hold = parse_duration(v)?,
        "net.server.http.body.timeout" => s.body_timeout = parse_duration(v)?,
        "net.server.http.head.max-bytes" => s.max_head_bytes = parse_num(v)?,
        "net.server.http.uri.max-bytes" => s.max_uri_bytes = parse_num(v)?,
        "net.server.http.headers.max-count" => s.max_headers = parse_num(v)?,
        "net.server.http.body.max-bytes" => s.max_body_bytes = parse_num(v)?,
        "net.server.http.lingering.timeout" => s.linger_timeout = parse_duration(v)?,
        "net.server.http.lingering.max-bytes" => s.linger_max_bytes = parse_num(v)?,
        "net.client.connect.timeout" => s.connect_timeout = parse_duration(v)?,
        "net.client.response.timeout" => s.response_timeout = parse_duration(v)?,
        "net.client.pool.max-idle" => s.pool_max_idle = parse_num(v)?,
        "net.client.pool.idle.timeout" => s.pool_idle_timeout = parse_duration(v)?,
        _ => return Ok(false),
    }
    Ok(true)
}
