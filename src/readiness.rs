//! Waiting for a split TCP connection to become readable without lending
//! the kernel a buffer: an idle connection then holds no read buffer at all
//! (with io_uring, a pending read pins the buffer it was given).
//!
//! Needs nothing from the gateway.

use monoio::net::tcp::TcpOwnedReadHalf;
use monoio::net::TcpStream;
use std::io;

/// Waits until a TCP half's socket is readable, holding no buffer (an
/// io_uring POLL_ADD; dropping the future cancels it, nothing is lost).
pub async fn tcp_readable(half: &TcpOwnedReadHalf) -> io::Result<()> {
    // SAFETY: `half.0` is the connection's `Rc<UnsafeCell<TcpStream>>`, shared
    // with its write half only. The shared reference lives for this wait; the
    // connection's task is the only user of both halves and writes nothing
    // while it waits for the next request (requests on a connection are
    // handled one after another), so no `&mut` to the stream exists
    // meanwhile. monoio's own `peer_addr` on the halves borrows the same way.
    let stream: &TcpStream = unsafe { &*half.0.get() };
    // Not relaxed: on the epoll driver a relaxed wait trusts the readiness
    // cached from the last successful read and returns at once; a strict one
    // polls the socket first. io_uring ignores the flag.
    stream.readable(false).await
}

/// A runtime and a connected socket pair for the tests of the modules that
/// read sockets (here, `bufpool`, `server::io`).
#[cfg(test)]
pub(crate) mod test_socket {
    use monoio::net::{TcpListener, TcpStream};
    use std::future::Future;

    /// Runs `f` on a fresh single-threaded runtime (epoll driver, timers on).
    pub fn run<F: Future<Output = ()>>(f: impl FnOnce() -> F) {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()
            .expect("a test runtime");
        rt.block_on(f());
    }

    /// A client socket and the server's side of the same connection.
    pub async fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("local address");
        let c = TcpStream::connect(addr).await.expect("connect");
        let (s, _) = l.accept().await.expect("accept");
        (c, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use monoio::io::{AsyncReadRent, AsyncWriteRentExt, Splitable};

    /// On the epoll driver, a socket whose bytes were all read is not
    /// readable any more, even though its last read succeeded.
    #[test]
    fn a_drained_socket_is_not_readable_on_epoll() {
        super::test_socket::run(|| async {
            let (mut c, s) = super::test_socket::pair().await;
            let (mut r, _w) = s.into_split();
            let (res, _) = c.write_all(b"GET".to_vec()).await;
            res.unwrap();
            let (n, _) = r.read(Vec::with_capacity(64)).await;
            assert_eq!(n.unwrap(), 3);
            let waited = monoio::time::timeout(std::time::Duration::from_millis(30), tcp_readable(&r)).await;
            assert!(waited.is_err(), "readable right after every byte was read");
        });
    }

    #[test]
    fn a_split_half_waits_for_bytes_then_reads_them() {
        crate::readiness::test_socket::run(|| async {
            let (mut c, s) = crate::readiness::test_socket::pair().await;
            let (mut r, _w) = s.into_split();
            // Nothing sent yet: the wait does not finish.
            let waited = monoio::time::timeout(std::time::Duration::from_millis(20), tcp_readable(&r)).await;
            assert!(waited.is_err(), "readable before any byte was sent");
            let (res, _) = c.write_all(b"GET".to_vec()).await;
            res.unwrap();
            tcp_readable(&r).await.unwrap();
            let (n, buf) = r.read(Vec::with_capacity(8)).await;
            assert_eq!(&buf[..n.unwrap()], b"GET");
            // The peer's close makes the half readable too (read gives 0).
            drop(c);
            tcp_readable(&r).await.unwrap();
            let (n, _) = r.read(Vec::with_capacity(8)).await;
            assert_eq!(n.unwrap(), 0);
        });
    }
}
