//! The management plane's REST resources one by one through the real
//! binary: create (201), replace (200), read (secrets hidden), delete (204),
//! read again (404), each write bumping the configuration version once, and
//! what a gateway's snapshot carries of them.

use crate::support::*;
use serde_json::{json, Value};

/// The global scope has no enclosing scope, so no `<base />`.
const GLOBAL_POLICY: &str = "<policies><inbound /><backend /><outbound /><on-error /></policies>";
const POLICY: &str = "<policies><inbound><base /></inbound><backend><base /></backend>\
<outbound><base /></outbound><on-error><base /></on-error></policies>";

/// PUT twice (201 then 200), each write bumping the version by one.
fn put_twice(cp: &ControlPlane, path: &str, body: &Value) -> Value {
    let auth = format!("Bearer {}", cp.admin_token());
    let mut last = Value::Null;
    for want in [201, 200] {
        let before = cp.version();
        let (status, v) = cp.call("PUT", path, Some(&auth), &body.to_string());
        assert_eq!(status, want, "PUT {path}: {v}");
        assert_eq!(cp.version(), before + 1, "PUT {path} bumps the version once");
        last = v;
    }
    last
}

fn delete_then_gone(cp: &ControlPlane, path: &str) {
    let auth = format!("Bearer {}", cp.admin_token());
    let before = cp.version();
    let (status, v) = cp.call("DELETE", path, Some(&auth), "");
    assert_eq!(status, 204, "DELETE {path}: {v}");
    assert_eq!(cp.version(), before + 1, "DELETE {path} bumps the version once");
    let (status, v) = cp.call("GET", path, Some(&auth), "");
    assert_eq!(status, 404, "GET {path} after DELETE: {v}");
    assert_eq!(v["error"]["code"], "ResourceNotFound", "{v}");
}

#[test]
fn every_resource_is_created_replaced_read_and_deleted() {
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("orders", "orders", "http://127.0.0.1:9");
    cp.admin(
        "PUT",
        "/mgmt/apis/orders/operations/list",
        &json!({ "method": "GET", "urlTemplate": "/list" }).to_string(),
    );
    cp.assign("gw1", "orders");

    // Named values: a secret one is never returned in plain text.
    let secret = "s3cret-value-0123456789";
    let shown = put_twice(
        &cp,
        "/mgmt/named-values/dbpass",
        &json!({ "value": secret, "secret": true }),
    );
    assert!(shown["value"].is_null(), "{shown}");
    let got = cp.admin("GET", "/mgmt/named-values/dbpass", "");
    assert!(got["value"].is_null() && got["secret"] == true, "{got}");
    let list = cp.admin("GET", "/mgmt/named-values", "");
    assert!(!list.to_string().contains(secret), "{list}");
    put_twice(&cp, "/mgmt/named-values/plain", &json!({ "value": "visible" }));
    assert_eq!(cp.admin("GET", "/mgmt/named-values/plain", "")["value"], "visible");

    // Backends.
    put_twice(
        &cp,
        "/mgmt/backends/be1",
        &json!({ "url": "http://127.0.0.1:9/base", "description": "d" }),
    );
    assert_eq!(
        cp.admin("GET", "/mgmt/backends/be1", "")["url"],
        "http://127.0.0.1:9/base"
    );
    let list = cp.admin("GET", "/mgmt/backends", "");
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1), "{list}");

    // Certificates: checked on upload; the PEM and key are never returned.
    let tmp = crate::support::gateway::TempDir::new("res-cert");
    let pki = crate::support::tls::Pki::new(&tmp.0, "r");
    let pem = std::fs::read_to_string(pki.issue("c1", "c1.test", &["c1.test"], false)).unwrap();
    let shown = put_twice(&cp, "/mgmt/certificates/c1", &json!({ "pem": pem }));
    assert!(!shown.to_string().contains("BEGIN"), "{shown}");
    let got = cp.admin("GET", "/mgmt/certificates/c1", "");
    assert_eq!(got, shown, "GET shows what PUT answered");
    assert!(
        got["subject"].as_str().is_some_and(|s| s.contains("c1.test")) && got["hasPrivateKey"] == true,
        "{got}"
    );

    // Products and policies at every scope.
    put_twice(
        &cp,
        "/mgmt/products/gold",
        &json!({ "displayName": "Gold", "subscriptionRequired": true, "state": "published" }),
    );
    cp.admin("PUT", "/mgmt/products/gold/apis/orders", "");
    for scope in [
        "/mgmt/policy",
        "/mgmt/products/gold/policy",
        "/mgmt/apis/orders/policy",
        "/mgmt/apis/orders/operations/list/policy",
    ] {
        let xml = if scope == "/mgmt/policy" { GLOBAL_POLICY } else { POLICY };
        put_twice(&cp, scope, &json!({ "value": xml, "format": "xml" }));
        assert_eq!(cp.admin("GET", scope, "")["value"], xml, "{scope}");
    }
    let (status, v) = cp.call(
        "PUT",
        "/mgmt/apis/orders/policy",
        Some(&format!("Bearer {}", cp.admin_token())),
        &json!({ "value": "not xml" }).to_string(),
    );
    assert_eq!(status, 400, "a policy must be XML: {v}");

    // The gateway's snapshot carries what it needs, secrets and
    // certificates with their keys included (it must use them).
    let (status, snap) = cp.gateway_config(&cp.token("gw1"));
    assert_eq!(status, 200, "{snap}");
    let files: Vec<(String, String)> = snap["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").into(),
                f["content"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let content = |p: &str| files.iter().find(|(path, _)| path == p).map(|(_, c)| c.clone());
    assert!(
        content("named-values.toml").is_some_and(|c| c.contains(secret)),
        "{files:?}"
    );
    assert!(content("backends/be1.toml").is_some(), "{files:?}");
    assert!(
        content("certificates/c1.pem").is_some_and(|c| c == pem),
        "the certificate as uploaded"
    );
    assert!(files.iter().any(|(p, _)| p.starts_with("products/gold")), "{files:?}");

    // Deletes.
    for path in [
        "/mgmt/apis/orders/operations/list/policy",
        "/mgmt/apis/orders/policy",
        "/mgmt/products/gold/policy",
        "/mgmt/policy",
        "/mgmt/certificates/c1",
        "/mgmt/backends/be1",
        "/mgmt/named-values/dbpass",
        "/mgmt/products/gold",
    ] {
        delete_then_gone(&cp, path);
    }
}
