//! Serialization, as .NET's `XNode.ToString()` produces it: XLinq's
//! `ElementWriter` (which prefix each name gets, from the `xmlns`
//! attributes in scope) over `XmlWellFormedWriter` (implicit namespace
//! declarations, generated `p1` prefixes) over the indenting raw text
//! writer (two spaces, `\n` newlines as on Linux, no indentation inside
//! mixed content, `<a />` for empty elements). The three layers are
//! emulated with their state, so the output matches .NET's byte for byte
//! in the cases the unit tests pin.
//!
//! Invariants: iterative over the tree (no recursion); characters XML
//! cannot represent are an `ArgumentException` (or, for the lossy form
//! used by string concatenation, character references).

use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;

use super::name::{XMLNS_NS, XML_NS};
use super::scope::prefix_of_namespace;
use super::tree::{Data, Kind, Node};

/// `SaveOptions`.
#[derive(Debug, Clone, Copy)]
pub struct SaveOptions {
    /// Not `DisableFormatting`.
    pub indent: bool,
    /// `OmitDuplicateNamespaces`.
    pub omit_duplicate_namespaces: bool,
}

impl SaveOptions {
    pub const DEFAULT: SaveOptions = SaveOptions {
        indent: true,
        omit_duplicate_namespaces: false,
    };

    /// From a `SaveOptions` flags value.
    pub fn from_flags(flags: i64) -> SaveOptions {
        SaveOptions {
            indent: flags & 1 == 0,
            omit_duplicate_namespaces: flags & 2 != 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NsKind {
    Special,
    Implied,
    NeedToWrite,
    Written,
}

struct NsEntry {
    prefix: String,
    uri: String,
    kind: NsKind,
}

struct ElemScope {
    prefix: String,
    local: String,
    prev_ns_top: usize,
}

/// The emulated writer stack.
struct Writer {
    out: String,
    indent: bool,
    check_chars: bool,
    omit_dup: bool,
    /// `ConformanceLevel.Document` (else `Fragment`).
    document: bool,
    // Raw writer: positions in `out` (usize::MAX: none).
    text_pos: usize,
    content_pos: usize,
    // Indenting writer.
    indent_level: usize,
    mixed: bool,
    mixed_stack: Vec<bool>,
    root_is_document: bool,
    // Well-formed writer.
    ns: Vec<NsEntry>,
    elems: Vec<ElemScope>,
    start_tag_open: bool,
    // XLinq's namespace resolver: (prefix, uri, scope), oldest first.
    resolver: Vec<(String, String, usize)>,
    scope: usize,
}

fn argument(message: String) -> EvalError {
    EvalError::argument(message)
}

fn xml_exception(message: String) -> EvalError {
    EvalError::new(EvalErrorKind::Other("XmlException"), message)
}

fn is_invalid_char(c: char) -> bool {
    (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

impl Writer {
    fn new(opts: SaveOptions, check_chars: bool, document: bool) -> Writer {
        let entry = |p: &str, u: &str, kind| NsEntry {
            prefix: p.into(),
            uri: u.into(),
            kind,
        };
        Writer {
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
            resolver: Vec::new(),
            scope: 0,
        }
    }

    // ---- raw text ----

    fn invalid(&mut self, c: char) -> EvalResult<()> {
        if self.check_chars {
            return Err(argument(format!(
                "'{c}', hexadecimal value 0x{:02X}, is an invalid character.",
                c as u32
            )));
        }
        self.out.push_str(&format!("&#x{:X};", c as u32));
        Ok(())
    }

    /// Element text: `&`, `<`, `>` escaped, line ends as `\n`.
    fn text_block(&mut self, s: &str) -> EvalResult<()> {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    self.out.push('\n');
                }
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
        }
        self.text_pos = self.out.len();
        self.content_pos = usize::MAX;
        Ok(())
    }

    /// An attribute value: also `"` and the white-space characters
    /// `\t`, `\n`, `\r` as character references.
    fn attr_block(&mut self, s: &str) -> EvalResult<()> {
        for c in s.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\t' => self.out.push_str("&#x9;"),
                '\n' => self.out.push_str("&#xA;"),
                '\r' => self.out.push_str("&#xD;"),
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
        }
        Ok(())
    }

    /// Comment or PI text: a space breaks `--` (and a final `-`) or `?>`.
    fn comment_or_pi(&mut self, s: &str, stop: char) -> EvalResult<()> {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '-' if stop == '-' => {
                    self.out.push('-');
                    if matches!(chars.peek(), None | Some('-')) {
                        self.out.push(' ');
                    }
                }
                '?' if stop == '?' => {
                    self.out.push('?');
                    if chars.peek() == Some(&'>') {
                        self.out.push(' ');
                    }
                }
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    self.out.push('\n');
                }
                c if is_invalid_char(c) => self.invalid(c)?,
                c => self.out.push(c),
            }
        }
        Ok(())
    }

    fn write_indent(&mut self) {
        self.out.push('\n');
        for _ in 0..self.indent_level {
            self.out.push_str("  ");
        }
    }

    /// The indenting writer's "new line before markup" rule.
    fn indent_before_markup(&mut self) {
        if self.indent && !self.mixed && self.text_pos != self.out.len() {
            self.write_indent();
        }
    }

    // ---- well-formed writer: namespaces ----

    fn ns_top(&self) -> usize {
        self.ns.len() - 1
    }

    fn scope_start(&self) -> usize {
        self.elems.last().map_or(2, |e| e.prev_ns_top)
    }

    fn lookup_namespace_index(&self, prefix: &str) -> Option<usize> {
        self.ns.iter().rposition(|e| e.prefix == prefix)
    }

    fn lookup_namespace(&self, prefix: &str) -> Option<&str> {
        self.lookup_namespace_index(prefix).map(|i| self.ns[i].uri.as_str())
    }

    fn lookup_local_namespace(&self, prefix: &str) -> Option<&str> {
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
    fn lookup_prefix(&self, ns: &str) -> Option<String> {
        let i = self.ns.iter().rposition(|e| e.uri == ns)?;
        let prefix = &self.ns[i].prefix;
        if self.ns[i + 1..].iter().any(|e| e.prefix == *prefix) {
            return None;
        }
        Some(prefix.clone())
    }

    fn generate_prefix(&self) -> String {
        let base = format!("p{}", self.ns_top() - 2);
        if self.lookup_namespace(&base).is_none() {
            return base;
        }
        (0..)
            .map(|i| format!("{base}{i}"))
            .find(|p| self.lookup_namespace(p).is_none())
            .unwrap_or(base)
    }

    fn redefine_error(prefix: &str, old: &str, new: &str) -> EvalError {
        xml_exception(format!(
            "The prefix '{prefix}' cannot be redefined from '{old}' to '{new}' within the same start element tag."
        ))
    }

    fn push_namespace_implicit(&mut self, prefix: &str, ns: &str) -> EvalResult<()> {
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
    fn push_namespace_explicit(&mut self, prefix: &str, ns: &str) -> EvalResult<bool> {
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

    fn write_ns_decl(&mut self, prefix: &str, uri: &str) -> EvalResult<()> {
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
    fn start_element_content(&mut self) -> EvalResult<()> {
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

    // ---- well-formed writer: nodes ----

    fn start_element(&mut self, prefix: Option<String>, local: &str, ns: &str) -> EvalResult<()> {
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

    fn end_element(&mut self, full: bool) -> EvalResult<()> {
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

    fn attribute(&mut self, prefix: Option<String>, local: &str, ns: &str, value: &str) -> EvalResult<()> {
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

    fn string(&mut self, s: &str) -> EvalResult<()> {
        self.start_element_content()?;
        self.mixed = true;
        self.text_block(s)
    }

    fn whitespace(&mut self, s: &str) -> EvalResult<()> {
        if !s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
            return Err(argument("Only white space characters should be used.".into()));
        }
        self.string(s)
    }

    fn cdata(&mut self, s: &str) -> EvalResult<()> {
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

    fn comment(&mut self, s: &str) -> EvalResult<()> {
        self.start_element_content()?;
        self.indent_before_markup();
        self.out.push_str("<!--");
        self.comment_or_pi(s, '-')?;
        self.out.push_str("-->");
        Ok(())
    }

    fn pi(&mut self, target: &str, data: &str) -> EvalResult<()> {
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

    fn doctype(&mut self, name: &str, public: Option<&str>, system: Option<&str>, subset: Option<&str>) {
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

    // ---- XLinq's ElementWriter ----

    /// The prefix XLinq asks the writer for (`None`: let it choose).
    fn resolver_prefix(&self, ns: &str, allow_default: bool) -> Option<String> {
        if ns.is_empty() {
            return Some(String::new());
        }
        for (i, (prefix, uri, _)) in self.resolver.iter().enumerate().rev() {
            if uri != ns {
                continue;
            }
            let hidden = self.resolver[i + 1..].iter().any(|(p, _, _)| p == prefix);
            if hidden {
                continue;
            }
            if allow_default || !prefix.is_empty() {
                return Some(prefix.clone());
            }
        }
        match ns {
            XML_NS => Some("xml".into()),
            XMLNS_NS => Some("xmlns".into()),
            _ => None,
        }
    }

    /// Seeds the resolver with the declarations of `el`'s ancestors.
    fn push_ancestors(&mut self, el: &Rc<Node>) {
        let mut added = Vec::new();
        let mut cur = el.parent();
        while let Some(e) = cur {
            if e.kind != Kind::Element {
                break;
            }
            for a in e.attrs() {
                if let Some(name) = a.name().filter(|n| n.is_namespace_declaration()) {
                    let prefix = if name.ns.is_empty() {
                        String::new()
                    } else {
                        name.local.to_string()
                    };
                    added.push((prefix, a.own_text().unwrap_or_default(), 0));
                }
            }
            cur = e.parent();
        }
        added.reverse();
        self.resolver = added;
    }

    fn start_x(&mut self, el: &Node) -> EvalResult<()> {
        self.scope += 1;
        let attrs = el.attrs();
        for a in &attrs {
            if let Some(name) = a.name().filter(|n| n.is_namespace_declaration()) {
                let prefix = if name.ns.is_empty() {
                    String::new()
                } else {
                    name.local.to_string()
                };
                self.resolver
                    .push((prefix, a.own_text().unwrap_or_default(), self.scope));
            }
        }
        let Some(name) = el.name() else { return Ok(()) };
        let prefix = self.resolver_prefix(&name.ns, true);
        self.start_element(prefix, &name.local, &name.ns)?;
        for a in &attrs {
            let (Some(name), Some(value)) = (a.name(), a.own_text()) else {
                continue;
            };
            let prefix = self.resolver_prefix(&name.ns, false);
            let ns = if name.ns.is_empty() && &*name.local == "xmlns" {
                XMLNS_NS
            } else {
                &name.ns
            };
            self.attribute(prefix, &name.local, ns, &value)?;
        }
        Ok(())
    }

    fn end_x(&mut self, full: bool) -> EvalResult<()> {
        self.end_element(full)?;
        let scope = self.scope;
        while self.resolver.last().is_some_and(|(_, _, s)| *s == scope) {
            self.resolver.pop();
        }
        self.scope = self.scope.saturating_sub(1);
        Ok(())
    }

    /// Writes a node and its subtree (iteratively).
    fn node(&mut self, charge: &mut Charge<'_>, root: &Rc<Node>) -> EvalResult<()> {
        enum Step {
            Enter(Rc<Node>),
            Exit,
        }
        if root.kind == Kind::Element {
            self.push_ancestors(root);
        }
        let mut stack = vec![Step::Enter(root.clone())];
        while let Some(step) = stack.pop() {
            charge(1)?;
            let n = match step {
                Step::Exit => {
                    self.end_x(true)?;
                    continue;
                }
                Step::Enter(n) => n,
            };
            match &*n.data() {
                Data::Element(e) => {
                    self.start_x(&n)?;
                    if e.empty && e.children.is_empty() {
                        self.end_x(false)?;
                    } else if e.children.is_empty() {
                        self.string("")?;
                        self.end_x(true)?;
                    } else {
                        stack.push(Step::Exit);
                        stack.extend(e.children.iter().rev().map(|c| Step::Enter(c.clone())));
                    }
                }
                Data::Document(d) => stack.extend(d.children.iter().rev().map(|c| Step::Enter(c.clone()))),
                Data::Text(s) => match n.kind {
                    Kind::Text if n.parent().is_some_and(|p| p.kind == Kind::Document) => self.whitespace(s)?,
                    Kind::Text => self.string(s)?,
                    Kind::CData => self.cdata(s)?,
                    _ => self.comment(s)?,
                },
                Data::Pi(p) => self.pi(&p.target, &p.data)?,
                Data::DocType(d) => self.doctype(
                    &d.name,
                    d.public_id.as_deref(),
                    d.system_id.as_deref(),
                    d.internal_subset.as_deref(),
                ),
                Data::Attribute(name, value) => {
                    let ns = if name.ns.is_empty() && &*name.local == "xmlns" {
                        XMLNS_NS
                    } else {
                        &name.ns
                    };
                    let prefix = if name.ns.is_empty() {
                        Some(String::new())
                    } else if let Some(p) = n.parent() {
                        prefix_of_namespace(&p, &name.ns)
                    } else {
                        self.resolver_prefix(&name.ns, false)
                    };
                    self.attribute(prefix, &name.local, ns, value)?;
                }
            };
        }
        Ok(())
    }
}

/// A step counter: the budget of the evaluation, or nothing.
type Charge<'c> = dyn FnMut(u64) -> EvalResult<()> + 'c;

fn serialize(charge: &mut Charge<'_>, node: &Rc<Node>, opts: SaveOptions, check_chars: bool) -> EvalResult<String> {
    let fragment = matches!(node.kind, Kind::Text | Kind::CData | Kind::Attribute);
    let mut w = Writer::new(opts, check_chars, !fragment);
    w.node(charge, node)?;
    Ok(if node.kind == Kind::Attribute {
        w.out.trim().to_owned()
    } else {
        w.out
    })
}

/// `ToString()` / `ToString(SaveOptions)` of a node or attribute.
pub fn to_string<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, opts: SaveOptions) -> EvalResult<String> {
    let s = serialize(&mut |n| rt.charge(n), node, opts, true)?;
    rt.alloc(s.len())?;
    Ok(s)
}

/// `ToString()` where nothing may fail (string concatenation): invalid
/// characters are written as character references; namespace conflicts
/// that .NET rejects give an empty string.
pub fn to_string_lossy(node: &Rc<Node>) -> String {
    serialize(&mut |_| Ok(()), node, SaveOptions::DEFAULT, false).unwrap_or_default()
}
