//! Policy expressions through the real binary against a real backend:
//! the examples of Microsoft's policy-expressions and policy reference pages
//! (those that are valid C#) give their documented results; statement
//! blocks, LINQ over a JSON body and string building run unchanged; a
//! runtime exception reaches on-error as `ExpressionValueEvaluationFailure`
//! naming the document, line and expression; an endless loop fails its
//! request on the step budget and the worker keeps serving.

use std::time::Duration;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(10);

/// The Microsoft examples, as an API policy in APIM's raw form (unescaped
/// quotes, `&&`, `<` inside attributes and text).
const DOC_EXAMPLES: &str = r#"<policies>
    <inbound>
        <base />
        <set-variable name="isMobile" value="@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPad") || context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPhone"))" />
        <set-variable name="subject" value="@(context.Request.Headers.GetValueOrDefault("Authorization","").Split(' ').Last().AsJwt()?.Subject)" />
    </inbound>
    <backend><base /></backend>
    <outbound>
        <base />
        <set-header name="X-True" exists-action="override"><value>@(true)</value></set-header>
        <set-header name="X-Sum" exists-action="override"><value>@((1+1).ToString())</value></set-header>
        <set-header name="X-Length" exists-action="override"><value>@("Hi There".Length)</value></set-header>
        <set-header name="X-Guid-Length" exists-action="override"><value>@(Guid.NewGuid().ToString().Length)</value></set-header>
        <set-header name="X-Random" exists-action="override"><value>@(new Random(context.RequestId.GetHashCode()).Next(1, 2))</value></set-header>
        <set-header name="X-Mobile" exists-action="override"><value>@(context.Variables.GetValueOrDefault<bool>("isMobile"))</value></set-header>
        <set-header name="X-Subject" exists-action="override"><value>@((string)context.Variables["subject"])</value></set-header>
        <set-header name="X-Api" exists-action="override"><value>@(context.Api.Name + " " + context.Operation.Method + " " + context.Request.Url.Path + context.Request.Url.QueryString)</value></set-header>
        <set-header name="X-Format" exists-action="override"><value>@(string.Format("{0} {1}", context.Request.Method, context.Request.Url.Path))</value></set-header>
        <set-header name="X-In-Headers" exists-action="override">
            <value>@(String.Join("; ", context.Request.Headers.Where(h => h.Key.StartsWith("X-In")).Select(h => string.Format("{0}: {1}", h.Key, String.Join(", ", h.Value))).ToArray<string>()))</value>
        </set-header>
        <set-header name="X-Basic" exists-action="override">
            <value>@{
                string[] value;
                if (context.Request.Headers.TryGetValue("X-Credentials", out value))
                {
                    if (value != null && value.Length > 0)
                    {
                        return Encoding.UTF8.GetString(Convert.FromBase64String(value[0]));
                    }
                }
                return null;
            }</value>
        </set-header>
        <set-header name="X-Max-Age" exists-action="override"><value>@(Regex.Match("public, max-age=60", @"max-age=(?<maxAge>\d+)").Groups["maxAge"]?.Value)</value></set-header>
        <set-header name="X-Flag" exists-action="override"><value>@("true".Equals("{{feature-flag}}"))</value></set-header>
        <set-body>@{
            var response = context.Response.Body.As<JObject>();
            foreach (var key in new [] {"minutely", "hourly", "daily", "flags"}) {
                response.Property(key).Remove();
            }
            return response.ToString();
        }</set-body>
    </outbound>
    <on-error><base /></on-error>
</policies>
"#;

/// A JWT (not verified by `AsJwt`): `{"alg":"HS256","typ":"JWT"}` and
/// `{"sub":"1234567890","name":"John Doe","iat":1516239022}`.
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.\
SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

#[test]
fn microsoft_examples_give_their_documented_results() {
    let backend = Backend::start("docs");
    let gw = Gateway::builder()
        .proxy("docs", "docs", &backend.url())
        .file("apis/docs.xml", DOC_EXAMPLES)
        .file(
            "named-values.toml",
            "[[named-value]]\nname = \"feature-flag\"\nvalue = \"true\"\n",
        )
        .start();
    let mut c = gw.connect();
    let body = br#"{"currently":{"t":1},"minutely":{},"hourly":[],"daily":{"x":2},"flags":{}}"#;
    let bearer = format!("Bearer {JWT}");
    let r = c.request(
        "POST",
        "/docs/echo?page=2",
        &[
            ("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"),
            ("Authorization", &bearer),
            ("X-In-A", "1"),
            ("X-In-B", "two"),
            ("X-Credentials", "dXNlcjpwYXNz"),
            ("Content-Type", "application/json"),
        ],
        body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let h = |n: &str| r.header(n).unwrap_or_default();
    assert_eq!(h("X-True"), "True");
    assert_eq!(h("X-Sum"), "2");
    assert_eq!(h("X-Length"), "8");
    assert_eq!(h("X-Guid-Length"), "36");
    assert_eq!(h("X-Random"), "1");
    assert_eq!(h("X-Mobile"), "True");
    assert_eq!(h("X-Subject"), "1234567890");
    assert_eq!(h("X-Api"), "Test docs * /docs/echo?page=2");
    assert_eq!(h("X-Format"), "POST /docs/echo");
    assert_eq!(h("X-In-Headers"), "X-In-A: 1; X-In-B: two");
    assert_eq!(h("X-Basic"), "user:pass");
    assert_eq!(h("X-Max-Age"), "60");
    assert_eq!(h("X-Flag"), "True");
    assert_eq!(r.text(), "{\n  \"currently\": {\n    \"t\": 1\n  }\n}");
    backend.wait_until("one request", WAIT, |r| r.len() == 1 && r[0].complete);
}

const BLOCKS: &str = r#"<policies>
    <inbound>
        <base />
        <set-body>@{
            var order = context.Request.Body.As<JObject>(preserveContent: true);
            var expensive = order["items"]
                .Where(i => (decimal)i["price"] > 10m)
                .OrderByDescending(i => (decimal)i["price"])
                .Select(i => (string)i["name"])
                .ToList();
            var sb = new StringBuilder();
            for (int i = 0; i < expensive.Count; i++)
            {
                if (i > 0) { sb.Append(", "); }
                sb.Append(expensive[i].ToUpperInvariant());
            }
            var totals = new Dictionary<string, decimal>();
            foreach (var item in order["items"])
            {
                var cat = (string)item["category"] ?? "none";
                decimal sum;
                totals[cat] = (totals.TryGetValue(cat, out sum) ? sum : 0m) + (decimal)item["price"];
            }
            var result = new JObject(
                new JProperty("expensive", sb.ToString()),
                new JProperty("count", expensive.Count),
                new JProperty("totals", JObject.FromObject(totals)),
                new JProperty("checked", $"{totals.Values.Sum():N2}|{expensive.Count,3}|{(order["id"] ?? "?")}"));
            switch ((string)order["kind"])
            {
                case "rush": result["eta"] = 1; break;
                case "normal": result["eta"] = 5; break;
                default: result["eta"] = -1; break;
            }
            return result.ToString(Newtonsoft.Json.Formatting.None);
        }</set-body>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
"#;

#[test]
fn statement_blocks_linq_and_json_run_through_the_gateway() {
    let backend = Backend::start("blocks");
    let gw = Gateway::builder()
        .proxy("blocks", "blocks", &backend.url())
        .file("apis/blocks.xml", BLOCKS)
        .start();
    let mut c = gw.connect();
    let body = br#"{"id":7,"kind":"rush","items":[
        {"name":"pen","price":2.5,"category":"office"},
        {"name":"chair","price":120,"category":"furniture"},
        {"name":"lamp","price":35.5,"category":"furniture"},
        {"name":"ink","price":11}]}"#;
    let r = c.request("POST", "/blocks/echo", &[("Content-Type", "application/json")], body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.text(),
        r#"{"expensive":"CHAIR, LAMP, INK","count":3,"totals":{"office":2.5,"furniture":155.5,"none":11.0},"checked":"169.00|  3|7","eta":1}"#
    );
}

const FAILING: &str = r#"<policies>
    <inbound>
        <base />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Mode","") == "parse")">
                <set-variable name="n" value="@(int.Parse(context.Request.Headers.GetValueOrDefault("X-Value","")))" />
            </when>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Mode","") == "loop")">
                <set-variable name="n" value="@{ var i = 0; while (true) { i++; } }" />
            </when>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Mode","") == "grow")">
                <set-variable name="n" value="@{ var s = "x"; while (s.Length < int.MaxValue) { s = s + s; } return s.Length; }" />
            </when>
        </choose>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error>
        <base />
        <return-response>
            <set-status code="500" reason="Expression failed" />
            <set-body>@(context.LastError.Reason + "|" + context.LastError.Source + "|" + context.LastError.Message)</set-body>
        </return-response>
    </on-error>
</policies>
"#;

#[test]
fn runtime_exceptions_and_runaway_loops_reach_on_error_and_the_worker_keeps_serving() {
    let backend = Backend::start("failing");
    let gw = Gateway::builder()
        .proxy("failing", "failing", &backend.url())
        .file("apis/failing.xml", FAILING)
        .env("OUTPOST_RUNTIME_WORKERS", "1")
        .start();
    let mut c = gw.connect();
    let r = c.request("GET", "/failing/echo", &[("X-Mode", "parse"), ("X-Value", "abc")], b"");
    assert_eq!(r.status, 500);
    let t = r.text();
    assert!(t.starts_with("ExpressionValueEvaluationFailure|set-variable|"), "{t}");
    assert!(t.contains("FormatException"), "{t}");
    assert!(t.contains("apis/failing.xml") && t.contains("line 6"), "{t}");
    assert!(t.contains("int.Parse"), "{t}");

    for mode in ["loop", "grow"] {
        let r = c.request("GET", "/failing/echo", &[("X-Mode", mode)], b"");
        assert_eq!(r.status, 500, "{mode}");
        let t = r.text();
        assert!(
            t.starts_with("ExpressionValueEvaluationFailure|set-variable|"),
            "{mode}: {t}"
        );
        assert!(t.contains("budget"), "{mode}: {t}");
    }
    // The one worker is free again.
    let r = c.request("GET", "/failing/echo", &[("X-Mode", "parse"), ("X-Value", "41")], b"");
    assert_eq!(r.status, 200);
}
