//! RSA (OpenSSL-made key and signature) and the random number generator.

use super::*;
use crate::library::collections::Array;
use crate::testing::TestRt;
use crate::value::Value;

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
