//! Every way a request can fail, and the one place ([`ProxyError::rescue`])
//! that maps a failure to the HTTP response the client gets.
//!
//! Gateway-generated errors have APIM's shape: one line of JSON,
//! `{ "statusCode": N, "message": "..." }`. Invariant: a failure caused by
//! the client's side of the connection has no response (the client is gone
//! or cannot be trusted to frame one), and every other failure has exactly
//! one status.

use crate::http::chunked::ChunkError;
use crate::http::HeadError;

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("bad request head: {0}")]
    Head(HeadError),
    #[error("timed out reading the request head")]
    HeadTimeout,
    #[error("bad request body framing: {0}")]
    RequestBody(ChunkError),
    #[error("request body larger than the configured maximum")]
    BodyTooLarge,
    #[error("client closed or failed mid-request: {0}")]
    ClientIo(std::io::Error),
    #[error("timed out reading the request body")]
    ClientTimeout,
    #[error("no API or operation matches")]
    NoRoute,
    #[error("no configuration loaded")]
    NotReady,
    #[error("backend host {0} has no resolved address")]
    Unresolved(String),
    #[error("backend connect failed: {0}")]
    Connect(std::io::Error),
    #[error("backend connect timed out")]
    ConnectTimeout,
    #[error("TLS handshake with the backend failed: {0}")]
    BackendTls(std::io::Error),
    #[error("backend did not answer in time")]
    ResponseTimeout,
    #[error("backend connection failed: {0}")]
    BackendIo(std::io::Error),
    #[error("backend closed the connection before answering")]
    BackendClosed,
    #[error("invalid backend response head: {0}")]
    BackendHead(HeadError),
    #[error("invalid backend response body: {0}")]
    BackendBody(ChunkError),
    #[error("backend response body larger than policy.body.max-bytes")]
    BackendBodyTooLarge,
    /// A backend accepted a protocol upgrade for a request whose outbound
    /// policies wait (they need the whole response; a tunnel has none).
    #[error("the backend upgraded the connection, but outbound policies that wait need a complete response")]
    UpgradeMaterialised,
    /// A policy refused the request or failed (rate limit, check-header…).
    #[error("{0}")]
    Policy(crate::policy::failure::Failure),
    /// No subscription key where one is required. Carries the value of the
    /// `WWW-Authenticate` challenge (realm and key header name, no secret).
    #[error("missing subscription key")]
    MissingSubscriptionKey { challenge: String },
    /// A key that is unknown, inactive or not valid for the API (the key
    /// itself is never part of the error).
    #[error("invalid subscription key")]
    InvalidSubscriptionKey,
}

impl ProxyError {
    /// The status and message for the client, or `None` when no response
    /// can be sent (the client side failed).
    pub fn rescue(&self) -> Option<(u16, &str)> {
        Some(match self {
            ProxyError::Policy(f) => (f.status, f.client_message()),
            ProxyError::Head(e) => (e.status(), head_message(e)),
            ProxyError::HeadTimeout => (408, "Request timeout"),
            ProxyError::RequestBody(_) => (400, "Bad request"),
            ProxyError::BodyTooLarge => (413, "Request entity too large"),
            ProxyError::ClientIo(_) | ProxyError::ClientTimeout => return None,
            ProxyError::NoRoute => (404, "Resource not found"),
            ProxyError::NotReady => (503, "Service unavailable"),
            ProxyError::Unresolved(_)
            | ProxyError::Connect(_)
            | ProxyError::BackendTls(_)
            | ProxyError::BackendIo(_)
            | ProxyError::BackendClosed
            | ProxyError::BackendHead(_)
            | ProxyError::BackendBody(_)
            | ProxyError::BackendBodyTooLarge
            | ProxyError::UpgradeMaterialised => (502, "Bad gateway"),
            ProxyError::ConnectTimeout | ProxyError::ResponseTimeout => (504, "Gateway timeout"),
            ProxyError::MissingSubscriptionKey { .. } => (401, MISSING_KEY),
            ProxyError::InvalidSubscriptionKey => (401, INVALID_KEY),
        })
    }

    /// Extra headers of the error response (`Retry-After`…).
    pub fn headers(&self) -> &[(&'static str, String)] {
        match self {
            ProxyError::Policy(f) => &f.headers,
            _ => &[],
        }
    }

    /// APIM's `LastError.Source`: the policy or built-in step that failed.
    pub fn source_name(&self) -> &'static str {
        match self {
            ProxyError::Policy(f) => f.source_name,
            ProxyError::NoRoute => "configuration",
            ProxyError::Head(_) | ProxyError::RequestBody(_) | ProxyError::BodyTooLarge => "request",
            _ => "forward-request",
        }
    }

    /// A header the error response carries besides the standard ones.
    pub fn extra_header(&self) -> Option<(&'static str, &str)> {
        match self {
            ProxyError::MissingSubscriptionKey { challenge } => Some(("WWW-Authenticate", challenge)),
            _ => None,
        }
    }

    /// APIM's `LastError.Reason`-style short name, for logs.
    pub fn reason(&self) -> &'static str {
        match self {
            ProxyError::Policy(f) => f.reason,
            ProxyError::Head(_) | ProxyError::RequestBody(_) => "BadRequest",
            ProxyError::HeadTimeout | ProxyError::ClientTimeout => "ClientTimeout",
            ProxyError::BodyTooLarge => "RequestEntityTooLarge",
            ProxyError::ClientIo(_) => "ClientConnectionFailure",
            ProxyError::NoRoute => "OperationNotFound",
            ProxyError::NotReady => "ConfigurationNotLoaded",
            ProxyError::ConnectTimeout | ProxyError::ResponseTimeout => "Timeout",
            ProxyError::MissingSubscriptionKey { .. } => "SubscriptionKeyNotFound",
            ProxyError::InvalidSubscriptionKey => "SubscriptionKeyInvalid",
            _ => "BackendConnectionFailure",
        }
    }
}

/// APIM's messages for refused subscription keys.
const MISSING_KEY: &str =
    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.";
const INVALID_KEY: &str =
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.";

fn head_message(e: &HeadError) -> &'static str {
    match e {
        HeadError::HeadTooLarge | HeadError::TooManyHeaders => "Request header fields too large",
        HeadError::UriTooLong => "URI too long",
        HeadError::Version => "HTTP version not supported",
        HeadError::Malformed(_) | HeadError::Framing(_) => "Bad request",
    }
}

/// APIM's error body: `{ "statusCode": N, "message": "..." }` (message JSON-escaped).
pub fn error_body(status: u16, message: &str) -> String {
    let mut body = format!("{{ \"statusCode\": {status}, \"message\": \"");
    for c in message.chars() {
        match c {
            '"' => body.push_str("\\\""),
            '\\' => body.push_str("\\\\"),
            c if (c as u32) < 0x20 => body.push_str(&format!("\\u{:04x}", c as u32)),
            c => body.push(c),
        }
    }
    body.push_str("\" }");
    body
}

/// Appends the complete gateway response for `e` to `out`; `false` when
/// the error has no response (see [`ProxyError::rescue`]).
pub fn write_rescue(out: &mut Vec<u8>, e: &ProxyError, close: bool) -> bool {
    let Some((status, message)) = e.rescue() else {
        return false;
    };
    let body = error_body(status, message);
    write_response(
        out,
        status,
        "application/json",
        e.extra_header(),
        body.as_bytes(),
        close,
    );
    true
}

/// Appends a complete response with a fixed body to `out`.
pub fn write_simple(out: &mut Vec<u8>, status: u16, content_type: &str, body: &[u8], close: bool) {
    write_response(out, status, content_type, None, body, close);
}

fn write_response(
    out: &mut Vec<u8>,
    status: u16,
    content_type: &str,
    extra: Option<(&str, &str)>,
    body: &[u8],
    close: bool,
) {
    use std::io::Write;
    let _ = write!(out, "HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    if let Some((name, value)) = extra {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    let _ = write!(
        out,
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n{}\r\n",
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    );
    out.extend_from_slice(body);
}

pub fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apim_404_body_byte_for_byte() {
        let mut out = Vec::new();
        assert!(write_rescue(&mut out, &ProxyError::NoRoute, false));
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(text.ends_with("\r\n\r\n{ \"statusCode\": 404, \"message\": \"Resource not found\" }"));
        assert!(text.contains("Content-Type: application/json\r\n"));
    }

    #[test]
    fn apim_401_bodies_and_challenge_byte_for_byte() {
        let challenge =
            r#"AzureApiManagementKey realm="https://h/echo",name="Ocp-Apim-Subscription-Key",type="header""#;
        let mut out = Vec::new();
        let missing = ProxyError::MissingSubscriptionKey {
            challenge: challenge.into(),
        };
        assert!(write_rescue(&mut out, &missing, true));
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{text}");
        assert!(
            text.contains(&format!("\r\nWWW-Authenticate: {challenge}\r\n")),
            "{text}"
        );
        assert!(text.ends_with("\r\n\r\n{ \"statusCode\": 401, \"message\": \"Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.\" }"));
        let mut out = Vec::new();
        assert!(write_rescue(&mut out, &ProxyError::InvalidSubscriptionKey, false));
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("WWW-Authenticate"), "{text}");
        assert!(text.ends_with("\r\n\r\n{ \"statusCode\": 401, \"message\": \"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.\" }"));
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(!write_rescue(&mut Vec::new(), &ProxyError::ClientIo(io), true));
    }

    #[test]
    fn client_side_failures_have_no_response() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(ProxyError::ClientIo(io).rescue().is_none());
        assert_eq!(ProxyError::ResponseTimeout.rescue().unwrap().0, 504);
        assert_eq!(ProxyError::Head(HeadError::UriTooLong).rescue().unwrap().0, 414);
    }
}
