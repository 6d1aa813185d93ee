//! Certificates and host names from the management plane, end to end: the
//! real `outpost control-plane` configured over REST, a gateway in
//! management-plane mode serving them over HTTPS (`openssl s_client`,
//! `curl --resolve`), rotation under load, the local TLS files merged on
//! top, and API `protocols`.

use crate::support::gateway::{TempDir, LOG_TIMEOUT};
use crate::support::tls::{curl, resolve, s_client, served_subject, HttpsLoad, Pki};
use crate::support::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

fn pem(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn admin_call(cp: &ControlPlane, method: &str, path: &str, body: &str) -> (u16, Value) {
    cp.call(method, path, Some(&format!("Bearer {}", cp.admin_token())), body)
}

/// A control plane with gateway `gw1` serving the echo API (both schemes).
fn plane_with_echo() -> (ControlPlane, String) {
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("echo", "echo", "echo://");
    cp.assign("gw1", "echo");
    let token = cp.token("gw1");
    (cp, token)
}

/// One keep-alive TLS connection driven through `openssl s_client`.
struct KeepAlive {
    child: Child,
    stdin: ChildStdin,
    out: BufReader<ChildStdout>,
}

impl KeepAlive {
    fn open(port: u16, name: &str, ca: &Path) -> KeepAlive {
        let mut child = Command::new("timeout")
            .args(["120", "openssl", "s_client", "-quiet", "-connect"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-servername", name, "-CAfile"])
            .arg(ca)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run openssl s_client");
        let stdin = child.stdin.take().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        KeepAlive { child, stdin, out }
    }

    /// A GET on this connection; the status (0 when the connection broke).
    fn get(&mut self, path: &str, host: &str) -> u16 {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        if self
            .stdin
            .write_all(req.as_bytes())
            .and_then(|_| self.stdin.flush())
            .is_err()
        {
            return 0;
        }
        let mut line = String::new();
        if self.out.read_line(&mut line).unwrap_or(0) == 0 {
            return 0;
        }
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if self.out.read_line(&mut h).unwrap_or(0) == 0 {
                return 0;
            }
            if h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; len];
        if self.out.read_exact(&mut body).is_err() {
            return 0;
        }
        status
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn certificate_and_hostname_via_rest_are_served_and_rotate_under_load() {
    let tmp = TempDir::new("mgmt-tls");
    let pki = Pki::new(&tmp.0, "m");
    let first = pki.issue("first", "first.api.test", &["api.test"], false);
    let second = pki.issue("second", "second.api.test", &["api.test"], false);
    let (cp, token) = plane_with_echo();

    // Uploads are checked like the gateway compiles them; keys never come back.
    let (code, v) = admin_call(
        &cp,
        "PUT",
        "/mgmt/certificates/api",
        &json!({ "pem": pem(&first) }).to_string(),
    );
    assert_eq!(code, 201, "{v}");
    assert_eq!(v["hasPrivateKey"], true, "{v}");
    assert!(
        v["subject"].as_str().unwrap_or_default().contains("first.api.test"),
        "{v}"
    );
    assert_eq!(v["thumbprint"].as_str().map(str::len), Some(40), "{v}");
    for (path, body) in [
        ("/mgmt/certificates/api", String::new()),
        ("/mgmt/certificates", String::new()),
    ] {
        let (code, v) = admin_call(&cp, "GET", path, &body);
        assert_eq!(code, 200, "{v}");
        let text = v.to_string();
        assert!(
            !text.contains("PRIVATE KEY") && !text.contains("BEGIN"),
            "{path}: {text}"
        );
    }
    let crt = std::fs::read_to_string(tmp.0.join("first.crt")).unwrap();
    let other_key = std::fs::read_to_string(tmp.0.join("second.key")).unwrap();
    for (what, body) in [
        (
            "garbage",
            json!({ "pem": "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n" }),
        ),
        ("no PEM", json!({ "pem": "hello" })),
        (
            "a key that does not match",
            json!({ "pem": format!("{crt}{other_key}") }),
        ),
        ("not a PFX", json!({ "data": "MIIB", "password": "x" })),
        ("nothing", json!({})),
    ] {
        let (code, v) = admin_call(&cp, "PUT", "/mgmt/certificates/bad", &body.to_string());
        assert_eq!(code, 400, "{what}: {v}");
        assert!(!v.to_string().contains("PRIVATE"), "{what}: {v}");
    }
    // A CA-only certificate is fine to store but cannot serve a host name.
    let (code, v) = admin_call(&cp, "PUT", "/mgmt/certificates/ca", &json!({ "pem": crt }).to_string());
    assert_eq!((code, v["hasPrivateKey"].clone()), (201, json!(false)), "{v}");
    for (what, body) in [
        ("no key", json!({ "hostname": "api.test", "certificateId": "ca" })),
        (
            "unknown certificate",
            json!({ "hostname": "api.test", "certificateId": "nope" }),
        ),
        (
            "TLS 1.0",
            json!({ "hostname": "api.test", "certificateId": "api", "tls10Enabled": true }),
        ),
        ("bad host", json!({ "hostname": "api/test", "certificateId": "api" })),
        (
            "bad protocol",
            json!({ "hostname": "api.test", "certificateId": "api", "protocols": ["tls1.1"] }),
        ),
    ] {
        let (code, v) = admin_call(
            &cp,
            "PUT",
            "/mgmt/gateways/gw1/hostnameConfigurations/h",
            &body.to_string(),
        );
        assert_eq!(code, 400, "{what}: {v}");
    }
    let hc = json!({
        "hostname": "api.test",
        "certificateId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/x/certificates/api",
        "negotiateClientCertificate": false,
    });
    let (code, v) = admin_call(
        &cp,
        "PUT",
        "/mgmt/gateways/gw1/hostnameConfigurations/api",
        &hc.to_string(),
    );
    assert_eq!(code, 201, "{v}");
    assert_eq!(v["certificateId"], "api", "stored as the bare id: {v}");
    let (code, _) = admin_call(&cp, "DELETE", "/mgmt/certificates/api", "");
    assert_eq!(code, 409, "a certificate in use cannot be deleted");

    let backup = TempDir::new("mgmt-tls-backup");
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), &token, &backup.0)
        .env("OUTPOST_RUNTIME_WORKERS", "2")
        .start();
    gw.wait_snapshot(1, SYNC_TIMEOUT);
    let p = gw.https_port;
    let ca = pki.ca();
    let ca_s = ca.to_str().unwrap().to_owned();
    let url = format!("https://api.test:{p}/echo/hello");
    let (code, body) = curl(&["--cacert", &ca_s, "--resolve", &resolve("api.test", p), &url]);
    assert_eq!(code, 200, "{body}");
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("first.api.test"), "{out}");

    // The backup holds the certificate (0600) so a restart serves it offline.
    let backup_file = backup.0.join("snapshot.lock.json");
    let saved = std::fs::read_to_string(&backup_file).unwrap();
    assert!(saved.contains("certificates/api.pem") && saved.contains("hostnames.toml"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&backup_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Rotation through REST while a keep-alive connection and a load loop run.
    let mut kept = KeepAlive::open(p, "api.test", &ca);
    assert_eq!(kept.get("/echo/before", "api.test"), 200);
    // Bounded: at most 300 curl runs per thread.
    let load = HttpsLoad::start("api.test", p, &ca, 2, 300);
    let version = cp.version();
    let (code, v) = admin_call(
        &cp,
        "PUT",
        "/mgmt/certificates/api",
        &json!({ "pem": pem(&second) }).to_string(),
    );
    assert_eq!(code, 200, "{v}");
    gw.wait_snapshot(version + 1, SYNC_TIMEOUT);
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("second.api.test"), "{out}");
    assert_eq!(
        kept.get("/echo/after", "api.test"),
        200,
        "the keep-alive connection survived"
    );
    load.finish();
    assert!(
        gw.lines().iter().all(|l| !l.contains("PRIVATE KEY")),
        "no key material in the gateway's log"
    );
}

#[test]
fn local_tls_files_override_the_management_plane_and_broken_ones_keep_the_last_good() {
    let tmp = TempDir::new("mgmt-tls-local");
    let pki = Pki::new(&tmp.0, "l");
    let remote = pki.issue("remote", "remote.api.test", &["api.test", "other.test"], false);
    let local = pki.issue("local", "local.api.test", &["api.test"], false);
    let (cp, token) = plane_with_echo();
    cp.admin(
        "PUT",
        "/mgmt/certificates/api",
        &json!({ "pem": pem(&remote) }).to_string(),
    );
    for (id, host) in [("api", "api.test"), ("other", "other.test")] {
        let hc = json!({ "hostname": host, "certificateId": "api" });
        cp.admin(
            "PUT",
            &format!("/mgmt/gateways/gw1/hostnameConfigurations/{id}"),
            &hc.to_string(),
        );
    }
    // The gateway's own directory names api.test with a local certificate.
    let backup = TempDir::new("mgmt-tls-local-backup");
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), &token, &backup.0)
        .file("certificates/mine.pem", &pem(&local))
        .file(
            "hostnames.toml",
            "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"mine\"\n",
        )
        .start();
    gw.wait_snapshot(1, SYNC_TIMEOUT);
    let p = gw.https_port;
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(
        ok && served_subject(&out).contains("local.api.test"),
        "local wins: {out}"
    );
    let (ok, out) = s_client(p, &["-servername", "other.test"], "");
    assert!(ok && served_subject(&out).contains("remote.api.test"), "{out}");
    assert!(!gw.lines_with("the local hostnames.toml replaces").is_empty());

    // A broken local certificate: refused as a whole, the last good serves.
    let from = gw.line_count();
    gw.write_file(
        "certificates/mine.pem",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    gw.wait_for_line_after(from, |l| l.contains("local TLS files rejected"), LOG_TIMEOUT);
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("local.api.test"), "{out}");

    // Removing the local files hands api.test back to the management plane.
    let from = gw.line_count();
    std::fs::remove_file(gw.config_dir().join("certificates/mine.pem")).unwrap();
    std::fs::remove_file(gw.config_dir().join("hostnames.toml")).unwrap();
    gw.wait_reload_after(from);
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("remote.api.test"), "{out}");
}

#[test]
fn api_protocols_limit_the_schemes_an_api_answers_on() {
    let tmp = TempDir::new("mgmt-proto");
    let pki = Pki::new(&tmp.0, "p");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let (cp, token) = plane_with_echo();
    cp.admin(
        "PUT",
        "/mgmt/certificates/api",
        &json!({ "pem": pem(&cert) }).to_string(),
    );
    let hc = json!({ "hostname": "api.test", "certificateId": "api" });
    cp.admin("PUT", "/mgmt/gateways/gw1/hostnameConfigurations/api", &hc.to_string());
    for (id, protocols) in [("secure", json!(["https"])), ("plain", json!(["HTTP"]))] {
        let body = json!({ "displayName": id, "path": id, "serviceUrl": "echo://", "protocols": protocols });
        cp.admin("PUT", &format!("/mgmt/apis/{id}"), &body.to_string());
        cp.assign("gw1", id);
    }
    let (code, v) = admin_call(
        &cp,
        "PUT",
        "/mgmt/apis/none",
        &json!({ "displayName": "n", "path": "n", "serviceUrl": "echo://", "protocols": [] }).to_string(),
    );
    assert_eq!(code, 400, "{v}");
    let backup = TempDir::new("mgmt-proto-backup");
    let gw = Gateway::builder().remote(&cp.endpoint(), &token, &backup.0).start();
    gw.wait_snapshot(1, SYNC_TIMEOUT);
    let ca = pki.ca();
    let ca = ca.to_str().unwrap();
    let https = |path: &str| {
        let url = format!("https://api.test:{}{path}", gw.https_port);
        curl(&["--cacert", ca, "--resolve", &resolve("api.test", gw.https_port), &url]).0
    };
    let http = |path: &str| gw.connect().get(path).status;
    assert_eq!((https("/secure/x"), http("/secure/x")), (200, 404));
    assert_eq!((https("/plain/x"), http("/plain/x")), (404, 200));
    assert_eq!((https("/echo/x"), http("/echo/x")), (200, 200), "both by default");
}

/// APIM's PKCS#12 upload (`data` + `password`): OpenSSL 3's default
/// (PBES2/AES) and the legacy 3DES form Windows exports are both read; a
/// wrong password or a file that is not a PFX is a 400.
#[test]
fn pfx_uploads_are_read_and_bad_ones_refused() {
    use base64::Engine;
    let tmp = TempDir::new("mgmt-pfx");
    let pki = Pki::new(&tmp.0, "x");
    pki.issue("site", "site.test", &["site.test"], false);
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    let legacy = [
        "-certpbe",
        "PBE-SHA1-3DES",
        "-keypbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ];
    for (name, extra) in [("modern", &[][..]), ("legacy", &legacy[..])] {
        let out = Command::new("openssl")
            .args([
                "pkcs12",
                "-export",
                "-in",
                "site.crt",
                "-inkey",
                "site.key",
                "-passout",
                "pass:s3cret",
                "-out",
            ])
            .arg(format!("{name}.pfx"))
            .args(extra)
            .current_dir(&tmp.0)
            .output()
            .expect("run openssl pkcs12");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let pfx = std::fs::read(tmp.0.join(format!("{name}.pfx"))).unwrap();
        let data = base64::engine::general_purpose::STANDARD.encode(&pfx);
        let path = format!("/mgmt/certificates/{name}");
        let (code, v) = admin_call(
            &cp,
            "PUT",
            &path,
            &json!({ "data": data, "password": "wrong" }).to_string(),
        );
        assert_eq!(code, 400, "{name}, wrong password: {v}");
        let (code, v) = admin_call(
            &cp,
            "PUT",
            &path,
            &json!({ "data": data, "password": "s3cret" }).to_string(),
        );
        assert_eq!(code, 201, "{name}: {v}");
        assert_eq!(v["hasPrivateKey"], true, "{name}: {v}");
        assert!(
            v["subject"].as_str().unwrap_or_default().contains("site.test"),
            "{name}: {v}"
        );
        // Usable for a host name: the key came along and matches.
        let hc = json!({ "hostname": format!("{name}.test"), "certificateId": name });
        cp.admin(
            "PUT",
            &format!("/mgmt/gateways/gw1/hostnameConfigurations/{name}"),
            &hc.to_string(),
        );
    }
    let (code, v) = admin_call(
        &cp,
        "PUT",
        "/mgmt/certificates/x",
        &json!({ "data": "!!!", "password": "p" }).to_string(),
    );
    assert_eq!(code, 400, "{v}");
    let (code, v) = admin_call(
        &cp,
        "PUT",
        "/mgmt/certificates/x",
        &json!({ "data": "AAAA", "password": "p" }).to_string(),
    );
    assert_eq!(code, 400, "{v}");
}
