//! Lingering close (nginx's `lingering_close`): closing a connection the
//! client may still be sending on, without destroying the response.
//!
//! Closing a socket that has unread received bytes makes the kernel answer
//! with a reset and drop whatever it had not yet sent, so a client still
//! uploading would lose the response it was sent (a 413, or a backend's
//! early answer). Instead the write side is shut down first (the client
//! sees the response, then end of stream), then whatever the client sends
//! is read and dropped until it closes its side, or
//! `net.server.http.lingering.max-bytes` were dropped, or
//! `net.server.http.lingering.timeout` has passed; only then is the socket
//! closed.
//!
//! Invariant: a connection is closed this way only when bytes may be
//! pending (a request body not fully read, or unread bytes buffered); a
//! clean close stays a plain close.

use super::io::{Buffered, ReadHalf, WriteHalf};
use crate::settings::Settings;
use monoio::io::{AsyncReadRent, AsyncWriteRent};

/// Read size while discarding.
const DISCARD_BUF: usize = 16 * 1024;

/// Shuts the write side, drains the read side within the lingering
/// bounds, then closes (by dropping both halves).
pub async fn lingering_close(client: Buffered<ReadHalf>, mut client_w: WriteHalf, settings: &Settings) {
    if client_w.shutdown().await.is_err() {
        return;
    }
    let (mut r, mut buf) = client.into_parts();
    buf.clear();
    buf.reserve(DISCARD_BUF);
    let max = settings.linger_max_bytes;
    let drain = async {
        let mut dropped = 0u64;
        while dropped <= max {
            let (res, b) = r.read(buf).await;
            buf = b;
            match res {
                Ok(0) | Err(_) => return,
                Ok(n) => dropped += n as u64,
            }
            buf.clear();
        }
    };
    let _ = monoio::time::timeout(settings.linger_timeout, drain).await;
}
