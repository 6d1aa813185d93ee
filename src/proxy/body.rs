//! Streams one message body from a buffered source to a sink with
//! backpressure: a read is issued only after the previous bytes were fully
//! written, so memory per connection stays at one read buffer whatever the
//! body size.
//!
//! Invariants: exactly the body's bytes are consumed from the source
//! (pipelined bytes after it stay unread); chunked input is always decoded
//! and, when the sink needs chunked output, re-encoded canonically (no
//! extensions, no trailers), so what the peer receives is framed the way we
//! parsed it, never the way the sender spelled it.
//!
//! With [`CopySpec::discard_on_sink_error`] (request uploads), a sink that
//! fails mid-body (the backend answered and closed) does not end the copy:
//! the rest of the body is still read from the source and dropped, so the
//! client connection ends at a message boundary and can carry another
//! request ([`CopyError::Discarded`]).

use super::error::ProxyError;
use crate::http::chunked::{write_chunk_header, ChunkedDecoder, Decoded, CHUNK_END, LAST_CHUNK};
use crate::http::BodyFraming;
use crate::server::io::{forward_buffered, write_vec, Buffered};
use monoio::io::{AsyncReadRent, AsyncWriteRent};
use std::time::Duration;

/// Which side a body copy is reading from, so errors blame the right peer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Backend,
}

/// How a copy behaves.
pub struct CopySpec {
    pub framing: BodyFraming,
    /// Re-encode as chunked on the way out (chunked or close-delimited input).
    pub chunked_out: bool,
    /// Maximum body bytes (0 = none).
    pub limit: u64,
    /// Maximum wait for each read.
    pub read_timeout: Duration,
    /// Maximum wait for each write (a peer that stops reading).
    pub write_timeout: Duration,
    pub side: Side,
    /// Keep reading (and dropping) the body after the sink failed.
    pub discard_on_sink_error: bool,
}

/// Failures of a body copy, split by which peer caused them.
#[derive(Debug)]
pub enum CopyError {
    /// The source failed: the message is incomplete.
    Source(ProxyError),
    /// The sink failed: it went away.
    Sink(std::io::Error),
    /// The sink failed, then the rest of the body was read from the source
    /// and dropped: the source is at the end of the message.
    Discarded(std::io::Error),
}

/// The sink of one copy, which may have failed (then, in discard mode,
/// every later write is skipped and its bytes dropped).
struct Sink<'a, W> {
    dst: &'a mut W,
    failed: Option<std::io::Error>,
}

impl<W: AsyncWriteRent> Sink<'_, W> {
    /// Keeps a sink failure when the copy may go on discarding. A write that
    /// timed out does not qualify: it was dropped mid-flight with the source
    /// buffer, so the source's position is no longer known.
    fn absorb(&mut self, e: CopyError, spec: &CopySpec) -> Result<(), CopyError> {
        match e {
            CopyError::Sink(e) if spec.discard_on_sink_error && e.kind() != std::io::ErrorKind::TimedOut => {
                self.failed = Some(e);
                Ok(())
            }
            e => Err(e),
        }
    }

    /// Writes (or drops) `src.data()[..n]` and consumes it.
    async fn buffered<S>(&mut self, src: &mut Buffered<S>, n: usize, spec: &CopySpec) -> Result<(), CopyError> {
        if self.failed.is_none() {
            match sink_buffered(src, self.dst, n, spec).await {
                Ok(()) => return Ok(()),
                Err(e) => self.absorb(e, spec)?,
            }
        }
        src.consume(n);
        Ok(())
    }

    /// Writes (or drops) and clears `scratch`.
    async fn vec(&mut self, scratch: &mut Vec<u8>, spec: &CopySpec) -> Result<(), CopyError> {
        if self.failed.is_none() {
            match sink_vec(self.dst, scratch, spec).await {
                Ok(()) => return Ok(()),
                Err(e) => self.absorb(e, spec)?,
            }
        }
        scratch.clear();
        Ok(())
    }

    fn finish(self, copied: u64) -> Result<u64, CopyError> {
        match self.failed {
            None => Ok(copied),
            Some(e) => Err(CopyError::Discarded(e)),
        }
    }
}

/// Space offered to each read of a client's body (the head's small pooled
/// buffer is swapped for a body-sized one).
const CLIENT_BODY_READ: usize = 8 * 1024;

/// Copies one body; returns the payload bytes copied.
pub async fn copy_body<S: AsyncReadRent, W: AsyncWriteRent>(
    src: &mut Buffered<S>,
    dst: &mut W,
    spec: &CopySpec,
    scratch: &mut Vec<u8>,
) -> Result<u64, CopyError> {
    scratch.clear();
    match spec.framing {
        BodyFraming::None => Ok(0),
        BodyFraming::Length(n) => copy_length(src, dst, n, spec).await,
        BodyFraming::Chunked => copy_chunked(src, dst, spec, scratch).await,
        BodyFraming::UntilClose => copy_until_close(src, dst, spec, scratch).await,
    }
}

async fn read_more<S: AsyncReadRent>(src: &mut Buffered<S>, spec: &CopySpec, eof_ok: bool) -> Result<usize, CopyError> {
    let err = |e: ProxyError| CopyError::Source(e);
    if matches!(spec.side, Side::Client) {
        // A client's body reads take a body-sized buffer, not its head's.
        src.reserve_read(CLIENT_BODY_READ);
    }
    match monoio::time::timeout(spec.read_timeout, src.fill()).await {
        Ok(Ok(0)) if eof_ok => Ok(0),
        Ok(Ok(0)) => Err(err(match spec.side {
            Side::Client => ProxyError::ClientIo(std::io::ErrorKind::UnexpectedEof.into()),
            Side::Backend => ProxyError::BackendClosed,
        })),
        Ok(Ok(n)) => Ok(n),
        Ok(Err(e)) => Err(err(match spec.side {
            Side::Client => ProxyError::ClientIo(e),
            Side::Backend => ProxyError::BackendIo(e),
        })),
        Err(_) => Err(err(match spec.side {
            Side::Client => ProxyError::ClientTimeout,
            Side::Backend => ProxyError::ResponseTimeout,
        })),
    }
}

/// Writes `src.data()[..n]` within the write timeout.
async fn sink_buffered<S, W: AsyncWriteRent>(
    src: &mut Buffered<S>,
    dst: &mut W,
    n: usize,
    spec: &CopySpec,
) -> Result<(), CopyError> {
    match monoio::time::timeout(spec.write_timeout, forward_buffered(src, dst, n)).await {
        Ok(res) => res.map_err(CopyError::Sink),
        Err(_) => Err(CopyError::Sink(std::io::ErrorKind::TimedOut.into())),
    }
}

/// Writes and clears `scratch` within the write timeout.
async fn sink_vec<W: AsyncWriteRent>(dst: &mut W, scratch: &mut Vec<u8>, spec: &CopySpec) -> Result<(), CopyError> {
    let out = std::mem::take(scratch);
    match monoio::time::timeout(spec.write_timeout, write_vec(dst, out)).await {
        Ok((res, out)) => {
            *scratch = out;
            res.map_err(CopyError::Sink)
        }
        Err(_) => Err(CopyError::Sink(std::io::ErrorKind::TimedOut.into())),
    }
}

fn over_limit(spec: &CopySpec, total: u64) -> bool {
    spec.limit != 0 && total > spec.limit
}

async fn copy_length<S: AsyncReadRent, W: AsyncWriteRent>(
    src: &mut Buffered<S>,
    dst: &mut W,
    n: u64,
    spec: &CopySpec,
) -> Result<u64, CopyError> {
    let mut sink = Sink { dst, failed: None };
    let mut left = n;
    while left > 0 {
        if src.data().is_empty() {
            read_more(src, spec, false).await?;
        }
        let take = (src.data().len() as u64).min(left) as usize;
        sink.buffered(src, take, spec).await?;
        left -= take as u64;
    }
    sink.finish(n)
}

async fn copy_chunked<S: AsyncReadRent, W: AsyncWriteRent>(
    src: &mut Buffered<S>,
    dst: &mut W,
    spec: &CopySpec,
    scratch: &mut Vec<u8>,
) -> Result<u64, CopyError> {
    let mut sink = Sink { dst, failed: None };
    let mut decoder = ChunkedDecoder::new();
    let bad = |e| {
        CopyError::Source(match spec.side {
            Side::Client => ProxyError::RequestBody(e),
            Side::Backend => ProxyError::BackendBody(e),
        })
    };
    loop {
        if src.data().is_empty() {
            read_more(src, spec, false).await?;
        }
        let (consumed, event) = decoder.decode(src.data()).map_err(bad)?;
        match event {
            Decoded::Data(range) => {
                if over_limit(spec, decoder.payload_len()) {
                    return Err(CopyError::Source(ProxyError::BodyTooLarge));
                }
                if spec.chunked_out {
                    write_chunk_header(range.len(), scratch);
                    scratch.extend_from_slice(src.data().get(range).unwrap_or_default());
                    scratch.extend_from_slice(CHUNK_END);
                    sink.vec(scratch, spec).await?;
                    src.consume(consumed);
                } else {
                    src.consume(range.start);
                    sink.buffered(src, range.len(), spec).await?;
                    src.consume(consumed - range.end);
                }
            }
            Decoded::NeedMore => {
                src.consume(consumed);
                read_more(src, spec, false).await?;
            }
            Decoded::Done => {
                src.consume(consumed);
                if spec.chunked_out {
                    scratch.extend_from_slice(LAST_CHUNK);
                    sink.vec(scratch, spec).await?;
                }
                return sink.finish(decoder.payload_len());
            }
        }
    }
}

async fn copy_until_close<S: AsyncReadRent, W: AsyncWriteRent>(
    src: &mut Buffered<S>,
    dst: &mut W,
    spec: &CopySpec,
    scratch: &mut Vec<u8>,
) -> Result<u64, CopyError> {
    let mut total = 0u64;
    loop {
        if src.data().is_empty() && read_more(src, spec, true).await? == 0 {
            break;
        }
        let n = src.data().len();
        total += n as u64;
        if spec.chunked_out {
            write_chunk_header(n, scratch);
            scratch.extend_from_slice(src.data());
            scratch.extend_from_slice(CHUNK_END);
            sink_vec(dst, scratch, spec).await?;
            src.consume(n);
        } else {
            sink_buffered(src, dst, n, spec).await?;
        }
    }
    if spec.chunked_out {
        scratch.extend_from_slice(LAST_CHUNK);
        sink_vec(dst, scratch, spec).await?;
    }
    Ok(total)
}

/// Reads a whole body into memory, at most `max` bytes (more is
/// [`ProxyError::BodyTooLarge`] from a client, [`ProxyError::BackendBodyTooLarge`]
/// from a backend). Used only where a policy needs the body.
pub async fn read_all<S: AsyncReadRent>(
    src: &mut Buffered<S>,
    framing: BodyFraming,
    max: u64,
    timeout: Duration,
    side: Side,
) -> Result<Vec<u8>, ProxyError> {
    let too_large = || match side {
        Side::Client => ProxyError::BodyTooLarge,
        Side::Backend => ProxyError::BackendBodyTooLarge,
    };
    let spec = CopySpec {
        framing,
        chunked_out: false,
        limit: max,
        read_timeout: timeout,
        write_timeout: timeout,
        side,
        discard_on_sink_error: false,
    };
    let source = |e: CopyError| match e {
        CopyError::Source(e) => e,
        CopyError::Sink(e) | CopyError::Discarded(e) => ProxyError::BackendIo(e),
    };
    let mut body = Vec::new();
    let mut decoder = ChunkedDecoder::new();
    loop {
        match framing {
            BodyFraming::None => return Ok(body),
            BodyFraming::Length(n) => {
                if n > max {
                    return Err(too_large());
                }
                let want = n as usize - body.len();
                let take = want.min(src.data().len());
                body.extend_from_slice(&src.data()[..take]);
                src.consume(take);
                if body.len() as u64 == n {
                    return Ok(body);
                }
            }
            BodyFraming::UntilClose => {
                body.extend_from_slice(src.data());
                let n = src.data().len();
                src.consume(n);
                if body.len() as u64 > max {
                    return Err(too_large());
                }
                if read_more(src, &spec, true).await.map_err(source)? == 0 {
                    return Ok(body);
                }
                continue;
            }
            BodyFraming::Chunked => {
                let (consumed, event) = decoder.decode(src.data()).map_err(|e| match side {
                    Side::Client => ProxyError::RequestBody(e),
                    Side::Backend => ProxyError::BackendBody(e),
                })?;
                if let Decoded::Data(r) = &event {
                    body.extend_from_slice(&src.data()[r.clone()]);
                    if body.len() as u64 > max {
                        return Err(too_large());
                    }
                }
                src.consume(consumed);
                match event {
                    Decoded::Done => return Ok(body),
                    Decoded::Data(_) if !src.data().is_empty() => continue,
                    _ => {}
                }
            }
        }
        read_more(src, &spec, false).await.map_err(source)?;
    }
}
