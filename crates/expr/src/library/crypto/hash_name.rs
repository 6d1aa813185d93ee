//! `HashAlgorithmName`: the struct naming a hash for RSA signing and
//! `GetCertHash(HashAlgorithmName)`. Value equality on the name (ordinal,
//! as .NET's), `ToString()` is the name or "".

use std::any::Any;
use std::rc::Rc;

use super::hash::HashKind;
use super::{str_arg, NS};
use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

pub static HASH_ALGORITHM_NAME: TypeDef = TypeDef {
    name: "HashAlgorithmName",
    namespace: NS,
    kind: TypeKind::Struct,
    bases: &["IEquatable"],
    statics: &[
        m("MD5", "HashAlgorithmName"),
        m("SHA1", "HashAlgorithmName"),
        m("SHA256", "HashAlgorithmName"),
        m("SHA384", "HashAlgorithmName"),
        m("SHA512", "HashAlgorithmName"),
        m("FromOid", "HashAlgorithmName"),
        m("TryFromOid", "bool"),
    ],
    members: &[
        m("Name", "string"),
        m("Equals", "bool"),
        m("op_Equality", "bool"),
        m("op_Inequality", "bool"),
    ],
    unimplemented: &["SHA3_256", "SHA3_384", "SHA3_512"],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

/// A `HashAlgorithmName` (`None`: `default(HashAlgorithmName)`, whose
/// `Name` is null).
#[derive(Debug)]
pub struct HashAlgName(pub Option<String>);

impl HashAlgName {
    pub fn value(kind: HashKind) -> Value<'static> {
        Value::obj(HashAlgName(Some(kind.name().to_owned())))
    }
}

/// The hash a `HashAlgorithmName` argument names: .NET's exceptions for a
/// null or empty name (`ArgumentException`) and an unknown one
/// (`CryptographicException`).
pub fn kind_arg(v: &Value<'_>) -> EvalResult<HashKind> {
    let name = match v.downcast::<HashAlgName>() {
        Some(HashAlgName(Some(n))) if !n.is_empty() => n,
        Some(_) => {
            return Err(EvalError::argument(
                "The hash algorithm name cannot be null or empty. (Parameter 'hashAlgorithm')",
            ))
        }
        None => {
            return Err(EvalError::argument(format!(
                "hashAlgorithm: expected a HashAlgorithmName, got {}",
                v.type_name()
            )))
        }
    };
    // .NET compares the name ordinally: "sha256" is not a known name.
    match name.as_str() {
        "MD5" => Ok(HashKind::Md5),
        "SHA1" => Ok(HashKind::Sha1),
        "SHA256" => Ok(HashKind::Sha256),
        "SHA384" => Ok(HashKind::Sha384),
        "SHA512" => Ok(HashKind::Sha512),
        n => Err(super::crypto_error(format!("'{n}' is not a known hash algorithm."))),
    }
}

fn from_oid(oid: &str) -> Option<HashKind> {
    [
        HashKind::Md5,
        HashKind::Sha1,
        HashKind::Sha256,
        HashKind::Sha384,
        HashKind::Sha512,
    ]
    .into_iter()
    .find(|k| k.oid() == oid)
}

impl Object for HashAlgName {
    fn type_def(&self) -> &'static TypeDef {
        &HASH_ALGORITHM_NAME
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "Name" => Some(Ok(self.0.clone().map_or(Value::Null, Value::string))),
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
        let same = |v: &Value<'a>| v.downcast::<HashAlgName>().is_some_and(|o| o.0 == self.0);
        match (name, args) {
            ("Equals" | "op_Equality", [other]) => Some(Ok(Value::Bool(same(other)))),
            ("op_Inequality", [other]) => Some(Ok(Value::Bool(!same(other)))),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        self.0.clone().unwrap_or_default()
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(
            other
                .as_any()
                .downcast_ref::<HashAlgName>()
                .is_some_and(|o| o.0 == self.0),
        )
    }

    fn hash_code(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        Some(h.finish())
    }
}

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let kind = match name {
        "MD5" => HashKind::Md5,
        "SHA1" => HashKind::Sha1,
        "SHA256" => HashKind::Sha256,
        "SHA384" => HashKind::Sha384,
        "SHA512" => HashKind::Sha512,
        _ => return None,
    };
    Some(Ok(HashAlgName::value(kind)))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("FromOid", [oid]) => Some(str_arg(oid, "oidValue").and_then(|o| {
            from_oid(o).map(HashAlgName::value).ok_or_else(|| {
                super::crypto_error(format!(
                    "The specified OID ({o}) does not represent a known hash algorithm."
                ))
            })
        })),
        ("TryFromOid", [oid, _]) => Some(str_arg(oid, "oidValue").and_then(|o| {
            let found = from_oid(o);
            rt.set_out(
                1,
                found.map_or_else(|| Value::obj(HashAlgName(None)), HashAlgName::value),
            )?;
            Ok(Value::Bool(found.is_some()))
        })),
        _ => None,
    }
}

fn ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    match args {
        [] => Ok(Value::obj(HashAlgName(None))),
        [Value::Null] => Ok(Value::obj(HashAlgName(None))),
        [Value::Str(s)] => Ok(Value::obj(HashAlgName(Some(s.to_string())))),
        _ => Err(EvalError::argument("HashAlgorithmName(string name)")),
    }
}
