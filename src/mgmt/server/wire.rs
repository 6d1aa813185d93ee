//! Reading HTTP/1.1 requests off a blocking socket: the head (parsed with
//! `httparse`), then the body by its framing (`Content-Length` or chunked).
//!
//! Invariants: no network input can panic here; a head is bounded in size
//! ([`Limits::max_head`], else 431) and in time ([`Limits::head_timeout`]
//! from its first byte, against slowloris); waiting for the first byte of a
//! request is bounded by [`Limits::idle_timeout`]; a body is bounded by
//! [`Limits::max_body`] (413) whatever its framing, and each body read by
//! [`Limits::io_timeout`]; a request with both `Transfer-Encoding` and
//! `Content-Length`, or any coding other than `chunked`, is refused (400)
//! so the framing is never ambiguous. Bytes after one request's end stay
//! buffered for the next (pipelining).

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::conn::Limits;
use crate::mgmt::{bad, MgmtError};

/// Most header lines accepted in a head (more: 431).
const MAX_HEADERS: usize = 100;
/// Longest chunk-size or trailer line.
const MAX_LINE: usize = 4096;

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

/// A parsed request head.
pub(super) struct Head {
    pub method: String,
    pub target: String,
    pub http10: bool,
    pub headers: Vec<(String, String)>,
}

/// How the request body is delimited.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Framing {
    Length(usize),
    Chunked,
}

impl Head {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether a comma-separated header (all its lines) lists `token`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.values(name)
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// HTTP/1.1 stays open unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        if self.has_token("connection", "close") {
            false
        } else {
            !self.http10 || self.has_token("connection", "keep-alive")
        }
    }

    /// The body's framing; `None` for a request without a body.
    pub fn framing(&self, max_body: usize) -> Result<Option<Framing>, MgmtError> {
        let codings: Vec<String> = self
            .values("transfer-encoding")
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        let lengths: Vec<&str> = self.values("content-length").flat_map(|v| v.split(',')).collect();
        if !codings.is_empty() {
            if !lengths.is_empty() {
                return Err(bad("both Transfer-Encoding and Content-Length"));
            }
            if self.http10 || codings != ["chunked"] {
                return Err(bad("unsupported Transfer-Encoding (only chunked is accepted)"));
            }
            return Ok(Some(Framing::Chunked));
        }
        let mut length = None;
        for v in lengths {
            let v = v.trim();
            let n = match v.parse::<u64>() {
                Ok(n) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad("invalid Content-Length")),
            };
            if length.is_some_and(|l| l != n) {
                return Err(bad("conflicting Content-Length values"));
            }
            length = Some(n);
        }
        match length {
            None | Some(0) => Ok(None),
            Some(n) if n > max_body as u64 => Err(MgmtError::PayloadTooLarge),
            Some(n) => Ok(Some(Framing::Length(n as usize))),
        }
    }
}

/// A connection's socket and the bytes read from it but not yet consumed.
pub(super) struct Wire {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Wire {
    pub fn new(stream: TcpStream) -> Wire {
        Wire {
            stream,
            buf: Vec::new(),
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
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut req = httparse::Request::new(&mut headers);
            match req.parse(&self.buf) {
                Ok(httparse::Status::Complete(n)) => {
                    if n > limits.max_head {
                        return Err(MgmtError::HeaderTooLarge.into());
                    }
                    let head = owned_head(&req)?;
                    self.buf.drain(..n);
                    return Ok(head);
                }
                Ok(httparse::Status::Partial) => {
                    if self.buf.len() > limits.max_head {
                        return Err(MgmtError::HeaderTooLarge.into());
                    }
                }
                Err(httparse::Error::TooManyHeaders) => return Err(MgmtError::HeaderTooLarge.into()),
                Err(e) => return Err(bad(format!("malformed request head: {e}")).into()),
            }
            self.fill(deadline.saturating_duration_since(Instant::now()))?;
        }
    }

    /// Reads the body announced by `framing` (at most `limits.max_body`).
    pub fn read_body(&mut self, framing: Option<Framing>, limits: &Limits) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        match framing {
            None => {}
            Some(Framing::Length(n)) => self.take(n, &mut body, limits)?,
            Some(Framing::Chunked) => loop {
                let line = self.line(limits)?;
                let size = chunk_size(&line)?;
                if size == 0 {
                    // Trailers (ignored) up to the empty line.
                    let mut trailers = 0;
                    while !self.line(limits)?.is_empty() {
                        trailers += 1;
                        if trailers > MAX_HEADERS {
                            return Err(MgmtError::HeaderTooLarge.into());
                        }
                    }
                    break;
                }
                if size > limits.max_body - body.len() {
                    return Err(MgmtError::PayloadTooLarge.into());
                }
                self.take(size, &mut body, limits)?;
                if !self.line(limits)?.is_empty() {
                    return Err(bad("chunk data longer than its size").into());
                }
            },
        }
        Ok(body)
    }

    /// Moves exactly `n` bytes of the stream into `out`.
    fn take(&mut self, n: usize, out: &mut Vec<u8>, limits: &Limits) -> Result<(), ReadError> {
        let mut left = n;
        loop {
            let k = left.min(self.buf.len());
            out.extend_from_slice(&self.buf[..k]);
            self.buf.drain(..k);
            left -= k;
            if left == 0 {
                return Ok(());
            }
            self.fill(limits.io_timeout)?;
        }
    }

    /// One CRLF-terminated line (without the CRLF) of a chunked body.
    fn line(&mut self, limits: &Limits) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                if i == 0 || self.buf[i - 1] != b'\r' {
                    return Err(bad("chunked body lines must end with CRLF").into());
                }
                let line = self.buf[..i - 1].to_vec();
                self.buf.drain(..=i);
                return Ok(line);
            }
            if self.buf.len() > MAX_LINE {
                return Err(bad("chunk-size line too long").into());
            }
            self.fill(limits.io_timeout)?;
        }
    }
}

/// The size of a chunk from its line (`HEX[;extensions]`).
fn chunk_size(line: &[u8]) -> Result<usize, MgmtError> {
    let hex = line.split(|&b| b == b';').next().unwrap_or_default();
    let hex = hex.trim_ascii();
    if hex.is_empty() || hex.len() > 15 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad("invalid chunk size"));
    }
    // Only hex digits, at most 15 of them: this parse cannot fail.
    let text = std::str::from_utf8(hex).map_err(|_| bad("invalid chunk size"))?;
    usize::from_str_radix(text, 16).map_err(|_| bad("invalid chunk size"))
}

fn owned_head(req: &httparse::Request<'_, '_>) -> Result<Head, MgmtError> {
    let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
        return Err(bad("malformed request line"));
    };
    if !target.starts_with('/') {
        return Err(bad("the request target must be a path"));
    }
    let headers = req
        .headers
        .iter()
        .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).into_owned()))
        .collect();
    Ok(Head {
        method: method.to_ascii_uppercase(),
        target: target.to_string(),
        http10: version == 0,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(http10: bool, headers: &[(&str, &str)]) -> Head {
        Head {
            method: "POST".into(),
            target: "/".into(),
            http10,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[test]
    fn framing_is_never_ambiguous() {
        let f = |h: &[(&str, &str)]| head(false, h).framing(100);
        assert_eq!(f(&[]).unwrap(), None);
        assert_eq!(f(&[("Content-Length", "7")]).unwrap(), Some(Framing::Length(7)));
        assert_eq!(f(&[("content-length", "7, 7")]).unwrap(), Some(Framing::Length(7)));
        assert_eq!(f(&[("Transfer-Encoding", "Chunked")]).unwrap(), Some(Framing::Chunked));
        assert!(matches!(
            f(&[("Content-Length", "101")]),
            Err(MgmtError::PayloadTooLarge)
        ));
        for bad_headers in [
            &[("Content-Length", "7"), ("Content-Length", "8")][..],
            &[("Content-Length", "+7")],
            &[("Content-Length", "")],
            &[("Content-Length", "99999999999999999999999")],
            &[("Transfer-Encoding", "gzip, chunked")],
            &[("Transfer-Encoding", "chunked"), ("Content-Length", "3")],
        ] {
            assert!(
                matches!(f(bad_headers), Err(MgmtError::BadRequest(_))),
                "{bad_headers:?}"
            );
        }
        assert!(head(true, &[("Transfer-Encoding", "chunked")]).framing(100).is_err());
    }

    #[test]
    fn keep_alive_by_version_and_connection_header() {
        assert!(head(false, &[]).keep_alive());
        assert!(!head(false, &[("Connection", "Upgrade, Close")]).keep_alive());
        assert!(!head(true, &[]).keep_alive());
        assert!(head(true, &[("connection", "Keep-Alive")]).keep_alive());
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_size(b"1f").unwrap(), 31);
        assert_eq!(chunk_size(b"A;name=value").unwrap(), 10);
        for bad_line in [&b""[..], b"+1", b"-1", b"g", b"1 2", b"ffffffffffffffff0"] {
            assert!(chunk_size(bad_line).is_err(), "{bad_line:?}");
        }
    }
}
