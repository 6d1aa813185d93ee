//! The response half of forwarding: reading a backend's response head
//! (skipping interim 1xx) and relaying head and body to the client.
//!
//! Invariants: the client head is written from the framing we parsed (see
//! `upstream_head`); a small response with a known length goes out in one
//! write with its head; `Ok(true)` means the backend connection is at a
//! clean message boundary and may be pooled.

use super::body::{copy_body, CopyError, CopySpec, Side};
use super::error::ProxyError;
use super::upstream_head::{plan_response, write_response_head, write_synthetic};
use super::RequestLog;
use crate::http::{BodyFraming, RequestHead, ResponseHead};
use crate::policy::flow::ResponseEdits;
use crate::server::io::{write_vec, Buffered, ReadHalf, WriteHalf};
use crate::worker::WorkerCtx;
use std::cell::Cell;
use std::time::Duration;
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
    /// The outbound policies, run on the response head before it is written.
    pub hook: Option<&'a mut (dyn ResponseHook + 'a)>,
    /// Longest wait for the backend (`forward-request timeout` or the setting).
    pub timeout: Duration,
    /// Whether the request body no longer stands in the way of keep-alive
    /// when the response head is written: it was read, or it is small
    /// enough to be drained after the response (see `proxy::duplex`).
    pub body_settled: &'a Cell<bool>,
}

/// Shortens a hook borrow to `'s` (a trait-object lifetime coercion).
pub fn shorten<'s>(h: Option<&'s mut (dyn ResponseHook + '_)>) -> Option<&'s mut (dyn ResponseHook + 's)> {
    match h {
        Some(h) => Some(h),
        None => None,
    }
}

/// What runs between reading a backend response head and writing it: the
/// outbound section of the policy pipeline.
pub trait ResponseHook {
    /// Whether the whole response body must be read first (at most this
    /// many bytes), given the response head.
    fn body_limit(&self, resp: &ResponseHead) -> Option<u64>;
    /// Runs on the parsed head; `buf` holds the bytes its spans index;
    /// `body` is the whole body when [`ResponseHook::body_limit`] asked for it.
    fn on_response(&mut self, resp: &ResponseHead, buf: &[u8], body: Option<Vec<u8>>) -> Result<(), ProxyError>;
    /// The edits to apply when writing the response.
    fn edits(&self) -> Option<&ResponseEdits<'_>>;
    /// Take the response without writing it: head and whole body (bounded
    /// by [`ResponseHook::body_limit`]) go to `on_response`, the relay ends
    /// there (the connection is reusable when the response ended cleanly)
    /// and the caller writes a response later (outbound policies that wait).
    fn materialise(&self) -> bool {
        false
    }
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
    timeout: Duration,
) -> Result<(), ProxyError> {
    let deadline = monoio::time::Instant::from_std(sent_at + timeout);
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
    if rc.hook.is_some() {
        return relay_with_hook(rc, up).await;
    }
    let resp = &*rc.resp;
    rc.log.status = resp.status;
    rc.log.backend_status = resp.status;
    let upgrade = resp.status == 101 && rc.head.upgrade;
    let client_keep = rc.head.keep_alive && !rc.ctx.is_draining() && rc.body_settled.get();
    let plan = plan_response(resp, rc.head.version, client_keep);
    let mut out = std::mem::take(rc.scratch_out);
    out.clear();
    write_response_head(&mut out, resp, up.data(), plan, rc.head.version, upgrade, None);
    let framing = resp.framing;
    let upstream_keep = resp.keep_alive;
    up.consume(resp.head_len);
    let merged = merge_small_body(&mut out, up, framing, rc.log);
    rc.log.response_started = true;
    rc.log.keep_alive = plan.keep_alive;
    rc.log.upgraded = upgrade;
    let writing = Instant::now();
    let (res, out) = write_vec(rc.client_w, out).await;
    rc.log.client_time += writing.elapsed();
    *rc.scratch_out = out;
    res.map_err(ProxyError::ClientIo)?;
    if upgrade {
        return Ok(false);
    }
    if merged {
        return Ok(upstream_keep && up.data().is_empty());
    }
    copy_response_body(rc, up, framing, plan.chunked_out, upstream_keep).await
}

/// [`relay_response`] with outbound policies: they run on the head (and the
/// whole body when one needs it) before anything is written.
async fn relay_with_hook(rc: &mut ResponseCtx<'_>, up: &mut Buffered<ReadHalf>) -> Result<bool, ProxyError> {
    let Some(hook) = rc.hook.as_deref_mut() else {
        return Err(ProxyError::BackendClosed);
    };
    let resp = &*rc.resp;
    rc.log.backend_status = resp.status;
    let upgrade = resp.status == 101 && rc.head.upgrade;
    let mut body_read = false;
    let mut saved_head = Vec::new();
    if upgrade && hook.materialise() {
        return Err(ProxyError::UpgradeMaterialised);
    }
    match hook.body_limit(resp) {
        Some(max) if !upgrade => {
            // The body is read first: keep the head bytes its spans index.
            saved_head.extend_from_slice(&up.data()[..resp.head_len]);
            up.consume(resp.head_len);
            let body = super::body::read_all(up, resp.framing, max, rc.timeout, Side::Backend).await?;
            hook.on_response(resp, &saved_head, Some(body))?;
            if hook.materialise() {
                return Ok(resp.keep_alive && up.data().is_empty());
            }
            body_read = true;
        }
        _ => hook.on_response(resp, up.data(), None)?,
    }
    let head_buf: &[u8] = if body_read { &saved_head } else { up.data() };
    let keep_alive = rc.head.keep_alive && !rc.ctx.is_draining() && rc.body_settled.get();
    let head_request = rc.head.method == http::Method::HEAD;
    let mut out = std::mem::take(rc.scratch_out);
    out.clear();
    let edits = hook.edits();
    let synthetic = edits.filter(|e| e.synthetic);
    let replaced = edits.and_then(|e| e.body.as_ref()).is_some();
    let plan = plan_response(resp, rc.head.version, keep_alive);
    if let Some(e) = synthetic {
        rc.log.status = e.status.unwrap_or(200);
        rc.log.response_bytes = write_synthetic(&mut out, e, keep_alive, head_request);
        rc.log.keep_alive = keep_alive;
    } else {
        rc.log.status = edits.and_then(|e| e.status).unwrap_or(resp.status);
        write_response_head(&mut out, resp, head_buf, plan, rc.head.version, upgrade, edits);
        rc.log.keep_alive = if replaced { keep_alive } else { plan.keep_alive };
        rc.log.upgraded = upgrade;
        if let Some(body) = edits.and_then(|e| e.body.as_ref()) {
            if !head_request && !matches!(resp.status, 204 | 304) {
                out.extend_from_slice(body);
            }
            rc.log.response_bytes = body.len() as u64;
        }
    }
    let framing = resp.framing;
    let upstream_keep = resp.keep_alive;
    let mut merged = false;
    if !body_read {
        up.consume(resp.head_len);
        if synthetic.is_none() && !replaced && !upgrade {
            merged = merge_small_body(&mut out, up, framing, rc.log);
        }
    }
    rc.log.response_started = true;
    let writing = Instant::now();
    let (res, out) = write_vec(rc.client_w, out).await;
    rc.log.client_time += writing.elapsed();
    *rc.scratch_out = out;
    res.map_err(ProxyError::ClientIo)?;
    let synthetic = synthetic.is_some();
    if upgrade && !synthetic {
        return Ok(false);
    }
    if body_read || merged {
        return Ok(upstream_keep && up.data().is_empty());
    }
    if synthetic || replaced {
        // The backend's body was not read: the connection cannot be reused.
        return Ok(false);
    }
    copy_response_body(rc, up, framing, plan.chunked_out, upstream_keep).await
}

/// Appends a small Content-Length body that is already buffered to `out`
/// (the head), so head and body leave in one write. Says whether it did.
fn merge_small_body(
    out: &mut Vec<u8>,
    up: &mut Buffered<ReadHalf>,
    framing: BodyFraming,
    log: &mut RequestLog,
) -> bool {
    let BodyFraming::Length(n) = framing else {
        return false;
    };
    if n as usize > MERGE_MAX || up.data().len() < n as usize {
        return false;
    }
    out.extend_from_slice(&up.data()[..n as usize]);
    up.consume(n as usize);
    log.response_bytes = n;
    true
}

/// Streams the backend's response body to the client after the head; says
/// whether the backend connection can be reused.
async fn copy_response_body(
    rc: &mut ResponseCtx<'_>,
    up: &mut Buffered<ReadHalf>,
    framing: BodyFraming,
    chunked_out: bool,
    upstream_keep: bool,
) -> Result<bool, ProxyError> {
    let spec = CopySpec {
        framing,
        chunked_out,
        limit: 0,
        read_timeout: rc.timeout,
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
