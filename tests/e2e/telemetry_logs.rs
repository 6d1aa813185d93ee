//! The local request log (`telemetry.logs.local`) through the real binary,
//! to sockets the test binds: JSON over UDP and to a file, RFC 5424 over
//! UDP, TCP (octet counting) and unix datagram and stream sockets,
//! `localsyslog` (BSD format) and the journal's native protocol on unix
//! datagram sockets; a sink that is down then up, and one that is slow;
//! no secret in any record; `telemetry.logs.std.color` on a terminal.

use crate::support::gateway::{field, TempDir, BIN};
use crate::support::log_receiver::{self, journal_field, kv, Frames, Received};
use crate::support::*;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);
// Distinctive secrets: none may reach a record or a log line.
const KEY: &str = "k-logs-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TOKEN: &str = "tok-logs-aabbccddeeff00112233445566778899";
const FN_KEY: &str = "fn-logs-99887766554433221100ffeeddccbbaa";

/// API `logs` (subscription required; a policy puts the secret named value
/// `fn-key` into the backend's query and headers) and API `cached`
/// (cache-lookup / cache-store).
fn builder(backend: &Backend) -> crate::support::gateway::GatewayBuilder {
    let url = backend.url();
    let fn_policy = policies(
        r#"<set-query-parameter name="code" exists-action="override"><value>{{fn-key}}</value></set-query-parameter>
           <set-header name="x-functions-key" exists-action="override"><value>{{fn-key}}</value></set-header>"#,
        "<base />",
        "",
        "",
    );
    let cache_policy = policies(
        r#"<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />"#,
        "<base />",
        r#"<cache-store duration="3600" />"#,
        "",
    );
    Gateway::builder()
        .api("logs", &format!("{}subscription-required = true\n", api_toml("logs", &url)))
        .file("apis/logs.xml", &fn_policy)
        .api("cached", &api_toml("cached", &url))
        .file("apis/cached.xml", &cache_policy)
        .file(
            "subscriptions.toml",
            &format!(
                "[[subscription]]\nid = \"sub-1\"\ndisplay-name = \"One\"\nscope = \"all\"\nprimary-key = \"{KEY}\"\nstate = \"active\"\n"
            ),
        )
        .file(
            "named-values.toml",
            &format!("[[named-value]]\nname = \"fn-key\"\nvalue = \"{FN_KEY}\"\nsecret = true\n"),
        )
        .env("OUTPOST_DEPLOYMENT_REGION", "Repro")
}

fn get(gw: &Gateway, path: &str, headers: &[(&str, &str)]) -> Response {
    let r = gw.connect().request("GET", path, headers, b"");
    assert!(r.status < 500, "GET {path}: {} {}", r.status_line(), r.text());
    r
}

/// The secret-bearing request: key in the query, a bearer token.
fn secret_request(gw: &Gateway) {
    let bearer = format!("Bearer {TOKEN}");
    let r = get(
        gw,
        &format!("/logs/fixed?x=1&subscription-key={KEY}"),
        &[("Authorization", &bearer)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn assert_no_secret(what: &str, texts: &[String]) {
    for s in [KEY, TOKEN, FN_KEY] {
        if let Some(t) = texts.iter().find(|t| t.contains(s)) {
            panic!("{what} carries a secret: {t}");
        }
    }
}

#[test]
fn json_over_udp_has_apim_fields_shares_the_stdout_record_and_no_secret() {
    let backend = Backend::start("b");
    let rx = log_receiver::udp();
    let gw = builder(&backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "json")
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_JSON_ENDPOINT", &rx.endpoint)
        .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
        .start();
    gw.wait_for_line(|l| l.contains("request log sink started"), WAIT);
    secret_request(&gw);
    let rec = rx.wait_for("\"apiId\":\"logs\"", WAIT);
    let v: serde_json::Value = serde_json::from_str(&rec).expect("one JSON object per datagram");
    let s = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("{k} in {rec}")).to_string();
    let port = backend.port();
    assert_eq!(s("category"), "GatewayLogs");
    assert_eq!(v["isRequestSuccess"], true);
    assert!(v["totalTime"].as_f64().is_some_and(|t| t >= 0.0), "{rec}");
    assert!(v["backendTime"].as_f64().is_some_and(|t| t >= 0.0), "{rec}");
    assert_eq!(s("callerIpAddress"), "127.0.0.1");
    assert!(
        s("Timestamp").ends_with('Z') && s("timeGenerated") == s("Timestamp"),
        "{rec}"
    );
    assert_eq!(s("region"), "Repro");
    assert_eq!(s("correlationId").len(), 36);
    assert_eq!(s("method"), "GET");
    assert_eq!(s("url"), "http://gateway.test/logs/fixed?x=1&subscription-key=***");
    assert_eq!(v["responseCode"], 200);
    assert_eq!(v["backendResponseCode"], 200);
    assert!(v["responseSize"].as_u64().is_some_and(|n| n > 0), "{rec}");
    assert_eq!(s("cache"), "none");
    assert_eq!(s("apiId"), "logs");
    assert_eq!(s("apimSubscriptionId"), "sub-1");
    assert_eq!(s("clientProtocol"), "HTTP/1.1");
    assert_eq!(s("backendProtocol"), "HTTP/1.1");
    assert_eq!(v["apiRevision"], 1);
    assert_eq!(s("backendMethod"), "GET");
    let backend_url = s("backendUrl");
    assert!(
        backend_url.starts_with(&format!("http://127.0.0.1:{port}/base/fixed?")) && backend_url.contains("code=***"),
        "every backend query value is masked: {backend_url}"
    );
    // The backend did get the secrets: masking is the log's business only.
    let seen = backend.wait_until("the request", WAIT, |r| !r.is_empty());
    assert!(seen[0].target.contains(FN_KEY), "{:?}", seen[0].target);

    // The same record (same correlation id) is the stdout access-log line.
    let corr = s("correlationId");
    let line = gw.wait_for_line(
        |l| l.contains("\"category\":\"GatewayLogs\"") && l.contains(&corr),
        WAIT,
    );
    assert_eq!(field(&line, "backendUrl").as_deref(), Some(backend_url.as_str()));

    // A cache miss then a hit: the hit has no backend response code.
    assert_eq!(get(&gw, "/cached/fixed", &[]).status, 200);
    let miss = rx.wait_for("\"apiId\":\"cached\"", WAIT);
    assert!(miss.contains("\"cache\":\"miss\""), "{miss}");
    assert_eq!(get(&gw, "/cached/fixed", &[]).status, 200);
    let hit = rx.wait_for("\"cache\":\"hit\"", WAIT);
    assert!(
        !hit.contains("backendResponseCode") && hit.contains("\"responseCode\":200"),
        "{hit}"
    );

    // A refused request: a failure record with APIM's reason.
    let r = get(&gw, "/logs/fixed?subscription-key=wrong-key-123", &[]);
    assert_eq!(r.status, 401);
    let refused = rx.wait_for("\"responseCode\":401", WAIT);
    assert!(
        refused.contains("\"isRequestSuccess\":false") && refused.contains("\"lastErrorReason\":\"SubscriptionKey"),
        "{refused}"
    );

    assert_no_secret("a datagram", &rx.records());
    assert_no_secret("the gateway's output", &gw.lines());
}

#[test]
fn json_to_a_file_appends_one_line_per_request() {
    let backend = Backend::start("b");
    let dir = TempDir::new("json-file");
    let path = dir.0.join("requests.json");
    let gw = builder(&backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "json")
        .env(
            "OUTPOST_TELEMETRY_LOGS_LOCAL_JSON_ENDPOINT",
            &path.display().to_string(),
        )
        .start();
    for _ in 0..3 {
        secret_request(&gw);
    }
    let deadline = Instant::now() + WAIT;
    let text = loop {
        let t = std::fs::read_to_string(&path).unwrap_or_default();
        if t.lines().count() >= 3 {
            break t;
        }
        assert!(Instant::now() < deadline, "three lines in {}: {t:?}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(text.ends_with('\n'));
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["apiId"], "logs");
        assert_eq!(v["responseCode"], 200);
    }
    assert_no_secret("the file", &[text]);
}

/// `<134>1 TIMESTAMP HOST apimuser PID GatewayLogs - Timestamp=…, …`
fn assert_rfc5424(rec: &str, pri: u32) {
    let parts: Vec<&str> = rec.splitn(8, ' ').collect();
    assert_eq!(parts[0], format!("<{pri}>1"), "{rec}");
    assert!(parts[1].ends_with('Z') && parts[1].contains('T'), "{rec}");
    assert!(!parts[2].is_empty(), "{rec}");
    assert_eq!(parts[3], "apimuser", "{rec}");
    assert!(parts[4].parse::<u32>().is_ok(), "{rec}");
    assert_eq!(parts[5], "GatewayLogs", "{rec}");
    assert_eq!(parts[6], "-", "{rec}");
    assert!(parts[7].starts_with("Timestamp="), "{rec}");
    assert_eq!(kv(rec, "category").as_deref(), Some("GatewayLogs"), "{rec}");
    assert_eq!(kv(rec, "isRequestSuccess").as_deref(), Some("True"), "{rec}");
    assert_eq!(kv(rec, "responseCode").as_deref(), Some("200"), "{rec}");
    assert_eq!(kv(rec, "backendResponseCode").as_deref(), Some("200"), "{rec}");
    assert_eq!(kv(rec, "apimSubscriptionId").as_deref(), Some("sub-1"), "{rec}");
    assert_eq!(
        kv(rec, "url").as_deref(),
        Some("http://gateway.test/logs/fixed?x=1&subscription-key=***"),
        "{rec}"
    );
    assert_eq!(kv(rec, "backendMethod").as_deref(), Some("GET"), "{rec}");
}

fn rfc5424_gateway(backend: &Backend, endpoint: &str) -> Gateway {
    builder(backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "rfc5424")
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_RFC5424_ENDPOINT", endpoint)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_RFC5424_FACILITY", "7")
        .start()
}

#[test]
fn rfc5424_over_udp_and_a_unix_datagram_socket() {
    let backend = Backend::start("b");
    let rx = log_receiver::udp();
    let gw = rfc5424_gateway(&backend, &format!("udp://{}", rx.endpoint));
    secret_request(&gw);
    // facility 7 (uucp) × 8 + severity 6 (informational)
    assert_rfc5424(&rx.wait_for("apiId=logs", WAIT), 62);
    assert_no_secret("a datagram", &rx.records());
    drop(gw);

    let dir = TempDir::new("rfc-dgram");
    let rx = log_receiver::unix_datagram(&dir.0.join("syslog.sock"));
    let gw = rfc5424_gateway(&backend, &rx.endpoint);
    secret_request(&gw);
    assert_rfc5424(&rx.wait_for("apiId=logs", WAIT), 62);
    assert_no_secret("a datagram", &rx.records());
}

/// Sends requests until `rx` holds `n` records from API `logs`.
fn request_until(gw: &Gateway, rx: &Received, n: usize) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        secret_request(gw);
        let got: Vec<String> = rx.records().into_iter().filter(|r| r.contains("apiId=logs")).collect();
        if got.len() >= n {
            return got;
        }
        assert!(Instant::now() < deadline, "{n} records at {}: {got:#?}", rx.endpoint);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn rfc5424_over_tcp_is_octet_counted_and_resumes_when_the_receiver_comes_up() {
    let backend = Backend::start("b");
    // A port nobody listens on yet: the sink is down from the start.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gw = rfc5424_gateway(&backend, &format!("tcp://127.0.0.1:{port}"));
    secret_request(&gw);
    let warn = gw.wait_for_line(|l| l.contains("request log sink failing"), WAIT);
    assert!(
        warn.contains("rfc5424") && warn.contains(&format!("tcp://127.0.0.1:{port}")),
        "{warn}"
    );
    // Requests are answered while the sink is down.
    for _ in 0..5 {
        secret_request(&gw);
    }
    let rx = log_receiver::tcp(port, Frames::OctetCounted);
    let got = request_until(&gw, &rx, 3);
    for r in &got {
        assert_rfc5424(r, 62);
    }
    let ok = gw.wait_for_line(|l| l.contains("request log sink recovered"), WAIT);
    let dropped: u64 = field(&ok, "dropped").and_then(|d| d.parse().ok()).unwrap_or(0);
    // At least the first record (sent before the warning above) was
    // dropped; later ones may have found the receiver already up.
    assert!(dropped >= 1, "records dropped while down are counted: {ok}");
    assert_eq!(
        gw.lines_with("request log sink failing").len(),
        1,
        "the outage is logged once"
    );
    assert_no_secret("a TCP frame", &rx.records());
}

#[test]
fn rfc5424_over_a_unix_stream_socket_resumes_when_the_receiver_comes_up() {
    let backend = Backend::start("b");
    let dir = TempDir::new("rfc-stream");
    let path = dir.0.join("syslog-stream.sock");
    let gw = rfc5424_gateway(&backend, &path.display().to_string());
    secret_request(&gw);
    gw.wait_for_line(|l| l.contains("request log sink failing"), WAIT);
    let rx = log_receiver::unix_stream(&path, Frames::OctetCounted);
    for r in request_until(&gw, &rx, 3) {
        assert_rfc5424(&r, 62);
    }
    gw.wait_for_line(|l| l.contains("request log sink recovered"), WAIT);
}

#[test]
fn localsyslog_sends_bsd_records_to_a_local_socket() {
    let backend = Backend::start("b");
    let dir = TempDir::new("localsyslog");
    let rx = log_receiver::unix_datagram(&dir.0.join("log"));
    let gw = builder(&backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "localsyslog")
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_LOCALSYSLOG_ENDPOINT", &rx.endpoint)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_LOCALSYSLOG_FACILITY", "1")
        .start();
    secret_request(&gw);
    let rec = rx.wait_for("apiId=logs", WAIT);
    // <14>Mmm dd hh:mm:ss apimuser[PID]: Timestamp=…
    assert!(rec.starts_with("<14>"), "{rec}");
    let (head, msg) = rec.split_once(": ").unwrap();
    assert!(head.contains(&format!(" apimuser[{}]", gw.pid())), "{rec}");
    assert_eq!(
        head.len(),
        "<14>Jan  1 00:00:00 apimuser[]".len() + gw.pid().to_string().len(),
        "{rec}"
    );
    assert!(msg.starts_with("Timestamp="), "{rec}");
    assert_eq!(kv(&rec, "apimSubscriptionId").as_deref(), Some("sub-1"));
    assert_no_secret("a datagram", &rx.records());
    drop(gw);

    // A stream socket there (older syslog daemons): NUL-terminated
    // records, as glibc's syslog(3) sends them.
    let rx = log_receiver::unix_stream(&dir.0.join("log-stream"), Frames::Nul);
    let gw = builder(&backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "localsyslog")
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_LOCALSYSLOG_ENDPOINT", &rx.endpoint)
        .start();
    secret_request(&gw);
    secret_request(&gw);
    let recs = rx.wait_until("two records", WAIT, |r| (r.len() >= 2).then(|| r.to_vec()));
    for rec in recs {
        // The default facility is local0 (16): 16 × 8 + 6.
        assert!(rec.starts_with("<134>") && rec.contains(" apimuser["), "{rec}");
        assert_eq!(kv(&rec, "apiId").as_deref(), Some("logs"), "{rec}");
    }
}

#[test]
fn journal_native_protocol_fields() {
    let backend = Backend::start("b");
    let dir = TempDir::new("journal");
    let rx = log_receiver::unix_datagram(&dir.0.join("journal.sock"));
    let gw = builder(&backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "journal")
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_JOURNAL_ENDPOINT", &rx.endpoint)
        .start();
    secret_request(&gw);
    let rec = rx.wait_for("API_ID=logs", WAIT);
    let f = |n: &str| journal_field(&rec, n).unwrap_or_else(|| panic!("{n} in {rec}"));
    assert!(
        f("MESSAGE").starts_with("Timestamp=") && f("MESSAGE").contains("apiId=logs"),
        "{rec}"
    );
    assert_eq!(f("PRIORITY"), "6");
    assert_eq!(f("SYSLOG_IDENTIFIER"), "apimuser");
    assert_eq!(f("CATEGORY"), "GatewayLogs");
    assert_eq!(f("IS_REQUEST_SUCCESS"), "True");
    assert_eq!(f("RESPONSE_CODE"), "200");
    assert_eq!(f("BACKEND_RESPONSE_CODE"), "200");
    assert_eq!(f("APIM_SUBSCRIPTION_ID"), "sub-1");
    assert_eq!(f("URL"), "http://gateway.test/logs/fixed?x=1&subscription-key=***");
    for line in rec.lines() {
        let name = line.split('=').next().unwrap();
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "journal field names are [A-Z0-9_]: {line}"
        );
    }
    assert_no_secret("a journal entry", &rx.records());
}

#[test]
fn a_slow_sink_drops_and_counts_without_slowing_requests_then_resumes() {
    let backend = Backend::start("b");
    let dir = TempDir::new("slow");
    let rx = log_receiver::unix_datagram(&dir.0.join("journal.sock"));
    rx.pause();
    let gw = builder(&backend)
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL", "journal")
        .env("OUTPOST_TELEMETRY_LOGS_LOCAL_JOURNAL_ENDPOINT", &rx.endpoint)
        .env("OUTPOST_TELEMETRY_QUEUE_CAPACITY", "4")
        .env("OUTPOST_TELEMETRY_METRICS_LOCAL", "prometheus")
        .env("OUTPOST_TELEMETRY_METRICS_PROMETHEUS_ADDRESS", "127.0.0.1")
        .env("OUTPOST_TELEMETRY_METRICS_PROMETHEUS_PORT", "0")
        .start();
    // The receiver reads nothing: its queue fills, the sink's writes time
    // out, records drop; every request is still answered.
    let deadline = Instant::now() + WAIT;
    let mut sent = 0;
    while gw.lines_with("request log sink failing").is_empty() {
        assert!(Instant::now() < deadline, "the sink notices the stalled receiver");
        let mut c = gw.connect();
        for _ in 0..20 {
            let r = c.request("GET", "/cached/fixed", &[], b"");
            assert_eq!(r.status, 200);
            sent += 1;
        }
    }
    assert!(sent > 0);
    rx.resume();
    let deadline = Instant::now() + WAIT;
    while gw.lines_with("request log sink recovered").is_empty() {
        assert!(Instant::now() < deadline, "the sink recovers once the receiver reads");
        let _ = get(&gw, "/cached/fixed", &[]);
        std::thread::sleep(Duration::from_millis(100));
    }
    let ok = gw.lines_with("request log sink recovered").remove(0);
    assert!(field(&ok, "dropped").is_some_and(|d| d != "0"), "{ok}");
    rx.wait_for("API_ID=cached", WAIT);

    // The counters are on the Prometheus endpoint.
    let listening = gw.wait_for_line(|l| l.contains("Prometheus endpoint listening"), WAIT);
    let addr = field(&listening, "address").unwrap();
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    let text = Conn::connect(port).get("/metrics").text();
    let value = |outcome: &str| -> u64 {
        let key = format!("outpost_request_log_records_total{{sink=\"journal\",outcome=\"{outcome}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{key} in {text}"))
    };
    assert!(value("sent") >= 1, "{text}");
    assert!(value("dropped_endpoint") + value("dropped_queue_full") >= 1, "{text}");
}

/// Runs the gateway with its standard output on a pseudo-terminal and
/// returns what it printed up to the ready line.
fn output_on_a_terminal(color: &str) -> String {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let dir = TempDir::new("tty");
    std::fs::create_dir_all(dir.0.join("apis")).unwrap();
    std::fs::write(dir.0.join("apis/a.toml"), api_toml("a", "http://127.0.0.1:9/base")).unwrap();
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors into the given ints; the
    // optional name, termios and winsize are null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["gateway", "--config"]).arg(&dir.0);
    for (k, _) in std::env::vars() {
        if k.starts_with("OUTPOST_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("OUTPOST_NET_SERVER_HTTP_ADDRESS", "127.0.0.1")
        .env("OUTPOST_NET_SERVER_HTTP_PORT", "0")
        .env("OUTPOST_NET_SERVER_HTTPS_PORT", "0")
        .env("OUTPOST_RUNTIME_WORKERS", "1")
        .env("OUTPOST_TELEMETRY_LOGS_STD_COLOR", color)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::from(slave))
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn outpost");
    drop(cmd);
    let (tx, rx) = std::sync::mpsc::channel();
    let mut m = std::fs::File::from(master);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = m.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    while !String::from_utf8_lossy(&out).contains("outpost gateway ready") {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(b) => out.extend_from_slice(&b),
            Err(_) => {
                let _ = child.kill();
                panic!("no ready line on the terminal: {:?}", String::from_utf8_lossy(&out));
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn std_color_applies_on_a_terminal_only() {
    let colored = output_on_a_terminal("true");
    assert!(colored.contains("\x1b["), "ANSI colours on a terminal: {colored:?}");
    let plain = output_on_a_terminal("false");
    assert!(!plain.contains("\x1b["), "telemetry.logs.std.color=false: {plain:?}");
    // Piped (the harness), the default `true` prints no escape codes.
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    assert!(gw.lines().iter().all(|l| !l.contains('\x1b')), "{:?}", gw.lines());
}
