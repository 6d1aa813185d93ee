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
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;

use super::decl::Decl;
use super::name::{is_name_char, is_name_start, XMLNS_NS, XML_NS};
use super::tree::{Data, DocType, Kind, Node};

/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 256;

const DTD_PROHIBITED: &str = "For security reasons DTD is prohibited in this XML document. To enable DTD processing set the DtdProcessing property on XmlReaderSettings to Parse and pass the settings into XmlReader.Create method.";

/// An element being read.
pub(super) struct Open {
    pub(super) node: Rc<Node>,
    pub(super) qname: String,
    /// Byte offset of the name in the start tag.
    pub(super) pos: usize,
    /// `xml:space="preserve"` in scope.
    pub(super) preserve_space: bool,
    /// Length of the namespace binding stack before this element.
    pub(super) ns_mark: usize,
}

pub(super) struct Parser<'t> {
    pub(super) text: &'t str,
    pub(super) preserve_whitespace: bool,
    pub(super) doc: Rc<Node>,
    pub(super) open: Vec<Open>,
    /// (prefix, namespace) bindings in scope, innermost last ("" = default).
    pub(super) bindings: Vec<(String, Rc<str>)>,
    pub(super) pending: String,
    pub(super) root_seen: bool,
}

/// Whether every char is XML white space.
pub(super) fn is_ws(s: &str) -> bool {
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
    // A byte-order mark left at the start of decoded text is not content.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
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
    pub(super) fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, col)
    }

    pub(super) fn error(&self, message: &str, offset: usize) -> EvalError {
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
    pub(super) fn current(&self) -> Rc<Node> {
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
    pub(super) fn flush_text<'a>(&mut self, rt: &mut dyn Runtime<'a>) -> EvalResult<()> {
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

    pub(super) fn check_chars(&self, s: &str, start: usize) -> EvalResult<()> {
        match s.char_indices().find(|(_, c)| !is_xml_char(*c)) {
            Some((i, c)) => Err(self.error(&invalid_char_message(c), start + i)),
            None => Ok(()),
        }
    }

    /// Checks an element, attribute or PI name (`qualified`: one colon
    /// allowed between two NCNames).
    pub(super) fn check_name(&self, name: &str, qualified: bool, pos: usize) -> EvalResult<()> {
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
