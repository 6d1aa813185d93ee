//! A real Prometheus server (Debian's `prometheus`, installed by test.sh)
//! scraping given targets every second, with its TSDB in a temporary
//! directory, queried through its HTTP API (`/api/v1/query`).
//!
//! Prometheus cannot report an ephemeral listen port, so the port is one the
//! kernel just handed out (bound and released); if Prometheus loses the
//! race for it, another is tried.

use super::client::Conn;
use super::gateway::TempDir;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = "prometheus";

pub struct Prometheus {
    child: Child,
    pub port: u16,
    _dir: TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

impl Prometheus {
    /// Starts Prometheus scraping `targets` (`host:port`) as job `outpost`
    /// every second; returns once it answers `/-/ready`.
    pub fn start(targets: &[String]) -> Prometheus {
        let dir = TempDir::new("prometheus");
        let list = targets.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: outpost\n    static_configs:\n      - targets: [{list}]\n"
        );
        let config_file = dir.0.join("prometheus.yml");
        std::fs::write(&config_file, config).expect("write prometheus.yml");
        for _attempt in 0..5 {
            let port = free_port();
            let mut child = Command::new(BIN)
                .arg(format!("--config.file={}", config_file.display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg(format!("--storage.tsdb.path={}", dir.0.join("data").display()))
                .arg("--log.level=warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn prometheus (test.sh installs Debian's prometheus)");
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // lost the port (or failed): try another
                }
                if let Ok(mut c) = Conn::try_connect(port) {
                    let r = c.get("/-/ready");
                    if r.status == 200 {
                        return Prometheus { child, port, _dir: dir };
                    }
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("prometheus did not become ready on port {port}");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!("prometheus did not start");
    }

    /// The result of an instant query (`data.result`).
    pub fn query(&self, q: &str) -> Vec<serde_json::Value> {
        let enc: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let r = Conn::connect(self.port).get(&format!("/api/v1/query?query={enc}"));
        assert_eq!(r.status, 200, "query {q}: {}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("query JSON");
        v["data"]["result"].as_array().cloned().unwrap_or_default()
    }

    /// The single value of an instant query, if it has exactly one series.
    pub fn value(&self, q: &str) -> Option<f64> {
        let r = self.query(q);
        match r.as_slice() {
            [one] => one["value"][1].as_str()?.parse().ok(),
            _ => None,
        }
    }

    /// Waits until `q` has the single value `want` (Prometheus scrapes every
    /// second; the gateway's workers hand their counts over every second).
    pub fn wait_value(&self, q: &str, want: f64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.value(q);
            if got == Some(want) {
                return;
            }
            if Instant::now() > deadline {
                panic!("{q}: wanted {want}, have {got:?}: {:?}", self.query(q));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
