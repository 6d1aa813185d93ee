//! The console's HTML frame: escaping, the page layout, the stylesheet, and
//! the response headers every console page carries.
//!
//! Invariants: every value that did not come from this file is escaped
//! ([`esc`]) before it reaches HTML (gateway ids, host names, sync errors
//! and versions come from gateways' heartbeats); pages carry a
//! Content-Security-Policy with no script at all, are never cached, and
//! may not be framed.

use crate::mgmt::principal::Principal;
use crate::mgmt::server::Resp;

/// Escapes text for HTML content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// No script, styles only from `/console/style.css`, forms only to us.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

fn headers(resp: Resp) -> Resp {
    resp.with_header("Content-Security-Policy", CSP.into())
        .with_header("X-Content-Type-Options", "nosniff".into())
        .with_header("X-Frame-Options", "DENY".into())
        .with_header("Referrer-Policy", "no-referrer".into())
        .with_header("Cache-Control", "no-store".into())
}

/// An HTML response.
pub fn respond(status: u16, html: String) -> Resp {
    let resp = Resp {
        status,
        body: html.into_bytes(),
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
    };
    headers(resp)
}

/// A `303 See Other` to `location` (a path of ours).
pub fn redirect(location: &str) -> Resp {
    headers(Resp::empty(303)).with_header("Location", location.into())
}

/// The stylesheet.
pub fn stylesheet() -> Resp {
    Resp {
        status: 200,
        body: CSS.as_bytes().to_vec(),
        headers: vec![
            ("Content-Type".into(), "text/css; charset=utf-8".into()),
            ("Cache-Control".into(), "max-age=300".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
        ],
    }
}

/// The tab icon (so that browsers do not ask for `/favicon.ico`).
pub fn favicon() -> Resp {
    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#111827"/><polyline points="2,12 6,7 9,9 14,3" fill="none" stroke="#60a5fa" stroke-width="2"/></svg>"##;
    Resp {
        status: 200,
        body: SVG.as_bytes().to_vec(),
        headers: vec![
            ("Content-Type".into(), "image/svg+xml".into()),
            ("Cache-Control".into(), "max-age=86400".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
        ],
    }
}

/// A whole page: header (with who is signed in and a sign-out button), `body`.
pub fn page(title: &str, who: Option<&Principal>, refresh: bool, body: &str) -> String {
    let user = match who {
        Some(p) => format!(
            r#"<span class="who">{} · {}</span><form method="post" action="/console/logout"><button type="submit">Sign out</button></form>"#,
            esc(&p.id),
            p.role.as_str()
        ),
        None => String::new(),
    };
    let refresh = if refresh {
        r#"<meta http-equiv="refresh" content="60">"#
    } else {
        ""
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<title>{title} · Outpost console</title><link rel="stylesheet" href="/console/style.css">
<link rel="icon" type="image/svg+xml" href="/console/favicon.svg"></head>
<body><header><a class="brand" href="/console">Outpost console</a><nav>{user}</nav></header>
<main>{body}</main></body></html>
"#,
        title = esc(title),
    )
}

const CSS: &str = r#"
:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; --ok: #15803d; --warn: #b45309; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; justify-content: space-between; padding: 10px 24px; background: #111827; color: #f9fafb; }
header a.brand { color: #f9fafb; font-weight: 600; text-decoration: none; font-size: 16px; }
header nav { display: flex; gap: 12px; align-items: center; }
header .who { color: #d1d5db; }
header button { background: transparent; color: #f9fafb; border: 1px solid #4b5563; border-radius: 4px; padding: 3px 10px; cursor: pointer; }
main { padding: 16px 24px 40px; max-width: 1400px; }
h1 { font-size: 20px; margin: 8px 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; }
h2 small, h1 small { color: var(--muted); font-weight: 400; font-size: 13px; margin-left: 8px; }
a { color: #1d4ed8; }
.muted { color: var(--muted); }
.ranges { margin: 6px 0 12px; display: flex; gap: 6px; align-items: center; }
.ranges a, .ranges span.on { padding: 2px 10px; border: 1px solid var(--line); border-radius: 12px; text-decoration: none; background: #fff; }
.ranges span.on { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); margin: 6px 0 10px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; background: #f3f4f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; border: 1px solid; }
.ok { color: var(--ok); border-color: #86efac; background: #f0fdf4; }
.warn { color: var(--warn); border-color: #fcd34d; background: #fffbeb; }
.bad { color: var(--bad); border-color: #fca5a5; background: #fef2f2; }
.error-text { color: var(--bad); font-size: 12px; max-width: 420px; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 14px; }
figure.chart-box { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px 6px; }
figure.chart-box figcaption { font-weight: 600; font-size: 13px; margin-bottom: 2px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .grid { stroke: #eef0f3; stroke-width: 1; }
svg.chart .axis { fill: var(--muted); font-size: 10px; }
svg.chart .line { fill: none; stroke-width: 1.8; }
svg.chart .pt { stroke: #fff; stroke-width: .6; }
.s-requests { stroke: #2563eb; fill: #2563eb; color: #2563eb; }
.s-p50 { stroke: #16a34a; fill: #16a34a; color: #16a34a; }
.s-p95 { stroke: #d97706; fill: #d97706; color: #d97706; }
.s-p99 { stroke: #9333ea; fill: #9333ea; color: #9333ea; }
.s-errors { stroke: #dc2626; fill: #dc2626; color: #dc2626; }
svg.chart .line.s-requests, svg.chart .line.s-p50, svg.chart .line.s-p95, svg.chart .line.s-p99, svg.chart .line.s-errors { fill: none; }
ul.legend { list-style: none; display: flex; gap: 14px; padding: 0; margin: 2px 0 0; font-size: 12px; }
ul.legend li::before { content: ""; display: inline-block; width: 10px; height: 3px; background: currentColor; margin-right: 5px; vertical-align: middle; }
form.login { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 20px; max-width: 460px; margin-top: 40px; }
form.login input { width: 100%; padding: 7px; margin: 6px 0 12px; font: inherit; border: 1px solid #d1d5db; border-radius: 4px; }
form.login button { padding: 6px 16px; font: inherit; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
p.message { color: var(--bad); }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_headers() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let r = respond(200, page("<t>", None, false, ""));
        let h = |n: &str| r.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert!(h("Content-Security-Policy").is_some_and(|v| v.contains("default-src 'none'")));
        assert_eq!(h("Cache-Control").as_deref(), Some("no-store"));
        assert!(String::from_utf8_lossy(&r.body).contains("<title>&lt;t&gt; · Outpost console</title>"));
        assert_eq!(redirect("/console").status, 303);
    }
}
