//! OpenAPI 3 import through the management plane's REST API in YAML (what
//! most APIM users have), served by a gateway in management-plane mode.

use crate::support::gateway::TempDir;
use crate::support::*;
use std::time::Duration;

const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

const PETSTORE_YAML: &str = "\
openapi: 3.0.3
info:
  title: Petstore (YAML)
  version: '1.0'
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        200:
          description: all pets
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - name: id
          in: path
          required: true
          schema: { type: string }
      responses:
        '200': { description: one pet }
";

#[test]
fn openapi_yaml_import_is_served_and_bad_yaml_is_refused() {
    let backend = Backend::start("pets");
    let cp = ControlPlane::start();

    // Malformed YAML: a clear 400 and nothing created.
    let (status, body) = cp.admin_typed(
        "POST",
        "/mgmt/apis/import?id=broken&path=broken&serviceUrl=http://127.0.0.1:9",
        "application/yaml",
        "openapi: 3.0.3\npaths: [\n  - {",
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("malformed YAML")),
        "{body}"
    );
    let (status, _) = cp.call(
        "GET",
        "/mgmt/apis/broken",
        Some(&format!("Bearer {}", cp.admin_token())),
        "",
    );
    assert_eq!(status, 404, "a refused import creates nothing");

    let (status, imported) = cp.admin_typed(
        "POST",
        &format!("/mgmt/apis/import?id=petstore&path=pets&serviceUrl={}", backend.url()),
        "application/yaml",
        PETSTORE_YAML,
    );
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["api"]["displayName"], "Petstore (YAML)", "{imported}");
    let ops: Vec<(&str, &str)> = imported["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|o| (o["id"].as_str().unwrap_or(""), o["urlTemplate"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(ops, [("listPets", "/pets"), ("getPet", "/pets/{id}")]);

    cp.put_gateway("gw1");
    cp.assign("gw1", "petstore");
    let backup = TempDir::new("backup");
    let gw = Gateway::builder()
        .remote(&cp.endpoint(), &cp.token("gw1"), &backup.0)
        .start();
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);

    let r = gw.connect().get("/pets/pets/7?verbose=1");
    assert_eq!(r.status, 200, "GET /pets/{{id}}: {}", r.text());
    assert_eq!(r.header("x-request-target").as_deref(), Some("/base/pets/7?verbose=1"));
    let r = gw.connect().get("/pets/pets");
    assert_eq!(r.status, 200, "GET /pets: {}", r.text());
    let before = backend.request_count();
    let r = gw.connect().request("POST", "/pets/pets", &[], b"{}");
    assert_eq!(r.status, 404, "POST /pets is not in the document: {}", r.text());
    assert_eq!(
        backend.request_count(),
        before,
        "undocumented requests never reach the backend"
    );

    // Re-importing the same API replaces its operations (200, not 201).
    let (status, again) = cp.admin_typed(
        "POST",
        &format!("/mgmt/apis/import?id=petstore&path=pets&serviceUrl={}", backend.url()),
        "text/yaml",
        &PETSTORE_YAML.replace("  /pets/{id}:", "  /pets/{id}/toys:"),
    );
    assert_eq!(status, 200, "{again}");
    gw.wait_snapshot(cp.version(), SYNC_TIMEOUT);
    assert_eq!(gw.connect().get("/pets/pets/7/toys").status, 200);
    assert_eq!(
        gw.connect().get("/pets/pets/7").status,
        404,
        "the old operation is gone"
    );
}
