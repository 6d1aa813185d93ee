//! Bidirectional byte relay after a `101 Switching Protocols` (WebSocket and
//! other upgrades): the gateway stops parsing HTTP and copies bytes both
//! ways until both directions have ended.
//!
//! Invariants: bytes already buffered on either side are delivered first;
//! when one direction reaches end of stream the other peer's write side is
//! shut down (half-close is propagated), and the tunnel ends when both
//! directions have ended or either fails.

use crate::server::io::{forward_buffered, Buffered};
use monoio::io::{AsyncReadRent, AsyncWriteRent, AsyncWriteRentExt, Splitable};
use monoio::net::TcpStream;

const TUNNEL_BUF: usize = 16 * 1024;

pub async fn tunnel(mut client: Buffered<TcpStream>, mut upstream: Buffered<TcpStream>) {
    let n = client.data().len();
    if forward_buffered(&mut client, &mut upstream.stream, n).await.is_err() {
        return;
    }
    let n = upstream.data().len();
    if forward_buffered(&mut upstream, &mut client.stream, n).await.is_err() {
        return;
    }
    let (c_read, c_write) = client.into_parts().0.into_split();
    let (u_read, u_write) = upstream.into_parts().0.into_split();
    monoio::join!(pump(c_read, u_write), pump(u_read, c_write));
}

async fn pump<R: AsyncReadRent, W: AsyncWriteRent>(mut from: R, mut to: W) {
    let mut buf = Vec::with_capacity(TUNNEL_BUF);
    loop {
        buf.clear();
        let (res, b) = from.read(buf).await;
        buf = b;
        match res {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let (res, b) = to.write_all(buf).await;
        buf = b;
        if res.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
