//! Builds an operation's [`Pipeline`] from its composed sections (the
//! document layer resolves scopes, `<base/>`, named values and fragments;
//! this compiles the result).

use super::compile::{CompileError, Compiler, Element, Note, Section, TargetTable, Unsupported};
use crate::pipeline::Pipeline;

/// The composed sections of one operation (document order, scopes spliced).
pub struct ComposedSections<'a> {
    pub inbound: &'a [Element],
    pub backend: &'a [Element],
    pub outbound: &'a [Element],
    pub on_error: &'a [Element],
}

/// A compiled pipeline plus what `check-policy` reports.
pub struct Built {
    pub pipeline: Pipeline,
    pub notes: Vec<Note>,
    pub warnings: Vec<String>,
}

/// Compiles the four sections; `document` names the operation's document
/// for elements that carry no origin.
pub fn build(
    sections: &ComposedSections<'_>,
    targets: &mut TargetTable,
    unsupported: Unsupported,
    document: &str,
) -> Result<Built, CompileError> {
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let mut one = |section: Section, nodes: &[Element], targets: &mut TargetTable| {
        let (program, n, w) = Compiler::new(section, unsupported, targets, document).program(nodes)?;
        notes.extend(n);
        warnings.extend(w);
        Ok::<_, CompileError>(program)
    };
    let pipeline = Pipeline {
        inbound: one(Section::Inbound, sections.inbound, targets)?,
        backend: one(Section::Backend, sections.backend, targets)?,
        outbound: one(Section::Outbound, sections.outbound, targets)?,
        on_error: one(Section::OnError, sections.on_error, targets)?,
        ..Default::default()
    }
    .finish();
    Ok(Built {
        pipeline,
        notes,
        warnings,
    })
}

/// The pipeline of one operation (without product scope). Interim: until
/// the document layer composes scopes, documents are not compiled and every
/// operation gets the plain forward pipeline (today's behaviour).
pub fn for_operation(
    _cfg: &crate::config::Config,
    _api: &crate::config::Api,
    _op: &crate::config::Operation,
    _targets: &mut TargetTable,
) -> Result<Pipeline, crate::config::ConfigError> {
    Ok(Pipeline::forward_only())
}
