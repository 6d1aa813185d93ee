//! Untyped syntax tree, as parsed. `pos` fields are byte offsets into the
//! compiled text. The checker turns it into the typed [`ir`](super::ir).

#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub kind: Kind,
    pub pos: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// Unsigned: the parser folds `-2147483648`.
    Int(u64),
    Double(f64),
    Str(String),
    Char(char),
    Interp(Vec<Part>),
    Name(String),
    /// `obj.name`, `obj?.name`, `obj.name<T>` (generic method name).
    Member {
        obj: Box<Ast>,
        name: String,
        cond: bool,
        generics: Vec<TypeName>,
    },
    Call {
        callee: Box<Ast>,
        args: Vec<Arg>,
    },
    Index {
        obj: Box<Ast>,
        index: Box<Ast>,
        cond: bool,
    },
    Unary(UnOp, Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Cond(Box<Ast>, Box<Ast>, Box<Ast>),
    Coalesce(Box<Ast>, Box<Ast>),
    Cast(TypeName, Box<Ast>),
    As(Box<Ast>, TypeName),
    /// Parentheses: they end a `?.` chain.
    Paren(Box<Ast>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Hole(Ast, Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub value: Ast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// A type as written: `string`, `int[]`, `JObject`, `Dictionary<string,int>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    pub name: String,
    pub args: Vec<TypeName>,
    pub array: bool,
    pub nullable: bool,
    pub pos: usize,
}

impl std::fmt::Display for TypeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            f.write_str("<")?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(">")?;
        }
        if self.nullable {
            f.write_str("?")?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `var x = e;` / `string x = e;` / `string x;`
    Decl {
        ty: TypeName,
        name: String,
        init: Option<Ast>,
        pos: usize,
    },
    /// `x = e;`, `x += e;`, `x -= e;`
    Assign {
        name: String,
        op: Option<BinOp>,
        value: Ast,
        pos: usize,
    },
    If {
        cond: Ast,
        then: Box<Stmt>,
        els: Option<Box<Stmt>>,
    },
    Block(Vec<Stmt>),
    Return(Ast),
    Empty,
}
