//! `System.Net.WebUtility` (all members): `UrlEncode`/`UrlDecode` (and the
//! byte forms), `HtmlEncode`/`HtmlDecode` with .NET's rules: `HtmlEncode`
//! escapes `<`, `>`, `&`, `"`, `'` (as `&#39;`), U+00A0–U+00FF and
//! characters outside the BMP as numeric entities; `HtmlDecode` knows the
//! HTML 4 named entities and decimal/hex numeric ones, and leaves anything
//! else as it is.

use super::entities;
use super::escape;
use crate::error::{EvalError, EvalResult};
use crate::library::collections::Array;
use crate::library::crypto::{bytes_arg, span};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub static WEB_UTILITY: TypeDef = TypeDef {
    name: "WebUtility",
    namespace: "System.Net",
    kind: TypeKind::Static,
    statics: &[
        m("UrlEncode", "string"),
        m("UrlDecode", "string"),
        m("HtmlEncode", "string"),
        m("HtmlDecode", "string"),
        m("UrlEncodeToBytes", "byte[]"),
        m("UrlDecodeToBytes", "byte[]"),
    ],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// `WebUtility.HtmlEncode`.
pub fn html_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if ('\u{a0}'..='\u{ff}').contains(&c) || u32::from(c) > 0xffff => {
                out.push_str(&format!("&#{};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// `WebUtility.HtmlDecode`.
pub fn html_decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        // An entity is `&name;` or `&#N;`/`&#xH;` with no `&` or space inside.
        let decoded = tail
            .get(1..)
            .and_then(|t| t.find(';').map(|end| (t, end)))
            .filter(|(t, end)| !t[..*end].contains(['&', ' ', '<']))
            .and_then(|(t, end)| {
                let body = &t[..end];
                let c = match body.strip_prefix('#') {
                    Some(num) => {
                        let n = match num.strip_prefix(['x', 'X']) {
                            Some(h) => u32::from_str_radix(h, 16).ok(),
                            None => num.parse::<u32>().ok(),
                        };
                        n.and_then(char::from_u32)
                    }
                    None => entities::lookup(body),
                };
                c.map(|c| (c, end + 2))
            });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn text<'a>(v: &'a Value<'_>) -> EvalResult<Option<&'a str>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s)),
        v => Err(EvalError::argument(format!("expected a string, got {}", v.type_name()))),
    }
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let string_fn: fn(&str) -> String = match name {
        "UrlEncode" => escape::url_encode,
        "UrlDecode" => escape::url_decode,
        "HtmlEncode" => html_encode,
        "HtmlDecode" => html_decode,
        "UrlEncodeToBytes" | "UrlDecodeToBytes" => return Some(bytes_fn(rt, name, args)),
        _ => return None,
    };
    Some(match args {
        [v] => text(v).and_then(|t| match t {
            None => Ok(Value::Null),
            Some(t) => {
                rt.charge(1 + t.len() as u64 / 64)?;
                rt.alloc(t.len() * 3)?;
                Ok(Value::string(string_fn(t)))
            }
        }),
        _ => Err(EvalError::argument(format!("WebUtility.{name} takes one string"))),
    })
}

fn bytes_fn<'a>(rt: &mut dyn Runtime<'a>, name: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let [data, offset, count] = args else {
        return Err(EvalError::argument(format!(
            "WebUtility.{name}(byte[], int offset, int count)"
        )));
    };
    if data.is_null() {
        return Ok(Value::Null);
    }
    let bytes = bytes_arg(data, "value")?;
    let r = span(bytes.len(), offset, count)?;
    let part = bytes.get(r).unwrap_or_default();
    rt.charge(1 + part.len() as u64 / 64)?;
    rt.alloc(part.len() * 3)?;
    Ok(Array::bytes(if name == "UrlEncodeToBytes" {
        escape::url_encode_bytes(part)
    } else {
        escape::decode_bytes(part, true)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_as_dotnet() {
        assert_eq!(
            html_encode("<a href=\"x\">'é'&\u{1F600}ü€</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&#233;&#39;&amp;&#128512;&#252;€&lt;/a&gt;"
        );
        assert_eq!(
            html_decode("&lt;b&gt; &amp;amp; &#39;&#x41;&eacute;&nbsp;&bogus; & &;"),
            "<b> &amp; 'Aé\u{a0}&bogus; & &;"
        );
        assert_eq!(html_decode("plain"), "plain");
        assert_eq!(html_decode("&#1114112;&#xD800;"), "&#1114112;&#xD800;");
    }

    #[test]
    fn statics() {
        let mut rt = crate::testing::TestRt::new();
        let r = call_static(&mut rt, "UrlEncode", &[], &[Value::str("a b&c")])
            .unwrap()
            .unwrap();
        assert_eq!(r, Value::str("a+b%26c"));
        let r = call_static(&mut rt, "UrlDecode", &[], &[Value::Null]).unwrap().unwrap();
        assert_eq!(r, Value::Null);
        let r = call_static(
            &mut rt,
            "UrlEncodeToBytes",
            &[],
            &[Array::bytes(b"xa b".to_vec()), Value::Int(1), Value::Int(3)],
        )
        .unwrap()
        .unwrap();
        assert_eq!(Array::to_bytes(&r).unwrap(), b"a+b");
        assert!(call_static(&mut rt, "Nope", &[], &[]).is_none());
    }
}
