//! The token tree: one Rust type, [`Node`], for every Newtonsoft token
//! (`JObject`, `JArray`, `JProperty`, `JValue`/`JRaw`, `JConstructor`),
//! shared by `Rc` like a .NET reference, with a `Weak` link to its parent
//! so `Parent`, `Remove()`, `Replace()`, `Path` and re-parenting work as
//! in Newtonsoft; reading it, cloning it, deep equality. Changing it is in
//! [`super::edit`], which keeps the invariants below.
//!
//! Invariants:
//! - a node has at most one parent: the parent's child list holds the only
//!   strong link from the tree, the child's `parent` is a `Weak` back;
//!   inserting a node that already has a parent (or is the container or
//!   its root) inserts a deep clone instead, as Newtonsoft does;
//! - a `JObject`'s children are `JProperty` nodes with distinct names; a
//!   `JArray`'s or `JConstructor`'s are never `JProperty`s; a `JProperty`
//!   has exactly one value;
//! - no tree is deeper than [`MAX_DEPTH`] nodes (every checked insert
//!   verifies it), so the recursive walks here and in the writer, the
//!   path evaluator and `Drop` are bounded.

use std::cell::{Ref, RefCell};
use std::rc::{Rc, Weak};

use super::scalar::Scalar;
use super::TokenType;
use crate::error::{EvalError, EvalErrorKind, EvalResult};

/// The deepest tree (in nodes: an object, its property and the property's
/// value are three levels) Outpost builds. Newtonsoft has no such limit
/// but would overflow .NET's stack far beyond it; parsing stops at 64
/// nested containers (Newtonsoft's `MaxDepth`), about 130 nodes deep.
pub const MAX_DEPTH: usize = 256;

/// A token.
pub struct Node {
    pub(super) me: Weak<Node>,
    pub(super) parent: RefCell<Weak<Node>>,
    pub data: Data,
}

/// What a token is and holds.
pub enum Data {
    /// `JObject`: its `JProperty` children, in order.
    Object(RefCell<Vec<Rc<Node>>>),
    /// `JArray`: its items.
    Array(RefCell<Vec<Rc<Node>>>),
    /// `JConstructor` (`new Date(…)` in Newtonsoft's extended JSON).
    Constructor(RefCell<Rc<str>>, RefCell<Vec<Rc<Node>>>),
    /// `JProperty`: a name and its value.
    Property(Rc<str>, RefCell<Rc<Node>>),
    /// `JValue` (and `JRaw`).
    Value(RefCell<Scalar>),
}

impl Node {
    /// A node over `data` whose children have no parent yet (unchecked:
    /// the caller guarantees the invariants above).
    fn build(data: Data) -> Rc<Node> {
        Rc::new_cyclic(|me: &Weak<Node>| {
            match &data {
                Data::Object(c) | Data::Array(c) | Data::Constructor(_, c) => {
                    for child in c.borrow().iter() {
                        *child.parent.borrow_mut() = me.clone();
                    }
                }
                Data::Property(_, v) => *v.borrow().parent.borrow_mut() = me.clone(),
                Data::Value(_) => {}
            }
            Node {
                me: me.clone(),
                parent: RefCell::new(Weak::new()),
                data,
            }
        })
    }

    /// A `JObject` of parentless `JProperty` nodes with distinct names.
    pub fn object(props: Vec<Rc<Node>>) -> Rc<Node> {
        Node::build(Data::Object(RefCell::new(props)))
    }

    /// A `JArray` of parentless, non-property items.
    pub fn array(items: Vec<Rc<Node>>) -> Rc<Node> {
        Node::build(Data::Array(RefCell::new(items)))
    }

    /// A `JConstructor` of parentless, non-property items.
    pub fn constructor(name: Rc<str>, items: Vec<Rc<Node>>) -> Rc<Node> {
        Node::build(Data::Constructor(RefCell::new(name), RefCell::new(items)))
    }

    /// A `JProperty` of a parentless, non-property value.
    pub fn property(name: Rc<str>, value: Rc<Node>) -> Rc<Node> {
        Node::build(Data::Property(name, RefCell::new(value)))
    }

    /// A `JValue`.
    pub fn value(s: Scalar) -> Rc<Node> {
        Node::build(Data::Value(RefCell::new(s)))
    }

    /// The `Rc` holding this node.
    pub fn this(&self) -> EvalResult<Rc<Node>> {
        self.me
            .upgrade()
            .ok_or_else(|| EvalError::new(EvalErrorKind::InvalidOperation, "the token no longer exists"))
    }

    /// `JToken.Type`.
    pub fn token_type(&self) -> TokenType {
        match &self.data {
            Data::Object(_) => TokenType::Object,
            Data::Array(_) => TokenType::Array,
            Data::Constructor(..) => TokenType::Constructor,
            Data::Property(..) => TokenType::Property,
            Data::Value(s) => s.borrow().token_type(),
        }
    }

    /// The .NET type name (`JObject`…) and its full name.
    pub fn type_name(&self) -> &'static str {
        match &self.data {
            Data::Object(_) => "JObject",
            Data::Array(_) => "JArray",
            Data::Constructor(..) => "JConstructor",
            Data::Property(..) => "JProperty",
            Data::Value(s) if s.borrow().is_raw() => "JRaw",
            Data::Value(_) => "JValue",
        }
    }

    /// `Newtonsoft.Json.Linq.JObject`… (what Newtonsoft's messages print).
    pub fn full_name(&self) -> String {
        format!("Newtonsoft.Json.Linq.{}", self.type_name())
    }

    pub fn is_container(&self) -> bool {
        !matches!(self.data, Data::Value(_))
    }

    /// The child list of an object, array or constructor.
    pub fn list(&self) -> Option<&RefCell<Vec<Rc<Node>>>> {
        match &self.data {
            Data::Object(c) | Data::Array(c) | Data::Constructor(_, c) => Some(c),
            _ => None,
        }
    }

    /// A snapshot of the children (a property's is its value).
    pub fn children(&self) -> Vec<Rc<Node>> {
        match &self.data {
            Data::Property(_, v) => vec![v.borrow().clone()],
            Data::Value(_) => Vec::new(),
            _ => self.list().map(|c| c.borrow().clone()).unwrap_or_default(),
        }
    }

    /// Calls `f` on each child, in order, without copying the list (`f`
    /// must not modify this node's children).
    pub fn each_child(&self, mut f: impl FnMut(&Rc<Node>)) {
        match &self.data {
            Data::Property(_, v) => f(&v.borrow()),
            Data::Value(_) => {}
            _ => {
                if let Some(l) = self.list() {
                    l.borrow().iter().for_each(f);
                }
            }
        }
    }

    /// `Count` of a container.
    pub fn child_count(&self) -> usize {
        match &self.data {
            Data::Property(..) => 1,
            Data::Value(_) => 0,
            _ => self.list().map_or(0, |c| c.borrow().len()),
        }
    }

    /// `HasValues`.
    pub fn has_values(&self) -> bool {
        self.child_count() > 0
    }

    /// A property's name.
    pub fn name(&self) -> Option<Rc<str>> {
        match &self.data {
            Data::Property(n, _) => Some(n.clone()),
            _ => None,
        }
    }

    /// A property's name, borrowed.
    pub fn name_ref(&self) -> Option<&str> {
        match &self.data {
            Data::Property(n, _) => Some(n),
            _ => None,
        }
    }

    /// A property's value.
    pub fn prop_value(&self) -> Option<Rc<Node>> {
        match &self.data {
            Data::Property(_, v) => Some(v.borrow().clone()),
            _ => None,
        }
    }

    /// A value's scalar.
    pub fn scalar(&self) -> Option<Ref<'_, Scalar>> {
        match &self.data {
            Data::Value(s) => Some(s.borrow()),
            _ => None,
        }
    }

    /// A `JObject`'s property named `name` (ordinal), or, with
    /// `ignore_case`, the exact match else the first case-insensitive one.
    pub fn property_named(&self, name: &str, ignore_case: bool) -> Option<Rc<Node>> {
        let Data::Object(props) = &self.data else {
            return None;
        };
        let props = props.borrow();
        let exact = props.iter().find(|p| p.name_ref() == Some(name));
        if exact.is_some() || !ignore_case {
            return exact.cloned();
        }
        props
            .iter()
            .find(|p| p.name_ref().is_some_and(|n| n.to_lowercase() == name.to_lowercase()))
            .cloned()
    }

    /// `obj[name]` of a `JObject`: the value, or `None`.
    pub fn get(&self, name: &str) -> Option<Rc<Node>> {
        self.property_named(name, false).and_then(|p| p.prop_value())
    }

    pub fn parent(&self) -> Option<Rc<Node>> {
        self.parent.borrow().upgrade()
    }

    /// `Root`.
    pub fn root(self: &Rc<Node>) -> Rc<Node> {
        let mut cur = self.clone();
        while let Some(p) = cur.parent() {
            cur = p;
        }
        cur
    }

    /// The number of nodes from the root down to this one (a root is 1).
    pub(super) fn depth(&self) -> usize {
        let mut n = 1;
        let mut cur = self.parent();
        while let Some(p) = cur {
            n += 1;
            cur = p.parent();
        }
        n
    }

    /// The number of nodes on the longest path down from this one (a value
    /// is 1), and the number of nodes visited.
    pub(super) fn height(&self, visited: &mut u64) -> usize {
        *visited += 1;
        match &self.data {
            Data::Value(_) => 1,
            Data::Property(_, v) => 1 + v.borrow().height(visited),
            _ => {
                let mut h = 0;
                self.each_child(|c| h = h.max(c.height(visited)));
                1 + h
            }
        }
    }

    /// The index of this node among its parent's children.
    pub fn index_in_parent(&self) -> Option<usize> {
        let parent = self.parent()?;
        let me = self.me.as_ptr();
        let list = parent.list()?.borrow();
        list.iter().position(|c| std::ptr::eq(Rc::as_ptr(c), me))
    }

    /// `Next` / `Previous`: the sibling at offset `delta`.
    pub fn sibling(&self, delta: isize) -> Option<Rc<Node>> {
        let parent = self.parent()?;
        let i = self.index_in_parent()?;
        let j = i.checked_add_signed(delta)?;
        let list = parent.list()?.borrow();
        list.get(j).cloned()
    }

    /// `DeepClone()`: a parentless copy of the subtree.
    pub fn deep_clone(&self) -> Rc<Node> {
        match &self.data {
            Data::Object(c) => Node::object(c.borrow().iter().map(|n| n.deep_clone()).collect()),
            Data::Array(c) => Node::array(c.borrow().iter().map(|n| n.deep_clone()).collect()),
            Data::Constructor(name, c) => Node::constructor(
                name.borrow().clone(),
                c.borrow().iter().map(|n| n.deep_clone()).collect(),
            ),
            Data::Property(name, v) => Node::property(name.clone(), v.borrow().deep_clone()),
            Data::Value(s) => Node::value(s.borrow().clone()),
        }
    }

    /// The number of nodes in the subtree (for the memory budget).
    pub fn count_nodes(&self) -> usize {
        let mut n = 1;
        self.each_child(|c| n += c.count_nodes());
        n
    }
}

/// `JToken.DeepEquals`: values by Newtonsoft's value equality, objects by
/// their properties in any order, arrays and constructors in order.
pub fn deep_equals(a: &Node, b: &Node) -> bool {
    if std::ptr::eq(a, b) {
        return true;
    }
    match (&a.data, &b.data) {
        (Data::Value(x), Data::Value(y)) => x.borrow().value_equals(&y.borrow()),
        (Data::Property(n1, v1), Data::Property(n2, v2)) => n1 == n2 && deep_equals(&v1.borrow(), &v2.borrow()),
        (Data::Object(x), Data::Object(_)) => {
            let x = x.borrow();
            x.len() == b.child_count()
                && x.iter().all(|p| {
                    let (Some(name), Some(v)) = (p.name(), p.prop_value()) else {
                        return false;
                    };
                    b.get(&name).is_some_and(|w| deep_equals(&v, &w))
                })
        }
        (Data::Array(x), Data::Array(y)) => lists_equal(&x.borrow(), &y.borrow()),
        (Data::Constructor(n1, x), Data::Constructor(n2, y)) => {
            *n1.borrow() == *n2.borrow() && lists_equal(&x.borrow(), &y.borrow())
        }
        _ => false,
    }
}

fn lists_equal(x: &[Rc<Node>], y: &[Rc<Node>]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| deep_equals(a, b))
}
