//! Casts, `Value<T>()`, `Values<T>()`, `ToObject<T>()`, implicit
//! conversions to `JToken`.

use super::*;

#[test]
fn explicit_casts() {
    let mut rt = rt();
    let v = parse(
        &mut rt,
        r#"{"s":"abc","i":42,"f":1.5,"b":true,"n":null,"num":"17","g":"0f8fad5b-d9cb-469f-a165-70867728950e","o":{}}"#,
    );
    let f = |rt: &mut TestRt, k: &str| at(rt, &v, k);
    let sv = f(&mut rt, "s");
    assert_eq!(text_of(&cast(&mut rt, &sv, string()).unwrap()), "abc");
    let iv = f(&mut rt, "i");
    assert!(matches!(cast(&mut rt, &iv, int()), Ok(Value::Int(42))));
    assert!(matches!(cast(&mut rt, &iv, ty(&numbers::INT64)), Ok(Value::Long(42))));
    assert!(matches!(cast(&mut rt, &iv, ty(&numbers::DOUBLE)), Ok(Value::Double(d)) if d == 42.0));
    assert_eq!(text_of(&cast(&mut rt, &iv, string()).unwrap()), "42");
    let fv = f(&mut rt, "f");
    assert!(matches!(cast(&mut rt, &fv, int()), Ok(Value::Int(2))));
    // (numbers' ToString is not there yet: compare the decimal itself)
    assert!(matches!(cast(&mut rt, &fv, ty(&numbers::DECIMAL)), Ok(Value::Decimal(d)) if d.to_string() == "1.5"));
    assert_eq!(text_of(&cast(&mut rt, &fv, string()).unwrap()), "1.5");
    let bv = f(&mut rt, "b");
    assert!(matches!(
        cast(&mut rt, &bv, ty(&numbers::BOOLEAN)),
        Ok(Value::Bool(true))
    ));
    assert_eq!(text_of(&cast(&mut rt, &bv, string()).unwrap()), "True");
    let num = f(&mut rt, "num");
    assert!(matches!(cast(&mut rt, &num, int()), Ok(Value::Int(17))));
    let g = f(&mut rt, "g");
    assert!(matches!(
        cast(&mut rt, &g, ty(&numbers::GUID)),
        Ok(Value::Guid(0x0f8fad5b_d9cb_469f_a165_70867728950e))
    ));
    let nv = f(&mut rt, "n");
    assert!(cast(&mut rt, &nv, string()).unwrap().is_null());
    assert!(cast(&mut rt, &nv, nullable(int())).unwrap().is_null());
    let e = cast(&mut rt, &nv, int()).unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (EvalErrorKind::Argument, "Can not convert Null to Int32.")
    );
    let e = cast(&mut rt, &sv, int()).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Format);
    let o = f(&mut rt, "o");
    let e = cast(&mut rt, &o, string()).unwrap_err();
    assert_eq!(e.message, "Can not convert Object to String.");
    // Reference casts are the caller's: a JObject is a JToken, not a JArray.
    assert!(cast(&mut rt, &o, ty(&JTOKEN)).is_ok());
    assert_eq!(kind(cast(&mut rt, &o, ty(&JARRAY))), EvalErrorKind::InvalidCast);
    // A property converts through its value.
    let p = call(&mut rt, &v, "Property", &[s("i")]);
    assert!(matches!(cast(&mut rt, &p, int()), Ok(Value::Int(42))));
    // A missing property casts to null for reference and nullable types.
    let missing = at(&mut rt, &v, "zz");
    assert!(cast(&mut rt, &missing, string()).unwrap().is_null());
    assert!(cast(&mut rt, &missing, nullable(ty(&numbers::BOOLEAN)))
        .unwrap()
        .is_null());
}

#[test]
fn value_and_values() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":[{"b":"1"},{"b":"2"}],"n":5,"x":null}"#);
    assert!(matches!(call_t(&mut rt, &v, "Value", int(), &[s("n")]), Value::Int(5)));
    assert!(matches!(
        call_t(&mut rt, &v, "Value", int(), &[s("missing")]),
        Value::Int(0)
    ));
    assert!(call_t(&mut rt, &v, "Value", string(), &[s("missing")]).is_null());
    assert!(call_t(&mut rt, &v, "Value", nullable(int()), &[s("x")]).is_null());
    let e = try_call(&mut rt, &v, "Value", &[int()], &[s("x")]).unwrap_err();
    assert_eq!(e.message, "Null object cannot be converted to a value type.");
    let a = at(&mut rt, &v, "a");
    let first = idx(&mut rt, &a, Value::Int(0)).unwrap();
    let b = at(&mut rt, &first, "b");
    assert!(matches!(call_t(&mut rt, &b, "Value", int(), &[]), Value::Int(1)));
    let e = try_call(&mut rt, &a, "Value", &[int()], &[]).unwrap_err();
    assert_eq!(
        e.message,
        "Cannot cast Newtonsoft.Json.Linq.JArray to Newtonsoft.Json.Linq.JToken."
    );
    let bs = call_t(&mut rt, &a, "Values", string(), &[s("b")]);
    let bs: Vec<String> = library::items(&mut rt, &bs)
        .unwrap()
        .unwrap()
        .iter()
        .map(text_of)
        .collect();
    assert_eq!(bs, ["1", "2"]);
    let nums = parse(&mut rt, "[1, 2.5, \"3\"]");
    let ds = call_t(&mut rt, &nums, "Values", ty(&numbers::DOUBLE), &[]);
    let ds: Vec<String> = library::items(&mut rt, &ds)
        .unwrap()
        .unwrap()
        .iter()
        .map(text_of)
        .collect();
    assert_eq!(ds.len(), 3);
    // Values<T>() on an object converts its properties: Newtonsoft throws.
    assert_eq!(
        kind(try_call(&mut rt, &v, "Values", &[string()], &[])),
        EvalErrorKind::InvalidCast
    );
    // The extension on a sequence of tokens.
    let children = call(&mut rt, &a, "Children", &[]);
    let bs = library::call_member(&mut rt, children, "Values", &[string()], &[s("b")])
        .unwrap()
        .unwrap();
    assert_eq!(library::items(&mut rt, &bs).unwrap().unwrap().len(), 2);
}

#[test]
fn to_object() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"s":"x","n":"12","o":{"k":[1,2]}}"#);
    let sv = at(&mut rt, &v, "s");
    assert_eq!(text_of(&call_t(&mut rt, &sv, "ToObject", string(), &[])), "x");
    let n = at(&mut rt, &v, "n");
    assert!(matches!(call_t(&mut rt, &n, "ToObject", int(), &[]), Value::Int(12)));
    let o = at(&mut rt, &v, "o");
    let copy = call_t(&mut rt, &o, "ToObject", ty(&JOBJECT), &[]);
    assert_eq!(compact(&mut rt, &copy), r#"{"k":[1,2]}"#);
    assert!(get(&mut rt, &copy, "Parent").is_null());
    let k = at(&mut rt, &o, "k");
    let ints = call_t(&mut rt, &k, "ToObject", TypeRef::Array(Box::new(int())), &[]);
    assert_eq!(text_of(&idx(&mut rt, &ints, Value::Int(1)).unwrap()), "2");
    let e = try_call(&mut rt, &k, "ToObject", &[ty(&JOBJECT)], &[]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("JsonReaderException"));
    assert!(e.message.contains("StartArray"));
}

#[test]
fn implicit_conversions_to_jtoken() {
    let mut rt = rt();
    let t = library::convert(&mut rt, s("x"), &ty(&JTOKEN), false, false).unwrap();
    assert_eq!(text_of(&get(&mut rt, &t, "Type")), "String");
    let t = library::convert(&mut rt, Value::Int(3), &ty(&JTOKEN), false, false).unwrap();
    assert!(matches!(get(&mut rt, &t, "Value"), Value::Long(3)));
    assert!(library::convert(&mut rt, Value::Null, &ty(&JTOKEN), false, false)
        .unwrap()
        .is_null());
    // No implicit conversion from a token to a primitive.
    assert!(library::convert(&mut rt, t, &int(), false, false).is_err());
}

#[test]
fn jvalue_members() {
    let mut rt = rt();
    let a = new(&mut rt, &JVALUE, &[Value::Int(2)]).unwrap();
    let b = new(&mut rt, &JVALUE, &[Value::Long(2)]).unwrap();
    let c = new(&mut rt, &JVALUE, &[Value::Double(3.5)]).unwrap();
    assert!(library::equals(&a, &b));
    assert!(!library::equals(&a, &c));
    assert!(matches!(
        call(&mut rt, &a, "CompareTo", std::slice::from_ref(&c)),
        Value::Int(-1)
    ));
    assert_eq!(text_of(&c), "3.5");
    assert_eq!(compact(&mut rt, &c), "3.5");
    let d = new(&mut rt, &JVALUE, &[Value::Double(3.0)]).unwrap();
    assert_eq!((text_of(&d), compact(&mut rt, &d)), ("3".to_owned(), "3.0".to_owned()));
    library::set_member(&mut rt, &d, "Value", s("now a string"))
        .unwrap()
        .unwrap();
    assert_eq!(text_of(&get(&mut rt, &d, "Type")), "String");
    let date = parse(&mut rt, "\"2024-01-02T03:04:05Z\"");
    assert_eq!(
        text_of(&call(&mut rt, &date, "ToString", &[s("yyyy-MM-dd")])),
        "2024-01-02"
    );
    for t in types() {
        assert!(t.members.iter().all(|m| !m.ret.is_empty()));
    }
}
