//! Instance members of values: the properties (`s.Length`, `d.Year`,
//! `t.TotalSeconds`, ...) and the methods each type has in the subset
//! (string, `string[]`, dictionaries, DateTime, `Body.As<string>()`,
//! `Certificate.Verify()`).
//!
//! Invariants: resolution picks one [`Method`] whose runtime
//! implementation (`expr::methods`) accepts the receiver's static type;
//! anything else is a compile error that names the method and the type
//! (and says when a name is a method used without `()` or vice versa).

use super::super::check::err;
use super::super::datetime::unit;
use super::super::ir::{DatePart, Method, Side, SpanPart};
use super::super::types::{DictKind, Ns, Type};
use super::super::CompileError;
use super::args::{arity, no_flags, text_or_chars, Flags, A};

/// Properties of values (no parentheses).
pub(super) fn property(ty: Type, name: &str) -> Option<(Method, Type)> {
    Some(match (ty, name) {
        (Type::String, "Length") => (Method::Length, Type::Int),
        (Type::StringArray, "Length") => (Method::ArrayLength, Type::Int),
        (Type::DateTime, _) => {
            let part = match name {
                "Year" => DatePart::Year,
                "Month" => DatePart::Month,
                "Day" => DatePart::Day,
                "Hour" => DatePart::Hour,
                "Minute" => DatePart::Minute,
                "Second" => DatePart::Second,
                "Millisecond" => DatePart::Millisecond,
                "DayOfYear" => DatePart::DayOfYear,
                _ => return None,
            };
            (Method::DatePart(part), Type::Int)
        }
        (Type::TimeSpan, _) => match name {
            "TotalMilliseconds" => (Method::SpanTotal(unit::MILLISECOND), Type::Double),
            "TotalSeconds" => (Method::SpanTotal(unit::SECOND), Type::Double),
            "TotalMinutes" => (Method::SpanTotal(unit::MINUTE), Type::Double),
            "TotalHours" => (Method::SpanTotal(unit::HOUR), Type::Double),
            "TotalDays" => (Method::SpanTotal(unit::DAY), Type::Double),
            "Milliseconds" => (Method::SpanPart(SpanPart::Milliseconds), Type::Int),
            "Seconds" => (Method::SpanPart(SpanPart::Seconds), Type::Int),
            "Minutes" => (Method::SpanPart(SpanPart::Minutes), Type::Int),
            "Hours" => (Method::SpanPart(SpanPart::Hours), Type::Int),
            "Days" => (Method::SpanPart(SpanPart::Days), Type::Int),
            _ => return None,
        },
        _ => return None,
    })
}

pub(super) fn method_exists(ty: Type, name: &str) -> bool {
    matches!(
        (ty, name),
        (_, "ToString" | "Equals")
            | (
                Type::String,
                "Contains"
                    | "StartsWith"
                    | "EndsWith"
                    | "ToLower"
                    | "ToUpper"
                    | "Trim"
                    | "Split"
                    | "Replace"
                    | "Substring"
                    | "IndexOf"
            )
            | (
                Type::StringArray,
                "First" | "Last" | "FirstOrDefault" | "LastOrDefault" | "Count"
            )
            | (Type::Dict(_), "GetValueOrDefault" | "ContainsKey")
    )
}

pub(super) fn instance_method(
    rt: Type,
    name: &str,
    args: &[A],
    targs: &[Type],
    flags: &Flags,
    pos: usize,
) -> Result<(Method, Type), CompileError> {
    let ic = flags.ignore_case.unwrap_or(false);
    let flagless = |m: Method, t: Type, range: std::ops::RangeInclusive<usize>| {
        no_flags(flags, name, pos)?;
        arity(name, args, range, pos)?;
        Ok::<_, CompileError>((m, t))
    };
    if name == "ToString" {
        return match args.len() {
            0 => flagless(Method::ToText, Type::String, 0..=0),
            _ if matches!(rt.non_null(), Type::DateTime | Type::Guid | Type::Int | Type::Double) => {
                flagless(Method::ToTextFormat, Type::String, 1..=1)
            }
            _ => err(pos, format!("`ToString` with a format is not supported on {rt}")),
        };
    }
    match (rt, name) {
        (Type::String, "Contains" | "StartsWith" | "EndsWith") => {
            arity(name, args, 1..=1, pos)?;
            text_or_chars(name, args)?;
            let m = match name {
                "Contains" => Method::Contains { ic },
                "StartsWith" => Method::StartsWith { ic },
                _ => Method::EndsWith { ic },
            };
            Ok((m, Type::Bool))
        }
        (Type::String, "Equals") => arity(name, args, 1..=1, pos).map(|_| (Method::Equals { ic }, Type::Bool)),
        (Type::String, "IndexOf" | "LastIndexOf") => {
            arity(name, args, 1..=1, pos)?;
            text_or_chars(name, args)?;
            let m = if name == "IndexOf" {
                Method::IndexOf { ic }
            } else {
                Method::LastIndexOf { ic }
            };
            Ok((m, Type::Int))
        }
        (Type::String, "ToLower" | "ToLowerInvariant") => flagless(Method::ToLower, Type::String, 0..=0),
        (Type::String, "ToUpper" | "ToUpperInvariant") => flagless(Method::ToUpper, Type::String, 0..=0),
        (Type::String, "Trim" | "TrimStart" | "TrimEnd") => {
            no_flags(flags, name, pos)?;
            if let Some(a) = args.iter().find(|a| a.ty != Type::Char) {
                return err(a.pos, format!("arguments of `{name}` must be chars, not {}", a.ty));
            }
            let side = match name {
                "Trim" => Side::Both,
                "TrimStart" => Side::Start,
                _ => Side::End,
            };
            Ok((Method::Trim(side), Type::String))
        }
        (Type::String, "Split") => {
            if flags.ignore_case.is_some() {
                return err(pos, "`Split` does not take a StringComparison");
            }
            text_or_chars(name, args)?;
            if args.len() > 1 && args.iter().any(|a| a.ty == Type::String) {
                return err(
                    pos,
                    "`Split` with several string separators needs an array, which is not supported",
                );
            }
            Ok((
                Method::Split {
                    remove_empty: flags.remove_empty.unwrap_or(false),
                },
                Type::StringArray,
            ))
        }
        (Type::String, "Replace") => {
            no_flags(flags, name, pos)?;
            arity(name, args, 2..=2, pos)?;
            let same = (args[0].ty == Type::Char && args[1].ty == Type::Char)
                || (args[0].ty == Type::String && matches!(args[1].ty, Type::String | Type::Null));
            if !same {
                return err(
                    pos,
                    format!(
                        "`Replace` takes (string, string) or (char, char), not ({}, {})",
                        args[0].ty, args[1].ty
                    ),
                );
            }
            Ok((Method::Replace, Type::String))
        }
        (Type::String, "Substring") => flagless(Method::Substring, Type::String, 1..=2),
        (Type::String, "PadLeft") => flagless(Method::PadLeft, Type::String, 1..=2),
        (Type::String, "PadRight") => flagless(Method::PadRight, Type::String, 1..=2),
        (Type::StringArray, "First") => flagless(Method::First { or_default: false }, Type::String, 0..=0),
        (Type::StringArray, "Last") => flagless(Method::Last { or_default: false }, Type::String, 0..=0),
        (Type::StringArray, "FirstOrDefault") => flagless(Method::First { or_default: true }, Type::String, 0..=0),
        (Type::StringArray, "LastOrDefault") => flagless(Method::Last { or_default: true }, Type::String, 0..=0),
        (Type::StringArray, "Count") => flagless(Method::ArrayLength, Type::Int, 0..=0),
        (Type::StringArray, "Contains") => flagless(Method::ArrayContains, Type::Bool, 1..=1),
        (Type::StringArray, "Any" | "Where" | "Select" | "All") => {
            err(pos, format!("LINQ method `{name}` is not supported"))
        }
        (Type::Dict(d), "GetValueOrDefault") => {
            no_flags(flags, name, pos)?;
            arity(name, args, 1..=2, pos)?;
            let default = args.len() == 2;
            let ty = match (d, targs) {
                (DictKind::Variables, [t]) => *t,
                (DictKind::Variables, []) if default => match args[1].ty {
                    Type::Null => Type::Object,
                    t => t,
                },
                (DictKind::Variables, []) => Type::Object,
                (DictKind::Variables, _) => return err(pos, "`GetValueOrDefault` takes one type argument"),
                _ => Type::String,
            };
            Ok((Method::GetValueOrDefault { ty, default }, ty))
        }
        (Type::Dict(_), "ContainsKey") => flagless(Method::ContainsKey, Type::Bool, 1..=1),
        (Type::Dict(_), "TryGetValue") => err(pos, "`TryGetValue` needs an `out` argument, which is not supported"),
        (Type::DateTime, "AddMilliseconds") => flagless(Method::AddTicks(unit::MILLISECOND), Type::DateTime, 1..=1),
        (Type::DateTime, "AddSeconds") => flagless(Method::AddTicks(unit::SECOND), Type::DateTime, 1..=1),
        (Type::DateTime, "AddMinutes") => flagless(Method::AddTicks(unit::MINUTE), Type::DateTime, 1..=1),
        (Type::DateTime, "AddHours") => flagless(Method::AddTicks(unit::HOUR), Type::DateTime, 1..=1),
        (Type::DateTime, "AddDays") => flagless(Method::AddTicks(unit::DAY), Type::DateTime, 1..=1),
        (Type::DateTime, "ToUniversalTime") => flagless(Method::AddTicks(0), Type::DateTime, 0..=0),
        (Type::Ns(Ns::Certificate), "Verify" | "VerifyNoRevocation") => {
            arity(name, args, 0..=0, pos)?;
            Ok((Method::CertVerify, Type::Bool))
        }
        (Type::Ns(Ns::Body(msg)), "As") => {
            if targs != [Type::String] {
                return err(
                    pos,
                    "only `Body.As<string>()` is supported (JObject and other types are not)",
                );
            }
            arity(name, args, 0..=1, pos)?;
            Ok((Method::BodyAs(msg), Type::String))
        }
        _ => err(pos, format!("method `{name}` is not supported on {rt}")),
    }
}
