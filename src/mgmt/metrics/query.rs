//! Reading stored metrics: `GET /mgmt/gateways/{g}/metrics` and
//! `GET /mgmt/apis/{api}/metrics`.
//!
//! Query parameters: `from`, `to` (ISO 8601; default: the last 60
//! intervals, the current one included), `grain` (alias `interval`: `PT1M`, `PT5M`,
//! `PT15M`, `PT30M`, `PT1H`, `PT6H`, `PT12H`, `P1D`; default `PT1M`),
//! `by=responseCodeClass` (one point per interval and class that had
//! requests, instead of one zero-filled point per interval), and a filter
//! (`apiId` on a gateway, `gatewayId` on an API).
//!
//! Invariants: `from`/`to` are aligned to the grain (from down, to up); at
//! most [`MAX_POINTS`] intervals; the aggregation runs in SQLite (one
//! grouped query); derived values are rounded (durations to 0.001 ms,
//! rates to 1e-6) so the console draws exactly what the API answers.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{columns, COLUMNS, LAYOUT};
use crate::mgmt::{bad, tokens, MgmtError};

type R<T> = Result<T, MgmtError>;

/// Intervals one query may return.
pub const MAX_POINTS: i64 = 1_440;
/// Intervals by default.
const DEFAULT_POINTS: i64 = 60;

/// The grains, by name and length in seconds.
pub const GRAINS: &[(&str, i64)] = &[
    ("PT1M", 60),
    ("PT5M", 300),
    ("PT15M", 900),
    ("PT30M", 1_800),
    ("PT1H", 3_600),
    ("PT6H", 21_600),
    ("PT12H", 43_200),
    ("P1D", 86_400),
];

/// Whose metrics.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// A gateway's, optionally one API's only.
    Gateway { id: &'a str, api: Option<&'a str> },
    /// An API's on every gateway, optionally one gateway's only.
    Api { id: &'a str, gateway: Option<&'a str> },
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub from: i64,
    pub to: i64,
    pub grain: i64,
    pub by_class: bool,
}

fn grain_name(secs: i64) -> &'static str {
    GRAINS.iter().find(|(_, s)| *s == secs).map_or("PT1M", |(n, _)| n)
}

impl Query {
    /// From query parameters (`get` reads one); `now` in Unix seconds.
    pub fn parse(get: impl Fn(&str) -> Option<String>, now: i64) -> R<Query> {
        let grain = match get("grain").or_else(|| get("interval")) {
            None => 60,
            Some(g) => GRAINS
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(g.trim()))
                .map(|(_, s)| *s)
                .ok_or_else(|| {
                    let names: Vec<&str> = GRAINS.iter().map(|(n, _)| *n).collect();
                    bad(format!("grain must be one of {}", names.join(", ")))
                })?,
        };
        let time = |name: &str| -> R<Option<i64>> {
            match get(name) {
                None => Ok(None),
                Some(v) => tokens::parse_iso(&v)
                    .map(Some)
                    .ok_or_else(|| bad(format!("{name}: expected an ISO 8601 time, e.g. 2026-05-01T10:00:00Z"))),
            }
        };
        // Up to the end of the interval holding `to` (by default: now's).
        let to = match time("to")? {
            Some(t) => t.div_euclid(grain) * grain + if t.rem_euclid(grain) == 0 { 0 } else { grain },
            None => now.div_euclid(grain) * grain + grain,
        };
        let from = time("from")?.unwrap_or(to - DEFAULT_POINTS * grain);
        let from = from.div_euclid(grain) * grain;
        if from >= to {
            return Err(bad("from must be before to"));
        }
        if (to - from) / grain > MAX_POINTS {
            return Err(bad(format!(
                "at most {MAX_POINTS} intervals per query: shorten the range or use a coarser grain"
            )));
        }
        let by_class = match get("by").as_deref() {
            None | Some("") => false,
            Some(b) if b.eq_ignore_ascii_case("responseCodeClass") => true,
            Some(_) => return Err(bad("by: only responseCodeClass is supported")),
        };
        Ok(Query {
            from,
            to,
            grain,
            by_class,
        })
    }

    pub fn grain_name(&self) -> &'static str {
        grain_name(self.grain)
    }
}

/// Average and percentiles of a duration (ms).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Durations {
    pub avg: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
}

/// Backend duration (ms): its average over the interval's requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendDurations {
    pub avg: f64,
}

/// One interval (and class, when split).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Point {
    /// Start of the interval (ISO 8601 UTC).
    pub timestamp: String,
    #[serde(skip)]
    pub time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_code_class: Option<String>,
    pub requests: u64,
    pub errors: u64,
    /// errors / requests; `null` without requests.
    pub error_rate: Option<f64>,
    /// `null` without requests.
    pub duration_ms: Option<Durations>,
    pub backend_duration_ms: Option<BackendDurations>,
}

/// The answer of a metrics query.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    pub from: String,
    pub to: String,
    pub grain: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_id: Option<String>,
    pub value: Vec<Point>,
}

fn round(v: f64, scale: f64) -> f64 {
    (v * scale).round() / scale
}

/// The `q` quantile of a histogram on [`LAYOUT`] (linear within the bucket
/// that holds it, clamped to the observed min and max).
pub fn quantile(counts: &[f64], min: f64, max: f64, q: f64) -> f64 {
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let rank = q.clamp(0.0, 1.0) * total;
    let mut seen = 0.0;
    for (i, c) in counts.iter().enumerate() {
        if *c <= 0.0 {
            continue;
        }
        if seen + c >= rank {
            let lo = if i == 0 {
                0.0
            } else {
                LAYOUT.get(i - 1).copied().unwrap_or(0.0)
            };
            let hi = LAYOUT.get(i).copied().unwrap_or(max).max(lo);
            let v = lo + (hi - lo) * ((rank - seen) / c);
            return v.clamp(min, max.max(min));
        }
        seen += c;
    }
    max
}

struct Row {
    requests: i64,
    errors: i64,
    duration_sum: f64,
    duration_min: f64,
    duration_max: f64,
    backend_sum: f64,
    counts: [f64; COLUMNS],
}

fn point(time: i64, class: Option<String>, r: Option<&Row>) -> Point {
    let mut p = Point {
        timestamp: tokens::format_iso(time),
        time,
        response_code_class: class,
        requests: 0,
        errors: 0,
        error_rate: None,
        duration_ms: None,
        backend_duration_ms: None,
    };
    let Some(r) = r.filter(|r| r.requests > 0) else {
        return p;
    };
    let n = r.requests as f64;
    let q = |q| round(quantile(&r.counts, r.duration_min, r.duration_max, q), 1e3);
    p.requests = r.requests as u64;
    p.errors = r.errors as u64;
    p.error_rate = Some(round(r.errors as f64 / n, 1e6));
    p.duration_ms = Some(Durations {
        avg: round(r.duration_sum / n, 1e3),
        p50: q(0.5),
        p95: q(0.95),
        p99: q(0.99),
        min: round(r.duration_min, 1e3),
        max: round(r.duration_max, 1e3),
    });
    p.backend_duration_ms = Some(BackendDurations {
        avg: round(r.backend_sum / n, 1e3),
    });
    p
}

/// Runs `q` for `scope` (whose existence the caller checked).
pub fn run(c: &rusqlite::Connection, scope: Scope<'_>, q: &Query) -> R<Series> {
    let (filter, a, b) = match scope {
        Scope::Gateway { id, api } => (
            if api.is_some() {
                "gateway_id = ?4 AND api_id = ?5"
            } else {
                "gateway_id = ?4"
            },
            id,
            api,
        ),
        Scope::Api { id, gateway } => (
            if gateway.is_some() {
                "api_id = ?4 AND gateway_id = ?5"
            } else {
                "api_id = ?4"
            },
            id,
            gateway,
        ),
    };
    let class = if q.by_class { "class" } else { "''" };
    let sql = format!(
        "SELECT (minute - ?1) / ?3 AS slot, {class}, SUM(requests), SUM(errors), SUM(duration_sum),
         MIN(duration_min), MAX(duration_max), SUM(backend_sum), {sums}
         FROM request_metrics WHERE minute >= ?1 AND minute < ?2 AND {filter} GROUP BY 1, 2 ORDER BY 1, 2",
        sums = columns(|d| format!("SUM({d})"), ", "),
    );
    let mut stmt = c.prepare(&sql)?;
    let mut params: Vec<rusqlite::types::Value> =
        vec![q.from.into(), q.to.into(), q.grain.into(), a.to_string().into()];
    if let Some(b) = b {
        params.push(b.to_string().into());
    }
    let mut rows: BTreeMap<(i64, String), Row> = BTreeMap::new();
    let mut it = stmt.query(rusqlite::params_from_iter(params))?;
    while let Some(r) = it.next()? {
        let mut counts = [0.0; COLUMNS];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = r.get::<_, Option<f64>>(8 + i)?.unwrap_or(0.0);
        }
        let row = Row {
            requests: r.get(2)?,
            errors: r.get(3)?,
            duration_sum: r.get(4)?,
            duration_min: r.get(5)?,
            duration_max: r.get(6)?,
            backend_sum: r.get(7)?,
            counts,
        };
        rows.insert((r.get(0)?, r.get(1)?), row);
    }
    let value = if q.by_class {
        rows.iter()
            .map(|((slot, class), r)| point(q.from + slot * q.grain, Some(class.clone()), Some(r)))
            .collect()
    } else {
        (0..(q.to - q.from) / q.grain)
            .map(|slot| point(q.from + slot * q.grain, None, rows.get(&(slot, String::new()))))
            .collect()
    };
    let (gateway_id, api_id) = match scope {
        Scope::Gateway { id, api } => (Some(id.to_string()), api.map(str::to_string)),
        Scope::Api { id, gateway } => (gateway.map(str::to_string), Some(id.to_string())),
    };
    Ok(Series {
        from: tokens::format_iso(q.from),
        to: tokens::format_iso(q.to),
        grain: q.grain_name(),
        gateway_id,
        api_id,
        value,
    })
}

/// Requests, errors and average duration of one API or gateway over a range.
#[derive(Clone, Debug, PartialEq)]
pub struct Total {
    pub id: String,
    pub requests: u64,
    pub errors: u64,
    pub avg_ms: f64,
}

/// Totals in `[from, to)` per `group` (`api_id` or `gateway_id`), where
/// `filter` (`(column, value)`) holds if given; most requests first, at most `limit`.
pub fn totals(
    c: &rusqlite::Connection,
    group: Group,
    filter: Option<(Group, &str)>,
    from: i64,
    to: i64,
    limit: usize,
) -> R<Vec<Total>> {
    let filter_sql = match filter {
        Some((g, _)) => format!("AND {} = ?3", g.column()),
        None => String::new(),
    };
    let sql = format!(
        "SELECT {col}, SUM(requests), SUM(errors), SUM(duration_sum) FROM request_metrics
         WHERE minute >= ?1 AND minute < ?2 {filter_sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {limit}",
        col = group.column(),
    );
    let mut params: Vec<rusqlite::types::Value> = vec![from.into(), to.into()];
    if let Some((_, v)) = filter {
        params.push(v.to_string().into());
    }
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            let requests: i64 = r.get(1)?;
            let sum: f64 = r.get(3)?;
            Ok(Total {
                id: r.get(0)?,
                requests: requests as u64,
                errors: r.get::<_, i64>(2)? as u64,
                avg_ms: if requests > 0 {
                    round(sum / requests as f64, 1e3)
                } else {
                    0.0
                },
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// What [`totals`] groups or filters by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Api,
    Gateway,
}

impl Group {
    fn column(self) -> &'static str {
        match self {
            Group::Api => "api_id",
            Group::Gateway => "gateway_id",
        }
    }
}
