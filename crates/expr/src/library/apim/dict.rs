//! A read-only dictionary of string → `string[]`, in insertion order:
//! `Jwt.Claims` (case-sensitive names, like a .NET `Dictionary`) and an
//! `IResponse`'s `Headers` (case-insensitive, like APIM's header
//! dictionaries). APIM's documented `GetValueOrDefault(name, default)`
//! joins multiple values with "," (reference §3.4); the indexer returns the
//! `string[]` and throws `KeyNotFoundException`; enumeration yields
//! `KeyValuePair<string, string[]>` so LINQ works.

use std::any::Any;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::{Array, KeyValuePair};
use crate::runtime::Runtime;
use crate::types::{m, Apim, Member, TypeDef, TypeRef};
use crate::value::{Object, Value};

use super::NS;

const MEMBERS: &[Member] = &[
    m("this[]", "string[]"),
    m("GetValueOrDefault", "string"),
    m("ContainsKey", "bool"),
    m("TryGetValue", "bool"),
    m("Keys", "IEnumerable<string>"),
    m("Values", "IEnumerable<string[]>"),
    m("Count", "int"),
];

const BASES: &[&str] = &["IReadOnlyDictionary", "IReadOnlyCollection", "IEnumerable"];

/// `Jwt.Claims`: an `IReadOnlyDictionary<string, string[]>`.
pub static CLAIMS: TypeDef = TypeDef {
    name: "JwtClaims",
    namespace: NS,
    apim: Apim::Helper,
    bases: BASES,
    members: MEMBERS,
    ..TypeDef::EMPTY
};

/// `IResponse.Headers`: an `IReadOnlyDictionary<string, string[]>`.
pub static HEADERS: TypeDef = TypeDef {
    name: "MessageHeaders",
    namespace: NS,
    apim: Apim::Helper,
    bases: BASES,
    members: MEMBERS,
    ..TypeDef::EMPTY
};

/// The dictionary.
#[derive(Debug)]
pub struct MultiDict {
    def: &'static TypeDef,
    entries: Vec<(String, Vec<String>)>,
    ignore_case: bool,
}

impl MultiDict {
    /// Groups `(name, value)` pairs by name, keeping first-seen order.
    pub fn new(def: &'static TypeDef, pairs: Vec<(String, String)>, ignore_case: bool) -> MultiDict {
        let mut d = MultiDict {
            def,
            entries: Vec::new(),
            ignore_case,
        };
        for (k, v) in pairs {
            match d.position(&k) {
                Some(i) => d.entries[i].1.push(v),
                None => d.entries.push((k, vec![v])),
            }
        }
        d
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| {
            if self.ignore_case {
                k.eq_ignore_ascii_case(key)
            } else {
                k == key
            }
        })
    }

    /// The values of `key`.
    pub fn values(&self, key: &str) -> Option<&[String]> {
        self.position(key).map(|i| self.entries[i].1.as_slice())
    }

    /// Every (name, value), names in first-seen order, values in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.as_str(), v.as_str())))
    }

    /// The first value of `key`.
    pub fn first(&self, key: &str) -> Option<&str> {
        self.values(key).and_then(|v| v.first()).map(String::as_str)
    }

    fn size(&self) -> usize {
        self.entries
            .iter()
            .map(|(k, v)| k.len() + v.iter().map(String::len).sum::<usize>())
            .sum()
    }
}

/// A key argument (`ArgumentNullException` for null).
fn key_arg<'v>(v: &'v Value<'_>) -> EvalResult<&'v str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Null => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'key')",
        )),
        v => Err(EvalError::argument(format!(
            "key: expected a string, got {}",
            v.type_name()
        ))),
    }
}

pub fn key_not_found(key: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::KeyNotFound,
        format!("The given key '{key}' was not present in the dictionary."),
    )
}

impl Object for MultiDict {
    fn type_def(&self) -> &'static TypeDef {
        self.def
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "Count" => Value::Int(self.entries.len() as i32),
            "Keys" => Array::strings(self.entries.iter().map(|(k, _)| k.clone())),
            "Values" => Array::of(
                TypeRef::Array(Box::new(TypeRef::of(&crate::library::text::STRING))),
                self.entries.iter().map(|(_, v)| Array::strings(v.clone())).collect(),
            ),
            _ => return None,
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
        Some((|| {
            Ok(match (name, args) {
                ("GetValueOrDefault", [k, rest @ ..]) if rest.len() <= 1 => match self.values(key_arg(k)?) {
                    Some(vs) => Value::string(vs.join(",")),
                    None => rest.first().cloned().unwrap_or(Value::Null),
                },
                ("ContainsKey", [k]) => Value::Bool(self.position(key_arg(k)?).is_some()),
                ("TryGetValue", [k, _]) => {
                    let found = self.values(key_arg(k)?).map(|v| Array::strings(v.to_vec()));
                    let ok = found.is_some();
                    rt.set_out(1, found.unwrap_or(Value::Null))?;
                    Value::Bool(ok)
                }
                _ => return Err(EvalError::argument("")),
            })
        })())
        .filter(|_| matches!(name, "GetValueOrDefault" | "ContainsKey" | "TryGetValue"))
    }

    fn index<'a>(&self, _: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        Some(key_arg(&key).and_then(|k| {
            self.values(k)
                .map(|v| Array::strings(v.to_vec()))
                .ok_or_else(|| key_not_found(k))
        }))
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(
            self.entries
                .iter()
                .map(|(k, v)| KeyValuePair::value(Value::string(k.clone()), Array::strings(v.clone())))
                .collect(),
        )
    }

    fn entries(&self) -> Option<Vec<(Value<'static>, Value<'static>)>> {
        Some(
            self.entries
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), Array::strings(v.clone())))
                .collect(),
        )
    }

    fn size_hint(&self) -> usize {
        64 + self.size()
    }
}
