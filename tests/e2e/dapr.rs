//! The Dapr policies against a small local server speaking the sidecar's
//! documented HTTP routes (no Dapr binary here): service invocation
//! (`set-backend-service backend-id="dapr"`), `publish-to-dapr`,
//! `invoke-dapr-binding`, errors and `ignore-error`.

use crate::support::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    content_type: Option<String>,
    body: String,
}

/// A fake sidecar: `POST /v1.0/publish/{pubsub}/{topic}` → 204 (500 with
/// Dapr's error JSON for pubsub `broken`), `POST /v1.0/bindings/{name}` →
/// 200 echoing the request, `/v1.0/invoke/{app}/method/{m}` → 200
/// `invoked {target}`; anything else → 404.
struct Sidecar {
    port: u16,
    seen: Arc<(Mutex<Vec<Seen>>, Condvar)>,
}

impl Sidecar {
    fn start() -> Sidecar {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let seen: Arc<(Mutex<Vec<Seen>>, Condvar)> = Arc::default();
        let s = seen.clone();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve(conn, &s));
            }
        });
        Sidecar { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_for(&self, n: usize) -> Vec<Seen> {
        let deadline = Instant::now() + WAIT;
        let (m, cv) = &*self.seen;
        let mut v = m.lock().unwrap();
        while v.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "sidecar: waiting for {n} requests, got {v:#?}");
            v = cv.wait_timeout(v, left).unwrap().0;
        }
        v.clone()
    }
}

fn serve(mut conn: TcpStream, seen: &(Mutex<Vec<Seen>>, Condvar)) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let mut buf = Vec::new();
    loop {
        let (head_len, method, target, content_type, len) = loop {
            let mut hs = [httparse::EMPTY_HEADER; 64];
            let mut req = httparse::Request::new(&mut hs);
            if let Ok(httparse::Status::Complete(n)) = req.parse(&buf) {
                let find = |name: &str| {
                    req.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).into_owned())
                };
                let len: usize = find("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                break (
                    n,
                    req.method.unwrap_or("").to_owned(),
                    req.path.unwrap_or("").to_owned(),
                    find("content-type"),
                    len,
                );
            }
            let mut chunk = [0u8; 4096];
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        while buf.len() < head_len + len {
            let mut chunk = [0u8; 4096];
            match conn.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = String::from_utf8_lossy(&buf[head_len..head_len + len]).into_owned();
        buf.drain(..head_len + len);
        let (status, reply) = route(&method, &target, &body);
        {
            let (m, cv) = seen;
            m.lock().unwrap().push(Seen {
                method,
                target,
                content_type,
                body,
            });
            cv.notify_all();
        }
        let reason = if status == 204 { "No Content" } else { "X" };
        let framing = if status == 204 {
            String::new()
        } else {
            format!("Content-Type: application/json\r\nContent-Length: {}\r\n", reply.len())
        };
        let out = format!("HTTP/1.1 {status} {reason}\r\n{framing}\r\n{reply}");
        if conn.write_all(out.as_bytes()).is_err() {
            return;
        }
    }
}

fn route(method: &str, target: &str, body: &str) -> (u16, String) {
    let path = target.split('?').next().unwrap_or("");
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        ["v1.0", "publish", "broken", _] => (
            500,
            r#"{"errorCode":"ERR_PUBSUB_NOT_FOUND","message":"pubsub broken not found"}"#.into(),
        ),
        ["v1.0", "publish", _, _] if method == "POST" => (204, String::new()),
        ["v1.0", "bindings", _] if method == "POST" => (200, body.to_owned()),
        ["v1.0", "invoke", _, "method", ..] => (200, format!("\"invoked {target}\"")),
        _ => (404, r#"{"errorCode":"ERR_DIRECT_INVOKE"}"#.into()),
    }
}

fn gateway(sidecar: &Sidecar, backend: &Backend, xml: &str) -> Gateway {
    let b = Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("OUTPOST_POLICY_DAPR_URL", &sidecar.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b.start()
}

const REPORT: &str =
    r#"<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>"#;

#[test]
fn service_invocation_goes_through_the_sidecar() {
    let sidecar = Sidecar::start();
    let backend = Backend::start("api");
    let xml = policies(
        r#"<set-backend-service backend-id="dapr" dapr-app-id="orders" dapr-namespace="@(&quot;shop&quot;)"
                                dapr-method="@(&quot;api/&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-M&quot;, &quot;none&quot;))" />"#,
        "<forward-request />",
        "",
        REPORT,
    );
    let gw = gateway(&sidecar, &backend, &xml);
    let mut c = gw.connect();
    let r = c.request("POST", "/api/anything?x=1", &[("X-M", "new order")], b"{\"n\":1}");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Reason"));
    assert_eq!(
        r.text(),
        "\"invoked /v1.0/invoke/orders.shop/method/api/new%20order?x=1\""
    );
    let seen = sidecar.wait_for(1).remove(0);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.body, "{\"n\":1}");
    assert_eq!(backend.request_count(), 0);
}

#[test]
fn publish_and_bindings_reach_their_routes_and_errors_reach_on_error() {
    let sidecar = Sidecar::start();
    let backend = Backend::start("api");
    let xml = policies(
        r#"<choose>
             <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Broken&quot;))">
               <publish-to-dapr topic="broken/t" response-variable-name="dapr" />
             </when>
             <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Ignore&quot;))">
               <publish-to-dapr topic="broken/t" ignore-error="true" response-variable-name="dapr" />
               <return-response>
                 <set-header name="X-Dapr" exists-action="override"><value>@(((IResponse)context.Variables["dapr"]).StatusCode.ToString())</value></set-header>
               </return-response>
             </when>
             <otherwise>
               <publish-to-dapr pubsub-name="orders" topic="@(&quot;new&quot;)" content-type="application/json" response-variable-name="pub">@(context.Request.Body.As&lt;string&gt;(preserveContent: true))</publish-to-dapr>
               <invoke-dapr-binding name="queue" operation="create" response-variable-name="bound">
                 <metadata><item key="source">APIM</item><item key="user">@(context.Request.Headers.GetValueOrDefault("X-User", ""))</item></metadata>
                 <data>@(context.Request.Body.As&lt;string&gt;(preserveContent: true))</data>
               </invoke-dapr-binding>
               <return-response response-variable-name="bound">
                 <set-header name="X-Published" exists-action="override"><value>@(((IResponse)context.Variables["pub"]).StatusCode.ToString())</value></set-header>
               </return-response>
             </otherwise>
           </choose>"#,
        "",
        "",
        r#"<return-response response-variable-name="dapr">
             <set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
           </return-response>"#,
    );
    let gw = gateway(&sidecar, &backend, &xml);
    let mut c = gw.connect();
    let r = c.request("POST", "/api/order", &[("X-User", "ann")], b"{\"id\":7}");
    assert_eq!(r.status, 200, "{} {}", r.status_line(), r.text());
    assert_eq!(r.header("X-Published").as_deref(), Some("204"));
    let echoed: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(
        echoed,
        serde_json::json!({"data": {"id": 7}, "metadata": {"source": "APIM", "user": "ann"}, "operation": "create"})
    );
    let seen = sidecar.wait_for(2);
    assert_eq!(seen[0].target, "/v1.0/publish/orders/new");
    assert_eq!(seen[0].body, "{\"id\":7}");
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(seen[1].target, "/v1.0/bindings/queue");

    // A Dapr error goes to on-error, which answers with Dapr's response.
    let r = c.request("POST", "/api/order", &[("X-Broken", "1")], b"{}");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Reason").as_deref(), Some("BackendErrorStatusCode"));
    assert!(r.text().contains("ERR_PUBSUB_NOT_FOUND"), "{}", r.text());
    assert_eq!(sidecar.wait_for(3)[2].target, "/v1.0/publish/broken/t");

    // ignore-error: the pipeline goes on, the variable holds Dapr's answer.
    let r = c.request("POST", "/api/order", &[("X-Ignore", "1")], b"{}");
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.header("X-Dapr").as_deref(), Some("500"));
    assert_eq!(backend.request_count(), 0);
}

#[test]
fn dapr_policies_check_their_attributes_at_load() {
    let backend = Backend::start("api");
    for (bad, why) in [
        (
            r#"<publish-to-dapr topic="no-pubsub">m</publish-to-dapr>"#,
            "pubsub-name/topic-name",
        ),
        (
            r#"<publish-to-dapr topic="a/b" timeout="500">m</publish-to-dapr>"#,
            "between 1 and 240",
        ),
        (
            r#"<invoke-dapr-binding name="b" content-type="text/plain" />"#,
            "application/json",
        ),
        (
            r#"<set-backend-service backend-id="dapr" dapr-app-id="a" />"#,
            "dapr-method",
        ),
    ] {
        let b = Gateway::builder().proxy("test-api", "api", &backend.url());
        std::fs::write(b.config_dir().join("apis/test-api.xml"), policies(bad, "", "", "")).unwrap();
        let (code, out, err) = crate::support::gateway::check_config(&b.config_dir());
        assert_ne!(code, 0, "{bad}: {out}");
        assert!(err.contains(why) || out.contains(why), "{bad}: {out} {err}");
    }
}
