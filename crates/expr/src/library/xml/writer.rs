//! An emulation of the System.Xml writer stack `XNode.ToString()` writes
//! through: `XmlWellFormedWriter` (its checks, the namespace declarations
//! it adds, the prefixes it generates) over the indenting raw text writer
//! (`XmlEncodedRawTextWriterIndent`: two spaces per level, `\n` newlines,
//! no indentation inside mixed content, ` />` for empty elements).
//! Escaping is in [`super::writer_text`], the namespace stack in
//! [`super::writer_ns`]; XLinq's choice of prefixes in [`super::write`].
//!
//! Invariants: `text_pos`/`content_pos` are offsets in `out` compared the
//! way .NET compares its buffer positions (`usize::MAX`: none); an open
//! start tag is closed (`start_element_content`) before any content.

use crate::error::{EvalError, EvalErrorKind, EvalResult};

use super::name::{XMLNS_NS, XML_NS};
use super::write::SaveOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NsKind {
    Special,
    Implied,
    NeedToWrite,
    Written,
}

pub(super) struct NsEntry {
    pub(super) prefix: String,
    pub(super) uri: String,
    pub(super) kind: NsKind,
}

pub(super) struct ElemScope {
    pub(super) prefix: String,
    pub(super) local: String,
    pub(super) prev_ns_top: usize,
}

/// The emulated writer stack (well-formed writer over the indenting raw
/// text writer).
pub struct XmlWriter {
    pub(super) out: String,
    pub(super) indent: bool,
    pub(super) check_chars: bool,
    pub(super) omit_dup: bool,
    /// `ConformanceLevel.Document` (else `Fragment`).
    pub(super) document: bool,
    // Raw writer: positions in `out` (usize::MAX: none).
    pub(super) text_pos: usize,
    pub(super) content_pos: usize,
    // Indenting writer.
    pub(super) indent_level: usize,
    pub(super) mixed: bool,
    pub(super) mixed_stack: Vec<bool>,
    pub(super) root_is_document: bool,
    // Well-formed writer.
    pub(super) ns: Vec<NsEntry>,
    pub(super) elems: Vec<ElemScope>,
    pub(super) start_tag_open: bool,
}

pub(super) fn argument(message: String) -> EvalError {
    EvalError::argument(message)
}

pub(super) fn xml_exception(message: String) -> EvalError {
    EvalError::new(EvalErrorKind::Other("XmlException"), message)
}

pub(super) fn is_invalid_char(c: char) -> bool {
    (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

impl XmlWriter {
    pub fn new(opts: SaveOptions, check_chars: bool, document: bool) -> XmlWriter {
        let entry = |p: &str, u: &str, kind| NsEntry {
            prefix: p.into(),
            uri: u.into(),
            kind,
        };
        XmlWriter {
            out: String::new(),
            indent: opts.indent,
            check_chars,
            omit_dup: opts.omit_duplicate_namespaces,
            document,
            text_pos: 0,
            content_pos: usize::MAX,
            indent_level: 0,
            mixed: false,
            mixed_stack: Vec::new(),
            root_is_document: false,
            ns: vec![
                entry("xmlns", XMLNS_NS, NsKind::Special),
                entry("xml", XML_NS, NsKind::Special),
                entry("", "", NsKind::Implied),
            ],
            elems: vec![ElemScope {
                prefix: String::new(),
                local: String::new(),
                prev_ns_top: 2,
            }],
            start_tag_open: false,
        }
    }

    pub(super) fn start_element(&mut self, prefix: Option<String>, local: &str, ns: &str) -> EvalResult<()> {
        self.start_element_content()?;
        let prefix = match prefix {
            Some(p) => p,
            None => self.lookup_prefix(ns).unwrap_or_default(),
        };
        if !prefix.is_empty() && ns.is_empty() {
            return Err(argument("Cannot use a prefix with an empty namespace.".into()));
        }
        if self.elems.len() == 1 {
            self.root_is_document = self.document;
        }
        if self.indent {
            self.indent_before_markup();
            self.indent_level += 1;
            self.mixed_stack.push(self.mixed);
        }
        self.out.push('<');
        if !prefix.is_empty() {
            self.out.push_str(&prefix);
            self.out.push(':');
        }
        self.out.push_str(local);
        let prev_ns_top = self.ns_top();
        self.elems.push(ElemScope {
            prefix: prefix.clone(),
            local: local.into(),
            prev_ns_top,
        });
        self.push_namespace_implicit(&prefix, ns)?;
        self.start_tag_open = true;
        Ok(())
    }

    pub(super) fn end_element(&mut self, full: bool) -> EvalResult<()> {
        self.start_element_content()?;
        if self.indent {
            self.indent_level = self.indent_level.saturating_sub(1);
            if !self.mixed && self.content_pos != self.out.len() && self.text_pos != self.out.len() {
                self.write_indent();
            }
            self.mixed = self.mixed_stack.pop().unwrap_or(false);
        }
        let Some(scope) = self.elems.pop() else {
            return Ok(());
        };
        if !full && self.content_pos == self.out.len() {
            self.out.pop();
            self.out.push_str(" />");
        } else {
            self.out.push_str("</");
            if !scope.prefix.is_empty() {
                self.out.push_str(&scope.prefix);
                self.out.push(':');
            }
            self.out.push_str(&scope.local);
            self.out.push('>');
        }
        self.ns.truncate(scope.prev_ns_top + 1);
        Ok(())
    }

    pub(super) fn attribute(&mut self, prefix: Option<String>, local: &str, ns: &str, value: &str) -> EvalResult<()> {
        enum Special {
            No,
            DefaultXmlns,
            PrefixedXmlns,
            XmlSpace,
            XmlLang,
        }
        let mut prefix = match prefix {
            Some(p) => p,
            None if local == "xmlns" && ns == XMLNS_NS => String::new(),
            None => self.lookup_prefix(ns).unwrap_or_default(),
        };
        let mut special = Special::No;
        if prefix.is_empty() {
            if local == "xmlns" {
                if !ns.is_empty() && ns != XMLNS_NS {
                    return Err(argument("Prefix \"xmlns\" is reserved for use by XML.".into()));
                }
                special = Special::DefaultXmlns;
            } else if !ns.is_empty() {
                prefix = match self.lookup_prefix(ns) {
                    Some(p) if !p.is_empty() => p,
                    _ => self.generate_prefix(),
                };
            }
        } else if prefix == "xmlns" {
            if !ns.is_empty() && ns != XMLNS_NS {
                return Err(argument("Prefix \"xmlns\" is reserved for use by XML.".into()));
            }
            special = Special::PrefixedXmlns;
        } else {
            if prefix == "xml" {
                if !ns.is_empty() && ns != XML_NS {
                    return Err(argument(
                        "Prefix \"xml\" is reserved for use by XML and can be mapped only to namespace name \"http://www.w3.org/XML/1998/namespace\".".into(),
                    ));
                }
                match local {
                    "space" => special = Special::XmlSpace,
                    "lang" => special = Special::XmlLang,
                    _ => {}
                }
            }
            if matches!(special, Special::No) {
                if ns.is_empty() {
                    prefix.clear();
                } else if self.lookup_local_namespace(&prefix).is_some_and(|d| d != ns) {
                    prefix = self.generate_prefix();
                }
            }
        }
        match special {
            Special::DefaultXmlns => {
                if self.push_namespace_explicit("", value)? {
                    self.write_ns_decl("", value)?;
                }
                return Ok(());
            }
            Special::PrefixedXmlns => {
                if value.is_empty() {
                    return Err(argument("Cannot use a prefix with an empty namespace.".into()));
                }
                if value == XMLNS_NS || (value == XML_NS && local != "xml") {
                    return Err(argument("Cannot bind to the reserved namespace.".into()));
                }
                if self.push_namespace_explicit(local, value)? {
                    self.write_ns_decl(local, value)?;
                }
                return Ok(());
            }
            Special::XmlSpace => {
                let v = value.trim_matches([' ', '\t', '\n', '\r']);
                if v != "default" && v != "preserve" {
                    return Err(argument(format!("'{v}' is an invalid xml:space value.")));
                }
                self.out.push_str(" xml:space=\"");
                self.attr_block(v)?;
                self.out.push('"');
                return Ok(());
            }
            Special::XmlLang | Special::No => {}
        }
        if !matches!(special, Special::XmlLang) && !prefix.is_empty() {
            self.push_namespace_implicit(&prefix, ns)?;
        }
        self.out.push(' ');
        if !prefix.is_empty() {
            self.out.push_str(&prefix);
            self.out.push(':');
        }
        self.out.push_str(local);
        self.out.push_str("=\"");
        self.attr_block(value)?;
        self.out.push('"');
        Ok(())
    }

    pub(super) fn string(&mut self, s: &str) -> EvalResult<()> {
        self.start_element_content()?;
        self.mixed = true;
        self.text_block(s)
    }

    pub(super) fn whitespace(&mut self, s: &str) -> EvalResult<()> {
        if !s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
            return Err(argument("Only white space characters should be used.".into()));
        }
        self.string(s)
    }

    pub(super) fn cdata(&mut self, s: &str) -> EvalResult<()> {
        self.start_element_content()?;
        self.mixed = true;
        self.out.push_str("<![CDATA[");
        let mut chars = s.chars().peekable();
        let mut brackets = 0;
        while let Some(c) = chars.next() {
            match c {
                '>' if brackets >= 2 => self.out.push_str("]]><![CDATA[>"),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    self.out.push('\n');
                }
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
            brackets = if c == ']' { brackets + 1 } else { 0 };
        }
        self.out.push_str("]]>");
        self.text_pos = self.out.len();
        Ok(())
    }

    pub(super) fn comment(&mut self, s: &str) -> EvalResult<()> {
        self.start_element_content()?;
        self.indent_before_markup();
        self.out.push_str("<!--");
        self.comment_or_pi(s, '-')?;
        self.out.push_str("-->");
        Ok(())
    }

    pub(super) fn pi(&mut self, target: &str, data: &str) -> EvalResult<()> {
        self.start_element_content()?;
        self.indent_before_markup();
        self.out.push_str("<?");
        self.out.push_str(target);
        if !data.is_empty() {
            self.out.push(' ');
            self.comment_or_pi(data, '?')?;
        }
        self.out.push_str("?>");
        Ok(())
    }

    pub(super) fn doctype(&mut self, name: &str, public: Option<&str>, system: Option<&str>, subset: Option<&str>) {
        self.indent_before_markup();
        self.out.push_str("<!DOCTYPE ");
        self.out.push_str(name);
        if let Some(p) = public {
            self.out
                .push_str(&format!(" PUBLIC \"{p}\" \"{}\"", system.unwrap_or("")));
        } else if let Some(s) = system {
            self.out.push_str(&format!(" SYSTEM \"{s}\""));
        } else {
            self.out.push(' ');
        }
        if let Some(s) = subset {
            self.out.push('[');
            self.out.push_str(s);
            self.out.push(']');
        }
        self.out.push('>');
    }
}
