//! Client certificates in policies, end to end with real TLS clients and a
//! throw-away PKI: `context.Request.Certificate`, `validate-client-certificate`
//! (present, absent, expired, wrong issuer, identity match and mismatch),
//! `authentication-certificate` to a backend that requires a client
//! certificate (pooled per certificate), and `set-backend-service` to an
//! `https://` backend.

use crate::support::gateway::{check_config, TempDir, LOG_TIMEOUT};
use crate::support::tls::{curl, resolve, thumbprint, Pki};
use crate::support::Gateway;
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn echo_api(path: &str) -> String {
    crate::support::api_toml(path, "echo://")
}

fn inbound(policies: &str) -> String {
    format!("<policies><inbound>{policies}</inbound><backend><forward-request /></backend></policies>")
}

/// The on-error section used to expose `LastError.Reason` as a header.
const REASON: &str = "<on-error><set-header name=\"ErrorReason\" exists-action=\"override\">\
                      <value>@(context.LastError.Reason)</value></set-header></on-error>";

fn validating(attrs: &str, identities: &str) -> String {
    format!(
        "<policies><inbound><validate-client-certificate {attrs}><identities>{identities}</identities>\
         </validate-client-certificate></inbound><backend><forward-request /></backend>{REASON}</policies>"
    )
}

#[test]
fn validate_client_certificate_and_certificate_expressions() {
    let tmp = TempDir::new("cc-validate");
    let pki = Pki::new(&tmp.0, "m");
    // Another CA with the same name but its own key: names alone cannot tell.
    let impostor = Pki::new(&tmp.0.join("impostor"), "m");
    let api = pki.issue("api", "api.test", &["api.test"], false);
    let good = pki.issue("good", "good client", &[], true);
    let expired = pki.issue_days("expired", "good client", &[], true, "-1");
    let rogue = impostor.issue("rogue", "good client", &[], true);
    let (ca_tp, good_tp) = (thumbprint(&pki.ca()), thumbprint(&tmp.0.join("good.crt")));
    let _ = (good, expired, rogue);
    let who = "<return-response><set-status code=\"200\" /><set-body>@(context.Request.Certificate == null ? \"none\" : \
               context.Request.Certificate.Subject + \"|\" + context.Request.Certificate.IssuerName.Name + \"|\" + \
               context.Request.Certificate.Thumbprint + \"|\" + context.Request.Certificate.Verify())</set-body></return-response>";
    let identity = format!(
        "<identity subject=\"CN=good client\" issuer-thumbprint=\"{}\" />",
        ca_tp.to_lowercase()
    );
    let gw = Gateway::builder()
        .file(
            "hostnames.toml",
            "certificate-authorities = [\"ca\"]\n\n[[hostname]]\nhostname = \"api.test\"\ncertificate = \"api\"\n\
             negotiate-client-certificate = true\n",
        )
        .file("certificates/api.pem", &read(&api))
        .file("certificates/ca.pem", &read(&pki.ca()))
        .api("who", &echo_api("who"))
        .file("apis/who.xml", &inbound(who))
        .api("deployed", &echo_api("deployed"))
        .file(
            "apis/deployed.xml",
            &inbound(
                "<return-response><set-body>@(string.Join(\",\", context.Deployment.Certificates.Keys) + \"|\" + \
                 context.Deployment.Certificates[\"ca\"].Subject + \"|\" + \
                 context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))\
                 </set-body></return-response>",
            ),
        )
        .api("strict", &echo_api("strict"))
        .file(
            "apis/strict.xml",
            &validating("validate-revocation=\"false\"", &identity),
        )
        .api("lax", &echo_api("lax"))
        .file(
            "apis/lax.xml",
            &validating("validate-trust=\"false\" validate-not-after=\"false\"", &identity),
        )
        .api("trust", &echo_api("trust"))
        .file(
            "apis/trust.xml",
            &validating("validate-not-before=\"false\" validate-not-after=\"false\"", &identity),
        )
        .api("soft", &echo_api("soft"))
        .file(
            "apis/soft.xml",
            &inbound("<validate-client-certificate ignore-error=\"true\" />"),
        )
        .start();
    let p = gw.https_port;
    let ca = pki.ca();
    let r = resolve("api.test", p);
    let call = |path: &str, cert: Option<&str>| -> (u16, String) {
        let url = format!("https://api.test:{p}/{path}");
        let mut args = vec!["-D", "-", "--cacert", ca.to_str().unwrap(), "--resolve", &r];
        let (crt, key);
        if let Some(c) = cert {
            crt = tmp.0.join(format!("{c}.crt")).to_str().unwrap().to_owned();
            key = tmp.0.join(format!("{c}.key")).to_str().unwrap().to_owned();
            args.extend(["--cert", &crt, "--key", &key]);
        }
        args.push(&url);
        curl(&args)
    };
    let rogue_file = |n: &str| {
        // The impostor's files live in its own directory.
        std::fs::copy(
            tmp.0.join("impostor").join(format!("rogue.{n}")),
            tmp.0.join(format!("rogue.{n}")),
        )
        .unwrap();
    };
    rogue_file("crt");
    rogue_file("key");

    // context.Request.Certificate: null without one; .NET's formats with one.
    let (code, out) = call("who", None);
    assert_eq!(code, 200, "{out}");
    assert!(out.ends_with("\r\n\r\nnone"), "{out}");
    let (code, out) = call("who", Some("good"));
    assert_eq!(code, 200, "{out}");
    assert!(
        out.contains(&format!("CN=good client|CN=m test CA|{good_tp}|True")),
        "{out}"
    );
    // context.Deployment.Certificates: the gateway's certificates by id
    // (Microsoft's idiom: is the client's certificate one of them?).
    let (code, out) = call("deployed", Some("good"));
    assert_eq!(code, 200, "{out}");
    assert!(out.ends_with("\r\n\r\napi,ca|CN=m test CA|False"), "{out}");
    let (_, out) = call("who", Some("rogue"));
    assert!(
        out.contains("CN=good client|CN=m test CA|") && out.ends_with("|False"),
        "{out}"
    );

    // validate-client-certificate with every check on.
    let (code, out) = call("strict/x", Some("good"));
    assert_eq!(code, 200, "{out}");
    let refused = |path: &str, cert: Option<&str>, reason: &str, message: &str| {
        let (code, out) = call(path, cert);
        assert_eq!(code, 401, "{path} {cert:?}: {out}");
        assert!(
            out.contains(&format!("ErrorReason: {reason}")),
            "{path} {cert:?}: {out}"
        );
        assert!(
            out.contains(&format!("{{ \"statusCode\": 401, \"message\": \"{message}\" }}")),
            "{path} {cert:?}: {out}"
        );
    };
    refused(
        "strict/x",
        None,
        "ClientCertificateNotFound",
        "Client certificate missing",
    );
    refused(
        "strict/x",
        Some("expired"),
        "ClientCertificateExpired",
        "Invalid client certificate",
    );
    refused(
        "strict/x",
        Some("rogue"),
        "ClientCertificateNotTrusted",
        "Invalid client certificate",
    );
    // Dates and trust off: the expired certificate passes; the impostor's
    // certificate has the right issuer name but the CA did not sign it.
    let (code, out) = call("lax/x", Some("expired"));
    assert_eq!(code, 200, "{out}");
    refused(
        "lax/x",
        Some("rogue"),
        "ClientCertificateIdentityNotMatched",
        "Invalid client certificate",
    );
    // Trust checked, dates not: a certificate whose NotBefore is after its
    // NotAfter (never valid: `-days -1`) gets an answer, not a crashed
    // connection.
    refused(
        "trust/x",
        Some("expired"),
        "ClientCertificateNotTrusted",
        "Invalid client certificate",
    );
    let (code, out) = call("trust/x", Some("good"));
    assert_eq!(code, 200, "{out}");
    // ignore-error: the request goes on without a certificate.
    let (code, out) = call("soft/x", None);
    assert_eq!(code, 200, "{out}");
}

#[test]
fn authentication_certificate_to_a_backend_that_requires_one() {
    let tmp = TempDir::new("cc-auth");
    let pki = Pki::new(&tmp.0, "b");
    let backend_cert = pki.issue("backend", "localhost", &["localhost"], false);
    let client = pki.issue("gw-client", "gateway", &[], true);
    let other = pki.issue("other-client", "other", &[], true);
    let other_tp = thumbprint(&tmp.0.join("other-client.crt"));
    // The HTTPS backend: a gateway that requires a client certificate from
    // the test CA and echoes the subject it saw.
    let seen = "<set-header name=\"X-Seen-Cert\" exists-action=\"override\">\
                <value>@(context.Request.Certificate?.Subject ?? \"none\")</value></set-header>";
    let backend = Gateway::builder()
        .api("echo", &echo_api("echo"))
        .file("apis/echo.xml", &inbound(seen))
        .file(
            "hostnames.toml",
            "[[hostname]]\nhostname = \"localhost\"\ncertificate = \"backend\"\nclient-ca = \"ca\"\n",
        )
        .file("certificates/backend.pem", &read(&backend_cert))
        .file("certificates/ca.pem", &read(&pki.ca()))
        .env("OUTPOST_TELEMETRY_LOGS_STD_LEVEL", "debug")
        .start();
    let bp = backend.https_port;
    let url = format!("https://localhost:{bp}/echo");
    let proxied = |id: &str| crate::support::api_toml(id, &url);
    let auth = |attr: &str| inbound(&format!("<authentication-certificate {attr} />"));
    let gw = Gateway::builder()
        .file("certificates/ca.pem", &read(&pki.ca()))
        .file("certificates/client.pem", &read(&client))
        .file("certificates/other.pem", &read(&other))
        .file(
            "backends/b.toml",
            &format!("url = \"{url}\"\n[tls]\nca-certificates = [\"ca\"]\n"),
        )
        .api("plain", &proxied("plain"))
        .api("byid", &proxied("byid"))
        .file("apis/byid.xml", &auth("certificate-id=\"client\""))
        .api("bytp", &proxied("bytp"))
        .file("apis/bytp.xml", &auth(&format!("thumbprint=\"{}\"", other_tp.to_lowercase())))
        .api("dyn", &proxied("dyn"))
        .file(
            "apis/dyn.xml",
            &auth("certificate-id=\"@(context.Request.Headers.GetValueOrDefault(&quot;X-Cert&quot;, &quot;client&quot;))\""),
        )
        // set-backend-service to an https:// backend, by id and by base-url.
        .api("sbs", &echo_api("sbs"))
        .file(
            "apis/sbs.xml",
            &inbound("<set-backend-service backend-id=\"b\" /><authentication-certificate certificate-id=\"client\" />"),
        )
        .api("sbsurl", &echo_api("sbsurl"))
        .file(
            "apis/sbsurl.xml",
            &inbound(&format!(
                "<set-backend-service base-url=\"{url}\" /><authentication-certificate certificate-id=\"other\" />"
            )),
        )
        .start();
    let mut c = gw.connect();
    let sees = |r: &crate::support::Response, subject: &str| {
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(
            r.text().contains(&format!("\"X-Seen-Cert\":\"{subject}\"")),
            "expected {subject}: {}",
            r.text()
        );
    };
    let before = backend.lines_with("TLS handshake completed").len();
    // Alternating certificates on one client connection (one worker): each
    // request presents its own certificate, so the pools are separate.
    sees(&c.get("/byid/a"), "CN=gateway");
    sees(&c.get("/bytp/a"), "CN=other");
    sees(&c.get("/byid/b"), "CN=gateway");
    sees(&c.get("/bytp/b"), "CN=other");
    // The backend's log reaches the test through a pipe: wait for the two
    // handshakes to show, then check there were no more.
    let seen = backend.wait_until("the backend's handshake lines", LOG_TIMEOUT, |lines| {
        let n = lines.iter().filter(|l| l.contains("TLS handshake completed")).count();
        (n >= before + 2).then_some(n)
    });
    assert_eq!(seen, before + 2, "one pooled TLS connection per certificate");
    // By expression, resolved per request.
    sees(&c.request("GET", "/dyn/a", &[("X-Cert", "other")], b""), "CN=other");
    sees(&c.get("/dyn/b"), "CN=gateway");
    let r = c.request("GET", "/dyn/c", &[("X-Cert", "nope")], b"");
    assert_eq!(r.status, 500, "{}", r.text());
    // set-backend-service → https:// backend with the test CA.
    sees(&c.get("/sbs/x"), "CN=gateway");
    sees(&c.get("/sbsurl/x"), "CN=other");
    // Without authentication-certificate the backend refuses the handshake.
    assert_eq!(c.get("/plain/x").status, 502);
}

#[test]
fn certificate_references_are_checked_at_load() {
    let tmp = TempDir::new("cc-load");
    let pki = Pki::new(&tmp.0, "l");
    let client = pki.issue("client", "client", &[], true);
    let dir = tmp.0.join("config");
    std::fs::create_dir_all(dir.join("apis")).unwrap();
    std::fs::create_dir_all(dir.join("certificates")).unwrap();
    std::fs::write(dir.join("apis/a.toml"), echo_api("a")).unwrap();
    std::fs::write(dir.join("certificates/client.pem"), read(&client)).unwrap();
    let with_policy = |xml: &str| {
        std::fs::write(dir.join("apis/a.xml"), xml).unwrap();
        check_config(&dir)
    };
    assert_eq!(
        with_policy(&inbound("<authentication-certificate certificate-id=\"client\" />")).0,
        0
    );
    let (code, _, err) = with_policy(&inbound("<authentication-certificate certificate-id=\"nope\" />"));
    assert_eq!(code, 1);
    assert!(err.contains("apis/a.xml") && err.contains("`nope`"), "{err}");
    let (code, _, err) = with_policy(&inbound("<authentication-certificate body=\"x\" password=\"y\" />"));
    assert_eq!(code, 1);
    assert!(err.contains("PKCS#12"), "{err}");
    let (code, _, err) = with_policy(&inbound(
        "<validate-client-certificate><identities><identity colour=\"blue\" /></identities></validate-client-certificate>",
    ));
    assert_eq!(code, 1);
    assert!(err.contains("unknown attribute `colour`"), "{err}");
    let (code, _, err) = with_policy(&inbound(
        "<return-response><set-body>@(context.Request.Certificate.Nope)</set-body></return-response>",
    ));
    assert_eq!(code, 1);
    assert!(err.contains("Certificate.Nope"), "{err}");
    std::fs::remove_file(dir.join("apis/a.xml")).unwrap();
    std::fs::write(dir.join("hostnames.toml"), "certificate-authorities = [\"missing\"]\n").unwrap();
    let (code, _, err) = check_config(&dir);
    assert_eq!(code, 1);
    assert!(
        err.contains("certificate-authorities") && err.contains("missing"),
        "{err}"
    );
}
