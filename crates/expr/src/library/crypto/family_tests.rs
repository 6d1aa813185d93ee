//! Unit tests of the crypto family through [`crate::testing::TestRt`]:
//! published test vectors (RFC 1321/3174/6234 hashes, RFC 2202/4231 HMACs,
//! NIST SP 800-38A AES), OpenSSL-made certificate and key
//! (`tests/data/README.md`), and .NET's exceptions.

use base64::Engine;

use super::*;
use crate::library::collections::Array;
use crate::library::time::datetime::DateTime;
use crate::testing::TestRt;
use crate::types::TypeRef;
use crate::value::Object;

pub(crate) const RSA_CERT: &[u8] = include_bytes!("../../../tests/data/rsa-cert.der");
pub(crate) const RSA_KEY: &[u8] = include_bytes!("../../../tests/data/rsa-key.pk8.der");

/// The gateway's EC test certificate (src/tls/info.rs), for identical output.
pub(crate) const EC_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIICDzCCAbSgAwIBAgIUFgSKK6nGfBb3Okqr9BGbJWin9uMwCgYIKoZIzj0EAwIw\nTDELMAkGA1UEBhMCTkwxFTATBgNVBAgMDFp1aWQtSG9sbGFuZDEVMBMGA1UECgwM\nRXhhbXBsZSwgSW5jMQ8wDQYDVQQDDAZjbGllbnQwHhcNMjYxMTIzMTUxNjI3WhcN\nMzYxMTIwMTUxNjI3WjBMMQswCQYDVQQGEwJOTDEVMBMGA1UECAwMWnVpZC1Ib2xs\nYW5kMRUwEwYDVQQKDAxFeGFtcGxlLCBJbmMxDzANBgNVBAMMBmNsaWVudDBZMBMG\nByqGSM49AgEGCCqGSM49AwEHA0IABHV82CsoNZykQLZXRTvxxjh47xHy2OoiED5u\nCZKDGwISkpdiOZJDhnvi3eDk3sznvuEycLyxyTbOvFGl8/gAdBWjdDByMB0GA1Ud\nDgQWBBR1vHJbXeftprVjYP9JYc+dGbcv6TAfBgNVHSMEGDAWgBR1vHJbXeftprVj\nYP9JYc+dGbcv6TAPBgNVHRMBAf8EBTADAQH/MB8GA1UdEQQYMBaCCWEuZXhhbXBs\nZYIJYi5leGFtcGxlMAoGCCqGSM49BAMCA0kAMEYCIQCrRpeV8c1URITIn0h3kCw8\n7eBporKPIjdL19YDPZ5e2AIhAMvqQJbB/oFwWU+x3VN3IB6XDAt9Kufk867SMspi\nfWBk\n-----END CERTIFICATE-----";

pub(crate) fn call(
    rt: &mut TestRt,
    v: &Value<'static>,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    let Value::Obj(o) = v else {
        panic!("not an object: {v:?}")
    };
    o.call(rt, o, name, &[], args)
        .unwrap_or_else(|| panic!("no member {name}"))
}

pub(crate) fn get(rt: &mut TestRt, v: &Value<'static>, name: &str) -> EvalResult<Value<'static>> {
    let Value::Obj(o) = v else {
        panic!("not an object: {v:?}")
    };
    o.get(rt, o, name).unwrap_or_else(|| panic!("no property {name}"))
}

pub(crate) fn set(rt: &mut TestRt, v: &Value<'static>, name: &str, x: Value<'static>) -> EvalResult<()> {
    let Value::Obj(o) = v else {
        panic!("not an object: {v:?}")
    };
    o.set(rt, name, x).unwrap_or_else(|| panic!("no settable {name}"))
}

pub(crate) fn stat(
    rt: &mut TestRt,
    def: &'static TypeDef,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    crate::library::call_static(rt, def, name, &[], args).unwrap_or_else(|| panic!("no static {name}"))
}

pub(crate) fn sget(rt: &mut TestRt, def: &'static TypeDef, name: &str) -> Value<'static> {
    crate::library::get_static(rt, def, name)
        .unwrap_or_else(|| panic!("no static {name}"))
        .unwrap()
}

pub(crate) fn new(rt: &mut TestRt, def: &'static TypeDef, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    crate::library::construct(rt, &TypeRef::of(def), args)
}

pub(crate) fn utf8(s: &str) -> Value<'static> {
    Array::bytes(s.as_bytes().to_vec())
}

pub(crate) fn hexv(h: &str) -> Value<'static> {
    Array::bytes(unhex(h))
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

pub(crate) fn hex_of(v: &Value<'static>) -> String {
    Array::to_bytes(v).unwrap().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn b64_of(v: &Value<'static>) -> String {
    base64::engine::general_purpose::STANDARD.encode(Array::to_bytes(v).unwrap())
}

fn s(v: EvalResult<Value<'static>>) -> String {
    match v.unwrap() {
        Value::Str(s) => s.into_owned(),
        v => panic!("not a string: {v:?}"),
    }
}

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

fn aes(rt: &mut TestRt, key: &str, iv: &str, mode: i64, padding: i64) -> Value<'static> {
    let a = stat(rt, &symmetric::SYMMETRIC_ALGORITHM, "Create", &[Value::str("Aes")]).unwrap();
    set(rt, &a, "Key", hexv(key)).unwrap();
    set(rt, &a, "IV", hexv(iv)).unwrap();
    set(rt, &a, "Mode", Value::Enum(&symmetric::CIPHER_MODE, mode)).unwrap();
    set(rt, &a, "Padding", Value::Enum(&symmetric::PADDING_MODE, padding)).unwrap();
    a
}

const K128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const K256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const IV: &str = "000102030405060708090a0b0c0d0e0f";
const P1: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51";

#[test]
fn aes_matches_nist_sp800_38a() {
    let mut rt = TestRt::new();
    let len = Value::Int(32);
    // F.2.1 CBC-AES128, F.2.5 CBC-AES256, F.1.1 ECB-AES128 (no padding).
    for (key, mode, want) in [
        (
            K128,
            1,
            "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2",
        ),
        (
            K256,
            1,
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d",
        ),
        (
            K128,
            2,
            "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf",
        ),
    ] {
        let a = aes(&mut rt, key, IV, mode, 1);
        let enc = call(&mut rt, &a, "CreateEncryptor", &[]).unwrap();
        let ct = call(
            &mut rt,
            &enc,
            "TransformFinalBlock",
            &[hexv(P1), Value::Int(0), len.clone()],
        )
        .unwrap();
        assert_eq!(hex_of(&ct), want);
        let dec = call(&mut rt, &a, "CreateDecryptor", &[]).unwrap();
        let pt = call(&mut rt, &dec, "TransformFinalBlock", &[ct, Value::Int(0), len.clone()]).unwrap();
        assert_eq!(hex_of(&pt), P1);
    }
    // The .NET 6 one-shots.
    let a = aes(&mut rt, K128, IV, 1, 2);
    let ct = call(
        &mut rt,
        &a,
        "EncryptCbc",
        &[hexv(P1), hexv(IV), Value::Enum(&symmetric::PADDING_MODE, 1)],
    )
    .unwrap();
    assert_eq!(
        hex_of(&ct),
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
    );
    let ct = call(
        &mut rt,
        &a,
        "EncryptEcb",
        &[hexv(P1), Value::Enum(&symmetric::PADDING_MODE, 1)],
    )
    .unwrap();
    assert_eq!(
        hex_of(&ct),
        "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
    );
}

#[test]
fn aes_padding_modes() {
    let mut rt = TestRt::new();
    // PKCS7 of a whole block adds a block of 0x10.
    let a = aes(&mut rt, K128, IV, 2, 2);
    let ct = call(
        &mut rt,
        &a,
        "EncryptEcb",
        &[hexv(&P1[..32]), Value::Enum(&symmetric::PADDING_MODE, 2)],
    )
    .unwrap();
    assert_eq!(Array::to_bytes(&ct).unwrap().len(), 32);
    let raw = call(
        &mut rt,
        &a,
        "DecryptEcb",
        &[ct, Value::Enum(&symmetric::PADDING_MODE, 1)],
    )
    .unwrap();
    assert_eq!(&hex_of(&raw)[32..], "10".repeat(16));
    for padding in 2..=5 {
        let a = aes(&mut rt, K256, IV, 1, padding);
        let enc = call(&mut rt, &a, "CreateEncryptor", &[]).unwrap();
        let msg = utf8("attack at dawn!!!");
        let ct = call(
            &mut rt,
            &enc,
            "TransformFinalBlock",
            &[msg, Value::Int(0), Value::Int(17)],
        )
        .unwrap();
        assert_eq!(Array::to_bytes(&ct).unwrap().len(), 32);
        let dec = call(&mut rt, &a, "CreateDecryptor", &[]).unwrap();
        let pt = call(
            &mut rt,
            &dec,
            "TransformFinalBlock",
            &[ct, Value::Int(0), Value::Int(32)],
        )
        .unwrap();
        let pt = Array::to_bytes(&pt).unwrap();
        if padding == 3 {
            // Zeros are not removed.
            assert_eq!(pt.len(), 32);
            assert!(pt.starts_with(b"attack at dawn!!!") && pt[17..].iter().all(|b| *b == 0));
        } else {
            assert_eq!(pt, b"attack at dawn!!!");
        }
    }
    // PaddingMode.None with a partial block, and bad padding on decryption.
    let a = aes(&mut rt, K128, IV, 1, 1);
    let enc = call(&mut rt, &a, "CreateEncryptor", &[]).unwrap();
    let e = call(
        &mut rt,
        &enc,
        "TransformFinalBlock",
        &[utf8("abc"), Value::Int(0), Value::Int(3)],
    )
    .unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
    let b = aes(&mut rt, K256, IV, 1, 2);
    let e = call(&mut rt, &b, "DecryptCbc", &[hexv(P1), hexv(IV)]).unwrap_err();
    assert_eq!(e.message, "Padding is invalid and cannot be removed.");
    let e = call(&mut rt, &b, "DecryptCbc", &[utf8("abc"), hexv(IV)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
}

#[test]
fn aes_properties_and_errors() {
    let mut rt = TestRt::new();
    let a = stat(
        &mut rt,
        &symmetric::SYMMETRIC_ALGORITHM,
        "Create",
        &[Value::str("Rijndael")],
    )
    .unwrap();
    assert_eq!(get(&mut rt, &a, "KeySize").unwrap(), Value::Int(256));
    assert_eq!(get(&mut rt, &a, "BlockSize").unwrap(), Value::Int(128));
    assert_eq!(format!("{:?}", get(&mut rt, &a, "Mode").unwrap()), "CipherMode.CBC");
    assert_eq!(
        format!("{:?}", get(&mut rt, &a, "Padding").unwrap()),
        "PaddingMode.PKCS7"
    );
    assert_eq!(Array::to_bytes(&get(&mut rt, &a, "Key").unwrap()).unwrap().len(), 32);
    assert_eq!(Array::to_bytes(&get(&mut rt, &a, "IV").unwrap()).unwrap().len(), 16);
    set(&mut rt, &a, "KeySize", Value::Int(128)).unwrap();
    assert_eq!(Array::to_bytes(&get(&mut rt, &a, "Key").unwrap()).unwrap().len(), 16);
    let crypto = EvalErrorKind::Other("CryptographicException");
    assert_eq!(set(&mut rt, &a, "Key", utf8("short")).unwrap_err().kind, crypto);
    assert_eq!(set(&mut rt, &a, "IV", utf8("short")).unwrap_err().kind, crypto);
    assert_eq!(set(&mut rt, &a, "KeySize", Value::Int(100)).unwrap_err().kind, crypto);
    assert_eq!(
        set(&mut rt, &a, "Mode", Value::Enum(&symmetric::CIPHER_MODE, 3))
            .unwrap_err()
            .kind,
        crypto
    );
    let e = call(&mut rt, &a, "CreateEncryptor", &[utf8("short"), hexv(IV)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Argument);
    assert_eq!(
        call(&mut rt, &a, "ValidKeySize", &[Value::Int(192)]).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        call(&mut rt, &a, "GetCiphertextLengthCbc", &[Value::Int(17)]).unwrap(),
        Value::Int(32)
    );
    assert_eq!(
        stat(&mut rt, &symmetric::SYMMETRIC_ALGORITHM, "Create", &[Value::str("x")]).unwrap(),
        Value::Null
    );
    assert_eq!(
        stat(
            &mut rt,
            &symmetric::SYMMETRIC_ALGORITHM,
            "Create",
            &[Value::str("TripleDES")]
        )
        .unwrap_err()
        .kind,
        EvalErrorKind::NotSupported
    );
    assert!(stat(&mut rt, &symmetric::SYMMETRIC_ALGORITHM, "Create", &[]).is_err());
    call(&mut rt, &a, "Dispose", &[]).unwrap();
    assert!(call(&mut rt, &a, "GenerateKey", &[]).is_err());
}

fn rsa_with_key(rt: &mut TestRt) -> Value<'static> {
    let r = stat(rt, &asymmetric::RSA, "Create", &[]).unwrap();
    call(
        rt,
        &r,
        "ImportPkcs8PrivateKey",
        &[Array::bytes(RSA_KEY.to_vec()), Value::Null],
    )
    .unwrap();
    r
}

#[test]
fn rsa_signs_as_openssl_and_verifies_with_the_certificate() {
    let mut rt = TestRt::new();
    let r = rsa_with_key(&mut rt);
    assert_eq!(
        rt.outs.last().map(|o| o.1.clone()),
        Some(Value::Int(RSA_KEY.len() as i32))
    );
    assert_eq!(get(&mut rt, &r, "KeySize").unwrap(), Value::Int(2048));
    let sha256 = sget(&mut rt, &hash_name::HASH_ALGORITHM_NAME, "SHA256");
    let pkcs1 = sget(&mut rt, &asymmetric::RSA_SIGNATURE_PADDING, "Pkcs1");
    let pss = sget(&mut rt, &asymmetric::RSA_SIGNATURE_PADDING, "Pss");
    let sig = call(&mut rt, &r, "SignData", &[utf8("hello"), sha256.clone(), pkcs1.clone()]).unwrap();
    // openssl dgst -sha256 -sign (tests/data/README.md)
    assert_eq!(b64_of(&sig), "FQEjw0H0s4BVtD8o+HG0jvERFt9vYzr3c81kW1spAG9NiI5w1Y1bUTBuyuUI2pbKtK+J1x09W9VeHD3ehM7GyiR5/R9B/zORmn6Kn9pv/avGi8IXblmOZR/9T4AIdgzAKseIzH43OcHi8qrBbOP6N2B1AxSr9jZ+Z5N5YFcw2zItdFyp+kIZIh2py9HjBJVpIu5C45B1KoIJDlIvbx9ii5Rl9LHqLBJW6zUO0S+FzakVLplVyNGwJOuVc3saSyov2tHxNSAPJ3e/t11FI+W6rAYm5e8lpkbJpkoAY0+bXb6MaOApOG/G0LJ3ixerJH3LygPz5rmwEWgb6pFHdEJHHw==");
    let cert = certificate_from_der(RSA_CERT, false).unwrap();
    let public = call(&mut rt, &cert, "GetRSAPublicKey", &[]).unwrap();
    let ok = call(
        &mut rt,
        &public,
        "VerifyData",
        &[utf8("hello"), sig.clone(), sha256.clone(), pkcs1.clone()],
    );
    assert_eq!(ok.unwrap(), Value::Bool(true));
    let bad = call(
        &mut rt,
        &public,
        "VerifyData",
        &[utf8("hellO"), sig.clone(), sha256.clone(), pkcs1.clone()],
    );
    assert_eq!(bad.unwrap(), Value::Bool(false));
    let short = call(
        &mut rt,
        &public,
        "VerifyData",
        &[utf8("hello"), utf8("x"), sha256.clone(), pkcs1.clone()],
    );
    assert_eq!(short.unwrap(), Value::Bool(false));
    // A public key cannot sign.
    let e = call(
        &mut rt,
        &public,
        "SignData",
        &[utf8("hello"), sha256.clone(), pkcs1.clone()],
    )
    .unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
    // PSS and hashes.
    let sig = call(&mut rt, &r, "SignData", &[utf8("hello"), sha256.clone(), pss.clone()]).unwrap();
    let ok = call(
        &mut rt,
        &public,
        "VerifyData",
        &[utf8("hello"), sig, sha256.clone(), pss.clone()],
    );
    assert_eq!(ok.unwrap(), Value::Bool(true));
    let digest = Array::bytes(hash::HashKind::Sha256.digest(b"hello"));
    let sig = call(
        &mut rt,
        &r,
        "SignHash",
        &[digest.clone(), sha256.clone(), pkcs1.clone()],
    )
    .unwrap();
    assert!(b64_of(&sig).starts_with("FQEjw0H0"));
    assert_eq!(
        call(&mut rt, &public, "VerifyHash", &[digest, sig, sha256, pkcs1]).unwrap(),
        Value::Bool(true)
    );
}

#[test]
fn rsa_encrypts_and_round_trips_keys() {
    let mut rt = TestRt::new();
    let r = rsa_with_key(&mut rt);
    for name in ["Pkcs1", "OaepSHA1", "OaepSHA256"] {
        let p = sget(&mut rt, &asymmetric::RSA_ENCRYPTION_PADDING, name);
        assert_eq!(crate::library::to_text_plain(&p), name);
        let ct = call(&mut rt, &r, "Encrypt", &[utf8("secret"), p.clone()]).unwrap();
        assert_eq!(Array::to_bytes(&ct).unwrap().len(), 256);
        let pt = call(&mut rt, &r, "Decrypt", &[ct, p.clone()]).unwrap();
        assert_eq!(Array::to_bytes(&pt).unwrap(), b"secret");
        let e = call(&mut rt, &r, "Decrypt", &[utf8("garbage"), p]).unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::Other("CryptographicException"));
    }
    // XML: the public half, then the whole key.
    let xml = s(call(&mut rt, &r, "ToXmlString", &[Value::Bool(false)]));
    assert!(
        xml.starts_with("<RSAKeyValue><Modulus>pya9RyslPfprQFp4y/C4rEf2GMAUmpfxhWO2")
            && xml.ends_with("<Exponent>AQAB</Exponent></RSAKeyValue>"),
        "{xml}"
    );
    let full = s(call(&mut rt, &r, "ToXmlString", &[Value::Bool(true)]));
    let other = stat(&mut rt, &asymmetric::RSA, "Create", &[]).unwrap();
    call(&mut rt, &other, "FromXmlString", &[Value::string(full.clone())]).unwrap();
    assert_eq!(s(call(&mut rt, &other, "ToXmlString", &[Value::Bool(true)])), full);
    let spki = call(&mut rt, &r, "ExportSubjectPublicKeyInfo", &[]).unwrap();
    let cert = certificate_from_der(RSA_CERT, false).unwrap();
    let pk = get(&mut rt, &cert, "PublicKey").unwrap();
    assert_eq!(
        Array::to_bytes(&spki),
        Array::to_bytes(&call(&mut rt, &pk, "ExportSubjectPublicKeyInfo", &[]).unwrap())
    );
    // PEM round trip.
    let pem = s(call(&mut rt, &r, "ExportSubjectPublicKeyInfoPem", &[]));
    assert!(
        pem.starts_with("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"),
        "{pem}"
    );
    let p = stat(&mut rt, &asymmetric::RSA, "Create", &[]).unwrap();
    call(&mut rt, &p, "ImportFromPem", &[Value::string(pem)]).unwrap();
    assert_eq!(s(call(&mut rt, &p, "ToXmlString", &[Value::Bool(false)])), xml);
    assert_eq!(
        call(&mut rt, &p, "ToXmlString", &[Value::Bool(true)]).unwrap_err().kind,
        EvalErrorKind::Other("CryptographicException")
    );
    assert!(call(&mut rt, &p, "ImportFromPem", &[Value::str("nothing")]).is_err());
    assert!(call(
        &mut rt,
        &p,
        "FromXmlString",
        &[Value::str("<RSAKeyValue></RSAKeyValue>")]
    )
    .is_err());
    assert!(call(&mut rt, &p, "ImportRSAPublicKey", &[utf8("junk"), Value::Null]).is_err());
}

#[test]
fn random_numbers() {
    let mut rt = TestRt::new();
    let rng = new(&mut rt, &random::RNG_CRYPTO_SERVICE_PROVIDER, &[]).unwrap();
    let buf = Array::bytes(vec![0; 32]);
    call(&mut rt, &rng, "GetBytes", std::slice::from_ref(&buf)).unwrap();
    assert!(Array::to_bytes(&buf).unwrap().iter().any(|b| *b != 0));
}

#[test]
fn certificate_members_as_dotnet_shows_them() {
    let mut rt = TestRt::new();
    let c = certificate_from_der(RSA_CERT, false).unwrap();
    assert_eq!(c.type_name(), "X509Certificate2");
    assert_eq!(
        s(get(&mut rt, &c, "Thumbprint")),
        "54F0050A4232C1A80DADF9B3B71203F01D036D70"
    );
    let subject = "E=ops@example.com, CN=rsa.example, OU=Gateway, O=\"Example, Inc\", S=Zuid-Holland, C=NL";
    assert_eq!(s(get(&mut rt, &c, "Subject")), subject);
    assert_eq!(s(get(&mut rt, &c, "Issuer")), subject);
    let name = get(&mut rt, &c, "SubjectName").unwrap();
    assert_eq!(s(get(&mut rt, &name, "Name")), subject);
    assert_eq!(s(get(&mut rt, &c, "SerialNumber")), "00C0FFEE12345678");
    assert_eq!(s(call(&mut rt, &c, "GetSerialNumberString", &[])), "00C0FFEE12345678");
    assert_eq!(
        hex_of(&call(&mut rt, &c, "GetSerialNumber", &[]).unwrap()),
        "78563412eeffc000"
    );
    let nb = crate::library::time::civil::DateTimeParts::unix_from_fields(2026, 12, 7, 17, 7, 26).unwrap();
    let na = crate::library::time::civil::DateTimeParts::unix_from_fields(2036, 12, 4, 17, 7, 26).unwrap();
    assert_eq!(
        get(&mut rt, &c, "NotBefore").unwrap(),
        Value::DateTime(DateTime::from_unix_seconds(nb))
    );
    assert_eq!(
        get(&mut rt, &c, "NotAfter").unwrap(),
        Value::DateTime(DateTime::from_unix_seconds(na))
    );
    assert_eq!(
        s(call(&mut rt, &c, "GetEffectiveDateString", &[])),
        "12/07/2026 17:07:26"
    );
    assert_eq!(get(&mut rt, &c, "Version").unwrap(), Value::Int(3));
    assert_eq!(
        Array::to_bytes(&get(&mut rt, &c, "RawData").unwrap()).unwrap(),
        RSA_CERT
    );
    assert_eq!(
        s(call(&mut rt, &c, "GetCertHashString", &[])),
        "54F0050A4232C1A80DADF9B3B71203F01D036D70"
    );
    let sha256 = sget(&mut rt, &hash_name::HASH_ALGORITHM_NAME, "SHA256");
    assert_eq!(
        s(call(&mut rt, &c, "GetCertHashString", &[sha256])),
        "80EE98700E98191AC6B80D614F3AEAD911B99D59C85BE2F9ECAC731ADFF23203"
    );
    let nt = |v| Value::Enum(&x509::X509_NAME_TYPE, v);
    assert_eq!(
        s(call(&mut rt, &c, "GetNameInfo", &[nt(0), Value::Bool(false)])),
        "rsa.example"
    );
    assert_eq!(
        s(call(&mut rt, &c, "GetNameInfo", &[nt(1), Value::Bool(false)])),
        "ops@example.com"
    );
    assert_eq!(
        s(call(&mut rt, &c, "GetNameInfo", &[nt(3), Value::Bool(false)])),
        "rsa.example"
    );
    assert_eq!(
        s(call(&mut rt, &c, "GetNameInfo", &[nt(5), Value::Bool(false)])),
        "https://rsa.example/id"
    );
    assert_eq!(s(call(&mut rt, &c, "GetNameInfo", &[nt(2), Value::Bool(false)])), "");
    let sig = get(&mut rt, &c, "SignatureAlgorithm").unwrap();
    assert_eq!(s(get(&mut rt, &sig, "FriendlyName")), "sha256RSA");
    assert_eq!(s(get(&mut rt, &sig, "Value")), "1.2.840.113549.1.1.11");
    let pk = get(&mut rt, &c, "PublicKey").unwrap();
    let oid = get(&mut rt, &pk, "Oid").unwrap();
    assert_eq!(s(get(&mut rt, &oid, "FriendlyName")), "RSA");
    let params = get(&mut rt, &pk, "EncodedParameters").unwrap();
    assert_eq!(s(call(&mut rt, &params, "Format", &[Value::Bool(true)])), "05 00");
    let key = get(&mut rt, &pk, "Key").unwrap();
    assert_eq!(get(&mut rt, &key, "KeySize").unwrap(), Value::Int(2048));
    assert_eq!(get(&mut rt, &c, "HasPrivateKey").unwrap(), Value::Bool(false));
    assert_eq!(call(&mut rt, &c, "Verify", &[]).unwrap(), Value::Bool(false));
    let text = s(call(&mut rt, &c, "ToString", &[]));
    assert_eq!(
        text,
        format!(
            "[Subject]\n  {subject}\n\n[Issuer]\n  {subject}\n\n[Serial Number]\n  00C0FFEE12345678\n\n\
             [Not Before]\n  12/07/2026 17:07:26\n\n[Not After]\n  12/04/2036 17:07:26\n\n\
             [Thumbprint]\n  54F0050A4232C1A80DADF9B3B71203F01D036D70\n"
        )
    );
    let long = s(call(&mut rt, &c, "ToString", &[Value::Bool(true)]));
    assert!(
        long.starts_with("[Version]\n  V3\n\n[Subject]\n  E=ops@example.com"),
        "{long}"
    );
    assert!(
        long.contains("\n  Simple Name: rsa.example\n  Email Name: ops@example.com\n  DNS Name: rsa.example\n"),
        "{long}"
    );
    assert!(
        long.contains("[Signature Algorithm]\n  sha256RSA(1.2.840.113549.1.1.11)\n"),
        "{long}"
    );
    assert!(
        long.contains("  Algorithm: RSA\n  Length: 2048\n  Key Blob: 30 82 01 0a 02 82 01 01 00 a7 26"),
        "{long}"
    );
    // Constructors and equality.
    let again = new(&mut rt, &x509::X509_CERTIFICATE2, &[Array::bytes(RSA_CERT.to_vec())]).unwrap();
    assert!(crate::library::equals(&c, &again));
    assert_eq!(call(&mut rt, &c, "Equals", &[again]).unwrap(), Value::Bool(true));
    let v1 = new(&mut rt, &x509::X509_CERTIFICATE, &[Array::bytes(RSA_CERT.to_vec())]).unwrap();
    assert_eq!(
        s(call(&mut rt, &v1, "ToString", &[])),
        "System.Security.Cryptography.X509Certificates.X509Certificate"
    );
    assert!(s(call(&mut rt, &v1, "ToString", &[Value::Bool(true)])).starts_with("[Subject]"));
    assert!(Object::get(
        &**match &v1 {
            Value::Obj(o) => o,
            _ => unreachable!(),
        },
        &mut rt,
        match &v1 {
            Value::Obj(o) => o,
            _ => unreachable!(),
        },
        "Thumbprint"
    )
    .is_none());
    assert_eq!(
        new(&mut rt, &x509::X509_CERTIFICATE2, &[utf8("junk")])
            .unwrap_err()
            .kind,
        EvalErrorKind::Other("CryptographicException")
    );
    assert_eq!(
        new(&mut rt, &x509::X509_CERTIFICATE2, &[Value::str("/etc/cert.pem")])
            .unwrap_err()
            .kind,
        EvalErrorKind::NotSupported
    );
    let kind = stat(
        &mut rt,
        &x509::X509_CERTIFICATE2,
        "GetCertContentType",
        &[Array::bytes(RSA_CERT.to_vec())],
    );
    assert_eq!(format!("{:?}", kind.unwrap()), "X509ContentType.Cert");
    let ext = stat(&mut rt, &x509::RSA_CERTIFICATE_EXTENSIONS, "GetRSAPublicKey", &[c]).unwrap();
    assert_eq!(get(&mut rt, &ext, "KeySize").unwrap(), Value::Int(2048));
}

#[test]
fn the_gateway_test_certificate_reads_the_same() {
    let mut rt = TestRt::new();
    let c = stat(
        &mut rt,
        &x509::X509_CERTIFICATE2,
        "CreateFromPem",
        &[Value::str(EC_PEM)],
    )
    .unwrap();
    assert_eq!(
        s(get(&mut rt, &c, "Subject")),
        "CN=client, O=\"Example, Inc\", S=Zuid-Holland, C=NL"
    );
    assert_eq!(
        s(get(&mut rt, &c, "Thumbprint")),
        "C6F7DCB377915388F3EEF3361ADCF0C0229EE6DE"
    );
    assert_eq!(
        s(get(&mut rt, &c, "SerialNumber")),
        "16048A2BA9C67C16F73A4AABF4119B2568A7F6E3"
    );
    let nt = |v| Value::Enum(&x509::X509_NAME_TYPE, v);
    assert_eq!(
        s(call(&mut rt, &c, "GetNameInfo", &[nt(4), Value::Bool(false)])),
        "a.example"
    );
    assert_eq!(
        s(call(&mut rt, &c, "GetNameInfo", &[nt(0), Value::Bool(true)])),
        "client"
    );
    assert_eq!(call(&mut rt, &c, "GetRSAPublicKey", &[]).unwrap(), Value::Null);
    let pk = get(&mut rt, &c, "PublicKey").unwrap();
    assert_eq!(get(&mut rt, &pk, "Key").unwrap_err().kind, EvalErrorKind::NotSupported);
    // A PEM in bytes is accepted by the constructor, as on .NET/Linux.
    let c2 = new(&mut rt, &x509::X509_CERTIFICATE2, &[utf8(EC_PEM)]).unwrap();
    assert!(crate::library::equals(&c, &c2));
    // The client certificate asks the context (the empty test context says no).
    let client = certificate_from_der(&x509::parse::der_from_pem(EC_PEM).unwrap(), true).unwrap();
    assert_eq!(
        call(&mut rt, &client, "VerifyNoRevocation", &[]).unwrap(),
        Value::Bool(false)
    );
    assert!(certificate_from_der(b"junk", true).is_err());
}

#[test]
fn oids() {
    let mut rt = TestRt::new();
    let o = new(&mut rt, &oid::OID, &[Value::str("sha256")]).unwrap();
    assert_eq!(s(get(&mut rt, &o, "Value")), "2.16.840.1.101.3.4.2.1");
    let o = new(&mut rt, &oid::OID, &[Value::str("1.2.840.113549.1.1.1")]).unwrap();
    assert_eq!(s(get(&mut rt, &o, "FriendlyName")), "RSA");
    let o = new(&mut rt, &oid::OID, &[Value::str("1.2.3.4")]).unwrap();
    assert_eq!(get(&mut rt, &o, "FriendlyName").unwrap(), Value::Null);
    let o = new(&mut rt, &oid::OID, &[Value::str("1.2.3"), Value::str("mine")]).unwrap();
    assert_eq!(s(get(&mut rt, &o, "FriendlyName")), "mine");
    let o = stat(
        &mut rt,
        &oid::OID,
        "FromFriendlyName",
        &[Value::str("CN"), Value::Int(0)],
    )
    .unwrap();
    assert_eq!(s(get(&mut rt, &o, "Value")), "2.5.4.3");
}
