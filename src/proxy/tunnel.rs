//! Bidirectional byte relay after a `101 Switching Protocols` (WebSocket and
//! other upgrades): the gateway stops parsing HTTP and copies bytes both
//! ways until both directions have ended.
//!
//! Invariants: bytes already buffered on either side are delivered first;
//! when one direction reaches end of stream the other peer's write side is
//! shut down (half-close is propagated), and the tunnel ends when both
//! directions have ended or either fails.

use crate::server::io::{forward_buffered, Buffered, ReadHalf, WriteHalf};
use monoio::io::{AsyncReadRent, AsyncWriteRent, AsyncWriteRentExt};

const TUNNEL_BUF: usize = 16 * 1024;

pub async fn tunnel(
    (mut client, mut client_w): (Buffered<ReadHalf>, WriteHalf),
    (mut upstream, mut upstream_w): (Buffered<ReadHalf>, WriteHalf),
) {
    let n = client.data().len();
    if forward_buffered(&mut client, &mut upstream_w, n).await.is_err() {
        return;
    }
    let n = upstream.data().len();
    if forward_buffered(&mut upstream, &mut client_w, n).await.is_err() {
        return;
    }
    let (client, _) = client.into_parts();
    let (upstream, _) = upstream.into_parts();
    monoio::join!(pump(client, upstream_w), pump(upstream, client_w));
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
