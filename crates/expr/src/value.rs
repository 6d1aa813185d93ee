//! Runtime values. Value types (`bool`, the numbers, `char`, `DateTime`,
//! `TimeSpan`, `Guid`, enums) are variants; strings are `Cow` so that a
//! value read from the context or a literal of the compiled expression is
//! borrowed (one-line expressions over headers allocate nothing); every
//! other reference type (JSON and XML nodes, collections, arrays,
//! `StringBuilder`, `Regex`, crypto objects, anonymous objects) is an
//! [`Object`] behind an `Rc`, shared like a .NET reference.
//!
//! Invariants: objects own all their data (`'static`): storing a value in
//! an object or in `context.Variables` goes through [`Value::into_owned`];
//! objects are single-threaded (`Rc`, `RefCell` inside) — they live only
//! during one request's evaluation on one worker.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use crate::context::{DictKind, Ns};
use crate::error::{EvalError, EvalResult};
use crate::library::time::datetime::{DateTime, DateTimeOffset, TimeSpan};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};

pub use rust_decimal::Decimal;

/// A value of the expression language. `'a` is the lifetime of the
/// compiled expression and of the context it is evaluated against.
#[derive(Clone)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Char(char),
    SByte(i8),
    Byte(u8),
    Short(i16),
    UShort(u16),
    /// C#'s 32-bit `int`.
    Int(i32),
    UInt(u32),
    Long(i64),
    ULong(u64),
    Float(f32),
    Double(f64),
    Decimal(Decimal),
    Str(Cow<'a, str>),
    DateTime(DateTime),
    DateTimeOffset(DateTimeOffset),
    TimeSpan(TimeSpan),
    /// A `System.Guid`, its 16 bytes in .NET's "D"-form order
    /// (`u128::from_be_bytes` of the canonical text's hex digits).
    Guid(u128),
    /// A value of an enum type (`StringComparison.OrdinalIgnoreCase`).
    Enum(&'static TypeDef, i64),
    /// A lambda of the expression being evaluated, by its index in the
    /// compiled expression (only the evaluator calls it: see
    /// [`Runtime::invoke`]). Lambdas never outlive their evaluation.
    Lambda(u32),
    /// One of `context`'s objects (`context.Request`, `context.Api`, …).
    Ns(Ns),
    /// One of `context`'s dictionaries (it stays in the context).
    Dict(DictKind),
    /// Every other reference type.
    Obj(Rc<dyn Object>),
}

/// A .NET reference type implemented by a library family. Members are
/// dispatched by name; `None` from a member method means "no such member"
/// (the evaluator reports a `MissingMember`-style error), `Some(Err(_))`
/// is an exception the member threw.
///
/// `this` is the `Rc` that holds `self`, for members that return their
/// receiver (`StringBuilder.Append`) or link to it (a `JProperty`'s parent).
pub trait Object: Any {
    /// The object's .NET type (for `GetType()`, messages, `is`/`as`).
    fn type_def(&self) -> &'static TypeDef;

    /// For downcasting: `obj.as_any().downcast_ref::<JObject>()`.
    fn as_any(&self) -> &dyn Any;

    /// Whether it is an instance of `ty` (itself, a base class or an
    /// interface: a `JObject` is a `JToken`; a `List<T>` an `IEnumerable<T>`).
    /// The default accepts its own type and the names in `type_def().bases`.
    fn is_instance_of(&self, ty: &TypeRef) -> bool {
        let me = self.type_def();
        match ty.def() {
            Some(d) => d.is(me) || me.bases.contains(&d.name) || d.name == "Object",
            None => false,
        }
    }

    /// A property read `obj.Name`.
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, name);
        None
    }

    /// A property write `obj.Name = value`.
    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let _ = (rt, name, value);
        None
    }

    /// A method call `obj.Name<targs>(args)`.
    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, name, targs, args);
        None
    }

    /// An indexer read `obj[key]` (`None`: the type has no indexer).
    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, key);
        None
    }

    /// An indexer write `obj[key] = value`.
    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        let _ = (rt, key, value);
        None
    }

    /// `IEnumerable`: a snapshot of the items, in order (`None`: not
    /// enumerable). `foreach` and LINQ go through this.
    fn items(&self) -> Option<Vec<Value<'static>>> {
        None
    }

    /// A dictionary's entries as (key, value) (`None`: not a dictionary).
    /// Serializers (`JsonConvert`, `JObject.FromObject`) read this.
    fn entries(&self) -> Option<Vec<(Value<'static>, Value<'static>)>> {
        None
    }

    /// A plain object's public properties in declaration order (anonymous
    /// objects, `KeyValuePair`, `Jwt`, `BasicAuthCredentials`): what
    /// serializers write (`None`: not a plain object).
    fn fields(&self) -> Option<Vec<(&'static str, Value<'static>)>> {
        None
    }

    /// `ToString()`; .NET's default is the full type name.
    fn to_text(&self) -> String {
        self.type_def().full_name()
    }

    /// `Equals(other)` for types with value equality (`None`: reference
    /// equality, decided by the caller with `Rc::ptr_eq`).
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let _ = other;
        None
    }

    /// `GetHashCode()` consistent with [`Object::equals`] (`None`:
    /// reference identity).
    fn hash_code(&self) -> Option<u64> {
        None
    }

    /// The shape of a composite value object (`KeyValuePair`, `Tuple`,
    /// anonymous objects, whose `ToString`/`Equals`/`GetHashCode` visit
    /// their parts): (nodes visited, nesting depth). Other objects are
    /// leaves for these members: (1, 1). See [`Shape`].
    fn shape(&self) -> Shape {
        Shape::LEAF
    }

    /// An estimate of the bytes it holds, for the memory budget.
    fn size_hint(&self) -> usize {
        64
    }

    /// `Debug` output (tests, logs of values — never secrets' text).
    fn fmt_debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.type_def().name)
    }
}

/// How big a composite value object is for the members that walk it: the
/// nodes a walk visits (shared parts counted each time they are reached)
/// and the nesting depth. [`Shape::of_parts`] refuses shapes past
/// [`Shape::MAX_NODES`] or [`Shape::MAX_DEPTH`] when such an object is
/// built, so its `ToString`, `Equals`, `GetHashCode` and its drop are
/// bounded in time and stack whatever an expression nests or shares
/// (`x = Tuple.Create(x, x)` in a loop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub nodes: usize,
    pub depth: usize,
}

impl Shape {
    pub const LEAF: Shape = Shape { nodes: 1, depth: 1 };
    pub const MAX_NODES: usize = 10_000;
    pub const MAX_DEPTH: usize = 64;

    /// The shape of a value.
    pub fn of(v: &Value<'_>) -> Shape {
        match v {
            Value::Obj(o) => o.shape(),
            _ => Shape::LEAF,
        }
    }

    /// The shape of a new composite object of these parts, or an
    /// `InvalidOperationException` when it would be too big to walk.
    pub fn of_parts<'v>(parts: impl IntoIterator<Item = &'v Value<'v>>) -> EvalResult<Shape> {
        let mut s = Shape::LEAF;
        for p in parts {
            let c = Shape::of(p);
            s.nodes = s.nodes.saturating_add(c.nodes);
            s.depth = s.depth.max(c.depth.saturating_add(1));
        }
        if s.nodes > Shape::MAX_NODES || s.depth > Shape::MAX_DEPTH {
            return Err(EvalError::new(
                crate::error::EvalErrorKind::InvalidOperation,
                format!(
                    "a tuple, key/value pair or anonymous object nested {} deep with {} parts is more than Outpost walks ({} deep, {} parts)",
                    s.depth,
                    s.nodes,
                    Shape::MAX_DEPTH,
                    Shape::MAX_NODES
                ),
            ));
        }
        Ok(s)
    }
}

impl fmt::Debug for dyn Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_debug(f)
    }
}

impl<'a> Value<'a> {
    /// A string value borrowing `s`.
    pub fn str(s: &'a str) -> Value<'a> {
        Value::Str(Cow::Borrowed(s))
    }

    /// A string value owning `s`.
    pub fn string(s: impl Into<String>) -> Value<'static> {
        Value::Str(Cow::Owned(s.into()))
    }

    /// An object value.
    pub fn obj(o: impl Object) -> Value<'static> {
        Value::Obj(Rc::new(o))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a string value (`None` for any other variant).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The object, downcast to `T` (`None` for other values and types).
    pub fn downcast<T: Object>(&self) -> Option<&T> {
        match self {
            Value::Obj(o) => o.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }

    /// A copy that borrows from `self` (no allocation): how a context hands
    /// out a stored variable.
    pub fn borrowed(&self) -> Value<'_> {
        match self {
            Value::Str(s) => Value::Str(Cow::Borrowed(s)),
            v => v.clone().into_owned_shallow(),
        }
    }

    /// A copy owning all its text (allocates for borrowed strings; objects
    /// are shared, as .NET references are): how values are stored in
    /// objects and in `context.Variables`.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            v => v.into_owned_shallow(),
        }
    }

    /// Every variant but `Str` holds no borrow.
    fn into_owned_shallow<'b>(self) -> Value<'b> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(v) => Value::Bool(v),
            Value::Char(v) => Value::Char(v),
            Value::SByte(v) => Value::SByte(v),
            Value::Byte(v) => Value::Byte(v),
            Value::Short(v) => Value::Short(v),
            Value::UShort(v) => Value::UShort(v),
            Value::Int(v) => Value::Int(v),
            Value::UInt(v) => Value::UInt(v),
            Value::Long(v) => Value::Long(v),
            Value::ULong(v) => Value::ULong(v),
            Value::Float(v) => Value::Float(v),
            Value::Double(v) => Value::Double(v),
            Value::Decimal(v) => Value::Decimal(v),
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::DateTime(v) => Value::DateTime(v),
            Value::DateTimeOffset(v) => Value::DateTimeOffset(v),
            Value::TimeSpan(v) => Value::TimeSpan(v),
            Value::Guid(v) => Value::Guid(v),
            Value::Enum(d, v) => Value::Enum(d, v),
            Value::Lambda(i) => Value::Lambda(i),
            Value::Ns(n) => Value::Ns(n),
            Value::Dict(d) => Value::Dict(d),
            Value::Obj(o) => Value::Obj(o),
        }
    }

    /// The C# name of the runtime value's type (for messages).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Char(_) => "char",
            Value::SByte(_) => "sbyte",
            Value::Byte(_) => "byte",
            Value::Short(_) => "short",
            Value::UShort(_) => "ushort",
            Value::Int(_) => "int",
            Value::UInt(_) => "uint",
            Value::Long(_) => "long",
            Value::ULong(_) => "ulong",
            Value::Float(_) => "float",
            Value::Double(_) => "double",
            Value::Decimal(_) => "decimal",
            Value::Str(_) => "string",
            Value::DateTime(_) => "DateTime",
            Value::DateTimeOffset(_) => "DateTimeOffset",
            Value::TimeSpan(_) => "TimeSpan",
            Value::Guid(_) => "Guid",
            Value::Enum(d, _) => d.name,
            Value::Lambda(_) => "lambda",
            Value::Ns(_) => "context object",
            Value::Dict(_) => "IReadOnlyDictionary",
            Value::Obj(o) => o.type_def().name,
        }
    }

    /// Whether the value is one of C#'s numeric types.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Value::SByte(_)
                | Value::Byte(_)
                | Value::Short(_)
                | Value::UShort(_)
                | Value::Int(_)
                | Value::UInt(_)
                | Value::Long(_)
                | Value::ULong(_)
                | Value::Float(_)
                | Value::Double(_)
                | Value::Decimal(_)
        )
    }

    /// An integral value widened to `i128` (`char` included), or `None`.
    pub fn as_integer(&self) -> Option<i128> {
        Some(match *self {
            Value::Char(c) => c as i128,
            Value::SByte(v) => v.into(),
            Value::Byte(v) => v.into(),
            Value::Short(v) => v.into(),
            Value::UShort(v) => v.into(),
            Value::Int(v) => v.into(),
            Value::UInt(v) => v.into(),
            Value::Long(v) => v.into(),
            Value::ULong(v) => v.into(),
            _ => return None,
        })
    }

    /// Any numeric value as `f64` (integers, `char`, `decimal`), or `None`.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Float(v) => Some(v.into()),
            Value::Double(v) => Some(v),
            Value::Decimal(d) => rust_decimal::prelude::ToPrimitive::to_f64(&d),
            _ => self.as_integer().map(|i| i as f64),
        }
    }

    /// An `int` argument (any integral value that fits), else an
    /// `ArgumentException` naming `what`.
    pub fn to_i32(&self, what: &str) -> EvalResult<i32> {
        self.as_integer()
            .and_then(|i| i32::try_from(i).ok())
            .ok_or_else(|| EvalError::argument(format!("{what}: expected an int, got {}", self.type_name())))
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Obj(o) => o.fmt_debug(f),
            Value::Enum(d, v) => write!(f, "{}.{}", d.name, d.enum_name(*v)),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Char(v) => write!(f, "{v:?}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Long(v) => write!(f, "{v}L"),
            Value::Double(v) => write!(f, "{v}d"),
            v => write!(f, "{}({})", v.type_name(), crate::library::to_text_plain(v)),
        }
    }
}

/// Structural equality for tests: same variant and same value (objects:
/// [`Object::equals`], else the same `Rc`).
impl PartialEq for Value<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Char(a), Value::Char(b)) => a == b,
            (Value::SByte(a), Value::SByte(b)) => a == b,
            (Value::Byte(a), Value::Byte(b)) => a == b,
            (Value::Short(a), Value::Short(b)) => a == b,
            (Value::UShort(a), Value::UShort(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::UInt(a), Value::UInt(b)) => a == b,
            (Value::Long(a), Value::Long(b)) => a == b,
            (Value::ULong(a), Value::ULong(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Decimal(a), Value::Decimal(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::DateTimeOffset(a), Value::DateTimeOffset(b)) => a == b,
            (Value::TimeSpan(a), Value::TimeSpan(b)) => a == b,
            (Value::Guid(a), Value::Guid(b)) => a == b,
            (Value::Enum(d, a), Value::Enum(e, b)) => d.is(e) && a == b,
            (Value::Lambda(a), Value::Lambda(b)) => a == b,
            (Value::Ns(a), Value::Ns(b)) => a == b,
            (Value::Dict(a), Value::Dict(b)) => a == b,
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b) || a.equals(&**b).unwrap_or(false),
            _ => false,
        }
    }
}
