//! Expressions: literals, interpolation, casts, `as`, `is` and patterns,
//! `default`, `typeof`, `nameof`, `checked`, `throw`, and the dispatch to
//! the other expression modules (member chains in `chain`, creation in
//! `create`, operators in `ops`). Also implicit conversions with C#'s
//! constant folding (`byte b = 1;`).

use std::str::FromStr;

use rust_decimal::Decimal;

use super::ir::{Const, Node, Pat, Piece, Un};
use super::names::resolve_type;
use super::ty::{self, Implicit, Prim, Ty};
use super::{Compiler, Flow};
use crate::error::CompileError;
use crate::library::anon;
use crate::syntax::ast::{Ast, BinOp, IntSuffix, Kind, Part, Pattern, RealSuffix, TypeName, UnOp};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

impl Compiler {
    /// Lowers an expression; its static type.
    pub fn expr(&mut self, a: &Ast) -> R<(Node, Ty)> {
        self.enter(a.pos)?;
        let r = self.expr_inner(a);
        self.leave();
        r
    }

    fn expr_inner(&mut self, a: &Ast) -> R<(Node, Ty)> {
        let pos = a.pos;
        Ok(match &a.kind {
            Kind::Null => (Node::Const(Const::Null), Ty::Null),
            Kind::Bool(b) => (Node::Const(Const::Bool(*b)), Ty::prim(Prim::Bool)),
            Kind::Int(v, s) => {
                let (c, p) = int_literal(*v, *s);
                (Node::Const(c), Ty::prim(p))
            }
            Kind::Real(f, s, text) => {
                let (c, p) = real_literal(*f, *s, text)
                    .ok_or_else(|| CompileError::at(pos, format!("`{text}` is not a valid decimal literal")))?;
                (Node::Const(c), Ty::prim(p))
            }
            Kind::Str(s) => (Node::Const(Const::Str(s.as_str().into())), Ty::prim(Prim::String)),
            Kind::Char(c) => (Node::Const(Const::Char(*c)), Ty::prim(Prim::Char)),
            Kind::Interp(parts) => self.interp(parts)?,
            Kind::Name(_) | Kind::Member { .. } | Kind::Call { .. } | Kind::Index { .. } | Kind::Type(_) => {
                self.chain(a)?
            }
            Kind::Unary(op, e) => self.unary(*op, e, pos)?,
            Kind::Binary(op, l, r) => self.binary(*op, l, r, pos)?,
            Kind::Assign { op, target, value } => self.assign(*op, target, value, pos)?,
            Kind::Cond(c, t, e) => self.conditional(c, t, e)?,
            Kind::Cast(tn, e) => self.cast(tn, e, pos)?,
            Kind::As(e, tn) => {
                let (n, _) = self.expr(e)?;
                let t = resolve_type(tn)?;
                if Ty::known(t.clone()).is_value_type() {
                    return Err(CompileError::at(
                        pos,
                        format!("`as` needs a reference or nullable type, not `{t}`"),
                    ));
                }
                (Node::As(Box::new(n), t.clone()), Ty::known(t))
            }
            Kind::Is(e, p) => {
                let (n, t) = self.expr(e)?;
                let pat = self.pattern(p, &t, pos)?;
                (Node::Is(Box::new(n), Box::new(pat)), Ty::prim(Prim::Bool))
            }
            Kind::Lambda { .. } => {
                return Err(CompileError::at(
                    pos,
                    "a lambda expression is only allowed as a method argument",
                ))
            }
            Kind::New { ty, args, init } => self.new_object(ty, args, init.as_ref(), pos)?,
            Kind::NewArray { elem, size, items } => {
                self.new_array(elem.as_ref(), size.as_deref(), items.as_deref(), None, pos)?
            }
            Kind::NewAnon(members) => self.new_anon(members)?,
            Kind::Default(None) => (Node::Const(Const::Null), Ty::Null),
            Kind::Default(Some(tn)) => {
                let t = resolve_type(tn)?;
                (Node::Const(ty::default_of(&t)), Ty::known(t))
            }
            Kind::TypeOf(tn) => {
                let t = resolve_type(tn)?;
                (Node::TypeOf(t), Ty::of(&anon::TYPE))
            }
            Kind::NameOf(s) => (Node::Const(Const::Str(s.as_str().into())), Ty::prim(Prim::String)),
            Kind::Checked(on, e) => {
                let saved = std::mem::replace(&mut self.checked, *on);
                let r = self.expr(e);
                self.checked = saved;
                r?
            }
            Kind::Throw(e) => {
                let n = self.thrown(e)?;
                (Node::Throw(Box::new(n)), Ty::Never)
            }
            Kind::OutVar(..) => {
                return Err(CompileError::at(
                    pos,
                    "an `out` variable declaration is only allowed as a method argument",
                ))
            }
            Kind::Paren(e) => self.expr(e)?,
        })
    }

    /// The operand of `throw`: an exception.
    pub fn thrown(&mut self, e: &Ast) -> R<Node> {
        let (n, t) = self.expr(e)?;
        match &t {
            Ty::Known(TypeRef::Named(d, _)) if !d.is(&anon::EXCEPTION) && d.name != "Object" => Err(CompileError::at(
                e.pos,
                format!("the type thrown must be an exception, not `{}`", t.text()),
            )),
            Ty::Known(_) | Ty::Dyn | Ty::Never | Ty::Null => Ok(n),
            _ => Err(CompileError::at(
                e.pos,
                format!("the type thrown must be an exception, not `{}`", t.text()),
            )),
        }
    }

    /// A condition and the flow states where it is true and where it is
    /// false (C#'s definite assignment "when true"/"when false", so that
    /// `if (s != null && int.TryParse(s, out var n)) … n …` compiles, and
    /// constant conditions make a branch unreachable).
    pub fn cond_flows(&mut self, a: &Ast) -> R<(Node, Flow, Flow)> {
        self.enter(a.pos)?;
        let r = match &a.kind {
            Kind::Paren(e) => self.cond_flows(e),
            Kind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => self.and_or(*op, l, r),
            Kind::Unary(UnOp::Not, e) => self.cond_flows(e).map(|(n, t, f)| {
                let n = match n {
                    Node::Const(Const::Bool(b)) => Node::Const(Const::Bool(!b)),
                    n => Node::Unary {
                        op: Un::Not,
                        arg: Box::new(n),
                        checked: false,
                    },
                };
                (n, f, t)
            }),
            _ => self.condition(a).map(|n| {
                let (mut t, mut f) = (self.flow.clone(), self.flow.clone());
                match n {
                    Node::Const(Const::Bool(true)) => f = Flow::dead(),
                    Node::Const(Const::Bool(false)) => t = Flow::dead(),
                    _ => {}
                }
                (n, t, f)
            }),
        };
        self.leave();
        r
    }

    /// `l && r` / `l || r` with their true and false flows.
    pub fn and_or(&mut self, op: BinOp, l: &Ast, r: &Ast) -> R<(Node, Flow, Flow)> {
        let (na, ta, fa) = self.cond_flows(l)?;
        let and = op == BinOp::And;
        self.flow = if and { ta.clone() } else { fa.clone() };
        let (nb, tb, fb) = self.cond_flows(r)?;
        let n = match (&na, and) {
            (Node::Const(Const::Bool(true)), true) | (Node::Const(Const::Bool(false)), false) => nb,
            (Node::Const(Const::Bool(_)), _) => na,
            _ if and => Node::AndAlso(Box::new(na), Box::new(nb)),
            _ => Node::OrElse(Box::new(na), Box::new(nb)),
        };
        Ok(if and {
            (n, tb, fa.join(&fb))
        } else {
            (n, ta.join(&tb), fb)
        })
    }

    /// A condition (`if`, `while`, `?:`, `&&`): a `bool`.
    pub fn condition(&mut self, a: &Ast) -> R<Node> {
        let (n, t) = self.expr(a)?;
        match &t {
            Ty::Dyn | Ty::Never => Ok(n),
            t if t.as_prim() == Some(Prim::Bool) => Ok(n),
            t => Err(CompileError::at(
                a.pos,
                format!("cannot implicitly convert type `{}` to `bool`", t.text()),
            )),
        }
    }

    /// `value` converted implicitly to `to` (declarations, assignments,
    /// array elements): integer constants fold as C# allows
    /// (`byte b = 1;`), other conversions happen at run time.
    pub fn coerce(&mut self, n: Node, from: &Ty, to: &TypeRef, pos: usize) -> R<Node> {
        if let Node::Const(c) = &n {
            if let Some(f) = fold_implicit(c, to) {
                return Ok(Node::Const(f));
            }
        }
        match ty::implicit(from, to) {
            Implicit::Same => Ok(n),
            Implicit::Yes | Implicit::Runtime => Ok(Node::Convert {
                arg: Box::new(n),
                to: to.clone(),
                explicit: false,
                checked: self.checked,
            }),
            Implicit::No => Err(CompileError::at(
                pos,
                format!("cannot implicitly convert type `{}` to `{to}`", from.text()),
            )),
        }
    }

    fn cast(&mut self, tn: &TypeName, e: &Ast, pos: usize) -> R<(Node, Ty)> {
        let to = resolve_type(tn)?;
        let (n, from) = self.expr(e)?;
        let to_ty = Ty::known(to.clone());
        if let Node::Const(c) = &n {
            if let Some(f) = fold_explicit(c, &to) {
                return Ok((Node::Const(f), to_ty));
            }
        }
        if let (Some((a, _)), Some(b)) = (from.lifted_prim(), to_ty.unwrap_nullable().as_prim()) {
            let ok = a == b || (a.is_arith() && b.is_arith()) || a == Prim::Object || b == Prim::Object;
            if !ok {
                return Err(CompileError::at(
                    pos,
                    format!("cannot convert type `{}` to `{to}`", from.text()),
                ));
            }
        }
        if matches!(from, Ty::Void | Ty::Lambda) {
            return Err(CompileError::at(
                pos,
                format!("cannot convert type `{}` to `{to}`", from.text()),
            ));
        }
        Ok((
            Node::Convert {
                arg: Box::new(n),
                to,
                explicit: true,
                checked: self.checked,
            },
            to_ty,
        ))
    }

    /// A pattern of `is` or `case` against a subject of static type `subject`.
    pub fn pattern(&mut self, p: &Pattern, subject: &Ty, pos: usize) -> R<Pat> {
        Ok(match p {
            Pattern::Type(tn, name) => {
                let t = resolve_type(tn)?;
                let slot = match name {
                    Some(n) if n != "_" => {
                        let s = self.declare(n, Ty::known(t.clone()), pos, None)?;
                        self.flow.assign(s);
                        Some(s)
                    }
                    _ => None,
                };
                Pat::Type(t, slot)
            }
            Pattern::Var(name) => {
                let s = self.declare(name, subject.clone(), pos, None)?;
                self.flow.assign(s);
                Pat::Var(s)
            }
            Pattern::Const(a) => {
                let (n, t) = self.expr(a)?;
                if let (Some((x, _)), Some((y, _))) = (subject.lifted_prim(), t.lifted_prim()) {
                    let ok = x == y || (x.is_arith() && y.is_arith()) || x == Prim::Object || y == Prim::Object;
                    if !ok {
                        return Err(CompileError::at(
                            a.pos,
                            format!(
                                "a constant of type `{}` cannot match a value of type `{}`",
                                t.text(),
                                subject.text()
                            ),
                        ));
                    }
                }
                Pat::Const(n)
            }
        })
    }

    fn interp(&mut self, parts: &[Part]) -> R<(Node, Ty)> {
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            match p {
                Part::Text(t) => out.push(Piece::Text(t.as_str().into())),
                Part::Hole {
                    value,
                    alignment,
                    format,
                } => {
                    let (n, t) = self.expr(value)?;
                    if matches!(t, Ty::Void | Ty::Lambda) {
                        return Err(CompileError::at(value.pos, "an interpolation hole needs a value"));
                    }
                    let align = match alignment {
                        None => 0,
                        Some(a) => const_int(a).ok_or_else(|| {
                            CompileError::at(a.pos, "the alignment of an interpolation hole must be a constant int")
                        })?,
                    };
                    out.push(Piece::Hole {
                        value: n,
                        align,
                        format: format.as_deref().unwrap_or("").into(),
                    });
                }
            }
        }
        if let [Piece::Text(t)] = out.as_slice() {
            return Ok((Node::Const(Const::Str(t.clone())), Ty::prim(Prim::String)));
        }
        if out.is_empty() {
            return Ok((Node::Const(Const::Str("".into())), Ty::prim(Prim::String)));
        }
        Ok((Node::Interp(out.into()), Ty::prim(Prim::String)))
    }
}

/// An int constant (`8`, `-8`) as written for an alignment.
fn const_int(a: &Ast) -> Option<i32> {
    match &a.kind {
        Kind::Int(v, IntSuffix::None) => i32::try_from(*v).ok(),
        Kind::Unary(UnOp::Neg, e) => const_int(e).and_then(i32::checked_neg),
        Kind::Unary(UnOp::Plus, e) | Kind::Paren(e) => const_int(e),
        _ => None,
    }
}

/// An integer literal's constant and C# type.
pub fn int_literal(v: u64, s: IntSuffix) -> (Const, Prim) {
    let small = u32::try_from(v).ok();
    match s {
        IntSuffix::None => {
            if let Ok(i) = i32::try_from(v) {
                (Const::Int(i), Prim::Int)
            } else if let Some(u) = small {
                (Const::UInt(u), Prim::UInt)
            } else if let Ok(l) = i64::try_from(v) {
                (Const::Long(l), Prim::Long)
            } else {
                (Const::ULong(v), Prim::ULong)
            }
        }
        IntSuffix::U => match small {
            Some(u) => (Const::UInt(u), Prim::UInt),
            None => (Const::ULong(v), Prim::ULong),
        },
        IntSuffix::L => match i64::try_from(v) {
            Ok(l) => (Const::Long(l), Prim::Long),
            Err(_) => (Const::ULong(v), Prim::ULong),
        },
        IntSuffix::UL => (Const::ULong(v), Prim::ULong),
    }
}

/// A real literal's constant and C# type (`None`: a decimal out of range).
pub fn real_literal(f: f64, s: RealSuffix, text: &str) -> Option<(Const, Prim)> {
    Some(match s {
        RealSuffix::None | RealSuffix::D => (Const::Double(f), Prim::Double),
        RealSuffix::F => (Const::Float(f as f32), Prim::Float),
        RealSuffix::M => {
            let t: String = text.chars().filter(|c| *c != '_' && !matches!(c, 'm' | 'M')).collect();
            let d = Decimal::from_str(&t).or_else(|_| Decimal::from_scientific(&t)).ok()?;
            (Const::Decimal(d), Prim::Decimal)
        }
    })
}

/// The integer value of an integral constant.
pub fn const_integer(c: &Const) -> Option<i128> {
    Some(match *c {
        Const::Char(v) => v as i128,
        Const::SByte(v) => v.into(),
        Const::Byte(v) => v.into(),
        Const::Short(v) => v.into(),
        Const::UShort(v) => v.into(),
        Const::Int(v) => v.into(),
        Const::UInt(v) => v.into(),
        Const::Long(v) => v.into(),
        Const::ULong(v) => v.into(),
        _ => return None,
    })
}

/// An integral value as a constant of `p`, if it fits.
fn integer_as(v: i128, p: Prim) -> Option<Const> {
    Some(match p {
        Prim::SByte => Const::SByte(i8::try_from(v).ok()?),
        Prim::Byte => Const::Byte(u8::try_from(v).ok()?),
        Prim::Short => Const::Short(i16::try_from(v).ok()?),
        Prim::UShort => Const::UShort(u16::try_from(v).ok()?),
        Prim::Int => Const::Int(i32::try_from(v).ok()?),
        Prim::UInt => Const::UInt(u32::try_from(v).ok()?),
        Prim::Long => Const::Long(i64::try_from(v).ok()?),
        Prim::ULong => Const::ULong(u64::try_from(v).ok()?),
        Prim::Char => Const::Char(char::from_u32(u32::try_from(v).ok()?)?),
        Prim::Float => Const::Float(v as f32),
        Prim::Double => Const::Double(v as f64),
        Prim::Decimal => Const::Decimal(Decimal::from_i128_with_scale(v, 0)),
        _ => return None,
    })
}

fn target_prim(to: &TypeRef) -> Option<Prim> {
    match to {
        TypeRef::Nullable(t) => target_prim(t),
        t => Ty::known(t.clone()).as_prim(),
    }
}

/// C#'s implicit conversion of a constant: integer constants to any
/// integral type they fit (`byte b = 1;`) and to the real types.
fn fold_implicit(c: &Const, to: &TypeRef) -> Option<Const> {
    let p = target_prim(to)?;
    let v = const_integer(c)?;
    let from = match c {
        Const::Int(_) => Prim::Int,
        Const::Char(_) => Prim::Char,
        Const::Long(_) => Prim::Long,
        Const::UInt(_) => Prim::UInt,
        Const::ULong(_) => Prim::ULong,
        _ => return None,
    };
    // int constants narrow to any integral type they fit, long constants
    // to ulong when not negative; others only widen.
    let ok = match from {
        Prim::Int => p.is_arith() && p != Prim::Char,
        Prim::Long => from.widens_to(p) || (p == Prim::ULong && v >= 0),
        _ => from.widens_to(p),
    };
    if !ok {
        return None;
    }
    integer_as(v, p)
}

/// A cast of an integral constant that fits (`(byte)1`, `(long)2`,
/// `(char)65`); others are converted at run time.
fn fold_explicit(c: &Const, to: &TypeRef) -> Option<Const> {
    if matches!(to, TypeRef::Nullable(_)) {
        return None;
    }
    let p = target_prim(to)?;
    if !p.is_arith() {
        return None;
    }
    integer_as(const_integer(c)?, p)
}
