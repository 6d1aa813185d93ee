//! Member, method and indexer resolution: the tables of what `context`
//! exposes and which methods each type has in the subset.
//!
//! `member`, `index` and `call` are the entry points the checker calls for
//! `a.b`, `a[i]` and `a.b(...)`; they route to the tables in `context`
//! (the `context` object tree), `statics` (type names), `methods` (values)
//! and `args` (argument rules).
//!
//! Invariants: a `?.`/`?[` access, or any access through a lifted
//! receiver, has a nullable type and a `lift` node (null propagates at
//! runtime instead of throwing); `Request`/`Response` objects have no
//! methods; generic arguments are accepted only on
//! `Variables.GetValueOrDefault<T>` and `Body.As<T>`.

use super::ast::{Arg, Ast, Kind};
use super::check::{err, resolve_type, Checker, Typed};
use super::ir::{Const, Member, Method, Node};
use super::types::{CertName, DictKind, Ns, TextField as T, Type};
use super::CompileError;

mod args;
mod context;
mod methods;
mod statics;

use args::{convert_args, method_params, Flags, A};
use context::context_member;
use methods::{instance_method, method_exists, property};
pub use statics::is_static_type;
use statics::{static_member, static_method, static_name};

fn call0(recv: Node, method: Method, lift: bool) -> Node {
    Node::Call {
        recv: Some(Box::new(recv)),
        method,
        args: Vec::new(),
        lift,
    }
}

impl Checker {
    /// `obj.name` / `obj?.name` (not called).
    pub fn member(&mut self, obj: &Ast, name: &str, cond: bool, pos: usize) -> Result<Typed, CompileError> {
        if let Some(ty) = static_name(obj, self) {
            if cond {
                return err(pos, "`?.` cannot be applied to a type");
            }
            let (node, t) = static_member(&ty, name, pos)?;
            return Ok(Typed::new(node, t));
        }
        let recv = self.typed(obj)?;
        let (rt, lift) = self.receiver(&recv, cond, pos)?;
        if let Type::Ns(ns) = rt {
            let Some((member, ty)) = context_member(ns, name) else {
                return err(pos, format!("`{ns}.{name}` is not supported"));
            };
            let ty = if lift { ty.nullable() } else { ty };
            let node = Node::Member {
                obj: Box::new(recv.node),
                member,
                lift,
            };
            return Ok(Typed { node, ty, lift });
        }
        if let Type::Nullable(p) = recv.ty {
            if !cond {
                match name {
                    "HasValue" => {
                        let node = Node::Bin(
                            super::ir::Op::Ne,
                            Box::new(recv.node),
                            Box::new(Node::Const(Const::Null)),
                        );
                        return Ok(Typed::new(node, Type::Bool));
                    }
                    "Value" => {
                        let node = Node::Convert(super::ir::Conv::Unbox(Type::from(p)), Box::new(recv.node));
                        return Ok(Typed::new(node, Type::from(p)));
                    }
                    _ => return err(pos, format!("`{name}` on {} needs `.Value` first", recv.ty)),
                }
            }
        }
        let Some((method, ty)) = property(rt, name) else {
            if method_exists(rt, name) {
                return err(pos, format!("`{name}` is a method: call it with `()`"));
            }
            return err(pos, format!("{rt} has no supported member `{name}`"));
        };
        let ty = if lift { ty.nullable() } else { ty };
        Ok(Typed {
            node: call0(recv.node, method, lift),
            ty,
            lift,
        })
    }

    /// The receiver's type for member lookup and whether the access lifts null.
    fn receiver(&self, recv: &Typed, cond: bool, pos: usize) -> Result<(Type, bool), CompileError> {
        if cond && !recv.ty.admits_null() {
            return err(
                pos,
                format!("`?.` cannot be applied to {}, which is never null", recv.ty),
            );
        }
        if recv.ty == Type::Null {
            return err(pos, "member access on `null`");
        }
        let rt = if cond { recv.ty.non_null() } else { recv.ty };
        Ok((rt, cond || recv.lift))
    }

    /// `obj[index]` / `obj?[index]`.
    pub fn index(&mut self, obj: &Ast, index: &Ast, cond: bool, pos: usize) -> Result<Typed, CompileError> {
        let recv = self.typed(obj)?;
        let (rt, lift) = self.receiver(&recv, cond, pos)?;
        let (want, ty) = match rt {
            Type::Dict(d) => (Type::String, d.entry_type()),
            Type::StringArray => (Type::Int, Type::String),
            Type::String => (Type::Int, Type::Char),
            _ => return err(pos, format!("{rt} cannot be indexed")),
        };
        let index = self.want(index, want, "the index")?;
        let ty = if lift { ty.nullable() } else { ty };
        let node = Node::Index {
            obj: Box::new(recv.node),
            index: Box::new(index),
            lift,
        };
        Ok(Typed { node, ty, lift })
    }

    /// `callee(args)`.
    pub fn call(&mut self, callee: &Ast, args: &[Arg], pos: usize) -> Result<Typed, CompileError> {
        let Kind::Member {
            obj,
            name,
            cond,
            generics,
        } = &callee.kind
        else {
            return match &callee.kind {
                Kind::Name(n) => err(callee.pos, format!("unknown function `{n}`")),
                _ => err(pos, "this expression cannot be called"),
            };
        };
        let mut flags = Flags::default();
        let mut checked = Vec::with_capacity(args.len());
        for a in args {
            if let Some(n) = &a.name {
                if !(n == "preserveContent" && name == "As") {
                    return err(a.value.pos, format!("named argument `{n}` is not supported"));
                }
            }
            if self.flag(&a.value, &mut flags)? {
                continue;
            }
            let (node, ty) = self.expr(&a.value)?;
            checked.push(A {
                node,
                ty,
                pos: a.value.pos,
            });
        }
        let targs = generics.iter().map(resolve_type).collect::<Result<Vec<_>, _>>()?;
        if let Some(ty) = static_name(obj, self) {
            let (method, rty) = static_method(&ty, name, &checked, &flags, pos)?;
            let params = method_params(method, &checked);
            let args = convert_args(checked, &params)?;
            return Ok(Typed::new(
                Node::Call {
                    recv: None,
                    method,
                    args,
                    lift: false,
                },
                rty,
            ));
        }
        let recv = self.typed(obj)?;
        let (rt, lift) = self.receiver(&recv, *cond, callee.pos)?;
        if !targs.is_empty()
            && !matches!(
                (rt, name.as_str()),
                (Type::Dict(DictKind::Variables), "GetValueOrDefault") | (Type::Ns(Ns::Body(_)), "As")
            )
        {
            return err(callee.pos, format!("generic arguments on `{name}` are not supported"));
        }
        // `Url.ToString()` and `Certificate.ToString()` are context members.
        let text_member = match (rt, name.as_str(), checked.is_empty()) {
            (Type::Ns(Ns::Url(k)), "ToString", true) => Some(T::UrlFull(k)),
            (Type::Ns(Ns::Certificate), "ToString", true) => Some(T::CertText),
            (Type::Ns(Ns::CertName(CertName::Subject)), "ToString", true) => Some(T::CertSubject),
            (Type::Ns(Ns::CertName(CertName::Issuer)), "ToString", true) => Some(T::CertIssuer),
            _ => None,
        };
        if let Some(field) = text_member {
            let node = Node::Member {
                obj: Box::new(recv.node),
                member: Member::Text(field),
                lift,
            };
            return Ok(Typed {
                node,
                ty: Type::String,
                lift,
            });
        }
        if rt == Type::Ns(Ns::Request) || rt == Type::Ns(Ns::Response) {
            return err(callee.pos, format!("method `{name}` is not supported on {rt}"));
        }
        let (method, ty) = instance_method(rt, name, &checked, &targs, &flags, callee.pos)?;
        let params = method_params(method, &checked);
        let args = convert_args(checked, &params)?;
        let ty = if lift { ty.nullable() } else { ty };
        Ok(Typed {
            node: Node::Call {
                recv: Some(Box::new(recv.node)),
                method,
                args,
                lift,
            },
            ty,
            lift,
        })
    }
}
