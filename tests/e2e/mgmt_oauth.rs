//! OAuth2 on the management plane, through the real `outpost control-plane`
//! and the test OpenID provider: administrators' roles (reader GET only,
//! contributor everything), refused tokens (wrong audience or issuer,
//! expired, not yet valid, `alg: none`, wrong signature, malformed,
//! oversized, no role) with clear 401/403 bodies, the audit log after
//! writes, and gateway application identities allowed then revoked on
//! the configuration and heartbeat endpoints.

use crate::support::control_plane::unix_now;
use crate::support::oidc::{Client, Oidc};
use crate::support::ControlPlane;
use base64::Engine;
use serde_json::{json, Value};

const ADMIN_AUD: &str = "https://outpost.example/mgmt";
const GATEWAY_AUD: &str = "https://azure-api.net/configuration";

fn client(id: &str) -> Client {
    Client {
        id: id.into(),
        secret: format!("{id}-secret-0123456789"),
    }
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_string()
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn start() -> (Oidc, ControlPlane) {
    let oidc = Oidc::builder()
        .client_with_claims("alice", "alice-secret-0123456789", json!({"roles": ["Outpost.Reader"]}))
        .client_with_claims(
            "bob",
            "bob-secret-0123456789",
            json!({"roles": ["Outpost.Contributor"]}),
        )
        .client("nobody", "nobody-secret-0123456789")
        .client("gw-app", "gw-app-secret-0123456789")
        .client("gw-other", "gw-other-secret-0123456789")
        .start();
    let cp = ControlPlane::start_with_settings(&[
        ("mgmt.auth.admin.issuer", &oidc.issuer),
        ("mgmt.auth.admin.audience", ADMIN_AUD),
        ("mgmt.auth.gateway.issuer", &oidc.issuer),
        ("mgmt.auth.jwks.min-refresh-interval", "0s"),
    ]);
    (oidc, cp)
}

#[test]
fn admin_roles_refusals_and_audit() {
    let (oidc, cp) = start();
    let reader = bearer(&oidc.token(&client("alice"), Some(ADMIN_AUD)));
    let contributor = bearer(&oidc.token(&client("bob"), Some(ADMIN_AUD)));

    // A contributor writes; a reader reads and is refused writes with 403.
    let api = json!({"displayName": "Echo", "path": "echo", "serviceUrl": "echo://"}).to_string();
    let (s, v) = cp.call("PUT", "/mgmt/apis/echo", Some(&contributor), &api);
    assert_eq!(s, 201, "{v}");
    let (s, v) = cp.call("GET", "/mgmt/apis/echo", Some(&reader), "");
    assert_eq!((s, v["path"].as_str()), (200, Some("echo")), "{v}");
    let (s, v) = cp.call("DELETE", "/mgmt/apis/echo", Some(&reader), "");
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["error"]["code"], "Forbidden");
    assert!(message(&v).contains("reader"), "{v}");
    let (s, _) = cp.call("POST", "/mgmt/gateways/g/listKeys", Some(&reader), "");
    assert_eq!(s, 403, "a reader cannot reveal keys");
    // A valid token granting no role: 403.
    let none = bearer(&oidc.token(&client("nobody"), Some(ADMIN_AUD)));
    let (s, v) = cp.call("GET", "/mgmt/apis", Some(&none), "");
    assert_eq!(s, 403, "{v}");
    assert!(message(&v).contains("grants no role"), "{v}");

    // Refused tokens: 401 with the reason.
    let now = unix_now();
    let claims = |extra: Value| {
        let mut c = json!({"iss": oidc.issuer, "aud": ADMIN_AUD, "sub": "eve", "iat": now,
                           "exp": now + 300, "roles": ["Outpost.Contributor"]});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let signed = |extra: Value| bearer(&oidc.sign(claims(extra), json!({}), "RS256"));
    let good = signed(json!({}));
    let (s, v) = cp.call("GET", "/mgmt/apis", Some(&good), "");
    assert_eq!(s, 200, "a test-signed token with the right claims passes: {v}");
    let cases = [
        (
            "wrong audience",
            bearer(&oidc.token(&client("bob"), Some("https://other.example"))),
            "Audience",
        ),
        ("wrong issuer", signed(json!({"iss": "https://evil.example"})), "Issuer"),
        (
            "expired",
            signed(json!({"exp": now - 3600, "iat": now - 7200})),
            "TokenExpired",
        ),
        ("not yet valid", signed(json!({"nbf": now + 3600})), "not yet valid"),
        ("no expiry", signed(json!({"exp": null})), "Expiration"),
        (
            "alg none",
            bearer(&format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                b64(&claims(json!({})))
            )),
            "signature",
        ),
        ("malformed", bearer("not.a.jwt"), "refused"),
        ("oversized", bearer(&"a".repeat(40 * 1024)), "longer than"),
    ];
    for (what, token, reason) in cases {
        let (s, v) = cp.call("GET", "/mgmt/apis", Some(&token), "");
        assert_eq!(s, 401, "{what}: {v}");
        assert_eq!(v["error"]["code"], "Unauthorized", "{what}");
        assert!(message(&v).contains(reason), "{what}: {v}");
    }
    // A tampered signature.
    let mut parts: Vec<String> = good
        .trim_start_matches("Bearer ")
        .split('.')
        .map(String::from)
        .collect();
    parts[1] = b64(&claims(json!({"sub": "mallory"})));
    let (s, v) = cp.call("GET", "/mgmt/apis", Some(&bearer(&parts.join("."))), "");
    assert_eq!(s, 401, "{v}");
    assert!(message(&v).contains("Signature"), "{v}");

    // Audit: the writes, by whom, with versions; filtered by resource; no secrets.
    cp.admin(
        "PUT",
        "/mgmt/named-values/secret1",
        &json!({"value": "s3cr3t-value", "secret": true}).to_string(),
    );
    let (s, v) = cp.call("GET", "/mgmt/audit", Some(&reader), "");
    assert_eq!(s, 200, "{v}");
    let entries = v["value"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2, "failed and refused writes are not entries: {v}");
    assert_eq!(entries[0]["actor"], "admin-token");
    assert_eq!(entries[0]["resource"], "/named-values/secret1");
    assert_eq!(entries[1]["actorKind"], "oauth2");
    assert_eq!(entries[1]["role"], "contributor");
    assert_eq!(entries[1]["method"], "PUT");
    assert_eq!(entries[1]["resource"], "/apis/echo");
    assert_eq!(
        entries[1]["newVersion"].as_u64().unwrap(),
        entries[1]["oldVersion"].as_u64().unwrap() + 1
    );
    assert!(!v.to_string().contains("s3cr3t"), "no secret in the audit log");
    let (_, v) = cp.call("GET", "/mgmt/audit?resource=/apis&$top=1", Some(&reader), "");
    let only = v["value"].as_array().unwrap();
    assert_eq!(
        (only.len(), only[0]["resource"].as_str()),
        (1, Some("/apis/echo")),
        "{v}"
    );
    // The admin token still works, as a contributor.
    cp.admin("DELETE", "/mgmt/apis/echo", "");
}

#[test]
fn gateway_identities_allowed_then_revoked() {
    let (oidc, cp) = start();
    cp.put_gateway("g1");
    cp.put_gateway("g2");
    let app = oidc.token(&client("gw-app"), Some(GATEWAY_AUD));
    let auth = bearer(&app);

    // Not mapped yet: 403 naming the application.
    let (s, v) = cp.gateway_config(&auth);
    assert_eq!(s, 403, "{v}");
    assert!(message(&v).contains("gw-app"), "{v}");

    let v = cp.admin(
        "PUT",
        "/mgmt/gateways/g1/identities/gw-app",
        r#"{"description": "g1's app"}"#,
    );
    assert_eq!(v["clientId"], "gw-app");
    let list = cp.admin("GET", "/mgmt/gateways/g1/identities", "");
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1), "{list}");

    // Mapped to one gateway: that gateway's configuration.
    let (s, v) = cp.gateway_config(&auth);
    assert_eq!((s, v["gatewayId"].as_str()), (200, Some("g1")), "{v}");
    // Naming another gateway is refused.
    let r = cp.raw_with(
        "GET",
        "/gateway/config",
        &[("Authorization", &auth), ("Outpost-Gateway-Id", "g2")],
        "",
    );
    assert_eq!(r.status, 403, "{}", r.text());
    // A token for another audience is refused.
    let (s, v) = cp.gateway_config(&bearer(&oidc.token(&client("gw-app"), Some(ADMIN_AUD))));
    assert_eq!(s, 401, "{v}");
    // Another application is not mapped.
    let (s, _) = cp.gateway_config(&bearer(&oidc.token(&client("gw-other"), Some(GATEWAY_AUD))));
    assert_eq!(s, 403);

    // The heartbeat records the identity; GET /mgmt/gateways/g1 shows it.
    let (s, v) = cp.call("POST", "/gateway/heartbeat", Some(&auth), r#"{"instanceId": "i-1"}"#);
    assert_eq!(s, 204, "{v}");
    let gw = cp.admin("GET", "/mgmt/gateways/g1", "");
    assert_eq!(gw["identity"]["kind"], "oauth2", "{gw}");
    assert_eq!(gw["identity"]["clientId"], "gw-app", "{gw}");
    assert_eq!(gw["identity"]["instanceId"], "i-1", "{gw}");
    let inst = cp.admin("GET", "/mgmt/gateways/g1/instances", "");
    assert_eq!(inst["value"][0]["identity"]["clientId"], "gw-app", "{inst}");
    // A GatewayKey heartbeat of another instance is recorded as such.
    let key = cp.token("g1");
    let (s, _) = cp.call("POST", "/gateway/heartbeat", Some(&key), r#"{"instanceId": "i-2"}"#);
    assert_eq!(s, 204);
    let inst = cp.admin("GET", "/mgmt/gateways/g1/instances", "");
    assert_eq!(inst["value"][1]["identity"]["kind"], "gatewayKey", "{inst}");

    // Revoked: the next request is refused, with the same token.
    cp.admin("DELETE", "/mgmt/gateways/g1/identities/gw-app", "");
    let (s, _) = cp.gateway_config(&auth);
    assert_eq!(s, 403, "revocation takes effect at the next request");
    let (s, _) = cp.call("POST", "/gateway/heartbeat", Some(&auth), r#"{"instanceId": "i-1"}"#);
    assert_eq!(s, 403);
    let (s, _) = cp.call(
        "GET",
        "/mgmt/gateways/g1/identities/gw-app",
        Some(&bearer(cp.admin_token())),
        "",
    );
    assert_eq!(s, 404);

    // Key rotation at the provider: a token signed with a new key passes
    // (the control plane refetches the JWKS on the unknown kid).
    cp.admin("PUT", "/mgmt/gateways/g2/identities/gw-app", "");
    oidc.rotate(false);
    let fresh = bearer(&oidc.token(&client("gw-app"), Some(GATEWAY_AUD)));
    let (s, v) = cp.gateway_config(&fresh);
    assert_eq!((s, v["gatewayId"].as_str()), (200, Some("g2")), "{v}");
    // The audit log names the identity writes.
    let audit = cp.admin("GET", "/mgmt/audit?resource=/gateways/g1/identities", "");
    let methods: Vec<_> = audit["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["method"].clone())
        .collect();
    assert_eq!(methods, [json!("DELETE"), json!("PUT")], "{audit}");
}
