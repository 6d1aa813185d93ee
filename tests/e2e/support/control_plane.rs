//! Runs the real `outpost control-plane` on 127.0.0.1 with a temporary data
//! directory, and talks to its REST API with the raw test client. The
//! process is killed on drop; it can be stopped and restarted on the same
//! port and data directory (to simulate an outage of the management plane).

use super::client::{Conn, Response};
use super::gateway::{Shared, TempDir, BIN};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct ControlPlane {
    child: Option<Child>,
    shared: Arc<Shared>,
    data: TempDir,
    pub port: u16,
    admin: String,
    env: Vec<(String, String)>,
}

/// Spawns the control plane; `Ok(port)` once it prints its listening line,
/// `Err(output)` when it exits first (e.g. the port is taken).
fn spawn(data: &PathBuf, listen: &str, env: &[(String, String)]) -> Result<(Child, Arc<Shared>, u16), String> {
    let mut cmd = Command::new(BIN);
    cmd.arg("control-plane")
        .arg("--data")
        .arg(data)
        .arg("--listen")
        .arg(listen);
    for (k, _) in std::env::vars() {
        if k.starts_with("OUTPOST_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn outpost control-plane");
    let shared = Shared::capture(&mut child);
    let deadline = Instant::now() + START_TIMEOUT;
    let mut out = shared.out.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let listening = out.lines.iter().find_map(|l| {
            let rest = l.strip_prefix("outpost control-plane listening on http://127.0.0.1:")?;
            rest.split(' ').next()?.parse::<u16>().ok()
        });
        if let Some(port) = listening {
            drop(out);
            return Ok((child, shared, port));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if out.stdout_closed || left.is_zero() {
            let msg = format!(
                "control plane {} before listening\n--- stdout ---\n{}\n--- stderr ---\n{}",
                if out.stdout_closed { "exited" } else { "timed out" },
                out.lines.join("\n"),
                out.stderr
            );
            drop(out);
            let _ = child.kill();
            let _ = child.wait();
            return Err(msg);
        }
        out = shared.cv.wait_timeout(out, left).unwrap_or_else(|e| e.into_inner()).0;
    }
}

impl ControlPlane {
    /// A fresh data directory and an ephemeral port.
    pub fn start() -> ControlPlane {
        Self::start_in(TempDir::new("cp"))
    }

    /// Like `start`, with `admin-token` provisioned in the data directory
    /// before the first start (as a mounted Kubernetes Secret would be).
    pub fn start_with_admin_token(token: &str) -> ControlPlane {
        let data = TempDir::new("cp");
        std::fs::write(data.0.join("admin-token"), format!("{token}\n")).expect("write admin-token");
        Self::start_in(data)
    }

    /// Like `start`, with settings (`mgmt.auth.admin.issuer`, …) in its environment.
    pub fn start_with_settings(settings: &[(&str, &str)]) -> ControlPlane {
        let env = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Self::start_env(TempDir::new("cp"), env)
    }

    fn start_in(data: TempDir) -> ControlPlane {
        Self::start_env(data, Vec::new())
    }

    fn start_env(data: TempDir, env: Vec<(String, String)>) -> ControlPlane {
        let (child, shared, port) = spawn(&data.0, "127.0.0.1:0", &env).unwrap_or_else(|e| panic!("{e}"));
        let admin = std::fs::read_to_string(data.0.join("admin-token"))
            .expect("read admin-token")
            .trim()
            .to_string();
        assert!(!admin.is_empty(), "the admin token file is empty");
        ControlPlane {
            child: Some(child),
            shared,
            data,
            port,
            admin,
            env,
        }
    }

    /// Kills the process (an abrupt outage) and reaps it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts again on the same port with the same data directory. The port
    /// can be briefly unavailable; binding is retried until a deadline.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + START_TIMEOUT;
        let listen = format!("127.0.0.1:{}", self.port);
        loop {
            match spawn(&self.data.0, &listen, &self.env) {
                Ok((child, shared, port)) => {
                    assert_eq!(port, self.port, "restarted on the same port");
                    self.child = Some(child);
                    self.shared = shared;
                    return;
                }
                Err(e) => {
                    assert!(Instant::now() < deadline, "cannot restart the control plane: {e}");
                    // Polling an external condition (the port becoming free) with a deadline.
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    /// `http://127.0.0.1:PORT`, for `config.service.endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn admin_token(&self) -> &str {
        &self.admin
    }

    /// One request on a fresh connection, with an optional `Authorization`.
    pub fn raw(&self, method: &str, path: &str, authorization: Option<&str>, body: &str) -> Response {
        let mut headers = vec![("Connection", "close"), ("Content-Type", "application/json")];
        if let Some(a) = authorization {
            headers.push(("Authorization", a));
        }
        Conn::connect(self.port).request(method, path, &headers, body.as_bytes())
    }

    /// One request on a fresh connection with extra header fields.
    pub fn raw_with(&self, method: &str, path: &str, extra: &[(&str, &str)], body: &str) -> Response {
        let mut headers = vec![("Connection", "close"), ("Content-Type", "application/json")];
        headers.extend_from_slice(extra);
        Conn::connect(self.port).request(method, path, &headers, body.as_bytes())
    }

    /// An admin request with its own `Content-Type`; the answer parsed as JSON.
    pub fn admin_typed(&self, method: &str, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        let auth = format!("Bearer {}", self.admin);
        let headers = [
            ("Connection", "close"),
            ("Content-Type", content_type),
            ("Authorization", auth.as_str()),
        ];
        let r = Conn::connect(self.port).request(method, path, &headers, body.as_bytes());
        let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        (r.status, v)
    }

    /// Like `raw`, with the body parsed as JSON (`Null` when empty).
    pub fn call(&self, method: &str, path: &str, authorization: Option<&str>, body: &str) -> (u16, Value) {
        let r = self.raw(method, path, authorization, body);
        let v = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&r.body)
                .unwrap_or_else(|e| panic!("{method} {path}: {} with a non-JSON body ({e}): {}", r.status, r.text()))
        };
        (r.status, v)
    }

    /// An admin call that must succeed (2xx); returns the JSON body.
    pub fn admin(&self, method: &str, path: &str, body: &str) -> Value {
        let (status, v) = self.call(method, path, Some(&format!("Bearer {}", self.admin)), body);
        assert!(
            (200..300).contains(&status),
            "{method} {path} {body}: expected 2xx, got {status}: {v}"
        );
        v
    }

    pub fn put_gateway(&self, id: &str) {
        self.admin(
            "PUT",
            &format!("/mgmt/gateways/{id}"),
            &json!({ "description": format!("e2e gateway {id}") }).to_string(),
        );
    }

    /// An API with no operations: every method and path under `path`.
    pub fn put_api(&self, id: &str, path: &str, service_url: &str) {
        let body = json!({ "displayName": format!("API {id}"), "path": path, "serviceUrl": service_url });
        self.admin("PUT", &format!("/mgmt/apis/{id}"), &body.to_string());
    }

    pub fn assign(&self, gw: &str, api: &str) {
        self.admin("PUT", &format!("/mgmt/gateways/{gw}/apis/{api}"), "");
    }

    pub fn unassign(&self, gw: &str, api: &str) {
        self.admin("DELETE", &format!("/mgmt/gateways/{gw}/apis/{api}"), "");
    }

    /// A `GatewayKey …` token for `gw` (primary key) valid for 20 days.
    pub fn token(&self, gw: &str) -> String {
        let expiry = iso_utc(unix_now() + 20 * 86400);
        let v = self.admin(
            "POST",
            &format!("/mgmt/gateways/{gw}/generateToken"),
            &json!({ "keyType": "primary", "expiry": expiry }).to_string(),
        );
        let token = v["value"].as_str().unwrap_or_else(|| panic!("no token value in {v}"));
        assert!(token.starts_with(&format!("GatewayKey {gw}&")), "token shape: {token}");
        token.to_string()
    }

    /// The global configuration version.
    pub fn version(&self) -> u64 {
        let v = self.admin("GET", "/mgmt/version", "");
        v["version"].as_u64().unwrap_or_else(|| panic!("no version in {v}"))
    }

    /// `GET /gateway/config` with the given `Authorization` value.
    pub fn gateway_config(&self, authorization: &str) -> (u16, Value) {
        self.call("GET", "/gateway/config", Some(authorization), "")
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            let out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "--- control plane stdout ---\n{}\n--- control plane stderr ---\n{}",
                out.lines.join("\n"),
                out.stderr
            );
        }
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (proleptic Gregorian, UTC).
pub fn iso_utc(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(86400));
    let s = t.rem_euclid(86400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// `yyyyMMddHHmm` for a Unix time, the expiry field of a gateway token.
pub fn compact_utc(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(86400));
    let s = t.rem_euclid(86400);
    format!("{y:04}{m:02}{d:02}{:02}{:02}", s / 3600, s / 60 % 60)
}

/// (year, month, day) of a day count since 1970-01-01, by counting whole
/// years then months (slow but obviously right for test dates).
fn civil(mut days: i64) -> (i64, i64, i64) {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    (year, month as i64 + 1, days + 1)
}
