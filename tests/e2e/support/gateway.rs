//! Runs the real `outpost` binary on an ephemeral port with a temporary
//! configuration directory, and collects its output lines so that tests can
//! wait on log lines instead of sleeping. The process is killed on drop.

use super::client::Conn;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_outpost");
/// Generous: a bound on a hang, never a speed claim (CI machines are loaded).
pub const LOG_TIMEOUT: Duration = Duration::from_secs(30);

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("outpost-e2e-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A simple proxy API: every method and path under `path` goes to `url`.
pub fn api_toml(path: &str, url: &str) -> String {
    format!("display-name = \"Test {path}\"\npath = \"{path}\"\nservice-url = \"{url}\"\n")
}

#[derive(Default)]
pub(super) struct Output {
    pub(super) lines: Vec<String>,
    pub(super) stdout_closed: bool,
    pub(super) stderr: String,
}

/// A child's output, collected line by line by two reader threads.
#[derive(Default)]
pub(super) struct Shared {
    pub(super) out: Mutex<Output>,
    pub(super) cv: Condvar,
}

impl Shared {
    /// Starts threads collecting the child's stdout lines and stderr.
    pub(super) fn capture(child: &mut Child) -> Arc<Shared> {
        let shared = Arc::new(Shared::default());
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let sh = shared.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sh.out.lock().unwrap_or_else(|e| e.into_inner()).lines.push(line);
                sh.cv.notify_all();
            }
            sh.out.lock().unwrap_or_else(|e| e.into_inner()).stdout_closed = true;
            sh.cv.notify_all();
        });
        let sh = shared.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut o = sh.out.lock().unwrap_or_else(|e| e.into_inner());
                o.stderr.push_str(&line);
                o.stderr.push('\n');
            }
        });
        shared
    }

    /// Waits until `f` returns `Some` for the output lines so far; panics
    /// (with the output) on timeout or when the process closed its stdout.
    pub(super) fn wait_until<T>(
        &self,
        who: &str,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&[String]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(t) = f(&out.lines) {
                return t;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if out.stdout_closed || left.is_zero() {
                panic!(
                    "{who}: {} waiting for {what}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                    if out.stdout_closed { "exited" } else { "timed out" },
                    out.lines.join("\n"),
                    out.stderr
                );
            }
            out = self.cv.wait_timeout(out, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

pub struct GatewayBuilder {
    root: TempDir,
    env: Vec<(String, String)>,
    embedded: bool,
    cpus: Option<String>,
}

impl Default for GatewayBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl GatewayBuilder {
    pub fn new() -> GatewayBuilder {
        let root = TempDir::new("gw");
        std::fs::create_dir_all(root.0.join("config/apis")).unwrap();
        std::fs::create_dir_all(root.0.join("scratch")).unwrap();
        let env = vec![
            ("OUTPOST_NET_SERVER_HTTP_ADDRESS".into(), "127.0.0.1".into()),
            ("OUTPOST_NET_SERVER_HTTP_PORT".into(), "0".into()),
            ("OUTPOST_NET_SERVER_HTTPS_PORT".into(), "0".into()),
            ("OUTPOST_RUNTIME_WORKERS".into(), "2".into()),
        ];
        GatewayBuilder {
            root,
            env,
            embedded: false,
            cpus: None,
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.root.0.join("config")
    }

    /// Writes `apis/<id>.toml`.
    pub fn api(self, id: &str, toml: &str) -> Self {
        std::fs::write(self.config_dir().join(format!("apis/{id}.toml")), toml).unwrap();
        self
    }

    /// Writes any file of the configuration directory (`products/p.toml`,
    /// `subscriptions.toml`, …), creating its directory.
    pub fn file(self, path: &str, content: &str) -> Self {
        let full = self.config_dir().join(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(full, content).unwrap();
        self
    }

    /// A wildcard API `path` forwarding to `url`.
    pub fn proxy(self, id: &str, path: &str, url: &str) -> Self {
        let t = api_toml(path, url);
        self.api(id, &t)
    }

    /// A setting as `OUTPOST_<KEY>`.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    /// No `--config`, started in an empty directory: the embedded default.
    pub fn embedded(mut self) -> Self {
        self.embedded = true;
        self
    }

    /// Runs the gateway under `taskset -c LIST` (its affinity mask).
    pub fn taskset(mut self, list: &str) -> Self {
        self.cpus = Some(list.into());
        self
    }

    /// Management-plane mode: configuration from `endpoint` with the
    /// `GatewayKey …` token, backed up in `backup_dir`; long polls of 5 s,
    /// heartbeats and plain polls every 200 ms. The `--config` directory
    /// stays empty (it only supplies no settings file).
    pub fn remote(self, endpoint: &str, token: &str, backup_dir: &Path) -> Self {
        self.env("OUTPOST_CONFIG_SERVICE_ENDPOINT", endpoint)
            .env("OUTPOST_CONFIG_SERVICE_AUTH", token)
            .env("OUTPOST_CONFIG_BACKUP_PATH", &backup_dir.display().to_string())
            .env("OUTPOST_CONFIG_SERVICE_LONG_POLL_WAIT", "5s")
            .env("OUTPOST_CONFIG_SERVICE_HEARTBEAT_INTERVAL", "200ms")
            .env("OUTPOST_CONFIG_SERVICE_POLL_INTERVAL", "200ms")
    }

    pub fn start(self) -> Gateway {
        let mut cmd = match &self.cpus {
            Some(list) => {
                let mut c = Command::new("taskset");
                c.args(["-c", list, BIN]);
                c
            }
            None => Command::new(BIN),
        };
        cmd.arg("gateway");
        if self.embedded {
            cmd.current_dir(self.root.0.join("scratch"));
        } else {
            cmd.arg("--config").arg(self.config_dir());
        }
        for (k, _) in std::env::vars() {
            if k.starts_with("OUTPOST_") {
                cmd.env_remove(k);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn outpost");
        let shared = Shared::capture(&mut child);
        let workers = self
            .env
            .iter()
            .find(|(k, _)| k == "OUTPOST_RUNTIME_WORKERS")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        let mut gw = Gateway {
            child: Some(child),
            port: 0,
            https_port: 0,
            workers,
            shared,
            root: self.root,
        };
        let ready = gw.wait_for_line(|l| l.contains("outpost gateway ready"), Duration::from_secs(30));
        let listener = field(&ready, "listener").unwrap_or_else(|| panic!("no listener field in {ready:?}"));
        gw.port = listener.rsplit(':').next().unwrap().parse().expect("listener port");
        let https = field(&ready, "https_listener").unwrap_or_else(|| panic!("no https_listener field in {ready:?}"));
        gw.https_port = https.rsplit(':').next().unwrap().parse().expect("https listener port");
        gw
    }
}

/// A field of a log line: `key=value` (text) or `"key":"value"` / `"key":value` (JSON).
pub fn field(line: &str, key: &str) -> Option<String> {
    let text_key = format!("{key}=");
    if let Some(i) = line
        .find(&text_key)
        .filter(|&i| i == 0 || line.as_bytes()[i - 1] == b' ')
    {
        let v = &line[i + text_key.len()..];
        return Some(v.split_whitespace().next().unwrap_or("").trim_matches('"').to_string());
    }
    let json_key = format!("\"{key}\":");
    let i = line.find(&json_key)?;
    let v = &line[i + json_key.len()..];
    if let Some(s) = v.strip_prefix('"') {
        return Some(s[..s.find('"')?].to_string());
    }
    Some(v[..v.find([',', '}']).unwrap_or(v.len())].to_string())
}

pub struct Gateway {
    child: Option<Child>,
    pub port: u16,
    /// The HTTPS listener's port.
    pub https_port: u16,
    pub workers: usize,
    shared: Arc<Shared>,
    root: TempDir,
}

impl Gateway {
    pub fn builder() -> GatewayBuilder {
        GatewayBuilder::new()
    }

    pub fn connect(&self) -> Conn {
        Conn::connect(self.port)
    }

    pub fn config_dir(&self) -> PathBuf {
        self.root.0.join("config")
    }

    /// Replaces `apis/<id>.toml` atomically (write elsewhere, then rename).
    pub fn write_api(&self, id: &str, toml: &str) {
        let tmp = self.root.0.join("scratch").join(format!("{id}.toml"));
        std::fs::write(&tmp, toml).unwrap();
        std::fs::rename(&tmp, self.config_dir().join(format!("apis/{id}.toml"))).unwrap();
    }

    /// Replaces any configuration file atomically (write elsewhere, rename).
    pub fn write_file(&self, rel: &str, content: &str) {
        let tmp = self.root.0.join("scratch").join("replace.tmp");
        std::fs::write(&tmp, content).unwrap();
        std::fs::rename(&tmp, self.config_dir().join(rel)).unwrap();
    }

    pub fn line_count(&self) -> usize {
        self.shared.out.lock().unwrap_or_else(|e| e.into_inner()).lines.len()
    }

    pub fn lines(&self) -> Vec<String> {
        self.shared.out.lock().unwrap_or_else(|e| e.into_inner()).lines.clone()
    }

    /// Waits until `f` returns `Some` for the output lines so far.
    pub fn wait_until<T>(&self, what: &str, timeout: Duration, f: impl FnMut(&[String]) -> Option<T>) -> T {
        self.shared.wait_until("gateway", what, timeout, f)
    }

    /// The first line (from the start) matching `pred`.
    pub fn wait_for_line(&self, pred: impl Fn(&str) -> bool, timeout: Duration) -> String {
        self.wait_for_line_after(0, pred, timeout).1
    }

    /// The first line at index >= `from` matching `pred`, with its index.
    pub fn wait_for_line_after(&self, from: usize, pred: impl Fn(&str) -> bool, timeout: Duration) -> (usize, String) {
        self.wait_until("a log line", timeout, |lines| {
            lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| pred(l))
                .map(|(i, l)| (i, l.clone()))
        })
    }

    /// Waits until every worker applied a configuration compiled after line
    /// `from`; returns its hash.
    pub fn wait_reload_after(&self, from: usize) -> String {
        let (i, line) = self.wait_for_line_after(from, |l| l.contains("configuration compiled"), LOG_TIMEOUT);
        let hash = field(&line, "config_hash").expect("config_hash field");
        assert_eq!(hash.len(), 16, "config_hash is 16 hex digits: {line}");
        let workers = self.workers;
        self.wait_until("every worker to apply the new configuration", LOG_TIMEOUT, |lines| {
            let n = lines[i..]
                .iter()
                .filter(|l| {
                    l.contains("worker applied configuration") && field(l, "config_hash").as_deref() == Some(&hash)
                })
                .count();
            (n >= workers).then_some(())
        });
        hash
    }

    /// Waits until a management-plane snapshot of version >= `min` was
    /// accepted and every worker applied it; returns (version, config hash).
    pub fn wait_snapshot(&self, min: u64, timeout: Duration) -> (u64, String) {
        let (i, version) = self.wait_until(
            &format!("a management-plane snapshot of version >= {min}"),
            timeout,
            |lines| {
                lines.iter().enumerate().find_map(|(i, l)| {
                    let v: u64 = field(l, "version")?.parse().ok()?;
                    (l.contains("management-plane snapshot accepted") && v >= min).then_some((i, v))
                })
            },
        );
        (version, self.wait_reload_after(i))
    }

    /// Lines (so far) containing `needle`.
    pub fn lines_with(&self, needle: &str) -> Vec<String> {
        self.lines().into_iter().filter(|l| l.contains(needle)).collect()
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        let r = unsafe { libc::kill(self.pid(), sig) };
        assert_eq!(r, 0, "kill({}, {sig})", self.pid());
    }

    /// Waits for the process to exit: first for its stdout to close, then
    /// for the exit status (bounded).
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        {
            let mut out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
            while !out.stdout_closed {
                let left = deadline.saturating_duration_since(Instant::now());
                assert!(
                    !left.is_zero(),
                    "gateway did not exit; output:\n{}",
                    out.lines.join("\n")
                );
                out = self
                    .shared
                    .cv
                    .wait_timeout(out, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        let child = self.child.as_mut().expect("process already reaped");
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "gateway closed stdout but did not exit");
            // Polling an external condition (process exit) with a deadline.
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Peak resident set (VmHWM) in KiB.
    pub fn peak_rss_kb(&self) -> u64 {
        proc_status_kb(self.pid(), "VmHWM:")
    }
}

fn proc_status_kb(pid: i32, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    let line = s
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("{key} in /proc/{pid}/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if std::thread::panicking() {
            let out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "--- gateway stdout ---\n{}\n--- gateway stderr ---\n{}",
                out.lines.join("\n"),
                out.stderr
            );
        }
    }
}

/// Runs `outpost check-config DIR`; returns (exit code, stdout, stderr).
pub fn check_config(dir: &Path) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("check-config")
        .arg(dir)
        .output()
        .expect("run check-config");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
