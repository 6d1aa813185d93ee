//! Unit tests of the text family through the library's dispatch (the
//! same entry points the evaluator calls), with `TestRt`.

use std::borrow::Cow;

use crate::error::{EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::{
    call_member, call_static, construct, get_member, get_static, index, set_index, set_member, to_text_plain,
};
use crate::testing::TestRt;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

use super::builder::STRING_BUILDER;
use super::compare::STRING_COMPARISON;
use super::comparer::STRING_COMPARER;
use super::encoding::ENCODING;
use super::io::{STRING_READER, STRING_WRITER};
use super::regex::{REGEX, REGEX_OPTIONS};
use super::split::STRING_SPLIT_OPTIONS;
use super::{CHAR, STRING};

fn s(x: &'static str) -> Value<'static> {
    Value::str(x)
}

fn e(ty: &'static TypeDef, name: &str) -> Value<'static> {
    let v = ty
        .enum_values
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap();
    Value::Enum(ty, v)
}

fn call(rt: &mut TestRt, recv: Value<'static>, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    call_member(rt, recv, name, &[], args).unwrap_or_else(|| panic!("no member {name}"))
}

fn st(rt: &mut TestRt, ty: &'static TypeDef, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    call_static(rt, ty, name, &[], args).unwrap_or_else(|| panic!("no static {name}"))
}

fn get(rt: &mut TestRt, recv: Value<'static>, name: &str) -> Value<'static> {
    get_member(rt, recv, name).unwrap().unwrap()
}

fn txt(r: EvalResult<Value<'static>>) -> String {
    to_text_plain(&r.unwrap())
}

fn kind(r: EvalResult<Value<'static>>) -> EvalErrorKind {
    r.unwrap_err().kind
}

fn strings(v: &Value<'static>) -> Vec<String> {
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

#[test]
fn string_builder() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let sb = construct(r, &TypeRef::of(&STRING_BUILDER), &[]).unwrap();
    let same = call(r, sb.clone(), "Append", &[s("a")]).unwrap();
    let (Value::Obj(x), Value::Obj(y)) = (&sb, &same) else {
        panic!()
    };
    assert!(std::rc::Rc::ptr_eq(x, y));
    call(r, sb.clone(), "Append", &[Value::Int(1)]).unwrap();
    call(r, sb.clone(), "Append", &[Value::Char('x'), Value::Int(2)]).unwrap();
    call(r, sb.clone(), "AppendLine", &[s("!")]).unwrap();
    call(r, sb.clone(), "AppendFormat", &[s("{0}-{1}"), s("p"), s("q")]).unwrap();
    assert_eq!(txt(call(r, sb.clone(), "ToString", &[])), "a1xx!\np-q");
    call(r, sb.clone(), "Insert", &[Value::Int(0), s(">")]).unwrap();
    call(r, sb.clone(), "Remove", &[Value::Int(1), Value::Int(1)]).unwrap();
    call(r, sb.clone(), "Replace", &[s("xx"), s("y")]).unwrap();
    assert_eq!(txt(call(r, sb.clone(), "ToString", &[])), ">1y!\np-q");
    assert_eq!(txt(Ok(get(r, sb.clone(), "Length"))), "8");
    set_index(r, &sb, Value::Int(0), Value::Char('<')).unwrap().unwrap();
    assert_eq!(txt(index(r, sb.clone(), Value::Int(0)).unwrap()), "<");
    set_member(r, &sb, "Length", Value::Int(2)).unwrap().unwrap();
    assert_eq!(txt(call(r, sb.clone(), "ToString", &[])), "<1");
    assert_eq!(
        txt(call(r, sb.clone(), "ToString", &[Value::Int(1), Value::Int(1)])),
        "1"
    );
    assert_eq!(
        kind(call(r, sb.clone(), "Remove", &[Value::Int(1), Value::Int(5)])),
        EvalErrorKind::ArgumentOutOfRange
    );
    call(r, sb.clone(), "Clear", &[]).unwrap();
    assert_eq!(txt(Ok(get(r, sb.clone(), "Length"))), "0");
    let sb2 = construct(r, &TypeRef::of(&STRING_BUILDER), &[s("init"), Value::Int(100)]).unwrap();
    assert_eq!(txt(Ok(get(r, sb2.clone(), "Capacity"))), "100");
    assert_eq!(txt(call(r, sb2, "ToString", &[])), "init");
}

#[test]
fn string_builder_runaway_fails_the_budget() {
    let mut rt = TestRt::new();
    rt.max_bytes = 10_000;
    let sb = construct(&mut rt, &TypeRef::of(&STRING_BUILDER), &[]).unwrap();
    let mut err = None;
    for _ in 0..10_000 {
        if let Err(e) = call(&mut rt, sb.clone(), "Append", &[s("0123456789")]) {
            err = Some(e);
            break;
        }
    }
    assert_eq!(err.unwrap().kind, EvalErrorKind::Budget);
}

#[test]
fn encodings() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let utf8 = get_static(r, &ENCODING, "UTF8").unwrap().unwrap();
    let b = call(r, utf8.clone(), "GetBytes", &[s("hé")]).unwrap();
    assert_eq!(Array::to_bytes(&b).unwrap(), [0x68, 0xC3, 0xA9]);
    assert_eq!(txt(call(r, utf8.clone(), "GetString", &[b])), "hé");
    assert_eq!(
        txt(call(
            r,
            utf8.clone(),
            "GetString",
            &[Array::bytes(vec![0x61, 0xFF, 0x62])]
        )),
        "a\u{FFFD}b"
    );
    assert_eq!(
        txt(call(
            r,
            utf8.clone(),
            "GetString",
            &[Array::bytes(vec![0x61, 0x62, 0x63]), Value::Int(1), Value::Int(2)]
        )),
        "bc"
    );
    assert_eq!(txt(Ok(get(r, utf8.clone(), "WebName"))), "utf-8");
    assert_eq!(
        Array::to_bytes(&call(r, utf8, "GetPreamble", &[]).unwrap()).unwrap(),
        [0xEF, 0xBB, 0xBF]
    );
    let ascii = get_static(r, &ENCODING, "ASCII").unwrap().unwrap();
    assert_eq!(
        Array::to_bytes(&call(r, ascii.clone(), "GetBytes", &[s("é!")]).unwrap()).unwrap(),
        b"?!"
    );
    assert_eq!(
        txt(call(r, ascii, "GetString", &[Array::bytes(vec![0x41, 0xE9])])),
        "A?"
    );
    let uni = get_static(r, &ENCODING, "Unicode").unwrap().unwrap();
    assert_eq!(
        Array::to_bytes(&call(r, uni.clone(), "GetBytes", &[s("A")]).unwrap()).unwrap(),
        [0x41, 0]
    );
    assert_eq!(txt(call(r, uni, "GetByteCount", &[s("😀")])), "4");
    let latin1 = st(r, &ENCODING, "GetEncoding", &[s("ISO-8859-1")]).unwrap();
    assert_eq!(txt(Ok(get(r, latin1.clone(), "CodePage"))), "28591");
    assert_eq!(txt(call(r, latin1, "GetString", &[Array::bytes(vec![0xE9])])), "é");
    let by_cp = st(r, &ENCODING, "GetEncoding", &[Value::Int(65001)]).unwrap();
    assert_eq!(txt(Ok(get(r, by_cp, "EncodingName"))), "Unicode (UTF-8)");
    assert_eq!(
        kind(st(r, &ENCODING, "GetEncoding", &[s("klingon")])),
        EvalErrorKind::Argument
    );
}

fn groups(rt: &mut TestRt, m: &Value<'static>, key: Value<'static>) -> Value<'static> {
    let g = get(rt, m.clone(), "Groups");
    index(rt, g, key).unwrap().unwrap()
}

#[test]
fn regex_matching() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let m = st(
        r,
        &REGEX,
        "Match",
        &[s("public, max-age=60"), s(r"max-age=(?<maxAge>\d+)")],
    )
    .unwrap();
    assert_eq!(txt(Ok(get(r, m.clone(), "Success"))), "True");
    assert_eq!(txt(Ok(get(r, m.clone(), "Index"))), "8");
    let g = groups(r, &m, s("maxAge"));
    assert_eq!(txt(Ok(get(r, g.clone(), "Value"))), "60");
    assert_eq!(txt(Ok(get(r, g, "Name"))), "maxAge");
    let g1 = groups(r, &m, Value::Int(1));
    assert_eq!(txt(Ok(get(r, g1, "Value"))), "60");
    let missing = groups(r, &m, s("nope"));
    assert_eq!(txt(Ok(get(r, missing.clone(), "Success"))), "False");
    assert_eq!(txt(Ok(get(r, missing, "Value"))), "");
    let none = st(r, &REGEX, "Match", &[s("abc"), s(r"\d")]).unwrap();
    assert_eq!(txt(Ok(get(r, none.clone(), "Success"))), "False");
    assert_eq!(txt(Ok(get(r, none, "Value"))), "");
    // UTF-16 positions.
    let m = st(r, &REGEX, "Match", &[s("😀é-x"), s("x")]).unwrap();
    assert_eq!(txt(Ok(get(r, m, "Index"))), "4");
    // Options.
    let ic = e(&REGEX_OPTIONS, "IgnoreCase");
    assert_eq!(txt(st(r, &REGEX, "IsMatch", &[s("HELLO"), s("^hello$"), ic])), "True");
    assert_eq!(txt(st(r, &REGEX, "IsMatch", &[s("HELLO"), s("(?i)^hello$")])), "True");
    // Matches, NextMatch.
    let ms = st(r, &REGEX, "Matches", &[s("a1b22c333"), s(r"\d+")]).unwrap();
    assert_eq!(txt(Ok(get(r, ms.clone(), "Count"))), "3");
    let third = index(r, ms.clone(), Value::Int(2)).unwrap().unwrap();
    assert_eq!(txt(Ok(get(r, third, "Value"))), "333");
    let first = index(r, ms, Value::Int(0)).unwrap().unwrap();
    let second = call(r, first, "NextMatch", &[]).unwrap();
    assert_eq!(txt(Ok(get(r, second, "Value"))), "22");
    let empties = st(r, &REGEX, "Matches", &[s("aab"), s("a*")]).unwrap();
    assert_eq!(txt(Ok(get(r, empties, "Count"))), "3");
    // Result and Captures.
    let m = st(r, &REGEX, "Match", &[s("John Smith"), s(r"(\w+) (\w+)")]).unwrap();
    assert_eq!(txt(call(r, m.clone(), "Result", &[s("$2, $1")])), "Smith, John");
    let caps = get(r, m.clone(), "Captures");
    assert_eq!(txt(Ok(get(r, caps, "Count"))), "1");
    let gs = get(r, m, "Groups");
    assert_eq!(txt(Ok(get(r, gs, "Count"))), "3");
    let empty = get_static(r, &super::regex::matching::MATCH, "Empty").unwrap().unwrap();
    assert_eq!(txt(Ok(get(r, empty, "Success"))), "False");
}

#[test]
fn regex_replace_split_and_refusals() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    assert_eq!(
        txt(st(
            r,
            &REGEX,
            "Replace",
            &[s("2024-01-02"), s(r"(\d+)-(\d+)-(\d+)"), s("$3/$2/$1")]
        )),
        "02/01/2024"
    );
    assert_eq!(
        txt(st(r, &REGEX, "Replace", &[s("a b"), s(r"(?<w>\w)"), s("[${w}]")])),
        "[a] [b]"
    );
    assert_eq!(txt(st(r, &REGEX, "Replace", &[s("a.b"), s(r"\."), s("$$")])), "a$b");
    let upper = r.lambda(|args| {
        let v = crate::library::get_member(&mut TestRt::new(), args[0].clone(), "Value").unwrap()?;
        Ok(Value::string(to_text_plain(&v).to_uppercase()))
    });
    assert_eq!(txt(st(r, &REGEX, "Replace", &[s("ab cd"), s(r"\w+"), upper])), "AB CD");
    let re = construct(r, &TypeRef::of(&REGEX), &[s("x")]).unwrap();
    assert_eq!(
        txt(call(r, re.clone(), "Replace", &[s("xxx"), s("y"), Value::Int(2)])),
        "yyx"
    );
    assert_eq!(txt(call(r, re.clone(), "ToString", &[])), "x");
    let v = call(r, re, "Split", &[s("axbxc")]).unwrap();
    assert_eq!(strings(&v), ["a", "b", "c"]);
    let v = st(r, &REGEX, "Split", &[s("a1b2c"), s(r"(\d)")]).unwrap();
    assert_eq!(strings(&v), ["a", "1", "b", "2", "c"]);
    assert_eq!(txt(st(r, &REGEX, "Unescape", &[s(r"a\.b\t")])), "a.b\t");
    for (p, what) in [
        (r"(a)\1", "backreference"),
        (r"(?=x)", "Lookahead"),
        (r"(?<=x)", "Lookbehind"),
        (r"(?>x)", "atomic"),
        (r"(?(x)a|b)", "conditional"),
    ] {
        let err = st(r, &REGEX, "IsMatch", &[s("x"), s(p)]).unwrap_err();
        assert_eq!(err.kind, EvalErrorKind::Argument);
        assert!(
            err.message.contains(what) && err.message.contains("no backtracking"),
            "{}",
            err.message
        );
    }
    assert_eq!(
        kind(st(r, &REGEX, "IsMatch", &[s("x"), s("(")])),
        EvalErrorKind::Argument
    );
    let rtl = e(&REGEX_OPTIONS, "RightToLeft");
    assert_eq!(
        kind(construct(r, &TypeRef::of(&REGEX), &[s("x"), rtl])),
        EvalErrorKind::NotSupported
    );
    assert!(call_static(r, &REGEX, "Escape", &[], &[s("x")]).is_none());
    // A pathological pattern for backtracking engines is linear here.
    let input = Value::string("a".repeat(5000) + "!");
    assert_eq!(txt(st(r, &REGEX, "IsMatch", &[input, s(r"^(a+)+$")])), "False");
}

#[test]
fn comparers_reader_writer() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let oic = get_static(r, &STRING_COMPARER, "OrdinalIgnoreCase").unwrap().unwrap();
    assert_eq!(super::comparer_ignores_case(&oic), Some(true));
    assert_eq!(txt(call(r, oic.clone(), "Equals", &[s("ABC"), s("abc")])), "True");
    let h1 = call(r, oic.clone(), "GetHashCode", &[s("ABC")]).unwrap();
    let h2 = call(r, oic, "GetHashCode", &[s("abc")]).unwrap();
    assert_eq!(to_text_plain(&h1), to_text_plain(&h2));
    let ord = get_static(r, &STRING_COMPARER, "Ordinal").unwrap().unwrap();
    assert_eq!(super::comparer_ignores_case(&ord), Some(false));
    assert_eq!(super::comparer_ignores_case(&s("x")), None);
    assert_eq!(txt(call(r, ord, "Compare", &[s("a"), s("b")])), "-1");

    let rd = construct(r, &TypeRef::of(&STRING_READER), &[s("l1\r\nl2\nl3")]).unwrap();
    assert_eq!(txt(call(r, rd.clone(), "Peek", &[])), "108");
    assert_eq!(txt(call(r, rd.clone(), "ReadLine", &[])), "l1");
    assert_eq!(txt(call(r, rd.clone(), "Read", &[])), "108");
    assert_eq!(txt(call(r, rd.clone(), "ReadToEnd", &[])), "2\nl3");
    assert!(call(r, rd.clone(), "ReadLine", &[]).unwrap().is_null());
    assert_eq!(txt(call(r, rd, "Read", &[])), "-1");

    let wr = construct(r, &TypeRef::of(&STRING_WRITER), &[]).unwrap();
    call(r, wr.clone(), "Write", &[s("a")]).unwrap();
    call(
        r,
        wr.clone(),
        "WriteLine",
        &[s("{0}+{1}"), Value::Int(1), Value::Int(2)],
    )
    .unwrap();
    let sb = call(r, wr.clone(), "GetStringBuilder", &[]).unwrap();
    call(r, sb, "Append", &[s("z")]).unwrap();
    assert_eq!(txt(call(r, wr, "ToString", &[])), "a1+2\nz");
}

/// Random patterns, inputs and indices: errors are fine, panics are not.
#[test]
fn no_panic_on_random_input() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let alphabet: Vec<char> = r"ab01 ()[]{}\\^$.|*+?-:<>'=!#,&~dwsbBpPkuxc^é😀".chars().collect();
    let mut rt = TestRt::new();
    for _ in 0..3000 {
        let n = rng.gen_range(0..12);
        let p: String = (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())]).collect();
        let input: String = (0..rng.gen_range(0..8))
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        let input = Value::string(input);
        let opts = Value::Enum(&REGEX_OPTIONS, [0, 1, 4, 32, 256, 2 | 16][rng.gen_range(0..6)]);
        let pv = Value::string(p);
        for name in ["IsMatch", "Matches", "Split"] {
            let _ = call_static(&mut rt, &REGEX, name, &[], &[input.clone(), pv.clone(), opts.clone()]);
        }
        let _ = call_static(
            &mut rt,
            &REGEX,
            "Replace",
            &[],
            &[input.clone(), pv.clone(), s("$1${x}$&$`$'$+$_$$")],
        );
        let _ = call_static(&mut rt, &REGEX, "Unescape", &[], &[pv.clone()]);
        let _ = call_static(&mut rt, &STRING, "Format", &[], &[pv.clone(), input.clone()]);
        let i = Value::Int(rng.gen_range(-2..10));
        let j = Value::Int(rng.gen_range(-2..10));
        for name in [
            "Substring",
            "Remove",
            "IndexOf",
            "LastIndexOf",
            "Insert",
            "PadLeft",
            "ToCharArray",
        ] {
            let _ = call_member(&mut rt, input.clone(), name, &[], &[i.clone(), j.clone()]);
            let _ = call_member(&mut rt, input.clone(), name, &[], &[i.clone()]);
        }
        let _ = call_member(
            &mut rt,
            input.clone(),
            "IndexOf",
            &[],
            &[pv.clone(), i.clone(), j.clone()],
        );
        let _ = call_member(
            &mut rt,
            input.clone(),
            "LastIndexOf",
            &[],
            &[pv.clone(), i.clone(), j.clone()],
        );
        let _ = call_member(&mut rt, input.clone(), "Insert", &[], &[i.clone(), pv.clone()]);
        let _ = index(&mut rt, input.clone(), i.clone());
        let sb = construct(&mut rt, &TypeRef::of(&STRING_BUILDER), &[input.clone()]).unwrap();
        let _ = call(&mut rt, sb.clone(), "Insert", &[i.clone(), pv.clone()]);
        let _ = call(&mut rt, sb.clone(), "Remove", &[i.clone(), j.clone()]);
        let _ = call(
            &mut rt,
            sb.clone(),
            "Replace",
            &[pv.clone(), s("x"), i.clone(), j.clone()],
        );
        let _ = set_index(&mut rt, &sb, i.clone(), Value::Char('z'));
        let _ = set_member(&mut rt, &sb, "Length", j.clone());
        let _ = call(&mut rt, sb, "ToString", &[i.clone(), j.clone()]);
        let _ = super::compare_invariant(pv.as_str().unwrap_or(""), input.as_str().unwrap_or(""));
    }
}
