//! Calls: method calls on a receiver (the type's own members, `object`'s,
//! then extension methods such as LINQ's), their arguments — `out`
//! variables (declared or existing locals, `_`), named arguments (taken in
//! the order written: APIM's calls have one optional parameter, e.g.
//! `As<JObject>(preserveContent: true)`), lambdas with parameter types
//! inferred from the receiver's elements for LINQ-style methods — and the
//! lambdas themselves (their own scope and flow; they see and may assign
//! the enclosing locals).

use super::chain::ret_type;
use super::ir::{Const, Node, NullableOp, OutArg, Target};
use super::names::{self, resolve_type};
use super::ty::{self, Env, Prim, Ty};
use super::Compiler;
use crate::error::CompileError;
use crate::library::anon;
use crate::syntax::ast::{Arg, ArgMod, Ast, Kind, LambdaBody, TypeName};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

/// LINQ-style methods whose lambdas take the receiver's elements.
const ELEM_METHODS: &[&str] = &[
    "Where",
    "Select",
    "SelectMany",
    "First",
    "FirstOrDefault",
    "Last",
    "LastOrDefault",
    "Single",
    "SingleOrDefault",
    "Any",
    "All",
    "Count",
    "LongCount",
    "Sum",
    "Min",
    "Max",
    "Average",
    "OrderBy",
    "OrderByDescending",
    "GroupBy",
    "ToDictionary",
    "ToLookup",
    "TakeWhile",
    "SkipWhile",
    "DistinctBy",
    "MinBy",
    "MaxBy",
    "ForEach",
    "Find",
    "FindAll",
    "FindIndex",
    "FindLast",
    "FindLastIndex",
    "Exists",
    "TrueForAll",
    "RemoveAll",
    "ConvertAll",
];

/// Of those, the ones with an `(element, index)` overload.
const INDEXED: &[&str] = &["Where", "Select", "SelectMany", "TakeWhile", "SkipWhile"];

/// Where a call's lambdas get their parameter types.
#[derive(Clone)]
pub enum Hint<'h> {
    None,
    /// Elements of the receiver.
    Elem(&'h str, Option<TypeRef>),
    /// Elements of the first argument (`Array.Find(arr, x => …)`).
    FirstArg(&'h str),
}

fn lambda_params(method: &str, elem: Option<&TypeRef>, n: usize) -> Vec<Ty> {
    let Some(e) = elem else {
        return Vec::new();
    };
    if !ELEM_METHODS.contains(&method) {
        return Vec::new();
    }
    match n {
        1 => vec![Ty::known(e.clone())],
        2 if INDEXED.contains(&method) => vec![Ty::known(e.clone()), Ty::prim(Prim::Int)],
        _ => Vec::new(),
    }
}

/// Lowered call arguments.
pub struct Args {
    pub nodes: Vec<Node>,
    pub tys: Vec<Ty>,
    pub outs: Vec<OutArg>,
}

impl Compiler {
    pub(super) fn method_call(
        &mut self,
        node: Node,
        ty: &Ty,
        name: &str,
        generics: &[TypeName],
        args: &[Arg],
        pos: usize,
    ) -> R<(Node, Ty)> {
        let mut targs = Vec::with_capacity(generics.len());
        for g in generics {
            targs.push(resolve_type(g)?);
        }
        if name == "GetType" && args.is_empty() && targs.is_empty() {
            if matches!(ty, Ty::Void | Ty::Null | Ty::Lambda) {
                return Err(CompileError::at(pos, format!("cannot call GetType() on {}", ty.text())));
            }
            return Ok((Node::GetType(Box::new(node)), Ty::of(&anon::TYPE)));
        }
        if let Ty::Known(TypeRef::Nullable(inner)) = ty {
            if name == "GetValueOrDefault" && args.len() <= 1 {
                let a = self.args(args, Hint::None)?;
                return Ok((
                    Node::Nullable {
                        recv: Box::new(node),
                        op: NullableOp::GetValueOrDefault,
                        args: a.nodes.into(),
                        default: ty::default_of(inner),
                        own: true,
                    },
                    Ty::known((**inner).clone()),
                ));
            }
        }
        let recv_ty = ty.unwrap_nullable();
        let (ret_text, owner_ty, elem): (Option<&'static str>, Option<TypeRef>, Option<TypeRef>) = match &recv_ty {
            Ty::Dyn | Ty::Never => {
                names::any_member(name, true).map_err(|m| CompileError::at(pos, m))?;
                (None, None, None)
            }
            Ty::Null | Ty::Void | Ty::Lambda => {
                return Err(CompileError::at(
                    pos,
                    format!("cannot call `{name}` on {}", recv_ty.text()),
                ))
            }
            Ty::Anon(_) => match names::OBJECT_MEMBERS.iter().find(|(n, _)| *n == name) {
                Some((_, r)) => (Some(r), None, None),
                None => {
                    return Err(CompileError::at(
                        pos,
                        format!("the anonymous type has no method `{name}`"),
                    ))
                }
            },
            Ty::Known(t) => {
                let def = names::def_of(t).ok_or_else(|| CompileError::at(pos, format!("`{t}` has no members")))?;
                let elem = ty::elem_of(t);
                let found = names::find_member(def, name, false).map_err(|m| CompileError::at(pos, m))?;
                let ret = match found {
                    Some(f) => f.member.ret,
                    None => match names::OBJECT_MEMBERS.iter().find(|(n, _)| *n == name) {
                        Some((_, r)) => r,
                        None => {
                            let enumerable =
                                elem.is_some() || names::chain(def).iter().any(|d| d.name == "IEnumerable");
                            match names::find_extension(name, enumerable) {
                                Some(f) => f.member.ret,
                                None => return Err(CompileError::at(pos, names::missing(def, name))),
                            }
                        }
                    },
                };
                (Some(ret), Some(t.clone()), elem)
            }
        };
        let a = self.args(args, Hint::Elem(name, elem.clone()))?;
        let ret = match (ret_text, &owner_ty) {
            (Some(r), Some(t)) => ret_type(r, t, &targs),
            (Some(r), None) => ty::from_table(
                r,
                &Env {
                    method: &targs,
                    ty: &[],
                    elem: None,
                },
            ),
            (None, _) => Ty::Dyn,
        };
        Ok((
            Node::Call {
                recv: Box::new(node),
                name: name.into(),
                targs: targs.into(),
                args: a.nodes.into(),
                outs: a.outs.into(),
            },
            ret,
        ))
    }

    /// Lowers call arguments.
    pub fn args(&mut self, args: &[Arg], hint: Hint<'_>) -> R<Args> {
        let mut out = Args {
            nodes: Vec::with_capacity(args.len()),
            tys: Vec::with_capacity(args.len()),
            outs: Vec::new(),
        };
        for (i, a) in args.iter().enumerate() {
            match a.modifier {
                ArgMod::Ref | ArgMod::In => {
                    return Err(CompileError::at(
                        a.value.pos,
                        "`ref` and `in` arguments are not supported in policy expressions",
                    ))
                }
                ArgMod::Out => {
                    let o = self.out_arg(i, &a.value)?;
                    out.outs.push(o);
                    out.nodes.push(Node::Const(Const::Null));
                    out.tys.push(Ty::Dyn);
                }
                ArgMod::None => {
                    if let Kind::Lambda { params, body } = &a.value.kind {
                        let elem = match &hint {
                            Hint::None => None,
                            Hint::Elem(_, e) => e.clone(),
                            Hint::FirstArg(_) => match out.tys.first() {
                                Some(Ty::Known(t)) if i > 0 => ty::elem_of(t),
                                _ => None,
                            },
                        };
                        let method = match &hint {
                            Hint::None => "",
                            Hint::Elem(m, _) | Hint::FirstArg(m) => m,
                        };
                        let hints = lambda_params(method, elem.as_ref(), params.len());
                        let idx = self.lambda(params, body, hints, a.value.pos)?;
                        out.nodes.push(Node::Lambda(idx));
                        out.tys.push(Ty::Lambda);
                    } else {
                        let (n, t) = self.expr(&a.value)?;
                        if matches!(t, Ty::Void) {
                            return Err(CompileError::at(a.value.pos, "a void call cannot be an argument"));
                        }
                        out.nodes.push(n);
                        out.tys.push(t);
                    }
                }
            }
        }
        Ok(out)
    }

    fn out_arg(&mut self, i: usize, v: &Ast) -> R<OutArg> {
        let pos = i as u32;
        match &v.kind {
            Kind::OutVar(tn, name) => {
                let declared = match tn {
                    Some(t) if !t.is_var() => Some(resolve_type(t)?),
                    _ => None,
                };
                if name == "_" {
                    return Ok(OutArg {
                        pos,
                        target: Target::Discard,
                        conv: None,
                        default: Const::Null,
                    });
                }
                let ty = declared.clone().map_or(Ty::Dyn, Ty::known);
                let slot = self.declare(name, ty, v.pos, None)?;
                self.flow.assign(slot);
                Ok(OutArg {
                    pos,
                    target: Target::Local(slot),
                    default: declared.as_ref().map_or(Const::Null, ty::default_of),
                    conv: declared,
                })
            }
            Kind::Name(n) => {
                let Some(slot) = self.lookup(n) else {
                    if n == "_" {
                        return Ok(OutArg {
                            pos,
                            target: Target::Discard,
                            conv: None,
                            default: Const::Null,
                        });
                    }
                    return Err(CompileError::at(v.pos, format!("unknown name `{n}`")));
                };
                if let Some(why) = self.local(slot).readonly {
                    return Err(CompileError::at(v.pos, format!("cannot assign to `{n}`: it is {why}")));
                }
                self.flow.assign(slot);
                let declared = match &self.local(slot).ty {
                    Ty::Known(t) => Some(t.clone()),
                    _ => None,
                };
                Ok(OutArg {
                    pos,
                    target: Target::Local(slot),
                    default: declared.as_ref().map_or(Const::Null, ty::default_of),
                    conv: declared,
                })
            }
            _ => Err(CompileError::at(v.pos, "an `out` argument must be a local variable")),
        }
    }

    /// Compiles a lambda argument; its index.
    pub fn lambda(
        &mut self,
        params: &[crate::syntax::ast::Param],
        body: &LambdaBody,
        hints: Vec<Ty>,
        pos: usize,
    ) -> R<u32> {
        self.enter(pos)?;
        let idx = self.reserve_lambda();
        self.push_scope();
        let mut slots = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            let ty = match &p.ty {
                Some(tn) => Ty::known(resolve_type(tn)?),
                None => hints.get(i).cloned().unwrap_or(Ty::Dyn),
            };
            let s = self.declare(&p.name, ty, p.pos, None)?;
            self.flow.assign(s);
            slots.push(s);
        }
        let saved_func = std::mem::take(&mut self.func);
        let saved_flow = self.flow.clone();
        let body = match body {
            LambdaBody::Expr(e) => {
                let (n, t) = self.expr(e)?;
                if matches!(t, Ty::Lambda) {
                    return Err(CompileError::at(e.pos, "a lambda cannot return a lambda here"));
                }
                super::ir::Body::Expr(n)
            }
            LambdaBody::Block(stmts) => {
                let b = self.block(stmts)?;
                if !self.func.returns.is_empty() && self.flow.reach {
                    return Err(CompileError::at(
                        pos,
                        "not all code paths return a value in the lambda expression",
                    ));
                }
                super::ir::Body::Block(b.into())
            }
        };
        self.func = saved_func;
        self.flow = saved_flow;
        self.pop_scope();
        if let Some(l) = self.lambdas.get_mut(idx as usize) {
            *l = Some(super::ir::Lambda {
                params: slots.into(),
                body,
            });
        }
        self.leave();
        Ok(idx)
    }
}
