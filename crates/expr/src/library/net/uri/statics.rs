//! `Uri`'s constructors and statics: `new Uri(…)` overloads, the scheme
//! constants, `EscapeDataString`/`UnescapeDataString`/`EscapeUriString`,
//! `IsWellFormedUriString`, `TryCreate`, `CheckHostName`,
//! `CheckSchemeName`, the hex helpers.

use super::*;

/// Whether `s` has nothing a well-formed URI string would have escaped.
fn well_formed_chars(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}'))
}

pub(super) fn well_formed(s: &str, kind: i64) -> bool {
    if s.is_empty() || !well_formed_chars(s) {
        return kind != 1 && s.is_empty();
    }
    match (kind, parse_absolute(s)) {
        (1, r) => r.is_ok(),
        (2, r) => r.is_err(),
        (_, _) => true,
    }
}

fn kind_arg(v: &Value<'_>) -> EvalResult<i64> {
    match v {
        Value::Enum(d, x) if d.is(&URI_KIND) => Ok(*x),
        v => Err(EvalError::argument(format!(
            "uriKind: expected a UriKind, got {}",
            v.type_name()
        ))),
    }
}

fn str_or_null<'v>(v: &'v Value<'_>, param: &str) -> EvalResult<&'v str> {
    crate::library::crypto::str_arg(v, param)
}

pub(super) fn ctor<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = rt;
    let r = match args {
        [Value::Str(s)] | [Value::Str(s), Value::Bool(_)] => create(s, 1)?,
        [s, k] if matches!(k, Value::Enum(..)) => create(str_or_null(s, "uriString")?, kind_arg(k)?)?,
        [b, rel] if uri_of(b).is_some() => {
            let base = uri_of(b).ok_or_else(|| crate::library::crypto::null_arg("baseUri"))?;
            match rel {
                Value::Str(r) => resolve(base, r)?,
                other => match uri_of(other) {
                    Some(UriObj {
                        repr: Repr::Absolute(u),
                        ..
                    }) => resolve(base, u.as_str())?,
                    Some(r) => resolve(base, &r.original)?,
                    None => return Err(crate::library::crypto::null_arg("relativeUri")),
                },
            }
        }
        [v, ..] if v.is_null() => return Err(crate::library::crypto::null_arg("uriString")),
        _ => {
            return Err(EvalError::argument(
                "Uri(string), Uri(string, UriKind) or Uri(Uri, string)",
            ))
        }
    };
    Ok(Value::obj(r))
}

pub(super) fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(Value::str(match name {
        "UriSchemeHttp" => "http",
        "UriSchemeHttps" => "https",
        "UriSchemeFtp" => "ftp",
        "UriSchemeFile" => "file",
        "UriSchemeMailto" => "mailto",
        "UriSchemeWs" => "ws",
        "UriSchemeWss" => "wss",
        "SchemeDelimiter" => "://",
        _ => return None,
    })))
}

fn check_host_name(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    if s.parse::<std::net::Ipv4Addr>().is_ok() {
        return 3;
    }
    if s.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::Ipv6Addr>()
        .is_ok()
    {
        return 4;
    }
    let dns = s.len() <= 255
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !l.starts_with('-')
        });
    if dns {
        2
    } else {
        0
    }
}

pub(super) fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let text_fn: fn(&str) -> String = match name {
        "EscapeDataString" => escape::escape_data,
        "UnescapeDataString" => escape::unescape_data,
        "EscapeUriString" => escape::escape_uri,
        _ => return call_static_other(rt, name, args),
    };
    Some(match args {
        [v] => str_or_null(v, "stringToEscape").and_then(|s| {
            rt.charge(1 + s.len() as u64 / 64)?;
            rt.alloc(s.len() * 3)?;
            Ok(Value::string(text_fn(s)))
        }),
        _ => Err(EvalError::argument(format!("Uri.{name} takes one string"))),
    })
}

fn call_static_other<'a>(rt: &mut dyn Runtime<'a>, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("IsWellFormedUriString", [s, k]) => {
            kind_arg(k).map(|k| Value::Bool(s.as_str().is_some_and(|s| well_formed(s, k))))
        }
        ("TryCreate", [s, k, _]) if matches!(k, Value::Enum(..)) => kind_arg(k).and_then(|k| {
            let r = s.as_str().and_then(|s| create(s, k).ok());
            let ok = r.is_some();
            rt.set_out(2, r.map_or(Value::Null, Value::obj))?;
            Ok(Value::Bool(ok))
        }),
        ("TryCreate", [b, rel, _]) => {
            let r = uri_of(b).and_then(|base| {
                let rel = match rel {
                    Value::Str(s) => s.to_string(),
                    v => uri_of(v)?.original.clone(),
                };
                resolve(base, &rel).ok()
            });
            let ok = r.is_some();
            match rt.set_out(2, r.map_or(Value::Null, Value::obj)) {
                Ok(()) => Ok(Value::Bool(ok)),
                Err(e) => Err(e),
            }
        }
        ("CheckHostName", [s]) => Ok(Value::Enum(&URI_HOST_NAME_TYPE, s.as_str().map_or(0, check_host_name))),
        ("CheckSchemeName", [s]) => Ok(Value::Bool(s.as_str().is_some_and(|s| {
            let mut cs = s.chars();
            cs.next().is_some_and(|c| c.is_ascii_alphabetic())
                && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }))),
        ("IsHexDigit", [Value::Char(c)]) => Ok(Value::Bool(c.is_ascii_hexdigit())),
        ("FromHex", [Value::Char(c)]) => c
            .to_digit(16)
            .map(|d| Value::Int(d as i32))
            .ok_or_else(|| EvalError::argument("digit")),
        ("HexEscape", [Value::Char(c)]) => {
            if u32::from(*c) > 255 {
                Err(EvalError::new(EvalErrorKind::ArgumentOutOfRange, "character"))
            } else {
                Ok(Value::string(format!("%{:02X}", u32::from(*c))))
            }
        }
        _ => return None,
    })
}
