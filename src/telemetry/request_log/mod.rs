//! The local request log (`telemetry.logs.local`): one record per request
//! with APIM's `GatewayLogs` fields, sent to syslog (RFC 5424 over UDP,
//! TCP or a unix socket; BSD syslog to a local socket such as `/dev/log`),
//! the systemd journal (native protocol), or as JSON (UDP datagrams or a
//! file).
//!
//! The path of a record:
//! 1. the worker encodes it in the sink's [`encode::Layout`] into its own
//!    batch (`server::log_batch`, no lock, no syscall), each record
//!    length-prefixed ([`frame`]);
//! 2. when the worker's burst of work ends (or the batch passes 64 KiB) the
//!    batch is offered to this sink's bounded queue ([`Queue::offer`],
//!    never blocks): a full queue drops the batch and counts its records;
//! 3. the sink thread (`outpost-request-log`) writes each record through
//!    its [`transport::Transport`], which reconnects by itself.
//!
//! Invariants: at most [`MAX_QUEUED_BYTES`] of records and
//! `telemetry.queue.capacity` batches wait for the sink; an endpoint that is
//! down, slow or refuses makes records drop (counted in [`Stats`]), logged
//! once when it starts and once when it ends, never slowing a worker.
//! `auto` (APIM's default) means no sink. What a record may contain (no
//! header values, masked keys) is decided where it is built
//! (`server::access_log`).

pub mod encode;
pub mod transport;

use crate::settings::{LogsLocal, TelemetrySettings};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use encode::Layout;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use transport::{Endpoint, Framing, Sent, Transport};

/// Bytes of records waiting for the sink thread, across all workers.
pub const MAX_QUEUED_BYTES: usize = 8 << 20;
/// How long the sink thread may take to write what is queued at exit.
pub const EXIT_FLUSH: Duration = Duration::from_secs(2);
/// A full queue counts as "keeping up again" after this long without drops.
const CALM: Duration = Duration::from_secs(2);

/// Counters of the sink, readable from any thread.
#[derive(Debug, Default)]
pub struct Stats {
    /// Records written to the endpoint.
    pub sent: AtomicU64,
    /// Records dropped because the queue was full (the sink is too slow).
    pub dropped_queue_full: AtomicU64,
    /// Records dropped because the endpoint was down or failed.
    pub dropped_endpoint: AtomicU64,
    queued_bytes: AtomicUsize,
}

impl Stats {
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full.load(Ordering::Relaxed) + self.dropped_endpoint.load(Ordering::Relaxed)
    }
}

/// The workers' handle: the layout to encode records in and the queue.
#[derive(Clone)]
pub struct Queue {
    tx: Sender<Vec<u8>>,
    layout: Arc<Layout>,
    stats: Arc<Stats>,
}

impl Queue {
    /// A queue of `capacity` batches for records in `layout`, and its
    /// receiving end (the sink thread's).
    pub fn new(capacity: usize, layout: Layout) -> (Queue, Receiver<Vec<u8>>) {
        let (tx, rx) = crossbeam_channel::bounded(capacity.max(1));
        let q = Queue {
            tx,
            layout: Arc::new(layout),
            stats: Arc::default(),
        };
        (q, rx)
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Hands a batch of [`frame`]d records to the sink thread; never
    /// blocks. A full queue drops the batch and counts its records.
    pub fn offer(&self, batch: Vec<u8>) {
        let len = batch.len();
        let queued = self.stats.queued_bytes.fetch_add(len, Ordering::Relaxed);
        let refused = if queued + len > MAX_QUEUED_BYTES {
            Some(batch)
        } else {
            self.tx.try_send(batch).err().map(|e| e.into_inner())
        };
        if let Some(b) = refused {
            self.stats.queued_bytes.fetch_sub(len, Ordering::Relaxed);
            self.stats
                .dropped_queue_full
                .fetch_add(records(&b).count() as u64, Ordering::Relaxed);
        }
    }
}

/// Appends one record to a batch: a 4-byte little-endian length, then the
/// bytes `fill` writes.
pub fn frame(buf: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>)) {
    let at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    fill(buf);
    let len = u32::try_from(buf.len() - at - 4).unwrap_or(u32::MAX);
    if let Some(slot) = buf.get_mut(at..at + 4) {
        slot.copy_from_slice(&len.to_le_bytes());
    }
}

/// The records of a batch built by [`frame`] (a truncated tail is ignored).
pub fn records(batch: &[u8]) -> Records<'_> {
    Records(batch)
}

#[derive(Clone)]
pub struct Records<'a>(&'a [u8]);

impl<'a> Iterator for Records<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            self.0 = &[];
            return None;
        }
        let (r, rest) = rest.split_at(len);
        self.0 = rest;
        Some(r)
    }
}

/// The running sink: the queue (cloned into each worker) and the thread's
/// end signal.
pub struct Handle {
    pub queue: Queue,
    done: Receiver<()>,
}

impl Handle {
    /// Lets the sink write what is queued (the workers have stopped and
    /// dropped their queues), waiting at most `timeout`.
    pub fn finish(self, timeout: Duration) {
        let Handle { queue, done } = self;
        drop(queue);
        let _ = done.recv_timeout(timeout);
    }
}

/// The sink `t.logs_local` asks for: its layout, endpoint and framing.
pub fn plan(t: &TelemetrySettings) -> Result<Option<(&'static str, Layout, Endpoint, Framing)>, String> {
    let pid = std::process::id();
    Ok(Some(match t.logs_local {
        LogsLocal::None | LogsLocal::Auto => return Ok(None),
        LogsLocal::LocalSyslog => (
            "localsyslog",
            Layout::Bsd {
                pri: Layout::pri(t.localsyslog_facility),
                pid,
            },
            Endpoint::socket(t.localsyslog_endpoint.as_deref().unwrap_or("/dev/log"))?,
            Framing::Nul,
        ),
        LogsLocal::Rfc5424 => (
            "rfc5424",
            Layout::Rfc5424 {
                pri: Layout::pri(t.rfc5424_facility),
                hostname: encode::hostname(),
                pid,
            },
            Endpoint::syslog(t.rfc5424_endpoint.as_deref().unwrap_or("/dev/log"))?,
            Framing::OctetCounted,
        ),
        LogsLocal::Journal => (
            "journal",
            Layout::Journal,
            Endpoint::socket(t.journal_endpoint.as_deref().unwrap_or(JOURNAL_SOCKET))?,
            Framing::DatagramOnly,
        ),
        LogsLocal::Json => (
            "json",
            Layout::Json,
            Endpoint::json(&t.json_endpoint)?,
            Framing::Newline,
        ),
    }))
}

/// systemd-journald's native-protocol socket.
pub const JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

/// The process's sink and its counters, for the Prometheus endpoint's
/// `outpost_request_log_records_total` (set once, by [`start`]).
static PROCESS: OnceLock<(&'static str, Arc<Stats>)> = OnceLock::new();

/// The running sink's name and counters, if one was started.
pub fn process_stats() -> Option<(&'static str, &'static Stats)> {
    PROCESS.get().map(|(k, s)| (*k, &**s))
}

/// Starts the sink `telemetry.logs.local` asks for; `None` for `none` and
/// `auto`, or when its thread cannot start (logged).
pub fn start(t: &TelemetrySettings) -> Option<Handle> {
    let (kind, layout, endpoint, framing) = match plan(t) {
        Ok(p) => p?,
        Err(e) => {
            tracing::error!(error = %e, "invalid request log endpoint; no request log is sent");
            return None;
        }
    };
    let h = spawn(t, kind, layout, endpoint, framing)?;
    let _ = PROCESS.set((kind, h.queue.stats.clone()));
    Some(h)
}

fn spawn(
    t: &TelemetrySettings,
    kind: &'static str,
    layout: Layout,
    endpoint: Endpoint,
    framing: Framing,
) -> Option<Handle> {
    let (queue, rx) = Queue::new(t.queue_capacity, layout);
    let (done_tx, done) = crossbeam_channel::bounded(1);
    let st = queue.stats.clone();
    let transport = Transport::new(endpoint.clone(), framing);
    let spawned = std::thread::Builder::new()
        .name("outpost-request-log".into())
        .spawn(move || {
            run(rx, transport, &st, kind);
            let _ = done_tx.send(());
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the request log thread; no request log is sent");
        return None;
    }
    tracing::info!(sink = kind, endpoint = %endpoint, "request log sink started");
    Some(Handle { queue, done })
}

/// The sink thread: writes batches until every queue handle is dropped.
fn run(rx: Receiver<Vec<u8>>, mut t: Transport, stats: &Stats, kind: &'static str) {
    let mut down: Option<u64> = None;
    let mut full = FullWatch::default();
    loop {
        let got = rx.recv_timeout(Duration::from_millis(500));
        full.check(stats, kind);
        let batch = match got {
            Ok(b) => b,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        stats.queued_bytes.fetch_sub(batch.len(), Ordering::Relaxed);
        match t.send(records(&batch)) {
            Sent::All(n) => {
                stats.sent.fetch_add(n, Ordering::Relaxed);
                if let Some(before) = down.take() {
                    let dropped = stats.dropped_endpoint.load(Ordering::Relaxed) - before;
                    tracing::info!(sink = kind, endpoint = %t.endpoint(), dropped, "request log sink recovered");
                }
            }
            Sent::Waiting(n) => {
                stats.dropped_endpoint.fetch_add(n, Ordering::Relaxed);
            }
            Sent::Failed { dropped, error } => {
                if down.is_none() {
                    down = Some(stats.dropped_endpoint.load(Ordering::Relaxed));
                    tracing::warn!(sink = kind, endpoint = %t.endpoint(), reason = %error,
                        "request log sink failing; dropping records until it recovers");
                }
                stats.dropped_endpoint.fetch_add(dropped, Ordering::Relaxed);
            }
        }
    }
}

/// Notices a queue that overflows (logs once) and its end (logs once).
#[derive(Default)]
struct FullWatch {
    seen: u64,
    since: Option<(Instant, u64)>,
}

impl FullWatch {
    fn check(&mut self, stats: &Stats, kind: &'static str) {
        let now = stats.dropped_queue_full.load(Ordering::Relaxed);
        if now > self.seen {
            if self.since.is_none() {
                tracing::warn!(
                    sink = kind,
                    "request log queue full (the sink is slower than the requests); dropping records"
                );
            }
            self.since = Some((Instant::now(), self.seen));
            self.seen = now;
        } else if let Some((at, before)) = self.since {
            if at.elapsed() >= CALM {
                self.since = None;
                tracing::info!(sink = kind, dropped = now - before, "request log queue keeps up again");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_truncated_tail_is_ignored() {
        let mut b = Vec::new();
        frame(&mut b, |o| o.extend_from_slice(b"one"));
        frame(&mut b, |o| o.extend_from_slice(b""));
        frame(&mut b, |o| o.extend_from_slice(b"three\nlines\n"));
        let got: Vec<&[u8]> = records(&b).collect();
        assert_eq!(got, [&b"one"[..], b"", b"three\nlines\n"]);
        b.truncate(b.len() - 1);
        assert_eq!(records(&b).count(), 2);
        assert_eq!(records(&b[..2]).count(), 0);
    }

    fn queue(cap: usize) -> (Queue, Receiver<Vec<u8>>) {
        Queue::new(cap, Layout::Json)
    }

    #[test]
    fn a_full_queue_drops_and_counts_records() {
        let (q, rx) = queue(1);
        let mut b = Vec::new();
        frame(&mut b, |o| o.push(b'a'));
        frame(&mut b, |o| o.push(b'b'));
        q.offer(b.clone());
        q.offer(b.clone());
        assert_eq!(q.stats.dropped_queue_full.load(Ordering::Relaxed), 2);
        assert_eq!(q.stats.queued_bytes.load(Ordering::Relaxed), b.len());
        assert_eq!(rx.len(), 1);
        let big = vec![0u8; MAX_QUEUED_BYTES + 1];
        let (q, _rx) = queue(10);
        q.offer(big);
        assert_eq!(
            q.stats.queued_bytes.load(Ordering::Relaxed),
            0,
            "over the byte bound: refused"
        );
    }

    #[test]
    fn sink_thread_writes_batches_to_udp() {
        let rx_sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        rx_sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let t = TelemetrySettings {
            logs_local: LogsLocal::Json,
            json_endpoint: rx_sock.local_addr().unwrap().to_string(),
            ..Default::default()
        };
        let (kind, layout, ep, framing) = plan(&t).unwrap().unwrap();
        let h = spawn(&t, kind, layout, ep, framing).unwrap();
        let mut b = Vec::new();
        frame(&mut b, |o| o.extend_from_slice(b"{\"n\":1}"));
        frame(&mut b, |o| o.extend_from_slice(b"{\"n\":2}"));
        h.queue.offer(b);
        let mut buf = [0u8; 64];
        let n = rx_sock.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"{\"n\":1}");
        let n = rx_sock.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"{\"n\":2}");
        let stats = h.queue.stats().clone();
        h.finish(Duration::from_secs(10));
        assert_eq!(stats.sent.load(Ordering::Relaxed), 2);
        assert_eq!(stats.dropped(), 0);
    }

    #[test]
    fn plan_follows_the_settings() {
        let mut t = TelemetrySettings::default();
        assert!(plan(&t).unwrap().is_none(), "auto = none");
        t.logs_local = LogsLocal::Journal;
        let (kind, layout, ep, framing) = plan(&t).unwrap().unwrap();
        assert_eq!(kind, "journal");
        assert!(matches!(layout, Layout::Journal));
        assert_eq!(ep, Endpoint::Unix(JOURNAL_SOCKET.into()));
        assert_eq!(framing, Framing::DatagramOnly);
        t.logs_local = LogsLocal::Rfc5424;
        t.rfc5424_endpoint = Some("tcp://127.0.0.1:601".into());
        t.rfc5424_facility = 1;
        let (_, layout, ep, _) = plan(&t).unwrap().unwrap();
        assert!(matches!(layout, Layout::Rfc5424 { pri: 14, .. }));
        assert_eq!(ep, Endpoint::Tcp("127.0.0.1:601".into()));
    }
}
