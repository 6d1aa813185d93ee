//! A snapshot the gateway cannot validate is refused as a whole: the
//! gateway keeps serving the last good configuration, says so in its log
//! and in its next heartbeat, and applies the next valid snapshot. The
//! management plane here is a scripted stand-in on loopback, since the real
//! one never serves an invalid snapshot.

use crate::support::gateway::TempDir;
use crate::support::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Plane {
    snapshot: Mutex<(u64, String)>,
    heartbeats: Mutex<Vec<Value>>,
}

/// Serves `GET /gateway/config` (ETag = version, 304 when unchanged) and
/// records `POST /gateway/heartbeat` bodies; one request per connection.
fn start_plane() -> (u16, Arc<Plane>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind plane");
    let port = listener.local_addr().expect("addr").port();
    let plane = Arc::new(Plane::default());
    let p = plane.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let p = p.clone();
            std::thread::spawn(move || serve(conn, &p));
        }
    });
    (port, plane)
}

fn serve(conn: TcpStream, plane: &Plane) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut r = BufReader::new(conn);
    let mut line = String::new();
    let _ = r.read_line(&mut line);
    let (mut len, mut inm) = (0usize, None);
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        let (k, v) = h.split_once(':').unwrap_or((&h, ""));
        match k.to_ascii_lowercase().as_str() {
            "content-length" => len = v.trim().parse().unwrap_or(0),
            "if-none-match" => inm = Some(v.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; len];
    let _ = r.read_exact(&mut body);
    let answer = if line.starts_with("GET /gateway/config") {
        let (version, snap) = plane.snapshot.lock().unwrap().clone();
        let etag = format!("\"{version}\"");
        if inm.as_deref() == Some(&*etag) {
            format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")
        } else {
            format!(
                "HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{snap}",
                snap.len()
            )
        }
    } else if line.starts_with("POST /gateway/heartbeat") {
        if let Ok(v) = serde_json::from_slice(&body) {
            plane.heartbeats.lock().unwrap().push(v);
        }
        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".to_string()
    } else {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
    };
    let _ = r.get_mut().write_all(answer.as_bytes());
}

impl Plane {
    fn publish(&self, version: u64, files: &[(&str, String)]) {
        let files: Vec<Value> = files.iter().map(|(p, c)| json!({ "path": p, "content": c })).collect();
        let snap = json!({ "gatewayId": "gw1", "version": version, "files": files });
        *self.snapshot.lock().unwrap() = (version, snap.to_string());
    }

    /// Waits for a heartbeat satisfying `pred` (the list is cleared first).
    fn heartbeat_where(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.heartbeats.lock().unwrap().clear();
        let deadline = Instant::now() + SYNC_TIMEOUT;
        loop {
            if let Some(hb) = self.heartbeats.lock().unwrap().iter().find(|h| pred(h)) {
                return hb.clone();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for a heartbeat with {what}: {:?}",
                self.heartbeats.lock().unwrap().last()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A gateway syncing from the fake plane on `port` (no long poll), with
/// its backup in `backup`.
fn gateway_of(port: u16, backup: &TempDir) -> Gateway {
    Gateway::builder()
        .remote(
            &format!("http://127.0.0.1:{port}"),
            "GatewayKey gw1&209901010000&c2ln",
            &backup.0,
        )
        .env("OUTPOST_CONFIG_SERVICE_LONG_POLL_WAIT", "0")
        .start()
}

fn api(path: &str, url: &str) -> String {
    format!("display-name = \"API {path}\"\npath = \"{path}\"\nservice-url = \"{url}\"\n")
}

#[test]
fn invalid_snapshot_is_refused_whole_reported_and_the_next_valid_one_applies() {
    let backend = Backend::start("a");
    let (port, plane) = start_plane();
    plane.publish(1, &[("apis/live.toml", api("live", &backend.url()))]);
    let backup = TempDir::new("backup");
    let gw = gateway_of(port, &backup);
    gw.wait_snapshot(1, SYNC_TIMEOUT);
    assert_eq!(gw.connect().get("/live/fixed").status, 200);

    // Version 2 moves the API and adds a broken file: nothing of it applies.
    let from = gw.line_count();
    plane.publish(
        2,
        &[
            ("apis/live.toml", api("moved", &backend.url())),
            ("apis/broken.toml", "service-url = 42\n".into()),
        ],
    );
    let (_, line) = gw.wait_for_line_after(from, |l| l.contains("snapshot refused as a whole"), SYNC_TIMEOUT);
    assert!(line.contains("broken.toml"), "the refusal names the file: {line}");
    let hb = plane.heartbeat_where("the refusal", |h| h["lastError"].as_str().is_some());
    let err = hb["lastError"].as_str().unwrap_or_default();
    assert!(
        err.contains("snapshot 2 refused") && err.contains("broken.toml"),
        "{hb}"
    );
    assert_eq!(hb["appliedVersion"], 1, "still on the last good version: {hb}");
    assert_eq!(
        gw.connect().get("/live/fixed").status,
        200,
        "the last good configuration"
    );
    assert_eq!(
        gw.connect().get("/moved/fixed").status,
        404,
        "nothing of version 2 applied"
    );

    // A valid version 3 applies and clears the error.
    plane.publish(3, &[("apis/live.toml", api("moved", &backend.url()))]);
    gw.wait_snapshot(3, SYNC_TIMEOUT);
    let hb = plane.heartbeat_where("version 3 applied", |h| h["appliedVersion"] == 3);
    assert!(hb["lastError"].is_null(), "{hb}");
    assert_eq!(gw.connect().get("/moved/fixed").status, 200);
    assert_eq!(gw.connect().get("/live/fixed").status, 404);
}

/// A snapshot whose certificate is broken (here: a key that does not match
/// it) is refused as a whole on the control thread; the last good
/// certificate keeps serving and the refusal is reported.
#[test]
fn broken_certificate_in_a_snapshot_is_refused_and_the_last_good_keeps_serving() {
    use crate::support::tls::{s_client, served_subject, Pki};
    let tmp = TempDir::new("snap-cert");
    let pki = Pki::new(&tmp.0, "sc");
    let good = std::fs::read_to_string(pki.issue("good", "good.api.test", &["api.test"], false)).unwrap();
    pki.issue("other", "other.api.test", &["api.test"], false);
    let crt = std::fs::read_to_string(tmp.0.join("good.crt")).unwrap();
    let wrong_key = std::fs::read_to_string(tmp.0.join("other.key")).unwrap();
    let hostnames = "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n".to_string();
    let (port, plane) = start_plane();
    plane.publish(
        1,
        &[
            ("apis/echo.toml", api("echo", "echo://")),
            ("certificates/api.pem", good),
            ("hostnames.toml", hostnames.clone()),
        ],
    );
    let backup = TempDir::new("snap-cert-backup");
    let gw = gateway_of(port, &backup);
    gw.wait_snapshot(1, SYNC_TIMEOUT);
    let (ok, out) = s_client(gw.https_port, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("good.api.test"), "{out}");

    let from = gw.line_count();
    plane.publish(
        2,
        &[
            ("apis/echo.toml", api("echo", "echo://")),
            ("certificates/api.pem", format!("{crt}{wrong_key}")),
            ("hostnames.toml", hostnames),
        ],
    );
    let (_, line) = gw.wait_for_line_after(from, |l| l.contains("snapshot refused as a whole"), SYNC_TIMEOUT);
    assert!(
        line.contains("certificates/api.pem"),
        "the refusal names the file: {line}"
    );
    assert!(!line.contains("PRIVATE KEY"), "{line}");
    let hb = plane.heartbeat_where("the refusal", |h| h["lastError"].as_str().is_some());
    assert_eq!(hb["appliedVersion"], 1, "{hb}");
    let (ok, out) = s_client(gw.https_port, &["-servername", "api.test"], "");
    assert!(
        ok && served_subject(&out).contains("good.api.test"),
        "the last good certificate: {out}"
    );
}
