//! Run-time error paths of the policies that evaluate expressions: each
//! answers APIM's 500 body when nothing handles it, and on-error sees the
//! failing policy as `LastError.Source` with `ExpressionValueEvaluationFailure`.

use crate::support::*;

/// One `when` per case, chosen by `X-Case`; `X-Value` feeds the expression.
const CASES: &str = r#"
<choose>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "status")">
        <set-status code="@(int.Parse(context.Request.Headers.GetValueOrDefault("X-Value", "0")))" />
    </when>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "method")">
        <set-method>@(context.Request.Headers.GetValueOrDefault("X-Value", ""))</set-method>
    </when>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "variable")">
        <set-variable name="n" value="@(int.Parse(context.Request.Headers.GetValueOrDefault("X-Value", "")))" />
    </when>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "rewrite")">
        <rewrite-uri template="@("/echo/" + context.Request.Headers["X-Missing"].First())" />
    </when>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "query")">
        <set-query-parameter name="q" exists-action="override">
            <value>@(context.Request.Headers["X-Missing"].First())</value>
        </set-query-parameter>
    </when>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "body")">
        <set-body>@(context.Request.Headers["X-Missing"].First())</set-body>
    </when>
    <when condition="@(context.Request.Headers.GetValueOrDefault("X-Case", "") == "return")">
        <return-response>
            <set-body>@(context.Request.Headers["X-Missing"].First())</set-body>
        </return-response>
    </when>
</choose>"#;

fn document(on_error: &str) -> String {
    policies(CASES, "<base />", "", on_error)
}

const REPORT: &str = r#"<set-header name="X-Error" exists-action="override">
    <value>@(context.LastError.Source + " " + context.LastError.Reason)</value>
</set-header>"#;

#[test]
fn runtime_failures_of_each_policy_answer_500_and_name_the_policy() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("bare", "bare", &backend.url())
        .file("apis/bare.xml", &document(""))
        .proxy("seen", "seen", &backend.url())
        .file("apis/seen.xml", &document(REPORT))
        .start();
    let mut c = gw.connect();
    let cases = [
        ("status", "999", "set-status"),
        ("status", "abc", "set-status"),
        ("method", "NOT A METHOD", "set-method"),
        ("variable", "x1", "set-variable"),
        ("rewrite", "", "rewrite-uri"),
        ("query", "", "set-query-parameter"),
        ("body", "", "set-body"),
        ("return", "", "set-body"),
    ];
    for (case, value, source) in cases {
        let headers = [("X-Case", case), ("X-Value", value)];
        let r = c.request("POST", "/bare/echo", &headers, b"x");
        assert_eq!(r.status, 500, "{case} {value}");
        assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));
        assert_eq!(
            r.text(),
            r#"{ "statusCode": 500, "message": "Internal server error" }"#,
            "{case} {value}"
        );
        let r = c.request("POST", "/seen/echo", &headers, b"x");
        assert_eq!(r.status, 500, "{case} {value}");
        assert_eq!(
            r.header("X-Error"),
            Some(format!("{source} ExpressionValueEvaluationFailure")),
            "{case} {value}"
        );
    }
    // The happy paths of the same policies still work on this connection.
    let r = c.request("GET", "/bare/echo", &[("X-Case", "status"), ("X-Value", "202")], b"");
    assert_eq!(r.status, 202);
    assert_eq!(backend.request_count(), 1, "no failing request reached the backend");
}
