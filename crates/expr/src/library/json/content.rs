//! Between tokens and other values: Newtonsoft's content rules for
//! `Add(…)` and the constructors (`CreateFromContent`, `IsMultiContent`:
//! a token is added as is, a primitive as a `JValue`, any other
//! enumerable item by item), `FromObject` (serializing any value into a
//! token tree, see [`super::write`] for the mapping), and `ToObject<T>()` /
//! `DeserializeObject<T>` (a tree into primitives, tokens, `List<T>`,
//! `T[]`, `Dictionary<string, T>`).
//!
//! Invariant: recursion over values is bounded by
//! [`MAX_SERIALIZE_DEPTH`]; over tokens by the tree's depth invariant.

use std::rc::Rc;

use super::convert::{explicit, Prim};
use super::edit;
use super::edit::NODE_BYTES;
use super::node::{Data, Node};
use super::parse::reader_error;
use super::scalar::{scalar_of, Scalar};
use super::write::MAX_SERIALIZE_DEPTH;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::{Array, KeyValuePair};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

/// The token a value holds, if it is one.
pub fn token_of(v: &Value<'_>) -> Option<Rc<Node>> {
    v.downcast::<Node>().and_then(|n| n.this().ok())
}

/// `CreateFromContent`: the token itself, or a new `JValue` (an
/// `ArgumentException` for values Newtonsoft cannot hold).
pub fn from_content(v: &Value<'_>) -> EvalResult<Rc<Node>> {
    match token_of(v) {
        Some(t) => Ok(t),
        None => Ok(Node::value(scalar_of(v)?)),
    }
}

/// `IsMultiContent`: the items of an enumerable that is not a string, a
/// token or a `byte[]`.
pub fn multi_items<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> Option<EvalResult<Vec<Value<'a>>>> {
    match v {
        Value::Obj(o) if o.as_any().is::<Node>() => None,
        Value::Obj(_) if Array::to_bytes(v).is_some() => None,
        Value::Obj(_) | Value::Dict(_) => crate::library::items(rt, v),
        _ => None,
    }
}

/// `TryAddInternal`: adds `v` at `index` of `container` (enumerables item
/// by item); returns how many tokens were added.
pub fn add_content<'a>(
    rt: &mut dyn Runtime<'a>,
    container: &Rc<Node>,
    index: usize,
    v: &Value<'a>,
    depth: usize,
) -> EvalResult<usize> {
    if depth > MAX_SERIALIZE_DEPTH {
        return Err(too_deep());
    }
    if let Some(items) = multi_items(rt, v) {
        let mut added = 0;
        for item in items? {
            added += add_content(rt, container, index + added, &item, depth + 1)?;
        }
        return Ok(added);
    }
    let token = from_content(v)?;
    rt.alloc(NODE_BYTES)?;
    edit::insert(rt, container, index, token)?;
    Ok(1)
}

fn too_deep() -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("JsonSerializationException"),
        format!("Self referencing loop detected, or nesting deeper than {MAX_SERIALIZE_DEPTH} levels."),
    )
}

/// `JToken.FromObject(v)`: the value serialized into a new token tree.
pub fn to_token<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, depth: usize) -> EvalResult<Rc<Node>> {
    if depth > MAX_SERIALIZE_DEPTH {
        return Err(too_deep());
    }
    rt.charge(1)?;
    rt.alloc(NODE_BYTES)?;
    if let Some(t) = token_of(v) {
        let n = t.count_nodes();
        rt.charge(n as u64)?;
        rt.alloc(n * NODE_BYTES)?;
        return Ok(t.deep_clone());
    }
    if let Value::Str(s) = v {
        // A string scalar copies its text.
        rt.alloc(s.len())?;
    }
    if let Some(s) = Scalar::from_value(v) {
        return Ok(Node::value(s));
    }
    let pairs: Option<Vec<(String, Value<'static>)>> = match v {
        Value::Obj(o) => o
            .entries()
            .map(|e| {
                e.into_iter()
                    .map(|(k, v)| (crate::library::to_text_plain(&k), v))
                    .collect()
            })
            .or_else(|| {
                o.fields()
                    .map(|f| f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        _ => None,
    };
    if let Some(pairs) = pairs {
        return object_of(rt, pairs, depth);
    }
    match crate::library::items(rt, v) {
        Some(items) => {
            let items = items?;
            let dict = matches!(v, Value::Dict(_) | Value::Ns(_))
                && items.iter().all(|i| i.downcast::<KeyValuePair>().is_some());
            if dict {
                let pairs = items
                    .iter()
                    .filter_map(|i| i.downcast::<KeyValuePair>())
                    .map(|p| (crate::library::to_text_plain(&p.key), p.value.clone()))
                    .collect();
                return object_of(rt, pairs, depth);
            }
            let mut children = Vec::with_capacity(items.len());
            for item in &items {
                children.push(to_token(rt, item, depth + 1)?);
            }
            Ok(Node::array(children))
        }
        None => Ok(Node::value(Scalar::string(crate::library::to_text_plain(v)))),
    }
}

fn object_of<'a>(rt: &mut dyn Runtime<'a>, pairs: Vec<(String, Value<'static>)>, depth: usize) -> EvalResult<Rc<Node>> {
    let mut props: Vec<Rc<Node>> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let value = to_token(rt, &v, depth + 1)?;
        // A repeated key (two keys with the same text) keeps the last value.
        let prop = Node::property(Rc::from(k.as_str()), value);
        match props.iter().position(|p| p.name().is_some_and(|n| *n == *k)) {
            Some(i) => props[i] = prop,
            None => props.push(prop),
        }
    }
    Ok(Node::object(props))
}

/// The token type names `JObject.FromObject` reports.
pub fn expect_kind(t: Rc<Node>, want: &str) -> EvalResult<Rc<Node>> {
    let ok = match want {
        "JObject" => matches!(t.data, Data::Object(_)),
        "JArray" => matches!(t.data, Data::Array(_)),
        _ => true,
    };
    if ok {
        Ok(t)
    } else {
        Err(EvalError::argument(format!(
            "Object serialized to {}. {want} instance expected.",
            t.token_type().name()
        )))
    }
}

/// Whether a `ToObject`/`DeserializeObject` target reads its leaf values
/// as strings (then Newtonsoft's reader does not turn date strings into
/// dates: `DeserializeObject<Dictionary<string, string>>` keeps them).
pub fn leaf_is_string(t: &TypeRef) -> bool {
    match t {
        TypeRef::Array(e) => leaf_is_string(e),
        TypeRef::Nullable(_) => false,
        TypeRef::Named(d, args) => match (d.name, args.last()) {
            ("String", _) => true,
            (_, Some(last)) if is_list(d.name) || is_dict(d.name) => leaf_is_string(last),
            _ => false,
        },
    }
}

fn is_dict(name: &str) -> bool {
    matches!(name, "Dictionary" | "IDictionary" | "IReadOnlyDictionary")
}

fn is_list(name: &str) -> bool {
    matches!(
        name,
        "List" | "IList" | "IEnumerable" | "ICollection" | "IReadOnlyList" | "IReadOnlyCollection" | "HashSet" | "ISet"
    )
}

fn not_supported(t: &TypeRef) -> EvalError {
    EvalError::new(
        EvalErrorKind::NotSupported,
        format!("Converting JSON to {t} is not supported by Outpost"),
    )
}

fn wrong_shape(t: &TypeRef, node: &Node, needs: &str) -> EvalError {
    let found = match node.data {
        Data::Object(_) => "JSON object (e.g. {\"name\":\"value\"})",
        Data::Array(_) => "JSON array (e.g. [1,2,3])",
        _ => "JSON primitive value",
    };
    EvalError::new(
        EvalErrorKind::Other("JsonSerializationException"),
        format!("Cannot deserialize the current {found} into type '{t}' because the type requires a {needs} to deserialize correctly. Path '{}'.", path_of(node)),
    )
}

fn path_of(node: &Node) -> String {
    node.this().map(|n| super::members::token_path(&n)).unwrap_or_default()
}

/// `token.ToObject<T>()`.
pub fn to_object<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, t: &TypeRef) -> EvalResult<Value<'a>> {
    rt.charge(1)?;
    if let Some((prim, nullable)) = Prim::of(t) {
        return explicit(Some(&**node), prim, nullable);
    }
    let is_null = node.scalar().is_some_and(|s| matches!(s.v, Value::Null));
    let value_type = matches!(t, TypeRef::Named(d, _) if d.kind == crate::types::TypeKind::Struct);
    if is_null && !value_type {
        return Ok(Value::Null);
    }
    if let TypeRef::Array(elem) = t {
        let Data::Array(items) = &node.data else {
            return Err(wrong_shape(t, node, "JSON array (e.g. [1,2,3])"));
        };
        let items = items.borrow().clone();
        let mut out = Vec::with_capacity(items.len());
        for item in &items {
            out.push(to_object(rt, item, elem)?.into_owned());
        }
        return Ok(Array::of((**elem).clone(), out));
    }
    let Some(def) = t.def() else {
        return Err(not_supported(t));
    };
    match def.name {
        "JToken" | "JContainer" | "JObject" | "JArray" | "JProperty" | "JValue" | "JRaw" | "JConstructor" => {
            clone_checked(rt, node, def.name)
        }
        "Object" => match &node.data {
            Data::Value(s) => Ok(s.borrow().v.clone()),
            _ => clone_checked(rt, node, "JToken"),
        },
        n if is_dict(n) => {
            let Data::Object(props) = &node.data else {
                return Err(wrong_shape(t, node, "JSON object (e.g. {\"name\":\"value\"})"));
            };
            let args = t.args();
            let (Some(kt), Some(vt)) = (args.first(), args.get(1)) else {
                return Err(not_supported(t));
            };
            let concrete = concrete(t, "Dictionary", 2)?;
            let dict = crate::library::construct(rt, &concrete, &[])?;
            let props = props.borrow().clone();
            for p in &props {
                let (Some(name), Some(value)) = (p.name(), p.prop_value()) else {
                    continue;
                };
                let key = match Prim::of(kt) {
                    Some((Prim::String, _)) | None => Value::string(&*name),
                    Some((prim, _)) => super::convert::convert_value(&Value::string(&*name), prim)?,
                };
                let v = to_object(rt, &value, vt)?;
                call(rt, &dict, "Add", &[key, v])?;
            }
            Ok(dict)
        }
        n if is_list(n) => {
            let Data::Array(items) = &node.data else {
                return Err(wrong_shape(t, node, "JSON array (e.g. [1,2,3])"));
            };
            let Some(et) = t.args().first() else {
                return Err(not_supported(t));
            };
            let kind = if matches!(n, "HashSet" | "ISet") {
                "HashSet"
            } else {
                "List"
            };
            let concrete = concrete(t, kind, 1)?;
            let list = crate::library::construct(rt, &concrete, &[])?;
            let items = items.borrow().clone();
            for item in &items {
                let v = to_object(rt, item, et)?;
                call(rt, &list, "Add", &[v])?;
            }
            Ok(list)
        }
        _ => Err(not_supported(t)),
    }
}

/// A copy of `node` as the token type `want` (`ToObject<JObject>()`…).
fn clone_checked<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, want: &str) -> EvalResult<Value<'a>> {
    let shape_ok = match want {
        "JObject" => matches!(node.data, Data::Object(_)),
        "JArray" => matches!(node.data, Data::Array(_)),
        "JProperty" => matches!(node.data, Data::Property(..)),
        "JValue" | "JRaw" => matches!(node.data, Data::Value(_)),
        "JConstructor" => matches!(node.data, Data::Constructor(..)),
        _ => true,
    };
    if !shape_ok {
        let found = match node.data {
            Data::Object(_) => "StartObject",
            Data::Array(_) => "StartArray",
            Data::Constructor(..) => "StartConstructor",
            Data::Property(..) => "PropertyName",
            Data::Value(_) => node.token_type().name(),
        };
        return Err(reader_error(format!(
            "Error reading {want} from JsonReader. Current JsonReader item is not {}: {found}. Path '{}'.",
            if want == "JObject" { "an object" } else { "an array" },
            path_of(node)
        )));
    }
    let n = node.count_nodes();
    rt.alloc(n * NODE_BYTES)?;
    Ok(Value::Obj(node.deep_clone()))
}

/// The concrete collection type for an interface target.
fn concrete(t: &TypeRef, name: &str, arity: usize) -> EvalResult<TypeRef> {
    let def = crate::library::find_type(name, arity).ok_or_else(|| not_supported(t))?;
    Ok(TypeRef::Named(def, t.args().to_vec().into_boxed_slice()))
}

fn call<'a>(rt: &mut dyn Runtime<'a>, recv: &Value<'a>, name: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    crate::library::call_member(rt, recv.clone(), name, &[], args).unwrap_or_else(|| {
        Err(EvalError::new(
            EvalErrorKind::NotSupported,
            format!("{}.{name} is not available", recv.type_name()),
        ))
    })
}

/// `JsonConvert.DeserializeObject(s)` without a type: tokens for objects
/// and arrays, the primitive for a primitive.
pub fn untyped(node: Rc<Node>) -> Value<'static> {
    match &node.data {
        Data::Value(s) => s.borrow().v.clone(),
        _ => Value::Obj(node),
    }
}
