//! Static types of the gradual checker: [`Ty`] (a known [`TypeRef`], or
//! dynamic, null, void…), C#'s primitive types ([`Prim`]) with their
//! numeric promotions and implicit conversions, the return-type text of
//! the library's member tables, element types of enumerables (for lambda
//! parameters) and default values.
//!
//! Invariants: `Ty::Known` never holds the `dynamic` placeholder at its top
//! level (it only appears inside generic arguments: `IEnumerable<dynamic>`);
//! "unknown" always means dynamic, never an error: only what is certainly
//! wrong in C# is refused.

use std::rc::Rc;

pub use super::table::{elem_of, from_table, Env};

use crate::compile::ir::Const;
use crate::library::{numbers, text, OBJECT};
use crate::types::{Apim, TypeDef, TypeKind, TypeRef};

/// The placeholder for an unknown type inside generic arguments.
pub static DYNAMIC: TypeDef = TypeDef {
    name: "dynamic",
    namespace: "",
    apim: Apim::Helper,
    ..TypeDef::EMPTY
};

/// A static type.
#[derive(Debug, Clone)]
pub enum Ty {
    /// Unknown until run time.
    Dyn,
    /// The `null` literal (and `default` without a type).
    Null,
    /// A call that returns nothing.
    Void,
    /// A `throw` expression.
    Never,
    /// A lambda (only as an argument).
    Lambda,
    Known(TypeRef),
    /// An anonymous type: its members in order.
    Anon(Rc<[(&'static str, Ty)]>),
}

impl Ty {
    /// A known type (the `dynamic` placeholder becomes [`Ty::Dyn`]).
    pub fn known(t: TypeRef) -> Ty {
        match &t {
            TypeRef::Named(d, _) if d.is(&DYNAMIC) => Ty::Dyn,
            _ => Ty::Known(t),
        }
    }

    pub fn of(d: &'static TypeDef) -> Ty {
        Ty::known(TypeRef::of(d))
    }

    pub fn prim(p: Prim) -> Ty {
        Ty::Known(TypeRef::of(p.def()))
    }

    pub fn is_dyn(&self) -> bool {
        matches!(self, Ty::Dyn)
    }

    /// The primitive type, if it is one (not nullable).
    pub fn as_prim(&self) -> Option<Prim> {
        match self {
            Ty::Known(TypeRef::Named(d, _)) => Prim::of(d),
            _ => None,
        }
    }

    /// The primitive type, looking through `T?`; and whether it was nullable.
    pub fn lifted_prim(&self) -> Option<(Prim, bool)> {
        match self {
            Ty::Known(TypeRef::Nullable(t)) => match &**t {
                TypeRef::Named(d, _) => Prim::of(d).map(|p| (p, true)),
                _ => None,
            },
            t => t.as_prim().map(|p| (p, false)),
        }
    }

    /// The named type's definition (nullables give their underlying one).
    pub fn def(&self) -> Option<&'static TypeDef> {
        match self {
            Ty::Known(t) => t.def(),
            _ => None,
        }
    }

    /// The type as a TypeRef for generic arguments (`dynamic` for unknown).
    pub fn to_ref(&self) -> TypeRef {
        match self {
            Ty::Known(t) => t.clone(),
            _ => TypeRef::of(&DYNAMIC),
        }
    }

    /// Whether it is a value type that cannot hold null.
    pub fn is_value_type(&self) -> bool {
        match self {
            Ty::Known(TypeRef::Named(d, _)) => matches!(d.kind, TypeKind::Struct | TypeKind::Enum),
            _ => false,
        }
    }

    /// `T?` for a value type, the type itself otherwise.
    pub fn nullable(self) -> Ty {
        if self.is_value_type() {
            if let Ty::Known(t) = self {
                return Ty::Known(TypeRef::Nullable(Box::new(t)));
            }
        }
        self
    }

    /// `T` for `T?`.
    pub fn unwrap_nullable(&self) -> Ty {
        match self {
            Ty::Known(TypeRef::Nullable(t)) => Ty::known((**t).clone()),
            t => t.clone(),
        }
    }

    /// C# text (`dynamic` when unknown).
    pub fn text(&self) -> String {
        match self {
            Ty::Dyn | Ty::Never => "dynamic".into(),
            Ty::Null => "null".into(),
            Ty::Void => "void".into(),
            Ty::Lambda => "lambda expression".into(),
            Ty::Known(t) => t.to_string(),
            Ty::Anon(fields) => {
                let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                format!("<anonymous type: {}>", names.join(", "))
            }
        }
    }
}

/// C#'s built-in types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prim {
    Bool,
    Char,
    SByte,
    Byte,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    Float,
    Double,
    Decimal,
    String,
    Object,
}

impl Prim {
    pub fn of(d: &TypeDef) -> Option<Prim> {
        if d.namespace != "System" {
            return None;
        }
        Some(match d.name {
            "Boolean" => Prim::Bool,
            "Char" => Prim::Char,
            "SByte" => Prim::SByte,
            "Byte" => Prim::Byte,
            "Int16" => Prim::Short,
            "UInt16" => Prim::UShort,
            "Int32" => Prim::Int,
            "UInt32" => Prim::UInt,
            "Int64" => Prim::Long,
            "UInt64" => Prim::ULong,
            "Single" => Prim::Float,
            "Double" => Prim::Double,
            "Decimal" => Prim::Decimal,
            "String" => Prim::String,
            "Object" => Prim::Object,
            _ => return None,
        })
    }

    pub fn def(self) -> &'static TypeDef {
        match self {
            Prim::Bool => &numbers::BOOLEAN,
            Prim::Char => &text::CHAR,
            Prim::SByte => &numbers::SBYTE,
            Prim::Byte => &numbers::BYTE,
            Prim::Short => &numbers::INT16,
            Prim::UShort => &numbers::UINT16,
            Prim::Int => &numbers::INT32,
            Prim::UInt => &numbers::UINT32,
            Prim::Long => &numbers::INT64,
            Prim::ULong => &numbers::UINT64,
            Prim::Float => &numbers::SINGLE,
            Prim::Double => &numbers::DOUBLE,
            Prim::Decimal => &numbers::DECIMAL,
            Prim::String => &text::STRING,
            Prim::Object => &OBJECT,
        }
    }

    /// sbyte … ulong and char.
    pub fn is_integral(self) -> bool {
        matches!(
            self,
            Prim::Char
                | Prim::SByte
                | Prim::Byte
                | Prim::Short
                | Prim::UShort
                | Prim::Int
                | Prim::UInt
                | Prim::Long
                | Prim::ULong
        )
    }

    /// The numeric types and char (what arithmetic accepts).
    pub fn is_arith(self) -> bool {
        self.is_integral() || matches!(self, Prim::Float | Prim::Double | Prim::Decimal)
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Prim::SByte | Prim::Short | Prim::Int | Prim::Long)
    }

    /// Unary numeric promotion (`+x`, `~x`, shift operands).
    pub fn promote(self) -> Prim {
        match self {
            Prim::SByte | Prim::Byte | Prim::Short | Prim::UShort | Prim::Char => Prim::Int,
            p => p,
        }
    }

    /// Binary numeric promotion; `None` when C# refuses the pair
    /// (`decimal` with `float`/`double`).
    pub fn promote2(a0: Prim, b0: Prim) -> Option<Prim> {
        let (a, b) = (a0.promote(), b0.promote());
        let either = |p: Prim| a == p || b == p;
        Some(if either(Prim::Decimal) {
            if either(Prim::Float) || either(Prim::Double) {
                return None;
            }
            Prim::Decimal
        } else if either(Prim::Double) {
            Prim::Double
        } else if either(Prim::Float) {
            Prim::Float
        } else if either(Prim::ULong) {
            Prim::ULong
        } else if either(Prim::Long) {
            Prim::Long
        } else if either(Prim::UInt) {
            // byte, ushort and char widen to uint; sbyte, short and int do not.
            if a0.is_signed() || b0.is_signed() {
                Prim::Long
            } else {
                Prim::UInt
            }
        } else {
            Prim::Int
        })
    }

    /// C#'s implicit numeric conversions (identity included).
    pub fn widens_to(self, to: Prim) -> bool {
        use Prim::*;
        if self == to {
            return true;
        }
        match self {
            SByte => matches!(to, Short | Int | Long | Float | Double | Decimal),
            Byte => matches!(
                to,
                Short | UShort | Int | UInt | Long | ULong | Float | Double | Decimal
            ),
            Short => matches!(to, Int | Long | Float | Double | Decimal),
            UShort => matches!(to, Int | UInt | Long | ULong | Float | Double | Decimal),
            Int => matches!(to, Long | Float | Double | Decimal),
            UInt => matches!(to, Long | ULong | Float | Double | Decimal),
            Long | ULong => matches!(to, Float | Double | Decimal),
            Char => matches!(to, UShort | Int | UInt | Long | ULong | Float | Double | Decimal),
            Float => to == Double,
            _ => false,
        }
    }
}

/// What the checker knows of an implicit conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Implicit {
    /// The same type: nothing to do.
    Same,
    /// Allowed; converted at run time.
    Yes,
    /// C# refuses it.
    No,
    /// Not decidable statically (dynamic, or library types): converted at
    /// run time, which may throw.
    Runtime,
}

/// Whether a value of static type `from` converts implicitly to `to`.
pub fn implicit(from: &Ty, to: &TypeRef) -> Implicit {
    let to_ty = Ty::known(to.clone());
    if to_ty.is_dyn() {
        return Implicit::Same;
    }
    if let TypeRef::Named(d, _) = to {
        if d.is(&OBJECT) {
            return match from {
                Ty::Void | Ty::Lambda => Implicit::No,
                _ => Implicit::Same,
            };
        }
    }
    match from {
        Ty::Dyn => Implicit::Runtime,
        Ty::Never => Implicit::Same,
        Ty::Void | Ty::Lambda => Implicit::No,
        Ty::Null => {
            if to_ty.is_value_type() {
                Implicit::No
            } else {
                Implicit::Same
            }
        }
        Ty::Anon(_) => Implicit::Runtime,
        Ty::Known(f) => {
            if f == to {
                return Implicit::Same;
            }
            // T → T?
            if let TypeRef::Nullable(inner) = to {
                if **inner == *f {
                    return Implicit::Same;
                }
                if let TypeRef::Nullable(fi) = f {
                    return implicit(&Ty::known((**fi).clone()), inner);
                }
                return implicit(from, inner);
            }
            let fp = Ty::Known(f.clone()).as_prim();
            let tp = to_ty.as_prim();
            if fp == Some(Prim::Object) {
                // `object` needs a cast to anything else.
                return Implicit::No;
            }
            match (fp, tp) {
                (Some(a), Some(b)) if a.is_arith() && b.is_arith() => {
                    if a.widens_to(b) {
                        Implicit::Yes
                    } else {
                        Implicit::No
                    }
                }
                (Some(a), Some(b)) if a != Prim::Object && b != Prim::Object => {
                    if a == b {
                        Implicit::Same
                    } else {
                        Implicit::No
                    }
                }
                // `T?` to `T` needs a cast.
                _ if matches!(f, TypeRef::Nullable(_)) && to_ty.is_value_type() => Implicit::No,
                _ => Implicit::Runtime,
            }
        }
    }
}

/// `default(T)` as a constant (reference types, nullables and structs
/// Outpost has no zero for are null).
pub fn default_of(t: &TypeRef) -> Const {
    let TypeRef::Named(d, _) = t else {
        return Const::Null;
    };
    if d.kind == TypeKind::Enum {
        return Const::Enum(d, 0);
    }
    if let Some(p) = Prim::of(d) {
        return match p {
            Prim::Bool => Const::Bool(false),
            Prim::Char => Const::Char('\0'),
            Prim::SByte => Const::SByte(0),
            Prim::Byte => Const::Byte(0),
            Prim::Short => Const::Short(0),
            Prim::UShort => Const::UShort(0),
            Prim::Int => Const::Int(0),
            Prim::UInt => Const::UInt(0),
            Prim::Long => Const::Long(0),
            Prim::ULong => Const::ULong(0),
            Prim::Float => Const::Float(0.0),
            Prim::Double => Const::Double(0.0),
            Prim::Decimal => Const::Decimal(rust_decimal::Decimal::ZERO),
            Prim::String | Prim::Object => Const::Null,
        };
    }
    match (d.namespace, d.name) {
        ("System", "Guid") => Const::Guid(0),
        // 0001-01-01T00:00:00: 62135596800 s before the Unix epoch.
        ("System", "DateTime") => Const::DateTime(-621_355_968_000_000_000),
        ("System", "TimeSpan") => Const::TimeSpan(0),
        _ => Const::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotions_follow_csharp() {
        assert_eq!(Prim::promote2(Prim::Byte, Prim::Short), Some(Prim::Int));
        assert_eq!(Prim::promote2(Prim::UInt, Prim::Int), Some(Prim::Long));
        assert_eq!(Prim::promote2(Prim::UInt, Prim::UShort), Some(Prim::UInt));
        assert_eq!(Prim::promote2(Prim::Char, Prim::UInt), Some(Prim::UInt));
        assert_eq!(Prim::promote2(Prim::Short, Prim::UInt), Some(Prim::Long));
        assert_eq!(Prim::promote2(Prim::Long, Prim::Float), Some(Prim::Float));
        assert_eq!(Prim::promote2(Prim::Decimal, Prim::Double), None);
        assert_eq!(Prim::promote2(Prim::Char, Prim::Char), Some(Prim::Int));
        assert!(Prim::Int.widens_to(Prim::Double));
        assert!(!Prim::Double.widens_to(Prim::Decimal));
        assert!(!Prim::Long.widens_to(Prim::Int));
    }

    #[test]
    fn table_text_resolves_with_generics() {
        let s = TypeRef::of(&text::STRING);
        let env = Env {
            method: &[],
            ty: std::slice::from_ref(&s),
            elem: None,
        };
        assert_eq!(from_table("T", &env).text(), "string");
        assert_eq!(from_table("string[]", &env).text(), "string[]");
        assert_eq!(from_table("int?", &env).text(), "int?");
        assert!(from_table("?", &env).is_dyn());
        assert!(from_table("TResult", &env).is_dyn());
        assert!(from_table("NoSuchType", &env).is_dyn());
        assert!(matches!(from_table("void", &env), Ty::Void));
    }

    #[test]
    fn implicit_conversions() {
        let int = Ty::prim(Prim::Int);
        assert_eq!(implicit(&int, &TypeRef::of(&numbers::INT64)), Implicit::Yes);
        assert_eq!(implicit(&int, &TypeRef::of(&text::STRING)), Implicit::No);
        assert_eq!(implicit(&Ty::Null, &TypeRef::of(&numbers::INT32)), Implicit::No);
        assert_eq!(implicit(&Ty::Null, &TypeRef::of(&text::STRING)), Implicit::Same);
        assert_eq!(implicit(&Ty::Dyn, &TypeRef::of(&numbers::INT32)), Implicit::Runtime);
        let nint = TypeRef::Nullable(Box::new(TypeRef::of(&numbers::INT32)));
        assert_eq!(implicit(&int, &nint), Implicit::Same);
        assert_eq!(implicit(&Ty::Known(nint), &TypeRef::of(&numbers::INT32)), Implicit::No);
        let obj = Ty::of(&OBJECT);
        assert_eq!(implicit(&obj, &TypeRef::of(&text::STRING)), Implicit::No);
        assert_eq!(implicit(&Ty::prim(Prim::String), &TypeRef::of(&OBJECT)), Implicit::Same);
    }
}
