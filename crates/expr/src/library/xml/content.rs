//! Changing a tree the way XLinq does: `Add` (append, merging strings into
//! a preceding text node), the inserter behind `AddFirst`,
//! `AddAfterSelf`, `AddBeforeSelf` and `ReplaceWith`, removal, and the
//! content rules (flattening of enumerables, cloning of nodes that already
//! have a parent, the document's structure and whitespace rules).
//!
//! Invariants: every node moved into or out of a tree tells the handle
//! layer ([`super::handle::attached`], [`super::handle::detached`]); an element left without children by a
//! removal becomes empty (`<a />`), as .NET's `content = null`; all
//! loops are charged to the budget.

use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::value::Value;

use super::convert::string_value;
use super::handle::{attached, detached, node_of};
use super::name::{Name, XMLNS_NS, XML_NS};
use super::tree::{Data, Kind, Node};

/// How deep enumerables may nest inside content (`new XElement("a",
/// list)` where the list holds lists…): a list containing itself must not
/// recurse forever.
const MAX_CONTENT_NESTING: usize = 64;

/// One piece of content, after flattening.
pub enum Item {
    Node(Rc<Node>),
    Attr(Rc<Node>),
    Text(String),
}

fn invalid_op(message: &str) -> EvalError {
    EvalError::new(EvalErrorKind::InvalidOperation, message)
}

/// Flattens content arguments as `XContainer.Add(object)` reads them:
/// null is skipped, nodes and attributes are themselves, strings are text,
/// enumerables are walked, anything else becomes its string value.
pub fn flatten<'a>(rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<Vec<Item>> {
    let mut out = Vec::new();
    // (values, next index) per level of nesting.
    let mut stack: Vec<(Vec<Value<'a>>, usize)> = vec![(args.to_vec(), 0)];
    while let Some((values, i)) = stack.last_mut() {
        let Some(v) = values.get(*i).cloned() else {
            stack.pop();
            continue;
        };
        *i += 1;
        rt.charge(1)?;
        match &v {
            Value::Null => {}
            Value::Str(s) => out.push(Item::Text(s.to_string())),
            Value::Obj(o) => {
                if let Some(n) = node_of(&v) {
                    out.push(if n.kind == Kind::Attribute {
                        Item::Attr(n)
                    } else {
                        Item::Node(n)
                    });
                } else if let Some(items) = o.items() {
                    if stack.len() >= MAX_CONTENT_NESTING {
                        return Err(EvalError::argument("Content is nested too deeply."));
                    }
                    rt.charge(items.len() as u64)?;
                    stack.push((items, 0));
                } else {
                    out.push(Item::Text(string_value(&v)?));
                }
            }
            v => out.push(Item::Text(string_value(v)?)),
        }
    }
    Ok(out)
}

/// `XAttribute.ValidateAttribute`: the namespace-declaration rules.
pub fn validate_attribute(name: &Name, value: &str) -> EvalResult<()> {
    const XML_MSG: &str = "The prefix 'xml' is bound to the namespace name 'http://www.w3.org/XML/1998/namespace'. Other prefixes must not be bound to this namespace name, and it must not be declared as the default namespace.";
    const XMLNS_MSG: &str = "The prefix 'xmlns' is bound to the namespace name 'http://www.w3.org/2000/xmlns/'. It must not be declared. Other prefixes must not be bound to this namespace name, and it must not be declared as the default namespace.";
    if &*name.ns == XMLNS_NS {
        if value.is_empty() {
            return Err(EvalError::argument(format!(
                "The prefix '{}' cannot be bound to the empty namespace name.",
                name.local
            )));
        }
        if value == XML_NS {
            if &*name.local != "xml" {
                return Err(EvalError::argument(XML_MSG));
            }
        } else if value == XMLNS_NS || &*name.local == "xmlns" {
            return Err(EvalError::argument(XMLNS_MSG));
        } else if &*name.local == "xml" {
            return Err(EvalError::argument(XML_MSG));
        }
    } else if name.ns.is_empty() && &*name.local == "xmlns" {
        if value == XML_NS {
            return Err(EvalError::argument(XML_MSG));
        }
        if value == XMLNS_NS {
            return Err(EvalError::argument(XMLNS_MSG));
        }
    }
    Ok(())
}

fn is_whitespace(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

fn check_string(container: &Node, s: &str) -> EvalResult<()> {
    if container.kind == Kind::Document && !is_whitespace(s) {
        return Err(EvalError::argument(
            "Non-whitespace characters cannot be added to content.",
        ));
    }
    Ok(())
}

/// `ValidateNode` of the container for inserting `n` before child `index`.
fn validate_node(container: &Node, n: &Node, index: usize) -> EvalResult<()> {
    let cannot = |what: &str| {
        Err(EvalError::argument(format!(
            "A node of type {what} cannot be added to content."
        )))
    };
    if container.kind == Kind::Element {
        return match n.kind {
            Kind::Document => cannot("Document"),
            Kind::DocType => cannot("DocumentType"),
            _ => Ok(()),
        };
    }
    match n.kind {
        Kind::Text => check_string(container, &n.own_text().unwrap_or_default()),
        Kind::CData => cannot("CDATA"),
        Kind::Document => cannot("Document"),
        Kind::Element | Kind::DocType => {
            // Before the insertion point: for an element at most one
            // document type; for a document type nothing. After it: for
            // a document type at most one element; for an element nothing.
            let (mut before, mut after) = match n.kind {
                Kind::Element => (Some(Kind::DocType), None),
                _ => (None, Some(Kind::Element)),
            };
            for (i, c) in container.children().iter().enumerate() {
                if !matches!(c.kind, Kind::Element | Kind::DocType) {
                    continue;
                }
                let allowed = if i < index { &mut before } else { &mut after };
                if *allowed != Some(c.kind) {
                    return Err(invalid_op(
                        "This operation would create an incorrectly structured document.",
                    ));
                }
                *allowed = None;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The node to insert for `n`: `n` itself, or a deep copy when it already
/// has a parent or is the root of the container's own tree.
fn prepare<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>, n: Rc<Node>, index: usize) -> EvalResult<Rc<Node>> {
    validate_node(container, &n, index)?;
    if n.parent().is_some() || Rc::ptr_eq(&n, &container.root()) {
        n.deep_clone(rt)
    } else {
        Ok(n)
    }
}

fn children_mut<R>(container: &Node, f: impl FnOnce(&mut Vec<Rc<Node>>) -> R) -> R {
    let mut data = container.data_mut();
    match &mut *data {
        Data::Element(e) => {
            e.empty = false;
            f(&mut e.children)
        }
        Data::Document(d) => f(&mut d.children),
        _ => f(&mut Vec::new()),
    }
}

fn insert_child<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>, index: usize, n: Rc<Node>) -> EvalResult<()> {
    rt.alloc(n.size_estimate())?;
    n.set_parent(Some(container));
    children_mut(container, |c| c.insert(index.min(c.len()), n.clone()));
    attached(&n);
    Ok(())
}

fn new_text<'a>(rt: &mut dyn Runtime<'a>, s: String) -> EvalResult<Rc<Node>> {
    rt.alloc(s.len())?;
    Ok(Node::text(Kind::Text, s))
}

/// Appends `s` to text node `n` (`XText.Value += s`).
fn append_text<'a>(rt: &mut dyn Runtime<'a>, n: &Node, s: &str) -> EvalResult<()> {
    rt.alloc(s.len())?;
    if let Data::Text(t) = &mut *n.data_mut() {
        t.push_str(s);
    }
    Ok(())
}

/// Adds an attribute to an element (`AddAttribute`).
fn add_attribute<'a>(rt: &mut dyn Runtime<'a>, el: &Rc<Node>, a: Rc<Node>) -> EvalResult<()> {
    if el.kind != Kind::Element {
        return Err(EvalError::argument("An attribute cannot be added to content."));
    }
    let name = a.name();
    if el.attrs().iter().any(|x| x.name() == name) {
        return Err(invalid_op("Duplicate attribute."));
    }
    let a = if a.parent().is_some() { a.deep_clone(rt)? } else { a };
    rt.alloc(a.size_estimate())?;
    a.set_parent(Some(el));
    if let Data::Element(e) = &mut *el.data_mut() {
        e.attrs.push(a.clone());
    }
    attached(&a);
    Ok(())
}

/// `XContainer.Add(content)`: appends each item.
pub fn add<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>, items: Vec<Item>) -> EvalResult<()> {
    for item in items {
        rt.charge(1)?;
        match item {
            Item::Node(n) => {
                let index = container.child_count();
                let n = prepare(rt, container, n, index)?;
                insert_child(rt, container, index, n)?;
            }
            Item::Attr(a) => add_attribute(rt, container, a)?,
            Item::Text(s) => add_string(rt, container, s)?,
        }
    }
    Ok(())
}

/// `XContainer.AddString`: an empty string makes an empty element
/// `<a></a>`; text after a text node (not CDATA) extends it.
fn add_string<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>, s: String) -> EvalResult<()> {
    check_string(container, &s)?;
    let last = container.child(container.child_count().wrapping_sub(1));
    if s.is_empty() {
        if last.is_none() {
            container.set_not_empty();
        }
        return Ok(());
    }
    match last {
        Some(t) if t.kind == Kind::Text => append_text(rt, &t, &s),
        _ => {
            let t = new_text(rt, s)?;
            insert_child(rt, container, container.child_count(), t)
        }
    }
}

/// The inserter of `AddFirst`, `AddAfterSelf`, `AddBeforeSelf` and
/// `ReplaceWith`: inserts the items before child `index`, joining
/// consecutive strings into one text node.
pub fn insert<'a>(
    rt: &mut dyn Runtime<'a>,
    container: &Rc<Node>,
    mut index: usize,
    items: Vec<Item>,
) -> EvalResult<()> {
    let mut text: Option<String> = None;
    for item in items {
        rt.charge(1)?;
        match item {
            Item::Attr(_) => return Err(EvalError::argument("An attribute cannot be added to content.")),
            Item::Text(s) => {
                check_string(container, &s)?;
                text.get_or_insert_with(String::new).push_str(&s);
            }
            Item::Node(n) => {
                let n = prepare(rt, container, n, index)?;
                if let Some(t) = text.take() {
                    index += flush_text(rt, container, index, t)?;
                }
                insert_child(rt, container, index, n)?;
                index += 1;
            }
        }
    }
    if let Some(t) = text {
        if t.is_empty() && container.child_count() == 0 {
            container.set_not_empty();
        } else {
            flush_text(rt, container, index, t)?;
        }
    }
    Ok(())
}

/// Writes pending inserter text before child `index`: into the preceding
/// text node, or as a new one. Returns how many nodes were inserted.
fn flush_text<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>, index: usize, t: String) -> EvalResult<usize> {
    if t.is_empty() {
        return Ok(0);
    }
    match index.checked_sub(1).and_then(|i| container.child(i)) {
        Some(prev) if prev.kind == Kind::Text => {
            append_text(rt, &prev, &t)?;
            Ok(0)
        }
        _ => {
            let n = new_text(rt, t)?;
            insert_child(rt, container, index, n)?;
            Ok(1)
        }
    }
}

/// Detaches `n` from its parent (`XNode.Remove()`, `XAttribute.Remove()`):
/// `InvalidOperationException` when it has none.
pub fn remove<'a>(rt: &mut dyn Runtime<'a>, n: &Rc<Node>) -> EvalResult<()> {
    let Some((parent, i)) = n.index_in_parent() else {
        return Err(invalid_op("The parent is missing."));
    };
    {
        let mut data = parent.data_mut();
        match &mut *data {
            Data::Element(e) if n.kind == Kind::Attribute => {
                e.attrs.remove(i);
            }
            Data::Element(e) => {
                e.children.remove(i);
                e.empty = e.children.is_empty();
            }
            Data::Document(d) => {
                d.children.remove(i);
            }
            _ => {}
        }
    }
    n.set_parent(None);
    detached(rt, n)
}

/// `XContainer.RemoveNodes()`: detaches every child; an element becomes
/// empty (`<a />`).
pub fn remove_nodes<'a>(rt: &mut dyn Runtime<'a>, container: &Rc<Node>) -> EvalResult<()> {
    let children = {
        let mut data = container.data_mut();
        match &mut *data {
            Data::Element(e) => {
                e.empty = true;
                std::mem::take(&mut e.children)
            }
            Data::Document(d) => std::mem::take(&mut d.children),
            _ => Vec::new(),
        }
    };
    for c in children {
        c.set_parent(None);
        detached(rt, &c)?;
    }
    Ok(())
}

/// `XElement.RemoveAttributes()`.
pub fn remove_attributes<'a>(rt: &mut dyn Runtime<'a>, el: &Rc<Node>) -> EvalResult<()> {
    let attrs = match &mut *el.data_mut() {
        Data::Element(e) => std::mem::take(&mut e.attrs),
        _ => Vec::new(),
    };
    for a in attrs {
        a.set_parent(None);
        detached(rt, &a)?;
    }
    Ok(())
}

/// `XElement.Value = s`: replaces the content with text `s`.
pub fn set_element_text<'a>(rt: &mut dyn Runtime<'a>, el: &Rc<Node>, s: String) -> EvalResult<()> {
    remove_nodes(rt, el)?;
    add(rt, el, vec![Item::Text(s)])
}

/// `XAttribute.Value = s` (with the namespace-declaration checks).
pub fn set_attribute_text(a: &Node, s: String) -> EvalResult<()> {
    if let Some(name) = a.name() {
        validate_attribute(&name, &s)?;
    }
    a.set_own_text(s);
    Ok(())
}

/// `XElement.SetAttributeValue(name, value)`: `None` removes.
pub fn set_attribute_value<'a>(
    rt: &mut dyn Runtime<'a>,
    el: &Rc<Node>,
    name: Name,
    value: Option<String>,
) -> EvalResult<()> {
    let existing = el.attrs().into_iter().find(|a| a.name().as_ref() == Some(&name));
    match (existing, value) {
        (Some(a), None) => remove(rt, &a),
        (None, None) => Ok(()),
        (Some(a), Some(v)) => set_attribute_text(&a, v),
        (None, Some(v)) => {
            validate_attribute(&name, &v)?;
            add_attribute(rt, el, Node::attribute(name, v))
        }
    }
}

/// `XElement.SetElementValue(name, value)`: `None` removes the first
/// child element named `name`.
pub fn set_element_value<'a>(
    rt: &mut dyn Runtime<'a>,
    el: &Rc<Node>,
    name: Name,
    value: Option<String>,
) -> EvalResult<()> {
    let existing = el.find_child(|c| c.is_element_named(&name));
    match (existing, value) {
        (Some(e), None) => remove(rt, &e),
        (None, None) => Ok(()),
        (Some(e), Some(v)) => set_element_text(rt, &e, v),
        (None, Some(v)) => {
            let e = Node::element(name);
            add(rt, &e, vec![Item::Text(v)])?;
            add(rt, el, vec![Item::Node(e)])
        }
    }
}
