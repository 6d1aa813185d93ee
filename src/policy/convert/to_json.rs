//! XML → JSON (`xml-to-json`, and Liquid's `body` for an XML message).
//!
//! `direct` mirrors the XML the way Json.NET's `SerializeXmlNode` does:
//! names keep their prefixes, attributes (namespace declarations too) are
//! `@name` members, the declaration is `?xml`, text beside elements or
//! attributes is `#text`, CDATA is `#cdata-section`.
//! `javascript-friendly` gives what a script wants to read: local names
//! only, attributes as plain members (`@name` only when a child element has
//! the same name), no namespace declarations, no declaration, and
//! `xsi:nil="true"` elements as `null`.
//!
//! In both: the root element is the one member of the result; an element
//! with neither attributes nor content is `null`; one with only text is a
//! string; repeated child elements become an array (every child element,
//! with `always-array-child-elements`); all values stay strings (XML has no
//! types). Comments and processing instructions are dropped.
//!
//! Invariant: output size is checked against the caller's limit; depth is
//! bounded by the XML parser's [`super::MAX_DEPTH`].

use super::json::Json;
use super::xml_tree::{self, XDoc, XElement, XNode};
use super::{names, ConvertError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    JavascriptFriendly,
    Direct,
}

/// The attributes of `xml-to-json` that shape the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToJson {
    pub kind: Kind,
    pub always_array: bool,
}

/// Converts XML text to JSON text of at most `max` bytes.
pub fn xml_to_json(xml: &[u8], opts: ToJson, max: usize) -> Result<String, ConvertError> {
    let doc = xml_tree::parse(xml)?;
    let mut out = String::with_capacity(xml.len());
    to_value(&doc, opts).write(&mut out);
    if out.len() > max {
        return Err(ConvertError::TooLarge(max));
    }
    Ok(out)
}

/// The JSON value of a parsed document.
pub fn to_value(doc: &XDoc, opts: ToJson) -> Json {
    let mut members = Vec::new();
    if opts.kind == Kind::Direct && !doc.decl.is_empty() {
        let decl = doc
            .decl
            .iter()
            .map(|(k, v)| (format!("@{k}"), Json::Str(v.clone())))
            .collect();
        members.push(("?xml".to_owned(), Json::Obj(decl)));
    }
    members.push((name_of(&doc.root, opts.kind), element(&doc.root, opts)));
    Json::Obj(members)
}

fn name_of(el: &XElement, kind: Kind) -> String {
    match kind {
        Kind::Direct => names::decode(&el.name),
        Kind::JavascriptFriendly => names::decode(el.local_name()),
    }
}

fn is_namespace_decl(attr: &str) -> bool {
    attr == "xmlns" || attr.starts_with("xmlns:")
}

fn element(el: &XElement, opts: ToJson) -> Json {
    let js = opts.kind == Kind::JavascriptFriendly;
    if js && el.is_nil() {
        return Json::Null;
    }
    let attrs: Vec<&(String, String)> = el
        .attrs
        .iter()
        .filter(|(k, _)| !js || !(is_namespace_decl(k) || (el.is_nil() && k.ends_with(":nil"))))
        .collect();
    match (attrs.is_empty(), el.children.as_slice()) {
        (true, []) => return Json::Null,
        (true, [XNode::Text(t)]) => return Json::Str(t.clone()),
        _ => {}
    }
    let mut members: Vec<(String, Json)> = Vec::new();
    let child_names: Vec<String> = el
        .children
        .iter()
        .filter_map(|c| match c {
            XNode::Element(e) => Some(name_of(e, opts.kind)),
            _ => None,
        })
        .collect();
    for (k, v) in attrs {
        let key = if js {
            let local = names::decode(k.rsplit(':').next().unwrap_or(k));
            if child_names.contains(&local) {
                format!("@{local}")
            } else {
                local
            }
        } else {
            format!("@{}", names::decode(k))
        };
        members.push((key, Json::Str(v.clone())));
    }
    // Child elements grouped by name at the place of the first one.
    let mut texts = Vec::new();
    let mut cdata = Vec::new();
    for c in &el.children {
        match c {
            XNode::Element(e) => {
                let name = name_of(e, opts.kind);
                let value = element(e, opts);
                let repeated = child_names.iter().filter(|n| **n == name).count() > 1;
                match members.iter_mut().find(|(k, _)| *k == name) {
                    Some((_, Json::Arr(items))) => items.push(value),
                    Some(_) => {}
                    None if repeated || opts.always_array => members.push((name, Json::Arr(vec![value]))),
                    None => members.push((name, value)),
                }
            }
            XNode::Text(t) => texts.push(Json::Str(t.clone())),
            XNode::CData(t) => cdata.push(Json::Str(t.clone())),
        }
    }
    for (key, mut values) in [("#text", texts), ("#cdata-section", cdata)] {
        match values.len() {
            0 => {}
            1 => members.push((key.to_owned(), values.remove(0))),
            _ => members.push((key.to_owned(), Json::Arr(values))),
        }
    }
    Json::Obj(members)
}

#[cfg(test)]
mod tests {
    use super::super::to_xml::{json_to_xml, ToXml};
    use super::*;

    const JS: ToJson = ToJson {
        kind: Kind::JavascriptFriendly,
        always_array: false,
    };
    const DIRECT: ToJson = ToJson {
        kind: Kind::Direct,
        always_array: false,
    };

    fn conv(xml: &str, o: ToJson) -> String {
        xml_to_json(xml.as_bytes(), o, 1 << 20).unwrap()
    }

    #[test]
    fn javascript_friendly_reads_like_data() {
        assert_eq!(
            conv(
                "<order id=\"7\"><line>a</line><line>b</line><note/><total>3</total></order>",
                JS
            ),
            r#"{"order":{"id":"7","line":["a","b"],"note":null,"total":"3"}}"#
        );
        assert_eq!(
            conv("<s:Envelope xmlns:s=\"urn:s\" xmlns:xsi=\"urn:i\"><s:Body><v xsi:nil=\"true\"/><w a=\"1\">t</w></s:Body></s:Envelope>", JS),
            r##"{"Envelope":{"Body":{"v":null,"w":{"a":"1","#text":"t"}}}}"##
        );
        assert_eq!(conv("<r k=\"1\"><k>2</k></r>", JS), r#"{"r":{"@k":"1","k":"2"}}"#);
    }

    #[test]
    fn always_array_child_elements() {
        let o = ToJson {
            always_array: true,
            ..JS
        };
        assert_eq!(
            conv("<r><a>1</a><b><c>2</c></b></r>", o),
            r#"{"r":{"a":["1"],"b":[{"c":["2"]}]}}"#
        );
    }

    #[test]
    fn direct_mirrors_the_xml() {
        assert_eq!(
            conv(
                "<?xml version=\"1.0\"?><s:E xmlns:s=\"urn:s\" a=\"1\">x<b/><![CDATA[<c>]]></s:E>",
                DIRECT
            ),
            r##"{"?xml":{"@version":"1.0"},"s:E":{"@xmlns:s":"urn:s","@a":"1","b":null,"#text":"x","#cdata-section":"<c>"}}"##
        );
    }

    #[test]
    fn round_trips_through_json_to_xml() {
        for xml in [
            "<order id=\"7\"><line>a</line><line>b</line><note /></order>",
            "<s:Envelope xmlns:s=\"urn:s\"><s:Body><first_x0020_name>x &amp; y</first_x0020_name></s:Body></s:Envelope>",
        ] {
            let json = conv(xml, DIRECT);
            let back = json_to_xml(json.as_bytes(), &ToXml::default(), 1 << 20).unwrap();
            assert_eq!(back, xml, "via {json}");
        }
        let json = r#"{"order":{"id":"7","line":["a","b"],"when":"2024-01-02T03:04:05Z"}}"#;
        let xml = json_to_xml(json.as_bytes(), &ToXml::default(), 1 << 20).unwrap();
        assert_eq!(conv(&xml, JS), json);
    }

    #[test]
    fn bad_or_huge_input_is_an_error() {
        assert!(xml_to_json(b"<a>", JS, 100).is_err());
        let big = format!("<a>{}</a>", "<b>1</b>".repeat(100));
        assert!(matches!(
            xml_to_json(big.as_bytes(), JS, 50),
            Err(ConvertError::TooLarge(50))
        ));
    }
}
