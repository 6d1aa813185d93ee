//! .NET types as the language knows them: a [`TypeDef`] per implemented
//! type (its name, what APIM allows of it, its implemented members with
//! their C# return types, and the library functions behind its statics),
//! and [`TypeRef`], a resolved type as written in an expression (`int`,
//! `List<string>`, `JObject[]`, `int?`).
//!
//! Invariants: every `TypeDef` is a `static` in its family module and is
//! listed in [`crate::library::TYPES`]; two `TypeDef`s are the same type
//! iff they are the same static (compare with [`TypeDef::is`]); member
//! tables list only what is implemented, so the checker can tell an
//! implemented member from one APIM allows that Outpost lacks.

use std::fmt;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::value::Value;

/// What kind of .NET type it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// A reference type that can be constructed or received.
    Class,
    /// A value type (`int`, `DateTime`, `KeyValuePair<,>`): never null
    /// unless made nullable.
    Struct,
    /// A static class (`Math`, `Convert`, `Enumerable`): statics only.
    Static,
    /// An interface (`IEnumerable<T>`, `IResponse`): usable in casts,
    /// `is`, declarations and as a receiver.
    Interface,
    /// An enum: its values are [`TypeDef::enum_values`].
    Enum,
}

/// One implemented member and its C# return type as text: a type name
/// the checker resolves (`"string"`, `"bool"`, `"JToken"`,
/// `"IEnumerable<JToken>"`, `"T"` for the first generic argument of the
/// call or the type, `"void"`), or `"?"` when the type depends on the
/// arguments in a way the table cannot say (the checker then treats the
/// result as dynamic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub name: &'static str,
    pub ret: &'static str,
}

/// Shorthand for a [`Member`] in a `static` table.
pub const fn m(name: &'static str, ret: &'static str) -> Member {
    Member { name, ret }
}

/// A static property or field read: `(name)` → the value, or `None` when
/// the type has no such static (the evaluator reports it).
pub type GetStaticFn = for<'a> fn(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>>;

/// A static method call: `(name, generic arguments, arguments)`, or `None`
/// when the type has no such static method.
pub type CallStaticFn = for<'a> fn(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>>;

/// A constructor call `new T<targs>(args)`.
pub type CtorFn = for<'a> fn(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>>;

/// What APIM's allow-list says of a type (reference §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apim {
    /// Every member is allowed.
    All,
    /// Only these members are allowed (others are refused at load as not
    /// allowed by APIM).
    Only(&'static [&'static str]),
    /// Every member but these.
    Except(&'static [&'static str]),
    /// Part of the `context` API or the documented helpers (`IResponse`,
    /// `Jwt`, `BasicAuthCredentials`), or a type a member returns that the
    /// table does not list (`MatchCollection`): usable, but not nameable
    /// where the allow-list does not name it.
    Helper,
}

/// A .NET type the language implements.
pub struct TypeDef {
    /// The short name (`JObject`, `String`, `Int32`, `List`), without
    /// generic arity.
    pub name: &'static str,
    /// The namespace (`Newtonsoft.Json.Linq`, `System`).
    pub namespace: &'static str,
    /// C# keyword aliases (`string`, `int`).
    pub aliases: &'static [&'static str],
    pub kind: TypeKind,
    /// The number of generic parameters (`Dictionary` has 2).
    pub generics: u8,
    /// What APIM allows of it.
    pub apim: Apim,
    /// Base classes and interfaces, by name (`JObject` → `JContainer`,
    /// `JToken`, `IEnumerable`): what `is`, `as`, casts and the checker's
    /// member lookup accept it as.
    pub bases: &'static [&'static str],
    /// Implemented static members (methods, properties, fields, enum values).
    pub statics: &'static [Member],
    /// Implemented instance members (methods, properties, indexers as `"this[]"`).
    pub members: &'static [Member],
    /// Real .NET members of the type that Outpost does not implement yet
    /// (refused at load as "allowed by APIM, not implemented by Outpost yet").
    pub unimplemented: &'static [&'static str],
    pub get_static: Option<GetStaticFn>,
    pub call_static: Option<CallStaticFn>,
    pub ctor: Option<CtorFn>,
    /// An enum's values, in declaration order.
    pub enum_values: &'static [(&'static str, i64)],
    /// An enum with `[Flags]` (`RegexOptions`): `ToString()` joins names.
    pub flags: bool,
}

impl TypeDef {
    /// An empty definition to fill with struct-update syntax:
    /// `TypeDef { name: "X", statics: &[…], ..TypeDef::EMPTY }`.
    pub const EMPTY: TypeDef = TypeDef {
        name: "",
        namespace: "System",
        aliases: &[],
        kind: TypeKind::Class,
        generics: 0,
        apim: Apim::All,
        bases: &[],
        statics: &[],
        members: &[],
        unimplemented: &[],
        get_static: None,
        call_static: None,
        ctor: None,
        enum_values: &[],
        flags: false,
    };

    /// Whether `self` and `other` are the same type.
    pub fn is(&self, other: &TypeDef) -> bool {
        std::ptr::eq(self, other) || (self.name == other.name && self.namespace == other.namespace)
    }

    /// `Namespace.Name`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }

    /// The implemented instance member `name`.
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The implemented static member `name`.
    pub fn static_member(&self, name: &str) -> Option<&'static Member> {
        self.statics.iter().find(|m| m.name == name)
    }

    /// The name of enum value `v` (for `ToString()`), or its number.
    pub fn enum_name(&self, v: i64) -> String {
        if let Some((n, _)) = self.enum_values.iter().find(|(_, x)| *x == v) {
            return (*n).to_owned();
        }
        if self.flags && v != 0 {
            let names: Vec<&str> = self
                .enum_values
                .iter()
                .filter(|(_, x)| *x != 0 && v & *x == *x)
                .map(|(n, _)| *n)
                .collect();
            let covered = self
                .enum_values
                .iter()
                .filter(|(_, x)| v & *x == *x)
                .fold(0, |a, (_, x)| a | x);
            if covered == v && !names.is_empty() {
                return names.join(", ");
            }
        }
        v.to_string()
    }
}

impl fmt::Debug for TypeDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.namespace, self.name)
    }
}

impl PartialEq for TypeDef {
    fn eq(&self, other: &TypeDef) -> bool {
        self.is(other)
    }
}

/// A resolved type as written in an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// `T` or `T<args>`.
    Named(&'static TypeDef, Box<[TypeRef]>),
    /// `T[]`.
    Array(Box<TypeRef>),
    /// `T?` for a value type.
    Nullable(Box<TypeRef>),
}

impl TypeRef {
    /// A non-generic named type.
    pub fn of(def: &'static TypeDef) -> TypeRef {
        TypeRef::Named(def, Box::new([]))
    }

    /// The named type's definition (`None` for arrays; nullables give
    /// their underlying type's).
    pub fn def(&self) -> Option<&'static TypeDef> {
        match self {
            TypeRef::Named(d, _) => Some(d),
            TypeRef::Array(_) => None,
            TypeRef::Nullable(t) => t.def(),
        }
    }

    /// Generic arguments of a named type.
    pub fn args(&self) -> &[TypeRef] {
        match self {
            TypeRef::Named(_, a) => a,
            _ => &[],
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Named(d, args) => {
                f.write_str(d.aliases.first().copied().unwrap_or(d.name))?;
                if !args.is_empty() {
                    f.write_str("<")?;
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{a}")?;
                    }
                    f.write_str(">")?;
                }
                Ok(())
            }
            TypeRef::Array(t) => write!(f, "{t}[]"),
            TypeRef::Nullable(t) => write!(f, "{t}?"),
        }
    }
}
