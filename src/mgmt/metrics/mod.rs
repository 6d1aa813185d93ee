//! Request metrics on the management plane: what gateways' heartbeats
//! carry (`telemetry::rollup::Report`), stored at one-minute grain in
//! `request_metrics`, and served by `GET /mgmt/gateways/{g}/metrics` and
//! `GET /mgmt/apis/{api}/metrics` (and drawn by the console).
//!
//! - [`ingest`]: checks a report, applies each batch of an instance once
//!   (by its sequence number), spreads the gateway's histogram onto
//!   [`LAYOUT`], adds into the minute's row, prunes old rows.
//! - [`query`]: time range, grain and optional split by response-code class
//!   → points with requests, errors, error rate, average and p50/p95/p99
//!   durations.
//!
//! Bounds (a rolling window): rows older than [`RETENTION_SECS`] (7 days)
//! are deleted, and so are the oldest minutes beyond [`MAX_ROWS`] rows
//! (500,000, about 100 MB); a heartbeat carries at most
//! [`MAX_BUCKETS_PER_HEARTBEAT`] buckets; minutes older than the retention
//! or more than [`MAX_FUTURE_SECS`] ahead of this clock are ignored.

pub mod ingest;
pub mod query;

/// The stored histogram's upper bounds (ms): APIM's default buckets, so a
/// gateway on the default `observability.opentelemetry.histogram.buckets`
/// maps onto it exactly; the last column counts what is above 10,000 ms.
pub const LAYOUT: &[f64] = crate::settings::DEFAULT_BUCKETS;
/// Columns of the stored histogram (`d0`…`d11`).
pub const COLUMNS: usize = LAYOUT.len() + 1;
/// How long rows are kept.
pub const RETENTION_SECS: i64 = 7 * 86_400;
/// Rows kept at most (the oldest minutes go first).
pub const MAX_ROWS: i64 = 500_000;
/// Buckets accepted in one heartbeat (a gateway sends at most 2,000).
pub const MAX_BUCKETS_PER_HEARTBEAT: usize = 5_000;
/// How far ahead of the management plane's clock a minute may be.
pub const MAX_FUTURE_SECS: i64 = 300;

/// `d0, d1, …, d11`, joined by `sep` after applying `f` to each name.
pub(crate) fn columns(f: impl Fn(&str) -> String, sep: &str) -> String {
    (0..COLUMNS).map(|i| f(&format!("d{i}"))).collect::<Vec<_>>().join(sep)
}

#[cfg(test)]
mod tests;
