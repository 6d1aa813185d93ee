//! Operators: typing by C#'s rules where the operand types are known
//! (numeric promotion, lifted nullable operators, string concatenation,
//! refusing `decimal + double`, `bool + int`, `"a" < "b"`…), dynamic
//! otherwise; `&&`/`||`/`??`/`?:` with their flow (assignments are in
//! `assign`).

use super::ir::{Bin, Const, Node, Un};
use super::names;
use super::ty::{Prim, Ty};
use super::{unify, Compiler};
use crate::error::CompileError;
use crate::syntax::ast::{Ast, BinOp, IntSuffix, Kind, UnOp};
use crate::types::{TypeKind, TypeRef};

type R<T> = Result<T, CompileError>;

pub(super) fn bin_of(op: BinOp) -> Option<Bin> {
    Some(match op {
        BinOp::Add => Bin::Add,
        BinOp::Sub => Bin::Sub,
        BinOp::Mul => Bin::Mul,
        BinOp::Div => Bin::Div,
        BinOp::Rem => Bin::Rem,
        BinOp::Shl => Bin::Shl,
        BinOp::Shr => Bin::Shr,
        BinOp::BitAnd => Bin::And,
        BinOp::BitOr => Bin::Or,
        BinOp::BitXor => Bin::Xor,
        BinOp::Eq => Bin::Eq,
        BinOp::Ne => Bin::Ne,
        BinOp::Lt => Bin::Lt,
        BinOp::Gt => Bin::Gt,
        BinOp::Le => Bin::Le,
        BinOp::Ge => Bin::Ge,
        BinOp::And | BinOp::Or | BinOp::Coalesce => return None,
    })
}

pub(super) fn refuse2(op: &str, a: &Ty, b: &Ty, pos: usize) -> CompileError {
    CompileError::at(
        pos,
        format!(
            "operator `{op}` cannot be applied to operands of type `{}` and `{}`",
            a.text(),
            b.text()
        ),
    )
}

/// The .NET method of a unary operator on objects.
pub fn unary_method(op: Un) -> &'static str {
    match op {
        Un::Neg => "op_UnaryNegation",
        Un::Plus => "op_UnaryPlus",
        Un::Not => "op_LogicalNot",
        Un::BitNot => "op_OnesComplement",
    }
}

pub(super) fn is_enum(t: &Ty) -> bool {
    matches!(t.unwrap_nullable().def(), Some(d) if d.kind == TypeKind::Enum)
}

/// The static type of `a op b` (both operands evaluated; not `&&`, `||`,
/// `??`). `Ok(None)`: string concatenation.
pub fn binary_type(op: Bin, a: &Ty, b: &Ty, pos: usize) -> R<Option<Ty>> {
    let pa = a.lifted_prim();
    let pb = b.lifted_prim();
    let is_str = |p: Option<(Prim, bool)>| matches!(p, Some((Prim::String, _)));
    let lifted = pa.is_some_and(|p| p.1) || pb.is_some_and(|p| p.1) || matches!(a, Ty::Null) || matches!(b, Ty::Null);
    let wrap = |p: Prim| {
        let t = Ty::prim(p);
        if lifted {
            t.nullable()
        } else {
            t
        }
    };
    let bool_t = Ty::prim(Prim::Bool);
    if matches!(a, Ty::Void | Ty::Lambda) || matches!(b, Ty::Void | Ty::Lambda) {
        return Err(refuse2(op.symbol(), a, b, pos));
    }
    if op == Bin::Add && (is_str(pa) || is_str(pb)) {
        // `XNamespace + "name"` is the type's operator, not concatenation.
        if let Some(d) = a.unwrap_nullable().def().filter(|_| pa.is_none()) {
            if let Ok(Some(f)) = names::find_member(d, op.method(), false) {
                return Ok(Some(super::ty::from_table(
                    f.member.ret,
                    &super::ty::Env {
                        method: &[],
                        ty: &[],
                        elem: None,
                    },
                )));
            }
        }
        return Ok(None);
    }
    match op {
        Bin::Eq | Bin::Ne => {
            if let (Some((x, _)), Some((y, _))) = (pa, pb) {
                let ok = x == y || (x.is_arith() && y.is_arith()) || x == Prim::Object || y == Prim::Object;
                if !ok {
                    return Err(refuse2(op.symbol(), a, b, pos));
                }
                if x != y && (x == Prim::Decimal || y == Prim::Decimal) && Prim::promote2(x, y).is_none() {
                    return Err(refuse2(op.symbol(), a, b, pos));
                }
            }
            return Ok(Some(bool_t));
        }
        Bin::Lt | Bin::Gt | Bin::Le | Bin::Ge => {
            for p in [pa, pb].into_iter().flatten() {
                if matches!(p.0, Prim::String | Prim::Bool | Prim::Object) {
                    return Err(refuse2(op.symbol(), a, b, pos));
                }
            }
            if let (Some((x, _)), Some((y, _))) = (pa, pb) {
                if Prim::promote2(x, y).is_none() {
                    return Err(refuse2(op.symbol(), a, b, pos));
                }
            }
            return Ok(Some(bool_t));
        }
        _ => {}
    }
    if a.is_dyn() || b.is_dyn() || matches!(a, Ty::Never) || matches!(b, Ty::Never) {
        return Ok(Some(Ty::Dyn));
    }
    match (pa, pb) {
        (Some((x, _)), Some((y, _))) if x.is_arith() && y.is_arith() => {
            if matches!(op, Bin::Shl | Bin::Shr) {
                if !x.is_integral() || y.promote() != Prim::Int {
                    return Err(refuse2(op.symbol(), a, b, pos));
                }
                return Ok(Some(wrap(x.promote())));
            }
            if matches!(op, Bin::And | Bin::Or | Bin::Xor) && !(x.is_integral() && y.is_integral()) {
                return Err(refuse2(op.symbol(), a, b, pos));
            }
            match Prim::promote2(x, y) {
                Some(p) => Ok(Some(wrap(p))),
                None => Err(refuse2(op.symbol(), a, b, pos)),
            }
        }
        (Some((Prim::Bool, _)), Some((Prim::Bool, _))) if matches!(op, Bin::And | Bin::Or | Bin::Xor) => {
            Ok(Some(wrap(Prim::Bool)))
        }
        (Some((x, _)), Some((y, _))) if x != Prim::Object && y != Prim::Object => Err(refuse2(op.symbol(), a, b, pos)),
        (Some((x, _)), None) | (None, Some((x, _))) if matches!(x, Prim::Bool | Prim::String) => {
            if matches!(a, Ty::Null) || matches!(b, Ty::Null) {
                return Ok(Some(Ty::Dyn));
            }
            Err(refuse2(op.symbol(), a, b, pos))
        }
        _ => {
            if is_enum(a) && (is_enum(b) || pb.is_some()) {
                return Ok(Some(match op {
                    Bin::And | Bin::Or | Bin::Xor | Bin::Add => a.clone(),
                    Bin::Sub if is_enum(b) => Ty::prim(Prim::Int),
                    Bin::Sub => a.clone(),
                    _ => return Err(refuse2(op.symbol(), a, b, pos)),
                }));
            }
            // Objects and time values: their operator method, if listed.
            if let Some(d) = a.unwrap_nullable().def() {
                if let Ok(Some(f)) = names::find_member(d, op.method(), false) {
                    return Ok(Some(super::ty::from_table(
                        f.member.ret,
                        &super::ty::Env {
                            method: &[],
                            ty: &[],
                            elem: None,
                        },
                    )));
                }
            }
            Ok(Some(Ty::Dyn))
        }
    }
}

impl Compiler {
    pub fn unary(&mut self, op: UnOp, e: &Ast, pos: usize) -> R<(Node, Ty)> {
        let un = match op {
            UnOp::PreInc => return self.incdec(e, true, false, pos),
            UnOp::PreDec => return self.incdec(e, false, false, pos),
            UnOp::PostInc => return self.incdec(e, true, true, pos),
            UnOp::PostDec => return self.incdec(e, false, true, pos),
            UnOp::Neg => Un::Neg,
            UnOp::Plus => Un::Plus,
            UnOp::Not => Un::Not,
            UnOp::BitNot => Un::BitNot,
        };
        // Negative literals: `-2147483648` is an int, `-5` a constant.
        if un == Un::Neg {
            if let Kind::Int(v, s) = &e.kind {
                let (c, p) = super::expr::int_literal(*v, *s);
                let folded = match (c, *s) {
                    (_, IntSuffix::None) if *v == 1 << 31 => Some((Const::Int(i32::MIN), Prim::Int)),
                    (_, IntSuffix::None | IntSuffix::L) if *v == 1 << 63 => Some((Const::Long(i64::MIN), Prim::Long)),
                    (Const::Int(i), _) => Some((Const::Int(-i), p)),
                    (Const::Long(i), _) => Some((Const::Long(-i), p)),
                    (Const::UInt(u), _) => Some((Const::Long(-i64::from(u)), Prim::Long)),
                    _ => None,
                };
                if let Some((c, p)) = folded {
                    return Ok((Node::Const(c), Ty::prim(p)));
                }
            }
            if let Kind::Real(..) = &e.kind {
                let (n, t) = self.expr(e)?;
                if let Node::Const(c) = &n {
                    let neg = match c {
                        Const::Double(f) => Some(Const::Double(-f)),
                        Const::Float(f) => Some(Const::Float(-f)),
                        Const::Decimal(d) => Some(Const::Decimal(-*d)),
                        _ => None,
                    };
                    if let Some(c) = neg {
                        return Ok((Node::Const(c), t));
                    }
                }
            }
        }
        let (n, t) = self.expr(e)?;
        if un == Un::Not {
            if let Node::Const(Const::Bool(b)) = n {
                return Ok((Node::Const(Const::Bool(!b)), t));
            }
        }
        // `int` constant expressions stay constants: `-(1 << 7)`, `~0`.
        if let Node::Const(Const::Int(i)) = n {
            let folded = match un {
                Un::Neg => i.checked_neg(),
                Un::Plus => Some(i),
                Un::BitNot => Some(!i),
                _ => None,
            };
            if let Some(v) = folded {
                return Ok((Node::Const(Const::Int(v)), t));
            }
        }
        let refuse = |t: &Ty| {
            CompileError::at(
                pos,
                format!(
                    "operator `{}` cannot be applied to an operand of type `{}`",
                    match un {
                        Un::Neg => "-",
                        Un::Plus => "+",
                        Un::Not => "!",
                        Un::BitNot => "~",
                    },
                    t.text()
                ),
            )
        };
        let rt = match (&t, t.lifted_prim()) {
            (Ty::Dyn | Ty::Never, _) => Ty::Dyn,
            (_, Some((p, lifted))) => {
                let r = match un {
                    Un::Not if p == Prim::Bool => Prim::Bool,
                    Un::Neg if p == Prim::ULong => return Err(refuse(&t)),
                    Un::Neg if p == Prim::UInt => Prim::Long,
                    Un::Neg | Un::Plus if p.is_arith() => p.promote(),
                    Un::BitNot if p.is_integral() => p.promote(),
                    _ => return Err(refuse(&t)),
                };
                if lifted {
                    Ty::prim(r).nullable()
                } else {
                    Ty::prim(r)
                }
            }
            (t, None) if un == Un::BitNot && is_enum(t) => t.clone(),
            // `-span`, and the unary operator methods of objects.
            (t, None) if matches!(un, Un::Neg | Un::Plus) => match t.unwrap_nullable().def() {
                Some(d) if d.namespace == "System" && d.name == "TimeSpan" => t.clone(),
                Some(d) => match names::find_member(d, unary_method(un), false) {
                    Ok(Some(f)) => super::ty::from_table(
                        f.member.ret,
                        &super::ty::Env {
                            method: &[],
                            ty: &[],
                            elem: None,
                        },
                    ),
                    _ => return Err(refuse(t)),
                },
                None => return Err(refuse(t)),
            },
            (t, _) => return Err(refuse(t)),
        };
        Ok((
            Node::Unary {
                op: un,
                arg: Box::new(n),
                checked: self.checked,
            },
            rt,
        ))
    }

    pub fn binary(&mut self, op: BinOp, l: &Ast, r: &Ast, pos: usize) -> R<(Node, Ty)> {
        match op {
            BinOp::And | BinOp::Or => {
                let (n, t, f) = self.and_or(op, l, r)?;
                self.flow = t.join(&f);
                return Ok((n, Ty::prim(Prim::Bool)));
            }
            BinOp::Coalesce => {
                let (a, at) = self.expr(l)?;
                if at.is_value_type() {
                    return Err(CompileError::at(
                        pos,
                        format!("operator `??` cannot be applied to a non-nullable `{}`", at.text()),
                    ));
                }
                let saved = self.flow.clone();
                let (b, bt) = self.expr(r)?;
                self.flow = saved;
                let t = match (&at, &bt) {
                    (Ty::Known(TypeRef::Nullable(inner)), _) => {
                        let u = Ty::known((**inner).clone());
                        if bt.is_value_type() || matches!(bt, Ty::Never) {
                            unify(&u, &bt)
                        } else {
                            unify(&at, &bt)
                        }
                    }
                    (Ty::Null, _) => bt.clone(),
                    _ => unify(&at, &bt),
                };
                return Ok((Node::Coalesce(Box::new(a), Box::new(b)), t));
            }
            _ => {}
        }
        let Some(bin) = bin_of(op) else {
            return Err(CompileError::at(pos, "unexpected operator"));
        };
        let (a, at) = self.expr(l)?;
        let (b, bt) = self.expr(r)?;
        match binary_type(bin, &at, &bt, pos)? {
            None => {
                let mut parts = Vec::new();
                for n in [a, b] {
                    match n {
                        Node::Concat(ps) => parts.extend(ps.into_vec()),
                        n => parts.push(n),
                    }
                }
                Ok((Node::Concat(parts.into()), Ty::prim(Prim::String)))
            }
            Some(t) => {
                if let (Node::Const(Const::Int(x)), Node::Const(Const::Int(y))) = (&a, &b) {
                    if let Some(v) = fold_int(bin, *x, *y) {
                        return Ok((Node::Const(Const::Int(v)), t));
                    }
                }
                Ok((
                    Node::Binary {
                        op: bin,
                        l: Box::new(a),
                        r: Box::new(b),
                        checked: self.checked,
                    },
                    t,
                ))
            }
        }
    }

    pub fn conditional(&mut self, c: &Ast, t: &Ast, e: &Ast) -> R<(Node, Ty)> {
        let (cn, ft, ff) = self.cond_flows(c)?;
        self.flow = ft;
        let (tn, tt) = self.expr(t)?;
        let f1 = std::mem::replace(&mut self.flow, ff);
        let (en, et) = self.expr(e)?;
        self.flow = f1.join(&self.flow);
        let ty = unify(&tt, &et);
        Ok((Node::Cond(Box::new(cn), Box::new(tn), Box::new(en)), ty))
    }
}

/// An `int` operation on two `int` constants, folded at compile time so
/// that the result is a constant (C# converts an `int` constant that fits
/// implicitly to `byte`, `uint`, …: `const uint N = 60 * 20;`). `None`
/// when the result is no `int` constant (a comparison) or the operation
/// fails (overflow, division by zero): it is then left to run time.
fn fold_int(op: Bin, x: i32, y: i32) -> Option<i32> {
    match op {
        Bin::Add => x.checked_add(y),
        Bin::Sub => x.checked_sub(y),
        Bin::Mul => x.checked_mul(y),
        Bin::Div => x.checked_div(y),
        Bin::Rem => x.checked_rem(y),
        // C# masks an `int` shift count to its low 5 bits.
        Bin::Shl => Some(x.wrapping_shl((y & 31) as u32)),
        Bin::Shr => Some(x.wrapping_shr((y & 31) as u32)),
        Bin::And => Some(x & y),
        Bin::Or => Some(x | y),
        Bin::Xor => Some(x ^ y),
        Bin::Eq | Bin::Ne | Bin::Lt | Bin::Gt | Bin::Le | Bin::Ge => None,
    }
}
