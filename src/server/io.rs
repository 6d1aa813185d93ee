//! A stream with an owned read buffer, for monoio's ownership-passing I/O.
//!
//! Invariants: unread bytes are `buf[pos..]`; `fill` first moves them to the
//! front (so `pos == 0` while a read is in flight) and reads into the spare
//! capacity. If a `fill` future is dropped mid-read (a timeout fired), the
//! buffer stays with the kernel operation and this side is left empty but
//! consistent: callers close the connection after a timeout, so no byte a
//! peer sent is ever misattributed. The same holds while `forward_buffered`
//! lends the buffer to a write.

use crate::tls::stream::{TlsRead, TlsWrite};
use monoio::buf::{IoBuf, IoBufMut, IoVecBuf, IoVecBufMut};
use monoio::io::{AsyncReadRent, AsyncWriteRent, AsyncWriteRentExt};
use monoio::net::tcp::{TcpOwnedReadHalf, TcpOwnedWriteHalf};
use monoio::BufResult;
use std::io;
use std::time::Duration;

/// The read side of a connection, plain TCP or TLS (connections are split
/// once, when opened, so one task can read and write the same connection
/// at once).
pub enum ReadHalf {
    Tcp(TcpOwnedReadHalf),
    Tls(TlsRead),
}

/// The write side of a connection, plain TCP or TLS.
pub enum WriteHalf {
    Tcp(TcpOwnedWriteHalf),
    Tls(TlsWrite),
}

/// A plain TCP connection's halves.
pub fn tcp_conn((r, w): (TcpOwnedReadHalf, TcpOwnedWriteHalf)) -> Conn {
    (ReadHalf::Tcp(r), WriteHalf::Tcp(w))
}

/// A TLS connection's halves.
pub fn tls_conn((r, w): (TlsRead, TlsWrite)) -> Conn {
    (ReadHalf::Tls(r), WriteHalf::Tls(w))
}

/// A connection split into its halves.
pub type Conn = (ReadHalf, WriteHalf);

impl ReadHalf {
    /// The TLS session's facts for policies (`None` on plain TCP).
    pub fn client_tls(&self) -> Option<crate::tls::info::ClientTls> {
        match self {
            ReadHalf::Tcp(_) => None,
            ReadHalf::Tls(t) => Some(t.with_session(crate::tls::info::ClientTls::from_connection)),
        }
    }
}

impl AsyncReadRent for ReadHalf {
    async fn read<T: IoBufMut>(&mut self, buf: T) -> BufResult<usize, T> {
        match self {
            ReadHalf::Tcp(s) => s.read(buf).await,
            ReadHalf::Tls(s) => s.read(buf).await,
        }
    }

    async fn readv<T: IoVecBufMut>(&mut self, buf: T) -> BufResult<usize, T> {
        match self {
            ReadHalf::Tcp(s) => s.readv(buf).await,
            ReadHalf::Tls(s) => s.readv(buf).await,
        }
    }
}

impl AsyncWriteRent for WriteHalf {
    async fn write<T: IoBuf>(&mut self, buf: T) -> BufResult<usize, T> {
        match self {
            WriteHalf::Tcp(s) => s.write(buf).await,
            WriteHalf::Tls(s) => s.write(buf).await,
        }
    }

    async fn writev<T: IoVecBuf>(&mut self, buf: T) -> BufResult<usize, T> {
        match self {
            WriteHalf::Tcp(s) => s.writev(buf).await,
            WriteHalf::Tls(s) => s.writev(buf).await,
        }
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        match self {
            WriteHalf::Tcp(s) => s.flush().await,
            WriteHalf::Tls(s) => s.flush().await,
        }
    }

    async fn shutdown(&mut self) -> std::io::Result<()> {
        match self {
            WriteHalf::Tcp(s) => s.shutdown().await,
            WriteHalf::Tls(s) => s.shutdown().await,
        }
    }
}

/// Minimum free space offered to a read.
const MIN_READ: usize = 4096;

pub struct Buffered<S> {
    pub stream: S,
    buf: Vec<u8>,
    pos: usize,
}

impl<S> Buffered<S> {
    pub fn new(stream: S, capacity: usize) -> Self {
        Self::with_buffer(stream, Vec::with_capacity(capacity))
    }

    /// Reuses an existing allocation (cleared) as the read buffer.
    pub fn with_buffer(stream: S, mut buf: Vec<u8>) -> Self {
        buf.clear();
        Buffered { stream, buf, pos: 0 }
    }

    /// The unread bytes.
    pub fn data(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Marks `n` unread bytes as used.
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Splits into the stream and the read buffer (unread bytes dropped).
    pub fn into_parts(self) -> (S, Vec<u8>) {
        (self.stream, self.buf)
    }

    fn compact(&mut self) {
        if self.pos > 0 {
            self.buf.copy_within(self.pos.., 0);
            self.buf.truncate(self.buf.len() - self.pos);
            self.pos = 0;
        }
        if self.buf.capacity() - self.buf.len() < MIN_READ {
            self.buf.reserve(MIN_READ);
        }
    }
}

impl<S: AsyncReadRent> Buffered<S> {
    /// Reads more bytes after the unread ones; `Ok(0)` is end of stream.
    pub async fn fill(&mut self) -> std::io::Result<usize> {
        self.compact();
        let buf = std::mem::take(&mut self.buf);
        let len = buf.len();
        let cap = buf.capacity();
        let (res, slice) = self.stream.read(buf.slice_mut(len..cap)).await;
        self.buf = slice.into_inner();
        res
    }
}

/// Writes all of `data`, returning it (cleared) for reuse.
pub async fn write_vec<W: AsyncWriteRent>(w: &mut W, data: Vec<u8>) -> (std::io::Result<()>, Vec<u8>) {
    let (res, mut data) = w.write_all(data).await;
    data.clear();
    (res.map(|_| ()), data)
}

/// Writes `src.data()[..n]` to `dst` without copying, then consumes it.
pub async fn forward_buffered<S, W: AsyncWriteRent>(
    src: &mut Buffered<S>,
    dst: &mut W,
    n: usize,
) -> std::io::Result<()> {
    let n = n.min(src.data().len());
    if n == 0 {
        return Ok(());
    }
    let start = src.pos;
    let buf = std::mem::take(&mut src.buf);
    // While the buffer is lent to the write, `src` is empty and consistent
    // (`pos` 0), also if this future is dropped mid-write.
    src.pos = 0;
    let (res, slice) = dst.write_all(buf.slice(start..start + n)).await;
    src.buf = slice.into_inner();
    src.pos = start;
    res?;
    src.consume(n);
    Ok(())
}

/// Appends exactly `n` bytes from `stream` to `out`, never reading past
/// them (what follows on the stream stays unread). Each read waits at most
/// `timeout`: then the error is `TimedOut` and `out` comes back empty (its
/// buffer stays with the cancelled read). End of stream is `UnexpectedEof`.
pub async fn append_exact<S: AsyncReadRent>(
    stream: &mut S,
    mut out: Vec<u8>,
    n: usize,
    timeout: Duration,
) -> (io::Result<()>, Vec<u8>) {
    let end = out.len() + n;
    out.reserve(n);
    while out.len() < end {
        let len = out.len();
        match monoio::time::timeout(timeout, stream.read(out.slice_mut(len..end))).await {
            Ok((res, slice)) => {
                out = slice.into_inner();
                match res {
                    Ok(0) => return (Err(io::ErrorKind::UnexpectedEof.into()), out),
                    Ok(_) => {}
                    Err(e) => return (Err(e), out),
                }
            }
            Err(_) => return (Err(io::ErrorKind::TimedOut.into()), Vec::new()),
        }
    }
    (Ok(()), out)
}
