//! Control statements with their own flow rules: `while`/`for` (constant
//! conditions, `break` and `continue` states), `switch` (sections may not
//! fall through; the end is reachable without `default` or with a
//! `break`), and `try`/`catch`/`finally` (assignments in `try` do not
//! count in `catch`; control cannot leave a `finally`).

use super::ir::{CatchClause, Label, Node, Section, Stmt};
use super::stmt::const_bool;
use super::ty::Ty;
use super::{Breakable, Compiler, Flow};
use crate::error::CompileError;
use crate::library::anon;
use crate::syntax::ast::{self, Kind, UnOp};

type R<T> = Result<T, CompileError>;

impl Compiler {
    /// `while`/`for` after their condition: the body, the steps, the flow.
    pub(super) fn looping(
        &mut self,
        init: Vec<Stmt>,
        cond: Option<(Node, Flow)>,
        step: &[ast::Ast],
        body: &ast::Stmt,
    ) -> R<Stmt> {
        // The flow is where the condition is true; `cond` carries the one
        // where it is false (none: `for (;;)`, an endless loop).
        let (cond, f0) = match cond {
            Some((c, ff)) => (Some(c), ff),
            None => (None, Flow::dead()),
        };
        let cv = cond.as_ref().map_or(Some(true), const_bool);
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
        let mut after = f0;
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

    pub(super) fn switch(&mut self, value: &ast::Ast, sections: &[ast::SwitchSection], out: &mut Vec<Stmt>) -> R<()> {
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

    pub(super) fn try_stmt(
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
                    let s = self.declare(n, Ty::of(&anon::EXCEPTION), c.pos, None)?;
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
