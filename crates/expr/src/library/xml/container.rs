//! Members of `XContainer`, `XElement` and `XDocument`: navigation
//! (`Element`, `Elements`, `Descendants`, `Nodes`, `Attributes`…),
//! content changes (`Add`, `AddFirst`, `ReplaceNodes`, `SetValue`,
//! `SetAttributeValue`…), `Name`/`Value`, namespace queries and the
//! document's `Root`/`Declaration`.
//!
//! Invariants: only called for element and document nodes; sequences are
//! snapshots in document order.

use std::rc::Rc;

use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::value::Value;

use super::content;
use super::convert::string_value;
use super::handle::wrap_opt;
use super::members::{bad_args, seq, Filter};
use super::name::{
    arg_null, name_arg, name_value, namespace_arg, namespace_value, required_name, str_arg, XMLNS_NS, XML_NS,
};
use super::scope;
use super::tree::{Data, Kind, Node};
use super::types::{XATTRIBUTE, XELEMENT, XNODE};

/// A property read on a container.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    let is_el = node.kind == Kind::Element;
    Some(Ok(match name {
        "FirstNode" => wrap_opt(node.child(0)),
        "LastNode" => wrap_opt(node.child(node.child_count().checked_sub(1)?)),
        "Name" if is_el => name_value(&node.name()?),
        "Value" if is_el => Value::string(node.text_value()),
        "IsEmpty" if is_el => Value::Bool(node.is_empty_element() && node.child_count() == 0),
        "HasElements" if is_el => Value::Bool(node.find_child(|c| c.kind == Kind::Element).is_some()),
        "HasAttributes" if is_el => Value::Bool(!node.attrs().is_empty()),
        "FirstAttribute" if is_el => wrap_opt(node.attrs().first().cloned()),
        "LastAttribute" if is_el => wrap_opt(node.attrs().last().cloned()),
        "Root" if !is_el => wrap_opt(node.find_child(|c| c.kind == Kind::Element)),
        "DocumentType" if !is_el => wrap_opt(node.find_child(|c| c.kind == Kind::DocType)),
        "Declaration" if !is_el => match &*node.data() {
            Data::Document(d) => d.decl.clone().map_or(Value::Null, |d| Value::Obj(d)),
            _ => Value::Null,
        },
        _ => return None,
    }))
}

/// A property write on a container.
pub fn set<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
    let is_el = node.kind == Kind::Element;
    Some(match name {
        "Name" if is_el => match name_arg(&value) {
            Ok(Some(n)) => {
                if let Data::Element(e) = &mut *node.data_mut() {
                    e.name = n;
                }
                Ok(())
            }
            Ok(None) => Err(arg_null("value")),
            Err(e) => Err(e),
        },
        "Value" if is_el => match str_arg(&value, name) {
            Ok(Some(s)) => content::set_element_text(rt, node, s.to_owned()),
            Ok(None) => Err(arg_null("value")),
            Err(e) => Err(e),
        },
        "Declaration" if !is_el => {
            let decl = match &value {
                Value::Null => None,
                Value::Obj(_) => match super::decl::from_value(&value) {
                    Some(d) => Some(d),
                    None => return Some(Err(EvalError::cast(value.type_name(), "XDeclaration"))),
                },
                v => return Some(Err(EvalError::cast(v.type_name(), "XDeclaration"))),
            };
            if let Data::Document(d) = &mut *node.data_mut() {
                d.decl = decl;
            }
            Ok(())
        }
        _ => return None,
    })
}

/// A method call on a container.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    node: &Rc<Node>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let is_el = node.kind == Kind::Element;
    let done = |r: EvalResult<()>| r.map(|()| Value::Null);
    Some(match name {
        "Add" => done(content::flatten(rt, args).and_then(|items| content::add(rt, node, items))),
        "AddFirst" => done(content::flatten(rt, args).and_then(|items| content::insert(rt, node, 0, items))),
        "ReplaceNodes" => done(content::flatten(rt, args).and_then(|items| {
            content::remove_nodes(rt, node)?;
            content::add(rt, node, items)
        })),
        "RemoveNodes" if args.is_empty() => done(content::remove_nodes(rt, node)),
        "Nodes" if args.is_empty() => seq(rt, &XNODE, node.children()),
        "DescendantNodes" if args.is_empty() => descendant_nodes(rt, node, false),
        "DescendantNodesAndSelf" if is_el && args.is_empty() => descendant_nodes(rt, node, true),
        "Element" => match args {
            [n] => name_arg(n).map(|n| wrap_opt(n.and_then(|n| node.find_child(|c| c.is_element_named(&n))))),
            _ => Err(bad_args(name)),
        },
        "Elements" => Filter::from_args(args, name).and_then(|f| {
            let found = node.children().into_iter().filter(|c| f.accepts(c)).collect();
            seq(rt, &XELEMENT, found)
        }),
        "Descendants" => descendants(rt, node, args, name, false),
        "DescendantsAndSelf" if is_el => descendants(rt, node, args, name, true),
        "AncestorsAndSelf" if is_el => Filter::from_args(args, name).and_then(|f| {
            let mut all = vec![node.clone()];
            all.extend(node.ancestors());
            let found = all.into_iter().filter(|a| f.accepts(a)).collect();
            seq(rt, &XELEMENT, found)
        }),
        "Attribute" if is_el => match args {
            [n] => name_arg(n)
                .map(|n| wrap_opt(n.and_then(|n| node.attrs().into_iter().find(|a| a.name().as_ref() == Some(&n))))),
            _ => Err(bad_args(name)),
        },
        "Attributes" if is_el => match args {
            [] => seq(rt, &XATTRIBUTE, node.attrs()),
            [n] => name_arg(n).and_then(|n| {
                let found = match n {
                    Some(n) => node
                        .attrs()
                        .into_iter()
                        .filter(|a| a.name().as_ref() == Some(&n))
                        .collect(),
                    None => Vec::new(),
                };
                seq(rt, &XATTRIBUTE, found)
            }),
            _ => Err(bad_args(name)),
        },
        "RemoveAll" if is_el && args.is_empty() => {
            done(content::remove_attributes(rt, node).and_then(|()| content::remove_nodes(rt, node)))
        }
        "RemoveAttributes" if is_el && args.is_empty() => done(content::remove_attributes(rt, node)),
        "ReplaceAll" if is_el => done(content::flatten(rt, args).and_then(|items| {
            content::remove_attributes(rt, node)?;
            content::remove_nodes(rt, node)?;
            content::add(rt, node, items)
        })),
        "ReplaceAttributes" if is_el => done(content::flatten(rt, args).and_then(|items| {
            content::remove_attributes(rt, node)?;
            content::add(rt, node, items)
        })),
        "SetValue" if is_el => match args {
            [Value::Null] => Err(arg_null("value")),
            [v] => done(string_value(v).and_then(|s| content::set_element_text(rt, node, s))),
            _ => Err(bad_args(name)),
        },
        "SetAttributeValue" | "SetElementValue" if is_el => match args {
            [n, v] => done((|| {
                let n = required_name(n, "name")?;
                let v = if v.is_null() { None } else { Some(string_value(v)?) };
                if name == "SetAttributeValue" {
                    content::set_attribute_value(rt, node, n, v)
                } else {
                    content::set_element_value(rt, node, n, v)
                }
            })()),
            _ => Err(bad_args(name)),
        },
        "GetDefaultNamespace" if is_el && args.is_empty() => Ok(namespace_value(&scope::default_namespace(node))),
        "GetNamespaceOfPrefix" if is_el => match args {
            [p] => namespace_of_prefix(node, p),
            _ => Err(bad_args(name)),
        },
        "GetPrefixOfNamespace" if is_el => match args {
            [ns] => match namespace_arg(ns) {
                Ok(Some(ns)) => Ok(scope::prefix_of_namespace(node, &ns).map_or(Value::Null, Value::string)),
                Ok(None) => Err(arg_null("ns")),
                Err(e) => Err(e),
            },
            _ => Err(bad_args(name)),
        },
        _ => return None,
    })
}

/// `DescendantNodes()` / `DescendantNodesAndSelf()`.
fn descendant_nodes<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, with_self: bool) -> EvalResult<Value<'a>> {
    let mut all = Vec::new();
    if with_self {
        all.push(node.clone());
    }
    all.extend(node.descendant_nodes());
    seq(rt, &XNODE, all)
}

/// `Descendants([name])` / `DescendantsAndSelf([name])`.
fn descendants<'a>(
    rt: &mut dyn Runtime<'a>,
    node: &Rc<Node>,
    args: &[Value<'a>],
    name: &str,
    with_self: bool,
) -> EvalResult<Value<'a>> {
    let filter = Filter::from_args(args, name)?;
    let below = node.descendant_nodes();
    rt.charge(below.len() as u64)?;
    let mut found = Vec::new();
    if with_self && filter.accepts(node) {
        found.push(node.clone());
    }
    found.extend(below.into_iter().filter(|n| filter.accepts(n)));
    seq(rt, &XELEMENT, found)
}

/// `GetNamespaceOfPrefix(prefix)`.
fn namespace_of_prefix<'a>(node: &Rc<Node>, prefix: &Value<'a>) -> EvalResult<Value<'a>> {
    let Some(prefix) = str_arg(prefix, "prefix")? else {
        return Err(arg_null("prefix"));
    };
    if prefix.is_empty() {
        return Err(EvalError::argument(format!("'{prefix}' is an invalid prefix.")));
    }
    if prefix == "xmlns" {
        return Ok(namespace_value(XMLNS_NS));
    }
    if let Some(ns) = scope::namespace_of_prefix_in_scope(node, prefix, None) {
        return Ok(namespace_value(&ns));
    }
    Ok(if prefix == "xml" {
        namespace_value(XML_NS)
    } else {
        Value::Null
    })
}

/// The root node of a parsed document as the handle `kind` asks for.
pub fn root_element(doc: &Rc<Node>) -> Option<Rc<Node>> {
    doc.find_child(|c| c.kind == Kind::Element)
}
