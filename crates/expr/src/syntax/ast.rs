//! The untyped syntax tree, as parsed. `pos` fields are byte offsets into
//! the compiled text (the whole `@(…)`/`@{…}` attribute value). The
//! compiler resolves names and types and lowers it to the IR.
//!
//! The tree is the C# 7 subset APIM policy expressions use: every
//! operator, `is`/`as`/casts, lambdas, `new` (objects with initializers,
//! arrays, implicitly typed arrays, anonymous objects), generic calls,
//! interpolated strings with alignment and format, and the statements of
//! a method body, `using (…)` statements (parsed as a block declaring a
//! read-only local) and local functions (no declarations of types or
//! members).

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub kind: Kind,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// An integer literal, unsigned (the parser folds `-2147483648` and
    /// `-9223372036854775808`); its C# type follows from the value and
    /// the suffix (`int`, `uint`, `long`, `ulong`).
    Int(u64, IntSuffix),
    /// A real literal: `1.5` (double), `1.5f`, `1.5d`, `1.5m`; the text is
    /// kept exact for `decimal`.
    Real(f64, RealSuffix, String),
    Str(String),
    Char(char),
    /// `$"…"` / `$@"…"`.
    Interp(Vec<Part>),
    /// An identifier: a local, `context`, a type, a namespace part.
    Name(String),
    /// `obj.name`, `obj?.name`, `obj.name<T>` (a generic method name).
    Member {
        obj: Box<Ast>,
        name: String,
        cond: bool,
        generics: Vec<TypeName>,
    },
    /// `Name<T>` used as a callee (`Method<T>(…)` with no receiver is not
    /// C# without a type, but `List<int>` as a static receiver is: the
    /// parser produces [`Kind::Type`] for that).
    Call {
        callee: Box<Ast>,
        args: Vec<Arg>,
    },
    /// `obj[args]`, `obj?[args]`.
    Index {
        obj: Box<Ast>,
        args: Vec<Ast>,
        cond: bool,
    },
    Unary(UnOp, Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    /// `target = value`, `target op= value` (`op` is the binary operator;
    /// `??=` is `Coalesce`). An expression in C#: `a = b = 0`.
    Assign {
        op: Option<BinOp>,
        target: Box<Ast>,
        value: Box<Ast>,
    },
    /// `c ? t : e`.
    Cond(Box<Ast>, Box<Ast>, Box<Ast>),
    /// `(T)value`.
    Cast(TypeName, Box<Ast>),
    /// `value as T`.
    As(Box<Ast>, TypeName),
    /// `value is T`, `value is T name`, `value is null`, `value is 3`.
    Is(Box<Ast>, Box<Pattern>),
    /// `x => …`, `(x, y) => …`, `(string x) => …`, `() => …`.
    Lambda {
        params: Vec<Param>,
        body: LambdaBody,
    },
    /// `new T(args) { initializer }` (`args` empty for `new T { … }`).
    New {
        ty: TypeName,
        args: Vec<Arg>,
        init: Option<Init>,
    },
    /// `new T[n]`, `new T[] { … }`, `new T[n] { … }`, `new[] { … }`
    /// (`elem` is `None` for the implicitly typed form).
    NewArray {
        elem: Option<TypeName>,
        size: Option<Box<Ast>>,
        items: Option<Vec<Ast>>,
    },
    /// `new { A = 1, B = x, y.Z }`: members in order; a projection
    /// initializer (`y.Z`) takes the name of its last member.
    NewAnon(Vec<(String, Ast)>),
    /// A type in expression position: `List<int>` as a static receiver,
    /// `int[]`; plain names stay [`Kind::Name`].
    Type(TypeName),
    /// `default(T)` or `default`.
    Default(Option<TypeName>),
    /// `typeof(T)`.
    TypeOf(TypeName),
    /// `nameof(x.Y)`: the last name, as a string.
    NameOf(String),
    /// `checked(expr)` (true) / `unchecked(expr)` (false).
    Checked(bool, Box<Ast>),
    /// `throw e` in expression position (`x ?? throw new Exception()`).
    Throw(Box<Ast>),
    /// `out var x` / `out T x` as an argument: declares `x`.
    OutVar(Option<TypeName>, String),
    /// Parentheses (they end a `?.` chain).
    Paren(Box<Ast>),
}

/// The suffix of an integer literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntSuffix {
    None,
    U,
    L,
    UL,
}

/// The suffix of a real literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealSuffix {
    None,
    F,
    D,
    M,
}

/// A piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// `{value,alignment:format}`.
    Hole {
        value: Ast,
        alignment: Option<Box<Ast>>,
        format: Option<String>,
    },
}

/// A call argument: `value`, `name: value`, `out x`, `out var x`, `ref x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub modifier: ArgMod,
    pub value: Ast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgMod {
    None,
    Out,
    Ref,
    In,
}

/// A lambda parameter (`ty` when written explicitly).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub ty: Option<TypeName>,
    pub name: String,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LambdaBody {
    Expr(Box<Ast>),
    Block(Vec<Stmt>),
}

/// An object or collection initializer.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    /// `{ Name = value, … }`.
    Object(Vec<(String, Ast)>),
    /// `{ a, b }` or `{ { k, v }, … }` (each element's `Add` arguments).
    Collection(Vec<Vec<Ast>>),
    /// `{ [k] = v, … }`.
    Index(Vec<(Ast, Ast)>),
}

/// A pattern of `is` and of `case` labels.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `T` or `T name` (`name` declared, definitely assigned when true).
    Type(TypeName, Option<String>),
    /// `var name`.
    Var(String),
    /// A constant: `null`, `3`, `"x"`, `Enum.Value`.
    Const(Ast),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    /// `~`.
    BitNot,
    PreInc,
    PreDec,
    PostInc,
    PostDec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    /// `&` (bitwise, or non-short-circuit logical on bools).
    BitAnd,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    /// `&&`.
    And,
    /// `||`.
    Or,
    /// `??`.
    Coalesce,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Coalesce => "??",
        }
    }
}

/// A type as written: `string`, `int[]`, `JObject`, `int?`,
/// `Dictionary<string, int>`, `System.Text.StringBuilder`, `var` (in
/// declarations only: `name == "var"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    /// The (possibly dotted) name without generic arguments.
    pub name: String,
    pub args: Vec<TypeName>,
    /// `T?`.
    pub nullable: bool,
    /// The number of `[]` after it (`int[][]` is 2).
    pub array: u8,
    pub pos: usize,
}

impl TypeName {
    /// Whether this is `var` (an implicitly typed local).
    pub fn is_var(&self) -> bool {
        self.name == "var" && self.args.is_empty() && !self.nullable && self.array == 0
    }
}

impl std::fmt::Display for TypeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            f.write_str("<")?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(">")?;
        }
        if self.nullable {
            f.write_str("?")?;
        }
        for _ in 0..self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// A statement of a `@{ }` block or of a block-bodied lambda.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `var x = e;`, `int a = 1, b;`, `string[] s = { "a" };` (an array
    /// initializer is parsed as [`Kind::NewArray`] with `elem: None`).
    Decl {
        ty: TypeName,
        vars: Vec<Declarator>,
        pos: usize,
        kind: DeclKind,
    },
    /// A local function: `int F(int x) { … }`, `void G() => …;` (hoisted
    /// within its block).
    LocalFunc {
        ret: TypeName,
        name: String,
        /// Every parameter has its type (`ty` is `Some`).
        params: Vec<Param>,
        body: LambdaBody,
        pos: usize,
    },
    /// An expression statement: an assignment, a call, `x++`.
    Expr(Ast),
    If {
        cond: Ast,
        then: Box<Stmt>,
        els: Option<Box<Stmt>>,
        pos: usize,
    },
    Switch {
        value: Ast,
        sections: Vec<SwitchSection>,
        pos: usize,
    },
    For {
        /// Declarations or expression statements.
        init: Vec<Stmt>,
        cond: Option<Ast>,
        step: Vec<Ast>,
        body: Box<Stmt>,
        pos: usize,
    },
    Foreach {
        ty: TypeName,
        name: String,
        coll: Ast,
        body: Box<Stmt>,
        pos: usize,
    },
    While {
        cond: Ast,
        body: Box<Stmt>,
        pos: usize,
    },
    DoWhile {
        body: Box<Stmt>,
        cond: Ast,
        pos: usize,
    },
    Break(usize),
    Continue(usize),
    Return(Option<Ast>, usize),
    Throw(Option<Ast>, usize),
    Try {
        body: Vec<Stmt>,
        catches: Vec<Catch>,
        finally: Option<Vec<Stmt>>,
        pos: usize,
    },
    /// `checked { … }` (true) / `unchecked { … }` (false).
    Checked(bool, Vec<Stmt>),
    Block(Vec<Stmt>),
    Empty,
}

/// What a declaration declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    /// An ordinary local.
    Local,
    /// `const T x = constant;` (read-only; its value is a constant).
    Const,
    /// The resource of `using (T x = e)` (read-only), or the hidden local
    /// of `using (e)` (named `<using@pos>`, which no source can name).
    Using,
}

/// One variable of a declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Declarator {
    pub name: String,
    pub init: Option<Ast>,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SwitchSection {
    pub labels: Vec<Label>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    /// `case pattern:` or `case pattern when cond:`.
    Case(Box<Pattern>, Option<Ast>, usize),
    Default(usize),
}

/// `catch`, `catch (T)`, `catch (T e)`, optionally `when (filter)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catch {
    pub ty: Option<TypeName>,
    pub name: Option<String>,
    pub filter: Option<Ast>,
    pub body: Vec<Stmt>,
    pub pos: usize,
}
