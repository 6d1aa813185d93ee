//! Named values: `{{name}}` references in attribute values and text.
//!
//! Substitution happens on the parsed tree (never on XML text), so a value
//! containing `<`, `&` or quotes cannot change a document's structure. It is
//! single-pass: an inserted value is not scanned again, so values cannot
//! reference each other and cannot loop. A reference is `{{` + a name of
//! `A-Z a-z 0-9 . _ -` + `}}`; any other `{{…}}` (a C# collection
//! initializer) is left as written. Names match exactly. Inside a Liquid
//! template (`<set-body template="liquid">`) `{{body.name}}` is Liquid's
//! own markup: there a reference to a named value that does not exist is
//! left as written instead of being an error.
//!
//! Invariant: secret values never appear in `Debug` output or in errors;
//! [`NamedValues::redact`] removes them from messages that quote policy text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use super::node::{Element, Node};
use super::DocumentError;

#[derive(Clone, PartialEq, Eq)]
struct Value {
    value: String,
    secret: bool,
}

/// The named values a document may reference. `Debug` shows names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NamedValues {
    values: HashMap<String, Value>,
}

impl fmt::Debug for NamedValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.values.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("NamedValues").field("names", &names).finish()
    }
}

impl NamedValues {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a named value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>, secret: bool) {
        let value = value.into();
        self.values.insert(name.into(), Value { value, secret });
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|v| v.value.as_str())
    }

    pub fn is_secret(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|v| v.secret)
    }

    /// `text` with every secret value replaced by `{{name}}`, for messages
    /// that quote substituted policy text (e.g. an expression).
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        let mut secrets: Vec<(&String, &Value)> = self.values.iter().filter(|(_, v)| v.secret).collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by(|a, b| b.1.value.len().cmp(&a.1.value.len()).then(a.0.cmp(b.0)));
        for (name, v) in secrets {
            if !v.value.is_empty() && out.contains(&v.value) {
                out = Cow::Owned(out.replace(&v.value, &format!("{{{{{name}}}}}")));
            }
        }
        out
    }

    /// Substitutes references in `s`, which starts on `line` of `document`.
    #[cfg(test)]
    pub(crate) fn substitute<'a>(&self, document: &str, s: &'a str, line: u32) -> Result<Cow<'a, str>, DocumentError> {
        self.substitute_in(document, s, line, false)
    }

    /// [`Self::substitute`]; `liquid`: an unknown name is left as written.
    fn substitute_in<'a>(
        &self,
        document: &str,
        s: &'a str,
        line: u32,
        liquid: bool,
    ) -> Result<Cow<'a, str>, DocumentError> {
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut from = 0;
        while let Some(i) = s[from..].find("{{").map(|i| i + from) {
            let Some(len) = reference_name_len(&s[i + 2..]) else {
                from = i + 1;
                continue;
            };
            let name = &s[i + 2..i + 2 + len];
            let Some(v) = self.values.get(name) else {
                if liquid {
                    from = i + 2;
                    continue;
                }
                let newlines = s[..i].matches('\n').count();
                return Err(DocumentError::UnknownNamedValue {
                    document: document.to_owned(),
                    line: line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX)),
                    name: name.to_owned(),
                });
            };
            let buf = out.get_or_insert_with(String::new);
            buf.push_str(&s[copied..i]);
            buf.push_str(&v.value);
            copied = i + 2 + len + 2;
            from = copied;
        }
        Ok(match out {
            None => Cow::Borrowed(s),
            Some(mut buf) => {
                buf.push_str(&s[copied..]);
                Cow::Owned(buf)
            }
        })
    }

    /// Substitutes references in every attribute value and text of `el`.
    pub(crate) fn substitute_tree(&self, el: &mut Element) -> Result<(), DocumentError> {
        self.substitute_tree_in(el, false)
    }

    fn substitute_tree_in(&self, el: &mut Element, in_liquid: bool) -> Result<(), DocumentError> {
        let liquid = in_liquid
            || (el.name == "set-body"
                && el
                    .attr("template")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("liquid")));
        let document = el.origin.document.clone();
        for a in &mut el.attrs {
            if let Cow::Owned(v) = self.substitute_in(&document, &a.value, a.line, in_liquid)? {
                a.value = v;
            }
        }
        for c in &mut el.children {
            match c {
                Node::Element(e) => self.substitute_tree_in(e, liquid)?,
                Node::Text(t, line) => {
                    // `line` is where the first non-blank character is.
                    let lead = t.len() - t.trim_start().len();
                    let start = line.saturating_sub(u32::try_from(t[..lead].matches('\n').count()).unwrap_or(0));
                    if let Cow::Owned(v) = self.substitute_in(&document, t, start, liquid)? {
                        *t = v;
                    }
                }
            }
        }
        Ok(())
    }
}

impl NamedValues {
    /// Defines every `{{name}}` referenced in `text` and not yet defined
    /// as a placeholder whose value is the reference itself (`{{name}}`),
    /// for linting a document without its configuration.
    pub fn add_placeholders(&mut self, text: &str) {
        let mut rest = text;
        while let Some(i) = rest.find("{{") {
            rest = &rest[i + 2..];
            if let Some(len) = reference_name_len(rest) {
                let name = &rest[..len];
                if !self.values.contains_key(name) {
                    self.insert(name, format!("{{{{{name}}}}}"), false);
                }
            }
        }
    }
}

/// The first `{{name}}` reference left in `s`, if any (a placeholder of an
/// undefined named value when a document is linted).
pub fn first_reference(s: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = s[from..].find("{{").map(|i| i + from) {
        if let Some(len) = reference_name_len(&s[i + 2..]) {
            return Some(&s[i..i + 2 + len + 2]);
        }
        from = i + 1;
    }
    None
}

/// Length of a valid name at the start of `s` when followed by `}}`.
fn reference_name_len(s: &str) -> Option<usize> {
    let len = s
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        .count();
    (len > 0 && len <= 256 && s[len..].starts_with("}}")).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> NamedValues {
        let mut nv = NamedValues::new();
        nv.insert("host", "example.com", false);
        nv.insert("token", "s3cr<e>t&\"", true);
        nv
    }

    #[test]
    fn substitutes_known_names_once() {
        let nv = values();
        assert_eq!(
            nv.substitute("d", "https://{{host}}/x", 1).unwrap(),
            "https://example.com/x"
        );
        assert!(matches!(
            nv.substitute("d", "plain", 1).unwrap(),
            Cow::Borrowed("plain")
        ));
        assert_eq!(
            nv.substitute("d", "{{token}}{{host}}", 1).unwrap(),
            "s3cr<e>t&\"example.com"
        );
        // Not references: left as written.
        for s in [
            "{{}}",
            "{{a b}}",
            "new[] {{\"a\", \"b\"}}",
            "{{ host }}",
            "{{host}",
            "{{",
        ] {
            assert_eq!(nv.substitute("d", s, 1).unwrap(), s);
        }
        assert_eq!(nv.substitute("d", "{{{host}}}", 1).unwrap(), "{example.com}");
        let mut self_ref = NamedValues::new();
        self_ref.insert("a", "{{a}}", false);
        assert_eq!(self_ref.substitute("d", "{{a}}", 1).unwrap(), "{{a}}");
    }

    #[test]
    fn unknown_name_is_an_error_with_its_line() {
        let e = values().substitute("apis/x.xml", "a\nb {{nope}}", 7).unwrap_err();
        assert_eq!(
            e,
            DocumentError::UnknownNamedValue {
                document: "apis/x.xml".into(),
                line: 8,
                name: "nope".into()
            }
        );
        assert_eq!(e.to_string(), "apis/x.xml: line 8: named value {{nope}} is not defined");
    }

    #[test]
    fn liquid_templates_keep_unknown_references() {
        let doc = "<policies><inbound><set-body template=\"liquid\">{{body.a}} {{host}}<x v=\"{{body.b}}\">{{c}}</x></set-body><set-body>{{host}}</set-body></inbound></policies>";
        let tree = super::super::xml::parse_tree(&std::sync::Arc::from("d"), doc).unwrap();
        let mut section = match &tree.children[0] {
            Node::Element(e) => e.clone(),
            other => panic!("{other:?}"),
        };
        values().substitute_tree(&mut section).unwrap();
        let liquid = section.children_elements().next().unwrap();
        assert_eq!(liquid.children[0], Node::Text("{{body.a}} example.com".into(), 1));
        let x = liquid.children_elements().next().unwrap();
        assert_eq!(x.attrs[0].value, "{{body.b}}");
        let mut bad = section.clone();
        bad.children.push(Node::Element(Element {
            name: "set-body".into(),
            children: vec![Node::Text("{{nope}}".into(), 1)],
            ..Element::default()
        }));
        assert!(
            values().substitute_tree(&mut bad).is_err(),
            "outside Liquid an unknown name is an error"
        );
    }

    #[test]
    fn secrets_are_redacted_and_not_debug_printed() {
        let nv = values();
        let shown = format!("{nv:?}");
        assert!(shown.contains("token") && !shown.contains("s3cr"), "{shown}");
        assert_eq!(nv.redact("x s3cr<e>t&\" y example.com"), "x {{token}} y example.com");
    }
}
