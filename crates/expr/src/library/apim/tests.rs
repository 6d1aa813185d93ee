//! Unit tests of the apim family through [`crate::testing::TestRt`].

use base64::Engine;

use super::*;
use crate::error::EvalErrorKind;
use crate::library::crypto::family_tests::{b64_of, call, get, hex_of, hexv, stat, utf8};
use crate::library::crypto::symmetric::SYMMETRIC_ALGORITHM;
use crate::library::time::datetime::DateTime;
use crate::testing::TestRt;
use crate::types::TypeRef;

fn s(v: EvalResult<Value<'static>>) -> String {
    match v.unwrap() {
        Value::Str(s) => s.into_owned(),
        v => panic!("not a string: {v:?}"),
    }
}

fn ext(rt: &mut TestRt, recv: Value<'static>, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    extension_call(rt, &recv, name, &[], args).unwrap_or_else(|| panic!("no extension {name}"))
}

fn token(header: &str, payload: &str) -> String {
    let e = |t: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(t);
    format!("{}.{}.c2ln", e(header), e(payload))
}

fn strings(v: &Value<'static>) -> Vec<String> {
    let Value::Obj(o) = v else { panic!("{v:?}") };
    o.items().unwrap().iter().map(crate::library::to_text_plain).collect()
}

#[test]
fn jwt_claims_and_dates() {
    let mut rt = TestRt::new();
    let t = token(
        r#"{"alg":"RS256","typ":"JWT","kid":"k"}"#,
        r#"{"iss":"https://issuer/","sub":"alice","aud":["api://a","api://b"],"exp":1700003600,"iat":1700000000,"nbf":1700000000.5,"jti":"id-1","roles":["admin","ops"],"n":42,"ok":true,"obj":{"a":1}}"#,
    );
    let jwt = ext(&mut rt, Value::string(format!("Bearer {t}")), "AsJwt", &[]).unwrap();
    assert_eq!(s(get(&mut rt, &jwt, "Algorithm")), "RS256");
    assert_eq!(s(get(&mut rt, &jwt, "Type")), "JWT");
    assert_eq!(s(get(&mut rt, &jwt, "Subject")), "alice");
    assert_eq!(s(get(&mut rt, &jwt, "Issuer")), "https://issuer/");
    assert_eq!(s(get(&mut rt, &jwt, "Id")), "id-1");
    assert_eq!(
        strings(&get(&mut rt, &jwt, "Audiences").unwrap()),
        ["api://a", "api://b"]
    );
    assert_eq!(
        get(&mut rt, &jwt, "ExpirationTime").unwrap(),
        Value::DateTime(DateTime::from_unix_seconds(1_700_003_600))
    );
    assert_eq!(
        get(&mut rt, &jwt, "NotBefore").unwrap(),
        Value::DateTime(DateTime::from_unix_seconds(1_700_000_000))
    );
    let claims = get(&mut rt, &jwt, "Claims").unwrap();
    assert_eq!(
        s(call(
            &mut rt,
            &claims,
            "GetValueOrDefault",
            &[Value::str("roles"), Value::str("")]
        )),
        "admin,ops"
    );
    assert_eq!(
        s(call(
            &mut rt,
            &claims,
            "GetValueOrDefault",
            &[Value::str("n"), Value::str("")]
        )),
        "42"
    );
    assert_eq!(
        s(call(
            &mut rt,
            &claims,
            "GetValueOrDefault",
            &[Value::str("ok"), Value::str("")]
        )),
        "true"
    );
    assert_eq!(
        s(call(
            &mut rt,
            &claims,
            "GetValueOrDefault",
            &[Value::str("obj"), Value::str("")]
        )),
        r#"{"a":1}"#
    );
    assert_eq!(
        s(call(
            &mut rt,
            &claims,
            "GetValueOrDefault",
            &[Value::str("none"), Value::str("d")]
        )),
        "d"
    );
    assert_eq!(
        call(&mut rt, &claims, "ContainsKey", &[Value::str("Sub")]).unwrap(),
        Value::Bool(false)
    );
    let Value::Obj(o) = &claims else { panic!() };
    let roles = o.index(&mut rt, Value::str("roles")).unwrap().unwrap();
    assert_eq!(strings(&roles), ["admin", "ops"]);
    assert_eq!(
        o.index(&mut rt, Value::str("x")).unwrap().unwrap_err().kind,
        EvalErrorKind::KeyNotFound
    );
    assert_eq!(o.items().unwrap().len(), 11);
    assert_eq!(
        call(&mut rt, &claims, "TryGetValue", &[Value::str("sub"), Value::Null]).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(strings(&rt.outs.last().unwrap().1), ["alice"]);
    // No dates: null.
    let jwt = ext(&mut rt, Value::string(token(r#"{"alg":"none"}"#, "{}")), "AsJwt", &[]).unwrap();
    assert_eq!(get(&mut rt, &jwt, "ExpirationTime").unwrap(), Value::Null);
    assert_eq!(get(&mut rt, &jwt, "Subject").unwrap(), Value::Null);
}

#[test]
fn invalid_jwts_are_null() {
    let mut rt = TestRt::new();
    for bad in ["", "abc", "a.b", "a.b.c.d", "e30.bm90IGpzb24.x", "W10.e30.x"] {
        assert_eq!(
            ext(&mut rt, Value::str(bad), "AsJwt", &[]).unwrap(),
            Value::Null,
            "{bad}"
        );
    }
    assert_eq!(ext(&mut rt, Value::Null, "AsJwt", &[]).unwrap(), Value::Null);
    assert_eq!(
        ext(&mut rt, Value::Null, "TryParseJwt", &[Value::Null]).unwrap(),
        Value::Bool(false)
    );
    let ok = ext(&mut rt, Value::string(token("{}", "{}")), "TryParseJwt", &[Value::Null]).unwrap();
    assert_eq!(ok, Value::Bool(true));
    assert_eq!(rt.outs.last().unwrap().0, 0);
    assert!(extension_call(&mut rt, &Value::Int(1), "AsJwt", &[], &[]).is_none());
    // Called statically, as published policies do: the out argument is the second.
    let r = crate::library::call_static(
        &mut rt,
        &APIM_EXTENSIONS,
        "TryParseJwt",
        &[],
        &[Value::string(token("{}", r#"{"tid":"t1"}"#)), Value::Null],
    );
    assert_eq!(r.unwrap().unwrap(), Value::Bool(true));
    assert_eq!(rt.outs.last().unwrap().0, 1);
}

#[test]
fn basic_credentials() {
    let mut rt = TestRt::new();
    let c = ext(&mut rt, Value::str("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), "AsBasic", &[]).unwrap();
    assert_eq!(s(get(&mut rt, &c, "UserId")), "aladdin");
    assert_eq!(s(get(&mut rt, &c, "Password")), "opensesame");
    assert_eq!(
        ext(&mut rt, Value::str("Basic ???"), "AsBasic", &[]).unwrap(),
        Value::Null
    );
    assert_eq!(
        ext(&mut rt, Value::Null, "TryParseBasic", &[Value::Null]).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        ext(
            &mut rt,
            Value::str("Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
            "TryParseBasic",
            &[Value::Null]
        )
        .unwrap(),
        Value::Bool(true)
    );
}

const KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const IV: &str = "000102030405060708090a0b0c0d0e0f";

#[test]
fn encrypt_and_decrypt_helpers() {
    let mut rt = TestRt::new();
    // NIST SP 800-38A F.2.1's first block, plus PKCS7's padding block.
    let ct = ext(
        &mut rt,
        hexv("6bc1bee22e409f96e93d7e117393172a"),
        "Encrypt",
        &[Value::str("Aes"), hexv(KEY), hexv(IV)],
    )
    .unwrap();
    assert!(hex_of(&ct).starts_with("7649abac8119b246cee98e9b12e9197d"));
    assert_eq!(hex_of(&ct).len(), 64);
    let pt = ext(
        &mut rt,
        ct.clone(),
        "Decrypt",
        &[Value::str("Aes"), hexv(KEY), hexv(IV)],
    )
    .unwrap();
    assert_eq!(hex_of(&pt), "6bc1bee22e409f96e93d7e117393172a");
    // With an algorithm object: its own key and IV, or given ones.
    let alg = stat(&mut rt, &SYMMETRIC_ALGORITHM, "Create", &[Value::str("AES")]).unwrap();
    let ct2 = ext(
        &mut rt,
        hexv("6bc1bee22e409f96e93d7e117393172a"),
        "Encrypt",
        &[alg.clone(), hexv(KEY), hexv(IV)],
    )
    .unwrap();
    assert_eq!(b64_of(&ct2), b64_of(&ct));
    let mine = ext(&mut rt, utf8("hello"), "Encrypt", std::slice::from_ref(&alg)).unwrap();
    let back = ext(&mut rt, mine, "Decrypt", &[alg]).unwrap();
    assert_eq!(Array::to_bytes(&back).unwrap(), b"hello");
    assert_eq!(
        ext(
            &mut rt,
            Value::Null,
            "Encrypt",
            &[Value::str("Aes"), hexv(KEY), hexv(IV)]
        )
        .unwrap(),
        Value::Null
    );
    let e = ext(&mut rt, utf8("x"), "Decrypt", &[Value::str("Aes"), hexv(KEY), hexv(IV)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
    assert!(ext(
        &mut rt,
        utf8("x"),
        "Encrypt",
        &[Value::str("Nope"), hexv(KEY), hexv(IV)]
    )
    .is_err());
}

#[test]
fn form_dictionary() {
    let mut rt = TestRt::new();
    let f = form_from_text(&mut rt, "a=1&b=x+y%21&a=2&c&d=%zz").unwrap();
    let Value::Obj(o) = &f else { panic!() };
    assert_eq!(
        strings(&o.index(&mut rt, Value::str("a")).unwrap().unwrap()),
        ["1", "2"]
    );
    assert_eq!(strings(&o.index(&mut rt, Value::str("b")).unwrap().unwrap()), ["x y!"]);
    assert_eq!(strings(&o.index(&mut rt, Value::str("c")).unwrap().unwrap()), [""]);
    assert_eq!(strings(&o.index(&mut rt, Value::str("d")).unwrap().unwrap()), ["%zz"]);
    assert_eq!(get(&mut rt, &f, "Count").unwrap(), Value::Int(4));
    o.set_index(&mut rt, Value::str("e"), Value::str("é &"))
        .unwrap()
        .unwrap();
    call(&mut rt, &f, "Remove", &[Value::str("c")]).unwrap();
    assert_eq!(
        s(call(&mut rt, &f, "ToFormUrlEncodedContent", &[])),
        "a=1&a=2&b=x+y%21&d=%25zz&e=%C3%A9+%26"
    );
    assert_eq!(
        s(call(&mut rt, &f, "ToQueryString", &[])),
        "a=1&a=2&b=x+y%21&d=%25zz&e=%C3%A9+%26"
    );
    assert!(call(&mut rt, &f, "Add", &[Value::str("a"), Value::str("3")]).is_err());
    assert_eq!(o.entries().unwrap().len(), 4);
}

#[test]
fn stored_responses() {
    let mut rt = TestRt::new();
    let r = response(
        200,
        "OK",
        vec![
            ("Content-Type".into(), "text/plain".into()),
            ("X-A".into(), "1".into()),
            ("x-a".into(), "2".into()),
        ],
        b"hello".to_vec(),
    );
    assert!(crate::library::is_instance(&r, &TypeRef::of(&message::IRESPONSE)));
    static IRESPONSE_IFACE: crate::types::TypeDef = crate::types::TypeDef {
        name: "IResponse",
        ..crate::types::TypeDef::EMPTY
    };
    assert!(crate::library::is_instance(&r, &TypeRef::of(&IRESPONSE_IFACE)));
    assert_eq!(get(&mut rt, &r, "StatusCode").unwrap(), Value::Int(200));
    assert_eq!(s(get(&mut rt, &r, "StatusReason")), "OK");
    let h = get(&mut rt, &r, "Headers").unwrap();
    assert_eq!(
        s(call(
            &mut rt,
            &h,
            "GetValueOrDefault",
            &[Value::str("x-A"), Value::str("")]
        )),
        "1,2"
    );
    let body = get(&mut rt, &r, "Body").unwrap();
    let Value::Obj(b) = &body else { panic!() };
    let string = TypeRef::of(&crate::library::text::STRING);
    let as_string = |rt: &mut TestRt, preserve: bool| {
        b.call(rt, b, "As", std::slice::from_ref(&string), &[Value::Bool(preserve)])
            .unwrap()
            .unwrap()
    };
    assert_eq!(as_string(&mut rt, true), Value::str("hello"));
    assert_eq!(as_string(&mut rt, false), Value::str("hello"));
    // Never consumed (see message.rs).
    assert_eq!(as_string(&mut rt, false), Value::str("hello"));
    let bytes = TypeRef::Array(Box::new(TypeRef::of(&crate::library::numbers::BYTE)));
    let r = response(500, "Oops", vec![], b"a=1".to_vec());
    let Value::Obj(b) = get(&mut rt, &r, "Body").unwrap() else {
        panic!()
    };
    let v = b
        .call(&mut rt, &b, "As", &[bytes], &[Value::Bool(true)])
        .unwrap()
        .unwrap();
    assert_eq!(Array::to_bytes(&v).unwrap(), b"a=1");
    let form = b
        .call(&mut rt, &b, "AsFormUrlEncodedContent", &[], &[])
        .unwrap()
        .unwrap();
    assert_eq!(form.type_name(), "FormUrlEncodedContent");
}

#[test]
fn stored_response_parts_and_bodies_that_are_not_json() {
    let mut rt = TestRt::new();
    let headers = vec![
        ("Content-Type".to_owned(), "text/html".to_owned()),
        ("X-A".to_owned(), "1".to_owned()),
        ("x-a".to_owned(), "2".to_owned()),
    ];
    let r = response(503, "Busy", headers, b"<html>down</html>".to_vec());
    let parts = response_parts(&r).unwrap();
    assert_eq!((parts.status, parts.reason.as_str()), (503, "Busy"));
    assert_eq!(
        parts.headers,
        vec![
            ("Content-Type".to_owned(), "text/html".to_owned()),
            ("X-A".to_owned(), "1".to_owned()),
            ("X-A".to_owned(), "2".to_owned()),
        ],
        "repeated fields keep their values, under the first spelling"
    );
    assert_eq!(parts.body, b"<html>down</html>");
    assert!(response_parts(&Value::str("not a response")).is_none());
    assert!(response_parts(&request("GET", vec![], vec![])).is_none());
    // Reading a body that is not JSON as a JObject fails with a reader error.
    let Value::Obj(b) = get(&mut rt, &r, "Body").unwrap() else {
        panic!()
    };
    let jobject = TypeRef::of(&crate::library::json::types::JOBJECT);
    let err = b.call(&mut rt, &b, "As", &[jobject], &[]).unwrap().unwrap_err();
    assert!(!err.to_string().is_empty(), "{err}");
}
