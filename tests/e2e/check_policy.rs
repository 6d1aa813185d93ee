//! `outpost check-policy` through the real binary: a good document lists
//! what runs per section and exits 0; a bad expression and an unknown
//! policy are reported with file and line; errors make the exit code 1.

use std::process::Command;

use crate::support::gateway::{TempDir, BIN};

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("check-policy")
        .args(args)
        .output()
        .expect("run check-policy");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

const GOOD: &str = r#"<policies>
    <inbound>
        <base />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Method != "GET")">
                <set-header name="X-Key" exists-action="override"><value>{{backend-key}}</value></set-header>
            </when>
        </choose>
    </inbound>
    <outbound>
        <set-header name="X-Served-By" exists-action="override"><value>outpost</value></set-header>
    </outbound>
</policies>
"#;

const BAD: &str = "<policies>\n  <inbound>\n    <set-header name=\"X\"><value>@(context.Request.NoSuchThing)</value></set-header>\n    <fancy-policy />\n  </inbound>\n</policies>\n";

#[test]
fn check_policy_lists_runs_skips_and_errors() {
    let dir = TempDir::new("check-policy");
    let good = dir.0.join("good.xml");
    let bad = dir.0.join("bad.xml");
    std::fs::write(&good, GOOD).expect("write");
    std::fs::write(&bad, BAD).expect("write");
    let good_s = good.to_str().expect("utf-8");
    let bad_s = bad.to_str().expect("utf-8");

    let (code, out) = run(&[good_s]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "{good_s}: inbound: base (line 3: the enclosing scope's policies), choose (line 4), set-header (line 6)"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{good_s}: outbound: set-header (line 11)")),
        "{out}"
    );
    assert!(out.contains("OK (3 policies run, 0 skipped)"), "{out}");

    let (code, out) = run(&["--named-value", "backend-key=abc", good_s, bad_s]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("OK (3 policies run"), "good still OK: {out}");
    assert!(out.contains(&format!("error: {bad_s}:3:")), "{out}");
    assert!(
        out.contains("context.Request.NoSuchThing"),
        "names the expression: {out}"
    );
    assert!(
        out.contains(&format!("{bad_s}: skipped: fancy-policy (line 4, inbound)")),
        "{out}"
    );
    assert!(out.contains(&format!("warning: {bad_s}:4:")), "{out}");

    // Unknown policy alone: a warning under skip, an error under error.
    let unknown = dir.0.join("unknown.xml");
    std::fs::write(
        &unknown,
        "<policies>\n<inbound>\n<fancy-policy />\n</inbound>\n</policies>\n",
    )
    .expect("write");
    let u = unknown.to_str().expect("utf-8");
    let (code, out) = run(&[u]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&["--unsupported", "error", u]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("error: {u}:3: <fancy-policy>: policy not supported")),
        "{out}"
    );

    // Base at global scope is a structure error.
    let (code, out) = run(&["--scope", "global", good_s]);
    assert_eq!(code, 1, "{out}");
}
