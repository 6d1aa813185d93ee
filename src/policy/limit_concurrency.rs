//! `limit-concurrency`: at most `max-count` requests at a time run the
//! enclosed policies, per value of `key` (shared by every policy using the
//! key), counted gateway-wide across all workers.
//!
//! ```xml
//! <limit-concurrency key="@((string)context.Variables["connectionId"])" max-count="3">
//!     <forward-request timeout="120"/>
//! </limit-concurrency>
//! ```
//! A request over the limit fails at once: 429
//! `{ "statusCode": 429, "message": "Too many concurrent requests." }`,
//! `LastError.Source` `limit-concurrency`, `LastError.Reason`
//! `ConcurrencyLimitExceeded` (APIM documents only the status code).
//!
//! Compiled as `ConcurrencyEnter` (evaluate the key, take a
//! [`Permit`](super::limits::Permit) onto the flow's permit list, tagged
//! with the element), the children's ops, then `ConcurrencyExit`.
//! Invariants: a request holds at most one permit per element (entering a
//! block again while its permit is held, as a `retry` around it does,
//! keeps that permit); the exit drops the element's permit, unless the
//! children contain `forward-request`, in which case it stays until the
//! request ends (the response is still being relayed when the program
//! moves on); a failure drops every held permit before `on-error` runs;
//! dropping the flow (request finished, client gone) drops whatever is
//! left, so no path leaks a slot.

use super::compile::{CompileError, Compiler, Element, Node};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::limits::{ConcurrencyDenied, LimitKeyRef};
use super::text::Text;

#[derive(Clone, Debug)]
pub struct LimitConcurrency {
    pub key: Text,
    pub max_count: u32,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<LimitConcurrency, CompileError> {
    let key = c
        .text_attr(el, "key", Want::String)?
        .ok_or_else(|| c.error(el, "missing attribute `key`"))?;
    let max = c
        .number(el, "max-count")?
        .ok_or_else(|| c.error(el, "missing attribute `max-count`"))?;
    let max_count = u32::try_from(max)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| c.error(el, format!("`max-count` must be 1-{}, not {max}", u32::MAX)))?;
    Ok(LimitConcurrency { key, max_count })
}

/// Whether `el`'s descendants include a `forward-request` (then the
/// permit is held until the end of the request).
pub fn wraps_forward(el: &Element) -> bool {
    el.children.iter().any(|n| match n {
        Node::Element(child) => child.name == "forward-request" || wraps_forward(child),
        Node::Text(..) => false,
    })
}

/// The refusal.
pub fn refused() -> Failure {
    Failure::new(
        "limit-concurrency",
        "ConcurrencyLimitExceeded",
        429,
        "Too many concurrent requests.",
    )
}

impl LimitConcurrency {
    /// This element's identity for the flow's permit list: its address in
    /// the worker's compiled program, which does not move while a request
    /// runs (the exit finds it through the index of its enter op).
    pub fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Takes a slot under the evaluated key and pushes it on the flow.
    pub fn enter<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let id = self.id();
        if r.flow.permits.iter().any(|(held, _)| *held == id) {
            // Entered again while still held (a `retry` around a block that
            // forwards): the request keeps its one slot.
            return Ok(());
        }
        // The key is lent to the table, not copied (it is copied only for a new counter).
        let acquired = r.with_value(&self.key, "limit-concurrency", |r, key| {
            r.env
                .services
                .limits
                .acquire_concurrency(LimitKeyRef::Shared(key), self.max_count)
        })?;
        match acquired {
            Ok(permit) => {
                r.flow.permits.push((id, permit));
                Ok(())
            }
            Err(denied) => {
                if denied == ConcurrencyDenied::TableFull {
                    tracing::warn!(api = %r.env.api.id, "limit counters are full; refusing a new concurrency key");
                }
                Err(refused())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::compile::{Section, TargetTable, Unsupported};
    use crate::policy::document::{parse, Scope, SectionKind};
    use crate::policy::program::Op;

    fn compile_section(kind: SectionKind, section: Section, xml: &str) -> Result<Vec<Op>, CompileError> {
        let doc = parse("t.xml", Scope::Api, xml).expect("valid document");
        let mut targets = TargetTable::default();
        let els = doc.section(kind).expect("section");
        let (prog, _, _) = Compiler::new(section, Unsupported::Error, &mut targets, "t.xml").program(els)?;
        Ok(prog.ops)
    }

    #[test]
    fn block_compiles_to_enter_children_exit_and_holds_across_forward() {
        let ops = compile_section(
            SectionKind::Backend,
            Section::Backend,
            r#"<policies><backend><limit-concurrency key="k" max-count="2"><forward-request /></limit-concurrency></backend></policies>"#,
        )
        .unwrap();
        assert!(matches!(&ops[0], Op::ConcurrencyEnter(lc) if lc.max_count == 2));
        assert!(matches!(ops[1], Op::Forward(_)));
        assert!(matches!(
            ops[2],
            Op::ConcurrencyExit {
                enter: 0,
                release: false
            }
        ));
        let ops = compile_section(
            SectionKind::Inbound,
            Section::Inbound,
            r#"<policies><inbound><limit-concurrency key="@(context.Api.Id)" max-count="1"><set-variable name="a" value="1" /></limit-concurrency></inbound></policies>"#,
        )
        .unwrap();
        assert_eq!(ops.len(), 3);
        assert!(matches!(ops[2], Op::ConcurrencyExit { release: true, .. }));
    }

    #[test]
    fn bad_attributes_are_configuration_errors() {
        for xml in [
            r#"<limit-concurrency max-count="1" />"#,
            r#"<limit-concurrency key="k" />"#,
            r#"<limit-concurrency key="k" max-count="0" />"#,
            r#"<limit-concurrency key="k" max-count="many" />"#,
        ] {
            let doc = format!("<policies><inbound>{xml}</inbound></policies>");
            let e = compile_section(SectionKind::Inbound, Section::Inbound, &doc).unwrap_err();
            assert!(e.message.contains("limit-concurrency"), "{e}");
        }
    }
}
