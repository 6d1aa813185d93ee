//! Unit tests of the net family through [`crate::testing::TestRt`].

use super::*;
use crate::error::EvalErrorKind;
use crate::library::collections::Array;
use crate::library::crypto::family_tests::{call, get, new, set, sget, stat};
use crate::testing::TestRt;
use crate::value::Value;

fn s(v: crate::error::EvalResult<Value<'static>>) -> String {
    match v.unwrap() {
        Value::Str(s) => s.into_owned(),
        v => panic!("not a string: {v:?}"),
    }
}

fn uri(rt: &mut TestRt, text: &str) -> Value<'static> {
    new(rt, &uri::URI, &[Value::string(text)]).unwrap()
}

#[test]
fn uri_members_as_dotnet() {
    let mut rt = TestRt::new();
    let u = uri(&mut rt, "HTTPS://User:Pw@Example.COM:443/a/../b/./c%20d?x=1&y=%26#frag");
    assert_eq!(
        s(get(&mut rt, &u, "AbsoluteUri")),
        "https://User:Pw@example.com/b/c%20d?x=1&y=%26#frag"
    );
    assert_eq!(s(get(&mut rt, &u, "Scheme")), "https");
    assert_eq!(s(get(&mut rt, &u, "Host")), "example.com");
    assert_eq!(get(&mut rt, &u, "Port").unwrap(), Value::Int(443));
    assert_eq!(get(&mut rt, &u, "IsDefaultPort").unwrap(), Value::Bool(true));
    assert_eq!(s(get(&mut rt, &u, "Authority")), "example.com");
    assert_eq!(s(get(&mut rt, &u, "UserInfo")), "User:Pw");
    assert_eq!(s(get(&mut rt, &u, "AbsolutePath")), "/b/c%20d");
    assert_eq!(s(get(&mut rt, &u, "LocalPath")), "/b/c d");
    assert_eq!(s(get(&mut rt, &u, "PathAndQuery")), "/b/c%20d?x=1&y=%26");
    assert_eq!(s(get(&mut rt, &u, "Query")), "?x=1&y=%26");
    assert_eq!(s(get(&mut rt, &u, "Fragment")), "#frag");
    let segs = get(&mut rt, &u, "Segments").unwrap();
    assert_eq!(crate::library::to_text_plain(&segs), "System.String[]");
    let Value::Obj(o) = &segs else { panic!() };
    let items: Vec<String> = o.items().unwrap().iter().map(crate::library::to_text_plain).collect();
    assert_eq!(items, ["/", "b/", "c%20d"]);
    assert_eq!(
        crate::library::to_text_plain(&u),
        "https://User:Pw@example.com/b/c d?x=1&y=%26#frag"
    );
    assert_eq!(
        s(get(&mut rt, &u, "OriginalString")),
        "HTTPS://User:Pw@Example.COM:443/a/../b/./c%20d?x=1&y=%26#frag"
    );
    let part = |p| Value::Enum(&uri::URI_PARTIAL, p);
    assert_eq!(s(call(&mut rt, &u, "GetLeftPart", &[part(0)])), "https://");
    assert_eq!(
        s(call(&mut rt, &u, "GetLeftPart", &[part(1)])),
        "https://User:Pw@example.com"
    );
    assert_eq!(
        s(call(&mut rt, &u, "GetLeftPart", &[part(2)])),
        "https://User:Pw@example.com/b/c%20d"
    );
    assert_eq!(
        s(call(&mut rt, &u, "GetLeftPart", &[part(3)])),
        "https://User:Pw@example.com/b/c%20d?x=1&y=%26"
    );
    let p = uri(&mut rt, "http://127.0.0.1:8080/");
    assert_eq!(get(&mut rt, &p, "IsLoopback").unwrap(), Value::Bool(true));
    assert_eq!(s(get(&mut rt, &p, "Authority")), "127.0.0.1:8080");
    assert_eq!(
        format!("{:?}", get(&mut rt, &p, "HostNameType").unwrap()),
        "UriHostNameType.IPv4"
    );
    let v6 = uri(&mut rt, "http://[::1]/x");
    assert_eq!(s(get(&mut rt, &v6, "Host")), "[::1]");
    assert_eq!(s(get(&mut rt, &v6, "DnsSafeHost")), "::1");
}

#[test]
fn uri_construction_and_errors() {
    let mut rt = TestRt::new();
    let fmt = EvalErrorKind::Other("UriFormatException");
    assert_eq!(new(&mut rt, &uri::URI, &[Value::str("")]).unwrap_err().kind, fmt);
    assert_eq!(
        new(&mut rt, &uri::URI, &[Value::str("not a uri")]).unwrap_err().kind,
        fmt
    );
    assert_eq!(new(&mut rt, &uri::URI, &[Value::str("http://")]).unwrap_err().kind, fmt);
    assert_eq!(
        new(&mut rt, &uri::URI, &[Value::Null]).unwrap_err().kind,
        EvalErrorKind::ArgumentNull
    );
    let kind = |k| Value::Enum(&uri::URI_KIND, k);
    let rel = new(&mut rt, &uri::URI, &[Value::str("a/b?c"), kind(2)]).unwrap();
    assert_eq!(get(&mut rt, &rel, "IsAbsoluteUri").unwrap(), Value::Bool(false));
    assert_eq!(crate::library::to_text_plain(&rel), "a/b?c");
    assert_eq!(
        get(&mut rt, &rel, "Host").unwrap_err().kind,
        EvalErrorKind::InvalidOperation
    );
    assert!(new(&mut rt, &uri::URI, &[Value::str("http://x/"), kind(2)]).is_err());
    let base = uri(&mut rt, "http://example.com/api/v1/items?x=1");
    let joined = new(&mut rt, &uri::URI, &[base.clone(), Value::str("../v2/things?y=2")]).unwrap();
    assert_eq!(
        s(get(&mut rt, &joined, "AbsoluteUri")),
        "http://example.com/api/v2/things?y=2"
    );
    // TryCreate and IsWellFormedUriString.
    assert_eq!(
        stat(
            &mut rt,
            &uri::URI,
            "TryCreate",
            &[Value::str("http://a/b"), kind(1), Value::Null]
        )
        .unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        stat(
            &mut rt,
            &uri::URI,
            "TryCreate",
            &[Value::str("nope"), kind(1), Value::Null]
        )
        .unwrap(),
        Value::Bool(false)
    );
    assert_eq!(rt.outs.last().unwrap().1, Value::Null);
    assert_eq!(
        stat(
            &mut rt,
            &uri::URI,
            "IsWellFormedUriString",
            &[Value::str("http://a/b c"), kind(1)]
        )
        .unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        stat(
            &mut rt,
            &uri::URI,
            "IsWellFormedUriString",
            &[Value::str("http://a/b%20c"), kind(1)]
        )
        .unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        stat(
            &mut rt,
            &uri::URI,
            "IsWellFormedUriString",
            &[Value::str("/rel"), kind(2)]
        )
        .unwrap(),
        Value::Bool(true)
    );
    // Equality ignores the fragment and user info.
    let a = uri(&mut rt, "http://u@h/p#x");
    let b = uri(&mut rt, "http://h/p");
    assert_eq!(
        call(&mut rt, &a, "Equals", std::slice::from_ref(&b)).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        call(&mut rt, &a, "op_Inequality", &[Value::str("http://h/q")]).unwrap(),
        Value::Bool(true)
    );
    // MakeRelativeUri and IsBaseOf.
    let base = uri(&mut rt, "http://h/a/b/c");
    let target = uri(&mut rt, "http://h/a/d/e?q=1");
    let r = call(&mut rt, &base, "MakeRelativeUri", std::slice::from_ref(&target)).unwrap();
    assert_eq!(crate::library::to_text_plain(&r), "../d/e?q=1");
    let dir = uri(&mut rt, "http://h/a/");
    assert_eq!(call(&mut rt, &dir, "IsBaseOf", &[target]).unwrap(), Value::Bool(true));
    // Statics.
    assert_eq!(sget(&mut rt, &uri::URI, "UriSchemeHttps"), Value::str("https"));
    assert_eq!(
        s(stat(&mut rt, &uri::URI, "EscapeDataString", &[Value::str("a b/é")])),
        "a%20b%2F%C3%A9"
    );
    assert_eq!(
        s(stat(
            &mut rt,
            &uri::URI,
            "UnescapeDataString",
            &[Value::str("a%20b%2F")]
        )),
        "a b/"
    );
    assert_eq!(
        stat(&mut rt, &uri::URI, "EscapeDataString", &[Value::Null])
            .unwrap_err()
            .kind,
        EvalErrorKind::ArgumentNull
    );
    assert_eq!(s(stat(&mut rt, &uri::URI, "HexEscape", &[Value::Char('A')])), "%41");
}

#[test]
fn uri_builder() {
    let mut rt = TestRt::new();
    let b = new(
        &mut rt,
        &uri_builder::URI_BUILDER,
        &[Value::str("https://example.com/a?x=1")],
    )
    .unwrap();
    assert_eq!(get(&mut rt, &b, "Port").unwrap(), Value::Int(443));
    set(&mut rt, &b, "Path", Value::str("/v2/a b")).unwrap();
    set(&mut rt, &b, "Query", Value::str("y=2")).unwrap();
    set(&mut rt, &b, "Port", Value::Int(8443)).unwrap();
    assert_eq!(
        crate::library::to_text_plain(&b),
        "https://example.com:8443/v2/a%20b?y=2"
    );
    let u = get(&mut rt, &b, "Uri").unwrap();
    assert_eq!(s(get(&mut rt, &u, "Query")), "?y=2");
    let b = new(&mut rt, &uri_builder::URI_BUILDER, &[]).unwrap();
    assert_eq!(crate::library::to_text_plain(&b), "http://localhost/");
    let b = new(
        &mut rt,
        &uri_builder::URI_BUILDER,
        &[
            Value::str("HTTP"),
            Value::str("h"),
            Value::Int(80),
            Value::str("p"),
            Value::str("#f"),
        ],
    )
    .unwrap();
    assert_eq!(crate::library::to_text_plain(&b), "http://h/p#f");
    set(&mut rt, &b, "UserName", Value::str("me")).unwrap();
    set(&mut rt, &b, "Password", Value::str("pw")).unwrap();
    assert_eq!(s(call(&mut rt, &b, "ToString", &[])), "http://me:pw@h/p#f");
    let b = new(&mut rt, &uri_builder::URI_BUILDER, &[Value::str("example.org/x")]).unwrap();
    assert_eq!(s(get(&mut rt, &b, "Scheme")), "http");
    assert_eq!(s(get(&mut rt, &b, "Host")), "example.org");
}

#[test]
fn ip_addresses() {
    let mut rt = TestRt::new();
    let a = stat(&mut rt, &ip::IP_ADDRESS, "Parse", &[Value::str("127.0.0.1")]).unwrap();
    assert_eq!(crate::library::to_text_plain(&a), "127.0.0.1");
    assert_eq!(
        format!("{:?}", get(&mut rt, &a, "AddressFamily").unwrap()),
        "AddressFamily.InterNetwork"
    );
    assert_eq!(
        stat(&mut rt, &ip::IP_ADDRESS, "IsLoopback", std::slice::from_ref(&a)).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        Array::to_bytes(&call(&mut rt, &a, "GetAddressBytes", &[]).unwrap()).unwrap(),
        [127, 0, 0, 1]
    );
    let b = stat(&mut rt, &ip::IP_ADDRESS, "Parse", &[Value::str("2001:DB8:0:0::1")]).unwrap();
    assert_eq!(crate::library::to_text_plain(&b), "2001:db8::1");
    assert_eq!(
        format!("{:?}", get(&mut rt, &b, "AddressFamily").unwrap()),
        "AddressFamily.InterNetworkV6"
    );
    assert_eq!(
        call(&mut rt, &b, "Equals", std::slice::from_ref(&a)).unwrap(),
        Value::Bool(false)
    );
    let c = stat(&mut rt, &ip::IP_ADDRESS, "Parse", &[Value::str("fe80::1%3")]).unwrap();
    assert_eq!(crate::library::to_text_plain(&c), "fe80::1%3");
    assert_eq!(
        stat(&mut rt, &ip::IP_ADDRESS, "Parse", &[Value::str("300.1.1.1")])
            .unwrap_err()
            .kind,
        EvalErrorKind::Format
    );
    assert_eq!(
        stat(&mut rt, &ip::IP_ADDRESS, "TryParse", &[Value::str("::1"), Value::Null]).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        stat(&mut rt, &ip::IP_ADDRESS, "TryParse", &[Value::str("x"), Value::Null]).unwrap(),
        Value::Bool(false)
    );
}
