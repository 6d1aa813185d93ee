//! The XML family: System.Xml.Linq (`XElement`, `XDocument`, `XAttribute`,
//! `XName`, `XNamespace`, `XText`, `XCData`, `XComment`, …, the
//! `Extensions`) and `System.Xml.XmlNodeType`.

use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static TYPES: &[&TypeDef] = &[];

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
    let _ = (rt, text, want);
    Err(crate::error::EvalError::new(
        crate::error::EvalErrorKind::NotSupported,
        "XML is not implemented yet",
    ))
}

/// System.Xml.Linq's extension methods on `IEnumerable<XElement>` etc.
/// (`Elements()`, `Descendants()`, `Attributes()`, `Nodes()`…).
pub fn extension_call<'a>(
    rt: &mut dyn Runtime<'a>,
    recv: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, recv, name, targs, args);
    None
}

/// `XElement`'s and `XAttribute`'s explicit conversions (`(string)el`,
/// `(int)attr`, …). `None`: not one.
pub fn convert<'a>(o: &Rc<dyn Object>, to: &TypeRef, explicit: bool) -> Option<EvalResult<Value<'a>>> {
    let _ = (o, to, explicit);
    None
}
