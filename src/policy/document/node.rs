//! The owned tree a policy document parses into.
//!
//! Invariants of a tree produced by the parser: comments are gone; adjacent
//! text, entity references and CDATA are merged into one [`Node::Text`]
//! (entities resolved, `\r\n` normalised to `\n`); whitespace-only text is
//! dropped unless it came from CDATA; named values are substituted and
//! `<include-fragment>` elements are replaced by the fragment's elements;
//! every element's [`Origin`] names the file its line numbers refer to and
//! the scope whose document it belongs to.

use std::fmt;
use std::sync::Arc;

/// The four policy scopes, from the outermost (global) to the innermost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Scope {
    /// All APIs (APIM's "global" scope).
    #[default]
    Global,
    Product,
    Api,
    Operation,
}

impl Scope {
    /// The value of `context.LastError.Scope` for this scope.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Product => "product",
            Scope::Api => "api",
            Scope::Operation => "operation",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an element came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Origin {
    /// The file (or management-plane resource) the element's line numbers
    /// refer to: the policy document, or the fragment it was included from.
    pub document: Arc<str>,
    /// The scope of the policy document the element belongs to (for a
    /// fragment: the scope of the document that included it).
    pub scope: Scope,
}

/// An attribute; `value` has entities resolved and named values substituted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Attr {
    pub name: String,
    pub value: String,
    /// 1-based line of the attribute name.
    pub line: u32,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    Element(Element),
    /// Text content and the 1-based line where its first non-blank character is.
    Text(String, u32),
}

impl Node {
    pub fn as_element(&self) -> Option<&Element> {
        match self {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        }
    }
}

/// An element of a policy document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Element {
    /// The qualified name as written (`set-header`, `x:y`).
    pub name: String,
    /// In document order; names are unique within an element.
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: u32,
    pub origin: Origin,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attr_node(name).map(|a| a.value.as_str())
    }

    /// The attribute `name` with its line, if present.
    pub fn attr_node(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The child elements, skipping text.
    pub fn children_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(Node::as_element)
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children_elements().find(|e| e.name == name)
    }

    /// The concatenated text children (not descendants).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            if let Node::Text(t, _) = c {
                out.push_str(t);
            }
        }
        out
    }

    /// Whether the element has any text child.
    pub fn has_text(&self) -> bool {
        self.children.iter().any(|c| matches!(c, Node::Text(..)))
    }

    /// Sets `origin.scope` on this element and all its descendants.
    pub(crate) fn set_scope(&mut self, scope: Scope) {
        self.origin.scope = scope;
        for c in &mut self.children {
            if let Node::Element(e) = c {
                e.set_scope(scope);
            }
        }
    }
}
