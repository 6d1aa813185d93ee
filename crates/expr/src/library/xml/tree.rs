//! The XML tree. Every XLinq object that has a parent (nodes and
//! attributes) is a [`Node`] behind an `Rc`: a container owns its children
//! and an element its attributes (strong `Rc`s); the parent link is `Weak`.
//! What keeps a tree alive while an expression holds one of its inner
//! nodes is the handle layer ([`super::handle`]), not the parent links.
//!
//! Invariants:
//! - a node is in at most one parent's `children` (or `attrs`), and its
//!   `parent` link names that parent; a tree is never cyclic (adding an
//!   ancestor clones it, as .NET does);
//! - an element with children has `empty == false` (`empty` is .NET's
//!   `content == null`: `<a />` rather than `<a></a>`);
//! - every walk over a tree is iterative (explicit stacks), and so is
//!   dropping one: trees built by expressions may be arbitrarily deep.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::{Rc, Weak};

use crate::error::EvalResult;
use crate::runtime::Runtime;

use super::decl::Decl;
use super::handle::{Handle, Hub};
use super::name::Name;
use super::types::node_type;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Element,
    Document,
    Attribute,
    Text,
    CData,
    Comment,
    Pi,
    DocType,
}

/// An element's data.
pub struct Elem {
    pub name: Name,
    pub attrs: Vec<Rc<Node>>,
    pub children: Vec<Rc<Node>>,
    /// .NET's `IsEmpty` (no content at all, written `<a />`).
    pub empty: bool,
}

/// A document's data.
pub struct Doc {
    pub decl: Option<Rc<Decl>>,
    pub children: Vec<Rc<Node>>,
}

/// A processing instruction's data.
pub struct Pi {
    pub target: String,
    pub data: String,
}

/// A document type's data.
pub struct DocType {
    pub name: String,
    pub public_id: Option<String>,
    pub system_id: Option<String>,
    pub internal_subset: Option<String>,
}

/// The data of a node, by kind.
pub enum Data {
    Element(Elem),
    Document(Doc),
    /// An attribute: its name and value.
    Attribute(Name, String),
    /// Text, CDATA and comments: their text.
    Text(String),
    Pi(Pi),
    DocType(DocType),
}

/// A node of the tree (or an attribute).
pub struct Node {
    pub kind: Kind,
    parent: RefCell<Weak<Node>>,
    /// The handle expressions see this node through (one at a time, so
    /// reference equality holds).
    pub(super) handle: RefCell<Weak<Handle>>,
    /// While this node is a root: the hub its handles keep alive.
    pub(super) hub: RefCell<Weak<Hub>>,
    data: RefCell<Data>,
}

impl Node {
    pub fn new(kind: Kind, data: Data) -> Rc<Node> {
        Rc::new(Node {
            kind,
            parent: RefCell::new(Weak::new()),
            handle: RefCell::new(Weak::new()),
            hub: RefCell::new(Weak::new()),
            data: RefCell::new(data),
        })
    }

    /// A new empty element (`<name />`).
    pub fn element(name: Name) -> Rc<Node> {
        Node::new(
            Kind::Element,
            Data::Element(Elem {
                name,
                attrs: Vec::new(),
                children: Vec::new(),
                empty: true,
            }),
        )
    }

    pub fn document() -> Rc<Node> {
        Node::new(
            Kind::Document,
            Data::Document(Doc {
                decl: None,
                children: Vec::new(),
            }),
        )
    }

    pub fn attribute(name: Name, value: String) -> Rc<Node> {
        Node::new(Kind::Attribute, Data::Attribute(name, value))
    }

    /// A text, CDATA or comment node.
    pub fn text(kind: Kind, text: String) -> Rc<Node> {
        Node::new(kind, Data::Text(text))
    }

    pub fn pi(target: String, data: String) -> Rc<Node> {
        Node::new(Kind::Pi, Data::Pi(Pi { target, data }))
    }

    pub fn doctype(d: DocType) -> Rc<Node> {
        Node::new(Kind::DocType, Data::DocType(d))
    }

    pub fn data(&self) -> Ref<'_, Data> {
        self.data.borrow()
    }

    pub fn data_mut(&self) -> RefMut<'_, Data> {
        self.data.borrow_mut()
    }

    /// The `XmlNodeType` value.
    pub fn node_type(&self) -> i64 {
        match self.kind {
            Kind::Element => node_type::ELEMENT,
            Kind::Document => node_type::DOCUMENT,
            Kind::Attribute => node_type::ATTRIBUTE,
            Kind::Text => node_type::TEXT,
            Kind::CData => node_type::CDATA,
            Kind::Comment => node_type::COMMENT,
            Kind::Pi => node_type::PROCESSING_INSTRUCTION,
            Kind::DocType => node_type::DOCUMENT_TYPE,
        }
    }

    pub fn is_container(&self) -> bool {
        matches!(self.kind, Kind::Element | Kind::Document)
    }

    /// Whether it is an `XText` (text or CDATA).
    pub fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Text | Kind::CData)
    }

    pub fn parent(&self) -> Option<Rc<Node>> {
        self.parent.borrow().upgrade()
    }

    pub(super) fn set_parent(&self, parent: Option<&Rc<Node>>) {
        *self.parent.borrow_mut() = parent.map(Rc::downgrade).unwrap_or_default();
    }

    /// The element or attribute name.
    pub fn name(&self) -> Option<Name> {
        match &*self.data() {
            Data::Element(e) => Some(e.name.clone()),
            Data::Attribute(n, _) => Some(n.clone()),
            _ => None,
        }
    }

    /// Whether it is an element named `name`.
    pub fn is_element_named(&self, name: &Name) -> bool {
        matches!(&*self.data(), Data::Element(e) if e.name == *name)
    }

    /// A snapshot of a container's children (empty for other kinds).
    pub fn children(&self) -> Vec<Rc<Node>> {
        match &*self.data() {
            Data::Element(e) => e.children.clone(),
            Data::Document(d) => d.children.clone(),
            _ => Vec::new(),
        }
    }

    /// The first child for which `pred` holds (no snapshot taken).
    pub fn find_child(&self, pred: impl Fn(&Node) -> bool) -> Option<Rc<Node>> {
        match &*self.data() {
            Data::Element(e) => e.children.iter().find(|c| pred(c)).cloned(),
            Data::Document(d) => d.children.iter().find(|c| pred(c)).cloned(),
            _ => None,
        }
    }

    /// The number of children.
    pub fn child_count(&self) -> usize {
        match &*self.data() {
            Data::Element(e) => e.children.len(),
            Data::Document(d) => d.children.len(),
            _ => 0,
        }
    }

    /// Child `i`.
    pub fn child(&self, i: usize) -> Option<Rc<Node>> {
        match &*self.data() {
            Data::Element(e) => e.children.get(i).cloned(),
            Data::Document(d) => d.children.get(i).cloned(),
            _ => None,
        }
    }

    /// A snapshot of an element's attributes.
    pub fn attrs(&self) -> Vec<Rc<Node>> {
        match &*self.data() {
            Data::Element(e) => e.attrs.clone(),
            _ => Vec::new(),
        }
    }

    /// The text of a text, CDATA or comment node, or an attribute's value.
    pub fn own_text(&self) -> Option<String> {
        match &*self.data() {
            Data::Text(s) | Data::Attribute(_, s) => Some(s.clone()),
            _ => None,
        }
    }

    /// Sets the text of a text, CDATA or comment node, or an attribute's value.
    pub fn set_own_text(&self, text: String) {
        match &mut *self.data_mut() {
            Data::Text(s) | Data::Attribute(_, s) => *s = text,
            _ => {}
        }
    }

    /// `IsEmpty` of an element.
    pub fn is_empty_element(&self) -> bool {
        matches!(&*self.data(), Data::Element(e) if e.empty)
    }

    /// Marks an element as having (possibly empty) content: `<a></a>`.
    pub fn set_not_empty(&self) {
        if let Data::Element(e) = &mut *self.data_mut() {
            e.empty = false;
        }
    }

    /// Position of `self` among its parent's children (or attributes).
    pub fn index_in_parent(self: &Rc<Node>) -> Option<(Rc<Node>, usize)> {
        let parent = self.parent()?;
        let i = {
            let data = parent.data();
            let list = match &*data {
                Data::Element(e) if self.kind == Kind::Attribute => &e.attrs,
                Data::Element(e) => &e.children,
                Data::Document(d) => &d.children,
                _ => return None,
            };
            list.iter().position(|c| Rc::ptr_eq(c, self))?
        };
        Some((parent, i))
    }

    /// The root of the tree `self` is in.
    pub fn root(self: &Rc<Node>) -> Rc<Node> {
        let mut n = self.clone();
        while let Some(p) = n.parent() {
            n = p;
        }
        n
    }

    /// The ancestors (nearest first), not including `self`.
    pub fn ancestors(self: &Rc<Node>) -> Vec<Rc<Node>> {
        let mut out = Vec::new();
        let mut n = self.parent();
        while let Some(p) = n {
            n = p.parent();
            out.push(p);
        }
        out
    }

    /// The nodes below `self` in document order (pre-order), not including
    /// `self` (attributes excluded).
    pub fn descendant_nodes(self: &Rc<Node>) -> Vec<Rc<Node>> {
        let mut out = Vec::new();
        let mut stack: Vec<Rc<Node>> = self.children().into_iter().rev().collect();
        while let Some(n) = stack.pop() {
            stack.extend(n.children().into_iter().rev());
            out.push(n);
        }
        out
    }

    /// .NET's `Value` of a container: the concatenated text of all text
    /// and CDATA descendants.
    pub fn text_value(self: &Rc<Node>) -> String {
        let mut out = String::new();
        let mut stack: Vec<Rc<Node>> = self.children().into_iter().rev().collect();
        while let Some(n) = stack.pop() {
            match &*n.data() {
                Data::Text(s) if n.is_text() => out.push_str(s),
                Data::Element(e) => stack.extend(e.children.iter().rev().cloned()),
                _ => {}
            }
        }
        out
    }

    /// A deep copy (no parent, no handles), charged per node.
    pub fn deep_clone<'a>(self: &Rc<Node>, rt: &mut dyn Runtime<'a>) -> EvalResult<Rc<Node>> {
        let copy = self.shallow_clone();
        let mut stack = vec![(self.clone(), copy.clone())];
        while let Some((src, dst)) = stack.pop() {
            rt.charge(1 + src.child_count() as u64)?;
            rt.alloc(src.size_estimate())?;
            for a in src.attrs() {
                let c = a.shallow_clone();
                c.set_parent(Some(&dst));
                if let Data::Element(e) = &mut *dst.data_mut() {
                    e.attrs.push(c);
                }
            }
            for child in src.children() {
                let c = child.shallow_clone();
                c.set_parent(Some(&dst));
                match &mut *dst.data_mut() {
                    Data::Element(e) => e.children.push(c.clone()),
                    Data::Document(d) => d.children.push(c.clone()),
                    _ => {}
                }
                if child.is_container() {
                    stack.push((child, c));
                } else {
                    rt.alloc(child.size_estimate())?;
                }
            }
        }
        Ok(copy)
    }

    /// A copy of the node without its children and attributes.
    fn shallow_clone(&self) -> Rc<Node> {
        let data = match &*self.data() {
            Data::Element(e) => Data::Element(Elem {
                name: e.name.clone(),
                attrs: Vec::new(),
                children: Vec::new(),
                empty: e.empty,
            }),
            Data::Document(d) => Data::Document(Doc {
                decl: d.decl.as_ref().map(|d| Rc::new(d.copy())),
                children: Vec::new(),
            }),
            Data::Attribute(n, v) => Data::Attribute(n.clone(), v.clone()),
            Data::Text(s) => Data::Text(s.clone()),
            Data::Pi(p) => Data::Pi(Pi {
                target: p.target.clone(),
                data: p.data.clone(),
            }),
            Data::DocType(d) => Data::DocType(DocType {
                name: d.name.clone(),
                public_id: d.public_id.clone(),
                system_id: d.system_id.clone(),
                internal_subset: d.internal_subset.clone(),
            }),
        };
        Node::new(self.kind, data)
    }

    /// An estimate of the bytes a node holds (for the memory budget).
    pub fn size_estimate(&self) -> usize {
        let own = match &*self.data() {
            Data::Element(e) => e.name.local.len() + e.name.ns.len(),
            Data::Attribute(n, v) => n.local.len() + v.len(),
            Data::Text(s) => s.len(),
            Data::Pi(p) => p.target.len() + p.data.len(),
            Data::DocType(d) => d.name.len(),
            Data::Document(_) => 0,
        };
        own + std::mem::size_of::<Node>() + 16
    }
}

/// Takes a node's children and attributes out (for the iterative drop).
fn take_owned(data: &mut Data) -> Vec<Rc<Node>> {
    match data {
        Data::Element(e) => {
            let mut v = std::mem::take(&mut e.children);
            v.append(&mut e.attrs);
            v
        }
        Data::Document(d) => std::mem::take(&mut d.children),
        _ => Vec::new(),
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // Dismantle the subtree iteratively: a deep tree would otherwise
        // overflow the stack through nested `Rc` drops.
        let mut stack = take_owned(self.data.get_mut());
        while let Some(n) = stack.pop() {
            if let Ok(mut node) = Rc::try_unwrap(n) {
                stack.extend(take_owned(node.data.get_mut()));
            }
        }
    }
}
