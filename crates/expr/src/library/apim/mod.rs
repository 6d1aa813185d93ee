//! APIM's documented helpers (reference §3.4): `AsJwt`/`TryParseJwt` and
//! `Jwt` ([`jwt`]), `AsBasic`/`TryParseBasic` and `BasicAuthCredentials`
//! ([`basic`]), `Encrypt`/`Decrypt` on `byte[]` (below, on the crypto
//! family's AES), `VerifyNoRevocation` on certificates, the form dictionary
//! of `AsFormUrlEncodedContent` ([`form`]), and the `IResponse`/`IRequest`
//! objects that send-request stores in `context.Variables` ([`message`]).
//!
//! Invariants: extension methods accept a null receiver as APIM's do:
//! `AsJwt`/`AsBasic`/`Encrypt`/`Decrypt` give null, the `TryParse*`
//! forms and `VerifyNoRevocation` false. Out arguments are written with
//! [`Runtime::set_out`] at their position among the call's arguments (the
//! receiver not counted: `s.TryParseJwt(out var jwt)` writes position 0).

use crate::error::{EvalError, EvalResult};
use crate::library::collections::Array;
use crate::library::crypto::symmetric;
use crate::library::crypto::x509::Cert;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub mod basic;
pub mod dict;
pub mod form;
pub mod jwt;
pub mod message;

pub use message::{request, response, response_parts, ResponseParts};

pub(crate) const NS: &str = "Microsoft.Azure.ApiManagement.Policies";

/// APIM's class of extension methods, `ExpressionSyntaxExtensions` (its
/// name as published policies call it statically:
/// `ExpressionSyntaxExtensions.TryParseJwt(s, out jwt)`). The checker finds
/// extension methods in static types named `…Extensions`; instance-style
/// calls go through [`extension_call`], static ones through its
/// `call_static` (the receiver is the first argument).
pub static APIM_EXTENSIONS: TypeDef = TypeDef {
    name: "ExpressionSyntaxExtensions",
    namespace: NS,
    kind: TypeKind::Static,
    apim: Apim::Helper,
    statics: &[
        m("AsJwt", "Jwt"),
        m("TryParseJwt", "bool"),
        m("AsBasic", "BasicAuthCredentials"),
        m("TryParseBasic", "bool"),
        m("Encrypt", "byte[]"),
        m("Decrypt", "byte[]"),
        m("VerifyNoRevocation", "bool"),
    ],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// `ExpressionSyntaxExtensions.AsJwt(s)`… : the extension called statically.
fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let (recv, rest) = args.split_first()?;
    extension_call_at(rt, recv, name, targs, rest, 1)
}

pub static TYPES: &[&TypeDef] = &[
    &APIM_EXTENSIONS,
    &jwt::JWT,
    &dict::CLAIMS,
    &dict::HEADERS,
    &basic::BASIC_AUTH_CREDENTIALS,
    &form::FORM,
    &message::IRESPONSE,
    &message::IREQUEST,
    &message::IMESSAGE_BODY,
];

/// APIM's extension methods (`"…".AsJwt()`, `bytes.Encrypt(…)`,
/// `cert.VerifyNoRevocation()`). `recv` may be null. `None`: not one.
pub fn extension_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    extension_call_at(rt, recv, name, targs, args, 0)
}

/// [`extension_call`] with the call's arguments starting at position
/// `first` (1 when the receiver was passed as an argument), for `set_out`.
fn extension_call_at<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
    first: usize,
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    let text = match recv {
        Value::Str(s) => Some(&**s),
        _ => None,
    };
    let null = recv.is_null();
    match (name, args) {
        ("AsJwt", []) if null || text.is_some() => Some(Ok(text.and_then(jwt::parse).map_or(Value::Null, Value::obj))),
        ("TryParseJwt", [_]) if null || text.is_some() => Some((|| {
            let parsed = text.and_then(jwt::parse);
            let ok = parsed.is_some();
            rt.set_out(first, parsed.map_or(Value::Null, Value::obj))?;
            Ok(Value::Bool(ok))
        })()),
        ("AsBasic", []) if null || text.is_some() => {
            Some(Ok(text.and_then(basic::parse).map_or(Value::Null, Value::obj)))
        }
        ("TryParseBasic", [_]) if null || text.is_some() => Some((|| {
            let parsed = text.and_then(basic::parse);
            let ok = parsed.is_some();
            rt.set_out(first, parsed.map_or(Value::Null, Value::obj))?;
            Ok(Value::Bool(ok))
        })()),
        ("Encrypt" | "Decrypt", [_] | [_, _, _]) if null || recv.downcast::<Array>().is_some() => {
            if null {
                return Some(Ok(Value::Null));
            }
            Some(cipher(rt, recv, args, name == "Encrypt"))
        }
        ("VerifyNoRevocation", []) if null => Some(Ok(Value::Bool(false))),
        ("VerifyNoRevocation", []) => recv.downcast::<Cert>().map(|c| Ok(Value::Bool(c.verify(&*rt)))),
        _ => None,
    }
}

/// `Encrypt`/`Decrypt`'s three overloads: `(string alg, byte[] key, byte[]
/// iv)` with a `SymmetricAlgorithm.Create(alg)` name (CBC and PKCS7, .NET's
/// defaults), `(SymmetricAlgorithm alg)` with its key, IV, mode and
/// padding, `(SymmetricAlgorithm alg, byte[] key, byte[] iv)`.
fn cipher<'a>(rt: &mut dyn Runtime<'a>, input: &Value<'a>, args: &[Value<'a>], encrypt: bool) -> EvalResult<Value<'a>> {
    let data = crate::library::crypto::bytes_arg(input, "input")?;
    let (alg, key_iv) = match args {
        [alg] => (alg.clone(), None),
        [alg, key, iv] => {
            let key = crate::library::crypto::bytes_arg(key, "key")?;
            let iv = crate::library::crypto::bytes_arg(iv, "iv")?;
            let alg = match alg {
                Value::Str(name) => symmetric::algorithm_by_name(name)?
                    .ok_or_else(|| EvalError::argument(format!("alg: '{name}' is not a symmetric algorithm name")))?,
                other => other.clone(),
            };
            (alg, Some((key, iv)))
        }
        _ => return Err(EvalError::argument("Encrypt/Decrypt take (alg) or (alg, key, iv)")),
    };
    symmetric::run_with(rt, &alg, key_iv, &data, encrypt).map(Array::bytes)
}

/// `Body.AsFormUrlEncodedContent()`: an `IDictionary<string, IList<string>>`
/// of the form fields (with `ToQueryString()`, `ToFormUrlEncodedContent()`).
pub fn form_from_text<'a>(rt: &mut dyn Runtime<'a>, text: &str) -> EvalResult<Value<'static>> {
    form::parse(rt, text).map(Value::obj)
}

#[cfg(test)]
mod tests;
