//! Statements: block scoping, declarations (with C#'s refusals: `var`
//! without initializer or with `null`, shadowing an enclosing local),
//! the statement-expression rule, and the flow analysis C# does —
//! reachability (constant `true`/`false` conditions, `break`s, `throw`,
//! `return`, `try`/`finally`, switch sections that fall through) and
//! definite assignment — while lowering to [`ir::Stmt`].

use super::ir::{Const, Node, Stmt, Target};
use super::names::resolve_type;
use super::ty::{self, Prim, Ty};
use super::{Breakable, Compiler, Flow};
use crate::error::CompileError;
use crate::syntax::ast::{self, Kind, UnOp};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

pub(super) fn const_bool(n: &Node) -> Option<bool> {
    match n {
        Node::Const(Const::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn stmt_pos(s: &ast::Stmt) -> usize {
    match s {
        ast::Stmt::Decl { pos, .. }
        | ast::Stmt::If { pos, .. }
        | ast::Stmt::Switch { pos, .. }
        | ast::Stmt::For { pos, .. }
        | ast::Stmt::Foreach { pos, .. }
        | ast::Stmt::While { pos, .. }
        | ast::Stmt::DoWhile { pos, .. }
        | ast::Stmt::Break(pos)
        | ast::Stmt::Continue(pos)
        | ast::Stmt::Return(_, pos)
        | ast::Stmt::Throw(_, pos)
        | ast::Stmt::Try { pos, .. }
        | ast::Stmt::LocalFunc { pos, .. } => *pos,
        ast::Stmt::Expr(a) => a.pos,
        ast::Stmt::Checked(_, b) | ast::Stmt::Block(b) => b.first().map_or(0, stmt_pos),
        ast::Stmt::Empty => 0,
    }
}

impl Compiler {
    /// A block: its own scope.
    pub fn block(&mut self, stmts: &[ast::Stmt]) -> R<Vec<Stmt>> {
        self.push_scope();
        let mut out = Vec::with_capacity(stmts.len());
        // Local functions are hoisted: callable from anywhere in the block.
        let r = stmts
            .iter()
            .try_for_each(|s| match s {
                ast::Stmt::LocalFunc {
                    ret, name, params, pos, ..
                } => self.hoist_fn(ret, name, params, *pos).map(|_| ()),
                _ => Ok(()),
            })
            .and_then(|()| stmts.iter().try_for_each(|s| self.stmt(s, &mut out)));
        self.pop_scope();
        r.map(|()| out)
    }

    /// The body of `if`, `while`, … (a declaration is not allowed there).
    pub(super) fn embedded(&mut self, s: &ast::Stmt) -> R<Vec<Stmt>> {
        if let ast::Stmt::Decl { pos, .. } | ast::Stmt::LocalFunc { pos, .. } = s {
            return Err(CompileError::at(*pos, "an embedded statement cannot be a declaration"));
        }
        self.block(std::slice::from_ref(s))
    }

    pub(super) fn stmt(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) -> R<()> {
        let pos = stmt_pos(s);
        self.enter(pos)?;
        let r = self.stmt_inner(s, pos, out);
        self.leave();
        r
    }

    fn stmt_inner(&mut self, s: &ast::Stmt, pos: usize, out: &mut Vec<Stmt>) -> R<()> {
        match s {
            ast::Stmt::Decl { ty, vars, kind, .. } => self.decl(ty, vars, *kind, out)?,
            ast::Stmt::LocalFunc {
                ret,
                name,
                params,
                body,
                pos,
            } => {
                // Declaring a function neither reaches nor assigns anything.
                self.local_fn_decl(ret, name, params, body, *pos)?;
            }
            ast::Stmt::Expr(a) => {
                let ok = match &a.kind {
                    Kind::Assign { .. } | Kind::Call { .. } | Kind::New { .. } => true,
                    Kind::Unary(op, _) => matches!(op, UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec),
                    _ => false,
                };
                if !ok {
                    return Err(CompileError::at(
                        a.pos,
                        "only assignment, call, increment, decrement and new object expressions can be used as \
                         a statement",
                    ));
                }
                let (n, _) = self.expr(a)?;
                out.push(Stmt::Expr(n));
            }
            ast::Stmt::If { cond, then, els, .. } => {
                let (c, ft, ff) = self.cond_flows(cond)?;
                self.flow = ft;
                let t = self.embedded(then)?;
                let f1 = std::mem::replace(&mut self.flow, ff);
                let e = match els {
                    Some(e) => self.embedded(e)?,
                    None => Vec::new(),
                };
                self.flow = f1.join(&self.flow);
                out.push(Stmt::If(c, t.into(), e.into()));
            }
            ast::Stmt::While { cond, body, .. } => {
                self.push_scope();
                let (c, ft, ff) = self.cond_flows(cond)?;
                self.flow = ft;
                let l = self.looping(Vec::new(), Some((c, ff)), &[], body)?;
                self.pop_scope();
                out.push(l);
            }
            ast::Stmt::For {
                init, cond, step, body, ..
            } => {
                self.push_scope();
                let mut init_ir = Vec::new();
                for s in init {
                    self.stmt(s, &mut init_ir)?;
                }
                let c = match cond {
                    Some(c) => {
                        let (c, ft, ff) = self.cond_flows(c)?;
                        self.flow = ft;
                        Some((c, ff))
                    }
                    None => None,
                };
                let l = self.looping(init_ir, c, step, body)?;
                self.pop_scope();
                out.push(l);
            }
            ast::Stmt::DoWhile { body, cond, .. } => {
                self.func.breakables.push(Breakable {
                    is_loop: true,
                    breaks: None,
                    continues: None,
                });
                let b = self.embedded(body)?;
                let br = self.func.breakables.pop();
                if let Some(c) = br.as_ref().and_then(|b| b.continues.as_ref()) {
                    self.flow = self.flow.join(c);
                }
                self.push_scope();
                let (c, _, ff) = self.cond_flows(cond)?;
                self.pop_scope();
                let mut after = ff;
                if let Some(bf) = br.and_then(|b| b.breaks) {
                    after = after.join(&bf);
                }
                self.flow = after;
                out.push(Stmt::DoWhile(b.into(), c));
            }
            ast::Stmt::Foreach {
                ty: tn,
                name,
                coll,
                body,
                ..
            } => {
                let (cn, ct) = self.expr(coll)?;
                let elem = match &ct {
                    Ty::Known(t) => ty::elem_of(t),
                    _ => None,
                };
                if let Some(p) = ct.as_prim() {
                    if p != Prim::String && p != Prim::Object {
                        return Err(CompileError::at(
                            coll.pos,
                            format!("foreach cannot enumerate a value of type `{}`", ct.text()),
                        ));
                    }
                }
                let (vty, conv) = if tn.is_var() {
                    (elem.map_or(Ty::Dyn, Ty::known), None)
                } else {
                    let t = resolve_type(tn)?;
                    let same = elem.as_ref() == Some(&t);
                    (Ty::known(t.clone()), if same { None } else { Some(t) })
                };
                self.push_scope();
                let slot = self.declare(name, vty, pos, Some("a foreach iteration variable"))?;
                let f0 = self.flow.clone();
                self.flow.assign(slot);
                self.func.breakables.push(Breakable {
                    is_loop: true,
                    breaks: None,
                    continues: None,
                });
                let b = self.embedded(body)?;
                let br = self.func.breakables.pop();
                let mut after = f0;
                if let Some(bf) = br.and_then(|b| b.breaks) {
                    after = after.join(&bf);
                }
                self.flow = after;
                self.pop_scope();
                out.push(Stmt::Foreach {
                    coll: cn,
                    slot,
                    conv,
                    body: b.into(),
                });
            }
            ast::Stmt::Switch { value, sections, .. } => self.switch(value, sections, out)?,
            ast::Stmt::Break(p) => {
                let Some(top) = self.func.breakables.len().checked_sub(1) else {
                    return Err(CompileError::at(
                        *p,
                        "no enclosing loop or switch out of which to break",
                    ));
                };
                if self.func.finally.is_some_and(|f| top < f) {
                    return Err(CompileError::at(
                        *p,
                        "control cannot leave the body of a finally clause",
                    ));
                }
                if self.flow.reach {
                    let f = self.flow.clone();
                    let b = &mut self.func.breakables[top];
                    b.breaks = Some(match b.breaks.take() {
                        Some(x) => x.join(&f),
                        None => f,
                    });
                }
                self.flow = Flow::dead();
                out.push(Stmt::Break);
            }
            ast::Stmt::Continue(p) => {
                let Some(i) = self.func.breakables.iter().rposition(|b| b.is_loop) else {
                    return Err(CompileError::at(*p, "no enclosing loop out of which to continue"));
                };
                if self.func.finally.is_some_and(|f| i < f) {
                    return Err(CompileError::at(
                        *p,
                        "control cannot leave the body of a finally clause",
                    ));
                }
                if self.flow.reach {
                    let f = self.flow.clone();
                    let b = &mut self.func.breakables[i];
                    b.continues = Some(match b.continues.take() {
                        Some(x) => x.join(&f),
                        None => f,
                    });
                }
                self.flow = Flow::dead();
                out.push(Stmt::Continue);
            }
            ast::Stmt::Return(e, p) => {
                if self.func.finally.is_some() {
                    return Err(CompileError::at(
                        *p,
                        "control cannot leave the body of a finally clause",
                    ));
                }
                let local_ret = self.func.local_ret.clone();
                let n = match (e, local_ret) {
                    (None, Some(Some(t))) => {
                        return Err(CompileError::at(
                            *p,
                            format!("the local function must return a value of type `{t}`"),
                        ));
                    }
                    (Some(e), Some(None)) => {
                        return Err(CompileError::at(e.pos, "a `void` local function cannot return a value"));
                    }
                    (None, Some(None)) => None,
                    (Some(e), Some(Some(t))) => {
                        let (n, et) = self.expr(e)?;
                        if matches!(et, Ty::Void | Ty::Lambda) {
                            return Err(CompileError::at(e.pos, format!("cannot return {}", et.text())));
                        }
                        Some(self.coerce(n, &et, &t, e.pos)?)
                    }
                    (None, None) => {
                        if self.func.top {
                            return Err(CompileError::at(
                                *p,
                                "the block must return a value (`return;` without one)",
                            ));
                        }
                        self.func.void_return = true;
                        None
                    }
                    (Some(e), None) => {
                        let (n, t) = self.expr(e)?;
                        if matches!(t, Ty::Void | Ty::Lambda) {
                            return Err(CompileError::at(e.pos, format!("cannot return {}", t.text())));
                        }
                        self.func.returns.push(t);
                        Some(n)
                    }
                };
                self.flow = Flow::dead();
                out.push(Stmt::Return(n));
            }
            ast::Stmt::Throw(e, p) => {
                match e {
                    Some(e) => {
                        let n = self.thrown(e)?;
                        out.push(Stmt::Throw(n));
                    }
                    None => match self.func.catches.last() {
                        Some(s) => out.push(Stmt::Rethrow(*s)),
                        None => {
                            return Err(CompileError::at(
                                *p,
                                "a throw statement with no argument is only allowed in a catch clause",
                            ))
                        }
                    },
                }
                self.flow = Flow::dead();
            }
            ast::Stmt::Try {
                body, catches, finally, ..
            } => self.try_stmt(body, catches, finally.as_deref(), out)?,
            ast::Stmt::Checked(on, stmts) => {
                let saved = std::mem::replace(&mut self.checked, *on);
                let b = self.block(stmts);
                self.checked = saved;
                out.push(Stmt::Block(b?.into()));
            }
            ast::Stmt::Block(stmts) => {
                let b = self.block(stmts)?;
                out.push(Stmt::Block(b.into()));
            }
            ast::Stmt::Empty => {}
        }
        Ok(())
    }

    fn decl(
        &mut self,
        tn: &ast::TypeName,
        vars: &[ast::Declarator],
        kind: ast::DeclKind,
        out: &mut Vec<Stmt>,
    ) -> R<()> {
        let declared = if tn.is_var() {
            if vars.len() > 1 {
                return Err(CompileError::at(
                    tn.pos,
                    "an implicitly-typed variable cannot have multiple declarators",
                ));
            }
            None
        } else {
            Some(resolve_type(tn)?)
        };
        for d in vars {
            let (init, ty) = match (&declared, &d.init) {
                (None, None) => {
                    return Err(CompileError::at(
                        d.pos,
                        "an implicitly-typed variable must be initialized",
                    ));
                }
                (None, Some(e)) => {
                    let (n, t) = self.expr(e)?;
                    match t {
                        Ty::Null | Ty::Void | Ty::Lambda => {
                            return Err(CompileError::at(
                                e.pos,
                                format!("cannot assign {} to an implicitly-typed variable", t.text()),
                            ))
                        }
                        Ty::Never => (Some(n), Ty::Dyn),
                        t => (Some(n), t),
                    }
                }
                (Some(t), None) => (None, Ty::known(t.clone())),
                (Some(t), Some(e)) => {
                    let n = match &e.kind {
                        Kind::NewArray {
                            elem: None,
                            size,
                            items,
                        } => {
                            let elem = match t {
                                TypeRef::Array(el) => Some((**el).clone()),
                                _ => None,
                            };
                            let (n, nt) =
                                self.new_array(None, size.as_deref(), items.as_deref(), elem.as_ref(), e.pos)?;
                            self.coerce(n, &nt, t, e.pos)?
                        }
                        Kind::Default(None) => Node::Const(ty::default_of(t)),
                        _ => {
                            let (n, nt) = self.expr(e)?;
                            if matches!(nt, Ty::Void | Ty::Lambda) {
                                return Err(CompileError::at(e.pos, format!("cannot assign {}", nt.text())));
                            }
                            self.coerce(n, &nt, t, e.pos)?
                        }
                    };
                    (Some(n), Ty::known(t.clone()))
                }
            };
            let readonly = match kind {
                ast::DeclKind::Local => None,
                ast::DeclKind::Const => Some("a constant"),
                ast::DeclKind::Using => Some("a using variable"),
            };
            let konst = match (&init, kind) {
                (Some(Node::Const(c)), ast::DeclKind::Const) => Some(c.clone()),
                (Some(Node::Concat(parts)), ast::DeclKind::Const)
                    if parts.iter().all(|p| matches!(p, Node::Const(Const::Str(_)))) =>
                {
                    let mut s = String::new();
                    for p in parts.iter() {
                        if let Node::Const(Const::Str(x)) = p {
                            s.push_str(x);
                        }
                    }
                    Some(Const::Str(s.into()))
                }
                (_, ast::DeclKind::Const) => {
                    return Err(CompileError::at(
                        d.pos,
                        format!("the value assigned to the constant `{}` must be a constant", d.name),
                    ))
                }
                _ => None,
            };
            let slot = self.declare(&d.name, ty, d.pos, readonly)?;
            if let Some(c) = konst {
                if let Some(l) = self.locals.get_mut(slot as usize) {
                    l.konst = Some(c);
                }
            }
            if let Some(n) = init {
                self.flow.assign(slot);
                out.push(Stmt::Expr(Node::Assign {
                    target: Target::Local(slot),
                    op: None,
                    value: Box::new(n),
                    conv: None,
                    checked: self.checked,
                }));
            }
        }
        Ok(())
    }
}
