//! C# type names and implicit conversions: what a written type resolves
//! to, which conversions C# applies implicitly (numeric widening, to
//! nullable, to `object`, `null` to a type that admits it), and the common
//! type of two branches.
//!
//! Invariant: the conversions that change the value (int/char → double,
//! char → int) become explicit `Convert` nodes; the others (to nullable,
//! to `object`, `null` to a type that admits it) keep the node, the value
//! being the same at runtime.

use super::super::ast::TypeName;
use super::super::ir::{Const, Conv, Node};
use super::super::types::Type;
use super::super::CompileError;

/// A type written in a cast, `as`, declaration or generic argument.
pub fn resolve_type(t: &TypeName) -> Result<Type, CompileError> {
    let unsupported = || CompileError::at(t.pos, format!("type `{t}` is not supported"));
    if !t.args.is_empty() {
        return Err(unsupported());
    }
    let base = match t.name.as_str() {
        "string" | "String" | "System.String" => Type::String,
        "int" | "Int32" | "System.Int32" => Type::Int,
        "bool" | "Boolean" | "System.Boolean" => Type::Bool,
        "double" | "Double" | "System.Double" => Type::Double,
        "char" | "Char" => Type::Char,
        "object" | "Object" | "System.Object" => Type::Object,
        "DateTime" | "System.DateTime" => Type::DateTime,
        "TimeSpan" | "System.TimeSpan" => Type::TimeSpan,
        "Guid" | "System.Guid" => Type::Guid,
        _ => return Err(unsupported()),
    };
    match (t.nullable, t.array) {
        (false, false) => Ok(base),
        (true, false) if base.prim().is_some() => Ok(base.nullable()),
        (false, true) if base == Type::String => Ok(Type::StringArray),
        _ => Err(unsupported()),
    }
}

/// Implicit conversion of `node` from `from` to `to`, if C# has one.
pub fn convert(node: Node, from: Type, to: Type) -> Option<Node> {
    if from == to || to == Type::Object || (from == Type::Null && to.admits_null()) {
        return Some(node);
    }
    match (from.non_null(), to.non_null()) {
        (f, t) if f == t && to.admits_null() => Some(node),
        (Type::Int | Type::Char, Type::Double) if !from.admits_null() || to.admits_null() => {
            Some(Node::Convert(Conv::ToDouble, Box::new(node)))
        }
        (Type::Char, Type::Int) if !from.admits_null() || to.admits_null() => {
            Some(Node::Convert(Conv::ToInt, Box::new(node)))
        }
        _ => None,
    }
}

pub(super) fn convertible(from: Type, to: Type) -> bool {
    convert(Node::Const(Const::Null), from, to).is_some()
}

/// The common type of two branches (conditional, `??`, returns).
pub fn unify(a: Type, b: Type) -> Option<Type> {
    if a == b {
        return Some(a);
    }
    match (a, b) {
        (Type::Null, t) | (t, Type::Null) => Some(t.nullable()),
        (Type::Object, _) | (_, Type::Object) => Some(Type::Object),
        _ if convertible(a, b) => Some(b),
        _ if convertible(b, a) => Some(a),
        _ if convertible(a.nullable(), b.nullable()) => Some(b.nullable()),
        _ if convertible(b.nullable(), a.nullable()) => Some(a.nullable()),
        _ => None,
    }
}
