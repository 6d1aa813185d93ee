//! Serialization, as .NET's `XNode.ToString()` produces it: XLinq's
//! `ElementWriter` (which prefix each name gets, from the `xmlns`
//! attributes in scope) over `XmlWellFormedWriter` (implicit namespace
//! declarations, generated `p1` prefixes) over the indenting raw text
//! writer (two spaces, `\n` newlines as on Linux, no indentation inside
//! mixed content, `<a />` for empty elements). The three layers are
//! emulated with their state, so the output matches .NET's byte for byte
//! in the cases the unit tests pin.
//!
//! Invariants: iterative over the tree (no recursion); characters XML
//! cannot represent are an `ArgumentException` (or, for the lossy form
//! used by string concatenation, character references).

use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;

use super::name::{XMLNS_NS, XML_NS};
use super::scope::prefix_of_namespace;
use super::tree::{Data, Kind, Node};
use super::writer::XmlWriter;

/// `SaveOptions`.
#[derive(Debug, Clone, Copy)]
pub struct SaveOptions {
    /// Not `DisableFormatting`.
    pub indent: bool,
    /// `OmitDuplicateNamespaces`.
    pub omit_duplicate_namespaces: bool,
}

impl SaveOptions {
    pub const DEFAULT: SaveOptions = SaveOptions {
        indent: true,
        omit_duplicate_namespaces: false,
    };

    /// From a `SaveOptions` flags value.
    pub fn from_flags(flags: i64) -> SaveOptions {
        SaveOptions {
            indent: flags & 1 == 0,
            omit_duplicate_namespaces: flags & 2 != 0,
        }
    }
}

/// XLinq's `ElementWriter`: chooses the prefix of each name from the
/// `xmlns` attributes in scope and drives the writer.
struct ElementWriter {
    w: XmlWriter,
    /// XLinq's namespace resolver: (prefix, uri, scope), oldest first.
    resolver: Vec<(String, String, usize)>,
    scope: usize,
}

impl ElementWriter {
    /// The prefix XLinq asks the writer for (`None`: let it choose).
    fn resolver_prefix(&self, ns: &str, allow_default: bool) -> Option<String> {
        if ns.is_empty() {
            return Some(String::new());
        }
        for (i, (prefix, uri, _)) in self.resolver.iter().enumerate().rev() {
            if uri != ns {
                continue;
            }
            let hidden = self.resolver[i + 1..].iter().any(|(p, _, _)| p == prefix);
            if hidden {
                continue;
            }
            if allow_default || !prefix.is_empty() {
                return Some(prefix.clone());
            }
        }
        match ns {
            XML_NS => Some("xml".into()),
            XMLNS_NS => Some("xmlns".into()),
            _ => None,
        }
    }

    /// Seeds the resolver with the declarations of `el`'s ancestors.
    fn push_ancestors(&mut self, el: &Rc<Node>) {
        let mut added = Vec::new();
        let mut cur = el.parent();
        while let Some(e) = cur {
            if e.kind != Kind::Element {
                break;
            }
            for a in e.attrs() {
                if let Some(name) = a.name().filter(|n| n.is_namespace_declaration()) {
                    let prefix = if name.ns.is_empty() {
                        String::new()
                    } else {
                        name.local.to_string()
                    };
                    added.push((prefix, a.own_text().unwrap_or_default(), 0));
                }
            }
            cur = e.parent();
        }
        added.reverse();
        self.resolver = added;
    }

    fn start_x(&mut self, el: &Node) -> EvalResult<()> {
        self.scope += 1;
        let attrs = el.attrs();
        for a in &attrs {
            if let Some(name) = a.name().filter(|n| n.is_namespace_declaration()) {
                let prefix = if name.ns.is_empty() {
                    String::new()
                } else {
                    name.local.to_string()
                };
                self.resolver
                    .push((prefix, a.own_text().unwrap_or_default(), self.scope));
            }
        }
        let Some(name) = el.name() else { return Ok(()) };
        let prefix = self.resolver_prefix(&name.ns, true);
        self.w.start_element(prefix, &name.local, &name.ns)?;
        for a in &attrs {
            let (Some(name), Some(value)) = (a.name(), a.own_text()) else {
                continue;
            };
            let prefix = self.resolver_prefix(&name.ns, false);
            let ns = if name.ns.is_empty() && &*name.local == "xmlns" {
                XMLNS_NS
            } else {
                &name.ns
            };
            self.w.attribute(prefix, &name.local, ns, &value)?;
        }
        Ok(())
    }

    fn end_x(&mut self, full: bool) -> EvalResult<()> {
        self.w.end_element(full)?;
        let scope = self.scope;
        while self.resolver.last().is_some_and(|(_, _, s)| *s == scope) {
            self.resolver.pop();
        }
        self.scope = self.scope.saturating_sub(1);
        Ok(())
    }

    /// Writes a node and its subtree (iteratively).
    fn node(&mut self, charge: &mut Charge<'_>, root: &Rc<Node>) -> EvalResult<()> {
        enum Step {
            Enter(Rc<Node>),
            Exit,
        }
        if root.kind == Kind::Element {
            self.push_ancestors(root);
        }
        let mut stack = vec![Step::Enter(root.clone())];
        while let Some(step) = stack.pop() {
            charge(1)?;
            let n = match step {
                Step::Exit => {
                    self.end_x(true)?;
                    continue;
                }
                Step::Enter(n) => n,
            };
            match &*n.data() {
                Data::Element(e) => {
                    self.start_x(&n)?;
                    if e.empty && e.children.is_empty() {
                        self.end_x(false)?;
                    } else if e.children.is_empty() {
                        self.w.string("")?;
                        self.end_x(true)?;
                    } else {
                        stack.push(Step::Exit);
                        stack.extend(e.children.iter().rev().map(|c| Step::Enter(c.clone())));
                    }
                }
                Data::Document(d) => stack.extend(d.children.iter().rev().map(|c| Step::Enter(c.clone()))),
                Data::Text(s) => match n.kind {
                    Kind::Text if n.parent().is_some_and(|p| p.kind == Kind::Document) => self.w.whitespace(s)?,
                    Kind::Text => self.w.string(s)?,
                    Kind::CData => self.w.cdata(s)?,
                    _ => self.w.comment(s)?,
                },
                Data::Pi(p) => self.w.pi(&p.target, &p.data)?,
                Data::DocType(d) => self.w.doctype(
                    &d.name,
                    d.public_id.as_deref(),
                    d.system_id.as_deref(),
                    d.internal_subset.as_deref(),
                ),
                Data::Attribute(name, value) => {
                    let ns = if name.ns.is_empty() && &*name.local == "xmlns" {
                        XMLNS_NS
                    } else {
                        &name.ns
                    };
                    let prefix = if name.ns.is_empty() {
                        Some(String::new())
                    } else if let Some(p) = n.parent() {
                        prefix_of_namespace(&p, &name.ns)
                    } else {
                        self.resolver_prefix(&name.ns, false)
                    };
                    self.w.attribute(prefix, &name.local, ns, value)?;
                }
            };
        }
        Ok(())
    }
}

/// A step counter: the budget of the evaluation, or nothing.
type Charge<'c> = dyn FnMut(u64) -> EvalResult<()> + 'c;
fn serialize(charge: &mut Charge<'_>, node: &Rc<Node>, opts: SaveOptions, check_chars: bool) -> EvalResult<String> {
    let fragment = matches!(node.kind, Kind::Text | Kind::CData | Kind::Attribute);
    let mut w = ElementWriter {
        w: XmlWriter::new(opts, check_chars, !fragment),
        resolver: Vec::new(),
        scope: 0,
    };
    w.node(charge, node)?;
    Ok(if node.kind == Kind::Attribute {
        w.w.out.trim().to_owned()
    } else {
        w.w.out
    })
}

/// `ToString()` / `ToString(SaveOptions)` of a node or attribute.
pub fn to_string<'a>(rt: &mut dyn Runtime<'a>, node: &Rc<Node>, opts: SaveOptions) -> EvalResult<String> {
    let s = serialize(&mut |n| rt.charge(n), node, opts, true)?;
    rt.alloc(s.len())?;
    Ok(s)
}

/// `ToString()` where nothing may fail (string concatenation): invalid
/// characters are written as character references; namespace conflicts
/// that .NET rejects give an empty string.
pub fn to_string_lossy(node: &Rc<Node>) -> String {
    serialize(&mut |_| Ok(()), node, SaveOptions::DEFAULT, false).unwrap_or_default()
}
