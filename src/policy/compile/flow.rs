//! Block elements compiled to control flow: `choose` (branches and jumps),
//! `retry` (a start op and a check op that jumps back),
//! `limit-concurrency` (an enter op and its exit) and `wait` (one op
//! holding a sub-program per child).
//!
//! Invariants: every `Jump`/`Branch` target is a valid op index once the
//! block is emitted; `retry` blocks get distinct slots, in order; an
//! enter op is always followed, after the block's ops, by its exit.

use super::super::expr::Want;
use super::super::program::{Op, Program};
use super::super::{limit_concurrency, retry, wait};
use super::dispatch::path_segments;
use super::{children, CompileError, Compiler, Element, Section};

impl Compiler<'_> {
    /// `choose` → `Branch cond, next; body; Jump end; next: …; otherwise; end:`.
    pub(super) fn choose(&mut self, el: &Element) -> Result<(), CompileError> {
        self.note(el, false);
        let mut jumps_to_end = Vec::new();
        let mut seen_otherwise = false;
        let segments = path_segments(children(el));
        for (child, segment) in children(el).zip(segments) {
            self.path.push(segment);
            let done = self.branch(el, child, &mut seen_otherwise, &mut jumps_to_end);
            self.path.pop();
            done?;
        }
        let end = self.ops.len();
        for j in jumps_to_end {
            self.ops[j] = Op::Jump(end);
        }
        Ok(())
    }

    /// One `when` or `otherwise` of `choose`.
    pub(super) fn branch(
        &mut self,
        choose: &Element,
        child: &Element,
        seen_otherwise: &mut bool,
        jumps_to_end: &mut Vec<usize>,
    ) -> Result<(), CompileError> {
        match child.name.as_str() {
            "when" if !*seen_otherwise => {
                let cond = self
                    .expr_attr(child, "condition", Want::Bool)?
                    .ok_or_else(|| self.error(child, "missing attribute `condition`"))?;
                let branch = self.ops.len();
                let site = self.site(child, choose);
                self.emit(Op::Branch { cond, otherwise: 0 }, site.clone());
                self.nodes(&child.children)?;
                jumps_to_end.push(self.ops.len());
                self.emit(Op::Jump(0), site);
                let next = self.ops.len();
                if let Op::Branch { otherwise, .. } = &mut self.ops[branch] {
                    *otherwise = next;
                }
            }
            "otherwise" if !*seen_otherwise => {
                *seen_otherwise = true;
                self.nodes(&child.children)?;
            }
            _ => {
                return Err(self.error(
                    child,
                    "only <when> elements then at most one <otherwise> may appear in <choose>",
                ))
            }
        }
        Ok(())
    }

    pub(super) fn retry(&mut self, el: &Element) -> Result<(), CompileError> {
        let r = retry::compile(self, el)?;
        self.note(el, false);
        let slot = self.retry_slots;
        self.retry_slots += 1;
        let site = self.site(el, el);
        self.emit(Op::RetryStart { slot }, site.clone());
        let start = self.ops.len();
        self.nodes(&el.children)?;
        self.emit(
            Op::RetryCheck {
                retry: Box::new(r),
                slot,
                start,
            },
            site,
        );
        Ok(())
    }
}

impl Compiler<'_> {
    /// `limit-concurrency` → `ConcurrencyEnter; children; ConcurrencyExit`.
    pub(super) fn limit_concurrency(&mut self, el: &Element) -> Result<(), CompileError> {
        let lc = limit_concurrency::compile(self, el)?;
        self.note(el, false);
        let enter = self.ops.len();
        let site = self.site(el, el);
        self.emit(Op::ConcurrencyEnter(Box::new(lc)), site.clone());
        self.nodes(&el.children)?;
        self.emit(
            Op::ConcurrencyExit {
                enter,
                release: !limit_concurrency::wraps_forward(el),
            },
            site,
        );
        Ok(())
    }
}

impl Compiler<'_> {
    /// `wait` → one `Op::Wait` whose children are compiled apart, each into
    /// its own program (jump targets relative to it).
    pub(super) fn wait(&mut self, el: &Element) -> Result<(), CompileError> {
        self.only_in(el, &[Section::Inbound, Section::Backend, Section::Outbound])?;
        let for_ = match self.text_attr(el, "for", Want::String)? {
            None => wait::WaitFor::All,
            Some(super::super::text::Text::Lit(f)) => {
                wait::parse_for(&f).ok_or_else(|| self.error(el, format!("for must be all or any, not `{f}`")))?
            }
            Some(t) => wait::WaitFor::Expr(t),
        };
        self.note(el, false);
        let mut branches = Vec::new();
        let segments = path_segments(children(el));
        for (child, segment) in children(el).zip(segments) {
            if !matches!(child.name.as_str(), "send-request" | "cache-lookup-value" | "choose") {
                return Err(self.error(
                    child,
                    "only send-request, cache-lookup-value and choose may appear in <wait>",
                ));
            }
            if contains_wait(child) {
                return Err(self.error(child, "<wait> may not be nested in <wait>"));
            }
            let ops = std::mem::take(&mut self.ops);
            let sites = std::mem::take(&mut self.sites);
            self.path.push(segment);
            let done = self.element(child);
            self.path.pop();
            let branch = Program {
                section: self.section,
                ops: std::mem::replace(&mut self.ops, ops),
                sites: std::mem::replace(&mut self.sites, sites),
            };
            done?;
            branches.push(branch);
        }
        let site = self.site(el, el);
        self.emit(Op::Wait(Box::new(wait::Wait { for_, branches })), site);
        Ok(())
    }
}

fn contains_wait(el: &Element) -> bool {
    children(el).any(|c| c.name == "wait" || contains_wait(c))
}
