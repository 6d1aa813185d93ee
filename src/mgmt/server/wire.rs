//! Reading HTTP/1.1 requests off a blocking socket, with the data plane's
//! hardened parsers: the head with [`crate::http::RequestHead`] (strict
//! line endings, one unambiguous framing, Host required in HTTP/1.1), a
//! chunked body with [`crate::http::ChunkedDecoder`].
//!
//! Invariants: no network input can panic here; a head is bounded in size
//! ([`Limits::max_head`], else 431) and in time ([`Limits::head_timeout`]
//! from its first byte, against slowloris); waiting for the first byte of a
//! request is bounded by [`Limits::idle_timeout`]; a body is bounded by
//! [`Limits::max_body`] (413) whatever its framing, and each body read by
//! [`Limits::io_timeout`]. Bytes after one request's end stay buffered for
//! the next (pipelining).

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::conn::Limits;
use crate::http::{BodyFraming, ChunkedDecoder, Decoded, HeadLimits, RequestHead, Version};
use crate::mgmt::{bad, MgmtError};

/// Most header lines accepted in a head (more: 431).
const MAX_HEADERS: usize = 100;

/// Why no request could be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum ReadError {
    /// The peer closed, went quiet too long, or the socket failed: close
    /// without answering.
    #[error("connection ended")]
    Gone,
    /// Answer this error, then close.
    #[error(transparent)]
    Answer(#[from] MgmtError),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> ReadError {
        ReadError::Gone
    }
}

/// A request head, owned.
pub(super) struct Head {
    pub method: String,
    /// The path of the request target (percent-encoded, as received).
    pub path: String,
    /// The query string after `?`, without it.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub http10: bool,
    pub keep_alive: bool,
    pub expect_continue: bool,
    pub framing: BodyFraming,
}

/// A connection's socket and the bytes read from it but not yet consumed.
pub(super) struct Wire {
    pub stream: TcpStream,
    buf: Vec<u8>,
    parsed: RequestHead,
}

impl Wire {
    pub fn new(stream: TcpStream) -> Wire {
        Wire {
            stream,
            buf: Vec::new(),
            parsed: RequestHead::new(),
        }
    }

    /// Reads more bytes into the buffer, waiting at most `timeout`.
    fn fill(&mut self, timeout: Duration) -> Result<(), ReadError> {
        if timeout.is_zero() {
            return Err(ReadError::Gone);
        }
        self.stream.set_read_timeout(Some(timeout))?;
        let mut chunk = [0u8; 8192];
        let n = loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(ReadError::Gone),
            }
        };
        if n == 0 {
            return Err(ReadError::Gone);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// The next request head. `Err(Gone)` when the peer closed or stayed
    /// idle past the idle timeout (before a request started) or the head
    /// timeout (once it started).
    pub fn read_head(&mut self, limits: &Limits) -> Result<Head, ReadError> {
        if self.buf.is_empty() {
            self.fill(limits.idle_timeout)?;
        }
        let deadline = Instant::now() + limits.head_timeout;
        let head_limits = HeadLimits {
            max_head_bytes: limits.max_head,
            max_uri_bytes: limits.max_uri,
            max_headers: MAX_HEADERS,
        };
        while !self.parsed.parse(&self.buf, &head_limits).map_err(MgmtError::from)? {
            self.fill(deadline.saturating_duration_since(Instant::now()))?;
        }
        let (p, buf) = (&self.parsed, &self.buf[..]);
        let text = |s: crate::http::Span| String::from_utf8_lossy(s.get(buf)).into_owned();
        let path = match text(p.path) {
            empty if empty.is_empty() => "/".to_string(),
            path => path,
        };
        let head = Head {
            method: p.method.as_str().to_string(),
            path,
            query: p.query.map(text).unwrap_or_default(),
            headers: p.headers.iter().map(|h| (text(h.name), text(h.value))).collect(),
            http10: p.version == Version::Http10,
            keep_alive: p.keep_alive,
            expect_continue: p.expect_continue,
            framing: p.framing,
        };
        self.buf.drain(..p.head_len);
        if let BodyFraming::Length(n) = head.framing {
            if n > limits.max_body as u64 {
                return Err(MgmtError::PayloadTooLarge.into());
            }
        }
        Ok(head)
    }

    /// Reads the body `framing` announces (at most `limits.max_body`).
    pub fn read_body(&mut self, framing: BodyFraming, limits: &Limits) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        match framing {
            BodyFraming::Length(n) => {
                // `read_head` refused lengths over `max_body`.
                let mut left = usize::try_from(n).map_err(|_| MgmtError::PayloadTooLarge)?;
                loop {
                    let k = left.min(self.buf.len());
                    body.extend(self.buf.drain(..k));
                    left -= k;
                    if left == 0 {
                        break;
                    }
                    self.fill(limits.io_timeout)?;
                }
            }
            BodyFraming::Chunked => {
                let mut decoder = ChunkedDecoder::new();
                loop {
                    let (used, event) = decoder
                        .decode(&self.buf)
                        .map_err(|e| bad(format!("chunked request body: {e}")))?;
                    if let Decoded::Data(range) = &event {
                        if body.len() + range.len() > limits.max_body {
                            return Err(MgmtError::PayloadTooLarge.into());
                        }
                        body.extend_from_slice(self.buf.get(range.clone()).unwrap_or_default());
                    }
                    self.buf.drain(..used.min(self.buf.len()));
                    match event {
                        Decoded::Done => break,
                        Decoded::NeedMore => self.fill(limits.io_timeout)?,
                        Decoded::Data(_) => {}
                    }
                }
            }
            BodyFraming::None | BodyFraming::UntilClose => {}
        }
        Ok(body)
    }
}
