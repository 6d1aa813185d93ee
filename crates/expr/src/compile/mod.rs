//! Syntax tree to typed IR: name resolution against the library's types,
//! the gradual type checker, C#'s reachability and definite-assignment
//! rules, and lowering to [`ir`].
//!
//! Module map: [`ty`] (static types, conversions), `table` (member
//! tables' return types, element types), `names` (types, namespaces,
//! member lookup and its error messages), `expr`, `chain`, `call`,
//! `create`, `ops`, `assign` (expressions), `stmt`, `control` (statements,
//! scopes, flow), `local_fn` (local functions: hoisting, calls, the
//! recursion refusal and definite assignment across calls). This file holds the compiler's state: scopes and locals
//! (one flat frame of slots shared by lambdas), the flow state
//! (reachability and definitely assigned locals), and the entry point
//! [`compile`].
//!
//! Invariants: every error carries a byte offset into the compiled text;
//! recursion over the tree is bounded by [`MAX_DEPTH`].

use std::collections::HashSet;

use crate::error::CompileError;
use crate::syntax;
use crate::types::TypeRef;
use crate::Want;

mod assign;
mod call;
mod chain;
mod control;
mod create;
mod expr;
pub mod ir;
mod local_fn;
mod names;
mod ops;
mod stmt;
mod table;
pub mod ty;

use ir::{Body, Program, Slot};
pub use ops::unary_method;
use ty::{Implicit, Prim, Ty};

/// How deeply expressions and statements may nest.
pub const MAX_DEPTH: u32 = 200;

/// Compiles a whole attribute value (`@(…)` or `@{…}`). Errors carry a
/// byte offset into `src` (the caller locates them).
pub fn compile(src: &str, want: Want) -> Result<Program, CompileError> {
    let (start, end, is_block) = syntax::delimit(src)?;
    let mut c = Compiler::new();
    let (body, ty) = if is_block {
        let stmts = syntax::parse_block(src, start, end)?;
        c.func.top = true;
        let body = c.block(&stmts)?;
        c.check_local_fns()?;
        if c.flow.reach {
            return Err(CompileError::at(
                end,
                "not all code paths return a value (the block must end with a return)",
            ));
        }
        let ty = c.func.returns.iter().fold(Ty::Never, |a, b| unify(&a, b));
        (Body::Block(body.into()), ty)
    } else {
        let ast = syntax::parse_expr(src, start, end)?;
        let (node, ty) = c.expr(&ast)?;
        c.check_local_fns()?;
        if matches!(ty, Ty::Lambda) {
            return Err(CompileError::at(ast.pos, "a lambda expression is not a value"));
        }
        (Body::Expr(node), ty)
    };
    let ty = if matches!(ty, Ty::Never) { Ty::Dyn } else { ty };
    let want_exact = check_want(&ty, want).map_err(|m| CompileError::at(start, m))?;
    Ok(Program {
        body,
        lambdas: c.lambdas.into_iter().flatten().collect(),
        slots: c.locals.len() as u32,
        ty: ty.text(),
        want,
        want_exact,
    })
}

/// Whether an expression of static type `ty` can be what `want` asks:
/// `Ok(true)` if it already is exactly that, `Ok(false)` if a run-time
/// conversion is needed, an error message if C# would refuse it.
fn check_want(ty: &Ty, want: Want) -> Result<bool, String> {
    let p = match want {
        Want::Any => return Ok(true),
        Want::String => {
            return match ty {
                Ty::Void => Err("the expression has no value (it returns void)".into()),
                t => Ok(t.as_prim() == Some(Prim::String)),
            }
        }
        Want::Bool => Prim::Bool,
        Want::Int => Prim::Int,
        Want::Double => Prim::Double,
    };
    match ty::implicit(ty, &TypeRef::of(p.def())) {
        Implicit::Same => Ok(!matches!(ty, Ty::Null | Ty::Dyn)),
        Implicit::Yes | Implicit::Runtime => Ok(false),
        Implicit::No => Err(format!(
            "expected an expression of type `{}`, found `{}`",
            Ty::prim(p).text(),
            ty.text()
        )),
    }
}

/// The best common type of two (for `?:`, `new[]`, a block's returns);
/// dynamic when C# would need more than this checker knows.
pub fn unify(a: &Ty, b: &Ty) -> Ty {
    match (a, b) {
        (Ty::Never, t) | (t, Ty::Never) => t.clone(),
        (Ty::Null, Ty::Null) => Ty::Null,
        (Ty::Null, t) | (t, Ty::Null) => match t {
            Ty::Known(_) => t.clone().nullable(),
            _ => Ty::Dyn,
        },
        (Ty::Anon(x), Ty::Anon(y)) if x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| p.0 == q.0) => {
            a.clone()
        }
        (Ty::Known(x), Ty::Known(y)) => {
            if x == y {
                return a.clone();
            }
            match (ty::implicit(a, y), ty::implicit(b, x)) {
                (Implicit::Same | Implicit::Yes, _) => b.clone(),
                (_, Implicit::Same | Implicit::Yes) => a.clone(),
                _ => Ty::Dyn,
            }
        }
        _ => Ty::Dyn,
    }
}

/// A local variable or a compiler temporary (names live in the scopes).
pub(crate) struct Local {
    pub ty: Ty,
    /// Why it cannot be assigned (`foreach`, `using` variables and
    /// constants), if so.
    pub readonly: Option<&'static str>,
    /// The value of a `const` local.
    pub konst: Option<ir::Const>,
}

/// A block scope: the names it declares, and the names declared in any
/// scope nested in it (C# forbids reusing them: CS0136).
#[derive(Default)]
pub(crate) struct Scope {
    pub names: Vec<(String, Slot)>,
    pub inner: HashSet<String>,
    /// Its local functions (hoisted): name, index in `Compiler::fns`.
    pub funcs: Vec<(String, usize)>,
}

/// The flow state at a point: whether it is reachable, and which locals
/// are definitely assigned there.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flow {
    pub reach: bool,
    pub assigned: Vec<u64>,
}

impl Flow {
    pub fn is_assigned(&self, s: Slot) -> bool {
        !self.reach
            || self
                .assigned
                .get(s as usize / 64)
                .is_some_and(|w| w & (1 << (s % 64)) != 0)
    }

    pub fn assign(&mut self, s: Slot) {
        let i = s as usize / 64;
        if self.assigned.len() <= i {
            self.assigned.resize(i + 1, 0);
        }
        self.assigned[i] |= 1 << (s % 64);
    }

    /// The state where two paths join.
    pub fn join(&self, other: &Flow) -> Flow {
        match (self.reach, other.reach) {
            (false, _) => other.clone(),
            (_, false) => self.clone(),
            _ => Flow {
                reach: true,
                assigned: self
                    .assigned
                    .iter()
                    .zip(other.assigned.iter())
                    .map(|(a, b)| a & b)
                    .collect(),
            },
        }
    }

    /// An unreachable point (every local counts as assigned there).
    pub fn dead() -> Flow {
        Flow {
            reach: false,
            assigned: Vec::new(),
        }
    }
}

/// A construct `break` leaves: a loop (or a `switch`, which `continue`
/// passes through).
pub(crate) struct Breakable {
    pub is_loop: bool,
    /// The joined state of the reachable `break`s.
    pub breaks: Option<Flow>,
    /// The joined state of the reachable `continue`s.
    pub continues: Option<Flow>,
}

/// The function being compiled: the block of `@{…}` or a lambda body.
#[derive(Default)]
pub(crate) struct Func {
    /// The `@{…}` block (every `return` needs a value).
    pub top: bool,
    pub breakables: Vec<Breakable>,
    /// `breakables.len()` at the start of the innermost `finally` (control
    /// cannot leave a finally block), if inside one.
    pub finally: Option<usize>,
    /// Hidden slots of the enclosing catch clauses (for `throw;`).
    pub catches: Vec<Slot>,
    /// The types of `return e;`.
    pub returns: Vec<Ty>,
    /// Whether a `return;` without a value occurred.
    pub void_return: bool,
    /// In a local function: its return type (`Some(None)`: `void`).
    pub local_ret: Option<Option<TypeRef>>,
}

pub(crate) struct Compiler {
    pub locals: Vec<Local>,
    pub scopes: Vec<Scope>,
    pub lambdas: Vec<Option<ir::Lambda>>,
    pub flow: Flow,
    pub func: Func,
    /// Inside `checked(…)`/`checked { }`.
    pub checked: bool,
    /// Member names of the anonymous types created so far (a dynamic
    /// receiver, such as a lambda parameter, may be one of them).
    pub anon_names: HashSet<&'static str>,
    pub depth: u32,
    /// The local functions declared so far.
    pub(crate) fns: Vec<local_fn::LocalFn>,
    /// Their calls (checked at the end: recursion, definite assignment).
    pub(crate) calls: Vec<local_fn::CallSite>,
    /// The local function being compiled, if any.
    pub current_fn: Option<usize>,
}

impl Compiler {
    fn new() -> Compiler {
        Compiler {
            locals: Vec::new(),
            scopes: vec![Scope::default()],
            lambdas: Vec::new(),
            flow: Flow {
                reach: true,
                assigned: Vec::new(),
            },
            func: Func::default(),
            checked: false,
            anon_names: HashSet::new(),
            depth: 0,
            fns: Vec::new(),
            calls: Vec::new(),
            current_fn: None,
        }
    }

    /// Guards recursion depth (call [`Compiler::leave`] after).
    pub fn enter(&mut self, pos: usize) -> Result<(), CompileError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CompileError::at(pos, "the expression is nested too deeply"));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A compiler temporary.
    pub fn temp(&mut self) -> Slot {
        self.locals.push(Local {
            ty: Ty::Dyn,
            readonly: None,
            konst: None,
        });
        (self.locals.len() - 1) as Slot
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Scope::default());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Declares a local in the innermost scope.
    pub fn declare(
        &mut self,
        name: &str,
        ty: Ty,
        pos: usize,
        readonly: Option<&'static str>,
    ) -> Result<Slot, CompileError> {
        if name == "context" {
            return Err(CompileError::at(
                pos,
                "a local named `context` would hide the policy context",
            ));
        }
        let n = self.scopes.len();
        for (i, s) in self.scopes.iter().enumerate() {
            if s.names.iter().any(|(x, _)| x == name) {
                let msg = if i + 1 == n {
                    format!("a local variable named `{name}` is already defined in this scope")
                } else {
                    format!(
                        "a local named `{name}` cannot be declared in this scope: it would give a \
                         different meaning to `{name}`, used in an enclosing scope"
                    )
                };
                return Err(CompileError::at(pos, msg));
            }
        }
        if self.scopes.last().is_some_and(|s| s.inner.contains(name)) {
            return Err(CompileError::at(
                pos,
                format!(
                    "a local named `{name}` cannot be declared in this scope: a nested scope \
                     already declares `{name}`"
                ),
            ));
        }
        if self.scopes.iter().any(|s| s.funcs.iter().any(|(x, _)| x == name)) {
            return Err(CompileError::at(
                pos,
                format!("a local named `{name}` would hide the local function `{name}`"),
            ));
        }
        self.locals.push(Local {
            ty,
            readonly,
            konst: None,
        });
        let slot = (self.locals.len() - 1) as Slot;
        for s in self.scopes.iter_mut().take(n.saturating_sub(1)) {
            s.inner.insert(name.to_owned());
        }
        if let Some(s) = self.scopes.last_mut() {
            s.names.push((name.to_owned(), slot));
        }
        Ok(slot)
    }

    /// The slot of local `name`, innermost first.
    pub fn lookup(&self, name: &str) -> Option<Slot> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.names.iter().rev().find(|(n, _)| n == name).map(|(_, slot)| *slot))
    }

    pub fn local(&self, s: Slot) -> &Local {
        &self.locals[s as usize]
    }

    /// Reserves a lambda index (filled once its body is compiled).
    pub fn reserve_lambda(&mut self) -> u32 {
        self.lambdas.push(None);
        (self.lambdas.len() - 1) as u32
    }
}

#[cfg(test)]
mod tests;
