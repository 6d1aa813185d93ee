//! The narrow interface between the language and the gateway: the names
//! of everything an expression can read from `context` ([`Ns`],
//! [`DictKind`], [`TextField`], [`IntField`]) and the [`Context`] trait the
//! gateway implements over its per-request state. Everything takes `&self`
//! and may return borrowed text, so evaluating
//! `context.Request.Headers.GetValueOrDefault("h", "")` copies nothing.

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

/// Which URL of the request: the current one (`context.Request.Url`, after
/// rewrite-uri) or the one the client sent (`context.Request.OriginalUrl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlKind {
    Current,
    Original,
}

/// A read-only dictionary of `context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DictKind {
    /// `context.Request.Headers` / `context.Response.Headers`: string → string[].
    Headers(Msg),
    /// `context.Request.Url.Query`: string → string[].
    Query(UrlKind),
    /// `context.Request.MatchedParameters`: string → string.
    MatchedParameters,
    /// `context.Variables`: string → object.
    Variables,
}

impl DictKind {
    /// The C# type of one entry (`dict["k"]`).
    pub fn entry_type(self) -> &'static str {
        match self {
            DictKind::Headers(_) | DictKind::Query(_) => "string[]",
            DictKind::MatchedParameters => "string",
            DictKind::Variables => "object",
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
            DictKind::MatchedParameters => f.write_str("context.Request.MatchedParameters"),
            DictKind::Variables => f.write_str("context.Variables"),
        }
    }
}

/// An object reachable from `context`. Evaluating one yields a tag, or
/// `null` when [`Context::present`](super::Context::present) says the
/// object is absent (no subscription, no product, no error yet, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ns {
    Context,
    Request,
    Response,
    Url(UrlKind),
    Body(Msg),
    Subscription,
    Api,
    Operation,
    Product,
    User,
    Deployment,
    LastError,
    /// `context.Request.Certificate`: the client certificate (null without one).
    Certificate,
    /// `Certificate.SubjectName` / `.IssuerName` (an `X500DistinguishedName`).
    CertName(CertName),
}

/// Which distinguished name of the client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertName {
    Subject,
    Issuer,
}

/// A DateTime-valued member of the client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertDate {
    NotBefore,
    NotAfter,
}

impl Ns {
    /// Whether the object may be absent (its presence is asked of the context).
    pub fn may_be_absent(self) -> bool {
        matches!(
            self,
            Ns::Response | Ns::Subscription | Ns::Product | Ns::User | Ns::LastError | Ns::Certificate
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
            Ns::Body(Msg::Request) => "context.Request.Body",
            Ns::Body(Msg::Response) => "context.Response.Body",
            Ns::Subscription => "context.Subscription",
            Ns::Api => "context.Api",
            Ns::Operation => "context.Operation",
            Ns::Product => "context.Product",
            Ns::User => "context.User",
            Ns::Deployment => "context.Deployment",
            Ns::LastError => "context.LastError",
            Ns::Certificate => "context.Request.Certificate",
            Ns::CertName(CertName::Subject) => "context.Request.Certificate.SubjectName",
            Ns::CertName(CertName::Issuer) => "context.Request.Certificate.IssuerName",
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
    OperationId,
    OperationName,
    OperationMethod,
    OperationUrlTemplate,
    ProductId,
    ProductName,
    UserId,
    UserEmail,
    UserFirstName,
    UserLastName,
    DeploymentGatewayId,
    DeploymentRegion,
    DeploymentServiceName,
    LastErrorSource,
    LastErrorReason,
    LastErrorMessage,
    LastErrorScope,
    LastErrorSection,
    LastErrorPath,
    LastErrorPolicyId,
    /// `context.RequestId` (a Guid in APIM), in its "D" form.
    RequestId,
    /// `Certificate.Subject` / `.SubjectName.Name`, formatted as .NET does
    /// (`CN=client, O=Example, C=NL`: most specific first).
    CertSubject,
    /// `Certificate.Issuer` / `.IssuerName.Name`.
    CertIssuer,
    /// `Certificate.Thumbprint`: SHA-1 of the DER, uppercase hex.
    CertThumbprint,
    /// `Certificate.SerialNumber`: uppercase hex, big-endian.
    CertSerialNumber,
    /// `Certificate.ToString()`: .NET's `[Subject]`… block.
    CertText,
}

/// An int-valued member of `context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntField {
    UrlPort(UrlKind),
    ResponseStatusCode,
    /// `Certificate.Version` (3 for X.509 v3).
    CertVersion,
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

    /// Whether an object that may be absent ([`Ns::may_be_absent`]) is there:
    /// `context.Subscription` is null without a subscription,
    /// `context.LastError` outside on-error, and so on.
    fn present(&self, object: Ns) -> bool;

    /// A request or response header (name case-insensitive).
    fn header(&self, msg: Msg, name: &str) -> Option<Values<'_>>;

    /// A query parameter of the current or original URL.
    fn query(&self, url: UrlKind, name: &str) -> Option<Values<'_>>;

    /// A parameter matched by the operation's URL template.
    fn matched_parameter(&self, name: &str) -> Option<Cow<'_, str>>;

    /// A variable set by set-variable (see [`Value::borrowed`]).
    fn variable(&self, name: &str) -> Option<Value<'_>>;

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

    /// `Certificate.NotBefore` / `.NotAfter` (read only when the certificate
    /// is present).
    fn certificate_date(&self, which: CertDate) -> DateTime {
        let _ = which;
        DateTime::from_unix_seconds(0)
    }

    /// `Certificate.Verify()`: whether the client certificate chains to a
    /// trusted CA and is within its validity period now.
    fn verify_certificate(&self) -> bool {
        false
    }

    /// `context.Request.Body.As<string>(preserveContent)`: the body text, or
    /// a message saying why it is not available (the engine buffers bodies
    /// only where a policy asks for them).
    fn body(&self, msg: Msg, preserve_content: bool) -> Result<Cow<'_, str>, String> {
        let _ = (msg, preserve_content);
        Err("the message body is not available to expressions here".into())
    }
}
