//! Handles: how expressions hold XML nodes. In .NET holding any node of a
//! tree keeps the whole tree reachable (`el.Parent`, `el.Document` work
//! after the root variable is gone). With `Rc` and weak parent links that
//! needs one more level: a [`Handle`] (the [`Object`] a [`Value`] holds)
//! owns its node and a [`Hub`]; a hub owns a tree's root, or forwards to
//! the hub of the tree its root was attached into.
//!
//! Invariants:
//! - a node has at most one live handle (`Node::handle` caches it), so
//!   reference equality of values is identity of nodes;
//! - following a live handle's hub (and its forwards) ends at the hub
//!   that owns the root of the handle's node; a root has at most one live
//!   owning hub (`Node::hub`);
//! - attaching a root under another tree ([`attached`]) turns its hub
//!   into a forward, in O(1); detaching a subtree ([`detached`]) points
//!   the subtree's live handles at a hub of the new root (a walk);
//! - no strong cycle: handle → hub → (hub →)* root → … → node → (weak)
//!   handle; a hub forwards only to an owning hub, and never owns again.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

use super::members;
use super::tree::{Kind, Node};
use super::types::{XATTRIBUTE, XCDATA, XCOMMENT, XDOCUMENT, XDOCUMENTTYPE, XELEMENT, XPROCESSINGINSTRUCTION, XTEXT};
use super::write;

/// What a hub keeps alive.
enum Target {
    /// The root of a tree.
    Root(Rc<Node>),
    /// The hub of the tree this hub's root was attached into (owned,
    /// never read: it is there to keep that tree alive).
    Forward { _to: Rc<Hub> },
}

/// What keeps a tree alive while expressions hold nodes of it.
pub struct Hub {
    target: RefCell<Target>,
}

/// An XML node (or attribute) as an expression value.
pub struct Handle {
    pub(super) node: Rc<Node>,
    hub: RefCell<Rc<Hub>>,
}

/// The owning hub of `root` (a node without parent), made on first use.
fn hub_of(root: &Rc<Node>) -> Rc<Hub> {
    if let Some(h) = root.hub.borrow().upgrade() {
        if matches!(&*h.target.borrow(), Target::Root(r) if Rc::ptr_eq(r, root)) {
            return h;
        }
    }
    let h = Rc::new(Hub {
        target: RefCell::new(Target::Root(root.clone())),
    });
    *root.hub.borrow_mut() = Rc::downgrade(&h);
    h
}

/// The handle of `node` (the same one while any value holds it).
pub fn handle(node: &Rc<Node>) -> Rc<Handle> {
    if let Some(h) = node.handle.borrow().upgrade() {
        return h;
    }
    let h = Rc::new(Handle {
        node: node.clone(),
        hub: RefCell::new(hub_of(&node.root())),
    });
    *node.handle.borrow_mut() = Rc::downgrade(&h);
    h
}

/// `node` as a value.
pub fn wrap(node: &Rc<Node>) -> Value<'static> {
    Value::Obj(handle(node))
}

/// `node` (or null) as a value.
pub fn wrap_opt(node: Option<Rc<Node>>) -> Value<'static> {
    node.map_or(Value::Null, |n| wrap(&n))
}

/// The node a value holds (`None`: not an XML node or attribute).
pub fn node_of(v: &Value<'_>) -> Option<Rc<Node>> {
    v.downcast::<Handle>().map(|h| h.node.clone())
}

/// After `node` (until now a root) was attached into another tree: its
/// handles now keep that tree's root alive.
pub fn attached(node: &Rc<Node>) {
    let Some(h) = node.hub.borrow().upgrade() else { return };
    let owns = matches!(&*h.target.borrow(), Target::Root(r) if Rc::ptr_eq(r, node));
    if owns {
        let to = hub_of(&node.root());
        *h.target.borrow_mut() = Target::Forward { _to: to };
    }
}

/// After `node`'s subtree was detached (it is now a root): points the
/// live handles in it at `node`'s hub. Charged per node visited.
pub fn detached<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>) -> EvalResult<()> {
    let mut hub: Option<Rc<Hub>> = None;
    let mut stack = vec![node.clone()];
    let mut visited = 0u64;
    while let Some(n) = stack.pop() {
        visited += 1;
        if let Some(h) = n.handle.borrow().upgrade() {
            let hub = hub.get_or_insert_with(|| hub_of(node));
            *h.hub.borrow_mut() = hub.clone();
        }
        stack.extend(n.attrs());
        stack.extend(n.children());
    }
    rt.charge(visited)
}

/// The .NET type of a node kind.
pub fn type_of_kind(kind: Kind) -> &'static TypeDef {
    match kind {
        Kind::Element => &XELEMENT,
        Kind::Document => &XDOCUMENT,
        Kind::Attribute => &XATTRIBUTE,
        Kind::Text => &XTEXT,
        Kind::CData => &XCDATA,
        Kind::Comment => &XCOMMENT,
        Kind::Pi => &XPROCESSINGINSTRUCTION,
        Kind::DocType => &XDOCUMENTTYPE,
    }
}

impl Object for Handle {
    fn type_def(&self) -> &'static TypeDef {
        type_of_kind(self.node.kind)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        members::get(rt, &self.node, name)
    }

    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        members::set(rt, &self.node, name, value)
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = targs;
        members::call(rt, &self.node, name, args)
    }

    /// `ToString()` (string concatenation, interpolation). Cannot fail:
    /// characters XML cannot hold are written as character references
    /// here, where .NET's `ToString()` throws (the member call does).
    fn to_text(&self) -> String {
        write::to_string_lossy(&self.node)
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(
            other
                .as_any()
                .downcast_ref::<Handle>()
                .is_some_and(|o| Rc::ptr_eq(&o.node, &self.node)),
        )
    }

    fn hash_code(&self) -> Option<u64> {
        Some(Rc::as_ptr(&self.node) as usize as u64)
    }

    fn size_hint(&self) -> usize {
        self.node.size_estimate()
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.type_def().name, write::to_string_lossy(&self.node))
    }
}
