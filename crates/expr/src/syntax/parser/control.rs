//! Control statements: `if`/`else`, `switch` (sections with several
//! `case`/`default` labels, patterns and `when` guards), `for`,
//! `foreach`, `while`, `do … while`, `break`, `continue`, `return`,
//! `throw`, `try`/`catch`/`finally` (bare `catch`, `catch (T)`,
//! `catch (T e)`, `when (filter)`).
//!
//! Invariants: every body nests through `Parser::stmt` (so through
//! `Parser::enter`); a `try` has at least one `catch` or a `finally`; the
//! `for` initializer is one declaration or statement expressions, its
//! iterators statement expressions.

use super::super::ast::{Catch, Label, Stmt, SwitchSection};
use super::super::lexer::Tok;
use super::super::CompileError;
use super::Parser;

impl Parser<'_> {
    /// The statement of keyword `k` (at the cursor, at `pos`).
    pub(super) fn control(&mut self, k: &str, pos: usize) -> Result<Stmt, CompileError> {
        self.bump();
        match k {
            "if" => {
                let cond = self.paren_cond("if")?;
                let then = Box::new(self.embedded("if")?);
                let els = if self.eat_kw("else") {
                    Some(Box::new(self.embedded("else")?))
                } else {
                    None
                };
                Ok(Stmt::If { cond, then, els, pos })
            }
            "while" => {
                let cond = self.paren_cond("while")?;
                let body = Box::new(self.embedded("while")?);
                Ok(Stmt::While { cond, body, pos })
            }
            "do" => {
                let body = Box::new(self.embedded("do")?);
                if !self.eat_kw("while") {
                    return Err(self.unexpected("`while` after the body of `do`"));
                }
                let cond = self.paren_cond("while")?;
                self.expect(";", "after `do … while (…)`")?;
                Ok(Stmt::DoWhile { body, cond, pos })
            }
            "break" | "continue" => {
                self.expect(";", &format!("after `{k}`"))?;
                Ok(if k == "break" {
                    Stmt::Break(pos)
                } else {
                    Stmt::Continue(pos)
                })
            }
            "return" | "throw" => {
                let value = if self.is(";") { None } else { Some(self.expr()?) };
                self.expect(";", &format!("after the `{k}` statement"))?;
                Ok(if k == "return" {
                    Stmt::Return(value, pos)
                } else {
                    Stmt::Throw(value, pos)
                })
            }
            "for" => self.for_stmt(pos),
            "foreach" => self.foreach_stmt(pos),
            "switch" => self.switch_stmt(pos),
            _ => self.try_stmt(pos),
        }
    }

    /// `( condition )` after `what`.
    fn paren_cond(&mut self, what: &str) -> Result<super::Ast, CompileError> {
        self.expect("(", &format!("after `{what}`"))?;
        let cond = self.expr()?;
        self.expect(")", &format!("to close the condition of `{what}`"))?;
        Ok(cond)
    }

    fn for_stmt(&mut self, pos: usize) -> Result<Stmt, CompileError> {
        self.expect("(", "after `for`")?;
        let mut init = Vec::new();
        if !self.is(";") {
            let ipos = self.pos();
            let (i, depth) = (self.i, self.depth);
            let head = self.attempt(|p| {
                let ty = p.type_name(true)?;
                Ok(matches!(p.peek(), Tok::Ident(_)).then_some(ty))
            });
            match head {
                Some(ty) => init.push(self.decl_rest(ty, ipos)?),
                None => {
                    (self.i, self.depth) = (i, depth);
                    loop {
                        init.push(Stmt::Expr(self.statement_expr()?));
                        if !self.eat(",") {
                            break;
                        }
                    }
                }
            }
        }
        self.expect(";", "after the initializer of `for`")?;
        let cond = if self.is(";") { None } else { Some(self.expr()?) };
        self.expect(";", "after the condition of `for`")?;
        let mut step = Vec::new();
        if !self.is(")") {
            loop {
                step.push(self.statement_expr()?);
                if !self.eat(",") {
                    break;
                }
            }
        }
        self.expect(")", "to close `for (…)`")?;
        let body = Box::new(self.embedded("for")?);
        Ok(Stmt::For {
            init,
            cond,
            step,
            body,
            pos,
        })
    }

    fn foreach_stmt(&mut self, pos: usize) -> Result<Stmt, CompileError> {
        self.expect("(", "after `foreach`")?;
        let ty = self.type_name(true)?;
        if self.is("(") {
            return Err(CompileError::at(self.pos(), "deconstruction (tuples) is not supported"));
        }
        let name = self.ident("the loop variable's name")?;
        if !self.eat_kw("in") {
            return Err(self.unexpected("`in` in `foreach`"));
        }
        let coll = self.expr()?;
        self.expect(")", "to close `foreach (…)`")?;
        let body = Box::new(self.embedded("foreach")?);
        Ok(Stmt::Foreach {
            ty,
            name,
            coll,
            body,
            pos,
        })
    }

    fn switch_stmt(&mut self, pos: usize) -> Result<Stmt, CompileError> {
        let value = self.paren_cond("switch")?;
        self.expect("{", "to open the body of `switch`")?;
        let mut sections = Vec::new();
        while !self.eat("}") {
            let mut labels = Vec::new();
            loop {
                let lpos = self.pos();
                if self.eat_kw("case") {
                    let pattern = self.pattern(true)?;
                    let guard = if self.is_word("when") {
                        self.bump();
                        Some(self.expr()?)
                    } else {
                        None
                    };
                    self.expect(":", "after the `case` label")?;
                    labels.push(Label::Case(Box::new(pattern), guard, lpos));
                } else if self.is_kw("default") && self.is_at(1, ":") {
                    self.bump();
                    self.bump();
                    labels.push(Label::Default(lpos));
                } else {
                    break;
                }
            }
            if labels.is_empty() {
                return Err(self.unexpected("`case`, `default` or `}` in the `switch`"));
            }
            let mut body = Vec::new();
            while !self.section_end() {
                if self.peek() == &Tok::Eof {
                    return Err(self.unexpected("`}` to close the `switch`"));
                }
                body.push(self.stmt()?);
            }
            sections.push(SwitchSection { labels, body });
        }
        Ok(Stmt::Switch { value, sections, pos })
    }

    /// Whether the cursor is at the end of a switch section's statements.
    fn section_end(&self) -> bool {
        self.is("}") || self.is_kw("case") || (self.is_kw("default") && self.is_at(1, ":"))
    }

    fn try_stmt(&mut self, pos: usize) -> Result<Stmt, CompileError> {
        let body = self.block()?;
        let mut catches = Vec::new();
        loop {
            let cpos = self.pos();
            if !self.eat_kw("catch") {
                break;
            }
            let (mut ty, mut name) = (None, None);
            if self.eat("(") {
                ty = Some(self.type_name(true)?);
                if let Tok::Ident(n) = self.peek().clone() {
                    self.bump();
                    name = Some(n);
                }
                self.expect(")", "to close `catch (…)`")?;
            }
            let filter = if self.is_word("when") {
                self.bump();
                Some(self.paren_cond("when")?)
            } else {
                None
            };
            let body = self.block()?;
            catches.push(Catch {
                ty,
                name,
                filter,
                body,
                pos: cpos,
            });
        }
        let finally = if self.eat_kw("finally") {
            Some(self.block()?)
        } else {
            None
        };
        if catches.is_empty() && finally.is_none() {
            return Err(self.unexpected("`catch` or `finally` after the `try` block"));
        }
        Ok(Stmt::Try {
            body,
            catches,
            finally,
            pos,
        })
    }
}
