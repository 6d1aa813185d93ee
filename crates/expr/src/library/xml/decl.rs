//! `XDeclaration`: the `<?xml version encoding standalone?>` of a
//! document, a mutable object that is not part of the tree (not an
//! `XObject`). `XDocument.ToString()` never writes it.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

use super::name::str_arg;
use super::types::XDECLARATION;

/// An `XDeclaration`.
#[derive(Default)]
pub struct Decl {
    pub version: RefCell<Option<String>>,
    pub encoding: RefCell<Option<String>>,
    pub standalone: RefCell<Option<String>>,
}

impl Decl {
    pub fn new(version: Option<String>, encoding: Option<String>, standalone: Option<String>) -> Decl {
        Decl {
            version: RefCell::new(version),
            encoding: RefCell::new(encoding),
            standalone: RefCell::new(standalone),
        }
    }

    /// `new XDeclaration(other)`.
    pub fn copy(&self) -> Decl {
        Decl::new(
            self.version.borrow().clone(),
            self.encoding.borrow().clone(),
            self.standalone.borrow().clone(),
        )
    }

    fn field(&self, name: &str) -> Option<&RefCell<Option<String>>> {
        match name {
            "Version" => Some(&self.version),
            "Encoding" => Some(&self.encoding),
            "Standalone" => Some(&self.standalone),
            _ => None,
        }
    }
}

/// The `Rc<Decl>` a value holds (`None`: not an `XDeclaration`).
pub fn from_value(v: &Value<'_>) -> Option<Rc<Decl>> {
    let Value::Obj(o) = v else { return None };
    let any: Rc<dyn Any> = o.clone();
    any.downcast::<Decl>().ok()
}

fn opt_value(s: &Option<String>) -> Value<'static> {
    match s {
        Some(s) => Value::string(s.clone()),
        None => Value::Null,
    }
}

impl Object for Decl {
    fn type_def(&self) -> &'static TypeDef {
        &XDECLARATION
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        self.field(name).map(|f| Ok(opt_value(&f.borrow())))
    }

    fn set<'a>(&self, _: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let f = self.field(name)?;
        Some(str_arg(&value, name).map(|s| *f.borrow_mut() = s.map(str::to_owned)))
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
            ("ToString", []) => Some(Ok(Value::string(self.to_text()))),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        let mut s = String::from("<?xml");
        for (attr, f) in [
            ("version", &self.version),
            ("encoding", &self.encoding),
            ("standalone", &self.standalone),
        ] {
            if let Some(v) = &*f.borrow() {
                s.push_str(&format!(" {attr}=\"{v}\""));
            }
        }
        s.push_str("?>");
        s
    }
}
