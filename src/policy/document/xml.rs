//! XML text → [`Element`] tree, with line numbers (quick-xml events).
//!
//! Invariants: the input first goes through [`escape_expressions`], which
//! keeps the line structure, so every line number is true for the text the
//! user wrote; DOCTYPE (and with it custom entities) is rejected; attribute
//! values are unescaped but *not* whitespace-normalised (a `// comment` line
//! in a multi-line `@{ }` block must stay a line); nesting is limited to
//! [`MAX_DEPTH`] so later recursive walks are bounded.

use std::sync::Arc;

use quick_xml::escape::{resolve_predefined_entity, unescape};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::node::{Attr, Element, Node, Origin};
use super::prepass::escape_expressions;
use super::DocumentError;

/// Maximum element nesting in a document.
pub const MAX_DEPTH: usize = 64;

/// Parses `xml` (raw or escaped form) into its root element. Elements get
/// `origin.document = document` and the default scope.
pub(crate) fn parse_tree(document: &Arc<str>, xml: &str) -> Result<Element, DocumentError> {
    let syntax = |line: u32, message: String| DocumentError::Syntax {
        document: document.to_string(),
        line,
        message,
    };
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let text = escape_expressions(xml).map_err(|e| syntax(e.line, e.message))?;
    let lines = Lines::new(&text);
    let mut reader = Reader::from_str(&text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut pending = Pending::default();
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(syntax(lines.at(at), format!("not well-formed XML: {e}")));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if stack.len() >= MAX_DEPTH => {
                return Err(syntax(
                    lines.at(before),
                    format!("elements nest deeper than {MAX_DEPTH} levels"),
                ));
            }
            Event::Start(e) => {
                pending.flush(&mut stack, &lines, document)?;
                stack.push(element(document, &text, &lines, &e, lines.at(before))?);
            }
            Event::Empty(e) => {
                pending.flush(&mut stack, &lines, document)?;
                let el = element(document, &text, &lines, &e, lines.at(before))?;
                attach(&mut stack, &mut root, el, document)?;
            }
            Event::End(_) => {
                pending.flush(&mut stack, &lines, document)?;
                if let Some(el) = stack.pop() {
                    attach(&mut stack, &mut root, el, document)?;
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                let lead = content.len() - content.trim_start().len();
                pending.push(&content, before + lead, !content.trim().is_empty());
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => return Err(syntax(lines.at(before), format!("unknown entity &{};", &*r))),
                    },
                    Err(e) => return Err(syntax(lines.at(before), format!("bad character reference: {e}"))),
                };
                pending.push(&resolved, before, true);
            }
            Event::CData(c) => {
                pending.push(&c.xml10_content(), before, true);
                pending.cdata = true;
            }
            Event::DocType(_) => {
                return Err(syntax(
                    lines.at(before),
                    "DOCTYPE declarations are not allowed in policy documents".into(),
                ))
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    pending.flush(&mut stack, &lines, document)?;
    if let Some(open) = stack.last() {
        return Err(syntax(
            lines.at(text.len()),
            format!("element <{}> (line {}) is never closed", open.name, open.line),
        ));
    }
    root.ok_or_else(|| syntax(lines.at(text.len()), "the document has no root element".into()))
}

/// Byte offset → 1-based line, by binary search over the newline offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    fn at(&self, offset: usize) -> u32 {
        u32::try_from(self.0.partition_point(|&n| n < offset) + 1).unwrap_or(u32::MAX)
    }
}

/// Text collected since the last tag (line ends already normalised by
/// quick-xml's `xml10_content`; a `&#13;` reference stays a `\r`).
#[derive(Default)]
struct Pending {
    text: String,
    /// Offset of the first significant character, if any.
    at: Option<usize>,
    /// Offset of the first character (for whitespace-only CDATA).
    first: Option<usize>,
    cdata: bool,
}

impl Pending {
    fn push(&mut self, s: &str, at: usize, significant: bool) {
        self.text.push_str(s);
        self.first.get_or_insert(at);
        if significant {
            self.at.get_or_insert(at);
        }
    }

    /// Appends the text to the open element (dropping insignificant
    /// whitespace); text outside the root is an error.
    fn flush(&mut self, stack: &mut [Element], lines: &Lines, document: &Arc<str>) -> Result<(), DocumentError> {
        let text = std::mem::take(&mut self.text);
        let at = self.at.take();
        let first = self.first.take();
        let cdata = std::mem::take(&mut self.cdata);
        let Some(at) = at.or(if cdata { first } else { None }) else {
            return Ok(());
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(Node::Text(text, lines.at(at))),
            None => {
                return Err(DocumentError::Syntax {
                    document: document.to_string(),
                    line: lines.at(at),
                    message: "text outside the root element".into(),
                })
            }
        }
        Ok(())
    }
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    document: &Arc<str>,
) -> Result<(), DocumentError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None if root.is_some() => {
            return Err(DocumentError::Syntax {
                document: document.to_string(),
                line: el.line,
                message: format!("second root element <{}>: a document has exactly one", el.name),
            })
        }
        None => *root = Some(el),
    }
    Ok(())
}

/// Byte offset of `part` inside `base`, when it points into it.
fn offset_in(base: &str, part: &[u8]) -> Option<usize> {
    let off = (part.as_ptr() as usize).checked_sub(base.as_ptr() as usize)?;
    (off <= base.len()).then_some(off)
}

fn element(
    document: &Arc<str>,
    text: &str,
    lines: &Lines,
    e: &BytesStart<'_>,
    line: u32,
) -> Result<Element, DocumentError> {
    let err = |line: u32, message: String| DocumentError::Syntax {
        document: document.to_string(),
        line,
        message,
    };
    let name = e.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| err(line, format!("<{name}>: malformed attribute: {x}")))?;
        let key = a.key.as_ref();
        let attr_line = offset_in(text, key.as_bytes()).map_or(line, |o| lines.at(o));
        let key = key.to_owned();
        let value = unescape(&a.value)
            .map_err(|x| err(attr_line, format!("<{name}> attribute {key:?}: {x}")))?
            .replace("\r\n", "\n");
        attrs.push(Attr {
            name: key,
            value,
            line: attr_line,
        });
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        line,
        origin: Origin {
            document: document.clone(),
            ..Origin::default()
        },
    })
}
