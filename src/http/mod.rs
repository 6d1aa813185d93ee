//! HTTP/1.1 message-head parsing and chunked body decoding for the proxy.
//!
//! Owns the shared vocabulary of the `http` module: [`Span`] (byte ranges into the
//! caller's read buffer), [`HeaderSpan`], [`Version`], [`BodyFraming`], [`HeadLimits`]
//! and [`HeadError`], plus the hop-by-hop header classification.
//!
//! Invariants:
//! - Parsers never copy message bytes; every parsed item is a [`Span`] into the buffer
//!   that was passed to `parse`. Spans are only meaningful for that buffer.
//! - [`Span::get`] never panics; an out-of-range span yields an empty slice.
//! - Nothing in this module panics on network input or allocates per request in
//!   steady state (the `Vec`s inside the head structs are cleared and reused).

pub mod chunked;
mod fields;
pub mod request_head;
pub mod response_head;

pub use chunked::{ChunkError, ChunkedDecoder, Decoded};
pub use request_head::RequestHead;
pub use response_head::ResponseHead;

/// A half-open byte range `start..end` into a message buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The bytes of this span in `buf`, or `&[]` if the span is out of range.
    pub fn get<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.start..self.end).unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One header field; `value` has surrounding optional whitespace trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderSpan {
    pub name: Span,
    pub value: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// How the body following a head is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFraming {
    None,
    Length(u64),
    Chunked,
    /// Responses only: the body runs until the backend closes the connection.
    UntilClose,
}

/// Size limits applied while parsing a head.
///
/// `max_headers` is capped at [`MAX_HEADERS_CAP`] (the parsers use a fixed stack array).
#[derive(Clone, Copy, Debug)]
pub struct HeadLimits {
    pub max_head_bytes: usize,
    pub max_uri_bytes: usize,
    pub max_headers: usize,
}

/// Hard upper bound on header fields per message (size of the on-stack parse array).
pub const MAX_HEADERS_CAP: usize = 128;

#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    #[error("request header fields too large")]
    HeadTooLarge,
    #[error("URI too long")]
    UriTooLong,
    #[error("too many header fields")]
    TooManyHeaders,
    #[error("malformed message head: {0}")]
    Malformed(&'static str),
    #[error("ambiguous message framing: {0}")]
    Framing(&'static str),
    #[error("HTTP version not supported")]
    Version,
}

impl HeadError {
    /// The HTTP status code a server should answer with for this error.
    pub fn status(&self) -> u16 {
        match self {
            HeadError::HeadTooLarge | HeadError::TooManyHeaders => 431,
            HeadError::UriTooLong => 414,
            HeadError::Malformed(_) | HeadError::Framing(_) => 400,
            HeadError::Version => 505,
        }
    }
}

/// True for the hop-by-hop header names of RFC 9110 §7.6.1 (ASCII case-insensitive).
pub fn is_hop_by_hop(name: &[u8]) -> bool {
    const HOP: [&[u8]; 9] = [
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authenticate",
        b"proxy-authorization",
    ];
    HOP.iter().any(|h| h.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_get_never_panics() {
        let buf = b"hello";
        assert_eq!(Span { start: 1, end: 3 }.get(buf), b"el");
        assert_eq!(Span { start: 3, end: 9 }.get(buf), b"");
        assert_eq!(Span { start: 4, end: 2 }.get(buf), b"");
        assert_eq!(Span { start: 4, end: 2 }.len(), 0);
        assert!(Span::default().is_empty());
    }

    #[test]
    fn hop_by_hop_names() {
        for n in [
            &b"Connection"[..],
            b"KEEP-ALIVE",
            b"te",
            b"Transfer-Encoding",
            b"Upgrade",
        ] {
            assert!(is_hop_by_hop(n));
        }
        for n in [&b"Host"[..], b"tE2", b"content-length", b""] {
            assert!(!is_hop_by_hop(n));
        }
    }

    #[test]
    fn error_statuses() {
        assert_eq!(HeadError::HeadTooLarge.status(), 431);
        assert_eq!(HeadError::TooManyHeaders.status(), 431);
        assert_eq!(HeadError::UriTooLong.status(), 414);
        assert_eq!(HeadError::Malformed("x").status(), 400);
        assert_eq!(HeadError::Framing("x").status(), 400);
        assert_eq!(HeadError::Version.status(), 505);
    }
}
