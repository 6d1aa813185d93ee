//! Subscription keys and products through the real gateway: header and
//! query keys, custom key names, APIM's exact 401 responses, the three
//! subscription scopes, open products, `subscription-required = false`,
//! secondary keys, the key forwarded to the backend, the access log, and
//! the same rules configured through the management plane.

use crate::support::gateway::{field, TempDir};
use crate::support::*;
use serde_json::json;
use std::time::Duration;

const MISSING_BODY: &str = r#"{ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }"#;
const INVALID_BODY: &str = r#"{ "statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }"#;
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);
const LOG_TIMEOUT: Duration = Duration::from_secs(30);

// Long, distinctive keys, so a test can assert they never reach a log line.
const KEY_ALL: &str = "k-all-5f0c1d2e3f405162738495a6b7c8d9e0";
const KEY_A: &str = "k-a-primary-0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const KEY_A2: &str = "k-a-secondary-f9e8d7c6b5a4938271605f4e3d2c1b0a";
const KEY_GOLD: &str = "k-gold-00112233445566778899aabbccddeeff";
const KEY_OFF: &str = "k-suspended-ffeeddccbbaa99887766554433221100";

fn api(path: &str, url: &str, extra: &str) -> String {
    format!("{}{extra}", api_toml(path, url))
}

fn subscription(id: &str, scope: &str, primary: &str, secondary: Option<&str>, state: &str) -> String {
    let secondary = secondary.map_or(String::new(), |k| format!("secondary-key = \"{k}\"\n"));
    format!("[[subscription]]\nid = \"{id}\"\ndisplay-name = \"Sub {id}\"\nscope = \"{scope}\"\nprimary-key = \"{primary}\"\n{secondary}state = \"{state}\"\n")
}

/// APIs `a` (key required), `b` (key required, custom names, in product
/// gold), `free` (no key required, in gold) and `opened` (key required, in
/// the open product `open`).
fn gateway(backend: &Backend) -> Gateway {
    let url = backend.url();
    let subs = [
        subscription("all", "all", KEY_ALL, None, "active"),
        subscription("api-a", "/apis/a", KEY_A, Some(KEY_A2), "active"),
        subscription("gold-1", "product:gold", KEY_GOLD, None, "active"),
        subscription("off", "all", KEY_OFF, None, "suspended"),
    ]
    .concat();
    Gateway::builder()
        .api("a", &api("a", &url, "subscription-required = true\n"))
        .api(
            "b",
            &api(
                "b",
                &url,
                "subscription-required = true\nsubscription-key-header = \"X-Api-Key\"\nsubscription-key-query = \"apikey\"\n",
            ),
        )
        .api("free", &api("free", &url, "subscription-required = false\n"))
        .api("opened", &api("opened", &url, "subscription-required = true\n"))
        .file(
            "products/gold.toml",
            "display-name = \"Gold\"\napis = [\"b\", \"free\"]\nstate = \"published\"\n",
        )
        .file(
            "products/open.toml",
            "display-name = \"Open\"\napis = [\"opened\"]\nsubscription-required = false\n",
        )
        .file("subscriptions.toml", &subs)
        .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
        .start()
}

/// One request on a fresh connection (a 401 closes its connection).
fn call(gw: &Gateway, path: &str, headers: &[(&str, &str)]) -> Response {
    gw.connect().request("GET", path, headers, b"")
}

fn assert_ok(r: &Response, target: &str, what: &str) {
    assert_eq!(r.status, 200, "{what}: {} {:?}", r.status_line(), r.text());
    assert_eq!(r.header("x-request-target").as_deref(), Some(target), "{what}");
}

fn assert_missing(r: &Response, path: &str, header: &str, what: &str) {
    assert_eq!(r.status_line(), "HTTP/1.1 401 Unauthorized", "{what}");
    assert_eq!(r.text(), MISSING_BODY, "{what}: APIM's body byte for byte");
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"), "{what}");
    let challenge =
        format!(r#"AzureApiManagementKey realm="https://gateway.test/{path}",name="{header}",type="header""#);
    assert_eq!(r.header("www-authenticate"), Some(challenge), "{what}");
}

fn assert_invalid(r: &Response, what: &str) {
    assert_eq!(r.status_line(), "HTTP/1.1 401 Unauthorized", "{what}");
    assert_eq!(r.text(), INVALID_BODY, "{what}: APIM's body byte for byte");
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"), "{what}");
    assert_eq!(
        r.header("www-authenticate"),
        None,
        "{what}: no challenge for a wrong key"
    );
}

const H: &str = "Ocp-Apim-Subscription-Key";

#[test]
fn keys_scopes_and_apim_401s() {
    let backend = Backend::start("b");
    let gw = gateway(&backend);

    // API-scoped subscription (APIM's `/apis/a` scope form), header and query.
    assert_missing(&call(&gw, "/a/fixed", &[]), "a", H, "no key");
    assert_missing(&call(&gw, "/a/fixed", &[(H, "")]), "a", H, "empty key header");
    assert_ok(
        &call(&gw, "/a/fixed", &[(H, KEY_A)]),
        "/base/fixed",
        "primary key in the header",
    );
    assert_ok(
        &call(&gw, "/a/fixed", &[("ocp-apim-subscription-key", KEY_A2)]),
        "/base/fixed",
        "secondary key, header name in lowercase",
    );
    let target = format!("/base/fixed?x=1&subscription-key={KEY_A2}");
    let r = call(&gw, &format!("/a/fixed?x=1&subscription-key={KEY_A2}"), &[]);
    assert_ok(&r, &target, "key in the query, forwarded as sent");
    assert_ok(&call(&gw, "/a/fixed", &[(H, KEY_ALL)]), "/base/fixed", "all-APIs key");
    assert_invalid(
        &call(&gw, "/a/fixed", &[(H, KEY_GOLD)]),
        "product key for an API outside the product",
    );
    assert_invalid(&call(&gw, "/a/fixed", &[(H, KEY_OFF)]), "suspended subscription");
    assert_invalid(&call(&gw, "/a/fixed", &[(H, "nope")]), "unknown key");
    assert_invalid(
        &call(&gw, "/a/fixed", &[(H, &KEY_A[..KEY_A.len() - 1])]),
        "truncated key",
    );
    let r = call(&gw, "/a/fixed?subscription-key=nope", &[(H, KEY_A)]);
    assert_ok(
        &r,
        "/base/fixed?subscription-key=nope",
        "the header key wins over the query key",
    );

    // Custom key names; the default names mean nothing for this API.
    assert_missing(&call(&gw, "/b/fixed", &[]), "b", "X-Api-Key", "no key, custom header");
    assert_missing(
        &call(&gw, "/b/fixed", &[(H, KEY_GOLD)]),
        "b",
        "X-Api-Key",
        "key in the default header",
    );
    assert_ok(
        &call(&gw, "/b/fixed", &[("X-Api-Key", KEY_GOLD)]),
        "/base/fixed",
        "product key, custom header",
    );
    let r = call(&gw, &format!("/b/fixed?apikey={KEY_GOLD}"), &[]);
    assert_ok(
        &r,
        &format!("/base/fixed?apikey={KEY_GOLD}"),
        "product key, custom query",
    );
    assert_invalid(&call(&gw, "/b/fixed", &[("X-Api-Key", KEY_A)]), "key of another API");

    // No key required; a key, when sent, must still be valid.
    assert_ok(&call(&gw, "/free/fixed", &[]), "/base/fixed", "no key needed");
    assert_ok(
        &call(&gw, "/free/fixed", &[(H, KEY_GOLD)]),
        "/base/fixed",
        "product key for a free API",
    );
    assert_invalid(&call(&gw, "/free/fixed", &[(H, "nope")]), "invalid key on a free API");

    // Open product: no key needed even though the API requires one.
    assert_ok(&call(&gw, "/opened/fixed", &[]), "/base/fixed", "open product");
    assert_ok(
        &call(&gw, "/opened/fixed", &[(H, KEY_ALL)]),
        "/base/fixed",
        "open product with a key",
    );
    assert_invalid(&call(&gw, "/opened/fixed", &[(H, "nope")]), "invalid key, open product");

    // The key reaches the backend (APIM forwards it unless a policy removes it).
    let seen = backend.requests();
    assert!(
        seen.iter().any(|q| q.headers.get(H).as_deref() == Some(KEY_A)),
        "the key header is forwarded"
    );
    // Refused requests never reach the backend: 11 were granted above.
    assert_eq!(seen.len(), 11, "only granted requests reach the backend");

    assert_access_log(&gw);
}

/// The access log names the subscription and product by id, never a key,
/// and hides a key sent in the query string.
fn assert_access_log(gw: &Gateway) {
    let is_access = |l: &str| l.contains("\"category\":\"GatewayLogs\"");
    // The last request above is the open-product one with an invalid key.
    gw.wait_for_line(
        |l| is_access(l) && l.contains("\"apiId\":\"opened\"") && l.contains("\"responseCode\":401"),
        LOG_TIMEOUT,
    );
    let lines = gw.lines();
    for key in [KEY_ALL, KEY_A, KEY_A2, KEY_GOLD, KEY_OFF] {
        assert!(
            !lines.iter().any(|l| l.contains(key)),
            "a key appears in the logs: {}",
            lines.iter().find(|l| l.contains(key)).unwrap()
        );
    }
    let records: Vec<&String> = lines.iter().filter(|l| is_access(l)).collect();
    let find = |api: &str, sub: Option<&str>, product: Option<&str>, status: &str| {
        records.iter().any(|l| {
            field(l, "apiId").as_deref() == Some(api)
                && field(l, "apimSubscriptionId").as_deref() == sub
                && field(l, "productId").as_deref() == product
                && field(l, "responseCode").as_deref() == Some(status)
        })
    };
    assert!(find("a", Some("api-a"), None, "200"), "API-scoped grant: {records:#?}");
    assert!(
        find("b", Some("gold-1"), Some("gold"), "200"),
        "product-scoped grant: {records:#?}"
    );
    assert!(
        find("opened", None, Some("open"), "200"),
        "open product without key: {records:#?}"
    );
    assert!(find("a", None, None, "401"), "refused request: {records:#?}");
    let refused = records
        .iter()
        .find(|l| field(l, "responseCode").as_deref() == Some("401"))
        .unwrap();
    assert!(
        field(refused, "lastErrorReason").is_some_and(|r| r.starts_with("SubscriptionKey")),
        "{refused}"
    );
    assert!(
        records
            .iter()
            .any(|l| field(l, "url").is_some_and(|u| u.ends_with("/a/fixed?x=1&subscription-key=***"))),
        "the query key is masked in the logged URL: {records:#?}"
    );
}

/// A product and a subscription created through the management plane's REST
/// API are enforced by a gateway syncing from it, and suspending the
/// subscription there refuses its key.
#[test]
fn enforced_from_the_management_plane() {
    let backend = Backend::start("m");
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    let api =
        json!({ "displayName": "Orders", "path": "orders", "serviceUrl": backend.url(), "subscriptionRequired": true });
    cp.admin("PUT", "/mgmt/apis/orders", &api.to_string());
    cp.assign("gw1", "orders");
    let product = json!({ "displayName": "Starter", "subscriptionRequired": true, "state": "published" });
    cp.admin("PUT", "/mgmt/products/starter", &product.to_string());
    cp.admin("PUT", "/mgmt/products/starter/apis/orders", "");
    let sub = |state: &str| {
        json!({ "displayName": "Alice", "scope": "/products/starter", "primaryKey": KEY_GOLD, "state": state })
            .to_string()
    };
    let created = cp.admin("PUT", "/mgmt/subscriptions/alice", &sub("active"));
    assert_eq!(
        created["scope"], "product:starter",
        "APIM's scope form is accepted: {created}"
    );
    let secondary = cp.admin("POST", "/mgmt/subscriptions/alice/listSecrets", "")["secondaryKey"]
        .as_str()
        .expect("a generated secondary key")
        .to_string();

    let backup = TempDir::new("backup");
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), &cp.token("gw1"), &backup.0)
        .start();
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_missing(&call(&gw, "/orders/fixed", &[]), "orders", H, "no key");
    assert_ok(
        &call(&gw, "/orders/fixed", &[(H, KEY_GOLD)]),
        "/base/fixed",
        "primary key",
    );
    assert_ok(
        &call(&gw, "/orders/fixed", &[(H, &secondary)]),
        "/base/fixed",
        "generated secondary key",
    );
    assert_invalid(&call(&gw, "/orders/fixed", &[(H, "nope")]), "unknown key");

    cp.admin("PUT", "/mgmt/subscriptions/alice", &sub("suspended"));
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_invalid(
        &call(&gw, "/orders/fixed", &[(H, KEY_GOLD)]),
        "suspended through the management plane",
    );

    // A second open product for the same API is refused (APIM's rule).
    let open = json!({ "displayName": "Open", "subscriptionRequired": false });
    cp.admin("PUT", "/mgmt/products/open1", &open.to_string());
    cp.admin("PUT", "/mgmt/products/open2", &open.to_string());
    cp.admin("PUT", "/mgmt/products/open1/apis/orders", "");
    let (status, body) = cp.call(
        "PUT",
        "/mgmt/products/open2/apis/orders",
        Some(&format!("Bearer {}", cp.admin_token())),
        "",
    );
    assert_eq!(status, 409, "{body}");
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_ok(
        &call(&gw, "/orders/fixed", &[]),
        "/base/fixed",
        "the open product lets requests without a key in",
    );
}

/// The shipped demo configuration: the echo API answers without a key, with
/// the demo key in the `starter` product's context, and refuses a wrong key
/// (the commands of config/README.md).
#[test]
fn demo_configuration_quick_start() {
    let gw = Gateway::builder()
        .embedded()
        .env("OUTPOST_TELEMETRY_LOGS_STD", "json")
        .start();
    assert_eq!(call(&gw, "/echo/hi", &[]).status, 200, "no key");
    let r = call(&gw, "/echo/hi", &[(H, "starter-demo-primary-key")]);
    assert_eq!(r.status, 200, "demo key");
    // The product-scope demo policy (config/products/starter.xml) adds a
    // request header, which the echo backend shows.
    assert!(r.text().to_ascii_lowercase().contains("x-product"), "{}", r.text());
    assert!(r.text().contains("Starter"), "{}", r.text());
    assert!(
        !call(&gw, "/echo/hi", &[])
            .text()
            .to_ascii_lowercase()
            .contains("x-product"),
        "no key, no product scope"
    );
    assert_eq!(
        call(&gw, "/echo/hi", &[(H, "starter-demo-secondary-key")]).status,
        200,
        "demo secondary key"
    );
    assert_invalid(&call(&gw, "/echo/hi", &[(H, "wrong")]), "wrong key");
    let line = gw.wait_for_line(|l| field(l, "productId").as_deref() == Some("starter"), LOG_TIMEOUT);
    assert_eq!(
        field(&line, "apimSubscriptionId").as_deref(),
        Some("starter-demo"),
        "{line}"
    );
}
