//! The shape rules of policy documents and fragments, checked on the parsed
//! tree before anything is substituted or inlined.
//!
//! A document is `<policies>` with at most one each of `<inbound>`,
//! `<backend>`, `<outbound>`, `<on-error>` (any order), holding only
//! elements. `<base/>` is empty, a direct child of a section, at most once
//! per section, and not allowed at global scope (there is nothing above it).
//! A fragment is `<fragment>` holding only elements, with no section
//! element and no `<base/>` anywhere (APIM's rule).

use super::node::{Element, Node, Scope};
use super::{DocumentError, SectionKind};

fn err(el: &Element, line: u32, message: String) -> DocumentError {
    DocumentError::Structure {
        document: el.origin.document.to_string(),
        line,
        message,
    }
}

/// Rejects attributes and non-element content of `el` (a container).
fn only_elements(el: &Element) -> Result<(), DocumentError> {
    if let Some(a) = el.attrs.first() {
        return Err(err(
            el,
            a.line,
            format!("<{}> takes no attributes (found {:?})", el.name, a.name),
        ));
    }
    if let Some(Node::Text(_, line)) = el.children.iter().find(|c| matches!(c, Node::Text(..))) {
        return Err(err(
            el,
            *line,
            format!("text is not allowed directly inside <{}>", el.name),
        ));
    }
    Ok(())
}

/// Any `<base>` below `el` (not `el` itself).
fn find_nested_base(el: &Element) -> Option<&Element> {
    for c in el.children_elements() {
        if c.name == "base" {
            return Some(c);
        }
        if let Some(b) = find_nested_base(c) {
            return Some(b);
        }
    }
    None
}

/// Splits a `<policies>` root into its sections (in [`SectionKind::ALL`]
/// order; `None` for a missing section), `<base/>` elements kept in place.
pub(crate) fn document_sections(root: Element, scope: Scope) -> Result<[Option<Vec<Element>>; 4], DocumentError> {
    if root.name != "policies" {
        let m = format!("the root element must be <policies>, not <{}>", root.name);
        return Err(err(&root, root.line, m));
    }
    only_elements(&root)?;
    let mut sections: [Option<Vec<Element>>; 4] = Default::default();
    for child in root.children {
        let Node::Element(section) = child else { continue };
        let Some(kind) = SectionKind::from_name(&section.name) else {
            let m = format!(
                "unexpected <{}> in <policies>: expected <inbound>, <backend>, <outbound> or <on-error>",
                section.name
            );
            return Err(err(&section, section.line, m));
        };
        let slot = &mut sections[kind as usize];
        if slot.is_some() {
            let m = format!("<{}> appears twice in <policies>", section.name);
            return Err(err(&section, section.line, m));
        }
        only_elements(&section)?;
        let mut bases = 0;
        for el in section.children_elements() {
            if el.name == "base" {
                bases += 1;
                if scope == Scope::Global {
                    let m = "<base/> is not allowed in the global policy: there is no enclosing scope".into();
                    return Err(err(el, el.line, m));
                }
                if bases > 1 {
                    return Err(err(el, el.line, format!("<base/> appears twice in <{}>", section.name)));
                }
                if !el.attrs.is_empty() || !el.children.is_empty() {
                    return Err(err(el, el.line, "<base/> takes no attributes or content".into()));
                }
            } else if let Some(b) = find_nested_base(el) {
                let m = format!("<base/> must be a direct child of <{}>", section.name);
                return Err(err(b, b.line, m));
            }
        }
        let elements = section.children.into_iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        });
        *slot = Some(elements.collect());
    }
    Ok(sections)
}

/// Checks a `<fragment>` root and returns its elements.
pub(crate) fn fragment_elements(root: Element) -> Result<Vec<Element>, DocumentError> {
    if root.name != "fragment" {
        let m = format!(
            "the root element of a policy fragment must be <fragment>, not <{}>",
            root.name
        );
        return Err(err(&root, root.line, m));
    }
    only_elements(&root)?;
    if let Some(b) = find_nested_base(&root) {
        return Err(err(b, b.line, "<base/> is not allowed in a policy fragment".into()));
    }
    if let Some(s) = root
        .children_elements()
        .find(|e| SectionKind::from_name(&e.name).is_some())
    {
        let m = format!("a policy fragment cannot contain the section <{}>", s.name);
        return Err(err(s, s.line, m));
    }
    Ok(root
        .children
        .into_iter()
        .filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(..) => None,
        })
        .collect())
}
