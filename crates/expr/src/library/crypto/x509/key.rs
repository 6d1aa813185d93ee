//! The objects a certificate hands out: `X500DistinguishedName` (only
//! `Name`), `PublicKey` (its OID, encoded key and parameters, the RSA key)
//! and `AsnEncodedData`.

use std::any::Any;
use std::rc::Rc;

use super::{text, CertData, ASN_ENCODED_DATA, PUBLIC_KEY, X500_DISTINGUISHED_NAME};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::crypto::asymmetric::RsaObj;
use crate::library::crypto::oid::Oid;
use crate::library::crypto::rsa_key::{self, Der};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

/// An `X500DistinguishedName` (only `Name` is allowed by APIM).
#[derive(Debug)]
pub struct DistinguishedName(pub String);

impl Object for DistinguishedName {
    fn type_def(&self) -> &'static TypeDef {
        &X500_DISTINGUISHED_NAME
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        (name == "Name").then(|| Ok(Value::string(self.0.clone())))
    }
}

/// A certificate's `PublicKey`.
pub struct PublicKeyObj(pub Rc<CertData>);

impl Object for PublicKeyObj {
    fn type_def(&self) -> &'static TypeDef {
        &PUBLIC_KEY
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let d = &self.0;
        Some(Ok(match name {
            "Oid" => Oid::of(&d.key_oid),
            "EncodedKeyValue" => Value::obj(Encoded {
                oid: d.key_oid.clone(),
                data: d.key_value.clone(),
            }),
            "EncodedParameters" => Value::obj(Encoded {
                oid: d.key_oid.clone(),
                data: d.key_params.clone(),
            }),
            "Key" => match self.rsa() {
                Ok(Some(k)) => RsaObj::with_key(k),
                Ok(None) => {
                    return Some(Err(EvalError::new(
                        EvalErrorKind::NotSupported,
                        "The certificate key algorithm is not supported.",
                    )))
                }
                Err(e) => return Some(Err(e)),
            },
            _ => return None,
        }))
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("GetRSAPublicKey", []) => Some(self.rsa().map(|k| k.map_or(Value::Null, RsaObj::with_key))),
            ("ExportSubjectPublicKeyInfo", []) => Some(Ok(Array::bytes(self.0.spki.clone()))),
            _ => None,
        }
    }
}

impl PublicKeyObj {
    fn rsa(&self) -> EvalResult<Option<rsa_key::Key>> {
        if self.0.key_oid != "1.2.840.113549.1.1.1" {
            return Ok(None);
        }
        rsa_key::import_der(Der::SubjectPublicKeyInfo, &self.0.spki).map(Some)
    }
}

/// `AsnEncodedData`: an OID and DER bytes.
#[derive(Debug)]
pub struct Encoded {
    pub oid: String,
    pub data: Vec<u8>,
}

impl Object for Encoded {
    fn type_def(&self) -> &'static TypeDef {
        &ASN_ENCODED_DATA
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "Oid" => Some(Ok(Oid::of(&self.oid))),
            "RawData" => Some(Ok(Array::bytes(self.data.clone()))),
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
        match (name, args) {
            ("Format", [_]) => Some(Ok(Value::string(text::hex_spaced(&self.data)))),
            _ => None,
        }
    }
}
