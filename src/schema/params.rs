//! Parameter and header text → the JSON value their schema checks: an
//! `integer` parameter's `"42"` is the number 42, an array is its
//! repeated occurrences (`form` + `explode`) or its comma-separated items.
//!
//! Errors are the reasons APIM's "cannot be parsed according to the
//! definition" messages carry (Newtonsoft's conversion wording).

use serde_json::{Number, Value};

use super::document::{Scalar, Shape};

/// Why a parameter's text is not what its schema's type needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Coerce {
    /// Several occurrences of a parameter that is not an array.
    Multiple,
    /// A value that is not of the type (the message says why).
    Unparsable(String),
}

/// The JSON value of a parameter that occurs `values.len()` (≥ 1) times.
pub fn coerce(shape: Shape, explode: bool, values: &[&str]) -> Result<Value, Coerce> {
    match shape {
        Shape::Array(item) => {
            let items: Vec<&str> = if explode && values.len() > 1 {
                values.to_vec()
            } else if values.len() > 1 {
                return Err(Coerce::Multiple);
            } else {
                values
                    .first()
                    .filter(|v| !v.is_empty())
                    .map(|v| v.split(',').collect())
                    .unwrap_or_default()
            };
            items
                .into_iter()
                .map(|v| scalar(item, v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        _ if values.len() > 1 => Err(Coerce::Multiple),
        Shape::Object => {
            let v = values.first().copied().unwrap_or_default();
            serde_json::from_str::<Value>(v)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| Coerce::Unparsable(format!("Could not convert string to object: {v}.")))
        }
        Shape::String => Ok(Value::String(values.first().copied().unwrap_or_default().to_owned())),
        Shape::Integer => scalar(Scalar::Integer, values.first().copied().unwrap_or_default()),
        Shape::Number => scalar(Scalar::Number, values.first().copied().unwrap_or_default()),
        Shape::Boolean => scalar(Scalar::Boolean, values.first().copied().unwrap_or_default()),
    }
}

fn scalar(kind: Scalar, v: &str) -> Result<Value, Coerce> {
    let t = v.trim();
    match kind {
        Scalar::String => Ok(Value::String(v.to_owned())),
        Scalar::Integer => t
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| Coerce::Unparsable(format!("Could not convert string to integer: {v}."))),
        Scalar::Number => t
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| Coerce::Unparsable(format!("Could not convert string to double: {v}."))),
        Scalar::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(Coerce::Unparsable(format!("Could not convert string to boolean: {v}."))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_arrays_and_their_errors() {
        assert_eq!(coerce(Shape::Integer, false, &["42"]), Ok(json!(42)));
        assert_eq!(coerce(Shape::Number, false, &["1.5"]), Ok(json!(1.5)));
        assert_eq!(coerce(Shape::Boolean, false, &["TRUE"]), Ok(json!(true)));
        assert_eq!(coerce(Shape::String, false, &["x"]), Ok(json!("x")));
        assert_eq!(
            coerce(Shape::Integer, false, &["4x"]),
            Err(Coerce::Unparsable("Could not convert string to integer: 4x.".into()))
        );
        assert!(coerce(Shape::Number, false, &["NaN"]).is_err());
        assert_eq!(coerce(Shape::String, true, &["a", "b"]), Err(Coerce::Multiple));
        assert_eq!(
            coerce(Shape::Array(Scalar::Integer), true, &["1", "2"]),
            Ok(json!([1, 2]))
        );
        assert_eq!(
            coerce(Shape::Array(Scalar::Integer), false, &["1,2"]),
            Ok(json!([1, 2]))
        );
        assert_eq!(coerce(Shape::Array(Scalar::String), false, &[""]), Ok(json!([])));
        assert_eq!(
            coerce(Shape::Array(Scalar::String), false, &["a", "b"]),
            Err(Coerce::Multiple)
        );
        assert_eq!(coerce(Shape::Object, false, &["{\"a\":1}"]), Ok(json!({"a": 1})));
        assert!(coerce(Shape::Object, false, &["[1]"]).is_err());
    }
}
