//! Type rules of the operators: unary `-`/`!`/`+`, the binary operators
//! (numeric promotion, string concatenation, equality, comparison,
//! `&&`/`||`), `??` and explicit casts.
//!
//! Invariants: [`binary_type`] is the single table of which operand types
//! a binary operator accepts and what it yields (also for compound
//! assignments); arithmetic with a nullable operand is lifted to a
//! nullable result, and `char` operands give `int`, as in C#; a cast
//! outside the implicit conversions, unboxing and numeric truncation is a
//! compile error.

use super::super::ast::{Ast, BinOp, Kind, TypeName, UnOp};
use super::super::ir::{Const, Conv, Node, Op};
use super::super::types::{Prim, Type};
use super::super::CompileError;
use super::{convert, err, resolve_type, unify, Checker, Typed};

impl Checker {
    pub(super) fn unary(&mut self, op: UnOp, e: &Ast, pos: usize) -> Result<Typed, CompileError> {
        if let (UnOp::Neg, Kind::Int(v)) = (op, &e.kind) {
            return match i32::try_from(-(*v as i128)) {
                Ok(v) => Ok(Typed::new(Node::Const(Const::Int(v)), Type::Int)),
                Err(_) => err(pos, "integer literal does not fit in int (long is not supported)"),
            };
        }
        let (node, ty) = self.expr(e)?;
        match op {
            UnOp::Not if ty.non_null() == Type::Bool => Ok(Typed::new(Node::Not(Box::new(node)), ty)),
            UnOp::Not => err(pos, format!("operator `!` cannot be applied to {ty}")),
            _ if ty.is_numeric() => {
                let (node, ty) = char_to_int(node, ty);
                let node = if op == UnOp::Neg {
                    Node::Neg(Box::new(node))
                } else {
                    node
                };
                Ok(Typed::new(node, ty))
            }
            UnOp::Neg if ty.non_null() == Type::TimeSpan => Ok(Typed::new(Node::Neg(Box::new(node)), ty)),
            _ => err(
                pos,
                format!(
                    "unary `{}` cannot be applied to {ty}",
                    if op == UnOp::Neg { "-" } else { "+" }
                ),
            ),
        }
    }

    pub(super) fn binary(&mut self, op: BinOp, l: &Ast, r: &Ast, pos: usize) -> Result<Typed, CompileError> {
        let (ln, lt) = self.expr(l)?;
        let (rn, rt) = self.expr(r)?;
        let (op, ty) = binary_type(op, lt, rt).ok_or_else(|| {
            CompileError::at(
                pos,
                format!("operator `{}` cannot be applied to {lt} and {rt}", op.symbol()),
            )
        })?;
        Ok(Typed::new(Node::Bin(op, Box::new(ln), Box::new(rn)), ty))
    }

    pub(super) fn coalesce(&mut self, l: &Ast, r: &Ast, pos: usize) -> Result<Typed, CompileError> {
        let (ln, lt) = self.expr(l)?;
        let (rn, rt) = self.expr(r)?;
        if !lt.admits_null() {
            return err(
                pos,
                format!("operator `??` needs a left operand that can be null, not {lt}"),
            );
        }
        let ty = match (lt, rt) {
            (Type::Nullable(p), r) if r == Type::from(p) => r,
            (Type::Null, r) => r,
            _ if lt == Type::Object => Type::Object,
            _ => unify(lt, rt)
                .ok_or_else(|| CompileError::at(pos, format!("operator `??` cannot be applied to {lt} and {rt}")))?,
        };
        let ln = match lt {
            Type::Nullable(_) => ln,
            _ => convert(ln, lt, ty).expect("unified"),
        };
        let rn = convert(rn, rt, ty).expect("unified");
        Ok(Typed::new(Node::Coalesce(Box::new(ln), Box::new(rn)), ty))
    }

    pub(super) fn cast(&mut self, tn: &TypeName, e: &Ast, pos: usize) -> Result<Typed, CompileError> {
        let target = resolve_type(tn)?;
        let (node, from) = self.expr(e)?;
        if let Some(node) = convert(node.clone(), from, target) {
            return Ok(Typed::new(node, target));
        }
        let conv = match (from, target.non_null()) {
            (Type::Object, _) => Conv::Unbox(target),
            (Type::Nullable(p), t) if Type::from(p) == t => Conv::Unbox(target),
            (f, Type::Int) if f.non_null() == Type::Double => Conv::Truncate,
            (f, Type::Int) if f.non_null() == Type::Char => Conv::ToInt,
            (Type::String, Type::Int | Type::Double | Type::Bool) => {
                return err(pos, format!("cannot convert string to {target} (use {target}.Parse)"));
            }
            _ => return err(pos, format!("cannot convert {from} to {target}")),
        };
        Ok(Typed::new(Node::Convert(conv, Box::new(node)), target))
    }
}

pub(super) fn char_to_int(node: Node, ty: Type) -> (Node, Type) {
    match ty.non_null() {
        Type::Char => {
            let t = if ty.admits_null() {
                Type::Nullable(Prim::Int)
            } else {
                Type::Int
            };
            (Node::Convert(Conv::ToInt, Box::new(node)), t)
        }
        _ => (node, ty),
    }
}

/// The resolved operation and result type of `l op r`.
pub fn binary_type(op: BinOp, l: Type, r: Type) -> Option<(Op, Type)> {
    let lifted = l.admits_null() && l.prim().is_some() || r.admits_null() && r.prim().is_some();
    let lift = |t: Type| if lifted { t.nullable() } else { t };
    let (ln, rn) = (l.non_null(), r.non_null());
    let numeric = l.is_numeric() && r.is_numeric();
    let arith_ty = || {
        if ln == Type::Double || rn == Type::Double {
            Type::Double
        } else {
            Type::Int
        }
    };
    Some(match op {
        BinOp::And | BinOp::Or if l == Type::Bool && r == Type::Bool => {
            (if op == BinOp::And { Op::And } else { Op::Or }, Type::Bool)
        }
        BinOp::Add if l == Type::String || r == Type::String => {
            if l == Type::Null && r == Type::Null {
                return None;
            }
            (Op::Concat, Type::String)
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem if numeric => {
            let o = match op {
                BinOp::Add => Op::Add,
                BinOp::Sub => Op::Sub,
                BinOp::Mul => Op::Mul,
                BinOp::Div => Op::Div,
                _ => Op::Rem,
            };
            (o, lift(arith_ty()))
        }
        BinOp::Add => match (ln, rn) {
            (Type::DateTime, Type::TimeSpan) => (Op::Add, lift(Type::DateTime)),
            (Type::TimeSpan, Type::TimeSpan) => (Op::Add, lift(Type::TimeSpan)),
            _ => return None,
        },
        BinOp::Sub => match (ln, rn) {
            (Type::DateTime, Type::DateTime) => (Op::Sub, lift(Type::TimeSpan)),
            (Type::DateTime, Type::TimeSpan) => (Op::Sub, lift(Type::DateTime)),
            (Type::TimeSpan, Type::TimeSpan) => (Op::Sub, lift(Type::TimeSpan)),
            _ => return None,
        },
        BinOp::Eq | BinOp::Ne => {
            let ok = numeric
                || l == Type::Object
                || r == Type::Object
                || (ln == rn && !matches!(ln, Type::StringArray | Type::Dict(_) | Type::Ns(_)))
                || (l == Type::Null && r.admits_null())
                || (r == Type::Null && l.admits_null());
            if !ok {
                return None;
            }
            (if op == BinOp::Eq { Op::Eq } else { Op::Ne }, Type::Bool)
        }
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            let ok = numeric || (ln == rn && matches!(ln, Type::DateTime | Type::TimeSpan));
            if !ok {
                return None;
            }
            let o = match op {
                BinOp::Lt => Op::Lt,
                BinOp::Gt => Op::Gt,
                BinOp::Le => Op::Le,
                _ => Op::Ge,
            };
            (o, Type::Bool)
        }
        _ => return None,
    })
}
