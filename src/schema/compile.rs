//! Compiling schemas into validators, once, on the control thread: a
//! document (an API's OpenAPI document or a `schema-id` JSON Schema) is
//! converted per direction and override (`convert`), registered in a
//! `jsonschema` registry under a private URI, and each schema location is
//! compiled into a [`Schema`] by a `$ref` into it, so `$ref`s between
//! components resolve and the document is stored once per variant.
//!
//! Why `jsonschema`: maintained, drafts 4 to 2020-12, compiled reusable
//! validators, an in-memory registry (default features off: it never
//! fetches anything), structured errors with instance paths.
//!
//! Invariants: a [`Schema`] is immutable and shared (`Arc`) by every
//! worker; validating never panics and its CPU is bounded by the instance
//! (the body is bounded by `max-size`) and by the regex backtrack limit.

use std::collections::HashMap;
use std::sync::Arc;

use jsonschema::{Draft, PatternOptions, Registry};
use serde_json::Value;

use super::convert::{convert, convert_json_schema, Direction};
use super::document::{dialect, Dialect};
use super::messages;

/// The private URI documents are registered under.
const BASE: &str = "urn:outpost:document";
/// The base URI of the one-`$ref` schemas compiled against it.
const ROOT: &str = "urn:outpost:root";
/// Backtracking steps a `pattern` may take on one value.
const BACKTRACK_LIMIT: usize = 100_000;

/// A compiled schema and the name APIM's messages give it.
pub struct Schema {
    validator: jsonschema::Validator,
    /// `Pet` for `#/components/schemas/Pet`, else the schema's pointer.
    pub definition: Box<str>,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema").field("definition", &self.definition).finish()
    }
}

/// Why a value does not conform: Newtonsoft's wording and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    /// JSON pointer of the offending value.
    pub pointer: String,
}

impl Schema {
    /// The first error of `instance`, if any (APIM reports one per body).
    pub fn check(&self, instance: &Value) -> Option<Invalid> {
        let e = self.validator.iter_errors(instance).next()?;
        Some(Invalid {
            message: messages::describe(&e),
            pointer: e.instance_path().as_str().to_owned(),
        })
    }
}

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    OpenApi(Dialect),
    /// A plain JSON Schema (its own `$schema`, else 2020-12).
    JsonSchema(Draft),
}

/// A document and the validators compiled from it so far.
pub struct Compiler {
    kind: Kind,
    doc: Value,
    registries: HashMap<(Direction, Option<bool>), Registry<'static>>,
    cache: HashMap<(Direction, Option<bool>, String), Arc<Schema>>,
}

impl Compiler {
    /// An OpenAPI 3.0 or 3.1 document.
    pub fn openapi(doc: Value) -> Result<Compiler, String> {
        let d = dialect(&doc)?;
        Ok(Compiler::new(Kind::OpenApi(d), doc))
    }

    /// A JSON Schema document (`schema-id`).
    pub fn json_schema(doc: Value) -> Compiler {
        let draft = match doc.get("$schema").and_then(Value::as_str) {
            Some(s) if s.contains("draft-04") => Draft::Draft4,
            Some(s) if s.contains("draft-06") => Draft::Draft6,
            Some(s) if s.contains("draft-07") => Draft::Draft7,
            Some(s) if s.contains("2019-09") => Draft::Draft201909,
            _ => Draft::Draft202012,
        };
        Compiler::new(Kind::JsonSchema(draft), doc)
    }

    fn new(kind: Kind, doc: Value) -> Compiler {
        Compiler {
            kind,
            doc,
            registries: HashMap::new(),
            cache: HashMap::new(),
        }
    }

    /// The document as parsed (not converted).
    pub fn document(&self) -> &Value {
        &self.doc
    }

    fn draft(&self) -> Draft {
        match self.kind {
            Kind::OpenApi(Dialect::OpenApi30) => Draft::Draft4,
            Kind::OpenApi(Dialect::OpenApi31) => Draft::Draft202012,
            Kind::JsonSchema(d) => d,
        }
    }

    /// The validator of the schema at `pointer` (`""`: the root), for one
    /// direction and `allow-additional-properties` override.
    pub fn schema(
        &mut self,
        direction: Direction,
        additional: Option<bool>,
        pointer: &str,
    ) -> Result<Arc<Schema>, String> {
        let key = (direction, additional, pointer.to_owned());
        if let Some(s) = self.cache.get(&key) {
            return Ok(s.clone());
        }
        if self.doc.pointer(pointer).is_none() {
            return Err(format!("no schema at {pointer:?}"));
        }
        let draft = self.draft();
        if !self.registries.contains_key(&(direction, additional)) {
            let converted = match self.kind {
                Kind::OpenApi(d) => convert(&self.doc, d, direction, additional),
                Kind::JsonSchema(_) => convert_json_schema(&self.doc, direction, additional),
            };
            let registry = Registry::new()
                .draft(draft)
                .add(BASE, converted)
                .and_then(|b| b.prepare())
                .map_err(|e| format!("the schemas cannot be resolved: {e}"))?;
            self.registries.insert((direction, additional), registry);
        }
        let Some(registry) = self.registries.get(&(direction, additional)) else {
            return Err("internal: no registry".into());
        };
        let root = serde_json::json!({ "$ref": format!("{BASE}#{}", fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(draft)
            .with_registry(registry)
            .with_base_uri(ROOT)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .with_format("date", is_date)
            .with_format("uuid", is_uuid)
            .with_pattern_options(PatternOptions::fancy_regex().backtrack_limit(BACKTRACK_LIMIT))
            .build(&root)
            .map_err(|e| format!("the schema at {pointer:?} does not compile: {e}"))?;
        let schema = Arc::new(Schema {
            validator,
            definition: definition(&self.doc, pointer).into(),
        });
        self.cache.insert(key, schema.clone());
        Ok(schema)
    }
}

/// A JSON pointer as a URI fragment (percent-encoding what a fragment may
/// not hold, such as the braces of `/pets/{id}`).
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// APIM's definition name of the schema at `pointer`: the component it
/// references (`Pet`, `Pet[]` for an array of them), else the pointer.
fn definition(doc: &Value, pointer: &str) -> String {
    let name = |v: &Value| {
        v.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .map(str::to_owned)
    };
    let Some(schema) = doc.pointer(pointer) else {
        return pointer.to_owned();
    };
    name(schema)
        .or_else(|| schema.get("items").and_then(name).map(|n| format!("{n}[]")))
        .unwrap_or_else(|| {
            if pointer.is_empty() {
                "#".into()
            } else {
                format!("#{pointer}")
            }
        })
}

/// `format: date` (RFC 3339 full-date).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() != 10 || !digits(0..4) || !digits(5..7) || !digits(8..10) || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok()).unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `format: uuid` (8-4-4-4-12 hex digits).
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pets(version: &str) -> Value {
        json!({
            "openapi": version,
            "paths": {"/pets/{id}": {"put": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}
            }}}}}},
            "components": {"schemas": {
                "Pet": {
                    "type": "object", "required": ["name"], "additionalProperties": false,
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "tag": {"type": "string", "nullable": true},
                        "born": {"type": "string", "format": "date"},
                        "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
                        "owner": {"$ref": "#/components/schemas/Owner"}
                    }
                },
                "Owner": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
            }}
        })
    }

    const BODY: &str = "/paths/~1pets~1{id}/put/requestBody/content/application~1json/schema";

    #[test]
    fn openapi_30_bodies_compile_once_and_validate() {
        let mut c = Compiler::openapi(pets("3.0.1")).unwrap();
        let s = c.schema(Direction::Request, None, BODY).unwrap();
        assert_eq!(&*s.definition, "Pet");
        let again = c.schema(Direction::Request, None, BODY).unwrap();
        assert!(Arc::ptr_eq(&s, &again), "compiled once");
        assert_eq!(
            s.check(&json!({"name": "rex", "tag": null, "born": "2020-02-29"})),
            None
        );
        let e = s.check(&json!({"tag": "x"})).unwrap();
        assert_eq!(e.message, "Required properties are missing from object: name.");
        assert_eq!(e.pointer, "");
        let e = s.check(&json!({"name": "rex", "born": "2021-02-29"})).unwrap();
        assert_eq!(
            e.message,
            "String '2021-02-29' does not validate against format 'date'."
        );
        assert_eq!(e.pointer, "/born");
        let e = s.check(&json!({"name": "rex", "weight": 0})).unwrap();
        assert!(e.message.contains("minimum value of 0"), "{}", e.message);
        let e = s.check(&json!({"name": "rex", "owner": {"id": "nope"}})).unwrap();
        assert_eq!(e.pointer, "/owner/id", "a $ref between components resolves");
        let e = s.check(&json!({"name": "rex", "extra": 1})).unwrap();
        assert_eq!(
            e.message,
            "Property 'extra' has not been defined and the schema does not allow additional properties."
        );
        let open = c.schema(Direction::Request, Some(true), BODY).unwrap();
        assert_eq!(open.check(&json!({"name": "rex", "extra": 1})), None);
    }

    #[test]
    fn openapi_31_and_json_schema_documents() {
        let mut doc = pets("3.1.0");
        let props = &mut doc["components"]["schemas"]["Pet"]["properties"];
        props["tag"] = json!({"type": ["string", "null"]});
        props["weight"] = json!({"type": "number", "exclusiveMinimum": 0});
        let mut c = Compiler::openapi(doc).unwrap();
        let s = c.schema(Direction::Request, None, BODY).unwrap();
        assert_eq!(s.check(&json!({"name": "a", "tag": null})), None);
        let e = s.check(&json!({"name": 1})).unwrap();
        assert_eq!(e.message, "Invalid type. Expected String but got Integer.");
        let e = s.check(&json!({"name": "a", "weight": 0})).unwrap();
        assert_eq!(
            e.message,
            "Integer 0 equals minimum value of 0 and exclusive minimum is true."
        );
        let mut bad = pets("3.1.0");
        bad["components"]["schemas"]["Pet"]["properties"]["weight"]["exclusiveMinimum"] = json!(true);
        let e = Compiler::openapi(bad)
            .unwrap()
            .schema(Direction::Request, None, BODY)
            .unwrap_err();
        assert!(e.contains("does not compile"), "3.1 schemas are 2020-12: {e}");

        let mut j = Compiler::json_schema(json!({
            "$defs": {"address": {"type": "object", "required": ["city"]}}
        }));
        let s = j.schema(Direction::Request, None, "/$defs/address").unwrap();
        assert_eq!(&*s.definition, "#/$defs/address");
        assert!(s.check(&json!({})).is_some());
        assert!(j.schema(Direction::Request, None, "/$defs/none").is_err());
    }

    #[test]
    fn broken_schemas_fail_to_compile() {
        let mut doc = pets("3.0.0");
        doc["components"]["schemas"]["Pet"]["properties"]["owner"] = json!({"$ref": "#/components/schemas/Nope"});
        let mut c = Compiler::openapi(doc).unwrap();
        let e = c.schema(Direction::Request, None, BODY).unwrap_err();
        assert!(e.contains("does not compile"), "{e}");
        assert!(Compiler::openapi(json!({"swagger": "2.0"})).is_err());
    }

    #[test]
    fn formats() {
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2023-13-01") && !is_date("20230101"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000") && !is_uuid("123e4567e89b12d3a456426614174000"));
        assert_eq!(fragment("/paths/~1a~1{b}"), "/paths/~1a~1%7Bb%7D");
    }
}
