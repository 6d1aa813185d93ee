//! Static types of the expression language and the names of everything an
//! expression can read from `context`.
//!
//! Invariant: a [`Type`] other than [`Type::Object`] describes the runtime
//! [`Value`](super::Value) variant exactly (or `Null` for reference and
//! nullable types); the checker inserts explicit conversions where C# would
//! convert implicitly (int → double), so the evaluator never guesses.

use std::fmt;

/// A value type that can be made nullable (`int?`), e.g. by `?.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prim {
    Bool,
    Int,
    Double,
    Char,
    Guid,
    DateTime,
    TimeSpan,
}

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// The type of the `null` literal.
    Null,
    Bool,
    Int,
    Double,
    Char,
    String,
    StringArray,
    /// `object`: the values of `context.Variables`; cast it to use it.
    Object,
    /// `System.Guid` (runtime: its "D" string form).
    Guid,
    DateTime,
    TimeSpan,
    /// A read-only dictionary of `context`.
    Dict(DictKind),
    /// An object of `context` (`context.Request`, `context.Api`, ...).
    Ns(Ns),
    /// `T?` for a value type.
    Nullable(Prim),
}

impl Type {
    /// Whether `null` is a value of this type.
    pub fn admits_null(self) -> bool {
        self.prim().is_none() || matches!(self, Type::Nullable(_))
    }

    /// The value-type part of the type, for value types and their nullables.
    pub fn prim(self) -> Option<Prim> {
        Some(match self {
            Type::Bool => Prim::Bool,
            Type::Int => Prim::Int,
            Type::Double => Prim::Double,
            Type::Char => Prim::Char,
            Type::Guid => Prim::Guid,
            Type::DateTime => Prim::DateTime,
            Type::TimeSpan => Prim::TimeSpan,
            Type::Nullable(p) => p,
            _ => return None,
        })
    }

    /// The type with `?` added when it is a value type (`int` → `int?`).
    pub fn nullable(self) -> Type {
        match self {
            Type::Nullable(_) => self,
            _ => match self.prim() {
                Some(p) => Type::Nullable(p),
                None => self,
            },
        }
    }

    /// The type with `?` removed (`int?` → `int`).
    pub fn non_null(self) -> Type {
        match self {
            Type::Nullable(p) => Type::from(p),
            _ => self,
        }
    }

    /// `int`, `double` or `char` (nullable or not): operands of arithmetic.
    pub fn is_numeric(self) -> bool {
        matches!(self.non_null(), Type::Int | Type::Double | Type::Char)
    }
}

impl From<Prim> for Type {
    fn from(p: Prim) -> Type {
        match p {
            Prim::Bool => Type::Bool,
            Prim::Int => Type::Int,
            Prim::Double => Type::Double,
            Prim::Char => Type::Char,
            Prim::Guid => Type::Guid,
            Prim::DateTime => Type::DateTime,
            Prim::TimeSpan => Type::TimeSpan,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Null => f.write_str("null"),
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Double => f.write_str("double"),
            Type::Char => f.write_str("char"),
            Type::String => f.write_str("string"),
            Type::StringArray => f.write_str("string[]"),
            Type::Object => f.write_str("object"),
            Type::Guid => f.write_str("Guid"),
            Type::DateTime => f.write_str("DateTime"),
            Type::TimeSpan => f.write_str("TimeSpan"),
            Type::Dict(d) => write!(f, "{d}"),
            Type::Ns(ns) => write!(f, "{ns}"),
            Type::Nullable(p) => write!(f, "{}?", Type::from(*p)),
        }
    }
}

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
    /// The static type of one entry (`dict["k"]`).
    pub fn entry_type(self) -> Type {
        match self {
            DictKind::Headers(_) | DictKind::Query(_) => Type::StringArray,
            DictKind::MatchedParameters => Type::String,
            DictKind::Variables => Type::Object,
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
