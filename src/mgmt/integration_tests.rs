//! End-to-end test: starts [`super::run`] on 127.0.0.1:0 and drives it over
//! real sockets with a minimal HTTP/1.0 client (no extra crates). No sleeps
//! are used for synchronisation and nothing asserts on timing.

use std::net::SocketAddr;
use std::sync::mpsc;

use serde_json::{json, Value};

use super::test_http::{http, Reply};
use super::{run, tokens, ControlPlaneOptions};

struct Client {
    addr: SocketAddr,
    admin: String,
}

impl Client {
    fn mgmt(&self, method: &str, path: &str, body: Value) -> Reply {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        http(
            self.addr,
            method,
            &format!("/mgmt{path}"),
            &[("Authorization", &self.admin)],
            &body,
        )
    }
    fn token(&self, gw: &str, key: &str) -> String {
        let expiry = tokens::format_iso(tokens::now_unix() + 86400);
        let r = self.mgmt(
            "POST",
            &format!("/gateways/{gw}/generateToken"),
            json!({"keyType": key, "expiry": expiry}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["value"].as_str().unwrap().to_string()
    }
}

fn config(addr: SocketAddr, token: &str, etag: Option<&str>, query: &str) -> Reply {
    let mut h = vec![("Authorization", token)];
    if let Some(e) = etag {
        h.push(("If-None-Match", e));
    }
    http(addr, "GET", &format!("/gateway/config{query}"), &h, "")
}

fn paths(r: &Reply) -> Vec<String> {
    r.json()["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn control_plane_end_to_end() {
    let dir = super::store::temp_dir("e2e");
    let (tx, rx) = mpsc::channel();
    let data_dir = dir.clone();
    std::thread::spawn(move || {
        let ready = Box::new(move |a: SocketAddr| tx.send(a).unwrap());
        let opts = ControlPlaneOptions {
            data_dir,
            listen: "127.0.0.1:0".parse().unwrap(),
            ready: Some(ready),
            tls: None,
            auth: Default::default(),
        };
        run(opts).unwrap();
    });
    let addr = rx.recv().unwrap();
    let token_path = dir.join("admin-token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let admin = format!("Bearer {}", std::fs::read_to_string(&token_path).unwrap().trim());
    let c = Client { addr, admin };

    // Admin auth and validation.
    assert_eq!(http(addr, "GET", "/mgmt/apis", &[], "").status, 401);
    assert_eq!(
        http(addr, "GET", "/mgmt/apis", &[("Authorization", "Bearer wrong")], "").status,
        401
    );
    let r = c.mgmt(
        "PUT",
        "/apis/bad%20id",
        json!({"displayName": "x", "path": "x", "serviceUrl": "echo://"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "ValidationError");
    let r = http(addr, "PUT", "/mgmt/apis/x", &[("Authorization", &c.admin)], "{not json");
    assert_eq!((r.status, r.json()["error"]["message"].as_str().is_some()), (400, true));
    let r = c.mgmt(
        "PUT",
        "/apis/x",
        json!({"displayName": "x", "path": "x", "serviceUrl": "ftp://h"}),
    );
    assert_eq!(r.status, 400);

    // Gateways, API, operation, policy, assignment.
    assert_eq!(c.mgmt("PUT", "/gateways/gw-a", json!({"description": "A"})).status, 201);
    assert_eq!(c.mgmt("PUT", "/gateways/gw-b", Value::Null).status, 201);
    let echo = json!({"displayName": "Echo API", "path": "echo", "serviceUrl": "echo://"});
    assert_eq!(c.mgmt("PUT", "/apis/echo", echo).status, 201);
    let op = json!({"displayName": "Get", "method": "get", "urlTemplate": "/*"});
    assert_eq!(c.mgmt("PUT", "/apis/echo/operations/get", op).status, 201);
    assert_eq!(
        c.mgmt(
            "PUT",
            "/apis/echo/operations/bad",
            json!({"method": "GET", "urlTemplate": "x"})
        )
        .status,
        400
    );
    let policy = "<policies><inbound><base /></inbound></policies>";
    let r = http(
        addr,
        "PUT",
        "/mgmt/apis/echo/policy",
        &[("Authorization", &c.admin), ("Content-Type", "application/xml")],
        policy,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // Policy documents are checked on PUT, with the line of the problem.
    let twice = json!({"value": "<policies>\n<inbound><base/>\n<base/></inbound></policies>"});
    let r = c.mgmt("PUT", "/apis/echo/policy", twice);
    assert_eq!(r.status, 400);
    let msg = r.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(msg.contains("line 3") && msg.contains("twice"), "{msg}");
    let r = c.mgmt(
        "PUT",
        "/policy",
        json!({"value": "<policies><inbound><base/></inbound></policies>"}),
    );
    assert_eq!(r.status, 400, "no <base/> at global scope");

    // Policy fragments.
    let frag = "<fragment><set-header name=\"X-F\" exists-action=\"override\"><value>1</value></set-header></fragment>";
    let r = c.mgmt(
        "PUT",
        "/policy-fragments/hdr",
        json!({"value": frag, "description": "d"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        c.mgmt("PUT", "/policy-fragments/hdr", json!({"value": frag})).status,
        200
    );
    for bad in [
        "<policies/>",
        "<fragment><base/></fragment>",
        "<fragment><a></fragment>",
    ] {
        let r = c.mgmt("PUT", "/policy-fragments/bad", json!({"value": bad}));
        assert_eq!(r.status, 400, "{bad}");
    }
    let r = c.mgmt("PUT", "/policy-fragments/bad", json!({"value": frag, "format": "json"}));
    assert_eq!(r.status, 400);
    assert_eq!(
        c.mgmt("GET", "/policy-fragments/hdr", Value::Null).json()["value"],
        frag
    );
    assert_eq!(c.mgmt("GET", "/policy-fragments/bad", Value::Null).status, 404);
    let all = c.mgmt("GET", "/policy-fragments", Value::Null).json();
    assert_eq!(all["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        c.mgmt("PUT", "/policy-fragments/tmp", json!({"value": frag})).status,
        201
    );
    assert_eq!(c.mgmt("DELETE", "/policy-fragments/tmp", Value::Null).status, 204);
    assert_eq!(c.mgmt("DELETE", "/policy-fragments/tmp", Value::Null).status, 404);

    assert_eq!(c.mgmt("PUT", "/gateways/gw-a/apis/echo", Value::Null).status, 200);
    assert_eq!(c.mgmt("PUT", "/gateways/gw-a/apis/missing", Value::Null).status, 404);

    // Tokens.
    let far = tokens::format_iso(tokens::now_unix() + 31 * 86400);
    assert_eq!(
        c.mgmt(
            "POST",
            "/gateways/gw-a/generateToken",
            json!({"keyType": "primary", "expiry": far})
        )
        .status,
        400
    );
    let bad_expiry = json!({"keyType": "primary", "expiry": "tomorrow"});
    assert_eq!(c.mgmt("POST", "/gateways/gw-a/generateToken", bad_expiry).status, 400);
    let token_a = c.token("gw-a", "primary");
    let token_b = c.token("gw-b", "primary");
    assert_eq!(
        http(addr, "GET", "/mgmt/apis", &[("Authorization", &token_a)], "").status,
        401
    );

    // Snapshot, ETag, 304.
    let r = config(addr, &token_a, None, "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(paths(&r), ["apis/echo.toml", "apis/echo.xml", "fragments/hdr.xml"]);
    assert_eq!(r.json()["gatewayId"], "gw-a");
    let etag = r.header("etag").unwrap_or_default().to_string();
    assert_eq!(etag, format!("\"{}\"", r.json()["version"]));
    assert_eq!(config(addr, &token_a, Some(&etag), "").status, 304);
    assert_eq!(config(addr, "GatewayKey gw-a&209901010000&AAAA", None, "").status, 401);
    assert_eq!(
        config(addr, "garbage", None, "").json()["error"]["message"],
        "invalid or expired gateway token"
    );

    // A change invisible to gw-a (new unassigned API) still answers 304 for gw-a.
    let other = json!({"displayName": "Other", "path": "other", "serviceUrl": "http://127.0.0.1:9"});
    assert_eq!(c.mgmt("PUT", "/apis/other", other).status, 201);
    let r = config(addr, &token_a, Some(&etag), "");
    assert_eq!(r.status, 304);
    let etag = r.header("etag").unwrap_or_default().to_string();

    // Long poll woken by a write from another thread.
    let poll = {
        let (token, etag) = (token_a.clone(), etag.clone());
        std::thread::spawn(move || config(addr, &token, Some(&etag), "?wait=60"))
    };
    let writer = {
        let admin = c.admin.clone();
        std::thread::spawn(move || {
            let body = json!({"value": "s3cret", "secret": true}).to_string();
            http(
                addr,
                "PUT",
                "/mgmt/named-values/token",
                &[("Authorization", &admin)],
                &body,
            )
            .status
        })
    };
    assert_eq!(writer.join().unwrap(), 201);
    let r = poll.join().unwrap();
    assert_eq!(r.status, 200);
    assert_ne!(r.header("etag"), Some(etag.as_str()));
    assert!(paths(&r).contains(&"named-values.toml".to_string()));
    assert!(r.body.contains("s3cret"), "the gateway receives secret values");
    let nv = c.mgmt("GET", "/named-values/token", Value::Null).json();
    assert_eq!((nv["value"].clone(), nv["secret"].clone()), (Value::Null, json!(true)));

    // Heartbeat and instances.
    let hb = json!({"instanceId": "i-1", "hostname": "h", "version": "0.1", "uptimeSecs": 5, "appliedVersion": 3,
                    "requests": {"total": 1}, "lastError": null, "tokenExpiry": "x"});
    let r = http(
        addr,
        "POST",
        "/gateway/heartbeat",
        &[("Authorization", &token_a)],
        &hb.to_string(),
    );
    assert_eq!(r.status, 204);
    let inst = c.mgmt("GET", "/gateways/gw-a/instances", Value::Null).json();
    assert_eq!(inst["value"][0]["instanceId"], "i-1");
    assert_eq!(inst["value"][0]["appliedVersion"], 3);

    // Gateway B's token gives B's snapshot (no echo).
    let r = config(addr, &token_b, None, "");
    assert_eq!((r.status, r.json()["gatewayId"].clone()), (200, json!("gw-b")));
    assert!(!paths(&r).iter().any(|p| p.starts_with("apis/")));

    // Rotation: regenerate primary → old token refused; a secondary-key token works.
    let r = c.mgmt("POST", "/gateways/gw-a/regenerateKey", json!({"keyType": "primary"}));
    assert_eq!(r.status, 204);
    assert_eq!(config(addr, &token_a, None, "").status, 401);
    let token_a2 = c.token("gw-a", "secondary");
    assert_eq!(config(addr, &token_a2, None, "").status, 200);

    // Unassign → the API disappears from the snapshot.
    assert_eq!(c.mgmt("DELETE", "/gateways/gw-a/apis/echo", Value::Null).status, 204);
    let r = config(addr, &token_a2, None, "");
    assert!(!paths(&r).iter().any(|p| p.starts_with("apis/")), "{:?}", paths(&r));

    // OpenAPI import.
    let doc = json!({"openapi": "3.0.0", "info": {"title": "Pets"}, "servers": [{"url": "https://pets.example"}],
                     "paths": {"/pets/{id}": {"get": {"operationId": "getPet"}}}});
    let r = c.mgmt("POST", "/apis/import?id=pets&path=pets", doc);
    assert_eq!(r.status, 201, "{}", r.body);
    let ops = c.mgmt("GET", "/apis/pets/operations", Value::Null).json();
    assert_eq!(ops["value"][0]["urlTemplate"], "/pets/{id}");
    let v = c.mgmt("GET", "/version", Value::Null).json();
    assert!(v["version"].as_u64().unwrap() >= 10);
}
