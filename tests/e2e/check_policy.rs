//! `outpost check-policy` through the real binary: a good document lists
//! what runs per section and exits 0; a bad expression and an unknown
//! policy are reported with file and line; errors make the exit code 1.

use std::process::Command;

use crate::support::gateway::{TempDir, BIN};

/// Runs `outpost check-policy ARGS`: exit code and output.
pub(crate) fn run(args: &[&str]) -> (i32, String) {
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

/// A `<fragment>` document in APIM's raw form with three broken
/// expressions inside one `<choose>`: every error is reported, with the
/// file, the line, the expression's line and column, and the member at
/// fault, each with its own kind of refusal.
const FRAGMENT: &str = r#"<fragment>
    <choose>
        <when condition="@(context.Request.Headers.GetValueOrDefault("X-Mode","") == "a" && System.IO.File.Exists("x"))">
            <set-header name="X-A" exists-action="override"><value>@(XElement.Load("x").Value)</value></set-header>
        </when>
        <otherwise>
            <set-header name="X-B" exists-action="override">
                <value>@{
                    var o = JObject.Parse("{}");
                    return o.NoSuchMember();
                }</value>
            </set-header>
            <set-header name="X-C" exists-action="override"><value>@(context.Request.Url.Query.GetValueOrDefault("q", "none"))</value></set-header>
        </otherwise>
    </choose>
</fragment>
"#;

#[test]
fn check_policy_reports_every_expression_error_of_a_fragment() {
    let dir = TempDir::new("check-policy-fragment");
    let frag = dir.0.join("fragment.xml");
    std::fs::write(&frag, FRAGMENT).expect("write");
    let f = frag.to_str().expect("utf-8");
    let (code, out) = run(&[f]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("3 error(s)"), "{out}");
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 3, "{out}");
    assert!(
        errors[0].starts_with(&format!("error: {f}:3:"))
            && errors[0].contains("not allowed")
            && errors[0].contains("File"),
        "{out}"
    );
    assert!(
        errors[1].starts_with(&format!("error: {f}:4:"))
            && errors[1].contains("XElement.Load")
            && errors[1].contains("not implemented by Outpost yet"),
        "{out}"
    );
    assert!(errors[2].starts_with(&format!("error: {f}:8:")), "{out}");
    assert!(
        out.contains("`JObject` has no member `NoSuchMember` (expression line 3, column"),
        "{out}"
    );
    // A correct fragment lints clean in the section it is used in.
    std::fs::write(&frag, "<fragment>\n  <set-header name=\"X\" exists-action=\"override\"><value>@(context.Response.StatusCode.ToString())</value></set-header>\n</fragment>\n").expect("write");
    let (code, out) = run(&["--section", "outbound", f]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK (1 policies run"), "{out}");
}
