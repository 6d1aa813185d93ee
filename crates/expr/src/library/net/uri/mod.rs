//! `System.Uri` (all members but the `UriComponents` ones), the `UriPartial`
//! enum, and `UriKind`/`UriHostNameType` (helper enums: APIM's list does
//! not name them).
//!
//! Parsing and resolution are the `url` crate's (WHATWG URL), mapped onto
//! .NET's view; the known differences (docs/expressions.md): hosts are
//! shown in punycode (`IdnHost` form) where .NET shows Unicode; a string
//! starting with `/` is not an implicit `file:` path (Windows' behaviour,
//! not Linux .NET's); the set of characters escaped in `AbsoluteUri` is
//! WHATWG's. Like .NET: scheme and host are lowercased, default ports
//! omitted, dot segments removed, `ToString()` unescapes all but reserved
//! characters, `Equals` ignores the user info and the fragment.

use std::any::Any;
use std::rc::Rc;

use url::{Position, Url};

use super::escape;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, Apim, Member, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

mod statics;

use statics::{call_static, ctor, get_static, well_formed};

pub static URI_PARTIAL: TypeDef = TypeDef {
    name: "UriPartial",
    kind: TypeKind::Enum,
    enum_values: &[("Scheme", 0), ("Authority", 1), ("Path", 2), ("Query", 3)],
    ..TypeDef::EMPTY
};

pub static URI_KIND: TypeDef = TypeDef {
    name: "UriKind",
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    enum_values: &[("RelativeOrAbsolute", 0), ("Absolute", 1), ("Relative", 2)],
    ..TypeDef::EMPTY
};

pub static URI_HOST_NAME_TYPE: TypeDef = TypeDef {
    name: "UriHostNameType",
    kind: TypeKind::Enum,
    apim: Apim::Helper,
    enum_values: &[("Unknown", 0), ("Basic", 1), ("Dns", 2), ("IPv4", 3), ("IPv6", 4)],
    ..TypeDef::EMPTY
};

const MEMBERS: &[Member] = &[
    m("AbsoluteUri", "string"),
    m("AbsolutePath", "string"),
    m("PathAndQuery", "string"),
    m("Query", "string"),
    m("Fragment", "string"),
    m("Host", "string"),
    m("DnsSafeHost", "string"),
    m("IdnHost", "string"),
    m("HostNameType", "UriHostNameType"),
    m("Port", "int"),
    m("Scheme", "string"),
    m("Authority", "string"),
    m("UserInfo", "string"),
    m("Segments", "string[]"),
    m("LocalPath", "string"),
    m("IsAbsoluteUri", "bool"),
    m("IsDefaultPort", "bool"),
    m("IsLoopback", "bool"),
    m("IsFile", "bool"),
    m("IsUnc", "bool"),
    m("UserEscaped", "bool"),
    m("OriginalString", "string"),
    m("GetLeftPart", "string"),
    m("MakeRelativeUri", "Uri"),
    m("IsBaseOf", "bool"),
    m("IsWellFormedOriginalString", "bool"),
    m("Equals", "bool"),
    m("op_Equality", "bool"),
    m("op_Inequality", "bool"),
];

pub static URI: TypeDef = TypeDef {
    name: "Uri",
    bases: &["ISerializable"],
    statics: &[
        m("UriSchemeHttp", "string"),
        m("UriSchemeHttps", "string"),
        m("UriSchemeFtp", "string"),
        m("UriSchemeFile", "string"),
        m("UriSchemeMailto", "string"),
        m("UriSchemeWs", "string"),
        m("UriSchemeWss", "string"),
        m("SchemeDelimiter", "string"),
        m("EscapeDataString", "string"),
        m("UnescapeDataString", "string"),
        m("EscapeUriString", "string"),
        m("IsWellFormedUriString", "bool"),
        m("TryCreate", "bool"),
        m("CheckHostName", "UriHostNameType"),
        m("CheckSchemeName", "bool"),
        m("IsHexDigit", "bool"),
        m("HexEscape", "string"),
        m("FromHex", "int"),
    ],
    members: MEMBERS,
    unimplemented: &[
        "GetComponents",
        "Compare",
        "HexUnescape",
        "IsHexEncoding",
        "TryEscapeDataString",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

/// A `System.Uri`.
#[derive(Debug, Clone)]
pub struct UriObj {
    pub original: String,
    pub repr: Repr,
}

#[derive(Debug, Clone)]
pub enum Repr {
    Absolute(Url),
    Relative,
}

fn format_error(what: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("UriFormatException"),
        format!("Invalid URI: {what}"),
    )
}

fn relative_error() -> EvalError {
    EvalError::new(
        EvalErrorKind::InvalidOperation,
        "This operation is not supported for a relative URI.",
    )
}

/// Parses an absolute URI as `new Uri(s)` does.
pub fn parse_absolute(s: &str) -> EvalResult<Url> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format_error("The URI is empty."));
    }
    Url::parse(t).map_err(|e| match e {
        url::ParseError::EmptyHost | url::ParseError::InvalidDomainCharacter | url::ParseError::IdnaError => {
            format_error("The hostname could not be parsed.")
        }
        url::ParseError::InvalidIpv4Address | url::ParseError::InvalidIpv6Address => {
            format_error("The hostname could not be parsed.")
        }
        url::ParseError::InvalidPort => format_error("Invalid port specified."),
        _ => format_error("The format of the URI could not be determined."),
    })
}

/// What `UriKind` a text is parsed as (0 either, 1 absolute, 2 relative).
pub fn create(s: &str, kind: i64) -> EvalResult<UriObj> {
    let abs = parse_absolute(s);
    let repr = match (kind, abs) {
        (2, Ok(_)) => {
            return Err(format_error(
                "A relative URI cannot be created because the 'uriString' parameter represents an absolute URI.",
            ))
        }
        (1, Err(e)) => return Err(e),
        (_, Ok(u)) => Repr::Absolute(u),
        (_, Err(_)) if s.trim().is_empty() && kind == 1 => return Err(format_error("The URI is empty.")),
        (_, Err(_)) => Repr::Relative,
    };
    Ok(UriObj {
        original: s.to_owned(),
        repr,
    })
}

/// `new Uri(baseUri, relative)`.
pub fn resolve(base: &UriObj, relative: &str) -> EvalResult<UriObj> {
    let Repr::Absolute(b) = &base.repr else {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "This operation is not supported for a relative URI. (Parameter 'baseUri')",
        ));
    };
    let u = b
        .join(relative)
        .map_err(|_| format_error("The format of the URI could not be determined."))?;
    Ok(UriObj {
        original: u.as_str().to_owned(),
        repr: Repr::Absolute(u),
    })
}

/// The `Uri` in a value (`None` for other values).
pub fn uri_of<'v>(v: &'v Value<'_>) -> Option<&'v UriObj> {
    v.downcast::<UriObj>()
}

fn host_type(u: &Url) -> i64 {
    match u.host() {
        Some(url::Host::Domain(_)) => 2,
        Some(url::Host::Ipv4(_)) => 3,
        Some(url::Host::Ipv6(_)) => 4,
        None => 1,
    }
}

fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// `Uri.ToString()`'s unescaping: reserved characters, `%` and controls stay escaped.
fn safe_unescape(s: &str) -> String {
    escape::unescape_except(s, |c| {
        c.is_control()
            || matches!(
                c,
                '%' | ':'
                    | '/'
                    | '?'
                    | '#'
                    | '['
                    | ']'
                    | '@'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
            )
    })
}

impl UriObj {
    fn url(&self) -> EvalResult<&Url> {
        match &self.repr {
            Repr::Absolute(u) => Ok(u),
            Repr::Relative => Err(relative_error()),
        }
    }

    /// `Authority`: host and a non-default port.
    fn authority(u: &Url) -> String {
        let host = u.host_str().unwrap_or("");
        match u.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        }
    }

    /// `ToString()`.
    pub fn display(&self) -> String {
        match &self.repr {
            Repr::Absolute(u) => safe_unescape(u.as_str()),
            Repr::Relative => self.original.clone(),
        }
    }

    /// What `Equals` compares: the URI without user info and fragment.
    fn identity(&self) -> String {
        match &self.repr {
            Repr::Absolute(u) => {
                let mut u = u.clone();
                let _ = u.set_username("");
                let _ = u.set_password(None);
                u.set_fragment(None);
                u.as_str().to_owned()
            }
            Repr::Relative => self.original.clone(),
        }
    }

    fn prop(&self, name: &str) -> Option<EvalResult<Value<'static>>> {
        let s = |t: &str| Ok(Value::string(t));
        Some(match name {
            "OriginalString" => s(&self.original),
            "IsAbsoluteUri" => Ok(Value::Bool(matches!(self.repr, Repr::Absolute(_)))),
            "UserEscaped" => Ok(Value::Bool(false)),
            _ => {
                let u = match self.url() {
                    Ok(u) => u,
                    Err(e) => return MEMBERS.iter().any(|m| m.name == name).then_some(Err(e)),
                };
                let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
                match name {
                    "AbsoluteUri" => s(u.as_str()),
                    "AbsolutePath" => s(u.path()),
                    "PathAndQuery" => Ok(Value::string(format!("{}{query}", u.path()))),
                    "Query" => Ok(Value::string(query)),
                    "Fragment" => Ok(Value::string(u.fragment().map(|f| format!("#{f}")).unwrap_or_default())),
                    "Host" => s(u.host_str().unwrap_or("")),
                    "DnsSafeHost" | "IdnHost" => {
                        s(u.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']'))
                    }
                    "HostNameType" => Ok(Value::Enum(&URI_HOST_NAME_TYPE, host_type(u))),
                    "Port" => Ok(Value::Int(u.port_or_known_default().map_or(-1, i32::from))),
                    "Scheme" => s(u.scheme()),
                    "Authority" => Ok(Value::string(UriObj::authority(u))),
                    "UserInfo" => Ok(Value::string(match u.password() {
                        Some(p) => format!("{}:{p}", u.username()),
                        None => u.username().to_owned(),
                    })),
                    "Segments" => {
                        let mut segs = Vec::new();
                        let mut rest = u.path();
                        while !rest.is_empty() {
                            let end = rest.find('/').map_or(rest.len(), |i| i + 1);
                            segs.push(rest[..end].to_owned());
                            rest = &rest[end..];
                        }
                        Ok(Array::strings(segs))
                    }
                    "LocalPath" => Ok(Value::string(escape::unescape_data(u.path()))),
                    "IsDefaultPort" => Ok(Value::Bool(u.port().is_none())),
                    "IsLoopback" => Ok(Value::Bool(is_loopback(u))),
                    "IsFile" => Ok(Value::Bool(u.scheme() == "file")),
                    "IsUnc" => Ok(Value::Bool(false)),
                    _ => return None,
                }
            }
        })
    }

    fn left_part(&self, part: i64) -> EvalResult<String> {
        let u = self.url()?;
        Ok(match part {
            0 if u.has_authority() => format!("{}://", u.scheme()),
            0 => format!("{}:", u.scheme()),
            1 if u.has_authority() => u[..Position::AfterPort].to_owned(),
            1 => String::new(),
            2 => u[..Position::AfterPath].to_owned(),
            3 => u[..Position::AfterQuery].to_owned(),
            _ => {
                return Err(EvalError::argument(
                    "The value of the UriPartial is not valid. (Parameter 'part')",
                ))
            }
        })
    }

    fn same_origin(a: &Url, b: &Url) -> bool {
        a.scheme() == b.scheme()
            && a.host_str() == b.host_str()
            && a.port_or_known_default() == b.port_or_known_default()
    }

    /// `MakeRelativeUri` (.NET's `PathDifference`).
    fn make_relative(&self, other: &UriObj) -> EvalResult<UriObj> {
        let (a, b) = (self.url()?, other.url()?);
        if !UriObj::same_origin(a, b) || a.username() != b.username() {
            return Ok(other.clone());
        }
        let (p1, p2) = (a.path().as_bytes(), b.path());
        let p2b = p2.as_bytes();
        let mut i = 0;
        let mut si: isize = -1;
        while i < p1.len() && i < p2b.len() {
            if p1[i] != p2b[i] {
                break;
            }
            if p1[i] == b'/' {
                si = i as isize;
            }
            i += 1;
        }
        let mut rel = if i == 0 {
            p2.to_owned()
        } else if i == p1.len() && i == p2b.len() {
            String::new()
        } else {
            let ups = p1[i..].iter().filter(|c| **c == b'/').count();
            let mut r = "../".repeat(ups);
            let tail = p2.get((si + 1) as usize..).unwrap_or("");
            if r.is_empty() && tail.is_empty() {
                r.push_str("./");
            }
            r.push_str(tail);
            r
        };
        let first = rel.split('/').next().unwrap_or("");
        if first.contains(':') {
            rel.insert_str(0, "./");
        }
        if let Some(q) = b.query() {
            rel.push('?');
            rel.push_str(q);
        }
        if let Some(f) = b.fragment() {
            rel.push('#');
            rel.push_str(f);
        }
        Ok(UriObj {
            original: rel,
            repr: Repr::Relative,
        })
    }

    fn is_base_of(&self, other: &UriObj) -> EvalResult<bool> {
        let a = self.url()?;
        let Repr::Absolute(b) = &other.repr else {
            return Ok(false);
        };
        if !UriObj::same_origin(a, b) {
            return Ok(false);
        }
        let base = a.path();
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        Ok(b.path().starts_with(dir))
    }
}

impl Object for UriObj {
    fn type_def(&self) -> &'static TypeDef {
        &URI
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        self.prop(name)
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let other = |v: &Value<'a>| -> EvalResult<UriObj> {
            match v {
                Value::Str(s) => create(s, 0),
                v => uri_of(v).cloned().ok_or_else(|| match v {
                    Value::Null => crate::library::crypto::null_arg("uri"),
                    v => EvalError::argument(format!("uri: expected a Uri, got {}", v.type_name())),
                }),
            }
        };
        Some(match (name, args) {
            ("GetLeftPart", [p]) => match p {
                Value::Enum(d, x) if d.is(&URI_PARTIAL) => self.left_part(*x).map(Value::string),
                v => Err(EvalError::argument(format!(
                    "part: expected a UriPartial, got {}",
                    v.type_name()
                ))),
            },
            ("MakeRelativeUri", [u]) => other(u).and_then(|u| self.make_relative(&u)).map(Value::obj),
            ("IsBaseOf", [u]) => other(u).and_then(|u| self.is_base_of(&u)).map(Value::Bool),
            ("IsWellFormedOriginalString", []) => Ok(Value::Bool(well_formed(
                &self.original,
                if matches!(self.repr, Repr::Absolute(_)) { 1 } else { 2 },
            ))),
            ("Equals" | "op_Equality", [o]) => Ok(Value::Bool(match o {
                Value::Null => false,
                o => other(o).is_ok_and(|u| u.identity() == self.identity()),
            })),
            ("op_Inequality", [o]) => Ok(Value::Bool(!match o {
                Value::Null => false,
                o => other(o).is_ok_and(|u| u.identity() == self.identity()),
            })),
            _ => return None,
        })
    }

    fn to_text(&self) -> String {
        self.display()
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(
            other
                .as_any()
                .downcast_ref::<UriObj>()
                .is_some_and(|o| o.identity() == self.identity()),
        )
    }

    fn hash_code(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.identity().hash(&mut h);
        Some(h.finish())
    }

    fn size_hint(&self) -> usize {
        64 + self.original.len() * 2
    }
}
