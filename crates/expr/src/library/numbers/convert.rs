//! `System.Convert`: `ToBoolean`, `ToByte` … `ToUInt64`, `ToSingle`,
//! `ToDouble`, `ToDecimal`, `ToChar`, `ToString` (with base 2/8/10/16 for
//! integers), `ToDateTime`, Base64 (`ToBase64String`, `FromBase64String`,
//! `ToBase64CharArray`, `FromBase64CharArray`), hex (`ToHexString`,
//! `FromHexString`) and `ChangeType`.
//!
//! Rules (.NET's `IConvertible`): `null` converts to 0/false/""; strings
//! parse in the invariant culture; doubles and decimals round half to even
//! to integers (`Convert.ToInt32(2.5)` is 2) and out-of-range values throw
//! `OverflowException`; `char` ↔ `bool`/reals is an `InvalidCastException`.

use rust_decimal::Decimal;

use super::cast::{char_from, scalar_to};
pub use super::encoding::{from_base64, from_hex, to_base64};
use super::num::{Num, Scalar};
use super::parse::{default_styles, parse_bool, parse_number};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::array::{Array, Store};
use crate::library::text::CHAR;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub static CONVERT: TypeDef = TypeDef {
    name: "Convert",
    kind: TypeKind::Static,
    statics: &[
        m("ToBoolean", "bool"),
        m("ToByte", "byte"),
        m("ToSByte", "sbyte"),
        m("ToInt16", "short"),
        m("ToUInt16", "ushort"),
        m("ToInt32", "int"),
        m("ToUInt32", "uint"),
        m("ToInt64", "long"),
        m("ToUInt64", "ulong"),
        m("ToSingle", "float"),
        m("ToDouble", "double"),
        m("ToDecimal", "decimal"),
        m("ToChar", "char"),
        m("ToString", "string"),
        m("ToDateTime", "DateTime"),
        m("ToBase64String", "string"),
        m("FromBase64String", "byte[]"),
        m("ToBase64CharArray", "int"),
        m("FromBase64CharArray", "byte[]"),
        m("ToHexString", "string"),
        m("ToHexStringLower", "string"),
        m("FromHexString", "byte[]"),
        m("ChangeType", "object"),
    ],
    unimplemented: &[
        "IsDBNull",
        "DBNull",
        "GetTypeCode",
        "TryFromBase64String",
        "TryFromBase64Chars",
        "TryToBase64Chars",
        "FromBase64CharArray(ReadOnlySpan)",
        "TryToHexString",
        "TryToHexStringLower",
        "FromHexString(ReadOnlySpan)",
    ],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// `System.Base64FormattingOptions` (not in APIM's list: usable where a
/// value of it arrives, not nameable).
pub static BASE64_FORMATTING_OPTIONS: TypeDef = TypeDef {
    name: "Base64FormattingOptions",
    kind: TypeKind::Enum,
    apim: crate::types::Apim::Helper,
    members: super::enums::ENUM_MEMBERS,
    enum_values: &[("None", 0), ("InsertLineBreaks", 1)],
    flags: true,
    ..TypeDef::EMPTY
};

fn invalid_cast(from: &Value<'_>, to: &str) -> EvalError {
    let from = crate::library::type_of(from).map_or("Object", |d| d.name);
    EvalError::new(
        EvalErrorKind::InvalidCast,
        format!("Invalid cast from '{from}' to '{to}'."),
    )
}

fn target(name: &str) -> Option<Num> {
    Some(match name {
        "ToByte" => Num::Byte,
        "ToSByte" => Num::SByte,
        "ToInt16" => Num::Short,
        "ToUInt16" => Num::UShort,
        "ToInt32" => Num::Int,
        "ToUInt32" => Num::UInt,
        "ToInt64" => Num::Long,
        "ToUInt64" => Num::ULong,
        "ToSingle" => Num::Float,
        "ToDouble" => Num::Double,
        "ToDecimal" => Num::Decimal,
        _ => return None,
    })
}

/// `Convert.ToXxx(value)` to numeric type `k`.
pub fn to_number<'a>(v: &Value<'a>, k: Num) -> EvalResult<Value<'a>> {
    let s = match v {
        Value::Null => return Ok(k.wrap(0)),
        Value::Bool(b) => return Ok(k.wrap(i128::from(*b))),
        Value::Char(_) if !k.is_integral() => return Err(invalid_cast(v, k.name())),
        Value::Str(s) => return parse_number(s, k, default_styles(k)),
        Value::Enum(_, x) => Scalar::Int(i128::from(*x)),
        v => Scalar::of(v).ok_or_else(|| invalid_cast(v, k.name()))?,
    };
    let s = match s {
        Scalar::F(x, _) if k.is_integral() => {
            let r = x.round_ties_even();
            let (lo, hi) = k.range();
            if x.is_nan() || r < lo as f64 || r > hi as f64 {
                return Err(k.overflow());
            }
            Scalar::F(r, false)
        }
        Scalar::Dec(d) if k.is_integral() => {
            Scalar::Dec(d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven))
        }
        s => s,
    };
    scalar_to(s, k, true).map_err(|e| {
        if e.kind == EvalErrorKind::Overflow {
            k.overflow()
        } else {
            e
        }
    })
}

/// `Convert.ToInt32("ff", 16)`: the bits of the type in base 2, 8 or 16
/// (base 10 allows a sign).
fn from_base<'a>(s: &str, base: i32, k: Num) -> EvalResult<Value<'a>> {
    if !matches!(base, 2 | 8 | 10 | 16) {
        return Err(EvalError::argument("Invalid Base. (Parameter 'fromBase')"));
    }
    if base == 10 {
        return parse_number(s, k, super::parse::LEADING_SIGN);
    }
    let mut t = s;
    if base == 16 {
        t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    }
    if t.is_empty() || !t.chars().all(|c| c.is_digit(base as u32)) {
        return Err(EvalError::new(
            EvalErrorKind::Format,
            "Could not find any recognizable digits.",
        ));
    }
    let u = u128::from_str_radix(t, base as u32).map_err(|_| k.overflow())?;
    if u >> k.bits() != 0 {
        return Err(k.overflow());
    }
    Ok(k.wrap(u as i128))
}

/// `Convert.ToString(integer, toBase)`.
fn to_base(v: &Value<'_>, base: i32) -> EvalResult<String> {
    let i = v
        .as_integer()
        .ok_or_else(|| EvalError::argument("Convert.ToString(value, toBase) takes an integer"))?;
    let bits = Num::of(v).map_or(16, Num::bits);
    let u = (i as u128) & ((1u128 << bits) - 1);
    Ok(match base {
        2 => format!("{u:b}"),
        8 => format!("{u:o}"),
        10 => i.to_string(),
        16 => format!("{u:x}"),
        _ => return Err(EvalError::argument("Invalid Base. (Parameter 'toBase')")),
    })
}

fn to_bool(v: &Value<'_>) -> EvalResult<bool> {
    match v {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        Value::Str(s) => parse_bool(s),
        Value::Char(_) => Err(invalid_cast(v, "Boolean")),
        v => match Scalar::of(v) {
            Some(Scalar::Int(i)) => Ok(i != 0),
            Some(Scalar::F(x, _)) => Ok(x != 0.0),
            Some(Scalar::Dec(d)) => Ok(!d.is_zero()),
            None => Err(invalid_cast(v, "Boolean")),
        },
    }
}

fn to_char<'a>(v: &Value<'a>) -> EvalResult<Value<'a>> {
    match v {
        Value::Null => Ok(Value::Char('\0')),
        Value::Char(c) => Ok(Value::Char(*c)),
        Value::Str(s) => {
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) if (c as u32) < 0x10000 => Ok(Value::Char(c)),
                _ => Err(EvalError::new(
                    EvalErrorKind::Format,
                    "String must be exactly one character long.",
                )),
            }
        }
        v => match v.as_integer() {
            Some(i) if (0..=0xFFFF).contains(&i) => char_from(i as u32),
            Some(_) => Err(EvalError::new(
                EvalErrorKind::Overflow,
                "Value was either too large or too small for a character.",
            )),
            None => Err(invalid_cast(v, "Char")),
        },
    }
}

fn bytes_arg(v: Option<&Value<'_>>, param: &str) -> EvalResult<Vec<u8>> {
    match v {
        Some(Value::Null) | None => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            format!("Value cannot be null. (Parameter '{param}')"),
        )),
        Some(v) => Array::to_bytes(v).ok_or_else(|| EvalError::argument("expected a byte[]")),
    }
}

fn range_arg(args: &[Value<'_>], at: usize, len: usize) -> EvalResult<(usize, usize)> {
    let (Some(o), Some(l)) = (args.get(at), args.get(at + 1)) else {
        return Ok((0, len));
    };
    let (o, l) = (o.to_i32("offset")?, l.to_i32("length")?);
    match (usize::try_from(o), usize::try_from(l)) {
        (Ok(o), Ok(l)) if o + l <= len => Ok((o, l)),
        _ => Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Offset and length must refer to a position in the string. (Parameter 'offset')",
        )),
    }
}

fn chars_of(v: Option<&Value<'_>>) -> EvalResult<String> {
    let a = v
        .and_then(|v| v.downcast::<Array>())
        .ok_or_else(|| EvalError::argument("expected a char[]"))?;
    let Store::Values(items) = &*a.store.borrow() else {
        return Err(EvalError::argument("expected a char[]"));
    };
    items
        .iter()
        .map(|c| match c {
            Value::Char(c) => Ok(*c),
            _ => Err(EvalError::argument("expected a char[]")),
        })
        .collect()
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let first = args.first().unwrap_or(&Value::Null);
    if let Some(k) = target(name) {
        return Some(match (args, k.is_integral()) {
            ([Value::Str(s), base], true) if base.as_integer().is_some() => {
                from_base(s, base.to_i32("fromBase").unwrap_or(0), k)
            }
            ([Value::Null, base], true) if base.as_integer().is_some() => Ok(k.wrap(0)),
            _ => to_number(first, k),
        });
    }
    Some((|| match name {
        "ToBoolean" => to_bool(first).map(Value::Bool),
        "ToChar" => to_char(first),
        "ToString" => match args {
            [v, base] if base.as_integer().is_some() && v.as_integer().is_some() && !matches!(v, Value::Char(_)) => {
                to_base(v, base.to_i32("toBase")?).map(Value::string)
            }
            [Value::Str(f), ..] => Ok(Value::Str(f.clone())),
            [v, ..] => Ok(Value::string(crate::library::to_text(v).into_owned())),
            [] => Ok(Value::str("")),
        },
        "ToDateTime" => match first {
            Value::Null => Ok(Value::DateTime(crate::library::time::DateTime::MIN)),
            Value::DateTime(d) => Ok(Value::DateTime(*d)),
            Value::Str(s) => crate::library::time::parse_datetime(s).map(Value::DateTime),
            v => Err(invalid_cast(v, "DateTime")),
        },
        "ToBase64String" => {
            let b = bytes_arg(args.first(), "inArray")?;
            let (o, l) = range_arg(args, 1, b.len())?;
            let opts = if args.len() == 2 || args.len() == 4 { args.last() } else { None };
            let breaks = matches!(opts, Some(Value::Enum(_, 1))) || opts.and_then(Value::as_integer) == Some(1);
            rt.alloc(l * 4 / 3 + 4)?;
            Ok(Value::string(to_base64(&b[o..o + l], breaks)))
        }
        "FromBase64String" => match first {
            Value::Str(s) => {
                rt.alloc(s.len())?;
                from_base64(s).map(Array::bytes)
            }
            _ => Err(EvalError::new(EvalErrorKind::ArgumentNull, "Value cannot be null. (Parameter 's')")),
        },
        "FromBase64CharArray" => {
            let s = chars_of(args.first())?;
            let chars: Vec<char> = s.chars().collect();
            let (o, l) = range_arg(args, 1, chars.len())?;
            let part: String = chars[o..o + l].iter().collect();
            from_base64(&part).map(Array::bytes)
        }
        "ToBase64CharArray" => {
            let b = bytes_arg(args.first(), "inArray")?;
            let (o, l) = range_arg(args, 1, b.len())?;
            let text = to_base64(&b[o..o + l], matches!(args.get(5), Some(Value::Enum(_, 1))));
            let out = args.get(3).and_then(|v| v.downcast::<Array>()).ok_or_else(|| {
                EvalError::new(EvalErrorKind::ArgumentNull, "Value cannot be null. (Parameter 'outArray')")
            })?;
            let at = usize::try_from(args.get(4).map_or(Ok(0), |v| v.to_i32("offsetOut"))?).unwrap_or(usize::MAX);
            let mut store = out.store.borrow_mut();
            let Store::Values(slots) = &mut *store else {
                return Err(EvalError::argument("outArray must be a char[]"));
            };
            if at > slots.len() || slots.len() - at < text.len() {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Either offset did not refer to a position in the string, or there is an insufficient length of destination character array. (Parameter 'offsetOut')",
                ));
            }
            for (slot, c) in slots[at..].iter_mut().zip(text.chars()) {
                *slot = Value::Char(c);
            }
            Ok(Value::Int(text.len() as i32))
        }
        "ToHexString" | "ToHexStringLower" => {
            let b = bytes_arg(args.first(), "inArray")?;
            let (o, l) = range_arg(args, 1, b.len())?;
            rt.alloc(l * 2)?;
            let s: String = b[o..o + l]
                .iter()
                .map(|x| if name == "ToHexString" { format!("{x:02X}") } else { format!("{x:02x}") })
                .collect();
            Ok(Value::string(s))
        }
        "FromHexString" => match first {
            Value::Str(s) => from_hex(s).map(Array::bytes),
            _ => Err(EvalError::new(EvalErrorKind::ArgumentNull, "Value cannot be null. (Parameter 's')")),
        },
        "ChangeType" => change_type(first, args.get(1)),
        _ => Err(EvalError::argument(format!("Convert.{name} is not implemented"))),
    })())
    .filter(|_| CONVERT.static_member(name).is_some())
}

/// `Convert.ChangeType(value, typeof(T))` for the primitive types.
fn change_type<'a>(v: &Value<'a>, ty: Option<&Value<'a>>) -> EvalResult<Value<'a>> {
    let name = match ty {
        Some(Value::Obj(o)) => o.to_text(),
        _ => {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentNull,
                "Value cannot be null. (Parameter 'conversionType')",
            ))
        }
    };
    let short = name.rsplit('.').next().unwrap_or(&name);
    let def = crate::library::find_type(short, 0).ok_or_else(|| invalid_cast(v, short))?;
    if let Some(k) = Num::from_def(def) {
        return to_number(v, k);
    }
    match def.name {
        "Boolean" => to_bool(v).map(Value::Bool),
        "String" => Ok(Value::string(crate::library::to_text(v).into_owned())),
        "Object" => Ok(v.clone()),
        _ if def.is(&CHAR) => to_char(v),
        "DateTime" => match v {
            Value::Str(s) => crate::library::time::parse_datetime(s).map(Value::DateTime),
            Value::DateTime(d) => Ok(Value::DateTime(*d)),
            v => Err(invalid_cast(v, "DateTime")),
        },
        _ if crate::library::is_instance(v, &TypeRef::of(def)) => Ok(v.clone()),
        _ => Err(invalid_cast(v, def.name)),
    }
}

/// `Convert.ToDecimal(double)` for other families.
pub fn decimal_of_double(x: f64) -> EvalResult<Decimal> {
    super::cast::float_to_decimal(x, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn call(name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
        call_static(&mut TestRt::new(), name, &[], args).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(call("ToInt32", &[Value::Double(2.5)]), Ok(Value::Int(2)));
        assert_eq!(call("ToInt32", &[Value::Double(3.5)]), Ok(Value::Int(4)));
        assert_eq!(call("ToInt32", &[Value::str(" 42 ")]), Ok(Value::Int(42)));
        assert_eq!(call("ToInt32", &[Value::Null]), Ok(Value::Int(0)));
        assert_eq!(call("ToInt32", &[Value::Bool(true)]), Ok(Value::Int(1)));
        assert_eq!(
            call("ToByte", &[Value::Int(256)]).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            call("ToInt32", &[Value::str("ff"), Value::Int(16)]),
            Ok(Value::Int(255))
        );
        assert_eq!(
            call("ToInt32", &[Value::str("FFFFFFFF"), Value::Int(16)]),
            Ok(Value::Int(-1))
        );
        assert_eq!(call("ToInt32", &[Value::str("101"), Value::Int(2)]), Ok(Value::Int(5)));
        assert_eq!(
            call("ToString", &[Value::Int(255), Value::Int(16)]),
            Ok(Value::str("ff"))
        );
        assert_eq!(
            call("ToString", &[Value::Int(-1), Value::Int(2)]).unwrap(),
            Value::string("1".repeat(32))
        );
        assert_eq!(call("ToDouble", &[Value::str("1.5")]), Ok(Value::Double(1.5)));
        assert_eq!(
            call("ToDecimal", &[Value::Double(0.1)]),
            Ok(Value::Decimal(Decimal::new(1, 1)))
        );
        assert_eq!(
            call("ToDouble", &[Value::Char('a')]).unwrap_err().kind,
            EvalErrorKind::InvalidCast
        );
        assert_eq!(call("ToBoolean", &[Value::str("True")]), Ok(Value::Bool(true)));
        assert_eq!(call("ToBoolean", &[Value::Int(0)]), Ok(Value::Bool(false)));
        assert_eq!(call("ToChar", &[Value::Int(65)]), Ok(Value::Char('A')));
        assert_eq!(call("ToString", &[Value::Double(1.5)]), Ok(Value::str("1.5")));
        assert_eq!(call("ToString", &[Value::Null]), Ok(Value::str("")));
    }

    #[test]
    fn base64_and_hex() {
        let b = Array::bytes(b"hello".to_vec());
        assert_eq!(
            call("ToBase64String", std::slice::from_ref(&b)),
            Ok(Value::str("aGVsbG8="))
        );
        assert_eq!(
            call("ToBase64String", &[b.clone(), Value::Int(1), Value::Int(2)]),
            Ok(Value::str("ZWw="))
        );
        let d = call("FromBase64String", &[Value::str(" aGVs\r\nbG8= ")]).unwrap();
        assert_eq!(Array::to_bytes(&d).unwrap(), b"hello");
        assert_eq!(
            call("FromBase64String", &[Value::str("aGVsbG8")]).unwrap_err().kind,
            EvalErrorKind::Format
        );
        assert_eq!(
            call("ToHexString", std::slice::from_ref(&b)),
            Ok(Value::str("68656C6C6F"))
        );
        let h = call("FromHexString", &[Value::str("68656c6C6F")]).unwrap();
        assert_eq!(Array::to_bytes(&h).unwrap(), b"hello");
        assert_eq!(
            call("FromHexString", &[Value::str("6")]).unwrap_err().kind,
            EvalErrorKind::Format
        );
        let long = to_base64(&[0u8; 100], true);
        assert_eq!(long.find("\r\n"), Some(76));
    }
}
