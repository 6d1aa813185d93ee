//! A keep-alive client connection between two requests, and who holds which
//! buffer meanwhile.
//!
//! Two phases:
//! 1. *Hold* (plain TCP, at most `net.server.http.keepalive.buffer-hold`): a read into the connection's own
//!    buffer, so a busy connection's next request costs one read, as before.
//!    When the hold ends with no byte, the read is cancelled through monoio's
//!    `Canceller` and awaited, so the buffer comes back (and a byte that
//!    raced the cancel is kept, never lost).
//! 2. *Idle*: the connection gives its read buffer back to the worker's pool
//!    and drops its request head and scratch buffers (`server::Working`) and
//!    TLS' buffers, then waits
//!    for readability with no buffer at all (an io_uring POLL_ADD), until the
//!    rest of the keep-alive timeout or the worker's drain.
//!
//! TLS connections skip the hold (their read cannot be cancelled without
//! losing ciphertext): they go idle as soon as a response is sent.
//!
//! Invariant: on `true`, the connection has bytes buffered or its socket is
//! readable (the next head read does not wait for the idle peer again); on
//! `false` it should close. An idle connection owns no buffer.

use super::io::{Buffered, ReadHalf, WriteHalf};
use crate::worker::WorkerCtx;
use monoio::io::Canceller;
use std::io;
use std::time::Duration;

enum Woke {
    Read(io::Result<usize>),
    Hold,
    Drain,
}

/// Waits for the next request on a keep-alive connection that has no
/// unread bytes. `false`: close it (peer closed, idle timeout, drain).
pub async fn wait_for_request(
    ctx: &WorkerCtx,
    client: &mut Buffered<ReadHalf>,
    client_w: &mut WriteHalf,
    working: &mut Option<Box<super::Working>>,
) -> bool {
    let keepalive = ctx.settings.keepalive_timeout;
    let mut hold = Duration::ZERO;
    if !client.stream.is_tls() && !ctx.settings.keepalive_buffer_hold.is_zero() {
        hold = ctx.settings.keepalive_buffer_hold.min(keepalive);
        let canceller = Canceller::new();
        let mut read = std::pin::pin!(client.fill_cancelable(canceller.handle()));
        let woke = monoio::select! {
            r = &mut read => Woke::Read(r),
            _ = ctx.timers.after(hold) => Woke::Hold,
            _ = ctx.drain.wait() => Woke::Drain,
        };
        let result = match woke {
            Woke::Read(r) => r,
            woke => {
                let _ = canceller.cancel();
                let r = read.await;
                if matches!(woke, Woke::Drain) {
                    return false;
                }
                r
            }
        };
        match result {
            Ok(n) => return n > 0,
            Err(e) if is_cancelled(&e) => {}
            Err(_) => return false,
        }
    }
    client.release();
    *working = None;
    client_w.release_idle();
    let rest = keepalive.saturating_sub(hold);
    monoio::select! {
        r = client.stream.wait_readable() => r.is_ok(),
        _ = ctx.timers.after(rest) => false,
        _ = ctx.drain.wait() => false,
    }
}

/// monoio's error for a cancelled operation (`ECANCELED`).
fn is_cancelled(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ECANCELED)
}
