//! Block elements compiled to control flow: `choose` (branches and jumps),
//! `retry` (a start op and a check op that jumps back) and
//! `limit-concurrency` (an enter op and its exit).
//!
//! Invariants: every `Jump`/`Branch` target is a valid op index once the
//! block is emitted; `retry` blocks get distinct slots, in order; an
//! enter op is always followed, after the block's ops, by its exit.

use super::super::expr::Want;
use super::super::program::Op;
use super::super::{limit_concurrency, retry};
use super::dispatch::path_segments;
use super::{children, CompileError, Compiler, Element};

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
