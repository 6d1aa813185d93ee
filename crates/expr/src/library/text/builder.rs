//! `System.Text.StringBuilder`: a mutable string whose indices, `Length`
//! and `Capacity` count UTF-16 units. `Append`, `Insert`, `Replace`…
//! return the builder itself (the same `Rc`), so calls chain. Every byte
//! it grows by is charged to the memory budget, so a runaway build fails
//! the evaluation instead of the worker.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::args::{self, no_overload, null_arg, out_of_range};
use super::format::{composite, params};
use super::utf16;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::{items, to_text};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

/// `System.Text.StringBuilder`.
pub static STRING_BUILDER: TypeDef = TypeDef {
    name: "StringBuilder",
    namespace: "System.Text",
    members: &[
        m("Append", "StringBuilder"),
        m("AppendLine", "StringBuilder"),
        m("AppendFormat", "StringBuilder"),
        m("AppendJoin", "StringBuilder"),
        m("Insert", "StringBuilder"),
        m("Remove", "StringBuilder"),
        m("Replace", "StringBuilder"),
        m("Clear", "StringBuilder"),
        m("Length", "int"),
        m("Capacity", "int"),
        m("MaxCapacity", "int"),
        m("this[]", "char"),
        m("Chars", "char"),
        m("ToString", "string"),
        m("EnsureCapacity", "int"),
        m("Equals", "bool"),
    ],
    unimplemented: &["CopyTo", "GetChunks"],
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

/// The newline of `AppendLine` and `WriteLine`: `Environment.NewLine` on
/// Linux, where the self-hosted gateway runs (APIM's managed gateway on
/// Windows writes "\r\n").
pub const NEWLINE: &str = "\n";

const MAX_CAPACITY: usize = i32::MAX as usize;

/// A `StringBuilder`.
#[derive(Debug, Default)]
pub struct StringBuilder {
    pub text: RefCell<String>,
    capacity: Cell<usize>,
}

impl StringBuilder {
    pub fn new(s: String, capacity: usize) -> StringBuilder {
        let cap = capacity.max(utf16::len16(&s)).max(16);
        StringBuilder {
            text: RefCell::new(s),
            capacity: Cell::new(cap),
        }
    }

    /// Appends `s`, charging its bytes.
    pub fn push<'a>(&self, rt: &mut dyn Runtime<'a>, s: &str) -> EvalResult<()> {
        rt.alloc(s.len())?;
        let mut t = self.text.borrow_mut();
        t.push_str(s);
        self.grow(utf16::len16(&t));
        Ok(())
    }

    fn grow(&self, len: usize) {
        let mut cap = self.capacity.get().max(16);
        while cap < len {
            cap = cap.saturating_mul(2);
        }
        self.capacity.set(cap.min(MAX_CAPACITY));
    }

    fn len16(&self) -> usize {
        utf16::len16(&self.text.borrow())
    }
}

fn ctor<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    let cap = |v: &Value<'_>| args::index(v, "capacity", "Capacity must be positive.");
    let sb = match args {
        [] => StringBuilder::new(String::new(), 16),
        [Value::Str(s)] => StringBuilder::new(s.to_string(), 16),
        [Value::Null] => StringBuilder::new(String::new(), 16),
        [c] => StringBuilder::new(String::new(), cap(c)?),
        [Value::Str(s), c] => StringBuilder::new(s.to_string(), cap(c)?),
        [Value::Null, c] => StringBuilder::new(String::new(), cap(c)?),
        [c, _max] => StringBuilder::new(String::new(), cap(c)?),
        [s, start, len, c] => {
            let s = args::opt_str(s).unwrap_or("");
            let start = args::index(start, "startIndex", "StartIndex cannot be less than zero.")?;
            let len = args::index(len, "length", "Length cannot be less than zero.")?;
            let cut = utf16::cut(s, start, start.saturating_add(len)).ok_or_else(|| {
                out_of_range("length", "Index and length must refer to a location within the string.")
            })?;
            StringBuilder::new(utf16::cut_text(s, cut).into_owned(), cap(c)?)
        }
        _ => return Err(no_overload("StringBuilder", args)),
    };
    rt.alloc(sb.text.borrow().len() + 32)?;
    Ok(Value::Obj(Rc::new(sb)))
}

/// What `Append(v)` writes for one value: chars and char arrays as text,
/// other values by `ToString()`.
fn text_of(v: &Value<'_>) -> String {
    if let Some(cs) = args::char_array(v) {
        if !matches!(v, Value::Str(_)) && v.downcast::<crate::library::collections::Array>().is_some() {
            return cs.into_iter().collect();
        }
    }
    if let Some(sb) = v.downcast::<StringBuilder>() {
        return sb.text.borrow().clone();
    }
    to_text(v).into_owned()
}

impl StringBuilder {
    fn append<'a>(&self, rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<()> {
        match args {
            [v] => self.push(rt, &text_of(v)),
            [Value::Char(c), n] => {
                let n = args::index(n, "repeatCount", "Count cannot be less than zero.")?;
                rt.alloc(n.saturating_mul(c.len_utf8()))?;
                let s: String = std::iter::repeat_n(*c, n).collect();
                self.push(rt, &s)
            }
            [v, start, count] => {
                let start = args::index(start, "startIndex", "StartIndex cannot be less than zero.")?;
                let count = args::index(count, "count", "Count cannot be less than zero.")?;
                let s = text_of(v);
                let cut = utf16::cut(&s, start, start.saturating_add(count)).ok_or_else(|| {
                    out_of_range("count", "Index and count must refer to a location within the string.")
                })?;
                let piece = utf16::cut_text(&s, cut).into_owned();
                self.push(rt, &piece)
            }
            _ => Err(no_overload("Append", args)),
        }
    }

    fn insert<'a>(&self, rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<()> {
        let (at, v, n) = match args {
            [at, v] => (at, v, 1),
            [at, v, n] => (at, v, args::index(n, "count", "Count cannot be less than zero.")?),
            _ => return Err(no_overload("Insert", args)),
        };
        let at = args::int(at, "index")?;
        let one = text_of(v);
        rt.alloc(one.len().saturating_mul(n))?;
        let piece = one.repeat(n);
        let mut t = self.text.borrow_mut();
        let loc = usize::try_from(at)
            .ok()
            .and_then(|i| utf16::locate(&t, i))
            .ok_or_else(|| out_of_range("index", "Index was out of range. Must be non-negative and less than or equal to the size of the collection."))?;
        match loc {
            utf16::Loc::At(b) => t.insert_str(b, &piece),
            utf16::Loc::Inside(st, e) => {
                let tail = t.split_off(e);
                t.truncate(st);
                t.push('\u{FFFD}');
                t.push_str(&piece);
                t.push('\u{FFFD}');
                t.push_str(&tail);
            }
        }
        let len = utf16::len16(&t);
        drop(t);
        self.grow(len);
        Ok(())
    }

    /// Replaces UTF-16 range `from..to` with `with` (a pair split by
    /// either end leaves its outer half as U+FFFD).
    fn splice(&self, from: usize, to: usize, with: &str) -> EvalResult<()> {
        let mut t = self.text.borrow_mut();
        let len = utf16::len16(&t);
        let head = utf16::cut(&t, 0, from).map(|c| utf16::cut_text(&t, c).into_owned());
        let tail = utf16::cut(&t, to, len).map(|c| utf16::cut_text(&t, c).into_owned());
        match (head, tail) {
            (Some(h), Some(tl)) => {
                *t = h + with + &tl;
                Ok(())
            }
            _ => Err(out_of_range(
                "length",
                "Index was out of range. Must be non-negative and less than the size of the collection.",
            )),
        }
    }

    fn remove(&self, args: &[Value<'_>]) -> EvalResult<()> {
        let [start, len] = args else {
            return Err(no_overload("Remove", args));
        };
        let start = args::index(start, "startIndex", "StartIndex cannot be less than zero.")?;
        let len = args::index(len, "length", "Length cannot be less than zero.")?;
        if start + len > self.len16() {
            return Err(out_of_range(
                "length",
                "Index was out of range. Must be non-negative and less than the size of the collection.",
            ));
        }
        self.remove_range(start, start + len)
    }

    /// Removes UTF-16 range `from..to`, keeping any split half as U+FFFD.
    fn remove_range(&self, from: usize, to: usize) -> EvalResult<()> {
        self.splice(from, to, "")
    }

    fn replace<'a>(&self, rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<()> {
        let (old, new, range) = match args {
            [o, n] => (o, n, None),
            [o, n, s, c] => {
                let s = args::index(s, "startIndex", "StartIndex cannot be less than zero.")?;
                let c = args::index(c, "count", "Count cannot be less than zero.")?;
                if s + c > self.len16() {
                    return Err(out_of_range(
                        "count",
                        "Index was out of range. Must be non-negative and less than the size of the collection.",
                    ));
                }
                (o, n, Some((s, s + c)))
            }
            _ => return Err(no_overload("Replace", args)),
        };
        let (old, new) = match (old, new) {
            (Value::Char(a), Value::Char(b)) => (a.to_string(), b.to_string()),
            (Value::Null, _) => return Err(null_arg("oldValue")),
            (o, n) => (
                args::req_str(o, "oldValue")?.to_owned(),
                args::opt_str(n).unwrap_or("").to_owned(),
            ),
        };
        if old.is_empty() {
            return Err(EvalError::argument(
                "The value cannot be an empty string. (Parameter 'oldValue')",
            ));
        }
        let (from, to) = range.unwrap_or((0, self.len16()));
        let region = {
            let t = self.text.borrow();
            utf16::cut(&t, from, to)
                .map(|c| utf16::cut_text(&t, c).into_owned())
                .unwrap_or_default()
        };
        if !region.contains(old.as_str()) {
            return Ok(());
        }
        let matches = region.matches(old.as_str()).count();
        rt.alloc(region.len().saturating_add(matches.saturating_mul(new.len())))?;
        let replaced = region.replace(old.as_str(), &new);
        self.splice(from, to, &replaced)?;
        let len = self.len16();
        self.grow(len);
        Ok(())
    }

    fn set_length(&self, v: &Value<'_>) -> EvalResult<()> {
        let n = args::index(v, "value", "Length cannot be less than zero.")?;
        let len = self.len16();
        if n > len {
            let pad: String = std::iter::repeat_n('\0', n - len).collect();
            self.text.borrow_mut().push_str(&pad);
            self.grow(n);
            return Ok(());
        }
        self.remove_range(n, len)
    }

    fn char_at(&self, key: &Value<'_>) -> EvalResult<char> {
        let i = args::int(key, "index")?;
        usize::try_from(i)
            .ok()
            .and_then(|i| utf16::char_at(&self.text.borrow(), i))
            .ok_or_else(|| {
                EvalError::new(
                    EvalErrorKind::IndexOutOfRange,
                    "Index was outside the bounds of the array.",
                )
            })
    }
}

impl Object for StringBuilder {
    fn type_def(&self) -> &'static TypeDef {
        &STRING_BUILDER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        Some(Ok(match name {
            "Length" => Value::Int(self.len16() as i32),
            "Capacity" => Value::Int(self.capacity.get() as i32),
            "MaxCapacity" => Value::Int(i32::MAX),
            _ => return None,
        }))
    }

    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        Some(match name {
            "Length" => {
                let want = value.as_integer().unwrap_or(0).clamp(0, i32::MAX.into()) as usize;
                let have = self.text.borrow().len();
                rt.alloc(want.saturating_sub(have))
                    .and_then(|()| self.set_length(&value))
            }
            "Capacity" => args::index(&value, "value", "Capacity must be positive.").and_then(|c| {
                if c < self.len16() {
                    return Err(out_of_range("value", "capacity was less than the current size."));
                }
                self.capacity.set(c);
                Ok(())
            }),
            _ => return None,
        })
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = targs;
        let me = || Value::Obj(this.clone());
        let done = |r: EvalResult<()>| r.map(|()| me());
        Some(match (name, args) {
            ("Append", []) => Ok(me()),
            ("Append", _) => done(self.append(rt, args)),
            ("AppendLine", []) => done(self.push(rt, NEWLINE)),
            ("AppendLine", [v]) => done(self.push(rt, &text_of(v)).and_then(|()| self.push(rt, NEWLINE))),
            ("AppendFormat", _) => {
                let args = match args {
                    [Value::Null, Value::Str(_), ..] => &args[1..],
                    _ => args,
                };
                match args.split_first() {
                    Some((f, rest)) => done(args::req_str(f, "format").and_then(|f| {
                        let s = composite(rt, f, &params(rest))?;
                        self.push(rt, &s)
                    })),
                    None => Err(no_overload(name, args)),
                }
            }
            ("AppendJoin", [sep, rest @ ..]) => done((|| {
                let sep = text_of(sep);
                let vals = match rest {
                    [one] if !matches!(one, Value::Str(_)) => match items(rt, one) {
                        Some(r) => r?,
                        None => params(rest),
                    },
                    _ => params(rest),
                };
                let parts: Vec<String> = vals.iter().map(|v| to_text(v).into_owned()).collect();
                self.push(rt, &parts.join(&sep))
            })()),
            ("Insert", _) => done(self.insert(rt, args)),
            ("Remove", _) => done(self.remove(args)),
            ("Replace", _) => done(self.replace(rt, args)),
            ("Clear", []) => {
                self.text.borrow_mut().clear();
                Ok(me())
            }
            ("EnsureCapacity", [c]) => args::index(c, "capacity", "Capacity must be positive.").map(|c| {
                if c > self.capacity.get() {
                    self.capacity.set(c);
                }
                Value::Int(self.capacity.get() as i32)
            }),
            ("Chars", [i]) => self.char_at(i).map(Value::Char),
            ("ToString", []) => args::owned(rt, self.text.borrow().clone()),
            ("ToString", [start, len]) => (|| {
                let start = args::index(start, "startIndex", "StartIndex cannot be less than zero.")?;
                let len = args::index(len, "length", "Length cannot be less than zero.")?;
                let t = self.text.borrow();
                let c = utf16::cut(&t, start, start.saturating_add(len)).ok_or_else(|| {
                    out_of_range("length", "Index and length must refer to a location within the string.")
                })?;
                let s = utf16::cut_text(&t, c).into_owned();
                drop(t);
                args::owned(rt, s)
            })(),
            ("Equals", [Value::Obj(o)]) => Ok(Value::Bool(
                o.as_any()
                    .downcast_ref::<StringBuilder>()
                    .is_some_and(|x| *x.text.borrow() == *self.text.borrow()),
            )),
            ("Equals", [_]) => Ok(Value::Bool(false)),
            _ => return None,
        })
    }

    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(self.char_at(&key).map(Value::Char))
    }

    fn set_index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>, value: Value<'a>) -> Option<EvalResult<()>> {
        let _ = rt;
        Some((|| {
            let Value::Char(c) = value else {
                return Err(EvalError::cast(value.type_name(), "char"));
            };
            let i = args::int(&key, "index")?;
            let i = usize::try_from(i).ok().filter(|i| *i < self.len16()).ok_or_else(|| {
                out_of_range(
                    "index",
                    "Index was out of range. Must be non-negative and less than the size of the collection.",
                )
            })?;
            self.splice(i, i + 1, &c.to_string())
        })())
    }

    fn to_text(&self) -> String {
        self.text.borrow().clone()
    }

    fn size_hint(&self) -> usize {
        self.text.borrow().len() + 32
    }
}
