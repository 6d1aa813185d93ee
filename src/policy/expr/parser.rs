//! Recursive-descent parser for the C# subset, with C#'s precedence
//! (conditional < `??` < `||` < `&&` < equality < relational < additive <
//! multiplicative < unary < primary). Syntax C# has but the subset lacks
//! (lambdas, `new`, `is`, bitwise operators, loops, ...) is rejected here
//! with a message naming it.

use super::ast::{Arg, Ast, BinOp, Kind, Part, Stmt, TypeName, UnOp};
use super::lexer::{lex, Piece, Tok, Token};
use super::CompileError;

/// Parses `src[start..end]` as one expression.
pub fn parse_expr(src: &str, start: usize, end: usize) -> Result<Ast, CompileError> {
    parse_nested(src, start, end, 0)
}

/// Nesting (parentheses, operator chains, unary operators, statements)
/// deeper than this is rejected, which bounds the recursion of the parser,
/// the checker and the evaluator.
pub const MAX_NESTING: usize = 100;

fn parse_nested(src: &str, start: usize, end: usize, depth: usize) -> Result<Ast, CompileError> {
    let mut p = Parser::new(src, start, end)?;
    p.depth = depth;
    let e = p.expr()?;
    p.expect_eof()?;
    Ok(e)
}

/// Parses `src[start..end]` as the statements of a `@{ }` block.
pub fn parse_block(src: &str, start: usize, end: usize) -> Result<Vec<Stmt>, CompileError> {
    let mut p = Parser::new(src, start, end)?;
    let mut stmts = Vec::new();
    while p.peek() != &Tok::Eof {
        stmts.push(p.stmt()?);
    }
    Ok(stmts)
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    i: usize,
    /// Current nesting, see [`MAX_NESTING`] (not restored on errors, which
    /// end the parse).
    depth: usize,
}

const TYPE_KEYWORDS: &[&str] = &[
    "string", "int", "bool", "double", "char", "object", "long", "float", "decimal", "byte", "short", "uint", "ulong",
    "String", "Int32", "Boolean", "Double", "Object", "DateTime", "TimeSpan", "Guid",
];

const UNSUPPORTED_STATEMENTS: &[&str] = &[
    "for", "foreach", "while", "do", "switch", "try", "throw", "using", "lock", "goto", "break", "continue", "const",
];

impl<'s> Parser<'s> {
    fn new(src: &'s str, start: usize, end: usize) -> Result<Self, CompileError> {
        Ok(Parser {
            src,
            toks: lex(src, start, end)?,
            i: 0,
            depth: 0,
        })
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.i].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].tok
    }

    fn pos(&self) -> usize {
        self.toks[self.i].pos
    }

    fn bump(&mut self) -> Tok {
        let t = self.toks[self.i].tok.clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), CompileError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{p}`")))
        }
    }

    fn expect_eof(&self) -> Result<(), CompileError> {
        if self.peek() == &Tok::Eof {
            Ok(())
        } else {
            Err(self.unexpected("end of expression"))
        }
    }

    fn unexpected(&self, wanted: &str) -> CompileError {
        let found = match self.peek() {
            Tok::Eof => "end of expression".to_owned(),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Ident(s) => format!("`{s}`"),
            _ => "a literal".to_owned(),
        };
        CompileError::at(self.pos(), format!("expected {wanted}, found {found}"))
    }

    fn ident(&mut self) -> Result<String, CompileError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected("a name")),
        }
    }

    // ---- statements ----

    fn enter(&mut self) -> Result<(), CompileError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(CompileError::at(self.pos(), "expression nested too deeply"));
        }
        Ok(())
    }

    fn stmt(&mut self) -> Result<Stmt, CompileError> {
        self.enter()?;
        let s = self.stmt_inner()?;
        self.depth -= 1;
        Ok(s)
    }

    fn stmt_inner(&mut self) -> Result<Stmt, CompileError> {
        let pos = self.pos();
        if self.eat(";") {
            return Ok(Stmt::Empty);
        }
        if self.eat("{") {
            let mut body = Vec::new();
            while !self.eat("}") {
                if self.peek() == &Tok::Eof {
                    return Err(self.unexpected("`}`"));
                }
                body.push(self.stmt()?);
            }
            return Ok(Stmt::Block(body));
        }
        if let Tok::Ident(word) = self.peek().clone() {
            match word.as_str() {
                "return" => {
                    self.bump();
                    let e = self.expr()?;
                    self.expect(";")?;
                    return Ok(Stmt::Return(e));
                }
                "if" => {
                    self.bump();
                    self.expect("(")?;
                    let cond = self.expr()?;
                    self.expect(")")?;
                    let then = Box::new(self.stmt()?);
                    let els = if self.is_word("else") {
                        self.bump();
                        Some(Box::new(self.stmt()?))
                    } else {
                        None
                    };
                    return Ok(Stmt::If { cond, then, els });
                }
                w if UNSUPPORTED_STATEMENTS.contains(&w) => {
                    return Err(CompileError::at(pos, format!("`{w}` statements are not supported")));
                }
                _ => {}
            }
            if let Some(ty) = self.try_decl_type() {
                let name = self.ident()?;
                let init = if self.eat("=") { Some(self.expr()?) } else { None };
                if self.is(",") {
                    return Err(CompileError::at(self.pos(), "declare one variable per statement"));
                }
                self.expect(";")?;
                return Ok(Stmt::Decl { ty, name, init, pos });
            }
            if let Tok::Punct(op @ ("=" | "+=" | "-=")) = self.peek_at(1) {
                let op = match *op {
                    "+=" => Some(BinOp::Add),
                    "-=" => Some(BinOp::Sub),
                    _ => None,
                };
                self.bump();
                self.bump();
                let value = self.expr()?;
                self.expect(";")?;
                return Ok(Stmt::Assign {
                    name: word,
                    op,
                    value,
                    pos,
                });
            }
        }
        let e = self.expr()?;
        if self.is("=") || self.is("+=") || self.is("-=") {
            return Err(CompileError::at(
                self.pos(),
                "only local variables can be assigned (context is read-only)",
            ));
        }
        Err(CompileError::at(
            e.pos,
            "an expression cannot be a statement here (use var, assignment, if/else or return)",
        ))
    }

    /// At `Type name`, parses and returns the type (leaving the name).
    fn try_decl_type(&mut self) -> Option<TypeName> {
        let save = self.i;
        if let Tok::Ident(w) = self.peek() {
            if w == "var" || TYPE_KEYWORDS.contains(&w.as_str()) || w.chars().next().is_some_and(char::is_uppercase) {
                if let Ok(ty) = self.type_name() {
                    if matches!(self.peek(), Tok::Ident(_)) && matches!(self.peek_at(1), Tok::Punct("=" | ";" | ",")) {
                        return Some(ty);
                    }
                }
            }
        }
        self.i = save;
        None
    }

    fn type_name(&mut self) -> Result<TypeName, CompileError> {
        let pos = self.pos();
        let mut name = self.ident()?;
        while self.is(".") && matches!(self.peek_at(1), Tok::Ident(_)) {
            self.bump();
            name.push('.');
            name.push_str(&self.ident()?);
        }
        let mut args = Vec::new();
        if self.eat("<") {
            loop {
                args.push(self.type_name()?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(">")?;
        }
        let nullable = self.eat("?");
        let mut array = false;
        if self.is("[") && matches!(self.peek_at(1), Tok::Punct("]")) {
            self.bump();
            self.bump();
            array = true;
        }
        Ok(TypeName {
            name,
            args,
            array,
            nullable,
            pos,
        })
    }

    // ---- expressions ----

    pub fn expr(&mut self) -> Result<Ast, CompileError> {
        self.enter()?;
        let e = self.expr_inner()?;
        self.depth -= 1;
        Ok(e)
    }

    fn expr_inner(&mut self) -> Result<Ast, CompileError> {
        let cond = self.coalesce()?;
        if !self.is("?") {
            return Ok(cond);
        }
        self.bump();
        let a = self.expr()?;
        self.expect(":")?;
        let b = self.expr()?;
        let pos = cond.pos;
        Ok(Ast {
            kind: Kind::Cond(Box::new(cond), Box::new(a), Box::new(b)),
            pos,
        })
    }

    fn coalesce(&mut self) -> Result<Ast, CompileError> {
        let l = self.binary(0)?;
        if self.is("??") {
            let pos = self.pos();
            self.bump();
            let r = self.coalesce()?;
            return Ok(Ast {
                kind: Kind::Coalesce(Box::new(l), Box::new(r)),
                pos,
            });
        }
        Ok(l)
    }

    /// Binary operators by level: 0 `||`, 1 `&&`, 2 equality, 3 relational,
    /// 4 additive, 5 multiplicative.
    fn binary(&mut self, level: u8) -> Result<Ast, CompileError> {
        if level == 6 {
            return self.unary();
        }
        let mut l = self.binary(level + 1)?;
        // A chain `a + b + c ...` nests to the left in the tree.
        let mut chain = 0;
        loop {
            if chain > 0 {
                self.enter()?;
            }
            chain += 1;
            let pos = self.pos();
            let op = match (level, self.peek()) {
                (0, Tok::Punct("||")) => BinOp::Or,
                (1, Tok::Punct("&&")) => BinOp::And,
                (2, Tok::Punct("==")) => BinOp::Eq,
                (2, Tok::Punct("!=")) => BinOp::Ne,
                (3, Tok::Punct("<")) => BinOp::Lt,
                (3, Tok::Punct(">")) => BinOp::Gt,
                (3, Tok::Punct("<=")) => BinOp::Le,
                (3, Tok::Punct(">=")) => BinOp::Ge,
                (3, Tok::Ident(w)) if w == "as" => {
                    self.bump();
                    let ty = self.type_name()?;
                    l = Ast {
                        kind: Kind::As(Box::new(l), ty),
                        pos,
                    };
                    continue;
                }
                (3, Tok::Ident(w)) if w == "is" => {
                    return Err(CompileError::at(pos, "the `is` operator is not supported"));
                }
                (4, Tok::Punct("+")) => BinOp::Add,
                (4, Tok::Punct("-")) => BinOp::Sub,
                (5, Tok::Punct("*")) => BinOp::Mul,
                (5, Tok::Punct("/")) => BinOp::Div,
                (5, Tok::Punct("%")) => BinOp::Rem,
                (0, Tok::Punct(p @ ("&" | "|" | "^" | "<<"))) => {
                    return Err(CompileError::at(
                        pos,
                        format!("bitwise operator `{p}` is not supported"),
                    ));
                }
                (0, Tok::Punct(p @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "??=" | "++" | "--"))) => {
                    return Err(CompileError::at(
                        pos,
                        format!("`{p}` is not supported here: only local variables can be assigned, in a statement (context is read-only)"),
                    ));
                }
                (0, Tok::Punct("=>")) => {
                    return Err(CompileError::at(pos, "lambda expressions are not supported"));
                }
                _ => {
                    self.depth -= chain - 1;
                    return Ok(l);
                }
            };
            self.bump();
            let r = self.binary(level + 1)?;
            l = Ast {
                kind: Kind::Binary(op, Box::new(l), Box::new(r)),
                pos,
            };
        }
    }

    fn unary(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let op = match self.peek() {
            Tok::Punct("!") => UnOp::Not,
            Tok::Punct("-") => UnOp::Neg,
            Tok::Punct("+") => UnOp::Plus,
            Tok::Punct(p @ ("~" | "++" | "--")) => {
                return Err(CompileError::at(pos, format!("operator `{p}` is not supported")));
            }
            Tok::Punct("(") => {
                if let Some(cast) = self.try_cast()? {
                    return Ok(cast);
                }
                return self.postfix();
            }
            _ => return self.postfix(),
        };
        self.bump();
        self.enter()?;
        let e = self.unary()?;
        self.depth -= 1;
        Ok(Ast {
            kind: Kind::Unary(op, Box::new(e)),
            pos,
        })
    }

    /// `(Type)operand`, when the parenthesis holds a type and what follows
    /// can only start an operand.
    fn try_cast(&mut self) -> Result<Option<Ast>, CompileError> {
        let save = self.i;
        let pos = self.pos();
        self.bump();
        let Tok::Ident(word) = self.peek().clone() else {
            self.i = save;
            return Ok(None);
        };
        let Ok(ty) = self.type_name() else {
            self.i = save;
            return Ok(None);
        };
        if !self.eat(")") {
            self.i = save;
            return Ok(None);
        }
        let keyword = TYPE_KEYWORDS.contains(&word.as_str()) && !matches!(self.peek(), Tok::Punct("."));
        let starts_operand = match self.peek() {
            Tok::Ident(w) => !matches!(w.as_str(), "as" | "is"),
            Tok::Int(_) | Tok::Double(_) | Tok::Str(_) | Tok::Char(_) | Tok::Interp(_) => true,
            Tok::Punct("(" | "!") => true,
            Tok::Punct("-" | "+") => keyword,
            _ => false,
        };
        if !(starts_operand && (keyword || ty.name.chars().next().is_some_and(char::is_uppercase))) {
            self.i = save;
            return Ok(None);
        }
        let e = self.unary()?;
        Ok(Some(Ast {
            kind: Kind::Cast(ty, Box::new(e)),
            pos,
        }))
    }

    fn postfix(&mut self) -> Result<Ast, CompileError> {
        let mut e = self.primary()?;
        // Each `.x`, `[i]` and `(args)` nests the tree one level.
        let mut chain = 0;
        loop {
            let pos = self.pos();
            if matches!(self.peek(), Tok::Punct("." | "?." | "[" | "?[" | "(")) {
                self.enter()?;
                chain += 1;
            }
            if self.is(".") || self.is("?.") {
                let cond = self.is("?.");
                self.bump();
                let name = self.ident()?;
                let generics = self.try_generic_args();
                e = Ast {
                    kind: Kind::Member {
                        obj: Box::new(e),
                        name,
                        cond,
                        generics,
                    },
                    pos,
                };
            } else if self.is("[") || self.is("?[") {
                let cond = self.is("?[");
                self.bump();
                let index = self.expr()?;
                if self.is(",") {
                    return Err(CompileError::at(
                        self.pos(),
                        "multi-dimensional indexers are not supported",
                    ));
                }
                self.expect("]")?;
                e = Ast {
                    kind: Kind::Index {
                        obj: Box::new(e),
                        index: Box::new(index),
                        cond,
                    },
                    pos,
                };
            } else if self.is("(") {
                self.bump();
                let args = self.args()?;
                e = Ast {
                    kind: Kind::Call {
                        callee: Box::new(e),
                        args,
                    },
                    pos,
                };
            } else if self.is("++") || self.is("--") {
                return Err(CompileError::at(
                    pos,
                    "increment and decrement operators are not supported",
                ));
            } else if self.is("!") && matches!(self.peek_at(1), Tok::Punct("." | ")" | ";" | "," | "]")) {
                return Err(CompileError::at(
                    pos,
                    "the null-forgiving operator `!` is not supported",
                ));
            } else {
                self.depth -= chain;
                return Ok(e);
            }
        }
    }

    /// `<T, U>` right before `(`; anything else is left for the relational
    /// operators.
    fn try_generic_args(&mut self) -> Vec<TypeName> {
        if !self.is("<") {
            return Vec::new();
        }
        let save = self.i;
        self.bump();
        let mut args = Vec::new();
        while let Ok(t) = self.type_name() {
            args.push(t);
            if self.eat(",") {
                continue;
            }
            if self.eat(">") && self.is("(") {
                return args;
            }
            break;
        }
        self.i = save;
        Vec::new()
    }

    fn args(&mut self) -> Result<Vec<Arg>, CompileError> {
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            if self.is_word("out") || self.is_word("ref") {
                return Err(CompileError::at(
                    self.pos(),
                    "`out` and `ref` arguments are not supported",
                ));
            }
            let name = match (self.peek().clone(), self.peek_at(1)) {
                (Tok::Ident(n), Tok::Punct(":")) => {
                    self.bump();
                    self.bump();
                    Some(n)
                }
                _ => None,
            };
            let value = self.expr()?;
            args.push(Arg { name, value });
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
        }
    }

    fn primary(&mut self) -> Result<Ast, CompileError> {
        let pos = self.pos();
        let kind = match self.bump() {
            Tok::Int(v) => Kind::Int(v),
            Tok::Double(v) => Kind::Double(v),
            Tok::Str(s) => Kind::Str(s),
            Tok::Char(c) => Kind::Char(c),
            Tok::Interp(pieces) => Kind::Interp(self.interp(pieces)?),
            Tok::Punct("(") => {
                let e = self.expr()?;
                if self.is(",") {
                    return Err(CompileError::at(self.pos(), "tuples are not supported"));
                }
                self.expect(")")?;
                Kind::Paren(Box::new(e))
            }
            Tok::Ident(w) => match w.as_str() {
                "null" => Kind::Null,
                "true" => Kind::Bool(true),
                "false" => Kind::Bool(false),
                "new" => return Err(CompileError::at(pos, "object creation (`new`) is not supported")),
                "typeof" | "nameof" | "sizeof" | "default" | "checked" | "unchecked" | "await" | "this" | "base"
                | "stackalloc" | "switch" | "throw" => {
                    return Err(CompileError::at(pos, format!("`{w}` is not supported")));
                }
                _ if self.is("=>") => return Err(CompileError::at(pos, "lambda expressions are not supported")),
                _ => Kind::Name(w),
            },
            Tok::Eof => return Err(CompileError::at(pos, "expected an expression, found end of expression")),
            Tok::Punct(p) => return Err(CompileError::at(pos, format!("expected an expression, found `{p}`"))),
        };
        Ok(Ast { kind, pos })
    }

    fn interp(&mut self, pieces: Vec<Piece>) -> Result<Vec<Part>, CompileError> {
        pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => Ok(Part::Text(t)),
                Piece::Hole { start, end, format } => {
                    Ok(Part::Hole(parse_nested(self.src, start, end, self.depth)?, format))
                }
            })
            .collect()
    }
}
