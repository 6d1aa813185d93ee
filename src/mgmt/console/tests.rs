//! The console and the metrics endpoints over real sockets: a heartbeat
//! carrying metrics, the metrics API, sign-in, sessions, escaping.

use std::net::SocketAddr;
use std::sync::mpsc;

use serde_json::{json, Value};

use crate::mgmt::test_http::http;
use crate::mgmt::{run, tokens, ControlPlaneOptions};

fn start() -> (SocketAddr, String) {
    let dir = crate::mgmt::store::temp_dir("console");
    let (tx, rx) = mpsc::channel();
    let data_dir = dir.clone();
    std::thread::spawn(move || {
        let ready = Box::new(move |a: SocketAddr| tx.send(a).unwrap());
        run(ControlPlaneOptions {
            data_dir,
            listen: "127.0.0.1:0".parse().unwrap(),
            ready: Some(ready),
            tls: None,
            auth: Default::default(),
        })
        .unwrap();
    });
    let addr = rx.recv().unwrap();
    let admin = std::fs::read_to_string(dir.join("admin-token"))
        .unwrap()
        .trim()
        .to_string();
    (addr, admin)
}

/// The `data-value`s of a chart's circles of one series, with their `data-ts`.
fn points(html: &str, metric: &str, series: &str) -> Vec<(String, f64)> {
    let start = html
        .find(&format!(r#"data-metric="{metric}""#))
        .unwrap_or_else(|| panic!("no {metric} chart"));
    let end = start + html[start..].find("</svg>").unwrap();
    html[start..end]
        .split("<circle ")
        .skip(1)
        .filter(|c| c.contains(&format!(r#"data-series="{series}""#)))
        .map(|c| {
            let attr = |name: &str| {
                let i = c.find(&format!(r#"{name}=""#)).unwrap() + name.len() + 2;
                c[i..i + c[i..].find('"').unwrap()].to_string()
            };
            (attr("data-ts"), attr("data-value").parse().unwrap())
        })
        .collect()
}

fn source(html: &str, metric: &str) -> String {
    let start = html.find(&format!(r#"data-metric="{metric}" data-source=""#)).unwrap();
    let rest = &html[start..];
    let i = rest.find("data-source=\"").unwrap() + 13;
    rest[i..i + rest[i..].find('"').unwrap()].replace("&amp;", "&")
}

#[test]
fn heartbeat_metrics_reach_the_api_and_the_console() {
    let (addr, admin) = start();
    let bearer = format!("Bearer {admin}");
    let mgmt = |method: &str, path: &str, body: Value| {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        http(
            addr,
            method,
            &format!("/mgmt{path}"),
            &[("Authorization", &bearer)],
            &body,
        )
    };
    assert_eq!(
        mgmt("PUT", "/gateways/gw1", json!({"description": "<b>edge</b>"})).status,
        201
    );
    assert_eq!(
        mgmt(
            "PUT",
            "/apis/echo",
            json!({"displayName": "Echo", "path": "echo", "serviceUrl": "echo://"})
        )
        .status,
        201
    );
    let expiry = tokens::format_iso(tokens::now_unix() + 3 * 86400);
    let token = mgmt(
        "POST",
        "/gateways/gw1/generateToken",
        json!({"keyType": "primary", "expiry": expiry}),
    )
    .json()["value"]
        .as_str()
        .unwrap()
        .to_string();

    // One heartbeat with two minutes of metrics (and a hostile host name).
    let now = tokens::now_unix();
    let minute = now - now % 60;
    let counts = |n: u64| {
        let mut c = vec![0u64; 12];
        c[0] = n;
        c
    };
    let bucket = |time: i64, class: &str, n: u64, errors: u64| {
        json!({"time": time, "apiId": "echo", "class": class, "requests": n, "errors": errors,
            "duration": {"counts": counts(n), "sum": 2.0 * n as f64, "min": 1.0, "max": 3.0},
            "backend": {"counts": counts(n), "sum": 1.0 * n as f64, "min": 0.5, "max": 1.5}})
    };
    let beat = json!({
        "instanceId": "inst-1", "hostname": "<script>alert(1)</script>", "version": "1.2.3",
        "appliedVersion": 3, "tokenExpiry": expiry, "lastError": "sync <failed>",
        "metrics": {"batches": [{"seq": 1, "bounds": crate::settings::DEFAULT_BUCKETS,
            "buckets": [bucket(minute - 60, "2xx", 4, 0), bucket(minute - 60, "5xx", 1, 1), bucket(minute, "2xx", 2, 0)]}]}
    });
    let r = http(
        addr,
        "POST",
        "/gateway/heartbeat",
        &[("Authorization", &token)],
        &beat.to_string(),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    // A malformed report is refused whole.
    let mut bad = beat.clone();
    bad["metrics"]["batches"][0]["buckets"][0]["class"] = json!("7xx");
    let r = http(
        addr,
        "POST",
        "/gateway/heartbeat",
        &[("Authorization", &token)],
        &bad.to_string(),
    );
    assert_eq!(r.status, 400, "{}", r.body);

    // The metrics API.
    let m = mgmt("GET", "/gateways/gw1/metrics", Value::Null);
    assert_eq!(m.status, 200, "{}", m.body);
    let v = m.json();
    let at = |t: i64| {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["timestamp"] == json!(tokens::format_iso(t)))
            .unwrap_or_else(|| panic!("no point at {t}: {v}"))
    };
    let last = [at(minute), at(minute - 60)];
    assert_eq!(
        (last[1]["requests"].as_u64(), last[1]["errors"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(last[1]["errorRate"], json!(0.2));
    assert_eq!(last[1]["durationMs"]["avg"], json!(2.0));
    assert_eq!(last[1]["backendDurationMs"]["avg"], json!(1.0));
    assert_eq!(last[0]["requests"].as_u64(), Some(2));
    let by = mgmt(
        "GET",
        "/apis/echo/metrics?by=responseCodeClass&gatewayId=gw1",
        Value::Null,
    )
    .json();
    let classes: Vec<&str> = by["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["responseCodeClass"].as_str().unwrap())
        .collect();
    assert_eq!(classes, vec!["2xx", "5xx", "2xx"]);
    assert_eq!(mgmt("GET", "/gateways/nope/metrics", Value::Null).status, 404);
    assert_eq!(mgmt("GET", "/apis/echo/metrics?grain=PT7M", Value::Null).status, 400);
    assert_eq!(http(addr, "GET", "/mgmt/gateways/gw1/metrics", &[], "").status, 401);

    // The console: sign-in first.
    let r = http(addr, "GET", "/console", &[], "");
    assert_eq!((r.status, r.header("Location")), (303, Some("/console/login")));
    let r = http(addr, "GET", "/console/login", &[], "");
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"name="token""#));
    assert!(r
        .header("Content-Security-Policy")
        .is_some_and(|c| c.contains("default-src 'none'")));
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = http(addr, "POST", "/console/login", &form, "token=outpost-admin-wrong");
    assert_eq!(r.status, 401);
    assert!(!r.body.contains("outpost-admin-wrong"), "the token is never echoed");
    assert!(r.header("Set-Cookie").is_none());
    let encoded: String = admin
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let r = http(addr, "POST", "/console/login", &form, &format!("token={encoded}"));
    assert_eq!((r.status, r.header("Location")), (303, Some("/console")), "{}", r.body);
    let cookie = r.header("Set-Cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let r = http(addr, "GET", "/console", &[("Cookie", &session)], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let page = r.body;
    assert!(page.contains(r#"data-gateway="gw1""#));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>"));
    assert!(page.contains("sync &lt;failed&gt;") && page.contains("&lt;b&gt;edge&lt;/b&gt;"));
    assert!(page.contains("1.2.3") && page.contains("v3"));
    assert!(
        page.contains(r#"<span class="badge warn">"#),
        "a token expiring in 3 days is flagged"
    );

    // The chart's points are the API's values for the call it names.
    let src = source(&page, "requests");
    assert!(src.starts_with("/mgmt/gateways/gw1/metrics?from="), "{src}");
    let api = mgmt("GET", src.trim_start_matches("/mgmt"), Value::Null).json();
    let expected: Vec<(String, f64)> = api["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["timestamp"].as_str().unwrap().to_string(),
                p["requests"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(points(&page, "requests", "requests"), expected);
    let p95: Vec<(String, f64)> = api["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["durationMs"].is_null())
        .map(|p| {
            (
                p["timestamp"].as_str().unwrap().to_string(),
                p["durationMs"]["p95"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(p95.len(), 2);
    assert_eq!(points(&page, "latency", "p95"), p95);
    let errors = points(&page, "errorRate", "errors");
    assert_eq!(errors.iter().map(|(_, v)| *v).collect::<Vec<_>>(), vec![0.2, 0.0]);

    // Gateway and API pages; the bearer token works too.
    let r = http(
        addr,
        "GET",
        "/console/gateways/gw1?range=6h",
        &[("Cookie", &session)],
        "",
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"href="/console/apis/echo?range=6h""#));
    assert!(source(&r.body, "latency").contains("grain=PT5M"));
    let r = http(addr, "GET", "/console/apis/echo", &[("Authorization", &bearer)], "");
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"data-source="/mgmt/apis/echo/metrics"#));
    assert_eq!(
        http(addr, "GET", "/console/gateways/nope", &[("Cookie", &session)], "").status,
        404
    );
    assert_eq!(http(addr, "GET", "/console/style.css", &[], "").status, 200);

    // Sign out: the session is gone.
    let r = http(addr, "POST", "/console/logout", &[("Cookie", &session)], "");
    assert_eq!(r.status, 303);
    assert!(r.header("Set-Cookie").is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(http(addr, "GET", "/console", &[("Cookie", &session)], "").status, 303);
    let forged = "outpost_console=00112233";
    assert_eq!(http(addr, "GET", "/console", &[("Cookie", forged)], "").status, 303);
}
