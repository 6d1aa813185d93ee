//! Assignments: their targets (locals — not `foreach` variables —,
//! properties and indexers, never `context`'s), simple assignment with
//! the implicit conversion to the target's type, compound assignment with
//! C#'s narrowing back to it, `+=` on strings, `??=`, and `++`/`--`.

use super::ir::{AssignOp, Node, Target};
use super::ops::{bin_of, binary_type, is_enum, refuse2};
use super::ty::{Prim, Ty};
use super::Compiler;
use crate::error::CompileError;
use crate::syntax::ast::{Ast, BinOp, Kind};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

/// `context` and everything reached from it is read-only to expressions.
fn read_only_context(recv: &Ty, pos: usize) -> R<()> {
    match recv.def() {
        Some(d) if d.namespace.starts_with("Microsoft.Azure.ApiManagement") => Err(CompileError::at(
            pos,
            format!("`{}` is read-only: expressions cannot change `context`", d.name),
        )),
        _ => Ok(()),
    }
}

impl Compiler {
    /// The target of an assignment or `++`/`--`; its static type and, for
    /// locals, the slot. `read`: the target's value is read first (compound
    /// assignment), so a local must be assigned.
    pub(super) fn target(&mut self, t: &Ast, read: bool) -> R<(Target, Ty, Option<u32>)> {
        match &t.kind {
            Kind::Paren(e) => self.target(e, read),
            Kind::Name(n) => {
                let Some(slot) = self.lookup(n) else {
                    if n == "_" && !read {
                        return Ok((Target::Discard, Ty::Dyn, None));
                    }
                    if n == "context" {
                        return Err(CompileError::at(t.pos, "`context` is read-only"));
                    }
                    return Err(CompileError::at(t.pos, format!("unknown name `{n}`")));
                };
                let local = self.local(slot);
                if let Some(why) = local.readonly {
                    return Err(CompileError::at(t.pos, format!("cannot assign to `{n}`: it is {why}")));
                }
                let ty = local.ty.clone();
                if read && !self.flow.is_assigned(slot) && !self.read_unassigned(slot, n) {
                    return Err(CompileError::at(
                        t.pos,
                        format!("use of unassigned local variable `{n}`"),
                    ));
                }
                Ok((Target::Local(slot), ty, Some(slot)))
            }
            Kind::Member {
                obj,
                name,
                cond: false,
                generics,
            } if generics.is_empty() => {
                let (r, rt) = self.expr(obj)?;
                read_only_context(&rt, t.pos)?;
                if matches!(rt, Ty::Anon(_)) {
                    return Err(CompileError::at(t.pos, "members of an anonymous type are read-only"));
                }
                let mt = self.member_type(&rt, name, t.pos)?;
                Ok((
                    Target::Member {
                        recv: Box::new(r),
                        name: name.as_str().into(),
                    },
                    mt,
                    None,
                ))
            }
            Kind::Index { obj, args, cond: false } => {
                let [key] = args.as_slice() else {
                    return Err(CompileError::at(t.pos, "only indexers with one argument are supported"));
                };
                let (r, rt) = self.expr(obj)?;
                read_only_context(&rt, t.pos)?;
                let (k, kt) = self.expr(key)?;
                if rt.as_prim() == Some(Prim::String) {
                    return Err(CompileError::at(t.pos, "a string's characters are read-only"));
                }
                let it = self.index_type(&rt, &kt, t.pos)?;
                Ok((
                    Target::Index {
                        recv: Box::new(r),
                        key: Box::new(k),
                    },
                    it,
                    None,
                ))
            }
            Kind::Member { cond: true, .. } | Kind::Index { cond: true, .. } => Err(CompileError::at(
                t.pos,
                "the left-hand side of an assignment cannot contain `?.`",
            )),
            _ => Err(CompileError::at(
                t.pos,
                "the left-hand side of an assignment must be a variable, a property or an indexer",
            )),
        }
    }

    pub fn assign(&mut self, op: Option<BinOp>, target: &Ast, value: &Ast, pos: usize) -> R<(Node, Ty)> {
        let (tgt, tt, slot) = self.target(target, op.is_some())?;
        let declared = match (&tgt, &tt) {
            (Target::Local(_), Ty::Known(t)) => Some(t.clone()),
            _ => None,
        };
        let node = match op {
            None => {
                let (v, vt) = self.expr(value)?;
                if matches!(vt, Ty::Void | Ty::Lambda) {
                    return Err(CompileError::at(value.pos, format!("cannot assign {}", vt.text())));
                }
                let v = match &tt {
                    Ty::Known(t) => self.coerce(v, &vt, t, value.pos)?,
                    _ => v,
                };
                Node::Assign {
                    target: tgt,
                    op: None,
                    value: Box::new(v),
                    conv: None,
                    checked: self.checked,
                }
            }
            Some(BinOp::Coalesce) => {
                if tt.is_value_type() {
                    return Err(CompileError::at(
                        pos,
                        format!("operator `??=` cannot be applied to a non-nullable `{}`", tt.text()),
                    ));
                }
                let saved = self.flow.clone();
                let (v, vt) = self.expr(value)?;
                self.flow = saved;
                let v = match &tt {
                    Ty::Known(TypeRef::Nullable(t)) => self.coerce(v, &vt, t, value.pos)?,
                    Ty::Known(t) => self.coerce(v, &vt, t, value.pos)?,
                    _ => v,
                };
                Node::Assign {
                    target: tgt,
                    op: Some(AssignOp::Coalesce),
                    value: Box::new(v),
                    conv: None,
                    checked: self.checked,
                }
            }
            Some(bop) => {
                let Some(bin) = bin_of(bop) else {
                    return Err(CompileError::at(pos, "unexpected compound operator"));
                };
                let (v, vt) = self.expr(value)?;
                let result = binary_type(bin, &tt, &vt, pos)?;
                let same = result
                    .as_ref()
                    .is_some_and(|r| r.as_prim().is_some() && r.as_prim() == tt.as_prim());
                let aop = match result {
                    None => {
                        if !matches!(tt.as_prim(), Some(Prim::String | Prim::Object) | None) || tt.is_value_type() {
                            return Err(CompileError::at(
                                pos,
                                format!("cannot implicitly convert type `string` to `{}`", tt.text()),
                            ));
                        }
                        AssignOp::Concat
                    }
                    Some(rt) => {
                        // `x op= y` is `x = (T)(x op y)`: the result must
                        // convert back to the target's type.
                        if let (Some(to), Some(from)) = (tt.lifted_prim(), rt.lifted_prim()) {
                            if to.0.is_arith() != from.0.is_arith() || (to.0 == Prim::Bool) != (from.0 == Prim::Bool) {
                                return Err(refuse2(&format!("{}=", bin.symbol()), &tt, &vt, pos));
                            }
                        }
                        AssignOp::Bin(bin)
                    }
                };
                let conv = match (&declared, aop) {
                    // `x op= y` narrows back to x's type when the result's
                    // type differs (`byte b; b += 1;`).
                    (Some(t), AssignOp::Bin(_)) if !same && tt.lifted_prim().is_some_and(|p| p.0.is_arith()) => {
                        Some(t.clone())
                    }
                    _ => None,
                };
                Node::Assign {
                    target: tgt,
                    op: Some(aop),
                    value: Box::new(v),
                    conv,
                    checked: self.checked,
                }
            }
        };
        if let Some(s) = slot {
            self.flow.assign(s);
        }
        Ok((node, tt))
    }

    pub(super) fn incdec(&mut self, e: &Ast, inc: bool, post: bool, pos: usize) -> R<(Node, Ty)> {
        let (tgt, tt, _) = self.target(e, true)?;
        match (&tt, tt.lifted_prim()) {
            (Ty::Dyn, _) => {}
            (_, Some((p, _))) if p.is_arith() => {}
            (t, None) if is_enum(t) => {}
            _ => {
                return Err(CompileError::at(
                    pos,
                    format!(
                        "operator `{}` cannot be applied to an operand of type `{}`",
                        if inc { "++" } else { "--" },
                        tt.text()
                    ),
                ))
            }
        }
        if matches!(tgt, Target::Discard) {
            return Err(CompileError::at(pos, "cannot increment a discard"));
        }
        Ok((
            Node::IncDec {
                target: tgt,
                inc,
                post,
                checked: self.checked,
            },
            tt,
        ))
    }
}
