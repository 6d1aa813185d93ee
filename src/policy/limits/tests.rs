//! Unit tests of the limit counters, all on a [`ManualClock`]: no sleeps.

use super::*;
use std::time::Duration;

const T0: u64 = 1_700_000_000; // unix seconds, a whole minute

fn setup(max_keys: usize) -> (Arc<ManualClock>, Limits) {
    let clock = Arc::new(ManualClock::new(Moment::from_unix_secs(T0)));
    let limits = Limits::with_shards(clock.clone(), max_keys, 4);
    (clock, limits)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn rate_allows_calls_then_denies_with_retry_after_and_remaining() {
    let (clock, l) = setup(100);
    let k = LimitKey::shared("client-a");
    for i in 0..5u32 {
        let d = l.check_rate(&k, 5, secs(10), 1);
        assert!(d.allowed, "call {i}");
        assert_eq!(d.remaining, 4 - i);
        assert_eq!(d.retry_after, Duration::ZERO);
        clock.advance(secs(1));
    }
    // t = 5 s: five calls at 0..4 s; the one at 0 s leaves the window at 10 s.
    let d = l.check_rate(&k, 5, secs(10), 1);
    assert!(!d.allowed);
    assert!(!d.table_full);
    assert_eq!(d.remaining, 0);
    assert_eq!(d.retry_after, secs(5));
    // A denied call is not counted: at 10 s exactly one slot is free.
    clock.set(Moment::from_unix_secs(T0 + 10));
    assert!(l.check_rate(&k, 5, secs(10), 1).allowed);
    let d = l.check_rate(&k, 5, secs(10), 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, secs(1));
}

#[test]
fn rate_window_slides_rather_than_resetting() {
    let (clock, l) = setup(100);
    let k = LimitKey::shared("k");
    // 3 calls at 0 s, 3 at 6 s, limit 6 per 10 s.
    for _ in 0..3 {
        assert!(l.check_rate(&k, 6, secs(10), 1).allowed);
    }
    clock.advance(secs(6));
    for _ in 0..3 {
        assert!(l.check_rate(&k, 6, secs(10), 1).allowed);
    }
    // At 10 s the first three left; the last three stay until 16 s.
    clock.advance(secs(4));
    let d = l.check_rate(&k, 6, secs(10), 0);
    assert_eq!(d.remaining, 3);
    for _ in 0..3 {
        assert!(l.check_rate(&k, 6, secs(10), 1).allowed);
    }
    let d = l.check_rate(&k, 6, secs(10), 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, secs(6));
}

#[test]
fn rate_never_admits_more_than_calls_in_any_window() {
    // Calls every 100 ms for 60 s against 7 per 3 s: check every window.
    let (clock, l) = setup(100);
    let k = LimitKey::shared("steady");
    let mut admitted = Vec::new();
    for i in 0..600u64 {
        if l.check_rate(&k, 7, secs(3), 1).allowed {
            admitted.push(i * 100);
        }
        clock.advance(Duration::from_millis(100));
    }
    for (n, &t) in admitted.iter().enumerate() {
        let in_window = admitted[n..].iter().take_while(|&&u| u < t + 3000).count();
        assert!(in_window <= 7, "{in_window} calls admitted in the 3 s from {t} ms");
    }
    // The slack is on the safe side only, and small: at least 7 per 3.2 s.
    assert!(admitted.len() >= 600 * 7 / 32, "only {} admitted", admitted.len());
}

#[test]
fn rate_increment_count_and_check_only() {
    let (_clock, l) = setup(100);
    let k = LimitKey::shared("k");
    let d = l.check_rate(&k, 10, secs(60), 4);
    assert!(d.allowed);
    assert_eq!(d.remaining, 6);
    // Check only (increment-condition false): not counted, needs room for 1.
    let d = l.check_rate(&k, 10, secs(60), 0);
    assert!(d.allowed);
    assert_eq!(d.remaining, 6);
    assert!(l.check_rate(&k, 10, secs(60), 6).allowed);
    let d = l.check_rate(&k, 10, secs(60), 0);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, secs(60));
    // A request needing more than the whole limit can never pass.
    let other = LimitKey::shared("other");
    let d = l.check_rate(&other, 3, secs(60), 5);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, secs(60));
}

#[test]
fn rate_deferred_increment_is_counted() {
    let (_clock, l) = setup(100);
    let k = LimitKey::shared("k");
    assert!(l.check_rate(&k, 2, secs(60), 0).allowed);
    assert!(l.add_rate_calls(&k, secs(60), 2));
    assert!(!l.check_rate(&k, 2, secs(60), 0).allowed);
    // A check-only on an unknown key creates nothing.
    let before = l.len();
    assert!(l.check_rate(&LimitKey::shared("ghost"), 2, secs(60), 0).allowed);
    assert_eq!(l.len(), before);
}

#[test]
fn rate_counters_are_separate_per_key_policy_and_period() {
    let (_clock, l) = setup(100);
    let a = LimitKey::per_policy("product:p/inbound/0", "sub-1");
    let b = LimitKey::per_policy("api:x/inbound/0", "sub-1");
    let c = LimitKey::per_policy("product:p/inbound/0", "sub-2");
    assert!(l.check_rate(&a, 1, secs(60), 1).allowed);
    assert!(!l.check_rate(&a, 1, secs(60), 1).allowed);
    assert!(l.check_rate(&b, 1, secs(60), 1).allowed);
    assert!(l.check_rate(&c, 1, secs(60), 1).allowed);
    // Same shared key, same period: one counter whatever `calls` says.
    let s = LimitKey::shared("ip:10.0.0.1");
    assert!(l.check_rate(&s, 5, secs(60), 1).allowed);
    assert_eq!(l.check_rate(&s, 2, secs(60), 1).remaining, 0);
    // A different period is a different counter.
    assert_eq!(l.check_rate(&s, 5, secs(30), 1).remaining, 4);
}

#[test]
fn idle_keys_expire_and_free_their_budget() {
    let (clock, l) = setup(100);
    for i in 0..10 {
        assert!(l.check_rate(&LimitKey::shared(format!("k{i}")), 5, secs(1), 1).allowed);
    }
    assert_eq!(l.len(), 10);
    clock.advance(Duration::from_millis(999));
    assert_eq!(l.sweep(), 0);
    clock.advance(Duration::from_millis(1));
    assert_eq!(l.sweep(), 10);
    assert_eq!(l.len(), 0);
    assert!(l.is_empty());
}

#[test]
fn creating_a_key_sweeps_its_shard_when_due() {
    let clock = Arc::new(ManualClock::new(Moment::from_unix_secs(T0)));
    let l = Limits::with_shards(clock.clone(), 100, 1);
    assert!(l.check_rate(&LimitKey::shared("old"), 5, secs(1), 1).allowed);
    clock.advance(secs(5));
    assert!(l.check_rate(&LimitKey::shared("new"), 5, secs(1), 1).allowed);
    assert_eq!(l.len(), 1);
}

#[test]
fn full_table_fails_closed_for_new_keys_only_then_recovers() {
    let (clock, l) = setup(2);
    let a = LimitKey::shared("a");
    let b = LimitKey::shared("b");
    assert!(l.check_rate(&a, 5, secs(10), 1).allowed);
    clock.advance(secs(4));
    assert!(l.check_rate(&b, 5, secs(10), 1).allowed);
    let c = LimitKey::shared("c");
    let d = l.check_rate(&c, 5, secs(10), 1);
    assert!(!d.allowed);
    assert!(d.table_full);
    // "a" expires at 10 s; we are at 4 s.
    assert_eq!(d.retry_after, secs(6));
    // Existing keys keep working, exactly (check only: "a" still expires at 10 s).
    assert_eq!(l.check_rate(&a, 5, secs(10), 0).remaining, 4);
    // Quota and concurrency share the same budget.
    assert!(
        l.check_quota(&c, &QuotaSpec::new(Some(5), None, secs(3600)), 1)
            .table_full
    );
    assert_eq!(l.acquire_concurrency(&c, 1).unwrap_err(), ConcurrencyDenied::TableFull);
    // When "a" expires there is room again; "b" (last call at 4 s) stays.
    clock.set(Moment::from_unix_secs(T0 + 10));
    let d = l.check_rate(&c, 5, secs(10), 1);
    assert!(d.allowed, "{d:?}");
    assert_eq!(l.len(), 2);
}

#[test]
fn quota_counts_calls_per_fixed_period_aligned_to_first_period_start() {
    let (clock, l) = setup(100);
    let k = LimitKey::shared("sub-1");
    // Hourly from the default 0001-01-01: periods start on the UTC hour.
    let spec = QuotaSpec::new(Some(3), None, secs(3600));
    clock.set(Moment::from_unix_secs(T0 - T0 % 3600 + 3000));
    for left in [2, 1, 0] {
        let d = l.check_quota(&k, &spec, 1);
        assert!(d.allowed);
        assert_eq!(d.remaining_calls, Some(left));
        assert_eq!(d.retry_after, Some(secs(600)));
    }
    let d = l.check_quota(&k, &spec, 1);
    assert!(!d.allowed);
    assert_eq!(d.exceeded, Some(QuotaLimit::Calls));
    assert_eq!(d.retry_after, Some(secs(600)));
    clock.advance(secs(599));
    assert!(!l.check_quota(&k, &spec, 1).allowed);
    clock.advance(secs(1));
    let d = l.check_quota(&k, &spec, 1);
    assert!(d.allowed);
    assert_eq!(d.remaining_calls, Some(2));
    assert_eq!(d.retry_after, Some(secs(3600)));
}

#[test]
fn quota_first_period_start_and_lifetime_quota() {
    let (clock, l) = setup(100);
    let start = (T0 + 100) as i64;
    let spec = QuotaSpec::new(Some(1), None, secs(300)).starting_at(start);
    clock.set(Moment::from_unix_secs(T0 + 150));
    let d = l.check_quota(&LimitKey::shared("k"), &spec, 1);
    assert_eq!(d.retry_after, Some(secs(250)));
    // Before first-period-start the period is the one that ends at it.
    clock.set(Moment::from_unix_secs(T0));
    let d = l.check_quota(&LimitKey::shared("k2"), &spec, 1);
    assert_eq!(d.retry_after, Some(secs(100)));
    // renewal-period 0: never renews, never expires.
    let life = QuotaSpec::new(Some(1), None, Duration::ZERO);
    let k = LimitKey::shared("life");
    assert_eq!(l.check_quota(&k, &life, 1).retry_after, None);
    clock.advance(secs(10 * 365 * 86_400));
    let d = l.check_quota(&k, &life, 1);
    assert!(!d.allowed);
    assert_eq!(d.retry_after, None);
    l.sweep();
    assert!(!l.check_quota(&k, &life, 1).allowed);
}

#[test]
fn quota_bandwidth_is_added_after_the_response() {
    let (clock, l) = setup(100);
    let k = LimitKey::shared("k");
    let spec = QuotaSpec::new(None, Some(2), secs(300));
    clock.set(Moment::from_unix_secs(T0 - T0 % 300));
    let d = l.check_quota(&k, &spec, 1);
    assert!(d.allowed);
    assert_eq!(d.remaining_kb, Some(2));
    assert_eq!(d.remaining_calls, None);
    assert!(l.add_bandwidth(&k, &spec, 1500));
    let d = l.check_quota(&k, &spec, 1);
    assert!(d.allowed);
    assert_eq!(d.remaining_kb, Some(0));
    assert!(l.add_bandwidth(&k, &spec, 548));
    let d = l.check_quota(&k, &spec, 1);
    assert!(!d.allowed);
    assert_eq!(d.exceeded, Some(QuotaLimit::Bandwidth));
    clock.advance(secs(300));
    assert!(l.check_quota(&k, &spec, 1).allowed);
}

#[test]
fn quota_deferred_calls_and_both_limits() {
    let (_clock, l) = setup(100);
    let k = LimitKey::per_policy("product:p/inbound/1", "sub-1");
    let spec = QuotaSpec::new(Some(2), Some(1), secs(3600));
    assert!(l.check_quota(&k, &spec, 0).allowed);
    assert!(l.add_quota_calls(&k, &spec, 2));
    assert_eq!(l.check_quota(&k, &spec, 0).exceeded, Some(QuotaLimit::Calls));
    let k2 = LimitKey::per_policy("product:p/inbound/1", "sub-2");
    assert!(l.add_bandwidth(&k2, &spec, 1024));
    assert_eq!(l.check_quota(&k2, &spec, 1).exceeded, Some(QuotaLimit::Bandwidth));
}

#[test]
fn concurrency_permits_are_bounded_and_released_on_drop() {
    let (_clock, l) = setup(100);
    let k = LimitKey::shared("backend-1");
    let p1 = l.acquire_concurrency(&k, 2).unwrap();
    let p2 = l.acquire_concurrency(&k, 2).unwrap();
    assert_eq!(
        l.acquire_concurrency(&k, 2).unwrap_err(),
        ConcurrencyDenied::AtMax { max: 2 }
    );
    assert_eq!(l.concurrency_held(&k), 2);
    drop(p1);
    assert_eq!(l.concurrency_held(&k), 1);
    let p3 = l.acquire_concurrency(&k, 2).unwrap();
    drop((p2, p3));
    assert_eq!(l.concurrency_held(&k), 0);
    assert_eq!(
        l.acquire_concurrency(&k, 0).unwrap_err(),
        ConcurrencyDenied::AtMax { max: 0 }
    );
}

#[test]
fn concurrency_permit_is_released_when_a_request_is_cancelled() {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    let (clock, l) = setup(100);
    let k = LimitKey::shared("k");
    let permit = l.acquire_concurrency(&k, 1).unwrap();
    {
        // A request future that holds the permit and never finishes.
        let mut request = pin!(async move {
            let _held = permit;
            std::future::pending::<()>().await;
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(request.as_mut().poll(&mut cx), Poll::Pending);
        assert!(l.acquire_concurrency(&k, 1).is_err());
    } // the future is dropped here: what a cancelled request is.
    assert_eq!(l.concurrency_held(&k), 0);
    let again = l.acquire_concurrency(&k, 1);
    assert!(again.is_ok());
    drop(again);
    // The idle entry goes at the next sweep.
    clock.advance(secs(1));
    assert_eq!(l.sweep(), 1);
    assert!(l.is_empty());
}

#[test]
fn many_threads_on_one_key_admit_exactly_calls() {
    let clock = Arc::new(ManualClock::new(Moment::from_unix_secs(T0)));
    let l = Limits::new(clock, 1000);
    let threads = 8;
    let tries = 5_000;
    let admitted: u32 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let l = l.clone();
                s.spawn(move || {
                    let k = LimitKey::shared("hot");
                    (0..tries)
                        .filter(|_| l.check_rate(&k, 1000, secs(60), 1).allowed)
                        .count() as u32
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(admitted, 1000);
}

#[test]
fn many_threads_hold_at_most_max_permits() {
    let clock = Arc::new(ManualClock::new(Moment::from_unix_secs(T0)));
    let l = Limits::new(clock, 1000);
    let inside = std::sync::atomic::AtomicU32::new(0);
    let peak = std::sync::atomic::AtomicU32::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let k = LimitKey::shared("c");
                for _ in 0..2_000 {
                    if let Ok(p) = l.acquire_concurrency(&k, 3) {
                        let n = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                        peak.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                        drop(p);
                    }
                }
            });
        }
    });
    assert!(peak.into_inner() <= 3);
    assert_eq!(l.concurrency_held(&LimitKey::shared("c")), 0);
}
