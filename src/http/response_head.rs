//! Incremental HTTP/1.x response-head parser for messages coming from backends.
//!
//! Owns [`ResponseHead`]: status line, header spans, body framing and connection
//! semantics of one response head.
//!
//! Invariants:
//! - `parse` is a pure function of `buf` (prefix → `Ok(false)`; complete → identical
//!   fields to a single-shot parse). Fields are meaningful only after `Ok(true)`.
//! - Ambiguous framing is refused, never guessed: both Content-Length and
//!   Transfer-Encoding, conflicting/invalid Content-Length, `chunked` listed twice, and
//!   Transfer-Encoding in an HTTP/1.0 response are all `Framing` errors.
//! - No per-parse heap allocation (on-stack httparse array of at most
//!   [`MAX_HEADERS_CAP`] headers; reused `Vec`s).

use std::mem::MaybeUninit;

use super::fields::{self, Fields};
use super::{BodyFraming, HeadError, HeadLimits, HeaderSpan, Span, Version, MAX_HEADERS_CAP};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    pub version: Version,
    pub reason: Span,
    pub headers: Vec<HeaderSpan>,
    pub head_len: usize,
    /// None for 1xx, 204, 304 and responses to HEAD; Chunked when TE's final coding is
    /// chunked; UntilClose when TE is present but not chunked-final, or no CL/TE;
    /// Length(n) otherwise
    pub framing: BodyFraming,
    /// false if Connection: close, HTTP/1.0 without keep-alive, or framing UntilClose
    pub keep_alive: bool,
    pub connection_tokens: Vec<Span>,
}

impl Default for ResponseHead {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseHead {
    pub fn new() -> Self {
        ResponseHead {
            status: 0,
            version: Version::Http11,
            reason: Span::default(),
            // Allocated by the first parse, at its exact size.
            headers: Vec::new(),
            head_len: 0,
            framing: BodyFraming::None,
            keep_alive: false,
            connection_tokens: Vec::new(),
        }
    }

    /// Parse a response head at the start of `buf`. `Ok(false)`: incomplete, call again
    /// with a longer buffer. `request_was_head`: the request was HEAD (no body follows).
    pub fn parse(&mut self, buf: &[u8], limits: &HeadLimits, request_was_head: bool) -> Result<bool, HeadError> {
        let cap = limits.max_headers.min(MAX_HEADERS_CAP);
        let mut raw = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS_CAP];
        let raw = match raw.get_mut(..cap) {
            Some(r) => r,
            None => return Err(HeadError::TooManyHeaders),
        };
        let mut resp = httparse::Response::new(&mut []);
        let status = httparse::ParserConfig::default()
            .parse_response_with_uninit_headers(&mut resp, buf, raw)
            .map_err(fields::map_httparse)?;
        let head_len = match status {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial if buf.len() >= limits.max_head_bytes => return Err(HeadError::HeadTooLarge),
            httparse::Status::Partial => return Ok(false),
        };
        if head_len > limits.max_head_bytes {
            return Err(HeadError::HeadTooLarge);
        }
        let (Some(code), Some(version)) = (resp.code, resp.version) else {
            return Err(HeadError::Malformed("incomplete status line"));
        };
        if !(100..=599).contains(&code) {
            return Err(HeadError::Malformed("invalid status code"));
        }
        fields::check_line_endings(buf.get(..head_len).unwrap_or(&[]))?;
        let version = if version == 0 { Version::Http10 } else { Version::Http11 };
        let reason = fields::span_of(buf, resp.reason.unwrap_or("").as_bytes());
        fields::collect_headers(buf, resp.headers, &mut self.headers);

        let f: Fields = fields::analyze(buf, &self.headers, &mut self.connection_tokens)?;
        if f.te_present {
            if version == Version::Http10 {
                return Err(HeadError::Framing("Transfer-Encoding in HTTP/1.0 response"));
            }
            if f.content_length.is_some() {
                return Err(HeadError::Framing("both Content-Length and Transfer-Encoding"));
            }
            if f.te_chunked_count > 1 {
                return Err(HeadError::Framing("chunked applied more than once"));
            }
        }
        let no_body = request_was_head || (100..200).contains(&code) || code == 204 || code == 304;
        let framing = if no_body {
            BodyFraming::None
        } else if f.te_present {
            if f.te_chunked_final {
                BodyFraming::Chunked
            } else {
                BodyFraming::UntilClose
            }
        } else {
            match f.content_length {
                Some(n) => BodyFraming::Length(n),
                None => BodyFraming::UntilClose,
            }
        };

        self.status = code;
        self.version = version;
        self.reason = reason;
        self.head_len = head_len;
        self.framing = framing;
        self.keep_alive =
            !f.close && (version == Version::Http11 || f.keep_alive) && framing != BodyFraming::UntilClose;
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

#[cfg(test)]
#[path = "response_head_tests.rs"]
mod tests;
