//! `outpost probe`, the health check of the container image (which has no
//! curl): exit 0 only when the gateway answers 200 on the status path.

use crate::support::gateway::BIN;
use crate::support::Gateway;
use std::process::{Command, Output};

fn probe(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("probe").args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("OUTPOST_") || k.contains('.') {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run outpost probe")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn probe_passes_on_a_live_gateway_and_fails_otherwise() {
    let gw = Gateway::builder().embedded().start();
    let port = gw.port.to_string();

    let out = probe(&["--port", &port], &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("/status-0123456789abcdef: 200"));

    // The port comes from the settings when not given, with APIM's names.
    let out = probe(&[], &[("net.server.http.port", &port)]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    // ... or from the settings file the gateway reads (DIR/settings.conf).
    let dir = crate::support::gateway::TempDir::new("probe");
    std::fs::write(dir.0.join("settings.conf"), format!("net.server.http.port = {port}\n")).unwrap();
    let out = probe(&["--config", &dir.0.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    // Readiness path: the embedded configuration is loaded.
    let out = probe(&["--port", &port, "--path", "/internal-status-0123456789abcdef"], &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    // Any answer other than 200 fails.
    let out = probe(&["--port", &port, "--path", "/no-such-api"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("answered 404"), "{}", text(&out.stderr));

    // Nothing listening fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let out = probe(&["--port", &closed_port], &[]);
    assert_eq!(out.status.code(), Some(1), "stdout: {}", text(&out.stdout));
    assert!(
        text(&out.stderr).starts_with("outpost probe: "),
        "{}",
        text(&out.stderr)
    );
}
