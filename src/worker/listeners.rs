//! Binds one `SO_REUSEPORT` listener per worker, all on the same port, before
//! any worker starts, so a bind error is reported once at startup and port 0
//! (an ephemeral port, as tests use) resolves to one port shared by all.

use socket2::{Domain, Protocol, Socket, Type};
use std::net::{SocketAddr, TcpListener};

const BACKLOG: i32 = 4096;

/// `n` listeners sharing `addr`'s port (the kernel balances connections).
pub fn bind_reuseport(addr: SocketAddr, n: usize) -> std::io::Result<Vec<TcpListener>> {
    let mut out: Vec<TcpListener> = Vec::with_capacity(n);
    let mut addr = addr;
    for _ in 0..n.max(1) {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.set_nonblocking(true)?;
        socket.set_nodelay(true)?;
        socket.bind(&addr.into())?;
        socket.listen(BACKLOG)?;
        let listener: TcpListener = socket.into();
        addr = listener.local_addr()?;
        out.push(listener);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ephemeral_port_is_shared() {
        let ls = super::bind_reuseport("127.0.0.1:0".parse().unwrap(), 3).unwrap();
        let port = ls[0].local_addr().unwrap().port();
        assert_ne!(port, 0);
        assert!(ls.iter().all(|l| l.local_addr().unwrap().port() == port));
    }
}
