//! Micro-benchmark of the limit counters: ns per check, uncontended and
//! contended. Prints figures and asserts nothing about speed; run with
//! `cargo test --release --lib policy::limits::bench -- --ignored --nocapture`.
//!
//! Besides wall time it reports each thread's own CPU time
//! (`/proc/thread-self/schedstat`), which stays meaningful on a machine
//! shared with other work; contention shows up as CPU time too (a thread
//! spinning on a contended lock or waiting for a cache line is on CPU).

use super::*;
use std::time::{Duration, Instant};

const ITERS: u32 = 4_000_000;

fn limits() -> Limits {
    Limits::new(Arc::new(SystemClock::new()), DEFAULT_MAX_KEYS)
}

/// This thread's CPU time in ns (Linux schedstat), if readable.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// (wall ns per check per thread, mean CPU ns per check) over `threads`
/// threads, each on its own key or all on one key.
fn run(threads: usize, same_key: bool) -> (f64, f64) {
    let l = limits();
    let start = Instant::now();
    let cpu: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let l = l.clone();
                s.spawn(move || {
                    let k = LimitKey::shared(if same_key {
                        "hot".to_string()
                    } else {
                        format!("key-{t}")
                    });
                    let before = thread_cpu_ns().unwrap_or(0);
                    let mut allowed = 0u32;
                    for _ in 0..ITERS {
                        allowed += u32::from(l.check_rate(&k, u32::MAX, Duration::from_secs(60), 1).allowed);
                    }
                    std::hint::black_box(allowed);
                    thread_cpu_ns().unwrap_or(0).saturating_sub(before)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let wall = start.elapsed().as_nanos() as f64 / f64::from(ITERS);
    let cpu = cpu.iter().sum::<u64>() as f64 / threads as f64 / f64::from(ITERS);
    (wall, cpu)
}

#[test]
#[ignore = "micro-benchmark: prints figures, asserts nothing about speed"]
fn bench_check_rate() {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
    let report = |what: &str, (wall, cpu): (f64, f64)| {
        println!("check_rate, {what:<22} wall {wall:6.1} ns/check/thread, CPU {cpu:6.1} ns/check");
    };
    report("1 thread", run(1, false));
    report(&format!("{threads} threads, own keys"), run(threads, false));
    report(&format!("{threads} threads, one key"), run(threads, true));
    let l = limits();
    let k = LimitKey::shared("c");
    let before = thread_cpu_ns().unwrap_or(0);
    for _ in 0..ITERS {
        std::hint::black_box(l.acquire_concurrency(&k, 10).is_ok());
    }
    let cpu = thread_cpu_ns().unwrap_or(0).saturating_sub(before) as f64 / f64::from(ITERS);
    println!("acquire_concurrency + drop, 1 thread: CPU {cpu:6.1} ns");
}
