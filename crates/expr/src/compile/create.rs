//! Creation expressions: `new T(args) { initializer }` (object, collection
//! and index initializers), arrays (`new T[n]`, `new T[] {…}`, `new[] {…}`
//! with C#'s best common element type, `T[] x = {…}`), anonymous objects.

use std::rc::Rc;

use super::call::Hint;
use super::ir::{Init, Node};
use super::names::{self, resolve_type};
use super::ty::{self, Ty};
use super::{unify, Compiler};
use crate::error::CompileError;
use crate::library::{anon, OBJECT};
use crate::syntax::ast::{self, Arg, Ast, TypeName};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

impl Compiler {
    pub fn new_object(&mut self, tn: &TypeName, args: &[Arg], init: Option<&ast::Init>, pos: usize) -> R<(Node, Ty)> {
        let t = resolve_type(tn)?;
        names::check_ctor(&t).map_err(|m| CompileError::at(pos, m))?;
        let a = self.args(args, Hint::None)?;
        if !a.outs.is_empty() {
            return Err(CompileError::at(pos, "constructors take no `out` arguments"));
        }
        let def = t.def();
        let init = match init {
            None => Init::None,
            Some(ast::Init::Object(members)) => {
                let mut out = Vec::with_capacity(members.len());
                let recv = Ty::known(t.clone());
                for (name, v) in members {
                    let mt = self.member_type(&recv, name, v.pos)?;
                    let (n, vt) = self.expr(v)?;
                    let n = match &mt {
                        Ty::Known(to) => self.coerce(n, &vt, to, v.pos)?,
                        _ => n,
                    };
                    out.push((name.as_str().into(), n));
                }
                Init::Object(out.into())
            }
            Some(ast::Init::Collection(items)) => {
                if let Some(d) = def {
                    if names::find_member(d, "Add", false)
                        .map_err(|m| CompileError::at(pos, m))?
                        .is_none()
                    {
                        return Err(CompileError::at(pos, names::missing(d, "Add")));
                    }
                }
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let mut nodes = Vec::with_capacity(item.len());
                    for e in item {
                        let (n, t) = self.expr(e)?;
                        if matches!(t, Ty::Void | Ty::Lambda) {
                            return Err(CompileError::at(e.pos, "a collection element needs a value"));
                        }
                        nodes.push(n);
                    }
                    out.push(nodes.into_boxed_slice());
                }
                Init::Collection(out.into())
            }
            Some(ast::Init::Index(items)) => {
                let recv = Ty::known(t.clone());
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items {
                    let (kn, kt) = self.expr(k)?;
                    self.index_type(&recv, &kt, k.pos)?;
                    let (vn, _) = self.expr(v)?;
                    out.push((kn, vn));
                }
                Init::Index(out.into())
            }
        };
        Ok((
            Node::New {
                ty: t.clone(),
                args: a.nodes.into(),
                init,
            },
            Ty::known(t),
        ))
    }

    /// An array creation; `target` is the element type a declaration
    /// gives (`string[] a = { … }`).
    pub fn new_array(
        &mut self,
        elem: Option<&TypeName>,
        size: Option<&Ast>,
        items: Option<&[Ast]>,
        target: Option<&TypeRef>,
        pos: usize,
    ) -> R<(Node, Ty)> {
        let size = match size {
            Some(s) => {
                let (n, t) = self.expr(s)?;
                if let Some(p) = t.as_prim() {
                    if !p.is_integral() {
                        return Err(CompileError::at(
                            s.pos,
                            format!("an array size must be an integer, not `{}`", t.text()),
                        ));
                    }
                }
                Some(Box::new(n))
            }
            None => None,
        };
        let mut lowered = Vec::new();
        for e in items.unwrap_or(&[]) {
            let (n, t) = self.expr(e)?;
            if matches!(t, Ty::Void | Ty::Lambda) {
                return Err(CompileError::at(e.pos, "an array element needs a value"));
            }
            lowered.push((n, t, e.pos));
        }
        let elem_ty: TypeRef = match (elem, target) {
            (Some(tn), _) => resolve_type(tn)?,
            (None, Some(t)) => t.clone(),
            (None, None) => {
                let best = lowered.iter().fold(Ty::Never, |a, (_, t, _)| unify(&a, t));
                match best {
                    Ty::Known(t) => t,
                    Ty::Null | Ty::Never => {
                        return Err(CompileError::at(
                            pos,
                            "no best type found for the implicitly-typed array",
                        ))
                    }
                    _ => TypeRef::of(&ty::DYNAMIC),
                }
            }
        };
        let mut nodes = Vec::with_capacity(lowered.len());
        for (n, t, p) in lowered {
            nodes.push(self.coerce(n, &t, &elem_ty, p)?);
        }
        let runtime_elem = match &elem_ty {
            TypeRef::Named(d, _) if d.is(&ty::DYNAMIC) => TypeRef::of(&OBJECT),
            t => t.clone(),
        };
        if size.is_none() && items.is_none() {
            return Err(CompileError::at(
                pos,
                "an array creation needs a size or an initializer",
            ));
        }
        let ty = Ty::Known(TypeRef::Array(Box::new(elem_ty)));
        Ok((
            Node::NewArray {
                default: ty::default_of(&runtime_elem),
                elem: runtime_elem,
                size,
                items: nodes.into(),
            },
            ty,
        ))
    }

    pub fn new_anon(&mut self, members: &[(String, Ast)]) -> R<(Node, Ty)> {
        let mut names_out: Vec<&'static str> = Vec::with_capacity(members.len());
        let mut values = Vec::with_capacity(members.len());
        let mut fields = Vec::with_capacity(members.len());
        for (name, v) in members {
            let interned = anon::intern(name);
            if names_out.contains(&interned) {
                return Err(CompileError::at(
                    v.pos,
                    format!("an anonymous type cannot have two members named `{name}`"),
                ));
            }
            let (n, t) = self.expr(v)?;
            match t {
                Ty::Void | Ty::Lambda | Ty::Null => {
                    return Err(CompileError::at(
                        v.pos,
                        format!("cannot assign {} to an anonymous type member", t.text()),
                    ))
                }
                _ => {}
            }
            names_out.push(interned);
            self.anon_names.insert(interned);
            values.push(n);
            fields.push((interned, t));
        }
        Ok((
            Node::NewAnon {
                names: names_out.into(),
                values: values.into(),
            },
            Ty::Anon(Rc::from(fields)),
        ))
    }
}
