//! `retry` outside the backend section (APIM allows it in all four): the
//! sections that wait are driven asynchronously, and an outbound section
//! that waits runs on a materialised backend response (whole body read,
//! connection back to the pool, written as a gateway-made response).

use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn with_api_policy(backend: &Backend, xml: &str) -> crate::support::gateway::GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

/// A retry loop that runs its body three times (n = 1, 2, 3), then a header
/// with the count.
fn counting_retry(header: &str) -> String {
    format!(
        r#"<set-variable name="n" value="@(0)" />
           <retry condition="@((int)context.Variables["n"] &lt; 3)" count="5" interval="0">
             <set-variable name="n" value="@((int)context.Variables["n"] + 1)" />
           </retry>
           <set-header name="{header}" exists-action="override"><value>@(((int)context.Variables["n"]).ToString())</value></set-header>"#
    )
}

#[test]
fn retry_runs_again_in_inbound_outbound_and_on_error() {
    let backend = Backend::start("b");
    let xml = policies(
        &format!(
            "{}\n<choose><when condition=\"@(context.Request.Headers.ContainsKey(&quot;X-Fail&quot;))\">\
             <return-response><set-status code=\"418\" /></return-response></when></choose>\
             <check-header name=\"X-Needed\" failed-check-httpcode=\"401\" failed-check-error-message=\"no\" ignore-case=\"true\" />",
            counting_retry("X-Tries")
        ),
        "<forward-request />",
        &counting_retry("X-Out-Tries"),
        &counting_retry("X-Error-Tries"),
    );
    let gw = with_api_policy(&backend, &xml).start();
    let mut c = gw.connect();

    // Inbound: the loop ran three times before forwarding; outbound ran on
    // the materialised response: the backend's status, headers and body
    // are all there, with outbound's header added.
    let r = c.request("POST", "/api/echo/x", &[("X-Needed", "1")], b"the body");
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.text(), "the body");
    assert_eq!(r.header("X-Backend").as_deref(), Some("b"));
    assert_eq!(r.header("X-Out-Tries").as_deref(), Some("3"));
    let got = backend.wait_until("the request", WAIT, |r| !r.is_empty()).remove(0);
    assert_eq!(got.headers.get("X-Tries").as_deref(), Some("3"));

    // Keep-alive survives, and the materialised response's backend
    // connection went back to the pool.
    let r = c.request("GET", "/api/chunked", &[("X-Needed", "1")], b"");
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.text(), "hello chunked world", "a chunked body is materialised whole");
    assert_eq!(r.header("X-Out-Tries").as_deref(), Some("3"));
    assert_eq!(backend.connections(), 1, "the backend connection is reused");

    // On-error: the failure's response, shaped by a section that waited.
    let r = c.request("GET", "/api/echo/x", &[], b"");
    assert_eq!(r.status, 401, "{}", r.status_line());
    assert_eq!(r.header("X-Error-Tries").as_deref(), Some("3"));
    assert!(r.text().contains("no"), "{}", r.text());
}

#[test]
fn outbound_that_waits_bounds_the_backend_body_and_keeps_failures_apim_shaped() {
    let backend = Backend::start("b");
    let xml = policies(
        "",
        "<forward-request />",
        &counting_retry("X-Out-Tries"),
        r#"<set-header name="X-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>"#,
    );
    let gw = with_api_policy(&backend, &xml)
        .env("OUTPOST_POLICY_BODY_MAX_BYTES", "1024")
        .start();
    let mut c = gw.connect();
    let r = c.request("POST", "/api/echo/big", &[], &[b'x'; 4096]);
    assert_eq!(r.status, 502, "{}", r.status_line());
    assert_eq!(r.header("X-Reason").as_deref(), Some("BackendConnectionFailure"));
    assert!(r.header("X-Out-Tries").is_none(), "outbound did not run");
    let mut c = gw.connect();
    let r = c.request("POST", "/api/echo/small", &[], b"ok");
    assert_eq!(r.status, 200, "{}", r.status_line());
    assert_eq!(r.text(), "ok");
}
