//! Parsing and writing: layouts, numbers, strings, dates, errors, limits.

use super::*;
use crate::library::collections::{Array, KeyValuePair};

#[test]
fn indented_and_compact_layouts() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":{"b":[1,2]},"c":[],"d":{},"e":[{"f":null}],"g":true}"#);
    let want = "{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },\n  \"c\": [],\n  \"d\": {},\n  \"e\": [\n    {\n      \"f\": null\n    }\n  ],\n  \"g\": true\n}";
    assert_eq!(text_of(&v), want);
    assert_eq!(text_of(&call(&mut rt, &v, "ToString", &[])), want);
    assert_eq!(
        compact(&mut rt, &v),
        r#"{"a":{"b":[1,2]},"c":[],"d":{},"e":[{"f":null}],"g":true}"#
    );
    let indented = Value::Enum(&FORMATTING, 1);
    assert_eq!(text_of(&call(&mut rt, &v, "ToString", &[indented])), want);
    // A property alone, and an array at the root.
    let p = call(&mut rt, &v, "Property", &[s("a")]);
    assert_eq!(compact(&mut rt, &p), r#""a":{"b":[1,2]}"#);
    let a = parse(&mut rt, "[1,[2,[]]]");
    assert_eq!(text_of(&a), "[\n  1,\n  [\n    2,\n    []\n  ]\n]");
}

#[test]
fn numbers_keep_newtonsoft_types() {
    let mut rt = rt();
    let v = parse(
        &mut rt,
        r#"[1, 1.0, -0.5, 1e20, 12345678901234567890, -9223372036854775808, 2.5e-7, 100]"#,
    );
    assert_eq!(
        compact(&mut rt, &v),
        "[1,1.0,-0.5,1E+20,12345678901234567890,-9223372036854775808,2.5E-07,100]"
    );
    let one = idx(&mut rt, &v, Value::Int(1)).unwrap();
    assert_eq!(text_of(&get(&mut rt, &one, "Type")), "Float");
    assert_eq!(text_of(&one), "1");
    let zero = idx(&mut rt, &v, Value::Int(0)).unwrap();
    assert_eq!(text_of(&get(&mut rt, &zero, "Type")), "Integer");
    assert!(matches!(get(&mut rt, &zero, "Value"), Value::Long(1)));
    let big = idx(&mut rt, &v, Value::Int(4)).unwrap();
    assert_eq!(text_of(&get(&mut rt, &big, "Type")), "Integer");
}

#[test]
fn strings_are_escaped_as_newtonsoft_does() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"s":"q\" b\\ n\n t\t c\u0001 é ✓ \u2028 '/"}"#);
    assert_eq!(
        compact(&mut rt, &v),
        "{\"s\":\"q\\\" b\\\\ n\\n t\\t c\\u0001 é ✓ \\u2028 '/\"}"
    );
    let val = at(&mut rt, &v, "s");
    assert_eq!(text_of(&val), "q\" b\\ n\n t\t c\u{1} é ✓ \u{2028} '/");
    assert_eq!(
        compact(&mut rt, &val),
        "\"q\\\" b\\\\ n\\n t\\t c\\u0001 é ✓ \\u2028 '/\""
    );
}

#[test]
fn raw_control_characters_are_read_as_newtonsoft_reads_them() {
    let mut rt = rt();
    let v = parse(&mut rt, "{\"s\":\"a\tb\nc\"}");
    assert_eq!(text_of(&at(&mut rt, &v, "s")), "a\tb\nc");
}

#[test]
fn trailing_commas_and_comments_are_read_as_newtonsoft_reads_them() {
    let mut rt = rt();
    let v = parse(&mut rt, "{\"a\":[1,2,],// note\n\"b\":/* x */\"//not a comment\",}");
    assert_eq!(compact(&mut rt, &v), r#"{"a":[1,2],"b":"//not a comment"}"#);
    assert!(super::super::parse(&mut rt, "[,]").is_err());
    let e = super::super::parse(&mut rt, "[1,,]").unwrap_err();
    assert!(
        e.message
            .starts_with("Unexpected character encountered while parsing value: ,"),
        "{}",
        e.message
    );
}

#[test]
fn dates_are_parsed_and_written_back_in_iso() {
    let mut rt = rt();
    let v = parse(
        &mut rt,
        r#"{"u":"2024-01-02T03:04:05Z","l":"2024-01-02T03:04:05+02:00","n":"2024-01-02T03:04:05.5","d":"2024-01-02"}"#,
    );
    assert_eq!(
        compact(&mut rt, &v),
        r#"{"u":"2024-01-02T03:04:05Z","l":"2024-01-02T01:04:05+00:00","n":"2024-01-02T03:04:05.5","d":"2024-01-02"}"#
    );
    let u = at(&mut rt, &v, "u");
    assert_eq!(text_of(&get(&mut rt, &u, "Type")), "Date");
    assert_eq!(text_of(&u), "01/02/2024 03:04:05");
    assert_eq!(text_of(&cast(&mut rt, &u, string()).unwrap()), "01/02/2024 03:04:05");
    assert!(matches!(cast(&mut rt, &u, dt()), Ok(Value::DateTime(_))));
    let d = at(&mut rt, &v, "d");
    assert_eq!(text_of(&get(&mut rt, &d, "Type")), "String");
}

#[test]
fn reader_errors_follow_newtonsoft() {
    let mut rt = rt();
    let e = super::super::parse(&mut rt, "{\"a\":1").unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("JsonReaderException"));
    assert!(
        e.message
            .starts_with("Unexpected end of content while loading JObject. Path 'a'"),
        "{}",
        e.message
    );
    let e = super::super::parse(&mut rt, "{\"a\":1}x").unwrap_err();
    assert!(
        e.message
            .starts_with("Additional text encountered after finished reading JSON content: x."),
        "{}",
        e.message
    );
    let e = super::super::parse(&mut rt, "{\"a\":[1,}").unwrap_err();
    assert!(
        e.message
            .starts_with("Unexpected character encountered while parsing value: }. Path 'a[1]'"),
        "{}",
        e.message
    );
    let e = super::super::parse(&mut rt, "  ").unwrap_err();
    assert_eq!(
        e.message,
        "Error reading JToken from JsonReader. Path '', line 0, position 0."
    );
    let e = st(&mut rt, &JOBJECT, "Parse", &[s("[1]")]).unwrap_err();
    assert_eq!(
        e.message,
        "Error reading JObject from JsonReader. Current JsonReader item is not an object: StartArray. Path '', line 1, position 1."
    );
    let e = st(&mut rt, &JARRAY, "Parse", &[s("{}")]).unwrap_err();
    assert!(e.message.contains("is not an array: StartObject"), "{}", e.message);
    let e = st(&mut rt, &JOBJECT, "Parse", &[s("12")]).unwrap_err();
    assert!(e.message.contains("is not an object: Integer"), "{}", e.message);
    assert_eq!(
        kind(st(&mut rt, &JOBJECT, "Parse", &[Value::Null])),
        EvalErrorKind::ArgumentNull
    );
}

#[test]
fn depth_is_bounded_at_64() {
    let mut rt = rt();
    let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
    assert!(super::super::parse(&mut rt, &ok).is_ok());
    let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
    let e = super::super::parse(&mut rt, &deep).unwrap_err();
    assert!(
        e.message.starts_with("The reader's MaxDepth of 64 has been exceeded."),
        "{}",
        e.message
    );
    let very = "[".repeat(100_000);
    assert!(super::super::parse(&mut rt, &very).is_err());
}

#[test]
fn duplicate_names_replace_in_place() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":1,"b":2,"a":3}"#);
    assert_eq!(compact(&mut rt, &v), r#"{"a":3,"b":2}"#);
}

#[test]
fn parsing_charges_the_budget() {
    let mut rt = rt();
    let body = format!("[{}1]", "1,".repeat(10_000));
    parse(&mut rt, &body);
    assert!(rt.steps > 10_000, "{}", rt.steps);
    assert!(rt.bytes > 10_000 * 64, "{}", rt.bytes);
    let mut tight = TestRt::new();
    tight.max_steps = 1000;
    assert_eq!(
        super::super::parse(&mut tight, &body).unwrap_err().kind,
        EvalErrorKind::Budget
    );
}

#[test]
fn serialize_object_of_values() {
    let mut rt = rt();
    let conv = |rt: &mut TestRt, v: Value<'static>| text_of(&st(rt, &JSONCONVERT, "SerializeObject", &[v]).unwrap());
    assert_eq!(conv(&mut rt, s("a\"b")), "\"a\\\"b\"");
    assert_eq!(conv(&mut rt, Value::Int(5)), "5");
    assert_eq!(conv(&mut rt, Value::Double(1.0)), "1.0");
    assert_eq!(conv(&mut rt, Value::Double(f64::NAN)), "\"NaN\"");
    assert_eq!(conv(&mut rt, Value::Bool(true)), "true");
    assert_eq!(conv(&mut rt, Value::Null), "null");
    assert_eq!(
        conv(&mut rt, Value::Decimal(crate::value::Decimal::new(150, 2))),
        "1.50"
    );
    assert_eq!(conv(&mut rt, Value::Decimal(crate::value::Decimal::new(2, 0))), "2.0");
    let date = Value::DateTime(crate::library::time::datetime::DateTime::from_unix_seconds(
        1_704_164_645,
    ));
    assert_eq!(conv(&mut rt, date), "\"2024-01-02T03:04:05Z\"");
    assert_eq!(
        conv(&mut rt, Value::Guid(0x0f8fad5b_d9cb_469f_a165_70867728950e)),
        "\"0f8fad5b-d9cb-469f-a165-70867728950e\""
    );
    assert_eq!(conv(&mut rt, Array::strings(["a", "b"])), r#"["a","b"]"#);
    assert_eq!(conv(&mut rt, Array::bytes(vec![1, 2, 3])), r#""AQID""#);
    assert_eq!(
        conv(&mut rt, KeyValuePair::value(s("k"), Value::Int(1))),
        r#"{"Key":"k","Value":1}"#
    );
    let tok = parse(&mut rt, r#"{"a":[1,{"b":2}]}"#);
    assert_eq!(conv(&mut rt, tok.clone()), r#"{"a":[1,{"b":2}]}"#);
    let indented = st(
        &mut rt,
        &JSONCONVERT,
        "SerializeObject",
        &[tok, Value::Enum(&FORMATTING, 1)],
    )
    .unwrap();
    assert_eq!(
        text_of(&indented),
        "{\n  \"a\": [\n    1,\n    {\n      \"b\": 2\n    }\n  ]\n}"
    );
}

#[test]
fn deserialize_object() {
    let mut rt = rt();
    let v = st(&mut rt, &JSONCONVERT, "DeserializeObject", &[s(r#"{"a":1}"#)]).unwrap();
    assert_eq!(text_of(&get(&mut rt, &v, "Type")), "Object");
    let n = st(&mut rt, &JSONCONVERT, "DeserializeObject", &[s("42")]).unwrap();
    assert!(matches!(n, Value::Long(42)));
    let n = st_t(&mut rt, &JSONCONVERT, "DeserializeObject", int(), &[s("42")]).unwrap();
    assert!(matches!(n, Value::Int(42)));
    let o = st_t(
        &mut rt,
        &JSONCONVERT,
        "DeserializeObject",
        ty(&JOBJECT),
        &[s(r#"{"a":"x"}"#)],
    )
    .unwrap();
    assert_eq!(text_of(&at(&mut rt, &o, "a")), "x");
    let arr = TypeRef::Array(Box::new(string()));
    let a = st_t(
        &mut rt,
        &JSONCONVERT,
        "DeserializeObject",
        arr,
        &[s(r#"["2024-01-02T03:04:05Z", 1]"#)],
    )
    .unwrap();
    // string[] targets read date strings as strings (no date parsing).
    assert_eq!(
        text_of(&idx(&mut rt, &a, Value::Int(0)).unwrap()),
        "2024-01-02T03:04:05Z"
    );
    assert_eq!(text_of(&idx(&mut rt, &a, Value::Int(1)).unwrap()), "1");
    let e = st_t(&mut rt, &JSONCONVERT, "DeserializeObject", ty(&JOBJECT), &[s("[1]")]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("JsonReaderException"));
}

#[test]
fn from_object() {
    let mut rt = rt();
    let kv = KeyValuePair::value(s("k"), Array::strings(["x"]));
    let o = st(&mut rt, &JOBJECT, "FromObject", &[kv]).unwrap();
    assert_eq!(compact(&mut rt, &o), r#"{"Key":"k","Value":["x"]}"#);
    let e = st(&mut rt, &JOBJECT, "FromObject", &[Array::strings(["x"])]).unwrap_err();
    assert_eq!(e.message, "Object serialized to Array. JObject instance expected.");
    let t = st(&mut rt, &JTOKEN, "FromObject", &[Value::Int(3)]).unwrap();
    assert_eq!(text_of(&get(&mut rt, &t, "Type")), "Integer");
    let a = st(&mut rt, &JARRAY, "FromObject", &[Array::strings(["x", "y"])]).unwrap();
    assert_eq!(compact(&mut rt, &a), r#"["x","y"]"#);
}
