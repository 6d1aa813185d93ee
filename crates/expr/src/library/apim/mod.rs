//! APIM's documented helpers (reference §3.4): `AsJwt`/`TryParseJwt` and
//! `Jwt`, `AsBasic`/`TryParseBasic` and `BasicAuthCredentials`,
//! `Encrypt`/`Decrypt` on `byte[]`, and the `IResponse`/`IRequest`
//! objects that send-request stores in `context.Variables`.

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub static TYPES: &[&TypeDef] = &[];

/// APIM's extension methods (`"…".AsJwt()`, `bytes.Encrypt(…)`,
/// `form.ToQueryString()`…). `recv` may be null. `None`: not one.
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

/// `Body.AsFormUrlEncodedContent()`: an `IDictionary<string, IList<string>>`
/// of the form fields (with `ToQueryString()`, `ToFormUrlEncodedContent()`).
pub fn form_from_text<'a>(rt: &mut dyn Runtime<'a>, text: &str) -> EvalResult<Value<'static>> {
    let _ = (rt, text);
    Err(crate::error::EvalError::new(
        crate::error::EvalErrorKind::NotSupported,
        "AsFormUrlEncodedContent is not implemented yet",
    ))
}
