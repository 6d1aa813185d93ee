//! A stream with an owned read buffer, for monoio's ownership-passing I/O.
//!
//! Invariants: unread bytes are `buf[pos..]`; `fill` first moves them to the
//! front (so `pos == 0` while a read is in flight) and reads into the spare
//! capacity. If a `fill` future is dropped mid-read (a timeout fired), the
//! buffer stays with the kernel operation and this side is left empty but
//! consistent: callers close the connection after a timeout, so no byte a
//! peer sent is ever misattributed. The same holds while `forward_buffered`
//! lends the buffer to a write.

use crate::bufpool::{BufPool, PoolBuf};
use crate::tls::stream::{TlsRead, TlsWrite};
use monoio::buf::{IoBuf, IoBufMut, IoVecBuf, IoVecBufMut};
use monoio::io::{AsyncReadRent, AsyncWriteRent, AsyncWriteRentExt};
use monoio::io::{CancelHandle, CancelableAsyncReadRent};
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
    /// Whether this is a TLS connection.
    pub fn is_tls(&self) -> bool {
        matches!(self, ReadHalf::Tls(_))
    }

    /// The TLS session's facts for policies (`None` on plain TCP).
    pub fn client_tls(&self) -> Option<crate::tls::info::ClientTls> {
        match self {
            ReadHalf::Tcp(_) => None,
            ReadHalf::Tls(t) => Some(t.with_session(crate::tls::info::ClientTls::from_connection)),
        }
    }

    /// Waits until bytes (or the end of the stream) can be read, holding no
    /// read buffer: TLS first gives back its ciphertext buffer, and returns
    /// at once when it has bytes it has not handed out yet.
    pub async fn wait_readable(&mut self) -> io::Result<()> {
        match self {
            ReadHalf::Tcp(r) => crate::readiness::tcp_readable(r).await,
            ReadHalf::Tls(t) => t.wait_readable().await,
        }
    }

    /// Frees what an idle connection's read side holds (TLS' ciphertext
    /// buffer, when nothing is pending in it).
    pub fn release_idle(&mut self) {
        if let ReadHalf::Tls(t) = self {
            t.release_idle();
        }
    }
}

impl WriteHalf {
    /// Frees what an idle connection's write side holds (TLS' record buffer).
    pub fn release_idle(&mut self) {
        if let WriteHalf::Tls(t) = self {
            t.release_idle();
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

/// Minimum free space offered to a read (a fuller buffer grows).
const MIN_READ: usize = 512;

/// A stream with its read buffer. A pooled one ([`Buffered::pooled`]) holds
/// no buffer until it reads, and gives it back to the worker's pool with
/// [`Buffered::release`] when it has no unread bytes.
pub struct Buffered<S> {
    pub stream: S,
    buf: PoolBuf,
    pos: usize,
    /// Where an empty buffer comes from, and the size first taken.
    pool: Option<(BufPool, usize)>,
}

impl<S> Buffered<S> {
    /// A buffer of its own (not pooled), allocated now.
    pub fn new(stream: S, capacity: usize) -> Self {
        Self::with_buffer(stream, PoolBuf::unpooled(Vec::with_capacity(capacity)))
    }

    /// Reuses an existing buffer (cleared) as the read buffer.
    pub fn with_buffer(stream: S, mut buf: PoolBuf) -> Self {
        buf.clear();
        Buffered {
            stream,
            buf,
            pos: 0,
            pool: None,
        }
    }

    /// No buffer until the first read, which takes one of at least `first`
    /// bytes from `pool`; [`Buffered::release`] gives it back.
    pub fn pooled(stream: S, pool: BufPool, first: usize) -> Self {
        Buffered {
            stream,
            buf: PoolBuf::empty(),
            pos: 0,
            pool: Some((pool, first)),
        }
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

    /// Gives the buffer back to the pool when nothing is unread (a pooled
    /// stream only); `true` when the stream now holds no buffer.
    pub fn release(&mut self) -> bool {
        if self.pool.is_some() && self.data().is_empty() {
            self.buf = PoolBuf::empty();
            self.pos = 0;
        }
        !self.buf.is_held()
    }

    /// Makes the next read offer at least `want` bytes of space (a body
    /// read after a small head buffer): a pooled stream swaps to a larger
    /// pooled buffer, moving the unread bytes.
    pub fn reserve_read(&mut self, want: usize) {
        if self.buf.capacity().saturating_sub(self.buf.len()) >= want {
            return;
        }
        let unread = self.buf.len() - self.pos;
        if self.buf.capacity() >= unread + want {
            self.shift();
            return;
        }
        match &self.pool {
            Some((pool, _)) => {
                let mut bigger = pool.take(unread + want);
                bigger.extend_from_slice(self.data());
                self.buf = bigger;
                self.pos = 0;
            }
            None => {
                self.compact();
                self.buf.reserve(want);
            }
        }
    }

    /// A pooled stream holding a buffer larger than `size`, whose unread
    /// bytes leave room for a read in `size`, moves them to a pooled buffer
    /// of `size`
    /// (a partial head waiting for more bytes keeps a small buffer).
    pub fn shrink_pooled(&mut self, size: usize) {
        let Some((pool, _)) = &self.pool else {
            return;
        };
        let unread = self.buf.len() - self.pos;
        if self.buf.capacity() <= size || unread + MIN_READ > size {
            return;
        }
        let mut small = pool.take(size);
        small.extend_from_slice(self.data());
        self.buf = small;
        self.pos = 0;
    }

    /// The size a pooled stream takes for its next read into no buffer.
    pub fn set_first_read(&mut self, size: usize) {
        if let Some((_, first)) = &mut self.pool {
            *first = size;
        }
    }

    /// Splits into the stream and the read buffer (unread bytes dropped).
    pub fn into_parts(self) -> (S, PoolBuf) {
        (self.stream, self.buf)
    }

    /// Moves the unread bytes to the front.
    fn shift(&mut self) {
        if self.pos > 0 {
            self.buf.copy_within(self.pos.., 0);
            let len = self.buf.len() - self.pos;
            self.buf.truncate(len);
            self.pos = 0;
        }
    }

    fn compact(&mut self) {
        if !self.buf.is_held() {
            if let Some((pool, first)) = &self.pool {
                self.buf = pool.take(*first);
                self.pos = 0;
            }
        }
        self.shift();
        if self.buf.capacity() - self.buf.len() < MIN_READ {
            let grow = self.buf.capacity().max(MIN_READ);
            self.buf.reserve(grow);
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

impl Buffered<ReadHalf> {
    /// [`Buffered::fill`] that `canceller` can stop, giving the buffer back
    /// (monoio's io-cancel): the error is then `ECANCELED`, unless bytes
    /// arrived first. Plain TCP only: on TLS it is a plain `fill`.
    pub async fn fill_cancelable(&mut self, c: CancelHandle) -> std::io::Result<usize> {
        self.compact();
        let buf = std::mem::take(&mut self.buf);
        let len = buf.len();
        let cap = buf.capacity();
        let (res, slice) = match &mut self.stream {
            ReadHalf::Tcp(tcp) => tcp.cancelable_read(buf.slice_mut(len..cap), c).await,
            ReadHalf::Tls(tls) => tls.read(buf.slice_mut(len..cap)).await,
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bufpool::{BODY, HEAD};

    /// A pooled stream over a real socket: buffers are taken on read, moved
    /// when a head waits or a body needs room, and given back when idle.
    #[test]
    fn pooled_buffers_are_taken_on_read_and_given_back() {
        crate::readiness::test_socket::run(|| async {
            let (mut c, s) = crate::readiness::test_socket::pair().await;
            let pool = BufPool::new();
            let mut b = Buffered::pooled(s, pool.clone(), BODY);
            assert_eq!(pool.in_use(), 0, "nothing taken before a read");
            let (r, _) = c.write_all(b"GET / HTTP/1.1\r\n".to_vec()).await;
            r.unwrap();
            assert!(b.fill().await.unwrap() > 0);
            assert_eq!(pool.in_use(), 1);
            // An incomplete head moves to a small buffer, bytes kept.
            b.shrink_pooled(HEAD);
            assert_eq!(b.data(), b"GET / HTTP/1.1\r\n");
            assert_eq!((pool.in_use(), pool.idle()), (1, 1), "the body buffer went back");
            // A body read gets room: a larger pooled buffer, bytes kept.
            b.consume(6);
            b.reserve_read(8 * 1024);
            assert_eq!(b.data(), b"HTTP/1.1\r\n");
            assert_eq!(pool.in_use(), 1);
            // Nothing is given back while bytes are unread.
            assert!(!b.release());
            b.consume(b.data().len());
            assert!(b.release());
            assert_eq!(pool.in_use(), 0);
            // The next read takes a buffer again.
            let (r, _) = c.write_all(b"more".to_vec()).await;
            r.unwrap();
            assert!(b.fill().await.unwrap() > 0);
            assert_eq!((b.data(), pool.in_use()), (&b"more"[..], 1));
            drop(b);
            assert_eq!(pool.in_use(), 0, "a dropped stream gives its buffer back");
        });
    }
}
