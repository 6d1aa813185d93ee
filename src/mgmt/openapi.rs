//! OpenAPI 3 import (JSON or YAML): one API plus one operation per path +
//! method.
//!
//! [`parse_document`] turns a request body into a JSON value: JSON when the
//! content type says so or the body starts with `{`, YAML otherwise (YAML
//! through `serde_norway`, a maintained fork of `serde_yaml`; its alias
//! expansion and nesting limits keep hostile documents bounded). APIM's
//! import envelope `{"properties": {"format": "openapi", "value": "..."}}`
//! is accepted with the document inline as a string in either syntax.
//!
//! Invariants: every produced operation id is unique within the API and
//! matches the id charset (operationIds are sanitised; otherwise a slug of
//! method + path is used); url templates are the OpenAPI paths verbatim
//! (`{param}` syntax is shared). Nothing is written here: the caller stores
//! the result in one transaction.

use serde_json::Value;

use super::model::{Api, Operation};
use super::{bad, MgmtError};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

use crate::schema::slug;

/// Parses an OpenAPI document sent as JSON or YAML (see the module docs).
pub fn parse_document(body: &[u8], content_type: &str) -> Result<Value, MgmtError> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(bad(
            "an OpenAPI 3 document (JSON or YAML) is required in the request body",
        ));
    };
    let ct = content_type.to_ascii_lowercase();
    let json = ct.contains("json") || (!ct.contains("yaml") && body[start] == b'{');
    let doc: Value = if json {
        serde_json::from_slice(body).map_err(|e| bad(format!("malformed JSON: {e}")))?
    } else {
        from_yaml(body)?
    };
    match doc.get("properties").filter(|_| doc.get("openapi").is_none()) {
        // APIM's envelope: the document is a string in `value`.
        Some(props) => match (props.get("format"), props.get("value").and_then(Value::as_str)) {
            (Some(_), Some(inline)) => parse_document(inline.as_bytes(), ""),
            _ => Ok(props.clone()),
        },
        None => Ok(doc),
    }
}

fn from_yaml(body: &[u8]) -> Result<Value, MgmtError> {
    crate::schema::document::parse_text(body, Some(false)).map_err(bad)
}

/// Compiles every schema of the document as the gateway will (the
/// validation policies check against it), so a document the gateway
/// would refuse is refused here, with the reason.
pub fn check_schemas(doc: &Value) -> Result<(), MgmtError> {
    let schema_error = |e: String| bad(format!("the document's schemas: {e}"));
    let defs = crate::schema::document::operations(doc).map_err(schema_error)?;
    let mut compiler = crate::schema::Compiler::openapi(doc.clone()).map_err(schema_error)?;
    let mut named = std::collections::HashMap::new();
    for def in &defs {
        crate::schema::compile_operation(Some((&mut compiler, def)), &mut named, &Default::default())
            .map_err(schema_error)?;
    }
    Ok(())
}

/// Builds the API and its operations from an OpenAPI 3 document.
pub fn import(
    doc: &Value,
    id: &str,
    path: &str,
    service_url: Option<&str>,
) -> Result<(Api, Vec<Operation>), MgmtError> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with('3') {
        return Err(bad("expected an OpenAPI 3 document (field \"openapi\": \"3.x\")"));
    }
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or(id);
    let service_url = match service_url {
        Some(u) => u.to_string(),
        None => doc
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(|u| u.trim_end_matches('/').to_string())
            .ok_or_else(|| bad("the document has no servers[0].url: pass serviceUrl= in the query"))?,
    };
    let mut api: Api = serde_json::from_value(serde_json::json!({
        "id": id, "displayName": title, "path": path, "serviceUrl": service_url,
    }))
    .map_err(|e| MgmtError::Internal(e.to_string()))?;
    api.description = doc
        .pointer("/info/description")
        .and_then(Value::as_str)
        .map(str::to_string);
    api.validate()?;

    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("the document has no \"paths\" object"))?;
    let mut ops: Vec<Operation> = Vec::new();
    for (template, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let base = match op.get("operationId").and_then(Value::as_str) {
                Some(oid) if !oid.is_empty() => slug(oid),
                _ => slug(&format!("{method}{template}")),
            };
            let mut unique = base.clone();
            let mut n = 2;
            while ops.iter().any(|o| o.id == unique) {
                unique = format!("{base}-{n}");
                n += 1;
            }
            let display = op.get("summary").and_then(Value::as_str).unwrap_or(&unique).to_string();
            let mut operation = Operation {
                id: unique,
                display_name: display,
                method: method.to_ascii_uppercase(),
                url_template: template.clone(),
            };
            operation
                .validate()
                .map_err(|e| bad(format!("paths.{template}.{method}: {e}")))?;
            ops.push(operation);
        }
    }
    Ok((api, ops))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETS_YAML: &str = r#"
openapi: 3.0.1
info:
  title: Pet Store
  description: |
    Pets, in YAML.
servers:
  - url: https://pets.example.com/v1/
paths:
  /pets:
    get:
      operationId: listPets
      summary: List pets
      responses:
        200:
          description: all pets
    post:
      responses:
        '201': { description: created }
  /pets/{petId}:
    get:
      operationId: show pet!
"#;

    #[test]
    fn yaml_and_json_documents_import_alike() {
        let from_yaml = parse_document(PETS_YAML.as_bytes(), "application/yaml").unwrap();
        let sniffed = parse_document(PETS_YAML.as_bytes(), "").unwrap();
        assert_eq!(from_yaml, sniffed, "YAML is recognised without a content type");
        let json = serde_json::to_vec(&from_yaml).unwrap();
        assert_eq!(parse_document(&json, "application/json").unwrap(), from_yaml);
        assert_eq!(
            parse_document(&json, "").unwrap(),
            from_yaml,
            "JSON sniffed by its brace"
        );

        let (api, ops) = import(&from_yaml, "pets", "pets", None).unwrap();
        assert_eq!(api.display_name, "Pet Store");
        assert_eq!(api.description.as_deref(), Some("Pets, in YAML.\n"));
        assert_eq!(api.service_url, "https://pets.example.com/v1");
        let got: Vec<(&str, &str)> = ops.iter().map(|o| (o.id.as_str(), o.url_template.as_str())).collect();
        assert_eq!(
            got,
            [
                ("listPets", "/pets"),
                ("post-pets", "/pets"),
                ("show-pet", "/pets/{petId}")
            ]
        );
    }

    #[test]
    fn apim_envelope_carries_the_document_as_a_string() {
        for format in ["openapi", "openapi+json"] {
            let value = if format == "openapi" {
                PETS_YAML.to_string()
            } else {
                serde_json::to_string(&parse_document(PETS_YAML.as_bytes(), "").unwrap()).unwrap()
            };
            let body = serde_json::json!({ "properties": { "format": format, "value": value } });
            let doc = parse_document(body.to_string().as_bytes(), "application/json").unwrap();
            assert_eq!(doc["info"]["title"], "Pet Store", "{format}");
        }
    }

    #[test]
    fn bad_documents_are_clear_errors() {
        let cases: [(&[u8], &str, &str); 6] = [
            (b"", "", "required"),
            (b"  \n", "application/yaml", "required"),
            (b"openapi: [3.0\n  paths: {", "application/yaml", "malformed YAML"),
            (b"- just\n- a list\n", "", "must be a mapping"),
            (b"{\"openapi\": ", "", "malformed JSON"),
            (b"openapi: 3.0.0", "application/json", "malformed JSON"),
        ];
        for (body, ct, want) in cases {
            match parse_document(body, ct) {
                Err(MgmtError::BadRequest(m)) => assert!(m.contains(want), "{body:?}: {m}"),
                other => panic!("{body:?}: expected a bad request, got {other:?}"),
            }
        }
        // Swagger 2 in YAML parses but is refused by the importer.
        let swagger = parse_document(b"swagger: '2.0'\npaths: {}\n", "").unwrap();
        assert!(import(&swagger, "x", "x", None).is_err());
    }

    #[test]
    fn yaml_alias_bombs_are_refused_not_expanded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ('b'..='k').zip('a'..) {
            bomb.push_str(&format!("{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        match parse_document(bomb.as_bytes(), "application/yaml") {
            Err(MgmtError::BadRequest(m)) => assert!(m.contains("malformed YAML"), "{m}"),
            other => panic!("expected a refusal, got {:?}", other.map(|_| "a document")),
        }
        let deep = format!("{}x{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_document(deep.as_bytes(), "application/yaml").is_err());
    }

    #[test]
    fn imports_small_document() {
        let doc = serde_json::json!({
            "openapi": "3.0.1",
            "info": { "title": "Pet Store", "version": "1" },
            "servers": [{ "url": "https://pets.example.com/v1/" }],
            "paths": {
                "/pets": {
                    "get": { "operationId": "listPets", "summary": "List pets" },
                    "post": {}
                },
                "/pets/{petId}": { "get": { "operationId": "show pet!" }, "parameters": [] }
            }
        });
        let (api, ops) = import(&doc, "pets", "pets", None).unwrap();
        assert_eq!(api.display_name, "Pet Store");
        assert_eq!(api.service_url, "https://pets.example.com/v1");
        let got: Vec<(&str, &str, &str)> = ops
            .iter()
            .map(|o| (o.id.as_str(), o.method.as_str(), o.url_template.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("listPets", "GET", "/pets"),
                ("post-pets", "POST", "/pets"),
                ("show-pet", "GET", "/pets/{petId}")
            ]
        );
        assert_eq!(ops[0].display_name, "List pets");

        let (api, _) = import(&doc, "pets", "pets", Some("echo://")).unwrap();
        assert_eq!(api.service_url, "echo://");
        assert!(import(&serde_json::json!({"swagger": "2.0"}), "x", "x", None).is_err());
        let relative =
            serde_json::json!({"openapi": "3.0.0", "info": {"title": "t"}, "servers": [{"url": "/v1"}], "paths": {}});
        assert!(matches!(
            import(&relative, "x", "x", None),
            Err(MgmtError::BadRequest(_))
        ));
    }
}
