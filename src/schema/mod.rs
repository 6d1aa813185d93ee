//! API schemas for the validation policies (`validate-content`,
//! `validate-parameters`, `validate-headers`, `validate-status-code`): an
//! API's OpenAPI 3.0/3.1 document (JSON or YAML, from the configuration
//! directory or the management plane's import) and the JSON Schemas
//! `schema-id` names, compiled once on the control thread into the
//! per-operation [`OperationSchema`] the replica holds.
//!
//! Modules: [`document`] reads the OpenAPI structure (operations,
//! parameters, bodies, responses, `$ref`s); [`convert`] turns OpenAPI
//! schemas into plain JSON Schema; [`compile`] builds the validators;
//! [`params`] turns parameter text into JSON; [`locate`] finds a value's
//! line and position in a body; `messages` words errors as APIM does.
//!
//! Invariants: an [`OperationSchema`] is immutable, shared by the workers
//! (`Arc`), and holds every validator a policy of the operation may use
//! (the `allow-additional-properties` variants and `schema-id` schemas the
//! operation's policies name are compiled with it), so nothing is compiled
//! or looked up by name in a document per request.

pub mod compile;
pub mod convert;
pub mod document;
pub mod locate;
mod messages;
pub mod params;

use std::collections::HashMap;
use std::sync::Arc;

pub use compile::{Compiler, Invalid, Schema};
pub use convert::Direction;
pub use document::{In, OperationDef, Shape};

/// A `schema-id` schema a policy names, compiled for one direction and
/// override: the key a policy finds it by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamedKey {
    pub id: String,
    /// `schema-ref` (`#/components/schemas/address`), `""` for the root.
    pub reference: String,
    pub direction: Direction,
    pub additional: Option<bool>,
}

/// What the policies of one operation need compiled besides the API's
/// schemas as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// `allow-additional-properties` overrides of the API's body schemas:
    /// (direction, override).
    pub variants: Vec<(Direction, bool)>,
    pub named: Vec<NamedKey>,
}

impl Needs {
    pub fn is_empty(&self) -> bool {
        self.variants.is_empty() && self.named.is_empty()
    }
}

/// An operation's schemas, compiled.
#[derive(Debug, Default)]
pub struct OperationSchema {
    /// Whether the API has a schema for this operation (else only `named`).
    pub defined: bool,
    pub parameters: Vec<Parameter>,
    pub request_required: bool,
    pub request: Vec<Body>,
    pub responses: Vec<Response>,
    pub named: Vec<(NamedKey, Arc<Schema>)>,
}

/// A parameter or response header.
#[derive(Debug)]
pub struct Parameter {
    pub name: String,
    pub location: In,
    pub required: bool,
    pub shape: Shape,
    pub explode: bool,
    pub schema: Option<Arc<Schema>>,
}

/// One media type of a request or response body.
#[derive(Debug)]
pub struct Body {
    /// Lowercase essence (`application/json`, `application/*`, `*/*`).
    pub media_type: String,
    /// The schema as written, then the `allow-additional-properties`
    /// variants the policies asked for: (direction-free override, schema).
    pub schema: Option<Arc<Schema>>,
    pub variants: Vec<(bool, Arc<Schema>)>,
}

impl Body {
    /// The schema for an `allow-additional-properties` override (the
    /// schema as written when that variant was not compiled).
    pub fn schema_for(&self, additional: Option<bool>) -> Option<&Arc<Schema>> {
        match additional {
            Some(a) => self
                .variants
                .iter()
                .find(|(v, _)| *v == a)
                .map(|(_, s)| s)
                .or(self.schema.as_ref()),
            None => self.schema.as_ref(),
        }
    }
}

/// Which statuses a response covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKey {
    Code(u16),
    /// `2XX`: the hundreds digit.
    Range(u16),
    Default,
}

/// A response of an operation.
#[derive(Debug)]
pub struct Response {
    pub status: StatusKey,
    pub bodies: Vec<Body>,
    pub headers: Vec<Parameter>,
}

impl OperationSchema {
    /// The request body schema for a content type (exact, `type/*`, `*/*`).
    pub fn request_body(&self, media_type: &str) -> Option<&Body> {
        find_body(&self.request, media_type)
    }

    /// The response for a status: its code, else its range, else `default`.
    pub fn response(&self, status: u16) -> Option<&Response> {
        let by = |k: StatusKey| self.responses.iter().find(|r| r.status == k);
        by(StatusKey::Code(status))
            .or_else(|| by(StatusKey::Range(status / 100)))
            .or_else(|| by(StatusKey::Default))
    }

    /// A `schema-id` schema compiled for this operation.
    pub fn named(&self, key: &NamedKey) -> Option<&Arc<Schema>> {
        self.named.iter().find(|(k, _)| k == key).map(|(_, s)| s)
    }
}

/// The body for a content type among `bodies`.
pub fn find_body<'b>(bodies: &'b [Body], media_type: &str) -> Option<&'b Body> {
    let wanted = document::essence(media_type);
    let major = wanted.split('/').next().unwrap_or_default();
    bodies
        .iter()
        .find(|b| b.media_type == wanted)
        .or_else(|| {
            bodies
                .iter()
                .find(|b| b.media_type.strip_suffix("/*").is_some_and(|m| m == major))
        })
        .or_else(|| bodies.iter().find(|b| b.media_type == "*/*"))
}

/// The document operation a configured operation is: same method (any
/// method matches the first) and path (the template without its query),
/// else the same `operationId` (as the import turns it into an id).
pub fn find_operation<'d>(
    defs: &'d [OperationDef],
    method: Option<&str>,
    template: &str,
    id: &str,
) -> Option<&'d OperationDef> {
    let path = template.split('?').next().unwrap_or(template);
    defs.iter()
        .find(|d| d.path == path && method.is_none_or(|m| m.eq_ignore_ascii_case(&d.method)))
        .or_else(|| {
            defs.iter()
                .find(|d| d.operation_id.as_deref().is_some_and(|o| o == id || slug(o) == id))
        })
}

/// The management plane's id for an `operationId` (see `mgmt::openapi`).
pub fn slug(s: &str) -> String {
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

/// Compiles one operation's schemas: its document operation (when the API
/// has a document and it declares the operation) plus what `needs` asks.
/// `named` holds the compilers of the `schema-id` schemas by id.
pub fn compile_operation(
    api: Option<(&mut Compiler, &OperationDef)>,
    named: &mut HashMap<String, Compiler>,
    needs: &Needs,
) -> Result<OperationSchema, String> {
    let mut out = OperationSchema::default();
    if let Some((c, def)) = api {
        out.defined = true;
        out.request_required = def.request_required;
        for p in &def.parameters {
            out.parameters.push(parameter(c, p, Direction::Request)?);
        }
        out.request = bodies(c, &def.request, Direction::Request, needs)?;
        for r in &def.responses {
            let status = match r.status.as_str() {
                "DEFAULT" => StatusKey::Default,
                s if s.len() == 3 && s.ends_with("XX") => {
                    StatusKey::Range(s[..1].parse().map_err(|_| format!("bad response status {s:?}"))?)
                }
                s => StatusKey::Code(s.parse().map_err(|_| format!("bad response status {s:?}"))?),
            };
            let mut headers = Vec::new();
            for h in &r.headers {
                headers.push(parameter(c, h, Direction::Response)?);
            }
            out.responses.push(Response {
                status,
                bodies: bodies(c, &r.content, Direction::Response, needs)?,
                headers,
            });
        }
    }
    for key in &needs.named {
        let Some(c) = named.get_mut(&key.id) else {
            return Err(format!("no schema {:?} (schema-id)", key.id));
        };
        let pointer = key.reference.strip_prefix('#').unwrap_or(&key.reference);
        let s = c
            .schema(key.direction, key.additional, pointer)
            .map_err(|e| format!("schema {:?}: {e}", key.id))?;
        out.named.push((key.clone(), s));
    }
    Ok(out)
}

fn parameter(c: &mut Compiler, p: &document::ParamDef, direction: Direction) -> Result<Parameter, String> {
    let schema = p
        .schema
        .as_deref()
        .map(|ptr| c.schema(direction, None, ptr))
        .transpose()?;
    Ok(Parameter {
        name: p.name.clone(),
        location: p.location,
        required: p.required,
        shape: p
            .schema
            .as_deref()
            .map_or(Shape::String, |ptr| document::shape(c.document(), ptr)),
        explode: p.explode,
        schema,
    })
}

fn bodies(
    c: &mut Compiler,
    media: &[document::MediaDef],
    direction: Direction,
    needs: &Needs,
) -> Result<Vec<Body>, String> {
    let mut out = Vec::new();
    for m in media {
        let mut body = Body {
            media_type: m.media_type.clone(),
            schema: None,
            variants: Vec::new(),
        };
        if let Some(ptr) = &m.schema {
            body.schema = Some(c.schema(direction, None, ptr)?);
            for (d, additional) in &needs.variants {
                if *d == direction && !body.variants.iter().any(|(a, _)| a == additional) {
                    body.variants
                        .push((*additional, c.schema(direction, Some(*additional), ptr)?));
                }
            }
        }
        out.push(body);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_match_by_path_and_method_or_operation_id() {
        let doc = json!({"openapi": "3.0.0", "paths": {
            "/pets": {"get": {"operationId": "list pets"}, "post": {}},
            "/pets/{id}": {"get": {}}
        }});
        let defs = document::operations(&doc).unwrap();
        let m = |method, template, id| {
            find_operation(&defs, method, template, id).map(|d| (d.method.as_str(), d.path.as_str()))
        };
        assert_eq!(m(Some("POST"), "/pets?x={x}", "x"), Some(("POST", "/pets")));
        assert_eq!(m(None, "/pets/{id}", "x"), Some(("GET", "/pets/{id}")));
        assert_eq!(m(Some("GET"), "/other", "list-pets"), Some(("GET", "/pets")));
        assert_eq!(m(Some("PUT"), "/pets", "nope"), None);
    }

    #[test]
    fn an_operation_compiles_with_its_variants_and_statuses() {
        let doc = json!({"openapi": "3.1.0", "paths": {"/p": {"post": {
            "requestBody": {"content": {"application/*": {"schema": {"type": "object", "additionalProperties": false}}}},
            "responses": {"201": {"description": "x"}, "4XX": {"description": "y"}, "default": {"description": "z"}}
        }}}});
        let defs = document::operations(&doc).unwrap();
        let mut c = Compiler::openapi(doc).unwrap();
        let needs = Needs {
            variants: vec![(Direction::Request, true)],
            named: vec![],
        };
        let op = compile_operation(Some((&mut c, &defs[0])), &mut HashMap::new(), &needs).unwrap();
        let body = op.request_body("Application/XML; charset=x").unwrap();
        assert!(body.schema_for(None).unwrap().check(&json!({"a": 1})).is_some());
        assert!(body.schema_for(Some(true)).unwrap().check(&json!({"a": 1})).is_none());
        assert!(op.request_body("text/plain").is_none());
        assert_eq!(op.response(201).map(|r| r.status), Some(StatusKey::Code(201)));
        assert_eq!(op.response(404).map(|r| r.status), Some(StatusKey::Range(4)));
        assert_eq!(op.response(500).map(|r| r.status), Some(StatusKey::Default));

        let missing = Needs {
            variants: vec![],
            named: vec![NamedKey {
                id: "addr".into(),
                reference: String::new(),
                direction: Direction::Request,
                additional: None,
            }],
        };
        assert!(compile_operation(None, &mut HashMap::new(), &missing)
            .unwrap_err()
            .contains("no schema"));
        let mut named = HashMap::from([("addr".to_owned(), Compiler::json_schema(json!({"type": "string"})))]);
        let op = compile_operation(None, &mut named, &missing).unwrap();
        assert!(!op.defined);
        assert!(op.named(&missing.named[0]).unwrap().check(&json!(1)).is_some());
    }
}
