//! Policies through the real gateway against a real backend: request and
//! response edits, answers, refusals with APIM's exact bodies, on-error,
//! backend selection, CORS, and configuration-time errors.

use crate::support::gateway::{check_config, GatewayBuilder, TempDir};
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// A builder with API `api` → `backend` and the given API-scope policy.
fn with_api_policy(backend: &Backend, xml: &str) -> GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

const FORWARD: &str = "<base />";

#[test]
fn set_header_and_query_edit_the_request_and_the_response() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<set-header name="X-Added" exists-action="override"><value>one</value></set-header>
           <set-header name="X-Drop" exists-action="delete" />
           <set-header name="X-Keep" exists-action="skip"><value>ignored</value></set-header>
           <set-header name="X-Multi" exists-action="append"><value>a</value><value>b</value></set-header>
           <set-query-parameter name="added" exists-action="override"><value>a b&amp;c</value></set-query-parameter>
           <set-query-parameter name="gone" exists-action="delete" />"#,
        FORWARD,
        r#"<set-header name="X-Backend" exists-action="delete" />
           <set-header name="X-Out" exists-action="override"><value>out</value></set-header>"#,
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request(
        "GET",
        "/api/echo/x?keep=1&gone=2",
        &[("X-Drop", "secret"), ("X-Keep", "mine")],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.header("X-Out").as_deref(), Some("out"));
    assert!(
        r.header("X-Backend").is_none(),
        "outbound delete removes a backend header"
    );
    let got = backend.wait_until("the request", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.target, "/base/echo/x?keep=1&added=a%20b%26c");
    assert_eq!(got.headers.get("X-Added").as_deref(), Some("one"));
    assert!(got.headers.get("X-Drop").is_none());
    assert_eq!(got.headers.get("X-Keep").as_deref(), Some("mine"));
    assert_eq!(got.headers.get_all("X-Multi"), vec!["a".to_string(), "b".to_string()]);
    // Keep-alive survives policies: a second request on the same connection.
    assert_eq!(c.get("/api/echo/again").status, 200);
}

#[test]
fn rewrite_uri_and_set_method() {
    let backend = Backend::start("b");
    let api = format!(
        "display-name = \"T\"\npath = \"api\"\nservice-url = \"{}\"\n\
         [[operations]]\nid = \"get-user\"\nmethod = \"GET\"\nurl-template = \"/users/{{id}}\"\n",
        backend.url()
    );
    let b = Gateway::builder().api("test-api", &api);
    std::fs::create_dir_all(b.config_dir().join("apis/test-api")).unwrap();
    std::fs::write(
        b.config_dir().join("apis/test-api/get-user.xml"),
        policies(
            r#"<rewrite-uri template="/echo/v2/people/{id}?src=gw" />
               <set-method>POST</set-method>"#,
            FORWARD,
            "",
            "",
        ),
    )
    .unwrap();
    let gw = b.start();
    let r = gw.connect().get("/api/users/42?trace=on");
    assert_eq!(r.status, 200, "{}", r.status_line());
    let got = backend.wait_until("the request", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/base/echo/v2/people/42?src=gw&trace=on");
}

#[test]
fn return_response_answers_without_the_backend() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<return-response>
             <set-status code="418" reason="Teapot" />
             <set-header name="X-Why" exists-action="override"><value>because</value></set-header>
             <set-body>short and stout</set-body>
           </return-response>"#,
        FORWARD,
        r#"<set-header name="X-Never" exists-action="override"><value>1</value></set-header>"#,
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    for _ in 0..2 {
        let r = c.request("POST", "/api/anything", &[], b"ignored body");
        assert_eq!(r.status_line(), "HTTP/1.1 418 Teapot");
        assert_eq!(r.header("X-Why").as_deref(), Some("because"));
        assert!(r.header("X-Never").is_none(), "return-response skips outbound");
        assert_eq!(r.text(), "short and stout");
    }
    assert_eq!(backend.request_count(), 0);
}

#[test]
fn mock_response_and_empty_backend_section() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<mock-response status-code="201" content-type="text/plain" />"#,
        FORWARD,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status, 201);
    assert_eq!(r.header("Content-Type").as_deref(), Some("text/plain"));
    assert_eq!(r.body, b"");

    let backend2 = Backend::start("b2");
    let xml = policies(
        "",
        "",
        r#"<set-status code="202" reason="Accepted" /><set-body>made here</set-body>"#,
        "",
    );
    let gw = with_api_policy(&backend2, &xml).start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status_line(), "HTTP/1.1 202 Accepted");
    assert_eq!(r.text(), "made here");
    assert_eq!(backend2.request_count(), 0);
}

#[test]
fn check_header_refusals_have_the_apim_body() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<check-header name="X-Token" failed-check-httpcode="401" failed-check-error-message="Missing or bad token" ignore-case="true">
             <value>Secret-1</value><value>secret-2</value>
           </check-header>"#,
        FORWARD,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.get("/api/x");
    assert_eq!(r.status, 401);
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));
    assert_eq!(r.text(), r#"{ "statusCode": 401, "message": "Missing or bad token" }"#);
    let r = c.request("GET", "/api/x", &[("X-Token", "other")], b"");
    assert_eq!(r.status, 401);
    assert_eq!(r.text(), r#"{ "statusCode": 401, "message": "Missing or bad token" }"#);
    let r = c.request("GET", "/api/x", &[("X-Token", "SECRET-1")], b"");
    assert_eq!(r.status, 200, "ignore-case accepts another case");
    assert_eq!(backend.request_count(), 1);
}

#[test]
fn ip_filter_forbids_with_the_apim_body() {
    let backend = Backend::start("b");
    let forbid = policies(
        r#"<ip-filter action="forbid"><address-range from="127.0.0.0" to="127.255.255.255" /></ip-filter>"#,
        FORWARD,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &forbid).start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), r#"{ "statusCode": 403, "message": "Forbidden" }"#);

    let allow = policies(
        r#"<ip-filter action="allow"><address>127.0.0.1</address></ip-filter>"#,
        FORWARD,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &allow).start();
    assert_eq!(gw.connect().get("/api/x").status, 200);
    assert_eq!(backend.request_count(), 1);
}

#[test]
fn on_error_shapes_a_policy_refusal_and_a_backend_failure() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<check-header name="X-Token" failed-check-httpcode="401" failed-check-error-message="no token" />"#,
        FORWARD,
        "",
        r#"<set-header name="X-Error" exists-action="override"><value>handled</value></set-header>"#,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status, 401);
    assert_eq!(r.header("X-Error").as_deref(), Some("handled"));
    assert_eq!(r.text(), r#"{ "statusCode": 401, "message": "no token" }"#);

    // A backend that refuses connections: on-error replaces the 502.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/base", dead.local_addr().unwrap().port());
    drop(dead);
    let b = Gateway::builder().proxy("test-api", "api", &url);
    std::fs::write(
        b.config_dir().join("apis/test-api.xml"),
        policies(
            "",
            FORWARD,
            "",
            r#"<return-response><set-status code="503" reason="Later" /><set-body>backend down</set-body></return-response>"#,
        ),
    )
    .unwrap();
    let gw = b.start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status_line(), "HTTP/1.1 503 Later");
    assert_eq!(r.text(), "backend down");
}

#[test]
fn set_backend_service_picks_a_configured_backend() {
    let first = Backend::start("first");
    let second = Backend::start("second");
    let b = with_api_policy(
        &first,
        &policies(r#"<set-backend-service backend-id="other" />"#, FORWARD, "", ""),
    );
    std::fs::create_dir_all(b.config_dir().join("backends")).unwrap();
    std::fs::write(
        b.config_dir().join("backends/other.toml"),
        format!("url = \"{}\"\n", second.url()),
    )
    .unwrap();
    let gw = b.start();
    let r = gw.connect().get("/api/echo/q");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Backend").as_deref(), Some("second"));
    assert_eq!(first.request_count(), 0);
    let got = second.wait_until("the request", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.target, "/base/echo/q");
}

#[test]
fn outbound_body_policies_buffer_the_response() {
    let backend = Backend::start("b");
    let xml = policies(
        "",
        FORWARD,
        r#"<find-and-replace from="hello" to="goodbye" /><set-status code="299" reason="Edited" />"#,
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.get("/api/fixed");
    assert_eq!(r.status_line(), "HTTP/1.1 299 Edited");
    assert_eq!(r.text(), "goodbye world");
    assert_eq!(c.get("/api/fixed").text(), "goodbye world", "connection reused");
}

#[test]
fn cors_preflight_and_simple_requests() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<cors allow-credentials="true">
             <allowed-origins><origin>https://app.example</origin></allowed-origins>
             <allowed-methods preflight-result-max-age="300"><method>GET</method><method>PUT</method></allowed-methods>
             <allowed-headers><header>content-type</header><header>x-token</header></allowed-headers>
             <expose-headers><header>x-backend</header></expose-headers>
           </cors>"#,
        FORWARD,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request(
        "OPTIONS",
        "/api/x",
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "X-Token"),
        ],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("Access-Control-Allow-Origin").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(r.header("Access-Control-Allow-Credentials").as_deref(), Some("true"));
    assert_eq!(r.header("Access-Control-Allow-Methods").as_deref(), Some("GET,PUT"));
    assert_eq!(
        r.header("Access-Control-Allow-Headers").as_deref(),
        Some("content-type,x-token")
    );
    assert_eq!(r.header("Access-Control-Max-Age").as_deref(), Some("300"));
    assert_eq!(backend.request_count(), 0, "preflight answered by the gateway");

    // Unmatched preflight: empty 200 without CORS headers.
    let r = c.request(
        "OPTIONS",
        "/api/x",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "PUT"),
        ],
        b"",
    );
    assert_eq!(r.status, 200);
    assert!(r.header("Access-Control-Allow-Origin").is_none());

    let r = c.request("GET", "/api/echo", &[("Origin", "https://app.example")], b"");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("Access-Control-Allow-Origin").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(r.header("Access-Control-Expose-Headers").as_deref(), Some("x-backend"));
    assert_eq!(backend.request_count(), 1);
}

#[test]
fn authentication_basic_sets_the_backend_credentials() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<authentication-basic username="svc" password="p@ss" />"#,
        FORWARD,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    assert_eq!(
        gw.connect()
            .request("GET", "/api/x", &[("Authorization", "Bearer client")], b"")
            .status,
        200
    );
    let got = backend.wait_until("the request", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.headers.get("Authorization").as_deref(), Some("Basic c3ZjOnBAc3M="));
}

#[test]
fn unsupported_policies_are_configuration_errors_unless_skipped() {
    let dir = TempDir::new("unsupported");
    std::fs::create_dir_all(dir.0.join("apis")).unwrap();
    std::fs::write(dir.0.join("apis/a.toml"), api_toml("a", "echo://")).unwrap();
    std::fs::write(
        dir.0.join("apis/a.xml"),
        "<policies>\n<inbound>\n<base />\n<validate-graphql-request error-variable-name=\"e\" />\n</inbound>\n<backend><base /></backend>\n<outbound><base /></outbound>\n<on-error><base /></on-error>\n</policies>\n",
    )
    .unwrap();
    let (code, _, stderr) = check_config(&dir.0);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("apis/a.xml: line 4"),
        "names document and line: {stderr}"
    );
    assert!(stderr.contains("validate-graphql-request"), "{stderr}");

    std::fs::write(dir.0.join("settings.conf"), "policy.unsupported = skip\n").unwrap();
    let (code, stdout, stderr) = check_config(&dir.0);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn raw_xml_expressions_with_choose_and_set_variable() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault("X-User", "anon"))" />
           <choose>
             <when condition="@((string)context.Variables["who"] == "admin" && context.Request.Method == "GET")">
               <set-header name="X-Role" exists-action="override"><value>admin</value></set-header>
             </when>
             <otherwise>
               <set-header name="X-Role" exists-action="override"><value>@("user:" + (string)context.Variables["who"])</value></set-header>
             </otherwise>
           </choose>"#,
        FORWARD,
        r#"<set-header name="X-Status" exists-action="override"><value>@(context.Response.StatusCode)</value></set-header>"#,
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request("GET", "/api/echo", &[("X-User", "admin")], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Status").as_deref(), Some("200"));
    let r = c.request("GET", "/api/echo", &[("X-User", "bob")], b"");
    assert_eq!(r.status, 200);
    let reqs = backend.wait_until("two requests", WAIT, |r| r.len() == 2);
    assert_eq!(reqs[0].headers.get("X-Role").as_deref(), Some("admin"));
    assert_eq!(reqs[1].headers.get("X-Role").as_deref(), Some("user:bob"));
}

#[test]
fn on_error_sees_last_error() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<check-header name="X-Token" failed-check-httpcode="401" failed-check-error-message="no token" />"#,
        FORWARD,
        "",
        r#"<return-response>
             <set-status code="499" reason="Custom" />
             <set-body>@(context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Message + "|" + context.LastError.Section)</set-body>
           </return-response>"#,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let r = gw.connect().get("/api/x");
    assert_eq!(r.status_line(), "HTTP/1.1 499 Custom");
    assert_eq!(r.text(), "check-header|HeaderNotFound|no token|inbound");
}

#[test]
fn retry_resends_while_the_condition_holds() {
    let backend = Backend::start("b");
    let xml = policies(
        "",
        r#"<retry condition="@(context.Response.StatusCode == 500)" count="2" interval="0">
             <forward-request buffer-request-body="true" />
           </retry>"#,
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request("POST", "/api/status/500", &[], b"payload");
    assert_eq!(r.status, 500);
    let reqs = backend.wait_until("three attempts", WAIT, |r| r.len() == 3 && r.iter().all(|x| x.complete));
    assert!(
        reqs.iter().all(|x| x.body_len == 7),
        "the buffered body is sent each time"
    );
    // A success is not retried.
    let r = c.request("POST", "/api/echo", &[], b"once");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "once");
    assert_eq!(backend.wait_until("the fourth", WAIT, |r| r.len() == 4).len(), 4);
}

#[test]
fn expression_errors_name_document_line_and_expression() {
    let dir = TempDir::new("badexpr");
    std::fs::create_dir_all(dir.0.join("apis")).unwrap();
    std::fs::write(dir.0.join("apis/a.toml"), api_toml("a", "echo://")).unwrap();
    std::fs::write(
        dir.0.join("apis/a.xml"),
        "<policies>\n<inbound>\n<base />\n<set-header name=\"X\" exists-action=\"override\">\n<value>@(context.Nope.Thing)</value>\n</set-header>\n</inbound>\n<backend><base /></backend>\n<outbound><base /></outbound>\n<on-error><base /></on-error>\n</policies>\n",
    )
    .unwrap();
    let (code, _, stderr) = check_config(&dir.0);
    assert_eq!(code, 1);
    assert!(stderr.contains("apis/a.xml: line 5"), "{stderr}");
    assert!(stderr.contains("context.Nope.Thing"), "{stderr}");
}

#[test]
fn four_scopes_compose_through_base_with_the_product_of_the_subscription() {
    let backend = Backend::start("b");
    let api = format!(
        "display-name = \"T\"\npath = \"api\"\nservice-url = \"{}\"\n\
         [[operations]]\nid = \"op\"\nmethod = \"*\"\nurl-template = \"/*\"\n",
        backend.url()
    );
    let b = Gateway::builder().api("test-api", &api);
    let dir = b.config_dir();
    let chain = |v: &str, base: bool| {
        format!(
            "<policies><inbound>{}<set-header name=\"X-Chain\" exists-action=\"append\"><value>{v}</value></set-header></inbound>\
             <backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
            if base { "<base />" } else { "" }
        )
    };
    std::fs::write(
        dir.join("policy.xml"),
        "<policies><inbound><set-header name=\"X-Chain\" exists-action=\"append\"><value>global</value></set-header></inbound>\
         <backend><forward-request /></backend><outbound /><on-error /></policies>",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("products")).unwrap();
    std::fs::write(
        dir.join("products/gold.toml"),
        "display-name = \"Gold\"\napis = [\"test-api\"]\nstate = \"published\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("products/gold.xml"), chain("product", true)).unwrap();
    std::fs::write(
        dir.join("subscriptions.toml"),
        "[[subscription]]\nid = \"alice\"\nscope = \"product:gold\"\nprimary-key = \"alice-key-1\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("apis/test-api.xml"), chain("api", true)).unwrap();
    std::fs::create_dir_all(dir.join("apis/test-api")).unwrap();
    std::fs::write(dir.join("apis/test-api/op.xml"), chain("operation", true)).unwrap();
    let gw = b.start();
    let mut c = gw.connect();
    assert_eq!(
        c.request("GET", "/api/echo", &[("Ocp-Apim-Subscription-Key", "alice-key-1")], b"")
            .status,
        200
    );
    assert_eq!(c.get("/api/echo").status, 200, "no key: no product scope");
    let reqs = backend.wait_until("two requests", WAIT, |r| r.len() == 2);
    assert_eq!(
        reqs[0].headers.get_all("X-Chain"),
        ["global", "product", "api", "operation"]
    );
    assert_eq!(reqs[1].headers.get_all("X-Chain"), ["global", "api", "operation"]);

    // An operation scope without <base /> drops everything above it.
    let from = gw.line_count();
    std::fs::write(dir.join("apis/test-api/op.xml"), chain("alone", false)).unwrap();
    gw.wait_reload_after(from);
    assert_eq!(c.get("/api/echo").status, 200);
    let reqs = backend.wait_until("the third", WAIT, |r| r.len() == 3);
    assert_eq!(reqs[2].headers.get_all("X-Chain"), ["alone"]);
}
