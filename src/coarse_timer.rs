//! Coarse deadlines for connections: a worker's idle keep-alive, buffer-hold
//! and head timeouts, at [`TICK`] granularity.
//!
//! Why not monoio's `sleep`: its timer entry is about 640 bytes, and every
//! connection's future carries one for its whole life (the connection loop
//! always waits under some timeout). A [`Deadline`] future is a few words;
//! the worker keeps one ordered map of the deadlines being waited for, and a
//! single ticker task ([`Timers::run`]) wakes the expired ones.
//!
//! Invariants:
//! - a deadline never fires early; it fires at most [`TICK`] late (plus the
//!   worker's scheduling delay);
//! - a dropped [`Deadline`] removes its entry, so the map holds exactly the
//!   deadlines being awaited;
//! - single-threaded (`Rc`, `RefCell` never borrowed across an await).
//!
//! Needs nothing from the gateway.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// How often the ticker looks for expired deadlines.
pub const TICK: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Inner {
    waiting: RefCell<BTreeMap<(Instant, u64), Waker>>,
    next_id: Cell<u64>,
}

/// A worker's deadlines (cheap to clone: a shared handle).
#[derive(Clone, Default)]
pub struct Timers(Rc<Inner>);

impl Timers {
    pub fn new() -> Timers {
        Timers::default()
    }

    /// A future that completes at `at` (at most [`TICK`] later).
    pub fn at(&self, at: Instant) -> Deadline {
        Deadline {
            timers: self.clone(),
            at,
            id: None,
        }
    }

    /// A future that completes after `d` (a duration too long for the
    /// clock is as good as never).
    pub fn after(&self, d: Duration) -> Deadline {
        self.at(later(Instant::now(), d))
    }

    /// Wakes every deadline that has passed by `now`.
    pub fn fire(&self, now: Instant) {
        let expired: Vec<Waker> = {
            let mut map = self.0.waiting.borrow_mut();
            let later = map.split_off(&(now, u64::MAX));
            std::mem::replace(&mut *map, later).into_values().collect()
        };
        for w in expired {
            w.wake();
        }
    }

    /// Deadlines being waited for.
    pub fn len(&self) -> usize {
        self.0.waiting.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The worker's ticker: fires expired deadlines every [`TICK`]; runs
    /// until the worker ends.
    pub async fn run(self) {
        loop {
            monoio::time::sleep(TICK).await;
            self.fire(Instant::now());
        }
    }
}

/// `now + d`, or a deadline decades away when that overflows the clock
/// (settings accept any number of seconds).
pub fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// Completes when its deadline has passed.
pub struct Deadline {
    timers: Timers,
    at: Instant,
    /// Set while registered in the map.
    id: Option<u64>,
}

impl Future for Deadline {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if Instant::now() >= this.at {
            if let Some(id) = this.id.take() {
                this.timers.0.waiting.borrow_mut().remove(&(this.at, id));
            }
            return Poll::Ready(());
        }
        let inner = &this.timers.0;
        let id = *this.id.get_or_insert_with(|| {
            let id = inner.next_id.get();
            inner.next_id.set(id.wrapping_add(1));
            id
        });
        // (Re)registers: fired entries were removed from the map.
        let mut map = inner.waiting.borrow_mut();
        match map.get_mut(&(this.at, id)) {
            Some(w) if w.will_wake(cx.waker()) => {}
            Some(w) => *w = cx.waker().clone(),
            None => {
                map.insert((this.at, id), cx.waker().clone());
            }
        }
        Poll::Pending
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.timers.0.waiting.borrow_mut().remove(&(self.at, id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll(d: &mut Deadline, waker: &Waker) -> Poll<()> {
        Pin::new(d).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn fires_only_after_the_deadline_and_forgets_dropped_waits() {
        let timers = Timers::new();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let start = Instant::now();
        let mut soon = timers.at(start + Duration::from_secs(60));
        let mut later = timers.at(start + Duration::from_secs(120));
        assert!(poll(&mut soon, &waker).is_pending());
        assert!(poll(&mut later, &waker).is_pending());
        assert!(
            poll(&mut soon, &waker).is_pending(),
            "polling again does not add an entry"
        );
        assert_eq!(timers.len(), 2);
        timers.fire(start + Duration::from_secs(30));
        assert_eq!(count.0.load(Ordering::SeqCst), 0, "nothing before its deadline");
        timers.fire(start + Duration::from_secs(60));
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "the first deadline fired");
        assert_eq!(timers.len(), 1);
        drop(later);
        assert!(timers.is_empty(), "a dropped wait leaves nothing behind");
        drop(soon);
        assert!(timers.is_empty());
    }

    #[test]
    fn huge_durations_do_not_overflow() {
        let now = Instant::now();
        assert!(later(now, Duration::from_secs(u64::MAX)) > now + Duration::from_secs(86_400));
        assert_eq!(later(now, Duration::from_secs(5)), now + Duration::from_secs(5));
    }

    #[test]
    fn a_passed_deadline_is_ready_at_once() {
        let timers = Timers::new();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count);
        let mut past = timers.at(Instant::now());
        assert!(poll(&mut past, &waker).is_ready());
        assert!(timers.is_empty());
    }

    #[test]
    fn within_a_runtime_the_ticker_ends_waits() {
        crate::readiness::test_socket::run(|| async {
            let timers = Timers::new();
            monoio::spawn(timers.clone().run());
            timers.after(Duration::from_millis(10)).await;
            let r = monoio::select! {
                v = async { 7 } => Some(v),
                _ = timers.after(Duration::from_secs(60)) => None,
            };
            assert_eq!(r, Some(7));
            assert!(timers.is_empty(), "the losing deadline was dropped and forgotten");
        });
    }
}
