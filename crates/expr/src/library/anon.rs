//! Objects the core itself creates: anonymous objects (`new { a = 1 }`,
//! for `JObject.FromObject` and `JsonConvert.SerializeObject`),
//! `System.Exception` (what `throw new Exception("…")` throws and what
//! `catch (Exception e)` binds) and `System.Type` (`typeof(T)`,
//! `x.GetType()`).
//!
//! Invariants: anonymous objects are immutable and compare by value (as
//! .NET's generated `Equals` does; `==` stays reference equality); member
//! names are interned `&'static str`s (one leaked copy per distinct name
//! ever compiled: names come from policy documents, not from requests).

use std::any::Any;
use std::collections::HashSet;
use std::fmt::Write;
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeRef};
use crate::value::{Object, Shape, Value};

/// The type of every anonymous object.
pub static ANON: TypeDef = TypeDef {
    name: "<>f__AnonymousType",
    namespace: "",
    apim: Apim::Helper,
    ..TypeDef::EMPTY
};

/// `System.Exception`.
pub static EXCEPTION: TypeDef = TypeDef {
    name: "Exception",
    members: &[m("Message", "string"), m("ToString", "string")],
    unimplemented: &[
        "InnerException",
        "StackTrace",
        "Source",
        "Data",
        "HelpLink",
        "HResult",
        "TargetSite",
        "GetBaseException",
        "GetObjectData",
    ],
    ctor: Some(exception_ctor),
    ..TypeDef::EMPTY
};

/// `System.Type` (what `typeof` and `GetType()` give).
pub static TYPE: TypeDef = TypeDef {
    name: "Type",
    apim: Apim::Helper,
    members: &[
        m("Name", "string"),
        m("FullName", "string"),
        m("Namespace", "string"),
        m("ToString", "string"),
    ],
    ..TypeDef::EMPTY
};

pub static TYPES: &[&TypeDef] = &[&EXCEPTION, &TYPE];

/// The one `&'static` copy of an anonymous member name.
pub fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = NAMES.get_or_init(Default::default);
    let mut g = match set.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(s) = g.get(name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_owned().into_boxed_str());
    g.insert(s);
    s
}

/// An anonymous object.
#[derive(Debug)]
pub struct AnonObject {
    pub fields: Vec<(&'static str, Value<'static>)>,
    /// See [`Shape`]: set by [`AnonObject::value`].
    pub shape: Shape,
}

impl AnonObject {
    /// `new { … }` of these fields: refused when too big to walk.
    pub fn value(fields: Vec<(&'static str, Value<'static>)>) -> EvalResult<Value<'static>> {
        let shape = Shape::of_parts(fields.iter().map(|(_, v)| v))?;
        Ok(Value::obj(AnonObject { fields, shape }))
    }
}

impl Object for AnonObject {
    fn type_def(&self) -> &'static TypeDef {
        &ANON
    }

    fn shape(&self) -> Shape {
        self.shape
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| Ok(v.clone()))
    }

    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        Some(self.fields.clone())
    }

    /// `{ a = 1, b = x }`, as .NET's generated `ToString` writes it.
    fn to_text(&self) -> String {
        let mut s = String::from("{");
        for (i, (n, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(s, " {n} = {}", super::to_text(v));
        }
        s.push_str(" }");
        s
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<AnonObject>()?;
        Some(
            self.fields.len() == o.fields.len()
                && self
                    .fields
                    .iter()
                    .zip(&o.fields)
                    .all(|((a, x), (b, y))| a == b && (x.is_null() && y.is_null() || super::equals(x, y))),
        )
    }

    fn hash_code(&self) -> Option<u64> {
        Some(self.fields.iter().fold(17u64, |h, (n, v)| {
            h.wrapping_mul(31)
                .wrapping_add(n.len() as u64)
                .wrapping_mul(31)
                .wrapping_add(super::hash(v))
        }))
    }

    fn size_hint(&self) -> usize {
        32 + self.fields.len() * std::mem::size_of::<(&str, Value<'static>)>()
    }
}

/// A caught or created exception.
#[derive(Debug)]
pub struct ExceptionObject {
    pub kind: EvalErrorKind,
    pub message: String,
}

impl ExceptionObject {
    /// The object `catch (Exception e)` binds for `e`.
    pub fn value(e: &EvalError) -> Value<'static> {
        Value::obj(ExceptionObject {
            kind: e.kind,
            message: e.message.clone(),
        })
    }

    /// What `throw v` throws: `None` if `v` is no exception.
    pub fn error(v: &Value<'_>) -> Option<EvalError> {
        let e = v.downcast::<ExceptionObject>()?;
        Some(EvalError::new(e.kind, e.message.clone()))
    }

    /// .NET's full name of the exception type.
    pub fn full_name(kind: EvalErrorKind) -> String {
        let name = kind.exception();
        let ns = match name {
            "JsonReaderException" | "JsonSerializationException" | "JsonWriterException" => "Newtonsoft.Json",
            "XmlException" => "System.Xml",
            "CryptographicException" => "System.Security.Cryptography",
            "RegexMatchTimeoutException" => "System.Text.RegularExpressions",
            "ExpressionBudgetExceeded" => "Outpost",
            _ => "System",
        };
        format!("{ns}.{name}")
    }
}

impl Object for ExceptionObject {
    fn type_def(&self) -> &'static TypeDef {
        &EXCEPTION
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "Message" => Some(Ok(Value::string(self.message.clone()))),
            _ => None,
        }
    }

    /// `System.Exception: message` (.NET appends the stack trace, which an
    /// expression has none of).
    fn to_text(&self) -> String {
        format!("{}: {}", ExceptionObject::full_name(self.kind), self.message)
    }
}

fn exception_ctor<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let message = match args {
        [] | [Value::Null] | [Value::Null, _] => "Exception of type 'System.Exception' was thrown.".to_owned(),
        [Value::Str(s)] | [Value::Str(s), _] => s.to_string(),
        _ => return Err(EvalError::argument("Exception(string message[, Exception inner])")),
    };
    rt.alloc(message.len())?;
    Ok(Value::obj(ExceptionObject {
        kind: EvalErrorKind::Exception,
        message,
    }))
}

/// A `System.Type`.
#[derive(Debug)]
pub struct TypeObject {
    pub name: String,
    pub namespace: String,
}

impl TypeObject {
    fn full_name(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.namespace, self.name)
        }
    }

    /// `typeof(T)`.
    pub fn of_type(t: &TypeRef) -> Value<'static> {
        let (name, namespace) = type_names(t);
        Value::obj(TypeObject { name, namespace })
    }

    /// `v.GetType()`.
    pub fn of_value(v: &Value<'_>) -> Value<'static> {
        let (name, namespace) = match v {
            Value::Obj(o) => {
                if let Some(e) = o.as_any().downcast_ref::<ExceptionObject>() {
                    let full = ExceptionObject::full_name(e.kind);
                    let (ns, n) = full.rsplit_once('.').unwrap_or(("", &full));
                    (n.to_owned(), ns.to_owned())
                } else if let Some(a) = o.as_any().downcast_ref::<Array>() {
                    let (n, ns) = type_names(&a.elem);
                    (format!("{n}[]"), ns)
                } else if let Some(a) = o.as_any().downcast_ref::<AnonObject>() {
                    (format!("<>f__AnonymousType0`{}", a.fields.len()), String::new())
                } else {
                    let d = o.type_def();
                    (generic_name(d), d.namespace.to_owned())
                }
            }
            v => match super::type_of(v) {
                Some(d) => (generic_name(d), d.namespace.to_owned()),
                None => ("Object".to_owned(), "System".to_owned()),
            },
        };
        Value::obj(TypeObject { name, namespace })
    }
}

fn generic_name(d: &TypeDef) -> String {
    if d.generics > 0 {
        format!("{}`{}", d.name, d.generics)
    } else {
        d.name.to_owned()
    }
}

/// A type's .NET `Name` and `Namespace`.
fn type_names(t: &TypeRef) -> (String, String) {
    match t {
        TypeRef::Named(d, _) => (generic_name(d), d.namespace.to_owned()),
        TypeRef::Array(e) => {
            let (n, ns) = type_names(e);
            (format!("{n}[]"), ns)
        }
        TypeRef::Nullable(_) => ("Nullable`1".to_owned(), "System".to_owned()),
    }
}

impl Object for TypeObject {
    fn type_def(&self) -> &'static TypeDef {
        &TYPE
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "Name" => Value::string(self.name.clone()),
            "FullName" => Value::string(self.full_name()),
            "Namespace" => Value::string(self.namespace.clone()),
            _ => return None,
        }))
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let same = |v: &Value<'_>| {
            v.downcast::<TypeObject>()
                .is_some_and(|o| o.name == self.name && o.namespace == self.namespace)
        };
        match (name, args) {
            ("op_Equality", [o]) => Some(Ok(Value::Bool(same(o)))),
            ("op_Inequality", [o]) => Some(Ok(Value::Bool(!same(o)))),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        self.full_name()
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<TypeObject>()?;
        Some(o.name == self.name && o.namespace == self.namespace)
    }

    fn hash_code(&self) -> Option<u64> {
        Some(self.name.len() as u64 ^ self.namespace.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    #[test]
    fn anonymous_objects_print_and_compare_by_value() {
        let a = AnonObject {
            fields: vec![(intern("a"), Value::Int(1)), (intern("b"), Value::string("x"))],
            shape: Shape::LEAF,
        };
        assert_eq!(a.to_text(), "{ a = 1, b = x }");
        let b = AnonObject {
            fields: vec![(intern("a"), Value::Int(1)), (intern("b"), Value::string("x"))],
            shape: Shape::LEAF,
        };
        assert_eq!(a.equals(&b), Some(true));
        assert_eq!(a.hash_code(), b.hash_code());
        let c = AnonObject {
            fields: vec![(intern("a"), Value::Int(2)), (intern("b"), Value::string("x"))],
            shape: Shape::LEAF,
        };
        assert_eq!(a.equals(&c), Some(false));
        assert_eq!(
            AnonObject {
                fields: vec![],
                shape: Shape::LEAF
            }
            .to_text(),
            "{ }"
        );
        assert!(std::ptr::eq(intern("zz"), intern("zz")));
    }

    #[test]
    fn exceptions_carry_kind_and_message() {
        let mut rt = TestRt::new();
        let e = exception_ctor(&mut rt, &[], &[Value::str("boom")]).unwrap();
        let err = ExceptionObject::error(&e).unwrap();
        assert_eq!(err.kind, EvalErrorKind::Exception);
        assert_eq!(err.message, "boom");
        assert_eq!(super::super::to_text(&e), "System.Exception: boom");
        let d = exception_ctor(&mut rt, &[], &[]).unwrap();
        assert_eq!(
            ExceptionObject::error(&d).unwrap().message,
            "Exception of type 'System.Exception' was thrown."
        );
    }
}
