//! Assignments: to locals, properties (`library::set_member`) and
//! indexers (`library::set_index`), simple, compound (with C#'s narrowing
//! back to the target's type), `+=` on strings (appending in place to a
//! local), `??=`, and `++`/`--` (prefix and postfix).

use super::ops;
use super::Machine;
use crate::compile::ir::{AssignOp, Node, Target};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

impl<'a> Machine<'a> {
    /// The current value of an assignment target.
    fn read(&mut self, t: &Target, recv: &Value<'a>, key: &Value<'a>) -> EvalResult<Value<'a>> {
        match t {
            Target::Local(s) => Ok(self.slot(*s)),
            Target::Member { name, .. } => self.get(recv.clone(), name),
            Target::Index { .. } => self.index(recv.clone(), key.clone()),
            Target::Discard => Ok(Value::Null),
        }
    }

    fn write(&mut self, t: &Target, recv: &Value<'a>, key: Value<'a>, v: Value<'a>) -> EvalResult<()> {
        match t {
            Target::Local(s) => {
                self.set_slot(*s, v);
                Ok(())
            }
            Target::Member { name, .. } => match library::set_member(self, recv, name, v) {
                Some(r) => r,
                None => Err(EvalError::new(
                    EvalErrorKind::Other("MissingMemberException"),
                    format!("`{name}` cannot be assigned on a value of type {}", recv.type_name()),
                )),
            },
            Target::Index { .. } => match library::set_index(self, recv, key, v) {
                Some(r) => r,
                None => Err(EvalError::new(
                    EvalErrorKind::Other("MissingMemberException"),
                    format!(
                        "a value of type {} has no indexer that can be assigned",
                        recv.type_name()
                    ),
                )),
            },
            Target::Discard => Ok(()),
        }
    }

    /// The receiver and key of a member or indexer target.
    fn target_parts(&mut self, t: &'a Target) -> EvalResult<(Value<'a>, Value<'a>)> {
        Ok(match t {
            Target::Member { recv, .. } => (self.eval(recv)?, Value::Null),
            Target::Index { recv, key } => {
                let r = self.eval(recv)?;
                (r, self.eval(key)?)
            }
            _ => (Value::Null, Value::Null),
        })
    }

    pub(crate) fn assign(
        &mut self,
        t: &'a Target,
        op: Option<AssignOp>,
        value: &'a Node,
        conv: Option<&'a TypeRef>,
        checked: bool,
        need: bool,
    ) -> EvalResult<Value<'a>> {
        let (recv, key) = self.target_parts(t)?;
        let v = match op {
            None => self.eval(value)?,
            Some(AssignOp::Coalesce) => {
                let cur = self.read(t, &recv, &key)?;
                if !cur.is_null() {
                    return Ok(cur);
                }
                self.eval(value)?
            }
            Some(AssignOp::Concat) => {
                if let Target::Local(s) = t {
                    // Appends in place; the right side is evaluated first
                    // (only observable if it assigns the same local).
                    let rhs = self.eval(value)?;
                    let tail = library::to_text(&rhs);
                    self.alloc(tail.len())?;
                    let mut cur = match self.take_slot(*s) {
                        Value::Str(c) => c.into_owned(),
                        other => library::to_text(&other).into_owned(),
                    };
                    cur.push_str(&tail);
                    let v = Value::string(cur);
                    let out = if need { v.clone() } else { Value::Null };
                    self.set_slot(*s, v);
                    return Ok(out);
                }
                let cur = self.read(t, &recv, &key)?;
                let rhs = self.eval(value)?;
                self.concat(&cur, &rhs)?
            }
            Some(AssignOp::Bin(b)) => {
                let cur = self.read(t, &recv, &key)?;
                let rhs = self.eval(value)?;
                let r = self.binary(b, cur, rhs, checked)?;
                match conv {
                    Some(to) if !r.is_null() && !ops::is_exactly(&r, to) => self.convert(r, to, true, checked)?,
                    _ => r,
                }
            }
        };
        let out = if need { v.clone() } else { Value::Null };
        self.write(t, &recv, key, v)?;
        Ok(out)
    }

    pub(crate) fn incdec(&mut self, t: &'a Target, inc: bool, post: bool, checked: bool) -> EvalResult<Value<'a>> {
        let (recv, key) = self.target_parts(t)?;
        let cur = self.read(t, &recv, &key)?;
        let new = ops::step(cur.clone(), inc, checked)?;
        let out = if post { cur } else { new.clone() };
        self.write(t, &recv, key, new)?;
        Ok(out)
    }
}
