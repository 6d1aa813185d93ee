//! The `context` object tree: which members `context`, `context.Request`,
//! `.Response`, `.Url`, `.Certificate`, `.Subscription`, `.Api`,
//! `.Operation`, `.Product`, `.User`, `.Deployment` and `.LastError` have,
//! and what each one reads.
//!
//! Invariants: the table is the whole context surface of the subset: a
//! member not listed here is a compile error naming it, never a runtime
//! lookup; every entry's [`Type`] is what the evaluator's [`Member`] read
//! produces (nullable lifting is applied by the caller).

use super::super::ir::Member;
use super::super::types::{CertDate, CertName, DictKind, IntField, Msg, Ns, TextField as T, Type, UrlKind};

/// What a member of a context object is.
pub(super) fn context_member(ns: Ns, name: &str) -> Option<(Member, Type)> {
    use Member::{Dict, Int, Ns as N, Text};
    let text = |f| Some((Text(f), Type::String));
    match (ns, name) {
        (Ns::Context, "Request") => Some((N(Ns::Request), Type::Ns(Ns::Request))),
        (Ns::Context, "Response") => Some((N(Ns::Response), Type::Ns(Ns::Response))),
        (Ns::Context, "Subscription") => Some((N(Ns::Subscription), Type::Ns(Ns::Subscription))),
        (Ns::Context, "Api") => Some((N(Ns::Api), Type::Ns(Ns::Api))),
        (Ns::Context, "Operation") => Some((N(Ns::Operation), Type::Ns(Ns::Operation))),
        (Ns::Context, "Product") => Some((N(Ns::Product), Type::Ns(Ns::Product))),
        (Ns::Context, "User") => Some((N(Ns::User), Type::Ns(Ns::User))),
        (Ns::Context, "Deployment") => Some((N(Ns::Deployment), Type::Ns(Ns::Deployment))),
        (Ns::Context, "LastError") => Some((N(Ns::LastError), Type::Ns(Ns::LastError))),
        (Ns::Context, "Variables") => Some((Dict(DictKind::Variables), Type::Dict(DictKind::Variables))),
        (Ns::Context, "RequestId") => Some((Text(T::RequestId), Type::Guid)),
        (Ns::Context, "Timestamp") => Some((Member::Timestamp, Type::DateTime)),
        (Ns::Context, "Elapsed") => Some((Member::Elapsed, Type::TimeSpan)),
        (Ns::Request, "Method") => text(T::RequestMethod),
        (Ns::Request, "IpAddress") => text(T::IpAddress),
        (Ns::Request, "Url") => Some((N(Ns::Url(UrlKind::Current)), Type::Ns(Ns::Url(UrlKind::Current)))),
        (Ns::Request, "OriginalUrl") => Some((N(Ns::Url(UrlKind::Original)), Type::Ns(Ns::Url(UrlKind::Original)))),
        (Ns::Request, "Headers") => Some((
            Dict(DictKind::Headers(Msg::Request)),
            Type::Dict(DictKind::Headers(Msg::Request)),
        )),
        (Ns::Request, "MatchedParameters") => Some((
            Dict(DictKind::MatchedParameters),
            Type::Dict(DictKind::MatchedParameters),
        )),
        (Ns::Request, "Body") => Some((N(Ns::Body(Msg::Request)), Type::Ns(Ns::Body(Msg::Request)))),
        (Ns::Request, "Certificate") => Some((N(Ns::Certificate), Type::Ns(Ns::Certificate))),
        (Ns::Certificate, "Subject") | (Ns::CertName(CertName::Subject), "Name") => text(T::CertSubject),
        (Ns::Certificate, "Issuer") | (Ns::CertName(CertName::Issuer), "Name") => text(T::CertIssuer),
        (Ns::Certificate, "Thumbprint") => text(T::CertThumbprint),
        (Ns::Certificate, "SerialNumber") => text(T::CertSerialNumber),
        (Ns::Certificate, "Version") => Some((Int(IntField::CertVersion), Type::Int)),
        (Ns::Certificate, "NotBefore") => Some((Member::CertDate(CertDate::NotBefore), Type::DateTime)),
        (Ns::Certificate, "NotAfter") => Some((Member::CertDate(CertDate::NotAfter), Type::DateTime)),
        (Ns::Certificate, "SubjectName") => Some((
            N(Ns::CertName(CertName::Subject)),
            Type::Ns(Ns::CertName(CertName::Subject)),
        )),
        (Ns::Certificate, "IssuerName") => Some((
            N(Ns::CertName(CertName::Issuer)),
            Type::Ns(Ns::CertName(CertName::Issuer)),
        )),
        (Ns::Response, "StatusCode") => Some((Int(IntField::ResponseStatusCode), Type::Int)),
        (Ns::Response, "StatusReason") => text(T::ResponseStatusReason),
        (Ns::Response, "Headers") => Some((
            Dict(DictKind::Headers(Msg::Response)),
            Type::Dict(DictKind::Headers(Msg::Response)),
        )),
        (Ns::Response, "Body") => Some((N(Ns::Body(Msg::Response)), Type::Ns(Ns::Body(Msg::Response)))),
        (Ns::Url(k), "Scheme") => text(T::UrlScheme(k)),
        (Ns::Url(k), "Host") => text(T::UrlHost(k)),
        (Ns::Url(k), "Path") => text(T::UrlPath(k)),
        (Ns::Url(k), "QueryString") => text(T::UrlQueryString(k)),
        (Ns::Url(k), "Port") => Some((Int(IntField::UrlPort(k)), Type::Int)),
        (Ns::Url(k), "Query") => Some((Dict(DictKind::Query(k)), Type::Dict(DictKind::Query(k)))),
        (Ns::Subscription, "Id") => text(T::SubscriptionId),
        (Ns::Subscription, "Key") => text(T::SubscriptionKey),
        (Ns::Subscription, "Name") => text(T::SubscriptionName),
        (Ns::Subscription, "PrimaryKey") => text(T::SubscriptionPrimaryKey),
        (Ns::Subscription, "SecondaryKey") => text(T::SubscriptionSecondaryKey),
        (Ns::Api, "Id") => text(T::ApiId),
        (Ns::Api, "Name") => text(T::ApiName),
        (Ns::Api, "Path") => text(T::ApiPath),
        (Ns::Api, "Version") => text(T::ApiVersion),
        (Ns::Api, "Revision") => text(T::ApiRevision),
        (Ns::Operation, "Id") => text(T::OperationId),
        (Ns::Operation, "Name") => text(T::OperationName),
        (Ns::Operation, "Method") => text(T::OperationMethod),
        (Ns::Operation, "UrlTemplate") => text(T::OperationUrlTemplate),
        (Ns::Product, "Id") => text(T::ProductId),
        (Ns::Product, "Name") => text(T::ProductName),
        (Ns::User, "Id") => text(T::UserId),
        (Ns::User, "Email") => text(T::UserEmail),
        (Ns::User, "FirstName") => text(T::UserFirstName),
        (Ns::User, "LastName") => text(T::UserLastName),
        (Ns::Deployment, "GatewayId") => text(T::DeploymentGatewayId),
        (Ns::Deployment, "Region") => text(T::DeploymentRegion),
        (Ns::Deployment, "ServiceName") => text(T::DeploymentServiceName),
        (Ns::LastError, "Source") => text(T::LastErrorSource),
        (Ns::LastError, "Reason") => text(T::LastErrorReason),
        (Ns::LastError, "Message") => text(T::LastErrorMessage),
        (Ns::LastError, "Scope") => text(T::LastErrorScope),
        (Ns::LastError, "Section") => text(T::LastErrorSection),
        (Ns::LastError, "Path") => text(T::LastErrorPath),
        (Ns::LastError, "PolicyId") => text(T::LastErrorPolicyId),
        _ => None,
    }
}
