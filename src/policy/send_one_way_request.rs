//! `send-one-way-request`: send a request and go on without waiting for
//! its response (a notification, an audit event).
//!
//! ```xml
//! <send-one-way-request mode="new" timeout="10">
//!   <set-url>https://hooks.example.com/audit</set-url>
//!   <set-method>POST</set-method>
//!   <set-body>@(context.Request.Method + " " + context.Request.Url.Path)</set-body>
//! </send-one-way-request>
//! ```
//! Built like `send-request` (`policy::outgoing`); the call runs as its own
//! task on the worker (`proxy::call::Client::detach`) and its outcome is
//! only logged. A worker keeps a bounded number of them in flight
//! (`policy.send-one-way.max-in-flight`): beyond it a new one is dropped
//! with a warning, never queued (the request it belongs to is not slowed
//! down). The response body is read (bounded) and dropped so the
//! connection can be reused.

use super::compile::{CompileError, Compiler, Element};
use super::effect::{Effect, Outcome};
use super::exec::Run;
use super::failure::Failure;
use super::outgoing::{self, Outgoing};

#[derive(Clone, Debug)]
pub struct SendOneWayRequest {
    pub out: Outgoing,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<SendOneWayRequest, CompileError> {
    for attr in ["response-variable-name", "ignore-error"] {
        if c.attr(el, attr).is_some() {
            return Err(c.error(el, format!("`{attr}` does not apply to a one-way request")));
        }
    }
    Ok(SendOneWayRequest {
        out: outgoing::compile(c, el, "send-one-way-request", 60)?,
    })
}

impl SendOneWayRequest {
    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        let call = self.out.build(r, r.env.services.body_max)?;
        Ok(Effect::Detach(Box::new(call)))
    }

    pub fn finish<'p>(&'p self, _r: &mut Run<'_, 'p>, _outcome: Outcome) -> Result<(), Failure> {
        Ok(())
    }
}
