//! The namespace stack of .NET's `XmlWellFormedWriter`: which prefix a
//! namespace gets (`LookupPrefix`), the declarations it writes implicitly
//! (`PushNamespaceImplicit`), explicit `xmlns` attributes
//! (`PushNamespaceExplicit`, `OmitDuplicateNamespaces`), generated `p1`
//! prefixes, and the checks on reserved prefixes.
//!
//! Invariants: entries 0–2 are `xmlns`, `xml` and the empty default; an
//! element's entries are above its scope's `prev_ns_top`.

use crate::error::{EvalError, EvalResult};

use super::name::{XMLNS_NS, XML_NS};
use super::writer::{argument, xml_exception, NsEntry, NsKind, XmlWriter};

impl XmlWriter {
    pub(super) fn ns_top(&self) -> usize {
        self.ns.len() - 1
    }

    pub(super) fn scope_start(&self) -> usize {
        self.elems.last().map_or(2, |e| e.prev_ns_top)
    }

    pub(super) fn lookup_namespace_index(&self, prefix: &str) -> Option<usize> {
        self.ns.iter().rposition(|e| e.prefix == prefix)
    }

    pub(super) fn lookup_namespace(&self, prefix: &str) -> Option<&str> {
        self.lookup_namespace_index(prefix).map(|i| self.ns[i].uri.as_str())
    }

    pub(super) fn lookup_local_namespace(&self, prefix: &str) -> Option<&str> {
        let start = self.scope_start();
        self.ns
            .iter()
            .enumerate()
            .rev()
            .take_while(|(i, _)| *i > start)
            .find(|(_, e)| e.prefix == prefix)
            .map(|(_, e)| e.uri.as_str())
    }

    /// `LookupPrefix`: the prefix of the topmost declaration of `ns`,
    /// unless that prefix is redeclared above it.
    pub(super) fn lookup_prefix(&self, ns: &str) -> Option<String> {
        let i = self.ns.iter().rposition(|e| e.uri == ns)?;
        let prefix = &self.ns[i].prefix;
        if self.ns[i + 1..].iter().any(|e| e.prefix == *prefix) {
            return None;
        }
        Some(prefix.clone())
    }

    pub(super) fn generate_prefix(&self) -> String {
        let base = format!("p{}", self.ns_top() - 2);
        if self.lookup_namespace(&base).is_none() {
            return base;
        }
        (0..)
            .map(|i| format!("{base}{i}"))
            .find(|p| self.lookup_namespace(p).is_none())
            .unwrap_or(base)
    }

    pub(super) fn redefine_error(prefix: &str, old: &str, new: &str) -> EvalError {
        xml_exception(format!(
            "The prefix '{prefix}' cannot be redefined from '{old}' to '{new}' within the same start element tag."
        ))
    }

    pub(super) fn push_namespace_implicit(&mut self, prefix: &str, ns: &str) -> EvalResult<()> {
        let kind = match self.lookup_namespace_index(prefix) {
            Some(i) if i > self.scope_start() => {
                if self.ns[i].uri != ns {
                    return Err(Self::redefine_error(prefix, &self.ns[i].uri, ns));
                }
                return Ok(());
            }
            Some(i) if self.ns[i].kind == NsKind::Special => {
                if prefix == "xml" && ns == XML_NS {
                    NsKind::Implied
                } else {
                    return Err(argument(format!(
                        "Prefix \"{prefix}\" is reserved for use by XML and can be mapped only to its reserved namespace."
                    )));
                }
            }
            Some(i) if self.ns[i].uri == ns => NsKind::Implied,
            Some(_) => NsKind::NeedToWrite,
            None => {
                if (ns == XML_NS && prefix != "xml") || (ns == XMLNS_NS && prefix != "xmlns") {
                    return Err(argument(format!(
                        "Cannot use the prefix '{prefix}' with the reserved namespace '{ns}'."
                    )));
                }
                NsKind::NeedToWrite
            }
        };
        self.ns.push(NsEntry {
            prefix: prefix.into(),
            uri: ns.into(),
            kind,
        });
        Ok(())
    }

    /// A namespace declaration attribute: whether to write it.
    pub(super) fn push_namespace_explicit(&mut self, prefix: &str, ns: &str) -> EvalResult<bool> {
        let mut write = true;
        match self.lookup_namespace_index(prefix) {
            Some(i) if i > self.scope_start() => {
                if self.ns[i].uri != ns {
                    return Err(Self::redefine_error(prefix, &self.ns[i].uri, ns));
                }
                if self.ns[i].kind == NsKind::Written {
                    let name = if prefix.is_empty() {
                        "xmlns".to_owned()
                    } else {
                        format!("xmlns:{prefix}")
                    };
                    return Err(xml_exception(format!("'{name}' is a duplicate attribute name.")));
                }
                if self.omit_dup && self.ns[i].kind != NsKind::NeedToWrite {
                    write = false;
                }
                self.ns[i].kind = NsKind::Written;
                return Ok(write);
            }
            Some(i) if self.ns[i].uri == ns && self.omit_dup => write = false,
            _ => {}
        }
        if ns == XMLNS_NS || prefix == "xmlns" || (ns == XML_NS && prefix != "xml") {
            return Err(argument(format!(
                "Cannot use the prefix '{prefix}' with the reserved namespace '{ns}'."
            )));
        }
        if prefix == "xml" && ns != XML_NS {
            return Err(argument(
                "Prefix \"xml\" is reserved for use by XML and can be mapped only to namespace name \"http://www.w3.org/XML/1998/namespace\".".into(),
            ));
        }
        self.ns.push(NsEntry {
            prefix: prefix.into(),
            uri: ns.into(),
            kind: NsKind::Written,
        });
        Ok(write)
    }

    pub(super) fn write_ns_decl(&mut self, prefix: &str, uri: &str) -> EvalResult<()> {
        if prefix.is_empty() {
            self.out.push_str(" xmlns=\"");
        } else {
            self.out.push_str(" xmlns:");
            self.out.push_str(prefix);
            self.out.push_str("=\"");
        }
        self.attr_block(uri)?;
        self.out.push('"');
        Ok(())
    }

    /// Closes an open start tag: pending namespace declarations, `>`.
    pub(super) fn start_element_content(&mut self) -> EvalResult<()> {
        if !self.start_tag_open {
            return Ok(());
        }
        self.start_tag_open = false;
        let start = self.scope_start();
        for i in (start + 1..self.ns.len()).rev() {
            if self.ns[i].kind == NsKind::NeedToWrite {
                let (p, u) = (self.ns[i].prefix.clone(), self.ns[i].uri.clone());
                self.write_ns_decl(&p, &u)?;
            }
        }
        if self.indent {
            self.mixed = if self.indent_level == 1 && self.root_is_document {
                false
            } else {
                self.mixed_stack.last().copied().unwrap_or(false)
            };
        }
        self.out.push('>');
        self.content_pos = self.out.len();
        Ok(())
    }
}
