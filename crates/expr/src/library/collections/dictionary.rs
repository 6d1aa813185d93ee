//! `Dictionary<TKey, TValue>`: a hash map over [`Table`] (enumeration in
//! .NET's order: insertion order, freed slots reused last-freed first),
//! optionally case-insensitive (`new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase)`),
//! enumerating `KeyValuePair`s; `Keys`/`Values` are live views.
//!
//! Invariants: keys are never null (`ArgumentNullException`), stored keys
//! and values are converted to `TKey`/`TValue`; the `RefCell` is borrowed
//! only inside one member's own work (no lambda runs here).

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::common::{
    self, arg_null, default_of, enumerate, generic_name, instance_of, int_arg, no_overload, store, targ, KeyCmp,
};
use super::table::Table;
use super::views::{Enumerator, View};
use super::{KeyValuePair, KEY_VALUE_PAIR};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static DICTIONARY: TypeDef = TypeDef {
    name: "Dictionary",
    namespace: "System.Collections.Generic",
    generics: 2,
    bases: &[
        "IDictionary",
        "ICollection",
        "IEnumerable",
        "IReadOnlyDictionary",
        "IReadOnlyCollection",
    ],
    members: &[
        m("this[]", "TValue"),
        m("Count", "int"),
        m("Keys", "ICollection<TKey>"),
        m("Values", "ICollection<TValue>"),
        m("Add", "void"),
        m("TryAdd", "bool"),
        m("ContainsKey", "bool"),
        m("ContainsValue", "bool"),
        m("TryGetValue", "bool"),
        m("Remove", "bool"),
        m("Clear", "void"),
        m("GetValueOrDefault", "TValue"),
        m("TrimExcess", "void"),
        m("GetEnumerator", "?"),
    ],
    unimplemented: &["Comparer", "EnsureCapacity", "GetObjectData", "OnDeserialization"],
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

/// A `Dictionary<TKey, TValue>`.
pub struct Dictionary {
    pub key_t: TypeRef,
    pub val_t: TypeRef,
    table: RefCell<Table<'static, Value<'static>>>,
}

/// `new Dictionary<K, V>()`, `(capacity)`, `(comparer)`, `(capacity, comparer)`,
/// `(dictionary)`, `(dictionary, comparer)`.
fn construct<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let d = |cmp| Dictionary::new(targ(targs, 0), targ(targs, 1), cmp);
    let capacity = |rt: &mut dyn Runtime<'a>, n: &Value<'a>| -> EvalResult<()> {
        let n = int_arg(n, "capacity")?;
        if n < 0 {
            return Err(common::non_negative("capacity"));
        }
        rt.alloc((n as usize).saturating_mul(2 * common::VALUE_BYTES))
    };
    let dict = match args {
        [] => d(KeyCmp::Default),
        [n] if n.as_integer().is_some() => {
            capacity(rt, n)?;
            d(KeyCmp::Default)
        }
        [c] if KeyCmp::is_comparer(c) => d(KeyCmp::from_arg(c)?),
        [n, c] if n.as_integer().is_some() => {
            capacity(rt, n)?;
            d(KeyCmp::from_arg(c)?)
        }
        [src] | [src, _] => {
            let dict = d(match args.get(1) {
                Some(c) => KeyCmp::from_arg(c)?,
                None => KeyCmp::Default,
            });
            if src.is_null() {
                return Err(arg_null("dictionary"));
            }
            for (k, v) in pairs(rt, src)? {
                dict.add(rt, k, v)?;
            }
            dict
        }
        _ => return Err(no_overload("Dictionary", args.len())),
    };
    Ok(Value::obj(dict))
}

/// The key/value pairs of a dictionary-like value: an object's
/// [`Object::entries`], else its items as `KeyValuePair`s.
pub fn pairs<'a>(rt: &mut dyn Runtime<'a>, src: &Value<'a>) -> EvalResult<Vec<(Value<'a>, Value<'a>)>> {
    if let Value::Obj(o) = src {
        if let Some(entries) = o.entries() {
            rt.charge(entries.len() as u64)?;
            return Ok(entries);
        }
    }
    enumerate(rt, src, "collection")?
        .into_iter()
        .map(|item| match item.downcast::<KeyValuePair>() {
            Some(p) => Ok((p.key.clone(), p.value.clone())),
            None => Err(EvalError::cast(item.type_name(), "KeyValuePair")),
        })
        .collect()
}

impl Dictionary {
    pub fn new(key_t: TypeRef, val_t: TypeRef, cmp: KeyCmp) -> Dictionary {
        Dictionary {
            key_t,
            val_t,
            table: RefCell::new(Table::new(cmp)),
        }
    }

    /// A `Dictionary<K, V>` value of these entries (later duplicates replace
    /// earlier ones), for other families (`ToObject<Dictionary<…>>`).
    pub fn from_entries(
        key_t: TypeRef,
        val_t: TypeRef,
        entries: impl IntoIterator<Item = (Value<'static>, Value<'static>)>,
    ) -> Value<'static> {
        let d = Dictionary::new(key_t, val_t, KeyCmp::Default);
        if let Ok(mut t) = d.table.try_borrow_mut() {
            for (k, v) in entries {
                t.set(k, v);
            }
        }
        Value::obj(d)
    }

    pub fn len(&self) -> usize {
        self.table.try_borrow().map_or(0, |t| t.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains_key(&self, k: &Value<'_>) -> bool {
        self.table.try_borrow().is_ok_and(|t| t.contains(k))
    }

    pub fn get_value(&self, k: &Value<'_>) -> Option<Value<'static>> {
        self.table.try_borrow().ok()?.get(k).cloned()
    }

    pub fn keys(&self) -> Vec<Value<'static>> {
        self.table
            .try_borrow()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub fn values(&self) -> Vec<Value<'static>> {
        self.table
            .try_borrow()
            .map(|t| t.iter().map(|(_, v)| v.clone()).collect())
            .unwrap_or_default()
    }

    fn table_mut(&self) -> EvalResult<std::cell::RefMut<'_, Table<'static, Value<'static>>>> {
        self.table.try_borrow_mut().map_err(|_| common::modified())
    }

    fn key<'a>(&self, rt: &mut dyn Runtime<'a>, k: &Value<'a>) -> EvalResult<Value<'static>> {
        if k.is_null() {
            return Err(arg_null("key"));
        }
        store(rt, k.clone(), &self.key_t)
    }

    /// `Add`: `ArgumentException` for a key already present.
    pub fn add<'a>(&self, rt: &mut dyn Runtime<'a>, k: Value<'a>, v: Value<'a>) -> EvalResult<()> {
        if !self.try_add(rt, k.clone(), v)? {
            return Err(EvalError::argument(format!(
                "An item with the same key has already been added. Key: {}",
                library::to_text(&k)
            )));
        }
        Ok(())
    }

    fn try_add<'a>(&self, rt: &mut dyn Runtime<'a>, k: Value<'a>, v: Value<'a>) -> EvalResult<bool> {
        let k = self.key(rt, &k)?;
        let v = store(rt, v, &self.val_t)?;
        rt.alloc(common::cost(&k) + common::cost(&v))?;
        Ok(self.table_mut()?.insert(k, v).1)
    }

    fn not_found(k: &Value<'_>) -> EvalError {
        EvalError::new(
            EvalErrorKind::KeyNotFound,
            format!(
                "The given key '{}' was not present in the dictionary.",
                library::to_text(k)
            ),
        )
    }

    fn lookup(&self, k: &Value<'_>) -> EvalResult<Option<Value<'static>>> {
        if k.is_null() {
            return Err(arg_null("key"));
        }
        Ok(self.get_value(k))
    }
}

impl Object for Dictionary {
    fn type_def(&self) -> &'static TypeDef {
        &DICTIONARY
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        let targs = [self.key_t.clone(), self.val_t.clone()];
        let elem = TypeRef::Named(&KEY_VALUE_PAIR, Box::new(targs.clone()));
        instance_of(&DICTIONARY, &targs, &elem, ty)
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        let targs = || vec![self.key_t.clone(), self.val_t.clone()];
        Some(Ok(match name {
            "Count" => Value::Int(self.len() as i32),
            "Keys" => View::keys(this.clone(), targs()),
            "Values" => View::values(this.clone(), targs()),
            "IsReadOnly" => Value::Bool(false),
            _ => return None,
        }))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (this, targs);
        Some(match (name, args) {
            ("Add", [k, v]) => self.add(rt, k.clone(), v.clone()).map(|()| Value::Null),
            ("TryAdd", [k, v]) => self.try_add(rt, k.clone(), v.clone()).map(Value::Bool),
            ("ContainsKey", [k]) => self.lookup(k).map(|v| Value::Bool(v.is_some())),
            ("ContainsValue", [x]) => Ok(Value::Bool(self.values().iter().any(|v| library::equals(v, x)))),
            ("TryGetValue", [k, _]) => self.lookup(k).and_then(|v| {
                let found = v.is_some();
                rt.set_out(1, v.unwrap_or_else(|| default_of(&self.val_t)))?;
                Ok(Value::Bool(found))
            }),
            ("Remove", [k, rest @ ..]) if rest.len() <= 1 => {
                if k.is_null() {
                    return Some(Err(arg_null("key")));
                }
                let removed = match self.table_mut() {
                    Ok(mut t) => t.remove(k).map(|(_, v)| v),
                    Err(e) => return Some(Err(e)),
                };
                let found = removed.is_some();
                if !rest.is_empty() {
                    if let Err(e) = rt.set_out(1, removed.unwrap_or_else(|| default_of(&self.val_t))) {
                        return Some(Err(e));
                    }
                }
                Ok(Value::Bool(found))
            }
            ("Clear", []) => self.table_mut().map(|mut t| {
                t.clear();
                Value::Null
            }),
            ("GetValueOrDefault", [k]) => self.lookup(k).map(|v| v.unwrap_or_else(|| default_of(&self.val_t))),
            ("GetValueOrDefault", [k, d]) => self.lookup(k).map(|v| v.unwrap_or_else(|| d.clone())),
            ("TrimExcess", []) => self.table_mut().map(|mut t| {
                t.compact();
                Value::Null
            }),
            ("GetEnumerator", []) => {
                let elem = TypeRef::Named(&KEY_VALUE_PAIR, Box::new([self.key_t.clone(), self.val_t.clone()]));
                Ok(Enumerator::value(elem, self.items().unwrap_or_default()))
            }
            ("Add" | "TryAdd" | "ContainsKey" | "TryGetValue" | "Remove" | "GetValueOrDefault", _) => {
                Err(no_overload(name, args.len()))
            }
            _ => return None,
        })
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(
            self.lookup(&key)
                .and_then(|v| v.ok_or_else(|| Dictionary::not_found(&key))),
        )
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        Some((|| {
            let k = self.key(rt, &key)?;
            let v = store(rt, value, &self.val_t)?;
            rt.alloc(common::cost(&k) + common::cost(&v))?;
            self.table_mut()?.set(k, v);
            Ok(())
        })())
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        let t = self.table.try_borrow().ok()?;
        Some(
            t.iter()
                .map(|(k, v)| KeyValuePair::value(k.clone(), v.clone()))
                .collect(),
        )
    }

    fn entries(&self) -> Option<Vec<(Value<'static>, Value<'static>)>> {
        let t = self.table.try_borrow().ok()?;
        Some(t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn to_text(&self) -> String {
        generic_name(&DICTIONARY, &[self.key_t.clone(), self.val_t.clone()])
    }

    fn size_hint(&self) -> usize {
        self.len() * 2 * common::VALUE_BYTES
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<Value<'static>> = self.entries().unwrap_or_default().into_iter().map(|(k, _)| k).collect();
        common::fmt_items(f, "Dictionary", &items)
    }
}
