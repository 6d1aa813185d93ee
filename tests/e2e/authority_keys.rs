//! The fetch side of OpenID keys through the real gateway and a real
//! OpenID provider (support::oidc), with `validate-jwt openid-config`:
//! a JWKS slower than `authority.fetch.timeout` (the request ends, other
//! requests are served meanwhile), malformed and huge JWKS refused and
//! logged with the last good keys still in use, a key rotation costing one
//! JWKS refetch, and a gateway restarted from its keys backup with the
//! provider stopped.

use crate::support::gateway::{GatewayBuilder, TempDir};
use crate::support::oidc::{Client, Oidc};
use crate::support::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn client() -> Client {
    Client {
        id: "svc".into(),
        secret: "svc-secret-0123456789".into(),
    }
}

fn provider() -> Oidc {
    let c = client();
    Oidc::builder().client(&c.id, &c.secret).start()
}

/// A gateway whose API `api` validates a bearer token against `oidc`'s
/// keys and whose API `plain` just forwards; `backup`: the keys backup.
fn gateway(oidc_url: &str, backend: &Backend, backup: Option<&Path>) -> GatewayBuilder {
    let xml = policies(
        &format!(
            r#"<validate-jwt header-name="Authorization">
                 <openid-config url="{oidc_url}" />
                 <audiences><audience>api://orders</audience></audiences>
               </validate-jwt>"#
        ),
        "<base />",
        "",
        r#"<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>"#,
    );
    let mut b = Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .proxy("plain-api", "plain", &backend.url())
        .env("OUTPOST_AUTHORITY_FETCH_TIMEOUT", "1s")
        .env("OUTPOST_AUTHORITY_WAIT_TIMEOUT", "10s");
    if let Some(dir) = backup {
        b = b.env("OUTPOST_CONFIG_BACKUP_PATH", &dir.display().to_string());
    }
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

fn get(gw: &Gateway, token: &str) -> Response {
    gw.connect()
        .request("GET", "/api/o", &[("Authorization", &format!("Bearer {token}"))], b"")
}

#[test]
fn a_jwks_slower_than_the_fetch_timeout_ends_the_request_and_stalls_no_worker() {
    let oidc = provider();
    let token = oidc.token(&client(), Some("api://orders"));
    oidc.set_mode("/jwks", "slow", 5000);
    let backend = Backend::start("b");
    // One worker: a stalled worker would stall every request.
    let gw = gateway(&oidc.discovery_url(), &backend, None)
        .env("OUTPOST_RUNTIME_WORKERS", "1")
        .start();
    let done = Arc::new(AtomicBool::new(false));
    let mut conn = gw.connect();
    let waiting = {
        let done = done.clone();
        std::thread::spawn(move || {
            let r = conn.request("GET", "/api/o", &[("Authorization", &format!("Bearer {token}"))], b"");
            done.store(true, Ordering::SeqCst);
            r
        })
    };
    // While that request waits for keys, the worker serves others.
    let mut served_meanwhile = 0;
    let mut plain = gw.connect();
    while !done.load(Ordering::SeqCst) {
        let r = plain.request("GET", "/plain/x", &[], b"");
        assert_eq!(r.status, 200);
        if !done.load(Ordering::SeqCst) {
            served_meanwhile += 1;
        }
    }
    let r = waiting.join().unwrap();
    assert!(served_meanwhile > 0, "no request was served while one waited for keys");
    // No keys could be had: refused as APIM does, not hung.
    assert_eq!(r.status, 401, "{}", r.text());
    let line = gw.wait_for_line(|l| l.contains("OpenID keys not refreshed"), WAIT);
    assert!(line.contains("JWKS"), "{line}");
    assert!(
        line.to_ascii_lowercase().contains("timed out") || line.contains("imeout"),
        "{line}"
    );
}

#[test]
fn malformed_and_huge_jwks_are_refused_and_logged_and_the_last_good_keys_stay() {
    for mode in ["malformed", "huge"] {
        let oidc = provider();
        let backend = Backend::start("b");
        let gw = gateway(&oidc.discovery_url(), &backend, None).start();
        let first = oidc.token(&client(), Some("api://orders"));
        let spare = oidc.token(&client(), Some("api://orders"));
        assert_eq!(get(&gw, &first).status, 200, "{mode}");
        // The provider rotates its keys and serves a bad JWKS: the token
        // with the new kid makes the gateway refetch, which is refused.
        oidc.set_mode("/jwks", mode, 0);
        oidc.rotate(false);
        let from = gw.line_count();
        let rotated = oidc.token(&client(), Some("api://orders"));
        let r = get(&gw, &rotated);
        assert_eq!(r.status, 401, "{mode}: {}", r.text());
        let (_, line) = gw.wait_for_line_after(from, |l| l.contains("OpenID keys not refreshed"), WAIT);
        assert!(line.contains("JWKS"), "{mode}: {line}");
        if mode == "huge" {
            assert!(line.contains("bytes"), "{line}");
        }
        // The last good keys still validate a token signed before
        // (not yet seen by the gateway: a real signature check).
        let r = get(&gw, &spare);
        assert_eq!(r.status, 200, "{mode}: {}", r.text());
    }
}

#[test]
fn a_key_rotation_with_an_unknown_kid_refetches_the_jwks_once() {
    let oidc = provider();
    let backend = Backend::start("b");
    let gw = gateway(&oidc.discovery_url(), &backend, None).start();
    let token = oidc.token(&client(), Some("api://orders"));
    assert_eq!(get(&gw, &token).status, 200);
    let before = oidc.requests("/jwks");
    oidc.rotate(false);
    let rotated = oidc.token(&client(), Some("api://orders"));
    // Several connections (both workers), each meeting the new kid.
    for _ in 0..6 {
        let r = get(&gw, &rotated);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(oidc.requests("/jwks"), before + 1, "one refetch for the new kid");
    // Forged tokens naming made-up kids right after (no key verifies
    // them): refused, and no more refetches within the minute.
    for kid in ["made-up-1", "made-up-2"] {
        let mut forged = oidc.sign(
            serde_json::json!({"iss": oidc.issuer, "aud": "api://orders", "exp": 4_000_000_000u64}),
            serde_json::json!({ "kid": kid }),
            "RS256",
        );
        forged.truncate(forged.len() - 8);
        forged.push_str("AAAAAAAA");
        assert_eq!(get(&gw, &forged).status, 401);
    }
    assert_eq!(oidc.requests("/jwks"), before + 1);
}

#[test]
fn a_gateway_restarted_from_its_keys_backup_with_the_provider_stopped_still_validates() {
    let mut oidc = provider();
    let backend = Backend::start("b");
    let backup = TempDir::new("keys-backup");
    let url = oidc.discovery_url();
    let tokens: Vec<String> = (0..2).map(|_| oidc.token(&client(), Some("api://orders"))).collect();
    {
        let gw = gateway(&url, &backend, Some(&backup.0)).start();
        assert_eq!(get(&gw, &tokens[0]).status, 200);
        gw.wait_for_line(|l| l.contains("OpenID keys fetched"), WAIT);
        assert!(backup.0.join("openid-keys.json").exists(), "the keys backup is written");
    }
    oidc.stop();
    let gw = gateway(&url, &backend, Some(&backup.0)).start();
    gw.wait_for_line(|l| l.contains("OpenID keys loaded from the backup"), WAIT);
    let r = get(&gw, &tokens[1]);
    assert_eq!(r.status, 200, "{}", r.text());
    // A bad signature is still refused with the saved keys.
    let mut forged = tokens[1].clone();
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    assert_eq!(get(&gw, &forged).status, 401);
    // A corrupt backup: refused and reported, the gateway still starts.
    drop(gw);
    std::fs::write(backup.0.join("openid-keys.json"), b"{\"version\":1,\"prov").unwrap();
    let gw = gateway(&url, &backend, Some(&backup.0)).start();
    let line = gw.wait_for_line(|l| l.contains("OpenID keys backup refused"), WAIT);
    assert!(line.contains("corrupt"), "{line}");
    assert_eq!(get(&gw, &tokens[1]).status, 401, "no keys: refused, not hung");
}
