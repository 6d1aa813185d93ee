//! The validation policies through the real gateway and a real backend:
//! an API with an OpenAPI document (in the configuration directory, and
//! imported through the management plane), request body, parameter and
//! header failures with APIM's 400 bodies, detect mode logging and
//! passing, outbound content, status-code and header failures giving
//! 502, and the errors variable read by an expression in on-error.

use crate::support::gateway::{GatewayBuilder, TempDir};
use crate::support::*;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

const OPENAPI: &str = r##"
openapi: 3.0.3
info: { title: Pets, version: '1' }
paths:
  /echo:
    post:
      operationId: createPet
      parameters:
        - { name: dryRun, in: query, schema: { type: boolean } }
        - { name: X-Client, in: header, required: true, schema: { type: string, pattern: '^[a-z]+$' } }
      requestBody:
        required: true
        content:
          application/json: { schema: { $ref: '#/components/schemas/Pet' } }
      responses:
        '200':
          description: the pet
          content:
            application/json: { schema: { $ref: '#/components/schemas/Pet' } }
  /status/{code}:
    get:
      operationId: status
      parameters:
        - { name: code, in: path, required: true, schema: { type: integer } }
      responses:
        '200': { description: ok }
        '404': { description: none }
  /fixed:
    get:
      operationId: fixed
      responses:
        '200':
          description: a pet
          content:
            application/json: { schema: { $ref: '#/components/schemas/Pet' } }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: { type: string, minLength: 1 }
        tag: { type: string, nullable: true }
"##;

fn api(backend: &Backend) -> String {
    format!(
        "display-name = \"Pets\"\npath = \"pets\"\nservice-url = \"{}\"\n\
         [[operations]]\nid = \"createPet\"\nmethod = \"POST\"\nurl-template = \"/echo\"\n\
         [[operations]]\nid = \"status\"\nmethod = \"GET\"\nurl-template = \"/status/{{code}}\"\n\
         [[operations]]\nid = \"fixed\"\nmethod = \"GET\"\nurl-template = \"/fixed\"\n",
        backend.url()
    )
}

/// The API with its OpenAPI document and an API-scope policy.
fn pets(backend: &Backend, policy: &str) -> GatewayBuilder {
    Gateway::builder()
        .api("pets", &api(backend))
        .file("apis/pets/openapi.yaml", OPENAPI)
        .file("apis/pets.xml", policy)
}

const PREVENT_INBOUND: &str = r#"
<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" errors-variable-name="errs">
  <headers unspecified-parameter-action="ignore" />
</validate-parameters>
<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" errors-variable-name="errs">
  <content type="application/json" validate-as="json" action="prevent" />
</validate-content>"#;

/// APIM's error body, byte for byte.
fn apim_body(status: u16, message: &str) -> String {
    let message = serde_json::Value::from(message).to_string();
    format!("{{ \"statusCode\": {status}, \"message\": {message} }}")
}

/// The JSON error body's fields, whatever its spacing.
fn error_of(r: &Response) -> (u64, String) {
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    (
        v["statusCode"].as_u64().unwrap_or(0),
        v["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A JSON POST from client `app`.
fn post_json(c: &mut Conn, target: &str, body: &str) -> Response {
    post(c, target, Some("app"), "application/json", body)
}

fn post(c: &mut Conn, target: &str, client: Option<&str>, ct: &str, body: &str) -> Response {
    let mut headers = vec![("Content-Type", ct)];
    if let Some(client) = client {
        headers.push(("X-Client", client));
    }
    c.request("POST", target, &headers, body.as_bytes())
}

#[test]
fn request_failures_get_apims_400_bodies_and_never_reach_the_backend() {
    let backend = Backend::start("pets");
    let gw = pets(&backend, &policies(PREVENT_INBOUND, "<base />", "", "")).start();
    let mut c = gw.connect();

    let ok = post_json(&mut c, "/pets/echo?dryRun=true", r#"{"name":"rex","tag":null}"#);
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.text(), r#"{"name":"rex","tag":null}"#);
    let reached = backend.request_count();

    let cases: [(&str, Option<&str>, &str, &str, &str); 6] = [
        (
            "/pets/echo",
            Some("app"),
            "application/json",
            "{\n  \"tag\": \"x\"\n}",
            "Body of the request does not conform to the definition Pet, which is associated with the content type application/json. Required properties are missing from object: name. Line: 1, Position: 1",
        ),
        (
            "/pets/echo",
            Some("app"),
            "application/json",
            r#"{"name": ""}"#,
            "Body of the request does not conform to the definition Pet, which is associated with the content type application/json. String '' is less than minimum length of 1. Line: 1, Position: 11",
        ),
        (
            "/pets/echo",
            Some("app"),
            "text/plain",
            "rex",
            "Unspecified content type text/plain is not allowed.",
        ),
        (
            "/pets/echo?dryRun=maybe",
            Some("app"),
            "application/json",
            r#"{"name":"rex"}"#,
            "Value of the query parameter dryRun couldn't be parsed according to the definition. Could not convert string to boolean: maybe.",
        ),
        (
            "/pets/echo?debug=1",
            Some("app"),
            "application/json",
            r#"{"name":"rex"}"#,
            "Unspecified query parameter debug is not allowed.",
        ),
        (
            "/pets/echo",
            Some("App-1"),
            "application/json",
            r#"{"name":"rex"}"#,
            "The value of the header X-Client does not conform to the definition. String 'App-1' does not match regex pattern '^[a-z]+$'. Line: 1, Position: 7",
        ),
    ];
    for (target, client, ct, body, message) in cases {
        let r = post(&mut c, target, client, ct, body);
        assert_eq!(r.status, 400, "{target} {body}: {}", r.text());
        assert_eq!(r.header("Content-Type").as_deref(), Some("application/json"));
        assert_eq!(error_of(&r), (400, message.to_owned()), "{target} {body}");
        assert_eq!(r.text(), apim_body(400, message));
    }
    let r = post(&mut c, "/pets/echo", None, "application/json", r#"{"name":"rex"}"#);
    assert_eq!(r.status, 400);
    assert_eq!(error_of(&r).1, "Request does not contain the required header X-Client.");
    assert_eq!(
        backend.request_count(),
        reached,
        "refused requests never reach the backend"
    );
    // The connection survives refusals.
    assert_eq!(post_json(&mut c, "/pets/echo", r#"{"name":"a"}"#).status, 200);
}

#[test]
fn a_body_larger_than_max_size_is_refused_on_its_length() {
    let backend = Backend::start("pets");
    let gw = pets(&backend, &policies(PREVENT_INBOUND, "<base />", "", "")).start();
    let mut c = gw.connect();
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(4000));
    let r = post(&mut c, "/pets/echo", Some("app"), "application/json", &big);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        error_of(&r).1,
        "Request's body is 4011 bytes long and it exceeds the limit of 1024 bytes."
    );
    assert_eq!(backend.request_count(), 0);
}

#[test]
fn detect_mode_logs_and_lets_the_request_through() {
    let backend = Backend::start("pets");
    let detect = PREVENT_INBOUND.replace("\"prevent\"", "\"detect\"");
    let gw = pets(&backend, &policies(&detect, "<base />", "", "")).start();
    let mut c = gw.connect();
    let r = post_json(&mut c, "/pets/echo?debug=1", r#"{"tag":1}"#);
    assert_eq!(r.status, 200, "detect never blocks: {}", r.text());
    assert_eq!(r.text(), r#"{"tag":1}"#, "the backend got the request");
    assert_eq!(backend.request_count(), 1);
    let line = gw.wait_for_line(
        |l| l.contains("validation error") && l.contains("IncorrectMessage"),
        WAIT,
    );
    assert!(line.contains("validate-content") && line.contains("detect"), "{line}");
    assert!(
        line.contains("Required properties are missing from object: name."),
        "{line}"
    );
    gw.wait_for_line(
        |l| l.contains("validation error") && l.contains("Unspecified query parameter debug"),
        WAIT,
    );
}

#[test]
fn outbound_failures_give_502_with_apims_public_message() {
    let backend = Backend::start("pets");
    let internal = "The request could not be processed due to an internal error. Contact the API owner.";
    let status = r#"<validate-status-code unspecified-status-code-action="prevent">
        <status-code code="418" action="ignore" />
      </validate-status-code>"#;
    let content = r#"<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">
        <content-type-map missing-content-type-value="application/json" />
        <content type="application/json" validate-as="json" action="prevent" />
      </validate-content>"#;
    let headers = r#"<validate-headers specified-header-action="prevent" unspecified-header-action="prevent">
        <header name="X-Request-Target" action="ignore" />
        <header name="X-Body-Len" action="ignore" />
        <header name="X-Body-Fnv" action="ignore" />
      </validate-headers>"#;
    let gw = pets(&backend, &policies("", "<base />", status, ""))
        .file("apis/pets/fixed.xml", &policies("", "<base />", content, ""))
        .file("apis/pets/createPet.xml", &policies("", "<base />", headers, ""))
        .start();
    let mut c = gw.connect();
    assert_eq!(c.get("/pets/status/200").status, 200);
    assert_eq!(c.get("/pets/status/404").status, 404, "a specified status passes");
    assert_eq!(
        c.get("/pets/status/418").status,
        418,
        "its status-code child ignores 418"
    );
    let r = c.get("/pets/status/500");
    assert_eq!(r.status, 502, "{}", r.text());
    assert_eq!(error_of(&r), (502, internal.to_owned()));

    let r = c.get("/pets/fixed");
    assert_eq!(r.status, 502, "`hello world` is not a Pet: {}", r.text());
    assert_eq!(error_of(&r), (502, internal.to_owned()));

    let r = post_json(&mut c, "/pets/echo", r#"{"name":"rex"}"#);
    assert_eq!(r.status, 502, "X-Backend is not in the schema: {}", r.text());
    assert_eq!(error_of(&r), (502, internal.to_owned()));
    assert!(r.header("X-Backend").is_none(), "none of the backend's response leaks");
}

#[test]
fn on_error_reads_the_errors_variable_and_last_error() {
    let backend = Backend::start("pets");
    let on_error = r#"<return-response>
        <set-status code="422" reason="Invalid" />
        <set-header name="Content-Type" exists-action="override"><value>text/plain</value></set-header>
        <set-body>@{
            var errs = (JArray)context.Variables["errs"];
            var first = errs[0];
            return errs.Count + "|" + (string)first["Name"] + "|" + (string)first["Type"] + "|"
                + (string)first["ValidationRule"] + "|" + (string)first["Action"] + "|"
                + context.LastError.Source + "|" + context.LastError.Reason + "|" + context.LastError.Message;
        }</set-body>
      </return-response>"#;
    let gw = pets(&backend, &policies(PREVENT_INBOUND, "<base />", "", on_error)).start();
    let mut c = gw.connect();
    let r = post_json(&mut c, "/pets/echo", r#"{"name": 5}"#);
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(
        r.text(),
        "1|application/json|RequestBody|IncorrectMessage|prevent|validate-content|Bad request|\
         Body of the request does not conform to the definition Pet, which is associated with the content type \
         application/json. Invalid type. Expected String but got Integer. Line: 1, Position: 10"
    );
    assert_eq!(backend.request_count(), 0);
}

#[test]
fn a_schema_imported_through_the_management_plane_is_enforced() {
    let backend = Backend::start("pets");
    let cp = ControlPlane::start();
    let (status, imported) = cp.admin_typed(
        "POST",
        &format!("/mgmt/apis/import?id=pets&path=pets&serviceUrl={}", backend.url()),
        "application/yaml",
        OPENAPI,
    );
    assert_eq!(status, 201, "{imported}");
    let (status, body) = cp.admin_typed(
        "PUT",
        "/mgmt/apis/pets/policy",
        "application/xml",
        &policies(PREVENT_INBOUND, "<base />", "", ""),
    );
    assert!((200..300).contains(&status), "{body}");
    // A document whose schemas cannot compile is refused with the reason.
    let (status, body) = cp.admin_typed(
        "POST",
        &format!("/mgmt/apis/import?id=broken&path=broken&serviceUrl={}", backend.url()),
        "application/yaml",
        &OPENAPI.replace("'#/components/schemas/Pet' }", "'#/components/schemas/Nope' }"),
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("Nope"), "{body}");

    cp.put_gateway("gw1");
    cp.assign("gw1", "pets");
    let backup = TempDir::new("backup");
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), &cp.token("gw1"), &backup.0)
        .start();
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    let mut c = gw.connect();
    let r = post_json(&mut c, "/pets/echo", r#"{"name":"rex"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = post_json(&mut c, "/pets/echo", r#"{}"#);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(error_of(&r)
        .1
        .contains("Required properties are missing from object: name."));
    assert_eq!(backend.request_count(), 1);
}
