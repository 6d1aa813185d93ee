//! StringBuilder, Encoding, StringComparer, StringReader/Writer.

use super::*;

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

#[test]
fn comparers_reader_writer() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let oic = get_static(r, &STRING_COMPARER, "OrdinalIgnoreCase").unwrap().unwrap();
    assert_eq!(crate::library::text::comparer_ignores_case(&oic), Some(true));
    assert_eq!(txt(call(r, oic.clone(), "Equals", &[s("ABC"), s("abc")])), "True");
    let h1 = call(r, oic.clone(), "GetHashCode", &[s("ABC")]).unwrap();
    let h2 = call(r, oic, "GetHashCode", &[s("abc")]).unwrap();
    assert_eq!(to_text_plain(&h1), to_text_plain(&h2));
    let ord = get_static(r, &STRING_COMPARER, "Ordinal").unwrap().unwrap();
    assert_eq!(crate::library::text::comparer_ignores_case(&ord), Some(false));
    assert_eq!(crate::library::text::comparer_ignores_case(&s("x")), None);
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
