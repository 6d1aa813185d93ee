//! A TLS connection split into a read half and a write half over monoio's
//! TCP halves, so one task can upload a request body while another relays
//! the response (the same duplex the plain-TCP path has).
//!
//! Why not `monoio-rustls`: its split halves share the whole stream (socket
//! and rustls session) through an `UnsafeCell`, and each half keeps a `&mut`
//! to it across its socket `.await`; two tasks using the halves at once hold
//! two live `&mut` to the same session, which Rust's aliasing rules forbid
//! whatever the runtime does. Here each half owns its own TCP half, and the
//! rustls session sits in an `Rc<RefCell<_>>` borrowed only between awaits
//! (never across one), so the halves are independent and the code is safe.
//!
//! Invariants:
//! - the session is borrowed only inside synchronous blocks; a `RefCell`
//!   borrow never spans an `.await`;
//! - the read half feeds ciphertext to rustls only when no plaintext is
//!   pending, so rustls' received-plaintext limit is never exceeded;
//! - TLS records queued by the read side (alerts, key-update replies) are
//!   sent, in order, by the next write.

use monoio::buf::{IoBuf, IoBufMut, IoVecBuf, IoVecBufMut};
use monoio::io::{AsyncReadRent, AsyncWriteRent, AsyncWriteRentExt};
use monoio::net::tcp::{TcpOwnedReadHalf, TcpOwnedWriteHalf};
use monoio::BufResult;
use rustls::Connection;
use std::cell::RefCell;
use std::io::{self, BufRead, Write};
use std::rc::Rc;

const CIPHER_BUF: usize = 18 * 1024;

type Session = Rc<RefCell<Connection>>;

/// The read side of a TLS connection.
pub struct TlsRead {
    tcp: TcpOwnedReadHalf,
    session: Session,
    cipher: Vec<u8>,
    pos: usize,
    eof: bool,
}

/// The write side of a TLS connection.
pub struct TlsWrite {
    tcp: TcpOwnedWriteHalf,
    session: Session,
    out: Vec<u8>,
}

fn tls_error(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Runs the handshake of `conn` on the TCP halves, then splits it. Bytes
/// that arrive with the last handshake flight (an eager client's request)
/// stay queued for the read half.
pub async fn handshake(
    mut tcp_r: TcpOwnedReadHalf,
    mut tcp_w: TcpOwnedWriteHalf,
    mut conn: Connection,
) -> io::Result<(TlsRead, TlsWrite)> {
    let mut cipher = Vec::with_capacity(CIPHER_BUF);
    let mut pos = 0;
    let mut out = Vec::with_capacity(4096);
    loop {
        let failed = conn.process_new_packets().err();
        while conn.wants_write() {
            conn.write_tls(&mut out)?;
        }
        if !out.is_empty() {
            let (res, o) = tcp_w.write_all(out).await;
            out = o;
            out.clear();
            res?;
        }
        if let Some(e) = failed {
            return Err(tls_error(e));
        }
        if !conn.is_handshaking() {
            break;
        }
        if pos < cipher.len() {
            let mut slice = &cipher[pos..];
            let before = slice.len();
            conn.read_tls(&mut slice)?;
            pos += before - slice.len();
            continue;
        }
        cipher.clear();
        pos = 0;
        let (res, c) = tcp_r.read(cipher).await;
        cipher = c;
        if res? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    let session = Rc::new(RefCell::new(conn));
    Ok((
        TlsRead {
            tcp: tcp_r,
            session: session.clone(),
            cipher,
            pos,
            eof: false,
        },
        TlsWrite {
            tcp: tcp_w,
            session,
            out,
        },
    ))
}

impl TlsRead {
    /// Runs `f` on the session (e.g. to read the peer's certificates).
    pub fn with_session<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        f(&self.session.borrow())
    }

    /// Copies pending plaintext to `dst` (`None` = none pending yet).
    fn take_plain(&mut self, dst: *mut u8, cap: usize) -> io::Result<Option<usize>> {
        let mut s = self.session.borrow_mut();
        let mut reader = s.reader();
        match reader.fill_buf() {
            Ok(data) => {
                let n = data.len().min(cap);
                // SAFETY: `dst` points at `cap` writable bytes of the caller's
                // buffer (IoBufMut::write_ptr/bytes_total), `n <= cap`, and
                // rustls' buffer cannot overlap the caller's.
                unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), dst, n) };
                reader.consume(n);
                Ok(Some(n))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            // The peer closed without close_notify: treated as end of
            // stream (HTTP framing detects truncated messages).
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Some(0)),
            Err(e) => Err(e),
        }
    }

    async fn read_into(&mut self, dst: *mut u8, cap: usize) -> io::Result<usize> {
        if cap == 0 {
            return Ok(0);
        }
        loop {
            if let Some(n) = self.take_plain(dst, cap)? {
                return Ok(n);
            }
            if self.pos < self.cipher.len() {
                let mut s = self.session.borrow_mut();
                let mut slice = &self.cipher[self.pos..];
                let before = slice.len();
                s.read_tls(&mut slice)?;
                self.pos += before - slice.len();
                s.process_new_packets().map_err(tls_error)?;
                continue;
            }
            if self.eof {
                {
                    let mut s = self.session.borrow_mut();
                    s.read_tls(&mut io::empty())?;
                    s.process_new_packets().map_err(tls_error)?;
                }
                return Ok(self.take_plain(dst, cap)?.unwrap_or(0));
            }
            let mut buf = std::mem::take(&mut self.cipher);
            buf.clear();
            // Given back while idle ([`TlsRead::wait_readable`]): taken again.
            buf.reserve(CIPHER_BUF);
            self.pos = 0;
            let (res, b) = self.tcp.read(buf).await;
            self.cipher = b;
            if res? == 0 {
                self.eof = true;
            }
        }
    }
}

impl TlsRead {
    /// Whether a read would return without waiting for the socket: the
    /// session has plaintext (or the end) pending, or ciphertext is unread.
    fn has_pending(&self) -> bool {
        if self.pos < self.cipher.len() || self.eof {
            return true;
        }
        let mut s = self.session.borrow_mut();
        !matches!(s.reader().fill_buf(), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }

    /// Waits until the socket is readable, first freeing the ciphertext
    /// buffer (an idle connection holds none); returns at once when bytes
    /// are pending already.
    pub async fn wait_readable(&mut self) -> io::Result<()> {
        if self.has_pending() {
            return Ok(());
        }
        self.release_idle();
        crate::readiness::tcp_readable(&self.tcp).await
    }

    /// Frees the ciphertext buffer when it holds nothing unread.
    pub fn release_idle(&mut self) {
        if self.pos >= self.cipher.len() {
            self.cipher = Vec::new();
            self.pos = 0;
        }
    }
}

impl TlsWrite {
    /// Frees the record buffer when nothing waits in it.
    pub fn release_idle(&mut self) {
        if self.out.is_empty() {
            self.out = Vec::new();
        }
    }
}

impl AsyncReadRent for TlsRead {
    async fn read<T: IoBufMut>(&mut self, mut buf: T) -> BufResult<usize, T> {
        let res = self.read_into(buf.write_ptr(), buf.bytes_total()).await;
        if let Ok(n) = res {
            // SAFETY: `read_into` initialised exactly `n` bytes at write_ptr.
            unsafe { buf.set_init(n) };
        }
        (res, buf)
    }

    async fn readv<T: IoVecBufMut>(&mut self, buf: T) -> BufResult<usize, T> {
        (Err(io::ErrorKind::Unsupported.into()), buf)
    }
}

impl TlsWrite {
    /// Encrypts what the session has queued into `self.out`.
    fn drain_session(&mut self) -> io::Result<()> {
        let mut s = self.session.borrow_mut();
        while s.wants_write() {
            s.write_tls(&mut self.out)?;
        }
        Ok(())
    }

    async fn flush_out(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let out = std::mem::take(&mut self.out);
        let (res, mut out) = self.tcp.write_all(out).await;
        out.clear();
        self.out = out;
        res.map(|_| ())
    }

    async fn write_plain(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let n = self.session.borrow_mut().writer().write(data)?;
        self.drain_session()?;
        self.flush_out().await?;
        Ok(n)
    }
}

impl AsyncWriteRent for TlsWrite {
    async fn write<T: IoBuf>(&mut self, buf: T) -> BufResult<usize, T> {
        // SAFETY: read_ptr/bytes_init describe the initialised bytes of
        // `buf`, which we own (and keep alive) for the whole call.
        let data = unsafe { std::slice::from_raw_parts(buf.read_ptr(), buf.bytes_init()) };
        let res = self.write_plain(data).await;
        (res, buf)
    }

    async fn writev<T: IoVecBuf>(&mut self, buf: T) -> BufResult<usize, T> {
        (Err(io::ErrorKind::Unsupported.into()), buf)
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.drain_session()?;
        self.flush_out().await
    }

    async fn shutdown(&mut self) -> io::Result<()> {
        self.session.borrow_mut().send_close_notify();
        self.drain_session()?;
        self.flush_out().await?;
        self.tcp.shutdown().await
    }
}
