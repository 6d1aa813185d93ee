//! Arguments of resolved calls: checking them once (`A`), the
//! compile-time enum flags (`StringComparison.X`, `StringSplitOptions.X`),
//! arity and argument-kind rules, and the parameter types arguments are
//! implicitly converted to.
//!
//! Invariants: every argument is converted to its parameter type at
//! compile time (a failed conversion is a compile error at the argument's
//! position), so the evaluator never coerces; flags never reach the IR as
//! arguments, they select the [`Method`] variant.

use super::super::ast::{Ast, Kind};
use super::super::check::{convert, err, Checker};
use super::super::ir::{Method, Node};
use super::super::types::Type;
use super::super::CompileError;
use super::statics::static_name;

/// A checked argument.
pub(super) struct A {
    pub node: Node,
    pub ty: Type,
    pub pos: usize,
}

/// Compile-time enum arguments (`StringComparison.OrdinalIgnoreCase`).
#[derive(Default)]
pub(super) struct Flags {
    pub ignore_case: Option<bool>,
    pub remove_empty: Option<bool>,
}

impl Checker {
    /// Consumes `StringComparison.X` / `StringSplitOptions.X` arguments.
    pub(super) fn flag(&self, a: &Ast, flags: &mut Flags) -> Result<bool, CompileError> {
        let Kind::Member { obj, name, .. } = &a.kind else {
            return Ok(false);
        };
        let Some(ty) = static_name(obj, self) else {
            return Ok(false);
        };
        match (ty.as_str(), name.as_str()) {
            ("StringComparison", "Ordinal" | "InvariantCulture" | "CurrentCulture") => flags.ignore_case = Some(false),
            ("StringComparison", "OrdinalIgnoreCase" | "InvariantCultureIgnoreCase" | "CurrentCultureIgnoreCase") => {
                flags.ignore_case = Some(true)
            }
            ("StringSplitOptions", "None") => flags.remove_empty = Some(false),
            ("StringSplitOptions", "RemoveEmptyEntries") => flags.remove_empty = Some(true),
            ("StringComparison" | "StringSplitOptions", _) => {
                return err(a.pos, format!("`{ty}.{name}` is not supported"))
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Parameter types of a resolved method, for converting its arguments.
/// `checked` is the argument list of variadic methods.
pub(super) fn method_params(m: Method, checked: &[A]) -> Vec<Type> {
    use Type::{Bool, Double, Int, Object, String as S};
    match m {
        Method::Equals { .. } => vec![S],
        Method::IndexOf { .. }
        | Method::LastIndexOf { .. }
        | Method::Trim(_)
        | Method::Split { .. }
        | Method::Replace => {
            vec![] // strings or chars, checked at resolution
        }
        Method::Substring => vec![Int, Int],
        Method::PadLeft | Method::PadRight => vec![Int, Type::Char],
        Method::IsNullOrEmpty
        | Method::IsNullOrWhiteSpace
        | Method::ParseInt
        | Method::ParseDouble
        | Method::ParseBool => vec![S],
        Method::StaticEquals { .. } => vec![S, S],
        Method::Join => {
            let mut v = vec![S];
            if checked.len() == 2 && checked[1].ty == Type::StringArray {
                v.push(Type::StringArray);
            } else {
                v.extend(std::iter::repeat_n(Object, checked.len().saturating_sub(1)));
            }
            v
        }
        Method::Concat => std::iter::repeat_n(Object, checked.len()).collect(),
        Method::Format => {
            let mut v = vec![S];
            v.extend(std::iter::repeat_n(Object, checked.len().saturating_sub(1)));
            v
        }
        Method::ToTextFormat => vec![S],
        Method::ArrayContains => vec![S],
        Method::GetValueOrDefault { ty, .. } => vec![S, ty],
        Method::ContainsKey => vec![S],
        Method::AddTicks(_) | Method::SpanFrom(_) => vec![Double],
        Method::Min | Method::Max | Method::Abs => {
            let t = if checked.iter().any(|a| a.ty == Double) {
                Double
            } else {
                Int
            };
            vec![t, t]
        }
        Method::BodyAs(_) => vec![Bool],
        _ => vec![],
    }
}

pub(super) fn convert_args(checked: Vec<A>, params: &[Type]) -> Result<Vec<Node>, CompileError> {
    checked
        .into_iter()
        .enumerate()
        .map(|(i, a)| match params.get(i) {
            None => Ok(a.node),
            Some(&p) => convert(a.node, a.ty, p)
                .ok_or_else(|| CompileError::at(a.pos, format!("argument {} must be {p}, not {}", i + 1, a.ty))),
        })
        .collect()
}

pub(super) fn arity(
    name: &str,
    checked: &[A],
    range: std::ops::RangeInclusive<usize>,
    pos: usize,
) -> Result<(), CompileError> {
    if range.contains(&checked.len()) {
        return Ok(());
    }
    let want = if range.start() == range.end() {
        format!("{}", range.start())
    } else {
        format!("{} to {}", range.start(), range.end())
    };
    err(pos, format!("`{name}` takes {want} argument(s), got {}", checked.len()))
}

pub(super) fn text_or_chars(name: &str, checked: &[A]) -> Result<(), CompileError> {
    match checked
        .iter()
        .find(|a| !matches!(a.ty, Type::String | Type::Char | Type::Null))
    {
        Some(a) => err(
            a.pos,
            format!("arguments of `{name}` must be strings or chars, not {}", a.ty),
        ),
        None => Ok(()),
    }
}

pub(super) fn no_flags(flags: &Flags, name: &str, pos: usize) -> Result<(), CompileError> {
    if flags.ignore_case.is_some() || flags.remove_empty.is_some() {
        return err(
            pos,
            format!("`{name}` does not take StringComparison or StringSplitOptions here"),
        );
    }
    Ok(())
}
