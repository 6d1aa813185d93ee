//! The type checker: resolves the syntax tree into the typed [`ir`](super::ir),
//! rejecting whatever is outside the subset or ill-typed, with the
//! position of the offending construct. Member and method tables live in
//! [`members`](super::members).

use super::ast::{Ast, BinOp, Kind, Part, Stmt as AStmt, TypeName, UnOp};
use super::ir::{Const, Conv, Method, Node, Op, Stmt};
use super::types::{Prim, Type};
use super::CompileError;

pub struct Checker {
    /// Visible locals, innermost scope last: (name, slot, type).
    scopes: Vec<Vec<(String, usize, Type)>>,
    pub slots: usize,
    /// Types of the `return`s seen, in source order.
    returns: Vec<Type>,
}

/// A checked expression: its node, static type and whether it is inside a
/// `?.` chain (so members applied to it propagate null).
pub struct Typed {
    pub node: Node,
    pub ty: Type,
    pub lift: bool,
}

impl Typed {
    pub fn new(node: Node, ty: Type) -> Typed {
        Typed { node, ty, lift: false }
    }
}

pub fn err<T>(pos: usize, msg: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError::at(pos, msg))
}

impl Checker {
    pub fn new() -> Checker {
        Checker {
            scopes: vec![Vec::new()],
            slots: 0,
            returns: Vec::new(),
        }
    }

    pub fn local(&self, name: &str) -> Option<(usize, Type)> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _, _)| n == name)
            .map(|&(_, slot, ty)| (slot, ty))
    }

    /// Checks an expression; the result is never a context-chain marker.
    pub fn expr(&mut self, a: &Ast) -> Result<(Node, Type), CompileError> {
        let t = self.typed(a)?;
        Ok((t.node, t.ty))
    }

    pub fn typed(&mut self, a: &Ast) -> Result<Typed, CompileError> {
        let pos = a.pos;
        Ok(match &a.kind {
            Kind::Null => Typed::new(Node::Const(Const::Null), Type::Null),
            Kind::Bool(b) => Typed::new(Node::Const(Const::Bool(*b)), Type::Bool),
            Kind::Int(v) => match i32::try_from(*v) {
                Ok(v) => Typed::new(Node::Const(Const::Int(v)), Type::Int),
                Err(_) => return err(pos, "integer literal does not fit in int (long is not supported)"),
            },
            Kind::Double(v) => Typed::new(Node::Const(Const::Double(*v)), Type::Double),
            Kind::Str(s) => Typed::new(Node::Const(Const::Str(s.as_str().into())), Type::String),
            Kind::Char(c) => Typed::new(Node::Const(Const::Char(*c)), Type::Char),
            Kind::Interp(parts) => Typed::new(self.interp(parts)?, Type::String),
            Kind::Name(name) => self.name(name, pos)?,
            Kind::Paren(inner) => {
                let (node, ty) = self.expr(inner)?;
                Typed::new(node, ty)
            }
            Kind::Member {
                obj,
                name,
                cond,
                generics,
            } => {
                if !generics.is_empty() {
                    return err(pos, format!("generic method `{name}` must be called"));
                }
                self.member(obj, name, *cond, pos)?
            }
            Kind::Call { callee, args } => self.call(callee, args, pos)?,
            Kind::Index { obj, index, cond } => self.index(obj, index, *cond, pos)?,
            Kind::Unary(op, e) => self.unary(*op, e, pos)?,
            Kind::Binary(op, l, r) => self.binary(*op, l, r, pos)?,
            Kind::Cond(c, x, y) => {
                let c = self.want(c, Type::Bool, "condition")?;
                let (xn, xt) = self.expr(x)?;
                let (yn, yt) = self.expr(y)?;
                let Some(ty) = unify(xt, yt) else {
                    return err(
                        pos,
                        format!(
                            "type of conditional expression cannot be determined: no conversion between {xt} and {yt}"
                        ),
                    );
                };
                let xn = convert(xn, xt, ty).expect("unified");
                let yn = convert(yn, yt, ty).expect("unified");
                Typed::new(Node::Cond(Box::new(c), Box::new(xn), Box::new(yn)), ty)
            }
            Kind::Coalesce(l, r) => self.coalesce(l, r, pos)?,
            Kind::Cast(ty, e) => self.cast(ty, e, pos)?,
            Kind::As(e, ty) => {
                let target = resolve_type(ty)?;
                if !target.admits_null() {
                    return err(pos, format!("`as` needs a type that admits null, not {target}"));
                }
                let (node, from) = self.expr(e)?;
                let node = if convertible(from, target) {
                    convert(node, from, target).expect("convertible")
                } else if from == Type::Object {
                    Node::Convert(Conv::As(target), Box::new(node))
                } else {
                    return err(pos, format!("cannot convert {from} to {target} with `as`"));
                };
                Typed::new(node, target)
            }
        })
    }

    /// Checks `a` and converts it to `want` (implicitly).
    pub fn want(&mut self, a: &Ast, want: Type, what: &str) -> Result<Node, CompileError> {
        let (node, ty) = self.expr(a)?;
        convert(node, ty, want).ok_or_else(|| CompileError::at(a.pos, format!("{what} must be {want}, not {ty}")))
    }

    fn name(&mut self, name: &str, pos: usize) -> Result<Typed, CompileError> {
        if let Some((slot, ty)) = self.local(name) {
            return Ok(Typed::new(Node::Local(slot), ty));
        }
        if name == "context" {
            return Ok(Typed::new(Node::Context, Type::Ns(super::types::Ns::Context)));
        }
        if super::members::is_static_type(name) {
            return err(pos, format!("`{name}` is a type and cannot be used as a value"));
        }
        err(pos, format!("unknown name `{name}`"))
    }

    fn interp(&mut self, parts: &[Part]) -> Result<Node, CompileError> {
        let mut nodes = Vec::with_capacity(parts.len());
        for p in parts {
            nodes.push(match p {
                Part::Text(t) => Node::Const(Const::Str(t.as_str().into())),
                Part::Hole(e, None) => self.expr(e)?.0,
                Part::Hole(e, Some(fmt)) => {
                    let (node, ty) = self.expr(e)?;
                    if !matches!(ty.non_null(), Type::DateTime | Type::Guid | Type::Int | Type::Double) {
                        return err(e.pos, format!("format `:{fmt}` is not supported for {ty}"));
                    }
                    Node::Call {
                        recv: Some(Box::new(node)),
                        method: Method::ToTextFormat,
                        args: vec![Node::Const(Const::Str(fmt.as_str().into()))],
                        lift: ty.admits_null(),
                    }
                }
            });
        }
        Ok(Node::Interp(nodes))
    }

    fn unary(&mut self, op: UnOp, e: &Ast, pos: usize) -> Result<Typed, CompileError> {
        if let (UnOp::Neg, Kind::Int(v)) = (op, &e.kind) {
            return match i32::try_from(-(*v as i128)) {
                Ok(v) => Ok(Typed::new(Node::Const(Const::Int(v)), Type::Int)),
                Err(_) => err(pos, "integer literal does not fit in int (long is not supported)"),
            };
        }
        let (node, ty) = self.expr(e)?;
        match op {
            UnOp::Not if ty.non_null() == Type::Bool => Ok(Typed::new(Node::Not(Box::new(node)), ty)),
            UnOp::Not => err(pos, format!("operator `!` cannot be applied to {ty}")),
            _ if ty.is_numeric() => {
                let (node, ty) = char_to_int(node, ty);
                let node = if op == UnOp::Neg {
                    Node::Neg(Box::new(node))
                } else {
                    node
                };
                Ok(Typed::new(node, ty))
            }
            UnOp::Neg if ty.non_null() == Type::TimeSpan => Ok(Typed::new(Node::Neg(Box::new(node)), ty)),
            _ => err(
                pos,
                format!(
                    "unary `{}` cannot be applied to {ty}",
                    if op == UnOp::Neg { "-" } else { "+" }
                ),
            ),
        }
    }

    fn binary(&mut self, op: BinOp, l: &Ast, r: &Ast, pos: usize) -> Result<Typed, CompileError> {
        let (ln, lt) = self.expr(l)?;
        let (rn, rt) = self.expr(r)?;
        let (op, ty) = binary_type(op, lt, rt).ok_or_else(|| {
            CompileError::at(
                pos,
                format!("operator `{}` cannot be applied to {lt} and {rt}", op.symbol()),
            )
        })?;
        Ok(Typed::new(Node::Bin(op, Box::new(ln), Box::new(rn)), ty))
    }

    fn coalesce(&mut self, l: &Ast, r: &Ast, pos: usize) -> Result<Typed, CompileError> {
        let (ln, lt) = self.expr(l)?;
        let (rn, rt) = self.expr(r)?;
        if !lt.admits_null() {
            return err(
                pos,
                format!("operator `??` needs a left operand that can be null, not {lt}"),
            );
        }
        let ty = match (lt, rt) {
            (Type::Nullable(p), r) if r == Type::from(p) => r,
            (Type::Null, r) => r,
            _ if lt == Type::Object => Type::Object,
            _ => unify(lt, rt)
                .ok_or_else(|| CompileError::at(pos, format!("operator `??` cannot be applied to {lt} and {rt}")))?,
        };
        let ln = match lt {
            Type::Nullable(_) => ln,
            _ => convert(ln, lt, ty).expect("unified"),
        };
        let rn = convert(rn, rt, ty).expect("unified");
        Ok(Typed::new(Node::Coalesce(Box::new(ln), Box::new(rn)), ty))
    }

    fn cast(&mut self, tn: &TypeName, e: &Ast, pos: usize) -> Result<Typed, CompileError> {
        let target = resolve_type(tn)?;
        let (node, from) = self.expr(e)?;
        if let Some(node) = convert(node.clone(), from, target) {
            return Ok(Typed::new(node, target));
        }
        let conv = match (from, target.non_null()) {
            (Type::Object, _) => Conv::Unbox(target),
            (Type::Nullable(p), t) if Type::from(p) == t => Conv::Unbox(target),
            (f, Type::Int) if f.non_null() == Type::Double => Conv::Truncate,
            (f, Type::Int) if f.non_null() == Type::Char => Conv::ToInt,
            (Type::String, Type::Int | Type::Double | Type::Bool) => {
                return err(pos, format!("cannot convert string to {target} (use {target}.Parse)"));
            }
            _ => return err(pos, format!("cannot convert {from} to {target}")),
        };
        Ok(Typed::new(Node::Convert(conv, Box::new(node)), target))
    }

    // ---- statements ----

    /// Checks a block body; returns the statements, the unified type of
    /// its `return`s and the number of local slots.
    pub fn block(mut self, stmts: &[AStmt], end: usize) -> Result<(Vec<Stmt>, Type, usize), CompileError> {
        let mut out = self.stmts(stmts)?;
        if !always_returns(stmts) {
            return err(end, "not all code paths return a value (end the block with `return`)");
        }
        let mut ty = self.returns[0];
        for &t in &self.returns[1..] {
            ty = unify(ty, t).ok_or_else(|| CompileError::at(end, format!("the block returns both {ty} and {t}")))?;
        }
        if ty == Type::Null {
            ty = Type::Object;
        }
        let mut i = 0;
        convert_returns(&mut out, &self.returns, ty, &mut i);
        Ok((out, ty, self.slots))
    }

    fn stmts(&mut self, stmts: &[AStmt]) -> Result<Vec<Stmt>, CompileError> {
        let mut out = Vec::new();
        for s in stmts {
            self.stmt(s, &mut out)?;
        }
        Ok(out)
    }

    fn scoped(&mut self, s: &AStmt) -> Result<Box<[Stmt]>, CompileError> {
        self.scopes.push(Vec::new());
        let mut out = Vec::new();
        let r = self.stmt(s, &mut out);
        self.scopes.pop();
        r.map(|()| out.into_boxed_slice())
    }

    fn stmt(&mut self, s: &AStmt, out: &mut Vec<Stmt>) -> Result<(), CompileError> {
        match s {
            AStmt::Empty => {}
            AStmt::Block(body) => {
                self.scopes.push(Vec::new());
                let r = self.stmts(body);
                self.scopes.pop();
                out.extend(r?);
            }
            AStmt::Return(e) => {
                let (node, ty) = self.expr(e)?;
                self.returns.push(ty);
                out.push(Stmt::Return(node));
            }
            AStmt::If { cond, then, els } => {
                let c = self.want(cond, Type::Bool, "the condition of `if`")?;
                let t = self.scoped(then)?;
                let e = match els {
                    Some(e) => self.scoped(e)?,
                    None => Box::new([]),
                };
                out.push(Stmt::If(c, t, e));
            }
            AStmt::Decl { ty, name, init, pos } => {
                if self.local(name).is_some() || name == "context" {
                    return err(*pos, format!("a local named `{name}` is already defined"));
                }
                let (node, ty) = match (ty.name.as_str(), init) {
                    ("var", Some(e)) => {
                        let (node, ty) = self.expr(e)?;
                        if matches!(ty, Type::Null) {
                            return err(e.pos, "cannot infer the type of `var` from null");
                        }
                        (node, ty)
                    }
                    ("var", None) => return err(*pos, "`var` needs an initializer"),
                    (_, Some(e)) => {
                        let ty = resolve_type(ty)?;
                        (self.want(e, ty, &format!("the value of `{name}`"))?, ty)
                    }
                    (_, None) => {
                        let ty = resolve_type(ty)?;
                        (default_of(ty), ty)
                    }
                };
                let slot = self.slots;
                self.slots += 1;
                self.scopes.last_mut().expect("scope").push((name.clone(), slot, ty));
                out.push(Stmt::Set(slot, node));
            }
            AStmt::Assign { name, op, value, pos } => {
                let Some((slot, ty)) = self.local(name) else {
                    return err(*pos, format!("`{name}` is not a local variable (context is read-only)"));
                };
                let node = match op {
                    None => self.want(value, ty, &format!("the value assigned to `{name}`"))?,
                    Some(op) => {
                        let (rn, rt) = self.expr(value)?;
                        let (bop, bt) = binary_type(*op, ty, rt).ok_or_else(|| {
                            CompileError::at(
                                *pos,
                                format!("operator `{}=` cannot be applied to {ty} and {rt}", op.symbol()),
                            )
                        })?;
                        let node = Node::Bin(bop, Box::new(Node::Local(slot)), Box::new(rn));
                        convert(node, bt, ty).ok_or_else(|| {
                            CompileError::at(*pos, format!("cannot assign {bt} to `{name}` of type {ty}"))
                        })?
                    }
                };
                out.push(Stmt::Set(slot, node));
            }
        }
        Ok(())
    }
}

fn always_returns(stmts: &[AStmt]) -> bool {
    stmts.iter().any(|s| match s {
        AStmt::Return(_) => true,
        AStmt::Block(b) => always_returns(b),
        AStmt::If { then, els: Some(e), .. } => {
            always_returns(std::slice::from_ref(then)) && always_returns(std::slice::from_ref(e))
        }
        _ => false,
    })
}

fn convert_returns(stmts: &mut [Stmt], types: &[Type], to: Type, i: &mut usize) {
    for s in stmts {
        match s {
            Stmt::Return(node) => {
                let n = std::mem::replace(node, Node::Const(Const::Null));
                *node = convert(n, types[*i], to).expect("unified");
                *i += 1;
            }
            Stmt::If(_, t, e) => {
                convert_returns(t, types, to, i);
                convert_returns(e, types, to, i);
            }
            Stmt::Set(..) => {}
        }
    }
}

/// `default(T)`.
fn default_of(ty: Type) -> Node {
    Node::Const(match ty {
        Type::Bool => Const::Bool(false),
        Type::Int => Const::Int(0),
        Type::Double => Const::Double(0.0),
        Type::Char => Const::Char('\0'),
        _ => Const::Null,
    })
}

/// A type written in a cast, `as`, declaration or generic argument.
pub fn resolve_type(t: &TypeName) -> Result<Type, CompileError> {
    let unsupported = || CompileError::at(t.pos, format!("type `{t}` is not supported"));
    if !t.args.is_empty() {
        return Err(unsupported());
    }
    let base = match t.name.as_str() {
        "string" | "String" | "System.String" => Type::String,
        "int" | "Int32" | "System.Int32" => Type::Int,
        "bool" | "Boolean" | "System.Boolean" => Type::Bool,
        "double" | "Double" | "System.Double" => Type::Double,
        "char" | "Char" => Type::Char,
        "object" | "Object" | "System.Object" => Type::Object,
        "DateTime" | "System.DateTime" => Type::DateTime,
        "TimeSpan" | "System.TimeSpan" => Type::TimeSpan,
        "Guid" | "System.Guid" => Type::Guid,
        _ => return Err(unsupported()),
    };
    match (t.nullable, t.array) {
        (false, false) => Ok(base),
        (true, false) if base.prim().is_some() => Ok(base.nullable()),
        (false, true) if base == Type::String => Ok(Type::StringArray),
        _ => Err(unsupported()),
    }
}

/// Implicit conversion of `node` from `from` to `to`, if C# has one.
pub fn convert(node: Node, from: Type, to: Type) -> Option<Node> {
    if from == to || to == Type::Object || (from == Type::Null && to.admits_null()) {
        return Some(node);
    }
    match (from.non_null(), to.non_null()) {
        (f, t) if f == t && to.admits_null() => Some(node),
        (Type::Int | Type::Char, Type::Double) if !from.admits_null() || to.admits_null() => {
            Some(Node::Convert(Conv::ToDouble, Box::new(node)))
        }
        (Type::Char, Type::Int) if !from.admits_null() || to.admits_null() => {
            Some(Node::Convert(Conv::ToInt, Box::new(node)))
        }
        _ => None,
    }
}

fn convertible(from: Type, to: Type) -> bool {
    convert(Node::Const(Const::Null), from, to).is_some()
}

/// The common type of two branches (conditional, `??`, returns).
pub fn unify(a: Type, b: Type) -> Option<Type> {
    if a == b {
        return Some(a);
    }
    match (a, b) {
        (Type::Null, t) | (t, Type::Null) => Some(t.nullable()),
        (Type::Object, _) | (_, Type::Object) => Some(Type::Object),
        _ if convertible(a, b) => Some(b),
        _ if convertible(b, a) => Some(a),
        _ if convertible(a.nullable(), b.nullable()) => Some(b.nullable()),
        _ if convertible(b.nullable(), a.nullable()) => Some(a.nullable()),
        _ => None,
    }
}

fn char_to_int(node: Node, ty: Type) -> (Node, Type) {
    match ty.non_null() {
        Type::Char => {
            let t = if ty.admits_null() {
                Type::Nullable(Prim::Int)
            } else {
                Type::Int
            };
            (Node::Convert(Conv::ToInt, Box::new(node)), t)
        }
        _ => (node, ty),
    }
}

/// The resolved operation and result type of `l op r`.
pub fn binary_type(op: BinOp, l: Type, r: Type) -> Option<(Op, Type)> {
    let lifted = l.admits_null() && l.prim().is_some() || r.admits_null() && r.prim().is_some();
    let lift = |t: Type| if lifted { t.nullable() } else { t };
    let (ln, rn) = (l.non_null(), r.non_null());
    let numeric = l.is_numeric() && r.is_numeric();
    let arith_ty = || {
        if ln == Type::Double || rn == Type::Double {
            Type::Double
        } else {
            Type::Int
        }
    };
    Some(match op {
        BinOp::And | BinOp::Or if l == Type::Bool && r == Type::Bool => {
            (if op == BinOp::And { Op::And } else { Op::Or }, Type::Bool)
        }
        BinOp::Add if l == Type::String || r == Type::String => {
            if l == Type::Null && r == Type::Null {
                return None;
            }
            (Op::Concat, Type::String)
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem if numeric => {
            let o = match op {
                BinOp::Add => Op::Add,
                BinOp::Sub => Op::Sub,
                BinOp::Mul => Op::Mul,
                BinOp::Div => Op::Div,
                _ => Op::Rem,
            };
            (o, lift(arith_ty()))
        }
        BinOp::Add => match (ln, rn) {
            (Type::DateTime, Type::TimeSpan) => (Op::Add, lift(Type::DateTime)),
            (Type::TimeSpan, Type::TimeSpan) => (Op::Add, lift(Type::TimeSpan)),
            _ => return None,
        },
        BinOp::Sub => match (ln, rn) {
            (Type::DateTime, Type::DateTime) => (Op::Sub, lift(Type::TimeSpan)),
            (Type::DateTime, Type::TimeSpan) => (Op::Sub, lift(Type::DateTime)),
            (Type::TimeSpan, Type::TimeSpan) => (Op::Sub, lift(Type::TimeSpan)),
            _ => return None,
        },
        BinOp::Eq | BinOp::Ne => {
            let ok = numeric
                || l == Type::Object
                || r == Type::Object
                || (ln == rn && !matches!(ln, Type::StringArray | Type::Dict(_) | Type::Ns(_)))
                || (l == Type::Null && r.admits_null())
                || (r == Type::Null && l.admits_null());
            if !ok {
                return None;
            }
            (if op == BinOp::Eq { Op::Eq } else { Op::Ne }, Type::Bool)
        }
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
            let ok = numeric || (ln == rn && matches!(ln, Type::DateTime | Type::TimeSpan));
            if !ok {
                return None;
            }
            let o = match op {
                BinOp::Lt => Op::Lt,
                BinOp::Gt => Op::Gt,
                BinOp::Le => Op::Le,
                _ => Op::Ge,
            };
            (o, Type::Bool)
        }
        _ => return None,
    })
}
