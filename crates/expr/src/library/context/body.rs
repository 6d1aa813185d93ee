//! `context.Request.Body` and `context.Response.Body` (APIM's
//! `IMessageBody`): `As<T>(preserveContent)` for T = string, byte[],
//! JObject, JToken, JArray, XNode, XElement, XDocument, and
//! `AsFormUrlEncodedContent(preserveContent)`.
//!
//! Invariant: the body is read through [`crate::Context::body`], which
//! decides what "consumed" means (APIM: reading without
//! `preserveContent: true` consumes the body unless the expression returns
//! a new one — the gateway's set-body documents how it applies that).

use crate::context::Msg;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::xml::XmlKind;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

fn preserve(args: &[Value<'_>]) -> EvalResult<bool> {
    match args.first() {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(EvalError::cast(v.type_name(), "bool")),
    }
}

fn bytes<'a>(rt: &mut dyn Runtime<'a>, msg: Msg, args: &[Value<'a>]) -> EvalResult<std::borrow::Cow<'a, [u8]>> {
    let keep = preserve(args)?;
    let b = rt
        .context()
        .body(msg, keep)
        .map_err(|m| EvalError::new(EvalErrorKind::InvalidOperation, m))?;
    rt.alloc(b.len())?;
    Ok(b)
}

fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    // A UTF-8 BOM is not part of the text (.NET's StreamReader drops it).
    String::from_utf8_lossy(b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b))
}

/// A method of a body object.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    msg: Msg,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match name {
        "As" => as_t(rt, msg, targs, args),
        "AsFormUrlEncodedContent" => bytes(rt, msg, args).and_then(|b| {
            let t = String::from_utf8_lossy(&b).into_owned();
            super::super::apim::form_from_text(rt, &t)
        }),
        _ => return None,
    })
}

fn as_t<'a>(rt: &mut dyn Runtime<'a>, msg: Msg, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let Some(t) = targs.first() else {
        return Err(EvalError::argument(
            "Body.As needs a type argument: As<string>(), As<JObject>()…",
        ));
    };
    let b = bytes(rt, msg, args)?;
    if let TypeRef::Array(e) = t {
        if e.def().is_some_and(|d| d.name == "Byte") {
            return Ok(Array::bytes(b.into_owned()));
        }
    }
    let name = t.def().map(|d| d.name).unwrap_or("");
    match name {
        "String" => Ok(match b {
            std::borrow::Cow::Borrowed(s) => match std::str::from_utf8(s.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(s)) {
                Ok(s) => Value::str(s),
                Err(_) => Value::string(String::from_utf8_lossy(s).into_owned()),
            },
            std::borrow::Cow::Owned(v) => Value::string(String::from_utf8_lossy(&v).into_owned()),
        }),
        "JObject" | "JToken" | "JArray" => {
            let s = String::from_utf8_lossy(&b);
            let tok = super::super::json::parse(rt, &s)?;
            if name == "JToken" || super::super::is_instance(&tok, t) {
                Ok(tok)
            } else {
                Err(EvalError::new(
                    EvalErrorKind::Other("JsonReaderException"),
                    format!(
                        "Error reading {name} from JsonReader. Current JsonReader item is not {}.",
                        if name == "JObject" { "an object" } else { "an array" }
                    ),
                ))
            }
        }
        "XNode" | "XElement" | "XDocument" => {
            let kind = match name {
                "XDocument" => XmlKind::Document,
                "XElement" => XmlKind::Element,
                _ => XmlKind::Node,
            };
            super::super::xml::parse(rt, &text(&b), kind)
        }
        _ => Err(EvalError::new(
            EvalErrorKind::NotSupported,
            format!("Body.As<{t}>() is not supported: use string, byte[], JObject, JToken, JArray, XNode, XElement or XDocument"),
        )),
    }
}
