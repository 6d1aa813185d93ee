//! The [`TypeDef`]s of `Boolean` and the numeric types, with their member
//! tables (what the checker reads) and static entry points.
//!
//! Invariant: every name in a `statics`/`members` table is handled by
//! [`super::members`] for that type; .NET members not implemented are in
//! `unimplemented`.

use super::members;
use crate::types::{m, Member, TypeDef, TypeKind};

const BASES: &[&str] = &["IComparable", "IFormattable", "IConvertible", "IEquatable", "ValueType"];

/// Instance members of every numeric type.
pub const NUMBER_MEMBERS: &[Member] = &[
    m("ToString", "string"),
    m("CompareTo", "int"),
    m("Equals", "bool"),
    m("GetHashCode", "int"),
    m("GetTypeCode", "?"),
    m("HasValue", "bool"),
    m("Value", "?"),
    m("GetValueOrDefault", "?"),
];

const NUMBER_UNIMPLEMENTED: &[&str] = &[
    "TryFormat",
    "CreateChecked",
    "CreateSaturating",
    "CreateTruncating",
    "IsCanonical",
    "IsComplexNumber",
    "IsImaginaryNumber",
    "IsRealNumber",
    "IsZero",
    "MaxMagnitude",
    "MinMagnitude",
    "MaxMagnitudeNumber",
    "MinMagnitudeNumber",
    "MaxNumber",
    "MinNumber",
    "CopySign",
    "TryParse(ReadOnlySpan)",
    "Parse(ReadOnlySpan)",
];

macro_rules! integral {
    ($id:ident, $name:literal, $alias:literal, $idx:literal) => {
        pub static $id: TypeDef = TypeDef {
            name: $name,
            aliases: &[$alias],
            kind: TypeKind::Struct,
            bases: BASES,
            statics: &[
                m("Parse", $alias),
                m("TryParse", "bool"),
                m("MaxValue", $alias),
                m("MinValue", $alias),
                m("Abs", $alias),
                m("Max", $alias),
                m("Min", $alias),
                m("Clamp", $alias),
                m("Sign", "int"),
                m("IsNegative", "bool"),
                m("IsPositive", "bool"),
                m("IsEvenInteger", "bool"),
                m("IsOddInteger", "bool"),
                m("IsPow2", "bool"),
                m("PopCount", $alias),
                m("LeadingZeroCount", $alias),
                m("TrailingZeroCount", $alias),
                m("Log2", $alias),
                m("RotateLeft", $alias),
                m("RotateRight", $alias),
                m("DivRem", "?"),
                m("Equals", "bool"),
            ],
            members: NUMBER_MEMBERS,
            unimplemented: NUMBER_UNIMPLEMENTED,
            get_static: Some(members::get_static::<$idx>),
            call_static: Some(members::call_static::<$idx>),
            ..TypeDef::EMPTY
        };
    };
}

integral!(SBYTE, "SByte", "sbyte", 0);
integral!(BYTE, "Byte", "byte", 1);
integral!(INT16, "Int16", "short", 2);
integral!(UINT16, "UInt16", "ushort", 3);
integral!(INT32, "Int32", "int", 4);
integral!(UINT32, "UInt32", "uint", 5);
integral!(INT64, "Int64", "long", 6);
integral!(UINT64, "UInt64", "ulong", 7);

macro_rules! floating {
    ($id:ident, $name:literal, $alias:literal, $idx:literal) => {
        pub static $id: TypeDef = TypeDef {
            name: $name,
            aliases: &[$alias],
            kind: TypeKind::Struct,
            bases: BASES,
            statics: &[
                m("Parse", $alias),
                m("TryParse", "bool"),
                m("MaxValue", $alias),
                m("MinValue", $alias),
                m("NaN", $alias),
                m("PositiveInfinity", $alias),
                m("NegativeInfinity", $alias),
                m("Epsilon", $alias),
                m("NegativeZero", $alias),
                m("E", $alias),
                m("Pi", $alias),
                m("Tau", $alias),
                m("IsNaN", "bool"),
                m("IsInfinity", "bool"),
                m("IsPositiveInfinity", "bool"),
                m("IsNegativeInfinity", "bool"),
                m("IsFinite", "bool"),
                m("IsNegative", "bool"),
                m("IsPositive", "bool"),
                m("IsNormal", "bool"),
                m("IsSubnormal", "bool"),
                m("IsInteger", "bool"),
                m("IsEvenInteger", "bool"),
                m("IsOddInteger", "bool"),
                m("Abs", $alias),
                m("Max", $alias),
                m("Min", $alias),
                m("Clamp", $alias),
                m("Sign", "int"),
                m("Round", $alias),
                m("Floor", $alias),
                m("Ceiling", $alias),
                m("Truncate", $alias),
                m("Sqrt", $alias),
                m("Pow", $alias),
                m("Equals", "bool"),
            ],
            members: NUMBER_MEMBERS,
            unimplemented: NUMBER_UNIMPLEMENTED,
            get_static: Some(members::get_static::<$idx>),
            call_static: Some(members::call_static::<$idx>),
            ..TypeDef::EMPTY
        };
    };
}

floating!(SINGLE, "Single", "float", 8);
floating!(DOUBLE, "Double", "double", 9);

pub static DECIMAL: TypeDef = TypeDef {
    name: "Decimal",
    aliases: &["decimal"],
    kind: TypeKind::Struct,
    bases: BASES,
    statics: &[
        m("Parse", "decimal"),
        m("TryParse", "bool"),
        m("MaxValue", "decimal"),
        m("MinValue", "decimal"),
        m("One", "decimal"),
        m("Zero", "decimal"),
        m("MinusOne", "decimal"),
        m("Add", "decimal"),
        m("Subtract", "decimal"),
        m("Multiply", "decimal"),
        m("Divide", "decimal"),
        m("Remainder", "decimal"),
        m("Negate", "decimal"),
        m("Round", "decimal"),
        m("Floor", "decimal"),
        m("Ceiling", "decimal"),
        m("Truncate", "decimal"),
        m("Compare", "int"),
        m("Equals", "bool"),
        m("Abs", "decimal"),
        m("Max", "decimal"),
        m("Min", "decimal"),
        m("Clamp", "decimal"),
        m("Sign", "int"),
        m("IsNegative", "bool"),
        m("IsPositive", "bool"),
        m("IsInteger", "bool"),
        m("IsEvenInteger", "bool"),
        m("IsOddInteger", "bool"),
        m("ToDouble", "double"),
        m("ToSingle", "float"),
        m("ToInt16", "short"),
        m("ToInt32", "int"),
        m("ToInt64", "long"),
        m("ToUInt16", "ushort"),
        m("ToUInt32", "uint"),
        m("ToUInt64", "ulong"),
        m("ToByte", "byte"),
        m("ToSByte", "sbyte"),
    ],
    members: &[
        m("ToString", "string"),
        m("CompareTo", "int"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
        m("GetTypeCode", "?"),
        m("Scale", "byte"),
        m("HasValue", "bool"),
        m("Value", "decimal"),
        m("GetValueOrDefault", "decimal"),
    ],
    unimplemented: &["GetBits", "FromOACurrency", "ToOACurrency", "TryGetBits", "TryFormat"],
    get_static: Some(members::get_static::<10>),
    call_static: Some(members::call_static::<10>),
    ..TypeDef::EMPTY
};

/// `System.Boolean`.
pub static BOOLEAN: TypeDef = TypeDef {
    name: "Boolean",
    aliases: &["bool"],
    kind: TypeKind::Struct,
    bases: &["IComparable", "IConvertible", "IEquatable", "ValueType"],
    statics: &[
        m("Parse", "bool"),
        m("TryParse", "bool"),
        m("TrueString", "string"),
        m("FalseString", "string"),
        m("Equals", "bool"),
    ],
    members: &[
        m("ToString", "string"),
        m("CompareTo", "int"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
        m("GetTypeCode", "?"),
        m("HasValue", "bool"),
        m("Value", "bool"),
        m("GetValueOrDefault", "bool"),
    ],
    unimplemented: &["TryFormat"],
    get_static: Some(members::bool_get_static),
    call_static: Some(members::bool_call_static),
    ..TypeDef::EMPTY
};
