//! `XName` and `XNamespace`: expanded names as values ([`Name`]) and their
//! objects, the implicit conversions from strings (`"{ns}local"`), the
//! operators (`ns + "local"`, `name == "local"`) and XML name validation.
//!
//! Invariants: a [`Name`]'s local part is a valid NCName (checked where
//! names are made from user text); .NET interns names, so equality is by
//! value here (`Object::equals`), which is what reference equality of
//! interned objects amounts to.

use std::any::Any;
use std::fmt;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::{Object, Value};

use super::types::{XNAME, XNAMESPACE};

/// The `xml` prefix's namespace.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations (`xmlns:p`).
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// An expanded name: namespace URI ("" for none) and local name.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub ns: Rc<str>,
    pub local: Rc<str>,
}

impl Name {
    pub fn new(ns: &str, local: &str) -> Name {
        Name {
            ns: Rc::from(ns),
            local: Rc::from(local),
        }
    }

    /// `ToString()`: `local` or `{ns}local`.
    pub fn expanded(&self) -> String {
        if self.ns.is_empty() {
            self.local.to_string()
        } else {
            format!("{{{}}}{}", self.ns, self.local)
        }
    }

    /// Whether it names a namespace declaration attribute (`xmlns`,
    /// `xmlns:p`).
    pub fn is_namespace_declaration(&self) -> bool {
        if self.ns.is_empty() {
            &*self.local == "xmlns"
        } else {
            &*self.ns == XMLNS_NS
        }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expanded())
    }
}

/// An `XName` object.
pub struct XNameObj(pub Name);

/// An `XNamespace` object.
pub struct XNamespaceObj(pub Rc<str>);

/// The `XName` value of `name`.
pub fn name_value(name: &Name) -> Value<'static> {
    Value::obj(XNameObj(name.clone()))
}

/// The `XNamespace` value of `uri`.
pub fn namespace_value(uri: &str) -> Value<'static> {
    Value::obj(XNamespaceObj(Rc::from(uri)))
}

fn xml_exception(message: String) -> EvalError {
    EvalError::new(EvalErrorKind::Other("XmlException"), message)
}

fn hex(c: char) -> String {
    format!("0x{:02X}", c as u32)
}

/// Whether `c` may start an XML name (XML 1.0 fifth edition, without ':').
pub fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// Whether `c` may continue an XML name (without ':').
pub fn is_name_char(c: char) -> bool {
    is_name_start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `XmlConvert.VerifyNCName`: an `XmlException` naming the bad character.
pub fn verify_ncname(s: &str) -> EvalResult<()> {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return Err(EvalError::argument("The empty string '' is not a valid local name."));
    };
    if !is_name_start(first) {
        return Err(if is_name_char(first) || first == ':' {
            xml_exception(format!(
                "Name cannot begin with the '{first}' character, hexadecimal value {}.",
                hex(first)
            ))
        } else {
            xml_exception(format!(
                "The '{first}' character, hexadecimal value {}, cannot be included in a name.",
                hex(first)
            ))
        });
    }
    if let Some(bad) = chars.find(|c| !is_name_char(*c)) {
        return Err(xml_exception(format!(
            "The '{bad}' character, hexadecimal value {}, cannot be included in a name.",
            hex(bad)
        )));
    }
    Ok(())
}

/// `XName.Get(expandedName)` / the implicit conversion from a string.
pub fn parse_expanded(s: &str) -> EvalResult<Name> {
    let invalid = || EvalError::argument(format!("'{s}' is an invalid expanded name."));
    if s.is_empty() {
        return Err(invalid());
    }
    if let Some(rest) = s.strip_prefix('{') {
        let i = rest.rfind('}').ok_or_else(invalid)?;
        let (ns, local) = (&rest[..i], &rest[i + 1..]);
        if ns.is_empty() || local.is_empty() {
            return Err(invalid());
        }
        verify_ncname(local)?;
        Ok(Name::new(ns, local))
    } else {
        verify_ncname(s)?;
        Ok(Name::new("", s))
    }
}

/// `XName.Get(localName, namespaceName)`.
pub fn make_name(ns: &str, local: &str) -> EvalResult<Name> {
    verify_ncname(local)?;
    Ok(Name::new(ns, local))
}

/// An `XName` argument: an `XName` or a string (implicitly converted);
/// `None` for null.
pub fn name_arg(v: &Value<'_>) -> EvalResult<Option<Name>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => parse_expanded(s).map(Some),
        v => match v.downcast::<XNameObj>() {
            Some(n) => Ok(Some(n.0.clone())),
            None => Err(EvalError::cast(v.type_name(), "XName")),
        },
    }
}

/// A required `XName` argument (`ArgumentNullException` for null).
pub fn required_name(v: &Value<'_>, param: &str) -> EvalResult<Name> {
    name_arg(v)?.ok_or_else(|| arg_null(param))
}

/// An `XNamespace` argument: an `XNamespace` or a string; `None` for null.
pub fn namespace_arg(v: &Value<'_>) -> EvalResult<Option<Rc<str>>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(Rc::from(&**s))),
        v => match v.downcast::<XNamespaceObj>() {
            Some(n) => Ok(Some(n.0.clone())),
            None => Err(EvalError::cast(v.type_name(), "XNamespace")),
        },
    }
}

/// .NET's `ArgumentNullException` for parameter `param`.
pub fn arg_null(param: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentNull,
        format!("Value cannot be null. (Parameter '{param}')"),
    )
}

/// A string argument (`None` for null).
pub fn str_arg<'v>(v: &'v Value<'_>, what: &str) -> EvalResult<Option<&'v str>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s)),
        v => Err(EvalError::argument(format!(
            "{what}: expected a string, got {}",
            v.type_name()
        ))),
    }
}

/// The implicit conversions `XName n = "x"` and `XNamespace ns = "u"`
/// (and the casts). `None`: `to` is neither, or `v` is not a string.
pub fn convert_from_string<'a>(v: &Value<'a>, to: &TypeRef) -> Option<EvalResult<Value<'a>>> {
    let def = to.def()?;
    let Value::Str(s) = v else { return None };
    if def.is(&XNAME) {
        Some(parse_expanded(s).map(|n| name_value(&n)))
    } else if def.is(&XNAMESPACE) {
        Some(Ok(namespace_value(s)))
    } else {
        None
    }
}

impl Object for XNameObj {
    fn type_def(&self) -> &'static TypeDef {
        &XNAME
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "LocalName" => Value::string(&*self.0.local),
            "Namespace" => namespace_value(&self.0.ns),
            "NamespaceName" => Value::string(&*self.0.ns),
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
        match (name, args) {
            ("ToString", []) => Some(Ok(Value::string(self.0.expanded()))),
            ("op_Equality", [other]) => Some(name_arg(other).map(|o| Value::Bool(o.as_ref() == Some(&self.0)))),
            ("op_Inequality", [other]) => Some(name_arg(other).map(|o| Value::Bool(o.as_ref() != Some(&self.0)))),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        self.0.expanded()
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(other.as_any().downcast_ref::<XNameObj>().is_some_and(|o| o.0 == self.0))
    }

    fn hash_code(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        Some(h.finish())
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XName({})", self.0.expanded())
    }
}

impl Object for XNamespaceObj {
    fn type_def(&self) -> &'static TypeDef {
        &XNAMESPACE
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        match name {
            "NamespaceName" => Some(Ok(Value::string(&*self.0))),
            _ => None,
        }
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        Some(match (name, args) {
            ("ToString", []) => Ok(Value::string(&*self.0)),
            ("GetName" | "op_Addition", [local]) => match str_arg(local, "localName") {
                Ok(Some(l)) => make_name(&self.0, l).map(|n| name_value(&n)),
                Ok(None) => Err(arg_null("localName")),
                Err(e) => Err(e),
            },
            ("op_Equality", [other]) => namespace_arg(other).map(|o| Value::Bool(o.as_deref() == Some(&*self.0))),
            ("op_Inequality", [other]) => namespace_arg(other).map(|o| Value::Bool(o.as_deref() != Some(&*self.0))),
            _ => return None,
        })
    }

    fn to_text(&self) -> String {
        self.0.to_string()
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(
            other
                .as_any()
                .downcast_ref::<XNamespaceObj>()
                .is_some_and(|o| o.0 == self.0),
        )
    }

    fn hash_code(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.0.hash(&mut h);
        Some(h.finish())
    }

    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XNamespace({})", self.0)
    }
}
