//! Unit tests of the validation policies: a replica compiled from
//! configuration files (an API with an OpenAPI document), one request (and
//! for outbound a gateway-made response), one section run; each action,
//! APIM's messages, the errors variable and the load-time refusals.

use std::borrow::Cow;

use super::compile::Section;
use super::exec::{self, Env, RequestView, Run, Stop};
use super::expr::Value;
use super::failure::Failure;
use super::flow::{Flow, ResponseEdits};
use super::services::Services;
use crate::http::{HeadLimits, RequestHead};
use crate::replica::Replica;
use crate::routing::{RouteRequest, RouteScratch};
use outpost_expr::library::json::node::Node;

const API: &str = r#"display-name = "Pets"
path = "pets"
service-url = "echo://"
[[operations]]
id = "createPet"
method = "POST"
url-template = "/pets"
[[operations]]
id = "getPet"
method = "GET"
url-template = "/pets/{id}"
[[operations]]
id = "other"
method = "GET"
url-template = "/other"
"#;

const OPENAPI: &str = r##"
openapi: 3.0.3
info: { title: Pets, version: '1' }
paths:
  /pets:
    post:
      operationId: createPet
      parameters:
        - { name: dryRun, in: query, schema: { type: boolean } }
      requestBody:
        required: true
        content:
          application/json: { schema: { $ref: '#/components/schemas/Pet' } }
      responses:
        '201':
          description: created
          headers:
            X-Rate: { required: true, schema: { type: integer } }
          content:
            application/json: { schema: { $ref: '#/components/schemas/Pet' } }
        4XX: { description: client error }
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }
        - { name: X-Trace, in: header, required: true, schema: { type: string, pattern: '^[a-z]+$' } }
        - { name: tags, in: query, schema: { type: array, items: { type: string } } }
        - { name: limit, in: query, schema: { type: integer, maximum: 10 } }
      responses:
        '200': { description: ok }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: { type: string }
        tag: { type: string, nullable: true }
"##;

const ADDRESS: &str = r#"{"$defs": {"address": {"type": "object", "required": ["city"]}}}"#;

struct Gateway {
    replica: Replica,
    services: Services,
}

fn files(policy: &str) -> Vec<(String, String)> {
    vec![
        ("apis/pets.toml".into(), API.into()),
        ("apis/pets/openapi.yaml".into(), OPENAPI.into()),
        ("apis/pets.xml".into(), policy.into()),
        ("schemas/addr.json".into(), ADDRESS.into()),
    ]
}

fn load(policy: &str) -> Result<Replica, String> {
    let cfg = crate::config::load_files(&files(policy)).map_err(|e| e.to_string())?;
    crate::replica::compile(&cfg, &mut |_, _| Ok(Vec::new())).map_err(|e| e.to_string())
}

fn gateway(policy: &str) -> Gateway {
    Gateway {
        replica: load(policy).expect("the configuration compiles"),
        services: Services::default(),
    }
}

fn inbound(xml: &str) -> String {
    format!("<policies><inbound>{xml}</inbound><backend /><outbound /><on-error /></policies>")
}

fn outbound(xml: &str) -> String {
    format!("<policies><inbound /><backend /><outbound>{xml}</outbound><on-error /></policies>")
}

/// A response for an outbound run.
struct Resp<'a> {
    status: u16,
    headers: &'a [(&'static str, &'static str)],
    body: &'a [u8],
}

/// What a run left: its end, the errors variable's records
/// (Name, Type, ValidationRule, Action) and their details.
struct Outcome {
    result: Result<Stop, Failure>,
    records: Vec<[String; 4]>,
    details: Vec<String>,
}

impl Gateway {
    fn run(&self, section: Section, request: &str, body: &[u8], resp: Option<Resp<'_>>) -> Outcome {
        let buf = format!("{request}\r\nHost: gw\r\n\r\n")
            .replace("\r\n\r\n\r\n", "\r\n\r\n")
            .into_bytes();
        let mut head = RequestHead::new();
        let limits = HeadLimits {
            max_head_bytes: 8192,
            max_uri_bytes: 2048,
            max_headers: 32,
        };
        assert_eq!(head.parse(&buf, &limits), Ok(true), "a complete head");
        let header = |_: &[u8]| None;
        let route = RouteRequest {
            host: None,
            method: &head.method,
            path: head.path.get(&buf),
            query: head.query.map(|q| q.get(&buf)),
            header: &header,
        };
        let mut scratch = RouteScratch::new();
        let m = self.replica.router.route(&route, &mut scratch).expect("routed");
        let api = &self.replica.apis[m.api];
        let op = &api.operations[m.operation];
        let env = Env {
            replica: &self.replica,
            api,
            op,
            peer: "192.0.2.1".parse().expect("an address"),
            services: &self.services,
            request_id: 1,
            grant: Default::default(),
            tls: None,
            timestamp: super::expr::DateTime::now_utc(),
            started: std::time::Instant::now(),
            trace: None,
            telemetry: None,
        };
        let mut flow = Flow::default();
        if !body.is_empty() {
            flow.request_body = Some(body.to_vec());
        }
        if let Some(resp) = &resp {
            let mut edits = ResponseEdits::synthetic(resp.status);
            for (n, v) in resp.headers {
                edits.headers.add(n, Cow::Borrowed(v));
            }
            edits.body = Some(resp.body.to_vec());
            flow.response = edits;
        }
        let prog = op.pipeline.program(section);
        let mut r = Run {
            flow: &mut flow,
            env: &env,
            req: RequestView {
                head: &head,
                buf: &buf,
                params: &scratch.params,
                remaining_start: m.remaining_start,
            },
            resp: None,
        };
        let result = exec::run(prog, 0, &mut r);
        let mut records = Vec::new();
        let mut details = Vec::new();
        if let Some(Value::Obj(o)) = flow.var("errs") {
            let list = o.as_any().downcast_ref::<Node>().expect("a JArray");
            for rec in list.children() {
                let field = |name: &str| {
                    rec.get(name)
                        .and_then(|v| v.scalar().and_then(|s| s.v.as_str().map(str::to_owned)))
                        .unwrap_or_default()
                };
                records.push([field("Name"), field("Type"), field("ValidationRule"), field("Action")]);
                details.push(field("Details"));
            }
        }
        Outcome {
            result,
            records,
            details,
        }
    }
}

fn rec(name: &str, kind: &str, rule: &str, action: &str) -> [String; 4] {
    [name.into(), kind.into(), rule.into(), action.into()]
}

const CONTENT: &str = r#"<validate-content unspecified-content-type-action="prevent" max-size="100" size-exceeded-action="prevent" errors-variable-name="errs">
  <content-type-map missing-content-type-value="application/json"><type from="application/hal+json" to="application/json"/></content-type-map>
  <content type="application/json" validate-as="json" action="ACTION"/>
</validate-content>"#;

fn post(ct: &str) -> String {
    format!("POST /pets/pets HTTP/1.1\r\nContent-Type: {ct}")
}

#[test]
fn content_prevent_detect_and_ignore() {
    let g = gateway(&inbound(&CONTENT.replace("ACTION", "prevent")));
    let ok = g.run(
        Section::Inbound,
        &post("application/json"),
        br#"{"name": "rex", "tag": null}"#,
        None,
    );
    assert_eq!(ok.result, Ok(Stop::End));
    assert!(ok.records.is_empty());

    let bad = g.run(
        Section::Inbound,
        &post("application/json"),
        b"{\n  \"tag\": \"x\"\n}",
        None,
    );
    let f = bad.result.expect_err("prevented");
    let message = "Body of the request does not conform to the definition Pet, which is associated with the content type application/json. Required properties are missing from object: name. Line: 1, Position: 1";
    assert_eq!(
        (f.source_name, f.reason, f.status),
        ("validate-content", "Bad request", 400)
    );
    assert_eq!(f.message, message);
    assert_eq!(f.client_message(), message);
    assert_eq!(
        bad.records,
        [rec("application/json", "RequestBody", "IncorrectMessage", "prevent")]
    );
    assert_eq!(bad.details, [message]);

    let typed = g.run(Section::Inbound, &post("application/json"), b"{\"name\": 7}", None);
    assert!(typed
        .result
        .expect_err("prevented")
        .message
        .ends_with("Invalid type. Expected String but got Integer. Line: 1, Position: 10"));
    let broken = g.run(Section::Inbound, &post("application/json"), b"{\"name\": ", None);
    assert!(broken
        .result
        .expect_err("not JSON")
        .message
        .contains("Line: 1, Position: 9"));

    let detect = gateway(&inbound(&CONTENT.replace("ACTION", "detect")));
    let out = detect.run(Section::Inbound, &post("application/hal+json"), b"{}", None);
    assert_eq!(out.result, Ok(Stop::End), "detect lets the request through");
    assert_eq!(
        out.records,
        [rec("application/json", "RequestBody", "IncorrectMessage", "detect")]
    );

    let ignore = gateway(&inbound(&CONTENT.replace("ACTION", "ignore")));
    let out = ignore.run(Section::Inbound, &post("application/json"), b"{}", None);
    assert_eq!(out.result, Ok(Stop::End));
    assert!(out.records.is_empty(), "ignore records nothing");
}

#[test]
fn content_type_and_size_checks() {
    let g = gateway(&inbound(&CONTENT.replace("ACTION", "prevent")));
    let out = g.run(Section::Inbound, &post("text/plain"), b"hi", None);
    let f = out.result.expect_err("unspecified");
    assert_eq!(f.message, "Unspecified content type text/plain is not allowed.");
    assert_eq!(
        out.records,
        [rec("text/plain", "RequestBody", "Unspecified", "prevent")]
    );

    let missing = g.run(Section::Inbound, "POST /pets/pets HTTP/1.1", b"{\"name\": \"a\"}", None);
    assert_eq!(
        missing.result,
        Ok(Stop::End),
        "a missing content type maps to application/json"
    );

    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(200));
    let out = g.run(Section::Inbound, &post("application/json"), big.as_bytes(), None);
    let f = out.result.expect_err("too large");
    assert_eq!(
        f.client_message(),
        "Request's body is 212 bytes long and it exceeds the limit of 100 bytes."
    );
    assert_eq!(
        f.message,
        "Request's body is 212 bytes long and it exceeds the configured limit of 100 bytes."
    );
    assert_eq!(out.records, [rec("", "RequestBody", "SizeLimit", "prevent")]);

    // Not buffered (announced larger than max-size): decided on Content-Length.
    let announced = g.run(
        Section::Inbound,
        "POST /pets/pets HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 5000",
        b"",
        None,
    );
    assert!(announced.result.expect_err("too large").message.contains("5000 bytes"));
}

#[test]
fn additional_properties_override_and_schema_id() {
    let xml = r##"<validate-content unspecified-content-type-action="prevent" max-size="1000" size-exceeded-action="prevent" errors-variable-name="errs">
      <content type="application/json" validate-as="json" action="prevent" allow-additional-properties="false"/>
      <content type="application/vnd.addr+json" validate-as="json" action="prevent" schema-id="addr" schema-ref="#/$defs/address"/>
    </validate-content>"##;
    let g = gateway(&inbound(xml));
    let extra = g.run(
        Section::Inbound,
        &post("application/json"),
        br#"{"name": "a", "x": 1}"#,
        None,
    );
    assert!(extra
        .result
        .expect_err("closed")
        .message
        .contains("Property 'x' has not been defined and the schema does not allow additional properties."));
    let addr = g.run(Section::Inbound, &post("application/vnd.addr+json"), b"{}", None);
    let f = addr.result.expect_err("schema-id schema");
    assert!(f.message.contains("definition #/$defs/address"), "{}", f.message);
    let good = g.run(
        Section::Inbound,
        &post("application/vnd.addr+json"),
        br#"{"city": "x"}"#,
        None,
    );
    assert_eq!(good.result, Ok(Stop::End));
}

#[test]
fn response_body_failures_are_502_without_details() {
    let xml = r#"<validate-content unspecified-content-type-action="detect" max-size="1000" size-exceeded-action="prevent" errors-variable-name="errs">
      <content type="application/json" validate-as="json" action="prevent"/>
    </validate-content>"#;
    let g = gateway(&outbound(xml));
    let resp = Resp {
        status: 201,
        headers: &[("Content-Type", "application/json")],
        body: b"[]",
    };
    let out = g.run(Section::Outbound, "POST /pets/pets HTTP/1.1", b"", Some(resp));
    let f = out.result.expect_err("prevented");
    assert_eq!((f.reason, f.status), ("Response not allowed", 502));
    assert_eq!(f.client_message(), super::validation::INTERNAL);
    assert!(f
        .message
        .starts_with("Body of the response does not conform to the definition Pet"));
    assert_eq!(
        out.records,
        [rec("application/json", "ResponseBody", "IncorrectMessage", "prevent")]
    );
}

#[test]
fn parameters() {
    let xml = r#"<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" errors-variable-name="errs">
      <headers unspecified-parameter-action="ignore"><parameter name="X-Skip" action="prevent"/></headers>
      <query><parameter name="debug" action="detect"/></query>
    </validate-parameters>"#;
    let g = gateway(&inbound(xml));
    let run = |target: &str, headers: &str| {
        g.run(
            Section::Inbound,
            &format!("GET /pets/pets/{target} HTTP/1.1{headers}"),
            b"",
            None,
        )
    };
    let ok = run("7?tags=a,b&limit=3", "\r\nX-Trace: abc\r\nAccept: */*");
    assert_eq!(ok.result, Ok(Stop::End), "{:?}", ok.details);

    let f = run("abc", "\r\nX-Trace: abc").result.expect_err("not an integer");
    assert_eq!(
        f.client_message(),
        "Value of the path parameter id couldn't be parsed according to the definition. Could not convert string to integer: abc."
    );
    let out = run("0", "\r\nX-Trace: abc");
    assert_eq!(
        out.result.expect_err("below minimum").client_message(),
        "The value of the path parameter id does not conform to the definition. Integer 0 is less than minimum value of 1. Line: 1, Position: 1"
    );
    assert_eq!(out.records, [rec("id", "PathParameter", "IncorrectMessage", "prevent")]);
    let f = run("7", "").result.expect_err("required header");
    assert_eq!(f.message, "Request does not contain the required header X-Trace.");
    let f = run("7?limit=1&limit=2", "\r\nX-Trace: abc")
        .result
        .expect_err("two values");
    assert_eq!(
        f.message,
        "Request cannot contain multiple values for the query parameter limit."
    );
    let out = run("7?other=1", "\r\nX-Trace: abc");
    assert_eq!(
        out.result.expect_err("unspecified").client_message(),
        "Unspecified query parameter other is not allowed."
    );
    assert_eq!(out.records, [rec("other", "QueryParameter", "Unspecified", "prevent")]);
    let out = run("7?debug=1", "\r\nX-Trace: abc");
    assert_eq!(out.result, Ok(Stop::End), "the parameter's own action");
    assert_eq!(out.records, [rec("debug", "QueryParameter", "Unspecified", "detect")]);
    let f = run("7", "\r\nX-Trace: abc\r\nX-Skip: 1")
        .result
        .expect_err("own action over the location's");
    assert_eq!(f.message, "Unspecified header X-Skip is not allowed.");
}

#[test]
fn headers_and_status_codes() {
    let xml = r#"<validate-status-code unspecified-status-code-action="prevent" errors-variable-name="errs">
        <status-code code="418" action="detect"/>
      </validate-status-code>
      <validate-headers specified-header-action="prevent" unspecified-header-action="detect" errors-variable-name="errs">
        <header name="Server" action="ignore"/>
      </validate-headers>"#;
    let g = gateway(&outbound(xml));
    let resp = |status, headers| Resp {
        status,
        headers,
        body: b"",
    };
    let run = |r| g.run(Section::Outbound, "POST /pets/pets HTTP/1.1", b"", Some(r));
    let ok = run(resp(
        201,
        &[("X-Rate", "5"), ("Server", "x"), ("Content-Type", "text/plain")],
    ));
    assert_eq!(ok.result, Ok(Stop::End));
    assert!(ok.records.is_empty(), "{:?}", ok.records);

    let out = run(resp(201, &[("X-Rate", "five"), ("X-Extra", "1")]));
    let f = out.result.expect_err("bad declared header");
    assert_eq!(
        (f.source_name, f.reason, f.status),
        ("validate-headers", "Response not allowed", 502)
    );
    assert_eq!(f.client_message(), super::validation::INTERNAL);
    assert_eq!(
        f.message,
        "Value of the header X-Rate cannot be parsed according to the definition. Could not convert string to integer: five."
    );
    let out = run(resp(201, &[("X-Rate", "1"), ("X-Extra", "1")]));
    assert_eq!(out.result, Ok(Stop::End));
    assert_eq!(out.records, [rec("X-Extra", "ResponseHeader", "Unspecified", "detect")]);

    let f = run(resp(500, &[])).result.expect_err("500 is not in the schema");
    assert_eq!((f.source_name, f.status), ("validate-status-code", 502));
    assert_eq!(f.message, "Response status code 500 is not allowed.");
    let out = run(resp(404, &[]));
    assert_eq!(out.result, Ok(Stop::End), "4XX covers 404");
    let out = run(resp(418, &[]));
    assert_eq!(out.result, Ok(Stop::End), "418 is in 4XX: the child does not apply");
    let out = g.run(Section::Outbound, "GET /pets/other HTTP/1.1", b"", Some(resp(200, &[])));
    assert_eq!(
        out.records[0],
        rec("", "ApiSchema", "", "prevent"),
        "no schema for the operation"
    );
}

#[test]
fn load_time_refusals_name_the_problem() {
    let vc = |attrs: &str, children: &str| {
        format!(
            r#"<validate-content unspecified-content-type-action="prevent" size-exceeded-action="prevent" {attrs}>{children}</validate-content>"#
        )
    };
    let json = r#"<content type="application/json" validate-as="json" action="prevent"/>"#;
    let params =
        r#"<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent"/>"#;
    let status = |children: &str| {
        format!(r#"<validate-status-code unspecified-status-code-action="prevent">{children}</validate-status-code>"#)
    };
    let cases = [
        (inbound(&vc(r#"max-size="102401""#, json)), "at most 102400"),
        (inbound(&vc("", json)), "missing attribute `max-size`"),
        (
            inbound(&vc(r#"max-size="10" errors-variable-name="@(1)""#, json)),
            "policy expressions",
        ),
        (
            inbound(&vc(r#"max-size="1""#, json).replace(
                "unspecified-content-type-action=\"prevent\"",
                "unspecified-content-type-action=\"nope\"",
            )),
            "must be ignore, detect or prevent",
        ),
        (
            inbound(&vc(
                r#"max-size="1""#,
                r#"<content validate-as="xml" schema-id="addr" action="prevent"/>"#,
            )),
            "XSD",
        ),
        (
            inbound(&vc(
                r#"max-size="1""#,
                r#"<content validate-as="json" schema-id="none" action="prevent"/>"#,
            )),
            "no schema \"none\"",
        ),
        (outbound(params), "not allowed in the outbound section"),
        (inbound(&format!("{params}{params}")), "only once per section"),
        (inbound(&status("")), "not allowed in the inbound section"),
        (
            outbound(&status(r#"<status-code code="9" action="ignore"/>"#)),
            "HTTP status code",
        ),
    ];
    for (xml, want) in cases {
        let e = load(&xml).expect_err("refused");
        assert!(e.contains(want), "{xml}: {e}");
    }
}

#[test]
fn broken_openapi_documents_fail_the_load_with_their_file() {
    let mut f = files(&inbound(""));
    f[1].1 = OPENAPI.replace("'#/components/schemas/Pet'", "'#/components/schemas/Nope'");
    let cfg = crate::config::load_files(&f).expect("parses");
    let e = crate::replica::compile(&cfg, &mut |_, _| Ok(Vec::new()))
        .expect_err("unresolvable")
        .to_string();
    assert!(e.starts_with("apis/pets/openapi.yaml"), "{e}");
    f[1].1 = "openapi: [".into();
    let e = crate::config::load_files(&f).expect_err("bad YAML").to_string();
    assert!(e.starts_with("apis/pets/openapi.yaml: malformed YAML"), "{e}");
}
