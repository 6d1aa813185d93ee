//! Builds an operation's [`Pipeline`] from its composed sections (the
//! document layer resolves scopes, `<base/>`, named values and fragments;
//! this compiles the result).

use super::compile::{CompileError, Compiler, Element, Note, Section, TargetTable, Unsupported};
use super::document::ConfigPolicies;
use crate::config::ConfigError;
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

/// The parsed policy documents of a configuration, ready to compose.
pub fn documents(cfg: &crate::config::Config) -> Result<ConfigPolicies, ConfigError> {
    ConfigPolicies::from_config(cfg).map_err(|e| ConfigError::new(e.document(), None, e.located_message()))
}

/// Compiles the composed policy of one operation (for requests under
/// `product`, or without product scope). Skipped elements are logged.
pub fn for_operation(
    policies: &ConfigPolicies,
    product: Option<&str>,
    api: &str,
    op: &str,
    targets: &mut TargetTable,
) -> Result<Pipeline, ConfigError> {
    let sections = policies.sections(product, api, op);
    let composed = ComposedSections {
        inbound: &sections.inbound,
        backend: &sections.backend,
        outbound: &sections.outbound,
        on_error: &sections.on_error,
    };
    let built = build(
        &composed,
        targets,
        Unsupported::configured(),
        &format!("apis/{api}/{op}.xml"),
    )
    .map_err(|e| ConfigError::new(&e.document, None, format!("line {}: {}", e.line, e.message)))?;
    for w in &built.warnings {
        tracing::warn!(api, operation = op, "{w}");
    }
    Ok(built.pipeline)
}
