//! Policies that call out, through the real gateway against real local
//! backends: `send-request` (token flow, modes, timeout, ignore-error,
//! refused connections, oversized and non-JSON answers), `wait` for all and
//! any, `return-response response-variable-name` and
//! `send-one-way-request`.

use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn with_api_policy(backend: &Backend, xml: &str) -> crate::support::gateway::GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

/// An inbound-only document (forwarding) with `on_error` shaping failures.
fn inbound(xml: &str, on_error: &str) -> String {
    policies(xml, "<forward-request />", "", on_error)
}

/// On-error that reports `LastError` in headers.
const REPORT: &str = r#"<set-header name="X-Source" exists-action="override"><value>@(context.LastError.Source)</value></set-header>
<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
<set-header name="X-Message" exists-action="override"><value>@(context.LastError.Message)</value></set-header>"#;

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn token_fetch_flow_reads_the_json_answer_and_forwards_with_it() {
    let backend = Backend::start("api");
    let auth = Backend::start("auth");
    let xml = inbound(
        &format!(
            r#"<send-request mode="new" response-variable-name="token" timeout="20" ignore-error="false">
                 <set-url>{}/echo/token</set-url>
                 <set-method>POST</set-method>
                 <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
                 <set-body>@("{{\"access_token\":\"abc-" + context.Request.Headers.GetValueOrDefault("X-User", "") + "\",\"expires_in\":3600}}")</set-body>
               </send-request>
               <set-header name="Authorization" exists-action="override">
                 <value>@("Bearer " + (string)((IResponse)context.Variables["token"]).Body.As&lt;JObject&gt;()["access_token"])</value>
               </set-header>
               <set-header name="X-Token-Status" exists-action="override">
                 <value>@(((IResponse)context.Variables["token"]).StatusCode.ToString() + " " + ((IResponse)context.Variables["token"]).Headers.GetValueOrDefault("X-Backend", "?"))</value>
               </set-header>"#,
            auth.url()
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    for user in ["alice", "bob"] {
        let r = c.request("GET", "/api/echo/data", &[("X-User", user)], b"");
        assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    }
    let got = backend.wait_until("two forwarded requests", WAIT, |r| r.len() == 2);
    assert_eq!(got[0].headers.get("Authorization").as_deref(), Some("Bearer abc-alice"));
    assert_eq!(got[1].headers.get("Authorization").as_deref(), Some("Bearer abc-bob"));
    assert_eq!(got[0].headers.get("X-Token-Status").as_deref(), Some("200 auth"));
    let calls = auth.wait_until("two token calls", WAIT, |r| {
        r.len() == 2 && r.iter().all(|x| x.complete)
    });
    assert_eq!(calls[0].method, "POST");
    assert_eq!(calls[0].target, "/base/echo/token");
    assert_eq!(
        calls[0].headers.get("Content-Type").as_deref(),
        Some("application/json")
    );
    assert!(calls[0].headers.get("X-User").is_none(), "mode=new copies nothing");
    assert_eq!(auth.connections(), 1, "the second call reuses the pooled connection");
}

#[test]
fn copy_mode_copies_the_request_and_a_policy_host_header_wins() {
    let backend = Backend::start("api");
    let side = Backend::start("side");
    let xml = inbound(
        &format!(
            r#"<send-request mode="copy" response-variable-name="copy">
                 <set-url>{}/echo/copied?x=1</set-url>
                 <set-header name="X-Extra" exists-action="append"><value>more</value></set-header>
                 <set-header name="Host" exists-action="override"><value>svc.internal</value></set-header>
               </send-request>
               <set-header name="X-Copy-Len" exists-action="override">
                 <value>@(((IResponse)context.Variables["copy"]).Body.As&lt;string&gt;().Length.ToString())</value>
               </set-header>"#,
            side.url()
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request("PUT", "/api/echo/x", &[("X-Client", "c1")], b"payload-123");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    let copied = side
        .wait_until("the copy", WAIT, |r| r.iter().any(|x| x.complete))
        .remove(0);
    assert_eq!(copied.method, "PUT");
    assert_eq!(copied.target, "/base/echo/copied?x=1");
    assert_eq!(copied.headers.get("X-Client").as_deref(), Some("c1"));
    assert_eq!(copied.headers.get("X-Extra").as_deref(), Some("more"));
    assert_eq!(copied.headers.get("Host").as_deref(), Some("svc.internal"));
    assert_eq!(copied.body_len, 11);
    let forwarded = backend
        .wait_until("the forward", WAIT, |r| r.iter().any(|x| x.complete))
        .remove(0);
    assert_eq!(forwarded.headers.get("X-Copy-Len").as_deref(), Some("11"));
    assert_eq!(forwarded.body_len, 11, "the original body is still forwarded");
}

#[test]
fn wait_for_all_runs_calls_concurrently_and_for_any_takes_the_first() {
    let backend = Backend::start("api");
    let slow = Backend::start("slow");
    let fast = Backend::start("fast");
    let call = |var: &str, url: String| {
        format!(
            r#"<send-request mode="new" response-variable-name="{var}"><set-url>{url}</set-url><set-method>GET</set-method></send-request>"#
        )
    };
    let show = r#"<set-header name="X-Got" exists-action="override">
        <value>@((context.Variables.ContainsKey("s") ? "slow," : "") + (context.Variables.ContainsKey("f") ? "fast" : ""))</value>
      </set-header>"#;
    let xml = inbound(
        &format!(
            r#"<choose><when condition="@(context.Request.Headers.ContainsKey(&quot;X-Any&quot;))">
                 <wait for="any">{}{}</wait>
               </when><otherwise>
                 <wait for="all">{}<choose><when condition="@(true)">{}</when></choose></wait>
               </otherwise></choose>{show}"#,
            call("s", format!("{}/slow", slow.url())),
            call("f", format!("{}/fixed", fast.url())),
            call("s", format!("{}/slow", slow.url())),
            call("f", format!("{}/fixed", fast.url())),
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();

    // any: the fast call ends the wait while the slow one is still held.
    let mut c = gw.connect();
    let r = c.request("GET", "/api/echo/any", &[("X-Any", "1")], b"");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    let got = backend.wait_until("the forward", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.headers.get("X-Got").as_deref(), Some("fast"));
    // The slow call was sent too (its backend may see it after the answer).
    slow.wait_until("the first slow call", WAIT, |r| r.len() == 1);

    // all: the fast call is made while the slow one is still held (both in
    // flight), and the request goes on only when both have answered.
    let mut c = gw.connect();
    let mut w = c.writer();
    std::io::Write::write_all(&mut w, b"GET /api/echo/all HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    slow.wait_until("the second slow call", WAIT, |r| r.len() == 2);
    fast.wait_until("the second fast call while the slow one is held", WAIT, |r| {
        r.len() == 2
    });
    assert_eq!(
        backend.request_count(),
        1,
        "nothing forwarded before every call answered"
    );
    slow.release();
    let r = c.read_response();
    assert_eq!(r.status, 200, "{}", r.status_line());
    let got = backend
        .wait_until("the second forward", WAIT, |r| r.len() == 2)
        .remove(1);
    assert_eq!(got.headers.get("X-Got").as_deref(), Some("slow,fast"));
}

#[test]
fn timeouts_and_refused_connections_reach_on_error_or_a_null_variable() {
    let backend = Backend::start("api");
    let other = Backend::start("other");
    let port = closed_port();
    let xml = inbound(
        &format!(
            r#"<choose>
                 <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Hang&quot;))">
                   <send-request mode="new" response-variable-name="r" timeout="1">
                     <set-url>{hang}/hang</set-url><set-method>GET</set-method>
                   </send-request>
                 </when>
                 <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Refused&quot;))">
                   <send-request mode="new" response-variable-name="r">
                     <set-url>@("http://127.0.0.1:" + "{port}" + "/nothing")</set-url><set-method>GET</set-method>
                   </send-request>
                 </when>
                 <otherwise>
                   <send-request mode="new" response-variable-name="r" timeout="1" ignore-error="true">
                     <set-url>{hang}/hang</set-url><set-method>GET</set-method>
                   </send-request>
                   <send-request mode="new" response-variable-name="r2" ignore-error="true">
                     <set-url>http://127.0.0.1:{port}/nothing</set-url><set-method>GET</set-method>
                   </send-request>
                   <set-header name="X-Null" exists-action="override">
                     <value>@((context.Variables["r"] == null).ToString() + "," + (context.Variables["r2"] == null).ToString())</value>
                   </set-header>
                 </otherwise>
               </choose>"#,
            hang = other.url(),
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request("GET", "/api/echo/x", &[("X-Hang", "1")], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Source").as_deref(), Some("send-request"));
    assert_eq!(r.header("X-Reason").as_deref(), Some("Timeout"));
    assert!(
        r.header("X-Message").unwrap_or_default().contains("1 seconds"),
        "{:?}",
        r.header("X-Message")
    );
    assert!(r.text().contains("Internal server error"), "{}", r.text());

    let r = c.request("GET", "/api/echo/x", &[("X-Refused", "1")], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Reason").as_deref(), Some("BackendConnectionFailure"));
    assert!(
        r.header("X-Message").unwrap_or_default().contains("Connection refused"),
        "{:?}",
        r.header("X-Message")
    );

    let r = c.request("GET", "/api/echo/x", &[], b"");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    let got = backend.wait_until("the forward", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.headers.get("X-Null").as_deref(), Some("True,True"));
    assert_eq!(backend.request_count(), 1, "failed requests were not forwarded");
}

#[test]
fn oversized_and_non_json_answers_fail_clearly() {
    let backend = Backend::start("api");
    let other = Backend::start("other");
    let xml = inbound(
        &format!(
            r#"<choose>
                 <when condition="@(context.Request.Headers.ContainsKey(&quot;X-Big&quot;))">
                   <send-request mode="new" response-variable-name="r">
                     <set-url>{u}/echo/big</set-url><set-method>POST</set-method>
                     <set-body>@(new string('x', 5000))</set-body>
                   </send-request>
                 </when>
                 <otherwise>
                   <send-request mode="new" response-variable-name="r">
                     <set-url>{u}/fixed</set-url><set-method>GET</set-method>
                   </send-request>
                   <set-header name="X-A" exists-action="override">
                     <value>@((string)((IResponse)context.Variables["r"]).Body.As&lt;JObject&gt;()["a"])</value>
                   </set-header>
                 </otherwise>
               </choose>"#,
            u = other.url(),
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml)
        .env("OUTPOST_POLICY_BODY_MAX_BYTES", "1024")
        .start();
    let mut c = gw.connect();
    let r = c.request("GET", "/api/echo/x", &[("X-Big", "1")], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Reason").as_deref(), Some("BackendConnectionFailure"));
    let message = r.header("X-Message").unwrap_or_default();
    assert!(
        message.contains("larger than policy.body.max-bytes (1024 bytes)"),
        "{message}"
    );

    let r = c.request("GET", "/api/echo/x", &[], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Source").as_deref(), Some("set-header"));
    assert_eq!(
        r.header("X-Reason").as_deref(),
        Some("ExpressionValueEvaluationFailure")
    );
    let message = r.header("X-Message").unwrap_or_default();
    assert!(
        message.contains("Unexpected character encountered while parsing value: h."),
        "{message}"
    );
    assert_eq!(backend.request_count(), 0);
    // The worker is fine: a later request on a new connection works.
    let other_ok = gw.connect().request("GET", "/api/echo/x", &[("X-Big", "1")], b"");
    assert_eq!(other_ok.status, 500);
}

#[test]
fn return_response_answers_with_a_stored_response_and_one_way_requests_arrive() {
    let backend = Backend::start("api");
    let other = Backend::start("other");
    let hooks = Backend::start("hooks");
    let xml = policies(
        &format!(
            r#"<send-one-way-request mode="new">
                 <set-url>{h}/echo/audit</set-url><set-method>POST</set-method>
                 <set-body>@("seen " + context.Request.Url.Path)</set-body>
               </send-one-way-request>
               <send-request mode="new" response-variable-name="answer">
                 <set-url>{u}/fixed</set-url><set-method>GET</set-method>
               </send-request>
               <return-response response-variable-name="answer">
                 <set-header name="X-Via" exists-action="override"><value>gateway</value></set-header>
               </return-response>"#,
            h = hooks.url(),
            u = other.url(),
        ),
        "<forward-request />",
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request("GET", "/api/echo/x", &[], b"");
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.text(), "hello world");
    assert_eq!(
        r.header("X-Backend").as_deref(),
        Some("other"),
        "the stored response's headers"
    );
    assert_eq!(r.header("X-Via").as_deref(), Some("gateway"));
    assert_eq!(backend.request_count(), 0, "answered without forwarding");
    let audit = hooks
        .wait_until("the one-way request", WAIT, |r| r.iter().any(|x| x.complete))
        .remove(0);
    assert_eq!(audit.method, "POST");
    assert_eq!(audit.target, "/base/echo/audit");
    assert_eq!(audit.body_len, "seen /api/echo/x".len() as u64);
    // Keep-alive goes on after a stored response.
    assert_eq!(c.request("GET", "/api/echo/y", &[], b"").status, 200);
}

#[test]
fn outbound_calls_run_on_the_materialised_response_and_names_resolve_off_the_worker() {
    let backend = Backend::start("api");
    let side = Backend::start("side");
    let xml = policies(
        "",
        "<forward-request />",
        &format!(
            // An expression URL with a host name: resolved by a resolver
            // thread; mode=copy in outbound copies the headers, not the body.
            r#"<send-request mode="copy" response-variable-name="r">
                 <set-url>@("http://localhost:" + "{port}" + "/base/echo/out")</set-url>
               </send-request>
               <set-header name="X-Side" exists-action="override">
                 <value>@(((IResponse)context.Variables["r"]).Headers.GetValueOrDefault("X-Body-Len", "?") + " " + context.Response.Headers.GetValueOrDefault("X-Backend", "?"))</value>
               </set-header>"#,
            port = side.port()
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    for _ in 0..2 {
        let r = c.request("POST", "/api/echo/x", &[("X-Client", "c")], b"the body");
        assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
        assert_eq!(r.text(), "the body", "the backend's body is written after outbound");
        assert_eq!(r.header("X-Side").as_deref(), Some("0 api"));
    }
    let calls = side.wait_until("two calls", WAIT, |r| r.len() == 2);
    assert_eq!(calls[0].method, "POST");
    assert_eq!(calls[0].headers.get("X-Client").as_deref(), Some("c"));
    assert_eq!(calls[0].body_len, 0, "copy in outbound does not copy the body");
    assert_eq!(
        backend.connections(),
        1,
        "the materialised response's connection is reused"
    );
}

#[test]
fn one_way_requests_beyond_the_bound_are_dropped_not_queued() {
    let backend = Backend::start("api");
    let hooks = Backend::start("hooks");
    let xml = policies(
        &format!(
            r#"<send-one-way-request mode="new" timeout="30">
                 <set-url>{}/slow</set-url><set-method>POST</set-method><set-body>x</set-body>
               </send-one-way-request>"#,
            hooks.url()
        ),
        "<forward-request />",
        "",
        "",
    );
    let gw = with_api_policy(&backend, &xml)
        .env("OUTPOST_POLICY_SEND_ONE_WAY_MAX_IN_FLIGHT", "1")
        .start();
    let mut c = gw.connect();
    // The first one-way call is held by the hooks backend: the request
    // itself was answered without waiting for it.
    assert_eq!(c.get("/api/echo/1").status, 200);
    hooks.wait_until("the first one-way call", WAIT, |r| r.len() == 1);
    // The second finds the bound reached: dropped, with a warning.
    assert_eq!(c.get("/api/echo/2").status, 200);
    gw.wait_for_line(|l| l.contains("send-one-way-request dropped"), WAIT);
    hooks.release();
    // Once the first has ended, one-way calls go out again.
    backend.wait_until("two forwards", WAIT, |r| r.len() == 2);
    let third = || {
        assert_eq!(gw.connect().get("/api/echo/3").status, 200);
        hooks.request_count() >= 2
    };
    let deadline = std::time::Instant::now() + WAIT;
    while !third() {
        assert!(std::time::Instant::now() < deadline, "one-way calls never resumed");
    }
    assert_eq!(
        hooks.wait_until("a later call", WAIT, |r| r.len() >= 2)[1].target,
        "/base/slow"
    );
}

#[test]
fn https_calls_use_the_backends_cas_and_client_certificates() {
    use crate::support::gateway::TempDir;
    use crate::support::tls::Pki;
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    let tmp = TempDir::new("sr-https");
    let pki = Pki::new(&tmp.0, "sr");
    let server_cert = pki.issue("server", "localhost", &["localhost"], false);
    let client = pki.issue("gw-client", "gateway", &[], true);
    // The HTTPS service: a gateway requiring a client certificate from the
    // test CA, answering with the subject it saw.
    let seen =
        r#"<return-response><set-body>@(context.Request.Certificate?.Subject ?? "none")</set-body></return-response>"#;
    let service = Gateway::builder()
        .api("svc", &crate::support::api_toml("svc", "echo://"))
        .file(
            "apis/svc.xml",
            &format!("<policies><inbound>{seen}</inbound><backend><forward-request /></backend></policies>"),
        )
        .file(
            "hostnames.toml",
            "[[hostname]]\nhostname = \"localhost\"\ncertificate = \"server\"\nclient-ca = \"ca\"\n",
        )
        .file("certificates/server.pem", &read(&server_cert))
        .file("certificates/ca.pem", &read(&pki.ca()))
        .start();
    let sp = service.https_port;
    let backend = Backend::start("api");
    let call = |var: &str, url: &str| {
        format!(
            r#"<send-request mode="new" response-variable-name="{var}">
                 <set-url>{url}</set-url><set-method>GET</set-method>
                 <authentication-certificate certificate-id="client" />
               </send-request>"#
        )
    };
    let xml = inbound(
        &format!(
            r#"<choose><when condition="@(context.Request.Headers.ContainsKey(&quot;X-Untrusted&quot;))">
                 <send-request mode="new" response-variable-name="u">
                   <set-url>https://127.0.0.1:{sp}/svc/x</set-url><set-method>GET</set-method>
                 </send-request>
               </when><otherwise>
                 {}{}
                 <set-header name="X-Seen" exists-action="override">
                   <value>@(((IResponse)context.Variables["lit"]).Body.As&lt;string&gt;() + "|" + ((IResponse)context.Variables["dyn"]).Body.As&lt;string&gt;())</value>
                 </set-header>
               </otherwise></choose>"#,
            call("lit", &format!("https://localhost:{sp}/svc/a")),
            call("dyn", &format!("@(\"https://localhost:{sp}/svc/\" + \"b\")")),
        ),
        REPORT,
    );
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    let gw = b
        .file("certificates/ca.pem", &read(&pki.ca()))
        .file("certificates/client.pem", &read(&client))
        .file(
            "backends/svc.toml",
            &format!("url = \"https://localhost:{sp}\"\n[tls]\nca-certificates = [\"ca\"]\n"),
        )
        .start();
    let mut c = gw.connect();
    let r = c.get("/api/echo/x");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    let got = backend.wait_until("the forward", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.headers.get("X-Seen").as_deref(), Some("CN=gateway|CN=gateway"));
    // A host whose certificate the gateway cannot verify: a TLS failure.
    let r = c.request("GET", "/api/echo/x", &[("X-Untrusted", "1")], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Reason").as_deref(), Some("BackendConnectionFailure"));
    assert!(
        r.header("X-Message")
            .unwrap_or_default()
            .contains("SSL connection could not be established"),
        "{:?}",
        r.header("X-Message")
    );
}

#[test]
fn calls_through_an_http_proxy_use_the_absolute_form_and_basic_credentials() {
    let backend = Backend::start("api");
    let proxy = Backend::start("proxy");
    let xml = inbound(
        &format!(
            r#"<send-request mode="new" response-variable-name="r">
                 <set-url>http://service.invalid:8080/orders?id=1</set-url><set-method>GET</set-method>
                 <proxy url="http://127.0.0.1:{}" username="user" password="@(&quot;p&quot; + &quot;w&quot;)" />
               </send-request>
               <set-header name="X-Via" exists-action="override">
                 <value>@(((IResponse)context.Variables["r"]).Headers.GetValueOrDefault("X-Backend", "?"))</value>
               </set-header>"#,
            proxy.port()
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let r = gw.connect().get("/api/echo/x");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    let seen = proxy.wait_until("the proxied call", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(seen.target, "http://service.invalid:8080/orders?id=1");
    assert_eq!(seen.headers.get("Host").as_deref(), Some("service.invalid:8080"));
    // base64("user:pw")
    assert_eq!(
        seen.headers.get("Proxy-Authorization").as_deref(),
        Some("Basic dXNlcjpwdw==")
    );
    let got = backend.wait_until("the forward", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.headers.get("X-Via").as_deref(), Some("proxy"));
}

#[test]
fn a_liquid_body_is_rendered_from_the_request_for_the_call() {
    let backend = Backend::start("api");
    let auth = Backend::start("auth");
    let xml = inbound(
        &format!(
            r#"<send-request mode="new" response-variable-name="answer" timeout="20">
                 <set-url>{}/echo/liquid</set-url>
                 <set-method>POST</set-method>
                 <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
                 <set-body template="liquid">{{"who":"{{{{ body.user.name | Upcase }}}}","path":"{{{{ context.Request.Url.Path }}}}"}}</set-body>
               </send-request>
               <set-header name="X-Answer" exists-action="override">
                 <value>@(((IResponse)context.Variables["answer"]).Body.As&lt;string&gt;())</value>
               </set-header>"#,
            auth.url()
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request(
        "POST",
        "/api/echo/data",
        &[("Content-Type", "application/json")],
        br#"{"user":{"name":"ada"}}"#,
    );
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    let got = backend.wait_until("the forwarded request", WAIT, |r| r.len() == 1);
    assert_eq!(
        got[0].headers.get("X-Answer").as_deref(),
        Some(r#"{"who":"ADA","path":"/api/echo/data"}"#)
    );
}

#[test]
fn a_computed_header_with_a_line_break_fails_instead_of_splitting_the_request() {
    let backend = Backend::start("api");
    let xml = inbound(
        r#"<set-header name="X-Evil" exists-action="override">
             <value>@("a\r\nX-Injected: 1")</value>
           </set-header>"#,
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let r = gw.connect().request("GET", "/api/echo/data", &[], b"");
    assert_eq!(r.status, 500, "{}", r.status_line());
    assert_eq!(r.header("X-Source").as_deref(), Some("set-header"));
    assert!(
        r.header("X-Message")
            .is_some_and(|m| m.contains("X-Evil") && m.contains("line break")),
        "{:?}",
        r.header("X-Message")
    );
    assert!(backend.requests().is_empty(), "nothing reached the backend");
}

#[test]
fn a_head_request_through_an_outbound_that_waits_keeps_the_backends_length() {
    let backend = Backend::start("api");
    let side = Backend::start("side");
    let xml = policies(
        "",
        "<forward-request />",
        &format!(
            r#"<send-request mode="new" response-variable-name="r">
                 <set-url>http://127.0.0.1:{port}/base/side</set-url>
                 <set-method>GET</set-method>
               </send-request>"#,
            port = side.port()
        ),
        REPORT,
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();
    let r = c.request("HEAD", "/api/fixed", &[], b"");
    assert_eq!(r.status, 200, "{} {:?}", r.status_line(), r.header("X-Message"));
    assert_eq!(
        r.header("content-length").as_deref(),
        Some("11"),
        "the GET length, not 0"
    );
    // A body wrongly written after the HEAD response would be read as the
    // next response's head.
    let r = c.get("/api/fixed");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello world");
    assert_eq!(r.header("content-length").as_deref(), Some("11"));
}
