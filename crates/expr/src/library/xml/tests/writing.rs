//! Serialization: .NET's indentation, namespaces and prefixes, leaf nodes.

use super::*;
use crate::library::xml::name::{name_value, namespace_value, Name};
use crate::library::xml::types::*;

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

#[test]
fn soap_and_inherited_prefixes() {
    let mut rt = TestRt::new();
    let env = el(
        &mut rt,
        "<s:E xmlns:s='urn:s'><s:B><m:G xmlns:m='urn:m'><m:i>1</m:i></m:G></s:B></s:E>",
    );
    assert_eq!(
        tostring(&mut rt, &env),
        "<s:E xmlns:s=\"urn:s\">\n  <s:B>\n    <m:G xmlns:m=\"urn:m\">\n      <m:i>1</m:i>\n    </m:G>\n  </s:B>\n</s:E>"
    );
    let body = ok(&mut rt, &env, "Element", &[s("{urn:s}B")]);
    assert_eq!(
        text(&ok(&mut rt, &body, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)])),
        "<s:B xmlns:s=\"urn:s\"><m:G xmlns:m=\"urn:m\"><m:i>1</m:i></m:G></s:B>"
    );
    // A namespace declared twice (default and prefixed): the newest
    // declaration wins, as XLinq's resolver picks it.
    let both = el(&mut rt, "<a xmlns='u' xmlns:p='u'><b/></a>");
    assert_eq!(
        text(&ok(&mut rt, &both, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)])),
        "<p:a xmlns=\"u\" xmlns:p=\"u\"><p:b /></p:a>"
    );
    // Undeclaring the default namespace.
    let undecl = el(&mut rt, "<a xmlns='u'><b xmlns=''/></a>");
    assert_eq!(
        text(&ok(&mut rt, &undecl, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)])),
        "<a xmlns=\"u\"><b xmlns=\"\" /></a>"
    );
    let b = new(&mut rt, &XELEMENT, &[s("b")]);
    let built = new(&mut rt, &XELEMENT, &[name_value(&Name::new("u", "a")), b]);
    assert_eq!(
        text(&ok(&mut rt, &built, "ToString", &[Value::Enum(&SAVEOPTIONS, 1)])),
        "<a xmlns=\"u\"><b xmlns=\"\" /></a>"
    );
    // An element whose namespace conflicts with its own xmlns attribute.
    let xmlns = new(&mut rt, &XATTRIBUTE, &[s("xmlns"), s("v")]);
    let conflict = new(&mut rt, &XELEMENT, &[name_value(&Name::new("u", "a")), xmlns]);
    let err = call(&mut rt, &conflict, "ToString", &[]).unwrap_err();
    assert_eq!(err.kind, crate::error::EvalErrorKind::Other("XmlException"));
    // OmitDuplicateNamespaces.
    let dup = el(&mut rt, "<a xmlns:p='u'><b xmlns:p='u'/></a>");
    assert_eq!(
        text(&ok(&mut rt, &dup, "ToString", &[Value::Enum(&SAVEOPTIONS, 3)])),
        "<a xmlns:p=\"u\"><b /></a>"
    );
}
