//! Validation errors in the words APIM's messages use (APIM validates with
//! Newtonsoft.Json.Schema): `Required properties are missing from object:
//! name.`, `Invalid type. Expected String but got Integer.` and so on, one
//! sentence per `jsonschema` error kind; kinds Newtonsoft has no sentence
//! for keep the validator's own text.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

/// One error as a sentence.
pub fn describe(e: &ValidationError<'_>) -> String {
    let v: &Value = e.instance();
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            format!("Required properties are missing from object: {}.", text(property))
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => format!(
            "Property '{}' has not been defined and the schema does not allow additional properties.",
            unexpected.first().map_or("", String::as_str)
        ),
        ValidationErrorKind::Type { kind } => {
            let expected: Vec<&str> = match kind {
                TypeKind::Single(t) => vec![type_name(*t)],
                TypeKind::Multiple(set) => set.iter().map(type_name).collect(),
            };
            format!(
                "Invalid type. Expected {} but got {}.",
                expected.join(", "),
                value_type(v)
            )
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("String '{}' does not match regex pattern '{pattern}'.", text(v))
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("String '{}' is less than minimum length of {limit}.", text(v))
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("String '{}' exceeds maximum length of {limit}.", text(v))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{} {v} is less than minimum value of {limit}.", value_type(v))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } if v == limit => format!(
            "{} {v} equals minimum value of {limit} and exclusive minimum is true.",
            value_type(v)
        ),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{} {v} is less than minimum value of {limit}.", value_type(v))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{} {v} exceeds maximum value of {limit}.", value_type(v))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } if v == limit => format!(
            "{} {v} equals maximum value of {limit} and exclusive maximum is true.",
            value_type(v)
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{} {v} exceeds maximum value of {limit}.", value_type(v))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("{} {v} is not a multiple of {multiple_of}.", value_type(v))
        }
        ValidationErrorKind::Enum { .. } => format!("Value {} is not defined in enum.", text(v)),
        ValidationErrorKind::Constant { .. } => format!("Value {} does not match const.", text(v)),
        ValidationErrorKind::MinItems { limit } => format!(
            "Array item count {} is less than minimum count of {limit}.",
            v.as_array().map_or(0, Vec::len)
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "Array item count {} exceeds maximum count of {limit}.",
            v.as_array().map_or(0, Vec::len)
        ),
        ValidationErrorKind::UniqueItems => "Non-unique array item.".into(),
        ValidationErrorKind::MinProperties { limit } => format!(
            "Object property count {} is less than minimum count of {limit}.",
            v.as_object().map_or(0, serde_json::Map::len)
        ),
        ValidationErrorKind::MaxProperties { limit } => format!(
            "Object property count {} exceeds maximum count of {limit}.",
            v.as_object().map_or(0, serde_json::Map::len)
        ),
        ValidationErrorKind::Format { format } => {
            format!("String '{}' does not validate against format '{format}'.", text(v))
        }
        ValidationErrorKind::OneOfNotValid { .. } => "JSON is valid against no schemas from 'oneOf'.".into(),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "JSON is valid against more than one schema from 'oneOf'.".into()
        }
        ValidationErrorKind::AnyOf { .. } => "JSON does not match any schemas from 'anyOf'.".into(),
        ValidationErrorKind::Not { .. } => "JSON is valid against schema from 'not'.".into(),
        ValidationErrorKind::FalseSchema => "Schema always fails validation.".into(),
        ValidationErrorKind::Contains => "No items match contains.".into(),
        _ => {
            let mut s = e.to_string();
            if !s.ends_with('.') {
                s.push('.');
            }
            s
        }
    }
}

/// A value as Newtonsoft writes it in a message: strings bare, the rest
/// as compact JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Array => "Array",
        JsonType::Boolean => "Boolean",
        JsonType::Integer => "Integer",
        JsonType::Null => "Null",
        JsonType::Number => "Number",
        JsonType::Object => "Object",
        JsonType::String => "String",
    }
}

/// Newtonsoft's name of a value's type (`Integer` for whole numbers).
fn value_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Float",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}
