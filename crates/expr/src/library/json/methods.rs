//! The methods of tokens (`JToken`, `JContainer`, `JObject`, `JArray`,
//! `JProperty`, `JValue`): dispatch by name and the runtime arguments
//! (one name covers its overloads), with Newtonsoft's semantics and
//! exceptions. Names not handled here (`First()`, `Where(…)`…) fall
//! through to LINQ over the token's items.

use std::rc::Rc;

use super::content::{add_content, from_content, multi_items, to_object, token_of};
use super::convert::{change_type, Prim};
use super::edit;
use super::enumerable::{ancestors, apply as extension, tokens, values};
use super::members::{as_token, no_child_value, obj, obj_or_null};
use super::node::{deep_equals, Data, Node};
use super::path_eval::{descendants, select};
use super::scalar::{scalar_of, Scalar};
use super::types::FORMATTING;
use super::write::token_json;
use super::{json_exception, path};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

const VOID: Value<'static> = Value::Null;

/// `Extensions.Convert<JToken, U>` (what `Value<U>()` and `Values<U>()`
/// do to each token).
pub fn convert_token<'a>(rt: &mut dyn Runtime<'a>, n: &Rc<Node>, target: &TypeRef) -> EvalResult<Value<'a>> {
    let _ = rt;
    if let Some(d) = target.def() {
        let is_token_target = matches!(
            d.name,
            "JToken" | "JContainer" | "JObject" | "JArray" | "JProperty" | "JValue" | "JRaw" | "JConstructor"
        ) && d.namespace == "Newtonsoft.Json.Linq";
        if d.name == "Object" || (is_token_target && crate::library::is_instance(&obj(n.clone()), target)) {
            return Ok(obj(n.clone()));
        }
    }
    let Some(s) = n.scalar().map(|s| s.clone()) else {
        return Err(EvalError::new(
            EvalErrorKind::InvalidCast,
            format!("Cannot cast {} to Newtonsoft.Json.Linq.JToken.", n.full_name()),
        ));
    };
    match Prim::of(target) {
        Some((prim, nullable)) => change_type(&s, prim, nullable),
        None => Err(EvalError::new(
            EvalErrorKind::InvalidCast,
            "Object must implement IConvertible.",
        )),
    }
}

/// Whether a `StringComparison` argument ignores case.
fn ignore_case(v: Option<&Value<'_>>) -> bool {
    match v {
        Some(Value::Enum(d, n)) => d.enum_name(*n).ends_with("IgnoreCase"),
        _ => false,
    }
}

fn string_arg<'v>(v: &'v Value<'_>, what: &str) -> EvalResult<&'v str> {
    v.as_str().ok_or_else(|| {
        if v.is_null() {
            EvalError::new(
                EvalErrorKind::ArgumentNull,
                format!("Value cannot be null. (Parameter '{what}')"),
            )
        } else {
            EvalError::argument(format!("{what}: expected a string, got {}", v.type_name()))
        }
    })
}

fn index_arg(v: &Value<'_>) -> EvalResult<usize> {
    let i = v.to_i32("index")?;
    usize::try_from(i).map_err(|_| edit::out_of_range())
}

/// `SelectToken` / `SelectTokens`.
fn select_path(rt: &mut dyn Runtime<'_>, me: &Rc<Node>, args: &[Value<'_>]) -> EvalResult<Vec<Rc<Node>>> {
    let p = string_arg(args.first().unwrap_or(&Value::Null), "path")?;
    let err = matches!(args.get(1), Some(Value::Bool(true)));
    let filters = path::parse(p)?;
    select(rt, me, me, &filters, err)
}

/// A method of a token. `None`: no such method here.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    me: &Rc<Node>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let is_value = matches!(me.data, Data::Value(_));
    let r: EvalResult<Value<'a>> = match (name, args) {
        ("ToString", []) => Ok(Value::string(crate::Object::to_text(&**me))),
        ("ToString", [Value::Enum(d, f), ..]) if d.is(&FORMATTING) => Ok(Value::string(token_json(me, *f == 1))),
        ("ToString", [Value::Str(f), ..]) if is_value => {
            let v = me.scalar().map(|s| s.v.clone()).unwrap_or(Value::Null);
            crate::library::format_value(&v, f).map(Value::string)
        }
        ("ToString", [Value::Null, ..]) if is_value => Ok(Value::string(crate::Object::to_text(&**me))),
        ("DeepClone", []) => {
            let n = me.count_nodes();
            rt.alloc(n * edit::NODE_BYTES).map(|()| obj(me.deep_clone()))
        }
        ("Remove", []) => edit::remove_self(me).map(|()| VOID),
        ("Replace", [v]) => as_token(v).and_then(|t| edit::replace_self(rt, me, t)).map(|()| VOID),
        ("AddAfterSelf" | "AddBeforeSelf", [content]) => (|| {
            let parent = me.parent().ok_or_else(edit::parent_missing)?;
            let i = match parent.data {
                Data::Property(..) => 0,
                _ => me.index_in_parent().unwrap_or(0),
            };
            let at = if name == "AddAfterSelf" { i + 1 } else { i };
            add_content(rt, &parent, at, content, 0).map(|_| VOID)
        })(),
        ("Ancestors", []) => Ok(tokens(ancestors(me, false))),
        ("AncestorsAndSelf", []) => Ok(tokens(ancestors(me, true))),
        ("AfterSelf" | "BeforeSelf", []) => Ok(tokens(siblings(me, name == "AfterSelf"))),
        ("Children", []) => Ok(children(me, targs.first())),
        ("Values", _) if targs.is_empty() || !args.is_empty() => {
            return extension(rt, &me.children(), "Values", targs, args);
        }
        ("Values", []) => (|| {
            if is_value {
                return Err(no_child_value(me));
            }
            let Some(target) = targs.first() else {
                return Err(EvalError::argument("Values<T>() needs a type argument"));
            };
            let mut out = Vec::new();
            for c in me.children() {
                out.push(convert_token(rt, &c, target)?.into_owned());
            }
            Ok(values(out))
        })(),
        ("Value", [key]) => (|| {
            let target = targs.first();
            match me.index_value(key)? {
                Value::Obj(o) => match (o.as_any().downcast_ref::<Node>(), target) {
                    (Some(n), Some(t)) => convert_token(rt, &n.this()?, t),
                    _ => Ok(Value::Obj(o)),
                },
                _ => Ok(match target.and_then(Prim::of) {
                    Some((p, false)) => p.default_value(),
                    _ => Value::Null,
                }),
            }
        })(),
        ("Value", []) => match targs.first() {
            Some(t) => convert_token(rt, me, t),
            None => Ok(obj(me.clone())),
        },
        ("SelectToken", [_] | [_, Value::Bool(_)]) => select_path(rt, me, args).and_then(|found| {
            if found.len() > 1 {
                Err(json_exception("Path returned multiple tokens."))
            } else {
                Ok(obj_or_null(found.into_iter().next()))
            }
        }),
        ("SelectTokens", [_] | [_, Value::Bool(_)]) => select_path(rt, me, args).map(tokens),
        ("ToObject", []) => match targs.first() {
            Some(t) => to_object(rt, me, t),
            None => Err(EvalError::argument("ToObject needs a type argument")),
        },
        ("CompareTo", [other]) if is_value => (|| {
            let o = match token_of(other) {
                Some(t) => t.scalar().map(|s| s.clone()).unwrap_or_else(Scalar::null),
                None if other.is_null() => return Ok(Value::Int(1)),
                None => scalar_of(other)?,
            };
            let s = me.scalar().map(|s| s.clone()).unwrap_or_else(Scalar::null);
            match s.compare_to(&o) {
                Some(ord) => Ok(Value::Int(ord as i32)),
                None => Err(EvalError::argument("Object must be of the same type.")),
            }
        })(),
        _ => return container_call(rt, me, name, args),
    };
    Some(r)
}

/// `Children()` / `Children<T>()` (filtered by type).
fn children(me: &Rc<Node>, of: Option<&TypeRef>) -> Value<'static> {
    let all = me.children();
    match of {
        None => tokens(all),
        Some(t) => tokens(
            all.into_iter()
                .filter(|c| crate::library::is_instance(&obj(c.clone()), t))
                .collect(),
        ),
    }
}

/// `AfterSelf()` / `BeforeSelf()`.
fn siblings(me: &Rc<Node>, after: bool) -> Vec<Rc<Node>> {
    let (Some(parent), Some(i)) = (me.parent(), me.index_in_parent()) else {
        return Vec::new();
    };
    let all = parent.children();
    if after {
        all.into_iter().skip(i + 1).collect()
    } else {
        all.into_iter().take(i).collect()
    }
}

/// Methods of containers (and `JObject`'s, `JArray`'s own).
fn container_call<'a>(
    rt: &mut dyn Runtime<'a>,
    me: &Rc<Node>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if !me.is_container() {
        return None;
    }
    let is_object = matches!(me.data, Data::Object(_));
    let is_array = matches!(me.data, Data::Array(_));
    let r: EvalResult<Value<'a>> = match (name, args) {
        ("Add", [Value::Str(k), v]) if is_object => (|| {
            let prop = edit::new_property(rt, Rc::from(&**k), as_token(v)?)?;
            let len = me.child_count();
            edit::insert(rt, me, len, prop).map(|()| VOID)
        })(),
        ("Add", [content]) => {
            let len = me.child_count();
            add_content(rt, me, len, content, 0).map(|_| VOID)
        }
        ("AddFirst", [content]) => add_content(rt, me, 0, content, 0).map(|_| VOID),
        ("RemoveAll", []) => edit::clear(me).map(|()| VOID),
        ("ReplaceAll", [content]) => edit::clear(me)
            .and_then(|()| add_content(rt, me, 0, content, 0))
            .map(|_| VOID),
        ("Merge", [content] | [content, _]) => merge(rt, me, content).map(|()| VOID),
        ("Descendants", []) => Ok(tokens(descendants(me, false))),
        ("DescendantsAndSelf", []) => Ok(tokens(descendants(me, true))),
        // JObject
        ("Property", [n, ..]) if is_object => {
            string_arg(n, "name").map(|n| obj_or_null(me.property_named(n, ignore_case(args.get(1)))))
        }
        ("Properties", []) if is_object => Ok(tokens(me.children())),
        ("PropertyValues", []) if is_object => {
            Ok(tokens(me.children().iter().filter_map(|p| p.prop_value()).collect()))
        }
        ("GetValue", [n, ..]) if is_object => string_arg(n, "propertyName").map(|n| {
            obj_or_null(
                me.property_named(n, ignore_case(args.get(1)))
                    .and_then(|p| p.prop_value()),
            )
        }),
        ("TryGetValue", [n, ..]) if is_object => (|| {
            let key = string_arg(n, "propertyName")?;
            let found = me
                .property_named(key, args.len() == 3 && ignore_case(args.get(1)))
                .and_then(|p| p.prop_value());
            rt.set_out(args.len() - 1, obj_or_null(found.clone()))?;
            Ok(Value::Bool(found.is_some()))
        })(),
        ("ContainsKey", [n]) if is_object => string_arg(n, "propertyName").map(|n| Value::Bool(me.get(n).is_some())),
        ("Remove", [Value::Str(n)]) if is_object => match me.property_named(n, false) {
            Some(p) => edit::remove_item(me, &p).map(Value::Bool),
            None => Ok(Value::Bool(false)),
        },
        // JArray (IList<JToken>)
        ("Insert", [i, item]) if is_array => (|| {
            let i = index_arg(i)?;
            edit::insert(rt, me, i, from_content(item)?).map(|()| VOID)
        })(),
        ("RemoveAt", [i]) if is_array => index_arg(i).and_then(|i| edit::remove_at(me, i)).map(|()| VOID),
        ("Remove", [item]) if is_array => match token_of(item) {
            Some(t) => edit::remove_item(me, &t).map(Value::Bool),
            None => Ok(Value::Bool(false)),
        },
        ("Clear", []) if is_array => edit::clear(me).map(|()| VOID),
        ("Contains" | "IndexOf", [item]) if is_array => (|| {
            let probe = as_token(item)?;
            let probe = obj(probe);
            let pos = me
                .children()
                .iter()
                .position(|c| crate::library::equals(&obj(c.clone()), &probe));
            Ok(if name == "Contains" {
                Value::Bool(pos.is_some())
            } else {
                Value::Int(pos.map_or(-1, |p| p as i32))
            })
        })(),
        _ => return None,
    };
    Some(r)
}

fn is_null_token(t: &Node) -> bool {
    t.scalar().is_some_and(|s| matches!(s.v, Value::Null))
}

/// `JContainer.Merge(content)` with the default settings
/// (`MergeArrayHandling.Concat`, `MergeNullValueHandling.Ignore`).
fn merge<'a>(rt: &mut dyn Runtime<'a>, target: &Rc<Node>, content: &Value<'a>) -> EvalResult<()> {
    if content.is_null() {
        return Ok(());
    }
    let token = token_of(content);
    if token.is_none() && multi_items(rt, content).is_none() {
        return Err(super::scalar::unknown_type(content));
    }
    match (&target.data, token) {
        (Data::Object(_), Some(src)) if matches!(src.data, Data::Object(_)) => {
            for p in src.children() {
                let (Some(name), Some(value)) = (p.name(), p.prop_value()) else {
                    continue;
                };
                match target.property_named(&name, false) {
                    None => {
                        let prop = edit::new_property(rt, name, value)?;
                        let len = target.child_count();
                        edit::insert(rt, target, len, prop)?;
                    }
                    Some(existing) => {
                        let current = existing.prop_value();
                        match current {
                            Some(cur) if cur.is_container() && cur.token_type() == value.token_type() => {
                                merge(rt, &cur, &obj(value))?;
                            }
                            _ if !is_null_token(&value) => edit::set_at(rt, &existing, 0, value)?,
                            _ => {}
                        }
                    }
                }
            }
            Ok(())
        }
        (Data::Array(_) | Data::Constructor(..), Some(src)) if src.is_container() => {
            if let Data::Constructor(name, _) = &target.data {
                if let Data::Constructor(n2, _) = &src.data {
                    *name.borrow_mut() = n2.borrow().clone();
                } else {
                    return Ok(());
                }
            } else if !matches!(src.data, Data::Array(_)) {
                return Ok(());
            }
            for item in src.children() {
                let len = target.child_count();
                edit::insert(rt, target, len, item)?;
            }
            Ok(())
        }
        (Data::Array(_), None) => {
            let len = target.child_count();
            add_content(rt, target, len, content, 0).map(|_| ())
        }
        (Data::Property(..), Some(src)) => match src.prop_value() {
            Some(v) if !is_null_token(&v) => edit::set_at(rt, target, 0, v),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// `JToken.DeepEquals(a, b)`.
pub fn deep_equals_values(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (token_of(a), token_of(b)) {
        (Some(x), Some(y)) => deep_equals(&x, &y),
        (None, None) => a.is_null() && b.is_null(),
        _ => false,
    }
}
