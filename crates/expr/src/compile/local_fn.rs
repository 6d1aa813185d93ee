//! Local functions (`int F(int x) { … }`, `void G() => …;`): hoisting
//! within their block (calls may precede the declaration), compilation
//! of their bodies as lambdas of the program (parameters and locals are
//! slots of the one flat frame), calls, and the checks C# does across
//! calls: definite assignment of the enclosing locals a function reads
//! (checked at each call site, through other local functions) — plus
//! Outpost's refusal of recursion.
//!
//! Invariants: the call graph of local functions is acyclic (checked by
//! [`Compiler::check_local_fns`] before the program is accepted), so a
//! function is never active twice and its slots cannot be overwritten by
//! a nested activation; a function's body starts with every enclosing
//! local unassigned, and reading one records it as required at its call
//! sites instead of failing.

use super::ir::{Body, Lambda, Node, Slot};
use super::names::resolve_type;
use super::ty::Ty;
use super::{Compiler, Flow};
use crate::error::CompileError;
use crate::syntax::ast::{Arg, ArgMod, LambdaBody, Param, TypeName};
use crate::types::TypeRef;

type R<T> = Result<T, CompileError>;

/// A declared local function.
pub(crate) struct LocalFn {
    pub name: String,
    /// Where it is declared (identifies it when its statement is reached).
    pub pos: usize,
    pub params: Vec<TypeRef>,
    /// `None` for `void`.
    pub ret: Option<TypeRef>,
    /// Its index in the program's lambdas.
    pub lambda: u32,
    /// The first slot of its own parameters and locals.
    pub base: Slot,
    /// Enclosing locals its body reads before assigning them.
    pub reads: Vec<(Slot, String)>,
}

/// A call of a local function, checked once every body is compiled.
pub(crate) struct CallSite {
    /// The local function the call is in (`None`: the block itself).
    pub caller: Option<usize>,
    pub callee: usize,
    pub flow: Flow,
    pub pos: usize,
}

impl Compiler {
    /// Declares (hoists) a local function in the innermost scope.
    pub(super) fn hoist_fn(&mut self, ret: &TypeName, name: &str, params: &[Param], pos: usize) -> R<usize> {
        if let Some(s) = self.scopes.last() {
            if s.funcs.iter().any(|(n, _)| n == name) {
                return Err(CompileError::at(
                    pos,
                    format!("a local function named `{name}` is already defined in this scope"),
                ));
            }
        }
        if self.lookup(name).is_some() {
            return Err(CompileError::at(
                pos,
                format!("a local function named `{name}` would hide the local variable `{name}`"),
            ));
        }
        if name == "context" {
            return Err(CompileError::at(
                pos,
                "a local function named `context` would hide the policy context",
            ));
        }
        let ret = if ret.name == "void" && ret.args.is_empty() && ret.array == 0 && !ret.nullable {
            None
        } else {
            Some(resolve_type(ret)?)
        };
        let mut ps = Vec::with_capacity(params.len());
        for p in params {
            match &p.ty {
                Some(t) => ps.push(resolve_type(t)?),
                None => return Err(CompileError::at(p.pos, "a parameter needs a type")),
            }
        }
        let lambda = self.reserve_lambda();
        self.fns.push(LocalFn {
            name: name.to_owned(),
            pos,
            params: ps,
            ret,
            lambda,
            base: 0,
            reads: Vec::new(),
        });
        let f = self.fns.len() - 1;
        if let Some(s) = self.scopes.last_mut() {
            s.funcs.push((name.to_owned(), f));
        }
        Ok(f)
    }

    /// The local function `name` visible here, innermost first.
    pub(super) fn lookup_fn(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.funcs.iter().find(|(n, _)| n == name).map(|(_, f)| *f))
    }

    /// Compiles the body of the local function declared at `pos` (hoisted
    /// by the enclosing block, or now).
    pub(super) fn local_fn_decl(
        &mut self,
        ret: &TypeName,
        name: &str,
        params: &[Param],
        body: &LambdaBody,
        pos: usize,
    ) -> R<()> {
        let hoisted = self
            .scopes
            .last()
            .and_then(|s| s.funcs.iter().find(|(n, f)| n == name && self.fns[*f].pos == pos))
            .map(|(_, f)| *f);
        let f = match hoisted {
            Some(f) => f,
            None => self.hoist_fn(ret, name, params, pos)?,
        };
        self.enter(pos)?;
        let saved_func = std::mem::take(&mut self.func);
        let saved_flow = std::mem::replace(
            &mut self.flow,
            Flow {
                reach: true,
                assigned: Vec::new(),
            },
        );
        let saved_cur = self.current_fn.replace(f);
        let r = self.local_fn_body(f, params, body, pos);
        self.func = saved_func;
        self.flow = saved_flow;
        self.current_fn = saved_cur;
        self.leave();
        let (slots, body) = r?;
        let idx = self.fns[f].lambda;
        if let Some(l) = self.lambdas.get_mut(idx as usize) {
            *l = Some(Lambda {
                params: slots.into(),
                body,
            });
        }
        Ok(())
    }

    fn local_fn_body(&mut self, f: usize, params: &[Param], body: &LambdaBody, pos: usize) -> R<(Vec<Slot>, Body)> {
        self.fns[f].base = self.locals.len() as Slot;
        let ret = self.fns[f].ret.clone();
        self.func.local_ret = Some(ret.clone());
        self.push_scope();
        let r = (|| {
            let mut slots = Vec::with_capacity(params.len());
            for (p, t) in params.iter().zip(self.fns[f].params.clone()) {
                let s = self.declare(&p.name, Ty::known(t), p.pos, None)?;
                self.flow.assign(s);
                slots.push(s);
            }
            let body = match body {
                LambdaBody::Expr(e) => {
                    let (n, t) = self.expr(e)?;
                    match &ret {
                        Some(rt) => {
                            if matches!(t, Ty::Void | Ty::Lambda) {
                                return Err(CompileError::at(e.pos, format!("cannot return {}", t.text())));
                            }
                            Body::Expr(self.coerce(n, &t, rt, e.pos)?)
                        }
                        None => Body::Expr(n),
                    }
                }
                LambdaBody::Block(stmts) => {
                    let b = self.block(stmts)?;
                    if ret.is_some() && self.flow.reach {
                        return Err(CompileError::at(
                            pos,
                            format!(
                                "not all code paths return a value in local function `{}`",
                                self.fns[f].name
                            ),
                        ));
                    }
                    Body::Block(b.into())
                }
            };
            Ok((slots, body))
        })();
        self.pop_scope();
        r
    }

    /// Whether reading unassigned `slot` is a requirement of the local
    /// function being compiled (an enclosing local) rather than an error.
    pub(super) fn read_unassigned(&mut self, slot: Slot, name: &str) -> bool {
        let Some(f) = self.current_fn else {
            return false;
        };
        let lf = &mut self.fns[f];
        if slot >= lf.base {
            return false;
        }
        if !lf.reads.iter().any(|(s, _)| *s == slot) {
            lf.reads.push((slot, name.to_owned()));
        }
        true
    }

    /// A call of local function `f`.
    pub(super) fn local_call(&mut self, f: usize, args: &[Arg], pos: usize) -> R<(Node, Ty)> {
        let name = self.fns[f].name.clone();
        let want = self.fns[f].params.clone();
        if args.len() != want.len() {
            return Err(CompileError::at(
                pos,
                format!(
                    "local function `{name}` takes {} argument(s), not {}",
                    want.len(),
                    args.len()
                ),
            ));
        }
        let mut nodes = Vec::with_capacity(args.len());
        for (a, t) in args.iter().zip(want.iter()) {
            if a.name.is_some() || a.modifier != ArgMod::None {
                return Err(CompileError::at(
                    a.value.pos,
                    "named, `out`, `ref` and `in` arguments of local functions are not supported",
                ));
            }
            let (n, at) = self.expr(&a.value)?;
            if matches!(at, Ty::Void | Ty::Lambda) {
                return Err(CompileError::at(a.value.pos, format!("cannot pass {}", at.text())));
            }
            nodes.push(self.coerce(n, &at, t, a.value.pos)?);
        }
        self.calls.push(CallSite {
            caller: self.current_fn,
            callee: f,
            flow: self.flow.clone(),
            pos,
        });
        let ty = match &self.fns[f].ret {
            Some(t) => Ty::known(t.clone()),
            None => Ty::Void,
        };
        Ok((
            Node::LocalCall {
                lambda: self.fns[f].lambda,
                args: nodes.into(),
            },
            ty,
        ))
    }

    /// After the whole program: refuses recursion, and checks that every
    /// enclosing local a called function reads is definitely assigned at
    /// the call (through the functions it calls).
    pub(super) fn check_local_fns(&mut self) -> R<()> {
        let n = self.fns.len();
        // Post-order DFS over the call graph; `state`: 0 new, 1 on the
        // stack, 2 done.
        let mut state = vec![0u8; n];
        let mut order = Vec::with_capacity(n);
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            let mut stack = vec![(root, 0usize)];
            state[root] = 1;
            while let Some((f, i)) = stack.pop() {
                let next = self
                    .calls
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.caller == Some(f))
                    .nth(i);
                match next {
                    Some((_, c)) => {
                        stack.push((f, i + 1));
                        let g = c.callee;
                        match state[g] {
                            0 => {
                                state[g] = 1;
                                stack.push((g, 0));
                            }
                            1 => {
                                let msg = if g == f {
                                    format!(
                                        "recursive local functions are not supported (`{}` calls itself)",
                                        self.fns[g].name
                                    )
                                } else {
                                    format!(
                                        "recursive local functions are not supported (`{}` and `{}` call each other)",
                                        self.fns[f].name, self.fns[g].name
                                    )
                                };
                                return Err(CompileError::at(c.pos, msg));
                            }
                            _ => {}
                        }
                    }
                    None => {
                        state[f] = 2;
                        order.push(f);
                    }
                }
            }
        }
        let mut required: Vec<Vec<(Slot, String)>> = self.fns.iter().map(|f| f.reads.clone()).collect();
        // Callees come before callers in `order`; calls from the block
        // itself are checked last.
        for caller in order.iter().map(|f| Some(*f)).chain(std::iter::once(None)) {
            for c in self.calls.iter().filter(|c| c.caller == caller) {
                let need = required[c.callee].clone();
                for (s, name) in need {
                    if c.flow.is_assigned(s) {
                        continue;
                    }
                    match caller {
                        Some(g) if s < self.fns[g].base => {
                            if !required[g].iter().any(|(x, _)| *x == s) {
                                required[g].push((s, name));
                            }
                        }
                        _ => {
                            return Err(CompileError::at(
                                c.pos,
                                format!(
                                    "use of unassigned local variable `{name}` (read by local function `{}`)",
                                    self.fns[c.callee].name
                                ),
                            ))
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
