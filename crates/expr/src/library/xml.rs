//! The XML family: System.Xml.Linq (`XElement`, `XDocument`, `XAttribute`,
//! `XName`, `XNamespace`, `XText`, `XCData`, `XComment`, …, the
//! `Extensions`) and `System.Xml.XmlNodeType`.

use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static TYPES: &[&TypeDef] = &[];

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
