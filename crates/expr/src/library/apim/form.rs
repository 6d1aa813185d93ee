//! `Body.AsFormUrlEncodedContent()`: the fields of an
//! `application/x-www-form-urlencoded` body as an ordered, mutable
//! `IDictionary<string, IList<string>>`, with APIM's `ToQueryString()` and
//! `ToFormUrlEncodedContent()` and serializable by `JsonConvert` (entries).
//!
//! Decisions (APIM documents none of these): names are case-sensitive (a
//! plain .NET `Dictionary`); a field without `=` has the value ""; `+` is a
//! space and malformed `%` escapes stay as they are (.NET's `UrlDecode`);
//! values are handed out as `string[]` copies (the `IList<string>` of .NET
//! would be live; adding to it through the indexer's result is not
//! supported); both writers encode as .NET's `FormUrlEncodedContent`
//! (`Uri.EscapeDataString`, then `%20` → `+`) without a leading `?`.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use super::dict::key_not_found;
use super::NS;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::{Array, KeyValuePair};
use crate::library::net::escape;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static FORM: TypeDef = TypeDef {
    name: "FormUrlEncodedContent",
    namespace: NS,
    apim: Apim::Helper,
    bases: &["IDictionary", "ICollection", "IEnumerable"],
    members: &[
        m("this[]", "IList<string>"),
        m("Add", "void"),
        m("Remove", "bool"),
        m("ContainsKey", "bool"),
        m("TryGetValue", "bool"),
        m("Keys", "ICollection<string>"),
        m("Values", "ICollection<IList<string>>"),
        m("Count", "int"),
        m("IsReadOnly", "bool"),
        m("Clear", "void"),
        m("ToQueryString", "string"),
        m("ToFormUrlEncodedContent", "string"),
    ],
    ..TypeDef::EMPTY
};

/// The form fields, in first-seen order.
#[derive(Debug, Default)]
pub struct Form {
    entries: RefCell<Vec<(String, Vec<String>)>>,
}

/// Parses form-urlencoded text, charging the budget per field.
pub fn parse(rt: &mut dyn Runtime<'_>, text: &str) -> EvalResult<Form> {
    rt.alloc(text.len())?;
    let form = Form::default();
    {
        let mut entries = form.entries.borrow_mut();
        for field in text.trim_start_matches('?').split('&').filter(|f| !f.is_empty()) {
            rt.charge(1)?;
            let (k, v) = field.split_once('=').unwrap_or((field, ""));
            let (k, v) = (escape::url_decode(k), escape::url_decode(v));
            match entries.iter_mut().find(|(name, _)| *name == k) {
                Some((_, vs)) => vs.push(v),
                None => entries.push((k, vec![v])),
            }
        }
    }
    Ok(form)
}

fn key_arg(v: &Value<'_>) -> EvalResult<String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
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

/// An `IList<string>` argument: a string array or list, or one string.
fn values_arg(v: &Value<'_>) -> EvalResult<Vec<String>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Str(s) => Ok(vec![s.to_string()]),
        Value::Obj(o) => match o.items() {
            Some(items) => Ok(items.iter().map(crate::library::to_text_plain).collect()),
            None => Err(EvalError::cast(v.type_name(), "IList<string>")),
        },
        v => Err(EvalError::cast(v.type_name(), "IList<string>")),
    }
}

impl Form {
    /// The fields encoded as .NET's `FormUrlEncodedContent` writes them.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (k, vs) in self.entries.borrow().iter() {
            for v in vs {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&escape::escape_data(k).replace("%20", "+"));
                out.push('=');
                out.push_str(&escape::escape_data(v).replace("%20", "+"));
            }
        }
        out
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.borrow().iter().position(|(k, _)| k == key)
    }
}

impl Object for Form {
    fn type_def(&self) -> &'static TypeDef {
        &FORM
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let entries = self.entries.borrow();
        Some(Ok(match name {
            "Count" => Value::Int(entries.len() as i32),
            "IsReadOnly" => Value::Bool(false),
            "Keys" => Array::strings(entries.iter().map(|(k, _)| k.clone())),
            "Values" => Array::of(
                TypeRef::Array(Box::new(TypeRef::of(&crate::library::text::STRING))),
                entries.iter().map(|(_, v)| Array::strings(v.clone())).collect(),
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
        let known = FORM.members.iter().any(|m| m.name == name);
        if !known {
            return None;
        }
        Some((|| {
            Ok(match (name, args) {
                ("ToQueryString" | "ToFormUrlEncodedContent", []) => {
                    let s = self.encode();
                    rt.alloc(s.len())?;
                    Value::string(s)
                }
                ("ContainsKey", [k]) => Value::Bool(self.position(&key_arg(k)?).is_some()),
                ("TryGetValue", [k, _]) => {
                    let i = self.position(&key_arg(k)?);
                    let v = i.map(|i| Array::strings(self.entries.borrow()[i].1.clone()));
                    rt.set_out(1, v.unwrap_or(Value::Null))?;
                    Value::Bool(i.is_some())
                }
                ("Add", [k, v]) => {
                    let k = key_arg(k)?;
                    if self.position(&k).is_some() {
                        return Err(EvalError::argument(format!(
                            "An item with the same key has already been added. Key: {k}"
                        )));
                    }
                    let vs = values_arg(v)?;
                    self.entries.borrow_mut().push((k, vs));
                    Value::Null
                }
                ("Remove", [k]) => {
                    let i = self.position(&key_arg(k)?);
                    if let Some(i) = i {
                        self.entries.borrow_mut().remove(i);
                    }
                    Value::Bool(i.is_some())
                }
                ("Clear", []) => {
                    self.entries.borrow_mut().clear();
                    Value::Null
                }
                _ => {
                    return Err(EvalError::argument(format!(
                        "no overload of {name} takes these arguments"
                    )))
                }
            })
        })())
    }

    fn index<'a>(&self, _: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        Some(key_arg(&key).and_then(|k| match self.position(&k) {
            Some(i) => Ok(Array::strings(self.entries.borrow()[i].1.clone())),
            None => Err(key_not_found(&k)),
        }))
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        Some((|| {
            let k = key_arg(&key)?;
            let vs = values_arg(&value)?;
            rt.alloc(vs.iter().map(String::len).sum::<usize>() + k.len())?;
            match self.position(&k) {
                Some(i) => self.entries.borrow_mut()[i].1 = vs,
                None => self.entries.borrow_mut().push((k, vs)),
            }
            Ok(())
        })())
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(
            self.entries
                .borrow()
                .iter()
                .map(|(k, v)| KeyValuePair::value(Value::string(k.clone()), Array::strings(v.clone())))
                .collect(),
        )
    }

    fn entries(&self) -> Option<Vec<(Value<'static>, Value<'static>)>> {
        Some(
            self.entries
                .borrow()
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), Array::strings(v.clone())))
                .collect(),
        )
    }

    fn size_hint(&self) -> usize {
        64 + self
            .entries
            .borrow()
            .iter()
            .map(|(k, v)| k.len() + v.iter().map(String::len).sum::<usize>())
            .sum::<usize>()
    }
}
