//! Policy documents through the real binary: with `outpost check-config`,
//! the raw expression form, named values and fragments load and a broken
//! document is refused with its file and line, without revealing secret
//! values; through the management plane, fragments reach the gateway and a
//! snapshot referencing an undefined named value is refused until it exists.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::support::gateway::{self, api_toml, check_config, LOG_TIMEOUT};
use crate::support::*;

/// Bound on waiting for the gateway to pick up a change (long poll is 5 s).
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const RAW_API_POLICY: &str = r#"<policies>
    <inbound>
        <base />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Method != "GET")">
                <set-header name="X-Key" exists-action="override">
                    <value>{{backend-key}}</value>
                </set-header>
            </when>
        </choose>
        <include-fragment fragment-id="stamp" />
    </inbound>
</policies>
"#;

#[test]
fn raw_form_named_values_and_fragments_load_and_errors_name_file_and_line() {
    let dir = gateway::TempDir::new("policy-docs");
    let d = &dir.0;
    write(d, "apis/shop.toml", &api_toml("shop", "http://127.0.0.1:9/base"));
    write(d, "apis/shop.xml", RAW_API_POLICY);
    write(
        d,
        "named-values.toml",
        "[[named-value]]\nname = \"backend-key\"\nvalue = \"k3y-do-not-print\"\nsecret = true\n",
    );
    write(
        d,
        "fragments/stamp.xml",
        "<fragment>\n  <set-header name=\"X-Via\" exists-action=\"append\"><value>outpost</value></set-header>\n</fragment>\n",
    );
    let (code, out, err) = check_config(d);
    assert_eq!(code, 0, "valid: stdout {out:?} stderr {err:?}");

    // An operation-level document referencing an undefined named value.
    write(
        d,
        "apis/shop.toml",
        &format!(
            "{}[[operations]]\nid = \"get\"\nmethod = \"GET\"\nurl-template = \"/*\"\n",
            api_toml("shop", "http://127.0.0.1:9/base")
        ),
    );
    write(
        d,
        "apis/shop/get.xml",
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"A\" value=\"{{nope}}\" />\n  </inbound>\n</policies>\n",
    );
    let (code, out, err) = check_config(d);
    assert_eq!(code, 1, "stdout {out:?} stderr {err:?}");
    assert!(
        err.contains("apis/shop/get.xml") && err.contains("line 4") && err.contains("{{nope}}"),
        "{err:?}"
    );
    assert!(!format!("{out}{err}").contains("k3y-do-not-print"));

    // A fragment cycle.
    write(
        d,
        "apis/shop/get.xml",
        "<policies><inbound><base /></inbound></policies>",
    );
    write(
        d,
        "fragments/stamp.xml",
        "<fragment>\n<include-fragment fragment-id=\"stamp\" />\n</fragment>",
    );
    let (code, _, err) = check_config(d);
    assert_eq!(code, 1);
    assert!(
        err.contains("fragments/stamp.xml") && err.contains("line 2") && err.contains("stamp → stamp"),
        "{err:?}"
    );
}

#[test]
fn management_plane_fragments_and_named_values_reach_the_gateway() {
    let backend = Backend::start("a");
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    cp.put_api("shop", "shop", &backend.url());
    cp.assign("gw1", "shop");
    let frag =
        "<fragment><set-header name=\"X-Via\" exists-action=\"append\"><value>outpost</value></set-header></fragment>";
    cp.admin(
        "PUT",
        "/mgmt/policy-fragments/stamp",
        &json!({ "value": frag }).to_string(),
    );
    let backup = gateway::TempDir::new("backup");
    let token = cp.token("gw1");
    let gw = Gateway::builder().remote(&cp.endpoint(), &token, &backup.0).start();
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let (_, snap) = cp.gateway_config(&token);
    let files: Vec<&str> = snap["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(files.contains(&"fragments/stamp.xml"), "{files:?}");

    // A policy in the raw form using the fragment and a named value that does
    // not exist yet: stored, but refused by the gateway, which keeps serving.
    let policy = "<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"stamp\" />\n    \
                  <set-header name=\"X-Tier\" exists-action=\"override\">\n      \
                  <value>@(context.Request.Headers.GetValueOrDefault(\"X-Tier\", \"{{default-tier}}\"))</value>\n    \
                  </set-header>\n  </inbound>\n</policies>";
    let from = gw.line_count();
    cp.admin("PUT", "/mgmt/apis/shop/policy", &json!({ "value": policy }).to_string());
    let (_, line) = gw.wait_for_line_after(from, |l| l.contains("snapshot refused"), LOG_TIMEOUT.max(SYNC_TIMEOUT));
    assert!(
        line.contains("apis/shop.xml") && line.contains("line 6") && line.contains("{{default-tier}}"),
        "{line}"
    );
    assert_eq!(gw.connect().get("/shop/fixed").status, 200, "still serving");

    // Once the named value exists, the same policy loads.
    cp.admin(
        "PUT",
        "/mgmt/named-values/default-tier",
        &json!({ "value": "bronze", "secret": false }).to_string(),
    );
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_eq!(gw.connect().get("/shop/fixed").status, 200);
}
