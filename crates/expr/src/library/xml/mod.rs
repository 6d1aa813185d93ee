//! The XML family: System.Xml.Linq (`XElement`, `XDocument`, `XAttribute`,
//! `XName`, `XNamespace`, `XNode`, `XContainer`, `XObject`, `XText`,
//! `XCData`, `XComment`, `XDeclaration`, `XProcessingInstruction`,
//! `XDocumentType`, the two node comparers, `Extensions`),
//! `System.Xml.XmlNodeType`, and the helper enums `SaveOptions` and
//! `LoadOptions`.
//!
//! Modules: [`types`] (the type tables), [`tree`] (nodes), [`handle`]
//! (nodes as values, keeping trees alive), [`name`] (`XName`,
//! `XNamespace`), [`parse`] (quick-xml to tree), [`write`] (tree to text:
//! XLinq's prefixes over [`writer`], an emulation of .NET's `XmlWriter`,
//! with [`writer_ns`] and [`writer_text`]), [`content`] (adding and removing content),
//! [`members`] and [`container`] (instance members), [`statics`]
//! (constructors and statics), [`convert`] (explicit conversions and
//! value-to-text), [`order`] (document order, deep equality),
//! [`extensions`], [`scope`] (in-scope namespaces), [`decl`].
//!
//! Invariants: parsing never expands entities beyond the predefined ones
//! and never reads a DTD; every walk is iterative and charged; the entry
//! points below are what `library/mod.rs` calls.

use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

pub mod container;
pub mod content;
pub mod convert;
pub mod decl;
pub mod extensions;
pub mod handle;
pub mod members;
pub mod name;
pub mod order;
pub mod parse;
pub mod parse_element;
pub mod scope;
pub mod statics;
pub mod tree;
pub mod types;
pub mod write;
pub mod writer;
pub mod writer_ns;
pub mod writer_text;

#[cfg(test)]
mod tests;

pub use types::*;

pub static TYPES: &[&TypeDef] = &[
    &XOBJECT,
    &XNODE,
    &XCONTAINER,
    &XELEMENT,
    &XDOCUMENT,
    &XATTRIBUTE,
    &XTEXT,
    &XCDATA,
    &XCOMMENT,
    &XPROCESSINGINSTRUCTION,
    &XDOCUMENTTYPE,
    &XDECLARATION,
    &XNAME,
    &XNAMESPACE,
    &XNODEDOCUMENTORDERCOMPARER,
    &XNODEEQUALITYCOMPARER,
    &EXTENSIONS,
    &XMLNODETYPE,
    &SAVEOPTIONS,
    &LOADOPTIONS,
];

/// What a body reader wants: `Body.As<XDocument>()`, `As<XElement>()`
/// (the root element) or `As<XNode>()` (the root element as a node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlKind {
    Document,
    Element,
    Node,
}

/// Parses XML text (`XDocument.Parse` / `XElement.Parse`): an `XmlException`
/// on malformed text. Never resolves external entities or DTDs.
pub fn parse<'a>(rt: &mut dyn Runtime<'a>, text: &str, want: XmlKind) -> EvalResult<Value<'static>> {
    parse_text(rt, text, want, false)
}

/// [`parse`] with `LoadOptions.PreserveWhitespace` or not.
pub fn parse_text<'a>(
    rt: &mut dyn Runtime<'a>,
    text: &str,
    want: XmlKind,
    preserve_whitespace: bool,
) -> EvalResult<Value<'static>> {
    let doc = parse::parse_document(rt, text, preserve_whitespace)?;
    match want {
        XmlKind::Document => Ok(handle::wrap(&doc)),
        XmlKind::Element | XmlKind::Node => {
            // The root element alone: comments and processing
            // instructions around it are not part of it (`XElement.Load`).
            let Some(root) = container::root_element(&doc) else {
                return Ok(Value::Null);
            };
            content::remove(rt, &root)?;
            Ok(handle::wrap(&root))
        }
    }
}

/// System.Xml.Linq's extension methods on `IEnumerable<XElement>` etc.
/// (`Elements()`, `Descendants()`, `Attributes()`, `Nodes()`…), and the
/// operators of a string left operand with an `XName`/`XNamespace` right
/// one (`"a" == el.Name`).
pub fn extension_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    if let (Value::Str(_), "op_Equality" | "op_Inequality", [other @ Value::Obj(o)]) = (recv, name, args) {
        if o.as_any().is::<name::XNameObj>() || o.as_any().is::<name::XNamespaceObj>() {
            return crate::library::call_member(rt, other.clone(), name, &[], std::slice::from_ref(recv));
        }
    }
    extensions::call(rt, name, recv, args)
}

/// `XElement`'s and `XAttribute`'s explicit conversions (`(string)el`,
/// `(int)attr`, …). `None`: not one.
pub fn convert<'a>(o: &Rc<dyn Object>, to: &TypeRef, explicit: bool) -> Option<EvalResult<Value<'a>>> {
    if !explicit {
        return None;
    }
    convert::explicit(o, to)
}

/// The implicit conversions from a string to `XName` and `XNamespace`
/// (`XNamespace ns = "urn:x";`, `XName n = "{urn:x}a";`). `None`: `to` is
/// neither or `v` is not a string.
pub fn convert_from_string<'a>(v: &Value<'a>, to: &TypeRef) -> Option<EvalResult<Value<'a>>> {
    name::convert_from_string(v, to)
}
