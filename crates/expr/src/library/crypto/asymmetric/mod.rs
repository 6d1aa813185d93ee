//! `RSA` and its base `AsymmetricAlgorithm`, `RSASignaturePadding` and
//! `RSAEncryptionPadding`: signing and verifying (PKCS#1 v1.5 and PSS,
//! with MD5 excluded), encryption (PKCS#1 v1.5 and OAEP with SHA-1/2),
//! key import and export (see [`super::rsa_key`]). The arithmetic is the
//! `rsa` crate's.
//!
//! Invariants: like .NET's `RSA.Create()`, a new object generates its key
//! pair (2048 bits by default) only when first used without an imported
//! key. `VerifyData`/`VerifyHash` return false for a malformed signature,
//! never throw. Decryption uses the `rsa` crate's blinded implementation,
//! which is not guaranteed constant-time (RUSTSEC-2023-0071): policies
//! decrypting attacker-chosen ciphertexts with a secret key share that risk.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rand::rngs::OsRng;
use rsa::{Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, Pss, RsaPrivateKey};

use super::hash::HashKind;
use super::hash_name::kind_arg;
use super::rsa_key::{self, Der, Key};
use super::{bytes_arg, crypto_error, disposed, span, str_arg, NS};
use crate::error::{EvalError, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, Member, TypeDef, TypeRef};
use crate::value::{Object, Value};

mod padding;

use padding::{enc_padding, sig_padding};
pub use padding::{EncPadding, SigPadding, RSA_ENCRYPTION_PADDING, RSA_SIGNATURE_PADDING};

const ASYM_MEMBERS: &[Member] = &[
    m("KeySize", "int"),
    m("SignatureAlgorithm", "string"),
    m("KeyExchangeAlgorithm", "string"),
    m("FromXmlString", "void"),
    m("ToXmlString", "string"),
    m("ImportSubjectPublicKeyInfo", "void"),
    m("ImportPkcs8PrivateKey", "void"),
    m("ImportFromPem", "void"),
    m("ExportSubjectPublicKeyInfo", "byte[]"),
    m("ExportPkcs8PrivateKey", "byte[]"),
    m("ExportSubjectPublicKeyInfoPem", "string"),
    m("ExportPkcs8PrivateKeyPem", "string"),
    m("Dispose", "void"),
    m("Clear", "void"),
];

const RSA_MEMBERS: &[Member] = &[
    m("KeySize", "int"),
    m("SignatureAlgorithm", "string"),
    m("KeyExchangeAlgorithm", "string"),
    m("FromXmlString", "void"),
    m("ToXmlString", "string"),
    m("ImportSubjectPublicKeyInfo", "void"),
    m("ImportPkcs8PrivateKey", "void"),
    m("ImportFromPem", "void"),
    m("ExportSubjectPublicKeyInfo", "byte[]"),
    m("ExportPkcs8PrivateKey", "byte[]"),
    m("ExportSubjectPublicKeyInfoPem", "string"),
    m("ExportPkcs8PrivateKeyPem", "string"),
    m("Dispose", "void"),
    m("Clear", "void"),
    m("ImportRSAPublicKey", "void"),
    m("ImportRSAPrivateKey", "void"),
    m("ExportRSAPublicKey", "byte[]"),
    m("ExportRSAPrivateKey", "byte[]"),
    m("ExportRSAPublicKeyPem", "string"),
    m("ExportRSAPrivateKeyPem", "string"),
    m("SignData", "byte[]"),
    m("VerifyData", "bool"),
    m("SignHash", "byte[]"),
    m("VerifyHash", "bool"),
    m("Encrypt", "byte[]"),
    m("Decrypt", "byte[]"),
];

/// Members needing types APIM does not list (RSAParameters, KeySizes,
/// passwords-based PBE parameters) or spans.
const UNIMPLEMENTED: &[&str] = &[
    "ImportParameters",
    "ExportParameters",
    "LegalKeySizes",
    "ImportEncryptedPkcs8PrivateKey",
    "ExportEncryptedPkcs8PrivateKey",
    "ExportEncryptedPkcs8PrivateKeyPem",
    "ImportFromEncryptedPem",
    "TryExportSubjectPublicKeyInfo",
    "TryExportPkcs8PrivateKey",
    "TryExportEncryptedPkcs8PrivateKey",
    "TryExportRSAPublicKey",
    "TryExportRSAPrivateKey",
    "TrySignData",
    "TrySignHash",
    "TryEncrypt",
    "TryDecrypt",
    "EncryptValue",
    "DecryptValue",
    "GetMaxOutputSize",
];

pub static ASYMMETRIC_ALGORITHM: TypeDef = TypeDef {
    name: "AsymmetricAlgorithm",
    namespace: NS,
    bases: &["IDisposable"],
    statics: &[m("Create", "AsymmetricAlgorithm")],
    members: ASYM_MEMBERS,
    unimplemented: UNIMPLEMENTED,
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

pub static RSA: TypeDef = TypeDef {
    name: "RSA",
    namespace: NS,
    bases: &["AsymmetricAlgorithm", "IDisposable"],
    statics: &[m("Create", "RSA")],
    members: RSA_MEMBERS,
    unimplemented: UNIMPLEMENTED,
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

fn call_static<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("Create", []) => Some(Ok(RsaObj::value(2048))),
        ("Create", [Value::Str(n)]) => Some(Ok(match n.to_ascii_uppercase().as_str() {
            "RSA" | "SYSTEM.SECURITY.CRYPTOGRAPHY.RSA" | "RSACRYPTOSERVICEPROVIDER" => RsaObj::value(2048),
            _ => Value::Null,
        })),
        ("Create", [bits]) if bits.as_integer().is_some() => Some(bits.to_i32("keySizeInBits").and_then(|b| {
            check_size(b)?;
            Ok(RsaObj::value(b))
        })),
        _ => None,
    }
}

fn check_size(bits: i32) -> EvalResult<()> {
    if (512..=16384).contains(&bits) && bits % 8 == 0 {
        Ok(())
    } else {
        Err(crypto_error("Specified key is not a valid size for this algorithm."))
    }
}

/// An RSA object.
pub struct RsaObj {
    key: RefCell<Option<Key>>,
    /// The size of the key to generate when none was imported.
    bits: Cell<i32>,
    disposed: Cell<bool>,
}

impl RsaObj {
    pub fn value(bits: i32) -> Value<'static> {
        Value::obj(RsaObj {
            key: RefCell::new(None),
            bits: Cell::new(bits),
            disposed: Cell::new(false),
        })
    }

    /// An RSA object holding `key` (`GetRSAPublicKey()`).
    pub fn with_key(key: Key) -> Value<'static> {
        Value::obj(RsaObj {
            bits: Cell::new(key.bits() as i32),
            key: RefCell::new(Some(key)),
            disposed: Cell::new(false),
        })
    }

    /// The key, generated on first use as .NET does.
    fn key(&self, rt: &mut dyn Runtime<'_>) -> EvalResult<Key> {
        if self.disposed.get() {
            return Err(disposed("RSA"));
        }
        if let Some(k) = &*self.key.borrow() {
            return Ok(k.clone());
        }
        let bits = self.bits.get();
        // Prime generation is the costliest thing an expression can ask for.
        rt.charge(u64::from(bits.unsigned_abs()) * 64)?;
        let k = RsaPrivateKey::new(&mut OsRng, bits as usize)
            .map(|k| Key::Private(Box::new(k)))
            .map_err(|e| crypto_error(format!("key generation failed: {e}")))?;
        *self.key.borrow_mut() = Some(k.clone());
        Ok(k)
    }

    fn import<'a>(&self, rt: &mut dyn Runtime<'a>, kind: Der, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
        let [data, rest @ ..] = args else {
            return Err(EvalError::argument("expected (byte[] source, out int bytesRead)"));
        };
        let der = bytes_arg(data, "source")?;
        super::charge_bytes(rt, der.len())?;
        let key = rsa_key::import_der(kind, &der)?;
        self.set_key(key);
        if !rest.is_empty() {
            rt.set_out(1, Value::Int(der.len() as i32))?;
        }
        Ok(Value::Null)
    }

    fn set_key(&self, key: Key) {
        self.bits.set(key.bits() as i32);
        *self.key.borrow_mut() = Some(key);
    }
}

macro_rules! by_hash {
    ($kind:expr, $make:ident) => {
        match $kind {
            HashKind::Sha1 => $make::<sha1::Sha1>(),
            HashKind::Sha256 => $make::<sha2::Sha256>(),
            HashKind::Sha384 => $make::<sha2::Sha384>(),
            HashKind::Sha512 => $make::<sha2::Sha512>(),
            HashKind::Md5 => return Err(crypto_error("MD5 is not supported for RSA signatures by Outpost.")),
        }
    };
}

fn pkcs1<D: sha2::Digest + rsa::pkcs8::AssociatedOid>() -> Pkcs1v15Sign {
    Pkcs1v15Sign::new::<D>()
}

fn pss<D: 'static + sha2::Digest + sha2::digest::DynDigest + Send + Sync>() -> Pss {
    Pss::new::<D>()
}

fn oaep<D: 'static + sha2::Digest + sha2::digest::DynDigest + Send + Sync>() -> Oaep {
    Oaep::new::<D>()
}

/// Signs a digest.
fn sign_hash(key: &Key, hash: &[u8], kind: HashKind, use_pss: bool) -> EvalResult<Vec<u8>> {
    let Key::Private(k) = key else {
        return Err(rsa_key::no_private_key());
    };
    if hash.len() != kind.size() {
        return Err(crypto_error(
            "The hash value is not the expected size for the hash algorithm.",
        ));
    }
    let r = if use_pss {
        k.sign_with_rng(&mut OsRng, by_hash!(kind, pss), hash)
    } else {
        k.sign(by_hash!(kind, pkcs1), hash)
    };
    r.map_err(|e| crypto_error(format!("signing failed: {e}")))
}

/// Verifies a signature over a digest (false for any malformed input).
fn verify_hash(key: &Key, hash: &[u8], sig: &[u8], kind: HashKind, use_pss: bool) -> EvalResult<bool> {
    let public = key.public();
    let r = if use_pss {
        public.verify(by_hash!(kind, pss), hash, sig)
    } else {
        public.verify(by_hash!(kind, pkcs1), hash, sig)
    };
    Ok(r.is_ok())
}

impl Object for RsaObj {
    fn type_def(&self) -> &'static TypeDef {
        &RSA
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "KeySize" => Value::Int(self.bits.get()),
            "SignatureAlgorithm" | "KeyExchangeAlgorithm" => Value::str("RSA"),
            _ => return None,
        }))
    }

    fn set<'a>(&self, _: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        if name != "KeySize" {
            return None;
        }
        Some(value.to_i32("value").and_then(|b| {
            check_size(b)?;
            if b != self.bits.get() {
                self.bits.set(b);
                *self.key.borrow_mut() = None;
            }
            Ok(())
        }))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let known = RSA_MEMBERS.iter().any(|m| m.name == name);
        if !known {
            return None;
        }
        Some(self.call_known(rt, name, args))
    }

    fn fmt_debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RSA(KeySize={})", self.bits.get())
    }
}

impl RsaObj {
    fn call_known<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
        let bytes = |v| Ok::<_, EvalError>(Array::bytes(v));
        match (name, args) {
            ("Dispose" | "Clear", []) => {
                self.disposed.set(true);
                *self.key.borrow_mut() = None;
                Ok(Value::Null)
            }
            ("FromXmlString", [xml]) => {
                let key = rsa_key::from_xml(str_arg(xml, "xmlString")?)?;
                self.set_key(key);
                Ok(Value::Null)
            }
            ("ToXmlString", [Value::Bool(private)]) => {
                let key = self.key(rt)?;
                rsa_key::to_xml(&key, *private).map(Value::string)
            }
            ("ImportFromPem", [pem]) => {
                let key = rsa_key::import_pem(str_arg(pem, "input")?)?;
                self.set_key(key);
                Ok(Value::Null)
            }
            ("ImportRSAPublicKey", _) => self.import(rt, Der::RsaPublicKey, args),
            ("ImportRSAPrivateKey", _) => self.import(rt, Der::RsaPrivateKey, args),
            ("ImportSubjectPublicKeyInfo", _) => self.import(rt, Der::SubjectPublicKeyInfo, args),
            ("ImportPkcs8PrivateKey", _) => self.import(rt, Der::Pkcs8PrivateKey, args),
            ("ExportRSAPublicKey", []) => bytes(rsa_key::export_der(Der::RsaPublicKey, &self.key(rt)?)?),
            ("ExportRSAPrivateKey", []) => bytes(rsa_key::export_der(Der::RsaPrivateKey, &self.key(rt)?)?),
            ("ExportSubjectPublicKeyInfo", []) => {
                bytes(rsa_key::export_der(Der::SubjectPublicKeyInfo, &self.key(rt)?)?)
            }
            ("ExportPkcs8PrivateKey", []) => bytes(rsa_key::export_der(Der::Pkcs8PrivateKey, &self.key(rt)?)?),
            ("ExportRSAPublicKeyPem", []) => self.export_pem(rt, Der::RsaPublicKey, "RSA PUBLIC KEY"),
            ("ExportRSAPrivateKeyPem", []) => self.export_pem(rt, Der::RsaPrivateKey, "RSA PRIVATE KEY"),
            ("ExportSubjectPublicKeyInfoPem", []) => self.export_pem(rt, Der::SubjectPublicKeyInfo, "PUBLIC KEY"),
            ("ExportPkcs8PrivateKeyPem", []) => self.export_pem(rt, Der::Pkcs8PrivateKey, "PRIVATE KEY"),
            ("SignData", [data, h, p]) => {
                let data = bytes_arg(data, "data")?;
                self.sign_data(rt, &data, h, p)
            }
            ("SignData", [data, off, count, h, p]) => {
                let data = bytes_arg(data, "data")?;
                let r = span(data.len(), off, count)?;
                self.sign_data(rt, data.get(r).unwrap_or_default(), h, p)
            }
            ("VerifyData", [data, sig, h, p]) => {
                let data = bytes_arg(data, "data")?;
                self.verify_data(rt, &data, sig, h, p)
            }
            ("VerifyData", [data, off, count, sig, h, p]) => {
                let data = bytes_arg(data, "data")?;
                let r = span(data.len(), off, count)?;
                self.verify_data(rt, data.get(r).unwrap_or_default(), sig, h, p)
            }
            ("SignHash", [hash, h, p]) => {
                let (hash, kind, pss) = (bytes_arg(hash, "hash")?, kind_arg(h)?, sig_padding(p)?);
                rt.charge(1000)?;
                bytes(sign_hash(&self.key(rt)?, &hash, kind, pss)?)
            }
            ("VerifyHash", [hash, sig, h, p]) => {
                let (hash, sig) = (bytes_arg(hash, "hash")?, bytes_arg(sig, "signature")?);
                let (kind, pss) = (kind_arg(h)?, sig_padding(p)?);
                rt.charge(100)?;
                Ok(Value::Bool(verify_hash(&self.key(rt)?, &hash, &sig, kind, pss)?))
            }
            ("Encrypt", [data, p]) => {
                let (data, p) = (bytes_arg(data, "data")?, enc_padding(p)?);
                rt.charge(100)?;
                let public = self.key(rt)?.public();
                let r = match p {
                    None => public.encrypt(&mut OsRng, Pkcs1v15Encrypt, &data),
                    Some(k) => public.encrypt(&mut OsRng, by_hash!(k, oaep), &data),
                };
                bytes(r.map_err(|e| crypto_error(format!("encryption failed: {e}")))?)
            }
            ("Decrypt", [data, p]) => {
                let (data, p) = (bytes_arg(data, "data")?, enc_padding(p)?);
                rt.charge(1000)?;
                let Key::Private(k) = self.key(rt)? else {
                    return Err(rsa_key::no_private_key());
                };
                let r = match p {
                    None => k.decrypt_blinded(&mut OsRng, Pkcs1v15Encrypt, &data),
                    Some(h) => k.decrypt_blinded(&mut OsRng, by_hash!(h, oaep), &data),
                };
                bytes(r.map_err(|_| crypto_error("The parameter is incorrect."))?)
            }
            _ => Err(EvalError::argument(format!(
                "no overload of RSA.{name} takes these arguments"
            ))),
        }
    }

    fn export_pem<'a>(&self, rt: &mut dyn Runtime<'a>, kind: Der, label: &str) -> EvalResult<Value<'a>> {
        let der = rsa_key::export_der(kind, &self.key(rt)?)?;
        Ok(Value::string(rsa_key::pem(label, &der)))
    }

    fn sign_data<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        data: &[u8],
        h: &Value<'a>,
        p: &Value<'a>,
    ) -> EvalResult<Value<'a>> {
        let (kind, pss) = (kind_arg(h)?, sig_padding(p)?);
        super::charge_bytes(rt, data.len())?;
        rt.charge(1000)?;
        let key = self.key(rt)?;
        Ok(Array::bytes(sign_hash(&key, &kind.digest(data), kind, pss)?))
    }

    fn verify_data<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        data: &[u8],
        sig: &Value<'a>,
        h: &Value<'a>,
        p: &Value<'a>,
    ) -> EvalResult<Value<'a>> {
        let sig = bytes_arg(sig, "signature")?;
        let (kind, pss) = (kind_arg(h)?, sig_padding(p)?);
        super::charge_bytes(rt, data.len())?;
        rt.charge(100)?;
        let key = self.key(rt)?;
        Ok(Value::Bool(verify_hash(&key, &kind.digest(data), &sig, kind, pss)?))
    }
}
