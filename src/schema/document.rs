//! An API's OpenAPI document as data: parsing (JSON or YAML), the dialect
//! (3.0 or 3.1), `$ref` resolution of the non-schema objects (parameters,
//! request bodies, responses, headers) and the per-operation structure the
//! validation policies need, as JSON pointers to the schemas.
//!
//! Invariants: nothing here compiles a schema (see `compile`); every
//! pointer returned points into the document as parsed (the conversion to
//! JSON Schema keeps the structure, so it points into the converted copies
//! too); `$ref` chains are followed at most [`MAX_REF_HOPS`] times and only
//! within the document (`#/...`), anything else is an error naming it.

use serde_json::Value;

/// The longest `$ref` chain followed before giving up (a cycle).
pub const MAX_REF_HOPS: usize = 32;

/// The largest document accepted (APIM's limit on an API's schema).
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// OpenAPI 3.0 (schemas: JSON Schema draft 4/5 with `nullable`, boolean
/// exclusive bounds) or 3.1 (schemas: JSON Schema 2020-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    OpenApi30,
    OpenApi31,
}

/// Parses a document's text: JSON when `json` says so (or, unsaid, when
/// it starts with `{`), YAML otherwise. The result must be a mapping.
pub fn parse_text(text: &[u8], json: Option<bool>) -> Result<Value, String> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "the document is {} bytes long, over the limit of {MAX_DOCUMENT_BYTES} bytes",
            text.len()
        ));
    }
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    let Some(&first) = first else {
        return Err("the document is empty".into());
    };
    let doc: Value = if json.unwrap_or(first == b'{') {
        serde_json::from_slice(text).map_err(|e| format!("malformed JSON: {e}"))?
    } else {
        serde_norway::from_slice(text).map_err(|e| format!("malformed YAML: {e}"))?
    };
    if doc.is_object() {
        Ok(doc)
    } else {
        Err("the document must be a mapping (openapi, info, paths, ...)".into())
    }
}

/// The dialect of an OpenAPI document (`openapi: 3.0.x` / `3.1.x`).
pub fn dialect(doc: &Value) -> Result<Dialect, String> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") => Ok(Dialect::OpenApi30),
        Some(v) if v.starts_with("3.1") => Ok(Dialect::OpenApi31),
        Some(v) => Err(format!("OpenAPI version {v:?} is not supported (3.0 or 3.1)")),
        None => Err("expected an OpenAPI 3 document (field \"openapi\": \"3.x\")".into()),
    }
}

/// Appends one reference token to a JSON pointer (RFC 6901 escaping).
pub fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Follows `$ref`s from `value` (found at `pointer`) to the object they
/// name: the object and its pointer.
pub fn resolve<'d>(doc: &'d Value, value: &'d Value, pointer: &str) -> Result<(&'d Value, String), String> {
    let mut value = value;
    let mut pointer = pointer.to_owned();
    for _ in 0..MAX_REF_HOPS {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            return Ok((value, pointer));
        };
        let Some(local) = target.strip_prefix('#') else {
            return Err(format!(
                "{pointer}: only references within the document are supported, not {target:?}"
            ));
        };
        // A `$ref` fragment is a URI fragment: `%XX` escapes decode.
        let local = outpost_expr::library::net::escape::unescape_data(local);
        value = doc
            .pointer(&local)
            .ok_or_else(|| format!("{pointer}: the reference {target:?} names nothing in the document"))?;
        pointer = local;
    }
    Err(format!(
        "{pointer}: more than {MAX_REF_HOPS} chained references (a cycle?)"
    ))
}

/// Where a parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
    Header,
    Cookie,
}

impl In {
    /// APIM's words for it in messages (`query parameter`, `header`).
    pub fn describe(self) -> &'static str {
        match self {
            In::Path => "path parameter",
            In::Query => "query parameter",
            In::Header => "header",
            In::Cookie => "cookie",
        }
    }
}

/// A parameter (or a response header) as the document declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamDef {
    pub name: String,
    pub location: In,
    pub required: bool,
    /// Pointer to its schema, when it has one.
    pub schema: Option<String>,
    /// `form` + `explode` (query default): an array is the repeated parameter.
    pub explode: bool,
}

/// One media type of a body: its (lowercase) name and schema pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDef {
    pub media_type: String,
    pub schema: Option<String>,
}

/// A response of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseDef {
    /// `200`, `2XX` or `default`, as written.
    pub status: String,
    pub content: Vec<MediaDef>,
    pub headers: Vec<ParamDef>,
}

/// One operation of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationDef {
    /// Uppercase.
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub parameters: Vec<ParamDef>,
    pub request_required: bool,
    pub request: Vec<MediaDef>,
    pub responses: Vec<ResponseDef>,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every operation of the document, in document order.
pub fn operations(doc: &Value) -> Result<Vec<OperationDef>, String> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (path, item) in paths {
        let item_ptr = push_token("/paths", path);
        let (item, item_ptr) = resolve(doc, item, &item_ptr)?;
        let shared = parameters(doc, item.get("parameters"), &push_token(&item_ptr, "parameters"))?;
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_ptr = push_token(&item_ptr, method);
            let mut params = parameters(doc, op.get("parameters"), &push_token(&op_ptr, "parameters"))?;
            for p in &shared {
                if !params.iter().any(|o| o.name == p.name && o.location == p.location) {
                    params.push(p.clone());
                }
            }
            let (request_required, request) = match op.get("requestBody") {
                None => (false, Vec::new()),
                Some(body) => {
                    let (body, ptr) = resolve(doc, body, &push_token(&op_ptr, "requestBody"))?;
                    let required = body.get("required").and_then(Value::as_bool).unwrap_or(false);
                    (required, content(doc, body, &ptr)?)
                }
            };
            out.push(OperationDef {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                operation_id: op.get("operationId").and_then(Value::as_str).map(str::to_owned),
                parameters: params,
                request_required,
                request,
                responses: responses(doc, op.get("responses"), &push_token(&op_ptr, "responses"))?,
            });
        }
    }
    Ok(out)
}

fn parameters(doc: &Value, list: Option<&Value>, pointer: &str) -> Result<Vec<ParamDef>, String> {
    let mut out: Vec<ParamDef> = Vec::new();
    let Some(list) = list.and_then(Value::as_array) else {
        return Ok(out);
    };
    for (i, p) in list.iter().enumerate() {
        let (p, ptr) = resolve(doc, p, &push_token(pointer, &i.to_string()))?;
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{ptr}: a parameter needs a name"))?;
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => In::Path,
            Some("query") => In::Query,
            Some("header") => In::Header,
            Some("cookie") => In::Cookie,
            other => {
                return Err(format!(
                    "{ptr}: `in` must be path, query, header or cookie, not {other:?}"
                ))
            }
        };
        let style_form = p.get("style").and_then(Value::as_str).is_none_or(|s| s == "form");
        let explode = p
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(location == In::Query || location == In::Cookie)
            && style_form;
        let def = ParamDef {
            name: name.to_owned(),
            location,
            required: location == In::Path || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            schema: param_schema(p, &ptr),
            explode,
        };
        out.retain(|o| !(o.name == def.name && o.location == def.location));
        out.push(def);
    }
    Ok(out)
}

/// A parameter's or header's schema: `schema`, or the one of its single
/// `content` entry.
fn param_schema(p: &Value, ptr: &str) -> Option<String> {
    if p.get("schema").is_some() {
        return Some(push_token(ptr, "schema"));
    }
    let (media, entry) = p.get("content")?.as_object()?.iter().next()?;
    entry
        .get("schema")
        .map(|_| push_token(&push_token(&push_token(ptr, "content"), media), "schema"))
}

fn content(doc: &Value, owner: &Value, pointer: &str) -> Result<Vec<MediaDef>, String> {
    let _ = doc;
    let mut out = Vec::new();
    let Some(map) = owner.get("content").and_then(Value::as_object) else {
        return Ok(out);
    };
    let cptr = push_token(pointer, "content");
    for (media, entry) in map {
        let mptr = push_token(&cptr, media);
        out.push(MediaDef {
            media_type: essence(media),
            schema: entry.get("schema").map(|_| push_token(&mptr, "schema")),
        });
    }
    Ok(out)
}

fn responses(doc: &Value, map: Option<&Value>, pointer: &str) -> Result<Vec<ResponseDef>, String> {
    let mut out = Vec::new();
    let Some(map) = map.and_then(Value::as_object) else {
        return Ok(out);
    };
    for (status, r) in map {
        if status.starts_with("x-") {
            continue;
        }
        let (r, ptr) = resolve(doc, r, &push_token(pointer, status))?;
        let mut headers = Vec::new();
        if let Some(hs) = r.get("headers").and_then(Value::as_object) {
            let hptr = push_token(&ptr, "headers");
            for (name, h) in hs {
                let (h, p) = resolve(doc, h, &push_token(&hptr, name))?;
                headers.push(ParamDef {
                    name: name.clone(),
                    location: In::Header,
                    required: h.get("required").and_then(Value::as_bool).unwrap_or(false),
                    schema: param_schema(h, &p),
                    explode: false,
                });
            }
        }
        out.push(ResponseDef {
            status: status.to_ascii_uppercase(),
            content: content(doc, r, &ptr)?,
            headers,
        });
    }
    Ok(out)
}

/// A media type's essence: lowercase, parameters (`; charset=…`) dropped.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The simple type a parameter's schema asks for (following `$ref`s and
/// the first typed `allOf` member), for turning its text into JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    String,
    Integer,
    Number,
    Boolean,
    /// An array of items of this (scalar) shape.
    Array(Scalar),
    Object,
}

/// A scalar shape (array items).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

/// The shape of the schema at `pointer`.
pub fn shape(doc: &Value, pointer: &str) -> Shape {
    match type_of(doc, pointer) {
        Some("integer") => Shape::Integer,
        Some("number") => Shape::Number,
        Some("boolean") => Shape::Boolean,
        Some("object") => Shape::Object,
        Some("array") => Shape::Array(match type_of(doc, &push_token(pointer, "items")) {
            Some("integer") => Scalar::Integer,
            Some("number") => Scalar::Number,
            Some("boolean") => Scalar::Boolean,
            _ => Scalar::String,
        }),
        _ => Shape::String,
    }
}

fn type_of<'d>(doc: &'d Value, pointer: &str) -> Option<&'d str> {
    let schema = doc.pointer(pointer)?;
    let (schema, ptr) = resolve(doc, schema, pointer).ok()?;
    let declared = match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        // 3.1: `type: [integer, "null"]`.
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    declared.or_else(|| {
        let all = schema.get("allOf")?.as_array()?;
        (0..all.len()).find_map(|i| type_of(doc, &push_token(&push_token(&ptr, "allOf"), &i.to_string())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETS: &str = r##"
openapi: 3.0.3
info: { title: Pets, version: '1' }
paths:
  /pets/{id}:
    parameters:
      - $ref: '#/components/parameters/Id'
      - { name: trace, in: header, schema: { type: boolean } }
    post:
      operationId: updatePet
      parameters:
        - { name: tags, in: query, schema: { type: array, items: { type: integer } } }
        - { name: trace, in: header, required: true, schema: { type: string } }
      requestBody:
        $ref: '#/components/requestBodies/Pet'
      responses:
        '200':
          description: ok
          headers:
            X-Rate: { schema: { type: integer } }
          content:
            application/json; charset=utf-8: { schema: { $ref: '#/components/schemas/Pet' } }
        default: { description: error }
components:
  parameters:
    Id: { name: id, in: path, schema: { $ref: '#/components/schemas/Id' } }
  requestBodies:
    Pet:
      required: true
      content:
        application/json: { schema: { $ref: '#/components/schemas/Pet' } }
  schemas:
    Id: { allOf: [ { type: integer } ] }
    Pet: { type: object, required: [name], properties: { name: { type: string } } }
"##;

    #[test]
    fn operations_resolve_references_and_merge_path_parameters() {
        let doc = parse_text(PETS.as_bytes(), None).unwrap();
        assert_eq!(dialect(&doc).unwrap(), Dialect::OpenApi30);
        let ops = operations(&doc).unwrap();
        assert_eq!(ops.len(), 1);
        let op = &ops[0];
        assert_eq!((op.method.as_str(), op.path.as_str()), ("POST", "/pets/{id}"));
        let names: Vec<(&str, In, bool)> = op
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.location, p.required))
            .collect();
        assert_eq!(
            names,
            [
                ("tags", In::Query, false),
                ("trace", In::Header, true),
                ("id", In::Path, true)
            ],
            "the operation's `trace` overrides the path item's"
        );
        let id = op.parameters.iter().find(|p| p.name == "id").unwrap();
        assert_eq!(id.schema.as_deref(), Some("/components/parameters/Id/schema"));
        assert_eq!(shape(&doc, "/components/parameters/Id/schema"), Shape::Integer);
        let tags = &op.parameters[0];
        assert!(tags.explode);
        assert_eq!(
            shape(&doc, tags.schema.as_deref().unwrap()),
            Shape::Array(Scalar::Integer)
        );
        assert!(op.request_required);
        assert_eq!(
            op.request,
            [MediaDef {
                media_type: "application/json".into(),
                schema: Some("/components/requestBodies/Pet/content/application~1json/schema".into()),
            }]
        );
        assert_eq!(op.responses.len(), 2);
        assert_eq!(op.responses[0].content[0].media_type, "application/json");
        assert_eq!(op.responses[0].headers[0].name, "X-Rate");
        assert_eq!(op.responses[1].status, "DEFAULT");
    }

    #[test]
    fn bad_documents_say_why() {
        assert!(parse_text(b"  ", None).unwrap_err().contains("empty"));
        assert!(parse_text(b"[1]", Some(true)).unwrap_err().contains("mapping"));
        assert!(parse_text(b"a: [", None).unwrap_err().contains("YAML"));
        let doc = serde_json::json!({"openapi": "2.0"});
        assert!(dialect(&doc).unwrap_err().contains("not supported"));
        let doc = serde_json::json!({"openapi": "3.1.0", "paths": {"/a": {"$ref": "#/nowhere"}}});
        assert!(operations(&doc).unwrap_err().contains("names nothing"));
        let doc = serde_json::json!({"openapi": "3.1.0", "paths": {"/a": {"$ref": "other.yaml#/x"}}});
        assert!(operations(&doc).unwrap_err().contains("within the document"));
        let doc = serde_json::json!({"openapi": "3.1.0", "paths": {"/a": {"$ref": "#/paths/~1a"}}});
        assert!(operations(&doc).unwrap_err().contains("cycle"));
    }

    #[test]
    fn pointers_escape_and_references_decode() {
        assert_eq!(push_token("/paths", "/a/{b}~"), "/paths/~1a~1{b}~0");
        let doc = serde_json::json!({"paths": {"/a/{b}": {"get": {}}, "/c": {"$ref": "#/paths/~1a~1%7Bb%7D"}}});
        assert_eq!(
            operations(&doc).unwrap().len(),
            2,
            "a percent-encoded reference resolves"
        );
        assert_eq!(essence(" Application/JSON ; charset=utf-8"), "application/json");
    }
}
