//! The response half of forwarding: reading a backend's response head
//! (skipping interim 1xx) and relaying head and body to the client.
//!
//! Invariants: the client head is written from the framing we parsed (see
//! `upstream_head`); a small response with a known length goes out in one
//! write with its head; `Ok(true)` means the backend connection is at a
//! clean message boundary and may be pooled.

use super::body::{copy_body, CopyError, CopySpec, Side};
use super::error::ProxyError;
use super::upstream_head::{plan_response, write_response_head};
use super::RequestLog;
use crate::http::{BodyFraming, RequestHead, ResponseHead};
use crate::server::io::{write_vec, Buffered, ReadHalf, WriteHalf};
use crate::worker::WorkerCtx;
use std::cell::Cell;
use std::time::Instant;

/// Largest response body merged into the head's write.
const MERGE_MAX: usize = 16 * 1024;

/// What relaying a response needs from the exchange (borrowed disjointly
/// from the request side, so both can run at once).
pub struct ResponseCtx<'a> {
    pub ctx: &'a WorkerCtx,
    pub head: &'a RequestHead,
    pub client_w: &'a mut WriteHalf,
    pub scratch_out: &'a mut Vec<u8>,
    pub chunk: &'a mut Vec<u8>,
    pub resp: &'a mut ResponseHead,
    pub log: &'a mut RequestLog,
    /// Whether the request body no longer stands in the way of keep-alive
    /// when the response head is written: it was read, or it is small
    /// enough to be drained after the response (see `proxy::duplex`).
    pub body_settled: &'a Cell<bool>,
}

/// One attempt to parse the head from what is buffered; skips 1xx.
fn try_parse(
    ctx: &WorkerCtx,
    head: &RequestHead,
    resp: &mut ResponseHead,
    up: &mut Buffered<ReadHalf>,
) -> Result<bool, ProxyError> {
    let was_head = head.method == http::Method::HEAD;
    loop {
        match resp.parse(up.data(), &ctx.limits, was_head) {
            Ok(true) if (100..200).contains(&resp.status) && resp.status != 101 => up.consume(resp.head_len),
            Ok(done) => return Ok(done),
            Err(e) => return Err(ProxyError::BackendHead(e)),
        }
    }
}

fn read_error(n: std::io::Result<usize>) -> Option<ProxyError> {
    match n {
        Ok(0) => Some(ProxyError::BackendClosed),
        Ok(_) => None,
        Err(e) => Some(ProxyError::BackendIo(e)),
    }
}

/// Reads the final response head, allowing until `sent_at` + response timeout.
pub async fn read_response_head(
    ctx: &WorkerCtx,
    head: &RequestHead,
    resp: &mut ResponseHead,
    up: &mut Buffered<ReadHalf>,
    sent_at: Instant,
) -> Result<(), ProxyError> {
    let deadline = monoio::time::Instant::from_std(sent_at + ctx.settings.response_timeout);
    while !try_parse(ctx, head, resp, up)? {
        match monoio::time::timeout_at(deadline, up.fill()).await {
            Ok(n) => {
                if let Some(e) = read_error(n) {
                    return Err(e);
                }
            }
            Err(_) => return Err(ProxyError::ResponseTimeout),
        }
    }
    Ok(())
}

/// Reads the final response head with no timeout of its own (the caller
/// bounds it while the request body is still being sent).
pub async fn wait_response_head(rc: &mut ResponseCtx<'_>, up: &mut Buffered<ReadHalf>) -> Result<(), ProxyError> {
    while !try_parse(rc.ctx, rc.head, rc.resp, up)? {
        if let Some(e) = read_error(up.fill().await) {
            return Err(e);
        }
    }
    Ok(())
}

/// Writes the parsed response to the client. `Ok(true)` = upstream reusable.
pub async fn relay_response(rc: &mut ResponseCtx<'_>, up: &mut Buffered<ReadHalf>) -> Result<bool, ProxyError> {
    let resp = &*rc.resp;
    rc.log.status = resp.status;
    let upgrade = resp.status == 101 && rc.head.upgrade;
    let client_keep = rc.head.keep_alive && !rc.ctx.is_draining() && rc.body_settled.get();
    let plan = plan_response(resp, rc.head.version, client_keep);
    let mut out = std::mem::take(rc.scratch_out);
    out.clear();
    write_response_head(&mut out, resp, up.data(), plan, rc.head.version, upgrade);
    let framing = resp.framing;
    let upstream_keep = resp.keep_alive;
    up.consume(resp.head_len);
    let mut merged = false;
    if let BodyFraming::Length(n) = framing {
        if n as usize <= MERGE_MAX && up.data().len() >= n as usize {
            out.extend_from_slice(&up.data()[..n as usize]);
            up.consume(n as usize);
            rc.log.response_bytes = n;
            merged = true;
        }
    }
    rc.log.response_started = true;
    rc.log.keep_alive = plan.keep_alive;
    rc.log.upgraded = upgrade;
    let (res, out) = write_vec(rc.client_w, out).await;
    *rc.scratch_out = out;
    res.map_err(ProxyError::ClientIo)?;
    if upgrade {
        return Ok(false);
    }
    if merged {
        return Ok(upstream_keep && up.data().is_empty());
    }
    let spec = CopySpec {
        framing,
        chunked_out: plan.chunked_out,
        limit: 0,
        read_timeout: rc.ctx.settings.response_timeout,
        write_timeout: rc.ctx.settings.body_timeout,
        side: Side::Backend,
        discard_on_sink_error: false,
    };
    match copy_body(up, rc.client_w, &spec, rc.chunk).await {
        Ok(n) => {
            rc.log.response_bytes = n;
            Ok(upstream_keep && up.data().is_empty())
        }
        Err(CopyError::Source(e)) => Err(e),
        Err(CopyError::Sink(e) | CopyError::Discarded(e)) => Err(ProxyError::ClientIo(e)),
    }
}
