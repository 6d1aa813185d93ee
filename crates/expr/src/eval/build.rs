//! Building values: `new T(args) { initializer }` through the library's
//! constructors, arrays (charged to the memory budget before they are
//! allocated), string concatenation (an object's own `+` first) and
//! interpolation with alignment and format.

use std::borrow::Cow;

use super::expr::missing;
use super::ops;
use super::Machine;
use crate::compile::ir::{Const, Init, Node, Piece};
use crate::error::{EvalError, EvalResult};
use crate::library::{self, collections::Array};
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

impl<'a> Machine<'a> {
    pub(super) fn create(&mut self, ty: &'a TypeRef, args: &'a [Node], init: &'a Init) -> EvalResult<Value<'a>> {
        let argv = self.eval_args(args)?;
        self.charge(1)?;
        let obj = library::construct(self, ty, &argv)?;
        match init {
            Init::None => {}
            Init::Object(members) => {
                for (name, n) in members.iter() {
                    let v = self.eval(n)?;
                    let tn = obj.type_name();
                    match library::set_member(self, &obj, name, v) {
                        Some(r) => r?,
                        None => return Err(missing(name, tn)),
                    }
                }
            }
            Init::Collection(items) => {
                for item in items.iter() {
                    let argv = self.eval_args(item)?;
                    self.charge(1)?;
                    let tn = obj.type_name();
                    match library::call_member(self, obj.clone(), "Add", &[], &argv) {
                        Some(r) => drop(r?),
                        None => return Err(missing("Add", tn)),
                    }
                }
            }
            Init::Index(items) => {
                for (k, v) in items.iter() {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    let tn = obj.type_name();
                    match library::set_index(self, &obj, k, v) {
                        Some(r) => r?,
                        None => return Err(missing("this[]", tn)),
                    }
                }
            }
        }
        Ok(obj)
    }

    pub(super) fn new_array(
        &mut self,
        elem: &TypeRef,
        size: Option<&'a Node>,
        items: &'a [Node],
        default: &'a Const,
    ) -> EvalResult<Value<'a>> {
        let n = match size {
            Some(s) => {
                let v = self.eval(s)?;
                let n = v.as_integer().ok_or_else(|| EvalError::cast(v.type_name(), "int"))?;
                let n = usize::try_from(n).map_err(|_| ops::overflow())?;
                if !items.is_empty() && n != items.len() {
                    return Err(EvalError::argument(format!(
                        "the array size {n} does not match its {} initializers",
                        items.len()
                    )));
                }
                n
            }
            None => items.len(),
        };
        self.alloc(n.saturating_mul(std::mem::size_of::<Value<'static>>()))?;
        self.charge(n as u64 / 16)?;
        let mut vals = Vec::with_capacity(n);
        if items.is_empty() {
            vals.resize(n, default.value().into_owned());
        } else {
            for i in items {
                vals.push(self.eval(i)?.into_owned());
            }
        }
        Ok(Array::of(elem.clone(), vals))
    }

    pub(super) fn concat_all(&mut self, parts: &'a [Node]) -> EvalResult<Value<'a>> {
        let mut s = String::new();
        let mut rest = parts;
        // A dynamic left operand may be an object with its own `+`
        // (`ns + "name"` with `ns` an XNamespace).
        if let [first, second, tail @ ..] = parts {
            let a = self.eval(first)?;
            let b = self.eval(second)?;
            let v = match a {
                Value::Obj(_) => {
                    match library::call_member(self, a.clone(), "op_Addition", &[], std::slice::from_ref(&b)) {
                        Some(r) => r?,
                        None => self.concat(&a, &b)?,
                    }
                }
                a => self.concat(&a, &b)?,
            };
            if tail.is_empty() {
                return Ok(v);
            }
            let t = library::to_text(&v);
            self.alloc(t.len())?;
            s.push_str(&t);
            rest = tail;
        }
        for p in rest {
            let v = self.eval(p)?;
            let t = library::to_text(&v);
            self.alloc(t.len())?;
            s.push_str(&t);
        }
        Ok(Value::Str(Cow::Owned(s)))
    }

    pub(super) fn interp(&mut self, pieces: &'a [Piece]) -> EvalResult<Value<'a>> {
        let mut s = String::new();
        for p in pieces {
            match p {
                Piece::Text(t) => {
                    self.alloc(t.len())?;
                    s.push_str(t);
                }
                Piece::Hole { value, align, format } => {
                    let v = self.eval(value)?;
                    let text: Cow<'_, str> = if format.is_empty() {
                        library::to_text(&v)
                    } else {
                        Cow::Owned(library::format_value(&v, format)?)
                    };
                    let width = align.unsigned_abs() as usize;
                    let len = text.chars().count();
                    let pad = width.saturating_sub(len);
                    self.alloc(text.len() + pad)?;
                    if *align > 0 {
                        s.extend(std::iter::repeat_n(' ', pad));
                    }
                    s.push_str(&text);
                    if *align < 0 {
                        s.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
        }
        Ok(Value::Str(Cow::Owned(s)))
    }
}
