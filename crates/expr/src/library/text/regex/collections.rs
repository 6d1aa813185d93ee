//! The collections of a regex search: `GroupCollection` (by number or
//! name), `CaptureCollection`, and `MatchCollection` (which APIM's table
//! does not list but `Regex.Matches` returns). All enumerable (`items`).

use std::any::Any;
use std::rc::Rc;

use super::matching::{group_name, CaptureObj, GroupObj, MatchData};
use crate::error::EvalResult;
use crate::library::text::args::{self, no_overload};
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeRef};
use crate::value::{Object, Value};

const NS: &str = "System.Text.RegularExpressions";

/// `GroupCollection`.
pub static GROUP_COLLECTION: TypeDef = TypeDef {
    name: "GroupCollection",
    namespace: NS,
    bases: &["IEnumerable", "ICollection", "IReadOnlyCollection"],
    apim: Apim::Only(&[
        "Count",
        "Item",
        "this[]",
        "ToString",
        "Equals",
        "GetHashCode",
        "GetType",
    ]),
    members: &[m("Count", "int"), m("this[]", "Group"), m("Item", "Group")],
    unimplemented: &[
        "Keys",
        "Values",
        "ContainsKey",
        "TryGetValue",
        "CopyTo",
        "GetEnumerator",
        "IsReadOnly",
        "IsSynchronized",
        "SyncRoot",
    ],
    ..TypeDef::EMPTY
};

/// `CaptureCollection`.
pub static CAPTURE_COLLECTION: TypeDef = TypeDef {
    name: "CaptureCollection",
    namespace: NS,
    bases: &["IEnumerable", "ICollection", "IReadOnlyCollection"],
    apim: Apim::Only(&[
        "Count",
        "Item",
        "this[]",
        "ToString",
        "Equals",
        "GetHashCode",
        "GetType",
    ]),
    members: &[m("Count", "int"), m("this[]", "Capture"), m("Item", "Capture")],
    unimplemented: &["CopyTo", "GetEnumerator", "IsReadOnly", "IsSynchronized", "SyncRoot"],
    ..TypeDef::EMPTY
};

/// `MatchCollection` (a helper type: returned by `Matches`, not nameable).
pub static MATCH_COLLECTION: TypeDef = TypeDef {
    name: "MatchCollection",
    namespace: NS,
    bases: &["IEnumerable", "ICollection", "IReadOnlyCollection"],
    apim: Apim::Helper,
    members: &[m("Count", "int"), m("this[]", "Match"), m("Item", "Match")],
    unimplemented: &["CopyTo", "GetEnumerator", "IsReadOnly", "IsSynchronized", "SyncRoot"],
    ..TypeDef::EMPTY
};

/// `GroupCollection`: by number (`Groups[1]`) or name (`Groups["id"]`).
#[derive(Debug)]
pub struct GroupCollection(pub Rc<MatchData>);

impl GroupCollection {
    fn group(&self, key: &Value<'_>) -> EvalResult<GroupObj> {
        let d = &self.0;
        let groups = d.c.as_ref().map(|c| c.groups.as_slice()).unwrap_or(&[]);
        let (g, name) = match key {
            Value::Str(n) => (
                groups.iter().position(|g| g.name == **n).or((n == "0").then_some(0)),
                n.to_string(),
            ),
            Value::Null => return Err(args::null_arg("groupname")),
            k => {
                let n = args::int(k, "groupnum")?;
                (
                    groups.iter().position(|g| g.number == n).or((n == 0).then_some(0)),
                    n.to_string(),
                )
            }
        };
        Ok(GroupObj {
            d: d.clone(),
            g,
            name: g.map_or(name, |g| group_name(d, g)),
        })
    }
}

impl Object for GroupCollection {
    fn type_def(&self) -> &'static TypeDef {
        &GROUP_COLLECTION
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        (name == "Count").then(|| Ok(Value::Int(self.0.group_count() as i32)))
    }
    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this, targs);
        match (name, args) {
            ("Item", [k]) => Some(self.group(k).map(Value::obj)),
            ("Item", _) => Some(Err(no_overload(name, args))),
            _ => None,
        }
    }
    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(self.group(&key).map(Value::obj))
    }
    fn items(&self) -> Option<Vec<Value<'static>>> {
        let d = &self.0;
        Some(
            (0..d.group_count())
                .map(|g| {
                    Value::obj(GroupObj {
                        d: d.clone(),
                        g: Some(g),
                        name: group_name(d, g),
                    })
                })
                .collect(),
        )
    }
    fn to_text(&self) -> String {
        format!("{NS}.GroupCollection")
    }
}

/// `CaptureCollection`.
#[derive(Debug)]
pub struct CaptureCollection(pub Vec<(String, i32, i32)>);

fn at<T: Clone>(v: &[T], key: &Value<'_>) -> EvalResult<T> {
    let i = args::int(key, "i")?;
    usize::try_from(i)
        .ok()
        .and_then(|i| v.get(i).cloned())
        .ok_or_else(|| args::out_of_range("i", "Specified argument was out of the range of valid values."))
}

impl Object for CaptureCollection {
    fn type_def(&self) -> &'static TypeDef {
        &CAPTURE_COLLECTION
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        (name == "Count").then(|| Ok(Value::Int(self.0.len() as i32)))
    }
    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(at(&self.0, &key).map(|(value, index, length)| Value::obj(CaptureObj { value, index, length })))
    }
    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(
            self.0
                .iter()
                .map(|(v, i, l)| {
                    Value::obj(CaptureObj {
                        value: v.clone(),
                        index: *i,
                        length: *l,
                    })
                })
                .collect(),
        )
    }
    fn to_text(&self) -> String {
        format!("{NS}.CaptureCollection")
    }
}

/// `MatchCollection`.
#[derive(Debug)]
pub struct MatchCollection(pub Vec<Value<'static>>);

impl Object for MatchCollection {
    fn type_def(&self) -> &'static TypeDef {
        &MATCH_COLLECTION
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        (name == "Count").then(|| Ok(Value::Int(self.0.len() as i32)))
    }
    fn index<'a>(&self, rt: &mut dyn Runtime<'a>, key: Value<'a>) -> Option<EvalResult<Value<'a>>> {
        let _ = rt;
        Some(at(&self.0, &key))
    }
    fn items(&self) -> Option<Vec<Value<'static>>> {
        Some(self.0.clone())
    }
    fn to_text(&self) -> String {
        format!("{NS}.MatchCollection")
    }
    fn size_hint(&self) -> usize {
        self.0.len() * 64
    }
}
