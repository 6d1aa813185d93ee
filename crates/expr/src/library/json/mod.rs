//! The JSON family: Newtonsoft.Json's `JsonConvert` and `Formatting`, and
//! Newtonsoft.Json.Linq (`JToken`, `JContainer`, `JObject`, `JArray`,
//! `JProperty`, `JValue`, `JRaw`, `JConstructor`, `JTokenType`, the
//! `Extensions`): a mutable tree of tokens with parents, Newtonsoft's
//! number and date handling, its JSONPath and its `ToString()` layout.
//!
//! Modules:
//! - [`node`]: the tree ([`node::Node`]); [`edit`]: changing it;
//! - [`scalar`]: what a `JValue` holds, its type, text and equality;
//! - [`parse`]: JSON text to a tree (serde_json's streaming parser), with
//!   [`dates`] (which strings become dates, how dates are written);
//! - [`write`]: tokens and values to JSON text, with [`fmt`] (.NET's
//!   number, Guid and date text);
//! - [`convert`]: tokens to .NET primitives (casts, `Value<T>()`), with
//!   [`strings`] (invariant-culture parsing of string values);
//! - [`content`]: values to tokens (`Add`, `FromObject`) and tokens to
//!   collections (`ToObject<T>()`, `DeserializeObject<T>`);
//! - [`members`], [`methods`]: the tokens' members; [`statics`]: static
//!   members and constructors; [`enumerable`]: token sequences and the
//!   `Extensions`; [`path`], [`path_eval`]: `SelectToken`'s JSONPath;
//! - [`types`]: the type definitions and member tables.
//!
//! Decisions users can see (all emulate Newtonsoft 13 with its defaults,
//! which APIM policies were written against): date-like strings become
//! `Date` tokens when parsed; indented output uses `"\n"` (Linux, where
//! the self-hosted gateway runs); local time is UTC; casts of floats to
//! integers round half to even (`Convert.ToInt32`). Details in each
//! module's doc.

use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

pub mod content;
pub mod convert;
pub mod dates;
pub mod edit;
pub mod enumerable;
pub mod fmt;
pub mod members;
pub mod methods;
pub mod node;
pub mod parse;
pub mod path;
pub mod path_eval;
pub mod scalar;
pub mod statics;
pub mod strings;
pub mod tape;
pub mod types;
pub mod write;

#[cfg(test)]
mod tests;

pub use node::Node;
pub use parse::Want;
pub use types::TokenType;

pub static TYPES: &[&TypeDef] = types::TYPES;

/// A `JsonException` (JSONPath errors, `JProperty` misuse).
pub fn json_exception(message: impl Into<String>) -> EvalError {
    EvalError::new(EvalErrorKind::Other("JsonException"), message)
}

/// Parses JSON text as `JToken.Parse` does (Newtonsoft's defaults:
/// `DateParseHandling.DateTime`, integers as `Int64`, reals as `Double`;
/// see [`parse`]): the body reader `Body.As<JObject/JToken/JArray>()`
/// calls it (or [`parse_as`]). A `JsonReaderException` on malformed text.
pub fn parse<'a>(rt: &mut dyn Runtime<'a>, text: &str) -> EvalResult<Value<'static>> {
    parse_as(rt, text, Want::Token)
}

/// [`parse`] as `JObject.Parse` / `JArray.Parse` (with their errors when
/// the text holds something else).
pub fn parse_as<'a>(rt: &mut dyn Runtime<'a>, text: &str, want: Want) -> EvalResult<Value<'static>> {
    parse::parse(rt, text, want, true).map(members::obj)
}

/// Newtonsoft's LINQ-to-JSON extension methods on non-token receivers
/// (`IEnumerable<JToken>.Values<T>()`, `Children()`, …). `None`: not one.
pub fn extension_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    enumerable::extension_call(rt, recv, name, targs, args)
}

/// A token's explicit conversion operators: `(string)token`, `(int)token`,
/// `(bool?)token`, `(DateTime)token`, `(byte[])token`…. `None`: `o` is not
/// a token, the conversion is implicit (a token has no implicit
/// conversion to a primitive), or `to` is not a primitive (reference
/// conversions such as `(JObject)token` are the caller's).
pub fn convert<'a>(o: &Rc<dyn Object>, to: &TypeRef, explicit: bool) -> Option<EvalResult<Value<'a>>> {
    let node = o.as_any().downcast_ref::<Node>()?;
    let (prim, nullable) = convert::Prim::of(to)?;
    if !explicit {
        return None;
    }
    Some(convert::explicit(Some(node), prim, nullable))
}

/// Newtonsoft's implicit conversions to `JToken` from strings, numbers,
/// bools, dates, Guids, TimeSpans and byte arrays (`JToken t = "x";`).
/// `None`: `to` is not `JToken`, or `v` is null, a token or another object.
pub fn convert_to_token<'a>(v: &Value<'a>, to: &TypeRef) -> Option<EvalResult<Value<'a>>> {
    let def = to.def()?;
    if !def.is(&types::JTOKEN) || v.is_null() || v.downcast::<Node>().is_some() {
        return None;
    }
    if let Value::Obj(_) = v {
        crate::library::collections::Array::to_bytes(v)?;
    }
    let s = scalar::Scalar::from_value(v)?;
    Some(Ok(members::obj(Node::value(s))))
}
