//! An OTLP receiver for the tests: tests/otlp/receiver.py, built on the
//! official protocol definitions (PyPI `opentelemetry-proto`) and `grpcio`,
//! listening on 127.0.0.1 with ephemeral ports for OTLP/gRPC and
//! OTLP/HTTP (protobuf). Every export request it receives comes back here as
//! a [`Received`] (protobuf's JSON mapping, trace/span ids in hex); tests
//! wait on what they expect with [`Otlp::wait_for`].
//!
//! The Python packages are installed into tests/otlp/.venv once per test
//! process when missing (test.sh does it first). The receiver exits when its
//! stdin closes (the test process or the `Otlp` value ending): no orphans.
//! For a collector outage, [`Otlp::stop`] it and [`Otlp::start_on`] the same
//! ports again; for a collector that is up but refuses or is slow,
//! [`Otlp::set_mode`].

// Shared by the OTLP, traces and other telemetry tests: not every helper is
// used by every one of them.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(60);

fn otlp_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/otlp")
}

fn venv_python() -> PathBuf {
    otlp_dir().join(".venv/bin/python")
}

/// The venv, once per test process, when missing (same steps as test.sh).
fn ensure_installed() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let py = venv_python();
        let ok = py.exists()
            && Command::new(&py)
                .args(["-c", "import grpc, opentelemetry.proto.collector.metrics.v1"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
        if ok {
            return;
        }
        let dir = otlp_dir();
        let status = Command::new("python3")
            .args(["-m", "venv", ".venv"])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .status()
            .expect("python3 is needed for the OTLP receiver; ./test.sh installs it");
        assert!(status.success(), "python3 -m venv tests/otlp/.venv failed");
        let status = Command::new(dir.join(".venv/bin/pip"))
            .args(["install", "-q", "-r", "requirements.txt"])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .status()
            .expect("pip in tests/otlp/.venv");
        assert!(status.success(), "pip install -r tests/otlp/requirements.txt failed");
    });
}

/// One export request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// `metrics`, `traces` or `logs`.
    pub signal: String,
    /// `grpc` or `http`.
    pub transport: String,
    /// False when the receiver's mode refused it (`unavailable`).
    pub accepted: bool,
    /// gRPC metadata or HTTP headers, lowercase names.
    pub headers: Value,
    /// The Export*ServiceRequest in protobuf's JSON mapping (camelCase).
    pub request: Value,
}

/// A span, a metric or a log record with what encloses it.
#[derive(Clone, Debug)]
pub struct Item {
    /// The enclosing `resource` (`{"attributes": [...]}`), or null.
    pub resource: Value,
    /// The enclosing instrumentation `scope`, or null.
    pub scope: Value,
    /// The span / metric / log record itself.
    pub value: Value,
}

impl Item {
    /// An attribute of the item (`attributes` of the span, metric data
    /// point…) as a string; see [`attr`].
    pub fn attr(&self, key: &str) -> Option<String> {
        attr(&self.value, key)
    }

    /// A resource attribute as a string.
    pub fn resource_attr(&self, key: &str) -> Option<String> {
        attr(&self.resource, key)
    }
}

/// The value of `key` in `obj["attributes"]` (a list of OTLP `KeyValue`s)
/// as a string: string values as they are, ints (JSON strings in protobuf's
/// mapping), doubles and bools as their text; arrays and maps as JSON.
pub fn attr(obj: &Value, key: &str) -> Option<String> {
    let kv = obj["attributes"].as_array()?.iter().find(|kv| kv["key"] == key)?;
    let v = &kv["value"];
    if let Some(s) = v["stringValue"].as_str() {
        return Some(s.to_owned());
    }
    if let Some(s) = v["intValue"].as_str() {
        return Some(s.to_owned());
    }
    for k in ["intValue", "doubleValue", "boolValue", "arrayValue", "kvlistValue"] {
        if !v[k].is_null() {
            return Some(v[k].to_string());
        }
    }
    // An AnyValue with nothing set (protobuf omits an empty string).
    Some(String::new())
}

/// Every span of the accepted trace exports in `items`, in arrival order.
pub fn spans(items: &[Received]) -> Vec<Item> {
    flatten(items, "traces", "resourceSpans", "scopeSpans", "spans")
}

/// Every metric of the accepted metric exports in `items`, in arrival
/// order (a metric name appears once per export).
pub fn metrics(items: &[Received]) -> Vec<Item> {
    flatten(items, "metrics", "resourceMetrics", "scopeMetrics", "metrics")
}

/// The metrics named `name`, in arrival order.
pub fn metrics_named(items: &[Received], name: &str) -> Vec<Item> {
    metrics(items).into_iter().filter(|m| m.value["name"] == name).collect()
}

/// The data points of a metric (whatever its type: sum, gauge, histogram…).
pub fn data_points(metric: &Value) -> Vec<Value> {
    for kind in ["sum", "gauge", "histogram", "exponentialHistogram", "summary"] {
        if let Some(points) = metric[kind]["dataPoints"].as_array() {
            return points.clone();
        }
    }
    Vec::new()
}

fn flatten(items: &[Received], signal: &str, outer: &str, middle: &str, inner: &str) -> Vec<Item> {
    let mut out = Vec::new();
    for r in items.iter().filter(|r| r.accepted && r.signal == signal) {
        for res in r.request[outer].as_array().into_iter().flatten() {
            for sc in res[middle].as_array().into_iter().flatten() {
                for v in sc[inner].as_array().into_iter().flatten() {
                    out.push(Item {
                        resource: res["resource"].clone(),
                        scope: sc["scope"].clone(),
                        value: v.clone(),
                    });
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct State {
    items: Vec<Received>,
    /// Acknowledged `mode` commands, in order.
    modes: Vec<String>,
    /// Lines that were not export records (parse errors reported by the
    /// receiver: an exporter bug).
    errors: Vec<String>,
    closed: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

pub struct Otlp {
    child: Option<Child>,
    stdin: Mutex<Option<ChildStdin>>,
    shared: Shared,
    pub grpc_port: u16,
    pub http_port: u16,
}

impl Otlp {
    /// A receiver on two ephemeral ports.
    pub fn start() -> Otlp {
        Otlp::start_on(0, 0)
    }

    /// A receiver on the given ports (0 = ephemeral): a collector coming
    /// back after an outage at the same address.
    pub fn start_on(grpc_port: u16, http_port: u16) -> Otlp {
        ensure_installed();
        let mut child = Command::new(venv_python())
            .arg(otlp_dir().join("receiver.py"))
            .args(["--grpc-port", &grpc_port.to_string()])
            .args(["--http-port", &http_port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn tests/otlp/receiver.py");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("receiver stdout");
        let shared: Shared = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = shared.clone();
        std::thread::spawn(move || {
            let mut first = true;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if first {
                    first = false;
                    let _ = tx.send(line);
                    continue;
                }
                let (lock, cv) = &*reader;
                let mut st = lock.lock().unwrap_or_else(|e| e.into_inner());
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) if v["mode"].is_string() => st.modes.push(v["mode"].as_str().unwrap_or_default().to_owned()),
                    Ok(v) if v["request"].is_object() => st.items.push(Received {
                        signal: v["signal"].as_str().unwrap_or_default().to_owned(),
                        transport: v["transport"].as_str().unwrap_or_default().to_owned(),
                        accepted: v["accepted"].as_bool().unwrap_or(false),
                        headers: v["headers"].clone(),
                        request: v["request"].clone(),
                    }),
                    _ => st.errors.push(line),
                }
                cv.notify_all();
            }
            let (lock, cv) = &*reader;
            lock.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
            cv.notify_all();
        });
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the OTLP receiver did not start within {START_TIMEOUT:?}");
            }
        };
        let v: Value =
            serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("OTLP receiver start line {line:?}: {e}"));
        let port = |k: &str| {
            v[k].as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .expect("receiver port")
        };
        Otlp {
            child: Some(child),
            stdin: Mutex::new(stdin),
            shared,
            grpc_port: port("grpc_port"),
            http_port: port("http_port"),
        }
    }

    /// `http://127.0.0.1:<grpc port>`: the collector URI for OTLP/gRPC.
    pub fn grpc_uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    /// `http://127.0.0.1:<http port>`: the collector URI for OTLP/HTTP (the
    /// exporter appends `/v1/metrics`, `/v1/traces`).
    pub fn http_uri(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Everything received so far (accepted or refused).
    pub fn received(&self) -> Vec<Received> {
        let (lock, _) = &*self.shared;
        lock.lock().unwrap_or_else(|e| e.into_inner()).items.clone()
    }

    /// Waits until `check` over everything received so far returns Some,
    /// and returns that. Panics after `timeout` with what was received (and
    /// at once if the receiver reported a request it could not parse).
    pub fn wait_for<T>(&self, what: &str, timeout: Duration, mut check: impl FnMut(&[Received]) -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.shared;
        let mut st = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            assert!(
                st.errors.is_empty(),
                "the OTLP receiver could not parse a request: {:?}",
                st.errors
            );
            if let Some(t) = check(&st.items) {
                return t;
            }
            let now = Instant::now();
            if now >= deadline || st.closed {
                let dump: Vec<String> = st
                    .items
                    .iter()
                    .rev()
                    .take(5)
                    .map(|r| format!("{} {} accepted={} {}", r.signal, r.transport, r.accepted, r.request))
                    .collect();
                panic!(
                    "OTLP receiver: timed out after {timeout:?} waiting for {what} ({} requests; \
                     receiver closed: {}; latest first: {dump:#?})",
                    st.items.len(),
                    st.closed
                );
            }
            st = cv
                .wait_timeout(st, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// Waits until `n` accepted requests of `signal` arrived in all, and
    /// returns every received request.
    pub fn wait_requests(&self, signal: &str, n: usize, timeout: Duration) -> Vec<Received> {
        self.wait_for(&format!("{n} accepted {signal} requests"), timeout, |items| {
            let got = items.iter().filter(|r| r.accepted && r.signal == signal).count();
            (got >= n).then(|| items.to_vec())
        })
    }

    /// How the receiver answers from now on: `ok`, `unavailable` (gRPC
    /// UNAVAILABLE / HTTP 503) or `slow` (`ms` delay, then ok). Returns once
    /// the receiver acknowledged it.
    pub fn set_mode(&self, mode: &str, ms: u64) {
        let (lock, cv) = &*self.shared;
        let before = lock.lock().unwrap_or_else(|e| e.into_inner()).modes.len();
        {
            let mut guard = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
            let stdin = guard.as_mut().expect("receiver running");
            writeln!(stdin, "mode {mode} {ms}").expect("write receiver mode");
            stdin.flush().expect("flush receiver mode");
        }
        let deadline = Instant::now() + START_TIMEOUT;
        let mut st = lock.lock().unwrap_or_else(|e| e.into_inner());
        while st.modes.len() == before || st.modes.last().map(String::as_str) != Some(mode) {
            let now = Instant::now();
            assert!(
                now < deadline && !st.closed,
                "the OTLP receiver did not take mode {mode}"
            );
            st = cv
                .wait_timeout(st, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// Stops the receiver (a collector outage). Its ports are free again
    /// (another process could take them; [`Otlp::start_on`] takes them back).
    pub fn stop(&mut self) {
        *self.stdin.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Otlp {
    fn drop(&mut self) {
        self.stop();
    }
}
