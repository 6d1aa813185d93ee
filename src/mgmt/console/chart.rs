//! Server-rendered SVG line charts (no script, no framework).
//!
//! Each chart is an `<svg class="chart">` naming its metric
//! (`data-metric`) and the metrics API call it was drawn from
//! (`data-source`); each point is a `<circle>` carrying its series, the
//! interval's start and the value exactly as the API gave it
//! (`data-series`, `data-ts`, `data-value`), with a `<title>` tooltip. A
//! missing value (no requests: no latency, no error rate) is no point, and
//! breaks the line.

use std::fmt::Write;

use super::html::esc;
use crate::mgmt::tokens;

const W: f64 = 480.0;
const H: f64 = 200.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 26.0;

/// How a chart's values read on its axis and tooltips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Ms,
    /// A fraction drawn as a percentage.
    Ratio,
}

/// One line of a chart.
pub struct Line {
    /// `data-series` and the legend.
    pub name: &'static str,
    /// Interval start (Unix seconds) and value.
    pub points: Vec<(i64, Option<f64>)>,
}

pub struct Chart {
    /// `data-metric`: `requests`, `latency`, `errorRate`.
    pub metric: &'static str,
    pub title: String,
    pub unit: Unit,
    /// The metrics API path and query the values come from.
    pub source: String,
    pub from: i64,
    pub to: i64,
    pub lines: Vec<Line>,
}

/// A round number ≥ `v` (1, 2, 2.5, 5 × a power of ten) for the axis top.
pub fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v * (1.0 - 1e-9) {
            return m * p;
        }
    }
    10.0 * p
}

fn label(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Count => trim(v, 2),
        Unit::Ms => format!("{} ms", trim(v, 2)),
        Unit::Ratio => format!("{}%", trim(v * 100.0, 2)),
    }
}

fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `HH:MM`, with the date when the chart spans more than a day.
fn clock(t: i64, long: bool) -> String {
    let iso = tokens::format_iso(t);
    let (date, time) = iso.split_once('T').unwrap_or((&iso, ""));
    let hm = time.get(..5).unwrap_or(time);
    if long {
        format!("{} {hm}", date.get(5..).unwrap_or(date))
    } else {
        hm.to_string()
    }
}

/// The chart as an SVG element.
pub fn render(c: &Chart) -> String {
    let span = (c.to - c.from).max(1) as f64;
    let long = c.to - c.from > 86_400;
    let max = c
        .lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let top = match c.unit {
        Unit::Ratio => nice_ceiling(max).min(1.0),
        _ => nice_ceiling(max),
    };
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |t: i64| LEFT + (t - c.from) as f64 / span * pw;
    let y = |v: f64| TOP + ph - (v / top).clamp(0.0, 1.0) * ph;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure class="chart-box"><figcaption>{title}</figcaption><svg class="chart" data-metric="{metric}" data-source="{source}" viewBox="0 0 {W} {H}" role="img" aria-label="{title}">"#,
        title = esc(&c.title),
        metric = c.metric,
        source = esc(&c.source),
    );
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let gy = y(v);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{gy:.1}" y2="{gy:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            gy + 4.0,
            esc(&label(c.unit, v)),
        );
    }
    for (t, anchor) in [(c.from, "start"), ((c.from + c.to) / 2, "middle"), (c.to, "end")] {
        let _ = write!(
            s,
            r#"<text class="axis" x="{:.1}" y="{}" text-anchor="{anchor}">{}</text>"#,
            x(t),
            H - 8.0,
            clock(t, long),
        );
    }
    for line in &c.lines {
        // One polyline per run of known values.
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, s: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    s,
                    r#"<polyline class="line s-{}" points="{}"/>"#,
                    line.name,
                    run.join(" ")
                );
            }
            run.clear();
        };
        for (t, v) in &line.points {
            match v {
                Some(v) => run.push(format!("{:.1},{:.1}", x(*t), y(*v))),
                None => flush(&mut run, &mut s),
            }
        }
        flush(&mut run, &mut s);
        for (t, v) in &line.points {
            let Some(v) = v else { continue };
            let ts = tokens::format_iso(*t);
            let _ = write!(
                s,
                r#"<circle class="pt s-{name}" cx="{:.1}" cy="{:.1}" r="2.5" data-series="{name}" data-ts="{ts}" data-value="{v}"><title>{} UTC · {name} {}</title></circle>"#,
                x(*t),
                y(*v),
                clock(*t, true),
                esc(&label(c.unit, *v)),
                name = line.name,
            );
        }
    }
    s.push_str("</svg>");
    if c.lines.len() > 1 {
        s.push_str(r#"<ul class="legend">"#);
        for line in &c.lines {
            let _ = write!(s, r#"<li class="s-{0}">{0}</li>"#, line.name);
        }
        s.push_str("</ul>");
    }
    s.push_str("</figure>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(10.0), 10.0);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(nice_ceiling(1.2), 2.0);
        assert_eq!(nice_ceiling(230.0), 250.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
    }

    #[test]
    fn points_carry_their_values_and_gaps_break_lines() {
        let c = Chart {
            metric: "latency",
            title: "Latency <ms>".into(),
            unit: Unit::Ms,
            source: "/mgmt/gateways/gw/metrics?from=a&to=b".into(),
            from: 0,
            to: 240,
            lines: vec![Line {
                name: "p95",
                points: vec![(0, Some(1.5)), (60, Some(2.0)), (120, None), (180, Some(3.25))],
            }],
        };
        let svg = render(&c);
        assert!(svg.contains(r#"data-metric="latency""#));
        assert!(
            svg.contains(r#"data-source="/mgmt/gateways/gw/metrics?from=a&amp;to=b""#),
            "{svg}"
        );
        assert!(svg.contains("Latency &lt;ms&gt;"), "escaped");
        assert_eq!(svg.matches("<circle").count(), 3, "no point for a missing value");
        assert!(svg.contains(r#"data-series="p95" data-ts="1970-01-01T00:03:00Z" data-value="3.25""#));
        assert_eq!(
            svg.matches("<polyline").count(),
            1,
            "a lone point after the gap draws no line"
        );
        assert!(!svg.contains("legend"), "one line, no legend");
    }
}
