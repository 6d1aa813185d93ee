//! Static members and calls on type names: `string.Empty`,
//! `int.MaxValue`, `DateTime.UtcNow`, `TimeSpan.Zero`, `string.Join`,
//! `int.Parse`, `Guid.NewGuid()`, `Math.Min`, ...
//!
//! Invariants: a name is a type only when it is in [`STATIC_TYPES`] and no
//! local variable shadows it; `StringComparison`/`StringSplitOptions`
//! values are accepted only as method arguments (see `args`); `Math.*`
//! takes non-nullable numbers and is `double` as soon as one argument is.

use super::super::ast::{Ast, Kind};
use super::super::check::{err, Checker};
use super::super::datetime::unit;
use super::super::ir::{Const, Method, Node};
use super::super::types::Type;
use super::super::CompileError;
use super::args::{arity, Flags, A};

/// Type names usable as the receiver of a static member.
const STATIC_TYPES: &[&str] = &[
    "string",
    "String",
    "int",
    "Int32",
    "double",
    "Double",
    "bool",
    "Boolean",
    "Guid",
    "DateTime",
    "TimeSpan",
    "Math",
    "StringComparison",
    "StringSplitOptions",
];

pub fn is_static_type(name: &str) -> bool {
    STATIC_TYPES.contains(&name)
}

pub(super) fn static_name(a: &Ast, c: &Checker) -> Option<String> {
    match &a.kind {
        Kind::Name(n) if c.local(n).is_none() && is_static_type(n) => Some(n.clone()),
        _ => None,
    }
}

/// `Type.name` (not called), e.g. `DateTime.UtcNow`.
pub(super) fn static_member(ty: &str, name: &str, pos: usize) -> Result<(Node, Type), CompileError> {
    Ok(match (ty, name) {
        ("DateTime", "UtcNow" | "Now") => (
            Node::Call {
                recv: None,
                method: Method::UtcNow,
                args: vec![],
                lift: false,
            },
            Type::DateTime,
        ),
        ("string" | "String", "Empty") => (Node::Const(Const::Str("".into())), Type::String),
        ("int" | "Int32", "MaxValue") => (Node::Const(Const::Int(i32::MAX)), Type::Int),
        ("int" | "Int32", "MinValue") => (Node::Const(Const::Int(i32::MIN)), Type::Int),
        ("TimeSpan", "Zero") => {
            let zero = vec![Node::Const(Const::Double(0.0))];
            (
                Node::Call {
                    recv: None,
                    method: Method::SpanFrom(1),
                    args: zero,
                    lift: false,
                },
                Type::TimeSpan,
            )
        }
        ("StringComparison" | "StringSplitOptions", _) => {
            return err(pos, format!("`{ty}.{name}` is only supported as a method argument"))
        }
        _ => return err(pos, format!("`{ty}.{name}` is not supported")),
    })
}

pub(super) fn static_method(
    ty: &str,
    name: &str,
    args: &[A],
    flags: &Flags,
    pos: usize,
) -> Result<(Method, Type), CompileError> {
    let ic = flags.ignore_case.unwrap_or(false);
    if flags.remove_empty.is_some() || (flags.ignore_case.is_some() && name != "Equals") {
        return err(pos, format!("`{ty}.{name}` does not take this enum argument"));
    }
    let r = match (ty, name) {
        ("string" | "String", "IsNullOrEmpty") => (1..=1, Method::IsNullOrEmpty, Type::Bool),
        ("string" | "String", "IsNullOrWhiteSpace") => (1..=1, Method::IsNullOrWhiteSpace, Type::Bool),
        ("string" | "String", "Join") => (2..=64, Method::Join, Type::String),
        ("string" | "String", "Concat") => (1..=64, Method::Concat, Type::String),
        ("string" | "String", "Format") => (1..=64, Method::Format, Type::String),
        ("string" | "String", "Equals") => (2..=2, Method::StaticEquals { ic }, Type::Bool),
        ("int" | "Int32", "Parse") => (1..=1, Method::ParseInt, Type::Int),
        ("double" | "Double", "Parse") => (1..=1, Method::ParseDouble, Type::Double),
        ("bool" | "Boolean", "Parse") => (1..=1, Method::ParseBool, Type::Bool),
        ("TimeSpan", "FromMilliseconds") => (1..=1, Method::SpanFrom(unit::MILLISECOND), Type::TimeSpan),
        ("TimeSpan", "FromSeconds") => (1..=1, Method::SpanFrom(unit::SECOND), Type::TimeSpan),
        ("TimeSpan", "FromMinutes") => (1..=1, Method::SpanFrom(unit::MINUTE), Type::TimeSpan),
        ("TimeSpan", "FromHours") => (1..=1, Method::SpanFrom(unit::HOUR), Type::TimeSpan),
        ("TimeSpan", "FromDays") => (1..=1, Method::SpanFrom(unit::DAY), Type::TimeSpan),
        ("Guid", "NewGuid") => (0..=0, Method::NewGuid, Type::Guid),
        ("Math", "Min") => (2..=2, Method::Min, Type::Int),
        ("Math", "Max") => (2..=2, Method::Max, Type::Int),
        ("Math", "Abs") => (1..=1, Method::Abs, Type::Int),
        ("int" | "Int32" | "double" | "Double" | "bool" | "Boolean", "TryParse") => {
            return err(
                pos,
                format!("`{ty}.TryParse` needs an `out` argument, which is not supported"),
            );
        }
        _ => return err(pos, format!("`{ty}.{name}` is not supported")),
    };
    let (range, method, mut rty) = r;
    arity(&format!("{ty}.{name}"), args, range, pos)?;
    if matches!(method, Method::Min | Method::Max | Method::Abs) {
        if let Some(a) = args.iter().find(|a| !a.ty.is_numeric() || a.ty.admits_null()) {
            return err(a.pos, format!("`Math.{name}` takes int or double, not {}", a.ty));
        }
        if args.iter().any(|a| a.ty == Type::Double) {
            rty = Type::Double;
        }
    }
    Ok((method, rty))
}
