//! Ingest and query against a real store.

use super::ingest::{prune, record, spread, validate};
use super::query::{quantile, run, Query, Scope};
use super::*;
use crate::mgmt::store::{temp_dir, Store};
use crate::telemetry::rollup::{Batch, Bucket, Report, WireHistogram};

/// A minute start well inside the retention of `NOW`.
const NOW: i64 = 1_800_000_000; // a multiple of 60
const T0: i64 = NOW - 3_600;

fn store() -> Store {
    let s = Store::open(&temp_dir("metrics")).unwrap();
    s.write_status(|c| {
        c.execute_batch(
            "INSERT INTO gateways (id, description, primary_key, secondary_key, hostname_configurations)
             VALUES ('gw', '', 'k', 'k', '[]'), ('gw2', '', 'k', 'k', '[]');
             INSERT INTO gateway_instances (gateway_id, instance_id, last_heartbeat)
             VALUES ('gw', 'i1', 0), ('gw', 'i2', 0), ('gw2', 'i1', 0);",
        )?;
        Ok(())
    })
    .unwrap();
    s
}

/// A bucket of `n` requests that all took `ms` (backend: half of it).
fn bucket(time: i64, api: &str, class: &str, n: u64, errors: u64, ms: f64) -> Bucket {
    let bounds = LAYOUT;
    let mut counts = vec![0; bounds.len() + 1];
    counts[bounds.partition_point(|b| *b < ms)] = n;
    let h = |v: f64, counts: Vec<u64>| WireHistogram {
        counts,
        sum: v * n as f64,
        min: v,
        max: v,
    };
    Bucket {
        time: time as u64,
        api_id: api.into(),
        class: class.into(),
        requests: n,
        errors,
        duration: h(ms, counts.clone()),
        backend: h(ms / 2.0, counts),
    }
}

fn report(batches: &[(u64, Vec<Bucket>)]) -> Report {
    Report {
        batches: batches
            .iter()
            .map(|(seq, buckets)| Batch {
                seq: *seq,
                bounds: LAYOUT.to_vec(),
                buckets: buckets.clone(),
            })
            .collect(),
    }
}

fn ingest(s: &Store, gw: &str, instance: &str, r: &Report) {
    validate(r).unwrap();
    s.write_status(|c| record(c, gw, instance, r, NOW)).unwrap();
}

fn query(s: &Store, scope: Scope<'_>, params: &[(&str, &str)]) -> super::query::Series {
    let q = Query::parse(
        |n| params.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()),
        NOW,
    )
    .unwrap();
    s.read(|c| run(c, scope, &q)).unwrap()
}

fn iso(t: i64) -> String {
    crate::mgmt::tokens::format_iso(t)
}

#[test]
fn batches_apply_once_per_instance_and_sum_over_instances() {
    let s = store();
    let r1 = report(&[(1, vec![bucket(T0, "a", "2xx", 3, 0, 3.0)])]);
    ingest(&s, "gw", "i1", &r1);
    // A lost acknowledgement: batch 1 comes again with batch 2.
    let r2 = report(&[
        (1, vec![bucket(T0, "a", "2xx", 3, 0, 3.0)]),
        (2, vec![bucket(T0, "a", "2xx", 1, 0, 3.0)]),
    ]);
    ingest(&s, "gw", "i1", &r2);
    // Another instance has its own numbering.
    ingest(
        &s,
        "gw",
        "i2",
        &report(&[(1, vec![bucket(T0, "a", "5xx", 2, 2, 30.0)])]),
    );
    let all = query(
        &s,
        Scope::Gateway { id: "gw", api: None },
        &[("from", &iso(T0)), ("to", &iso(T0 + 60))],
    );
    assert_eq!(all.value.len(), 1);
    let p = &all.value[0];
    assert_eq!((p.requests, p.errors, p.error_rate), (6, 2, Some(0.333333)));
    let d = p.duration_ms.as_ref().unwrap();
    assert_eq!((d.min, d.max), (3.0, 30.0));
    assert_eq!(d.avg, 12.0, "(4 × 3 + 2 × 30) / 6");
    assert_eq!(p.backend_duration_ms.as_ref().unwrap().avg, 6.0);
    assert!(d.p50 <= 5.0 && d.p99 > 25.0, "{d:?}");
    let by = query(
        &s,
        Scope::Gateway { id: "gw", api: None },
        &[("from", &iso(T0)), ("to", &iso(T0 + 60)), ("by", "responseCodeClass")],
    );
    let classes: Vec<_> = by
        .value
        .iter()
        .map(|p| (p.response_code_class.clone().unwrap(), p.requests))
        .collect();
    assert_eq!(classes, vec![("2xx".to_string(), 4), ("5xx".to_string(), 2)]);
}

#[test]
fn points_are_zero_filled_aligned_and_grouped_by_grain() {
    let s = store();
    let buckets = vec![
        bucket(T0, "a", "2xx", 1, 0, 1.0),
        bucket(T0 + 60, "a", "2xx", 2, 0, 1.0),
        bucket(T0 + 240, "b", "4xx", 4, 0, 1.0),
        bucket(T0 + 360, "a", "2xx", 8, 0, 1.0),
    ];
    ingest(&s, "gw", "i1", &report(&[(1, buckets)]));
    ingest(
        &s,
        "gw2",
        "i1",
        &report(&[(1, vec![bucket(T0, "a", "2xx", 100, 0, 1.0)])]),
    );
    // Unaligned bounds are widened to whole intervals.
    let q = [
        ("from", iso(T0 + 30)),
        ("to", iso(T0 + 500)),
        ("grain", "PT5M".to_string()),
    ];
    let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let gw = query(&s, Scope::Gateway { id: "gw", api: None }, &q);
    assert_eq!((gw.from.as_str(), gw.grain), (iso(T0).as_str(), "PT5M"));
    assert_eq!(gw.to, iso(T0 + 600));
    let counts: Vec<_> = gw.value.iter().map(|p| (p.timestamp.clone(), p.requests)).collect();
    assert_eq!(counts, vec![(iso(T0), 7), (iso(T0 + 300), 8)]);
    let one_api = query(
        &s,
        Scope::Gateway {
            id: "gw",
            api: Some("a"),
        },
        &q,
    );
    assert_eq!(one_api.value.iter().map(|p| p.requests).collect::<Vec<_>>(), vec![3, 8]);
    // An API across gateways, and on one gateway.
    let api = query(&s, Scope::Api { id: "a", gateway: None }, &q);
    assert_eq!(api.value.iter().map(|p| p.requests).collect::<Vec<_>>(), vec![103, 8]);
    let api_gw2 = query(
        &s,
        Scope::Api {
            id: "a",
            gateway: Some("gw2"),
        },
        &q,
    );
    assert_eq!(
        api_gw2.value.iter().map(|p| p.requests).collect::<Vec<_>>(),
        vec![100, 0]
    );
    let empty = &api_gw2.value[1];
    assert_eq!(
        (empty.error_rate, &empty.duration_ms),
        (None, &None),
        "no requests, no rates"
    );
    // Default range: the last 60 minutes, the current one included.
    let default = query(&s, Scope::Gateway { id: "gw", api: None }, &[]);
    assert_eq!(default.value.len(), 60);
    assert_eq!(
        (default.from.clone(), default.to.clone()),
        (iso(NOW - 3540), iso(NOW + 60))
    );
    assert_eq!(default.value[0].requests, 2, "T0 + 60 is the first minute");
}

#[test]
fn queries_are_checked() {
    let parse = |params: &[(&str, &str)]| {
        Query::parse(
            |n| params.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()),
            NOW,
        )
    };
    assert!(parse(&[("grain", "PT2M")]).is_err());
    assert!(parse(&[("from", "yesterday")]).is_err());
    assert!(parse(&[("from", &iso(NOW)), ("to", &iso(NOW - 60))]).is_err());
    assert!(
        parse(&[("from", &iso(NOW - 86_400 * 2)), ("to", &iso(NOW))]).is_err(),
        "2,880 points"
    );
    assert!(parse(&[("from", &iso(NOW - 86_400 * 2)), ("grain", "PT1H")]).is_ok());
    assert!(parse(&[("by", "api")]).is_err());
    assert_eq!(
        parse(&[("interval", "pt1h")]).unwrap().grain,
        3600,
        "APIM's name, any case"
    );
}

#[test]
fn spreading_keeps_equal_bounds_exact_and_shares_others_by_overlap() {
    let h = |counts: Vec<u64>| WireHistogram {
        counts,
        sum: 0.0,
        min: 0.0,
        max: 0.0,
    };
    let mut counts = vec![0; COLUMNS];
    counts[3] = 7;
    counts[COLUMNS - 1] = 2;
    let out = spread(LAYOUT, &h(counts.clone()));
    assert_eq!(out.to_vec(), counts.iter().map(|c| *c as f64).collect::<Vec<_>>());
    // (0,20] → 5/20 to (0,5], 5/20 to (5,10], 10/20 to (10,25]; above 20 → (10,25]'s
    // neighbour holding 20, i.e. (10,25]… then above.
    let out = spread(&[20.0], &h(vec![20, 4]));
    assert_eq!(&out[..4], &[5.0, 5.0, 10.0 + 4.0, 0.0]);
    // Finer bounds fold into the layout bucket holding them.
    let out = spread(&[1.0, 2.0, 3.0], &h(vec![1, 1, 1, 1]));
    assert_eq!(out[0], 4.0);
    assert_eq!(out.iter().sum::<f64>(), 4.0);
}

#[test]
fn quantiles_interpolate_within_a_bucket_and_respect_min_and_max() {
    let mut c = [0.0; COLUMNS];
    c[1] = 10.0; // (5, 10]
    assert_eq!(quantile(&c, 5.5, 9.0, 0.5), 7.5);
    assert_eq!(quantile(&c, 5.5, 9.0, 0.99), 9.0, "clamped to the max");
    assert_eq!(quantile(&[0.0; COLUMNS], 0.0, 0.0, 0.5), 0.0);
}

#[test]
fn bad_reports_are_refused_whole() {
    let ok = report(&[(1, vec![bucket(T0, "a", "2xx", 1, 0, 1.0)])]);
    assert!(validate(&ok).is_ok());
    let mut r = ok.clone();
    r.batches[0].buckets[0].class = "6xx".into();
    assert!(validate(&r).is_err());
    let mut r = ok.clone();
    r.batches[0].buckets[0].time += 1;
    assert!(validate(&r).is_err(), "not a minute start");
    let mut r = ok.clone();
    r.batches[0].buckets[0].errors = 2;
    assert!(validate(&r).is_err(), "more errors than requests");
    let mut r = ok.clone();
    r.batches[0].bounds = vec![10.0, 5.0];
    assert!(validate(&r).is_err(), "bounds must rise");
    let mut r = ok.clone();
    r.batches[0].buckets[0].duration.counts.pop();
    assert!(validate(&r).is_err(), "counts must match the bounds");
    let mut r = ok.clone();
    r.batches[0].buckets[0].duration.sum = f64::NAN;
    assert!(validate(&r).is_err());
    let mut r = ok.clone();
    r.batches.push(r.batches[0].clone());
    assert!(validate(&r).is_err(), "batch numbers must rise");
    let mut r = ok;
    r.batches[0].buckets = vec![bucket(T0, "a", "2xx", 1, 0, 1.0); MAX_BUCKETS_PER_HEARTBEAT + 1];
    assert!(validate(&r).is_err(), "too many buckets");
}

#[test]
fn old_and_future_minutes_are_ignored_and_old_rows_pruned() {
    let s = store();
    let buckets = vec![
        bucket(NOW - RETENTION_SECS - 60, "a", "2xx", 1, 0, 1.0),
        bucket(NOW + 3_600, "a", "2xx", 1, 0, 1.0),
        bucket(T0, "a", "2xx", 1, 0, 1.0),
        bucket(T0 + 60, "a", "2xx", 1, 0, 1.0),
        bucket(T0 + 120, "a", "2xx", 1, 0, 1.0),
    ];
    ingest(&s, "gw", "i1", &report(&[(1, buckets)]));
    let rows = |s: &Store| -> i64 {
        s.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM request_metrics", [], |r| r.get(0))?))
            .unwrap()
    };
    assert_eq!(rows(&s), 3);
    // Retention: rows before NOW - 3,570 s go (T0 only).
    assert_eq!(s.write_status(|c| prune(c, NOW, 3_570, 100)).unwrap(), 1);
    // Row cap: the oldest minutes beyond 1 row go.
    assert_eq!(s.write_status(|c| prune(c, NOW, RETENTION_SECS, 1)).unwrap(), 1);
    assert_eq!(rows(&s), 1);
    // Deleting the gateway deletes its metrics.
    s.write_status(|c| Ok(c.execute("DELETE FROM gateways WHERE id = 'gw'", [])?))
        .unwrap();
    assert_eq!(rows(&s), 0);
}
