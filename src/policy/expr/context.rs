//! What an expression reads from the request being processed: the
//! [`Context`] trait the policy engine implements over its per-request
//! state. Everything takes `&self` and may return borrowed text, so
//! evaluating `context.Request.Headers.GetValueOrDefault("h", "")` copies
//! nothing.

use std::borrow::Cow;

use super::datetime::{DateTime, TimeSpan};
use super::types::{CertDate, IntField, Msg, Ns, TextField, UrlKind};
use super::value::Value;

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
