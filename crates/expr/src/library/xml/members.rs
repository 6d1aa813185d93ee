//! Instance members of XML nodes and attributes: the dispatch from a
//! [`super::handle::Handle`] to the members of its kind, the members of
//! `XObject` and `XNode`, and those of the leaf types (`XAttribute`,
//! `XText`/`XCData`, `XComment`, `XProcessingInstruction`,
//! `XDocumentType`). Containers' members are in [`super::container`].
//!
//! Invariants: `None` means "no such member" for that kind; sequences
//! are returned as arrays of handles (a snapshot, as .NET's lazy
//! enumerables are when read once); every member is in its type's table.

use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

use super::container;
use super::content::{self, Item};
use super::handle::{node_of, wrap, wrap_opt};
use super::name::{arg_null, name_arg, name_value, str_arg, verify_ncname, Name};
use super::tree::{Data, Kind, Node};
use super::types::{SAVEOPTIONS, XATTRIBUTE, XELEMENT, XMLNODETYPE, XNODE};
use super::write::{self, SaveOptions};

/// A sequence of nodes as an `IEnumerable<T>` value (`elem` is `T`).
pub fn seq<'a>(rt: &mut dyn Runtime<'a>, elem: &'static TypeDef, nodes: Vec<Rc<Node>>) -> EvalResult<Value<'static>> {
    rt.charge(nodes.len() as u64)?;
    rt.alloc(nodes.len() * 16)?;
    Ok(Array::of(TypeRef::of(elem), nodes.iter().map(wrap).collect()))
}

/// An `ArgumentException` for a call with arguments the member has no
/// overload for.
pub fn bad_args(member: &str) -> EvalError {
    EvalError::argument(format!("No overload of '{member}' takes these arguments."))
}

/// The optional `XName` argument of `Elements(name)`, `Ancestors(name)`,
/// `Descendants(name)`…: no argument matches every element, a null name
/// matches nothing (.NET returns an empty sequence).
pub enum Filter {
    All,
    Named(Name),
    /// A null name: .NET returns an empty sequence.
    Nothing,
}

impl Filter {
    pub fn from_args(args: &[Value<'_>], member: &str) -> EvalResult<Filter> {
        match args {
            [] => Ok(Filter::All),
            [n] => Ok(match name_arg(n)? {
                Some(n) => Filter::Named(n),
                None => Filter::Nothing,
            }),
            _ => Err(bad_args(member)),
        }
    }

    /// Whether node `n` passes (elements only).
    pub fn accepts(&self, n: &Node) -> bool {
        match self {
            Filter::All => n.kind == Kind::Element,
            Filter::Named(name) => n.is_element_named(name),
            Filter::Nothing => false,
        }
    }
}

/// A property read.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, name: &str) -> Option<EvalResult<Value<'a>>> {
    if node.is_container() {
        if let Some(r) = container::get(rt, node, name) {
            return Some(r);
        }
    }
    let own = match (node.kind, &*node.data(), name) {
        (Kind::Attribute, Data::Attribute(n, _), "Name") => Some(name_value(n)),
        (Kind::Attribute, Data::Attribute(n, _), "IsNamespaceDeclaration") => {
            Some(Value::Bool(n.is_namespace_declaration()))
        }
        (
            Kind::Attribute | Kind::Text | Kind::CData | Kind::Comment,
            Data::Text(s) | Data::Attribute(_, s),
            "Value",
        ) => Some(Value::string(s.clone())),
        (Kind::Pi, Data::Pi(p), "Data") => Some(Value::string(p.data.clone())),
        (Kind::Pi, Data::Pi(p), "Target") => Some(Value::string(p.target.clone())),
        (Kind::DocType, Data::DocType(d), _) => match name {
            "Name" => Some(Value::string(d.name.clone())),
            "PublicId" => Some(opt_string(&d.public_id)),
            "SystemId" => Some(opt_string(&d.system_id)),
            "InternalSubset" => Some(opt_string(&d.internal_subset)),
            _ => None,
        },
        _ => None,
    };
    if let Some(v) = own {
        return Some(Ok(v));
    }
    Some(Ok(match name {
        "NextAttribute" | "PreviousAttribute" if node.kind == Kind::Attribute => {
            wrap_opt(sibling(node, name == "NextAttribute"))
        }
        "NextNode" | "PreviousNode" if node.kind != Kind::Attribute => wrap_opt(sibling(node, name == "NextNode")),
        "Parent" => wrap_opt(node.parent().filter(|p| p.kind == Kind::Element)),
        "Document" => {
            let root = node.root();
            if root.kind == Kind::Document {
                wrap(&root)
            } else {
                Value::Null
            }
        }
        "NodeType" => Value::Enum(&XMLNODETYPE, node.node_type()),
        "BaseUri" => Value::str(""),
        _ => return None,
    }))
}

fn opt_string(s: &Option<String>) -> Value<'static> {
    s.as_ref().map_or(Value::Null, |s| Value::string(s.clone()))
}

/// The next or previous sibling (attribute among attributes).
fn sibling(node: &Rc<Node>, next: bool) -> Option<Rc<Node>> {
    let (parent, i) = node.index_in_parent()?;
    let j = if next { i.checked_add(1)? } else { i.checked_sub(1)? };
    if node.kind == Kind::Attribute {
        parent.attrs().get(j).cloned()
    } else {
        parent.child(j)
    }
}

/// A property write.
pub fn set<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
    if node.is_container() {
        return container::set(rt, node, name, value);
    }
    let text = || -> EvalResult<String> {
        match str_arg(&value, name)? {
            Some(s) => Ok(s.to_owned()),
            None => Err(arg_null("value")),
        }
    };
    Some(match (node.kind, name) {
        (Kind::Attribute, "Value") => text().and_then(|s| content::set_attribute_text(node, s)),
        (Kind::Text | Kind::CData | Kind::Comment, "Value") => text().map(|s| node.set_own_text(s)),
        (Kind::Pi, "Data") => text().map(|s| {
            if let Data::Pi(p) = &mut *node.data_mut() {
                p.data = s;
            }
        }),
        (Kind::Pi, "Target") => text().and_then(|s| {
            check_pi_target(&s)?;
            if let Data::Pi(p) = &mut *node.data_mut() {
                p.target = s;
            }
            Ok(())
        }),
        (Kind::DocType, "Name" | "PublicId" | "SystemId" | "InternalSubset") => {
            let v = match str_arg(&value, name) {
                Ok(v) => v.map(str::to_owned),
                Err(e) => return Some(Err(e)),
            };
            if name == "Name" {
                match &v {
                    Some(n) => {
                        if let Err(e) = verify_qname(n) {
                            return Some(Err(e));
                        }
                    }
                    None => return Some(Err(arg_null("name"))),
                }
            }
            if let Data::DocType(d) = &mut *node.data_mut() {
                match name {
                    "Name" => d.name = v.unwrap_or_default(),
                    "PublicId" => d.public_id = v,
                    "SystemId" => d.system_id = v,
                    _ => d.internal_subset = v,
                }
            }
            Ok(())
        }
        _ => return None,
    })
}

/// A processing instruction's target: an NCName other than `xml`.
pub fn check_pi_target(target: &str) -> EvalResult<()> {
    verify_ncname(target)?;
    if target.eq_ignore_ascii_case("xml") {
        return Err(EvalError::argument(format!(
            "'{target}' is an invalid name for processing instructions."
        )));
    }
    Ok(())
}

/// `XmlConvert.VerifyName` for a document type's name (a QName).
pub fn verify_qname(name: &str) -> EvalResult<()> {
    match name.split_once(':') {
        Some((p, l)) => verify_ncname(p).and_then(|()| verify_ncname(l)),
        None => verify_ncname(name),
    }
}

/// The `SaveOptions` argument of `ToString(options)`.
fn save_options(args: &[Value<'_>]) -> EvalResult<SaveOptions> {
    match args {
        [] => Ok(SaveOptions::DEFAULT),
        [Value::Enum(d, v)] if d.is(&SAVEOPTIONS) => Ok(SaveOptions::from_flags(*v)),
        [v] => v
            .as_integer()
            .map(|i| SaveOptions::from_flags(i as i64))
            .ok_or_else(|| bad_args("ToString")),
        _ => Err(bad_args("ToString")),
    }
}

/// The required node argument of `IsAfter`, `IsBefore`…
fn node_arg(v: &Value<'_>) -> EvalResult<Option<Rc<Node>>> {
    match v {
        Value::Null => Ok(None),
        v => node_of(v)
            .filter(|n| n.kind != Kind::Attribute)
            .map(Some)
            .ok_or_else(|| EvalError::cast(v.type_name(), "XNode")),
    }
}

/// A method call.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    node: &Rc<Node>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if node.is_container() {
        if let Some(r) = container::call(rt, node, name, args) {
            return Some(r);
        }
    }
    let is_attr = node.kind == Kind::Attribute;
    Some(match name {
        "ToString" if is_attr && args.is_empty() => write::to_string(rt, node, SaveOptions::DEFAULT).map(Value::string),
        "ToString" if !is_attr => save_options(args).and_then(|o| write::to_string(rt, node, o).map(Value::string)),
        "Remove" if args.is_empty() => content::remove(rt, node).map(|()| Value::Null),
        "SetValue" if is_attr => match args {
            [Value::Null] => Err(arg_null("value")),
            [v] => super::convert::string_value(v)
                .and_then(|s| content::set_attribute_text(node, s))
                .map(|()| Value::Null),
            _ => Err(bad_args(name)),
        },
        _ if is_attr => return None,
        "AddAfterSelf" | "AddBeforeSelf" | "ReplaceWith" => node_insert(rt, node, name, args).map(|()| Value::Null),
        "Ancestors" => Filter::from_args(args, name).and_then(|f| {
            let found = node.ancestors().into_iter().filter(|a| f.accepts(a)).collect();
            seq(rt, &XELEMENT, found)
        }),
        "ElementsAfterSelf" | "ElementsBeforeSelf" | "NodesAfterSelf" | "NodesBeforeSelf" => {
            siblings(rt, node, name, args)
        }
        "IsAfter" | "IsBefore" => match args {
            [other] => node_arg(other).and_then(|o| {
                let order = super::order::compare_document_order(Some(node), o.as_ref())?;
                Ok(Value::Bool(if name == "IsAfter" { order > 0 } else { order < 0 }))
            }),
            _ => Err(bad_args(name)),
        },
        _ => return None,
    })
}

/// `AddAfterSelf`, `AddBeforeSelf`, `ReplaceWith`.
fn node_insert<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, name: &str, args: &[Value<'a>]) -> EvalResult<()> {
    let items: Vec<Item> = content::flatten(rt, args)?;
    let Some((parent, i)) = node.index_in_parent() else {
        return Err(EvalError::new(
            EvalErrorKind::InvalidOperation,
            "The parent is missing.",
        ));
    };
    match name {
        "AddAfterSelf" => content::insert(rt, &parent, i + 1, items),
        "AddBeforeSelf" => content::insert(rt, &parent, i, items),
        _ => {
            content::remove(rt, node)?;
            content::insert(rt, &parent, i, items)
        }
    }
}

/// `ElementsAfterSelf`, `ElementsBeforeSelf`, `NodesAfterSelf`,
/// `NodesBeforeSelf`.
fn siblings<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, name: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let elements = name.starts_with("Elements");
    let filter = if elements {
        Filter::from_args(args, name)?
    } else if args.is_empty() {
        Filter::All
    } else {
        return Err(bad_args(name));
    };
    let all = match node.index_in_parent() {
        Some((parent, i)) => {
            let children = parent.children();
            if name.ends_with("AfterSelf") {
                children.get(i + 1..).map(<[_]>::to_vec).unwrap_or_default()
            } else {
                children.get(..i).map(<[_]>::to_vec).unwrap_or_default()
            }
        }
        None => Vec::new(),
    };
    if elements {
        let found = all.into_iter().filter(|n| filter.accepts(n)).collect();
        seq(rt, &XELEMENT, found)
    } else {
        seq(rt, &XNODE, all)
    }
}

/// `XAttribute`'s `EmptySequence` and friends.
pub fn empty_attributes() -> Value<'static> {
    Array::of(TypeRef::of(&XATTRIBUTE), Vec::new())
}
