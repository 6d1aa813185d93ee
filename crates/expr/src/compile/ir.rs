//! The typed, resolved form the evaluator runs. Names are resolved to
//! slots (locals, lambda parameters and compiler temporaries share one
//! flat frame), type names to [`TypeRef`]s, static receivers to their
//! [`TypeDef`]; member names stay text (the library dispatches on them).
//!
//! Invariants: the IR is plain `Send + Sync` data (no `Rc`, no runtime
//! values: constants are [`Const`]s, turned into borrowed [`Value`]s at run
//! time); every slot index is below [`Program::slots`]; every lambda index
//! is below `Program::lambdas.len()`; the checker has already refused
//! what C# would not compile, so the evaluator only meets dynamic failures.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::library::time::datetime::{DateTime, TimeSpan};
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;
use crate::Want;

/// A slot of the evaluation's frame.
pub type Slot = u32;

/// A compile-time constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Null,
    Bool(bool),
    Char(char),
    SByte(i8),
    Byte(u8),
    Short(i16),
    UShort(u16),
    Int(i32),
    UInt(u32),
    Long(i64),
    ULong(u64),
    Float(f32),
    Double(f64),
    Decimal(Decimal),
    Str(Box<str>),
    Enum(&'static TypeDef, i64),
    Guid(u128),
    DateTime(i64),
    TimeSpan(i64),
}

impl Const {
    /// The runtime value (strings borrow from the compiled expression).
    pub fn value(&self) -> Value<'_> {
        match self {
            Const::Null => Value::Null,
            Const::Bool(v) => Value::Bool(*v),
            Const::Char(v) => Value::Char(*v),
            Const::SByte(v) => Value::SByte(*v),
            Const::Byte(v) => Value::Byte(*v),
            Const::Short(v) => Value::Short(*v),
            Const::UShort(v) => Value::UShort(*v),
            Const::Int(v) => Value::Int(*v),
            Const::UInt(v) => Value::UInt(*v),
            Const::Long(v) => Value::Long(*v),
            Const::ULong(v) => Value::ULong(*v),
            Const::Float(v) => Value::Float(*v),
            Const::Double(v) => Value::Double(*v),
            Const::Decimal(v) => Value::Decimal(*v),
            Const::Str(s) => Value::Str(Cow::Borrowed(s)),
            Const::Enum(d, v) => Value::Enum(d, *v),
            Const::Guid(v) => Value::Guid(*v),
            Const::DateTime(t) => Value::DateTime(DateTime {
                ticks: *t,
                kind: crate::library::time::datetime::Kind::Unspecified,
            }),
            Const::TimeSpan(t) => Value::TimeSpan(TimeSpan { ticks: *t }),
        }
    }
}

/// A unary operator after resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Un {
    Neg,
    Plus,
    Not,
    BitNot,
}

/// A binary operator evaluating both operands (`&&`, `||`, `??` are nodes
/// of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    And,
    Or,
    Xor,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl Bin {
    /// The C# symbol (for messages).
    pub fn symbol(self) -> &'static str {
        match self {
            Bin::Add => "+",
            Bin::Sub => "-",
            Bin::Mul => "*",
            Bin::Div => "/",
            Bin::Rem => "%",
            Bin::Shl => "<<",
            Bin::Shr => ">>",
            Bin::And => "&",
            Bin::Or => "|",
            Bin::Xor => "^",
            Bin::Eq => "==",
            Bin::Ne => "!=",
            Bin::Lt => "<",
            Bin::Gt => ">",
            Bin::Le => "<=",
            Bin::Ge => ">=",
        }
    }

    /// The .NET operator method name (`op_Addition`), for objects and
    /// time values.
    pub fn method(self) -> &'static str {
        match self {
            Bin::Add => "op_Addition",
            Bin::Sub => "op_Subtraction",
            Bin::Mul => "op_Multiply",
            Bin::Div => "op_Division",
            Bin::Rem => "op_Modulus",
            Bin::Shl => "op_LeftShift",
            Bin::Shr => "op_RightShift",
            Bin::And => "op_BitwiseAnd",
            Bin::Or => "op_BitwiseOr",
            Bin::Xor => "op_ExclusiveOr",
            Bin::Eq => "op_Equality",
            Bin::Ne => "op_Inequality",
            Bin::Lt => "op_LessThan",
            Bin::Gt => "op_GreaterThan",
            Bin::Le => "op_LessThanOrEqual",
            Bin::Ge => "op_GreaterThanOrEqual",
        }
    }
}

/// The three `Nullable<T>` members the core answers itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullableOp {
    HasValue,
    Value,
    GetValueOrDefault,
}

/// An expression.
#[derive(Debug, Clone)]
pub enum Node {
    Const(Const),
    Local(Slot),
    /// A compiler temporary read once (moved out of its slot).
    Take(Slot),
    /// `context`.
    Context,
    Lambda(u32),
    /// A call of a local function (compiled as lambda `lambda`; never
    /// recursive).
    LocalCall {
        lambda: u32,
        args: Box<[Node]>,
    },
    Member {
        recv: Box<Node>,
        name: Box<str>,
    },
    Static {
        ty: &'static TypeDef,
        name: Box<str>,
    },
    Call {
        recv: Box<Node>,
        name: Box<str>,
        targs: Box<[TypeRef]>,
        args: Box<[Node]>,
        outs: Box<[OutArg]>,
    },
    CallStatic {
        ty: &'static TypeDef,
        name: Box<str>,
        targs: Box<[TypeRef]>,
        args: Box<[Node]>,
        outs: Box<[OutArg]>,
    },
    Index {
        recv: Box<Node>,
        key: Box<Node>,
    },
    /// `HasValue`/`Value`/`GetValueOrDefault(…)`: answered by the core for
    /// null receivers (and any receiver when `own`, i.e. the static type is
    /// `Nullable<T>`); other receivers go to the library.
    Nullable {
        recv: Box<Node>,
        op: NullableOp,
        args: Box<[Node]>,
        default: Const,
        own: bool,
    },
    GetType(Box<Node>),
    TypeOf(TypeRef),
    New {
        ty: TypeRef,
        args: Box<[Node]>,
        init: Init,
    },
    NewArray {
        elem: TypeRef,
        size: Option<Box<Node>>,
        items: Box<[Node]>,
        default: Const,
    },
    NewAnon {
        names: Box<[&'static str]>,
        values: Box<[Node]>,
    },
    Unary {
        op: Un,
        arg: Box<Node>,
        checked: bool,
    },
    Binary {
        op: Bin,
        l: Box<Node>,
        r: Box<Node>,
        checked: bool,
    },
    /// String concatenation of the parts' `ToString()` (null is "").
    Concat(Box<[Node]>),
    AndAlso(Box<Node>, Box<Node>),
    OrElse(Box<Node>, Box<Node>),
    Coalesce(Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    /// `recv?.…`: `recv` is stored in `slot`; null gives null, otherwise
    /// `body` (which reads the slot) is the value.
    CondAccess {
        recv: Box<Node>,
        slot: Slot,
        body: Box<Node>,
    },
    Convert {
        arg: Box<Node>,
        to: TypeRef,
        explicit: bool,
        checked: bool,
    },
    As(Box<Node>, TypeRef),
    Is(Box<Node>, Box<Pat>),
    Assign {
        target: Target,
        op: Option<AssignOp>,
        value: Box<Node>,
        conv: Option<TypeRef>,
        checked: bool,
    },
    IncDec {
        target: Target,
        inc: bool,
        post: bool,
        checked: bool,
    },
    Interp(Box<[Piece]>),
    Throw(Box<Node>),
}

/// The operator of a compound assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Bin(Bin),
    /// `+=` on strings.
    Concat,
    /// `??=`.
    Coalesce,
}

/// What an assignment writes.
#[derive(Debug, Clone)]
pub enum Target {
    Local(Slot),
    Member {
        recv: Box<Node>,
        name: Box<str>,
    },
    Index {
        recv: Box<Node>,
        key: Box<Node>,
    },
    /// `_` (out discards).
    Discard,
}

/// An `out` argument: where the value the callee sets at `pos` goes.
#[derive(Debug, Clone)]
pub struct OutArg {
    pub pos: u32,
    pub target: Target,
    /// The declared type of the variable (an implicit conversion).
    pub conv: Option<TypeRef>,
    /// What the variable gets when the callee sets nothing.
    pub default: Const,
}

/// A pattern of `is` and `case`.
#[derive(Debug, Clone)]
pub enum Pat {
    /// `T` / `T x`: an instance of T (not null).
    Type(TypeRef, Option<Slot>),
    /// `var x`: always matches.
    Var(Slot),
    /// A constant (`null`, `3`, `"x"`, an enum value): equality.
    Const(Node),
}

/// A piece of an interpolated string.
#[derive(Debug, Clone)]
pub enum Piece {
    Text(Box<str>),
    Hole { value: Node, align: i32, format: Box<str> },
}

/// An object or collection initializer.
#[derive(Debug, Clone)]
pub enum Init {
    None,
    Object(Box<[(Box<str>, Node)]>),
    /// Each element's `Add` arguments.
    Collection(Box<[Box<[Node]>]>),
    Index(Box<[(Node, Node)]>),
}

/// A statement.
#[derive(Debug, Clone)]
pub enum Stmt {
    Expr(Node),
    If(Node, Box<[Stmt]>, Box<[Stmt]>),
    Block(Box<[Stmt]>),
    /// `while` and `for` (`init` runs first, `step` after each iteration).
    Loop {
        init: Box<[Stmt]>,
        cond: Option<Node>,
        step: Box<[Node]>,
        body: Box<[Stmt]>,
    },
    DoWhile(Box<[Stmt]>, Node),
    Foreach {
        coll: Node,
        slot: Slot,
        conv: Option<TypeRef>,
        body: Box<[Stmt]>,
    },
    Switch {
        value: Node,
        slot: Slot,
        sections: Box<[Section]>,
    },
    Break,
    Continue,
    Return(Option<Node>),
    Throw(Node),
    /// `throw;` inside a catch: the exception stored in the slot.
    Rethrow(Slot),
    Try {
        body: Box<[Stmt]>,
        catches: Box<[CatchClause]>,
        finally: Option<Box<[Stmt]>>,
    },
}

/// A `switch` section.
#[derive(Debug, Clone)]
pub struct Section {
    pub labels: Box<[Label]>,
    pub body: Box<[Stmt]>,
}

/// `case pattern when filter:` (`pat: None` is `default:`).
#[derive(Debug, Clone)]
pub struct Label {
    pub pat: Option<Pat>,
    pub when: Option<Node>,
}

/// A `catch` clause.
#[derive(Debug, Clone)]
pub struct CatchClause {
    /// The exception type name (`None`: catches everything).
    pub ty: Option<Box<str>>,
    /// Where the caught exception object goes (the variable, or a hidden
    /// slot for `throw;`).
    pub slot: Slot,
    pub filter: Option<Node>,
    pub body: Box<[Stmt]>,
}

/// An expression body or a block.
#[derive(Debug, Clone)]
pub enum Body {
    Expr(Node),
    Block(Box<[Stmt]>),
}

/// A lambda of the expression.
#[derive(Debug, Clone)]
pub struct Lambda {
    pub params: Box<[Slot]>,
    pub body: Body,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Program {
    pub body: Body,
    pub lambdas: Box<[Lambda]>,
    pub slots: u32,
    /// The static type, as C# text (`dynamic` when unknown).
    pub ty: String,
    pub want: Want,
    /// Whether the static type already is what `want` asks (no run-time
    /// conversion needed).
    pub want_exact: bool,
}
