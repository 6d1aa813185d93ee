//! Messages stored in `context.Variables` (what send-request stores; read
//! back with `(IResponse)context.Variables["r"]`): `IResponse`
//! (`StatusCode`, `StatusReason`, `Headers`, `Body`), `IRequest`
//! (`Method`, `Headers`, `Body`), and their `IMessageBody`
//! (`As<T>(preserveContent)` for string, byte[], JObject, JToken, JArray,
//! XNode, XElement, XDocument, and `AsFormUrlEncodedContent`).
//!
//! Decision: a stored message's body is never consumed: every read sees
//! the whole body, whatever `preserveContent` says. APIM documents that
//! reading without `preserveContent: true` consumes a body (reference
//! §3.3), but published policies read a stored response twice without it
//! (Azure/api-management-policy-snippets, backend-oauth2-authentication-
//! with-cache), so being forgiving is what keeps them working; no policy
//! can depend on the second read failing. Text is the body's bytes as
//! UTF-8 (invalid sequences replaced). Asking for a `JObject` of a JSON
//! array (or a `JArray` of an object) throws APIM's message
//! ("The message body is not a valid JSON. …").
//!
//! Who owns which name: `IResponse` and `IMessageBody` are defined here
//! (the context family uses its own unlisted copies for `context.Response`
//! and the bodies, so a cast `(IResponse)…` resolves to this one);
//! `IRequest` is the context family's (the type of `context.Request`), so
//! a stored request is a `StoredRequest` with `IRequest` as its base.
//! Casts to these interfaces are answered by name, whichever copy a cast
//! resolves to.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::dict::{MultiDict, HEADERS};
use super::NS;
use crate::error::{EvalError, EvalResult};
use crate::library::collections::Array;
use crate::library::xml::XmlKind;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

pub static IRESPONSE: TypeDef = TypeDef {
    name: "IResponse",
    namespace: NS,
    kind: TypeKind::Interface,
    apim: Apim::Helper,
    members: &[
        m("StatusCode", "int"),
        m("StatusReason", "string"),
        m("Headers", "MessageHeaders"),
        m("Body", "IMessageBody"),
    ],
    ..TypeDef::EMPTY
};

pub static IREQUEST: TypeDef = TypeDef {
    name: "StoredRequest",
    namespace: NS,
    apim: Apim::Helper,
    bases: &["IRequest"],
    members: &[
        m("Method", "string"),
        m("Headers", "MessageHeaders"),
        m("Body", "IMessageBody"),
    ],
    ..TypeDef::EMPTY
};

pub static IMESSAGE_BODY: TypeDef = TypeDef {
    name: "IMessageBody",
    namespace: NS,
    kind: TypeKind::Interface,
    apim: Apim::Helper,
    members: &[m("As", "T"), m("AsFormUrlEncodedContent", "FormUrlEncodedContent")],
    ..TypeDef::EMPTY
};

/// A message body that reading may consume.
#[derive(Debug)]
pub struct MessageBody {
    bytes: RefCell<Option<Vec<u8>>>,
}

impl MessageBody {
    pub fn new(bytes: Vec<u8>) -> MessageBody {
        MessageBody {
            bytes: RefCell::new(Some(bytes)),
        }
    }

    /// The bytes (never consumed: see the module doc).
    fn read(&self, preserve: bool) -> Vec<u8> {
        let _ = preserve;
        self.bytes.borrow().clone().unwrap_or_default()
    }
}

fn preserve_arg(args: &[Value<'_>]) -> EvalResult<bool> {
    match args {
        [] => Ok(false),
        [Value::Bool(b)] => Ok(*b),
        [v] => Err(EvalError::argument(format!(
            "preserveContent: expected a bool, got {}",
            v.type_name()
        ))),
        _ => Err(EvalError::argument("As<T>(bool preserveContent = false)")),
    }
}

/// What `As<T>` reads the body as.
fn read_as<'a>(rt: &mut dyn Runtime<'a>, t: &TypeRef, bytes: Vec<u8>) -> EvalResult<Value<'a>> {
    rt.alloc(bytes.len())?;
    rt.charge(1 + bytes.len() as u64 / 64)?;
    if let TypeRef::Array(e) = t {
        if e.def().is_some_and(|d| d.name == "Byte") {
            return Ok(Array::bytes(bytes));
        }
    }
    let name = t.def().map(|d| d.name).unwrap_or("");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let v = match name {
        "String" => return Ok(Value::string(text)),
        "JObject" | "JToken" | "JArray" => crate::library::json::parse(rt, &text)?,
        "XDocument" => crate::library::xml::parse(rt, &text, XmlKind::Document)?,
        "XElement" => crate::library::xml::parse(rt, &text, XmlKind::Element)?,
        "XNode" => crate::library::xml::parse(rt, &text, XmlKind::Node)?,
        _ => {
            return Err(EvalError::argument(format!(
                "IMessageBody.As<T>: T must be string, byte[], JObject, JToken, JArray, XNode, XElement or \
                 XDocument, not {t}"
            )))
        }
    };
    if v.is_null() || crate::library::is_instance(&v, t) {
        return Ok(v);
    }
    // APIM's MessageBody.As<T> message (Newtonsoft's, wrapped).
    let found = if v.type_name() == "JArray" {
        "StartArray"
    } else {
        "StartObject"
    };
    let wanted = if name == "JArray" { "an array" } else { "an object" };
    Err(EvalError::new(
        crate::error::EvalErrorKind::Other("JsonReaderException"),
        format!(
            "The message body is not a valid JSON. Error reading {name} from JsonReader. Current JsonReader item \
             is not {wanted}: {found}. Path '', line 1, position 1."
        ),
    ))
}

impl Object for MessageBody {
    fn type_def(&self) -> &'static TypeDef {
        &IMESSAGE_BODY
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        ty.def()
            .is_some_and(|d| d.is(&IMESSAGE_BODY) || d.name == "IMessageBody" || d.name == "Object")
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match name {
            "As" => Some((|| {
                let t = targs
                    .first()
                    .ok_or_else(|| EvalError::argument("As<T>() needs a type argument"))?;
                let bytes = self.read(preserve_arg(args)?);
                read_as(rt, t, bytes)
            })()),
            "AsFormUrlEncodedContent" => Some((|| {
                let bytes = self.read(preserve_arg(args)?);
                super::form_from_text(rt, &String::from_utf8_lossy(&bytes))
            })()),
            _ => None,
        }
    }

    fn size_hint(&self) -> usize {
        64 + self.bytes.borrow().as_ref().map_or(0, Vec::len)
    }
}

/// An `IResponse` or `IRequest`.
pub struct Message {
    def: &'static TypeDef,
    status: i32,
    /// The reason phrase (responses) or the method (requests).
    text: String,
    headers: Rc<MultiDict>,
    body: Rc<MessageBody>,
}

/// An `IResponse` value, as send-request stores it in a variable.
pub fn response(status: i32, reason: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Value<'static> {
    Value::obj(Message {
        def: &IRESPONSE,
        status,
        text: reason.to_owned(),
        headers: Rc::new(MultiDict::new(&HEADERS, headers, true)),
        body: Rc::new(MessageBody::new(body)),
    })
}

/// What a stored `IResponse` holds, copied out (for the gateway to answer
/// with it: `return-response response-variable-name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseParts {
    pub status: i32,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The parts of `v` when it is an `IResponse` (`None` otherwise).
pub fn response_parts(v: &Value<'_>) -> Option<ResponseParts> {
    let m = v.downcast::<Message>()?;
    if !std::ptr::eq(m.def, &IRESPONSE) {
        return None;
    }
    Some(ResponseParts {
        status: m.status,
        reason: m.text.clone(),
        headers: m.headers.pairs().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        body: m.body.read(true),
    })
}

/// An `IRequest` value (method, headers, body).
pub fn request(method: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Value<'static> {
    Value::obj(Message {
        def: &IREQUEST,
        status: 0,
        text: method.to_owned(),
        headers: Rc::new(MultiDict::new(&HEADERS, headers, true)),
        body: Rc::new(MessageBody::new(body)),
    })
}

impl Object for Message {
    fn type_def(&self) -> &'static TypeDef {
        self.def
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        ty.def()
            .is_some_and(|d| d.name == self.def.name || self.def.bases.contains(&d.name) || d.name == "Object")
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let response = std::ptr::eq(self.def, &IRESPONSE);
        Some(Ok(match name {
            "StatusCode" if response => Value::Int(self.status),
            "StatusReason" if response => Value::string(self.text.clone()),
            "Method" if !response => Value::string(self.text.clone()),
            "Headers" => Value::Obj(self.headers.clone()),
            "Body" => Value::Obj(self.body.clone()),
            _ => return None,
        }))
    }

    fn size_hint(&self) -> usize {
        128 + self.body.size_hint() + self.headers.size_hint()
    }
}
