//! Certificates, names, public keys and OIDs.

use super::*;
use crate::library::collections::Array;
use crate::library::time::datetime::DateTime;
use crate::testing::TestRt;
use crate::value::Object;
use crate::value::Value;

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
