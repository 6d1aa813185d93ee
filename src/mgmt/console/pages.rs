//! The console's pages, rendered on the server from the store: the
//! overview (every gateway with its instances and charts, the APIs), a
//! gateway (its instances, charts, its APIs' totals), an API (charts over
//! every gateway, per-gateway totals), and the sign-in form.
//!
//! Charts are drawn from exactly what `mgmt::metrics::query` answers for the
//! metrics API call each chart names, over the chosen range (1 h at one
//! minute, 6 h at 5 min, 24 h at 15 min, 7 d at one hour).

use std::fmt::Write;

use super::chart::{self, Chart, Line, Unit};
use super::html::{esc, page};
use crate::mgmt::metrics::query::{self, Group, Query, Scope, Series};
use crate::mgmt::model::GatewayInstance;
use crate::mgmt::principal::Principal;
use crate::mgmt::resources as res;
use crate::mgmt::store::Store;
use crate::mgmt::{tokens, MgmtError};

type R<T> = Result<T, MgmtError>;

/// A time range of the charts.
pub struct Range {
    pub name: &'static str,
    pub span: i64,
    pub grain: i64,
}

pub const RANGES: &[Range] = &[
    Range {
        name: "1h",
        span: 3_600,
        grain: 60,
    },
    Range {
        name: "6h",
        span: 21_600,
        grain: 300,
    },
    Range {
        name: "24h",
        span: 86_400,
        grain: 900,
    },
    Range {
        name: "7d",
        span: 604_800,
        grain: 3_600,
    },
];

/// Gateways drawn with charts on the overview (the rest are listed).
const MAX_CHARTED: usize = 20;
/// An instance silent for longer is shown as such (3 default heartbeats).
const SILENT_AFTER: i64 = 180;
/// Rows of the totals tables.
const MAX_TOTALS: usize = 200;

/// The range named by `?range=` (default: the first).
pub fn range(name: Option<&str>) -> &'static Range {
    RANGES.iter().find(|r| Some(r.name) == name).unwrap_or(&RANGES[0])
}

fn query_for(r: &Range, now: i64) -> Query {
    let to = now.div_euclid(r.grain) * r.grain + r.grain;
    Query {
        from: to - r.span,
        to,
        grain: r.grain,
        by_class: false,
    }
}

fn ranges_bar(path: &str, current: &Range) -> String {
    let mut s = String::from(r#"<div class="ranges"><span class="muted">Range</span>"#);
    for r in RANGES {
        if r.name == current.name {
            let _ = write!(s, r#"<span class="on">{}</span>"#, r.name);
        } else {
            let _ = write!(s, r#"<a href="{}?range={}">{}</a>"#, esc(path), r.name, r.name);
        }
    }
    s.push_str("</div>");
    s
}

/// The three charts of a series (requests, latency percentiles, error rate).
fn charts(series: &Series, source: &str, q: &Query) -> String {
    let per = match q.grain {
        60 => "per minute".to_string(),
        3_600 => "per hour".to_string(),
        g => format!("per {} minutes", g / 60),
    };
    let line = |name: &'static str, f: &dyn Fn(&query::Point) -> Option<f64>| Line {
        name,
        points: series.value.iter().map(|p| (p.time, f(p))).collect(),
    };
    let chart = |metric, title: String, unit, lines| {
        chart::render(&Chart {
            metric,
            title,
            unit,
            source: source.to_string(),
            from: q.from,
            to: q.to,
            lines,
        })
    };
    let requests = chart(
        "requests",
        format!("Requests {per}"),
        Unit::Count,
        vec![line("requests", &|p| Some(p.requests as f64))],
    );
    let latency = chart(
        "latency",
        "Latency (p50 / p95 / p99)".into(),
        Unit::Ms,
        vec![
            line("p50", &|p| p.duration_ms.as_ref().map(|d| d.p50)),
            line("p95", &|p| p.duration_ms.as_ref().map(|d| d.p95)),
            line("p99", &|p| p.duration_ms.as_ref().map(|d| d.p99)),
        ],
    );
    let errors = chart(
        "errorRate",
        "Error rate".into(),
        Unit::Ratio,
        vec![line("errors", &|p| p.error_rate)],
    );
    format!(r#"<div class="charts">{requests}{latency}{errors}</div>"#)
}

fn source(kind: &str, id: &str, q: &Query) -> String {
    format!(
        "/mgmt/{kind}/{id}/metrics?from={}&to={}&grain={}",
        tokens::format_iso(q.from),
        tokens::format_iso(q.to),
        q.grain_name()
    )
}

fn ago(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{}s ago", s.max(0)),
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3_600),
        s => format!("{} days ago", s / 86_400),
    }
}

fn instances_table(list: &[GatewayInstance], current_version: u64, now: i64) -> String {
    if list.is_empty() {
        return r#"<p class="muted">No instance has sent a heartbeat yet.</p>"#.into();
    }
    let mut s = String::from(
        "<table class=\"instances\"><tr><th>Instance</th><th>Host</th><th>Version</th><th>Configuration</th>\
         <th>Last heartbeat</th><th>Token expiry</th><th>Sync</th><th class=\"num\">Requests</th>\
         <th class=\"num\">Failed</th></tr>",
    );
    for i in list {
        let seen = tokens::parse_iso(&i.last_heartbeat).unwrap_or(0);
        let heartbeat = if now - seen <= SILENT_AFTER {
            format!(r#"<span class="badge ok">live</span> {}"#, ago(now - seen))
        } else {
            format!(r#"<span class="badge bad">silent</span> {}"#, ago(now - seen))
        };
        let config = match i.applied_version {
            Some(v) if v == current_version => format!(r#"v{v} <span class="badge ok">current</span>"#),
            Some(v) => format!(r#"v{v} <span class="muted">(latest v{current_version})</span>"#),
            None => r#"<span class="badge warn">none yet</span>"#.into(),
        };
        let expiry = match i.token_expiry.as_deref() {
            None => r#"<span class="muted">—</span>"#.into(),
            Some(e) => {
                let left = tokens::parse_iso(e).map(|t| t - now);
                let class = match left {
                    Some(l) if l < 0 => "bad",
                    Some(l) if l < 7 * 86_400 => "warn",
                    _ => "ok",
                };
                let days = left.map_or(String::new(), |l| format!(" ({} days)", l.div_euclid(86_400)));
                format!(
                    r#"<span class="badge {class}">{}{days}</span>"#,
                    esc(e.get(..10).unwrap_or(e))
                )
            }
        };
        let sync = match i.last_error.as_deref() {
            None => r#"<span class="badge ok">in sync</span>"#.into(),
            Some(e) => {
                let short: String = e.chars().take(300).collect();
                format!(r#"<div class="error-text">{}</div>"#, esc(&short))
            }
        };
        let counter = |k: &str| {
            i.requests
                .as_ref()
                .and_then(|r| r[k].as_u64())
                .map_or("—".into(), |n| n.to_string())
        };
        let _ = write!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{config}</td><td>{heartbeat}</td><td>{expiry}</td>\
             <td>{sync}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(i.instance_id.get(..8).unwrap_or(&i.instance_id)),
            esc(i.hostname.as_deref().unwrap_or("")),
            esc(i.version.as_deref().unwrap_or("")),
            counter("total"),
            counter("failed"),
        );
    }
    s.push_str("</table>");
    s
}

fn totals_table(title: &str, link: &str, rows: &[query::Total], range: &Range) -> String {
    if rows.is_empty() {
        return r#"<p class="muted">No requests in this range.</p>"#.to_string();
    }
    let mut s = format!(
        "<table class=\"totals\"><tr><th>{title}</th><th class=\"num\">Requests</th><th class=\"num\">Errors</th>\
         <th class=\"num\">Error rate</th><th class=\"num\">Avg duration</th></tr>"
    );
    for t in rows {
        let name = if t.id.is_empty() { "(no API matched)" } else { &t.id };
        let cell = if t.id.is_empty() || t.id == crate::telemetry::model::OTHER {
            esc(name)
        } else {
            format!(
                r#"<a href="/console/{link}/{id}?range={r}">{id}</a>"#,
                id = esc(name),
                r = range.name
            )
        };
        let rate = if t.requests > 0 {
            t.errors as f64 / t.requests as f64 * 100.0
        } else {
            0.0
        };
        let _ = write!(
            s,
            "<tr><td>{cell}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{rate:.2}%</td>\
             <td class=\"num\">{:.2} ms</td></tr>",
            t.requests, t.errors, t.avg_ms
        );
    }
    s.push_str("</table>");
    s
}

/// `/console`: every gateway, its instances and charts; the APIs.
pub fn overview(store: &Store, who: &Principal, r: &Range, now: i64) -> R<String> {
    let q = query_for(r, now);
    let version = store.version()?;
    let body = store.read(|c| {
        let gateways = res::list_gateways(c)?;
        let mut s = format!(
            r#"<h1>Gateways <small>configuration version {version}</small></h1>{}"#,
            ranges_bar("/console", r)
        );
        if gateways.is_empty() {
            s.push_str(r#"<p class="muted">No gateway yet: create one with <code>PUT /mgmt/gateways/{id}</code>.</p>"#);
        }
        for (n, gw) in gateways.iter().enumerate() {
            let _ = write!(
                s,
                r#"<section class="gateway" data-gateway="{id}"><h2><a href="/console/gateways/{id}?range={r}">{id}</a><small>{desc}</small></h2>"#,
                id = esc(&gw.id),
                r = r.name,
                desc = esc(gw.description.as_deref().unwrap_or("")),
            );
            s.push_str(&instances_table(&res::list_instances(c, &gw.id)?, version, now));
            if n < MAX_CHARTED {
                let series = query::run(c, Scope::Gateway { id: &gw.id, api: None }, &q)?;
                s.push_str(&charts(&series, &source("gateways", &gw.id, &q), &q));
            }
            s.push_str("</section>");
        }
        s.push_str("<h2>APIs</h2>");
        let totals = query::totals(c, Group::Api, None, q.from, q.to, MAX_TOTALS)?;
        s.push_str(&totals_table("API", "apis", &totals, r));
        let apis = res::list_apis(c)?;
        if !apis.is_empty() {
            s.push_str(r#"<p class="muted">All APIs: "#);
            let links: Vec<String> = apis
                .iter()
                .map(|a| format!(r#"<a href="/console/apis/{id}?range={r}">{id}</a>"#, id = esc(&a.id), r = r.name))
                .collect();
            s.push_str(&links.join(", "));
            s.push_str("</p>");
        }
        Ok(s)
    })?;
    Ok(page("Gateways", Some(who), true, &body))
}

/// `/console/gateways/{g}`; `None` when there is no such gateway.
pub fn gateway(store: &Store, g: &str, who: &Principal, r: &Range, now: i64) -> R<Option<String>> {
    let q = query_for(r, now);
    let version = store.version()?;
    let body = store.read(|c| {
        let Some(gw) = res::get_gateway(c, g)? else {
            return Ok(None);
        };
        let mut s = format!(
            r#"<h1>Gateway {id}<small>{desc}</small></h1><p><a href="/console?range={r}">All gateways</a> · APIs assigned: {apis}</p>{bar}"#,
            id = esc(&gw.id),
            desc = esc(gw.description.as_deref().unwrap_or("")),
            r = r.name,
            apis = if gw.apis.is_empty() { "none".into() } else { esc(&gw.apis.join(", ")) },
            bar = ranges_bar(&format!("/console/gateways/{}", gw.id), r),
        );
        s.push_str("<h2>Instances</h2>");
        s.push_str(&instances_table(&res::list_instances(c, g)?, version, now));
        s.push_str("<h2>Traffic</h2>");
        let series = query::run(c, Scope::Gateway { id: g, api: None }, &q)?;
        s.push_str(&charts(&series, &source("gateways", g, &q), &q));
        s.push_str("<h2>APIs on this gateway</h2>");
        let totals = query::totals(c, Group::Api, Some((Group::Gateway, g)), q.from, q.to, MAX_TOTALS)?;
        s.push_str(&totals_table("API", "apis", &totals, r));
        Ok(Some(s))
    })?;
    Ok(body.map(|b| page(&format!("Gateway {g}"), Some(who), true, &b)))
}

/// `/console/apis/{api}`; `None` when there is no such API.
pub fn api(store: &Store, a: &str, who: &Principal, r: &Range, now: i64) -> R<Option<String>> {
    let q = query_for(r, now);
    let body = store.read(|c| {
        let Some(api) = res::get_api(c, a)? else {
            return Ok(None);
        };
        let mut s = format!(
            r#"<h1>API {id}<small>{name} · /{path}</small></h1><p><a href="/console?range={r}">All gateways</a></p>{bar}"#,
            id = esc(&api.id),
            name = esc(&api.display_name),
            path = esc(&api.path),
            r = r.name,
            bar = ranges_bar(&format!("/console/apis/{}", api.id), r),
        );
        s.push_str("<h2>Traffic on every gateway</h2>");
        let series = query::run(c, Scope::Api { id: a, gateway: None }, &q)?;
        s.push_str(&charts(&series, &source("apis", a, &q), &q));
        s.push_str("<h2>Per gateway</h2>");
        let totals = query::totals(c, Group::Gateway, Some((Group::Api, a)), q.from, q.to, MAX_TOTALS)?;
        s.push_str(&totals_table("Gateway", "gateways", &totals, r));
        Ok(Some(s))
    })?;
    Ok(body.map(|b| page(&format!("API {a}"), Some(who), true, &b)))
}

/// The sign-in form, with an optional message.
pub fn login(message: Option<&str>) -> String {
    let message = message.map_or(String::new(), |m| format!(r#"<p class="message">{}</p>"#, esc(m)));
    let body = format!(
        r#"<form class="login" method="post" action="/console/login"><h1>Sign in</h1>{message}
<p class="muted">Paste the management plane's admin token (<code>DATA/admin-token</code>) or an administrator's OAuth2 access token. It is checked once; the browser then keeps only a session cookie.</p>
<label for="token">Token</label><input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit">Sign in</button></form>"#
    );
    page("Sign in", None, false, &body)
}

/// A page for an unknown gateway, API or path.
pub fn not_found(who: Option<&Principal>, what: &str) -> String {
    page(
        "Not found",
        who,
        false,
        &format!(
            r#"<h1>Not found</h1><p>{}</p><p><a href="/console">Back to the console</a></p>"#,
            esc(what)
        ),
    )
}
