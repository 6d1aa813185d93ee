//! Unit tests of the XML family through [`TestRt`]: expected outputs are
//! .NET's (written from its sources and documentation where noted; not
//! run against .NET here).

use crate::error::{EvalErrorKind, EvalResult};
use crate::library::{call_member, call_static, construct, convert, get_member, set_member, to_text_plain};
use crate::testing::TestRt;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

use super::name::{name_value, namespace_value, Name};
use super::types::*;
use super::{extension_call, parse, XmlKind};

fn s(x: &str) -> Value<'static> {
    Value::string(x)
}

fn el(rt: &mut TestRt, xml: &str) -> Value<'static> {
    parse(rt, xml, XmlKind::Element).expect("parses")
}

fn doc(rt: &mut TestRt, xml: &str) -> Value<'static> {
    parse(rt, xml, XmlKind::Document).expect("parses")
}

fn call(rt: &mut TestRt, v: &Value<'static>, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    call_member(rt, v.clone(), name, &[], args).expect("member exists")
}

fn ok(rt: &mut TestRt, v: &Value<'static>, name: &str, args: &[Value<'static>]) -> Value<'static> {
    call(rt, v, name, args).expect("call succeeds")
}

fn get(rt: &mut TestRt, v: &Value<'static>, name: &str) -> Value<'static> {
    get_member(rt, v.clone(), name)
        .expect("property exists")
        .expect("get succeeds")
}

fn new(rt: &mut TestRt, ty: &'static TypeDef, args: &[Value<'static>]) -> Value<'static> {
    construct(rt, &TypeRef::of(ty), args).expect("constructs")
}

fn text(v: &Value<'_>) -> String {
    to_text_plain(v)
}

fn tostring(rt: &mut TestRt, v: &Value<'static>) -> String {
    text(&ok(rt, v, "ToString", &[]))
}

fn items(v: &Value<'static>) -> Vec<Value<'static>> {
    match v {
        Value::Obj(o) => o.items().expect("enumerable"),
        _ => panic!("not an object"),
    }
}

fn xml_error(r: EvalResult<Value<'static>>) -> String {
    match r {
        Err(e) => {
            assert_eq!(e.kind, EvalErrorKind::Other("XmlException"), "{e}");
            e.message
        }
        Ok(v) => panic!("expected an XmlException, got {v:?}"),
    }
}

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
fn to_string_indents_like_dotnet() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a><b>1</b><c/><d></d></a>");
    assert_eq!(tostring(&mut rt, &a), "<a>\n  <b>1</b>\n  <c />\n  <d></d>\n</a>");
    let flat = ok(&mut rt, &a, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)]);
    assert_eq!(text(&flat), "<a><b>1</b><c /><d></d></a>");
    // Mixed content is not indented; elements before the text are.
    let m = el(&mut rt, "<a><b><c/></b>text<d/></a>");
    assert_eq!(tostring(&mut rt, &m), "<a>\n  <b>\n    <c />\n  </b>text<d /></a>");
    let comment = el(&mut rt, "<a><!--c--><b/></a>");
    assert_eq!(tostring(&mut rt, &comment), "<a>\n  <!--c-->\n  <b />\n</a>");
    let cdata = el(&mut rt, "<a><![CDATA[x<y]]><!--c--></a>");
    assert_eq!(tostring(&mut rt, &cdata), "<a><![CDATA[x<y]]><!--c--></a>");
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
fn namespaces_round_trip() {
    let mut rt = TestRt::new();
    let d = doc(&mut rt, "<r xmlns='urn:a' xmlns:p='urn:p'><p:x p:y='1'>t</p:x><z/></r>");
    let root = get(&mut rt, &d, "Root");
    let name = get(&mut rt, &root, "Name");
    assert_eq!(text(&get(&mut rt, &name, "NamespaceName")), "urn:a");
    assert_eq!(text(&get(&mut rt, &name, "LocalName")), "r");
    assert_eq!(text(&name), "{urn:a}r");
    assert_eq!(
        tostring(&mut rt, &d),
        "<r xmlns=\"urn:a\" xmlns:p=\"urn:p\">\n  <p:x p:y=\"1\">t</p:x>\n  <z />\n</r>"
    );
    let x = ok(&mut rt, &root, "Element", &[s("{urn:p}x")]);
    assert_eq!(tostring(&mut rt, &x), "<p:x p:y=\"1\" xmlns:p=\"urn:p\">t</p:x>");
    let z = ok(&mut rt, &root, "Element", &[s("{urn:a}z")]);
    assert_eq!(tostring(&mut rt, &z), "<z xmlns=\"urn:a\" />");
    assert!(ok(&mut rt, &root, "Element", &[s("z")]).is_null());
    let p = ok(&mut rt, &x, "GetPrefixOfNamespace", &[s("urn:p")]);
    assert_eq!(text(&p), "p");
    let dns = ok(&mut rt, &x, "GetDefaultNamespace", &[]);
    assert_eq!(text(&dns), "urn:a");
    let pns = ok(&mut rt, &x, "GetNamespaceOfPrefix", &[s("p")]);
    assert_eq!(text(&pns), "urn:p");
    let y = ok(&mut rt, &x, "Attribute", &[s("{urn:p}y")]);
    assert_eq!(text(&get(&mut rt, &y, "Value")), "1");
    let decl = ok(&mut rt, &root, "Attribute", &[s("{http://www.w3.org/2000/xmlns/}p")]);
    assert!(matches!(
        get(&mut rt, &decl, "IsNamespaceDeclaration"),
        Value::Bool(true)
    ));
}

#[test]
fn building_with_namespaces() {
    let mut rt = TestRt::new();
    let ns = namespace_value("urn:x");
    let an = call_member(&mut rt, ns.clone(), "op_Addition", &[], &[s("a")])
        .unwrap()
        .unwrap();
    let bn = call_member(&mut rt, ns.clone(), "op_Addition", &[], &[s("b")])
        .unwrap()
        .unwrap();
    let b = new(&mut rt, &XELEMENT, &[bn]);
    let a = new(&mut rt, &XELEMENT, &[an, b]);
    assert_eq!(tostring(&mut rt, &a), "<a xmlns=\"urn:x\">\n  <b />\n</a>");
    let un = name_value(&Name::new("urn:u", "x"));
    let attr = new(&mut rt, &XATTRIBUTE, &[un, Value::Int(1)]);
    let e = new(&mut rt, &XELEMENT, &[s("a"), attr]);
    assert_eq!(tostring(&mut rt, &e), "<a p1:x=\"1\" xmlns:p1=\"urn:u\" />");
    let declared = el(&mut rt, "<a xmlns:q='urn:u'/>");
    let attr = new(&mut rt, &XATTRIBUTE, &[name_value(&Name::new("urn:u", "x")), s("v")]);
    ok(&mut rt, &declared, "Add", &[attr]);
    assert_eq!(tostring(&mut rt, &declared), "<a xmlns:q=\"urn:u\" q:x=\"v\" />");
}

#[test]
fn building_content() {
    let mut rt = TestRt::new();
    let id = new(&mut rt, &XATTRIBUTE, &[s("id"), Value::Int(5)]);
    let child = new(&mut rt, &XELEMENT, &[s("child"), s("text")]);
    let root = new(&mut rt, &XELEMENT, &[s("root"), id, child, s("tail")]);
    assert_eq!(
        tostring(&mut rt, &root),
        "<root id=\"5\">\n  <child>text</child>tail</root>"
    );
    // Strings join into one text node.
    let j = new(
        &mut rt,
        &XELEMENT,
        &[s("a"), s("x"), Value::Int(1), Value::Bool(true), Value::Double(1.5)],
    );
    assert_eq!(tostring(&mut rt, &j), "<a>x1true1.5</a>");
    assert_eq!(items(&ok(&mut rt, &j, "Nodes", &[])).len(), 1);
    // Enumerables are flattened.
    let list = crate::library::collections::Array::of(
        TypeRef::of(&XELEMENT),
        vec![new(&mut rt, &XELEMENT, &[s("i")]), new(&mut rt, &XELEMENT, &[s("j")])],
    );
    let l = new(&mut rt, &XELEMENT, &[s("l"), list]);
    assert_eq!(items(&ok(&mut rt, &l, "Elements", &[])).len(), 2);
    // Empty string content: <a></a>; no content: <a />.
    let e1 = new(&mut rt, &XELEMENT, &[s("a"), s("")]);
    assert_eq!(tostring(&mut rt, &e1), "<a></a>");
    let e2 = new(&mut rt, &XELEMENT, &[s("a")]);
    assert_eq!(tostring(&mut rt, &e2), "<a />");
    // A document with a declaration: ToString omits it.
    let decl = new(&mut rt, &XDECLARATION, &[s("1.0"), s("utf-8"), Value::Null]);
    let d = new(&mut rt, &XDOCUMENT, &[decl.clone(), e2.clone()]);
    assert_eq!(tostring(&mut rt, &d), "<a />");
    assert_eq!(
        text(&get(&mut rt, &d, "Declaration")),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    );
    // Non-whitespace text cannot go into a document.
    let err = call(&mut rt, &d, "Add", &[s("x")]).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Argument);
    // A second root neither.
    let other = new(&mut rt, &XELEMENT, &[s("b")]);
    let err = call(&mut rt, &d, "Add", &[other]).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::InvalidOperation);
}

#[test]
fn adding_a_parented_node_clones_it() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a><b/></a>");
    let b = ok(&mut rt, &a, "Element", &[s("b")]);
    let c = new(&mut rt, &XELEMENT, &[s("c"), b.clone()]);
    // b stays in a; c holds a copy.
    assert!(!get(&mut rt, &b, "Parent").is_null());
    let copy = ok(&mut rt, &c, "Element", &[s("b")]);
    assert!(!crate::library::equals(&copy, &b));
    // Adding a tree's own root adds a copy.
    ok(&mut rt, &a, "Add", std::slice::from_ref(&a));
    assert_eq!(tostring(&mut rt, &a), "<a>\n  <b />\n  <a>\n    <b />\n  </a>\n</a>");
}

#[test]
fn changing_content() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a><b>1</b><c/></a>");
    let b = ok(&mut rt, &a, "Element", &[s("b")]);
    let arg = new(&mut rt, &XELEMENT, &[s("x")]);
    ok(&mut rt, &b, "AddAfterSelf", &[arg]);
    ok(&mut rt, &b, "AddBeforeSelf", &[s("t")]);
    let arg = new(&mut rt, &XELEMENT, &[s("first")]);
    ok(&mut rt, &a, "AddFirst", &[arg]);
    assert_eq!(tostring(&mut rt, &a), "<a>\n  <first />t<b>1</b><x /><c /></a>");
    let arg = new(&mut rt, &XELEMENT, &[s("r"), s("2")]);
    ok(&mut rt, &b, "ReplaceWith", &[arg]);
    assert!(get(&mut rt, &b, "Parent").is_null());
    ok(&mut rt, &a, "SetAttributeValue", &[s("k"), s("v")]);
    ok(&mut rt, &a, "SetAttributeValue", &[s("k"), s("w")]);
    ok(&mut rt, &a, "SetElementValue", &[s("c"), Value::Int(3)]);
    let flat = ok(&mut rt, &a, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)]);
    assert_eq!(text(&flat), "<a k=\"w\"><first />t<r>2</r><x /><c>3</c></a>");
    ok(&mut rt, &a, "SetAttributeValue", &[s("k"), Value::Null]);
    ok(&mut rt, &a, "SetElementValue", &[s("x"), Value::Null]);
    let t = ok(&mut rt, &a, "Element", &[s("first")]);
    ok(&mut rt, &t, "Remove", &[]);
    let flat = ok(&mut rt, &a, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)]);
    assert_eq!(text(&flat), "<a>t<r>2</r><c>3</c></a>");
    set_member(&mut rt, &a, "Value", s("v")).unwrap().unwrap();
    assert_eq!(tostring(&mut rt, &a), "<a>v</a>");
    ok(&mut rt, &a, "RemoveNodes", &[]);
    assert_eq!(tostring(&mut rt, &a), "<a />");
    ok(&mut rt, &a, "SetValue", &[Value::Int(0)]);
    let arg = new(&mut rt, &XATTRIBUTE, &[s("z"), s("1")]);
    ok(&mut rt, &a, "ReplaceAll", &[arg]);
    assert_eq!(tostring(&mut rt, &a), "<a z=\"1\" />");
    let err = call(&mut rt, &b, "Remove", &[]).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::InvalidOperation);
    let arg = new(&mut rt, &XATTRIBUTE, &[s("z"), s("2")]);
    let dup = call(&mut rt, &a, "Add", &[arg]).unwrap_err();
    assert_eq!(dup.kind, EvalErrorKind::InvalidOperation);
    // Removing the only child leaves <a />.
    let one = el(&mut rt, "<a><b/></a>");
    let b = ok(&mut rt, &one, "Element", &[s("b")]);
    ok(&mut rt, &b, "Remove", &[]);
    assert_eq!(tostring(&mut rt, &one), "<a />");
}

#[test]
fn handles_keep_the_tree_alive() {
    let mut rt = TestRt::new();
    let c = {
        let d = doc(&mut rt, "<a><b><c>x</c></b></a>");
        let all = ok(&mut rt, &d, "Descendants", &[s("c")]);
        items(&all).remove(0)
    };
    let b = get(&mut rt, &c, "Parent");
    let a = get(&mut rt, &b, "Parent");
    let an = get(&mut rt, &a, "Name");
    assert_eq!(text(&get(&mut rt, &an, "LocalName")), "a");
    assert!(!get(&mut rt, &c, "Document").is_null());
    // A removed subtree is kept by its own handles.
    let inner = {
        let a = el(&mut rt, "<a><b><c/></b></a>");
        let b = ok(&mut rt, &a, "Element", &[s("b")]);
        let c = ok(&mut rt, &b, "Element", &[s("c")]);
        ok(&mut rt, &b, "Remove", &[]);
        c
    };
    let parent = get(&mut rt, &inner, "Parent");
    assert_eq!(tostring(&mut rt, &parent), "<b>\n  <c />\n</b>");
    // A root attached into another tree keeps that tree alive.
    let c = {
        let r = el(&mut rt, "<r><c/></r>");
        let c = ok(&mut rt, &r, "Element", &[s("c")]);
        let top = new(&mut rt, &XELEMENT, &[s("top"), r.clone()]);
        let _outer = new(&mut rt, &XELEMENT, &[s("outer"), top]);
        c
    };
    let r = get(&mut rt, &c, "Parent");
    let top = get(&mut rt, &r, "Parent");
    let outer = get(&mut rt, &top, "Parent");
    assert_eq!(
        text(&ok(&mut rt, &outer, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)])),
        "<outer><top><r><c /></r></top></outer>"
    );
    // Detached, then attached elsewhere.
    ok(&mut rt, &r, "Remove", &[]);
    assert!(get(&mut rt, &top, "FirstNode").is_null());
    let other = new(&mut rt, &XELEMENT, &[s("other"), r.clone()]);
    drop((other, top, outer, r));
    let r = get(&mut rt, &c, "Parent");
    let other = get(&mut rt, &r, "Parent");
    assert_eq!(
        text(&ok(&mut rt, &other, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)])),
        "<other><r><c /></r></other>"
    );
    // The same node gives the same object.
    let x = el(&mut rt, "<a><b/></a>");
    let b1 = ok(&mut rt, &x, "Element", &[s("b")]);
    let b2 = get(&mut rt, &x, "FirstNode");
    assert!(crate::library::equals(&b1, &b2));
}

#[test]
fn white_space_handling() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a>\n  <b> x </b>\n  <c/>\n</a>");
    assert_eq!(items(&ok(&mut rt, &a, "Nodes", &[])).len(), 2);
    let b = ok(&mut rt, &a, "Element", &[s("b")]);
    assert_eq!(text(&get(&mut rt, &b, "Value")), " x ");
    let p = super::parse_text(&mut rt, "<a>\n  <b/>\n</a>", XmlKind::Element, true).unwrap();
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
fn deep_trees_built_by_code_do_not_overflow() {
    let mut rt = TestRt::new();
    let mut cur = new(&mut rt, &XELEMENT, &[s("leaf")]);
    for _ in 0..20_000 {
        cur = new(&mut rt, &XELEMENT, &[s("n"), cur]);
    }
    let out = ok(&mut rt, &cur, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)]);
    let out = text(&out);
    assert!(out.starts_with("<n><n>") && out.contains("<n><leaf /></n>") && out.ends_with("</n></n>"));
    let copy = new(&mut rt, &XELEMENT, std::slice::from_ref(&cur));
    let eq = call_static(&mut rt, &XNODE, "DeepEquals", &[], &[cur.clone(), copy])
        .unwrap()
        .unwrap();
    assert!(matches!(eq, Value::Bool(true)));
    drop(cur);
}

#[test]
fn conversions() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a n=' 42 ' b='True' d='1.5e3' t='2024-01-02T03:04:05Z'><g>0f8fad5b-d9cb-469f-a165-70867728950e</g><x>-7</x></a>");
    let cv = |rt: &mut TestRt, v: &Value<'static>, ty: &'static TypeDef| {
        convert(rt, v.clone(), &TypeRef::of(ty), true, false)
    };
    let n = ok(&mut rt, &a, "Attribute", &[s("n")]);
    assert!(matches!(
        cv(&mut rt, &n, &crate::library::numbers::INT32),
        Ok(Value::Int(42))
    ));
    let b = ok(&mut rt, &a, "Attribute", &[s("b")]);
    assert!(matches!(
        cv(&mut rt, &b, &crate::library::numbers::BOOLEAN),
        Ok(Value::Bool(true))
    ));
    let d = ok(&mut rt, &a, "Attribute", &[s("d")]);
    assert!(matches!(cv(&mut rt, &d, &crate::library::numbers::DOUBLE), Ok(Value::Double(v)) if v == 1500.0));
    let x = ok(&mut rt, &a, "Element", &[s("x")]);
    assert!(matches!(
        cv(&mut rt, &x, &crate::library::numbers::INT64),
        Ok(Value::Long(-7))
    ));
    let err = cv(&mut rt, &x, &crate::library::numbers::UINT32).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Overflow);
    let err = cv(&mut rt, &b, &crate::library::numbers::INT32).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Format);
    let g = ok(&mut rt, &a, "Element", &[s("g")]);
    assert!(matches!(
        cv(&mut rt, &g, &crate::library::numbers::GUID),
        Ok(Value::Guid(0x0f8fad5b_d9cb_469f_a165_70867728950e))
    ));
    let t = ok(&mut rt, &a, "Attribute", &[s("t")]);
    let Ok(Value::DateTime(dt)) = cv(&mut rt, &t, &crate::library::time::DATETIME) else {
        panic!()
    };
    assert_eq!(dt.unix_seconds(), 1_704_164_645);
    let sv = cv(&mut rt, &a, &crate::library::text::STRING).unwrap();
    assert_eq!(text(&sv), "0f8fad5b-d9cb-469f-a165-70867728950e-7");
    // Nullable: a null element converts to null.
    let missing = ok(&mut rt, &a, "Element", &[s("none")]);
    let nullable = TypeRef::Nullable(Box::new(TypeRef::of(&crate::library::numbers::INT32)));
    assert!(convert(&mut rt, missing, &nullable, true, false).unwrap().is_null());
    assert_eq!(
        super::convert::timespan_to_string(crate::library::time::TimeSpan { ticks: 0 }),
        "PT0S"
    );
    let ts = super::convert::to_timespan("P1DT2H3M4.5S").unwrap();
    assert_eq!(super::convert::timespan_to_string(ts), "P1DT2H3M4.5S");
    // XName and XNamespace from strings.
    let xn = convert(&mut rt, s("{urn:a}b"), &TypeRef::of(&XNAME), false, false).unwrap();
    assert_eq!(text(&xn), "{urn:a}b");
    let bad = convert(&mut rt, s("a b"), &TypeRef::of(&XNAME), false, false).unwrap_err();
    assert_eq!(bad.kind, EvalErrorKind::Other("XmlException"));
}

#[test]
fn names_and_operators() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a xmlns='urn:x'/>");
    let name = get(&mut rt, &a, "Name");
    let eq = |rt: &mut TestRt, l: Value<'static>, r: Value<'static>| {
        call_member(rt, l, "op_Equality", &[], &[r]).unwrap().unwrap()
    };
    assert!(matches!(eq(&mut rt, name.clone(), s("{urn:x}a")), Value::Bool(true)));
    assert!(matches!(eq(&mut rt, name.clone(), s("a")), Value::Bool(false)));
    let flipped = extension_call(&mut rt, &s("{urn:x}a"), "op_Equality", &[], std::slice::from_ref(&name))
        .unwrap()
        .unwrap();
    assert!(matches!(flipped, Value::Bool(true)));
    let ns = get(&mut rt, &name, "Namespace");
    assert!(matches!(eq(&mut rt, ns.clone(), s("urn:x")), Value::Bool(true)));
    assert!(crate::library::equals(&ns, &namespace_value("urn:x")));
    let none = crate::library::get_static(&mut rt, &XNAMESPACE, "None")
        .unwrap()
        .unwrap();
    assert_eq!(text(&none), "");
    let got = call_static(&mut rt, &XNAME, "Get", &[], &[s("b"), s("urn:y")])
        .unwrap()
        .unwrap();
    assert_eq!(text(&got), "{urn:y}b");
    let err = call_static(&mut rt, &XNAME, "Get", &[], &[s("")]).unwrap().unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Argument);
}

#[test]
fn order_and_equality() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a><b><c/></b><d/></a>");
    let c = ok(&mut rt, &a, "Descendants", &[s("c")]);
    let c = items(&c).remove(0);
    let d = ok(&mut rt, &a, "Element", &[s("d")]);
    let cmp = call_static(&mut rt, &XNODE, "CompareDocumentOrder", &[], &[d.clone(), c.clone()])
        .unwrap()
        .unwrap();
    assert!(matches!(cmp, Value::Int(1)));
    assert!(matches!(
        ok(&mut rt, &c, "IsBefore", std::slice::from_ref(&d)),
        Value::Bool(true)
    ));
    let other = el(&mut rt, "<x/>");
    let err = call_static(&mut rt, &XNODE, "CompareDocumentOrder", &[], &[d.clone(), other])
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::InvalidOperation);
    let same = el(&mut rt, "<a><b><c/></b><d/></a>");
    let eq = call_static(&mut rt, &XNODE, "DeepEquals", &[], &[a.clone(), same])
        .unwrap()
        .unwrap();
    assert!(matches!(eq, Value::Bool(true)));
    let diff = el(&mut rt, "<a><b><c></c></b><d/></a>");
    let eq = call_static(&mut rt, &XNODE, "DeepEquals", &[], &[a.clone(), diff])
        .unwrap()
        .unwrap();
    assert!(matches!(eq, Value::Bool(false)));
    let cmp = crate::library::get_static(&mut rt, &XNODE, "EqualityComparer")
        .unwrap()
        .unwrap();
    let h1 = ok(&mut rt, &cmp, "GetHashCode", std::slice::from_ref(&a));
    let copy = new(&mut rt, &XELEMENT, std::slice::from_ref(&a));
    let h2 = ok(&mut rt, &cmp, "GetHashCode", &[copy]);
    assert!(matches!((h1, h2), (Value::Int(x), Value::Int(y)) if x == y));
}

#[test]
fn extensions_on_sequences() {
    let mut rt = TestRt::new();
    let a = el(&mut rt, "<a><i k='1'><p>x</p></i><i k='2'><p>y</p><p>z</p></i></a>");
    let is = ok(&mut rt, &a, "Elements", &[s("i")]);
    let ps = extension_call(&mut rt, &is, "Elements", &[], &[s("p")])
        .unwrap()
        .unwrap();
    assert_eq!(items(&ps).len(), 3);
    let ks = extension_call(&mut rt, &is, "Attributes", &[], &[s("k")])
        .unwrap()
        .unwrap();
    assert_eq!(items(&ks).iter().map(text).collect::<Vec<_>>(), ["k=\"1\"", "k=\"2\""]);
    let ds = extension_call(&mut rt, &is, "Descendants", &[], &[]).unwrap().unwrap();
    assert_eq!(items(&ds).len(), 3);
    let anc = extension_call(&mut rt, &ps, "Ancestors", &[], &[s("a")])
        .unwrap()
        .unwrap();
    assert_eq!(items(&anc).len(), 3);
    let rev = crate::library::collections::Array::of(TypeRef::of(&XELEMENT), items(&ps).into_iter().rev().collect());
    let sorted = extension_call(&mut rt, &rev, "InDocumentOrder", &[], &[])
        .unwrap()
        .unwrap();
    assert_eq!(
        items(&sorted)
            .iter()
            .map(|v| text(&get(&mut rt, v, "Value")))
            .collect::<String>(),
        "xyz"
    );
    extension_call(&mut rt, &ps, "Remove", &[], &[]).unwrap().unwrap();
    let flat = ok(&mut rt, &a, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)]);
    assert_eq!(text(&flat), "<a><i k=\"1\" /><i k=\"2\" /></a>");
    let st = call_static(&mut rt, &EXTENSIONS, "Elements", &[], std::slice::from_ref(&is))
        .unwrap()
        .unwrap();
    assert_eq!(items(&st).len(), 0);
    // Not an XML sequence: not ours.
    let strings = crate::library::collections::Array::strings(["a"]);
    assert!(extension_call(&mut rt, &strings, "Elements", &[], &[]).is_none());
}

#[test]
fn leaf_nodes() {
    let mut rt = TestRt::new();
    let t = new(&mut rt, &XTEXT, &[s("a<b")]);
    assert_eq!(tostring(&mut rt, &t), "a&lt;b");
    let cd = new(&mut rt, &XCDATA, &[s("x]]>y")]);
    assert_eq!(tostring(&mut rt, &cd), "<![CDATA[x]]]]><![CDATA[>y]]>");
    let cm = new(&mut rt, &XCOMMENT, &[s("a--b-")]);
    assert_eq!(tostring(&mut rt, &cm), "<!--a- -b- -->");
    let pi = new(&mut rt, &XPROCESSINGINSTRUCTION, &[s("t"), s("d?>")]);
    assert_eq!(tostring(&mut rt, &pi), "<?t d? >?>");
    assert_eq!(text(&get(&mut rt, &pi, "Target")), "t");
    let dt = new(
        &mut rt,
        &XDOCUMENTTYPE,
        &[s("html"), Value::Null, s("about:legacy-compat"), Value::Null],
    );
    assert_eq!(tostring(&mut rt, &dt), "<!DOCTYPE html SYSTEM \"about:legacy-compat\">");
    assert_eq!(text(&get(&mut rt, &cd, "NodeType")), "CDATA");
    let e = new(&mut rt, &XELEMENT, &[s("e"), t.clone(), cd.clone()]);
    assert_eq!(text(&get(&mut rt, &e, "Value")), "a<bx]]>y");
    let err = construct(&mut rt, &TypeRef::of(&XPROCESSINGINSTRUCTION), &[s("xml"), s("")]).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Argument);
    let oc = construct(&mut rt, &TypeRef::of(&XNODEDOCUMENTORDERCOMPARER), &[]).unwrap();
    let a = el(&mut rt, "<a><b/><c/></a>");
    let (b, c) = (get(&mut rt, &a, "FirstNode"), get(&mut rt, &a, "LastNode"));
    assert!(matches!(ok(&mut rt, &oc, "Compare", &[c, b]), Value::Int(1)));
}
