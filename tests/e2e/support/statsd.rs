//! A StatsD receiver: a UDP socket on 127.0.0.1 whose datagrams a thread
//! collects (each datagram's size and its lines), for tests to wait on.

use std::net::UdpSocket;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Seen {
    lines: Vec<String>,
    sizes: Vec<usize>,
}

pub struct StatsdSink {
    pub port: u16,
    seen: Arc<(Mutex<Seen>, Condvar)>,
}

impl StatsdSink {
    /// Binds 127.0.0.1:`port` (0 = ephemeral) and starts collecting.
    pub fn bind(port: u16) -> StatsdSink {
        let socket = UdpSocket::bind(("127.0.0.1", port)).expect("bind the StatsD socket");
        let port = socket.local_addr().expect("local address").port();
        let seen: Arc<(Mutex<Seen>, Condvar)> = Arc::default();
        let s = seen.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while let Ok(n) = socket.recv(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                let mut g = s.0.lock().unwrap_or_else(|e| e.into_inner());
                g.sizes.push(n);
                g.lines.extend(text.split('\n').map(str::to_owned));
                s.1.notify_all();
                // Stop once the test dropped its handle.
                if Arc::strong_count(&s) == 1 {
                    return;
                }
            }
        });
        StatsdSink { port, seen }
    }

    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every datagram's size so far.
    pub fn sizes(&self) -> Vec<usize> {
        self.seen.0.lock().unwrap_or_else(|e| e.into_inner()).sizes.clone()
    }

    /// Waits until `pred` holds for the lines so far.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        let mut g = self.seen.0.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if pred(&g.lines) {
                return g.lines.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("StatsD: timed out waiting for {what}; lines:\n{}", g.lines.join("\n"));
            }
            g = self.seen.1.wait_timeout(g, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// The sum of the values of counter lines named `name` whose line contains
/// every one of `parts`.
pub fn counter_sum(lines: &[String], name: &str, parts: &[&str]) -> f64 {
    lines
        .iter()
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .filter_map(|l| {
            let (head, rest) = l.split_once(':')?;
            let base = head.split([',', '#']).next()?;
            if base != name || !rest.contains("|c") {
                return None;
            }
            rest.split('|').next()?.parse::<f64>().ok()
        })
        .sum()
}
