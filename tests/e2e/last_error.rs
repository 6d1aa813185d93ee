//! `context.LastError` through the real gateway: a global on-error section
//! returns every field in the body, for failures in each scope, nested in
//! `choose`, in each section, and in a built-in step (the backend call).

use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// Global document: a nested check-header that fails on `X-Fail: global`,
/// and the on-error section that reports LastError.
const GLOBAL: &str = r#"<policies>
<inbound>
    <choose>
        <when condition="@(context.Request.Headers.GetValueOrDefault("X-Fail", "") == "global")">
            <check-header id="global-check" name="X-Token" failed-check-httpcode="401" failed-check-error-message="no token" />
        </when>
    </choose>
</inbound>
<backend><forward-request /></backend>
<outbound />
<on-error>
    <set-variable name="status" value="@(context.Response.StatusCode.ToString())" />
    <return-response>
        <set-body>@{
            var e = context.LastError;
            return e.Source + "|" + e.Reason + "|" + e.Message + "|" + e.Scope + "|" + e.Section
                + "|" + e.Path + "|" + (e.PolicyId ?? "none") + "|" + (string)context.Variables["status"];
        }</set-body>
        <set-status code="599" reason="Reported" />
    </return-response>
</on-error>
</policies>"#;

const PRODUCT: &str = r#"<policies>
<inbound>
    <base />
    <ip-filter action="forbid" id="no-loopback">
        <address-range from="127.0.0.0" to="127.255.255.255" />
    </ip-filter>
</inbound>
<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error>
</policies>"#;

/// API document (its inbound composes after the global one's choose, so
/// its chooses are the second and third): two chooses, the second with two whens, the second of
/// which holds two set-headers; the second set-header's expression fails
/// at run time on `X-Fail: api`. The backend call fails on a 5xx.
const API: &str = r#"<policies>
<inbound>
    <base />
    <choose>
        <when condition="@(false)"><set-status code="200" /></when>
    </choose>
    <choose>
        <when condition="@(context.Request.Headers.GetValueOrDefault("X-Fail", "") == "never")">
            <set-status code="200" />
        </when>
        <when condition="@(context.Request.Headers.GetValueOrDefault("X-Fail", "") == "api")">
            <set-header name="X-One" exists-action="override"><value>1</value></set-header>
            <set-header id="parse" name="X-Two" exists-action="override">
                <value>@(int.Parse(context.Request.Headers.GetValueOrDefault("X-Number", "x")).ToString())</value>
            </set-header>
        </when>
    </choose>
</inbound>
<backend>
    <forward-request id="call" fail-on-error-status-code="true" />
</backend>
<outbound><base /></outbound>
<on-error><base /></on-error>
</policies>"#;

/// Operation document: an outbound set-status whose code fails to parse
/// on `X-Fail: operation`, and a `when` condition that fails on `X-Fail: cond`.
const OPERATION: &str = r#"<policies>
<inbound>
    <base />
    <choose id="guard">
        <when condition="@(context.Request.Headers.GetValueOrDefault("X-Fail", "") == "cond" && int.Parse(context.Request.Headers.GetValueOrDefault("X-Number", "no")) == 1)">
            <set-status code="200" />
        </when>
    </choose>
</inbound>
<backend><base /></backend>
<outbound>
    <base />
    <set-status id="code" code="@(context.Request.Headers.GetValueOrDefault("X-Fail", "") == "operation" ? int.Parse(context.Request.Headers.GetValueOrDefault("X-Number", "2x0")) : 200)" />
</outbound>
<on-error><base /></on-error>
</policies>"#;

#[test]
fn on_error_reports_every_last_error_field_for_each_scope_and_section() {
    let backend = Backend::start("b");
    let api = format!(
        "display-name = \"T\"\npath = \"api\"\nservice-url = \"{}\"\n\
         [[operations]]\nid = \"op\"\nmethod = \"*\"\nurl-template = \"/*\"\n",
        backend.url()
    );
    let b = Gateway::builder()
        .api("test-api", &api)
        .file("policy.xml", GLOBAL)
        .file(
            "products/gold.toml",
            "display-name = \"Gold\"\napis = [\"test-api\"]\nstate = \"published\"\n",
        )
        .file("products/gold.xml", PRODUCT)
        .file(
            "subscriptions.toml",
            "[[subscription]]\nid = \"alice\"\nscope = \"product:gold\"\nprimary-key = \"alice-key-1\"\n",
        )
        .file("apis/test-api.xml", API)
        .file("apis/test-api/op.xml", OPERATION);
    let gw = b.start();
    let mut c = gw.connect();
    // An expression's message ends with where the expression is and its
    // text: checked once below, then left out of the comparisons.
    let mut origins = Vec::new();
    let mut ask = |path: &str, headers: &[(&str, &str)]| {
        let r = c.request("GET", path, headers, b"");
        assert_eq!(r.status_line(), "HTTP/1.1 599 Reported", "{}", r.text());
        let mut fields: Vec<String> = r.text().split('|').map(str::to_owned).collect();
        if let Some(at) = fields.get(2).and_then(|m| m.find(" (in the expression at ")) {
            origins.push(fields[2].split_off(at));
        }
        fields.join("|")
    };
    assert_eq!(
        ask("/api/echo", &[("X-Fail", "global")]),
        "check-header|HeaderNotFound|no token|global|inbound|choose[1]\\when\\check-header|global-check|401"
    );
    assert_eq!(
        ask("/api/echo", &[("Ocp-Apim-Subscription-Key", "alice-key-1")]),
        "ip-filter|CallerIpNotAllowed|Forbidden|product|inbound|ip-filter|no-loopback|403"
    );
    assert_eq!(
        ask("/api/echo", &[("X-Fail", "api")]),
        "set-header|ExpressionValueEvaluationFailure|FormatException: The input string 'x' was not in a correct format.\
         |api|inbound|choose[3]\\when[2]\\set-header[2]|parse|500"
    );
    assert_eq!(
        ask("/api/echo", &[("X-Fail", "cond")]),
        "choose|ExpressionValueEvaluationFailure|FormatException: The input string 'no' was not in a correct format.\
         |operation|inbound|choose[4]\\when|guard|500"
    );
    assert_eq!(
        ask("/api/status/503", &[]),
        "forward-request|BackendErrorStatusCode|Backend responded with status code 503|api|backend|forward-request|call|503"
    );
    assert_eq!(
        ask("/api/echo", &[("X-Fail", "operation")]),
        "set-status|ExpressionValueEvaluationFailure|FormatException: The input string '2x0' was not in a correct format.\
         |operation|outbound|set-status|code|500"
    );
    assert!(
        origins[0].starts_with(" (in the expression at apis/test-api.xml line ")
            && origins[0].contains("@(int.Parse(context.Request.Headers"),
        "{origins:?}"
    );
    assert!(
        origins.iter().any(|o| o.contains("apis/test-api/op.xml")),
        "{origins:?}"
    );
    // Nothing failed: the backend answered each call that got that far.
    assert_eq!(
        backend.wait_until("two calls", WAIT, |r| r.len() == 2).len(),
        2,
        "the 503 and the outbound failure reached the backend"
    );
}

#[test]
fn a_backend_connection_failure_is_the_forward_request_of_its_scope() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/base", dead.local_addr().unwrap().port());
    drop(dead);
    let gw = Gateway::builder()
        .proxy("test-api", "api", &url)
        .file("policy.xml", GLOBAL)
        .start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status_line(), "HTTP/1.1 599 Reported");
    let text = r.text();
    let fields: Vec<&str> = text.split('|').collect();
    assert_eq!(fields.len(), 8, "{text}");
    assert_eq!(
        (fields[0], fields[1], fields[3], fields[4], fields[5], fields[6], fields[7]),
        (
            "forward-request",
            "BackendConnectionFailure",
            "global",
            "backend",
            "forward-request",
            "none",
            "502"
        ),
        "{text}"
    );
    assert!(fields[2].starts_with("backend connect failed"), "{text}");
}
