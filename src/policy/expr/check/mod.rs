//! The type checker: resolves the syntax tree into the typed [`ir`](super::ir),
//! rejecting whatever is outside the subset or ill-typed, with the
//! position of the offending construct. Member and method tables live in
//! [`members`](super::members).
//!
//! `mod` holds the checker's state (scopes, local slots, the types of
//! `return`s) and the dispatch over expression kinds; `ops` types the
//! operators and casts, `stmt` the statements of `@{ }` blocks, `convert`
//! the type names and the implicit conversions C# allows. The type rules
//! of each construct are the ones C# has, restricted to the subset's
//! types ([`Type`]).
//!
//! Invariants: the IR produced is fully typed and every implicit
//! conversion that changes a value is an explicit node in it (the
//! evaluator never coerces);
//! locals get a slot each, so evaluation needs no name lookup; `null`
//! only flows into types that admit it.

use super::ast::{Ast, Kind, Part};
use super::ir::{Const, Conv, Method, Node};
use super::types::Type;
use super::CompileError;

mod convert;
mod ops;
mod stmt;

use convert::convertible;
pub use convert::{convert, resolve_type, unify};

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
}
