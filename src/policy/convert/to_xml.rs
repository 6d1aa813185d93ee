//! JSON → XML (`json-to-xml`), the way APIM (Json.NET's
//! `DeserializeXmlNode`) maps it:
//!
//! - an object with a single member whose value is an object becomes that
//!   element (`{"order":{…}}` → `<order>…</order>`); anything else is
//!   wrapped in `<Document>`;
//! - a member becomes a child element named after it (`XmlConvert`-encoded
//!   when the name is not a valid XML name); an array member repeats the
//!   element once per item; an array directly in an array gives `<Item>`s;
//!   `null` and `{}` give an empty element;
//! - Json.NET's markers: `@name` members are attributes, `#text` is text,
//!   `#cdata-section` is CDATA, `?xml` is the declaration; the members of
//!   the object named by `attribute-block-name` are attributes too;
//! - with `namespace-prefix` (usually `xmlns`), a member named exactly so
//!   declares the default namespace and one named `prefix` + separator +
//!   `p` declares `p`; a name `p` + separator + `local` whose `p` is
//!   declared in scope becomes `p:local` (other names are left alone, so
//!   `first_name` stays `first_name`);
//! - with `parse-date` (the default) strings that are dates (ISO 8601 or
//!   `/Date(ms)/`) are written in the round-trip form `2012-03-21T05:40:00Z`.
//!
//! Invariants: the output never exceeds the given limit (checked while
//! writing); depth is bounded by the JSON parser's limit.

use super::json::Json;
use super::{names, ConvertError};

/// The attributes of `json-to-xml` that shape the output.
#[derive(Clone, Debug)]
pub struct ToXml {
    pub parse_date: bool,
    pub namespace_separator: String,
    pub namespace_prefix: Option<String>,
    pub attribute_block_name: Option<String>,
}

impl Default for ToXml {
    fn default() -> Self {
        ToXml {
            parse_date: true,
            namespace_separator: "_".into(),
            namespace_prefix: None,
            attribute_block_name: None,
        }
    }
}

struct Writer<'o> {
    out: String,
    max: usize,
    opts: &'o ToXml,
    /// Namespace prefixes declared by the open elements.
    scope: Vec<String>,
}

/// Converts JSON text to XML text of at most `max` bytes.
pub fn json_to_xml(json: &[u8], opts: &ToXml, max: usize) -> Result<String, ConvertError> {
    let value = Json::parse(json).map_err(ConvertError::Json)?;
    let mut w = Writer {
        out: String::with_capacity(json.len() + json.len() / 2),
        max,
        opts,
        scope: Vec::new(),
    };
    if let Some(Json::Obj(decl)) = value.get("?xml") {
        w.out.push_str("<?xml");
        for (k, v) in decl {
            if let (Some(name), Some(text)) = (k.strip_prefix('@'), v.scalar_text()) {
                w.out
                    .push_str(&format!(" {}=\"{}\"", names::encode(name), escape(&text, true)));
            }
        }
        w.out.push_str("?>");
    }
    match &value {
        Json::Obj(members) => {
            let content: Vec<&(String, Json)> = members.iter().filter(|(k, _)| k != "?xml").collect();
            match content.as_slice() {
                [(name, v @ Json::Obj(_))] if !is_marker(name) => w.member(name, v, 0)?,
                _ => w.member("Document", &value, 0)?,
            }
        }
        Json::Arr(_) => {
            w.out.push_str("<Document>");
            w.member("Item", &value, 1)?;
            w.out.push_str("</Document>");
        }
        scalar => w.member("Document", scalar, 0)?,
    }
    w.check()?;
    Ok(w.out)
}

/// Json.NET's special member names.
fn is_marker(name: &str) -> bool {
    name.starts_with('@') || name.starts_with('#') || name == "?xml"
}

/// Escapes text (`attr`: for a double-quoted attribute value).
pub fn escape(s: &str, attr: bool) -> std::borrow::Cow<'_, str> {
    if !s.contains(['<', '>', '&', '"', '\r']) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out.into()
}

impl Writer<'_> {
    fn check(&self) -> Result<(), ConvertError> {
        if self.out.len() > self.max {
            return Err(ConvertError::TooLarge(self.max));
        }
        Ok(())
    }

    /// The XML name of member `key`: `p:local` when `p` is declared.
    fn xml_name(&self, key: &str) -> String {
        if names::is_qname(key) && key.contains(':') {
            return key.to_owned();
        }
        let sep = self.opts.namespace_separator.as_str();
        if !sep.is_empty() {
            if let Some((p, local)) = key.split_once(sep) {
                if self.scope.iter().any(|s| s == p) && !local.is_empty() {
                    return format!("{p}:{}", names::encode(local));
                }
            }
        }
        names::encode(key)
    }

    /// The namespace declaration a member makes, as an attribute name.
    fn namespace_decl(&self, key: &str) -> Option<String> {
        let prefix = self.opts.namespace_prefix.as_deref().filter(|p| !p.is_empty())?;
        if key == prefix {
            return Some("xmlns".into());
        }
        let rest = key
            .strip_prefix(prefix)?
            .strip_prefix(self.opts.namespace_separator.as_str())?;
        names::is_ncname(rest).then(|| format!("xmlns:{rest}"))
    }

    fn text(&self, v: &Json) -> Option<String> {
        match v {
            Json::Str(s) if self.opts.parse_date => Some(normalise_date(s).unwrap_or_else(|| s.clone())),
            other => other.scalar_text(),
        }
    }

    /// Writes member `key` with value `v` (`depth`: of the element).
    fn member(&mut self, key: &str, v: &Json, depth: usize) -> Result<(), ConvertError> {
        self.check()?;
        match v {
            Json::Arr(items) => {
                for item in items {
                    match item {
                        Json::Arr(inner) => {
                            let name = self.xml_name(key);
                            self.out.push_str(&format!("<{name}>"));
                            for i in inner {
                                self.member("Item", i, depth + 1)?;
                            }
                            self.out.push_str(&format!("</{name}>"));
                        }
                        other => self.member(key, other, depth)?,
                    }
                }
                Ok(())
            }
            Json::Obj(members) => self.object(key, members, depth),
            Json::Null => {
                let name = self.xml_name(key);
                self.out.push_str(&format!("<{name} />"));
                Ok(())
            }
            scalar => {
                let name = self.xml_name(key);
                let text = self.text(scalar).unwrap_or_default();
                self.out.push_str(&format!("<{name}>{}</{name}>", escape(&text, false)));
                Ok(())
            }
        }
    }

    fn object(&mut self, key: &str, members: &[(String, Json)], depth: usize) -> Result<(), ConvertError> {
        // Declarations first: they may bind the element's own prefix.
        let mut attrs: Vec<(String, String)> = Vec::new();
        let declared_before = self.scope.len();
        for (k, v) in members {
            let decl = match k.strip_prefix('@') {
                Some(a) if a == "xmlns" || a.starts_with("xmlns:") => Some(a.to_owned()),
                _ => self.namespace_decl(k),
            };
            if let (Some(name), Some(text)) = (decl, v.scalar_text()) {
                if let Some(p) = name.strip_prefix("xmlns:") {
                    self.scope.push(p.to_owned());
                }
                attrs.push((name, text));
            }
        }
        let mut children: Vec<(&str, &Json)> = Vec::new();
        for (k, v) in members {
            if k == "xmlns" || k.starts_with("@xmlns") || self.namespace_decl(k).is_some() {
                continue;
            }
            if let Some(a) = k.strip_prefix('@') {
                attrs.push((self.xml_name(a), self.text(v).unwrap_or_default()));
            } else if self.opts.attribute_block_name.as_deref() == Some(k.as_str()) {
                if let Json::Obj(block) = v {
                    for (a, av) in block {
                        attrs.push((self.xml_name(a), self.text(av).unwrap_or_default()));
                    }
                }
            } else {
                children.push((k, v));
            }
        }
        let name = self.xml_name(key);
        self.out.push('<');
        self.out.push_str(&name);
        for (a, v) in &attrs {
            self.out.push_str(&format!(" {a}=\"{}\"", escape(v, true)));
        }
        if children.is_empty() {
            self.out.push_str(" />");
        } else {
            self.out.push('>');
            for (k, v) in children {
                match k {
                    "#text" | "#significant-whitespace" | "#whitespace" => {
                        let t = self.text(v).unwrap_or_default();
                        self.out.push_str(&escape(&t, false));
                    }
                    "#cdata-section" => {
                        let t = v.scalar_text().unwrap_or_default().replace("]]>", "]]]]><![CDATA[>");
                        self.out.push_str(&format!("<![CDATA[{t}]]>"));
                    }
                    k if k.starts_with('#') || k.starts_with('?') => {}
                    k => self.member(k, v, depth + 1)?,
                }
            }
            self.out.push_str(&format!("</{name}>"));
        }
        self.scope.truncate(declared_before);
        Ok(())
    }
}

/// A date-like string in Json.NET's round-trip form, or `None`.
pub fn normalise_date(s: &str) -> Option<String> {
    if let Some(ms) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits_end = ms
            .char_indices()
            .find(|(i, c)| *i > 0 && (*c == '+' || *c == '-'))
            .map_or(ms.len(), |(i, _)| i);
        let millis: i64 = ms[..digits_end].parse().ok()?;
        let secs = millis.div_euclid(1000);
        let frac = millis.rem_euclid(1000);
        let d = outpost_expr::library::time::DateTime::from_unix_seconds(secs);
        let base = d.format("yyyy-MM-ddTHH:mm:ss")?;
        return Some(if frac == 0 {
            format!("{base}Z")
        } else {
            format!("{base}.{frac:03}Z")
        });
    }
    let b = s.as_bytes();
    // yyyy-MM-ddTHH:mm at least.
    let shaped = b.len() >= 16
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':';
    if !shaped {
        return None;
    }
    let p = outpost_expr::library::time::parse::parse(s, outpost_expr::library::time::DateTime::from_unix_seconds(0))?;
    let clock = p.clock.format("yyyy-MM-ddTHH:mm:ss.FFFFFFF")?;
    Some(match p.offset {
        None => clock,
        Some(0) => format!("{clock}Z"),
        Some(off) => {
            let sign = if off < 0 { '-' } else { '+' };
            format!("{clock}{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(json: &str, opts: &ToXml) -> String {
        json_to_xml(json.as_bytes(), opts, 1 << 20).unwrap()
    }

    #[test]
    fn single_object_member_is_the_root_else_document() {
        let o = ToXml::default();
        assert_eq!(
            conv(
                r#"{"order":{"id":1,"lines":[{"sku":"a"},{"sku":"b"}],"note":null}}"#,
                &o
            ),
            "<order><id>1</id><lines><sku>a</sku></lines><lines><sku>b</sku></lines><note /></order>"
        );
        assert_eq!(
            conv(r#"{"a":1,"b":"x<y"}"#, &o),
            "<Document><a>1</a><b>x&lt;y</b></Document>"
        );
        assert_eq!(
            conv(r#"[1,[2,3]]"#, &o),
            "<Document><Item>1</Item><Item><Item>2</Item><Item>3</Item></Item></Document>"
        );
        assert_eq!(conv(r#""s""#, &o), "<Document>s</Document>");
        assert_eq!(
            conv(r#"{"first name":true,"1":{}}"#, &o),
            "<Document><first_x0020_name>true</first_x0020_name><_x0031_ /></Document>"
        );
    }

    #[test]
    fn attributes_markers_and_blocks() {
        let o = ToXml {
            attribute_block_name: Some("#attrs".into()),
            ..ToXml::default()
        };
        assert_eq!(
            conv(r##"{"p":{"@id":"7","#attrs":{"lang":"en"},"#text":"hi & bye"}}"##, &o),
            r#"<p id="7" lang="en">hi &amp; bye</p>"#
        );
        assert_eq!(
            conv(r##"{"?xml":{"@version":"1.0"},"r":{"#cdata-section":"<x>"}}"##, &o),
            r#"<?xml version="1.0"?><r><![CDATA[<x>]]></r>"#
        );
    }

    #[test]
    fn namespaces_from_prefix_and_separator() {
        let o = ToXml {
            namespace_prefix: Some("xmlns".into()),
            ..ToXml::default()
        };
        assert_eq!(
            conv(
                r#"{"soap_Envelope":{"xmlns_soap":"http://s","soap_Body":{"first_name":"a"}}}"#,
                &o
            ),
            r#"<soap:Envelope xmlns:soap="http://s"><soap:Body><first_name>a</first_name></soap:Body></soap:Envelope>"#
        );
        let plain = ToXml::default();
        assert_eq!(
            conv(r#"{"soap_Envelope":{"xmlns_soap":"http://s"}}"#, &plain),
            "<soap_Envelope><xmlns_soap>http://s</xmlns_soap></soap_Envelope>"
        );
        let dash = ToXml {
            namespace_prefix: Some("xmlns".into()),
            namespace_separator: "-".into(),
            ..ToXml::default()
        };
        assert_eq!(
            conv(r#"{"a-r":{"xmlns":"urn:d","xmlns-a":"urn:a","x":1}}"#, &dash),
            r#"<a:r xmlns="urn:d" xmlns:a="urn:a"><x>1</x></a:r>"#
        );
    }

    #[test]
    fn dates_are_normalised_unless_told_not_to() {
        let o = ToXml::default();
        assert_eq!(
            conv(r#"{"d":{"a":"2012-03-21T05:40Z"}}"#, &o),
            "<d><a>2012-03-21T05:40:00Z</a></d>"
        );
        assert_eq!(
            conv(r#"{"d":{"a":"/Date(1234567890000)/"}}"#, &o),
            "<d><a>2009-02-13T23:31:30Z</a></d>"
        );
        assert_eq!(
            conv(r#"{"d":{"a":"2012-03-21T05:40:01.5+01:00"}}"#, &o),
            "<d><a>2012-03-21T05:40:01.5+01:00</a></d>"
        );
        assert_eq!(conv(r#"{"d":{"a":"2012-03-21"}}"#, &o), "<d><a>2012-03-21</a></d>");
        let verbatim = ToXml {
            parse_date: false,
            ..ToXml::default()
        };
        assert_eq!(
            conv(r#"{"d":{"a":"2012-03-21T05:40Z"}}"#, &verbatim),
            "<d><a>2012-03-21T05:40Z</a></d>"
        );
    }

    #[test]
    fn bounded_output_and_bad_input() {
        let big = format!("{{\"a\":[{}]}}", vec!["1"; 1000].join(","));
        assert!(matches!(
            json_to_xml(big.as_bytes(), &ToXml::default(), 100),
            Err(ConvertError::TooLarge(100))
        ));
        assert!(matches!(
            json_to_xml(b"{nope", &ToXml::default(), 100),
            Err(ConvertError::Json(_))
        ));
    }
}
