//! Changing the token tree as Newtonsoft's `JContainer` does
//! (`InsertItem`, `SetItem`, `RemoveItem`, `ClearItems`, `Remove()`,
//! `Replace()`): every insert goes through [`adopt`], which clones a token
//! that already has a parent, refuses what the container cannot hold
//! (a value in an object, a property in an array, a second value in a
//! property, a repeated property name) and keeps the tree within
//! [`MAX_DEPTH`] — the invariants of [`super::node`].

use std::rc::{Rc, Weak};

use super::json_exception;
use super::node::{Data, Node, MAX_DEPTH};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;

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
    let mut visited = 0;
    let height = item.height(&mut visited);
    rt.charge(visited)?;
    let item = if item.parent().is_some()
        || Rc::ptr_eq(&item, container)
        || (item.has_values() && Rc::ptr_eq(&container.root(), &item))
    {
        rt.alloc(visited as usize * NODE_BYTES)?;
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
