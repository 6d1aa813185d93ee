//! `System.Enum` (APIM allows `Parse`, `TryParse`, `ToString`) and the
//! members every enum value has: `ToString(format)` (`G`, `D`, `X`, `F`),
//! `HasFlag`, `CompareTo`, `Equals`, `GetHashCode`.
//!
//! A `Type` argument (`Enum.Parse(typeof(DayOfWeek), "Monday")`) is
//! recognised by its `ToString()` (the full type name, as .NET's
//! `System.Type` prints it), so this module needs nothing from the
//! evaluator's representation of types.

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::find_type;
use crate::runtime::Runtime;
use crate::types::{m, Apim, Member, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

/// The instance members of an enum value: list them in an enum's TypeDef
/// (`members: ENUM_MEMBERS`).
pub const ENUM_MEMBERS: &[Member] = &[
    m("ToString", "string"),
    m("HasFlag", "bool"),
    m("CompareTo", "int"),
    m("Equals", "bool"),
    m("GetHashCode", "int"),
];

pub static ENUM: TypeDef = TypeDef {
    name: "Enum",
    kind: TypeKind::Class,
    apim: Apim::Only(&["Parse", "TryParse", "ToString"]),
    statics: &[m("Parse", "?"), m("TryParse", "bool")],
    members: &[m("ToString", "string")],
    unimplemented: &[
        "GetName",
        "GetNames",
        "GetValues",
        "IsDefined",
        "GetUnderlyingType",
        "Format",
        "ToObject",
        "HasFlag",
        "CompareTo",
        "GetTypeCode",
    ],
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

fn bad_format() -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        "Format string can be only \"G\", \"g\", \"X\", \"x\", \"F\", \"f\", \"D\" or \"d\".",
    )
}

/// `ToString(format)` of an enum value.
pub fn format_enum(def: &TypeDef, v: i64, format: &str) -> EvalResult<String> {
    match format {
        "" | "G" | "g" => Ok(def.enum_name(v)),
        "D" | "d" => Ok(v.to_string()),
        "X" | "x" => Ok(format!("{:08X}", v as u32)),
        "F" | "f" => Ok(flags_name(def, v)),
        _ => Err(bad_format()),
    }
}

/// The `[Flags]`-style name of `v` even when the enum is not `[Flags]`.
fn flags_name(def: &TypeDef, v: i64) -> String {
    if let Some((n, _)) = def.enum_values.iter().find(|(_, x)| *x == v) {
        return (*n).to_owned();
    }
    let mut left = v;
    let mut names = Vec::new();
    for (n, x) in def.enum_values.iter().rev() {
        if *x != 0 && left & *x == *x {
            names.push(*n);
            left &= !*x;
        }
    }
    if left != 0 || names.is_empty() {
        return v.to_string();
    }
    names.reverse();
    names.join(", ")
}

/// An enum value's own methods.
pub fn call<'a>(def: &'static TypeDef, v: i64, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("ToString", []) => Ok(Value::string(def.enum_name(v))),
        ("ToString", [Value::Str(f)]) => format_enum(def, v, f).map(Value::string),
        ("ToString", [Value::Null]) => Ok(Value::string(def.enum_name(v))),
        ("HasFlag", [Value::Enum(d, f)]) if d.is(def) => Ok(Value::Bool(v & *f == *f)),
        ("HasFlag", [Value::Null]) => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'flag')",
        )),
        ("HasFlag", [other]) => Err(EvalError::argument(format!(
            "The argument type, '{}', is not the same as the enum type '{}'.",
            other.type_name(),
            def.name
        ))),
        ("CompareTo", [Value::Enum(d, o)]) if d.is(def) => Ok(Value::Int(v.cmp(o) as i32)),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [other]) => Err(EvalError::argument(format!(
            "Object must be the same type as the enum. The type passed in was '{}'; the enum type was '{}'.",
            other.type_name(),
            def.full_name()
        ))),
        ("Equals", [Value::Enum(d, o)]) => Ok(Value::Bool(d.is(def) && *o == v)),
        ("Equals", [_]) => Ok(Value::Bool(false)),
        ("GetHashCode", []) => Ok(Value::Int(v as i32)),
        _ => return None,
    })
}

/// The enum type a `Type` argument or a generic argument names.
fn enum_type(v: Option<&Value<'_>>, targs: &[TypeRef]) -> EvalResult<&'static TypeDef> {
    let def = match (targs.first(), v) {
        (Some(t), _) => t.def(),
        (None, Some(Value::Obj(o))) => {
            let name = o.to_text();
            find_type(&name, 0).or_else(|| find_type(name.rsplit('.').next().unwrap_or(&name), 0))
        }
        (None, Some(Value::Null)) => {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentNull,
                "Value cannot be null. (Parameter 'enumType')",
            ))
        }
        _ => None,
    };
    def.filter(|d| d.kind == TypeKind::Enum)
        .ok_or_else(|| EvalError::argument("Type provided must be an Enum. (Parameter 'enumType')"))
}

/// Parses an enum's text: names (comma-separated for flags), or a number.
pub fn parse_enum(def: &'static TypeDef, s: &str, ignore_case: bool) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return t.parse().ok();
    }
    let mut v = 0i64;
    for part in t.split(',') {
        let part = part.trim();
        let (_, x) = def.enum_values.iter().find(|(n, _)| {
            if ignore_case {
                n.eq_ignore_ascii_case(part)
            } else {
                *n == part
            }
        })?;
        v |= *x;
    }
    Some(v)
}

fn parse_error(def: &TypeDef, s: &str) -> EvalError {
    EvalError::argument(format!("Requested value '{s}' was not found. (enum type {})", def.name))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if !matches!(name, "Parse" | "TryParse") {
        return None;
    }
    Some((|| {
        // Parse(Type, string[, bool]) / Parse<T>(string[, bool]).
        let (def, rest) = if targs.is_empty() {
            (enum_type(args.first(), targs)?, args.get(1..).unwrap_or(&[]))
        } else {
            (enum_type(None, targs)?, args)
        };
        let text = match rest.first() {
            Some(Value::Str(s)) => s.clone(),
            Some(Value::Null) | None if name == "Parse" => {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentNull,
                    "Value cannot be null. (Parameter 'value')",
                ))
            }
            _ => Default::default(),
        };
        let ignore_case = matches!(rest.get(1), Some(Value::Bool(true)));
        let parsed = parse_enum(def, &text, ignore_case);
        match name {
            "Parse" => parsed
                .map(|v| Value::Enum(def, v))
                .ok_or_else(|| parse_error(def, &text)),
            "TryParse" => {
                let out_pos = args.len().saturating_sub(1);
                rt.set_out(out_pos, Value::Enum(def, parsed.unwrap_or(0)))?;
                Ok(Value::Bool(parsed.is_some()))
            }
            _ => Err(EvalError::argument(format!("Enum.{name} is not implemented"))),
        }
    })())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::numbers::math::MIDPOINT_ROUNDING;

    #[test]
    fn formats_and_parses() {
        let d = &MIDPOINT_ROUNDING;
        assert_eq!(format_enum(d, 1, "G").unwrap(), "AwayFromZero");
        assert_eq!(format_enum(d, 1, "D").unwrap(), "1");
        assert_eq!(format_enum(d, 1, "X").unwrap(), "00000001");
        assert_eq!(format_enum(d, 9, "G").unwrap(), "9");
        assert_eq!(format_enum(d, 3, "F").unwrap(), "ToNegativeInfinity");
        assert!(format_enum(d, 1, "Q").is_err());
        assert_eq!(parse_enum(d, "awayfromzero", true), Some(1));
        assert_eq!(parse_enum(d, "awayfromzero", false), None);
        assert_eq!(parse_enum(d, "2", false), Some(2));
        let mut rt = crate::testing::TestRt::new();
        let t = [TypeRef::of(d)];
        let r = call_static(&mut rt, "Parse", &t, &[Value::str("ToZero")]).unwrap();
        assert_eq!(r.unwrap(), Value::Enum(d, 2));
        let r = call_static(&mut rt, "TryParse", &t, &[Value::str("nope"), Value::Null]).unwrap();
        assert_eq!(r.unwrap(), Value::Bool(false));
        assert_eq!(rt.outs, vec![(1, Value::Enum(d, 0))]);
        let r = call_static(&mut rt, "Parse", &t, &[Value::str("nope")]).unwrap();
        assert_eq!(r.unwrap_err().kind, EvalErrorKind::Argument);
    }
}
