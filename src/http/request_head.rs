//! Incremental HTTP/1.x request-head parser with request-smuggling defences.
//!
//! Owns [`RequestHead`]: the parsed request line, header spans, framing and connection
//! semantics of one request head.
//!
//! Invariants:
//! - `parse` is a pure function of `buf`: calling it on a prefix returns `Ok(false)` (or an
//!   error), and once complete the fields are identical to a single-shot parse.
//! - Fields are only meaningful after `parse` returned `Ok(true)`; all spans index the
//!   buffer that was passed to that call (leading empty lines are skipped but counted).
//! - No per-parse heap allocation: httparse writes into an on-stack array of at most
//!   [`MAX_HEADERS_CAP`] headers; `headers`/`connection_tokens` are cleared and reused.
//! - `framing` is only ever `None`, `Length(n)` or `Chunked`.

use std::mem::MaybeUninit;

use super::fields::{self, Fields};
use super::{BodyFraming, HeadError, HeadLimits, HeaderSpan, Span, Version, MAX_HEADERS_CAP};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: http::Method,
    /// the request-target bytes exactly as received
    pub target: Span,
    /// origin-form path (target up to '?'); for absolute-form the path part, which is
    /// empty when the target has no path (the proxy then uses "/"); `*` for `OPTIONS *`
    pub path: Span,
    /// bytes after the first '?', without the '?'
    pub query: Option<Span>,
    pub version: Version,
    /// every header in order (hop-by-hop included), reused across parses
    pub headers: Vec<HeaderSpan>,
    /// bytes of the head including any skipped leading CRLFs and the final CRLFCRLF
    pub head_len: usize,
    /// `None`, `Length(n)` or `Chunked` only
    pub framing: BodyFraming,
    pub keep_alive: bool,
    pub expect_continue: bool,
    /// Connection has the "upgrade" token AND an Upgrade header is present
    pub upgrade: bool,
    pub host: Option<Span>,
    /// spans of the tokens listed in Connection header(s), reused
    pub connection_tokens: Vec<Span>,
}

impl Default for RequestHead {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestHead {
    pub fn new() -> Self {
        RequestHead {
            method: http::Method::GET,
            target: Span::default(),
            path: Span::default(),
            query: None,
            version: Version::Http11,
            // Allocated by the first parse, at its exact size.
            headers: Vec::new(),
            head_len: 0,
            framing: BodyFraming::None,
            keep_alive: false,
            expect_continue: false,
            upgrade: false,
            host: None,
            connection_tokens: Vec::new(),
        }
    }

    /// Parse a request head at the start of `buf`. `Ok(false)`: incomplete, call again with
    /// a longer buffer. `Ok(true)`: complete, all fields filled.
    pub fn parse(&mut self, buf: &[u8], limits: &HeadLimits) -> Result<bool, HeadError> {
        let cap = limits.max_headers.min(MAX_HEADERS_CAP);
        let mut raw = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS_CAP];
        let raw = match raw.get_mut(..cap) {
            Some(r) => r,
            None => return Err(HeadError::TooManyHeaders),
        };
        let mut req = httparse::Request::new(&mut []);
        let status = httparse::ParserConfig::default()
            .parse_request_with_uninit_headers(&mut req, buf, raw)
            .map_err(fields::map_httparse)?;
        let head_len = match status {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial => return partial_limits(buf, limits).map(|()| false),
        };
        let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
            return Err(HeadError::Malformed("incomplete request line"));
        };

        let method = http::Method::from_bytes(method.as_bytes()).map_err(|_| HeadError::Malformed("invalid method"))?;
        if method == http::Method::CONNECT {
            return Err(HeadError::Malformed("CONNECT is not supported"));
        }
        let target = fields::span_of(buf, target.as_bytes());
        if target.len() > limits.max_uri_bytes {
            return Err(HeadError::UriTooLong);
        }
        if head_len > limits.max_head_bytes {
            return Err(HeadError::HeadTooLarge);
        }
        fields::check_line_endings(buf.get(..head_len).unwrap_or(&[]))?;
        let version = if version == 0 { Version::Http10 } else { Version::Http11 };
        let (path, query) = split_target(buf, target, &method)?;
        fields::collect_headers(buf, req.headers, &mut self.headers);

        let f: Fields = fields::analyze(buf, &self.headers, &mut self.connection_tokens)?;
        if f.host_count > 1 {
            return Err(HeadError::Malformed("multiple Host headers"));
        }
        if f.host_count == 0 && version == Version::Http11 {
            return Err(HeadError::Malformed("missing Host header"));
        }
        let framing = if f.te_present {
            if version == Version::Http10 {
                return Err(HeadError::Framing("Transfer-Encoding in HTTP/1.0 request"));
            }
            if f.content_length.is_some() {
                return Err(HeadError::Framing("both Content-Length and Transfer-Encoding"));
            }
            if f.te_codings != 1 || !f.te_chunked_final {
                return Err(HeadError::Framing("Transfer-Encoding must be exactly chunked"));
            }
            BodyFraming::Chunked
        } else {
            match f.content_length {
                Some(n) => BodyFraming::Length(n),
                None => BodyFraming::None,
            }
        };

        self.method = method;
        self.target = target;
        self.path = path;
        self.query = query;
        self.version = version;
        self.head_len = head_len;
        self.framing = framing;
        self.keep_alive = !f.close && (version == Version::Http11 || f.keep_alive);
        self.expect_continue = f.expect_continue;
        self.upgrade = f.conn_upgrade && f.upgrade_present;
        self.host = f.host;
        Ok(true)
    }

    /// Value of the first header with this name (ASCII case-insensitive).
    pub fn header<'a>(&self, buf: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
        fields::find_header(buf, &self.headers, name)
    }

    /// Is this header name hop-by-hop for this message: `is_hop_by_hop(name)` or named in Connection.
    pub fn is_connection_header(&self, buf: &[u8], name: &[u8]) -> bool {
        fields::is_connection_header(buf, &self.connection_tokens, name)
    }
}

/// Limit checks for an incomplete head.
fn partial_limits(buf: &[u8], limits: &HeadLimits) -> Result<(), HeadError> {
    let line = buf.get(fields::leading_empty_lines(buf)..).unwrap_or(&[]);
    // A request-target already longer than allowed is rejected without waiting for more.
    if let Some(sp) = line.iter().position(|&b| b == b' ') {
        let rest = line.get(sp + 1..).unwrap_or(&[]);
        let tlen = rest
            .iter()
            .position(|&b| matches!(b, b' ' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        if tlen > limits.max_uri_bytes {
            return Err(HeadError::UriTooLong);
        }
    }
    if buf.len() >= limits.max_head_bytes {
        let window = line.get(..limits.max_uri_bytes.saturating_add(16)).unwrap_or(line);
        if line.is_empty() || window.contains(&b'\n') {
            return Err(HeadError::HeadTooLarge);
        }
        return Err(HeadError::UriTooLong);
    }
    Ok(())
}

/// Validates the request-target form and returns (path, query).
fn split_target(buf: &[u8], target: Span, method: &http::Method) -> Result<(Span, Option<Span>), HeadError> {
    let t = target.get(buf);
    if t.iter().any(|&b| b == b'#' || !b.is_ascii_graphic()) {
        return Err(HeadError::Malformed("invalid byte in request-target"));
    }
    if t == b"*" {
        if *method == http::Method::OPTIONS {
            return Ok((target, None));
        }
        return Err(HeadError::Malformed("asterisk-form only allowed with OPTIONS"));
    }
    let path_start = if t.first() == Some(&b'/') {
        0
    } else {
        let scheme_len = if starts_with_ci(t, b"http://") {
            7
        } else if starts_with_ci(t, b"https://") {
            8
        } else {
            return Err(HeadError::Malformed("invalid request-target form"));
        };
        let rest = t.get(scheme_len..).unwrap_or(&[]);
        let auth_len = rest.iter().position(|&b| b == b'/' || b == b'?').unwrap_or(rest.len());
        if auth_len == 0 {
            return Err(HeadError::Malformed("absolute-form target without authority"));
        }
        scheme_len + auth_len
    };
    let q = t.iter().position(|&b| b == b'?');
    let path_end = q.unwrap_or(t.len()).max(path_start);
    let path = Span {
        start: target.start + path_start,
        end: target.start + path_end,
    };
    let query = q.map(|q| Span {
        start: target.start + q + 1,
        end: target.end,
    });
    Ok((path, query))
}

fn starts_with_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
#[path = "request_head_tests.rs"]
mod tests;
