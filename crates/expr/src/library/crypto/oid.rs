//! `System.Security.Cryptography.Oid`: an object identifier and its
//! friendly name, with the table of names .NET knows for the OIDs a
//! certificate or a policy meets (algorithms, name attributes, extensions,
//! key usages). An unknown value has a null friendly name, as in .NET.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::NS;
use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static OID: TypeDef = TypeDef {
    name: "Oid",
    namespace: NS,
    statics: &[m("FromFriendlyName", "Oid"), m("FromOidValue", "Oid")],
    members: &[m("Value", "string"), m("FriendlyName", "string")],
    call_static: Some(call_static),
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

/// (dotted value, .NET's friendly name).
const NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.1", "RSA"),
    ("1.2.840.113549.1.1.4", "md5RSA"),
    ("1.2.840.113549.1.1.5", "sha1RSA"),
    ("1.2.840.113549.1.1.7", "RSAES_OAEP"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.2.840.113549.1.1.11", "sha256RSA"),
    ("1.2.840.113549.1.1.12", "sha384RSA"),
    ("1.2.840.113549.1.1.13", "sha512RSA"),
    ("1.2.840.10040.4.1", "DSA"),
    ("1.2.840.10040.4.3", "sha1DSA"),
    ("1.2.840.10045.2.1", "ECC"),
    ("1.2.840.10045.4.1", "sha1ECDSA"),
    ("1.2.840.10045.4.3.2", "sha256ECDSA"),
    ("1.2.840.10045.4.3.3", "sha384ECDSA"),
    ("1.2.840.10045.4.3.4", "sha512ECDSA"),
    ("1.2.840.10045.3.1.7", "nistP256"),
    ("1.3.132.0.34", "nistP384"),
    ("1.3.132.0.35", "nistP521"),
    ("1.3.101.112", "Ed25519"),
    ("1.2.840.113549.2.5", "md5"),
    ("1.3.14.3.2.26", "sha1"),
    ("2.16.840.1.101.3.4.2.1", "sha256"),
    ("2.16.840.1.101.3.4.2.2", "sha384"),
    ("2.16.840.1.101.3.4.2.3", "sha512"),
    ("2.16.840.1.101.3.4.1.2", "aes128"),
    ("2.16.840.1.101.3.4.1.22", "aes192"),
    ("2.16.840.1.101.3.4.1.42", "aes256"),
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "S"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "T"),
    ("2.5.4.42", "G"),
    ("2.5.4.43", "I"),
    ("1.2.840.113549.1.9.1", "E"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("2.5.29.14", "Subject Key Identifier"),
    ("2.5.29.15", "Key Usage"),
    ("2.5.29.17", "Subject Alternative Name"),
    ("2.5.29.18", "Issuer Alternative Name"),
    ("2.5.29.19", "Basic Constraints"),
    ("2.5.29.31", "CRL Distribution Points"),
    ("2.5.29.32", "Certificate Policies"),
    ("2.5.29.35", "Authority Key Identifier"),
    ("2.5.29.37", "Enhanced Key Usage"),
    ("1.3.6.1.5.5.7.1.1", "Authority Information Access"),
    ("1.3.6.1.5.5.7.3.1", "Server Authentication"),
    ("1.3.6.1.5.5.7.3.2", "Client Authentication"),
    ("1.3.6.1.5.5.7.3.3", "Code Signing"),
    ("1.3.6.1.5.5.7.3.4", "Secure Email"),
    ("1.3.6.1.5.5.7.3.8", "Time Stamping"),
];

/// .NET's friendly name of a dotted OID, if it has one.
pub fn friendly_name(value: &str) -> Option<&'static str> {
    NAMES.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

/// The dotted OID of a friendly name (case-insensitive, as .NET's lookup).
pub fn value_of(friendly: &str) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(friendly))
        .map(|(v, _)| *v)
}

/// An `Oid` object (mutable: .NET lets `Value` and `FriendlyName` be set once).
#[derive(Debug)]
pub struct Oid {
    value: RefCell<Option<String>>,
    friendly: RefCell<Option<String>>,
}

impl Oid {
    /// An `Oid` for a dotted value, with its friendly name from the table.
    pub fn of(value: &str) -> Value<'static> {
        Value::obj(Oid {
            value: RefCell::new(Some(value.to_owned())),
            friendly: RefCell::new(friendly_name(value).map(str::to_owned)),
        })
    }

    /// The dotted value.
    pub fn value(&self) -> Option<String> {
        self.value.borrow().clone()
    }
}

fn text(v: &Option<String>) -> Value<'static> {
    v.clone().map_or(Value::Null, Value::string)
}

impl Object for Oid {
    fn type_def(&self) -> &'static TypeDef {
        &OID
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "Value" => Some(Ok(text(&self.value.borrow()))),
            "FriendlyName" => Some(Ok(text(&self.friendly.borrow()))),
            _ => None,
        }
    }

    fn set<'a>(&self, _: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let v = match &value {
            Value::Null => None,
            Value::Str(s) => Some(s.to_string()),
            v => {
                return Some(Err(EvalError::argument(format!(
                    "expected a string, got {}",
                    v.type_name()
                ))))
            }
        };
        match name {
            "Value" => *self.value.borrow_mut() = v,
            "FriendlyName" => {
                // .NET fills in the value of a known friendly name.
                if let Some(val) = v.as_deref().and_then(value_of) {
                    *self.value.borrow_mut() = Some(val.to_owned());
                }
                *self.friendly.borrow_mut() = v;
            }
            _ => return None,
        }
        Some(Ok(()))
    }

    fn to_text(&self) -> String {
        // Oid does not override ToString().
        "System.Security.Cryptography.Oid".to_owned()
    }
}

fn ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let s = |v: &Value<'a>| v.as_str().map(str::to_owned);
    Ok(match args {
        [] => Value::obj(Oid {
            value: RefCell::new(None),
            friendly: RefCell::new(None),
        }),
        // `new Oid("2.5.4.3")` or `new Oid("sha256")`: a friendly name is
        // looked up; an unknown text is taken as the value.
        [v @ Value::Str(text)] => match value_of(text) {
            Some(val) => Value::obj(Oid {
                value: RefCell::new(Some(val.to_owned())),
                friendly: RefCell::new(s(v)),
            }),
            None => Oid::of(text),
        },
        [v, f] => Value::obj(Oid {
            value: RefCell::new(s(v)),
            friendly: RefCell::new(s(f)),
        }),
        [Value::Null] => Value::obj(Oid {
            value: RefCell::new(None),
            friendly: RefCell::new(None),
        }),
        [other] => match other.downcast::<Oid>() {
            Some(o) => Value::obj(Oid {
                value: RefCell::new(o.value.borrow().clone()),
                friendly: RefCell::new(o.friendly.borrow().clone()),
            }),
            None => {
                return Err(EvalError::argument(
                    "Oid(string oid) or Oid(string value, string friendlyName)",
                ))
            }
        },
        _ => {
            return Err(EvalError::argument(
                "Oid(string oid) or Oid(string value, string friendlyName)",
            ))
        }
    })
}

fn call_static<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    // (name, OidGroup): the group (an enum APIM does not list) is ignored.
    let arg = args.first().and_then(Value::as_str);
    match name {
        "FromFriendlyName" => Some(match arg.and_then(value_of) {
            Some(v) => Ok(Oid::of(v)),
            None => Err(super::crypto_error("The OID value is invalid.")),
        }),
        "FromOidValue" => Some(match arg.filter(|v| friendly_name(v).is_some()) {
            Some(v) => Ok(Oid::of(v)),
            None => Err(super::crypto_error("The OID value is invalid.")),
        }),
        _ => None,
    }
}
