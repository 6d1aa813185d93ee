//! The token tree: one Rust type, [`Node`], for every Newtonsoft token
//! (`JObject`, `JArray`, `JProperty`, `JValue`/`JRaw`, `JConstructor`),
//! shared by `Rc` like a .NET reference, with a `Weak` link to its parent
//! so `Parent`, `Remove()`, `Replace()`, `Path` and re-parenting work as
//! in Newtonsoft; and the structural operations on it (insert, set,
//! remove, clone, deep equality).
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
use super::{json_exception, TokenType};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;

/// The deepest tree (in nodes: an object, its property and the property's
/// value are three levels) Outpost builds. Newtonsoft has no such limit
/// but would overflow .NET's stack far beyond it; parsing stops at 64
/// nested containers (Newtonsoft's `MaxDepth`), about 130 nodes deep.
pub const MAX_DEPTH: usize = 256;

/// A token.
pub struct Node {
    me: Weak<Node>,
    parent: RefCell<Weak<Node>>,
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
    fn depth(&self) -> usize {
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
    fn height(&self, visited: &mut u64) -> usize {
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

/// Newtonsoft's `EnsureParentToken` and `ValidateToken`, then the depth
/// check: what `item` becomes as a child of `container` (a clone when it
/// already has a parent, is the container, or is the container's root).
/// `replacing` is the child being replaced (a property may keep its name).
fn adopt(
    rt: &mut dyn Runtime<'_>,
    container: &Rc<Node>,
    item: Rc<Node>,
    replacing: Option<&Rc<Node>>,
) -> EvalResult<Rc<Node>> {
    let item = if item.parent().is_some()
        || Rc::ptr_eq(&item, container)
        || (item.has_values() && Rc::ptr_eq(&container.root(), &item))
    {
        let n = item.count_nodes();
        rt.charge(n as u64)?;
        rt.alloc(n * NODE_BYTES)?;
        item.deep_clone()
    } else {
        item
    };
    match &container.data {
        Data::Object(_) => {
            let Some(name) = item.name() else {
                return Err(cannot_add(&item, container));
            };
            let same = replacing.and_then(|r| r.name()).is_some_and(|n| n == name);
            if !same && container.property_named(&name, false).is_some() {
                return Err(EvalError::argument(format!(
                    "Can not add property {name} to {}. Property with the same name already exists on object.",
                    container.full_name()
                )));
            }
        }
        Data::Array(_) | Data::Constructor(..) | Data::Property(..) => {
            if matches!(item.data, Data::Property(..)) {
                return Err(cannot_add(&item, container));
            }
        }
        Data::Value(_) => return Err(cannot_add(&item, container)),
    }
    let mut visited = 0;
    let height = item.height(&mut visited);
    rt.charge(visited)?;
    if container.depth() + height > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(item)
}

/// An estimate of a node's size, for the memory budget.
pub const NODE_BYTES: usize = 96;

fn cannot_add(item: &Node, container: &Node) -> EvalError {
    EvalError::argument(format!(
        "Can not add {} to {}.",
        item.full_name(),
        container.full_name()
    ))
}

fn property_single_value() -> EvalError {
    json_exception("Newtonsoft.Json.Linq.JProperty cannot have multiple values.")
}

fn property_no_remove() -> EvalError {
    json_exception("Cannot add or remove items from Newtonsoft.Json.Linq.JProperty.")
}

/// `InsertItem`: inserts `item` at `index` of `container`'s children.
pub fn insert(rt: &mut dyn Runtime<'_>, container: &Rc<Node>, index: usize, item: Rc<Node>) -> EvalResult<()> {
    if let Data::Property(..) = container.data {
        return Err(property_single_value());
    }
    let Some(list) = container.list() else {
        return Err(cannot_add(&item, container));
    };
    if index > list.borrow().len() {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Index must be within the bounds of the List. (Parameter 'index')",
        ));
    }
    let item = adopt(rt, container, item, None)?;
    *item.parent.borrow_mut() = container.me.clone();
    list.borrow_mut().insert(index, item);
    Ok(())
}

/// `SetItem`: replaces the child at `index` (a property's value at 0).
pub fn set_at(rt: &mut dyn Runtime<'_>, container: &Rc<Node>, index: usize, item: Rc<Node>) -> EvalResult<()> {
    let existing = match &container.data {
        Data::Property(_, v) => v.borrow().clone(),
        _ => match container.list().and_then(|l| l.borrow().get(index).cloned()) {
            Some(e) => e,
            None => return Err(out_of_range()),
        },
    };
    if Rc::ptr_eq(&existing, &item) {
        return Ok(());
    }
    let item = adopt(rt, container, item, Some(&existing))?;
    *item.parent.borrow_mut() = container.me.clone();
    *existing.parent.borrow_mut() = Weak::new();
    match &container.data {
        Data::Property(_, v) => *v.borrow_mut() = item,
        _ => {
            if let Some(s) = container.list().and_then(|l| {
                l.borrow_mut()
                    .get_mut(index)
                    .map(|s| std::mem::replace(s, item.clone()))
            }) {
                drop(s);
            }
        }
    }
    Ok(())
}

/// `List<T>`'s index error.
pub fn out_of_range() -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')",
    )
}

/// `RemoveItem`: removes `item` if it is a child of `container`.
pub fn remove_item(container: &Rc<Node>, item: &Node) -> EvalResult<bool> {
    if let Data::Property(..) = container.data {
        return Err(property_no_remove());
    }
    let Some(list) = container.list() else {
        return Ok(false);
    };
    let pos = list.borrow().iter().position(|c| std::ptr::eq(&**c, item));
    match pos {
        Some(i) => remove_at(container, i).map(|()| true),
        None => Ok(false),
    }
}

/// `RemoveItemAt`.
pub fn remove_at(container: &Rc<Node>, index: usize) -> EvalResult<()> {
    if let Data::Property(..) = container.data {
        return Err(property_no_remove());
    }
    let Some(list) = container.list() else {
        return Err(out_of_range());
    };
    let mut list = list.borrow_mut();
    if index >= list.len() {
        return Err(out_of_range());
    }
    let removed = list.remove(index);
    *removed.parent.borrow_mut() = Weak::new();
    Ok(())
}

/// `ClearItems` (`RemoveAll()`).
pub fn clear(container: &Rc<Node>) -> EvalResult<()> {
    if let Data::Property(..) = container.data {
        return Err(property_no_remove());
    }
    if let Some(list) = container.list() {
        for c in list.borrow_mut().drain(..) {
            *c.parent.borrow_mut() = Weak::new();
        }
    }
    Ok(())
}

/// `token.Remove()`.
pub fn remove_self(node: &Node) -> EvalResult<()> {
    let Some(parent) = node.parent() else {
        return Err(parent_missing());
    };
    remove_item(&parent, node).map(|_| ())
}

/// `token.Replace(value)`.
pub fn replace_self(rt: &mut dyn Runtime<'_>, node: &Node, value: Rc<Node>) -> EvalResult<()> {
    let Some(parent) = node.parent() else {
        return Err(parent_missing());
    };
    let index = match parent.data {
        Data::Property(..) => 0,
        _ => match node.index_in_parent() {
            Some(i) => i,
            None => return Ok(()),
        },
    };
    set_at(rt, &parent, index, value)
}

pub fn parent_missing() -> EvalError {
    EvalError::new(EvalErrorKind::InvalidOperation, "The parent is missing.")
}

/// `obj[name] = value` on a `JObject`: sets the property's value, or adds
/// the property at the end.
pub fn set_property(rt: &mut dyn Runtime<'_>, obj: &Rc<Node>, name: &str, value: Rc<Node>) -> EvalResult<()> {
    match obj.property_named(name, false) {
        Some(p) => set_at(rt, &p, 0, value),
        None => {
            let len = obj.child_count();
            let prop = new_property(rt, Rc::from(name), value)?;
            insert(rt, obj, len, prop)
        }
    }
}

/// A new `JProperty(name, value)` (checked: the value is not a property,
/// and is cloned if it has a parent).
pub fn new_property(rt: &mut dyn Runtime<'_>, name: Rc<str>, value: Rc<Node>) -> EvalResult<Rc<Node>> {
    if matches!(value.data, Data::Property(..)) {
        return Err(EvalError::argument(
            "Can not add Newtonsoft.Json.Linq.JProperty to Newtonsoft.Json.Linq.JProperty.",
        ));
    }
    let value = detach_or_clone(rt, value)?;
    let mut visited = 0;
    let height = value.height(&mut visited);
    rt.charge(visited)?;
    if height + 1 > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(Node::property(name, value))
}

fn too_deep() -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("InsufficientExecutionStackException"),
        format!("JSON tokens nested more than {MAX_DEPTH} levels deep (Outpost's limit)"),
    )
}

/// `item` itself if it has no parent, else a clone.
pub fn detach_or_clone(rt: &mut dyn Runtime<'_>, item: Rc<Node>) -> EvalResult<Rc<Node>> {
    if item.parent().is_none() {
        return Ok(item);
    }
    let n = item.count_nodes();
    rt.charge(n as u64)?;
    rt.alloc(n * NODE_BYTES)?;
    Ok(item.deep_clone())
}
