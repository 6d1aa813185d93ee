//! Type rules of the statements of `@{ }` blocks: declarations (`var`,
//! typed, `default(T)`), assignments (`=` and compound), `if`/`else`,
//! nested blocks and `return`.
//!
//! Invariants: a block some path of which does not `return` is a compile
//! error; all `return`s are converted to one unified type; each
//! declaration gets a fresh local slot, scoped to its block.

use super::super::ast::Stmt as AStmt;
use super::super::ir::{Const, Node, Stmt};
use super::super::types::Type;
use super::super::CompileError;
use super::ops::binary_type;
use super::{convert, err, resolve_type, unify, Checker};

impl Checker {
    /// Checks a block body; returns the statements, the unified type of
    /// its `return`s and the number of local slots.
    pub fn block(mut self, stmts: &[AStmt], end: usize) -> Result<(Vec<Stmt>, Type, usize), CompileError> {
        let mut out = self.stmts(stmts)?;
        if !always_returns(stmts) {
            return err(end, "not all code paths return a value (end the block with `return`)");
        }
        let mut ty = self.returns[0];
        for &t in &self.returns[1..] {
            ty = unify(ty, t).ok_or_else(|| CompileError::at(end, format!("the block returns both {ty} and {t}")))?;
        }
        if ty == Type::Null {
            ty = Type::Object;
        }
        let mut i = 0;
        convert_returns(&mut out, &self.returns, ty, &mut i);
        Ok((out, ty, self.slots))
    }

    pub(super) fn stmts(&mut self, stmts: &[AStmt]) -> Result<Vec<Stmt>, CompileError> {
        let mut out = Vec::new();
        for s in stmts {
            self.stmt(s, &mut out)?;
        }
        Ok(out)
    }

    pub(super) fn scoped(&mut self, s: &AStmt) -> Result<Box<[Stmt]>, CompileError> {
        self.scopes.push(Vec::new());
        let mut out = Vec::new();
        let r = self.stmt(s, &mut out);
        self.scopes.pop();
        r.map(|()| out.into_boxed_slice())
    }

    pub(super) fn stmt(&mut self, s: &AStmt, out: &mut Vec<Stmt>) -> Result<(), CompileError> {
        match s {
            AStmt::Empty => {}
            AStmt::Block(body) => {
                self.scopes.push(Vec::new());
                let r = self.stmts(body);
                self.scopes.pop();
                out.extend(r?);
            }
            AStmt::Return(e) => {
                let (node, ty) = self.expr(e)?;
                self.returns.push(ty);
                out.push(Stmt::Return(node));
            }
            AStmt::If { cond, then, els } => {
                let c = self.want(cond, Type::Bool, "the condition of `if`")?;
                let t = self.scoped(then)?;
                let e = match els {
                    Some(e) => self.scoped(e)?,
                    None => Box::new([]),
                };
                out.push(Stmt::If(c, t, e));
            }
            AStmt::Decl { ty, name, init, pos } => {
                if self.local(name).is_some() || name == "context" {
                    return err(*pos, format!("a local named `{name}` is already defined"));
                }
                let (node, ty) = match (ty.name.as_str(), init) {
                    ("var", Some(e)) => {
                        let (node, ty) = self.expr(e)?;
                        if matches!(ty, Type::Null) {
                            return err(e.pos, "cannot infer the type of `var` from null");
                        }
                        (node, ty)
                    }
                    ("var", None) => return err(*pos, "`var` needs an initializer"),
                    (_, Some(e)) => {
                        let ty = resolve_type(ty)?;
                        (self.want(e, ty, &format!("the value of `{name}`"))?, ty)
                    }
                    (_, None) => {
                        let ty = resolve_type(ty)?;
                        (default_of(ty), ty)
                    }
                };
                let slot = self.slots;
                self.slots += 1;
                self.scopes.last_mut().expect("scope").push((name.clone(), slot, ty));
                out.push(Stmt::Set(slot, node));
            }
            AStmt::Assign { name, op, value, pos } => {
                let Some((slot, ty)) = self.local(name) else {
                    return err(*pos, format!("`{name}` is not a local variable (context is read-only)"));
                };
                let node = match op {
                    None => self.want(value, ty, &format!("the value assigned to `{name}`"))?,
                    Some(op) => {
                        let (rn, rt) = self.expr(value)?;
                        let (bop, bt) = binary_type(*op, ty, rt).ok_or_else(|| {
                            CompileError::at(
                                *pos,
                                format!("operator `{}=` cannot be applied to {ty} and {rt}", op.symbol()),
                            )
                        })?;
                        let node = Node::Bin(bop, Box::new(Node::Local(slot)), Box::new(rn));
                        convert(node, bt, ty).ok_or_else(|| {
                            CompileError::at(*pos, format!("cannot assign {bt} to `{name}` of type {ty}"))
                        })?
                    }
                };
                out.push(Stmt::Set(slot, node));
            }
        }
        Ok(())
    }
}

fn always_returns(stmts: &[AStmt]) -> bool {
    stmts.iter().any(|s| match s {
        AStmt::Return(_) => true,
        AStmt::Block(b) => always_returns(b),
        AStmt::If { then, els: Some(e), .. } => {
            always_returns(std::slice::from_ref(then)) && always_returns(std::slice::from_ref(e))
        }
        _ => false,
    })
}

fn convert_returns(stmts: &mut [Stmt], types: &[Type], to: Type, i: &mut usize) {
    for s in stmts {
        match s {
            Stmt::Return(node) => {
                let n = std::mem::replace(node, Node::Const(Const::Null));
                *node = convert(n, types[*i], to).expect("unified");
                *i += 1;
            }
            Stmt::If(_, t, e) => {
                convert_returns(t, types, to, i);
                convert_returns(e, types, to, i);
            }
            Stmt::Set(..) => {}
        }
    }
}

/// `default(T)`.
fn default_of(ty: Type) -> Node {
    Node::Const(match ty {
        Type::Bool => Const::Bool(false),
        Type::Int => Const::Int(0),
        Type::Double => Const::Double(0.0),
        Type::Char => Const::Char('\0'),
        _ => Const::Null,
    })
}
