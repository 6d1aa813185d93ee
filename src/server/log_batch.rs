//! Per-worker batching of access-log lines (standard output) and of local
//! request-log records (`telemetry.logs.local`).
//!
//! Owns one worker's pending access-log bytes. A record is appended to the
//! worker's buffer (no lock, no syscall on the request path); the first
//! record of a batch spawns a flush task on the worker's runtime, which runs
//! after the tasks that are already ready, i.e. when the worker has finished
//! the current burst of completions. So a lone request's line leaves at once,
//! and under load one `write` carries many lines instead of one per request.
//!
//! Invariants: the buffer only ever holds whole lines (each ends in `\n`);
//! it is written through the process's `stdout` lock, so lines from
//! different workers (and from `tracing`) never interleave mid-line; it never
//! grows past [`MAX_PENDING`] (beyond that the worker writes inline); what is
//! pending when the worker stops is written by `Drop`. A failed write drops
//! the batch (logging must never fail a request), is counted, and the first
//! failure of a worker is reported once on standard error.
//!
//! A batch for the local request log ([`LogBatch::queue`]) holds
//! length-prefixed records instead of lines
//! ([`crate::telemetry::request_log::frame`]) and is handed whole to that
//! sink's bounded queue, which never blocks (a full queue drops and counts).

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::rc::Rc;

/// Bytes after which a record is written inline instead of waiting for the
/// flush task (bounds the buffer under a flood of requests).
pub const MAX_PENDING: usize = 64 * 1024;

/// Where a batch goes: the process's standard output in production.
pub type Sink = fn(&[u8]) -> std::io::Result<()>;

/// Writes `bytes` to standard output under its lock, then flushes.
pub fn stdout_sink(bytes: &[u8]) -> std::io::Result<()> {
    let out = std::io::stdout();
    let mut out = out.lock();
    out.write_all(bytes)?;
    out.flush()
}

enum Out {
    /// Whole lines, written by the function.
    Write(Sink),
    /// Framed records, handed to the local request log's queue.
    Queue(crate::telemetry::request_log::Queue),
}

/// One worker's pending access-log lines (or request-log records).
pub struct LogBatch {
    pending: RefCell<Vec<u8>>,
    scheduled: Cell<bool>,
    dropped_writes: Cell<u64>,
    out: Out,
}

impl LogBatch {
    pub fn new(sink: Sink) -> Rc<LogBatch> {
        Self::with(Out::Write(sink))
    }

    /// A batch of framed records for the local request log's sink thread.
    pub fn queue(q: crate::telemetry::request_log::Queue) -> Rc<LogBatch> {
        Self::with(Out::Queue(q))
    }

    fn with(out: Out) -> Rc<LogBatch> {
        Rc::new(LogBatch {
            pending: RefCell::new(Vec::new()),
            scheduled: Cell::new(false),
            dropped_writes: Cell::new(0),
            out,
        })
    }

    /// Appends one record: `fill` writes the line (without its `\n`), or
    /// the record's bytes for a request-log batch.
    /// Must run on the worker's runtime (it may spawn the flush task).
    pub fn push(self: &Rc<Self>, fill: impl FnOnce(&mut Vec<u8>)) {
        let len = {
            let mut buf = self.pending.borrow_mut();
            match &self.out {
                Out::Write(_) => {
                    fill(&mut buf);
                    buf.push(b'\n');
                }
                Out::Queue(_) => crate::telemetry::request_log::frame(&mut buf, fill),
            }
            buf.len()
        };
        if len >= MAX_PENDING {
            self.flush();
        } else if !self.scheduled.replace(true) {
            let me = self.clone();
            monoio::spawn(async move {
                me.scheduled.set(false);
                me.flush();
            });
        }
    }

    /// Appends a request record in the local request log's layout (no-op
    /// on a standard-output batch).
    pub fn push_record(
        self: &Rc<Self>,
        at: crate::telemetry::request_log::encode::Stamp,
        record: &dyn crate::telemetry::request_log::encode::Fields,
    ) {
        if let Out::Queue(q) = &self.out {
            self.push(|buf| q.layout().encode(buf, at, record));
        }
    }

    /// Writes every pending line now.
    pub fn flush(&self) {
        let mut buf = self.pending.borrow_mut();
        if buf.is_empty() {
            return;
        }
        let sink = match &self.out {
            Out::Write(sink) => sink,
            Out::Queue(q) => {
                let cap = buf.len().min(MAX_PENDING);
                q.offer(std::mem::replace(&mut *buf, Vec::with_capacity(cap)));
                return;
            }
        };
        if let Err(e) = sink(&buf) {
            if self.dropped_writes.get() == 0 {
                // Once per worker: standard output may be what is broken, so
                // this goes to standard error.
                eprintln!("outpost: access log write failed ({e}); records are dropped while it fails");
            }
            self.dropped_writes.set(self.dropped_writes.get() + 1);
        }
        buf.clear();
    }

    /// Bytes waiting for the flush task.
    pub fn pending_len(&self) -> usize {
        self.pending.borrow().len()
    }

    /// Batches lost to a failed write (stdout closed or full disk).
    pub fn dropped_writes(&self) -> u64 {
        self.dropped_writes.get()
    }
}

impl Drop for LogBatch {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::future::Future;

    thread_local! {
        static WRITES: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    }

    fn capture(bytes: &[u8]) -> std::io::Result<()> {
        WRITES.with(|w| w.borrow_mut().push(bytes.to_vec()));
        Ok(())
    }

    fn failing(_: &[u8]) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }

    fn writes() -> Vec<String> {
        WRITES.with(|w| {
            w.borrow_mut()
                .drain(..)
                .map(|b| String::from_utf8(b).unwrap())
                .collect()
        })
    }

    /// Lets the tasks spawned so far run: a task spawned now runs after
    /// them (the run queue is FIFO), and this waits for it.
    async fn after_ready_tasks() {
        monoio::spawn(async {}).await;
    }

    fn run<F: Future>(f: F) -> F::Output {
        monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn lines_wait_for_the_flush_task_then_leave_in_one_write() {
        run(async {
            let batch = LogBatch::new(capture);
            batch.push(|b| b.extend_from_slice(b"{\"a\":1}"));
            batch.push(|b| b.extend_from_slice(b"{\"a\":2}"));
            assert_eq!(batch.pending_len(), 16, "both lines buffered, each with its newline");
            assert!(writes().is_empty(), "nothing written on the request path");
            after_ready_tasks().await;
            assert_eq!(writes(), ["{\"a\":1}\n{\"a\":2}\n"], "one write for the batch");
            batch.push(|b| b.extend_from_slice(b"{\"a\":3}"));
            after_ready_tasks().await;
            assert_eq!(writes(), ["{\"a\":3}\n"], "the next batch gets its own flush task");
        });
    }

    #[test]
    fn a_full_buffer_is_written_inline_and_drop_writes_the_rest() {
        run(async {
            let batch = LogBatch::new(capture);
            batch.push(|b| b.resize(MAX_PENDING, b'x'));
            assert_eq!(batch.pending_len(), 0, "written at once, not left to grow");
            assert_eq!(writes().len(), 1);
            batch.push(|b| b.extend_from_slice(b"last"));
            drop(batch); // the flush task still holds a clone
            after_ready_tasks().await;
            assert_eq!(writes(), ["last\n"]);
        });
        let batch = LogBatch::new(capture);
        batch.pending.borrow_mut().extend_from_slice(b"pending\n");
        drop(batch);
        assert_eq!(writes(), ["pending\n"], "Drop writes what is pending");
    }

    #[test]
    fn a_failed_write_is_counted_and_the_batch_dropped() {
        let batch = LogBatch::new(failing);
        batch.pending.borrow_mut().extend_from_slice(b"x\n");
        batch.flush();
        assert_eq!(batch.dropped_writes(), 1);
        assert_eq!(batch.pending_len(), 0);
    }

    struct Rec;

    impl crate::telemetry::request_log::encode::Fields for Rec {
        fn visit(&self, f: &mut dyn FnMut(&'static str, crate::telemetry::request_log::encode::Value<'_>)) {
            f("responseCode", crate::telemetry::request_log::encode::Value::Int(200));
        }
    }

    #[test]
    fn a_request_log_batch_frames_records_and_hands_them_over_whole() {
        use crate::telemetry::request_log::{encode, records, Queue};
        let (q, rx) = Queue::new(4, encode::Layout::Journal);
        run(async {
            let batch = LogBatch::queue(q.clone());
            let at = encode::Stamp { secs: 0, millis: 0 };
            batch.push_record(at, &Rec);
            batch.push_record(at, &Rec);
            assert!(rx.is_empty(), "nothing handed over on the request path");
            after_ready_tasks().await;
            let got = rx.try_recv().expect("one batch after the burst");
            let recs: Vec<&[u8]> = records(&got).collect();
            assert_eq!(recs.len(), 2);
            let text = String::from_utf8_lossy(recs[0]);
            assert!(text.contains("\nRESPONSE_CODE=200\n"), "{text}");
            assert!(rx.is_empty());
        });
        // A standard-output batch ignores request records.
        let out = LogBatch::new(capture);
        out.push_record(
            crate::telemetry::request_log::encode::Stamp { secs: 0, millis: 0 },
            &Rec,
        );
        assert_eq!(out.pending_len(), 0);
    }
}
