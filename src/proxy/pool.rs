//! Per-worker pool of idle keep-alive connections to backends.
//!
//! Keyed by the backend's `scheme://host:port` (plus the TLS options' id for
//! `https`, so connections with different client certificates never mix) (precomputed in the replica,
//! so a lookup allocates nothing). Invariants: at most `max_idle`
//! connections per key (the oldest is closed first); a connection idle
//! longer than `idle_timeout` is never handed out and is closed by the
//! sweeper; connections are reused most-recent-first, which keeps the
//! working set warm and lets surplus ones age out. Single-threaded (`Rc`).

pub use crate::server::io::Conn;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant};

struct Idle {
    conn: Conn,
    since: Instant,
}

struct Inner {
    idle: RefCell<HashMap<String, VecDeque<Idle>>>,
    max_idle: usize,
    idle_timeout: Duration,
}

#[derive(Clone)]
pub struct Pool(Rc<Inner>);

impl Pool {
    pub fn new(max_idle: usize, idle_timeout: Duration) -> Pool {
        Pool(Rc::new(Inner {
            idle: RefCell::new(HashMap::new()),
            max_idle,
            idle_timeout,
        }))
    }

    /// The most recently returned live connection for `key`, if any.
    pub fn take(&self, key: &str) -> Option<Conn> {
        let mut map = self.0.idle.borrow_mut();
        let list = map.get_mut(key)?;
        let now = Instant::now();
        while let Some(idle) = list.pop_back() {
            if now.duration_since(idle.since) < self.0.idle_timeout {
                return Some(idle.conn);
            }
        }
        None
    }

    /// Returns a reusable connection to the pool (an idle connection keeps
    /// no buffer: TLS' are freed here).
    pub fn put(&self, key: &str, mut conn: Conn) {
        if self.0.max_idle == 0 {
            return;
        }
        conn.0.release_idle();
        conn.1.release_idle();
        let mut map = self.0.idle.borrow_mut();
        let list = match map.get_mut(key) {
            Some(list) => list,
            None => map.entry(key.to_string()).or_default(),
        };
        if list.len() >= self.0.max_idle {
            list.pop_front();
        }
        list.push_back(Idle {
            conn,
            since: Instant::now(),
        });
    }

    /// Number of idle connections for `key` (for tests and metrics).
    pub fn idle_count(&self, key: &str) -> usize {
        self.0.idle.borrow().get(key).map_or(0, VecDeque::len)
    }

    /// Closes expired idle connections periodically; runs until the worker ends.
    pub async fn sweep_forever(self) {
        let period = (self.0.idle_timeout / 2).max(Duration::from_millis(100));
        loop {
            monoio::time::sleep(period).await;
            self.sweep(Instant::now());
        }
    }

    fn sweep(&self, now: Instant) {
        let timeout = self.0.idle_timeout;
        let mut map = self.0.idle.borrow_mut();
        for list in map.values_mut() {
            list.retain(|i| now.duration_since(i.since) < timeout);
        }
        map.retain(|_, list| !list.is_empty());
    }
}
