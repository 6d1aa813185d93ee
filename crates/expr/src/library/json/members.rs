//! [`Node`] as an [`Object`]: its .NET type per token kind, properties
//! (`Parent`, `Path`, `Type`, `Count`, `Name`, `Value`…), indexers
//! (`obj["k"]`, `arr[0]`, and their setters, which wrap primitives in a
//! `JValue` as Newtonsoft's implicit conversions do), enumeration (a
//! `JObject` yields `KeyValuePair<string, JToken>`, other tokens their
//! children), `ToString()` and value equality of `JValue`s. Methods are
//! in [`super::methods`].

use std::any::Any;
use std::fmt;
use std::rc::Rc;

use super::content::from_content;
use super::edit;
use super::edit::{out_of_range, NODE_BYTES};
use super::node::{Data, Node};
use super::scalar::scalar_of;
use super::types::{JARRAY, JCONSTRUCTOR, JOBJECT, JPROPERTY, JRAW, JTOKENTYPE, JVALUE};
use super::write::token_json;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::KeyValuePair;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

/// A token as a value.
pub fn obj(n: Rc<Node>) -> Value<'static> {
    Value::Obj(n)
}

/// A token or null.
pub fn obj_or_null(n: Option<Rc<Node>>) -> Value<'static> {
    n.map_or(Value::Null, obj)
}

/// Newtonsoft's "Cannot access child value on …" (`InvalidOperationException`).
pub fn no_child_value(n: &Node) -> EvalError {
    EvalError::new(
        EvalErrorKind::InvalidOperation,
        format!("Cannot access child value on {}.", n.full_name()),
    )
}

/// How Newtonsoft's messages print a key (`MiscellaneousUtils.ToString`).
fn key_text(v: &Value<'_>) -> String {
    match v {
        Value::Null => "{null}".into(),
        Value::Str(s) => format!("\"{s}\""),
        v => crate::library::to_text_plain(v),
    }
}

/// An `int` index (what `JArray`'s `this[int]` takes; C# converts the
/// smaller integer types implicitly, not `long`).
fn int_key(key: &Value<'_>) -> Option<i128> {
    match key {
        Value::Int(_) | Value::Short(_) | Value::UShort(_) | Value::Byte(_) | Value::SByte(_) | Value::Char(_) => {
            key.as_integer()
        }
        _ => None,
    }
}

/// The token a value stands for when assigned into a tree (`null` is a
/// `JValue` null).
pub fn as_token(v: &Value<'_>) -> EvalResult<Rc<Node>> {
    from_content(v)
}

/// `JToken.Path`.
pub fn token_path(n: &Rc<Node>) -> String {
    let mut parts: Vec<Result<Rc<str>, usize>> = Vec::new();
    let mut previous: Option<Rc<Node>> = None;
    let mut current = Some(n.clone());
    while let Some(c) = current {
        match &c.data {
            Data::Property(name, _) => parts.push(Ok(name.clone())),
            Data::Array(items) | Data::Constructor(_, items) => {
                if let Some(p) = &previous {
                    if let Some(i) = items.borrow().iter().position(|x| Rc::ptr_eq(x, p)) {
                        parts.push(Err(i));
                    }
                }
            }
            _ => {}
        }
        current = c.parent();
        previous = Some(c);
    }
    let mut s = String::new();
    for p in parts.iter().rev() {
        match p {
            Ok(name) => super::path::push_property(&mut s, name),
            Err(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

impl Node {
    /// `First` / `Last`.
    fn first_last(&self, last: bool) -> EvalResult<Value<'static>> {
        match &self.data {
            Data::Value(_) => Err(no_child_value(self)),
            Data::Property(_, v) => Ok(obj(v.borrow().clone())),
            _ => {
                let c = self.list().map(|l| l.borrow().clone()).unwrap_or_default();
                Ok(obj_or_null(if last { c.last().cloned() } else { c.first().cloned() }))
            }
        }
    }
}

impl Object for Node {
    fn type_def(&self) -> &'static TypeDef {
        match &self.data {
            Data::Object(_) => &JOBJECT,
            Data::Array(_) => &JARRAY,
            Data::Constructor(..) => &JCONSTRUCTOR,
            Data::Property(..) => &JPROPERTY,
            Data::Value(s) if s.borrow().is_raw() => &JRAW,
            Data::Value(_) => &JVALUE,
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        let v = match (name, &self.data) {
            ("Parent", _) => Ok(obj_or_null(self.parent())),
            ("Root", _) => self.this().map(|n| obj(n.root())),
            ("Next", _) => Ok(obj_or_null(self.sibling(1))),
            ("Previous", _) => Ok(obj_or_null(self.sibling(-1))),
            ("Path", _) => self.this().map(|n| Value::string(token_path(&n))),
            ("Type", _) => Ok(Value::Enum(&JTOKENTYPE, self.token_type() as i64)),
            ("HasValues", _) => Ok(Value::Bool(self.has_values())),
            ("First", _) => self.first_last(false),
            ("Last", _) => self.first_last(true),
            ("Count", d) if !matches!(d, Data::Value(_)) => Ok(Value::Int(self.child_count() as i32)),
            ("IsReadOnly", Data::Array(_)) => Ok(Value::Bool(false)),
            ("Name", Data::Property(n, _)) => Ok(Value::string(&**n)),
            ("Name", Data::Constructor(n, _)) => Ok(Value::string(&**n.borrow())),
            ("Value", Data::Property(_, v)) => Ok(obj(v.borrow().clone())),
            ("Value", Data::Value(s)) => Ok(s.borrow().v.clone()),
            _ => return None,
        };
        Some(v)
    }

    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let r = match (name, &self.data) {
            ("Value", Data::Property(..)) => (|| {
                let me = self.this()?;
                edit::set_at(rt, &me, 0, as_token(&value)?)
            })(),
            ("Value", Data::Value(s)) => scalar_of(&value).map(|new| {
                let raw = s.borrow().is_raw();
                let mut cur = s.borrow_mut();
                cur.v = new.v;
                if !raw {
                    cur.flavor = new.flavor;
                }
            }),
            ("Name", Data::Constructor(n, _)) => match value.as_str() {
                Some(t) => {
                    *n.borrow_mut() = Rc::from(t);
                    Ok(())
                }
                None => Err(EvalError::argument("Name must be a string")),
            },
            _ => return None,
        };
        Some(r)
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = this;
        let me = match self.this() {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        super::methods::call(rt, &me, name, targs, args)
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(self.index_value(&key))
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        Some((|| {
            let me = self.this()?;
            match &self.data {
                Data::Object(_) => match key.as_str() {
                    Some(k) => edit::set_property(rt, &me, k, as_token(&value)?),
                    None => Err(EvalError::argument(format!(
                        "Set JObject values with invalid key value: {}. Object property name expected.",
                        key_text(&key)
                    ))),
                },
                Data::Array(_) | Data::Constructor(..) => {
                    let Some(i) = int_key(&key) else {
                        return Err(EvalError::argument(format!(
                            "Set {} values with invalid key value: {}. Int32 array index expected.",
                            self.type_name(),
                            key_text(&key)
                        )));
                    };
                    let i = usize::try_from(i).map_err(|_| out_of_range())?;
                    edit::set_at(rt, &me, i, as_token(&value)?)
                }
                _ => Err(EvalError::new(
                    EvalErrorKind::InvalidOperation,
                    format!("Cannot set child value on {}.", self.full_name()),
                )),
            }
        })())
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(match &self.data {
            Data::Object(props) => props
                .borrow()
                .iter()
                .filter_map(|p| {
                    let (n, v) = (p.name()?, p.prop_value()?);
                    Some(KeyValuePair::value(Value::string(&*n), obj(v)))
                })
                .collect(),
            _ => self.children().into_iter().map(obj).collect(),
        })
    }

    fn entries(&self) -> Option<Vec<(Value<'static>, Value<'static>)>> {
        match &self.data {
            Data::Object(props) => Some(
                props
                    .borrow()
                    .iter()
                    .filter_map(|p| Some((Value::string(&*p.name()?), obj(p.prop_value()?))))
                    .collect(),
            ),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        match &self.data {
            Data::Value(s) => s.borrow().to_text(),
            _ => token_json(self, true),
        }
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<Node>()?;
        match (&self.data, &o.data) {
            (Data::Value(a), Data::Value(b)) => Some(a.borrow().value_equals(&b.borrow())),
            _ => None,
        }
    }

    fn hash_code(&self) -> Option<u64> {
        self.scalar().map(|s| s.hash_code())
    }

    fn size_hint(&self) -> usize {
        NODE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.type_name(), token_json(self, false))
    }
}

impl Node {
    /// The indexer `token[key]`.
    pub fn index_value(&self, key: &Value<'_>) -> EvalResult<Value<'static>> {
        match &self.data {
            Data::Object(_) => match key.as_str() {
                Some(k) => Ok(obj_or_null(self.get(k))),
                None => Err(EvalError::argument(format!(
                    "Accessed JObject values with invalid key value: {}. Object property name expected.",
                    key_text(key)
                ))),
            },
            Data::Array(items) | Data::Constructor(_, items) => match int_key(key) {
                Some(i) => usize::try_from(i)
                    .ok()
                    .and_then(|i| items.borrow().get(i).cloned())
                    .map(obj)
                    .ok_or_else(out_of_range),
                None if key.is_null() => Err(EvalError::new(
                    EvalErrorKind::ArgumentNull,
                    "Value cannot be null. (Parameter 'key')",
                )),
                None => Err(EvalError::argument(format!(
                    "Accessed {} values with invalid key value: {}. Int32 array index expected.",
                    self.type_name(),
                    key_text(key)
                ))),
            },
            _ => Err(no_child_value(self)),
        }
    }
}
