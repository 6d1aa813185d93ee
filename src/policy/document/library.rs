//! [`PolicyLibrary`]: the named values and policy fragments documents are
//! parsed against, and the parse entry point that applies them.
//!
//! Fragments are parsed, substituted and resolved (their own
//! `<include-fragment>`s inlined) once, when the library is built; a
//! document's `<include-fragment fragment-id="x"/>` is then replaced by a
//! copy of fragment `x`'s elements wherever it appears (any section, any
//! depth). Included elements keep the fragment as their `origin.document`
//! (their line numbers are the fragment's) and take the including
//! document's scope.
//!
//! Invariants: a missing fragment, a cycle, or fragments nested deeper than
//! [`MAX_FRAGMENT_NESTING`] is an error naming the file and line of the
//! offending `<include-fragment>`; every fragment is checked even if no
//! document uses it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::named_values::NamedValues;
use super::node::{Element, Node, Scope};
use super::structure::{document_sections, fragment_elements};
use super::xml::parse_tree;
use super::{Document, DocumentError};

/// How deep fragments may include fragments.
pub const MAX_FRAGMENT_NESTING: usize = 16;

/// The text of a policy fragment.
#[derive(Debug, Clone, Copy)]
pub struct FragmentSource<'a> {
    /// The fragment id (`fragment-id` in `<include-fragment>`).
    pub id: &'a str,
    /// Its file or resource name, for messages.
    pub document: &'a str,
    /// `<fragment>…</fragment>`, raw or escaped form.
    pub xml: &'a str,
}

/// Named values and resolved fragments; parses documents against them.
#[derive(Debug, Clone, Default)]
pub struct PolicyLibrary {
    named_values: NamedValues,
    fragments: HashMap<String, Vec<Element>>,
}

impl PolicyLibrary {
    /// Parses and resolves every fragment.
    pub fn new(named_values: NamedValues, fragments: &[FragmentSource<'_>]) -> Result<Self, DocumentError> {
        let mut raw: BTreeMap<&str, Vec<Element>> = BTreeMap::new();
        for f in fragments {
            let name: Arc<str> = Arc::from(f.document);
            let mut elements = fragment_elements(parse_tree(&name, f.xml)?)?;
            for el in &mut elements {
                named_values.substitute_tree(el)?;
            }
            if raw.insert(f.id, elements).is_some() {
                return Err(DocumentError::Fragment {
                    document: f.document.to_owned(),
                    line: 1,
                    message: format!("policy fragment {:?} is defined twice", f.id),
                });
            }
        }
        let mut resolved = HashMap::new();
        for id in raw.keys() {
            resolve(id, &raw, &mut resolved, &mut Vec::new()).map_err(|e| redact(e, &named_values))?;
        }
        Ok(PolicyLibrary {
            named_values,
            fragments: resolved,
        })
    }

    pub fn named_values(&self) -> &NamedValues {
        &self.named_values
    }

    /// The resolved elements of fragment `id`.
    pub fn fragment(&self, id: &str) -> Option<&[Element]> {
        self.fragments.get(id).map(Vec::as_slice)
    }

    /// Parses a policy document of `scope` named `document` (for messages):
    /// raw or escaped form, named values substituted, fragments inlined.
    pub fn parse(&self, document: &str, scope: Scope, xml: &str) -> Result<Document, DocumentError> {
        let name: Arc<str> = Arc::from(document);
        let mut sections = document_sections(parse_tree(&name, xml)?, scope)?;
        for section in sections.iter_mut().flatten() {
            for el in section.iter_mut() {
                self.named_values.substitute_tree(el)?;
            }
            let list = std::mem::take(section);
            *section = expand(list, &mut |inc| match self.fragments.get(fragment_id(inc)?) {
                Some(elements) => Ok(elements.clone()),
                None => Err(include_error(
                    inc,
                    format!("policy fragment {:?} is not defined", fragment_id(inc)?),
                )),
            })
            .map_err(|e| redact(e, &self.named_values))?;
            for el in section.iter_mut() {
                el.set_scope(scope);
            }
        }
        Ok(Document { name, scope, sections })
    }
}

/// A fragment id may come from a named value: keep secrets out of messages.
fn redact(e: DocumentError, named_values: &NamedValues) -> DocumentError {
    match e {
        DocumentError::Fragment {
            document,
            line,
            message,
        } => DocumentError::Fragment {
            document,
            line,
            message: named_values.redact(&message).into_owned(),
        },
        other => other,
    }
}

fn include_error(inc: &Element, message: String) -> DocumentError {
    DocumentError::Fragment {
        document: inc.origin.document.to_string(),
        line: inc.line,
        message,
    }
}

/// The `fragment-id` of a well-formed `<include-fragment>`.
fn fragment_id(inc: &Element) -> Result<&str, DocumentError> {
    if let Some(a) = inc.attrs.iter().find(|a| a.name != "fragment-id") {
        return Err(include_error(
            inc,
            format!("<include-fragment> has no attribute {:?}", a.name),
        ));
    }
    if !inc.children.is_empty() {
        return Err(include_error(inc, "<include-fragment> takes no content".into()));
    }
    match inc.attr("fragment-id") {
        Some(id) if !id.trim().is_empty() => Ok(id.trim()),
        _ => Err(include_error(
            inc,
            "<include-fragment> needs a fragment-id attribute".into(),
        )),
    }
}

/// Resolves fragment `id` (and what it includes) into `done`.
fn resolve(
    id: &str,
    raw: &BTreeMap<&str, Vec<Element>>,
    done: &mut HashMap<String, Vec<Element>>,
    chain: &mut Vec<String>,
) -> Result<(), DocumentError> {
    if done.contains_key(id) {
        return Ok(());
    }
    let Some(elements) = raw.get(id) else {
        return Ok(());
    };
    chain.push(id.to_owned());
    let expanded = expand(elements.clone(), &mut |inc| {
        let target = fragment_id(inc)?;
        if chain.iter().any(|c| c == target) {
            let path = chain
                .iter()
                .map(String::as_str)
                .chain([target])
                .collect::<Vec<_>>()
                .join(" → ");
            return Err(include_error(
                inc,
                format!("policy fragments include each other: {path}"),
            ));
        }
        if !raw.contains_key(target) {
            return Err(include_error(inc, format!("policy fragment {target:?} is not defined")));
        }
        if chain.len() >= MAX_FRAGMENT_NESTING {
            let m = format!("policy fragments nest deeper than {MAX_FRAGMENT_NESTING} levels");
            return Err(include_error(inc, m));
        }
        resolve(target, raw, done, chain)?;
        Ok(done.get(target).cloned().unwrap_or_default())
    })?;
    chain.pop();
    done.insert(id.to_owned(), expanded);
    Ok(())
}

type Lookup<'a> = dyn FnMut(&Element) -> Result<Vec<Element>, DocumentError> + 'a;

/// Replaces every `<include-fragment>` in `list` (at any depth) by what
/// `lookup` returns for it.
fn expand(list: Vec<Element>, lookup: &mut Lookup<'_>) -> Result<Vec<Element>, DocumentError> {
    let mut out = Vec::with_capacity(list.len());
    for mut el in list {
        if el.name == "include-fragment" {
            out.extend(lookup(&el)?);
        } else {
            expand_children(&mut el, lookup)?;
            out.push(el);
        }
    }
    Ok(out)
}

fn expand_children(el: &mut Element, lookup: &mut Lookup<'_>) -> Result<(), DocumentError> {
    if !el
        .children_elements()
        .any(|c| c.name == "include-fragment" || !c.children.is_empty())
    {
        return Ok(());
    }
    let children = std::mem::take(&mut el.children);
    for child in children {
        match child {
            Node::Element(c) if c.name == "include-fragment" => {
                el.children.extend(lookup(&c)?.into_iter().map(Node::Element));
            }
            Node::Element(mut c) => {
                expand_children(&mut c, lookup)?;
                el.children.push(Node::Element(c));
            }
            text => el.children.push(text),
        }
    }
    Ok(())
}
