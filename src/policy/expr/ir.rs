//! The typed, resolved form the evaluator runs: every name, member and
//! method is resolved to an enum at compile time, so evaluation does no
//! string lookups except the dictionary keys the expression asks for.
//! All of it is `Send` (plain data): a compiled expression travels to the
//! workers inside the configuration replica.

use super::types::{CertDate, DictKind, IntField, Msg, Ns, TextField, Type};

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Null,
    Bool(bool),
    Int(i32),
    Double(f64),
    Char(char),
    Str(Box<str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(Const),
    Local(usize),
    /// `context`
    Context,
    /// A member of a context object; `lift`: a null receiver gives null
    /// (inside a `?.` chain) instead of a null-reference error.
    Member {
        obj: Box<Node>,
        member: Member,
        lift: bool,
    },
    Call {
        recv: Option<Box<Node>>,
        method: Method,
        args: Vec<Node>,
        lift: bool,
    },
    Index {
        obj: Box<Node>,
        index: Box<Node>,
        lift: bool,
    },
    Not(Box<Node>),
    Neg(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Coalesce(Box<Node>, Box<Node>),
    Convert(Conv, Box<Node>),
    /// `$"..."`: text pieces and values (appended with `ToString()`).
    Interp(Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
/// A statement of a `@{ }` block; locals live in numbered slots.
pub enum Stmt {
    Set(usize, Node),
    If(Node, Box<[Stmt]>, Box<[Stmt]>),
    Return(Node),
}

/// A member of a context object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Member {
    Ns(Ns),
    Text(TextField),
    Int(IntField),
    Dict(DictKind),
    Timestamp,
    Elapsed,
    /// `Certificate.NotBefore` / `.NotAfter`.
    CertDate(CertDate),
}

/// A binary operation, resolved by the operand types (the evaluator still
/// promotes int to double when one side is double).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// `+` with a string operand.
    Concat,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Or,
}

/// Explicit and implicit conversions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Conv {
    /// int (or char) → double, implicit.
    ToDouble,
    /// char → int.
    ToInt,
    /// `(int)3.9` == 3: truncation toward zero (saturating, NaN → int.MinValue
    /// as .NET does on x86 in unchecked code).
    Truncate,
    /// `(T)obj`: the value must already be a `T` (null only if `T` admits it).
    Unbox(Type),
    /// `obj as T`: the value if it is a `T`, else null.
    As(Type),
}

/// Properties and methods of values and types.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    // string
    Length,
    Contains {
        ic: bool,
    },
    StartsWith {
        ic: bool,
    },
    EndsWith {
        ic: bool,
    },
    Equals {
        ic: bool,
    },
    IndexOf {
        ic: bool,
    },
    LastIndexOf {
        ic: bool,
    },
    ToLower,
    ToUpper,
    Trim(Side),
    /// Args: separators (strings or chars); `remove_empty` from
    /// `StringSplitOptions.RemoveEmptyEntries`.
    Split {
        remove_empty: bool,
    },
    Replace,
    Substring,
    PadLeft,
    PadRight,
    CharAt,
    // static string
    IsNullOrEmpty,
    IsNullOrWhiteSpace,
    Join,
    Concat,
    StaticEquals {
        ic: bool,
    },
    Format,
    // any value
    ToText,
    ToTextFormat,
    // parsing
    ParseInt,
    ParseDouble,
    ParseBool,
    NewGuid,
    UtcNow,
    // string[]
    First {
        or_default: bool,
    },
    Last {
        or_default: bool,
    },
    ArrayLength,
    ArrayContains,
    // dictionaries; `ty`: the result type.
    GetValueOrDefault {
        ty: Type,
        default: bool,
    },
    ContainsKey,
    // DateTime and TimeSpan
    DatePart(DatePart),
    /// `AddSeconds(x)` and friends; without an argument (`ToUniversalTime`)
    /// the value is unchanged.
    AddTicks(i64),
    SpanTotal(i64),
    /// `TimeSpan.FromSeconds(x)` and friends: `x` units of this many ticks.
    SpanFrom(i64),
    SpanPart(SpanPart),
    // Math
    Min,
    Max,
    Abs,
    /// `Body.As<string>(preserveContent)`; the argument defaults to false.
    BodyAs(Msg),
    /// `Certificate.Verify()` / `.VerifyNoRevocation()`: the chain builds
    /// to a trusted CA and the certificate is within its validity period.
    CertVerify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Both,
    Start,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    DayOfYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanPart {
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
}
