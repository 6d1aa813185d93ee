//! `System.IO.StringReader` (reads a string by lines or chars) and
//! `System.IO.StringWriter` (writes into a `StringBuilder` that
//! `GetStringBuilder()` hands out: the same object, as in .NET).
//! The reader keeps the text as UTF-16 units so `Peek`/`Read` return
//! .NET's char codes, surrogate halves included.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::args::{self, no_overload, null_arg};
use super::builder::{StringBuilder, NEWLINE};
use super::encoding::{Enc, Encoding};
use super::format::{composite, params};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::to_text;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

/// `System.IO.StringReader`.
pub static STRING_READER: TypeDef = TypeDef {
    name: "StringReader",
    namespace: "System.IO",
    bases: &["TextReader", "IDisposable"],
    members: &[
        m("ReadLine", "string"),
        m("ReadToEnd", "string"),
        m("Peek", "int"),
        m("Read", "int"),
        m("Close", "void"),
        m("Dispose", "void"),
    ],
    unimplemented: &[
        "ReadBlock",
        "ReadAsync",
        "ReadBlockAsync",
        "ReadLineAsync",
        "ReadToEndAsync",
    ],
    ctor: Some(reader_ctor),
    ..TypeDef::EMPTY
};

/// `System.IO.StringWriter`.
pub static STRING_WRITER: TypeDef = TypeDef {
    name: "StringWriter",
    namespace: "System.IO",
    bases: &["TextWriter", "IDisposable"],
    members: &[
        m("Write", "void"),
        m("WriteLine", "void"),
        m("ToString", "string"),
        m("GetStringBuilder", "StringBuilder"),
        m("NewLine", "string"),
        m("Encoding", "Encoding"),
        m("Flush", "void"),
        m("Close", "void"),
        m("Dispose", "void"),
    ],
    unimplemented: &["FormatProvider", "WriteAsync", "WriteLineAsync", "FlushAsync"],
    ctor: Some(writer_ctor),
    ..TypeDef::EMPTY
};

/// A `StringReader`.
#[derive(Debug)]
pub struct StringReader {
    units: Vec<u16>,
    pos: Cell<usize>,
}

fn reader_ctor<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    match args {
        [Value::Str(s)] => {
            rt.alloc(s.len() * 2)?;
            Ok(Value::obj(StringReader {
                units: s.encode_utf16().collect(),
                pos: Cell::new(0),
            }))
        }
        [Value::Null] => Err(null_arg("s")),
        _ => Err(no_overload("StringReader", args)),
    }
}

impl StringReader {
    fn rest(&self) -> &[u16] {
        self.units.get(self.pos.get()..).unwrap_or(&[])
    }

    fn read_line(&self) -> Option<String> {
        let rest = self.rest();
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|u| *u == 13 || *u == 10).unwrap_or(rest.len());
        let line = String::from_utf16_lossy(&rest[..end]);
        let mut next = end;
        if rest.get(end) == Some(&13) && rest.get(end + 1) == Some(&10) {
            next += 2;
        } else if end < rest.len() {
            next += 1;
        }
        self.pos.set(self.pos.get() + next);
        Some(line)
    }
}

impl Object for StringReader {
    fn type_def(&self) -> &'static TypeDef {
        &STRING_READER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (this, targs);
        Some(match (name, args) {
            ("ReadLine", []) => match self.read_line() {
                Some(l) => args::owned(rt, l),
                None => Ok(Value::Null),
            },
            ("ReadToEnd", []) => {
                let s = String::from_utf16_lossy(self.rest());
                self.pos.set(self.units.len());
                args::owned(rt, s)
            }
            ("Peek", []) => Ok(Value::Int(self.rest().first().map_or(-1, |u| i32::from(*u)))),
            ("Read", []) => Ok(Value::Int(match self.rest().first() {
                Some(u) => {
                    self.pos.set(self.pos.get() + 1);
                    i32::from(*u)
                }
                None => -1,
            })),
            ("Read", _) => Err(EvalError::new(
                EvalErrorKind::NotSupported,
                "StringReader.Read(buffer, index, count) is not implemented by Outpost yet",
            )),
            ("Close" | "Dispose", []) => Ok(Value::Null),
            _ => return None,
        })
    }

    fn size_hint(&self) -> usize {
        self.units.len() * 2
    }
}

/// A `StringWriter`.
#[derive(Debug)]
pub struct StringWriter {
    sb: Rc<dyn Object>,
    newline: RefCell<String>,
}

fn writer_ctor<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = (rt, targs);
    let sb: Rc<dyn Object> = match args {
        [] | [Value::Null] => Rc::new(StringBuilder::new(String::new(), 16)),
        [Value::Obj(o), ..] if o.as_any().is::<StringBuilder>() => o.clone(),
        _ => return Err(no_overload("StringWriter", args)),
    };
    Ok(Value::obj(StringWriter {
        sb,
        newline: RefCell::new(NEWLINE.to_owned()),
    }))
}

impl StringWriter {
    fn builder(&self) -> Option<&StringBuilder> {
        self.sb.as_any().downcast_ref::<StringBuilder>()
    }

    /// The text `Write(args)` writes.
    fn text<'a>(&self, rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<String> {
        match args {
            [] => Ok(String::new()),
            [v] => Ok(match args::char_array(v) {
                Some(cs) if v.downcast::<crate::library::collections::Array>().is_some() => cs.into_iter().collect(),
                _ => to_text(v).into_owned(),
            }),
            [Value::Str(f), rest @ ..] => composite(rt, f, &params(rest)),
            _ => Err(no_overload("Write", args)),
        }
    }
}

impl Object for StringWriter {
    fn type_def(&self) -> &'static TypeDef {
        &STRING_WRITER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        Some(Ok(match name {
            "NewLine" => Value::string(self.newline.borrow().clone()),
            "Encoding" => Value::obj(Encoding { enc: Enc::Utf16Le }),
            _ => return None,
        }))
    }

    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let _ = rt;
        match name {
            "NewLine" => {
                *self.newline.borrow_mut() = args::opt_str(&value).map_or_else(|| NEWLINE.to_owned(), str::to_owned);
                Some(Ok(()))
            }
            _ => None,
        }
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (this, targs);
        let sb = self.builder()?;
        Some(match name {
            "Write" | "WriteLine" => (|| {
                let mut s = self.text(rt, args)?;
                if name == "WriteLine" {
                    s.push_str(&self.newline.borrow());
                }
                sb.push(rt, &s)?;
                Ok(Value::Null)
            })(),
            "ToString" if args.is_empty() => args::owned(rt, sb.text.borrow().clone()),
            "GetStringBuilder" if args.is_empty() => Ok(Value::Obj(self.sb.clone())),
            "Flush" | "Close" | "Dispose" if args.is_empty() => Ok(Value::Null),
            _ => return None,
        })
    }

    fn to_text(&self) -> String {
        self.builder().map(|b| b.text.borrow().clone()).unwrap_or_default()
    }
}
