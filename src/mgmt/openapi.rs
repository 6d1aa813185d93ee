//! OpenAPI 3 (JSON) import: one API plus one operation per path + method.
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

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').chars().take(200).collect::<String>();
    if out.is_empty() {
        "operation".into()
    } else {
        out
    }
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
