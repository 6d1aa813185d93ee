//! A real browser for the console tests: Debian's `chromium`, headless,
//! driven by the npm package `playwright-core` (tests/console/console.mjs)
//! with a fresh profile directory. ./test.sh installs both; the Node
//! packages are installed here too (once per test process) when missing.

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// A bound on a hang (a browser start on a loaded machine is slow).
const TIMEOUT: Duration = Duration::from_secs(180);

fn console_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/console")
}

fn ensure_installed() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        assert!(
            Path::new("/usr/bin/chromium").exists(),
            "Debian's chromium is needed for the console test; ./test.sh installs it"
        );
        super::npm::ci_unless_installed(&console_dir(), "playwright-core", "the console test");
    });
}

/// Signs in to the console at `base` with `token`, reads the section of
/// `gateway`, writes a full-page screenshot to `screenshot`; returns what
/// the script saw (see console.mjs).
pub fn visit_console(base: &str, token: &str, gateway: &str, profile: &Path, screenshot: &Path) -> Value {
    ensure_installed();
    let opts = serde_json::json!({
        "base": base,
        "token": token,
        "gateway": gateway,
        "profile": profile,
        "screenshot": screenshot,
    });
    let mut child = Command::new("node")
        .arg(console_dir().join("console.mjs"))
        .arg(opts.to_string())
        .current_dir(console_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node tests/console/console.mjs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut out, mut err) = (String::new(), String::new());
        let _ = stdout.read_to_string(&mut out);
        let _ = stderr.read_to_string(&mut err);
        let _ = tx.send((out, err));
    });
    let (out, err) = match rx.recv_timeout(TIMEOUT) {
        Ok(o) => o,
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser script did not finish within {TIMEOUT:?}");
        }
    };
    let status = child.wait().expect("wait for node");
    assert!(status.success(), "console.mjs failed ({status}):\n{err}\n{out}");
    let line = out.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("console.mjs printed {out:?} ({e}); stderr: {err}"))
}
