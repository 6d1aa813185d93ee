//! XML message bodies → an owned tree ([`XDoc`]), with quick-xml: the
//! input of `xml-to-json` and of Liquid's `body` for XML.
//!
//! Invariants: nesting is limited to [`MAX_DEPTH`]; DOCTYPE is refused (no
//! entity may be defined, so nothing expands); only the five predefined
//! entities and character references are resolved; whitespace-only text
//! between elements is dropped, other text is kept as written.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{ConvertError, MAX_DEPTH};

/// A parsed document: its declaration's attributes and its root element.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XDoc {
    /// `version`, `encoding`, `standalone` of `<?xml …?>`, when present.
    pub decl: Vec<(String, String)>,
    pub root: XElement,
}

/// One element: its qualified name, attributes in order, content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XElement {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<XNode>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum XNode {
    Element(XElement),
    Text(String),
    CData(String),
}

impl XElement {
    /// The local part of the name.
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    /// Whether it carries `xsi:nil="true"` (any prefix bound to `nil`).
    pub fn is_nil(&self) -> bool {
        self.attrs
            .iter()
            .any(|(k, v)| k.rsplit(':').next() == Some("nil") && k.contains(':') && v.trim() == "true")
    }
}

fn err(m: impl Into<String>) -> ConvertError {
    ConvertError::Xml(m.into())
}

/// Parses an XML body.
pub fn parse(bytes: &[u8]) -> Result<XDoc, ConvertError> {
    let text = std::str::from_utf8(bytes).map_err(|_| err("the body is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut doc = XDoc::default();
    let mut stack: Vec<XElement> = Vec::new();
    let mut root: Option<XElement> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| err(format!("not well-formed XML: {e}")))?;
        match event {
            Event::Start(_) | Event::Empty(_) if stack.len() >= MAX_DEPTH => {
                return Err(err(format!("elements nest deeper than {MAX_DEPTH} levels")))
            }
            Event::Start(e) => stack.push(element(&e)?),
            Event::Empty(e) => attach(&mut stack, &mut root, element(&e)?)?,
            Event::End(_) => {
                if let Some(el) = stack.pop() {
                    attach(&mut stack, &mut root, el)?;
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                push_text(&mut stack, &s, false)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => return Err(err("unknown entity reference")),
                    },
                    Err(e) => return Err(err(format!("bad character reference: {e}"))),
                };
                push_text(&mut stack, &resolved, true)?;
            }
            Event::CData(c) => {
                let s = c.xml10_content();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(XNode::CData(s.into_owned())),
                    None => return Err(err("CDATA outside the root element")),
                }
            }
            Event::Decl(d) => {
                let start = BytesStart::from_content(d.as_ref(), 3);
                for a in start.attributes() {
                    let a = a.map_err(|e| err(e.to_string()))?;
                    let v = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| err(e.to_string()))?;
                    doc.decl.push((a.key.as_ref().to_owned(), v.into_owned()));
                }
            }
            Event::DocType(_) => return Err(err("DOCTYPE declarations are not accepted")),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(err("an element is never closed"));
    }
    doc.root = root.ok_or_else(|| err("no root element"))?;
    Ok(doc)
}

/// Appends text to the open element, merging with a preceding text node
/// (entity references split text into several events).
fn push_text(stack: &mut [XElement], s: &str, significant: bool) -> Result<(), ConvertError> {
    let Some(parent) = stack.last_mut() else {
        if significant || !s.trim().is_empty() {
            return Err(err("text outside the root element"));
        }
        return Ok(());
    };
    if let Some(XNode::Text(t)) = parent.children.last_mut() {
        t.push_str(s);
    } else {
        parent.children.push(XNode::Text(s.to_owned()));
    }
    Ok(())
}

fn attach(stack: &mut [XElement], root: &mut Option<XElement>, mut el: XElement) -> Result<(), ConvertError> {
    // Whitespace-only text between elements is layout, not content.
    if el
        .children
        .iter()
        .any(|c| matches!(c, XNode::Element(_) | XNode::CData(_)))
    {
        el.children
            .retain(|c| !matches!(c, XNode::Text(t) if t.trim().is_empty()));
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(XNode::Element(el)),
        None if root.is_some() => return Err(err("more than one root element")),
        None => *root = Some(el),
    }
    Ok(())
}

fn element(e: &BytesStart<'_>) -> Result<XElement, ConvertError> {
    let name = e.name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| err(format!("<{name}>: malformed attribute: {x}")))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|x| err(format!("<{name}>: {x}")))?;
        attrs.push((a.key.as_ref().to_owned(), v.into_owned()));
    }
    Ok(XElement {
        name,
        attrs,
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_elements_text_entities_and_declaration() {
        let d = parse(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a x=\"1&amp;2\">\n  <b>t &lt; u</b>\n  <c/><![CDATA[<raw>]]></a>").unwrap();
        assert_eq!(d.decl[0], ("version".into(), "1.0".into()));
        assert_eq!(d.root.name, "a");
        assert_eq!(d.root.attrs, vec![("x".into(), "1&2".into())]);
        assert_eq!(d.root.children.len(), 3);
        match &d.root.children[0] {
            XNode::Element(b) => assert_eq!(b.children, vec![XNode::Text("t < u".into())]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_what_it_must() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            b"<a/><b/>",
            b"",
            b"text",
            b"<a>\xff</a>",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).unwrap_err().to_string().contains("deeper"));
    }
}
