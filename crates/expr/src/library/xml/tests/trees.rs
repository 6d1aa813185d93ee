//! Building and changing trees, handles keeping trees alive, deep trees.

use super::*;
use crate::library::xml::types::*;

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
