//! Client-certificate CAs beyond `hostnames.toml`, end to end: gateway
//! certificate authorities assigned over the management plane's REST API
//! (`isTrusted` roots and untrusted intermediates, per gateway), and CA
//! certificates mounted in a local directory (`certificates.local.ca.enabled`)
//! for client certificates and backend TLS.

use crate::support::gateway::{TempDir, BIN, LOG_TIMEOUT};
use crate::support::tls::{curl, resolve, Pki};
use crate::support::{ControlPlane, Gateway};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn admin(cp: &ControlPlane, method: &str, path: &str, body: &str) -> (u16, Value) {
    cp.call(method, path, Some(&format!("Bearer {}", cp.admin_token())), body)
}

/// validate-client-certificate (trust, dates), then the result of
/// `context.Request.Certificate.Verify()` as the body.
const VALIDATING: &str = "<policies><inbound><validate-client-certificate validate-revocation=\"false\" />\
    <return-response><set-status code=\"200\" /><set-body>@(\"verified=\" + context.Request.Certificate.Verify())</set-body>\
    </return-response></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>";

/// GET https://api.test:`port`/`path` presenting `tmp/<client>.crt` (the
/// leaf alone, no chain); the server is checked against `ca`.
fn call(tmp: &Path, ca: &Path, port: u16, path: &str, client: &str) -> (u16, String) {
    let crt = tmp.join(format!("{client}.crt"));
    let key = tmp.join(format!("{client}.key"));
    let url = format!("https://api.test:{port}/{path}");
    curl(&[
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve("api.test", port),
        "--cert",
        crt.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        &url,
    ])
}

/// Assigns (or updates) `cert` as a CA of `gw`; returns the status.
fn assign_ca(cp: &ControlPlane, gw: &str, cert: &str, trusted: bool) -> u16 {
    let body = json!({ "properties": { "isTrusted": trusted } }).to_string();
    let (code, v) = admin(
        cp,
        "PUT",
        &format!("/mgmt/gateways/{gw}/certificateAuthorities/{cert}"),
        &body,
    );
    assert!(code == 200 || code == 201, "{code}: {v}");
    assert_eq!(v, json!({ "id": cert, "isTrusted": trusted }));
    code
}

#[test]
fn gateway_certificate_authorities_via_rest_decide_client_certificate_trust_per_gateway() {
    let tmp = TempDir::new("gw-cas");
    let root = Pki::new(&tmp.0, "root");
    let inter = root.intermediate("inter");
    let api = root.issue("api", "api.test", &["api.test"], false);
    root.issue("direct", "direct client", &[], true);
    inter.issue("chained", "chained client", &[], true);

    let cp = ControlPlane::start();
    for gw in ["gw1", "gw2"] {
        cp.put_gateway(gw);
    }
    cp.put_api("echo", "echo", "echo://");
    let (code, v) = admin(
        &cp,
        "PUT",
        "/mgmt/apis/echo/policy",
        &json!({ "value": VALIDATING }).to_string(),
    );
    assert_eq!(code, 201, "{v}");
    let cert = |id: &str, pem: String| {
        let (code, v) = admin(
            &cp,
            "PUT",
            &format!("/mgmt/certificates/{id}"),
            &json!({ "pem": pem }).to_string(),
        );
        assert_eq!(code, 201, "{v}");
    };
    cert("api", read(&api));
    cert("root", read(&root.ca()));
    cert("inter", read(&inter.ca()));
    let hc = json!({ "hostname": "api.test", "certificateId": "api", "negotiateClientCertificate": true }).to_string();
    for gw in ["gw1", "gw2"] {
        cp.assign(gw, "echo");
        let (code, v) = admin(
            &cp,
            "PUT",
            &format!("/mgmt/gateways/{gw}/hostnameConfigurations/api"),
            &hc,
        );
        assert_eq!(code, 201, "{v}");
    }

    // The REST contract: 201 then 200, GET, list, 404s, 400, 409.
    assert_eq!(assign_ca(&cp, "gw1", "root", true), 201);
    assert_eq!(assign_ca(&cp, "gw1", "root", true), 200);
    let (code, v) = admin(&cp, "GET", "/mgmt/gateways/gw1/certificateAuthorities/root", "");
    assert_eq!((code, v), (200, json!({ "id": "root", "isTrusted": true })));
    let (code, v) = admin(&cp, "GET", "/mgmt/gateways/gw1/certificateAuthorities", "");
    assert_eq!(
        (code, v),
        (200, json!({ "value": [{ "id": "root", "isTrusted": true }] }))
    );
    let trusted = json!({ "properties": { "isTrusted": true } }).to_string();
    for (what, method, path, body) in [
        (
            "unknown gateway",
            "PUT",
            "/mgmt/gateways/nope/certificateAuthorities/root",
            trusted.as_str(),
        ),
        (
            "unknown certificate",
            "PUT",
            "/mgmt/gateways/gw1/certificateAuthorities/nope",
            trusted.as_str(),
        ),
        (
            "not assigned here",
            "GET",
            "/mgmt/gateways/gw2/certificateAuthorities/root",
            "",
        ),
        (
            "list, unknown gateway",
            "GET",
            "/mgmt/gateways/nope/certificateAuthorities",
            "",
        ),
        (
            "delete, not assigned",
            "DELETE",
            "/mgmt/gateways/gw2/certificateAuthorities/root",
            "",
        ),
    ] {
        let (code, v) = admin(&cp, method, path, body);
        assert_eq!(code, 404, "{what}: {v}");
    }
    for body in [
        r#"{"properties":{"isTrusted":"yes"}}"#,
        r#"{"isTrusted":true,"colour":1}"#,
        "not json",
    ] {
        let (code, v) = admin(&cp, "PUT", "/mgmt/gateways/gw1/certificateAuthorities/root", body);
        assert_eq!(code, 400, "{body}: {v}");
    }
    let (code, v) = admin(&cp, "DELETE", "/mgmt/certificates/root", "");
    assert_eq!(code, 409, "a certificate assigned as a CA cannot be deleted: {v}");
    assert!(v.to_string().contains("gw1"), "{v}");

    // Read before the gateways start (which changes no version): their
    // first connections and this call would reach the control plane
    // together, and tiny_http 0.12's task pool can then leave one
    // connection unserved until another arrives (a lost wake-up).
    let v = cp.version();
    let (t1, t2) = (cp.token("gw1"), cp.token("gw2"));
    let (b1, b2) = (TempDir::new("gw-cas-b1"), TempDir::new("gw-cas-b2"));
    let gw1 = Gateway::builder().remote(&cp.endpoint(), &t1, &b1.0).start();
    let gw2 = Gateway::builder().remote(&cp.endpoint(), &t2, &b2.0).start();
    gw1.wait_snapshot(v, SYNC_TIMEOUT);
    gw2.wait_snapshot(v, SYNC_TIMEOUT);
    let ca = root.ca();
    let on = |gw: &Gateway, client: &str| call(&tmp.0, &ca, gw.https_port, "echo/x", client);

    // Trusted on gw1 only: the client certificate passes there, not on gw2.
    let (code, body) = on(&gw1, "direct");
    assert_eq!((code, body.as_str()), (200, "verified=True"), "{body}");
    let (code, body) = on(&gw2, "direct");
    assert_eq!(code, 401, "{body}");
    // A chain through an intermediate the client does not send: the root
    // alone cannot build it; the intermediate assigned untrusted can.
    assert_eq!(on(&gw1, "chained").0, 401);
    assert_eq!(assign_ca(&cp, "gw1", "inter", false), 201);
    gw1.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let (code, body) = on(&gw1, "chained");
    assert_eq!((code, body.as_str()), (200, "verified=True"), "{body}");
    // isTrusted = false is never a trust anchor: neither the root made
    // untrusted nor the intermediate alone (gw2) lets anything pass.
    // (A gateway gets a new snapshot only when its own content changes.)
    assert_eq!(assign_ca(&cp, "gw1", "root", false), 200);
    gw1.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_eq!(assign_ca(&cp, "gw2", "inter", false), 201);
    gw2.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    for (gw, client) in [(&gw1, "direct"), (&gw1, "chained"), (&gw2, "chained")] {
        let (code, body) = on(gw, client);
        assert_eq!(code, 401, "{client}: {body}");
    }
    // Trusted again, then un-assigned: it fails again.
    assert_eq!(assign_ca(&cp, "gw1", "root", true), 200);
    gw1.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_eq!(on(&gw1, "direct").0, 200);
    let (code, v) = admin(&cp, "DELETE", "/mgmt/gateways/gw1/certificateAuthorities/root", "");
    assert_eq!(code, 204, "{v}");
    gw1.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_eq!(on(&gw1, "direct").0, 401);
    // Once no gateway has it as a CA, the certificate can be deleted.
    for gw in ["gw1", "gw2"] {
        let (code, v) = admin(
            &cp,
            "DELETE",
            &format!("/mgmt/gateways/{gw}/certificateAuthorities/inter"),
            "",
        );
        assert_eq!(code, 204, "{v}");
    }
    let (code, v) = admin(&cp, "DELETE", "/mgmt/certificates/inter", "");
    assert_eq!(code, 204, "{v}");
}

/// A gateway serving api.test with certificate `api`, asking for client
/// certificates (API `echo`), proxying API `tls` to `backend_url`, with
/// `extra` settings.
fn local_ca_gateway(api: &Path, backend_url: &str, extra: &[(&str, &str)]) -> Gateway {
    let mut b = Gateway::builder()
        .file(
            "hostnames.toml",
            "[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\nnegotiate-client-certificate = true\n",
        )
        .file("certificates/api.pem", &read(api))
        .api("echo", &crate::support::api_toml("echo", "echo://"))
        .file("apis/echo.xml", VALIDATING)
        .api("tls", &crate::support::api_toml("tls", backend_url));
    for (k, v) in extra {
        b = b.env(k, v);
    }
    b.start()
}

#[test]
fn mounted_ca_directory_is_trusted_only_with_the_setting_on() {
    let tmp = TempDir::new("local-ca");
    let pki = Pki::new(&tmp.0, "mounted");
    let api = pki.issue("api", "api.test", &["api.test"], false);
    pki.issue("client", "mounted client", &[], true);
    let backend_cert = pki.issue("backend", "localhost", &["localhost"], false);
    let cas = tmp.0.join("cas");
    std::fs::create_dir_all(&cas).unwrap();
    // As .NET's X509Store keeps it: a certificate-only PFX without password.
    let pfx = cas.join("mounted.pfx");
    let out = std::process::Command::new("openssl")
        .args(["pkcs12", "-export", "-nokeys", "-passout", "pass:", "-in"])
        .arg(pki.ca())
        .arg("-out")
        .arg(&pfx)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // An HTTPS backend whose certificate the mounted CA issued.
    let backend = Gateway::builder()
        .api("echo", &crate::support::api_toml("echo", "echo://"))
        .file(
            "hostnames.toml",
            "[[hostname]]\nhostname = \"localhost\"\ncertificate = \"backend\"\n",
        )
        .file("certificates/backend.pem", &read(&backend_cert))
        .start();
    let backend_url = format!("https://localhost:{}/echo", backend.https_port);
    let dir = cas.to_str().unwrap();
    let on = local_ca_gateway(
        &api,
        &backend_url,
        &[
            ("OUTPOST_CERTIFICATES_LOCAL_CA_ENABLED", "true"),
            ("OUTPOST_CERTIFICATES_LOCAL_CA_PATH", dir),
            ("OUTPOST_CONFIG_LOCAL_WATCH_INTERVAL", "200ms"),
        ],
    );
    let off = local_ca_gateway(&api, &backend_url, &[("OUTPOST_CERTIFICATES_LOCAL_CA_PATH", dir)]);
    let ca = pki.ca();
    let (code, body) = call(&tmp.0, &ca, on.https_port, "echo/x", "client");
    assert_eq!((code, body.as_str()), (200, "verified=True"), "{body}");
    let (code, body) = call(&tmp.0, &ca, off.https_port, "echo/x", "client");
    assert_eq!(code, 401, "{body}");
    // Backend TLS: the mounted CA is trusted besides the system roots.
    assert_eq!(on.connect().get("/tls/x").status, 200);
    assert_eq!(off.connect().get("/tls/x").status, 502);

    // A bad file on reload: refused naming the file, the last good stays.
    let from = on.line_count();
    std::fs::write(cas.join("broken.pem"), "not a certificate").unwrap();
    let (_, line) = on.wait_for_line_after(from, |l| l.contains("configuration rejected"), LOG_TIMEOUT);
    assert!(line.contains("broken.pem"), "{line}");
    assert_eq!(call(&tmp.0, &ca, on.https_port, "echo/x", "client").0, 200);
    // Removing the CA (and then the bad file: the first configuration that
    // compiles has no CA) takes the trust away.
    let from = on.line_count();
    std::fs::remove_file(&pfx).unwrap();
    std::fs::remove_file(cas.join("broken.pem")).unwrap();
    on.wait_reload_after(from);
    assert_eq!(call(&tmp.0, &ca, on.https_port, "echo/x", "client").0, 401);

    // At start-up (and in check-config) a bad file is a configuration error naming it.
    std::fs::write(
        cas.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let config = on.config_dir();
    let remote = [
        ("OUTPOST_CONFIG_SERVICE_ENDPOINT", "http://127.0.0.1:9"),
        ("OUTPOST_CONFIG_SERVICE_AUTH", "GatewayKey gw&202612010000&c2ln"),
    ];
    for (args, extra) in [
        (&["check-config"][..], &[][..]),
        (&["gateway", "--config"][..], &[][..]),
        // With the management plane too, before any snapshot is fetched.
        (&["gateway", "--config"][..], &remote[..]),
    ] {
        let out = std::process::Command::new("timeout")
            .arg("30")
            .arg(BIN)
            .args(args)
            .arg(&config)
            .envs(extra.iter().copied())
            .env("OUTPOST_NET_SERVER_HTTP_PORT", "0")
            .env("OUTPOST_NET_SERVER_HTTPS_PORT", "0")
            .env("OUTPOST_NET_SERVER_HTTP_ADDRESS", "127.0.0.1")
            .env("OUTPOST_CERTIFICATES_LOCAL_CA_ENABLED", "true")
            .env("OUTPOST_CERTIFICATES_LOCAL_CA_PATH", dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("broken.pem") && err.contains("bad PEM"), "{args:?}: {err}");
    }
}
