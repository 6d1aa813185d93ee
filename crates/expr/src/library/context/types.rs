//! The interface types of `context`'s objects and dictionaries
//! (`IContext`, `IRequest`, `IUrl`, `IHeaders`…) with their member tables:
//! what the checker resolves `context.…` chains against, and what
//! `library::type_of` answers for a context value.
//!
//! Invariant: every member listed here is answered by `super::get` or
//! `super::call` (the context conformance cases read each of them).

use crate::context::{DictKind, Ns};
use crate::types::{m, Apim, Member, TypeDef, TypeKind};
use crate::value::Value;

const NS: &str = "Microsoft.Azure.ApiManagement";

macro_rules! iface {
    ($id:ident, $name:literal, [$($mem:expr),* $(,)?]) => {
        iface!($id, $name, [$($mem),*], []);
    };
    ($id:ident, $name:literal, [$($mem:expr),* $(,)?], [$($un:literal),* $(,)?]) => {
        pub static $id: TypeDef = TypeDef {
            name: $name,
            namespace: NS,
            kind: TypeKind::Interface,
            apim: Apim::Helper,
            members: &[$($mem),*],
            unimplemented: &[$($un),*],
            ..TypeDef::EMPTY
        };
    };
}

iface!(
    CONTEXT,
    "IContext",
    [
        m("Api", "IApi"),
        m("Backend", "IBackend"),
        m("Deployment", "IDeployment"),
        m("Elapsed", "TimeSpan"),
        m("LastError", "ILastError"),
        m("Operation", "IOperation"),
        m("Product", "IProduct"),
        m("Request", "IRequest"),
        m("RequestId", "Guid"),
        m("Response", "IResponse"),
        m("Subscription", "ISubscription"),
        m("Timestamp", "DateTime"),
        m("Tracing", "bool"),
        m("User", "IUser"),
        m("Variables", "IVariables"),
        m("Trace", "void"),
        m("Workspace", "IWorkspace"),
    ],
    ["GraphQL"]
);
iface!(
    REQUEST,
    "IRequest",
    [
        m("Body", "IMessageBody"),
        m("Certificate", "X509Certificate2"),
        m("Headers", "IHeaders"),
        m("IpAddress", "string"),
        m("MatchedParameters", "IMatchedParameters"),
        m("Method", "string"),
        m("OriginalUrl", "IUrl"),
        m("Url", "IUrl"),
        m("PrivateEndpointConnection", "object"),
    ]
);
/// `context.Response` (a stored send-request response is the `apim`
/// family's `IResponse`, with the same members).
pub static RESPONSE: TypeDef = TypeDef {
    name: "IResponse",
    namespace: "Microsoft.Azure.ApiManagement.Context",
    kind: TypeKind::Interface,
    apim: Apim::Helper,
    members: &[
        m("Body", "IMessageBody"),
        m("Headers", "IHeaders"),
        m("StatusCode", "int"),
        m("StatusReason", "string"),
    ],
    ..TypeDef::EMPTY
};
/// `context.Request.Body` / `context.Response.Body`.
pub static BODY: TypeDef = TypeDef {
    name: "IMessageBody",
    namespace: "Microsoft.Azure.ApiManagement.Context",
    kind: TypeKind::Interface,
    apim: Apim::Helper,
    members: &[m("As", "T"), m("AsFormUrlEncodedContent", "?")],
    ..TypeDef::EMPTY
};
iface!(
    URL,
    "IUrl",
    [
        m("Host", "string"),
        m("Path", "string"),
        m("Port", "int"),
        m("Query", "IQuery"),
        m("QueryString", "string"),
        m("Scheme", "string"),
    ]
);
iface!(
    API,
    "IApi",
    [
        m("Id", "string"),
        m("IsCurrentRevision", "bool"),
        m("Name", "string"),
        m("Path", "string"),
        m("Protocols", "string[]"),
        m("Revision", "string"),
        m("ServiceUrl", "IUrl"),
        m("SubscriptionKeyParameterNames", "ISubscriptionKeyParameterNames"),
        m("Version", "string"),
    ]
);
iface!(
    KEY_NAMES,
    "ISubscriptionKeyParameterNames",
    [m("Header", "string"), m("Query", "string")]
);
iface!(
    OPERATION,
    "IOperation",
    [
        m("Id", "string"),
        m("Method", "string"),
        m("Name", "string"),
        m("UrlTemplate", "string")
    ]
);
iface!(
    PRODUCT,
    "IProduct",
    [
        m("ApprovalRequired", "bool"),
        m("Groups", "?"),
        m("Id", "string"),
        m("Name", "string"),
        m("State", "ProductState"),
        m("SubscriptionsLimit", "int?"),
        m("SubscriptionLimit", "int?"),
        m("SubscriptionRequired", "bool"),
    ],
    ["Apis"]
);
iface!(
    SUBSCRIPTION,
    "ISubscription",
    [
        m("CreatedDate", "DateTime"),
        m("CreatedTime", "DateTime"),
        m("EndDate", "DateTime?"),
        m("Id", "string"),
        m("Key", "string"),
        m("Name", "string"),
        m("PrimaryKey", "string"),
        m("SecondaryKey", "string"),
        m("StartDate", "DateTime?"),
    ]
);
iface!(
    USER,
    "IUser",
    [
        m("Email", "string"),
        m("FirstName", "string"),
        m("Groups", "?"),
        m("Id", "string"),
        m("Identities", "?"),
        m("LastName", "string"),
        m("Note", "string"),
        m("RegistrationDate", "DateTime"),
    ]
);
iface!(
    DEPLOYMENT,
    "IDeployment",
    [
        m("Gateway", "IGateway"),
        m("GatewayId", "string"),
        m("Region", "string"),
        m("ServiceId", "string"),
        m("ServiceName", "string"),
        m("Certificates", "ICertificates"),
    ],
    ["SustainabilityInfo"]
);
iface!(
    GATEWAY,
    "IGateway",
    [m("Id", "string"), m("InstanceId", "string"), m("IsManaged", "bool")]
);
iface!(
    BACKEND,
    "IBackend",
    [m("AzureRegion", "string"), m("Id", "string"), m("Type", "BackendType")]
);
iface!(WORKSPACE, "IWorkspace", [m("Id", "string"), m("Name", "string")]);
iface!(
    LAST_ERROR,
    "ILastError",
    [
        m("Source", "string"),
        m("Reason", "string"),
        m("Message", "string"),
        m("Scope", "string"),
        m("Section", "string"),
        m("Path", "string"),
        m("PolicyId", "string"),
    ]
);

const DICT_MEMBERS: &[Member] = &[
    m("this[]", "?"),
    m("GetValueOrDefault", "?"),
    m("ContainsKey", "bool"),
    m("TryGetValue", "bool"),
    m("Keys", "string[]"),
    m("Values", "?"),
    m("Count", "int"),
];

macro_rules! dict {
    ($id:ident, $name:literal) => {
        pub static $id: TypeDef = TypeDef {
            name: $name,
            namespace: NS,
            kind: TypeKind::Interface,
            apim: Apim::Helper,
            bases: &["IReadOnlyDictionary", "IEnumerable", "IReadOnlyCollection"],
            members: DICT_MEMBERS,
            ..TypeDef::EMPTY
        };
    };
}

dict!(HEADERS, "IHeaders");
dict!(QUERY, "IQuery");
dict!(MATCHED, "IMatchedParameters");
dict!(VARIABLES, "IVariables");
dict!(CERTIFICATES, "ICertificates");

/// `Product.State`.
pub static PRODUCT_STATE: TypeDef = TypeDef {
    name: "ProductState",
    namespace: NS,
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    enum_values: &[("NotPublished", 0), ("Published", 1)],
    ..TypeDef::EMPTY
};

/// `Backend.Type`.
pub static BACKEND_TYPE: TypeDef = TypeDef {
    name: "BackendType",
    namespace: NS,
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    enum_values: &[("Single", 0), ("Pool", 1)],
    ..TypeDef::EMPTY
};

/// The context's types that member tables name (the two that share a
/// name with the `apim` family's stored-message types are not listed, so
/// `(IResponse)x` names that one).
pub static TYPES: &[&TypeDef] = &[
    &CONTEXT,
    &REQUEST,
    &URL,
    &API,
    &KEY_NAMES,
    &OPERATION,
    &PRODUCT,
    &SUBSCRIPTION,
    &USER,
    &DEPLOYMENT,
    &GATEWAY,
    &BACKEND,
    &WORKSPACE,
    &LAST_ERROR,
    &HEADERS,
    &QUERY,
    &MATCHED,
    &VARIABLES,
    &CERTIFICATES,
    &PRODUCT_STATE,
    &BACKEND_TYPE,
];

/// The interface type of a context object or dictionary.
pub fn type_of(v: &Value<'_>) -> Option<&'static TypeDef> {
    Some(match v {
        Value::Ns(ns) => match ns {
            Ns::Context => &CONTEXT,
            Ns::Request => &REQUEST,
            Ns::Response => &RESPONSE,
            Ns::Url(_) => &URL,
            Ns::Body(_) => &BODY,
            Ns::Subscription => &SUBSCRIPTION,
            Ns::Api => &API,
            Ns::KeyNames => &KEY_NAMES,
            Ns::Operation => &OPERATION,
            Ns::Product => &PRODUCT,
            Ns::User => &USER,
            Ns::Deployment => &DEPLOYMENT,
            Ns::Gateway => &GATEWAY,
            Ns::Backend => &BACKEND,
            Ns::Workspace => &WORKSPACE,
            Ns::LastError => &LAST_ERROR,
        },
        Value::Dict(d) => match d {
            DictKind::Headers(_) => &HEADERS,
            DictKind::Query(_) => &QUERY,
            DictKind::MatchedParameters => &MATCHED,
            DictKind::Variables => &VARIABLES,
            DictKind::Certificates => &CERTIFICATES,
        },
        _ => return None,
    })
}
