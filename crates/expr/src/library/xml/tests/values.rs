//! Conversions, names and operators, document order and equality,
//! the `Extensions`.

use super::*;
use crate::library::xml::extension_call;
use crate::library::xml::name::namespace_value;
use crate::library::xml::types::*;

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
        crate::library::xml::convert::timespan_to_string(crate::library::time::TimeSpan { ticks: 0 }),
        "PT0S"
    );
    let ts = crate::library::xml::convert::to_timespan("P1DT2H3M4.5S").unwrap();
    assert_eq!(crate::library::xml::convert::timespan_to_string(ts), "P1DT2H3M4.5S");
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
