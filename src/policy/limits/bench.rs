//! Micro-benchmark of the limit counters: ns per check, uncontended and
//! contended. Not a timed assertion; run with
//! `cargo test --release --lib policy::limits::bench -- --ignored --nocapture`.

use super::*;
use std::time::{Duration, Instant};

const ITERS: u32 = 2_000_000;

fn limits() -> Limits {
    Limits::new(Arc::new(SystemClock::new()), DEFAULT_MAX_KEYS)
}

/// ns per `check_rate` over `threads` threads, each on its own key or all on one.
fn run(threads: usize, same_key: bool) -> f64 {
    let l = limits();
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let l = l.clone();
            s.spawn(move || {
                let k = LimitKey::shared(if same_key {
                    "hot".to_string()
                } else {
                    format!("key-{t}")
                });
                let mut allowed = 0u32;
                for _ in 0..ITERS {
                    allowed += u32::from(l.check_rate(&k, u32::MAX, Duration::from_secs(60), 1).allowed);
                }
                std::hint::black_box(allowed);
            });
        }
    });
    start.elapsed().as_nanos() as f64 / f64::from(ITERS)
}

#[test]
#[ignore = "micro-benchmark: prints figures, asserts nothing about speed"]
fn bench_check_rate() {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    println!("check_rate, 1 thread:                {:6.1} ns/check", run(1, false));
    println!(
        "check_rate, {threads} threads, own keys:   {:6.1} ns/check (wall per thread)",
        run(threads, false)
    );
    println!(
        "check_rate, {threads} threads, one key:    {:6.1} ns/check (wall per thread)",
        run(threads, true)
    );
    let l = limits();
    let k = LimitKey::shared("c");
    let start = Instant::now();
    for _ in 0..ITERS {
        std::hint::black_box(l.acquire_concurrency(&k, 10).is_ok());
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(ITERS);
    println!("acquire_concurrency + release, 1 thread: {ns:6.1} ns");
}
