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
