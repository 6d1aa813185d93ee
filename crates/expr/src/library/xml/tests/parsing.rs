//! Parsing: navigation of parsed trees, entities, white space,
//! documents, errors with .NET's messages, bounds.

use super::*;
use crate::library::xml::types::*;
use crate::library::xml::{parse, XmlKind};

#[test]
fn parse_and_navigate() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a><b>1</b><b>2</b><c x='y'/></a>");
    let b = ok(&mut rt, &a, "Element", &[s("b")]);
    assert_eq!(text(&get(&mut rt, &b, "Value")), "1");
    assert_eq!(items(&ok(&mut rt, &a, "Elements", &[s("b")])).len(), 2);
    assert_eq!(items(&ok(&mut rt, &a, "Elements", &[])).len(), 3);
    assert_eq!(items(&ok(&mut rt, &a, "Descendants", &[])).len(), 3);
    let c = ok(&mut rt, &a, "Element", &[s("c")]);
    let x = ok(&mut rt, &c, "Attribute", &[s("x")]);
    assert_eq!(text(&get(&mut rt, &x, "Value")), "y");
    assert!(ok(&mut rt, &a, "Element", &[s("zz")]).is_null());
    assert_eq!(text(&get(&mut rt, &a, "Value")), "12");
    assert!(matches!(get(&mut rt, &c, "IsEmpty"), Value::Bool(true)));
    assert!(matches!(get(&mut rt, &b, "IsEmpty"), Value::Bool(false)));
    assert!(matches!(get(&mut rt, &a, "HasElements"), Value::Bool(true)));
    assert_eq!(text(&get(&mut rt, &a, "NodeType")), "Element");
    let next = get(&mut rt, &b, "NextNode");
    assert_eq!(text(&get(&mut rt, &next, "Value")), "2");
    assert!(get(&mut rt, &a, "Parent").is_null());
}

#[test]
fn entities_and_escaping() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a t='&quot;&#9;x'>&lt;&amp;&#65;&#x42;&gt;</a>");
    assert_eq!(text(&get(&mut rt, &a, "Value")), "<&AB>");
    assert_eq!(tostring(&mut rt, &a), "<a t=\"&quot;&#x9;x\">&lt;&amp;AB&gt;</a>");
    let attr = new(&mut rt, &XATTRIBUTE, &[s("v"), s("a\"b<c>&\t\n'")]);
    assert_eq!(tostring(&mut rt, &attr), "v=\"a&quot;b&lt;c&gt;&amp;&#x9;&#xA;'\"");
    let crlf = new(&mut rt, &XELEMENT, &[s("a"), s("x\r\ny\rz")]);
    assert_eq!(tostring(&mut rt, &crlf), "<a>x\ny\nz</a>");
    let bad = new(&mut rt, &XELEMENT, &[s("a"), s("\u{1}")]);
    let err = call(&mut rt, &bad, "ToString", &[]).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Argument);
    // Attribute white space is normalized when parsing, not char refs.
    let n = el(&mut rt, "<a v='x\ty\nz&#10;'/>");
    let v = ok(&mut rt, &n, "Attribute", &[s("v")]);
    assert_eq!(text(&get(&mut rt, &v, "Value")), "x y z\n");
    // Line ends are normalized in text.
    let t = el(&mut rt, "<a>x\r\ny</a>");
    assert_eq!(text(&get(&mut rt, &t, "Value")), "x\ny");
}

#[test]
fn parse_errors() {
    let mut rt = TestRt::new();
    let m = xml_error(parse(&mut rt, "<a>", XmlKind::Element));
    assert_eq!(
        m,
        "Unexpected end of file has occurred. The following elements are not closed: a. Line 1, position 4."
    );
    let m = xml_error(parse(&mut rt, "<a>\n<b></c></a>", XmlKind::Element));
    assert_eq!(
        m,
        "The 'b' start tag on line 2 position 2 does not match the end tag of 'c'. Line 2, position 6."
    );
    assert_eq!(
        xml_error(parse(&mut rt, "", XmlKind::Document)),
        "Root element is missing."
    );
    let m = xml_error(parse(&mut rt, "<a/><b/>", XmlKind::Document));
    assert_eq!(m, "There are multiple root elements. Line 1, position 6.");
    let m = xml_error(parse(&mut rt, "abc", XmlKind::Document));
    assert_eq!(m, "Data at the root level is invalid. Line 1, position 1.");
    let m = xml_error(parse(&mut rt, "<a>&nbsp;</a>", XmlKind::Document));
    assert_eq!(m, "Reference to undeclared entity 'nbsp'. Line 1, position 5.");
    let m = xml_error(parse(&mut rt, "<p:a/>", XmlKind::Document));
    assert_eq!(m, "'p' is an undeclared prefix. Line 1, position 2.");
    let m = xml_error(parse(&mut rt, "<a x='1' x='2'/>", XmlKind::Document));
    assert!(m.starts_with("'x' is a duplicate attribute name."), "{m}");
    let m = xml_error(parse(
        &mut rt,
        "<!DOCTYPE a [<!ENTITY x 'yyyy'>]><a>&x;</a>",
        XmlKind::Document,
    ));
    assert!(m.starts_with("For security reasons DTD is prohibited"), "{m}");
    let m = xml_error(parse(
        &mut rt,
        "<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>",
        XmlKind::Document,
    ));
    assert!(m.starts_with("For security reasons DTD is prohibited"), "{m}");
    let m = xml_error(parse(&mut rt, " <?xml version='1.0'?><a/>", XmlKind::Document));
    assert!(m.starts_with("Unexpected XML declaration."), "{m}");
    let m = xml_error(parse(&mut rt, "<1a/>", XmlKind::Document));
    assert_eq!(
        m,
        "Name cannot begin with the '1' character, hexadecimal value 0x31. Line 1, position 2."
    );
    let m = xml_error(parse(&mut rt, "<a><!-- x -- y --></a>", XmlKind::Document));
    assert!(m.starts_with("An XML comment cannot contain '--'"), "{m}");
    xml_error(parse(&mut rt, "<a>&#0;</a>", XmlKind::Document));
    xml_error(parse(&mut rt, "<a b='<'/>", XmlKind::Document));
    xml_error(parse(&mut rt, "<a>\u{1}</a>", XmlKind::Document));
    xml_error(parse(&mut rt, "<a></a>x", XmlKind::Document));
    xml_error(parse(&mut rt, "</a>", XmlKind::Document));
    xml_error(parse(&mut rt, "<a b=1/>", XmlKind::Document));
    xml_error(parse(&mut rt, "<a", XmlKind::Document));
}

#[test]
fn depth_and_budget_are_bounded() {
    let mut rt = TestRt::new();
    let deep = "<a>".repeat(300) + &"</a>".repeat(300);
    let m = xml_error(parse(&mut rt, &deep, XmlKind::Element));
    assert!(m.contains("maximum nesting depth"), "{m}");
    let ok_depth = "<a>".repeat(200) + &"</a>".repeat(200);
    assert!(parse(&mut rt, &ok_depth, XmlKind::Element).is_ok());
    let mut small = TestRt::new();
    small.max_steps = 50;
    let many = "<a>".to_owned() + &"<b/>".repeat(100) + "</a>";
    let e = parse(&mut small, &many, XmlKind::Element).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Budget);
}

#[test]
fn white_space_handling() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a>\n  <b> x </b>\n  <c/>\n</a>");
    assert_eq!(items(&ok(&mut rt, &a, "Nodes", &[])).len(), 2);
    let b = ok(&mut rt, &a, "Element", &[s("b")]);
    assert_eq!(text(&get(&mut rt, &b, "Value")), " x ");
    let p = crate::library::xml::parse_text(&mut rt, "<a>\n  <b/>\n</a>", XmlKind::Element, true).unwrap();
    assert_eq!(items(&ok(&mut rt, &p, "Nodes", &[])).len(), 3);
    assert_eq!(tostring(&mut rt, &p), "<a>\n  <b />\n</a>");
    let sp = el(&mut rt, "<a xml:space='preserve'> <b/> </a>");
    assert_eq!(items(&ok(&mut rt, &sp, "Nodes", &[])).len(), 3);
}

#[test]
fn documents() {
    let mut rt = TestRt::new();
    let d = doc(&mut rt, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!--c--><a/>");
    assert_eq!(tostring(&mut rt, &d), "<!--c-->\n<a />");
    let decl = get(&mut rt, &d, "Declaration");
    assert_eq!(text(&get(&mut rt, &decl, "Encoding")), "utf-8");
    assert_eq!(text(&decl), "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let root = get(&mut rt, &d, "Root");
    assert!(get(&mut rt, &root, "Parent").is_null());
    assert!(crate::library::equals(&get(&mut rt, &root, "Document"), &d));
    // XElement.Parse drops what is around the root.
    let e = el(&mut rt, "<!--c--><a/><?pi x?>");
    assert!(get(&mut rt, &e, "Document").is_null());
    assert_eq!(tostring(&mut rt, &e), "<a />");
    let dt = doc(&mut rt, "<!DOCTYPE html><html/>");
    assert_eq!(tostring(&mut rt, &dt), "<!DOCTYPE html []>\n<html />");
}

/// A xorshift generator (deterministic tests).
fn rng(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// Parses `text`; if it parses, checks that it serializes and parses
/// back to an equal tree. Whether it parsed.
fn round_trip(text: &str) -> bool {
    let mut rt = TestRt::new();
    let Ok(v) = parse(&mut rt, text, XmlKind::Document) else {
        return false;
    };
    let flat = ok(&mut rt, &v, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)]);
    let again = parse(&mut rt, &text_of(&flat), XmlKind::Document);
    let again = again.unwrap_or_else(|e| panic!("{text:?} wrote {flat:?}, which does not parse: {e}"));
    let eq = call_static(&mut rt, &XNODE, "DeepEquals", &[], &[v, again])
        .unwrap()
        .unwrap();
    assert!(
        matches!(eq, Value::Bool(true)),
        "{text:?} did not round-trip through {flat:?}"
    );
    true
}

/// Random XML-ish text never panics the parser; whatever parses
/// serializes and parses back to an equal tree.
#[test]
fn random_input_never_panics_and_round_trips() {
    const ALPHABET: &[&str] = &[
        "<",
        ">",
        "/",
        "a",
        "b",
        "p:",
        ":",
        "=",
        "'",
        "\"",
        "&",
        ";",
        "#",
        "x",
        "!",
        "-",
        "[",
        "]",
        "?",
        " ",
        "\n",
        "\r",
        "é",
        "\u{1}",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "&amp;",
        "&#65;",
        "xmlns",
        "xmlns:p='u'",
        "<?xml",
        "<!DOCTYPE",
        "<a>",
        "</a>",
        "<b/>",
        "t",
    ];
    let mut next = rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..20_000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        round_trip(&text);
    }
}

/// Random well-formed documents (names, namespaces, attributes, text,
/// entities, CDATA, comments, PIs), some with one character dropped.
#[test]
fn random_documents_round_trip() {
    let mut next = rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..3_000 {
        let mut out = String::new();
        let mut open: Vec<String> = Vec::new();
        let names = ["a", "b", "p:c", "q:d", "e"];
        let steps = 1 + next() % 30;
        out.push_str("<r xmlns:p='urn:p'>");
        for _ in 0..steps {
            match next() % 9 {
                0 | 1 => {
                    let n = names[(next() % names.len() as u64) as usize];
                    let decl = if n.starts_with("q:") { " xmlns:q='urn:q'" } else { "" };
                    let attr = match next() % 4 {
                        0 => " x='1'",
                        1 => " p:y=\"a&amp;b&#9;\"",
                        2 => " xmlns='urn:d'",
                        _ => "",
                    };
                    out.push_str(&format!("<{n}{decl}{attr}>"));
                    open.push(n.to_owned());
                }
                2 => {
                    if let Some(n) = open.pop() {
                        out.push_str(&format!("</{n}>"));
                    }
                }
                3 => out.push_str("text &lt; &#x3E; "),
                4 => out.push_str("<![CDATA[c<]]>"),
                5 => out.push_str("<!-- c -->"),
                6 => out.push_str("<?pi d?>"),
                7 => out.push_str("<e/>"),
                _ => out.push_str("\n  "),
            }
        }
        while let Some(n) = open.pop() {
            out.push_str(&format!("</{n}>"));
        }
        out.push_str("</r>");
        if next().is_multiple_of(4) && !out.is_empty() {
            let at = (next() % out.len() as u64) as usize;
            if out.is_char_boundary(at) && out.is_char_boundary(at + 1) {
                out.remove(at);
            }
        }
        if round_trip(&out) {
            parsed += 1;
        }
    }
    assert!(parsed > 2_000, "only {parsed} documents parsed");
}

fn text_of(v: &Value<'_>) -> String {
    crate::library::to_text_plain(v)
}
