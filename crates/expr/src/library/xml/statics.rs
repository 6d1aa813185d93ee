//! Constructors and static members of the XML types (`new XElement(name,
//! content…)`, `XElement.Parse`, `XDocument.Parse`, `XName.Get`,
//! `XNamespace.None`, `XNode.DeepEquals`, `Extensions.Elements(…)`…): the
//! functions the [`super::types`] tables point at.
//!
//! Invariants: every overload is chosen from the runtime arguments; the
//! nodes a constructor makes are new roots with no handles but their own.

use std::rc::Rc;

use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

use super::content::{self, Item};
use super::convert::string_value;
use super::decl::Decl;
use super::extensions;
use super::handle::{node_of, wrap};
use super::members::{bad_args, check_pi_target, empty_attributes, verify_qname};
use super::name::{
    arg_null, make_name, name_value, namespace_arg, namespace_value, parse_expanded, required_name, str_arg, XMLNS_NS,
    XML_NS,
};
use super::order::{compare_document_order, deep_equals, EqualityComparer, OrderComparer};
use super::tree::{Data, DocType, Kind, Node};
use super::types::{LOADOPTIONS, XELEMENT};
use super::{parse_text, XmlKind};

/// A node argument of a static (`None` for null; an error for a
/// non-node).
fn node_arg(v: &Value<'_>, param: &str) -> EvalResult<Option<Rc<Node>>> {
    match v {
        Value::Null => Ok(None),
        v => node_of(v)
            .filter(|n| n.kind != Kind::Attribute)
            .map(Some)
            .ok_or_else(|| {
                EvalError::argument(format!(
                    "The argument must be derived from XNode. (Parameter '{param}')"
                ))
            }),
    }
}

pub fn xnode_get<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    match name {
        "DocumentOrderComparer" => Some(Ok(Value::obj(OrderComparer))),
        "EqualityComparer" => Some(Ok(Value::obj(EqualityComparer))),
        _ => None,
    }
}

pub fn xnode_call<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("DeepEquals", [a, b]) => (|| {
            let (a, b) = (node_arg(a, "n1")?, node_arg(b, "n2")?);
            deep_equals(rt, a.as_ref(), b.as_ref()).map(Value::Bool)
        })(),
        ("CompareDocumentOrder", [a, b]) => (|| {
            let (a, b) = (node_arg(a, "n1")?, node_arg(b, "n2")?);
            compare_document_order(a.as_ref(), b.as_ref()).map(Value::Int)
        })(),
        ("DeepEquals" | "CompareDocumentOrder", _) => Err(bad_args(name)),
        _ => return None,
    })
}

/// The `(text[, LoadOptions])` arguments of `Parse`.
fn parse_args<'v>(args: &'v [Value<'_>]) -> EvalResult<(&'v str, bool)> {
    let (text, options) = match args {
        [t] => (t, 0),
        [t, Value::Enum(d, o)] if d.is(&LOADOPTIONS) => (t, *o),
        [t, o] => (t, o.as_integer().ok_or_else(|| bad_args("Parse"))? as i64),
        _ => return Err(bad_args("Parse")),
    };
    let text = str_arg(text, "text")?.ok_or_else(|| arg_null("text"))?;
    Ok((text, options & 1 != 0))
}

pub fn xelement_get<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    match name {
        "EmptySequence" => Some(Ok(crate::library::collections::Array::of(
            TypeRef::of(&XELEMENT),
            Vec::new(),
        ))),
        _ => None,
    }
}

pub fn xelement_call<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match name {
        "Parse" => Some(parse_args(args).and_then(|(t, p)| parse_text(rt, t, XmlKind::Element, p))),
        _ => None,
    }
}

pub fn xdocument_call<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match name {
        "Parse" => Some(parse_args(args).and_then(|(t, p)| parse_text(rt, t, XmlKind::Document, p))),
        _ => None,
    }
}

/// Adds constructor content to a new container.
fn with_content<'a>(rt: &mut dyn Runtime<'a>, node: Rc<Node>, content: &[Value<'a>]) -> EvalResult<Value<'a>> {
    rt.alloc(node.size_estimate())?;
    let items: Vec<Item> = content::flatten(rt, content)?;
    content::add(rt, &node, items)?;
    Ok(wrap(&node))
}

/// `new XElement(name, content…)` / `new XElement(other)`.
pub fn xelement_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let Some((first, content)) = args.split_first() else {
        return Err(bad_args("XElement"));
    };
    if let Some(other) = node_of(first) {
        if other.kind == Kind::Element && content.is_empty() {
            return Ok(wrap(&other.deep_clone(rt)?));
        }
        return Err(EvalError::cast(first.type_name(), "XName"));
    }
    let name = required_name(first, "name")?;
    with_content(rt, Node::element(name), content)
}

/// `new XDocument()`, `new XDocument(content…)`, `new XDocument(decl,
/// content…)`, `new XDocument(other)`.
pub fn xdocument_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    if let [only] = args {
        if let Some(other) = node_of(only).filter(|n| n.kind == Kind::Document) {
            return Ok(wrap(&other.deep_clone(rt)?));
        }
    }
    let doc = Node::document();
    let content = match args.split_first() {
        Some((first, rest)) => match super::decl::from_value(first) {
            Some(decl) => {
                if let Data::Document(doc) = &mut *doc.data_mut() {
                    doc.decl = Some(decl);
                }
                rest
            }
            None => args,
        },
        None => args,
    };
    with_content(rt, doc, content)
}

pub fn xattribute_get<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    match name {
        "EmptySequence" => Some(Ok(empty_attributes())),
        _ => None,
    }
}

/// `new XAttribute(name, value)` / `new XAttribute(other)`.
pub fn xattribute_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let node = match args {
        [other] => match node_of(other).filter(|n| n.kind == Kind::Attribute) {
            Some(a) => a.deep_clone(rt)?,
            None if other.is_null() => return Err(arg_null("other")),
            None => return Err(bad_args("XAttribute")),
        },
        [name, value] => {
            let name = required_name(name, "name")?;
            if value.is_null() {
                return Err(arg_null("value"));
            }
            let value = string_value(value)?;
            content::validate_attribute(&name, &value)?;
            Node::attribute(name, value)
        }
        _ => return Err(bad_args("XAttribute")),
    };
    rt.alloc(node.size_estimate())?;
    Ok(wrap(&node))
}

/// `new XText(s)`, `new XCData(s)`, `new XComment(s)` and their copy
/// constructors.
fn text_new<'a>(rt: &mut dyn Runtime<'a>, kind: Kind, type_name: &str, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let text = match args {
        [Value::Null] => return Err(arg_null("value")),
        [Value::Str(s)] => s.to_string(),
        [v] => match node_of(v).filter(|n| n.kind == kind) {
            Some(n) => n.own_text().unwrap_or_default(),
            None => return Err(EvalError::cast(v.type_name(), "string")),
        },
        _ => return Err(bad_args(type_name)),
    };
    rt.alloc(text.len())?;
    Ok(wrap(&Node::text(kind, text)))
}

pub fn xtext_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    text_new(rt, Kind::Text, "XText", args)
}

pub fn xcdata_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    text_new(rt, Kind::CData, "XCData", args)
}

pub fn xcomment_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    text_new(rt, Kind::Comment, "XComment", args)
}

/// `new XProcessingInstruction(target, data)` / `(other)`.
pub fn xpi_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let node = match args {
        [other] => match node_of(other).filter(|n| n.kind == Kind::Pi) {
            Some(n) => n.deep_clone(rt)?,
            None => return Err(arg_null("other")),
        },
        [target, data] => {
            let target = str_arg(target, "target")?.ok_or_else(|| arg_null("target"))?;
            let data = str_arg(data, "data")?.ok_or_else(|| arg_null("data"))?;
            check_pi_target(target)?;
            Node::pi(target.to_owned(), data.to_owned())
        }
        _ => return Err(bad_args("XProcessingInstruction")),
    };
    rt.alloc(node.size_estimate())?;
    Ok(wrap(&node))
}

/// `new XDocumentType(name, publicId, systemId, internalSubset)` /
/// `(other)`. Outpost never reads the DTD it names.
pub fn xdoctype_new<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let node = match args {
        [other] => match node_of(other).filter(|n| n.kind == Kind::DocType) {
            Some(n) => n.deep_clone(rt)?,
            None => return Err(arg_null("other")),
        },
        [name, public, system, subset] => {
            let name = str_arg(name, "name")?.ok_or_else(|| arg_null("name"))?;
            verify_qname(name)?;
            let opt = |v: &Value<'_>, what: &str| str_arg(v, what).map(|s| s.map(str::to_owned));
            Node::doctype(DocType {
                name: name.to_owned(),
                public_id: opt(public, "publicId")?,
                system_id: opt(system, "systemId")?,
                internal_subset: opt(subset, "internalSubset")?,
            })
        }
        _ => return Err(bad_args("XDocumentType")),
    };
    rt.alloc(node.size_estimate())?;
    Ok(wrap(&node))
}

/// `new XDeclaration(version, encoding, standalone)` / `(other)`.
pub fn xdeclaration_new<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    match args {
        [other] => match other.downcast::<Decl>() {
            Some(d) => Ok(Value::obj(d.copy())),
            None => Err(arg_null("other")),
        },
        [v, e, s] => {
            let opt = |x: &Value<'_>, what: &str| str_arg(x, what).map(|s| s.map(str::to_owned));
            Ok(Value::obj(Decl::new(
                opt(v, "version")?,
                opt(e, "encoding")?,
                opt(s, "standalone")?,
            )))
        }
        _ => Err(bad_args("XDeclaration")),
    }
}

pub fn xname_call<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if name != "Get" {
        return None;
    }
    Some(match args {
        [expanded] => match str_arg(expanded, "expandedName") {
            Ok(Some(s)) => parse_expanded(s).map(|n| name_value(&n)),
            Ok(None) => Err(arg_null("expandedName")),
            Err(e) => Err(e),
        },
        [local, ns] => (|| {
            let local = str_arg(local, "localName")?.ok_or_else(|| arg_null("localName"))?;
            let ns = namespace_arg(ns)?.ok_or_else(|| arg_null("namespaceName"))?;
            make_name(&ns, local).map(|n| name_value(&n))
        })(),
        _ => Err(bad_args("Get")),
    })
}

pub fn xnamespace_get<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(match name {
        "None" => namespace_value(""),
        "Xml" => namespace_value(XML_NS),
        "Xmlns" => namespace_value(XMLNS_NS),
        _ => return None,
    }))
}

pub fn xnamespace_call<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("Get", [uri]) => Some(match str_arg(uri, "namespaceName") {
            Ok(Some(u)) => Ok(namespace_value(u)),
            Ok(None) => Err(arg_null("namespaceName")),
            Err(e) => Err(e),
        }),
        ("Get", _) => Some(Err(bad_args("Get"))),
        _ => None,
    }
}

pub fn order_comparer_new<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    if !args.is_empty() {
        return Err(bad_args("XNodeDocumentOrderComparer"));
    }
    Ok(Value::obj(OrderComparer))
}

pub fn equality_comparer_new<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    if !args.is_empty() {
        return Err(bad_args("XNodeEqualityComparer"));
    }
    Ok(Value::obj(EqualityComparer))
}

pub fn extensions_call<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    extensions::call_static(rt, name, args)
}
