//! `KeyValuePair<TKey, TValue>`: what enumerating a dictionary yields.

use std::any::Any;
use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeKind};
use crate::value::{Object, Value};

pub static KEY_VALUE_PAIR: TypeDef = TypeDef {
    name: "KeyValuePair",
    namespace: "System.Collections.Generic",
    kind: TypeKind::Struct,
    generics: 2,
    ..TypeDef::EMPTY
};

/// A key and its value.
#[derive(Debug)]
pub struct KeyValuePair {
    pub key: Value<'static>,
    pub value: Value<'static>,
}

impl KeyValuePair {
    pub fn value(key: Value<'_>, value: Value<'_>) -> Value<'static> {
        Value::obj(KeyValuePair {
            key: key.into_owned(),
            value: value.into_owned(),
        })
    }
}

impl Object for KeyValuePair {
    fn type_def(&self) -> &'static TypeDef {
        &KEY_VALUE_PAIR
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        match name {
            "Key" => Some(Ok(self.key.clone())),
            "Value" => Some(Ok(self.value.clone())),
            _ => None,
        }
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        Some(vec![("Key", self.key.clone()), ("Value", self.value.clone())])
    }

    fn to_text(&self) -> String {
        format!(
            "[{}, {}]",
            crate::library::to_text(&self.key),
            crate::library::to_text(&self.value)
        )
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<KeyValuePair>()?;
        Some(crate::library::equals(&self.key, &o.key) && crate::library::equals(&self.value, &o.value))
    }
}
