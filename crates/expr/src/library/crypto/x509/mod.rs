//! System.Security.Cryptography.X509Certificates: `X509Certificate2` and
//! its base `X509Certificate`, `X500DistinguishedName` (APIM allows only
//! `Name`), `PublicKey` (with `AsnEncodedData` for its encoded values),
//! `RSACertificateExtensions`, and the `X509ContentType`/`X509NameType`
//! enums.
//!
//! Invariants: a certificate object holds its parsed facts ([`CertData`],
//! shared by `Rc`) and never touches files or stores: constructors from a
//! file name throw. `Verify()` and `VerifyNoRevocation()` are meaningful
//! only for the request's client certificate (they ask the context's trust
//! store, [`crate::Context::verify_certificate`]); any other certificate
//! answers false (documented: Outpost has no chain engine for arbitrary
//! certificates in expressions). `HasPrivateKey` is always false.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::asymmetric::RsaObj;
use super::hash_name::kind_arg;
use super::oid::Oid;
use super::rsa_key::{self, Der};
use super::{bytes_arg, crypto_error, enum_arg, hex_upper, str_arg, NS, NS_X509};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::time::datetime::DateTime;
use crate::runtime::Runtime;
use crate::types::{m, Apim, Member, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

pub mod key;
pub mod parse;
pub mod text;

pub use key::{DistinguishedName, Encoded, PublicKeyObj};

pub use parse::CertData;

pub static X509_CONTENT_TYPE: TypeDef = TypeDef {
    name: "X509ContentType",
    namespace: NS_X509,
    kind: TypeKind::Enum,
    enum_values: &[
        ("Unknown", 0),
        ("Cert", 1),
        ("SerializedCert", 2),
        ("Pfx", 3),
        ("Pkcs12", 3),
        ("SerializedStore", 4),
        ("Pkcs7", 5),
        ("Authenticode", 6),
    ],
    ..TypeDef::EMPTY
};

pub static X509_NAME_TYPE: TypeDef = TypeDef {
    name: "X509NameType",
    namespace: NS_X509,
    kind: TypeKind::Enum,
    enum_values: &[
        ("SimpleName", 0),
        ("EmailName", 1),
        ("UpnName", 2),
        ("DnsName", 3),
        ("DnsFromAlternativeName", 4),
        ("UrlName", 5),
    ],
    ..TypeDef::EMPTY
};

/// Members of both certificate classes.
const CERT_MEMBERS: &[Member] = &[
    m("Subject", "string"),
    m("Issuer", "string"),
    m("GetCertHash", "byte[]"),
    m("GetCertHashString", "string"),
    m("GetSerialNumber", "byte[]"),
    m("GetSerialNumberString", "string"),
    m("GetRawCertData", "byte[]"),
    m("GetRawCertDataString", "string"),
    m("GetEffectiveDateString", "string"),
    m("GetExpirationDateString", "string"),
    m("GetFormat", "string"),
    m("GetKeyAlgorithm", "string"),
    m("GetKeyAlgorithmParameters", "byte[]"),
    m("GetKeyAlgorithmParametersString", "string"),
    m("GetPublicKey", "byte[]"),
    m("GetPublicKeyString", "string"),
    m("GetName", "string"),
    m("GetIssuerName", "string"),
    m("Export", "byte[]"),
    m("Equals", "bool"),
    m("GetHashCode", "int"),
    m("ToString", "string"),
    m("Dispose", "void"),
    m("Reset", "void"),
    m("GetRSAPublicKey", "RSA"),
    m("GetRSAPrivateKey", "RSA"),
];

const CERT2_MEMBERS: &[Member] = &[
    m("Subject", "string"),
    m("Issuer", "string"),
    m("GetCertHash", "byte[]"),
    m("GetCertHashString", "string"),
    m("GetSerialNumber", "byte[]"),
    m("GetSerialNumberString", "string"),
    m("GetRawCertData", "byte[]"),
    m("GetRawCertDataString", "string"),
    m("GetEffectiveDateString", "string"),
    m("GetExpirationDateString", "string"),
    m("GetFormat", "string"),
    m("GetKeyAlgorithm", "string"),
    m("GetKeyAlgorithmParameters", "byte[]"),
    m("GetKeyAlgorithmParametersString", "string"),
    m("GetPublicKey", "byte[]"),
    m("GetPublicKeyString", "string"),
    m("GetName", "string"),
    m("GetIssuerName", "string"),
    m("Export", "byte[]"),
    m("Equals", "bool"),
    m("GetHashCode", "int"),
    m("ToString", "string"),
    m("Dispose", "void"),
    m("Reset", "void"),
    m("GetRSAPublicKey", "RSA"),
    m("GetRSAPrivateKey", "RSA"),
    m("Thumbprint", "string"),
    m("SubjectName", "X500DistinguishedName"),
    m("IssuerName", "X500DistinguishedName"),
    m("SerialNumber", "string"),
    m("NotBefore", "DateTime"),
    m("NotAfter", "DateTime"),
    m("Version", "int"),
    m("RawData", "byte[]"),
    m("GetNameInfo", "string"),
    m("FriendlyName", "string"),
    m("HasPrivateKey", "bool"),
    m("PrivateKey", "AsymmetricAlgorithm"),
    m("PublicKey", "PublicKey"),
    m("SignatureAlgorithm", "Oid"),
    m("Archived", "bool"),
    m("Verify", "bool"),
    m("VerifyNoRevocation", "bool"),
    m("ExportCertificatePem", "string"),
];

const CERT_UNIMPLEMENTED: &[&str] = &[
    "Extensions",
    "Handle",
    "Import",
    "CopyWithPrivateKey",
    "GetECDsaPublicKey",
    "GetECDsaPrivateKey",
    "GetDSAPublicKey",
    "GetDSAPrivateKey",
    "GetECDiffieHellmanPublicKey",
    "GetECDiffieHellmanPrivateKey",
    "MatchesHostname",
    "SerialNumberBytes",
    "TryGetCertHash",
    "TryExportCertificatePem",
    "CreateFromCertFile",
    "CreateFromSignedFile",
    "CreateFromPemFile",
    "CreateFromEncryptedPem",
    "CreateFromEncryptedPemFile",
];

pub static X509_CERTIFICATE: TypeDef = TypeDef {
    name: "X509Certificate",
    namespace: NS_X509,
    bases: &["IDisposable"],
    members: CERT_MEMBERS,
    unimplemented: CERT_UNIMPLEMENTED,
    ctor: Some(ctor_v1),
    ..TypeDef::EMPTY
};

pub static X509_CERTIFICATE2: TypeDef = TypeDef {
    name: "X509Certificate2",
    namespace: NS_X509,
    bases: &["X509Certificate", "IDisposable"],
    statics: &[
        m("CreateFromPem", "X509Certificate2"),
        m("GetCertContentType", "X509ContentType"),
    ],
    members: CERT2_MEMBERS,
    unimplemented: CERT_UNIMPLEMENTED,
    call_static: Some(call_static_v2),
    ctor: Some(ctor_v2),
    ..TypeDef::EMPTY
};

pub static X500_DISTINGUISHED_NAME: TypeDef = TypeDef {
    name: "X500DistinguishedName",
    namespace: NS_X509,
    apim: Apim::Only(&["Name"]),
    bases: &["AsnEncodedData"],
    members: &[m("Name", "string")],
    ..TypeDef::EMPTY
};

pub static PUBLIC_KEY: TypeDef = TypeDef {
    name: "PublicKey",
    namespace: NS_X509,
    members: &[
        m("Oid", "Oid"),
        m("EncodedKeyValue", "AsnEncodedData"),
        m("EncodedParameters", "AsnEncodedData"),
        m("Key", "AsymmetricAlgorithm"),
        m("GetRSAPublicKey", "RSA"),
        m("ExportSubjectPublicKeyInfo", "byte[]"),
    ],
    unimplemented: &[
        "GetECDsaPublicKey",
        "GetDSAPublicKey",
        "GetECDiffieHellmanPublicKey",
        "CreateFromSubjectPublicKeyInfo",
        "TryExportSubjectPublicKeyInfo",
    ],
    ..TypeDef::EMPTY
};

/// `System.Security.Cryptography.AsnEncodedData` (not on APIM's list; what
/// `PublicKey.EncodedKeyValue` returns).
pub static ASN_ENCODED_DATA: TypeDef = TypeDef {
    name: "AsnEncodedData",
    namespace: NS,
    apim: Apim::Helper,
    members: &[m("Oid", "Oid"), m("RawData", "byte[]"), m("Format", "string")],
    ..TypeDef::EMPTY
};

pub static RSA_CERTIFICATE_EXTENSIONS: TypeDef = TypeDef {
    name: "RSACertificateExtensions",
    namespace: NS_X509,
    kind: TypeKind::Static,
    statics: &[m("GetRSAPublicKey", "RSA"), m("GetRSAPrivateKey", "RSA")],
    unimplemented: &["CopyWithPrivateKey"],
    call_static: Some(call_static_rsa_ext),
    ..TypeDef::EMPTY
};

/// An `X509Certificate` or `X509Certificate2`.
pub struct Cert {
    pub data: Rc<CertData>,
    v2: bool,
    /// The request's client certificate (its `Verify()` asks the context).
    client: bool,
    friendly_name: RefCell<String>,
}

impl Cert {
    fn value(data: CertData, v2: bool, client: bool) -> Value<'static> {
        Value::obj(Cert {
            data: Rc::new(data),
            v2,
            client,
            friendly_name: RefCell::new(String::new()),
        })
    }

    /// `Verify()`/`VerifyNoRevocation()`: the context's answer for the
    /// client certificate, false for any other.
    pub fn verify(&self, rt: &dyn Runtime<'_>) -> bool {
        self.client && rt.context().verify_certificate()
    }

    fn rsa_key(&self) -> EvalResult<Option<rsa_key::Key>> {
        if self.data.key_oid != "1.2.840.113549.1.1.1" {
            return Ok(None);
        }
        rsa_key::import_der(Der::SubjectPublicKeyInfo, &self.data.spki).map(Some)
    }
}

/// An `X509Certificate2` from its DER bytes; `client` marks the request's
/// client certificate (whose `Verify()` asks the context's trust store).
pub fn certificate_from_der(der: &[u8], client: bool) -> EvalResult<Value<'static>> {
    parse::parse_der(der)
        .map(|d| Cert::value(d, true, client))
        .ok_or_else(|| crypto_error("Cannot find the requested object."))
}

fn ctor_any<'a>(args: &[Value<'a>], v2: bool) -> EvalResult<Value<'a>> {
    let first = args.first().ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::NotSupported,
            "an empty certificate (the parameterless constructor) is not supported by Outpost",
        )
    })?;
    if let Some(other) = first.downcast::<Cert>() {
        return Ok(Value::obj(Cert {
            data: other.data.clone(),
            v2,
            client: false,
            friendly_name: RefCell::new(String::new()),
        }));
    }
    if let Value::Str(_) = first {
        return Err(EvalError::new(
            EvalErrorKind::NotSupported,
            "reading a certificate from a file is not supported in expressions",
        ));
    }
    // (rawData), (rawData, password), (rawData, password, flags): a password
    // only matters for PKCS#12, which is not supported.
    let bytes = bytes_arg(first, "rawData")?;
    match parse::parse_bytes(&bytes) {
        Some(d) => Ok(Cert::value(d, v2, false)),
        None if bytes.first() == Some(&0x30) && args.len() > 1 => Err(EvalError::new(
            EvalErrorKind::NotSupported,
            "PKCS#12 (PFX) certificates are not supported in expressions",
        )),
        None => Err(crypto_error("Cannot find the requested object.")),
    }
}

fn ctor_v1<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    ctor_any(args, false)
}

fn ctor_v2<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    ctor_any(args, true)
}

fn call_static_v2<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("CreateFromPem", [pem]) => Some(str_arg(pem, "certPem").and_then(|t| {
            parse::der_from_pem(t)
                .and_then(|der| parse::parse_der(&der))
                .map(|d| Cert::value(d, true, false))
                .ok_or_else(|| {
                    crypto_error(
                        "The contents do not contain a PEM with a CERTIFICATE label, or the content is malformed.",
                    )
                })
        })),
        ("CreateFromPem", [_, _]) => Some(Err(EvalError::new(
            EvalErrorKind::NotSupported,
            "certificates with private keys are not supported in expressions",
        ))),
        ("GetCertContentType", [data]) => Some(bytes_arg(data, "rawData").map(|b| {
            let kind = if parse::parse_bytes(&b).is_some() { 1 } else { 0 };
            Value::Enum(&X509_CONTENT_TYPE, kind)
        })),
        _ => None,
    }
}

fn cert_arg<'v>(v: &'v Value<'_>) -> EvalResult<&'v Cert> {
    match v.downcast::<Cert>() {
        Some(c) => Ok(c),
        None if v.is_null() => Err(super::null_arg("certificate")),
        None => Err(EvalError::argument("certificate: expected an X509Certificate2")),
    }
}

fn call_static_rsa_ext<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("GetRSAPublicKey", [c]) => {
            Some(cert_arg(c).and_then(|c| Ok(c.rsa_key()?.map_or(Value::Null, RsaObj::with_key))))
        }
        ("GetRSAPrivateKey", [c]) => Some(cert_arg(c).map(|_| Value::Null)),
        _ => None,
    }
}

impl Object for Cert {
    fn type_def(&self) -> &'static TypeDef {
        if self.v2 {
            &X509_CERTIFICATE2
        } else {
            &X509_CERTIFICATE
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let d = &self.data;
        let v1 = matches!(name, "Subject" | "Issuer");
        if !self.v2 && !v1 {
            return None;
        }
        Some(Ok(match name {
            "Subject" => Value::string(d.subject.clone()),
            "Issuer" => Value::string(d.issuer.clone()),
            "Thumbprint" => Value::string(hex_upper(&d.sha1)),
            "SubjectName" => Value::obj(DistinguishedName(d.subject.clone())),
            "IssuerName" => Value::obj(DistinguishedName(d.issuer.clone())),
            "SerialNumber" => Value::string(hex_upper(&d.serial)),
            "NotBefore" => Value::DateTime(DateTime::from_unix_seconds(d.not_before)),
            "NotAfter" => Value::DateTime(DateTime::from_unix_seconds(d.not_after)),
            "Version" => Value::Int(d.version),
            "RawData" => Array::bytes(d.der.clone()),
            "FriendlyName" => Value::string(self.friendly_name.borrow().clone()),
            "HasPrivateKey" | "Archived" => Value::Bool(false),
            "PrivateKey" => Value::Null,
            "PublicKey" => Value::obj(PublicKeyObj(d.clone())),
            "SignatureAlgorithm" => Oid::of(&d.signature_oid),
            _ => return None,
        }))
    }

    fn set<'a>(&self, _: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        if !self.v2 || name != "FriendlyName" {
            return None;
        }
        *self.friendly_name.borrow_mut() = crate::library::to_text_plain(&value);
        Some(Ok(()))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let d = &self.data;
        let hex = |b: &[u8]| Ok(Value::string(hex_upper(b)));
        let r = match (name, args) {
            ("GetCertHash", []) => Ok(Array::bytes(d.sha1.clone())),
            ("GetCertHashString", []) => hex(&d.sha1),
            ("GetCertHash", [h]) => kind_arg(h).map(|k| Array::bytes(k.digest(&d.der))),
            ("GetCertHashString", [h]) => kind_arg(h).and_then(|k| hex(&k.digest(&d.der))),
            ("GetSerialNumber", []) => Ok(Array::bytes(d.serial.iter().rev().copied().collect())),
            ("GetSerialNumberString", []) => hex(&d.serial),
            ("GetRawCertData", []) => Ok(Array::bytes(d.der.clone())),
            ("GetRawCertDataString", []) => hex(&d.der),
            ("GetEffectiveDateString", []) => Ok(Value::string(text::date(d.not_before))),
            ("GetExpirationDateString", []) => Ok(Value::string(text::date(d.not_after))),
            ("GetFormat", []) => Ok(Value::str("X509")),
            ("GetKeyAlgorithm", []) => Ok(Value::string(d.key_oid.clone())),
            ("GetKeyAlgorithmParameters", []) => Ok(Array::bytes(d.key_params.clone())),
            ("GetKeyAlgorithmParametersString", []) => hex(&d.key_params),
            ("GetPublicKey", []) => Ok(Array::bytes(d.key_value.clone())),
            ("GetPublicKeyString", []) => hex(&d.key_value),
            ("GetName", []) => Ok(Value::string(d.subject.clone())),
            ("GetIssuerName", []) => Ok(Value::string(d.issuer.clone())),
            ("Export", [kind, ..]) if args.len() <= 2 => match enum_arg(kind, &X509_CONTENT_TYPE, "contentType") {
                Ok(1) => Ok(Array::bytes(d.der.clone())),
                Ok(3) => Err(EvalError::new(
                    EvalErrorKind::NotSupported,
                    "exporting PKCS#12 is not supported in expressions",
                )),
                Ok(_) => Err(crypto_error("Invalid content type.")),
                Err(e) => Err(e),
            },
            ("Equals", [other]) => Ok(Value::Bool(
                other.downcast::<Cert>().is_some_and(|o| o.data.der == d.der),
            )),
            ("GetHashCode", []) => Ok(Value::Int(
                d.sha1.iter().take(4).fold(0i32, |acc, b| acc << 8 | i32::from(*b)),
            )),
            ("ToString", []) if self.v2 => Ok(Value::string(text::short(d))),
            ("ToString", []) => Ok(Value::string(X509_CERTIFICATE.full_name())),
            ("ToString", [Value::Bool(false)]) => Ok(Value::string(self.type_def().full_name())),
            ("ToString", [Value::Bool(true)]) if self.v2 => {
                let bits = self.rsa_key().ok().flatten().map(|k| k.bits());
                Ok(Value::string(text::verbose(d, bits)))
            }
            ("ToString", [Value::Bool(true)]) => Ok(Value::string(text::short(d))),
            ("Dispose" | "Reset", []) => Ok(Value::Null),
            ("GetRSAPublicKey", []) => self.rsa_key().map(|k| k.map_or(Value::Null, RsaObj::with_key)),
            ("GetRSAPrivateKey", []) => Ok(Value::Null),
            ("GetNameInfo", [kind, for_issuer]) if self.v2 => (|| {
                Ok(Value::string(d.name_info(
                    enum_arg(kind, &X509_NAME_TYPE, "nameType")?,
                    super::bool_arg(for_issuer, "forIssuer")?,
                )))
            })(),
            ("Verify" | "VerifyNoRevocation", []) if self.v2 => Ok(Value::Bool(self.verify(rt))),
            ("ExportCertificatePem", []) if self.v2 => Ok(Value::string(rsa_key::pem("CERTIFICATE", &d.der))),
            _ => return None,
        };
        Some(r)
    }

    fn to_text(&self) -> String {
        if self.v2 {
            text::short(&self.data)
        } else {
            X509_CERTIFICATE.full_name()
        }
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(
            other
                .as_any()
                .downcast_ref::<Cert>()
                .is_some_and(|o| o.data.der == self.data.der),
        )
    }

    fn hash_code(&self) -> Option<u64> {
        Some(self.data.sha1.iter().take(8).fold(0u64, |a, b| a << 8 | u64::from(*b)))
    }

    fn size_hint(&self) -> usize {
        self.data.der.len() * 3 + 256
    }

    fn fmt_debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.type_def().name, self.data.subject)
    }
}
