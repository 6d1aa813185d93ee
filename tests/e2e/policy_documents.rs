//! Policy documents through the real binary (`outpost check-config`): the
//! raw expression form, named values and fragments load; a broken document
//! is refused with its file and line, without revealing secret values.

use std::path::Path;

use crate::support::gateway::{self, api_toml, check_config};

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
