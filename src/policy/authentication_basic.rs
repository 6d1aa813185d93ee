//! `authentication-basic`: send HTTP Basic credentials to the backend.
//!
//! ```xml
//! <authentication-basic username="{{backend-user}}" password="{{backend-password}}"/>
//! ```
//! Sets `Authorization: Basic base64(username:password)` on the backend
//! request (replacing any the client sent). Values are literal (named
//! values are substituted when the document is loaded); the header value is
//! computed once, at configuration time.

use std::borrow::Cow;

use base64::Engine;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;

#[derive(Clone)]
pub struct AuthenticationBasic {
    pub header: Box<str>,
}

impl std::fmt::Debug for AuthenticationBasic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthenticationBasic { header: <redacted> }")
    }
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<AuthenticationBasic, CompileError> {
    c.only_in(el, &[Section::Inbound, Section::Backend])?;
    let user = c.required(el, "username")?;
    let password = c.required(el, "password")?;
    if super::text::is_expression(user) || super::text::is_expression(password) {
        return Err(c.error(el, "username and password must be literal (use named values)"));
    }
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    Ok(AuthenticationBasic {
        header: format!("Basic {token}").into(),
    })
}

impl AuthenticationBasic {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        r.flow.request.headers.remove("Authorization");
        r.flow.request.headers.add("Authorization", Cow::Borrowed(&self.header));
        Ok(())
    }
}
