//! Storing the metrics of a heartbeat.
//!
//! Invariants: a report is checked as a whole before anything is written
//! (sizes, bounds strictly ascending and finite, counts matching the
//! bounds, known classes, finite non-negative durations), so a bad report
//! is a 400 and changes nothing; each batch of an instance is applied at
//! most once (its `seq` above the instance's `metrics_seq`), in the same
//! transaction as the heartbeat; values are capped so that sums cannot
//! overflow SQLite's integers.

use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::{columns, COLUMNS, LAYOUT, MAX_BUCKETS_PER_HEARTBEAT, MAX_FUTURE_SECS, MAX_ROWS, RETENTION_SECS};
use crate::mgmt::{bad, MgmtError};
use crate::telemetry::rollup::{Bucket, Report, WireHistogram};

type R<T> = Result<T, MgmtError>;

/// Batches in one heartbeat.
const MAX_BATCHES: usize = 64;
/// Histogram bounds a gateway may use.
const MAX_BOUNDS: usize = 64;
/// Longest API id kept (APIM's ids are at most 256 characters).
const MAX_API_ID: usize = 256;
/// Largest count accepted in one bucket (2^40: sums over years fit an i64).
const MAX_COUNT: u64 = 1 << 40;
/// Largest duration accepted (ms, about 11 days), so sums stay finite.
const MAX_MS: f64 = 1e9;

const CLASSES: &[&str] = &["1xx", "2xx", "3xx", "4xx", "5xx", "None"];

/// Checks a report before anything is stored.
pub fn validate(r: &Report) -> R<()> {
    if r.batches.len() > MAX_BATCHES {
        return Err(bad(format!("metrics: at most {MAX_BATCHES} batches per heartbeat")));
    }
    let total: usize = r.batches.iter().map(|b| b.buckets.len()).sum();
    if total > MAX_BUCKETS_PER_HEARTBEAT {
        return Err(bad(format!(
            "metrics: at most {MAX_BUCKETS_PER_HEARTBEAT} buckets per heartbeat"
        )));
    }
    let mut last_seq = 0;
    for b in &r.batches {
        if b.seq <= last_seq || b.seq > i64::MAX as u64 {
            return Err(bad("metrics: batch numbers must rise"));
        }
        last_seq = b.seq;
        let ascending = b.bounds.windows(2).all(|w| w[0] < w[1]);
        let sane = b.bounds.iter().all(|v| v.is_finite() && *v >= 0.0);
        if b.bounds.is_empty() || b.bounds.len() > MAX_BOUNDS || !ascending || !sane {
            return Err(bad(
                "metrics: histogram bounds must be 1-64 finite, ascending, non-negative numbers",
            ));
        }
        for k in &b.buckets {
            check_bucket(k, b.bounds.len())?;
        }
    }
    Ok(())
}

fn check_bucket(k: &Bucket, bounds: usize) -> R<()> {
    if k.api_id.len() > MAX_API_ID || k.api_id.chars().any(char::is_control) {
        return Err(bad("metrics: apiId must be at most 256 printable characters"));
    }
    if !CLASSES.contains(&k.class.as_str()) {
        return Err(bad("metrics: class must be 1xx, 2xx, 3xx, 4xx, 5xx or None"));
    }
    if !k.time.is_multiple_of(60) || k.time > i64::MAX as u64 {
        return Err(bad("metrics: time must be the start of a minute (Unix seconds)"));
    }
    if k.requests > MAX_COUNT || k.errors > k.requests {
        return Err(bad("metrics: requests out of range, or more errors than requests"));
    }
    for h in [&k.duration, &k.backend] {
        let finite = [h.sum, h.min, h.max]
            .iter()
            .all(|v| v.is_finite() && (0.0..=MAX_MS * MAX_COUNT as f64).contains(v));
        if h.counts.len() != bounds + 1 || h.counts.iter().any(|c| *c > MAX_COUNT) || !finite {
            return Err(bad(
                "metrics: a histogram needs one count per bound plus one, and finite durations",
            ));
        }
    }
    Ok(())
}

/// Applies the batches of `r` that instance `instance` of `gateway` has not
/// applied yet (call after the heartbeat row is written, in its transaction).
pub fn record(c: &Connection, gateway: &str, instance: &str, r: &Report, now: i64) -> R<()> {
    let applied: i64 = c
        .query_row(
            "SELECT metrics_seq FROM gateway_instances WHERE gateway_id = ?1 AND instance_id = ?2",
            [gateway, instance],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut last = applied;
    let sql = format!(
        "INSERT INTO request_metrics (gateway_id, minute, api_id, class, requests, errors, duration_sum,
         duration_min, duration_max, backend_sum, {cols}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, {vals})
         ON CONFLICT (gateway_id, minute, api_id, class) DO UPDATE SET requests = requests + excluded.requests,
         errors = errors + excluded.errors, duration_sum = duration_sum + excluded.duration_sum,
         duration_min = MIN(duration_min, excluded.duration_min),
         duration_max = MAX(duration_max, excluded.duration_max),
         backend_sum = backend_sum + excluded.backend_sum, {adds}",
        cols = columns(str::to_string, ", "),
        vals = (0..COLUMNS)
            .map(|i| format!("?{}", i + 11))
            .collect::<Vec<_>>()
            .join(", "),
        adds = columns(|d| format!("{d} = {d} + excluded.{d}"), ", "),
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let oldest = now - RETENTION_SECS;
    let newest = now + MAX_FUTURE_SECS;
    for batch in r.batches.iter().filter(|b| b.seq as i64 > applied) {
        for k in &batch.buckets {
            let time = k.time as i64;
            if k.requests == 0 || time < oldest || time > newest {
                continue;
            }
            let spread = spread(&batch.bounds, &k.duration);
            let mut values: Vec<rusqlite::types::Value> = vec![
                gateway.to_string().into(),
                time.into(),
                k.api_id.clone().into(),
                k.class.clone().into(),
                (k.requests as i64).into(),
                (k.errors as i64).into(),
                k.duration.sum.into(),
                k.duration.min.into(),
                k.duration.max.into(),
                k.backend.sum.into(),
            ];
            values.extend(spread.iter().map(|v| rusqlite::types::Value::from(*v)));
            stmt.execute(params_from_iter(values))?;
        }
        last = last.max(batch.seq as i64);
    }
    if last != applied {
        c.execute(
            "UPDATE gateway_instances SET metrics_seq = ?3 WHERE gateway_id = ?1 AND instance_id = ?2",
            rusqlite::params![gateway, instance, last],
        )?;
    }
    Ok(())
}

/// Spreads a histogram on `bounds` onto [`LAYOUT`]: each source bucket's
/// count is shared among the layout buckets it overlaps in proportion to
/// the overlap (the linear-within-a-bucket assumption quantiles make
/// anyway), so equal bounds map exactly; what is above the source's last
/// bound goes to the layout bucket holding that bound, or above.
pub fn spread(bounds: &[f64], h: &WireHistogram) -> [f64; COLUMNS] {
    let mut out = [0.0; COLUMNS];
    let mut lo = 0.0;
    for (i, c) in h.counts.iter().enumerate() {
        let c = *c as f64;
        let Some(&hi) = bounds.get(i) else {
            // Above the source's last bound.
            let j = LAYOUT.partition_point(|b| *b <= lo);
            if let Some(slot) = out.get_mut(j) {
                *slot += c;
            }
            break;
        };
        if c > 0.0 {
            if hi <= lo {
                let j = LAYOUT.partition_point(|b| *b < hi);
                if let Some(slot) = out.get_mut(j) {
                    *slot += c;
                }
            } else {
                let mut tlo = 0.0;
                for (j, slot) in out.iter_mut().enumerate() {
                    let thi = LAYOUT.get(j).copied().unwrap_or(f64::INFINITY);
                    let overlap = hi.min(thi) - lo.max(tlo);
                    if overlap > 0.0 {
                        *slot += c * overlap / (hi - lo);
                    }
                    tlo = thi;
                }
            }
        }
        lo = hi;
    }
    out
}

/// Deletes rows older than `retention` seconds, then the oldest minutes
/// beyond `max_rows` rows. Returns the rows deleted.
pub fn prune(c: &Connection, now: i64, retention: i64, max_rows: i64) -> R<usize> {
    let mut n = c.execute("DELETE FROM request_metrics WHERE minute < ?1", [now - retention])?;
    let rows: i64 = c.query_row("SELECT COUNT(*) FROM request_metrics", [], |r| r.get(0))?;
    if rows > max_rows {
        n += c.execute(
            "DELETE FROM request_metrics WHERE minute <= (SELECT minute FROM request_metrics
             ORDER BY minute DESC LIMIT 1 OFFSET ?1)",
            [max_rows],
        )?;
    }
    Ok(n)
}

/// [`prune`] with the production bounds.
pub fn prune_default(c: &Connection, now: i64) -> R<usize> {
    prune(c, now, RETENTION_SECS, MAX_ROWS)
}
