//! `send-request`: call a service and keep its response, as an `IResponse`,
//! in `context.Variables`.
//!
//! ```xml
//! <send-request mode="new" response-variable-name="token" timeout="20" ignore-error="false">
//!   <set-url>https://login.example.com/oauth2/token</set-url>
//!   <set-method>POST</set-method>
//!   <set-header name="Content-Type" exists-action="override"><value>application/x-www-form-urlencoded</value></set-header>
//!   <set-body>@("grant_type=client_credentials&client_id=" + context.Variables["id"])</set-body>
//! </send-request>
//! ```
//! The request is built by `policy::outgoing` (modes, children); the proxy
//! sends it over the worker's connection pools (`proxy::call`). Failures
//! (source `send-request`): no complete response within `timeout` (default
//! 60 s) → reason `Timeout`; refused or broken connection, TLS failure, a
//! response that is not HTTP, or one whose body is larger than
//! `policy.body.max-bytes` → `BackendConnectionFailure`. With
//! `ignore-error="true"` the variable is set to `null` instead. Any status
//! is a response (a 500 answer is not an error). Allowed in every section;
//! may be a child of `wait`.
//!
//! A child `<authentication-managed-identity resource="…"/>` sends the
//! call with `Authorization: Bearer <token>` for that resource (the
//! worker's token, or a wait for the identity-provider thread before the
//! call is sent: `effect::Bearer`); without a token the policy fails
//! with reason `TokenAcquisitionFailed` (source
//! `authentication-managed-identity`) unless the child says
//! `ignore-error="true"` (the call goes without it) or `send-request`
//! does (the variable is `null`).

use std::borrow::Cow;

use super::compile::{CompileError, Compiler, Element};
use super::effect::{Effect, Outcome};
use super::exec::Run;
use super::expr::{Value, Want};
use super::failure::Failure;
use super::outgoing::{self, Outgoing};
use super::text::Text;

#[derive(Clone, Debug)]
pub struct SendRequest {
    pub out: Outgoing,
    /// `response-variable-name`.
    pub variable: Text,
    pub ignore_error: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SendRequest, CompileError> {
    let variable = c
        .text_attr(el, "response-variable-name", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `response-variable-name`"))?;
    if variable.literal().is_some_and(|v| v.trim().is_empty()) {
        return Err(c.error(el, "empty `response-variable-name`"));
    }
    Ok(SendRequest {
        ignore_error: c.boolean(el, "ignore-error", false)?,
        out: outgoing::compile(c, el, "send-request", 60)?,
        variable,
    })
}

impl SendRequest {
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        let mut call = self.out.build(r, r.env.services.body_max)?;
        if let Some(identity) = &self.out.identity {
            identity.for_call(r, &mut call)?;
        }
        Ok(Effect::Http(Box::new(call)))
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        let outcome = match (outcome, &self.out.identity) {
            (Outcome::Authorized(token, inner), Some(identity)) => {
                identity.output(r, &token)?;
                *inner
            }
            (Outcome::Authorized(_, inner), None) => *inner,
            (o, _) => o,
        };
        let value = match outcome {
            Outcome::Http(Ok(resp)) => {
                outpost_expr::library::apim::response(i32::from(resp.status), &resp.reason, resp.headers, resp.body)
            }
            Outcome::Http(Err(e)) if self.ignore_error => {
                tracing::debug!(error = %e, "send-request failed; ignore-error sets the variable to null");
                Value::Null
            }
            Outcome::Http(Err(e)) => return Err(e.failure("send-request")),
            Outcome::Authority(Err(e)) if self.ignore_error => {
                tracing::debug!(error = %e, "send-request: no token for the call; ignore-error sets the variable to null");
                Value::Null
            }
            Outcome::Authority(Err(e)) => {
                return Err(super::authentication_managed_identity::AuthenticationManagedIdentity::failure(&e))
            }
            Outcome::Done | Outcome::Cache(_) | Outcome::Authority(Ok(_)) | Outcome::Authorized(..) => Value::Null,
        };
        set_variable(r, &self.variable, "send-request", value)
    }
}

/// Sets the variable named by `name` (a literal or an expression).
pub fn set_variable<'p>(
    r: &mut Run<'_, 'p>,
    name: &'p Text,
    source: &'static str,
    value: Value<'static>,
) -> Result<(), Failure> {
    let name: Cow<'p, str> = match name {
        Text::Lit(s) => Cow::Borrowed(s.trim()),
        t => r.eval(t, source)?,
    };
    r.flow.set_var(name, value);
    Ok(())
}
