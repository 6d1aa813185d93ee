//! `RSASignaturePadding` (`Pkcs1`, `Pss`) and `RSAEncryptionPadding`
//! (`Pkcs1`, `OaepSHA1`…`OaepSHA512`, `CreateOaep`): value-equal objects,
//! `ToString()` as .NET's (`Pss`, `OaepSHA256`).

use std::any::Any;
use std::rc::Rc;

use crate::error::{EvalError, EvalResult};
use crate::library::crypto::hash::HashKind;
use crate::library::crypto::hash_name::{kind_arg, HashAlgName};
use crate::library::crypto::{crypto_error, NS};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static RSA_SIGNATURE_PADDING: TypeDef = TypeDef {
    name: "RSASignaturePadding",
    namespace: NS,
    bases: &["IEquatable"],
    statics: &[m("Pkcs1", "RSASignaturePadding"), m("Pss", "RSASignaturePadding")],
    members: &[
        m("Equals", "bool"),
        m("op_Equality", "bool"),
        m("op_Inequality", "bool"),
    ],
    unimplemented: &["Mode"],
    get_static: Some(get_static_sig),
    ..TypeDef::EMPTY
};

pub static RSA_ENCRYPTION_PADDING: TypeDef = TypeDef {
    name: "RSAEncryptionPadding",
    namespace: NS,
    bases: &["IEquatable"],
    statics: &[
        m("Pkcs1", "RSAEncryptionPadding"),
        m("OaepSHA1", "RSAEncryptionPadding"),
        m("OaepSHA256", "RSAEncryptionPadding"),
        m("OaepSHA384", "RSAEncryptionPadding"),
        m("OaepSHA512", "RSAEncryptionPadding"),
        m("CreateOaep", "RSAEncryptionPadding"),
    ],
    members: &[
        m("OaepHashAlgorithm", "HashAlgorithmName"),
        m("Equals", "bool"),
        m("op_Equality", "bool"),
        m("op_Inequality", "bool"),
    ],
    unimplemented: &["Mode", "OaepSHA3_256", "OaepSHA3_384", "OaepSHA3_512"],
    get_static: Some(get_static_enc),
    call_static: Some(call_static_enc),
    ..TypeDef::EMPTY
};

/// An `RSASignaturePadding` (`true`: PSS).
#[derive(Debug, PartialEq, Eq)]
pub struct SigPadding(pub bool);

/// An `RSAEncryptionPadding` (`None`: PKCS#1 v1.5; else OAEP with the hash).
#[derive(Debug, PartialEq, Eq)]
pub struct EncPadding(pub Option<HashKind>);

fn padding_call<'a, T: PartialEq + 'static>(me: &T, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    let same = |v: &Value<'a>| matches!(v, Value::Obj(o) if o.as_any().downcast_ref::<T>() == Some(me));
    match (name, args) {
        ("Equals" | "op_Equality", [o]) => Some(Ok(Value::Bool(same(o)))),
        ("op_Inequality", [o]) => Some(Ok(Value::Bool(!same(o)))),
        _ => None,
    }
}

impl Object for SigPadding {
    fn type_def(&self) -> &'static TypeDef {
        &RSA_SIGNATURE_PADDING
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        padding_call(self, name, args)
    }
    fn to_text(&self) -> String {
        if self.0 { "Pss" } else { "Pkcs1" }.to_owned()
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(other.as_any().downcast_ref::<SigPadding>() == Some(self))
    }
    fn hash_code(&self) -> Option<u64> {
        Some(u64::from(self.0))
    }
}

impl Object for EncPadding {
    fn type_def(&self) -> &'static TypeDef {
        &RSA_ENCRYPTION_PADDING
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "OaepHashAlgorithm" => Some(Ok(match self.0 {
                Some(k) => HashAlgName::value(k),
                None => Value::obj(HashAlgName(None)),
            })),
            _ => None,
        }
    }
    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        padding_call(self, name, args)
    }
    fn to_text(&self) -> String {
        // .NET: Mode.ToString() + OaepHashAlgorithm.Name.
        match self.0 {
            Some(k) => format!("Oaep{}", k.name()),
            None => "Pkcs1".to_owned(),
        }
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(other.as_any().downcast_ref::<EncPadding>() == Some(self))
    }
    fn hash_code(&self) -> Option<u64> {
        Some(self.0.map_or(0, |k| k.size() as u64))
    }
}

fn get_static_sig<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    match name {
        "Pkcs1" => Some(Ok(Value::obj(SigPadding(false)))),
        "Pss" => Some(Ok(Value::obj(SigPadding(true)))),
        _ => None,
    }
}

fn get_static_enc<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let p = match name {
        "Pkcs1" => None,
        "OaepSHA1" => Some(HashKind::Sha1),
        "OaepSHA256" => Some(HashKind::Sha256),
        "OaepSHA384" => Some(HashKind::Sha384),
        "OaepSHA512" => Some(HashKind::Sha512),
        _ => return None,
    };
    Some(Ok(Value::obj(EncPadding(p))))
}

fn call_static_enc<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("CreateOaep", [h]) => Some(kind_arg(h).and_then(|k| match k {
            HashKind::Md5 => Err(crypto_error(
                "The specified hash algorithm is not supported for OAEP padding.",
            )),
            k => Ok(Value::obj(EncPadding(Some(k)))),
        })),
        _ => None,
    }
}

pub(super) fn sig_padding(v: &Value<'_>) -> EvalResult<bool> {
    match v.downcast::<SigPadding>() {
        Some(p) => Ok(p.0),
        None if v.is_null() => Err(crate::library::crypto::null_arg("padding")),
        None => Err(EvalError::argument("padding: expected an RSASignaturePadding")),
    }
}

pub(super) fn enc_padding(v: &Value<'_>) -> EvalResult<Option<HashKind>> {
    match v.downcast::<EncPadding>() {
        Some(p) => Ok(p.0),
        None if v.is_null() => Err(crate::library::crypto::null_arg("padding")),
        None => Err(EvalError::argument("padding: expected an RSAEncryptionPadding")),
    }
}
