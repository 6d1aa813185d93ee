//! The `context` family: the members of `context`'s objects
//! ([`Value::Ns`]) and dictionaries ([`Value::Dict`]) — APIM's whole
//! `context` API (reference §3) — read through the [`Context`] trait the
//! gateway implements, and their interface types (`IRequest`, `IUrl`,
//! `IApi`…) whose member tables the checker reads.
//!
//! Invariants: reading a member copies nothing the context can lend (a
//! header value, the API's name); an object that may be absent is `null`
//! when [`Context::present`] says so; nothing here writes to the context.

use std::borrow::Cow;

use crate::context::{Context, DateField, DictKind, FlagField, IntField, Msg, Ns, TextField as T, UrlKind};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::{Array, KeyValuePair};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

mod body;
mod types;

pub use types::*;

/// Whether a context object or dictionary is an instance of `ty`.
pub fn is_instance(v: &Value<'_>, ty: &TypeRef) -> bool {
    let (Some(own), Some(want)) = (type_of(v), ty.def()) else {
        return false;
    };
    want.is(own) || own.bases.contains(&want.name) || want.name == "Object" || (own.name == want.name)
}

/// `ToString()` of a context object or dictionary (a URL is its text).
pub fn to_text(v: &Value<'_>) -> String {
    match v {
        Value::Ns(n) => n.to_string(),
        Value::Dict(d) => d.to_string(),
        _ => String::new(),
    }
}

fn text<'a>(cx: &'a dyn Context, f: T) -> Value<'a> {
    match cx.text(f) {
        Some(s) => Value::Str(s),
        None => Value::Null,
    }
}

fn object<'a>(cx: &dyn Context, ns: Ns) -> Value<'a> {
    if ns.may_be_absent() && !cx.present(ns) {
        Value::Null
    } else {
        Value::Ns(ns)
    }
}

fn date(d: Option<crate::library::time::DateTime>) -> Value<'static> {
    d.map_or(Value::Null, Value::DateTime)
}

/// A property of a context object or dictionary.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let cx = rt.context();
    let r = match v {
        Value::Ns(ns) => ns_get(cx, *ns, name)?,
        Value::Dict(d) => match name {
            "Count" => Value::Int(i32::try_from(entries(rt, *d).len()).unwrap_or(i32::MAX)),
            "Keys" => Array::strings(entries(rt, *d).into_iter().map(|(k, _)| k.into_owned())),
            "Values" => {
                let vs: Vec<Value<'static>> = entries(rt, *d).into_iter().map(|(_, v)| v.into_owned()).collect();
                Array::of(TypeRef::of(&super::OBJECT), vs)
            }
            _ => return None,
        },
        _ => return None,
    };
    if let Value::Obj(_) = &r {
        // Certificates are parsed per read: charge it.
        if let Err(e) = rt.charge(16) {
            return Some(Err(e));
        }
    }
    Some(Ok(r))
}

fn ns_get<'a>(cx: &'a dyn Context, ns: Ns, name: &str) -> Option<Value<'a>> {
    Some(match (ns, name) {
        (Ns::Context, "Request") => Value::Ns(Ns::Request),
        (Ns::Context, "Response") => object(cx, Ns::Response),
        (Ns::Context, "Subscription") => object(cx, Ns::Subscription),
        (Ns::Context, "Api") => Value::Ns(Ns::Api),
        (Ns::Context, "Operation") => Value::Ns(Ns::Operation),
        (Ns::Context, "Product") => object(cx, Ns::Product),
        (Ns::Context, "User") => object(cx, Ns::User),
        (Ns::Context, "Deployment") => Value::Ns(Ns::Deployment),
        (Ns::Context, "Backend") => object(cx, Ns::Backend),
        (Ns::Context, "Workspace") => object(cx, Ns::Workspace),
        (Ns::Context, "LastError") => object(cx, Ns::LastError),
        (Ns::Context, "Variables") => Value::Dict(DictKind::Variables),
        (Ns::Context, "RequestId") => match cx.text(T::RequestId).and_then(|s| parse_guid(&s)) {
            Some(g) => Value::Guid(g),
            None => Value::Null,
        },
        (Ns::Context, "Timestamp") => Value::DateTime(cx.timestamp()),
        (Ns::Context, "Elapsed") => Value::TimeSpan(cx.elapsed()),
        (Ns::Context, "Tracing") => Value::Bool(cx.flag(FlagField::Tracing)),
        (Ns::Request, "Method") => text(cx, T::RequestMethod),
        (Ns::Request, "IpAddress") => text(cx, T::IpAddress),
        (Ns::Request, "Url") => Value::Ns(Ns::Url(UrlKind::Current)),
        (Ns::Request, "OriginalUrl") => Value::Ns(Ns::Url(UrlKind::Original)),
        (Ns::Request, "Headers") => Value::Dict(DictKind::Headers(Msg::Request)),
        (Ns::Request, "MatchedParameters") => Value::Dict(DictKind::MatchedParameters),
        (Ns::Request, "Body") => object(cx, Ns::Body(Msg::Request)),
        (Ns::Request, "PrivateEndpointConnection") => Value::Null,
        (Ns::Request, "Certificate") => match cx.client_certificate() {
            Some(der) => super::crypto::certificate_from_der(&der, true).unwrap_or(Value::Null),
            None => Value::Null,
        },
        (Ns::Response, "StatusCode") => Value::Int(cx.int(IntField::ResponseStatusCode)),
        (Ns::Response, "StatusReason") => text(cx, T::ResponseStatusReason),
        (Ns::Response, "Headers") => Value::Dict(DictKind::Headers(Msg::Response)),
        (Ns::Response, "Body") => object(cx, Ns::Body(Msg::Response)),
        (Ns::Url(k), "Scheme") => text(cx, T::UrlScheme(k)),
        (Ns::Url(k), "Host") => text(cx, T::UrlHost(k)),
        (Ns::Url(k), "Path") => text(cx, T::UrlPath(k)),
        (Ns::Url(k), "QueryString") => text(cx, T::UrlQueryString(k)),
        (Ns::Url(k), "Port") => Value::Int(cx.int(IntField::UrlPort(k))),
        (Ns::Url(k), "Query") => Value::Dict(DictKind::Query(k)),
        (Ns::Subscription, "Id") => text(cx, T::SubscriptionId),
        (Ns::Subscription, "Key") => text(cx, T::SubscriptionKey),
        (Ns::Subscription, "Name") => text(cx, T::SubscriptionName),
        (Ns::Subscription, "PrimaryKey") => text(cx, T::SubscriptionPrimaryKey),
        (Ns::Subscription, "SecondaryKey") => text(cx, T::SubscriptionSecondaryKey),
        (Ns::Subscription, "CreatedDate" | "CreatedTime") => date(cx.date(DateField::SubscriptionCreated)),
        (Ns::Subscription, "StartDate") => date(cx.date(DateField::SubscriptionStart)),
        (Ns::Subscription, "EndDate") => date(cx.date(DateField::SubscriptionEnd)),
        (Ns::Api, "Id") => text(cx, T::ApiId),
        (Ns::Api, "Name") => text(cx, T::ApiName),
        (Ns::Api, "Path") => text(cx, T::ApiPath),
        (Ns::Api, "Version") => text(cx, T::ApiVersion),
        (Ns::Api, "Revision") => text(cx, T::ApiRevision),
        (Ns::Api, "IsCurrentRevision") => Value::Bool(cx.flag(FlagField::ApiIsCurrentRevision)),
        (Ns::Api, "ServiceUrl") => object(cx, Ns::Url(UrlKind::Service)),
        (Ns::Api, "SubscriptionKeyParameterNames") => Value::Ns(Ns::KeyNames),
        (Ns::Api, "Protocols") => {
            let scheme = cx
                .text(T::UrlScheme(UrlKind::Current))
                .unwrap_or(Cow::Borrowed("https"));
            Array::strings([scheme.into_owned()])
        }
        (Ns::KeyNames, "Header") => text(cx, T::ApiKeyHeaderName),
        (Ns::KeyNames, "Query") => text(cx, T::ApiKeyQueryName),
        (Ns::Operation, "Id") => text(cx, T::OperationId),
        (Ns::Operation, "Name") => text(cx, T::OperationName),
        (Ns::Operation, "Method") => text(cx, T::OperationMethod),
        (Ns::Operation, "UrlTemplate") => text(cx, T::OperationUrlTemplate),
        (Ns::Product, "Id") => text(cx, T::ProductId),
        (Ns::Product, "Name") => text(cx, T::ProductName),
        (Ns::Product, "ApprovalRequired") => Value::Bool(cx.flag(FlagField::ProductApprovalRequired)),
        (Ns::Product, "SubscriptionRequired") => Value::Bool(cx.flag(FlagField::ProductSubscriptionRequired)),
        (Ns::Product, "SubscriptionsLimit" | "SubscriptionLimit") => {
            match cx.int(IntField::ProductSubscriptionsLimit) {
                n if n < 0 => Value::Null,
                n => Value::Int(n),
            }
        }
        (Ns::Product, "State") => {
            let published = cx.text(T::ProductState).is_none_or(|s| s != "NotPublished");
            Value::Enum(&PRODUCT_STATE, i64::from(published))
        }
        (Ns::Product | Ns::User, "Groups") | (Ns::User, "Identities") => {
            Array::of(TypeRef::of(&super::OBJECT), Vec::new())
        }
        (Ns::User, "Id") => text(cx, T::UserId),
        (Ns::User, "Email") => text(cx, T::UserEmail),
        (Ns::User, "FirstName") => text(cx, T::UserFirstName),
        (Ns::User, "LastName") => text(cx, T::UserLastName),
        (Ns::User, "Note") => text(cx, T::UserNote),
        (Ns::User, "RegistrationDate") => date(cx.date(DateField::UserRegistration)),
        (Ns::Deployment, "GatewayId") => text(cx, T::DeploymentGatewayId),
        (Ns::Deployment, "Region") => text(cx, T::DeploymentRegion),
        (Ns::Deployment, "ServiceId") => text(cx, T::DeploymentServiceId),
        (Ns::Deployment, "ServiceName") => text(cx, T::DeploymentServiceName),
        (Ns::Deployment, "Gateway") => Value::Ns(Ns::Gateway),
        (Ns::Deployment, "Certificates") => Value::Dict(DictKind::Certificates),
        (Ns::Gateway, "Id") => text(cx, T::GatewayId),
        (Ns::Gateway, "InstanceId") => text(cx, T::GatewayInstanceId),
        (Ns::Gateway, "IsManaged") => Value::Bool(cx.flag(FlagField::GatewayIsManaged)),
        (Ns::Backend, "Id") => text(cx, T::BackendId),
        (Ns::Backend, "AzureRegion") => text(cx, T::BackendAzureRegion),
        (Ns::Backend, "Type") => {
            let pool = cx.text(T::BackendType).is_some_and(|s| s == "Pool");
            Value::Enum(&BACKEND_TYPE, i64::from(pool))
        }
        (Ns::Workspace, "Id") => text(cx, T::WorkspaceId),
        (Ns::Workspace, "Name") => text(cx, T::WorkspaceName),
        (Ns::LastError, "Source") => text(cx, T::LastErrorSource),
        (Ns::LastError, "Reason") => text(cx, T::LastErrorReason),
        (Ns::LastError, "Message") => text(cx, T::LastErrorMessage),
        (Ns::LastError, "Scope") => text(cx, T::LastErrorScope),
        (Ns::LastError, "Section") => text(cx, T::LastErrorSection),
        (Ns::LastError, "Path") => text(cx, T::LastErrorPath),
        (Ns::LastError, "PolicyId") => text(cx, T::LastErrorPolicyId),
        _ => return None,
    })
}

/// `8-4-4-4-12` hex digits to a Guid value.
fn parse_guid(s: &str) -> Option<u128> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    (hex.len() == 32).then(|| u128::from_str_radix(&hex, 16).ok()).flatten()
}

/// A method of a context object or dictionary.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    v: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let cx = rt.context();
    match (v, name) {
        (Value::Ns(Ns::Context), "Trace") => Some(match args {
            [m] => {
                cx.trace(&super::to_text(m));
                Ok(Value::Null)
            }
            _ => Err(EvalError::argument("Trace takes one message")),
        }),
        (Value::Ns(Ns::Url(k)), "ToString") if args.is_empty() => Some(Ok(text(cx, T::UrlFull(*k)))),
        (Value::Ns(Ns::Body(msg)), _) => body::call(rt, *msg, name, targs, args),
        (Value::Dict(d), _) => dict_call(rt, *d, name, targs, args),
        _ => None,
    }
}

/// The entries of a context dictionary, values as they are read one by one
/// (headers and query parameters as `string[]`).
fn entries<'a>(rt: &mut dyn Runtime<'a>, d: DictKind) -> Vec<(Cow<'a, str>, Value<'a>)> {
    let cx = rt.context();
    let grouped = |pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>, ci: bool| {
        let mut out: Vec<(Cow<'a, str>, Vec<String>)> = Vec::new();
        for (k, v) in pairs {
            let same = |n: &Cow<'a, str>| if ci { n.eq_ignore_ascii_case(&k) } else { **n == *k };
            match out.iter_mut().find(|(n, _)| same(n)) {
                Some((_, vs)) => vs.push(v.into_owned()),
                None => out.push((k, vec![v.into_owned()])),
            }
        }
        out.into_iter().map(|(k, vs)| (k, Array::strings(vs))).collect()
    };
    match d {
        DictKind::Headers(msg) => grouped(cx.headers(msg), true),
        DictKind::Query(url) => grouped(cx.query_pairs(url), false),
        DictKind::MatchedParameters => cx
            .matched_parameters()
            .into_iter()
            .map(|(k, v)| (k, Value::Str(v)))
            .collect(),
        DictKind::Variables => cx
            .variable_names()
            .into_iter()
            .map(|k| {
                let v = cx.variable(&k).unwrap_or(Value::Null);
                (k, v)
            })
            .collect(),
        DictKind::Certificates => cx
            .certificates()
            .into_iter()
            .map(|(k, der)| {
                (
                    k,
                    super::crypto::certificate_from_der(&der, false).unwrap_or(Value::Null),
                )
            })
            .collect(),
    }
}

/// One entry of a context dictionary by key (`None`: absent).
fn lookup<'a>(rt: &mut dyn Runtime<'a>, d: DictKind, key: &str, joined: bool) -> Option<Value<'a>> {
    let cx = rt.context();
    match d {
        DictKind::Headers(msg) => cx.header(msg, key).map(|v| values(v, joined)),
        DictKind::Query(url) => cx.query(url, key).map(|v| values(v, joined)),
        DictKind::MatchedParameters => cx.matched_parameter(key).map(Value::Str),
        DictKind::Variables => cx.variable(key),
        DictKind::Certificates => cx
            .certificates()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, der)| super::crypto::certificate_from_der(&der, false).unwrap_or(Value::Null)),
    }
}

fn values(v: crate::context::Values<'_>, joined: bool) -> Value<'_> {
    if joined {
        Value::Str(v.joined())
    } else {
        Array::strings(v.into_vec().into_iter().map(Cow::into_owned))
    }
}

fn key_arg<'v>(args: &'v [Value<'_>], name: &str) -> EvalResult<&'v str> {
    match args.first() {
        Some(Value::Str(s)) => Ok(s),
        Some(Value::Null) | None => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            format!("Value cannot be null. (Parameter 'key') in {name}"),
        )),
        Some(v) => Err(EvalError::cast(v.type_name(), "string")),
    }
}

fn dict_call<'a>(
    rt: &mut dyn Runtime<'a>,
    d: DictKind,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let r = (|| {
        Ok(match name {
            "GetValueOrDefault" => {
                let key = key_arg(args, name)?;
                let joined = !matches!(d, DictKind::Variables | DictKind::Certificates);
                let found = lookup(rt, d, key, joined);
                match (found, targs.first()) {
                    (Some(v), Some(t)) if !v.is_null() => {
                        if super::is_instance(&v, t) || t.def().is_some_and(|d| d.is(&super::OBJECT)) {
                            v
                        } else {
                            return Err(EvalError::cast(v.type_name(), t));
                        }
                    }
                    (Some(v), None) => v,
                    (_, t) => match args.get(1) {
                        Some(default) => default.clone(),
                        None => match t {
                            Some(t) => default_of(t),
                            None => Value::Null,
                        },
                    },
                }
            }
            "ContainsKey" => {
                let key = key_arg(args, name)?;
                Value::Bool(lookup(rt, d, key, true).is_some())
            }
            "TryGetValue" => {
                let key = key_arg(args, name)?;
                match lookup(rt, d, key, false) {
                    Some(v) => {
                        rt.set_out(1, v)?;
                        Value::Bool(true)
                    }
                    None => {
                        rt.set_out(1, Value::Null)?;
                        Value::Bool(false)
                    }
                }
            }
            "get_Item" => return index_dict(rt, d, args.first().cloned().unwrap_or(Value::Null)),
            _ => {
                return Err(EvalError::new(
                    EvalErrorKind::Other("MissingMemberException"),
                    String::new(),
                ))
            }
        })
    })();
    match r {
        Err(e) if e.kind == EvalErrorKind::Other("MissingMemberException") && e.message.is_empty() => None,
        r => Some(r),
    }
}

/// `default(T)` for the value types `GetValueOrDefault<T>` is used with.
fn default_of(t: &TypeRef) -> Value<'static> {
    match t.def().map(|d| d.name) {
        Some("Boolean") if !matches!(t, TypeRef::Nullable(_)) => Value::Bool(false),
        Some("Int32") if !matches!(t, TypeRef::Nullable(_)) => Value::Int(0),
        Some("Int64") if !matches!(t, TypeRef::Nullable(_)) => Value::Long(0),
        Some("Double") if !matches!(t, TypeRef::Nullable(_)) => Value::Double(0.0),
        _ => Value::Null,
    }
}

fn index_dict<'a>(rt: &mut dyn Runtime<'a>, d: DictKind, key: Value<'a>) -> EvalResult<Value<'a>> {
    let key = match &key {
        Value::Str(s) => s.clone(),
        Value::Null => {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentNull,
                "Value cannot be null. (Parameter 'key')",
            ))
        }
        v => return Err(EvalError::cast(v.type_name(), "string")),
    };
    lookup(rt, d, &key, false).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::KeyNotFound,
            format!("The given key '{key}' was not present in the dictionary."),
        )
    })
}

/// `dict[key]` on a context dictionary.
pub fn index<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
    match v {
        Value::Dict(d) => Some(index_dict(rt, *d, key)),
        _ => None,
    }
}

/// Enumerating a context dictionary: its `KeyValuePair`s.
pub fn items<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> Option<EvalResult<Vec<Value<'a>>>> {
    let Value::Dict(d) = v else { return None };
    let es = entries(rt, *d);
    if let Err(e) = rt.charge(es.len() as u64) {
        return Some(Err(e));
    }
    Some(Ok(es
        .into_iter()
        .map(|(k, v)| KeyValuePair::value(Value::Str(k), v))
        .collect()))
}
