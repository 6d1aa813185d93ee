//! Statements: block scoping, declarations (with C#'s refusals: `var`
//! without initializer or with `null`, shadowing an enclosing local),
//! the statement-expression rule, and the flow analysis C# does —
//! reachability (constant `true`/`false` conditions, `break`s, `throw`,
//! `return`, `try`/`finally`, switch sections that fall through) and
//! definite assignment — while lowering to [`ir::Stmt`].

use super::ir::{CatchClause, Const, Label, Node, Section, Stmt, Target};
use super::names::resolve_type;
use super::ty::{self, Prim, Ty};
use super::{Breakable, Compiler, Flow};
use crate::error::CompileError;
use crate::library::anon;
use crate::syntax::ast::{self, Kind, UnOp};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

fn const_bool(n: &Node) -> Option<bool> {
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
        | ast::Stmt::Try { pos, .. } => *pos,
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
        let r = stmts.iter().try_for_each(|s| self.stmt(s, &mut out));
        self.pop_scope();
        r.map(|()| out)
    }

    /// The body of `if`, `while`, … (a declaration is not allowed there).
    fn embedded(&mut self, s: &ast::Stmt) -> R<Vec<Stmt>> {
        if let ast::Stmt::Decl { pos, .. } = s {
            return Err(CompileError::at(*pos, "an embedded statement cannot be a declaration"));
        }
        self.block(std::slice::from_ref(s))
    }

    fn stmt(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) -> R<()> {
        let pos = stmt_pos(s);
        self.enter(pos)?;
        let r = self.stmt_inner(s, pos, out);
        self.leave();
        r
    }

    fn stmt_inner(&mut self, s: &ast::Stmt, pos: usize, out: &mut Vec<Stmt>) -> R<()> {
        match s {
            ast::Stmt::Decl { ty, vars, .. } => self.decl(ty, vars, out)?,
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
                let c = self.condition(cond)?;
                let cv = const_bool(&c);
                let f0 = self.flow.clone();
                if cv == Some(false) {
                    self.flow.reach = false;
                }
                let t = self.embedded(then)?;
                let f1 = std::mem::replace(&mut self.flow, f0);
                if cv == Some(true) {
                    self.flow.reach = false;
                }
                let e = match els {
                    Some(e) => self.embedded(e)?,
                    None => Vec::new(),
                };
                self.flow = f1.join(&self.flow);
                out.push(Stmt::If(c, t.into(), e.into()));
            }
            ast::Stmt::While { cond, body, .. } => {
                self.push_scope();
                let c = self.condition(cond)?;
                let l = self.looping(Vec::new(), Some(c), &[], body)?;
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
                    Some(c) => Some(self.condition(c)?),
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
                let c = self.condition(cond)?;
                self.pop_scope();
                let mut after = if const_bool(&c) == Some(true) {
                    Flow::dead()
                } else {
                    self.flow.clone()
                };
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
                let slot = self.declare(name, vty, pos, true)?;
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
                let n = match e {
                    None => {
                        if self.func.top {
                            return Err(CompileError::at(
                                *p,
                                "the block must return a value (`return;` without one)",
                            ));
                        }
                        self.func.void_return = true;
                        None
                    }
                    Some(e) => {
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

    fn decl(&mut self, tn: &ast::TypeName, vars: &[ast::Declarator], out: &mut Vec<Stmt>) -> R<()> {
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
            let slot = self.declare(&d.name, ty, d.pos, false)?;
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

    /// `while`/`for` after their condition: the body, the steps, the flow.
    fn looping(&mut self, init: Vec<Stmt>, cond: Option<Node>, step: &[ast::Ast], body: &ast::Stmt) -> R<Stmt> {
        let cv = cond.as_ref().map_or(Some(true), const_bool);
        let f0 = self.flow.clone();
        if cv == Some(false) {
            self.flow.reach = false;
        }
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
        let mut steps = Vec::with_capacity(step.len());
        for s in step {
            let ok = matches!(&s.kind, Kind::Assign { .. } | Kind::Call { .. } | Kind::New { .. })
                || matches!(&s.kind, Kind::Unary(op, _) if matches!(op, UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec));
            if !ok {
                return Err(CompileError::at(
                    s.pos,
                    "only assignment, call, increment, decrement and new object expressions can be used as a \
                     statement",
                ));
            }
            steps.push(self.expr(s)?.0);
        }
        let mut after = if cv == Some(true) { Flow::dead() } else { f0 };
        if let Some(bf) = br.and_then(|b| b.breaks) {
            after = after.join(&bf);
        }
        self.flow = after;
        Ok(Stmt::Loop {
            init: init.into(),
            cond: if cv == Some(true) { None } else { cond },
            step: steps.into(),
            body: b.into(),
        })
    }

    fn switch(&mut self, value: &ast::Ast, sections: &[ast::SwitchSection], out: &mut Vec<Stmt>) -> R<()> {
        let (vn, vt) = self.expr(value)?;
        if matches!(vt, Ty::Void | Ty::Lambda | Ty::Null) {
            return Err(CompileError::at(value.pos, format!("cannot switch on {}", vt.text())));
        }
        let slot = self.temp();
        let f0 = self.flow.clone();
        self.func.breakables.push(Breakable {
            is_loop: false,
            breaks: None,
            continues: None,
        });
        let mut has_default = false;
        let mut out_sections = Vec::with_capacity(sections.len());
        for sec in sections {
            self.flow = f0.clone();
            self.push_scope();
            let mut labels = Vec::with_capacity(sec.labels.len());
            let mut label_pos = 0;
            for l in &sec.labels {
                match l {
                    ast::Label::Default(p) => {
                        if has_default {
                            return Err(CompileError::at(*p, "the switch already has a default label"));
                        }
                        has_default = true;
                        label_pos = *p;
                        labels.push(Label { pat: None, when: None });
                    }
                    ast::Label::Case(pat, when, p) => {
                        label_pos = *p;
                        let pat = self.pattern(pat, &vt, *p)?;
                        let when = match when {
                            Some(w) => Some(self.condition(w)?),
                            None => None,
                        };
                        labels.push(Label { pat: Some(pat), when });
                    }
                }
            }
            let mut body = Vec::with_capacity(sec.body.len());
            for s in &sec.body {
                self.stmt(s, &mut body)?;
            }
            if self.flow.reach {
                return Err(CompileError::at(
                    label_pos,
                    "control cannot fall through from one case label to another (end the section with break, \
                     return or throw)",
                ));
            }
            self.pop_scope();
            out_sections.push(Section {
                labels: labels.into(),
                body: body.into(),
            });
        }
        let br = self.func.breakables.pop();
        let mut after = if has_default { Flow::dead() } else { f0 };
        if let Some(bf) = br.and_then(|b| b.breaks) {
            after = after.join(&bf);
        }
        self.flow = after;
        out.push(Stmt::Switch {
            value: vn,
            slot,
            sections: out_sections.into(),
        });
        Ok(())
    }

    fn try_stmt(
        &mut self,
        body: &[ast::Stmt],
        catches: &[ast::Catch],
        finally: Option<&[ast::Stmt]>,
        out: &mut Vec<Stmt>,
    ) -> R<()> {
        let f0 = self.flow.clone();
        let b = self.block(body)?;
        let mut joined = self.flow.clone();
        let mut clauses = Vec::with_capacity(catches.len());
        for c in catches {
            self.flow = f0.clone();
            self.push_scope();
            let ty = match &c.ty {
                None => None,
                Some(tn) => {
                    let short = tn.name.rsplit('.').next().unwrap_or(&tn.name);
                    if !short.ends_with("Exception") || !tn.args.is_empty() || tn.array > 0 {
                        return Err(CompileError::at(tn.pos, format!("`{tn}` is not an exception type")));
                    }
                    Some(short.into())
                }
            };
            let slot = match &c.name {
                Some(n) => {
                    let s = self.declare(n, Ty::of(&anon::EXCEPTION), c.pos, false)?;
                    self.flow.assign(s);
                    s
                }
                None => self.temp(),
            };
            let filter = match &c.filter {
                Some(f) => Some(self.condition(f)?),
                None => None,
            };
            self.func.catches.push(slot);
            let r = self.block(&c.body);
            self.func.catches.pop();
            let cb = r?;
            self.pop_scope();
            joined = joined.join(&self.flow);
            clauses.push(CatchClause {
                ty,
                slot,
                filter,
                body: cb.into(),
            });
        }
        let fin = match finally {
            None => {
                self.flow = joined;
                None
            }
            Some(f) => {
                self.flow = f0;
                let saved = self.func.finally.replace(self.func.breakables.len());
                let saved_catches = std::mem::take(&mut self.func.catches);
                let r = self.block(f);
                self.func.finally = saved;
                self.func.catches = saved_catches;
                let fb = r?;
                if !self.flow.reach {
                    self.flow = Flow::dead();
                } else {
                    let mut after = joined;
                    for (i, w) in self.flow.assigned.iter().enumerate() {
                        if after.assigned.len() <= i {
                            after.assigned.resize(i + 1, 0);
                        }
                        after.assigned[i] |= w;
                    }
                    self.flow = after;
                }
                Some(fb.into())
            }
        };
        out.push(Stmt::Try {
            body: b.into(),
            catches: clauses.into(),
            finally: fin,
        });
        Ok(())
    }
}
