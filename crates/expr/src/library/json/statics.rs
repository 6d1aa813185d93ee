//! Static members and constructors: `JToken.Parse`, `JObject.Parse`,
//! `JArray.Parse`, `FromObject`, `DeepEquals`, `JValue.CreateNull`…,
//! `JsonConvert.SerializeObject` / `DeserializeObject`, and `new JObject(…)`,
//! `new JArray(…)`, `new JProperty(…)`, `new JValue(…)`, `new JRaw(…)`,
//! `new JConstructor(…)` with Newtonsoft's content rules.

use std::rc::Rc;

use super::content::{add_content, expect_kind, leaf_is_string, multi_items, to_object, to_token, token_of, untyped};
use super::edit;
use super::members::obj;
use super::methods::deep_equals_values;
use super::node::{Data, Node};
use super::parse::{parse, Want};
use super::scalar::{scalar_of, Flavor, Scalar};
use super::types::FORMATTING;
use super::write::serialize;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

fn text_arg<'v>(args: &'v [Value<'_>], what: &str) -> EvalResult<&'v str> {
    match args.first() {
        Some(Value::Str(s)) => Ok(s),
        Some(Value::Null) | None => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            format!("Value cannot be null. (Parameter '{what}')"),
        )),
        Some(v) => Err(EvalError::argument(format!(
            "{what}: expected a string, got {}",
            v.type_name()
        ))),
    }
}

/// The statics shared by `JToken`, `JObject` and `JArray`; `want` says
/// which type they were called on.
fn token_statics<'a>(
    rt: &mut dyn Runtime<'a>,
    want: Want,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let r = match (name, args) {
        ("Parse", [_] | [_, _]) => text_arg(args, "json").and_then(|t| parse(rt, t, want, true)).map(obj),
        ("FromObject", [v] | [v, _]) => (|| {
            if v.is_null() {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentNull,
                    "Value cannot be null. (Parameter 'o')",
                ));
            }
            let t = to_token(rt, v, 0)?;
            let t = match want {
                Want::Object => expect_kind(t, "JObject")?,
                Want::Array => expect_kind(t, "JArray")?,
                Want::Token => t,
            };
            Ok(obj(t))
        })(),
        ("DeepEquals", [a, b]) => Ok(Value::Bool(deep_equals_values(a, b))),
        _ => return None,
    };
    Some(r)
}

/// `JToken.X(…)` (also `JContainer.DeepEquals`).
pub fn jtoken<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    token_statics(rt, Want::Token, name, args)
}

/// `JObject.X(…)`.
pub fn jobject<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    token_statics(rt, Want::Object, name, args)
}

/// `JArray.X(…)`.
pub fn jarray<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    token_statics(rt, Want::Array, name, args)
}

/// `JValue.CreateNull()`, `CreateString(s)`, `CreateComment(s)`,
/// `CreateUndefined()`.
pub fn jvalue<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    let text = |args: &[Value<'a>]| match args.first() {
        Some(Value::Str(s)) => Value::string(&**s),
        _ => Value::Null,
    };
    let s = match (name, args) {
        ("CreateNull", []) => Scalar::null(),
        ("CreateUndefined", []) => Scalar {
            v: Value::Null,
            flavor: Flavor::Undefined,
        },
        ("CreateString", [_]) => Scalar::plain(text(args)),
        ("CreateComment", [_]) => Scalar {
            v: text(args),
            flavor: Flavor::Comment,
        },
        _ => return token_statics(rt, Want::Token, name, args),
    };
    Some(Ok(obj(Node::value(s))))
}

/// `JsonConvert.SerializeObject(value[, formatting])` and
/// `JsonConvert.DeserializeObject[<T>](text)`.
pub fn json_convert<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let r = match (name, args) {
        ("SerializeObject", [v, rest @ ..]) => {
            let indent = matches!(rest.first(), Some(Value::Enum(d, 1)) if d.is(&FORMATTING));
            serialize(rt, v, indent).map(Value::string)
        }
        ("DeserializeObject", [_, ..]) => (|| {
            let text = text_arg(args, "value")?;
            match targs.first() {
                None => Ok(untyped(parse(rt, text, Want::Token, true)?)),
                Some(t) => {
                    // Token targets take the parsed tree itself (no copy).
                    let want = match t.def().map(|d| (d.name, d.namespace)) {
                        Some(("JObject", "Newtonsoft.Json.Linq")) => Some(Want::Object),
                        Some(("JArray", "Newtonsoft.Json.Linq")) => Some(Want::Array),
                        Some(("JToken" | "JContainer", "Newtonsoft.Json.Linq")) => Some(Want::Token),
                        _ => None,
                    };
                    match want {
                        Some(w) => parse(rt, text, w, true).map(obj),
                        None => {
                            let node = parse(rt, text, Want::Token, !leaf_is_string(t))?;
                            to_object(rt, &node, t)
                        }
                    }
                }
            }
        })(),
        _ => return None,
    };
    Some(r)
}

/// Adds each constructor argument as content (`params object[] content`).
fn fill<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>, args: &[Value<'a>]) -> EvalResult<()> {
    for a in args {
        let len = container.child_count();
        add_content(rt, container, len, a, 0)?;
    }
    Ok(())
}

/// `new JObject()`, `new JObject(JObject other)`, `new JObject(params object[] content)`.
pub fn new_jobject<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    let o = Node::object(Vec::new());
    if let [one] = args {
        if let Some(t) = token_of(one).filter(|t| matches!(t.data, Data::Object(_))) {
            fill(rt, &o, &[tokens_value(t.children())])?;
            return Ok(obj(o));
        }
    }
    fill(rt, &o, args)?;
    Ok(obj(o))
}

fn tokens_value(nodes: Vec<Rc<Node>>) -> Value<'static> {
    super::enumerable::tokens(nodes)
}

/// `new JArray()`, `new JArray(JArray other)`, `new JArray(params object[] content)`.
pub fn new_jarray<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    let a = Node::array(Vec::new());
    if let [one] = args {
        if let Some(t) = token_of(one).filter(|t| matches!(t.data, Data::Array(_))) {
            fill(rt, &a, &[tokens_value(t.children())])?;
            return Ok(obj(a));
        }
    }
    fill(rt, &a, args)?;
    Ok(obj(a))
}

/// `new JProperty(JProperty other)`, `new JProperty(name, content)`,
/// `new JProperty(name, params object[] content)` (several values, or an
/// enumerable, make a `JArray`).
pub fn new_jproperty<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    if let [one] = args {
        if let Some(t) = token_of(one).filter(|t| matches!(t.data, Data::Property(..))) {
            return Ok(obj(t.deep_clone()));
        }
    }
    let name = text_arg(args, "name")?;
    let content = &args[1..];
    let value = match content {
        [single] if multi_items(rt, single).is_none() => super::content::from_content(single)?,
        [single] => {
            let a = Node::array(Vec::new());
            add_content(rt, &a, 0, single, 0)?;
            a
        }
        many => {
            let a = Node::array(Vec::new());
            fill(rt, &a, many)?;
            a
        }
    };
    edit::new_property(rt, Rc::from(name), value).map(obj)
}

/// `new JValue(value)` (a `JValue` argument is copied).
pub fn new_jvalue<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = (rt, targs);
    let [v] = args else {
        return Err(EvalError::argument("JValue takes one argument"));
    };
    if let Some(t) = token_of(v) {
        if let Some(s) = t.scalar() {
            return Ok(obj(Node::value(s.clone())));
        }
    }
    scalar_of(v).map(|s| obj(Node::value(s)))
}

/// `new JRaw(rawJson)`: raw JSON text written as is.
pub fn new_jraw<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = (rt, targs);
    let [v] = args else {
        return Err(EvalError::argument("JRaw takes one argument"));
    };
    let text = match token_of(v) {
        Some(t) => t.scalar().map(|s| s.v.clone()).unwrap_or(Value::Null),
        None => v.clone().into_owned(),
    };
    let text = match text {
        Value::Null => Value::Null,
        t => Value::string(crate::library::to_text_plain(&t)),
    };
    Ok(obj(Node::value(Scalar {
        v: text,
        flavor: Flavor::Raw,
    })))
}

/// `new JConstructor()`, `new JConstructor(name[, params object[] content])`.
pub fn new_jconstructor<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    let name: Rc<str> = match args.first() {
        None => Rc::from(""),
        Some(_) => Rc::from(text_arg(args, "name")?),
    };
    let c = Node::constructor(name, Vec::new());
    fill(rt, &c, args.get(1..).unwrap_or(&[]))?;
    Ok(obj(c))
}
