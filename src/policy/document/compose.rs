//! Composition of the four scopes (global → product → API → operation)
//! through `<base/>`, as APIM does it.
//!
//! Per section, starting from the global document's section, each narrower
//! scope's section replaces the result so far, with its `<base/>` (if any)
//! replaced by that result. A section without `<base/>` therefore drops
//! everything above it; a missing document, or a section missing from a
//! document, behaves like `<base/>` alone (APIM's default at every scope).
//! Without a global document, or for a section the global document omits,
//! the built-in global default applies: `<forward-request/>` in `backend`,
//! nothing elsewhere.
//!
//! Invariant: the result contains no `<base/>`; every element keeps the
//! `origin` (document and scope) it was parsed with. Composition cannot
//! fail: every rule that could make it fail is checked when parsing.

use std::sync::Arc;

use super::node::{Element, Origin, Scope};
use super::{Document, SectionKind};

/// Name given to the built-in global default in `origin.document`.
pub const DEFAULT_GLOBAL_DOCUMENT: &str = "(built-in global policy)";

/// The composed policy of one operation: what runs, in order, per section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sections {
    pub inbound: Vec<Element>,
    pub backend: Vec<Element>,
    pub outbound: Vec<Element>,
    pub on_error: Vec<Element>,
}

impl Sections {
    pub fn get(&self, kind: SectionKind) -> &[Element] {
        match kind {
            SectionKind::Inbound => &self.inbound,
            SectionKind::Backend => &self.backend,
            SectionKind::Outbound => &self.outbound,
            SectionKind::OnError => &self.on_error,
        }
    }

    fn get_mut(&mut self, kind: SectionKind) -> &mut Vec<Element> {
        match kind {
            SectionKind::Inbound => &mut self.inbound,
            SectionKind::Backend => &mut self.backend,
            SectionKind::Outbound => &mut self.outbound,
            SectionKind::OnError => &mut self.on_error,
        }
    }
}

/// The built-in global section `kind`.
fn default_global(kind: SectionKind) -> Vec<Element> {
    match kind {
        SectionKind::Backend => vec![Element {
            name: "forward-request".into(),
            origin: Origin {
                document: Arc::from(DEFAULT_GLOBAL_DOCUMENT),
                scope: Scope::Global,
            },
            ..Element::default()
        }],
        _ => Vec::new(),
    }
}

/// Composes the documents of the four scopes (any may be absent). The
/// documents should have the scopes their parameters name.
pub fn compose(
    global: Option<&Document>,
    product: Option<&Document>,
    api: Option<&Document>,
    operation: Option<&Document>,
) -> Sections {
    let mut out = Sections::default();
    for kind in SectionKind::ALL {
        let mut current = match global.and_then(|d| d.section(kind)) {
            Some(elements) => elements.to_vec(),
            None => default_global(kind),
        };
        for doc in [product, api, operation].into_iter().flatten() {
            if let Some(section) = doc.section(kind) {
                current = splice(section, current);
            }
        }
        *out.get_mut(kind) = current;
    }
    out
}

/// `child` with its `<base/>` replaced by `parent`; without `<base/>`, `child`.
fn splice(child: &[Element], parent: Vec<Element>) -> Vec<Element> {
    match child.iter().position(|e| e.name == "base") {
        None => child.to_vec(),
        Some(i) => {
            let mut out = Vec::with_capacity(child.len() - 1 + parent.len());
            out.extend_from_slice(&child[..i]);
            out.extend(parent);
            out.extend_from_slice(&child[i + 1..]);
            out
        }
    }
}
