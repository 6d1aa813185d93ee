//! Evaluating expressions: member reads and calls through the library
//! dispatch (with `out` arguments), `?.` chains, creation, operators,
//! assignments (locals, properties, indexers; compound and `??=`),
//! `++`/`--`, patterns, interpolation with alignment and format.

use smallvec::SmallVec;

use super::ops::{self, truth};
use super::Machine;
use crate::compile::ir::{Node, NullableOp, OutArg, Pat, Target, Un};
use crate::context::Ns;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::library::anon::{AnonObject, ExceptionObject, TypeObject};
use crate::library::time::datetime::TimeSpan;
use crate::runtime::Runtime;
use crate::types::TypeDef;
use crate::value::Value;

/// Call arguments, inline up to four.
type Args<'a> = SmallVec<[Value<'a>; 4]>;

pub(super) fn missing(name: &str, ty: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("MissingMemberException"),
        format!("`{name}` is not a member of a value of type {ty}"),
    )
}

fn missing_static(ty: &TypeDef, name: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("MissingMemberException"),
        format!("`{}.{name}` is not implemented", ty.name),
    )
}

impl<'a> Machine<'a> {
    pub(crate) fn eval(&mut self, n: &'a Node) -> EvalResult<Value<'a>> {
        match n {
            Node::Const(c) => Ok(c.value()),
            Node::Local(s) => Ok(self.slot(*s)),
            Node::Take(s) => Ok(self.take_slot(*s)),
            Node::Context => Ok(Value::Ns(Ns::Context)),
            Node::Lambda(i) => Ok(Value::Lambda(*i)),
            Node::LocalCall { lambda, args } => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args.iter() {
                    vals.push(self.eval(a)?);
                }
                self.invoke(&Value::Lambda(*lambda), &vals)
            }
            Node::Member { recv, name } => {
                let r = self.eval(recv)?;
                self.keep_alive(&r);
                self.get(r, name)
            }
            Node::Static { ty, name } => match library::get_static(self, ty, name) {
                Some(r) => r,
                None => Err(missing_static(ty, name)),
            },
            Node::Call {
                recv,
                name,
                targs,
                args,
                outs,
            } => {
                let r = self.eval(recv)?;
                self.keep_alive(&r);
                let argv = self.eval_args(args)?;
                self.charge(1)?;
                let base = self.outs.len();
                let tn = r.type_name();
                let res = library::call_member(self, r, name, targs, &argv);
                self.finish_call(res, base, outs)
                    .unwrap_or_else(|| Err(missing(name, tn)))
            }
            Node::CallStatic {
                ty,
                name,
                targs,
                args,
                outs,
            } => {
                let argv = self.eval_args(args)?;
                self.charge(1)?;
                let base = self.outs.len();
                let res = library::call_static(self, ty, name, targs, &argv);
                self.finish_call(res, base, outs)
                    .unwrap_or_else(|| Err(missing_static(ty, name)))
            }
            Node::Index { recv, key } => {
                let r = self.eval(recv)?;
                self.keep_alive(&r);
                let k = self.eval(key)?;
                self.index(r, k)
            }
            Node::Nullable {
                recv,
                op,
                args,
                default,
                own,
            } => {
                let r = self.eval(recv)?;
                if r.is_null() {
                    return match op {
                        NullableOp::HasValue => Ok(Value::Bool(false)),
                        NullableOp::Value => Err(EvalError::new(
                            EvalErrorKind::InvalidOperation,
                            "Nullable object must have a value.",
                        )),
                        NullableOp::GetValueOrDefault => match args.first() {
                            Some(a) => self.eval(a),
                            None => Ok(default.value()),
                        },
                    };
                }
                match (op, own) {
                    (NullableOp::HasValue, true) => Ok(Value::Bool(true)),
                    (_, true) => Ok(r),
                    (NullableOp::HasValue, false) => self.get(r, "HasValue"),
                    (NullableOp::Value, false) => self.get(r, "Value"),
                    (NullableOp::GetValueOrDefault, false) => {
                        let argv = self.eval_args(args)?;
                        let tn = r.type_name();
                        match library::call_member(self, r, "GetValueOrDefault", &[], &argv) {
                            Some(x) => x,
                            None => Err(missing("GetValueOrDefault", tn)),
                        }
                    }
                }
            }
            Node::GetType(n) => {
                let v = self.eval(n)?;
                if v.is_null() {
                    return Err(EvalError::null_ref("GetType()"));
                }
                Ok(TypeObject::of_value(&v))
            }
            Node::TypeOf(t) => Ok(TypeObject::of_type(t)),
            Node::New { ty, args, init } => self.create(ty, args, init),
            Node::NewArray {
                elem,
                size,
                items,
                default,
            } => self.new_array(elem, size.as_deref(), items, default),
            Node::NewAnon { names, values } => {
                let mut fields = Vec::with_capacity(names.len());
                for (n, v) in names.iter().zip(values.iter()) {
                    fields.push((*n, self.eval(v)?.into_owned()));
                }
                self.alloc(32 + 40 * fields.len())?;
                AnonObject::value(fields)
            }
            Node::Unary { op, arg, checked } => {
                let v = self.eval(arg)?;
                match v {
                    Value::TimeSpan(t) if *op == Un::Neg => t
                        .ticks
                        .checked_neg()
                        .map(|ticks| Value::TimeSpan(TimeSpan { ticks }))
                        .ok_or_else(|| {
                            EvalError::new(
                                EvalErrorKind::Overflow,
                                "Negating the minimum value of a twos complement number is invalid.",
                            )
                        }),
                    Value::TimeSpan(_) if *op == Un::Plus => Ok(v),
                    Value::Obj(_) => {
                        let tn = v.type_name();
                        let m = crate::compile::unary_method(*op);
                        match library::call_member(self, v, m, &[], &[]) {
                            Some(r) => r,
                            None => Err(missing(m, tn)),
                        }
                    }
                    v => ops::unary(*op, v, *checked),
                }
            }
            Node::Binary { op, l, r, checked } => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                self.binary(*op, a, b, *checked)
            }
            Node::Concat(parts) => self.concat_all(parts),
            Node::AndAlso(a, b) => {
                if truth(&self.eval(a)?)? {
                    Ok(Value::Bool(truth(&self.eval(b)?)?))
                } else {
                    Ok(Value::Bool(false))
                }
            }
            Node::OrElse(a, b) => {
                if truth(&self.eval(a)?)? {
                    Ok(Value::Bool(true))
                } else {
                    Ok(Value::Bool(truth(&self.eval(b)?)?))
                }
            }
            Node::Coalesce(a, b) => match self.eval(a)? {
                Value::Null => self.eval(b),
                v => Ok(v),
            },
            Node::Cond(c, t, e) => {
                if truth(&self.eval(c)?)? {
                    self.eval(t)
                } else {
                    self.eval(e)
                }
            }
            Node::CondAccess { recv, slot, body } => match self.eval(recv)? {
                Value::Null => Ok(Value::Null),
                v => {
                    self.set_slot(*slot, v);
                    self.eval(body)
                }
            },
            Node::Convert {
                arg,
                to,
                explicit,
                checked,
            } => {
                let v = self.eval(arg)?;
                self.convert(v, to, *explicit, *checked)
            }
            Node::As(n, t) => {
                let v = self.eval(n)?;
                Ok(if library::is_instance(&v, t) { v } else { Value::Null })
            }
            Node::Is(n, p) => {
                let v = self.eval(n)?;
                self.matches(&v, p).map(Value::Bool)
            }
            Node::Assign {
                target,
                op,
                value,
                conv,
                checked,
            } => self.assign(target, *op, value, conv.as_ref(), *checked, true),
            Node::IncDec {
                target,
                inc,
                post,
                checked,
            } => self.incdec(target, *inc, *post, *checked),
            Node::Interp(pieces) => self.interp(pieces),
            Node::Throw(n) => {
                let v = self.eval(n)?;
                Err(thrown(&v))
            }
        }
    }

    /// An expression statement: assignments skip copying their value.
    pub(crate) fn eval_discard(&mut self, n: &'a Node) -> EvalResult<()> {
        match n {
            Node::Assign {
                target,
                op,
                value,
                conv,
                checked,
            } => self
                .assign(target, *op, value, conv.as_ref(), *checked, false)
                .map(drop),
            // `i++` on an int local (every `for` loop): in place.
            Node::IncDec {
                target: Target::Local(s),
                inc,
                checked,
                ..
            } => {
                if let Some(Value::Int(x)) = self.slots.get_mut(*s as usize) {
                    let r = if *inc { x.checked_add(1) } else { x.checked_sub(1) };
                    match r {
                        Some(v) => *x = v,
                        None if *checked => return Err(ops::overflow()),
                        None => *x = if *inc { x.wrapping_add(1) } else { x.wrapping_sub(1) },
                    }
                    return Ok(());
                }
                self.eval(n).map(drop)
            }
            n => self.eval(n).map(drop),
        }
    }

    pub(super) fn eval_args(&mut self, args: &'a [Node]) -> EvalResult<Args<'a>> {
        let mut out = Args::new();
        for a in args {
            out.push(self.eval(a)?);
        }
        Ok(out)
    }

    /// After a call: assigns the `out` values it set, drops the others.
    fn finish_call(
        &mut self,
        res: Option<EvalResult<Value<'a>>>,
        base: usize,
        outs: &'a [OutArg],
    ) -> Option<EvalResult<Value<'a>>> {
        let r = match res {
            Some(Ok(v)) => v,
            other => {
                self.outs.truncate(base);
                return other;
            }
        };
        if outs.is_empty() {
            self.outs.truncate(base);
            return Some(Ok(r));
        }
        let set: SmallVec<[(usize, Value<'a>); 2]> = self.outs.drain(base.min(self.outs.len())..).collect();
        for o in outs {
            let v = set
                .iter()
                .rev()
                .find(|(p, _)| *p == o.pos as usize)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| o.default.value());
            let v = match &o.conv {
                Some(t) if !v.is_null() && !ops::is_exactly(&v, t) => match self.convert(v, t, false, false) {
                    Ok(v) => v,
                    Err(e) => return Some(Err(e)),
                },
                _ => v,
            };
            if let Target::Local(s) = o.target {
                self.set_slot(s, v);
            }
        }
        Some(Ok(r))
    }

    pub(crate) fn get(&mut self, r: Value<'a>, name: &str) -> EvalResult<Value<'a>> {
        let tn = r.type_name();
        match library::get_member(self, r, name) {
            Some(x) => x,
            None => Err(missing(name, tn)),
        }
    }

    pub(crate) fn index(&mut self, r: Value<'a>, k: Value<'a>) -> EvalResult<Value<'a>> {
        let tn = r.type_name();
        match library::index(self, r, k) {
            Some(x) => x,
            None => Err(missing("this[]", tn)),
        }
    }

    /// Whether `v` matches pattern `p` (binding its variable).
    pub(crate) fn matches(&mut self, v: &Value<'a>, p: &'a Pat) -> EvalResult<bool> {
        match p {
            Pat::Type(t, slot) => {
                if library::is_instance(v, t) {
                    if let Some(s) = slot {
                        self.set_slot(*s, v.clone());
                    }
                    Ok(true)
                } else {
                    Ok(false)
                }
            }
            Pat::Var(s) => {
                self.set_slot(*s, v.clone());
                Ok(true)
            }
            Pat::Const(n) => {
                let c = self.eval(n)?;
                if c.is_null() || v.is_null() {
                    return Ok(c.is_null() && v.is_null());
                }
                self.equal(v, &c)
            }
        }
    }
}

/// What `throw v` throws.
pub(crate) fn thrown(v: &Value<'_>) -> EvalError {
    match ExceptionObject::error(v) {
        Some(e) => e,
        None if v.is_null() => EvalError::null_ref("throw"),
        None => EvalError::cast(v.type_name(), "System.Exception"),
    }
}
