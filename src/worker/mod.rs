//! Workers: one OS thread per core, pinned, each running its own monoio
//! runtime with its own listener, upstream pool and configuration replica.
//!
//! Invariants:
//! - nothing on the request path is shared between workers: the replica is
//!   an `Rc` owned by this thread, the pool and counters are `Cell`s;
//! - a worker never blocks on its control channel: a task polls it with
//!   `try_recv` every [`CONTROL_POLL`] and swaps the replica between
//!   requests (a request holds its own `Rc` to the replica it started on);
//! - on `Drain` a worker stops accepting, lets each connection finish its
//!   current request, and exits when its last connection has closed.

pub mod listeners;
pub mod notify;
pub mod runtime;

use crate::http::HeadLimits;
use crate::proxy::pool::Pool;
use crate::replica::Replica;
use crate::settings::Settings;
use crossbeam_channel::{Receiver, Sender};
use notify::Notify;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use tracing::{debug, info, warn};

/// How often a worker looks at its control channel.
pub const CONTROL_POLL: Duration = Duration::from_millis(20);

/// Messages from the control thread to a worker.
pub enum WorkerMsg {
    /// A new replica, compiled once and cloned for this worker.
    Replica(Box<Replica>),
    /// Stop accepting and finish in-flight requests.
    Drain,
    /// Keys and tokens from the fetch thread (`crate::authority`), this
    /// worker's own copy.
    Authority(Box<crate::authority::Update>),
}

/// What a worker reports back to the control thread.
pub enum WorkerEvent {
    Started {
        worker: usize,
        /// The CPU the worker is pinned to; `None` when it floats.
        cpu: Option<usize>,
        pinned: bool,
        driver: runtime::Driver,
    },
    Failed {
        worker: usize,
        error: String,
    },
    Stopped {
        worker: usize,
    },
    /// Cumulative request counts, sent about once a second when they change.
    Counters {
        worker: usize,
        total: u64,
        failed: u64,
        /// TLS handshakes with clients that failed.
        tls_failed: u64,
    },
}

/// Per-worker state shared by the tasks of one worker (never across threads).
pub struct WorkerCtx {
    pub id: usize,
    pub settings: Settings,
    pub limits: HeadLimits,
    replica: RefCell<Option<Rc<Replica>>>,
    pub pool: Pool,
    /// Read buffers lent to connections while they move bytes.
    pub buffers: crate::bufpool::BufPool,
    /// Connections' idle, buffer-hold and head deadlines (coarse, small).
    pub timers: crate::coarse_timer::Timers,
    pub drain: Notify,
    all_closed: Notify,
    active: Cell<usize>,
    requests: Cell<u64>,
    failed: Cell<u64>,
    tls_failed: Cell<u64>,
    /// The JSON access log's batch, when access logging is on.
    pub access_log: Option<Rc<crate::server::log_batch::LogBatch>>,
    /// The local request log's batch (`telemetry.logs.local`), when a sink runs.
    pub request_log: Option<Rc<crate::server::log_batch::LogBatch>>,
    rng: Cell<u64>,
    /// What policies use beyond the request (settings, counters).
    pub services: crate::policy::services::Services,
    /// The HTTP client of policies that call out (`send-request`…).
    pub client: crate::proxy::call::Client,
    /// Metrics and spans of this worker (`None` when nothing consumes them).
    pub telemetry: Option<crate::telemetry::WorkerTelemetry>,
    /// W3C trace context and spans (`None` when neither is wanted).
    pub tracer: Option<crate::telemetry::spans::Tracer>,
}

impl WorkerCtx {
    /// The buffer pool's counters, for the self-metrics.
    pub fn buffer_gauges(&self) -> crate::telemetry::model::BufferGauges {
        crate::telemetry::model::BufferGauges {
            in_use: self.buffers.in_use() as u64,
            idle: self.buffers.idle() as u64,
            allocated: self.buffers.allocated(),
        }
    }

    pub fn new(
        id: usize,
        settings: Settings,
        replica: Option<Replica>,
        access_log: bool,
        counters: crate::policy::limits::Limits,
        cache: crate::cache::Cache,
        authority: Option<crate::authority::Asker>,
    ) -> WorkerCtx {
        let limits = HeadLimits {
            max_head_bytes: settings.max_head_bytes,
            max_uri_bytes: settings.max_uri_bytes,
            max_headers: settings.max_headers,
        };
        let pool = Pool::new(settings.pool_max_idle, settings.pool_idle_timeout);
        let client = crate::proxy::call::Client::new(
            pool.clone(),
            limits,
            settings.connect_timeout,
            settings.one_way_max_in_flight,
        );
        WorkerCtx {
            id,
            limits,
            pool,
            buffers: crate::bufpool::BufPool::new(),
            timers: crate::coarse_timer::Timers::new(),
            client,
            replica: RefCell::new(replica.map(Rc::new)),
            drain: Notify::new(),
            all_closed: Notify::new(),
            active: Cell::new(0),
            requests: Cell::new(0),
            failed: Cell::new(0),
            tls_failed: Cell::new(0),
            access_log: access_log
                .then(|| crate::server::log_batch::LogBatch::new(crate::server::log_batch::stdout_sink)),
            services: crate::policy::services::Services {
                body_max: settings.policy_body_max,
                limits: counters,
                cache,
                authority: crate::authority::View::new(authority),
                jwt_cache: Default::default(),
                gateway_id: crate::policy::services::DEFAULT_GATEWAY_ID.into(),
                instance_id: crate::policy::services::instance_id(),
                region: settings.deployment_region.clone(),
                service_name: crate::policy::services::DEFAULT_GATEWAY_ID.into(),
                expr_limits: outpost_expr::Limits {
                    max_steps: settings.policy_expr_max_steps,
                    max_bytes: usize::try_from(settings.policy_expr_max_bytes).unwrap_or(usize::MAX),
                },
            },
            rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ ((id as u64 + 1) << 32) ^ u64::from(std::process::id())),
            telemetry: None,
            tracer: crate::telemetry::spans::Tracer::new(&settings.telemetry, false),
            request_log: None,
            settings,
        }
    }

    /// Writes request records to the local request log's sink.
    pub fn with_request_log(mut self, q: Option<crate::telemetry::request_log::Queue>) -> WorkerCtx {
        self.request_log = q.map(crate::server::log_batch::LogBatch::queue);
        self
    }

    /// Records metrics and spans for the telemetry thread `hub`.
    pub fn with_telemetry(mut self, hub: Option<&crate::telemetry::hub::Hub>) -> WorkerCtx {
        self.telemetry = hub.map(|h| crate::telemetry::WorkerTelemetry::new(h, &self.settings.telemetry));
        // Spans go out only through the OTLP exporter.
        let exporting = self.telemetry.is_some() && self.settings.telemetry.otel_enabled;
        self.tracer = crate::telemetry::spans::Tracer::new(&self.settings.telemetry, exporting);
        self
    }

    /// The replica a new request runs on (it keeps it until it finishes).
    pub fn replica(&self) -> Option<Rc<Replica>> {
        self.replica.borrow().clone()
    }

    pub fn is_draining(&self) -> bool {
        self.drain.is_fired()
    }

    /// A cheap per-worker pseudo-random number (xorshift64*), for ids.
    pub fn next_random(&self) -> u64 {
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Counts one finished request (worker-local, no atomics).
    pub fn count_request(&self, failed: bool) {
        self.requests.set(self.requests.get() + 1);
        if failed {
            self.failed.set(self.failed.get() + 1);
        }
    }

    /// Counts one failed TLS handshake with a client (worker-local).
    pub fn count_handshake_failure(&self) {
        self.tls_failed.set(self.tls_failed.get() + 1);
    }

    fn conn_opened(&self) {
        self.active.set(self.active.get() + 1);
    }

    fn conn_closed(&self) {
        self.active.set(self.active.get() - 1);
        if self.active.get() == 0 && self.is_draining() {
            self.all_closed.notify_all();
        }
    }
}

/// Everything a worker thread needs to start.
pub struct WorkerSpec {
    pub id: usize,
    /// Where to pin the worker thread; `None` = not pinned (see `crate::cpus`).
    pub cpu: Option<core_affinity::CoreId>,
    pub listener: std::net::TcpListener,
    /// The HTTPS listener (same port on every worker).
    pub tls_listener: std::net::TcpListener,
    pub settings: Settings,
    pub replica: Option<Replica>,
    pub control: Receiver<WorkerMsg>,
    pub events: Sender<WorkerEvent>,
    pub access_log: bool,
    /// The process's limit counters (a clone of the one `Limits`).
    pub limits: crate::policy::limits::Limits,
    /// The process's cache (a clone of the one `Cache`).
    pub cache: crate::cache::Cache,
    /// The fetch thread's queue (`crate::authority`), when it runs.
    pub authority: Option<crate::authority::Asker>,
    /// The telemetry thread, when some sink consumes metrics or spans.
    pub telemetry: Option<crate::telemetry::hub::Hub>,
    /// The local request log's queue (`telemetry.logs.local`), when a sink runs.
    pub request_log: Option<crate::telemetry::request_log::Queue>,
}

/// Starts the worker thread.
pub fn spawn(spec: WorkerSpec) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("outpost-worker-{}", spec.id))
        .spawn(move || run_thread(spec))
}

fn run_worker(spec: WorkerSpec) {
    let WorkerSpec {
        id,
        cpu,
        listener,
        tls_listener,
        settings,
        replica,
        control,
        events,
        access_log,
        limits,
        cache,
        authority,
        telemetry,
        request_log,
    } = spec;
    let pinned = cpu.is_some_and(core_affinity::set_for_current);
    let started = events.clone();
    let events_for_counts = events.clone();
    let result = runtime::run(
        settings.driver,
        |driver| {
            let _ = started.send(WorkerEvent::Started {
                worker: id,
                cpu: cpu.map(|c| c.id),
                pinned,
                driver,
            });
        },
        move || async move {
            let ctx = Rc::new(
                WorkerCtx::new(id, settings, replica, access_log, limits, cache, authority)
                    .with_telemetry(telemetry.as_ref())
                    .with_request_log(request_log),
            );
            serve(ctx, [listener, tls_listener], control, events_for_counts).await
        },
    );
    let event = match result {
        Ok(Ok(())) => WorkerEvent::Stopped { worker: id },
        Ok(Err(e)) | Err(e) => WorkerEvent::Failed {
            worker: id,
            error: e.to_string(),
        },
    };
    let _ = events.send(event);
}

fn run_thread(spec: WorkerSpec) {
    let (id, events) = (spec.id, spec.events.clone());
    // Connection tasks contain their own panics; this catches the rest
    // (accept loop, control polling) so the control thread always hears.
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_worker(spec))).is_err() {
        let _ = events.send(WorkerEvent::Failed {
            worker: id,
            error: "worker thread panicked".into(),
        });
    }
}

async fn serve(
    ctx: Rc<WorkerCtx>,
    [listener, tls_listener]: [std::net::TcpListener; 2],
    control: Receiver<WorkerMsg>,
    events: Sender<WorkerEvent>,
) -> std::io::Result<()> {
    // A second handle on the same socket: draining shuts the socket down
    // through it, which wakes the pending accept with an error. Racing the
    // accept against the drain signal instead would cancel an accept that
    // may already have taken a connection, leaving that client hanging.
    let stop_accepting = vec![listener.try_clone()?, tls_listener.try_clone()?];
    let listener = monoio::net::TcpListener::from_std(listener)?;
    let tls_listener = monoio::net::TcpListener::from_std(tls_listener)?;
    monoio::spawn(poll_control(ctx.clone(), control, events, stop_accepting));
    monoio::spawn(ctx.pool.clone().sweep_forever());
    monoio::spawn(ctx.timers.clone().run());
    let tls_loop = monoio::spawn(accept_loop(ctx.clone(), tls_listener, true));
    accept_loop(ctx.clone(), listener, false).await;
    let _ = tls_loop.await;
    if ctx.active.get() > 0 {
        ctx.all_closed.wait().await;
    }
    if let Some(t) = &ctx.telemetry {
        t.flush(ctx.id, ctx.buffer_gauges());
    }
    info!(worker = ctx.id, "worker drained");
    Ok(())
}

/// Accepts connections until drain, each served by its own task; `tls`
/// selects the HTTPS listener's handshake first.
async fn accept_loop(ctx: Rc<WorkerCtx>, listener: monoio::net::TcpListener, tls: bool) {
    let mut task_size_logged = false;
    loop {
        let accepted = listener.accept().await;
        if ctx.is_draining() {
            // Shut down: a connection accepted in the meantime is closed
            // unanswered, and the error that woke us ends the loop.
            match accepted {
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        match accepted {
            Ok((stream, peer)) => {
                ctx.conn_opened();
                let c = ctx.clone();
                let served = {
                    let c = c.clone();
                    async move {
                        if tls {
                            crate::server::serve_tls_connection(c, stream, peer).await
                        } else {
                            crate::server::serve_connection(c, stream, peer).await
                        }
                    }
                };
                let connection_bytes = std::mem::size_of_val(&served);
                // Boxed here, before the task captures it (a captured future
                // would be stored in the task as well as in the box).
                let served = contain_panic(served);
                let task = async move {
                    if served.await.is_err() {
                        tracing::error!(worker = c.id, peer = %peer, "connection task panicked; connection closed");
                    }
                    c.conn_closed();
                };
                if !task_size_logged {
                    // What every open connection costs before any buffer
                    // (bench/README.md "Connections" reports it).
                    task_size_logged = true;
                    debug!(
                        worker = ctx.id,
                        connection_bytes,
                        task_bytes = std::mem::size_of_val(&task),
                        tls,
                        "connection future sizes"
                    );
                }
                monoio::spawn(task);
            }
            Err(e) => {
                // EMFILE and friends: back off briefly instead of spinning.
                warn!(worker = ctx.id, error = %e, "accept failed");
                monoio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Runs `fut`, turning a panic inside it into `Err` so that one bad
/// connection can never take its worker (and every other connection) down.
/// The future is boxed once here and polled in place: a connection's task is
/// the box plus a pointer, never two copies of the connection's state (an
/// `async fn` wrapper would keep its moved-from argument in its own state).
pub fn contain_panic<F: std::future::Future<Output = ()>>(fut: F) -> ContainPanic<F> {
    ContainPanic(Box::pin(fut))
}

/// The future of [`contain_panic`].
pub struct ContainPanic<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future<Output = ()>> std::future::Future for ContainPanic<F> {
    type Output = Result<(), ()>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        use std::panic::{catch_unwind, AssertUnwindSafe};
        use std::task::Poll;
        let fut = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Ready(())) => Poll::Ready(Ok(())),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(())),
        }
    }
}

/// Applies control messages between requests; never blocks the thread.
async fn poll_control(
    ctx: Rc<WorkerCtx>,
    control: Receiver<WorkerMsg>,
    events: Sender<WorkerEvent>,
    stop_accepting: Vec<std::net::TcpListener>,
) {
    let mut tick = 0u32;
    let mut reported = (0, 0, 0);
    loop {
        tick = tick.wrapping_add(1);
        let counts = (ctx.requests.get(), ctx.failed.get(), ctx.tls_failed.get());
        if tick.is_multiple_of(50) {
            if let Some(t) = &ctx.telemetry {
                t.flush(ctx.id, ctx.buffer_gauges());
            }
        }
        if tick.is_multiple_of(50) && counts != reported {
            reported = counts;
            let _ = events.send(WorkerEvent::Counters {
                worker: ctx.id,
                total: counts.0,
                failed: counts.1,
                tls_failed: counts.2,
            });
        }
        while let Ok(msg) = control.try_recv() {
            match msg {
                WorkerMsg::Replica(r) => {
                    let hash = r.hash;
                    *ctx.replica.borrow_mut() = Some(Rc::new(*r));
                    info!(
                        worker = ctx.id,
                        config_hash = format_args!("{hash:016x}"),
                        "worker applied configuration"
                    );
                }
                WorkerMsg::Authority(update) => ctx.services.authority.apply(*update),
                WorkerMsg::Drain => {
                    // Flag first, then shut the listening socket down: the
                    // kernel resets connections still in its backlog and
                    // refuses new ones, and the woken accept sees the flag.
                    ctx.drain.notify_all();
                    for l in &stop_accepting {
                        if let Err(e) = socket2::SockRef::from(l).shutdown(std::net::Shutdown::Both) {
                            warn!(worker = ctx.id, error = %e, "could not shut a listener down");
                        }
                    }
                    info!(worker = ctx.id, "worker draining");
                    return;
                }
            }
        }
        if ctx.is_draining() {
            return;
        }
        monoio::time::sleep(CONTROL_POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_connection_task_is_contained() {
        let out = runtime::run(
            crate::settings::DriverChoice::Epoll,
            |_| {},
            || async {
                let bad = contain_panic(async { panic!("bad request") }).await;
                let good = contain_panic(async {}).await;
                (bad, good)
            },
        )
        .unwrap();
        assert_eq!(out, (Err(()), Ok(())));
    }
}
