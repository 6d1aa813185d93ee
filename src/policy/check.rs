//! `outpost check-policy`: lints one policy document on its own, without a
//! configuration. Parses it (raw or escaped form), compiles each section's
//! top-level policies separately so one bad policy does not hide the next,
//! and reports what would run, what is skipped and every error with the
//! document, line and (for expressions) the expression.
//!
//! Invariants: nothing here runs a policy; a `{{name}}` named value the
//! caller did not define is a placeholder whose value is the reference
//! itself, so documents lint without their named values; `<base/>` is
//! reported as inheriting the enclosing scope (there is none to compose).

use super::compile::{Compiler, Note, Section, TargetTable, Unsupported};
use super::document::{FragmentSource, NamedValues, PolicyLibrary, Scope, SectionKind};

/// How a document is linted.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// The scope the document is written for (`<base/>` is refused at global).
    pub scope: Scope,
    /// `--named-value name=value` pairs.
    pub named_values: Vec<(String, String)>,
    /// Unsupported policies: warnings (skip) or errors.
    pub unsupported: Unsupported,
    /// The section a `<fragment>` document is linted in; `None`: each of
    /// its policies in the first section that allows it (APIM includes a
    /// fragment wherever its policies are allowed).
    pub section: Option<Section>,
}

/// Whether the document's root element is `<fragment>` (after an XML
/// declaration and comments).
fn is_fragment(xml: &str) -> bool {
    let mut rest = xml.trim_start().trim_start_matches('\u{feff}');
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else {
            return rest.starts_with("<fragment")
                && rest[9..].starts_with(|c: char| c == '>' || c.is_whitespace() || c == '/');
        }
    }
}

/// What linting one document found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Policies that would run, and skipped ones (`skipped: true`).
    pub notes: Vec<Note>,
    /// One per skipped policy, `document:line: message`.
    pub warnings: Vec<String>,
    /// Parse and compile errors, `document:line: message`.
    pub errors: Vec<String>,
    /// Lines of `<base/>` elements, by section.
    pub bases: Vec<(Section, u32)>,
}

fn section_of(kind: SectionKind) -> Section {
    match kind {
        SectionKind::Inbound => Section::Inbound,
        SectionKind::Backend => Section::Backend,
        SectionKind::Outbound => Section::Outbound,
        SectionKind::OnError => Section::OnError,
    }
}

/// Lints `xml`, named `document` in messages.
pub fn check(document: &str, xml: &str, options: &CheckOptions) -> Report {
    let mut report = Report::default();
    let mut named = NamedValues::new();
    for (name, value) in &options.named_values {
        named.insert(name.clone(), value.clone(), false);
    }
    named.add_placeholders(xml);
    // A `<fragment>` document is linted as the policies of a document that
    // includes it in `options.section`, or in every section (errors keep
    // the fragment's lines).
    let fragment = is_fragment(xml).then_some(FragmentSource {
        id: "(this fragment)",
        document,
        xml,
    });
    let wrapper = fragment.map(|_| {
        let sections: Vec<&str> = match options.section {
            Some(s) => vec![s.name()],
            None => SectionKind::ALL.iter().map(|k| k.as_str()).collect(),
        };
        let body: String = sections
            .iter()
            .map(|s| format!("<{s}><include-fragment fragment-id=\"(this fragment)\" /></{s}>"))
            .collect();
        format!("<policies>{body}</policies>")
    });
    let xml = wrapper.as_deref().unwrap_or(xml);
    let library = match PolicyLibrary::new(named, fragment.as_slice()) {
        Ok(l) => l,
        Err(e) => {
            report.errors.push(e.to_string());
            return report;
        }
    };
    let parsed = match library.parse(document, options.scope, xml) {
        Ok(d) => d,
        Err(e) => {
            report
                .errors
                .push(format!("{}:{}: {}", e.document(), e.line(), strip_line(&e)));
            return report;
        }
    };
    if fragment.is_some() && options.section.is_none() {
        // Each policy of the fragment in the first section that takes it.
        let Some(elements) = parsed.section(SectionKind::Inbound) else {
            return report;
        };
        for (i, el) in elements.iter().enumerate() {
            let attempts: Vec<Report> = SectionKind::ALL
                .iter()
                .filter_map(|k| parsed.section(*k).and_then(|els| els.get(i)))
                .zip(SectionKind::ALL)
                .map(|(el, k)| lint_one(document, el, section_of(k), options))
                .collect();
            let chosen = attempts.iter().position(|r| r.errors.is_empty()).unwrap_or(0);
            if let Some(r) = attempts.into_iter().nth(chosen) {
                report.merge(r);
            } else {
                report.merge(lint_one(document, el, Section::Inbound, options));
            }
        }
        return report;
    }
    for kind in SectionKind::ALL {
        let Some(elements) = parsed.section(kind) else { continue };
        let section = section_of(kind);
        for el in elements {
            if el.name == "base" {
                report.bases.push((section, el.line));
                continue;
            }
            let one = lint_one(document, el, section, options);
            report.merge(one);
        }
    }
    report
}

/// Lints one top-level policy of a section.
fn lint_one(document: &str, el: &super::document::Element, section: Section, options: &CheckOptions) -> Report {
    let mut report = Report::default();
    let mut targets = TargetTable::default();
    let sink = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let compiler = Compiler::new(section, options.unsupported, &mut targets, document).linting(sink.clone());
    let result = compiler.program(std::slice::from_ref(el));
    let deferred = sink.borrow().len();
    report.errors.extend(sink.borrow().iter().map(ToString::to_string));
    match result {
        // A policy with a broken expression does not run.
        Ok((_, _, warnings)) if deferred > 0 => report.warnings.extend(warnings),
        Ok((_, notes, warnings)) => {
            report.notes.extend(notes);
            report.warnings.extend(warnings);
        }
        Err(e) => report.errors.push(e.to_string()),
    }
    report
}

/// The message of a document error without its `document: line N: ` prefix.
fn strip_line(e: &super::document::DocumentError) -> String {
    let m = e.located_message();
    let prefix = format!("line {}: ", e.line());
    m.strip_prefix(&prefix).map(str::to_owned).unwrap_or(m)
}

impl Report {
    fn merge(&mut self, other: Report) {
        self.notes.extend(other.notes);
        self.warnings.extend(other.warnings);
        self.errors.extend(other.errors);
        self.bases.extend(other.bases);
    }

    /// The human-readable report printed by `check-policy`.
    pub fn render(&self, document: &str) -> String {
        let mut out = String::new();
        for kind in SectionKind::ALL {
            let section = section_of(kind);
            let mut running: Vec<(u32, String)> = self
                .notes
                .iter()
                .filter(|n| n.section == section && !n.skipped)
                .map(|n| (n.line, format!("{} (line {})", n.element, n.line)))
                .chain(
                    self.bases
                        .iter()
                        .filter(|(s, _)| *s == section)
                        .map(|(_, l)| (*l, format!("base (line {l}: the enclosing scope's policies)"))),
                )
                .collect();
            running.sort_by_key(|(line, _)| *line);
            let running: Vec<String> = running.into_iter().map(|(_, s)| s).collect();
            if !running.is_empty() {
                out.push_str(&format!("{document}: {}: {}\n", section.name(), running.join(", ")));
            }
        }
        for n in self.notes.iter().filter(|n| n.skipped) {
            out.push_str(&format!(
                "{document}: skipped: {} (line {}, {})\n",
                n.element,
                n.line,
                n.section.name()
            ));
        }
        for w in &self.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
        for e in &self.errors {
            out.push_str(&format!("error: {e}\n"));
        }
        let ran = self.notes.iter().filter(|n| !n.skipped).count();
        let skipped = self.notes.len() - ran;
        if self.errors.is_empty() {
            out.push_str(&format!("{document}: OK ({ran} policies run, {skipped} skipped)\n"));
        } else {
            out.push_str(&format!("{document}: {} error(s)\n", self.errors.len()));
        }
        out
    }
}

/// Parses a `--section` value.
pub fn parse_section(s: &str) -> Option<Section> {
    [Section::Inbound, Section::Backend, Section::Outbound, Section::OnError]
        .into_iter()
        .find(|sc| sc.name() == s)
}

/// Parses a `--scope` value.
pub fn parse_scope(s: &str) -> Option<Scope> {
    [Scope::Global, Scope::Product, Scope::Api, Scope::Operation]
        .into_iter()
        .find(|sc| sc.as_str() == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip() -> CheckOptions {
        CheckOptions {
            scope: Scope::Operation,
            unsupported: Unsupported::Skip,
            ..Default::default()
        }
    }

    #[test]
    fn lists_running_and_skipped_and_keeps_going_after_an_error() {
        let xml = "<policies>\n<inbound>\n<base />\n<set-header name=\"A\"><value>{{v}}</value></set-header>\n<bogus-policy />\n<set-header name=\"B\"><value>@(context.Nope)</value></set-header>\n<set-header />\n</inbound>\n</policies>\n";
        let r = check("doc.xml", xml, &skip());
        let running: Vec<(&str, u32)> = r
            .notes
            .iter()
            .filter(|n| !n.skipped)
            .map(|n| (n.element.as_str(), n.line))
            .collect();
        assert_eq!(running, vec![("set-header", 4)]);
        assert_eq!(r.bases, vec![(Section::Inbound, 3)]);
        assert!(r
            .notes
            .iter()
            .any(|n| n.skipped && n.element == "bogus-policy" && n.line == 5));
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert!(r.errors[0].starts_with("doc.xml:6:"), "{:?}", r.errors);
        assert!(r.errors[0].contains("context.Nope"), "{:?}", r.errors);
        assert!(r.errors[1].starts_with("doc.xml:7:"), "missing name {:?}", r.errors);
    }

    #[test]
    fn every_expression_error_is_reported_and_fragments_lint() {
        let xml = "<policies>\n<inbound>\n<choose>\n<when condition=\"@(context.Nope)\">\n<set-header name=\"A\"><value>@(File.ReadAllText(\"x\"))</value></set-header>\n</when>\n</choose>\n</inbound>\n</policies>\n";
        let r = check("doc.xml", xml, &skip());
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert!(
            r.errors[0].starts_with("doc.xml:4:") && r.errors[0].contains("Nope"),
            "{:?}",
            r.errors
        );
        assert!(
            r.errors[1].starts_with("doc.xml:5:") && r.errors[1].contains("not allowed"),
            "{:?}",
            r.errors
        );
        let fragment = "<!-- shared -->\n<fragment>\n  <set-header name=\"X\"><value>@(context.Api.Nope)</value></set-header>\n</fragment>\n";
        let r = check("frag.xml", fragment, &skip());
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert!(r.errors[0].starts_with("frag.xml:3:"), "{:?}", r.errors);
        let ok = check(
            "frag.xml",
            "<fragment><set-header name=\"X\"><value>1</value></set-header></fragment>",
            &skip(),
        );
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
        assert_eq!(ok.notes.len(), 1);
    }

    #[test]
    fn unsupported_is_an_error_in_error_mode_and_named_values_are_used() {
        let xml = "<policies><inbound><bogus /></inbound></policies>";
        let r = check("d", xml, &CheckOptions::default());
        assert_eq!(r.errors.len(), 1);
        let xml = "<policies><inbound><set-status code=\"{{code}}\" /></inbound></policies>";
        let mut o = skip();
        let r = check("d", xml, &o);
        assert_eq!(r.errors.len(), 1, "placeholder is not a number: {r:?}");
        o.named_values.push(("code".into(), "200".into()));
        let r = check("d", xml, &o);
        assert!(r.errors.iter().all(|e| !e.contains("code")), "{r:?}");
    }

    #[test]
    fn named_values_inside_urls_are_checked_after_substitution() {
        let xml = "<policies>\n<inbound>\n<set-backend-service base-url=\"https://{{backend-host}}/api\" />\n<rewrite-uri template=\"/{{prefix}}/items\" />\n</inbound>\n</policies>";
        let r = check("d.xml", xml, &skip());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.notes.len(), 2, "both run: {r:?}");
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("{{backend-host}}") && w.starts_with("d.xml:3:")),
            "{:?}",
            r.warnings
        );
        let mut given = skip();
        given.named_values.push(("backend-host".into(), "bad host".into()));
        given.named_values.push(("prefix".into(), "v1".into()));
        let r = check("d.xml", xml, &given);
        assert_eq!(r.errors.len(), 1, "checked once substituted: {r:?}");
        assert!(r.errors[0].starts_with("d.xml:3:"), "{:?}", r.errors);
        given.named_values[0].1 = "example.com".into();
        assert!(check("d.xml", xml, &given).errors.is_empty());
    }

    #[test]
    fn a_fragment_lints_each_policy_where_it_is_allowed() {
        let frag = "<fragment>\n<set-header name=\"a\" exists-action=\"override\"><value>1</value></set-header>\n<forward-request />\n<trace source=\"x\">legacy</trace>\n</fragment>";
        let r = check("f.xml", frag, &skip());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let sections: Vec<(&str, Section)> = r.notes.iter().map(|n| (n.element.as_str(), n.section)).collect();
        assert_eq!(
            sections,
            vec![
                ("set-header", Section::Inbound),
                ("forward-request", Section::Backend),
                ("trace", Section::Inbound)
            ]
        );
        let only = CheckOptions {
            section: Some(Section::Inbound),
            ..skip()
        };
        let r = check("f.xml", frag, &only);
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert!(r.errors[0].starts_with("f.xml:3:"), "{:?}", r.errors);
    }

    #[test]
    fn syntax_errors_name_document_and_line() {
        let r = check("d.xml", "<policies>\n<inbound>\n</outbound>", &skip());
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].starts_with("d.xml:3:"), "{:?}", r.errors);
        assert!(r.render("d.xml").contains("1 error(s)"));
    }
}
