//! Runs an operation's compiled policy pipeline for one request: the
//! asynchronous driver around `policy::exec` (which runs the synchronous
//! policies). It performs what waits: reading a body a policy needs,
//! `forward-request`, `retry` back-off; and it writes gateway-made
//! responses (policy answers, `on-error` results).
//!
//! Phases: [buffer request body if a policy needs it] → inbound → backend
//! (forward, possibly deferred so `retry` can look at the response head) →
//! outbound (on the response head, inside the relay: see
//! `respond::ResponseHook`; or, when outbound waits, on the materialised
//! response: see `pipeline_outbound::Materialise`) → write. A section
//! that waits (async policies, `retry`) is driven by `pipeline_section`;
//! one that does not runs synchronously, exactly as before async policies. Any failure before the response has
//! started goes to `on-error` with `context.LastError` set, and the
//! resulting response is written here; a failure after that closes the
//! connection (the client already has a status line).
//!
//! Invariants: the request head bytes are copied once into a reused
//! per-connection buffer (policies read them after the client buffer has
//! moved on); the program is never re-parsed; a response is written at
//! most once.

use std::borrow::Cow;

use super::error::ProxyError;
use super::forward::{self, Outgoing, Pending};
use super::pipeline_backend::{http_backend, remainder, with_client_cert};
use super::pipeline_error::{log_policy_failure, on_error};
use super::pipeline_outbound::{backend_error, Materialise, Outbound};
use super::pipeline_section::{run_section, suspended, Next};
use super::upstream_head::write_synthetic;
use super::Exchange;
use crate::http::BodyFraming;
use crate::pipeline::Pipeline;
use crate::policy::compile::Section;
use crate::policy::exec::{self, Env, RequestView, ResponseView, Run, Stop};
use crate::policy::failure::OpRef;
use crate::policy::flow::{Flow, ResponseEdits};
use crate::policy::limit_after;
use crate::policy::program::{Op, Program};
use crate::replica::{BackendTarget, Replica};
use crate::routing::RouteMatch;
use crate::server::io::write_vec;
use crate::telemetry::model::CacheOutcome;
use std::time::Instant;

/// How the pipeline ended without error.
enum Done {
    /// The response was relayed from the backend (outbound ran in the relay).
    Relayed,
    /// `flow.response` is a gateway-made response to write.
    Synthetic,
}

/// Where the request stands, for `context.LastError` and response framing.
pub(super) struct State {
    pub section: &'static str,
    /// The `forward-request` (or `retry`) op doing backend I/O, to which a
    /// failure that is not a policy's own is attributed.
    pub at: Option<OpRef>,
    /// Head (and body) already taken from the client buffer.
    pub consumed: bool,
}

/// Runs `pipeline` for the request in `x`.
pub async fn run(
    x: &mut Exchange<'_>,
    replica: &Replica,
    m: &RouteMatch,
    pipeline: &Pipeline,
) -> Result<(), ProxyError> {
    let mut head_buf = std::mem::take(&mut x.scratch.req_head);
    head_buf.clear();
    head_buf.extend_from_slice(&x.client.data()[..x.head.head_len]);
    let params = std::mem::take(&mut x.scratch.route.params);
    let api = &replica.apis[m.api];
    let op = &api.operations[m.operation];
    let env = Env {
        replica,
        api,
        op,
        peer: x.peer.ip(),
        services: &x.ctx.services,
        request_id: u128::from(x.ctx.next_random()) << 64 | u128::from(x.ctx.next_random()),
        grant: x.grant(),
        tls: x.tls,
        timestamp: crate::policy::expr::DateTime::now_utc(),
        started: std::time::Instant::now(),
        trace: x.trace,
        telemetry: x.ctx.telemetry.as_ref().map(|t| &t.recorder),
    };
    let req = RequestView {
        head: x.head,
        buf: &head_buf,
        params: &params,
        remaining_start: m.remaining_start,
    };
    let result = run_with(x, &env, req, pipeline).await;
    x.scratch.req_head = head_buf;
    x.scratch.route.params = params;
    result
}

async fn run_with<'r>(
    x: &mut Exchange<'_>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    pipeline: &'r Pipeline,
) -> Result<(), ProxyError> {
    let mut flow = Flow::default();
    let mut st = State {
        section: "inbound",
        at: None,
        consumed: false,
    };
    let outcome = main(x, env, req, pipeline, &mut flow, &mut st).await;
    if let Some(lookup) = flow.cache.as_deref() {
        x.log.cache = if lookup.hit {
            CacheOutcome::Hit
        } else {
            CacheOutcome::Miss
        };
    }
    let result = match outcome {
        Ok(Done::Relayed) => Ok(()),
        Ok(Done::Synthetic) => {
            decide_limits(env, req, &mut flow);
            respond(x, &flow, &mut st).await
        }
        Err(e) if x.log.response_started || e.rescue().is_none() => Err(e),
        Err(e) => {
            on_error(x.ctx, env, req, pipeline, &mut flow, &st, &e).await;
            log_policy_failure(x, env, &e);
            decide_limits(env, req, &mut flow);
            respond(x, &flow, &mut st).await
        }
    };
    if !flow.after.is_empty() {
        // A Content-Length body the gateway read without counting it (taken
        // with the head); one never read (answered before it arrived) is not
        // counted: bandwidth is what was transferred, not what was announced.
        let request_bytes = match x.head.framing {
            BodyFraming::Length(n) if x.log.request_bytes == 0 && x.log.request_body_done => n,
            _ => x.log.request_bytes,
        };
        let bytes = request_bytes.saturating_add(x.log.response_bytes);
        limit_after::settle(&mut flow, &env.services.limits, bytes);
    }
    result
}

/// Decides the limits counted on the response, for a gateway-made one.
fn decide_limits<'r>(env: &'r Env<'r>, req: RequestView<'r>, flow: &mut Flow<'r>) {
    let mut r = Run {
        flow,
        env,
        req,
        resp: None,
    };
    limit_after::decide(&mut r);
}

async fn main<'r>(
    x: &mut Exchange<'_>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    pipeline: &'r Pipeline,
    flow: &mut Flow<'r>,
    st: &mut State,
) -> Result<Done, ProxyError> {
    if pipeline.reads_request_body(x.head.framing) {
        forward::maybe_continue(x).await?;
        x.client.consume(x.head.head_len);
        st.consumed = true;
        let reading = Instant::now();
        let body = super::body::read_all(
            x.client,
            x.head.framing,
            env.services.body_max,
            x.ctx.settings.body_timeout,
            super::body::Side::Client,
        )
        .await;
        x.log.client_time += reading.elapsed();
        let body = body?;
        x.log.request_body_done = true;
        x.log.request_bytes = body.len() as u64;
        flow.request_body = Some(body);
    }
    let inbound = if pipeline.inbound_waits {
        Box::pin(run_section(x.ctx, &pipeline.inbound, flow, env, req)).await?
    } else {
        sync_section(&pipeline.inbound, flow, env, req, None)?
    };
    if inbound == Stop::Answered {
        if flow.cache.as_ref().is_some_and(|c| c.hit) {
            // Answered from the cache: the backend is skipped, outbound
            // runs on the stored response (as APIM).
            flow.answered = false;
            st.section = "outbound";
            if pipeline.outbound_waits {
                run_section(x.ctx, &pipeline.outbound, flow, env, req).await?;
            } else {
                sync_section(&pipeline.outbound, flow, env, req, None)?;
            }
        }
        return Ok(Done::Synthetic);
    }
    st.section = "backend";
    let mut pending: Option<(Pending, &'r str)> = None;
    let mut forwarded = false;
    let mut pc = 0;
    loop {
        let stop = {
            let resp = pending.as_ref().map(|(p, _)| ResponseView {
                head: &x.scratch.resp,
                buf: p.up.r.data(),
            });
            let mut r = Run { flow, env, req, resp };
            exec::run(&pipeline.backend, pc, &mut r).map_err(ProxyError::Policy)?
        };
        match stop {
            Stop::End => break,
            Stop::Answered => {
                if let Some((p, _)) = pending.take() {
                    forward::discard_pending(x, p);
                }
                return Ok(Done::Synthetic);
            }
            Stop::Suspend(i) => match &pipeline.backend.ops[i] {
                Op::Forward(f) => {
                    st.at = Some(OpRef {
                        section: Section::Backend,
                        pc: i,
                    });
                    if let Some((p, _)) = pending.take() {
                        forward::discard_pending(x, p);
                    }
                    let (target, tls) = flow
                        .request
                        .backend
                        .and_then(|t| env.replica.targets.get(t))
                        .map_or((&env.api.backend, env.api.backend_tls.as_ref()), |t| {
                            (&t.backend, t.backend_tls.as_ref())
                        });
                    let (tls, pool) = with_client_cert(target, tls, flow.request.client_cert)?;
                    forwarded = true;
                    st.consumed = true;
                    match target {
                        BackendTarget::Echo => {
                            // The built-in backend's answer becomes a
                            // gateway-made response, so outbound still runs.
                            let json = super::echo::echo_request(x, req, flow, &env.api.path).await?;
                            x.log.backend_status = 200;
                            let mut resp = ResponseEdits::synthetic(200);
                            resp.headers.add("Content-Type", Cow::Borrowed("application/json"));
                            resp.body = Some(json);
                            flow.response = resp;
                            pc = i + 1;
                            continue;
                        }
                        BackendTarget::Http { .. } => {}
                    }
                    // Redirects are followed on the response head, with the
                    // body in memory (`needs_request_body`) to resend it.
                    let defer = flow.request_body.is_some() || flow.request.body.is_some() || f.follow_redirects;
                    let prepared = {
                        let out = Outgoing {
                            edits: (!flow.request.is_empty()).then_some(&flow.request),
                            head_buf: Some(req.buf),
                            body: flow.request.body.as_deref().or(flow.request_body.as_deref()),
                            timeout: f.timeout,
                            defer,
                        };
                        forward::prepare(x, &http_backend(target, tls, pool), remainder(req), &out).await?
                    };
                    if !defer && pipeline.outbound_waits {
                        // Outbound waits: take the whole response now and
                        // write it after outbound (a gateway-made response).
                        let mut hook =
                            Materialise::new(flow, env.services.body_max, f.fail_on_error_status_code.then_some(i));
                        forward::send(x, &http_backend(target, tls, pool), prepared, false, Some(&mut hook)).await?;
                        pc = i + 1;
                        continue;
                    }
                    if defer {
                        let requested = f.follow_redirects.then(|| {
                            super::redirect::request_target(&x.scratch.out)
                                .unwrap_or("/")
                                .to_owned()
                        });
                        let p = forward::send(x, &http_backend(target, tls, pool), prepared, true, None).await?;
                        if let Some(mut p) = p {
                            let mut pool = pool;
                            if let Some(requested) = requested {
                                (p, pool) =
                                    super::redirect::follow(x, env, flow, req, p, (target, pool), requested, f.timeout)
                                        .await?;
                            }
                            if f.fail_on_error_status_code && x.scratch.resp.status >= 400 {
                                let status = x.scratch.resp.status;
                                forward::discard_pending(x, p);
                                return Err(ProxyError::Policy(backend_error(status).in_op(Section::Backend, i)));
                            }
                            pending = Some((p, pool));
                        }
                    } else {
                        let mut hook = Outbound::new(
                            &pipeline.outbound,
                            flow,
                            env,
                            req,
                            pipeline,
                            f.fail_on_error_status_code.then_some(i),
                        );
                        // Outbound failures carry their own section; the
                        // rest (connect, timeout) belong to the backend.
                        forward::send(x, &http_backend(target, tls, pool), prepared, false, Some(&mut hook)).await?;
                        return Ok(Done::Relayed);
                    }
                    pc = i + 1;
                }
                Op::RetryCheck { retry, slot, start } => {
                    let again = {
                        let resp = pending.as_ref().map(|(p, _)| ResponseView {
                            head: &x.scratch.resp,
                            buf: p.up.r.data(),
                        });
                        let mut r = Run { flow, env, req, resp };
                        retry
                            .again(*slot, &mut r)
                            .map_err(|f| ProxyError::Policy(f.in_op(Section::Backend, i)))?
                    };
                    if let Some(wait) = again {
                        if let Some((p, _)) = pending.take() {
                            forward::discard_pending(x, p);
                        }
                        if !wait.is_zero() {
                            monoio::time::sleep(wait).await;
                        }
                        pc = *start;
                    } else {
                        pc = i + 1;
                    }
                }
                Op::Async(_) | Op::Wait(_) => {
                    let ctx = x.ctx;
                    let resp = pending.as_ref().map(|(p, _)| ResponseView {
                        head: &x.scratch.resp,
                        buf: p.up.r.data(),
                    });
                    match Box::pin(suspended(ctx, &pipeline.backend, i, flow, env, req, resp)).await? {
                        Next::At(next) => pc = next,
                        Next::Answered => {
                            if let Some((p, _)) = pending.take() {
                                forward::discard_pending(x, p);
                            }
                            return Ok(Done::Synthetic);
                        }
                    }
                }
                _ => pc = i + 1,
            },
        }
    }
    st.section = "outbound";
    if let Some((p, pool)) = pending {
        if !pipeline.outbound_waits {
            let mut hook = Outbound::new(&pipeline.outbound, flow, env, req, pipeline, None);
            forward::relay_pending(x, p, pool, Some(&mut hook)).await?;
            return Ok(Done::Relayed);
        }
        let mut hook = Materialise::new(flow, env.services.body_max, None);
        forward::relay_pending(x, p, pool, Some(&mut hook)).await?;
    } else if !forwarded {
        // No backend call: an empty 200 that outbound may shape.
        if flow.response.is_empty() {
            flow.response = ResponseEdits::synthetic(200);
        }
        flow.response.synthetic = true;
    }
    if pipeline.outbound_waits {
        Box::pin(run_section(x.ctx, &pipeline.outbound, flow, env, req)).await?;
    } else {
        sync_section(&pipeline.outbound, flow, env, req, None)?;
    }
    Ok(Done::Synthetic)
}

/// Runs a section that cannot suspend (`Pipeline::*_waits` is false).
pub(super) fn sync_section<'r>(
    prog: &'r Program,
    flow: &mut Flow<'r>,
    env: &'r Env<'r>,
    req: RequestView<'r>,
    resp: Option<ResponseView<'r>>,
) -> Result<Stop, ProxyError> {
    let mut r = Run { flow, env, req, resp };
    let mut pc = 0;
    loop {
        match exec::run(prog, pc, &mut r).map_err(ProxyError::Policy)? {
            // Sections that wait are driven by `run_section`; a suspension
            // here cannot happen: skip defensively.
            Stop::Suspend(i) => pc = i + 1,
            other => return Ok(other),
        }
    }
}

/// Writes `flow.response` as a gateway-made response.
async fn respond(x: &mut Exchange<'_>, flow: &Flow<'_>, st: &mut State) -> Result<(), ProxyError> {
    let head = x.head;
    let mut take = head.head_len;
    let body_pending = !st.consumed
        && match head.framing {
            BodyFraming::None => false,
            // A body already received with the head is dropped, keeping the connection.
            BodyFraming::Length(n) if x.client.data().len() - head.head_len >= n as usize => {
                take += n as usize;
                false
            }
            _ => true,
        };
    if !st.consumed {
        x.client.consume(take);
        st.consumed = true;
        x.log.request_body_done = !body_pending;
    }
    // A body the forwarding consumed only in part (a failure mid-upload)
    // leaves the connection out of step: close it.
    let body_unread = !x.log.request_body_done && !matches!(head.framing, BodyFraming::None | BodyFraming::Length(0));
    let keep_alive = head.keep_alive && !body_pending && !body_unread && !x.ctx.is_draining();
    let mut out = std::mem::take(&mut x.scratch.out);
    out.clear();
    let n = write_synthetic(&mut out, &flow.response, keep_alive, head.method == http::Method::HEAD);
    x.log.status = flow.response.status.unwrap_or(200);
    x.log.response_started = true;
    x.log.keep_alive = keep_alive;
    x.log.response_bytes = n;
    let writing = Instant::now();
    let (res, out) = write_vec(x.client_w, out).await;
    x.log.client_time += writing.elapsed();
    x.scratch.out = out;
    res.map_err(ProxyError::ClientIo)
}
