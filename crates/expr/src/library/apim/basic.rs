//! `AsBasic()`/`TryParseBasic(out …)` and `BasicAuthCredentials`: an HTTP
//! Basic `Authorization` value (`Basic base64(user:password)`).
//!
//! Decisions (APIM documents only "null if invalid"): the scheme is
//! matched case-insensitively and may be omitted (a bare base64 token, as
//! `header.Split(' ')[1].AsBasic()` gives, parses too); the decoded bytes
//! are UTF-8 (invalid sequences replaced); the user id ends at the first
//! `:`, so passwords may contain colons; no `:` → null.

use std::any::Any;
use std::rc::Rc;

use base64::Engine;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef};
use crate::value::{Object, Value};

use super::NS;

pub static BASIC_AUTH_CREDENTIALS: TypeDef = TypeDef {
    name: "BasicAuthCredentials",
    namespace: NS,
    apim: Apim::Helper,
    members: &[m("UserId", "string"), m("Password", "string")],
    ..TypeDef::EMPTY
};

#[derive(Debug)]
pub struct BasicAuthCredentials {
    pub user_id: String,
    pub password: String,
}

/// Parses an Authorization header value; `None` if it is not Basic credentials.
pub fn parse(input: &str) -> Option<BasicAuthCredentials> {
    let t = input.trim();
    let token = match t.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("Basic") => rest.trim(),
        Some(_) => return None,
        None => t,
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(token).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (user, password) = text.split_once(':')?;
    Some(BasicAuthCredentials {
        user_id: user.to_owned(),
        password: password.to_owned(),
    })
}

impl Object for BasicAuthCredentials {
    fn type_def(&self) -> &'static TypeDef {
        &BASIC_AUTH_CREDENTIALS
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "UserId" => Some(Ok(Value::string(self.user_id.clone()))),
            "Password" => Some(Ok(Value::string(self.password.clone()))),
            _ => None,
        }
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        Some(vec![
            ("UserId", Value::string(self.user_id.clone())),
            ("Password", Value::string(self.password.clone())),
        ])
    }

    fn fmt_debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(f, "BasicAuthCredentials({})", self.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_values() {
        let c = parse("Basic dXNlcjpwYTpzcw==").unwrap();
        assert_eq!((c.user_id.as_str(), c.password.as_str()), ("user", "pa:ss"));
        let c = parse("  basic   dXNlcjo=  ").unwrap();
        assert_eq!((c.user_id.as_str(), c.password.as_str()), ("user", ""));
        assert!(parse("dXNlcjpwYXNz").is_some());
        assert!(parse("Bearer dXNlcjpwYXNz").is_none());
        assert!(parse("Basic bm9jb2xvbg==").is_none()); // "nocolon"
        assert!(parse("Basic !!!").is_none());
        assert!(parse("").is_none());
    }
}
