//! Time for limits, injectable so that tests never sleep.
//!
//! A [`Moment`] is nanoseconds since the Unix epoch, UTC. [`SystemClock`]
//! reads it from a monotonic clock anchored to the wall clock once, when the
//! clock is created: moments never go backwards (a wall-clock step does not
//! reset rate windows), and quota periods line up with UTC as of process
//! start (NTP drift after that is not followed; it is seconds per month).
//! [`ManualClock`] moves only when a test moves it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z (good until 2554).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(u64);

impl Moment {
    pub const fn from_unix_nanos(nanos: u64) -> Self {
        Moment(nanos)
    }

    pub const fn from_unix_secs(secs: u64) -> Self {
        Moment(secs.saturating_mul(1_000_000_000))
    }

    pub const fn unix_nanos(self) -> u64 {
        self.0
    }

    pub fn saturating_add(self, d: Duration) -> Self {
        Moment(self.0.saturating_add(duration_nanos(d)))
    }

    /// Time from `earlier` to `self`, zero when `earlier` is later.
    pub fn saturating_since(self, earlier: Moment) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

/// A duration in whole nanoseconds, saturating at `u64::MAX` (584 years).
pub(crate) fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Where limits read the time from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Moment;
}

/// The real clock: monotonic, anchored to UTC when created.
#[derive(Debug)]
pub struct SystemClock {
    anchor: Instant,
    anchor_unix: u64,
}

impl SystemClock {
    pub fn new() -> Self {
        let anchor_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(duration_nanos)
            .unwrap_or(0);
        SystemClock {
            anchor: Instant::now(),
            anchor_unix,
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Moment {
        Moment(self.anchor_unix.saturating_add(duration_nanos(self.anchor.elapsed())))
    }
}

/// A clock for tests: starts where it is told and moves only by hand.
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    pub fn new(start: Moment) -> Self {
        ManualClock {
            nanos: AtomicU64::new(start.0),
        }
    }

    pub fn advance(&self, d: Duration) {
        self.nanos.fetch_add(duration_nanos(d), Ordering::SeqCst);
    }

    pub fn set(&self, to: Moment) {
        self.nanos.store(to.0, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Moment {
        Moment(self.nanos.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_by_hand() {
        let c = ManualClock::new(Moment::from_unix_secs(100));
        assert_eq!(c.now(), Moment::from_unix_secs(100));
        c.advance(Duration::from_millis(1500));
        assert_eq!(c.now(), Moment::from_unix_nanos(101_500_000_000));
        c.set(Moment::from_unix_secs(7));
        assert_eq!(c.now(), Moment::from_unix_secs(7));
    }

    #[test]
    fn system_clock_is_near_wall_time_and_monotonic() {
        let c = SystemClock::new();
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let a = c.now();
        let b = c.now();
        assert!(b >= a);
        let diff = Moment(duration_nanos(wall)).saturating_since(a) + a.saturating_since(Moment(duration_nanos(wall)));
        assert!(diff < Duration::from_secs(5), "system clock off wall time by {diff:?}");
    }

    #[test]
    fn moment_arithmetic_saturates() {
        let m = Moment::from_unix_nanos(u64::MAX - 1);
        assert_eq!(m.saturating_add(Duration::from_secs(1)).unix_nanos(), u64::MAX);
        assert_eq!(
            Moment::from_unix_secs(1).saturating_since(Moment::from_unix_secs(2)),
            Duration::ZERO
        );
    }
}
