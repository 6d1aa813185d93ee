//! `System.UriBuilder`: **an Outpost extension** — APIM's allow-list does
//! not name `UriBuilder`, so a policy using it runs on Outpost but would be
//! refused by APIM (the issue asks for it). Its properties are plain
//! mutable fields; `Uri` and `ToString()` assemble them as .NET does
//! (default port omitted, `?`/`#` added to `Query`/`Fragment`, the scheme
//! lowercased, the path escaped).

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::escape;
use super::uri::{create, uri_of, Repr, UriObj};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static URI_BUILDER: TypeDef = TypeDef {
    name: "UriBuilder",
    apim: Apim::Helper,
    members: &[
        m("Scheme", "string"),
        m("Host", "string"),
        m("Port", "int"),
        m("Path", "string"),
        m("Query", "string"),
        m("Fragment", "string"),
        m("UserName", "string"),
        m("Password", "string"),
        m("Uri", "Uri"),
        m("Equals", "bool"),
    ],
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

#[derive(Debug, Clone)]
struct Parts {
    scheme: String,
    host: String,
    port: i32,
    path: String,
    query: String,
    fragment: String,
    user: String,
    password: String,
}

/// A `UriBuilder`.
#[derive(Debug)]
pub struct UriBuilder(RefCell<Parts>);

fn default_port(scheme: &str) -> Option<i32> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "ftp" => 21,
        _ => return None,
    })
}

/// Escapes what a path may not hold as is (spaces, `"`, `<`, `>`, `?`, `#`,
/// non-ASCII…), keeping existing escapes.
fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '?' | '#' | '\\' | '^' | '`' | '{' | '|' | '}') {
            out.push(c);
        } else if c == '\\' {
            out.push('/');
        } else {
            out.push_str(&escape::escape_data(c.encode_utf8(&mut [0; 4])));
        }
    }
    out
}

impl Parts {
    fn from_uri(u: &url::Url) -> Parts {
        Parts {
            scheme: u.scheme().to_owned(),
            host: u.host_str().unwrap_or("").to_owned(),
            port: u.port_or_known_default().map_or(-1, i32::from),
            path: u.path().to_owned(),
            query: u.query().map(|q| format!("?{q}")).unwrap_or_default(),
            fragment: u.fragment().map(|f| format!("#{f}")).unwrap_or_default(),
            user: u.username().to_owned(),
            password: u.password().unwrap_or("").to_owned(),
        }
    }

    fn blank(scheme: &str, host: &str) -> Parts {
        Parts {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_owned(),
            port: -1,
            path: "/".to_owned(),
            query: String::new(),
            fragment: String::new(),
            user: String::new(),
            password: String::new(),
        }
    }

    /// `UriBuilder.ToString()`.
    fn text(&self) -> EvalResult<String> {
        if self.user.is_empty() && !self.password.is_empty() {
            return Err(EvalError::new(
                EvalErrorKind::Other("UriFormatException"),
                "Invalid URI: Invalid user name or password.",
            ));
        }
        let mut s = String::new();
        if !self.scheme.is_empty() {
            s.push_str(&self.scheme);
            s.push_str(if self.host.is_empty() && default_port(&self.scheme).is_none() {
                ":"
            } else {
                "://"
            });
        }
        if !self.user.is_empty() {
            s.push_str(&self.user);
            if !self.password.is_empty() {
                s.push(':');
                s.push_str(&self.password);
            }
            s.push('@');
        }
        if !self.host.is_empty() {
            s.push_str(&self.host);
            if self.port != -1 && default_port(&self.scheme) != Some(self.port) {
                s.push_str(&format!(":{}", self.port));
            }
        }
        if !self.path.is_empty() {
            if !self.path.starts_with('/') && !self.host.is_empty() {
                s.push('/');
            }
            s.push_str(&self.path);
        }
        s.push_str(&self.query);
        s.push_str(&self.fragment);
        Ok(s)
    }
}

fn text_arg(v: &Value<'_>) -> EvalResult<String> {
    match v {
        Value::Null => Ok(String::new()),
        Value::Str(s) => Ok(s.to_string()),
        v => Err(EvalError::argument(format!("expected a string, got {}", v.type_name()))),
    }
}

fn ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let parts = match args {
        [] => Parts::blank("http", "localhost"),
        [Value::Str(s)] => {
            // A text without a scheme is taken as http (as .NET does).
            let u = match create(s, 1) {
                Ok(UriObj {
                    repr: Repr::Absolute(u),
                    ..
                }) => u,
                _ => match create(&format!("http://{s}"), 1)? {
                    UriObj {
                        repr: Repr::Absolute(u),
                        ..
                    } => u,
                    UriObj {
                        repr: Repr::Relative, ..
                    } => return Err(EvalError::argument("uri")),
                },
            };
            Parts::from_uri(&u)
        }
        [u] if uri_of(u).is_some() => match uri_of(u).map(|u| &u.repr) {
            Some(Repr::Absolute(u)) => Parts::from_uri(u),
            _ => {
                return Err(EvalError::new(
                    EvalErrorKind::InvalidOperation,
                    "This operation is not supported for a relative URI.",
                ))
            }
        },
        [scheme, host, rest @ ..] if rest.len() <= 3 => {
            let mut p = Parts::blank(&text_arg(scheme)?, &text_arg(host)?);
            if let Some(port) = rest.first() {
                let port = port.to_i32("portNumber")?;
                if !(-1..=65535).contains(&port) {
                    return Err(EvalError::new(
                        EvalErrorKind::ArgumentOutOfRange,
                        "Specified argument was out of the range of valid values. (Parameter 'portNumber')",
                    ));
                }
                p.port = port;
            }
            if let Some(path) = rest.get(1) {
                p.path = escape_path(&text_arg(path)?);
            }
            if let Some(extra) = rest.get(2) {
                let extra = text_arg(extra)?;
                match extra.chars().next() {
                    None => {}
                    Some('?') => match extra.split_once('#') {
                        Some((q, f)) => {
                            p.query = q.to_owned();
                            p.fragment = format!("#{f}");
                        }
                        None => p.query = extra,
                    },
                    Some('#') => p.fragment = extra,
                    Some(_) => {
                        return Err(EvalError::argument(
                            "Extra portion of URI not valid. (Parameter 'extraValue')",
                        ))
                    }
                }
            }
            p
        }
        _ => return Err(EvalError::argument("no UriBuilder constructor takes these arguments")),
    };
    Ok(Value::obj(UriBuilder(RefCell::new(parts))))
}

impl Object for UriBuilder {
    fn type_def(&self) -> &'static TypeDef {
        &URI_BUILDER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let p = self.0.borrow();
        let s = |t: &str| Some(Ok(Value::string(t)));
        match name {
            "Scheme" => s(&p.scheme),
            "Host" => s(&p.host),
            "Port" => Some(Ok(Value::Int(p.port))),
            "Path" => s(&p.path),
            "Query" => s(&p.query),
            "Fragment" => s(&p.fragment),
            "UserName" => s(&p.user),
            "Password" => s(&p.password),
            "Uri" => Some(p.text().and_then(|t| create(&t, 1)).map(Value::obj)),
            _ => None,
        }
    }

    fn set<'a>(&self, _: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let mut p = self.0.borrow_mut();
        let r = (|| {
            match name {
                "Scheme" => {
                    let v = text_arg(&value)?;
                    let v = v.split(':').next().unwrap_or("").to_ascii_lowercase();
                    if !v.is_empty()
                        && !v
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                    {
                        return Err(EvalError::argument("value: invalid URI scheme"));
                    }
                    p.scheme = v;
                }
                "Host" => p.host = text_arg(&value)?,
                "Port" => {
                    let port = value.to_i32("value")?;
                    if !(-1..=65535).contains(&port) {
                        return Err(EvalError::new(
                            EvalErrorKind::ArgumentOutOfRange,
                            "Specified argument was out of the range of valid values. (Parameter 'value')",
                        ));
                    }
                    p.port = port;
                }
                "Path" => {
                    let v = text_arg(&value)?;
                    p.path = if v.is_empty() { "/".to_owned() } else { escape_path(&v) };
                }
                "Query" => {
                    let v = text_arg(&value)?;
                    p.query = if v.is_empty() || v.starts_with('?') {
                        v
                    } else {
                        format!("?{v}")
                    };
                }
                "Fragment" => {
                    let v = text_arg(&value)?;
                    p.fragment = if v.is_empty() || v.starts_with('#') {
                        v
                    } else {
                        format!("#{v}")
                    };
                }
                "UserName" => p.user = text_arg(&value)?,
                "Password" => p.password = text_arg(&value)?,
                _ => return Ok(false),
            }
            Ok(true)
        })();
        match r {
            Ok(false) => None,
            Ok(true) => Some(Ok(())),
            Err(e) => Some(Err(e)),
        }
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("ToString", []) => Some(self.0.borrow().text().map(Value::string)),
            ("Equals", [o]) => {
                let mine = self.0.borrow().text().ok().and_then(|t| create(&t, 1).ok());
                let theirs = match o {
                    Value::Str(s) => create(s, 0).ok(),
                    v => uri_of(v).cloned().or_else(|| {
                        v.downcast::<UriBuilder>()
                            .and_then(|b| b.0.borrow().text().ok())
                            .and_then(|t| create(&t, 1).ok())
                    }),
                };
                Some(Ok(Value::Bool(match (mine, theirs) {
                    (Some(a), Some(b)) => Object::equals(&a, &b).unwrap_or(false),
                    _ => false,
                })))
            }
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        self.0.borrow().text().unwrap_or_default()
    }
}
