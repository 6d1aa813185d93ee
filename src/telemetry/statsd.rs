//! The StatsD sink (`telemetry.metrics.local=statsd`): UDP datagrams to
//! `telemetry.metrics.local.statsd.endpoint`, on its own thread
//! (`outpost-statsd`) behind the hub's bounded queue.
//!
//! What is sent (APIM's current StatsD names):
//! - every `telemetry.metrics.interval`: `requests_total:<n>|c` per request
//!   series with requests in the interval (exact counts, never sampled),
//!   and `<emit-metric name>:<sum>|c` per custom series;
//! - for each sampled request (`…statsd.sampling`, decided on the worker):
//!   `request_duration_seconds`, `request_backend_duration_seconds` and
//!   `request_client_duration_seconds` timings in ms (`|ms`, which
//!   statsd_exporter turns into seconds), with `|@<rate>` when the rate is
//!   below 1, sent as the worker's frame arrives;
//! - tags per `…statsd.tag-format`: dogStatsD `|#k:v,…`, influxDB `name,k=v…`,
//!   librato `name#k=v,…`, none; tag values have StatsD's separators
//!   replaced by `_`; empty values are left out.
//!
//! Invariants: lines are packed into datagrams of at most
//! [`MAX_DATAGRAM`] bytes (a longer line is dropped and counted); the
//! interval's counters are bounded like the hub's store (folding past
//! `4 × max_series`); a send that fails (ICMP refused, no route, name not
//! resolving) drops that datagram, is logged once per outage (judged per
//! batch of sends, from send errors and the socket's pending ICMP error),
//! and the endpoint is resolved again at the next send.

use super::hub::{OutageLog, SinkQueue, Store};
use super::model::{code_category, Frame, RequestDims};
use crate::settings::{TagFormat, TelemetrySettings};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use std::fmt::Write as _;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest datagram (fits a 1500-byte MTU with IPv6 and UDP headers, as statsd clients use).
pub const MAX_DATAGRAM: usize = 1432;

/// Starts the sink's thread; its queue goes to the hub.
pub fn spawn(t: &TelemetrySettings, bounds: Arc<[f64]>) -> std::io::Result<SinkQueue> {
    let endpoint = t
        .statsd_endpoint
        .clone()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no StatsD endpoint"))?;
    let cfg = Config {
        endpoint,
        format: t.statsd_tag_format,
        sampling: t.statsd_sampling,
        interval: t.metrics_interval,
        max_series: t.max_series,
    };
    tracing::info!(endpoint = %cfg.endpoint, interval = ?cfg.interval, "StatsD metrics enabled");
    SinkQueue::spawn("statsd", t.queue_capacity, move |rx| run(cfg, bounds, rx))
}

struct Config {
    endpoint: String,
    format: TagFormat,
    sampling: f64,
    interval: Duration,
    max_series: usize,
}

fn run(cfg: Config, bounds: Arc<[f64]>, rx: Receiver<Arc<Frame>>) {
    let mut out = Sender::new(&cfg.endpoint);
    let mut interval = Store::new(bounds.clone(), cfg.max_series);
    let mut next = Instant::now() + cfg.interval;
    loop {
        match rx.recv_deadline(next) {
            Ok(frame) => {
                interval.merge(&frame);
                timings(&cfg, &frame, &mut out);
                out.settle();
            }
            Err(RecvTimeoutError::Timeout) => {
                counters(&cfg, &interval, &mut out);
                out.settle();
                interval = Store::new(bounds.clone(), cfg.max_series);
                next = Instant::now() + cfg.interval;
            }
            Err(RecvTimeoutError::Disconnected) => {
                counters(&cfg, &interval, &mut out);
                out.settle();
                return;
            }
        }
    }
}

/// The sampled timings of one frame.
fn timings(cfg: &Config, frame: &Frame, out: &mut Sender) {
    if frame.samples.is_empty() {
        return;
    }
    let rate = (cfg.sampling < 1.0).then_some(cfg.sampling);
    let mut tags: Vec<Option<Vec<(&str, String)>>> = vec![None; frame.requests.len()];
    for s in &frame.samples {
        let i = s.series as usize;
        let Some(((dims, _), t)) = frame.requests.get(i).zip(tags.get_mut(i)) else {
            continue;
        };
        let t = t.get_or_insert_with(|| request_tags(dims));
        for (name, v) in [
            ("request_duration_seconds", s.duration_ms),
            ("request_backend_duration_seconds", s.backend_ms),
            ("request_client_duration_seconds", s.client_ms),
        ] {
            out.line(&format_line(cfg.format, name, &format!("{v}"), "ms", rate, t));
        }
    }
}

/// The interval's counters.
fn counters(cfg: &Config, interval: &Store, out: &mut Sender) {
    for (dims, agg) in &interval.requests {
        if agg.requests > 0 {
            let tags = request_tags(dims);
            out.line(&format_line(
                cfg.format,
                "requests_total",
                &agg.requests.to_string(),
                "c",
                None,
                &tags,
            ));
        }
    }
    for (key, agg) in &interval.custom {
        let mut tags: Vec<(&str, String)> = vec![("Namespace", clean(&key.namespace))];
        tags.extend(key.dims.iter().map(|(k, v)| (&**k, clean(v))));
        out.line(&format_line(
            cfg.format,
            &clean(&key.name),
            &format!("{}", agg.sum),
            "c",
            None,
            &tags,
        ));
    }
}

/// APIM's dimensions of a request series as tags (values cleaned).
fn request_tags(d: &RequestDims) -> Vec<(&'static str, String)> {
    vec![
        ("ApiId", clean(&d.api_id)),
        ("OperationId", clean(&d.operation_id)),
        ("Hostname", clean(&d.hostname)),
        ("ResponseCode", d.response_code.to_string()),
        ("ResponseCodeCategory", code_category(d.response_code).into()),
        ("BackendResponseCode", d.backend_response_code.to_string()),
        (
            "BackendResponseCodeCategory",
            code_category(d.backend_response_code).into(),
        ),
        ("LastErrorReason", clean(&d.last_error_reason)),
        ("Cache", d.cache.as_str().into()),
        ("Status", d.status().into()),
    ]
}

/// A name or tag value with StatsD's separators (`:|,=#@`, whitespace,
/// control characters) replaced by `_`.
pub fn clean(v: &str) -> String {
    v.chars()
        .map(|c| {
            if matches!(c, ':' | '|' | ',' | '=' | '#' | '@') || c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// One StatsD line in the tag dialect (tags with empty values left out).
pub fn format_line<K: AsRef<str>>(
    format: TagFormat,
    name: &str,
    value: &str,
    kind: &str,
    rate: Option<f64>,
    tags: &[(K, String)],
) -> String {
    let mut line = String::with_capacity(128);
    let tags = tags.iter().filter(|(_, v)| !v.is_empty());
    let rate = rate.map(|r| format!("|@{r}")).unwrap_or_default();
    match format {
        TagFormat::None => {
            let _ = write!(line, "{name}:{value}|{kind}{rate}");
        }
        TagFormat::DogStatsD => {
            let _ = write!(line, "{name}:{value}|{kind}{rate}");
            for (i, (k, v)) in tags.enumerate() {
                line.push(if i == 0 { '|' } else { ',' });
                if i == 0 {
                    line.push('#');
                }
                let _ = write!(line, "{}:{v}", clean(k.as_ref()));
            }
        }
        TagFormat::InfluxDb => {
            line.push_str(name);
            for (k, v) in tags {
                let _ = write!(line, ",{}={v}", clean(k.as_ref()));
            }
            let _ = write!(line, ":{value}|{kind}{rate}");
        }
        TagFormat::Librato => {
            line.push_str(name);
            for (i, (k, v)) in tags.enumerate() {
                line.push(if i == 0 { '#' } else { ',' });
                let _ = write!(line, "{}={v}", clean(k.as_ref()));
            }
            let _ = write!(line, ":{value}|{kind}{rate}");
        }
    }
    line
}

/// Packs lines into datagrams and sends them; re-resolves after failures.
struct Sender {
    endpoint: String,
    socket: Option<UdpSocket>,
    buf: Vec<u8>,
    outage: OutageLog,
    /// Lines longer than a datagram, dropped.
    oversized: u64,
    /// Datagrams sent (or tried) since the last [`Sender::settle`].
    tried: bool,
    /// The first failure since the last [`Sender::settle`].
    failure: Option<std::io::Error>,
    /// Clean batches in a row (two end an outage: a refusal may surface
    /// one batch late).
    clean: u32,
}

impl Sender {
    fn new(endpoint: &str) -> Sender {
        Sender {
            endpoint: endpoint.to_owned(),
            socket: None,
            buf: Vec::with_capacity(MAX_DATAGRAM),
            outage: OutageLog::new("statsd"),
            oversized: 0,
            tried: false,
            failure: None,
            clean: 0,
        }
    }

    fn line(&mut self, line: &str) {
        if line.len() > MAX_DATAGRAM {
            self.oversized += 1;
            if self.oversized == 1 {
                tracing::warn!(
                    bytes = line.len(),
                    "StatsD line longer than a datagram; dropped (shorter dimension values fit)"
                );
            }
            return;
        }
        if !self.buf.is_empty() && self.buf.len() + 1 + line.len() > MAX_DATAGRAM {
            self.flush();
        }
        if !self.buf.is_empty() {
            self.buf.push(b'\n');
        }
        self.buf.extend_from_slice(line.as_bytes());
    }

    fn connect(&mut self) -> std::io::Result<&UdpSocket> {
        if self.socket.is_none() {
            let addr = self
                .endpoint
                .to_socket_addrs()?
                .next()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
            let local = SocketAddr::new(
                if addr.is_ipv4() {
                    std::net::Ipv4Addr::UNSPECIFIED.into()
                } else {
                    std::net::Ipv6Addr::UNSPECIFIED.into()
                },
                0,
            );
            let s = UdpSocket::bind(local)?;
            // Connected: the kernel reports an ICMP refusal on the socket.
            s.connect(addr)?;
            s.set_write_timeout(Some(Duration::from_secs(1)))?;
            self.socket = Some(s);
        }
        self.socket
            .as_ref()
            .ok_or_else(|| std::io::ErrorKind::NotConnected.into())
    }

    /// Sends what is packed (one datagram).
    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        self.tried = true;
        let buf = std::mem::take(&mut self.buf);
        let sent = self.connect().and_then(|s| s.send(&buf));
        self.buf = buf;
        self.buf.clear();
        if let Err(e) = sent {
            // Resolve and connect again next time (the address may move).
            self.socket = None;
            self.failure.get_or_insert(e);
        }
    }

    /// Ends a batch of sends: a refusal reported since (ICMP, read from the
    /// socket's pending error) or a failed send makes the batch failed. The
    /// outage is logged once, and its end after two clean batches in a row,
    /// so a refusing endpoint (which fails every other send) does not flap.
    fn settle(&mut self) {
        self.flush();
        if !self.tried {
            return;
        }
        self.tried = false;
        let pending = self.socket.as_ref().and_then(|s| s.take_error().ok().flatten());
        match self.failure.take().or(pending) {
            Some(e) => {
                self.clean = 0;
                self.outage.failed(&e);
            }
            None => {
                self.clean += 1;
                if self.clean >= 2 || !self.outage.is_down() {
                    self.outage.ok();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<(&'static str, String)> {
        vec![
            ("ApiId", "echo".into()),
            ("OperationId", String::new()),
            ("ResponseCode", "200".into()),
        ]
    }

    #[test]
    fn tag_formats() {
        let t = tags();
        assert_eq!(
            format_line(TagFormat::DogStatsD, "requests_total", "3", "c", None, &t),
            "requests_total:3|c|#ApiId:echo,ResponseCode:200"
        );
        assert_eq!(
            format_line(
                TagFormat::DogStatsD,
                "request_duration_seconds",
                "1.5",
                "ms",
                Some(0.5),
                &t
            ),
            "request_duration_seconds:1.5|ms|@0.5|#ApiId:echo,ResponseCode:200"
        );
        assert_eq!(
            format_line(TagFormat::InfluxDb, "requests_total", "3", "c", None, &t),
            "requests_total,ApiId=echo,ResponseCode=200:3|c"
        );
        assert_eq!(
            format_line(TagFormat::Librato, "requests_total", "3", "c", Some(0.25), &t),
            "requests_total#ApiId=echo,ResponseCode=200:3|c|@0.25"
        );
        assert_eq!(
            format_line(TagFormat::None, "requests_total", "3", "c", None, &t),
            "requests_total:3|c"
        );
        assert_eq!(clean("a b:c|d,e=f#g@h\n"), "a_b_c_d_e_f_g_h_");
    }

    #[test]
    fn lines_are_packed_into_bounded_datagrams() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        rx.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut s = Sender::new(&rx.local_addr().unwrap().to_string());
        let line = "x".repeat(100);
        for _ in 0..30 {
            s.line(&line);
        }
        s.line(&"y".repeat(MAX_DATAGRAM + 1));
        s.settle();
        assert_eq!(s.oversized, 1);
        assert!(!s.outage.is_down());
        let mut got = 0;
        let mut buf = [0u8; 65536];
        while got < 30 {
            let n = rx.recv(&mut buf).unwrap();
            assert!(n <= MAX_DATAGRAM, "{n}");
            let text = std::str::from_utf8(&buf[..n]).unwrap();
            got += text.split('\n').inspect(|l| assert_eq!(*l, line)).count();
        }
        assert_eq!(got, 30);
    }
}
