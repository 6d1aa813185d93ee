//! Element start and end tags for [`super::parse`]: names checked,
//! attributes decoded and normalized, namespace declarations bound and
//! prefixes resolved as XLinq does (declarations stay `xmlns`
//! attributes), `xml:space` tracked, nesting bounded, end tags matched.
//!
//! Invariants: a namespace binding lives exactly as long as its element
//! is open; attribute names are unique by qualified and expanded name.

use std::rc::Rc;

use quick_xml::errors::Error as QError;
use quick_xml::escape::{resolve_xml_entity, EscapeError};
use quick_xml::events::BytesStart;
use quick_xml::XmlVersion;

use crate::error::EvalResult;
use crate::runtime::Runtime;

use super::name::{Name, XMLNS_NS, XML_NS};
use super::parse::{Open, Parser, MAX_DEPTH};
use super::tree::{Data, Node};

impl Parser<'_> {
    pub(super) fn lookup(&self, prefix: &str) -> Option<Rc<str>> {
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.clone())
    }

    pub(super) fn start<'a>(
        &mut self,
        rt: &mut dyn Runtime<'a>,
        e: &BytesStart<'_>,
        start: usize,
        empty: bool,
    ) -> EvalResult<()> {
        self.flush_text(rt)?;
        let name_pos = start + 1;
        if self.open.is_empty() && self.root_seen {
            return Err(self.error("There are multiple root elements.", name_pos));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(self.error(
                &format!("The XML document exceeds the maximum nesting depth of {MAX_DEPTH} elements."),
                name_pos,
            ));
        }
        self.root_seen = true;
        let qname = e.name().as_ref().to_owned();
        self.check_name(&qname, true, name_pos)?;

        // Attributes, raw: (qualified name, decoded value).
        let mut raw: Vec<(String, String)> = Vec::new();
        for attr in e.attributes().with_checks(false) {
            rt.charge(1)?;
            let attr = attr.map_err(|_| self.error("Invalid syntax in the start tag.", name_pos))?;
            let key = attr.key.as_ref().to_owned();
            self.check_name(&key, true, name_pos)?;
            if raw.iter().any(|(k, _)| *k == key) {
                return Err(self.error(&format!("'{key}' is a duplicate attribute name."), name_pos));
            }
            if attr.value.contains('<') {
                return Err(self.error(
                    "'<', hexadecimal value 0x3C, is an invalid attribute character.",
                    name_pos,
                ));
            }
            let value = attr
                .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity)
                .map_err(|err| match err {
                    QError::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
                        self.error(&format!("Reference to undeclared entity '{name}'."), name_pos)
                    }
                    _ => self.error("An error occurred while parsing EntityName.", name_pos),
                })?
                .into_owned();
            self.check_chars(&value, name_pos)?;
            rt.alloc(key.len() + value.len())?;
            raw.push((key, value));
        }

        // Namespace declarations apply to the element and its attributes.
        let ns_mark = self.bindings.len();
        for (key, value) in &raw {
            let prefix = if key == "xmlns" {
                ""
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                p
            } else {
                continue;
            };
            self.check_binding(prefix, value, name_pos)?;
            self.bindings.push((prefix.to_owned(), Rc::from(value.as_str())));
        }
        let name = self.resolve(&qname, true, name_pos)?;
        let el = Node::element(name);
        rt.alloc(el.size_estimate())?;
        let parent_preserve = self.open.last().is_some_and(|o| o.preserve_space);
        let mut preserve_space = parent_preserve;
        let mut names: Vec<Name> = Vec::with_capacity(raw.len());
        for (key, value) in raw {
            let name = if key == "xmlns" {
                Name::new("", "xmlns")
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                Name::new(XMLNS_NS, p)
            } else {
                self.resolve(&key, false, name_pos)?
            };
            if names.contains(&name) {
                return Err(self.error(&format!("'{key}' is a duplicate attribute name."), name_pos));
            }
            if &*name.ns == XML_NS && &*name.local == "space" {
                preserve_space = match value.as_str() {
                    "preserve" => true,
                    "default" => false,
                    v => return Err(self.error(&format!("'{v}' is an invalid xml:space value."), name_pos)),
                };
            }
            names.push(name.clone());
            let a = Node::attribute(name, value);
            a.set_parent(Some(&el));
            if let Data::Element(d) = &mut *el.data_mut() {
                d.attrs.push(a);
            }
        }

        let parent = self.current();
        el.set_parent(Some(&parent));
        match &mut *parent.data_mut() {
            Data::Element(p) => {
                p.empty = false;
                p.children.push(el.clone());
            }
            Data::Document(d) => d.children.push(el.clone()),
            _ => {}
        }
        if empty {
            self.bindings.truncate(ns_mark);
        } else {
            self.open.push(Open {
                node: el,
                qname,
                pos: name_pos,
                preserve_space,
                ns_mark,
            });
        }
        Ok(())
    }

    /// The namespace-declaration constraints of XML Namespaces 1.0.
    pub(super) fn check_binding(&self, prefix: &str, uri: &str, pos: usize) -> EvalResult<()> {
        if prefix == "xmlns" {
            return Err(self.error("Prefix \"xmlns\" is reserved for use by XML.", pos));
        }
        if prefix == "xml" && uri != XML_NS {
            return Err(self.error(
                "Prefix \"xml\" is reserved for use by XML and can be mapped only to namespace name \"http://www.w3.org/XML/1998/namespace\".",
                pos,
            ));
        }
        if (uri == XML_NS && prefix != "xml") || uri == XMLNS_NS {
            return Err(self.error(
                &format!("The namespace '{uri}' can only be bound to the reserved prefix."),
                pos,
            ));
        }
        if !prefix.is_empty() && uri.is_empty() {
            return Err(self.error("Invalid namespace declaration.", pos));
        }
        Ok(())
    }

    /// The expanded name of a qualified name (`element`: an unprefixed
    /// name takes the default namespace).
    pub(super) fn resolve(&self, qname: &str, element: bool, pos: usize) -> EvalResult<Name> {
        match qname.split_once(':') {
            Some((prefix, local)) => match self.lookup(prefix) {
                Some(uri) if !uri.is_empty() => Ok(Name {
                    ns: uri,
                    local: Rc::from(local),
                }),
                _ => Err(self.error(&format!("'{prefix}' is an undeclared prefix."), pos)),
            },
            None if element => Ok(Name {
                ns: self.lookup("").unwrap_or_else(|| Rc::from("")),
                local: Rc::from(qname),
            }),
            None => Ok(Name::new("", qname)),
        }
    }

    pub(super) fn end<'a>(&mut self, rt: &mut dyn Runtime<'a>, qname: &str, start: usize) -> EvalResult<()> {
        self.flush_text(rt)?;
        let Some(top) = self.open.pop() else {
            return Err(self.error("Unexpected end tag.", start + 2));
        };
        if top.qname != qname {
            let (line, col) = self.locate(top.pos);
            return Err(self.error(
                &format!(
                    "The '{}' start tag on line {line} position {col} does not match the end tag of '{qname}'.",
                    top.qname
                ),
                start + 2,
            ));
        }
        // `<a></a>`: content is the empty string, not null.
        top.node.set_not_empty();
        self.bindings.truncate(top.ns_mark);
        Ok(())
    }
}
