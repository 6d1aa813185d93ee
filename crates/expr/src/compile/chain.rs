//! Member chains: `a.b(c)[d]?.e`, flattened and lowered left to right.
//! The start is a local, `context`, or a type path (`Math`,
//! `System.Text.Encoding`, `List<int>`) followed by a static member; `?.`
//! and `?[]` store the receiver in a temporary and make the rest of the
//! chain conditional ([`Node::CondAccess`]). Member lookup follows the
//! static type where it is known, and accepts any member some type has
//! where it is dynamic. Method calls and their arguments are in `call`.

use super::call::Hint;
use super::ir::{Const, Node, NullableOp};
use super::names::{self, resolve_type, PathStart};
use super::ty::{self, Env, Prim, Ty};
use super::Compiler;
use crate::context::Ns;
use crate::error::CompileError;
use crate::library::{self, collections};
use crate::syntax::ast::{Arg, Ast, Kind, TypeName};
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

type R<T> = Result<T, CompileError>;

/// One step of a chain after its start.
#[derive(Clone, Copy)]
enum Post<'x> {
    Member {
        name: &'x str,
        generics: &'x [TypeName],
        cond: bool,
        pos: usize,
    },
    Call {
        args: &'x [Arg],
        pos: usize,
    },
    Index {
        args: &'x [Ast],
        cond: bool,
        pos: usize,
    },
}

fn flatten(a: &Ast) -> (&Ast, Vec<Post<'_>>) {
    let mut posts = Vec::new();
    let mut cur = a;
    loop {
        match &cur.kind {
            Kind::Member {
                obj,
                name,
                cond,
                generics,
            } => {
                posts.push(Post::Member {
                    name,
                    generics,
                    cond: *cond,
                    pos: cur.pos,
                });
                cur = obj;
            }
            Kind::Call { callee, args } => {
                posts.push(Post::Call { args, pos: cur.pos });
                cur = callee;
            }
            Kind::Index { obj, args, cond } => {
                posts.push(Post::Index {
                    args,
                    cond: *cond,
                    pos: cur.pos,
                });
                cur = obj;
            }
            _ => break,
        }
    }
    posts.reverse();
    (cur, posts)
}

impl Compiler {
    /// A chain (or a single name).
    pub fn chain(&mut self, a: &Ast) -> R<(Node, Ty)> {
        let (base, posts) = flatten(a);
        if posts.len() > super::MAX_DEPTH as usize {
            return Err(CompileError::at(a.pos, "the member chain is too long"));
        }
        let (node, ty, used) = self.chain_start(base, &posts)?;
        self.chain_rest(node, ty, posts.get(used..).unwrap_or(&[]), false)
    }

    /// The start of a chain; how many posts it used (type paths and
    /// static members).
    fn chain_start(&mut self, base: &Ast, posts: &[Post<'_>]) -> R<(Node, Ty, usize)> {
        match &base.kind {
            Kind::Name(n) => {
                if let Some(slot) = self.lookup(n) {
                    if let Some(c) = &self.local(slot).konst {
                        return Ok((Node::Const(c.clone()), self.local(slot).ty.clone(), 0));
                    }
                    if !self.flow.is_assigned(slot) && !self.read_unassigned(slot, n) {
                        return Err(CompileError::at(
                            base.pos,
                            format!("use of unassigned local variable `{n}`"),
                        ));
                    }
                    return Ok((Node::Local(slot), self.local(slot).ty.clone(), 0));
                }
                if let Some(f) = self.lookup_fn(n) {
                    return match posts.first() {
                        Some(Post::Call { args, .. }) => {
                            let (node, ty) = self.local_call(f, args, base.pos)?;
                            Ok((node, ty, 1))
                        }
                        _ => Err(CompileError::at(
                            base.pos,
                            format!("the local function `{n}` can only be called (it is not a value)"),
                        )),
                    };
                }
                if n == "context" {
                    let ty = library::type_of(&Value::Ns(Ns::Context)).map_or(Ty::Dyn, Ty::of);
                    return Ok((Node::Context, ty, 0));
                }
                let mut segs = vec![n.as_str()];
                for p in posts {
                    match p {
                        Post::Member {
                            name,
                            generics: [],
                            cond: false,
                            ..
                        } => segs.push(name),
                        _ => break,
                    }
                }
                match names::resolve_path(&segs) {
                    Ok(PathStart::Type(def, k)) => {
                        let used = k - 1;
                        let (node, ty, more) =
                            self.static_access(def, &[], posts.get(used..).unwrap_or(&[]), base.pos)?;
                        Ok((node, ty, used + more))
                    }
                    Err(msg) => Err(CompileError::at(base.pos, msg)),
                }
            }
            Kind::Type(tn) => {
                let t = resolve_type(tn)?;
                let Some(def) = t.def().filter(|_| matches!(t, TypeRef::Named(..))) else {
                    return Err(CompileError::at(base.pos, format!("`{t}` is a type, not a value")));
                };
                let (node, ty, used) = self.static_access(def, t.args(), posts, base.pos)?;
                Ok((node, ty, used))
            }
            _ => {
                let (n, t) = self.expr(base)?;
                Ok((n, t, 0))
            }
        }
    }

    /// `T.name` or `T.name(args)` at the start of `posts`.
    fn static_access(
        &mut self,
        def: &'static TypeDef,
        targs_of_type: &[TypeRef],
        posts: &[Post<'_>],
        pos: usize,
    ) -> R<(Node, Ty, usize)> {
        let Some(Post::Member {
            name,
            generics,
            cond,
            pos: mpos,
        }) = posts.first().copied()
        else {
            return Err(CompileError::at(pos, format!("`{}` is a type, not a value", def.name)));
        };
        if cond {
            return Err(CompileError::at(mpos, "`?.` cannot follow a type name"));
        }
        let mut targs = Vec::with_capacity(generics.len());
        for g in generics {
            targs.push(resolve_type(g)?);
        }
        let call = match posts.get(1) {
            Some(Post::Call { args, pos }) => Some((*args, *pos)),
            _ => None,
        };
        if call.is_none() && def.kind == crate::types::TypeKind::Enum {
            if let Some((_, v)) = def.enum_values.iter().find(|(n, _)| *n == name) {
                names::find_member(def, name, true).map_err(|m| CompileError::at(mpos, m))?;
                if let crate::types::Apim::Only(l) = def.apim {
                    if !l.contains(&name) {
                        return Err(CompileError::at(
                            mpos,
                            format!("`{}.{name}` is not allowed by APIM", def.name),
                        ));
                    }
                }
                return Ok((Node::Const(Const::Enum(def, *v)), Ty::of(def), 1));
            }
        }
        let mut def = def;
        let found = match names::find_member(def, name, true).map_err(|m| CompileError::at(mpos, m))? {
            Some(f) => f,
            None => {
                let other = names::namesakes(def)
                    .find_map(|d| names::find_member(d, name, true).ok().flatten().map(|f| (d, f)));
                match other {
                    Some((d, f)) => {
                        def = d;
                        f
                    }
                    None => return Err(CompileError::at(mpos, names::missing(def, name))),
                }
            }
        };
        match call {
            Some((args, _)) => {
                let hint = if def.is(&collections::ARRAY) || def.name == "Enumerable" {
                    Hint::FirstArg(name)
                } else {
                    Hint::None
                };
                let a = self.args(args, hint)?;
                let first_elem = a.tys.first().and_then(|t| match t {
                    Ty::Known(t) => ty::elem_of(t),
                    _ => None,
                });
                let env = Env {
                    method: &targs,
                    ty: targs_of_type,
                    elem: first_elem.as_ref(),
                };
                let ret = ty::from_table(found.member.ret, &env);
                Ok((
                    Node::CallStatic {
                        ty: def,
                        name: name.into(),
                        targs: targs.into(),
                        args: a.nodes.into(),
                        outs: a.outs.into(),
                    },
                    ret,
                    2,
                ))
            }
            None => {
                let env = Env {
                    method: &targs,
                    ty: targs_of_type,
                    elem: None,
                };
                let ret = ty::from_table(found.member.ret, &env);
                Ok((
                    Node::Static {
                        ty: def,
                        name: name.into(),
                    },
                    ret,
                    1,
                ))
            }
        }
    }

    /// Applies `posts` to `node`; `skip_cond` treats the first post as
    /// unconditional (its `?.` is being lowered).
    fn chain_rest(&mut self, mut node: Node, mut ty: Ty, posts: &[Post<'_>], mut skip_cond: bool) -> R<(Node, Ty)> {
        let mut i = 0;
        while let Some(p) = posts.get(i).copied() {
            let cond = match p {
                Post::Member { cond, .. } | Post::Index { cond, .. } => cond,
                Post::Call { .. } => false,
            };
            if cond && !skip_cond {
                let pos = match p {
                    Post::Member { pos, .. } | Post::Index { pos, .. } | Post::Call { pos, .. } => pos,
                };
                if matches!(ty, Ty::Void) {
                    return Err(CompileError::at(pos, "`?.` needs a value"));
                }
                let slot = self.temp();
                self.enter(pos)?;
                let inner = ty.unwrap_nullable();
                let r = self.chain_rest(Node::Take(slot), inner, &posts[i..], true);
                self.leave();
                let (body, bty) = r?;
                let bty = match bty {
                    Ty::Void => Ty::Void,
                    t => t.nullable(),
                };
                return Ok((
                    Node::CondAccess {
                        recv: Box::new(node),
                        slot,
                        body: Box::new(body),
                    },
                    bty,
                ));
            }
            skip_cond = false;
            match p {
                Post::Member {
                    name, generics, pos, ..
                } => {
                    if let Some(Post::Call { args, pos: cpos }) = posts.get(i + 1).copied() {
                        (node, ty) = self.method_call(node, &ty, name, generics, args, cpos)?;
                        i += 2;
                    } else {
                        if !generics.is_empty() {
                            return Err(CompileError::at(pos, format!("`{name}` is not a generic method call")));
                        }
                        (node, ty) = self.property(node, &ty, name, pos)?;
                        i += 1;
                    }
                }
                Post::Index { args, pos, .. } => {
                    (node, ty) = self.index(node, &ty, args, pos)?;
                    i += 1;
                }
                Post::Call { pos, .. } => {
                    return Err(CompileError::at(
                        pos,
                        "only methods can be called (this is not a method)",
                    ));
                }
            }
        }
        Ok((node, ty))
    }

    /// The static type of member `name` read on `ty` (property access).
    pub fn member_type(&self, ty: &Ty, name: &str, pos: usize) -> R<Ty> {
        match ty {
            Ty::Dyn | Ty::Never => {
                if !self.anon_names.contains(name) {
                    names::any_member(name, false).map_err(|m| CompileError::at(pos, m))?;
                }
                Ok(Ty::Dyn)
            }
            Ty::Null => Err(CompileError::at(pos, format!("cannot read `{name}` of null"))),
            Ty::Void => Err(CompileError::at(pos, format!("cannot read `{name}` of void"))),
            Ty::Lambda => Err(CompileError::at(pos, format!("cannot read `{name}` of a lambda"))),
            Ty::Anon(fields) => fields
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| CompileError::at(pos, format!("the anonymous type has no member `{name}`"))),
            Ty::Known(TypeRef::Nullable(inner)) => match name {
                "HasValue" => Ok(Ty::prim(Prim::Bool)),
                "Value" => Ok(Ty::known((**inner).clone())),
                _ => self.member_type(&Ty::known((**inner).clone()), name, pos),
            },
            Ty::Known(t) => {
                let def = names::def_of(t).ok_or_else(|| CompileError::at(pos, format!("`{t}` has no members")))?;
                let found = names::find_member(def, name, false)
                    .map_err(|m| CompileError::at(pos, m))?
                    .ok_or_else(|| CompileError::at(pos, names::missing(def, name)))?;
                Ok(ret_type(found.member.ret, t, &[]))
            }
        }
    }

    pub(super) fn property(&mut self, node: Node, ty: &Ty, name: &str, pos: usize) -> R<(Node, Ty)> {
        let nullable = matches!(ty, Ty::Known(TypeRef::Nullable(_)));
        if (nullable || ty.is_dyn()) && matches!(name, "HasValue" | "Value") {
            let op = if name == "HasValue" {
                NullableOp::HasValue
            } else {
                NullableOp::Value
            };
            let t = self.member_type(ty, name, pos)?;
            return Ok((
                Node::Nullable {
                    recv: Box::new(node),
                    op,
                    args: Box::new([]),
                    default: Const::Null,
                    own: nullable,
                },
                t,
            ));
        }
        let t = self.member_type(ty, name, pos)?;
        Ok((
            Node::Member {
                recv: Box::new(node),
                name: name.into(),
            },
            t,
        ))
    }

    fn index(&mut self, node: Node, ty: &Ty, args: &[Ast], pos: usize) -> R<(Node, Ty)> {
        let [key] = args else {
            return Err(CompileError::at(pos, "only indexers with one argument are supported"));
        };
        let (k, kt) = self.expr(key)?;
        let t = self.index_type(ty, &kt, pos)?;
        Ok((
            Node::Index {
                recv: Box::new(node),
                key: Box::new(k),
            },
            t,
        ))
    }

    /// The static type of `recv[key]`.
    pub fn index_type(&self, ty: &Ty, key: &Ty, pos: usize) -> R<Ty> {
        match ty {
            Ty::Dyn | Ty::Never => Ok(Ty::Dyn),
            Ty::Known(TypeRef::Array(e)) => {
                if let Some(p) = key.as_prim() {
                    if !p.is_integral() {
                        return Err(CompileError::at(
                            pos,
                            format!("an array index must be an integer, not `{}`", key.text()),
                        ));
                    }
                }
                Ok(Ty::known((**e).clone()))
            }
            Ty::Known(t @ TypeRef::Named(def, _)) => {
                match names::find_member(def, "this[]", false).map_err(|m| CompileError::at(pos, m))? {
                    Some(f) => Ok(ret_type(f.member.ret, t, &[])),
                    None => {
                        let m = names::missing(def, "this[]");
                        Err(CompileError::at(
                            pos,
                            if m.contains("has no member") {
                                format!("cannot apply indexing with [] to a value of type `{t}`")
                            } else {
                                m.replace(".this[]", "'s indexer")
                            },
                        ))
                    }
                }
            }
            t => Err(CompileError::at(
                pos,
                format!("cannot apply indexing with [] to a value of type `{}`", t.text()),
            )),
        }
    }
}

/// A member's return type on a receiver of static type `t`.
pub(super) fn ret_type(ret: &str, t: &TypeRef, method: &[TypeRef]) -> Ty {
    let elem = ty::elem_of(t);
    let arr_args;
    let ty_args: &[TypeRef] = match t {
        TypeRef::Array(e) => {
            arr_args = [(**e).clone()];
            &arr_args
        }
        t => t.args(),
    };
    ty::from_table(
        ret,
        &Env {
            method,
            ty: ty_args,
            elem: elem.as_ref(),
        },
    )
}
