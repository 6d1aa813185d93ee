//! Executing statements: blocks, `if`, loops (one step per iteration),
//! `foreach` over the library's enumeration, `switch` with patterns and
//! `when`, `break`/`continue`/`return` as [`Flow`], and exceptions:
//! `throw`, `throw;`, `try`/`catch (T e) when (…)`/`finally`. A budget
//! error passes every `catch` and skips `finally` blocks.

use super::expr::thrown;
use super::ops::truth;
use super::Machine;
use crate::compile::ir::{CatchClause, Stmt};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::{self, anon::ExceptionObject};
use crate::runtime::Runtime;
use crate::value::Value;

/// How a statement ended.
pub(crate) enum Flow<'a> {
    Normal,
    Break,
    Continue,
    Return(Value<'a>),
}

impl<'a> Machine<'a> {
    pub(crate) fn exec_block(&mut self, b: &'a [Stmt]) -> EvalResult<Flow<'a>> {
        for s in b {
            match self.exec(s)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn cond(&mut self, c: &'a crate::compile::ir::Node) -> EvalResult<bool> {
        let v = self.eval(c)?;
        truth(&v)
    }

    fn exec(&mut self, s: &'a Stmt) -> EvalResult<Flow<'a>> {
        self.charge(1)?;
        match s {
            Stmt::Expr(n) => {
                self.eval_discard(n)?;
                Ok(Flow::Normal)
            }
            Stmt::If(c, t, e) => {
                if self.cond(c)? {
                    self.exec_block(t)
                } else {
                    self.exec_block(e)
                }
            }
            Stmt::Block(b) => self.exec_block(b),
            Stmt::Loop { init, cond, step, body } => {
                if let f @ Flow::Return(_) = self.exec_block(init)? {
                    return Ok(f);
                }
                loop {
                    self.charge(1)?;
                    if let Some(c) = cond {
                        if !self.cond(c)? {
                            break;
                        }
                    }
                    match self.exec_block(body)? {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        Flow::Continue | Flow::Normal => {}
                    }
                    for s in step.iter() {
                        self.eval_discard(s)?;
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::DoWhile(body, c) => {
                loop {
                    self.charge(1)?;
                    match self.exec_block(body)? {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        Flow::Continue | Flow::Normal => {}
                    }
                    if !self.cond(c)? {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::Foreach { coll, slot, conv, body } => {
                let v = self.eval(coll)?;
                if v.is_null() {
                    return Err(EvalError::null_ref("foreach"));
                }
                let items = match library::items(self, &v) {
                    Some(r) => r?,
                    None => {
                        return Err(EvalError::new(
                            EvalErrorKind::InvalidCast,
                            format!("foreach cannot enumerate a value of type {}", v.type_name()),
                        ))
                    }
                };
                for item in items {
                    self.charge(1)?;
                    let item = match conv {
                        Some(t) => self.convert(item, t, true, false)?,
                        None => item,
                    };
                    self.set_slot(*slot, item);
                    match self.exec_block(body)? {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        Flow::Continue | Flow::Normal => {}
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::Switch { value, slot, sections } => {
                let v = self.eval(value)?;
                self.set_slot(*slot, v.clone());
                let mut chosen = None;
                let mut default = None;
                'sections: for (i, sec) in sections.iter().enumerate() {
                    for l in sec.labels.iter() {
                        let Some(p) = &l.pat else {
                            default = Some(i);
                            continue;
                        };
                        if self.matches(&v, p)? {
                            let ok = match &l.when {
                                Some(w) => self.cond(w)?,
                                None => true,
                            };
                            if ok {
                                chosen = Some(i);
                                break 'sections;
                            }
                        }
                    }
                }
                let Some(sec) = chosen.or(default).and_then(|i| sections.get(i)) else {
                    return Ok(Flow::Normal);
                };
                match self.exec_block(&sec.body)? {
                    Flow::Break | Flow::Normal => Ok(Flow::Normal),
                    f => Ok(f),
                }
            }
            Stmt::Break => Ok(Flow::Break),
            Stmt::Continue => Ok(Flow::Continue),
            Stmt::Return(n) => Ok(Flow::Return(match n {
                Some(n) => self.eval(n)?,
                None => Value::Null,
            })),
            Stmt::Throw(n) => {
                let v = self.eval(n)?;
                Err(thrown(&v))
            }
            Stmt::Rethrow(s) => Err(thrown(&self.slot(*s))),
            Stmt::Try { body, catches, finally } => {
                let mut r = self.exec_block(body);
                if let Err(e) = &r {
                    if e.kind != EvalErrorKind::Budget {
                        let e = e.clone();
                        if let Some(handled) = self.catch(&e, catches)? {
                            r = handled;
                        }
                    }
                }
                if let Some(f) = finally {
                    if matches!(&r, Err(e) if e.kind == EvalErrorKind::Budget) {
                        return r;
                    }
                    match self.exec_block(f)? {
                        Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                r
            }
        }
    }

    /// Runs the first clause that catches `e`: `Ok(None)` if none does.
    fn catch(&mut self, e: &EvalError, catches: &'a [CatchClause]) -> EvalResult<Option<EvalResult<Flow<'a>>>> {
        for c in catches {
            if let Some(t) = &c.ty {
                if !e.kind.caught_by(t) {
                    continue;
                }
            }
            self.set_slot(c.slot, ExceptionObject::value(e));
            if let Some(f) = &c.filter {
                // An exception in a filter counts as false (as in .NET),
                // unless it is the budget.
                match self.cond(f) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(x) if x.kind == EvalErrorKind::Budget => return Err(x),
                    Err(_) => continue,
                }
            }
            return Ok(Some(self.exec_block(&c.body)));
        }
        Ok(None)
    }
}
