//! Comparing nodes: document order (`XNode.CompareDocumentOrder`,
//! `IsAfter`, `InDocumentOrder`, `XNodeDocumentOrderComparer`) and value
//! equality (`XNode.DeepEquals`, `XNodeEqualityComparer`), plus the two
//! comparer objects.
//!
//! Invariants: iterative (explicit stacks); nodes of different trees
//! have no order (`InvalidOperationException`, as .NET).

use std::any::Any;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

use super::handle::node_of;
use super::tree::{Data, Kind, Node};
use super::types::{XNODEDOCUMENTORDERCOMPARER, XNODEEQUALITYCOMPARER};

fn missing_ancestor() -> EvalError {
    EvalError::new(EvalErrorKind::InvalidOperation, "A common ancestor is missing.")
}

/// The path from the root to `n` (child indices) and the root.
fn path(n: &Rc<Node>) -> (Rc<Node>, Vec<usize>) {
    let mut out = Vec::new();
    let mut cur = n.clone();
    while let Some((p, i)) = cur.index_in_parent() {
        out.push(i);
        cur = p;
    }
    out.reverse();
    (cur, out)
}

/// `XNode.CompareDocumentOrder(n1, n2)`: -1, 0 or 1 (null first).
pub fn compare_document_order(a: Option<&Rc<Node>>, b: Option<&Rc<Node>>) -> EvalResult<i32> {
    let (a, b) = match (a, b) {
        (None, None) => return Ok(0),
        (None, _) => return Ok(-1),
        (_, None) => return Ok(1),
        (Some(a), Some(b)) => (a, b),
    };
    if Rc::ptr_eq(a, b) {
        return Ok(0);
    }
    let (ra, pa) = path(a);
    let (rb, pb) = path(b);
    if !Rc::ptr_eq(&ra, &rb) {
        return Err(missing_ancestor());
    }
    Ok(match pa.cmp(&pb) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    })
}

/// `InDocumentOrder()`: the nodes sorted by document order (stable).
pub fn in_document_order<'a>(rt: &mut dyn Runtime<'a>, nodes: Vec<Rc<Node>>) -> EvalResult<Vec<Rc<Node>>> {
    let mut keyed = Vec::with_capacity(nodes.len());
    let mut root: Option<Rc<Node>> = None;
    for n in nodes {
        rt.charge(1)?;
        let (r, p) = path(&n);
        match &root {
            Some(r0) if !Rc::ptr_eq(r0, &r) => return Err(missing_ancestor()),
            None => root = Some(r),
            _ => {}
        }
        keyed.push((p, n));
    }
    rt.charge(keyed.len() as u64)?;
    keyed.sort_by(|x, y| x.0.cmp(&y.0));
    Ok(keyed.into_iter().map(|(_, n)| n).collect())
}

/// The children of a container split into runs: consecutive `XText`
/// (not CDATA) nodes joined, as .NET's `ContentsEqual` compares them.
enum Part {
    Text(String),
    Node(Rc<Node>),
}

fn parts(n: &Node) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for c in n.children() {
        if c.kind == Kind::Text {
            let t = c.own_text().unwrap_or_default();
            match out.last_mut() {
                Some(Part::Text(s)) => s.push_str(&t),
                _ => out.push(Part::Text(t)),
            }
        } else {
            out.push(Part::Node(c));
        }
    }
    out
}

/// Compares two nodes shallowly, pushing child pairs to compare.
fn shallow_equal(a: &Rc<Node>, b: &Rc<Node>, stack: &mut Vec<(Rc<Node>, Rc<Node>)>) -> bool {
    if a.kind != b.kind {
        return false;
    }
    match (&*a.data(), &*b.data()) {
        (Data::Text(x), Data::Text(y)) => return x == y,
        (Data::Pi(x), Data::Pi(y)) => return x.target == y.target && x.data == y.data,
        (Data::DocType(x), Data::DocType(y)) => {
            return x.name == y.name
                && x.public_id == y.public_id
                && x.system_id == y.system_id
                && x.internal_subset == y.internal_subset
        }
        (Data::Attribute(n1, v1), Data::Attribute(n2, v2)) => return n1 == n2 && v1 == v2,
        (Data::Element(x), Data::Element(y)) => {
            if x.name != y.name || x.attrs.len() != y.attrs.len() {
                return false;
            }
            let attrs_equal = x.attrs.iter().zip(&y.attrs).all(|(p, q)| {
                matches!((&*p.data(), &*q.data()), (Data::Attribute(n1, v1), Data::Attribute(n2, v2)) if n1 == n2 && v1 == v2)
            });
            if !attrs_equal {
                return false;
            }
            // `<a/>` (no content) differs from `<a></a>` (empty content).
            let (x_null, y_null) = (x.empty && x.children.is_empty(), y.empty && y.children.is_empty());
            if x_null || y_null {
                return x_null && y_null;
            }
        }
        (Data::Document(_), Data::Document(_)) => {}
        _ => return false,
    }
    let (pa, pb) = (parts(a), parts(b));
    // Text-only content compares as one string (empty content is "").
    let text_only = |p: &[Part]| p.iter().all(|x| matches!(x, Part::Text(_)));
    if text_only(&pa) || text_only(&pb) {
        let join = |p: &[Part]| {
            p.iter()
                .map(|x| match x {
                    Part::Text(s) => s.as_str(),
                    Part::Node(_) => "",
                })
                .collect::<String>()
        };
        return text_only(&pa) && text_only(&pb) && join(&pa) == join(&pb);
    }
    if pa.len() != pb.len() {
        return false;
    }
    for (x, y) in pa.into_iter().zip(pb) {
        match (x, y) {
            (Part::Text(s), Part::Text(t)) if s == t => {}
            (Part::Node(m), Part::Node(n)) => stack.push((m, n)),
            _ => return false,
        }
    }
    true
}

/// `XNode.DeepEquals(a, b)`.
pub fn deep_equals<'a>(rt: &mut dyn Runtime<'a>, a: Option<&Rc<Node>>, b: Option<&Rc<Node>>) -> EvalResult<bool> {
    let (a, b) = match (a, b) {
        (None, None) => return Ok(true),
        (Some(a), Some(b)) => (a, b),
        _ => return Ok(false),
    };
    let mut stack = vec![(a.clone(), b.clone())];
    while let Some((x, y)) = stack.pop() {
        rt.charge(1)?;
        if !Rc::ptr_eq(&x, &y) && !shallow_equal(&x, &y, &mut stack) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A hash consistent with [`deep_equals`] (`XNodeEqualityComparer`).
pub fn deep_hash<'a>(rt: &mut dyn Runtime<'a>, n: &Rc<Node>) -> EvalResult<i32> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut stack = vec![n.clone()];
    while let Some(x) = stack.pop() {
        rt.charge(1)?;
        x.node_type().hash(&mut h);
        match &*x.data() {
            Data::Element(e) => {
                e.name.hash(&mut h);
                for a in &e.attrs {
                    if let Data::Attribute(n, v) = &*a.data() {
                        n.hash(&mut h);
                        v.hash(&mut h);
                    }
                }
            }
            Data::Text(s) if x.kind != Kind::Text => s.hash(&mut h),
            Data::Pi(p) => (&p.target, &p.data).hash(&mut h),
            Data::DocType(d) => d.name.hash(&mut h),
            _ => {}
        }
        // Text runs hash as their concatenation; other children descend.
        for p in parts(&x) {
            match p {
                Part::Text(s) => s.hash(&mut h),
                Part::Node(c) => stack.push(c),
            }
        }
    }
    Ok(h.finish() as i32)
}

/// A node argument of a comparer (null allowed).
fn comparer_arg(v: &Value<'_>, param: &str) -> EvalResult<Option<Rc<Node>>> {
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

/// `XNodeDocumentOrderComparer`.
pub struct OrderComparer;

/// `XNodeEqualityComparer`.
pub struct EqualityComparer;

impl Object for OrderComparer {
    fn type_def(&self) -> &'static TypeDef {
        &XNODEDOCUMENTORDERCOMPARER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("Compare", [x, y]) => Some((|| {
                let (x, y) = (comparer_arg(x, "x")?, comparer_arg(y, "y")?);
                compare_document_order(x.as_ref(), y.as_ref()).map(Value::Int)
            })()),
            _ => None,
        }
    }
}

impl Object for EqualityComparer {
    fn type_def(&self) -> &'static TypeDef {
        &XNODEEQUALITYCOMPARER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("Equals", [x, y]) => Some((|| {
                let (x, y) = (comparer_arg(x, "x")?, comparer_arg(y, "y")?);
                deep_equals(rt, x.as_ref(), y.as_ref()).map(Value::Bool)
            })()),
            ("GetHashCode", [x]) => Some((|| match comparer_arg(x, "obj")? {
                Some(n) => deep_hash(rt, &n).map(Value::Int),
                None => Ok(Value::Int(0)),
            })()),
            _ => None,
        }
    }
}
