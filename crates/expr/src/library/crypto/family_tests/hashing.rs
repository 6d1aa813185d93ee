//! Hashes, HMACs and `HashAlgorithmName`: RFC vectors.

use super::*;
use crate::library::collections::Array;
use crate::testing::TestRt;
use crate::types::TypeRef;
use crate::value::Value;

#[test]
fn hashes_match_the_published_vectors() {
    let mut rt = TestRt::new();
    let cases: [(&'static TypeDef, &str); 5] = [
        (&hash::MD5, "900150983cd24fb0d6963f7d28e17f72"),
        (&hash::SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (&hash::SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            &hash::SHA384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            &hash::SHA512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];
    for (def, want) in cases {
        let h = stat(&mut rt, def, "Create", &[]).unwrap();
        assert_eq!(
            hex_of(&call(&mut rt, &h, "ComputeHash", &[utf8("abc")]).unwrap()),
            want,
            "{}",
            def.name
        );
        assert_eq!(hex_of(&stat(&mut rt, def, "HashData", &[utf8("abc")]).unwrap()), want);
        // (buffer, offset, count)
        let r = call(
            &mut rt,
            &h,
            "ComputeHash",
            &[utf8("xabcx"), Value::Int(1), Value::Int(3)],
        )
        .unwrap();
        assert_eq!(hex_of(&r), want);
        assert_eq!(hex_of(&get(&mut rt, &h, "Hash").unwrap()), want);
        assert_eq!(get(&mut rt, &h, "HashSize").unwrap(), Value::Int(want.len() as i32 * 4));
        assert_eq!(sget(&mut rt, def, "HashSizeInBytes"), Value::Int(want.len() as i32 / 2));
    }
    let m = new(&mut rt, &hash::SHA256_MANAGED, &[]).unwrap();
    assert_eq!(m.type_name(), "SHA256Managed");
    assert!(crate::library::is_instance(&m, &TypeRef::of(&hash::SHA256)));
    assert!(crate::library::is_instance(&m, &TypeRef::of(&hash::HASH_ALGORITHM)));
    assert_eq!(
        hex_of(&call(&mut rt, &m, "ComputeHash", &[utf8("")]).unwrap()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn transform_blocks_then_final_block() {
    let mut rt = TestRt::new();
    let h = stat(&mut rt, &hash::SHA1, "Create", &[]).unwrap();
    assert_eq!(
        get(&mut rt, &h, "Hash").unwrap_err().kind,
        EvalErrorKind::Other("CryptographicUnexpectedOperationException")
    );
    let out = Array::bytes(vec![0; 4]);
    let n = call(
        &mut rt,
        &h,
        "TransformBlock",
        &[utf8("ab"), Value::Int(0), Value::Int(2), out.clone(), Value::Int(1)],
    );
    assert_eq!(n.unwrap(), Value::Int(2));
    assert_eq!(Array::to_bytes(&out).unwrap(), [0, b'a', b'b', 0]);
    let last = call(
        &mut rt,
        &h,
        "TransformFinalBlock",
        &[utf8("c"), Value::Int(0), Value::Int(1)],
    )
    .unwrap();
    assert_eq!(Array::to_bytes(&last).unwrap(), b"c");
    assert_eq!(
        hex_of(&get(&mut rt, &h, "Hash").unwrap()),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    // Bad ranges.
    let e = call(&mut rt, &h, "ComputeHash", &[utf8("abc"), Value::Int(2), Value::Int(2)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Argument);
    let e = call(&mut rt, &h, "ComputeHash", &[Value::Null]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::ArgumentNull);
    call(&mut rt, &h, "Dispose", &[]).unwrap();
    let e = call(&mut rt, &h, "ComputeHash", &[utf8("abc")]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("ObjectDisposedException"));
}

#[test]
fn hmacs_match_the_rfc_vectors() {
    let mut rt = TestRt::new();
    let data = "what do ya want for nothing?";
    let cases: [(&'static TypeDef, &str); 5] = [
        (&hash::HMACMD5, "750c783e6ab0b503eaa86e310a5db738"),
        (&hash::HMACSHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (&hash::HMACSHA256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (
            &hash::HMACSHA384,
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
        ),
        (
            &hash::HMACSHA512,
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ),
    ];
    for (def, want) in cases {
        let h = new(&mut rt, def, &[utf8("Jefe")]).unwrap();
        assert_eq!(
            hex_of(&call(&mut rt, &h, "ComputeHash", &[utf8(data)]).unwrap()),
            want,
            "{}",
            def.name
        );
        assert_eq!(
            hex_of(&stat(&mut rt, def, "HashData", &[utf8("Jefe"), utf8(data)]).unwrap()),
            want
        );
        assert_eq!(Array::to_bytes(&get(&mut rt, &h, "Key").unwrap()).unwrap(), b"Jefe");
        // A key set later is used.
        let h = new(&mut rt, def, &[]).unwrap();
        assert!(Array::to_bytes(&get(&mut rt, &h, "Key").unwrap()).unwrap().len() >= 64);
        set(&mut rt, &h, "Key", utf8("Jefe")).unwrap();
        assert_eq!(hex_of(&call(&mut rt, &h, "ComputeHash", &[utf8(data)]).unwrap()), want);
    }
    // The example.
    let h = new(&mut rt, &hash::HMACSHA256, &[utf8("key")]).unwrap();
    let r = call(
        &mut rt,
        &h,
        "ComputeHash",
        &[utf8("The quick brown fox jumps over the lazy dog")],
    )
    .unwrap();
    assert_eq!(b64_of(&r), "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
    assert_eq!(s(get(&mut rt, &h, "HashName")), "SHA256");
    assert!(crate::library::is_instance(
        &h,
        &TypeRef::of(&hash::KEYED_HASH_ALGORITHM)
    ));
    assert!(crate::library::is_instance(&h, &TypeRef::of(&hash::HMAC)));
    // RFC 4231 case 6: a key longer than the block.
    let long = Array::bytes(vec![0xaa; 131]);
    let r = stat(
        &mut rt,
        &hash::HMACSHA256,
        "HashData",
        &[long, utf8("Test Using Larger Than Block-Size Key - Hash Key First")],
    );
    assert_eq!(
        hex_of(&r.unwrap()),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    assert_eq!(
        new(&mut rt, &hash::HMACSHA256, &[Value::Null]).unwrap_err().kind,
        EvalErrorKind::ArgumentNull
    );
}

#[test]
fn create_by_name() {
    let mut rt = TestRt::new();
    let h = stat(&mut rt, &hash::HASH_ALGORITHM, "Create", &[Value::str("SHA-256")]).unwrap();
    assert_eq!(h.type_name(), "SHA256");
    let h = stat(
        &mut rt,
        &hash::HASH_ALGORITHM,
        "Create",
        &[Value::str("System.Security.Cryptography.HMACSHA1")],
    )
    .unwrap();
    assert_eq!(h.type_name(), "HMACSHA1");
    assert_eq!(
        stat(&mut rt, &hash::HASH_ALGORITHM, "Create", &[Value::str("nope")]).unwrap(),
        Value::Null
    );
    assert_eq!(
        stat(&mut rt, &hash::HMAC, "Create", &[Value::str("SHA256")]).unwrap(),
        Value::Null
    );
    assert_eq!(
        stat(&mut rt, &hash::HMAC, "Create", &[Value::str("HMACSHA512")])
            .unwrap()
            .type_name(),
        "HMACSHA512"
    );
    assert!(stat(&mut rt, &hash::HASH_ALGORITHM, "Create", &[]).is_err());
}

#[test]
fn hash_algorithm_names() {
    let mut rt = TestRt::new();
    let a = sget(&mut rt, &hash_name::HASH_ALGORITHM_NAME, "SHA256");
    let b = new(&mut rt, &hash_name::HASH_ALGORITHM_NAME, &[Value::str("SHA256")]).unwrap();
    assert_eq!(s(get(&mut rt, &a, "Name")), "SHA256");
    assert_eq!(
        call(&mut rt, &a, "op_Equality", std::slice::from_ref(&b)).unwrap(),
        Value::Bool(true)
    );
    assert!(crate::library::equals(&a, &b));
    assert_eq!(crate::library::to_text_plain(&a), "SHA256");
    let d = new(&mut rt, &hash_name::HASH_ALGORITHM_NAME, &[]).unwrap();
    assert_eq!(get(&mut rt, &d, "Name").unwrap(), Value::Null);
    let f = stat(
        &mut rt,
        &hash_name::HASH_ALGORITHM_NAME,
        "FromOid",
        &[Value::str("2.16.840.1.101.3.4.2.3")],
    )
    .unwrap();
    assert_eq!(s(get(&mut rt, &f, "Name")), "SHA512");
    assert!(stat(
        &mut rt,
        &hash_name::HASH_ALGORITHM_NAME,
        "FromOid",
        &[Value::str("1.2.3")]
    )
    .is_err());
}
