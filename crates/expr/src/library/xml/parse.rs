//! Parsing XML text into a tree, as `XDocument.Parse` / `XElement.Parse`
//! read it through .NET's `XmlReader`: quick-xml tokenizes; this module
//! resolves namespaces and prefixes as XLinq does (namespace declarations
//! stay as `xmlns` attributes), decodes the predefined and numeric
//! entities, normalizes line ends and attribute white space, drops
//! insignificant white space (unless `PreserveWhitespace` or
//! `xml:space="preserve"`), and reports errors as `XmlException`s with
//! .NET's messages and `Line n, position m.`.
//!
//! Invariants (security): no entity is ever expanded beyond the five
//! predefined ones and character references; a DOCTYPE with an internal
//! subset or an external identifier is refused (`DtdProcessing.Prohibit`'s
//! message); nesting is bounded by [`MAX_DEPTH`]; work and memory are
//! charged proportionally to the input.

use std::rc::Rc;

use quick_xml::errors::{Error as QError, IllFormedError, SyntaxError};
use quick_xml::escape::{resolve_xml_entity, EscapeError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use quick_xml::XmlVersion;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;

use super::decl::Decl;
use super::name::{is_name_char, is_name_start, Name, XMLNS_NS, XML_NS};
use super::tree::{Data, DocType, Kind, Node};

/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 256;

const DTD_PROHIBITED: &str = "For security reasons DTD is prohibited in this XML document. To enable DTD processing set the DtdProcessing property on XmlReaderSettings to Parse and pass the settings into XmlReader.Create method.";

/// An element being read.
struct Open {
    node: Rc<Node>,
    qname: String,
    /// Byte offset of the name in the start tag.
    pos: usize,
    /// `xml:space="preserve"` in scope.
    preserve_space: bool,
    /// Length of the namespace binding stack before this element.
    ns_mark: usize,
}

struct Parser<'t> {
    text: &'t str,
    preserve_whitespace: bool,
    doc: Rc<Node>,
    open: Vec<Open>,
    /// (prefix, namespace) bindings in scope, innermost last ("" = default).
    bindings: Vec<(String, Rc<str>)>,
    pending: String,
    root_seen: bool,
}

/// Whether every char is XML white space.
fn is_ws(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Whether `c` may appear in an XML document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn invalid_char_message(c: char) -> String {
    format!("'{c}', hexadecimal value 0x{:02X}, is an invalid character.", c as u32)
}

/// Normalizes line ends (`\r\n` and `\r` to `\n`), as an XML processor
/// must before parsing.
fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Parses `text` into a document node (`XDocument.Parse`).
pub fn parse_document<'a>(rt: &mut dyn Runtime<'a>, text: &str, preserve_whitespace: bool) -> EvalResult<Rc<Node>> {
    rt.charge(text.len() as u64 / 64 + 1)?;
    rt.alloc(text.len())?;
    let normalized = normalize_newlines(text);
    let mut p = Parser {
        text: &normalized,
        preserve_whitespace,
        doc: Node::document(),
        open: Vec::new(),
        bindings: vec![("xml".into(), Rc::from(XML_NS)), ("xmlns".into(), Rc::from(XMLNS_NS))],
        pending: String::new(),
        root_seen: false,
    };
    p.run(rt)?;
    Ok(p.doc)
}

impl<'t> Parser<'t> {
    /// Line and (1-based, in chars) column of a byte offset.
    fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, col)
    }

    fn error(&self, message: &str, offset: usize) -> EvalError {
        let (line, col) = self.locate(offset);
        EvalError::new(
            EvalErrorKind::Other("XmlException"),
            format!("{message} Line {line}, position {col}."),
        )
    }

    fn run<'a>(&mut self, rt: &mut dyn Runtime<'a>) -> EvalResult<()> {
        let mut reader = Reader::from_str(self.text);
        {
            let config = reader.config_mut();
            config.check_end_names = false;
            config.allow_unmatched_ends = true;
            config.check_comments = true;
            config.expand_empty_elements = false;
        }
        loop {
            let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let pos = usize::try_from(reader.error_position()).unwrap_or(start);
                    return Err(self.quick_xml_error(&e, pos));
                }
            };
            rt.charge(1)?;
            match event {
                Event::Decl(d) => self.declaration(&d, start)?,
                Event::DocType(t) => self.doctype(rt, &t.into_inner(), start)?,
                Event::Start(e) => self.start(rt, &e, start, false)?,
                Event::Empty(e) => self.start(rt, &e, start, true)?,
                Event::End(e) => {
                    let qname = e.name().as_ref().to_owned();
                    self.end(rt, &qname, start)?;
                }
                Event::Text(t) => self.text(&t.into_inner(), start)?,
                Event::GeneralRef(r) => self.reference(&r, start)?,
                Event::CData(c) => {
                    let text = c.into_inner();
                    self.check_chars(&text, start)?;
                    if self.open.is_empty() {
                        return Err(self.error("Data at the root level is invalid.", start));
                    }
                    self.add_node(rt, Node::text(Kind::CData, text.into_owned()))?;
                }
                Event::Comment(c) => {
                    let text = c.into_inner();
                    if text.ends_with('-') {
                        return Err(self.error(
                            "An XML comment cannot contain '--', and '-' cannot be the last character.",
                            start,
                        ));
                    }
                    self.check_chars(&text, start)?;
                    self.add_node(rt, Node::text(Kind::Comment, text.into_owned()))?;
                }
                Event::PI(pi) => {
                    let target = pi.target().to_owned();
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(self.error(
                            &format!("'{target}' is an invalid name for processing instructions."),
                            start + 2,
                        ));
                    }
                    self.check_name(&target, false, start + 2)?;
                    let data = pi.content().trim_start_matches([' ', '\t', '\n', '\r']).to_owned();
                    self.check_chars(&data, start)?;
                    self.add_node(rt, Node::pi(target, data))?;
                }
                Event::Eof => return self.eof(rt),
            }
        }
    }

    /// The container new nodes go into.
    fn current(&self) -> Rc<Node> {
        self.open.last().map_or_else(|| self.doc.clone(), |o| o.node.clone())
    }

    /// Appends a node to the current container (after pending text).
    fn add_node<'a>(&mut self, rt: &mut dyn Runtime<'a>, n: Rc<Node>) -> EvalResult<()> {
        self.flush_text(rt)?;
        rt.alloc(n.size_estimate())?;
        let parent = self.current();
        n.set_parent(Some(&parent));
        match &mut *parent.data_mut() {
            Data::Element(e) => {
                e.empty = false;
                e.children.push(n);
            }
            Data::Document(d) => d.children.push(n),
            _ => {}
        }
        Ok(())
    }

    /// Adds pending text to the current element, unless it is
    /// insignificant white space.
    fn flush_text<'a>(&mut self, rt: &mut dyn Runtime<'a>) -> EvalResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.pending);
        let significant =
            self.preserve_whitespace || self.open.last().is_some_and(|o| o.preserve_space) || !is_ws(&text);
        if significant {
            self.add_node(rt, Node::text(Kind::Text, text))?;
        }
        Ok(())
    }

    fn text(&mut self, raw: &str, start: usize) -> EvalResult<()> {
        if self.open.is_empty() {
            if let Some(i) = raw.find(|c: char| !matches!(c, ' ' | '\t' | '\n' | '\r')) {
                return Err(self.error("Data at the root level is invalid.", start + i));
            }
            // White space between top-level nodes: kept only when asked.
            if self.preserve_whitespace && self.root_seen_or_started() {
                self.pending.push_str(raw);
            }
            return Ok(());
        }
        self.check_chars(raw, start)?;
        self.pending.push_str(raw);
        Ok(())
    }

    /// Whether anything precedes this point (white space before the first
    /// node of a document is not reported by .NET's reader).
    fn root_seen_or_started(&self) -> bool {
        self.root_seen || !self.doc.children().is_empty() || self.doc_has_decl()
    }

    fn doc_has_decl(&self) -> bool {
        matches!(&*self.doc.data(), Data::Document(d) if d.decl.is_some())
    }

    fn reference(&mut self, r: &quick_xml::events::BytesRef<'_>, start: usize) -> EvalResult<()> {
        if self.open.is_empty() {
            return Err(self.error("Data at the root level is invalid.", start));
        }
        let name: &str = r;
        let decoded = if r.is_char_ref() {
            match r.resolve_char_ref() {
                Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                Ok(Some(c)) => return Err(self.error(&invalid_char_message(c), start)),
                _ => return Err(self.error("Invalid syntax for a numeric character reference.", start + 2)),
            }
        } else {
            match resolve_xml_entity(name) {
                Some(s) => s.to_owned(),
                None => {
                    return Err(self.error(&format!("Reference to undeclared entity '{name}'."), start + 1));
                }
            }
        };
        self.pending.push_str(&decoded);
        Ok(())
    }

    fn check_chars(&self, s: &str, start: usize) -> EvalResult<()> {
        match s.char_indices().find(|(_, c)| !is_xml_char(*c)) {
            Some((i, c)) => Err(self.error(&invalid_char_message(c), start + i)),
            None => Ok(()),
        }
    }

    /// Checks an element, attribute or PI name (`qualified`: one colon
    /// allowed between two NCNames).
    fn check_name(&self, name: &str, qualified: bool, pos: usize) -> EvalResult<()> {
        let parts: Vec<&str> = name.split(':').collect();
        if parts.len() > 2 || (parts.len() == 2 && !qualified) {
            return Err(self.error(
                "The ':' character, hexadecimal value 0x3A, cannot be included in a name.",
                pos,
            ));
        }
        let mut offset = pos;
        for part in parts {
            let mut chars = part.chars();
            let first = chars
                .next()
                .or_else(|| self.text.get(offset..).and_then(|t| t.chars().next()));
            match first {
                Some(c) if !part.is_empty() && is_name_start(c) => {}
                Some(c) => {
                    return Err(self.error(
                        &format!(
                            "Name cannot begin with the '{c}' character, hexadecimal value 0x{:02X}.",
                            c as u32
                        ),
                        offset,
                    ));
                }
                None => return Err(self.error("Unexpected end of file while parsing Name has occurred.", offset)),
            }
            if let Some(c) = chars.find(|c| !is_name_char(*c)) {
                return Err(self.error(
                    &format!(
                        "The '{c}' character, hexadecimal value 0x{:02X}, cannot be included in a name.",
                        c as u32
                    ),
                    offset,
                ));
            }
            offset += part.len() + 1;
        }
        Ok(())
    }

    fn declaration(&mut self, d: &quick_xml::events::BytesDecl<'_>, start: usize) -> EvalResult<()> {
        if start != 0 {
            return Err(self.error(
                "Unexpected XML declaration. The XML declaration must be the first node in the document, and no whitespace characters are allowed to appear before it.",
                start + 2,
            ));
        }
        let bad = || self.error("Syntax for an XML declaration is invalid.", start + 2);
        let version = d.version().map_err(|_| bad())?.into_owned();
        if version != "1.0" {
            return Err(self.error(&format!("Version number '{version}' is invalid."), start + 2));
        }
        let encoding = match d.encoding() {
            Some(Ok(e)) => Some(e.into_owned()),
            Some(Err(_)) => return Err(bad()),
            None => None,
        };
        let standalone = match d.standalone() {
            Some(Ok(s)) => {
                let s = s.into_owned();
                if s != "yes" && s != "no" {
                    return Err(bad());
                }
                Some(s)
            }
            Some(Err(_)) => return Err(bad()),
            None => None,
        };
        if let Data::Document(doc) = &mut *self.doc.data_mut() {
            doc.decl = Some(Rc::new(Decl::new(Some(version), encoding, standalone)));
        }
        Ok(())
    }

    fn doctype<'a>(&mut self, rt: &mut dyn Runtime<'a>, content: &str, start: usize) -> EvalResult<()> {
        if self.root_seen || !self.open.is_empty() {
            return Err(self.error("Unexpected DTD declaration.", start + 2));
        }
        let content = content.trim_matches([' ', '\t', '\n', '\r']);
        let (name, rest) = content
            .split_once([' ', '\t', '\n', '\r', '['])
            .map_or((content, ""), |(n, _)| (n, &content[n.len()..]));
        if !rest.trim().is_empty() {
            // An internal subset or an external identifier: never read.
            return Err(self.error(DTD_PROHIBITED, start + 2));
        }
        self.check_name(name, true, start + 10)?;
        let node = Node::doctype(DocType {
            name: name.to_owned(),
            public_id: None,
            system_id: None,
            internal_subset: Some(String::new()),
        });
        self.add_node(rt, node)
    }

    fn lookup(&self, prefix: &str) -> Option<Rc<str>> {
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.clone())
    }

    fn start<'a>(&mut self, rt: &mut dyn Runtime<'a>, e: &BytesStart<'_>, start: usize, empty: bool) -> EvalResult<()> {
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
    fn check_binding(&self, prefix: &str, uri: &str, pos: usize) -> EvalResult<()> {
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
    fn resolve(&self, qname: &str, element: bool, pos: usize) -> EvalResult<Name> {
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

    fn end<'a>(&mut self, rt: &mut dyn Runtime<'a>, qname: &str, start: usize) -> EvalResult<()> {
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

    fn eof<'a>(&mut self, rt: &mut dyn Runtime<'a>) -> EvalResult<()> {
        let end = self.text.len();
        if !self.open.is_empty() {
            let names: Vec<&str> = self.open.iter().rev().map(|o| o.qname.as_str()).collect();
            return Err(self.error(
                &format!(
                    "Unexpected end of file has occurred. The following elements are not closed: {}.",
                    names.join(", ")
                ),
                end,
            ));
        }
        if !self.root_seen {
            return Err(EvalError::new(
                EvalErrorKind::Other("XmlException"),
                "Root element is missing.",
            ));
        }
        // White space after the root (kept with PreserveWhitespace).
        self.flush_text(rt)
    }

    fn quick_xml_error(&self, e: &QError, pos: usize) -> EvalError {
        let message = match e {
            QError::Syntax(SyntaxError::InvalidBangMarkup) => "Unexpected character in markup.".to_owned(),
            QError::Syntax(SyntaxError::UnclosedComment) => {
                "Unexpected end of file while parsing Comment has occurred.".to_owned()
            }
            QError::Syntax(SyntaxError::UnclosedCData) => {
                "Unexpected end of file while parsing CDATA has occurred.".to_owned()
            }
            QError::Syntax(SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl) => {
                "Unexpected end of file while parsing PI has occurred.".to_owned()
            }
            QError::Syntax(SyntaxError::UnclosedDoctype) => {
                "Unexpected end of file while parsing DOCTYPE has occurred.".to_owned()
            }
            QError::Syntax(_) => "Unexpected end of file while parsing Name has occurred.".to_owned(),
            QError::IllFormed(IllFormedError::DoubleHyphenInComment) => {
                "An XML comment cannot contain '--', and '-' cannot be the last character.".to_owned()
            }
            QError::IllFormed(IllFormedError::UnclosedReference) => {
                "An error occurred while parsing EntityName.".to_owned()
            }
            QError::IllFormed(IllFormedError::MissingDeclVersion(_) | IllFormedError::UnknownVersion) => {
                "Syntax for an XML declaration is invalid.".to_owned()
            }
            QError::IllFormed(IllFormedError::MissingDoctypeName) => DTD_PROHIBITED.to_owned(),
            QError::IllFormed(_) => "The XML is not well-formed.".to_owned(),
            QError::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
                format!("Reference to undeclared entity '{name}'.")
            }
            QError::InvalidAttr(_) => "Invalid syntax in the start tag.".to_owned(),
            other => format!("The XML is not well-formed ({other})."),
        };
        self.error(&message, pos)
    }
}
