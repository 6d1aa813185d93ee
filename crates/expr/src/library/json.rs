//! The JSON family: Newtonsoft.Json's `JsonConvert` and `Formatting`, and
//! Newtonsoft.Json.Linq (`JToken`, `JObject`, `JArray`, `JProperty`,
//! `JValue`, `JRaw`, `JConstructor`, `JContainer`, `JTokenType`, the
//! `Extensions`): a mutable tree with parents, Newtonsoft's number and
//! date handling and its `ToString()` indentation.

use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static TYPES: &[&TypeDef] = &[];

/// Parses JSON text as `JToken.Parse` does (Newtonsoft's defaults:
/// `DateParseHandling.DateTime`, integers as `Int64`/BigInteger, reals as
/// `Double`): the body reader `Body.As<JObject/JToken/JArray>()` calls it.
/// A `JsonReaderException` on malformed text.
pub fn parse<'a>(rt: &mut dyn Runtime<'a>, text: &str) -> EvalResult<Value<'static>> {
    let _ = (rt, text);
    Err(crate::error::EvalError::new(
        crate::error::EvalErrorKind::NotSupported,
        "JSON is not implemented yet",
    ))
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
    let _ = (rt, recv, name, targs, args);
    None
}

/// A token's explicit (and implicit) conversion operators:
/// `(string)token`, `(int)token`, `(bool?)token`, `(DateTime)token`….
/// `None`: `o` is not a token, or `to` is not a conversion target.
pub fn convert<'a>(o: &Rc<dyn Object>, to: &TypeRef, explicit: bool) -> Option<EvalResult<Value<'a>>> {
    let _ = (o, to, explicit);
    None
}

/// Newtonsoft's implicit conversions to `JToken`/`JValue` from strings,
/// numbers, bools, dates, Guids (`JToken t = "x";`). `None`: `to` is not a
/// token type or `v` is already one.
pub fn convert_to_token<'a>(v: &Value<'a>, to: &TypeRef) -> Option<EvalResult<Value<'a>>> {
    let _ = (v, to);
    None
}
