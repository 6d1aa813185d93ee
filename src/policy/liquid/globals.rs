//! What a Liquid template sees: `body` (the message body, parsed as JSON or
//! XML when its `Content-Type` says so, else text) and `context` (the
//! request, response, API, operation, product, subscription, deployment and
//! variables, with APIM's PascalCase member names).
//!
//! Invariants: built per render only when the template names them (the scan
//! says so); subscription keys are not exposed; header names are offered as
//! received and in canonical case (`Content-Type`), since Liquid lookups
//! are case-sensitive and APIM's are not.

use liquid_core::model::{Object, Value, ValueView};
use outpost_expr::context::{Context, IntField, Msg, TextField, UrlKind};

use super::super::convert::json::Json;
use super::super::convert::to_json::{self, Kind, ToJson};
use super::super::convert::xml_tree;
use super::super::exec::Run;
use super::super::message_body;

/// How `xsi:nil="true"` XML elements appear (`xsi-nil`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XsiNil {
    Blank,
    Null,
}

/// An order-keeping JSON value as a Liquid value.
pub fn from_json(j: &Json, nil: Value) -> Value {
    match j {
        Json::Null => nil,
        Json::Bool(b) => Value::scalar(*b),
        Json::Num(n) => match n.as_i64() {
            Some(i) => Value::scalar(i),
            None => Value::scalar(n.as_f64().unwrap_or(0.0)),
        },
        Json::Str(s) => Value::scalar(s.clone()),
        Json::Arr(items) => Value::Array(items.iter().map(|i| from_json(i, nil.clone())).collect()),
        Json::Obj(members) => {
            let mut o = Object::new();
            for (k, v) in members {
                o.insert(k.clone().into(), from_json(v, nil.clone()));
            }
            Value::Object(o)
        }
    }
}

/// `body`: JSON or XML by `Content-Type`, else the text; `""` when empty.
pub fn body(bytes: &[u8], content_type: Option<&str>, xsi_nil: XsiNil) -> Value {
    if bytes.is_empty() {
        return Value::scalar("");
    }
    if message_body::is_json(content_type) {
        if let Ok(j) = Json::parse(bytes) {
            return from_json(&j, Value::Nil);
        }
    } else if message_body::is_xml(content_type) {
        if let Ok(doc) = xml_tree::parse(bytes) {
            let opts = ToJson {
                kind: Kind::JavascriptFriendly,
                always_array: false,
            };
            let nil = match xsi_nil {
                XsiNil::Blank => Value::scalar(""),
                XsiNil::Null => Value::Nil,
            };
            return from_json(&to_json::to_value(&doc, opts), nil);
        }
    }
    Value::scalar(String::from_utf8_lossy(bytes).into_owned())
}

fn obj<const N: usize>(members: [(&str, Value); N]) -> Value {
    let mut o = Object::new();
    for (k, v) in members {
        o.insert(k.to_owned().into(), v);
    }
    Value::Object(o)
}

fn text(cx: &dyn Context, f: TextField) -> Value {
    cx.text(f).map_or(Value::Nil, |t| Value::scalar(t.into_owned()))
}

/// `Content-Type` from `content-type`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn dict(pairs: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)>, canonical_too: bool) -> Value {
    let mut o = Object::new();
    for (k, v) in pairs {
        let joined = match o.get(k.as_ref()) {
            Some(prev) => format!("{},{}", prev.to_kstr(), v),
            None => v.into_owned(),
        };
        if canonical_too {
            o.insert(canonical(&k).into(), Value::scalar(joined.clone()));
        }
        o.insert(k.into_owned().into(), Value::scalar(joined));
    }
    Value::Object(o)
}

fn url(cx: &dyn Context, k: UrlKind) -> Value {
    let full = text(cx, TextField::UrlFull(k));
    obj([
        ("Scheme", text(cx, TextField::UrlScheme(k))),
        ("Host", text(cx, TextField::UrlHost(k))),
        ("Port", Value::scalar(i64::from(cx.int(IntField::UrlPort(k))))),
        ("Path", text(cx, TextField::UrlPath(k))),
        ("Query", dict(cx.query_pairs(k), false)),
        ("QueryString", text(cx, TextField::UrlQueryString(k))),
        ("ToUri", full.clone()),
        ("ToString", full),
    ])
}

/// `context`.
pub fn context(r: &Run<'_, '_>) -> Value {
    use TextField as F;
    let cx = r.context();
    let cx: &dyn Context = &cx;
    let method = text(cx, F::RequestMethod);
    let mut vars = Object::new();
    for name in cx.variable_names() {
        if let Some(v) = cx.variable(&name) {
            let s = outpost_expr::library::to_text(&v).into_owned();
            vars.insert(name.into_owned().into(), Value::scalar(s));
        }
    }
    let has_body = !message_body::current(r.flow, false).is_empty()
        || r.req.header("Content-Length").is_some_and(|l| l.trim() != "0")
        || r.req.header("Transfer-Encoding").is_some();
    obj([
        (
            "Request",
            obj([
                ("Url", url(cx, UrlKind::Current)),
                ("OriginalUrl", url(cx, UrlKind::Original)),
                ("Method", method),
                ("OriginalMethod", Value::scalar(r.req.head.method.as_str().to_owned())),
                ("IpAddress", text(cx, F::IpAddress)),
                ("Headers", dict(cx.headers(Msg::Request), true)),
                ("MatchedParameters", dict(cx.matched_parameters(), false)),
                ("HasBody", Value::scalar(has_body)),
                ("ClientCertificates", Value::Array(Vec::new())),
            ]),
        ),
        (
            "Response",
            obj([
                ("StatusCode", Value::scalar(i64::from(r.status()))),
                ("StatusReason", text(cx, F::ResponseStatusReason)),
                ("Method", text(cx, F::RequestMethod)),
                ("Headers", dict(cx.headers(Msg::Response), true)),
            ]),
        ),
        (
            "Api",
            obj([
                ("Id", text(cx, F::ApiId)),
                ("Name", text(cx, F::ApiName)),
                ("Path", text(cx, F::ApiPath)),
                ("Version", text(cx, F::ApiVersion)),
                ("Revision", text(cx, F::ApiRevision)),
                ("ServiceUrl", url(cx, UrlKind::Service)),
            ]),
        ),
        (
            "Operation",
            obj([
                ("Id", text(cx, F::OperationId)),
                ("Name", text(cx, F::OperationName)),
                ("Method", text(cx, F::OperationMethod)),
                ("UrlTemplate", text(cx, F::OperationUrlTemplate)),
            ]),
        ),
        (
            "Product",
            obj([("Id", text(cx, F::ProductId)), ("Name", text(cx, F::ProductName))]),
        ),
        (
            "Subscription",
            obj([
                ("Id", text(cx, F::SubscriptionId)),
                ("Name", text(cx, F::SubscriptionName)),
            ]),
        ),
        (
            "User",
            obj([
                ("Id", text(cx, F::UserId)),
                ("Email", text(cx, F::UserEmail)),
                ("FirstName", text(cx, F::UserFirstName)),
                ("LastName", text(cx, F::UserLastName)),
            ]),
        ),
        (
            "Deployment",
            obj([
                ("Region", text(cx, F::DeploymentRegion)),
                ("ServiceName", text(cx, F::DeploymentServiceName)),
                ("GatewayId", text(cx, F::DeploymentGatewayId)),
            ]),
        ),
        ("RequestId", text(cx, F::RequestId)),
        ("Variables", Value::Object(vars)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_by_content_type() {
        let j = body(
            br#"{"a":{"b":[1,2.5,"x",null]}}"#,
            Some("application/json"),
            XsiNil::Blank,
        );
        let a = j.as_object().and_then(|o| o.get("a")).unwrap();
        assert_eq!(a.as_object().unwrap().get("b").unwrap().as_array().unwrap().size(), 4);
        let x = body(
            b"<r><n xsi:nil=\"true\" xmlns:xsi=\"urn:x\"/><v>1</v></r>",
            Some("text/xml"),
            XsiNil::Null,
        );
        let r = x
            .as_object()
            .and_then(|o| o.get("r"))
            .and_then(|r| r.as_object())
            .unwrap();
        assert!(r.get("n").unwrap().is_nil());
        assert_eq!(r.get("v").unwrap().to_kstr(), "1");
        assert_eq!(body(b"plain", None, XsiNil::Blank), Value::scalar("plain"));
        assert_eq!(
            body(b"{bad", Some("application/json"), XsiNil::Blank),
            Value::scalar("{bad")
        );
        assert_eq!(body(b"", Some("application/json"), XsiNil::Blank), Value::scalar(""));
        assert_eq!(canonical("content-TYPE"), "Content-Type");
    }
}
