//! A real gateway authenticating to the real management plane with OAuth2
//! (`config.service.auth=azureAdApp`, `gateway.name`), both against the
//! test OpenID provider: the application mapped to two gateways syncs
//! the one it names, the heartbeat records its identity, and a revoked
//! application leaves the gateway serving its last configuration (fail
//! static) with the refusal in its status.

use crate::support::oidc::{Client, Oidc};
use crate::support::*;
use std::time::Duration;

const SYNC_TIMEOUT: Duration = Duration::from_secs(20);

#[test]
fn a_gateway_with_an_application_identity_syncs_its_named_gateway_and_fails_static_when_revoked() {
    let app = Client {
        id: "gw-app".into(),
        secret: "gw-app-secret-0123456789".into(),
    };
    let oidc = Oidc::builder().client(&app.id, &app.secret).start();
    let cp = ControlPlane::start_with_settings(&[
        ("mgmt.auth.gateway.issuer", &oidc.issuer),
        ("mgmt.auth.jwks.min-refresh-interval", "0s"),
    ]);
    let backend = Backend::start("orders");
    cp.put_gateway("g1");
    cp.put_gateway("g2");
    cp.put_api("orders", "orders", &backend.url());
    cp.assign("g2", "orders");
    // The application may configure both gateways: gateway.name picks one.
    cp.admin("PUT", "/mgmt/gateways/g1/identities/gw-app", "{}");
    cp.admin("PUT", "/mgmt/gateways/g2/identities/gw-app", "{}");

    let backup = crate::support::gateway::TempDir::new("gw-oauth-backup");
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), "azureAdApp", &backup.0)
        .env("gateway.name", "g2")
        .env("config.service.auth.azureAd.clientId", &app.id)
        .env("config.service.auth.azureAd.clientSecret", &app.secret)
        .env("config.service.auth.azureAd.clientAuth", "basic")
        .env("config.service.auth.azureAd.authority", &oidc.issuer)
        .start();
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let r = gw.connect().get("/orders/fixed");
    assert_eq!(r.status, 200, "g2's API is served");
    assert_eq!(r.header("X-Backend").as_deref(), Some("orders"));

    // The heartbeat names the application; g1 saw no heartbeat.
    let shown = wait_value(SYNC_TIMEOUT, || {
        let g = cp.admin("GET", "/mgmt/gateways/g2", "");
        (g["identity"]["clientId"] == "gw-app").then_some(g)
    });
    assert_eq!(shown["identity"]["kind"], "oauth2", "{shown}");
    let g1 = cp.admin("GET", "/mgmt/gateways/g1", "");
    assert!(g1["identity"].is_null(), "{g1}");

    // Revoked: refused from the next call on; the gateway keeps serving
    // what it has and says why in its log.
    let from = gw.line_count();
    cp.admin("DELETE", "/mgmt/gateways/g2/identities/gw-app", "");
    cp.put_api("orders", "orders2", &backend.url());
    gw.wait_for_line_after(from, |l| l.contains("refused") || l.contains("nauthori"), SYNC_TIMEOUT);
    let r = gw.connect().get("/orders/fixed");
    assert_eq!(r.status, 200, "fail static: the last configuration is still served");
    assert_eq!(
        gw.connect().get("/orders2/fixed").status,
        404,
        "the change after revocation is not applied"
    );
}

/// Polls `f` until it gives a value (the management plane's state is
/// observed, not waited for blindly).
fn wait_value<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "condition not met within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
