//! `System.Xml.Linq.Extensions`: LINQ to XML over sequences of nodes
//! (`doc.Descendants("item").Elements("price")`, `.Attributes()`,
//! `.Remove()`, `.InDocumentOrder()`…), called as extension methods on an
//! enumerable receiver or as statics (`Extensions.Elements(seq)`).
//!
//! Invariants: a receiver qualifies when every item is an XML node or
//! attribute (nulls skipped, as .NET does); results are snapshots in the
//! order .NET yields them (per source node, in document order).

use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::value::Value;

use super::content;
use super::handle::node_of;
use super::members::{bad_args, seq, Filter};
use super::order::in_document_order;
use super::tree::{Kind, Node};
use super::types::{XATTRIBUTE, XELEMENT, XNODE};

const NAMES: &[&str] = &[
    "Ancestors",
    "AncestorsAndSelf",
    "Attributes",
    "DescendantNodes",
    "DescendantNodesAndSelf",
    "Descendants",
    "DescendantsAndSelf",
    "Elements",
    "InDocumentOrder",
    "Nodes",
    "Remove",
];

/// The nodes of an enumerable of XML objects (`None`: not one).
fn source_nodes(recv: &Value<'_>) -> Option<Vec<Rc<Node>>> {
    let Value::Obj(o) = recv else { return None };
    if node_of(recv).is_some() {
        return None;
    }
    let items = o.items()?;
    let mut out = Vec::with_capacity(items.len());
    for v in &items {
        match v {
            Value::Null => {}
            v => out.push(node_of(v)?),
        }
    }
    Some(out)
}

/// An extension method `name` on `recv`. `None`: not an XML sequence or
/// not one of the extensions.
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    recv: &Value<'a>,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    if !NAMES.contains(&name) {
        return None;
    }
    let nodes = source_nodes(recv)?;
    Some(apply(rt, name, nodes, args))
}

fn apply<'a>(rt: &mut dyn Runtime<'a>, name: &str, nodes: Vec<Rc<Node>>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    rt.charge(nodes.len() as u64)?;
    let no_args = |args: &[Value<'a>]| if args.is_empty() { Ok(()) } else { Err(bad_args(name)) };
    match name {
        "Ancestors" | "AncestorsAndSelf" => {
            let f = Filter::from_args(args, name)?;
            let mut out = Vec::new();
            for n in &nodes {
                if name == "AncestorsAndSelf" && f.accepts(n) {
                    out.push(n.clone());
                }
                out.extend(n.ancestors().into_iter().filter(|a| f.accepts(a)));
            }
            seq(rt, &XELEMENT, out)
        }
        "Attributes" => {
            let f = Filter::from_args(args, name)?;
            let mut out = Vec::new();
            for n in &nodes {
                out.extend(n.attrs().into_iter().filter(|a| match &f {
                    Filter::All => true,
                    Filter::Named(x) => a.name().as_ref() == Some(x),
                    Filter::Nothing => false,
                }));
            }
            seq(rt, &XATTRIBUTE, out)
        }
        "DescendantNodes" | "DescendantNodesAndSelf" => {
            no_args(args)?;
            let mut out = Vec::new();
            for n in &nodes {
                if name == "DescendantNodesAndSelf" {
                    out.push(n.clone());
                }
                out.extend(n.descendant_nodes());
            }
            seq(rt, &XNODE, out)
        }
        "Descendants" | "DescendantsAndSelf" => {
            let f = Filter::from_args(args, name)?;
            let mut out = Vec::new();
            for n in &nodes {
                if name == "DescendantsAndSelf" && f.accepts(n) {
                    out.push(n.clone());
                }
                let below = n.descendant_nodes();
                rt.charge(below.len() as u64)?;
                out.extend(below.into_iter().filter(|d| f.accepts(d)));
            }
            seq(rt, &XELEMENT, out)
        }
        "Elements" => {
            let f = Filter::from_args(args, name)?;
            let mut out = Vec::new();
            for n in &nodes {
                out.extend(n.children().into_iter().filter(|c| f.accepts(c)));
            }
            seq(rt, &XELEMENT, out)
        }
        "Nodes" => {
            no_args(args)?;
            let mut out = Vec::new();
            for n in &nodes {
                out.extend(n.children());
            }
            seq(rt, &XNODE, out)
        }
        "InDocumentOrder" => {
            no_args(args)?;
            let all_elements = nodes.iter().all(|n| n.kind == Kind::Element);
            let sorted = in_document_order(rt, nodes)?;
            seq(rt, if all_elements { &XELEMENT } else { &XNODE }, sorted)
        }
        _ => {
            // "Remove": every node (or attribute) that still has a parent.
            no_args(args)?;
            for n in &nodes {
                if n.parent().is_some() {
                    content::remove(rt, n)?;
                }
            }
            Ok(Value::Null)
        }
    }
}

/// The static form `Extensions.Elements(source, …)`.
pub fn call_static<'a>(rt: &mut dyn Runtime<'a>, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    let (source, rest) = args.split_first()?;
    if source.is_null() {
        return Some(Err(super::name::arg_null("source")));
    }
    call(rt, name, source, rest)
}
