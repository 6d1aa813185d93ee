//! The narrow interface between the language and the gateway: the names
//! of everything an expression can read from `context` ([`Ns`],
//! [`DictKind`], [`TextField`], [`IntField`], [`FlagField`],
//! [`DateField`]) and the [`Context`] trait the gateway implements over its
//! per-request state. Everything takes `&self` and may return borrowed
//! text, so evaluating `context.Request.Headers.GetValueOrDefault("h", "")`
//! copies nothing.
//!
//! Invariant: the trait is the whole surface: the library's `context`
//! family (`library::context`) maps every member of APIM's `context` API
//! (reference §3) to one of these calls, so the gateway never sees the
//! language's values other than `context.Variables`.

use std::borrow::Cow;
use std::fmt;

use crate::library::time::datetime::{DateTime, TimeSpan};
use crate::value::Value;

/// Which message: the request or the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    Request,
    Response,
}

/// Which URL: the request's current one (`context.Request.Url`, after
/// rewrite-uri), the one the client sent (`context.Request.OriginalUrl`),
/// or the API's backend (`context.Api.ServiceUrl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlKind {
    Current,
    Original,
    Service,
}

/// A read-only dictionary of `context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DictKind {
    /// `context.Request.Headers` / `context.Response.Headers`: string → string[].
    Headers(Msg),
    /// `Url.Query`: string → string[].
    Query(UrlKind),
    /// `context.Request.MatchedParameters`: string → string.
    MatchedParameters,
    /// `context.Variables`: string → object.
    Variables,
    /// `context.Deployment.Certificates`: id → X509Certificate2.
    Certificates,
}

impl DictKind {
    /// The C# type of one entry (`dict["k"]`).
    pub fn entry_type(self) -> &'static str {
        match self {
            DictKind::Headers(_) | DictKind::Query(_) => "string[]",
            DictKind::MatchedParameters => "string",
            DictKind::Variables => "object",
            DictKind::Certificates => "X509Certificate2",
        }
    }
}

impl fmt::Display for DictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DictKind::Headers(Msg::Request) => f.write_str("context.Request.Headers"),
            DictKind::Headers(Msg::Response) => f.write_str("context.Response.Headers"),
            DictKind::Query(UrlKind::Current) => f.write_str("context.Request.Url.Query"),
            DictKind::Query(UrlKind::Original) => f.write_str("context.Request.OriginalUrl.Query"),
            DictKind::Query(UrlKind::Service) => f.write_str("context.Api.ServiceUrl.Query"),
            DictKind::MatchedParameters => f.write_str("context.Request.MatchedParameters"),
            DictKind::Variables => f.write_str("context.Variables"),
            DictKind::Certificates => f.write_str("context.Deployment.Certificates"),
        }
    }
}

/// An object reachable from `context`. Evaluating one yields a tag, or
/// `null` when [`Context::present`] says the object is absent (no
/// subscription, no product, no error yet, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ns {
    Context,
    Request,
    Response,
    Url(UrlKind),
    Body(Msg),
    Subscription,
    Api,
    /// `context.Api.SubscriptionKeyParameterNames`.
    KeyNames,
    Operation,
    Product,
    User,
    Deployment,
    /// `context.Deployment.Gateway`.
    Gateway,
    Backend,
    Workspace,
    LastError,
}

impl Ns {
    /// Whether the object may be absent (its presence is asked of the context).
    pub fn may_be_absent(self) -> bool {
        matches!(
            self,
            Ns::Response
                | Ns::Subscription
                | Ns::Product
                | Ns::User
                | Ns::LastError
                | Ns::Body(_)
                | Ns::Backend
                | Ns::Workspace
                | Ns::Url(UrlKind::Service)
        )
    }
}

impl fmt::Display for Ns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ns::Context => "context",
            Ns::Request => "context.Request",
            Ns::Response => "context.Response",
            Ns::Url(UrlKind::Current) => "context.Request.Url",
            Ns::Url(UrlKind::Original) => "context.Request.OriginalUrl",
            Ns::Url(UrlKind::Service) => "context.Api.ServiceUrl",
            Ns::Body(Msg::Request) => "context.Request.Body",
            Ns::Body(Msg::Response) => "context.Response.Body",
            Ns::Subscription => "context.Subscription",
            Ns::Api => "context.Api",
            Ns::KeyNames => "context.Api.SubscriptionKeyParameterNames",
            Ns::Operation => "context.Operation",
            Ns::Product => "context.Product",
            Ns::User => "context.User",
            Ns::Deployment => "context.Deployment",
            Ns::Gateway => "context.Deployment.Gateway",
            Ns::Backend => "context.Backend",
            Ns::Workspace => "context.Workspace",
            Ns::LastError => "context.LastError",
        })
    }
}

/// A string-valued member of `context`; the context returns `None` for null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    RequestMethod,
    /// `context.Request.IpAddress`: the client's address.
    IpAddress,
    UrlScheme(UrlKind),
    UrlHost(UrlKind),
    /// The path, starting with `/`.
    UrlPath(UrlKind),
    /// The query string including its leading `?`, or empty.
    UrlQueryString(UrlKind),
    /// The whole URL (`Url.ToString()`).
    UrlFull(UrlKind),
    ResponseStatusReason,
    SubscriptionId,
    SubscriptionKey,
    SubscriptionName,
    SubscriptionPrimaryKey,
    SubscriptionSecondaryKey,
    ApiId,
    ApiName,
    ApiPath,
    ApiVersion,
    ApiRevision,
    /// `SubscriptionKeyParameterNames.Header` / `.Query`.
    ApiKeyHeaderName,
    ApiKeyQueryName,
    OperationId,
    OperationName,
    OperationMethod,
    OperationUrlTemplate,
    ProductId,
    ProductName,
    /// `Product.State`: "Published" or "NotPublished".
    ProductState,
    UserId,
    UserEmail,
    UserFirstName,
    UserLastName,
    UserNote,
    DeploymentGatewayId,
    DeploymentRegion,
    DeploymentServiceId,
    DeploymentServiceName,
    /// `Deployment.Gateway.Id` / `.InstanceId`.
    GatewayId,
    GatewayInstanceId,
    BackendId,
    BackendAzureRegion,
    /// `Backend.Type`: "Single" or "Pool".
    BackendType,
    WorkspaceId,
    WorkspaceName,
    LastErrorSource,
    LastErrorReason,
    LastErrorMessage,
    LastErrorScope,
    LastErrorSection,
    LastErrorPath,
    LastErrorPolicyId,
    /// `context.RequestId` (a Guid), in its "D" form.
    RequestId,
}

/// An int-valued member of `context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntField {
    UrlPort(UrlKind),
    ResponseStatusCode,
    /// `Product.SubscriptionsLimit` (negative: null, no limit).
    ProductSubscriptionsLimit,
}

/// A bool-valued member of `context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagField {
    /// `context.Tracing`.
    Tracing,
    ApiIsCurrentRevision,
    ProductApprovalRequired,
    ProductSubscriptionRequired,
    /// `Deployment.Gateway.IsManaged` (false on a self-hosted gateway).
    GatewayIsManaged,
}

/// A DateTime-valued member of `context` (`None`: null).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    SubscriptionCreated,
    SubscriptionStart,
    SubscriptionEnd,
    UserRegistration,
}

/// The values of one header or query parameter, in order of appearance.
#[derive(Debug, Clone, PartialEq)]
pub enum Values<'a> {
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

impl<'a> Values<'a> {
    /// As APIM's `GetValueOrDefault` returns them: joined with `,`
    /// (borrowed when there is one value).
    pub fn joined(self) -> Cow<'a, str> {
        match self {
            Values::One(v) => v,
            Values::Many(vs) => Cow::Owned(vs.join(",")),
        }
    }

    /// As the indexer returns them: a `string[]`.
    pub fn into_vec(self) -> Vec<Cow<'a, str>> {
        match self {
            Values::One(v) => vec![v],
            Values::Many(vs) => vs,
        }
    }
}

/// The request-side state an expression can read. Names are looked up as
/// the context's dictionaries define them: headers case-insensitively,
/// query parameters, matched parameters and variables case-sensitively
/// (as APIM does).
pub trait Context {
    /// A string member; `None` is C#'s `null`.
    fn text(&self, field: TextField) -> Option<Cow<'_, str>>;

    /// An int member (`Url.Port`, `Response.StatusCode`).
    fn int(&self, field: IntField) -> i32;

    /// A bool member (`context.Tracing`, `Api.IsCurrentRevision`…).
    fn flag(&self, field: FlagField) -> bool {
        matches!(
            field,
            FlagField::ApiIsCurrentRevision | FlagField::ProductSubscriptionRequired
        )
    }

    /// A DateTime member (`Subscription.CreatedDate`…); `None` is null.
    fn date(&self, field: DateField) -> Option<DateTime> {
        let _ = field;
        None
    }

    /// Whether an object that may be absent ([`Ns::may_be_absent`]) is there:
    /// `context.Subscription` is null without a subscription,
    /// `context.LastError` outside on-error, and so on.
    fn present(&self, object: Ns) -> bool;

    /// A request or response header (name case-insensitive).
    fn header(&self, msg: Msg, name: &str) -> Option<Values<'_>>;

    /// Every header of the message as (name, value), in order, one entry per
    /// field line (the library groups them by name).
    fn headers(&self, msg: Msg) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let _ = msg;
        Vec::new()
    }

    /// A query parameter of a URL.
    fn query(&self, url: UrlKind, name: &str) -> Option<Values<'_>>;

    /// Every query parameter of a URL as (name, value), in order.
    fn query_pairs(&self, url: UrlKind) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let _ = url;
        Vec::new()
    }

    /// A parameter matched by the operation's URL template.
    fn matched_parameter(&self, name: &str) -> Option<Cow<'_, str>>;

    /// Every matched parameter as (name, value).
    fn matched_parameters(&self) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        Vec::new()
    }

    /// A variable set by set-variable (see [`Value::borrowed`]).
    fn variable(&self, name: &str) -> Option<Value<'_>>;

    /// The names of every variable, in the order they were first set.
    fn variable_names(&self) -> Vec<Cow<'_, str>> {
        Vec::new()
    }

    /// Sets a variable (used by the engine's set-variable, never by an
    /// expression: `context` is read-only to expressions).
    fn set_variable(&mut self, name: &str, value: Value<'static>);

    /// `context.Timestamp`: when the gateway received the request.
    fn timestamp(&self) -> DateTime;

    /// `context.Elapsed`: time since [`Context::timestamp`].
    fn elapsed(&self) -> TimeSpan;

    /// `DateTime.UtcNow` (injectable for tests).
    fn now(&self) -> DateTime {
        DateTime::now_utc()
    }

    /// The DER encoding of the client certificate, when one was sent.
    fn client_certificate(&self) -> Option<Cow<'_, [u8]>> {
        None
    }

    /// `Certificate.Verify()`: whether the client certificate chains to a
    /// trusted CA and is within its validity period now.
    fn verify_certificate(&self) -> bool {
        false
    }

    /// `context.Deployment.Certificates`: (id, DER) of the gateway's
    /// certificates.
    fn certificates(&self) -> Vec<(Cow<'_, str>, Cow<'_, [u8]>)> {
        Vec::new()
    }

    /// `context.Request.Body` / `context.Response.Body`: the body bytes, or
    /// a message saying why they are not available (the engine buffers
    /// bodies only where a policy asks for them). `preserve_content: false`
    /// consumes the body, as in APIM (the engine decides what that means
    /// for the message it forwards).
    fn body(&self, msg: Msg, preserve_content: bool) -> Result<Cow<'_, [u8]>, String> {
        let _ = (msg, preserve_content);
        Err("the message body is not available to expressions here".into())
    }

    /// `context.Trace(message)`: records a trace message (a no-op unless
    /// tracing is on).
    fn trace(&self, message: &str) {
        let _ = message;
    }
}
