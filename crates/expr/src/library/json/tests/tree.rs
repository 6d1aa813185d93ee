//! The tree: indexers, navigation, mutation, re-parenting, constructors.

use super::*;
use crate::library::collections::{Array, KeyValuePair};

#[test]
fn indexers_get() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":{"b":[1,2]},"n":null}"#);
    let a = at(&mut rt, &v, "a");
    let b = at(&mut rt, &a, "b");
    assert_eq!(text_of(&idx(&mut rt, &b, Value::Int(1)).unwrap()), "2");
    assert!(at(&mut rt, &v, "missing").is_null());
    let n = at(&mut rt, &v, "n");
    assert_eq!(text_of(&get(&mut rt, &n, "Type")), "Null");
    assert_eq!(kind(idx(&mut rt, &b, Value::Int(5))), EvalErrorKind::ArgumentOutOfRange);
    assert_eq!(
        kind(idx(&mut rt, &b, Value::Int(-1))),
        EvalErrorKind::ArgumentOutOfRange
    );
    let e = idx(&mut rt, &b, s("x")).unwrap_err();
    assert_eq!(
        e.message,
        "Accessed JArray values with invalid key value: \"x\". Int32 array index expected."
    );
    let e = idx(&mut rt, &v, Value::Int(0)).unwrap_err();
    assert_eq!(
        e.message,
        "Accessed JObject values with invalid key value: 0. Object property name expected."
    );
    let one = idx(&mut rt, &b, Value::Int(0)).unwrap();
    let e = idx(&mut rt, &one, s("x")).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::InvalidOperation);
    assert_eq!(e.message, "Cannot access child value on Newtonsoft.Json.Linq.JValue.");
    // A missing property's child is a NullReferenceException in the evaluator.
    assert_eq!(
        kind(library::index(&mut rt, Value::Null, s("b")).unwrap()),
        EvalErrorKind::NullReference
    );
}

#[test]
fn indexers_set_wrap_primitives() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":1,"arr":[1,2]}"#);
    set_at(&mut rt, &v, s("a"), s("v")).unwrap();
    set_at(&mut rt, &v, s("new"), Value::Double(2.5)).unwrap();
    set_at(&mut rt, &v, s("nil"), Value::Null).unwrap();
    let arr = at(&mut rt, &v, "arr");
    set_at(&mut rt, &arr, Value::Int(0), Value::Bool(true)).unwrap();
    assert_eq!(compact(&mut rt, &v), r#"{"a":"v","arr":[true,2],"new":2.5,"nil":null}"#);
    assert_eq!(
        kind(set_at(&mut rt, &arr, Value::Int(9), Value::Int(1)).map(|()| Value::Null)),
        EvalErrorKind::ArgumentOutOfRange
    );
    // The value keeps its position and gets the object as parent.
    let a = at(&mut rt, &v, "a");
    let parent = get(&mut rt, &a, "Parent");
    assert_eq!(text_of(&get(&mut rt, &parent, "Name")), "a");
}

#[test]
fn navigation_and_path() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":{"b c":[10,{"d":true}]},"e":1}"#);
    let d = call(&mut rt, &v, "SelectToken", &[s("a['b c'][1].d")]);
    assert_eq!(text_of(&get(&mut rt, &d, "Path")), "a['b c'][1].d");
    let root = get(&mut rt, &d, "Root");
    assert!(library::equals(&root, &v));
    assert!(get(&mut rt, &v, "Parent").is_null());
    assert_eq!(text_of(&get(&mut rt, &v, "Path")), "");
    let first = get(&mut rt, &v, "First");
    assert_eq!(text_of(&get(&mut rt, &first, "Name")), "a");
    let next = get(&mut rt, &first, "Next");
    assert_eq!(text_of(&get(&mut rt, &next, "Name")), "e");
    assert!(get(&mut rt, &next, "Next").is_null());
    let prev = get(&mut rt, &next, "Previous");
    assert!(library::equals(&prev, &first));
    let last = get(&mut rt, &v, "Last");
    assert_eq!(text_of(&get(&mut rt, &last, "Value")), "1");
    assert!(matches!(get(&mut rt, &v, "Count"), Value::Int(2)));
    assert!(matches!(get(&mut rt, &v, "HasValues"), Value::Bool(true)));
    assert_eq!(text_of(&get(&mut rt, &v, "Type")), "Object");
    let one = at(&mut rt, &v, "e");
    assert!(matches!(get(&mut rt, &one, "HasValues"), Value::Bool(false)));
    assert_eq!(
        kind(library::get_member(&mut rt, one.clone(), "First").unwrap()),
        EvalErrorKind::InvalidOperation
    );
    let anc = call(&mut rt, &d, "Ancestors", &[]);
    assert_eq!(library::items(&mut rt, &anc).unwrap().unwrap().len(), 7);
}

#[test]
fn property_remove_and_add() {
    let mut rt = rt();
    let r = parse(&mut rt, r#"{"k":1,"keep":2}"#);
    let p = call(&mut rt, &r, "Property", &[s("k")]);
    call(&mut rt, &p, "Remove", &[]);
    assert!(get(&mut rt, &p, "Parent").is_null());
    let prop = new(&mut rt, &JPROPERTY, &[s("k2"), s("v")]).unwrap();
    call(&mut rt, &r, "Add", &[prop]);
    call(&mut rt, &r, "Add", &[s("n"), Value::Int(3)]);
    assert_eq!(compact(&mut rt, &r), r#"{"keep":2,"k2":"v","n":3}"#);
    assert!(call(&mut rt, &r, "Property", &[s("zz")]).is_null());
    let e = try_call(&mut rt, &r, "Add", &[], &[s("n"), Value::Int(4)]).unwrap_err();
    assert_eq!(
        e.message,
        "Can not add property n to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object."
    );
    let e = try_call(&mut rt, &r, "Add", &[], &[Value::Int(4)]).unwrap_err();
    assert_eq!(
        e.message,
        "Can not add Newtonsoft.Json.Linq.JValue to Newtonsoft.Json.Linq.JObject."
    );
    assert!(matches!(call(&mut rt, &r, "Remove", &[s("n")]), Value::Bool(true)));
    assert!(matches!(call(&mut rt, &r, "Remove", &[s("n")]), Value::Bool(false)));
    // Removing a property's value is Newtonsoft's JsonException.
    let keep = at(&mut rt, &r, "keep");
    let e = try_call(&mut rt, &keep, "Remove", &[], &[]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("JsonException"));
    let orphan = new(&mut rt, &JOBJECT, &[]).unwrap();
    assert_eq!(
        kind(try_call(&mut rt, &orphan, "Remove", &[], &[])),
        EvalErrorKind::InvalidOperation
    );
    call(&mut rt, &r, "RemoveAll", &[]);
    assert_eq!(compact(&mut rt, &r), "{}");
}

#[test]
fn adding_a_parented_token_clones_it() {
    let mut rt = rt();
    let src = parse(&mut rt, r#"{"a":{"x":1}}"#);
    let a = at(&mut rt, &src, "a");
    let dst = new(&mut rt, &JOBJECT, &[]).unwrap();
    set_at(&mut rt, &dst, s("copy"), a.clone()).unwrap();
    let copy = at(&mut rt, &dst, "copy");
    assert!(!library::equals(&copy, &a));
    set_at(&mut rt, &copy, s("x"), Value::Int(2)).unwrap();
    assert_eq!(compact(&mut rt, &src), r#"{"a":{"x":1}}"#);
    assert_eq!(compact(&mut rt, &dst), r#"{"copy":{"x":2}}"#);
    // A parentless token is adopted as is.
    let fresh = new(&mut rt, &JOBJECT, &[]).unwrap();
    let arr = new(&mut rt, &JARRAY, &[]).unwrap();
    call(&mut rt, &arr, "Add", std::slice::from_ref(&fresh));
    assert!(library::equals(&idx(&mut rt, &arr, Value::Int(0)).unwrap(), &fresh));
    // Adding a container to itself adds a copy.
    call(&mut rt, &arr, "Add", std::slice::from_ref(&arr));
    assert_eq!(compact(&mut rt, &arr), "[{},[{}]]");
}

#[test]
fn replace_and_siblings() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":[1,2,3],"b":"x"}"#);
    let b = at(&mut rt, &v, "b");
    call(&mut rt, &b, "Replace", &[s("y")]);
    let arr = at(&mut rt, &v, "a");
    let two = idx(&mut rt, &arr, Value::Int(1)).unwrap();
    call(&mut rt, &two, "AddAfterSelf", &[s("after")]);
    call(&mut rt, &two, "AddBeforeSelf", &[s("before")]);
    call(&mut rt, &arr, "AddFirst", &[Value::Int(0)]);
    assert_eq!(compact(&mut rt, &v), r#"{"a":[0,1,"before",2,"after",3],"b":"y"}"#);
    let after = call(&mut rt, &two, "AfterSelf", &[]);
    assert_eq!(library::items(&mut rt, &after).unwrap().unwrap().len(), 2);
    call(&mut rt, &arr, "RemoveAt", &[Value::Int(0)]);
    call(&mut rt, &arr, "Insert", &[Value::Int(0), s("z")]);
    assert!(matches!(call(&mut rt, &arr, "IndexOf", &[s("before")]), Value::Int(2)));
    assert!(matches!(
        call(&mut rt, &arr, "Contains", &[Value::Int(3)]),
        Value::Bool(true)
    ));
    assert!(matches!(call(&mut rt, &arr, "Remove", &[two]), Value::Bool(true)));
    assert_eq!(compact(&mut rt, &arr), r#"["z",1,"before","after",3]"#);
    let e = try_call(&mut rt, &b, "AddAfterSelf", &[], &[s("q")]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::InvalidOperation, "b was replaced: no parent");
    let y = at(&mut rt, &v, "b");
    let e = try_call(&mut rt, &y, "AddAfterSelf", &[], &[s("q")]).unwrap_err();
    assert_eq!(e.message, "Newtonsoft.Json.Linq.JProperty cannot have multiple values.");
}

#[test]
fn constructors_follow_content_rules() {
    let mut rt = rt();
    let p1 = new(&mut rt, &JPROPERTY, &[s("a"), Value::Int(1)]).unwrap();
    let p2 = new(&mut rt, &JPROPERTY, &[s("b"), Array::strings(["x", "y"])]).unwrap();
    let o = new(&mut rt, &JOBJECT, &[p1, p2]).unwrap();
    assert_eq!(compact(&mut rt, &o), r#"{"a":1,"b":["x","y"]}"#);
    let a = new(&mut rt, &JARRAY, &[Value::Int(1), s("x"), o.clone()]).unwrap();
    assert_eq!(compact(&mut rt, &a), r#"[1,"x",{"a":1,"b":["x","y"]}]"#);
    // The object had no parent: the array holds it, not a copy.
    assert!(!get(&mut rt, &o, "Parent").is_null());
    let a2 = new(&mut rt, &JARRAY, std::slice::from_ref(&a)).unwrap();
    assert_eq!(compact(&mut rt, &a2), compact(&mut rt, &a));
    let o2 = new(&mut rt, &JOBJECT, std::slice::from_ref(&o)).unwrap();
    assert_eq!(compact(&mut rt, &o2), r#"{"a":1,"b":["x","y"]}"#);
    let many = new(&mut rt, &JPROPERTY, &[s("m"), Value::Int(1), Value::Int(2)]).unwrap();
    assert_eq!(compact(&mut rt, &many), r#""m":[1,2]"#);
    let nil = new(&mut rt, &JPROPERTY, &[s("n"), Value::Null]).unwrap();
    assert_eq!(compact(&mut rt, &nil), r#""n":null"#);
    let jv = new(&mut rt, &JVALUE, &[Value::Int(5)]).unwrap();
    assert!(matches!(get(&mut rt, &jv, "Value"), Value::Long(5)));
    let raw = new(&mut rt, &super::super::types::JRAW, &[s("{\"r\":1}")]).unwrap();
    let holder = new(&mut rt, &JARRAY, std::slice::from_ref(&raw)).unwrap();
    assert_eq!(compact(&mut rt, &holder), r#"[{"r":1}]"#);
    assert_eq!(text_of(&get(&mut rt, &raw, "Type")), "Raw");
    let c = new(&mut rt, &super::super::types::JCONSTRUCTOR, &[s("Date"), Value::Int(1)]).unwrap();
    assert_eq!(compact(&mut rt, &c), "new Date(1)");
    let e = new(&mut rt, &JVALUE, &[KeyValuePair::value(s("k"), s("v"))]).unwrap_err();
    assert!(
        e.message.starts_with("Could not determine JSON object type for type"),
        "{}",
        e.message
    );
    let null = st(&mut rt, &JVALUE, "CreateNull", &[]).unwrap();
    assert_eq!(compact(&mut rt, &null), "null");
}

#[test]
fn merge_deep_clone_deep_equals() {
    let mut rt = rt();
    let a = parse(&mut rt, r#"{"x":{"y":1,"l":[1]},"z":2,"keep":3}"#);
    let b = parse(&mut rt, r#"{"x":{"y":5,"l":[2]},"z":null,"w":[true]}"#);
    call(&mut rt, &a, "Merge", std::slice::from_ref(&b));
    assert_eq!(
        compact(&mut rt, &a),
        r#"{"x":{"y":5,"l":[1,2]},"z":2,"keep":3,"w":[true]}"#
    );
    assert_eq!(compact(&mut rt, &b), r#"{"x":{"y":5,"l":[2]},"z":null,"w":[true]}"#);
    let c = call(&mut rt, &a, "DeepClone", &[]);
    assert!(matches!(
        st(&mut rt, &JTOKEN, "DeepEquals", &[a.clone(), c.clone()]),
        Ok(Value::Bool(true))
    ));
    set_at(&mut rt, &c, s("keep"), Value::Int(4)).unwrap();
    assert!(matches!(
        st(&mut rt, &JTOKEN, "DeepEquals", &[a.clone(), c]),
        Ok(Value::Bool(false))
    ));
    let p = parse(&mut rt, r#"{"b":1,"a":[1,2]}"#);
    let q = parse(&mut rt, r#"{"a":[1,2],"b":1}"#);
    assert!(matches!(
        st(&mut rt, &JTOKEN, "DeepEquals", &[p, q]),
        Ok(Value::Bool(true))
    ));
    let i = parse(&mut rt, "1");
    let f = parse(&mut rt, "1.0");
    assert!(matches!(
        st(&mut rt, &JTOKEN, "DeepEquals", &[i, f]),
        Ok(Value::Bool(false))
    ));
}

#[test]
fn dictionary_members_and_enumeration() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":1,"b":"x"}"#);
    assert!(matches!(call(&mut rt, &v, "ContainsKey", &[s("a")]), Value::Bool(true)));
    assert!(matches!(
        call(&mut rt, &v, "TryGetValue", &[s("b"), Value::Null]),
        Value::Bool(true)
    ));
    assert_eq!(rt.outs.len(), 1);
    assert_eq!((rt.outs[0].0, text_of(&rt.outs[0].1)), (1, "x".to_owned()));
    assert!(matches!(
        call(&mut rt, &v, "TryGetValue", &[s("zz"), Value::Null]),
        Value::Bool(false)
    ));
    assert!(rt.outs[1].1.is_null());
    let items = library::items(&mut rt, &v).unwrap().unwrap();
    let kv = items[0].downcast::<KeyValuePair>().unwrap();
    assert_eq!((text_of(&kv.key), text_of(&kv.value)), ("a".to_owned(), "1".to_owned()));
    let props = call(&mut rt, &v, "Properties", &[]);
    let props = library::items(&mut rt, &props).unwrap().unwrap();
    assert_eq!(text_of(&get(&mut rt, &props[1], "Name")), "b");
    let vals = call(&mut rt, &v, "Values", &[]);
    let vals: Vec<String> = library::items(&mut rt, &vals)
        .unwrap()
        .unwrap()
        .iter()
        .map(text_of)
        .collect();
    assert_eq!(vals, ["1", "x"]);
    let gv = call(&mut rt, &v, "GetValue", &[s("A"), Value::Enum(&JOBJECT, 5)]);
    assert!(gv.is_null(), "a non-StringComparison argument is case-sensitive");
}

#[test]
fn programmatic_depth_is_bounded() {
    let mut rt = rt();
    let mut cur = new(&mut rt, &JARRAY, &[]).unwrap();
    let mut failed = false;
    for _ in 0..1000 {
        match new(&mut rt, &JARRAY, &[Value::Int(1), cur.clone()]) {
            Ok(next) => cur = next,
            Err(e) => {
                assert_eq!(e.kind, EvalErrorKind::Other("InsufficientExecutionStackException"));
                failed = true;
                break;
            }
        }
    }
    assert!(failed);
    // The tree that exists is still writable and droppable.
    assert!(compact(&mut rt, &cur).starts_with("[1,[1,[1,"));
}
