//! In-scope namespace queries on elements, as XLinq answers them from the
//! `xmlns` attributes of an element and its ancestors:
//! `GetDefaultNamespace`, `GetNamespaceOfPrefix`, `GetPrefixOfNamespace`.

use std::rc::Rc;

use super::name::{XMLNS_NS, XML_NS};
use super::tree::{Kind, Node};

/// The element ancestors-or-self of `el` (nearest first), stopping at
/// the first non-element.
fn element_chain(el: &Rc<Node>) -> Vec<Rc<Node>> {
    let mut out = Vec::new();
    let mut cur = Some(el.clone());
    while let Some(e) = cur {
        if e.kind != Kind::Element {
            break;
        }
        cur = e.parent();
        out.push(e);
    }
    out
}

/// The value of the nearest namespace declaration for `prefix` (`"xmlns"`
/// for the default declaration) on `el` and its ancestors, stopping
/// before `out_of_scope`.
pub fn namespace_of_prefix_in_scope(el: &Rc<Node>, prefix: &str, out_of_scope: Option<&Rc<Node>>) -> Option<String> {
    for e in element_chain(el) {
        if out_of_scope.is_some_and(|o| Rc::ptr_eq(o, &e)) {
            break;
        }
        for a in e.attrs() {
            let Some(name) = a.name() else { continue };
            if name.is_namespace_declaration() && &*name.local == prefix {
                return a.own_text();
            }
        }
    }
    None
}

/// `XElement.GetPrefixOfNamespace(ns)`.
pub fn prefix_of_namespace(el: &Rc<Node>, ns: &str) -> Option<String> {
    let mut in_scope = false;
    for e in element_chain(el) {
        let mut local = false;
        for a in e.attrs() {
            let Some(name) = a.name() else { continue };
            if !name.is_namespace_declaration() {
                continue;
            }
            if a.own_text().as_deref() == Some(ns)
                && !name.ns.is_empty()
                && (!in_scope || namespace_of_prefix_in_scope(el, &name.local, Some(&e)).is_none())
            {
                return Some(name.local.to_string());
            }
            local = true;
        }
        in_scope |= local;
    }
    if ns == XML_NS {
        if !in_scope || namespace_of_prefix_in_scope(el, "xml", None).is_none() {
            return Some("xml".into());
        }
    } else if ns == XMLNS_NS {
        return Some("xmlns".into());
    }
    None
}

/// `XElement.GetDefaultNamespace()`: "" when none is declared.
pub fn default_namespace(el: &Rc<Node>) -> String {
    namespace_of_prefix_in_scope(el, "xmlns", None).unwrap_or_default()
}
