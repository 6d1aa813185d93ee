//! The caching policies through the real gateway: responses answered from
//! the cache without the backend (the backend counts requests), vary-by
//! keys, expiry, `Authorization`, what is not stored, entries over the
//! size bound, and the value policies' round trip.

use crate::support::gateway::GatewayBuilder;
use crate::support::*;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A builder with API `test-api` at `/api` → `backend`, with this policy.
fn with_policy(backend: &Backend, xml: &str) -> GatewayBuilder {
    let b = Gateway::builder().proxy("test-api", "api", &backend.url());
    std::fs::write(b.config_dir().join("apis/test-api.xml"), xml).unwrap();
    b
}

/// A `GET` on a fresh connection (so requests spread over the workers).
fn get(gw: &Gateway, path: &str, headers: &[(&str, &str)]) -> Response {
    let r = gw.connect().request("GET", path, headers, b"");
    assert!(r.status < 500, "GET {path}: {} {}", r.status_line(), r.text());
    r
}

#[test]
fn a_get_is_answered_from_the_cache_without_the_backend() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<cache-lookup downstream-caching-type="public" must-revalidate="false" caching-type="internal" />"#,
        "<base />",
        r#"<set-header name="ETag" exists-action="override"><value>"v1"</value></set-header>
           <cache-store duration="3600" />
           <set-header name="X-Outbound" exists-action="override">
             <value>@(context.Request.Headers.GetValueOrDefault("X-Tag", "none"))</value>
           </set-header>"#,
        "",
    );
    let gw = with_policy(&backend, &xml).start();

    // A miss: the backend answers; the request's caching headers are
    // removed so it sends a complete response.
    let first = get(
        &gw,
        "/api/fixed",
        &[
            ("X-Tag", "first"),
            ("Cache-Control", "no-cache"),
            ("If-None-Match", "\"old\""),
        ],
    );
    assert_eq!(first.status, 200);
    assert_eq!(first.text(), "hello world");
    assert_eq!(first.header("X-Outbound").as_deref(), Some("first"));
    assert_eq!(first.header("Cache-Control").as_deref(), Some("public, max-age=3600"));
    assert_eq!(first.header("Age"), None);
    let seen = backend.wait_until("the first request", WAIT, |r| r.len() == 1);
    assert_eq!(seen[0].headers.get("Cache-Control"), None);
    assert_eq!(seen[0].headers.get("If-None-Match"), None);

    // Hits, on new connections (both workers share the cache): the stored
    // status, headers and body, an Age, the downstream Cache-Control; the
    // outbound section ran for this request.
    for i in 0..6 {
        let tag = format!("hit-{i}");
        let hit = get(&gw, "/api/fixed?unlisted=param", &[("X-Tag", &tag)]);
        assert_eq!(hit.status, 200);
        assert_eq!(hit.text(), "hello world");
        assert_eq!(hit.header("X-Request-Target").as_deref(), Some("/base/fixed"));
        assert_eq!(hit.header("ETag").as_deref(), Some("\"v1\""));
        assert_eq!(hit.header("X-Outbound"), Some(tag));
        let age: u64 = hit.header("Age").expect("Age").parse().expect("Age is a number");
        let cc = hit.header("Cache-Control").expect("Cache-Control");
        let max_age: u64 = cc
            .strip_prefix("public, max-age=")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("Cache-Control {cc:?}"));
        assert!(max_age <= 3600 && age <= 3600 && max_age + age >= 3599, "{age} {cc}");
    }
    assert_eq!(backend.request_count(), 1, "hits never reach the backend");

    // A conditional request matching the stored ETag: 304 from the cache.
    let nm = get(&gw, "/api/fixed", &[("If-None-Match", "\"v1\"")]);
    assert_eq!(nm.status, 304);
    assert!(nm.body.is_empty());
    assert_eq!(nm.header("ETag").as_deref(), Some("\"v1\""));
    assert_eq!(backend.request_count(), 1);

    // Only GET is looked up.
    for _ in 0..2 {
        let r = gw.connect().request("POST", "/api/fixed", &[], b"x");
        assert_eq!(r.status, 200);
    }
    assert_eq!(backend.request_count(), 3);
}

#[test]
fn vary_by_header_and_query_parameter_make_separate_entries() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<cache-lookup>
             <vary-by-header>Accept</vary-by-header>
             <vary-by-query-parameter>page;size</vary-by-query-parameter>
           </cache-lookup>"#,
        "<base />",
        r#"<cache-store duration="3600" />"#,
        "",
    );
    let gw = with_policy(&backend, &xml).start();
    // (Accept, target, backend requests after it)
    let steps: &[(Option<&str>, &str, usize)] = &[
        (Some("a"), "/api/fixed?page=1", 1),
        (Some("a"), "/api/fixed?page=1", 1),
        (Some("b"), "/api/fixed?page=1", 2),
        (Some("a"), "/api/fixed?page=2", 3),
        (Some("a"), "/api/fixed?page=1&size=5", 4),
        // A parameter not listed does not vary the key (as APIM).
        (Some("a"), "/api/fixed?other=z&page=1", 4),
        (Some("b"), "/api/fixed?page=1", 4),
        (None, "/api/fixed?page=1", 5),
        (Some("A"), "/api/fixed?page=1", 6),
        (Some("a"), "/api/fixed?page=2", 6),
    ];
    for (i, (accept, target, count)) in steps.iter().enumerate() {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("Accept", *a)).collect();
        let r = get(&gw, target, &headers);
        assert_eq!(r.text(), "hello world");
        assert_eq!(backend.request_count(), *count, "step {i}: {accept:?} {target}");
    }
}

#[test]
fn entries_expire_after_their_duration() {
    let backend = Backend::start("b");
    let xml = policies(
        "<cache-lookup />",
        "<base />",
        r#"<cache-store duration="@(context.Request.Url.Path.EndsWith("long") ? 3600 : 1)" />"#,
        "",
    );
    let gw = with_policy(&backend, &xml).start();
    get(&gw, "/api/fixed/long", &[]);
    get(&gw, "/api/fixed/short", &[]);
    assert_eq!(backend.request_count(), 2);
    // The one-second entry goes; polled with a bound, never a fixed wait.
    let deadline = Instant::now() + WAIT;
    while backend.request_count() == 2 {
        assert!(Instant::now() < deadline, "the 1 s entry never expired");
        get(&gw, "/api/fixed/short", &[]);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(backend.requests()[2].target, "/base/fixed/short");
    // The long one is still there.
    get(&gw, "/api/fixed/long", &[]);
    assert_eq!(backend.request_count(), 3);
}

#[test]
fn requests_with_authorization_are_cached_only_when_allowed() {
    let backend = Backend::start("b");
    let b = Gateway::builder()
        .proxy("public-api", "pub", &backend.url())
        .proxy("private-api", "priv", &backend.url());
    std::fs::write(
        b.config_dir().join("apis/public-api.xml"),
        policies("<cache-lookup />", "<base />", r#"<cache-store duration="3600" />"#, ""),
    )
    .unwrap();
    std::fs::write(
        b.config_dir().join("apis/private-api.xml"),
        policies(
            r#"<cache-lookup allow-private-response-caching="@(true)">
                 <vary-by-header>Authorization</vary-by-header>
               </cache-lookup>"#,
            "<base />",
            r#"<cache-store duration="3600" />"#,
            "",
        ),
    )
    .unwrap();
    let gw = b.start();
    let alice = [("Authorization", "Bearer alice")];
    let bob = [("Authorization", "Bearer bob")];
    get(&gw, "/pub/fixed", &alice);
    get(&gw, "/pub/fixed", &alice);
    assert_eq!(backend.request_count(), 2, "not looked up nor stored by default");
    get(&gw, "/pub/fixed", &[]);
    get(&gw, "/pub/fixed", &[]);
    assert_eq!(backend.request_count(), 3);
    // A cached anonymous response is not handed to a request with credentials.
    get(&gw, "/pub/fixed", &alice);
    assert_eq!(backend.request_count(), 4);

    get(&gw, "/priv/fixed", &alice);
    get(&gw, "/priv/fixed", &alice);
    assert_eq!(backend.request_count(), 5, "allowed: cached");
    get(&gw, "/priv/fixed", &bob);
    assert_eq!(backend.request_count(), 6, "one entry per Authorization");
    get(&gw, "/priv/fixed", &alice);
    get(&gw, "/priv/fixed", &bob);
    assert_eq!(backend.request_count(), 6);
}

#[test]
fn only_200_is_stored_unless_cache_response_and_never_set_cookie() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<cache-lookup><vary-by-query-parameter>case</vary-by-query-parameter></cache-lookup>"#,
        "<base />",
        r#"<choose>
             <when condition="@(context.Request.Url.Query.GetValueOrDefault("case", "") == "cookie")">
               <set-header name="Set-Cookie" exists-action="override"><value>session=1</value></set-header>
             </when>
           </choose>
           <cache-store duration="3600"
               cache-response="@(context.Request.Url.Query.GetValueOrDefault("case", "") == "any")" />"#,
        "",
    );
    let gw = with_policy(&backend, &xml).start();
    for _ in 0..2 {
        assert_eq!(get(&gw, "/api/status/404?case=plain", &[]).status, 404);
    }
    assert_eq!(backend.request_count(), 2, "a 404 is not stored");
    for _ in 0..2 {
        assert_eq!(get(&gw, "/api/status/404?case=any", &[]).status, 404);
    }
    assert_eq!(backend.request_count(), 3, "cache-response stores any status");
    for _ in 0..2 {
        let r = get(&gw, "/api/fixed?case=cookie", &[]);
        assert_eq!(r.header("Set-Cookie").as_deref(), Some("session=1"));
    }
    assert_eq!(backend.request_count(), 5, "a response setting a cookie is not stored");
}

/// Inbound: `op` store / store-json / remove on key `k`, then the lookups,
/// answered by return-response: `X-Has` (was `v` set), `X-D` (the lookup
/// with a default), `X-J` (property `a` of the cached JSON object), body
/// the value.
const VALUES: &str = r#"
<set-variable name="k" value="@(context.Request.Url.Query.GetValueOrDefault("k", "none"))" />
<set-variable name="op" value="@(context.Request.Url.Query.GetValueOrDefault("op", "get"))" />
<choose>
  <when condition="@((string)context.Variables["op"] == "store")">
    <cache-store-value key="@((string)context.Variables["k"])"
        value="@(context.Request.Headers.GetValueOrDefault("X-Value", ""))" duration="3600" />
  </when>
  <when condition="@((string)context.Variables["op"] == "store-json")">
    <cache-store-value key="json" caching-type="external" duration="3600"
        value="@(JObject.Parse(context.Request.Headers.GetValueOrDefault("X-Value", "{}")))" />
  </when>
  <when condition="@((string)context.Variables["op"] == "store-big")">
    <cache-store-value key="@((string)context.Variables["k"])" value="@(new string('y', 8000))" duration="3600" />
  </when>
  <when condition="@((string)context.Variables["op"] == "remove")">
    <cache-remove-value key="@((string)context.Variables["k"])" />
  </when>
</choose>
<cache-lookup-value key="@((string)context.Variables["k"])" variable-name="v" />
<cache-lookup-value key="@((string)context.Variables["k"])" variable-name="d"
    default-value="@("default-" + (string)context.Variables["k"])" caching-type="internal" />
<cache-lookup-value key="json" variable-name="j" caching-type="prefer-external" />
<return-response>
  <set-status code="200" />
  <set-header name="X-Has" exists-action="override"><value>@(context.Variables.ContainsKey("v") ? "yes" : "no")</value></set-header>
  <set-header name="X-D" exists-action="override"><value>@(((string)context.Variables["d"]).Length > 40 ? "long" : (string)context.Variables["d"])</value></set-header>
  <set-header name="X-J" exists-action="override"><value>@(context.Variables.ContainsKey("j") ? ((JObject)context.Variables["j"])["a"].ToString() : "none")</value></set-header>
  <set-body>@(context.Variables.ContainsKey("v") ? ((string)context.Variables["v"]).Length.ToString() + ":" + ((string)context.Variables["v"]).Substring(0, Math.Min(10, ((string)context.Variables["v"]).Length)) : "unset")</set-body>
</return-response>"#;

#[test]
fn values_round_trip_through_store_lookup_and_remove() {
    let backend = Backend::start("b");
    let gw = with_policy(&backend, &policies(VALUES, "<base />", "", "")).start();
    let ask = |q: &str, value: Option<&str>| {
        let headers: Vec<(&str, &str)> = value.iter().map(|v| ("X-Value", *v)).collect();
        let r = get(&gw, &format!("/api/values?{q}"), &headers);
        assert_eq!(r.status, 200, "{q}: {}", r.text());
        (
            r.header("X-Has").unwrap(),
            r.header("X-D").unwrap(),
            r.header("X-J").unwrap(),
            r.text(),
        )
    };
    // A miss: unset without a default, the default with one.
    assert_eq!(
        ask("k=a", None),
        ("no".into(), "default-a".into(), "none".into(), "unset".into())
    );
    // Stored, then found by later requests on other connections.
    assert_eq!(ask("op=store&k=a", Some("token-123")).3, "9:token-123");
    for _ in 0..4 {
        assert_eq!(
            ask("k=a", None),
            ("yes".into(), "token-123".into(), "none".into(), "9:token-123".into())
        );
    }
    assert_eq!(ask("k=b", None).0, "no", "keys are separate");
    // A JSON object keeps its type.
    ask("op=store-json", Some(r#"{"a": 5, "b": [1, 2]}"#));
    assert_eq!(ask("k=a", None).2, "5");
    // Removed.
    assert_eq!(ask("op=remove&k=a", None).0, "no");
    assert_eq!(
        ask("k=a", None),
        ("no".into(), "default-a".into(), "5".into(), "unset".into())
    );
    assert_eq!(backend.request_count(), 0, "every answer came from the policies");
}

#[test]
fn entries_over_the_size_bound_are_not_cached() {
    let backend = Backend::start("b");
    let b = Gateway::builder()
        .env("OUTPOST_CACHE_MAX_ENTRY_BYTES", "4096")
        .proxy("test-api", "api", &backend.url())
        .proxy("values-api", "values", &backend.url());
    std::fs::write(
        b.config_dir().join("apis/test-api.xml"),
        policies(
            r#"<cache-lookup><vary-by-query-parameter>size</vary-by-query-parameter></cache-lookup>"#,
            "<base />",
            r#"<set-body>@(new string('x', int.Parse(context.Request.Url.Query.GetValueOrDefault("size", "10"))))</set-body>
               <cache-store duration="3600" />"#,
            "",
        ),
    )
    .unwrap();
    std::fs::write(
        b.config_dir().join("apis/values-api.xml"),
        policies(VALUES, "<base />", "", ""),
    )
    .unwrap();
    let gw = b.start();
    for _ in 0..2 {
        assert_eq!(get(&gw, "/api/fixed?size=10", &[]).body.len(), 10);
    }
    assert_eq!(backend.request_count(), 1, "a small response is cached");
    for _ in 0..2 {
        let r = get(&gw, "/api/fixed?size=8000", &[]);
        assert_eq!(r.status, 200);
        assert_eq!(r.body.len(), 8000, "the request itself is answered in full");
    }
    assert_eq!(backend.request_count(), 3, "a response over the bound is not cached");

    // A value over the bound: not stored, and the key's older value is gone.
    let has = |q: &str| get(&gw, &format!("/values/v?{q}"), &[("X-Value", "small")]).header("X-Has");
    assert_eq!(has("op=store&k=big").as_deref(), Some("yes"));
    assert_eq!(has("op=store-big&k=big").as_deref(), Some("no"));
    assert_eq!(has("k=big").as_deref(), Some("no"));
}

#[test]
fn token_fetch_and_cache_calls_the_token_endpoint_once() {
    let backend = Backend::start("api");
    let auth = Backend::start("auth");
    let xml = policies(
        &format!(
            r#"<cache-lookup-value key="@("token-" + context.Api.Id)" variable-name="bearerToken" />
               <choose>
                 <when condition="@(!context.Variables.ContainsKey("bearerToken"))">
                   <send-request mode="new" response-variable-name="tokenResponse" timeout="20" ignore-error="false">
                     <set-url>{}/echo/token</set-url>
                     <set-method>POST</set-method>
                     <set-body>{{"access_token":"tok-1","expires_in":3600}}</set-body>
                   </send-request>
                   <set-variable name="bearerToken"
                       value="@((string)((IResponse)context.Variables["tokenResponse"]).Body.As&lt;JObject&gt;()["access_token"])" />
                   <cache-store-value key="@("token-" + context.Api.Id)"
                       value="@((string)context.Variables["bearerToken"])" duration="3600" />
                 </when>
               </choose>
               <set-header name="Authorization" exists-action="override">
                 <value>@("Bearer " + (string)context.Variables["bearerToken"])</value>
               </set-header>"#,
            auth.url()
        ),
        "<base />",
        "",
        "",
    );
    let gw = with_policy(&backend, &xml).start();
    for _ in 0..5 {
        let r = get(&gw, "/api/echo/data", &[]);
        assert_eq!(r.status, 200, "{}", r.status_line());
    }
    let got = backend.wait_until("five forwarded requests", WAIT, |r| r.len() == 5);
    assert!(got
        .iter()
        .all(|r| r.headers.get("Authorization").as_deref() == Some("Bearer tok-1")));
    assert_eq!(
        auth.request_count(),
        1,
        "the token is fetched once, then read from the cache"
    );
}

#[test]
fn cache_lookup_value_runs_inside_wait() {
    let backend = Backend::start("b");
    let xml = policies(
        r#"<cache-store-value key="a" value="one" duration="60" />
           <cache-store-value key="b" value="@(2)" duration="60" />
           <wait for="all">
             <cache-lookup-value key="a" variable-name="va" />
             <cache-lookup-value key="b" variable-name="vb" />
             <cache-lookup-value key="c" variable-name="vc" default-value="none" />
           </wait>
           <return-response>
             <set-body>@((string)context.Variables["va"] + "," + ((int)context.Variables["vb"] + 1).ToString() + "," + (string)context.Variables["vc"])</set-body>
           </return-response>"#,
        "<base />",
        "",
        "",
    );
    let gw = with_policy(&backend, &xml).start();
    let r = get(&gw, "/api/x", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "one,3,none");
}
