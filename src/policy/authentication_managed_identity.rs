//! `authentication-managed-identity`: get an OAuth2 token for `resource`
//! from an identity configured on the gateway and send it to the backend.
//!
//! ```xml
//! <authentication-managed-identity resource="api://orders" client-id="orders-app"
//!     output-token-variable-name="token" ignore-error="false"/>
//! ```
//! `resource` (*expr*, required): the token's audience (Entra: asked as
//! `{resource}/.default`). `client-id`: which identity (an
//! `authority.identity.<name>` by name or client id); absent: the identity
//! named `default`. `authentication-provider="WorkloadIdentity"`: the
//! identity `workload-identity` (built from Entra Workload ID's
//! `AZURE_CLIENT_ID`/`AZURE_TENANT_ID`/`AZURE_FEDERATED_TOKEN_FILE`
//! environment when not configured); APIM says not to combine it with
//! `client-id`. `output-token-variable-name`: the token also goes into
//! that variable (a string). `ignore-error="true"`: without a token the
//! pipeline goes on unchanged.
//!
//! Sets `Authorization: Bearer <token>` (replacing the client's). The
//! token comes from the worker's copy (`Services::authority`) when it
//! has one; otherwise the request waits (at most `authority.wait.timeout`)
//! for the identity-provider thread. Tokens are cached until shortly
//! before they expire and refreshed ahead of expiry off the request path;
//! when the authority is down a cached token is used until it expires,
//! then the policy fails: 500, `LastError.Reason`
//! `TokenAcquisitionFailed` (our name: APIM documents none).
//!
//! As a child of `send-request` (any section) the token goes on the
//! call instead of the request: `send-request` asks [`for_call`]
//! (the worker's token at once, or a [`Bearer`] the proxy waits for
//! before sending the call, within the same `Effect::Http`), and its
//! `finish` sets the output variable ([`output`]). Without a token and
//! without `ignore-error` the call is not sent and `send-request` fails
//! with the same reason (or sets its variable to `null` with its own
//! `ignore-error="true"`).
//!
//! [`for_call`]: AuthenticationManagedIdentity::for_call
//! [`output`]: AuthenticationManagedIdentity::output

use std::borrow::Cow;

use super::compile::{CompileError, Compiler, Element, Section};
use super::effect::{Bearer, Effect, HttpCall, Outcome};
use super::exec::Run;
use super::expr::Want as ExprWant;
use super::failure::Failure;
use super::text::Text;
use crate::authority::{Got, Token, Want};
use outpost_expr::Value;

const SOURCE: &str = "authentication-managed-identity";
/// The identity `authentication-provider="WorkloadIdentity"` uses.
pub const WORKLOAD_IDENTITY: &str = "workload-identity";

#[derive(Clone, Debug)]
pub struct AuthenticationManagedIdentity {
    pub resource: Text,
    /// The identity asked for ("" = `default`).
    pub identity: String,
    pub output: Option<Text>,
    pub ignore_error: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<AuthenticationManagedIdentity, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    parse(c, el)
}

/// The element's attributes, wherever it is (`send-request`'s child in
/// any section).
pub fn parse(c: &mut Compiler<'_>, el: &Element) -> Result<AuthenticationManagedIdentity, CompileError> {
    let resource = c
        .text_attr(el, "resource", ExprWant::String)?
        .ok_or_else(|| c.error(el, "missing attribute `resource`"))?;
    let client_id = c.attr(el, "client-id").map(str::trim).filter(|s| !s.is_empty());
    let identity = match c.attr(el, "authentication-provider").map(str::trim) {
        None | Some("") => client_id.unwrap_or_default().to_owned(),
        Some(p) if p.eq_ignore_ascii_case("WorkloadIdentity") => {
            if client_id.is_some() {
                return Err(c.error(
                    el,
                    "client-id must not be set with authentication-provider=\"WorkloadIdentity\"",
                ));
            }
            WORKLOAD_IDENTITY.to_owned()
        }
        Some(p) if p.eq_ignore_ascii_case("ManagedIdentity") => client_id.unwrap_or_default().to_owned(),
        Some(p) => {
            return Err(c.error(
                el,
                format!("authentication-provider must be WorkloadIdentity, not `{p}`"),
            ))
        }
    };
    let ignore_error = match c.attr(el, "ignore-error").map(str::trim) {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => return Err(c.error(el, format!("ignore-error must be true or false, not `{v}`"))),
    };
    let output = match c.attr(el, "output-token-variable-name").map(str::trim) {
        None => None,
        Some("") => return Err(c.error(el, "output-token-variable-name must not be empty")),
        Some(v) => Some(Text::Lit(v.into())),
    };
    Ok(AuthenticationManagedIdentity {
        resource,
        identity,
        output,
        ignore_error,
    })
}

impl AuthenticationManagedIdentity {
    fn want<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Want, Failure> {
        let resource = r.eval(&self.resource, SOURCE)?.trim().to_owned();
        if resource.is_empty() {
            return Err(Failure::expression(SOURCE, "resource is empty".into()));
        }
        Ok(Want::Token {
            identity: self.identity.clone(),
            resource,
        })
    }

    /// The worker's token at once, or a wait for the fetch thread.
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        let want = self.want(r)?;
        let Want::Token { identity, resource } = &want else {
            return Ok(Effect::Authority(want));
        };
        match r.env.services.authority.token(identity, resource) {
            Some(t) => {
                self.apply(r, &t)?;
                Ok(Effect::Nothing)
            }
            None => Ok(Effect::Authority(want)),
        }
    }

    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        match outcome {
            Outcome::Authority(Ok(Got::Token(t))) => self.apply(r, &t),
            Outcome::Authority(Err(e)) if self.ignore_error => {
                tracing::debug!(error = %e, "authentication-managed-identity: no token; ignore-error goes on");
                Ok(())
            }
            Outcome::Authority(Err(e)) => Err(Self::failure(&e)),
            // Applied at start, or an answer of another kind (cannot happen).
            _ => Ok(()),
        }
    }

    fn apply<'p>(&'p self, r: &mut Run<'_, 'p>, t: &Token) -> Result<(), Failure> {
        r.flow.request.headers.remove("Authorization");
        r.flow
            .request
            .headers
            .add("Authorization", Cow::Owned(format!("Bearer {}", t.value)));
        self.output(r, t)
    }

    /// Inside `send-request`: puts the worker's token on `call` now, or
    /// a [`Bearer`] for the proxy to wait for before sending it.
    pub fn for_call<'p>(&'p self, r: &mut Run<'_, 'p>, call: &mut HttpCall) -> Result<(), Failure> {
        let want = self.want(r)?;
        let Want::Token { identity, resource } = &want else {
            return Ok(());
        };
        match r.env.services.authority.token(identity, resource) {
            Some(t) => {
                call.set_bearer(&t.value);
                self.output(r, &t)
            }
            None => {
                call.bearer = Some(Bearer {
                    want,
                    ignore_error: self.ignore_error,
                });
                Ok(())
            }
        }
    }

    /// Sets `output-token-variable-name`, when there is one.
    pub fn output<'p>(&'p self, r: &mut Run<'_, 'p>, t: &Token) -> Result<(), Failure> {
        if let Some(name) = &self.output {
            super::send_request::set_variable(r, name, SOURCE, Value::string(&t.value))?;
        }
        Ok(())
    }

    /// The failure for a token that could not be had.
    pub fn failure(e: &crate::authority::AuthorityError) -> Failure {
        Failure::new(SOURCE, "TokenAcquisitionFailed", 500, e.to_string())
    }
}
