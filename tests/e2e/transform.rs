//! Body transformation through the real gateway against a real backend:
//! Liquid templates in inbound and outbound (filters, `JSONArrayFor`,
//! `context`, an XML template with a named value, an XML body), JSON↔XML
//! round trips, the load-time error of an unsupported Liquid tag, trace's
//! legacy text form, and check-policy with an undefined named value
//! inside a URL.

use std::time::Duration;

use crate::support::gateway::{check_config, TempDir};
use crate::support::*;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn liquid_renders_in_inbound_and_outbound() {
    let backend = Backend::start("b");
    let inbound = r#"<set-body template="liquid">{"who":"{{ body.user.name | Upcase }}","method":"{{ context.Request.Method }}","n":{{ body.items | Size }},"agent":"{{ context.Request.Headers.X-Agent | Default: 'none' }}"}</set-body>"#;
    let outbound = r#"<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
        <set-body template="liquid">[{% JSONArrayFor x in body.list %}"{{ x | Prepend: 'item-' }}"{% endJSONArrayFor %}] {{ context.Response.StatusCode }}</set-body>"#;
    let soap = r#"<set-body template="liquid"><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Get tenant="{{tenant}}"><cust>{{ body.cust }}</cust></Get></soap:Body></soap:Envelope></set-body>"#;
    let xml_in = r#"<set-body template="liquid">{{ body.order.id }}:{% for l in body.order.line %}{{ l | Upcase }}{% endfor %}</set-body>"#;
    let gw = Gateway::builder()
        .proxy("lin", "lin", &backend.url())
        .file("apis/lin.xml", &policies(inbound, "<base />", "", ""))
        .proxy("lout", "lout", &backend.url())
        .file("apis/lout.xml", &policies("", "<base />", outbound, ""))
        .proxy("soap", "soap", &backend.url())
        .file("apis/soap.xml", &policies(soap, "<base />", "", ""))
        .proxy("lxml", "lxml", &backend.url())
        .file("apis/lxml.xml", &policies(xml_in, "<base />", "", ""))
        .file(
            "named-values.toml",
            "[[named-value]]\nname = \"tenant\"\nvalue = \"contoso\"\n",
        )
        .start();
    let mut c = gw.connect();
    let r = c.request(
        "POST",
        "/lin/echo",
        &[("Content-Type", "application/json"), ("X-Agent", "t1")],
        br#"{"user":{"name":"ann"},"items":[1,2,3]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), r#"{"who":"ANN","method":"POST","n":3,"agent":"t1"}"#);
    let sent = backend.wait_until("inbound", WAIT, |r| r.len() == 1 && r[0].complete);
    assert_eq!(
        sent[0].body_len,
        r.text().len() as u64,
        "the backend got the rendered body"
    );

    let r = c.request(
        "POST",
        "/lout/echo",
        &[("Content-Type", "application/json")],
        br#"{"list":["a","b"]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), r#"["item-a","item-b"] 200"#);
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));

    let r = c.request(
        "POST",
        "/soap/echo",
        &[("Content-Type", "application/json")],
        br#"{"cust":"c<1>"}"#,
    );
    assert_eq!(
        r.text(),
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Get tenant="contoso"><cust>c<1></cust></Get></soap:Body></soap:Envelope>"#
    );

    let r = c.request(
        "POST",
        "/lxml/echo",
        &[("Content-Type", "application/xml")],
        b"<order><id>7</id><line>a</line><line>b</line></order>",
    );
    assert_eq!(r.text(), "7:AB");
}

#[test]
fn json_and_xml_round_trip_through_a_backend() {
    let backend = Backend::start("b");
    let to_xml = r#"<json-to-xml apply="content-type-json" consider-accept-header="false" />"#;
    let to_json = r#"<xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="false" />"#;
    let gw = Gateway::builder()
        .proxy("rt", "rt", &backend.url())
        .file("apis/rt.xml", &policies(to_xml, "<base />", to_json, ""))
        .proxy("tx", "tx", &backend.url())
        .file("apis/tx.xml", &policies(to_xml, "<base />", "", ""))
        .proxy("acc", "acc", &backend.url())
        .file(
            "apis/acc.xml",
            &policies(r#"<json-to-xml apply="always" />"#, "<base />", "", ""),
        )
        .start();
    let mut c = gw.connect();
    let json = r#"{"order":{"id":"7","line":["a","b"],"note":"x & y"}}"#;
    let r = c.request(
        "POST",
        "/rt/echo",
        &[("Content-Type", "application/json")],
        json.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), json, "JSON → XML (backend) → JSON");
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));
    let sent = backend.wait_until("round trip", WAIT, |r| r.len() == 1 && r[0].complete);
    assert_eq!(sent[0].headers.get("Content-Type").as_deref(), Some("application/xml"));

    let r = c.request(
        "POST",
        "/tx/echo",
        &[("Content-Type", "application/json")],
        json.as_bytes(),
    );
    assert_eq!(
        r.text(),
        "<order><id>7</id><line>a</line><line>b</line><note>x &amp; y</note></order>"
    );
    // Not JSON by Content-Type: left alone.
    let r = c.request("POST", "/tx/echo", &[("Content-Type", "text/plain")], json.as_bytes());
    assert_eq!(r.text(), json);
    // consider-accept-header (the default): only when the client asks for XML.
    let r = c.request("POST", "/acc/echo", &[], b"[1]");
    assert_eq!(r.text(), "[1]");
    let r = c.request("POST", "/acc/echo", &[("Accept", "application/xml")], b"[1]");
    assert_eq!(r.text(), "<Document><Item>1</Item></Document>");
    // A body that is not JSON fails the request with the policy's reason.
    let r = c.request("POST", "/acc/echo", &[("Accept", "text/xml")], b"{nope");
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(backend.requests().len(), 5, "the bad body never reached the backend");
}

#[test]
fn an_unsupported_liquid_tag_fails_at_load_naming_its_line() {
    let dir = TempDir::new("liquid-bad");
    std::fs::create_dir_all(dir.0.join("apis")).expect("mkdir");
    std::fs::write(dir.0.join("apis/l.toml"), api_toml("l", "http://127.0.0.1:9/base")).expect("write");
    std::fs::write(
        dir.0.join("apis/l.xml"),
        "<policies>\n<inbound>\n<set-body template=\"liquid\">\n{\n  \"a\": \"{{ body.a }}\",\n  {% include 'other' %}\n}\n</set-body>\n</inbound>\n</policies>\n",
    )
    .expect("write");
    let (code, out, err) = check_config(&dir.0);
    assert_ne!(code, 0, "{out} {err}");
    let all = format!("{out}{err}");
    assert!(all.contains("apis/l.xml: line 6:"), "file and line 6: {all}");
    assert!(all.contains("`include`"), "{all}");
}

#[test]
fn trace_accepts_the_legacy_text_form() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .env("OUTPOST_TELEMETRY_LOGS_STD_LEVEL", "debug")
        .proxy("tr", "tr", &backend.url())
        .file(
            "apis/tr.xml",
            &policies(
                r#"<trace source="legacy">@("legacy from " + context.Request.Headers.GetValueOrDefault("X-Who", "?"))</trace>"#,
                "<base />",
                "",
                "",
            ),
        )
        .start();
    let r = gw.connect().request("GET", "/tr/echo", &[("X-Who", "lee")], b"");
    assert_eq!(r.status, 200);
    let line = gw.wait_for_line(|l| l.contains("legacy from lee"), WAIT);
    assert!(line.contains("source=\"legacy\""), "{line}");
}

#[test]
fn check_policy_accepts_an_undefined_named_value_inside_a_url() {
    let dir = TempDir::new("check-url");
    let doc = dir.0.join("p.xml");
    std::fs::write(
        &doc,
        "<policies>\n<inbound>\n<set-backend-service base-url=\"https://{{backend-host}}/api\" />\n<rewrite-uri template=\"/{{prefix}}/x\" />\n<send-request response-variable-name=\"t\"><set-url>{{token-url}}</set-url><set-method>GET</set-method></send-request>\n</inbound>\n</policies>\n",
    )
    .expect("write");
    let f = doc.to_str().expect("utf-8");
    let run = crate::check_policy::run;
    let (code, out) = run(&[f]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK (3 policies run"), "{out}");
    assert!(out.contains("warning:") && out.contains("{{backend-host}}"), "{out}");
    assert!(out.contains("{{token-url}}"), "{out}");
    // Given the value, the URL is checked after substitution.
    let (code, out) = run(&[
        "--named-value",
        "backend-host=bad host",
        "--named-value",
        "token-url=https://t/",
        f,
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("{f}:3:")), "{out}");
}
