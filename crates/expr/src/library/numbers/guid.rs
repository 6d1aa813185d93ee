//! `System.Guid`: `NewGuid` (version 4 from the runtime's randomness),
//! `Empty`, `Parse`/`TryParse` (the D, N, B, P and X forms),
//! `ParseExact`/`TryParseExact`, constructors from a string, from 16 bytes
//! and from fields, `ToByteArray`, `ToString(format)`, `CompareTo`,
//! `Equals`.
//!
//! Invariant: `Value::Guid(u128)` holds the D form's 32 hex digits
//! big-endian; `byte[]` conversions use .NET's mixed-endian layout (the
//! first three fields little-endian).

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

/// `System.Guid`.
pub static GUID: TypeDef = TypeDef {
    name: "Guid",
    kind: TypeKind::Struct,
    bases: &["IComparable", "IFormattable", "IEquatable", "ValueType"],
    statics: &[
        m("NewGuid", "Guid"),
        m("Empty", "Guid"),
        m("Parse", "Guid"),
        m("TryParse", "bool"),
        m("ParseExact", "Guid"),
        m("TryParseExact", "bool"),
        m("Equals", "bool"),
    ],
    members: &[
        m("ToString", "string"),
        m("ToByteArray", "byte[]"),
        m("CompareTo", "int"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
        m("HasValue", "bool"),
        m("Value", "Guid"),
        m("GetValueOrDefault", "Guid"),
    ],
    unimplemented: &[
        "CreateVersion7",
        "TryFormat",
        "TryWriteBytes",
        "Variant",
        "Version",
        "AllBitsSet",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

fn bad_guid() -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
    )
}

fn bad_format() -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        "Format string can be only \"D\", \"d\", \"N\", \"n\", \"P\", \"p\", \"B\", \"b\", \"X\" or \"x\".",
    )
}

/// `ToString(format)`.
pub fn format(g: u128, format: &str) -> EvalResult<String> {
    let hex = format!("{g:032x}");
    let d = || {
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    };
    Ok(match format {
        "" | "D" | "d" => d(),
        "N" | "n" => hex,
        "B" | "b" => format!("{{{}}}", d()),
        "P" | "p" => format!("({})", d()),
        "X" | "x" => {
            let bytes: Vec<String> = (0..8).map(|i| format!("0x{}", &hex[16 + 2 * i..18 + 2 * i])).collect();
            format!(
                "{{0x{},0x{},0x{},{{{}}}}}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                bytes.join(",")
            )
        }
        _ => return Err(bad_format()),
    })
}

fn hex_u128(s: &str) -> Option<u128> {
    (s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u128::from_str_radix(s, 16).ok())
        .flatten()
}

/// Parses one form (`D`, `N`, `B`, `P`, `X`).
fn parse_form(s: &str, form: char) -> Option<u128> {
    match form {
        'N' => hex_u128(s),
        'D' => {
            let b = s.as_bytes();
            if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return None;
            }
            hex_u128(&s.replace('-', ""))
        }
        'B' => parse_form(s.strip_prefix('{')?.strip_suffix('}')?, 'D'),
        'P' => parse_form(s.strip_prefix('(')?.strip_suffix(')')?, 'D'),
        'X' => {
            let inner = s.strip_prefix('{')?.strip_suffix("}}")?;
            let (head, tail) = inner.split_once(",{")?;
            let mut fields = head.split(',');
            let mut hex = String::with_capacity(32);
            for width in [8, 4, 4] {
                let f = fields.next()?.trim();
                let f = f.strip_prefix("0x").or_else(|| f.strip_prefix("0X"))?;
                if f.is_empty() || f.len() > width || !f.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                hex.push_str(&format!("{f:0>width$}"));
            }
            if fields.next().is_some() {
                return None;
            }
            let bytes: Vec<&str> = tail.split(',').collect();
            if bytes.len() != 8 {
                return None;
            }
            for b in bytes {
                let b = b.trim();
                let b = b.strip_prefix("0x").or_else(|| b.strip_prefix("0X"))?;
                if b.is_empty() || b.len() > 2 || !b.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                hex.push_str(&format!("{b:0>2}"));
            }
            hex_u128(&hex)
        }
        _ => None,
    }
}

/// `Guid.Parse`: any of the five forms, surrounding whitespace allowed.
pub fn parse(s: &str) -> Option<u128> {
    let t = s.trim();
    let form = match t.as_bytes().first() {
        Some(b'{') if t.contains("0x") || t.contains("0X") => 'X',
        Some(b'{') => 'B',
        Some(b'(') => 'P',
        _ if t.len() == 32 => 'N',
        _ => 'D',
    };
    parse_form(t, form)
}

fn parse_exact(s: &str, format: &str) -> EvalResult<Option<u128>> {
    let form = match format {
        "D" | "d" => 'D',
        "N" | "n" => 'N',
        "B" | "b" => 'B',
        "P" | "p" => 'P',
        "X" | "x" => 'X',
        _ => return Err(bad_format()),
    };
    Ok(parse_form(s.trim(), form))
}

/// The D-form value of .NET's 16-byte layout.
pub fn from_bytes(b: &[u8]) -> Option<u128> {
    let b: [u8; 16] = b.try_into().ok()?;
    let d = [
        b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15],
    ];
    Some(u128::from_be_bytes(d))
}

/// .NET's 16-byte layout (`ToByteArray`).
pub fn to_bytes(g: u128) -> Vec<u8> {
    let d = g.to_be_bytes();
    let mut b = vec![d[3], d[2], d[1], d[0], d[5], d[4], d[7], d[6]];
    b.extend_from_slice(&d[8..]);
    b
}

/// A random (version 4, RFC 4122 variant) GUID.
pub fn new_guid(rt: &mut dyn Runtime<'_>) -> u128 {
    let r = (u128::from(rt.random_u64()) << 64) | u128::from(rt.random_u64());
    (r & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
}

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    (name == "Empty").then_some(Ok(Value::Guid(0)))
}

fn str_arg<'v>(v: Option<&'v Value<'_>>, param: &str) -> EvalResult<&'v str> {
    match v {
        Some(Value::Str(s)) => Ok(s),
        Some(Value::Null) | None => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            format!("Value cannot be null. (Parameter '{param}')"),
        )),
        Some(v) => Err(EvalError::argument(format!("expected a string, got {}", v.type_name()))),
    }
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("NewGuid", []) => Ok(Value::Guid(new_guid(rt))),
        ("Parse", [_] | [_, _]) => {
            str_arg(args.first(), "input").and_then(|s| parse(s).map(Value::Guid).ok_or_else(bad_guid))
        }
        ("ParseExact", [_, _]) => (|| {
            let s = str_arg(args.first(), "input")?;
            let f = str_arg(args.get(1), "format")?;
            parse_exact(s, f)?.map(Value::Guid).ok_or_else(bad_guid)
        })(),
        ("TryParse", [s, _] | [s, _, _]) => (|| {
            let g = match s {
                Value::Str(s) => parse(s),
                _ => None,
            };
            rt.set_out(args.len() - 1, Value::Guid(g.unwrap_or(0)))?;
            Ok(Value::Bool(g.is_some()))
        })(),
        ("TryParseExact", [s, f, _]) => (|| {
            let g = match (s, f) {
                (Value::Str(s), Value::Str(f)) => parse_exact(s, f).ok().flatten(),
                _ => None,
            };
            rt.set_out(2, Value::Guid(g.unwrap_or(0)))?;
            Ok(Value::Bool(g.is_some()))
        })(),
        ("Equals", [a, b]) => Ok(Value::Bool(crate::library::equals(a, b))),
        _ => return None,
    })
}

fn construct<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = rt;
    match args {
        [] => Ok(Value::Guid(0)),
        [Value::Str(s)] => parse(s).map(Value::Guid).ok_or_else(bad_guid),
        [Value::Null] => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'g')",
        )),
        [b] => {
            let bytes =
                Array::to_bytes(b).ok_or_else(|| EvalError::argument("new Guid(x): expected a string or byte[]"))?;
            from_bytes(&bytes).map(Value::Guid).ok_or_else(|| {
                EvalError::argument("Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')")
            })
        }
        [a, b, c, rest @ ..] => {
            let int = |v: &Value<'_>, bits: u32| -> EvalResult<u128> {
                let i = v
                    .as_integer()
                    .ok_or_else(|| EvalError::argument("new Guid: expected integers"))?;
                Ok((i as u128) & ((1u128 << bits) - 1))
            };
            let tail: Vec<u8> = match rest {
                [arr] => Array::to_bytes(arr).filter(|b| b.len() == 8).ok_or_else(|| {
                    EvalError::argument("Byte array for Guid must be exactly 8 bytes long. (Parameter 'd')")
                })?,
                r if r.len() == 8 => r
                    .iter()
                    .map(|v| int(v, 8).map(|x| x as u8))
                    .collect::<EvalResult<_>>()?,
                _ => return Err(EvalError::argument("new Guid: wrong number of arguments")),
            };
            let mut g = (int(a, 32)? << 96) | (int(b, 16)? << 80) | (int(c, 16)? << 64);
            for (i, byte) in tail.iter().enumerate() {
                g |= u128::from(*byte) << (56 - 8 * i);
            }
            Ok(Value::Guid(g))
        }
        _ => Err(EvalError::argument("new Guid: wrong number of arguments")),
    }
}

/// Members of a Guid value.
pub fn call<'a>(g: u128, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("ToString", []) | ("ToString", [Value::Null]) => format(g, "").map(Value::string),
        ("ToString", [Value::Str(f)]) | ("ToString", [Value::Str(f), _]) => format(g, f).map(Value::string),
        ("ToByteArray", []) => Ok(Array::bytes(to_bytes(g))),
        ("CompareTo", [Value::Guid(o)]) => Ok(Value::Int(g.cmp(o) as i32)),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [_]) => Err(EvalError::argument("Object must be of type GUID.")),
        ("Equals", [o]) => Ok(Value::Bool(matches!(o, Value::Guid(x) if *x == g))),
        ("GetHashCode", []) => {
            let b = to_bytes(g);
            let w = |i: usize| i32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
            Ok(Value::Int(w(0) ^ w(4) ^ w(8) ^ w(12)))
        }
        ("GetValueOrDefault", [] | [_]) => Ok(Value::Guid(g)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    const D: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn forms() {
        let g = parse(D).unwrap();
        assert_eq!(format(g, "").unwrap(), D);
        assert_eq!(format(g, "N").unwrap(), D.replace('-', ""));
        assert_eq!(format(g, "B").unwrap(), format!("{{{D}}}"));
        assert_eq!(format(g, "P").unwrap(), format!("({D})"));
        let x = format(g, "X").unwrap();
        assert_eq!(
            x,
            "{0x0f8fad5b,0xd9cb,0x469f,{0xa1,0x65,0x70,0x86,0x77,0x28,0x95,0x0e}}"
        );
        for f in ["N", "B", "P", "X"] {
            assert_eq!(parse(&format(g, f).unwrap()), Some(g), "{f}");
        }
        assert_eq!(parse(&D.to_uppercase()), Some(g));
        assert_eq!(parse("not a guid"), None);
        assert!(format(g, "Z").is_err());
        assert_eq!(parse_exact(D, "N").unwrap(), None);
    }

    #[test]
    fn bytes_and_new() {
        let g = parse(D).unwrap();
        let b = to_bytes(g);
        assert_eq!(&b[..4], &[0x5b, 0xad, 0x8f, 0x0f]);
        assert_eq!(from_bytes(&b), Some(g));
        let mut rt = TestRt::new();
        let n = new_guid(&mut rt);
        let s = format(n, "").unwrap();
        assert_eq!(&s[14..15], "4");
        assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(n, new_guid(&mut rt));
        let v = construct(&mut rt, &[], &[Array::bytes(b)]).unwrap();
        assert_eq!(v, Value::Guid(g));
        let e = construct(&mut rt, &[], &[Array::bytes(vec![1, 2])]).unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::Argument);
    }
}
