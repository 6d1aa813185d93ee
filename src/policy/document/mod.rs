//! APIM policy documents: parsing into an owned tree, named values,
//! fragments, and composition of the four scopes through `<base/>`.
//!
//! Owns: the tree types ([`Element`], [`Attr`], [`Node`], [`Origin`],
//! [`Scope`]), [`Document`] (one parsed `<policies>` file), [`Sections`]
//! (the composed pipeline of one operation, before compilation) and
//! [`DocumentError`]. Does not interpret policies or expressions: the
//! engine compiles [`Sections`] into something workers run.
//!
//! Pipeline of [`PolicyLibrary::parse`]:
//! 1. [`prepass::escape_expressions`] makes the raw form (unescaped `"`,
//!    `&&`, `<` inside `@(...)`/`@{...}`) well-formed, keeping line numbers;
//! 2. `xml` builds the tree with quick-xml (comments dropped, CDATA kept as
//!    text, line numbers on elements, attributes and text);
//! 3. `structure` checks the document shape and `<base/>` placement;
//! 4. `named_values` substitutes `{{name}}` in attribute values and text;
//! 5. `library` inlines `<include-fragment>`;
//! 6. [`compose`] splices the scopes together.
//!
//! Invariant: every error names the document (file or resource) and the
//! 1-based line, and never contains a named value's value.

mod compose;
mod from_config;
mod library;
mod named_values;
mod node;
pub mod prepass;
mod structure;
mod xml;

#[cfg(test)]
mod tests_compose;
#[cfg(test)]
mod tests_parse;

use std::sync::Arc;

pub use compose::{compose, Sections, DEFAULT_GLOBAL_DOCUMENT};
pub use from_config::ConfigPolicies;
pub use library::{FragmentSource, PolicyLibrary, MAX_FRAGMENT_NESTING};
pub use named_values::{first_reference, NamedValues};
pub use node::{Attr, Element, Node, Origin, Scope};
pub use xml::MAX_DEPTH;

/// A configuration error in a policy document or fragment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Not well-formed XML, or an expression whose end cannot be found.
    #[error("{document}: line {line}: {message}")]
    Syntax {
        document: String,
        line: u32,
        message: String,
    },
    /// Well-formed, but not a valid policy document or fragment (root,
    /// sections, `<base/>` placement).
    #[error("{document}: line {line}: {message}")]
    Structure {
        document: String,
        line: u32,
        message: String,
    },
    /// `{{name}}` names no named value.
    #[error("{document}: line {line}: named value {{{{{name}}}}} is not defined")]
    UnknownNamedValue { document: String, line: u32, name: String },
    /// A missing fragment, a cycle of fragments, or a bad `<include-fragment>`.
    #[error("{document}: line {line}: {message}")]
    Fragment {
        document: String,
        line: u32,
        message: String,
    },
}

impl DocumentError {
    /// The file or resource the error is in.
    pub fn document(&self) -> &str {
        match self {
            DocumentError::Syntax { document, .. }
            | DocumentError::Structure { document, .. }
            | DocumentError::UnknownNamedValue { document, .. }
            | DocumentError::Fragment { document, .. } => document,
        }
    }

    /// The 1-based line.
    pub fn line(&self) -> u32 {
        match self {
            DocumentError::Syntax { line, .. }
            | DocumentError::Structure { line, .. }
            | DocumentError::UnknownNamedValue { line, .. }
            | DocumentError::Fragment { line, .. } => *line,
        }
    }

    /// `line N: message`, without the document name.
    pub fn located_message(&self) -> String {
        let full = self.to_string();
        let prefix = format!("{}: ", self.document());
        full.strip_prefix(&prefix).map(str::to_owned).unwrap_or(full)
    }
}

/// The four sections of a policy document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    Inbound = 0,
    Backend = 1,
    Outbound = 2,
    OnError = 3,
}

impl SectionKind {
    /// In pipeline order.
    pub const ALL: [SectionKind; 4] = [
        SectionKind::Inbound,
        SectionKind::Backend,
        SectionKind::Outbound,
        SectionKind::OnError,
    ];

    /// The element name, which is also `context.LastError.Section`.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Inbound => "inbound",
            SectionKind::Backend => "backend",
            SectionKind::Outbound => "outbound",
            SectionKind::OnError => "on-error",
        }
    }

    pub fn from_name(name: &str) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The file or resource name, as given to [`PolicyLibrary::parse`].
    pub name: Arc<str>,
    pub scope: Scope,
    /// Per [`SectionKind`] (index = `kind as usize`); `None` when the
    /// document has no such section. `<base/>` elements are kept.
    sections: [Option<Vec<Element>>; 4],
}

impl Document {
    /// The section's elements (with `<base/>`), or `None` when absent.
    pub fn section(&self, kind: SectionKind) -> Option<&[Element]> {
        self.sections[kind as usize].as_deref()
    }
}

/// Checks a document's XML and shape only, without resolving named values
/// or fragments (for the management plane, which accepts a document before
/// what it references exists; the gateway checks the rest when it loads).
pub fn check_syntax(document: &str, scope: Scope, xml: &str) -> Result<(), DocumentError> {
    let name: Arc<str> = Arc::from(document);
    structure::document_sections(xml::parse_tree(&name, xml)?, scope).map(drop)
}

/// [`check_syntax`] for a `<fragment>`.
pub fn check_fragment_syntax(document: &str, xml: &str) -> Result<(), DocumentError> {
    let name: Arc<str> = Arc::from(document);
    structure::fragment_elements(xml::parse_tree(&name, xml)?).map(drop)
}

/// Parses a standalone document with no named values and no fragments
/// (tests, tools). See [`PolicyLibrary::parse`].
pub fn parse(document: &str, scope: Scope, xml: &str) -> Result<Document, DocumentError> {
    PolicyLibrary::default().parse(document, scope, xml)
}
