//! Process metrics (`observability.opentelemetry.system-metrics.enabled`),
//! read from `/proc/self` at each export, named after OpenTelemetry's
//! process semantic conventions:
//!
//! | metric | type | unit | from |
//! |---|---|---|---|
//! | `process.cpu.time` {`cpu.mode`=`user`/`system`} | cumulative monotonic sum | s | `/proc/self/stat` utime, stime |
//! | `process.memory.usage` | cumulative non-monotonic sum | By | `/proc/self/stat` rss × page size |
//! | `process.memory.virtual` | cumulative non-monotonic sum | By | `/proc/self/stat` vsize |
//! | `process.thread.count` | cumulative non-monotonic sum | {thread} | `/proc/self/stat` num_threads |
//! | `process.unix.file_descriptor.count` | cumulative non-monotonic sum | {file_descriptor} | entries of `/proc/self/fd` |
//! | `process.uptime` | gauge | s | since the telemetry started |
//!
//! APIM also lists garbage-collector metrics: a Rust process has no
//! collector, so there are none. Where `/proc` is missing (not Linux)
//! nothing is exported. Invariant: reads a bounded amount (one short file,
//! one directory listing) on the OTLP thread, never on a worker.

use super::attr;
use super::metrics::{gauge_metric, number_point, own_scope, sum_metric, Window};
use opentelemetry_proto::tonic::metrics::v1::{number_data_point::Value, Metric, ScopeMetrics};

/// What `/proc/self/stat` says about the process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcStat {
    pub user_seconds: f64,
    pub system_seconds: f64,
    pub threads: i64,
    pub virtual_bytes: i64,
    pub resident_bytes: i64,
}

/// Parses `/proc/<pid>/stat` (see proc(5)); `None` when malformed. The
/// command name (field 2) may hold spaces and parentheses: fields are
/// counted after its last `)`.
pub fn parse_stat(text: &str, ticks_per_second: f64, page_size: i64) -> Option<ProcStat> {
    let (_, rest) = text.rsplit_once(')')?;
    // rest starts with field 3 (state): field n is at index n - 3.
    let f: Vec<&str> = rest.split_ascii_whitespace().collect();
    let num = |n: usize| -> Option<i64> { f.get(n - 3)?.parse().ok() };
    let ticks = ticks_per_second.max(1.0);
    Some(ProcStat {
        user_seconds: num(14)? as f64 / ticks,
        system_seconds: num(15)? as f64 / ticks,
        threads: num(20)?,
        virtual_bytes: num(23)?,
        resident_bytes: num(24)?.saturating_mul(page_size),
    })
}

fn sysconf(name: libc::c_int, fallback: i64) -> i64 {
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let v = unsafe { libc::sysconf(name) };
    if v > 0 {
        v
    } else {
        fallback
    }
}

fn read_stat() -> Option<ProcStat> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_stat(
        &text,
        sysconf(libc::_SC_CLK_TCK, 100) as f64,
        sysconf(libc::_SC_PAGESIZE, 4096),
    )
}

fn open_fds() -> Option<i64> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as i64)
}

/// The process metrics now, as one scope unit (empty without `/proc`).
pub fn collect(w: Window) -> ScopeMetrics {
    let mut metrics: Vec<Metric> = Vec::new();
    if let Some(s) = read_stat() {
        metrics.push(sum_metric(
            "process.cpu.time",
            "CPU time used by the process",
            "s",
            true,
            vec![
                number_point(Value::AsDouble(s.user_seconds), vec![attr("cpu.mode", "user")], w),
                number_point(Value::AsDouble(s.system_seconds), vec![attr("cpu.mode", "system")], w),
            ],
        ));
        let gauge_sum = |name: &str, description: &str, unit: &str, v: i64| {
            sum_metric(
                name,
                description,
                unit,
                false,
                vec![number_point(Value::AsInt(v), vec![], w)],
            )
        };
        metrics.push(gauge_sum(
            "process.memory.usage",
            "Resident memory of the process",
            "By",
            s.resident_bytes,
        ));
        metrics.push(gauge_sum(
            "process.memory.virtual",
            "Virtual memory of the process",
            "By",
            s.virtual_bytes,
        ));
        metrics.push(gauge_sum(
            "process.thread.count",
            "Threads of the process",
            "{thread}",
            s.threads,
        ));
        if let Some(n) = open_fds() {
            metrics.push(gauge_sum(
                "process.unix.file_descriptor.count",
                "Open file descriptors",
                "{file_descriptor}",
                n,
            ));
        }
        let uptime = w.now.saturating_sub(w.start) as f64 / 1e9;
        metrics.push(gauge_metric(
            "process.uptime",
            "Seconds since the gateway's telemetry started",
            "s",
            vec![number_point(Value::AsDouble(uptime), vec![], w)],
        ));
    }
    ScopeMetrics {
        scope: Some(own_scope()),
        metrics,
        schema_url: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_even_with_odd_command_names() {
        let line = "4242 (out) post (x)) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 7 0 \
                    12345 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        let s = parse_stat(line, 100.0, 4096).unwrap();
        assert_eq!(s.user_seconds, 2.5);
        assert_eq!(s.system_seconds, 0.5);
        assert_eq!(s.threads, 7);
        assert_eq!(s.virtual_bytes, 104_857_600);
        assert_eq!(s.resident_bytes, 2560 * 4096);
        assert_eq!(parse_stat("12 (x) S 1 2", 100.0, 4096), None);
        assert_eq!(parse_stat("no parenthesis", 100.0, 4096), None);
    }

    #[test]
    fn this_process_reports_its_own_metrics() {
        let unit = collect(Window {
            start: 0,
            now: 5_000_000_000,
        });
        if std::path::Path::new("/proc/self/stat").exists() {
            let names: Vec<&str> = unit.metrics.iter().map(|m| m.name.as_str()).collect();
            assert!(names.contains(&"process.cpu.time"), "{names:?}");
            assert!(names.contains(&"process.memory.usage"), "{names:?}");
            assert!(names.contains(&"process.thread.count"), "{names:?}");
        }
    }
}
