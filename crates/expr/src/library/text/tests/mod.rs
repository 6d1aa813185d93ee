//! Unit tests of the text family through the library's dispatch (the
//! same entry points the evaluator calls), with `TestRt`.

use std::borrow::Cow;

pub(super) use crate::error::{EvalErrorKind, EvalResult};
pub(super) use crate::library::collections::Array;
pub(super) use crate::library::{
    call_member, call_static, construct, get_member, get_static, index, set_index, set_member, to_text_plain,
};
pub(super) use crate::testing::TestRt;
pub(super) use crate::types::{TypeDef, TypeRef};
pub(super) use crate::value::{Object, Value};

pub(super) use super::builder::STRING_BUILDER;
pub(super) use super::compare::STRING_COMPARISON;
pub(super) use super::comparer::STRING_COMPARER;
pub(super) use super::encoding::ENCODING;
pub(super) use super::io::{STRING_READER, STRING_WRITER};
pub(super) use super::regex::{REGEX, REGEX_OPTIONS};
pub(super) use super::split::STRING_SPLIT_OPTIONS;
pub(super) use super::{CHAR, STRING};

mod objects;
mod regex;

pub(super) fn s(x: &'static str) -> Value<'static> {
    Value::str(x)
}

pub(super) fn e(ty: &'static TypeDef, name: &str) -> Value<'static> {
    let v = ty
        .enum_values
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap();
    Value::Enum(ty, v)
}

pub(super) fn call(
    rt: &mut TestRt,
    recv: Value<'static>,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    call_member(rt, recv, name, &[], args).unwrap_or_else(|| panic!("no member {name}"))
}

pub(super) fn st(
    rt: &mut TestRt,
    ty: &'static TypeDef,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    call_static(rt, ty, name, &[], args).unwrap_or_else(|| panic!("no static {name}"))
}

pub(super) fn get(rt: &mut TestRt, recv: Value<'static>, name: &str) -> Value<'static> {
    get_member(rt, recv, name).unwrap().unwrap()
}

pub(super) fn txt(r: EvalResult<Value<'static>>) -> String {
    to_text_plain(&r.unwrap())
}

pub(super) fn kind(r: EvalResult<Value<'static>>) -> EvalErrorKind {
    r.unwrap_err().kind
}

pub(super) fn strings(v: &Value<'static>) -> Vec<String> {
    v.downcast::<Array>()
        .unwrap()
        .items()
        .unwrap()
        .iter()
        .map(to_text_plain)
        .collect()
}

#[test]
fn string_members() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    assert_eq!(txt(Ok(get(r, s("a😀b"), "Length"))), "4");
    assert_eq!(txt(call(r, s("Hello World"), "Substring", &[Value::Int(6)])), "World");
    assert_eq!(
        txt(call(r, s("Hello"), "Substring", &[Value::Int(1), Value::Int(3)])),
        "ell"
    );
    assert_eq!(
        kind(call(r, s("Hello"), "Substring", &[Value::Int(6)])),
        EvalErrorKind::ArgumentOutOfRange
    );
    assert_eq!(
        kind(call(r, s("Hello"), "Substring", &[Value::Int(2), Value::Int(4)])),
        EvalErrorKind::ArgumentOutOfRange
    );
    assert_eq!(txt(call(r, s("é😀x"), "IndexOf", &[Value::Char('x')])), "3");
    assert_eq!(txt(call(r, s("Hello"), "IndexOf", &[s("l"), Value::Int(3)])), "3");
    assert_eq!(txt(call(r, s("Hello"), "IndexOf", &[s("L")])), "-1");
    assert_eq!(
        txt(call(
            r,
            s("Hello"),
            "IndexOf",
            &[s("L"), e(&STRING_COMPARISON, "OrdinalIgnoreCase")]
        )),
        "2"
    );
    assert_eq!(txt(call(r, s("Hello"), "LastIndexOf", &[s("l")])), "3");
    assert_eq!(txt(call(r, s("Hello"), "LastIndexOf", &[s("")])), "5");
    assert_eq!(
        txt(call(
            r,
            s("a,b;c"),
            "IndexOfAny",
            &[Array::of(TypeRef::of(&CHAR), vec![Value::Char(';'), Value::Char(',')])]
        )),
        "1"
    );
    assert_eq!(txt(call(r, s("Mozilla iPhone"), "Contains", &[s("iPhone")])), "True");
    assert_eq!(
        txt(call(
            r,
            s("ABC"),
            "Equals",
            &[s("abc"), e(&STRING_COMPARISON, "OrdinalIgnoreCase")]
        )),
        "True"
    );
    assert_eq!(txt(call(r, s("ABC"), "Equals", &[s("abc")])), "False");
    assert_eq!(
        txt(call(
            r,
            s("Bearer xyz"),
            "StartsWith",
            &[s("bearer "), e(&STRING_COMPARISON, "OrdinalIgnoreCase")]
        )),
        "True"
    );
    assert_eq!(
        txt(call(
            r,
            s("a.JSON"),
            "EndsWith",
            &[s(".json"), Value::Bool(true), Value::Null]
        )),
        "True"
    );
    assert_eq!(txt(call(r, s("a-b-c"), "Replace", &[s("-"), s("+")])), "a+b+c");
    assert_eq!(
        txt(call(r, s("a-b"), "Replace", &[Value::Char('-'), Value::Char('_')])),
        "a_b"
    );
    assert_eq!(
        kind(call(r, s("a"), "Replace", &[s(""), s("x")])),
        EvalErrorKind::Argument
    );
    assert_eq!(txt(call(r, s("abc"), "Insert", &[Value::Int(1), s("XY")])), "aXYbc");
    assert_eq!(txt(call(r, s("abcdef"), "Remove", &[Value::Int(2)])), "ab");
    assert_eq!(
        txt(call(r, s("abcdef"), "Remove", &[Value::Int(1), Value::Int(2)])),
        "adef"
    );
    assert_eq!(
        txt(call(r, s("7"), "PadLeft", &[Value::Int(3), Value::Char('0')])),
        "007"
    );
    assert_eq!(txt(call(r, s("ab"), "PadRight", &[Value::Int(4)])), "ab  ");
    assert_eq!(txt(call(r, s("xxhixx"), "Trim", &[Value::Char('x')])), "hi");
    assert_eq!(txt(call(r, s("  hi  "), "TrimEnd", &[])), "  hi");
    assert_eq!(txt(call(r, s("  hi  "), "TrimStart", &[])), "hi  ");
    assert_eq!(txt(call(r, s("   "), "Trim", &[])), "");
    assert_eq!(txt(call(r, s("straße"), "ToUpper", &[])), "STRAßE");
    assert_eq!(txt(call(r, s("ÀB"), "ToLowerInvariant", &[])), "àb");
    assert_eq!(txt(call(r, s("b"), "CompareTo", &[s("a")])), "1");
    assert_eq!(txt(call(r, s("e\u{301}"), "Normalize", &[])), "é");
    assert_eq!(txt(call(r, s("e\u{301}"), "IsNormalized", &[])), "False");
    assert_eq!(txt(call(r, s("a\r\nb\rc"), "ReplaceLineEndings", &[s("|")])), "a|b|c");
    assert_eq!(txt(index(r, s("abc"), Value::Int(1)).unwrap()), "b");
    assert_eq!(
        kind(index(r, s("abc"), Value::Int(3)).unwrap()),
        EvalErrorKind::IndexOutOfRange
    );
    let arr = call(r, s("héllo"), "ToCharArray", &[]).unwrap();
    assert_eq!(strings(&arr).len(), 5);
    assert_eq!(txt(call(r, s("x"), "ToString", &[])), "x");
}

#[test]
fn borrowed_results_do_not_allocate() {
    let mut rt = TestRt::new();
    for (name, args) in [
        ("Trim", vec![]),
        ("Substring", vec![Value::Int(1)]),
        ("ToString", vec![]),
        ("ToLower", vec![]),
        ("Replace", vec![s("q"), s("z")]),
    ] {
        let v = super::string_call(&mut rt, Cow::Borrowed(" abc "), name, &[], &args)
            .unwrap()
            .unwrap();
        assert!(matches!(v, Value::Str(Cow::Borrowed(_))), "{name}");
    }
    assert_eq!(rt.bytes, 0);
}

#[test]
fn split_idioms() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let seps = Array::of(TypeRef::of(&CHAR), vec![Value::Char(',')]);
    let v = call(
        r,
        s("a,b,,c"),
        "Split",
        &[seps, e(&STRING_SPLIT_OPTIONS, "RemoveEmptyEntries")],
    )
    .unwrap();
    assert_eq!(strings(&v), ["a", "b", "c"]);
    let v = call(r, s("Bearer tok"), "Split", &[Value::Char(' ')]).unwrap();
    assert_eq!(strings(&v), ["Bearer", "tok"]);
    let v = call(
        r,
        s("a, b ,c"),
        "Split",
        &[Value::Char(','), e(&STRING_SPLIT_OPTIONS, "TrimEntries")],
    )
    .unwrap();
    assert_eq!(strings(&v), ["a", "b", "c"]);
    let v = call(r, s("k=v=w"), "Split", &[Value::Char('='), Value::Int(2)]).unwrap();
    assert_eq!(strings(&v), ["k", "v=w"]);
    let v = call(r, s("a;b,c"), "Split", &[Value::Char(';'), Value::Char(',')]).unwrap();
    assert_eq!(strings(&v), ["a", "b", "c"]);
    let v = call(r, s("a::b"), "Split", &[s("::")]).unwrap();
    assert_eq!(strings(&v), ["a", "b"]);
    let v = call(r, s("a b\tc"), "Split", &[]).unwrap();
    assert_eq!(strings(&v), ["a", "b", "c"]);
}

#[test]
fn string_statics() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    assert_eq!(txt(get_static(r, &STRING, "Empty").unwrap()), "");
    assert_eq!(txt(st(r, &STRING, "IsNullOrEmpty", &[Value::Null])), "True");
    assert_eq!(txt(st(r, &STRING, "IsNullOrWhiteSpace", &[s(" \t")])), "True");
    assert_eq!(
        txt(st(r, &STRING, "Join", &[s(", "), Array::strings(["a", "b"])])),
        "a, b"
    );
    assert_eq!(
        txt(st(
            r,
            &STRING,
            "Join",
            &[Value::Char('-'), Value::Int(1), Value::Null, s("x")]
        )),
        "1--x"
    );
    assert_eq!(
        txt(st(
            r,
            &STRING,
            "Join",
            &[s("/"), Array::strings(["a", "b", "c"]), Value::Int(1), Value::Int(2)]
        )),
        "b/c"
    );
    assert_eq!(
        txt(st(r, &STRING, "Concat", &[s("a"), Value::Int(1), Value::Null])),
        "a1"
    );
    assert_eq!(txt(st(r, &STRING, "Concat", &[Array::strings(["x", "y"])])), "xy");
    assert_eq!(
        txt(st(r, &STRING, "Format", &[s("{0} {1}"), s("GET"), s("/a?b")])),
        "GET /a?b"
    );
    assert_eq!(
        txt(st(r, &STRING, "Format", &[s("[{0,-4}]"), Array::strings(["ab"])])),
        "[ab  ]"
    );
    assert_eq!(
        kind(st(r, &STRING, "Format", &[s("{1}"), s("x")])),
        EvalErrorKind::Format
    );
    assert_eq!(
        txt(st(
            r,
            &STRING,
            "Equals",
            &[s("a"), s("A"), e(&STRING_COMPARISON, "OrdinalIgnoreCase")]
        )),
        "True"
    );
    assert_eq!(txt(st(r, &STRING, "Compare", &[s("a"), s("B")])), "-1");
    assert_eq!(
        txt(st(r, &STRING, "Compare", &[s("a"), s("A"), Value::Bool(true)])),
        "0"
    );
    assert_eq!(txt(st(r, &STRING, "Compare", &[Value::Null, s("A")])), "-1");
    assert_eq!(txt(st(r, &STRING, "CompareOrdinal", &[s("a"), s("B")])), "31");
    assert_eq!(
        txt(construct(r, &TypeRef::of(&STRING), &[Value::Char('-'), Value::Int(3)])),
        "---"
    );
}
