//! The results of a regex search: `Match`, `Group`, `Capture` and their
//! collections (`GroupCollection`, `CaptureCollection`, and
//! `MatchCollection`, which APIM's table does not list but `Matches`
//! returns). Positions are UTF-16 indices into the input.
//!
//! The engine keeps one capture per group, so `Group.Captures` holds the
//! last capture of a repeated group only (.NET keeps every repetition).

use std::any::Any;
use std::rc::Rc;

use super::collections::{CaptureCollection, GroupCollection};
use super::replace;
use super::Compiled;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::text::args;
use crate::library::text::utf16;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeRef};
use crate::value::{Object, Value};

const NS: &str = "System.Text.RegularExpressions";

/// `Match` (a `Group` for the whole match, with the groups).
pub static MATCH: TypeDef = TypeDef {
    name: "Match",
    namespace: NS,
    bases: &["Group", "Capture"],
    apim: Apim::Only(&[
        "Empty",
        "Groups",
        "Result",
        "Captures",
        "Success",
        "Index",
        "Length",
        "Value",
        "ToString",
        "Equals",
        "GetHashCode",
        "GetType",
    ]),
    statics: &[m("Empty", "Match")],
    members: &[
        m("Success", "bool"),
        m("Value", "string"),
        m("Index", "int"),
        m("Length", "int"),
        m("Groups", "GroupCollection"),
        m("Captures", "CaptureCollection"),
        m("Name", "string"),
        m("NextMatch", "Match"),
        m("Result", "string"),
        m("ToString", "string"),
    ],
    unimplemented: &["Synchronized", "ValueSpan"],
    get_static: Some(match_static),
    ..TypeDef::EMPTY
};

/// `Group`.
pub static GROUP: TypeDef = TypeDef {
    name: "Group",
    namespace: NS,
    bases: &["Capture"],
    apim: Apim::Only(&[
        "Captures",
        "Success",
        "Index",
        "Length",
        "Value",
        "ToString",
        "Equals",
        "GetHashCode",
        "GetType",
    ]),
    members: &[
        m("Success", "bool"),
        m("Value", "string"),
        m("Index", "int"),
        m("Length", "int"),
        m("Name", "string"),
        m("Captures", "CaptureCollection"),
        m("ToString", "string"),
    ],
    unimplemented: &["Synchronized", "ValueSpan"],
    ..TypeDef::EMPTY
};

/// `Capture`.
pub static CAPTURE: TypeDef = TypeDef {
    name: "Capture",
    namespace: NS,
    apim: Apim::Only(&[
        "Index",
        "Length",
        "Value",
        "ToString",
        "Equals",
        "GetHashCode",
        "GetType",
    ]),
    members: &[
        m("Index", "int"),
        m("Length", "int"),
        m("Value", "string"),
        m("ToString", "string"),
    ],
    unimplemented: &["ValueSpan"],
    ..TypeDef::EMPTY
};

/// One successful (or failed) search: the input and the byte spans of
/// the engine's capture slots.
#[derive(Debug)]
pub struct MatchData {
    pub c: Option<Rc<Compiled>>,
    pub input: Rc<str>,
    /// By the engine's capture index (0 = the whole match).
    pub slots: Vec<Option<(usize, usize)>>,
    ascii: bool,
}

impl MatchData {
    pub fn new(c: Rc<Compiled>, input: Rc<str>, slots: Vec<Option<(usize, usize)>>) -> MatchData {
        let ascii = input.is_ascii();
        MatchData {
            c: Some(c),
            input,
            slots,
            ascii,
        }
    }

    /// `Match.Empty`'s data.
    pub fn empty() -> MatchData {
        MatchData {
            c: None,
            input: Rc::from(""),
            slots: vec![None],
            ascii: true,
        }
    }

    pub fn success(&self) -> bool {
        self.slots.first().copied().flatten().is_some()
    }

    /// Number of .NET groups.
    pub fn group_count(&self) -> usize {
        self.c.as_ref().map_or(1, |c| c.groups.len())
    }

    /// The byte span of .NET group `g` (its index in the group table).
    pub fn span(&self, g: usize) -> Option<(usize, usize)> {
        if g == 0 {
            return self.slots.first().copied().flatten();
        }
        let def = self.c.as_ref()?.groups.get(g)?;
        def.slots
            .iter()
            .filter_map(|s| self.slots.get(*s).copied().flatten())
            .max_by_key(|(_, e)| *e)
    }

    fn pos16(&self, b: usize) -> i32 {
        if self.ascii {
            b as i32
        } else {
            utf16::index16(&self.input, b) as i32
        }
    }

    fn text(&self, span: Option<(usize, usize)>) -> String {
        span.and_then(|(s, e)| self.input.get(s..e)).unwrap_or("").to_owned()
    }

    /// (value, UTF-16 index, UTF-16 length) of group `g`.
    fn capture(&self, g: Option<usize>) -> (String, i32, i32) {
        match g.and_then(|g| self.span(g)) {
            Some((s, e)) => {
                let i = self.pos16(s);
                (self.text(Some((s, e))), i, self.pos16(e) - i)
            }
            None => (String::new(), 0, 0),
        }
    }
}

fn match_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    (name == "Empty").then(|| Ok(Value::obj(MatchObj(Rc::new(MatchData::empty())))))
}

/// A `Match`.
#[derive(Debug)]
pub struct MatchObj(pub Rc<MatchData>);

/// A `Group` of a match (`g`: its index in the group table; `None` for a
/// name or number the regex does not have: an unsuccessful group).
#[derive(Debug)]
pub struct GroupObj {
    pub(super) d: Rc<MatchData>,
    pub(super) g: Option<usize>,
    pub(super) name: String,
}

/// A `Capture`.
#[derive(Debug)]
pub struct CaptureObj {
    pub(super) value: String,
    pub(super) index: i32,
    pub(super) length: i32,
}

/// The properties common to `Match`, `Group` and `Capture`.
fn capture_prop<'a>(rt: &mut dyn Runtime<'a>, c: (String, i32, i32), name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(match name {
        "Value" => args::owned(rt, c.0),
        "Index" => Ok(Value::Int(c.1)),
        "Length" => Ok(Value::Int(c.2)),
        _ => return None,
    })
}

fn captures_of(d: &MatchData, g: Option<usize>) -> Value<'static> {
    let c = d.capture(g);
    let success = g.and_then(|g| d.span(g)).is_some();
    let caps = if success { vec![c] } else { Vec::new() };
    Value::obj(CaptureCollection(caps))
}

pub fn group_name(d: &MatchData, g: usize) -> String {
    d.c.as_ref()
        .and_then(|c| c.groups.get(g))
        .map_or_else(|| "0".to_owned(), |x| x.name.clone())
}

impl Object for MatchObj {
    fn type_def(&self) -> &'static TypeDef {
        &MATCH
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = this;
        let d = &self.0;
        match name {
            "Success" => Some(Ok(Value::Bool(d.success()))),
            "Groups" => Some(Ok(Value::obj(GroupCollection(d.clone())))),
            "Captures" => Some(Ok(captures_of(d, Some(0)))),
            "Name" => Some(Ok(Value::str("0"))),
            _ => capture_prop(rt, d.capture(Some(0)), name),
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
        let d = &self.0;
        Some(match (name, args) {
            ("NextMatch", []) => match (&d.c, d.span(0)) {
                (Some(c), Some((s, e))) => {
                    let next = if e > s {
                        e
                    } else {
                        e + d
                            .input
                            .get(e..)
                            .and_then(|r| r.chars().next())
                            .map_or(1, char::len_utf8)
                    };
                    super::search(rt, c, &d.input, next).map(|m| Value::obj(MatchObj(Rc::new(m))))
                }
                _ => Ok(Value::obj(MatchObj(Rc::new(MatchData::empty())))),
            },
            ("Result", [r]) => (|| {
                let r = args::req_str(r, "replacement")?;
                let Some(c) = d.c.as_ref().filter(|_| d.success()) else {
                    return Err(EvalError::new(
                        EvalErrorKind::NotSupported,
                        "Result cannot be called on a failed Match.",
                    ));
                };
                let pieces = replace::parse(r, &c.groups);
                let mut out = String::new();
                replace::expand(&pieces, d, &mut out);
                args::owned(rt, out)
            })(),
            ("ToString", []) => args::owned(rt, d.capture(Some(0)).0),
            _ => return None,
        })
    }
    fn to_text(&self) -> String {
        self.0.capture(Some(0)).0
    }
}

impl Object for GroupObj {
    fn type_def(&self) -> &'static TypeDef {
        &GROUP
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = this;
        match name {
            "Success" => Some(Ok(Value::Bool(self.g.and_then(|g| self.d.span(g)).is_some()))),
            "Name" => Some(Ok(Value::string(self.name.clone()))),
            "Captures" => Some(Ok(captures_of(&self.d, self.g))),
            _ => capture_prop(rt, self.d.capture(self.g), name),
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
        match (name, args) {
            ("ToString", []) => Some(args::owned(rt, self.d.capture(self.g).0)),
            _ => None,
        }
    }
    fn to_text(&self) -> String {
        self.d.capture(self.g).0
    }
}

impl Object for CaptureObj {
    fn type_def(&self) -> &'static TypeDef {
        &CAPTURE
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = this;
        capture_prop(rt, (self.value.clone(), self.index, self.length), name)
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
        match (name, args) {
            ("ToString", []) => Some(args::owned(rt, self.value.clone())),
            _ => None,
        }
    }
    fn to_text(&self) -> String {
        self.value.clone()
    }
}
