//! Tokens and keys from a real OpenID provider (support::oidc): tokens
//! fetched for a backend by `authentication-managed-identity`, the
//! provider down (the cached token is used until it expires, then the
//! policy fails with 500 as APIM), and a gateway syncing with its
//! management plane with an OAuth2 token (`config.service.auth=azureAdApp`).

use crate::support::oidc::{Client, Oidc};
use crate::support::*;
use base64::Engine;
use serde_json::Value;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

const REPORT: &str = r#"<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
<set-header name="X-Message" exists-action="override"><value>@(context.LastError.Message)</value></set-header>"#;

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWS has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn client() -> Client {
    Client {
        id: "orders-app".into(),
        secret: "orders-secret-0123456789".into(),
    }
}

/// A gateway whose API `api` gets a token for `api://orders` from the
/// default identity (the provider's client) and forwards to `backend`.
fn gateway(oidc: &Oidc, backend: &Backend, extra: &str) -> Gateway {
    let xml = policies(
        &format!(
            r#"<authentication-managed-identity resource="api://orders" output-token-variable-name="tok" {extra}/>
               <set-header name="X-Has-Var" exists-action="override"><value>@(context.Variables.ContainsKey("tok") ? "yes" : "no")</value></set-header>"#
        ),
        "<forward-request />",
        "",
        REPORT,
    );
    with_identity(oidc, backend, &xml)
}

#[test]
fn a_token_is_fetched_once_sent_to_the_backend_and_shared_by_requests() {
    let c = client();
    let oidc = Oidc::builder().client(&c.id, &c.secret).token_ttl(600).start();
    let backend = Backend::start("api");
    let gw = gateway(&oidc, &backend, "");
    let mut conn = gw.connect();
    for _ in 0..3 {
        let r = conn.request("GET", "/api/x", &[("Authorization", "Bearer client-token")], b"");
        assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    }
    let got = backend.wait_until("three forwarded requests", WAIT, |r| r.len() == 3);
    let auth: Vec<String> = got
        .iter()
        .map(|r| r.headers.get("Authorization").unwrap_or_default())
        .collect();
    let token = auth[0]
        .strip_prefix("Bearer ")
        .expect("a bearer token replaces the client's");
    let cl = claims(token);
    assert_eq!(cl["aud"], "api://orders");
    assert_eq!(cl["client_id"], "orders-app");
    assert_eq!(cl["iss"], oidc.issuer.as_str());
    assert!(auth.iter().all(|a| *a == auth[0]), "one cached token: {auth:?}");
    assert_eq!(got[0].headers.get("X-Has-Var").as_deref(), Some("yes"));
    assert_eq!(oidc.requests("/token"), 1, "fetched once, then cached");
    assert!(
        gw.lines().iter().all(|l| !l.contains(token)),
        "the token is never logged"
    );
}

#[test]
fn provider_down_the_cached_token_is_used_until_it_expires_then_the_policy_fails() {
    let c = client();
    // 20 s tokens: used until 2 s before expiry (a tenth of the lifetime).
    let oidc = Oidc::builder().client(&c.id, &c.secret).token_ttl(20).start();
    let backend = Backend::start("api");
    let gw = gateway(&oidc, &backend, "");
    let mut conn = gw.connect();
    let r = conn.request("GET", "/api/x", &[], b"");
    assert_eq!(r.status, 200, "{:?}", r.header("X-Message"));
    let first = backend.wait_until("one request", WAIT, |r| r.len() == 1)[0]
        .headers
        .get("Authorization")
        .unwrap();
    oidc.set_mode("/token", "error", 0);
    // Poll until the policy fails: every answer before is 200 with the
    // cached token; the failure is APIM's 500 with our reason.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut ok = 1;
    let failed = loop {
        assert!(Instant::now() < deadline, "the cached token was never given up");
        let r = conn.request("GET", "/api/x", &[], b"");
        if r.status != 200 {
            break r;
        }
        ok += 1;
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(failed.status, 500, "{}", failed.status_line());
    assert_eq!(failed.header("X-Reason").as_deref(), Some("TokenAcquisitionFailed"));
    assert!(
        failed.header("X-Message").unwrap_or_default().contains("503"),
        "{:?}",
        failed.header("X-Message")
    );
    let got = backend.wait_until("the successful requests", WAIT, |r| r.len() == ok);
    assert!(
        got.iter()
            .all(|r| r.headers.get("Authorization").as_deref() == Some(first.as_str())),
        "only the cached token was sent while the provider was down"
    );
    // The provider is back: the next request gets a new token.
    oidc.set_mode("/token", "normal", 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = conn.request("GET", "/api/x", &[], b"");
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "no token after the provider came back");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn ignore_error_goes_on_without_a_token_and_unknown_identities_fail() {
    let c = client();
    let oidc = Oidc::builder().client(&c.id, &c.secret).start();
    oidc.set_mode("/token", "malformed", 0);
    let backend = Backend::start("api");
    let gw = gateway(&oidc, &backend, r#"ignore-error="true""#);
    let mut conn = gw.connect();
    let r = conn.request("GET", "/api/x", &[("Authorization", "Bearer client")], b"");
    assert_eq!(r.status, 200, "{:?}", r.header("X-Message"));
    let got = backend.wait_until("one request", WAIT, |r| r.len() == 1);
    assert_eq!(got[0].headers.get("Authorization").as_deref(), Some("Bearer client"));
    assert_eq!(got[0].headers.get("X-Has-Var").as_deref(), Some("no"));

    let gw = gateway(&oidc, &backend, r#"client-id="nobody""#);
    let r = gw.connect().request("GET", "/api/x", &[], b"");
    assert_eq!(r.status, 500);
    assert_eq!(r.header("X-Reason").as_deref(), Some("TokenAcquisitionFailed"));
    assert!(r.header("X-Message").unwrap_or_default().contains("nobody"));
}

#[test]
fn a_gateway_syncs_with_an_oauth2_token_for_the_configured_audience() {
    let c = Client {
        id: "gw-app".into(),
        secret: "gw-secret-0123456789".into(),
    };
    let oidc = Oidc::builder().client(&c.id, &c.secret).start();
    // A stand-in management plane that records what the gateway sends.
    let mgmt = Backend::start("mgmt");
    let backup = crate::support::gateway::TempDir::new("oauth-backup");
    let _gw = Gateway::builder()
        .remote(&mgmt.url(), "azureAdApp", &backup.0)
        .env("config.service.auth.azureAd.clientId", &c.id)
        .env("config.service.auth.azureAd.clientSecret", &c.secret)
        .env("config.service.auth.azureAd.clientAuth", "basic")
        .env("config.service.auth.azureAd.authority", &oidc.issuer)
        .env("config.service.auth.tokenAudience", "api://outpost-config")
        .start();
    let got = mgmt.wait_until("a configuration fetch and a heartbeat", WAIT, |r| {
        r.iter().any(|x| x.target.ends_with("/gateway/config"))
            && r.iter().any(|x| x.target.ends_with("/gateway/heartbeat"))
    });
    for r in &got {
        let auth = r.headers.get("Authorization").unwrap_or_default();
        let token = auth
            .strip_prefix("Bearer ")
            .unwrap_or_else(|| panic!("{} sent {auth:?}", r.target));
        let cl = claims(token);
        assert_eq!(cl["aud"], "api://outpost-config");
        assert_eq!(cl["client_id"], "gw-app");
    }
    // Discovery once (authority = issuer), one token shared by both threads.
    assert_eq!(oidc.requests("/token"), 1);
}

/// A gateway whose API `api` calls `calls` with `send-request` carrying
/// an `authentication-managed-identity` child, then forwards to `backend`.
fn send_request_gateway(oidc: &Oidc, calls: &Backend, backend: &Backend, child: &str) -> Gateway {
    let xml = policies(
        &format!(
            r#"<send-request mode="new" response-variable-name="r" timeout="10">
                 <set-url>{}/called</set-url>
                 <authentication-managed-identity resource="api://orders" output-token-variable-name="tok" {child}/>
               </send-request>
               <set-header name="X-Call-Status" exists-action="override"><value>@(((IResponse)context.Variables["r"]).StatusCode.ToString())</value></set-header>
               <set-header name="X-Has-Var" exists-action="override"><value>@(context.Variables.ContainsKey("tok") ? "yes" : "no")</value></set-header>"#,
            calls.url()
        ),
        "<forward-request />",
        "",
        REPORT,
    );
    with_identity(oidc, backend, &xml)
}

#[test]
fn send_request_with_a_managed_identity_child_calls_with_a_bearer_token() {
    let c = client();
    let oidc = Oidc::builder().client(&c.id, &c.secret).token_ttl(600).start();
    let (calls, backend) = (Backend::start("calls"), Backend::start("api"));
    let gw = send_request_gateway(&oidc, &calls, &backend, "");
    // The first request waits for the token, the next ones use the
    // worker's copy (or the one pushed to every worker).
    for i in 0..3 {
        let r = gw
            .connect()
            .request("GET", "/api/x", &[("Authorization", "Bearer client-token")], b"");
        assert_eq!(r.status, 200, "{i}: {} {:?}", r.status_line(), r.header("X-Message"));
    }
    let called = calls.wait_until("three calls", WAIT, |r| r.len() == 3);
    let auth: Vec<String> = called
        .iter()
        .map(|r| r.headers.get("Authorization").unwrap_or_default())
        .collect();
    let token = auth[0]
        .strip_prefix("Bearer ")
        .expect("the call carries a bearer token");
    let cl = claims(token);
    assert_eq!(cl["aud"], "api://orders");
    assert_eq!(cl["client_id"], "orders-app");
    assert!(auth.iter().all(|a| *a == auth[0]), "one cached token: {auth:?}");
    assert_eq!(oidc.requests("/token"), 1);
    // The token went on the call only: the request forwarded keeps the
    // client's Authorization; the output variable was set.
    let fwd = backend.wait_until("three forwarded requests", WAIT, |r| r.len() == 3);
    for f in &fwd {
        assert_eq!(f.headers.get("Authorization").as_deref(), Some("Bearer client-token"));
        assert_eq!(f.headers.get("X-Call-Status").as_deref(), Some("200"));
        assert_eq!(f.headers.get("X-Has-Var").as_deref(), Some("yes"));
    }
    assert!(
        gw.lines().iter().all(|l| !l.contains(token)),
        "the token is never logged"
    );
}

#[test]
fn send_request_without_a_token_fails_or_with_ignore_error_calls_without_one() {
    let c = client();
    let oidc = Oidc::builder().client(&c.id, &c.secret).start();
    oidc.set_mode("/token", "error", 0);
    let (calls, backend) = (Backend::start("calls"), Backend::start("api"));
    let gw = send_request_gateway(&oidc, &calls, &backend, "");
    let r = gw.connect().request("GET", "/api/x", &[], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Reason").as_deref(), Some("TokenAcquisitionFailed"));
    assert_eq!(calls.request_count(), 0, "the call is not sent without its token");

    let gw = send_request_gateway(&oidc, &calls, &backend, r#"ignore-error="true""#);
    let r = gw.connect().request("GET", "/api/x", &[], b"");
    assert_eq!(r.status, 200, "{:?}", r.header("X-Message"));
    let called = calls.wait_until("one call", WAIT, |r| r.len() == 1);
    assert_eq!(called[0].headers.get("Authorization"), None);
    let fwd = backend.wait_until("one forwarded request", WAIT, |r| r.len() == 1);
    assert_eq!(fwd[0].headers.get("X-Has-Var").as_deref(), Some("no"));
}

/// A gateway whose default identity is the provider's client, with API
/// `api` → `backend` under the policy document `xml`.
fn with_identity(oidc: &Oidc, backend: &Backend, xml: &str) -> Gateway {
    let c = client();
    let b = Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("authority.identity.default.clientId", &c.id)
        .env("authority.identity.default.clientSecret", &c.secret)
        .env("authority.identity.default.clientAuth", "basic")
        .env("authority.identity.default.tokenEndpoint", &oidc.token_endpoint())
        .env("OUTPOST_AUTHORITY_WAIT_TIMEOUT", "5s");
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b.start()
}
