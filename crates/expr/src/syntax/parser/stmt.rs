//! Statements of `@{ }` blocks and lambda bodies: blocks, the empty
//! statement, local declarations (`var`, explicit types, several
//! declarators, array initializers), expression statements, and the
//! `const` locals, `using (…)` statements (a block: the read-only
//! resource declaration, then the body — disposal is a no-op, Outpost's
//! objects own no unmanaged resources), local functions, and the
//! refusal by name of what policy expressions do not allow (`goto`,
//! labels, `using` directives and declarations, `lock`, `yield`,
//! `unsafe`, `fixed`, pointer types, declarations of types and members).
//! Control statements are in `control`.
//!
//! Invariants: a statement nests through `Parser::enter`; a statement
//! starting with a type followed by a name is a declaration (as in C#);
//! an expression statement must be an assignment, call, increment,
//! decrement or object creation (C#'s CS0201, reported here); the body of
//! `if`/`while`/`for`/… cannot be a declaration.

use super::super::ast::{Ast, DeclKind, Declarator, Kind, LambdaBody, Param, Stmt, TypeName, UnOp};
use super::super::lexer::Tok;
use super::super::CompileError;
use super::{node, Parser, PREDEFINED};

impl Parser<'_> {
    pub(super) fn stmt(&mut self) -> Result<Stmt, CompileError> {
        self.nested(|p| p.stmt_inner())
    }

    /// `{ statements }` (the cursor at `{`).
    pub(super) fn block(&mut self) -> Result<Vec<Stmt>, CompileError> {
        self.expect("{", "to open a block")?;
        let mut body = Vec::new();
        while !self.eat("}") {
            if self.peek() == &Tok::Eof {
                return Err(self.unexpected("`}` to close the block"));
            }
            body.push(self.stmt()?);
        }
        Ok(body)
    }

    /// The body of `what` (`if`, `while`, …): any statement but a
    /// declaration.
    pub(super) fn embedded(&mut self, what: &str) -> Result<Stmt, CompileError> {
        let pos = self.pos();
        let s = self.stmt()?;
        if matches!(s, Stmt::Decl { .. } | Stmt::LocalFunc { .. }) {
            return Err(CompileError::at(
                pos,
                format!("a declaration cannot be the body of `{what}`; put it in a block `{{ … }}`"),
            ));
        }
        Ok(s)
    }

    fn stmt_inner(&mut self) -> Result<Stmt, CompileError> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Punct(";") => {
                self.bump();
                return Ok(Stmt::Empty);
            }
            Tok::Punct("{") => return Ok(Stmt::Block(self.block()?)),
            Tok::Kw(k) => {
                if let Some(s) = self.keyword_stmt(k, pos)? {
                    return Ok(s);
                }
            }
            Tok::Ident(w) => {
                if self.is_at(1, ":") && !self.is_at(2, ":") {
                    return Err(CompileError::at(
                        pos,
                        "labels (`name:`) are not supported in policy expressions",
                    ));
                }
                if w == "yield" && matches!(self.peek_at(1), Tok::Kw("return" | "break")) {
                    return Err(CompileError::at(pos, "`yield` is not supported in policy expressions"));
                }
                if w == "var" && self.is_at(1, "(") {
                    return Err(CompileError::at(pos, "deconstruction (tuples) is not supported"));
                }
                if w == "await" && super::primary::starts_operand(self.peek_at(1)) {
                    return Err(CompileError::at(pos, "`await` is not supported in policy expressions"));
                }
            }
            _ => {}
        }
        let (i, depth) = (self.i, self.depth);
        let head = self.decl_head();
        if let Ok(Some(Ok(ty))) = head {
            if self.is_at(1, "(") {
                return self.local_func(ty, pos);
            }
            let s = self.decl_rest(ty, pos)?;
            self.expect(";", "after the declaration")?;
            return Ok(s);
        }
        if let Ok(Some(Err(e))) = head {
            return Err(e);
        }
        (self.i, self.depth) = (i, depth);
        let e = self.statement_expr()?;
        self.expect(";", "after the statement")?;
        Ok(Stmt::Expr(e))
    }

    /// Statements that start with a keyword (`None`: parse on as a
    /// declaration or expression).
    fn keyword_stmt(&mut self, k: &'static str, pos: usize) -> Result<Option<Stmt>, CompileError> {
        let refuse = |what: String| Err(CompileError::at(pos, what));
        match k {
            "if" | "switch" | "for" | "foreach" | "while" | "do" | "break" | "continue" | "return" | "throw"
            | "try" => self.control(k, pos).map(Some),
            "checked" | "unchecked" if self.is_at(1, "{") => {
                self.bump();
                Ok(Some(Stmt::Checked(k == "checked", self.block()?)))
            }
            "const" => {
                self.bump();
                let ty = self.type_name(true)?;
                if ty.is_var() {
                    return refuse("a constant cannot be declared with `var`".into());
                }
                let mut s = self.decl_rest(ty, pos)?;
                if let Stmt::Decl { vars, kind, .. } = &mut s {
                    if let Some(d) = vars.iter().find(|d| d.init.is_none()) {
                        return Err(CompileError::at(d.pos, "a constant must be initialized"));
                    }
                    *kind = DeclKind::Const;
                }
                self.expect(";", "after the declaration")?;
                Ok(Some(s))
            }
            "using" if self.is_at(1, "(") => self.using_stmt(pos).map(Some),
            "using" => refuse(
                "`using` directives and declarations are not supported in policy expressions (a `using (…) { … }` \
                 statement is)"
                    .into(),
            ),
            "goto" | "lock" | "unsafe" | "fixed" => refuse(format!("`{k}` is not supported in policy expressions")),
            "class" | "struct" | "interface" | "enum" | "delegate" | "namespace" | "event" | "operator" => refuse(
                format!("declarations of types (`{k}`) are not supported in policy expressions"),
            ),
            "public" | "private" | "protected" | "internal" | "static" | "abstract" | "virtual" | "override"
            | "sealed" | "extern" | "readonly" | "volatile" | "implicit" | "explicit" => refuse(format!(
                "`{k}`: declarations of members and local functions are not supported in policy expressions"
            )),
            _ => Ok(None),
        }
    }

    /// `Type name` at the start of a declaration: the type, the cursor at
    /// the name (`Some(Err)`: a declaration outside the subset).
    #[allow(clippy::type_complexity)]
    fn decl_head(&mut self) -> Result<Option<Result<TypeName, CompileError>>, CompileError> {
        let named = match self.peek() {
            Tok::Ident(_) => true,
            Tok::Kw(k) => PREDEFINED.contains(k),
            _ => false,
        };
        if !named {
            return Ok(None);
        }
        let ty = self.type_name(true)?;
        if self.is("*") && matches!(self.peek_at(1), Tok::Ident(_)) {
            return Ok(Some(Err(CompileError::at(
                self.pos(),
                "pointer types are not supported",
            ))));
        }
        Ok(matches!(self.peek(), Tok::Ident(_)).then_some(Ok(ty)))
    }

    /// The declarators after the type (the cursor at the first name); the
    /// caller consumes the terminator.
    pub(super) fn decl_rest(&mut self, ty: TypeName, pos: usize) -> Result<Stmt, CompileError> {
        let mut vars = Vec::new();
        loop {
            let vpos = self.pos();
            let name = self.ident("a variable name")?;
            if self.is("(") {
                return Err(CompileError::at(
                    vpos,
                    "a local function must be declared on its own (not after other declarators)",
                ));
            }
            if self.is("[") {
                return Err(CompileError::at(
                    self.pos(),
                    "array brackets go after the type in C# (`int[] a`, not `int a[]`)",
                ));
            }
            let init = if self.eat("=") {
                if self.is("{") {
                    let ipos = self.pos();
                    let items = self.array_items()?;
                    Some(node(
                        Kind::NewArray {
                            elem: None,
                            size: None,
                            items: Some(items),
                        },
                        ipos,
                    ))
                } else {
                    Some(self.expr()?)
                }
            } else {
                None
            };
            if ty.is_var() && init.is_none() {
                return Err(CompileError::at(
                    vpos,
                    "an implicitly typed variable (`var`) must be initialized",
                ));
            }
            vars.push(Declarator { name, init, pos: vpos });
            if !self.eat(",") {
                break;
            }
            if ty.is_var() {
                return Err(CompileError::at(vpos, "`var` cannot declare several variables"));
            }
        }
        Ok(Stmt::Decl {
            ty,
            vars,
            pos,
            kind: DeclKind::Local,
        })
    }

    /// `using (T x = e, …) body` or `using (e) body` (the cursor at
    /// `using`): a block declaring the read-only resource(s), then the
    /// body.
    fn using_stmt(&mut self, pos: usize) -> Result<Stmt, CompileError> {
        self.bump();
        self.expect("(", "after `using`")?;
        let (i, depth) = (self.i, self.depth);
        let head = self.decl_head();
        let decl = match head {
            Ok(Some(Ok(ty))) => {
                let s = self.decl_rest(ty, pos)?;
                match s {
                    Stmt::Decl { ty, vars, pos, .. } => {
                        if let Some(d) = vars.iter().find(|d| d.init.is_none()) {
                            return Err(CompileError::at(d.pos, "a `using` variable must be initialized"));
                        }
                        Stmt::Decl {
                            ty,
                            vars,
                            pos,
                            kind: DeclKind::Using,
                        }
                    }
                    other => other,
                }
            }
            Ok(Some(Err(e))) => return Err(e),
            _ => {
                (self.i, self.depth) = (i, depth);
                let epos = self.pos();
                let e = self.expr()?;
                Stmt::Decl {
                    ty: TypeName {
                        name: "object".into(),
                        args: Vec::new(),
                        nullable: false,
                        array: 0,
                        pos: epos,
                    },
                    vars: vec![Declarator {
                        name: format!("<using@{epos}>"),
                        init: Some(e),
                        pos: epos,
                    }],
                    pos: epos,
                    kind: DeclKind::Using,
                }
            }
        };
        self.expect(")", "to close `using (…)`")?;
        let body = self.embedded("using")?;
        Ok(Stmt::Block(vec![decl, body]))
    }

    /// `T name(T1 p1, …) { … }` or `… => expr;` (the cursor at the name).
    fn local_func(&mut self, ret: TypeName, pos: usize) -> Result<Stmt, CompileError> {
        let name = self.ident("a local function name")?;
        self.expect("(", "after the local function's name")?;
        let mut params = Vec::new();
        if !self.eat(")") {
            loop {
                let ppos = self.pos();
                if let Tok::Kw(k @ ("ref" | "out" | "in" | "params" | "this")) = self.peek() {
                    return Err(CompileError::at(
                        ppos,
                        format!("`{k}` parameters of local functions are not supported"),
                    ));
                }
                let ty = self.type_name(true)?;
                if ty.is_var() {
                    return Err(CompileError::at(ppos, "a parameter cannot be declared with `var`"));
                }
                let pname = self.ident("a parameter name")?;
                if self.is("=") {
                    return Err(CompileError::at(self.pos(), "optional parameters are not supported"));
                }
                params.push(Param {
                    ty: Some(ty),
                    name: pname,
                    pos: ppos,
                });
                if self.eat(")") {
                    break;
                }
                self.expect(",", "or `)` in the parameter list")?;
            }
        }
        let body = if self.eat("=>") {
            let e = self.expr()?;
            self.expect(";", "after the local function's expression body")?;
            LambdaBody::Expr(Box::new(e))
        } else if self.is("{") {
            LambdaBody::Block(self.block()?)
        } else {
            return Err(self.unexpected("`{` or `=>` for the local function's body"));
        };
        Ok(Stmt::LocalFunc {
            ret,
            name,
            params,
            body,
            pos,
        })
    }

    /// An expression that C# allows as a statement.
    pub(super) fn statement_expr(&mut self) -> Result<Ast, CompileError> {
        let e = self.expr()?;
        let ok = match &e.kind {
            Kind::Assign { .. } | Kind::Call { .. } | Kind::New { .. } => true,
            Kind::Unary(op, _) => matches!(op, UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec),
            _ => false,
        };
        if !ok {
            return Err(CompileError::at(
                e.pos,
                "only an assignment, call, increment, decrement or `new` object can be used as a statement",
            ));
        }
        Ok(e)
    }
}
