//! TLS end to end: real TLS clients (`openssl s_client`, `curl`) against
//! the real gateway, with certificates made at test time by a throw-away CA.

use crate::support::gateway::{check_config, field, GatewayBuilder, TempDir, LOG_TIMEOUT};
use crate::support::tls::{curl, resolve, s_client, served_subject, HttpsLoad, Pki};
use crate::support::{Backend, Gateway};
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

const ECHO: &str = "display-name = \"Echo\"\npath = \"echo\"\nservice-url = \"echo://\"\n";

/// A gateway with the echo API and `hostnames.toml`; `certs` are
/// (id, PEM file) pairs copied to `certificates/<id>.pem`.
fn tls_gateway(hostnames: &str, certs: &[(&str, &Path)]) -> GatewayBuilder {
    let mut b = Gateway::builder()
        .api("echo", ECHO)
        .file("hostnames.toml", hostnames)
        .env("OUTPOST_TELEMETRY_LOGS_STD_LEVEL", "debug");
    for (id, p) in certs {
        b = b.file(&format!("certificates/{id}.pem"), &read(p));
    }
    b
}

#[test]
fn https_versions_and_handshake_failures() {
    let tmp = TempDir::new("tls-ver");
    let pki = Pki::new(&tmp.0, "v");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let gw = tls_gateway(
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n",
        &[("api", &cert)],
    )
    .start();
    let ca = pki.ca();
    let ca = ca.to_str().unwrap();
    let url = format!("https://api.test:{}/echo/hello", gw.https_port);
    let (code, body) = curl(&["--cacert", ca, "--resolve", &resolve("api.test", gw.https_port), &url]);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("/echo/hello"), "{body}");
    for (flag, want) in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let (ok, out) = s_client(gw.https_port, &["-servername", "api.test", flag], "");
        assert!(ok, "{flag}: {out}");
        assert!(out.contains(want), "{flag}: {out}");
    }
    // TLS 1.1 is never offered; the failure is counted and logged at debug.
    let (ok, out) = s_client(
        gw.https_port,
        &["-servername", "api.test", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
        "",
    );
    assert!(!ok, "TLS 1.1 must fail: {out}");
    let line = gw.wait_for_line(|l| l.contains("TLS handshake failed"), LOG_TIMEOUT);
    assert!(field(&line, "error").is_some(), "{line}");
    // ALPN: http/1.1 is selected.
    let (ok, out) = s_client(gw.https_port, &["-servername", "api.test", "-alpn", "h2,http/1.1"], "");
    assert!(ok && out.contains("ALPN protocol: http/1.1"), "{out}");
}

#[test]
fn allowed_suites_setting() {
    let tmp = TempDir::new("tls-suites");
    let pki = Pki::new(&tmp.0, "s");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let gw = tls_gateway(
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n",
        &[("api", &cert)],
    )
    .env(
        "OUTPOST_NET_SERVER_TLS_CIPHERS_ALLOWED_SUITES",
        "TLS_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    )
    .start();
    // The CBC suite is reported as ignored, once, at startup.
    let ignored = gw.lines_with("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert!(ignored[0].contains("ignored"), "{ignored:?}");
    let p = gw.https_port;
    let sni = ["-servername", "api.test"];
    let (ok, out) = s_client(
        p,
        &[&sni[..], &["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"]].concat(),
        "",
    );
    assert!(ok && out.contains("TLS_AES_128_GCM_SHA256"), "{out}");
    let (ok, out) = s_client(
        p,
        &[&sni[..], &["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"]].concat(),
        "",
    );
    assert!(!ok, "a suite outside the list must fail: {out}");
    let (ok, out) = s_client(
        p,
        &[&sni[..], &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"]].concat(),
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = s_client(
        p,
        &[&sni[..], &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"]].concat(),
        "",
    );
    assert!(!ok, "{out}");
}

#[test]
fn sni_selects_certificates_and_protocols_per_hostname() {
    let tmp = TempDir::new("tls-sni");
    let pki = Pki::new(&tmp.0, "n");
    let a = pki.issue("a", "a.test", &["a.test"], false);
    let w = pki.issue("w", "wild.test", &["*.wild.test"], false);
    let d = pki.issue("d", "default.test", &["default.test"], false);
    let hostnames = "[[hostname]]\nhostname = \"a.test\"\ncertificate = \"a\"\nprotocols = [\"tls1.3\"]\n\n\
                     [[hostname]]\nhostname = \"*.wild.test\"\ncertificate = \"w\"\n\n\
                     [[hostname]]\nhostname = \"default.test\"\ncertificate = \"d\"\ndefault = true\n";
    let gw = tls_gateway(hostnames, &[("a", &a), ("w", &w), ("d", &d)]).start();
    let p = gw.https_port;
    for (sni, cn) in [
        ("a.test", "a.test"),
        ("x.wild.test", "wild.test"),
        ("other.test", "default.test"),
    ] {
        let (ok, out) = s_client(p, &["-servername", sni], "");
        assert!(ok, "{sni}: {out}");
        assert!(served_subject(&out).contains(cn), "{sni} → {}", served_subject(&out));
    }
    let (ok, out) = s_client(p, &["-noservername"], "");
    assert!(ok && served_subject(&out).contains("default.test"), "{out}");
    // a.test offers TLS 1.3 only.
    let (ok, out) = s_client(p, &["-servername", "a.test", "-tls1_2"], "");
    assert!(!ok, "{out}");
    let (ok, _) = s_client(p, &["-servername", "default.test", "-tls1_2"], "");
    assert!(ok);
}

#[test]
fn old_protocols_and_bad_certificates_are_load_errors() {
    let tmp = TempDir::new("tls-cfg");
    let pki = Pki::new(&tmp.0, "c");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let dir = tmp.0.join("config");
    std::fs::create_dir_all(dir.join("apis")).unwrap();
    std::fs::create_dir_all(dir.join("certificates")).unwrap();
    std::fs::write(dir.join("apis/echo.toml"), ECHO).unwrap();
    std::fs::write(dir.join("certificates/api.pem"), read(&cert)).unwrap();
    std::fs::write(
        dir.join("hostnames.toml"),
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\nprotocols = [\"tls1.0\", \"tls1.2\"]\n",
    )
    .unwrap();
    let (code, _, err) = check_config(&dir);
    assert_eq!(code, 1);
    assert!(
        err.contains("hostnames.toml: protocols") && err.contains("TLS 1.0 and 1.1"),
        "{err}"
    );
    std::fs::write(
        dir.join("hostnames.toml"),
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n",
    )
    .unwrap();
    assert_eq!(check_config(&dir).0, 0);
    // A certificate without its key cannot serve.
    std::fs::write(dir.join("certificates/api.pem"), read(&tmp.0.join("api.crt"))).unwrap();
    let (code, _, err) = check_config(&dir);
    assert_eq!(code, 1);
    assert!(
        err.contains("certificates/api.pem") && err.contains("PRIVATE KEY"),
        "{err}"
    );
}

#[test]
fn sessions_resume_across_workers() {
    let tmp = TempDir::new("tls-resume");
    let pki = Pki::new(&tmp.0, "r");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let gw = tls_gateway(
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n",
        &[("api", &cert)],
    )
    .start();
    for version in ["-tls1_2", "-tls1_3"] {
        let sess = tmp.0.join(format!("sess{version}"));
        let sess = sess.to_str().unwrap();
        let (ok, out) = s_client(
            gw.https_port,
            &["-servername", "api.test", version, "-sess_out", sess],
            "",
        );
        assert!(ok && out.contains("New, "), "{out}");
        let from = gw.line_count();
        // Resume until a connection lands on each worker (bounded).
        let resumed = |lines: &[String]| -> Vec<String> {
            lines[from..]
                .iter()
                .filter(|l| l.contains("TLS handshake completed") && l.contains("resumed=true"))
                .filter_map(|l| field(l, "worker"))
                .collect()
        };
        let mut workers = std::collections::HashSet::new();
        for i in 1..=40 {
            let (ok, out) = s_client(
                gw.https_port,
                &["-servername", "api.test", version, "-sess_in", sess],
                "",
            );
            assert!(ok && out.contains("Reused, "), "{version}: not resumed: {out}");
            let seen = gw.wait_until("the resumed handshake's log line", LOG_TIMEOUT, |lines| {
                let r = resumed(lines);
                (r.len() >= i).then_some(r)
            });
            workers = seen.into_iter().collect();
            if workers.len() == gw.workers {
                break;
            }
        }
        assert_eq!(workers.len(), gw.workers, "{version}: resumed on workers {workers:?}");
    }
}

#[test]
fn client_certificates_against_a_ca() {
    let tmp = TempDir::new("tls-mtls");
    let pki = Pki::new(&tmp.0, "m");
    let other = Pki::new(&tmp.0, "o");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let good = pki.issue("good", "good client", &[], true);
    let bad = other.issue("bad", "bad client", &[], true);
    let hostnames = "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\nclient-ca = \"clients\"\n\n\
                     [[hostname]]\nhostname = \"open.test\"\ncertificate = \"api\"\nnegotiate-client-certificate = true\n";
    let gw = tls_gateway(hostnames, &[("api", &cert), ("clients", &pki.ca())]).start();
    let p = gw.https_port;
    let ca = pki.ca();
    let ca = ca.to_str().unwrap();
    let url = format!("https://api.test:{p}/echo/x");
    let r = resolve("api.test", p);
    let crt = |n: &str| tmp.0.join(format!("{n}.crt")).to_str().unwrap().to_owned();
    let key = |n: &str| tmp.0.join(format!("{n}.key")).to_str().unwrap().to_owned();
    let _ = (good, bad);
    let (code, out) = curl(&[
        "--cacert",
        ca,
        "--resolve",
        &r,
        "--cert",
        &crt("good"),
        "--key",
        &key("good"),
        &url,
    ]);
    assert_eq!(code, 200, "{out}");
    let (code, _) = curl(&[
        "--cacert",
        ca,
        "--resolve",
        &r,
        "--cert",
        &crt("bad"),
        "--key",
        &key("bad"),
        &url,
    ]);
    assert_eq!(code, 0, "a certificate from another CA is refused");
    let (code, _) = curl(&["--cacert", ca, "--resolve", &r, &url]);
    assert_eq!(code, 0, "no certificate is refused when a CA is configured");
    // negotiate-client-certificate without a CA: any certificate, or none.
    let url = format!("https://open.test:{p}/echo/x");
    let r = resolve("open.test", p);
    let (code, out) = curl(&["-k", "--resolve", &r, "--cert", &crt("bad"), "--key", &key("bad"), &url]);
    assert_eq!(code, 200, "{out}");
    gw.wait_for_line(
        |l| l.contains("TLS handshake completed") && l.contains("client_certificate=true"),
        LOG_TIMEOUT,
    );
    let (code, out) = curl(&["-k", "--resolve", &r, &url]);
    assert_eq!(code, 200, "{out}");
}

#[test]
fn backend_tls_with_a_test_ca_and_client_certificate() {
    let tmp = TempDir::new("tls-backend");
    let pki = Pki::new(&tmp.0, "b");
    let cert = pki.issue("backend", "localhost", &["localhost"], false);
    let client = pki.issue("gw-client", "gateway", &[], true);
    // The HTTPS backend: another gateway, requiring a client certificate.
    let backend = tls_gateway(
        "[[hostname]]\nhostname = \"localhost\"\ncertificate = \"backend\"\nclient-ca = \"ca\"\n",
        &[("backend", &cert), ("ca", &pki.ca())],
    )
    .start();
    let url = format!("https://localhost:{}/echo", backend.https_port);
    let with_backend = |tls: &str| {
        tls_gateway("", &[("ca", &pki.ca()), ("client", &client)])
            .api("b", &crate::support::api_toml("b", &url))
            .file(
                "backends/b.toml",
                &format!("url = \"https://localhost:{}\"\n{tls}", backend.https_port),
            )
    };
    // Trusted CA + client certificate: 200, and the backend sees https.
    let gw = with_backend("[tls]\nca-certificates = [\"ca\"]\nclient-certificate = \"client\"\n").start();
    let mut c = gw.connect();
    let r = c.get("/b/hi");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("\"X-Forwarded-Proto\":\"http\""), "{}", r.text());
    // Pooled: a second request reuses the TLS connection (no new handshake).
    // The backend logs the first handshake asynchronously: wait for it.
    backend.wait_for_line(|l| l.contains("TLS handshake completed"), LOG_TIMEOUT);
    let before = backend.lines_with("TLS handshake completed").len();
    assert_eq!(c.get("/b/again").status, 200);
    assert_eq!(backend.lines_with("TLS handshake completed").len(), before);
    drop(gw);
    // Without the CA the backend's certificate is not trusted: 502.
    let gw = with_backend("[tls]\nclient-certificate = \"client\"\n").start();
    assert_eq!(gw.connect().get("/b/hi").status, 502);
    drop(gw);
    // Validation off (loudly warned): 200 even without the CA.
    let gw = with_backend("[tls]\nvalidate-certificate = false\nclient-certificate = \"client\"\n").start();
    assert!(!gw.lines_with("validation is OFF").is_empty());
    assert_eq!(gw.connect().get("/b/hi").status, 200);
    drop(gw);
    // Without the client certificate the backend refuses the handshake: 502.
    let gw = with_backend("[tls]\nca-certificates = [\"ca\"]\n").start();
    assert_eq!(gw.connect().get("/b/hi").status, 502);
}

#[test]
fn forwarded_proto_reflects_the_scheme() {
    let tmp = TempDir::new("tls-xfp");
    let pki = Pki::new(&tmp.0, "x");
    let cert = pki.issue("api", "api.test", &["api.test"], false);
    let backend = Backend::start("xfp");
    let gw = tls_gateway(
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n",
        &[("api", &cert)],
    )
    .proxy("p", "p", &backend.url())
    .start();
    let (code, out) = curl(&[
        "-k",
        &format!("https://127.0.0.1:{}/p/x", gw.https_port),
        "-H",
        "X-Forwarded-Proto: http",
    ]);
    assert_eq!(code, 200, "{out}");
    assert_eq!(gw.connect().get("/p/y").status, 200);
    let reqs = backend.wait_until("two requests", LOG_TIMEOUT, |r| r.len() >= 2);
    let proto = |i: usize| reqs[i].headers.get("x-forwarded-proto");
    assert_eq!(
        proto(0).as_deref(),
        Some("https"),
        "the client's own header is not trusted by default"
    );
    assert_eq!(proto(1).as_deref(), Some("http"));
    // A trusted front's header wins when the setting is on.
    let gw = Gateway::builder()
        .proxy("p", "p", &backend.url())
        .env("OUTPOST_NET_SERVER_HTTP_FORWARDED_PROTO_ENABLED", "true")
        .start();
    let r = gw
        .connect()
        .request("GET", "/p/z", &[("X-Forwarded-Proto", "https")], b"");
    assert_eq!(r.status, 200);
    let reqs = backend.wait_until("three requests", LOG_TIMEOUT, |r| r.len() >= 3);
    assert_eq!(reqs[2].headers.get("x-forwarded-proto").as_deref(), Some("https"));
}

#[test]
fn certificate_rotation_under_load_fails_no_request() {
    let tmp = TempDir::new("tls-rotate");
    let pki = Pki::new(&tmp.0, "rot");
    let first = pki.issue("first", "first.api.test", &["api.test"], false);
    let second = pki.issue("second", "second.api.test", &["api.test"], false);
    let gw = tls_gateway(
        "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n",
        &[("api", &first)],
    )
    .env("OUTPOST_TELEMETRY_LOGS_STD_LEVEL", "info")
    .start();
    let p = gw.https_port;
    // Bounded: at most 400 curl runs per thread.
    let load = HttpsLoad::start("api.test", p, &pki.ca(), 2, 400);
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("first.api.test"), "{out}");
    let from = gw.line_count();
    gw.write_file("certificates/api.pem", &read(&second));
    gw.wait_reload_after(from);
    let (ok, out) = s_client(p, &["-servername", "api.test"], "");
    assert!(ok && served_subject(&out).contains("second.api.test"), "{out}");
    load.finish();
}

/// `outpost control-plane --tls-cert/--tls-key` serves HTTPS; a gateway
/// syncs over it (verification off for the test CA), and refuses an
/// unverifiable certificate by default.
#[test]
fn management_plane_over_https() {
    use std::io::{BufRead, BufReader};
    let tmp = TempDir::new("tls-mgmt");
    let pki = Pki::new(&tmp.0, "cp");
    pki.issue("cp", "localhost", &["localhost", "127.0.0.1"], false);
    let data = tmp.0.join("data");
    let mut cp = std::process::Command::new(crate::support::gateway::BIN)
        .args(["control-plane", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .arg("--tls-cert")
        .arg(tmp.0.join("cp.crt"))
        .arg("--tls-key")
        .arg(tmp.0.join("cp.key"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn control plane");
    let mut first = String::new();
    let mut stdout = BufReader::new(cp.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    // Keep draining its output: a closed pipe would end the process.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let port: u16 = first
        .strip_prefix("outpost control-plane listening on https://127.0.0.1:")
        .and_then(|r| r.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("listening line: {first:?}"));
    let endpoint = format!("https://localhost:{port}");
    let token_auth = format!("Authorization: Bearer {}", read(&data.join("admin-token")).trim());
    let ca = pki.ca().to_str().unwrap().to_owned();
    let r = resolve("localhost", port);
    let admin = |method: &str, path: &str, body: &str| {
        let url = format!("{endpoint}/mgmt{path}");
        curl(&[
            "--cacert",
            &ca,
            "--resolve",
            &r,
            "-X",
            method,
            "-H",
            &token_auth,
            "-d",
            body,
            &url,
        ])
    };
    let (code, out) = admin("PUT", "/gateways/gw1", "{}");
    assert!(matches!(code, 200 | 201), "{code} {out}");
    let api = r#"{"displayName":"Hello","path":"hello","serviceUrl":"echo://"}"#;
    assert!(matches!(admin("PUT", "/apis/hello", api).0, 200 | 201));
    assert!(matches!(
        admin(
            "PUT",
            "/apis/hello/operations/get",
            r#"{"method":"GET","urlTemplate":"/*"}"#
        )
        .0,
        200 | 201
    ));
    assert!(matches!(
        admin("PUT", "/gateways/gw1/apis/hello", "").0,
        200 | 201 | 204
    ));
    let expiry = crate::support::control_plane::iso_utc(crate::support::control_plane::unix_now() + 86400);
    let (code, body) = admin(
        "POST",
        "/gateways/gw1/generateToken",
        &format!(r#"{{"keyType":"primary","expiry":"{expiry}"}}"#),
    );
    assert_eq!(code, 200, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let backup = tmp.0.join("backup");
    // The test CA is not a system root: without the override, no sync.
    let gw = Gateway::builder().remote(&endpoint, &token, &backup).start();
    gw.wait_for_line(|l| l.contains("configuration sync failing"), LOG_TIMEOUT);
    assert_eq!(gw.connect().get("/internal-status-0123456789abcdef").status, 503);
    drop(gw);
    // The test CA in the mounted CA directory (certificates.local.ca.enabled).
    let cas = tmp.0.join("cas");
    std::fs::create_dir_all(&cas).unwrap();
    std::fs::copy(pki.ca(), cas.join("cp.crt")).unwrap();
    let gw = Gateway::builder()
        .remote(&endpoint, &token, &tmp.0.join("backup-local-ca"))
        .env("OUTPOST_CERTIFICATES_LOCAL_CA_ENABLED", "true")
        .env("OUTPOST_CERTIFICATES_LOCAL_CA_PATH", cas.to_str().unwrap())
        .start();
    gw.wait_snapshot(1, LOG_TIMEOUT);
    assert_eq!(gw.connect().get("/hello/x").status, 200);
    drop(gw);
    let gw = Gateway::builder()
        .remote(&endpoint, &token, &backup)
        .env("OUTPOST_CONFIG_SERVICE_ENDPOINT_DISABLECERTIFICATEVALIDATION", "true")
        .start();
    assert!(!gw.lines_with("NOT verified").is_empty());
    gw.wait_snapshot(1, LOG_TIMEOUT);
    assert_eq!(gw.connect().get("/hello/x").status, 200);
    let _ = cp.kill();
    let _ = cp.wait();
}
