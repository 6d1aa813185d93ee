//! The streamed shape of `forward-request`: the request body is uploaded to
//! the backend while the response is read and relayed (full duplex), so a
//! backend that answers before reading the whole upload never deadlocks.
//!
//! **Early responses.** A backend may answer (or answer and close) before
//! it has read the whole request body. The client's unread body bytes must
//! then still be read: closing a socket with unread received bytes makes
//! the kernel send a reset, which can destroy the response in flight, and a
//! connection whose body was not read cannot carry another request. So:
//! - a backend that stops accepting the upload does not end it: the rest is
//!   read from the client and dropped (`CopySpec::discard_on_sink_error`);
//! - when the response head is written while the upload is unfinished, the
//!   client connection is kept alive only if the body is `Content-Length`
//!   framed and at most `net.server.http.lingering.max-bytes`; otherwise
//!   the response says `Connection: close` and the connection loop closes
//!   with a lingering close (`server::linger`);
//! - after a kept-alive early response, the upload runs on (forwarding, or
//!   dropping once the backend stops accepting) for at most
//!   `net.server.http.lingering.timeout`; a body still unread then closes
//!   the connection.
//!
//! Invariant: the backend connection is reusable only if the whole body
//! was sent before the response ended and the response left it at a clean
//! message boundary.

use super::body::{copy_body, CopyError, CopySpec, Side};
use super::error::ProxyError;
use super::forward::Upstream;
use super::respond::{relay_response, wait_response_head, ResponseCtx};
use super::Exchange;
use crate::http::BodyFraming;
use std::cell::Cell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::Poll;
use std::time::{Duration, Instant};

/// Streams the rest of the request body while reading and relaying the
/// response. Returns whether the upstream connection is reusable.
pub async fn duplex(
    x: &mut Exchange<'_>,
    up: &mut Upstream,
    sent_at: Instant,
    response_timeout: std::time::Duration,
    hook: Option<&mut dyn super::respond::ResponseHook>,
) -> Result<bool, ProxyError> {
    let s = &x.ctx.settings;
    let spec = CopySpec {
        framing: x.head.framing,
        chunked_out: x.head.framing == BodyFraming::Chunked,
        limit: s.max_body_bytes,
        read_timeout: s.body_timeout,
        write_timeout: response_timeout,
        side: Side::Client,
        discard_on_sink_error: true,
    };
    let drain_timeout = s.linger_timeout;
    let drainable = matches!(x.head.framing, BodyFraming::Length(n) if n <= s.linger_max_bytes);
    let body_settled = Cell::new(drainable);
    let head_seen = Cell::new(false);
    let Exchange {
        ctx,
        head,
        client,
        client_w,
        scratch,
        log,
        ..
    } = x;
    let mut upload = pin!(async {
        let r = copy_body(&mut **client, &mut up.w, &spec, &mut scratch.chunk).await;
        if matches!(r, Ok(_) | Err(CopyError::Discarded(_))) {
            body_settled.set(true);
        }
        r
    });
    let (mut upload_result, response_result) = {
        let mut rc = ResponseCtx {
            ctx,
            head,
            client_w,
            scratch_out: &mut scratch.out,
            chunk: &mut scratch.chunk_out,
            resp: &mut scratch.resp,
            log: &mut *log,
            body_settled: &body_settled,
            hook: super::respond::shorten(hook),
            timeout: response_timeout,
        };
        let response = pin!(async {
            wait_response_head(&mut rc, &mut up.r).await?;
            head_seen.set(true);
            relay_response(&mut rc, &mut up.r).await
        });
        run_duplex(upload.as_mut(), response, response_timeout, &head_seen).await
    };
    let sent_whole_body = matches!(upload_result, Some(Ok(_)));
    let early = upload_result.is_none() && matches!(response_result, Some(Ok(_)));
    if early && log.keep_alive && !log.upgraded {
        // The client was told the connection stays open: read the rest.
        upload_result = monoio::time::timeout(drain_timeout, upload.as_mut()).await.ok();
    }
    log.backend_time = Some(sent_at.elapsed());
    log.request_body_done = matches!(upload_result, Some(Ok(_) | Err(CopyError::Discarded(_))));
    if let Some(Ok(n)) = upload_result {
        log.request_bytes = n;
    }
    match (upload_result, response_result) {
        // The client side failed (or sent a bad or oversized body) first.
        (Some(Err(CopyError::Source(e))), None) => Err(e),
        (Some(Err(CopyError::Sink(e))), None) => Err(ProxyError::BackendIo(e)),
        (_, Some(Ok(reusable))) => Ok(reusable && sent_whole_body),
        (_, Some(Err(e))) => Err(e),
        (_, None) => Err(ProxyError::ResponseTimeout),
    }
}

/// Polls the upload and the response together. Ends when the response is
/// done, when the upload fails on the client's side (or its sink timed
/// out), or when no response head has arrived `timeout` after the upload
/// ended. An upload whose sink failed but which read the whole body
/// ([`CopyError::Discarded`]) has ended normally: the response may follow.
/// An unfinished upload is left for the caller to drop or drain.
async fn run_duplex<A, B>(
    mut upload: Pin<&mut A>,
    mut response: Pin<&mut B>,
    timeout: Duration,
    head_seen: &Cell<bool>,
) -> (Option<A::Output>, Option<B::Output>)
where
    A: Future<Output = Result<u64, CopyError>>,
    B: Future<Output = Result<bool, ProxyError>>,
{
    let mut upload_result = None;
    let mut timer: Option<Pin<Box<monoio::time::Sleep>>> = None;
    let response_result = std::future::poll_fn(|cx| {
        if upload_result.is_none() {
            if let Poll::Ready(r) = upload.as_mut().poll(cx) {
                let failed = matches!(r, Err(CopyError::Source(_) | CopyError::Sink(_)));
                upload_result = Some(r);
                if failed {
                    return Poll::Ready(None);
                }
                timer = Some(Box::pin(monoio::time::sleep(timeout)));
            }
        }
        if let Poll::Ready(r) = response.as_mut().poll(cx) {
            return Poll::Ready(Some(r));
        }
        if let Some(t) = timer.as_mut() {
            if !head_seen.get() && t.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
        }
        Poll::Pending
    })
    .await;
    (upload_result, response_result)
}
