//! Sequences of tokens: [`JEnumerable`] (what `Children()`,
//! `Properties()`, `Descendants()`, `SelectTokens()`, `Values<T>()`…
//! return: a snapshot list, enumerable by LINQ through
//! [`Object::items`], with Newtonsoft's `IJEnumerable` indexer
//! `tokens["key"]`), and Newtonsoft's `Extensions` methods on sequences
//! that are not tokens themselves (`list.Values<string>()`,
//! `tokens.Children()`, `objects.Properties()`…).

use std::any::Any;
use std::rc::Rc;

use super::methods::convert_token;
use super::node::Node;
use super::path_eval::descendants;
use super::types::JENUMERABLE;
use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

/// A snapshot sequence (of tokens, or of converted values).
#[derive(Debug)]
pub struct JEnumerable {
    pub items: Vec<Value<'static>>,
}

/// A sequence of tokens as a value.
pub fn tokens(nodes: Vec<Rc<Node>>) -> Value<'static> {
    Value::obj(JEnumerable {
        items: nodes.into_iter().map(|n| Value::Obj(n)).collect(),
    })
}

/// A sequence of values.
pub fn values(items: Vec<Value<'static>>) -> Value<'static> {
    Value::obj(JEnumerable { items })
}

impl Object for JEnumerable {
    fn type_def(&self) -> &'static TypeDef {
        &JENUMERABLE
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some((|| {
            let mut out = Vec::new();
            for item in &self.items {
                if let Some(n) = item.downcast::<Node>() {
                    if let Value::Obj(v) = n.index_value(&key)? {
                        out.push(Value::Obj(v));
                    }
                }
            }
            Ok(values(out))
        })())
    }

    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.items.clone())
    }

    fn to_text(&self) -> String {
        "Newtonsoft.Json.Linq.JEnumerable`1[Newtonsoft.Json.Linq.JToken]".into()
    }

    fn size_hint(&self) -> usize {
        32 + self.items.len() * 16
    }
}

/// The tokens of a sequence value (`None`: not a sequence of tokens).
fn source<'a>(rt: &mut dyn Runtime<'a>, recv: &Value<'a>) -> Option<EvalResult<Vec<Rc<Node>>>> {
    if recv.downcast::<Node>().is_some() {
        return None;
    }
    let items = match crate::library::items(rt, recv)? {
        Ok(i) => i,
        Err(e) => return Some(Err(e)),
    };
    let nodes: Option<Vec<Rc<Node>>> = items
        .iter()
        .map(|i| i.downcast::<Node>().and_then(|n| n.this().ok()))
        .collect();
    nodes.map(Ok)
}

/// `Extensions.Values<U>(source, key)` / `Children()` / `Properties()`…
/// on the tokens `src`.
pub fn apply<'a>(
    rt: &mut dyn Runtime<'a>,
    src: &[Rc<Node>],
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let target = targs.first();
    let r = match (name, args) {
        ("Values", []) => (|| {
            let mut out = Vec::new();
            for t in src {
                let parts = if t.is_container() {
                    t.children()
                } else {
                    vec![t.clone()]
                };
                for p in parts {
                    out.push(convert_or_self(rt, &p, target)?);
                }
            }
            rt.charge(out.len() as u64)?;
            Ok(values(out))
        })(),
        ("Values", [key]) => (|| {
            let mut out = Vec::new();
            for t in src {
                if let Value::Obj(o) = t.index_value(key)? {
                    if let Some(n) = o.as_any().downcast_ref::<Node>() {
                        out.push(convert_or_self(rt, &n.this()?, target)?);
                    }
                }
            }
            Ok(values(out))
        })(),
        ("Children", []) => Ok(tokens(src.iter().flat_map(|t| t.children()).collect())),
        ("Properties", []) => Ok(tokens(
            src.iter()
                .filter(|t| matches!(t.data, super::node::Data::Object(_)))
                .flat_map(|t| t.children())
                .collect(),
        )),
        ("Descendants", []) => Ok(tokens(src.iter().flat_map(|t| descendants(t, false)).collect())),
        ("DescendantsAndSelf", []) => Ok(tokens(src.iter().flat_map(|t| descendants(t, true)).collect())),
        ("Ancestors", []) => Ok(tokens(src.iter().flat_map(|t| ancestors(t, false)).collect())),
        ("AncestorsAndSelf", []) => Ok(tokens(src.iter().flat_map(|t| ancestors(t, true)).collect())),
        ("AsJEnumerable", []) => Ok(tokens(src.to_vec())),
        _ => return None,
    };
    Some(r)
}

fn convert_or_self<'a>(rt: &mut dyn Runtime<'a>, n: &Rc<Node>, target: Option<&TypeRef>) -> EvalResult<Value<'static>> {
    match target {
        Some(t) => convert_token(rt, n, t).map(Value::into_owned),
        None => Ok(Value::Obj(n.clone())),
    }
}

/// The ancestors of a token, nearest first.
pub fn ancestors(n: &Rc<Node>, with_self: bool) -> Vec<Rc<Node>> {
    let mut out = Vec::new();
    if with_self {
        out.push(n.clone());
    }
    let mut cur = n.parent();
    while let Some(p) = cur {
        cur = p.parent();
        out.push(p);
    }
    out
}

/// Newtonsoft's extension methods on a sequence of tokens that is not a
/// token (tokens' own methods are in [`super::methods`]).
pub fn extension_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if !matches!(
        name,
        "Values"
            | "Value"
            | "Children"
            | "Properties"
            | "Descendants"
            | "DescendantsAndSelf"
            | "Ancestors"
            | "AncestorsAndSelf"
            | "AsJEnumerable"
    ) {
        return None;
    }
    let src = match source(rt, recv)? {
        Ok(s) => s,
        Err(e) => return Some(Err(e)),
    };
    if name == "Value" {
        return Some(Err(EvalError::argument("Source value must be a JToken.")));
    }
    apply(rt, &src, name, targs, args)
}

/// `Extensions.X(source, …)` called statically.
pub fn extensions_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let (recv, rest) = args.split_first()?;
    if let Some(n) = recv.downcast::<Node>() {
        let me = match n.this() {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        if name == "Value" && rest.is_empty() {
            let target = targs.first()?;
            return Some(convert_token(rt, &me, target));
        }
        return apply(rt, &me.children(), name, targs, rest);
    }
    extension_call(rt, recv, name, targs, rest)
}
