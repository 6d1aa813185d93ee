//! OpenAPI schemas → plain JSON Schema, so a standard validator checks what
//! OpenAPI means: a copy of the whole document with every Schema Object
//! rewritten for one direction (request or response) and one
//! `allow-additional-properties` override.
//!
//! Rewrites:
//! - 3.0 `nullable: true` → `null` added to `type` (or to `enum`, or an
//!   `anyOf` with `{type: null}` around a composed schema); 3.0 schemas are
//!   then validated as JSON Schema draft 4 (boolean `exclusiveMinimum`,
//!   `$ref` siblings ignored: what 3.0 says), 3.1 ones as 2020-12;
//! - `readOnly` properties are not required in requests, `writeOnly` ones
//!   not in responses (OpenAPI's rule);
//! - `allow-additional-properties="true"` removes `additionalProperties:
//!   false` (and `unevaluatedProperties: false`); `"false"` sets
//!   `additionalProperties: false` on every object schema whose
//!   `additionalProperties` is absent or `true` (a schema-valued one, a
//!   map, is kept).
//!
//! Invariant: only Schema Objects are rewritten (the values under `schema`
//! keys and `components/schemas`, and their subschemas by keyword), so the
//! document keeps its structure and every pointer stays valid.

use serde_json::{Map, Value};

use super::document::{resolve, Dialect};

/// Which side of the exchange a schema checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Request,
    Response,
}

/// A copy of `doc` with its schemas rewritten (see the module docs).
pub fn convert(doc: &Value, dialect: Dialect, direction: Direction, additional: Option<bool>) -> Value {
    let mut out = doc.clone();
    let rules = Rules {
        doc,
        dialect,
        direction,
        additional,
    };
    rules.walk_document(&mut out, false);
    out
}

/// A copy of a plain JSON Schema document (a `schema-id` schema) with the
/// direction and override rules applied from its root (no `nullable`).
pub fn convert_json_schema(doc: &Value, direction: Direction, additional: Option<bool>) -> Value {
    let mut out = doc.clone();
    let rules = Rules {
        doc,
        dialect: Dialect::OpenApi31,
        direction,
        additional,
    };
    rules.walk_schema(&mut out);
    out
}

struct Rules<'d> {
    /// The original document (`$ref`s of properties are resolved in it).
    doc: &'d Value,
    dialect: Dialect,
    direction: Direction,
    additional: Option<bool>,
}

/// Keywords whose value is one schema.
const ONE: [&str; 10] = [
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
];
/// Keywords whose value is a list of schemas.
const LIST: [&str; 5] = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
/// Keywords whose value maps names to schemas.
const MAP: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

impl Rules<'_> {
    /// Walks the non-schema structure; `schemas` is true for the values of
    /// `components/schemas`.
    fn walk_document(&self, v: &mut Value, schemas: bool) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if schemas || k == "schema" {
                        self.walk_schema(child);
                    } else if k != "example" && k != "examples" {
                        self.walk_document(child, k == "schemas");
                    }
                }
            }
            Value::Array(items) => {
                for child in items {
                    self.walk_document(child, false);
                }
            }
            _ => {}
        }
    }

    fn walk_schema(&self, v: &mut Value) {
        let Value::Object(map) = v else { return };
        self.drop_one_sided_required(map);
        self.override_additional(map);
        for k in ONE {
            if let Some(child @ Value::Object(_)) = map.get_mut(k) {
                self.walk_schema(child);
            }
        }
        for k in LIST {
            if let Some(Value::Array(items)) = map.get_mut(k) {
                for child in items {
                    self.walk_schema(child);
                }
            }
        }
        for k in MAP {
            if let Some(Value::Object(children)) = map.get_mut(k) {
                for child in children.values_mut() {
                    self.walk_schema(child);
                }
            }
        }
        if self.dialect == Dialect::OpenApi30 {
            nullable(v);
        }
    }

    /// `readOnly` properties are not required in a request, `writeOnly`
    /// ones not in a response.
    fn drop_one_sided_required(&self, map: &mut Map<String, Value>) {
        let flag = match self.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        let Some(Value::Object(props)) = map.get("properties") else {
            return;
        };
        let one_sided: Vec<String> = props
            .iter()
            .filter(|(_, schema)| {
                resolve(self.doc, schema, "")
                    .map(|(s, _)| s)
                    .unwrap_or(schema)
                    .get(flag)
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            })
            .map(|(name, _)| name.clone())
            .collect();
        if one_sided.is_empty() {
            return;
        }
        if let Some(Value::Array(required)) = map.get_mut("required") {
            required.retain(|n| n.as_str().is_none_or(|n| !one_sided.iter().any(|o| o == n)));
        }
    }

    fn override_additional(&self, map: &mut Map<String, Value>) {
        let Some(allow) = self.additional else { return };
        let is_object = map.contains_key("properties")
            || map.get("type").and_then(Value::as_str) == Some("object")
            || map
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|ts| ts.iter().any(|t| t == "object"));
        if !is_object {
            return;
        }
        if allow {
            for k in ["additionalProperties", "unevaluatedProperties"] {
                if map.get(k) == Some(&Value::Bool(false)) {
                    map.remove(k);
                }
            }
        } else if matches!(map.get("additionalProperties"), None | Some(Value::Bool(true))) {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

/// OpenAPI 3.0's `nullable: true` in JSON Schema terms.
fn nullable(v: &mut Value) {
    let Value::Object(map) = v else { return };
    match map.remove("nullable") {
        Some(Value::Bool(true)) => {}
        _ => return,
    }
    if let Some(Value::Array(options)) = map.get_mut("enum") {
        if !options.contains(&Value::Null) {
            options.push(Value::Null);
        }
    }
    match map.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            map.insert("type".into(), Value::Array(vec![Value::String(t), "null".into()]));
        }
        Some(Value::Array(ts)) => {
            if !ts.iter().any(|t| t == "null") {
                ts.push("null".into());
            }
        }
        Some(_) => {}
        None => {
            let composed = ["allOf", "anyOf", "oneOf", "$ref", "not"]
                .iter()
                .any(|k| map.contains_key(*k));
            if composed {
                let inner = std::mem::take(map);
                map.insert(
                    "anyOf".into(),
                    Value::Array(vec![serde_json::json!({"type": "null"}), Value::Object(inner)]),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "nullable": true,
                "properties": {"id": {"$ref": "#/components/schemas/Id"}, "pw": {"type": "string", "writeOnly": true}},
                "required": ["id", "pw"]
            }}}}}}},
            "components": {"schemas": {
                "Id": {"type": "integer", "readOnly": true},
                "Color": {"enum": ["red"], "nullable": true},
                "Either": {"oneOf": [{"type": "string"}], "nullable": true},
                "Map": {"type": "object", "additionalProperties": {"type": "string"}},
                "Closed": {"properties": {"a": {"type": "string"}}, "additionalProperties": false},
                "properties": {"type": "string", "nullable": false}
            }}
        })
    }

    const BODY: &str = "/paths/~1a/post/requestBody/content/application~1json/schema";

    #[test]
    fn nullable_and_one_sided_required() {
        let req = convert(&doc(), Dialect::OpenApi30, Direction::Request, None);
        let body = req.pointer(BODY).unwrap();
        assert_eq!(body["type"], json!(["object", "null"]));
        assert!(body.get("nullable").is_none());
        assert_eq!(
            body["required"],
            json!(["pw"]),
            "readOnly id is not required in a request"
        );
        let resp = convert(&doc(), Dialect::OpenApi30, Direction::Response, None);
        assert_eq!(resp.pointer(BODY).unwrap()["required"], json!(["id"]));
        let s = &req["components"]["schemas"];
        assert_eq!(s["Color"]["enum"], json!(["red", null]));
        assert_eq!(s["Either"]["anyOf"][0], json!({"type": "null"}));
        assert_eq!(s["Either"]["anyOf"][1]["oneOf"], json!([{"type": "string"}]));
        assert_eq!(
            s["properties"],
            json!({"type": "string"}),
            "a schema named `properties` is a schema"
        );
        let v31 = convert(&doc(), Dialect::OpenApi31, Direction::Request, None);
        assert_eq!(
            v31["components"]["schemas"]["Color"]["nullable"],
            json!(true),
            "3.1 has no nullable"
        );
    }

    #[test]
    fn additional_properties_overrides() {
        let closed = convert(&doc(), Dialect::OpenApi30, Direction::Request, Some(false));
        let s = &closed["components"]["schemas"];
        assert_eq!(s["Closed"]["additionalProperties"], json!(false));
        assert_eq!(
            s["Map"]["additionalProperties"],
            json!({"type": "string"}),
            "maps stay maps"
        );
        assert_eq!(closed.pointer(BODY).unwrap()["additionalProperties"], json!(false));
        let open = convert(&doc(), Dialect::OpenApi30, Direction::Request, Some(true));
        assert!(open["components"]["schemas"]["Closed"]
            .get("additionalProperties")
            .is_none());
    }
}
