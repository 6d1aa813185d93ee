//! The text family: `String` (every member), `Char`, `StringBuilder`,
//! `Regex` and its `Match`/`Group`/`Capture` collections, `Encoding`,
//! `StringComparer`, `StringComparison`, `StringSplitOptions`,
//! `StringReader`/`StringWriter`, and composite formatting
//! (`string.Format`, interpolation alignment).

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeKind, TypeRef};
use crate::value::Value;

/// `System.String`.
pub static STRING: TypeDef = TypeDef {
    name: "String",
    aliases: &["string"],
    bases: &["IEnumerable", "IComparable"],
    ..TypeDef::EMPTY
};

/// `System.Char`.
pub static CHAR: TypeDef = TypeDef {
    name: "Char",
    aliases: &["char"],
    kind: TypeKind::Struct,
    ..TypeDef::EMPTY
};

pub static TYPES: &[&TypeDef] = &[&STRING, &CHAR];

/// A property of a string (`Length`).
pub fn string_get<'a>(rt: &mut dyn Runtime<'a>, s: Cow<'a, str>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, s, name);
    None
}

/// A method of a string.
pub fn string_call<'a>(
    rt: &mut dyn Runtime<'a>,
    s: Cow<'a, str>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, s, name, targs, args);
    None
}

/// `s[i]`: the char at UTF-16 index `i`.
pub fn string_index<'a>(s: &str, key: &Value<'a>) -> Option<EvalResult<Value<'a>>> {
    let _ = (s, key);
    None
}

/// A property of a char.
pub fn char_get<'a>(rt: &mut dyn Runtime<'a>, c: char, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, c, name);
    None
}

/// A method of a char.
pub fn char_call<'a>(
    rt: &mut dyn Runtime<'a>,
    c: char,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, c, name, targs, args);
    None
}

/// Whether `v` is a `StringComparer` that ignores case (`Some(true)` for
/// `StringComparer.OrdinalIgnoreCase`/`InvariantCultureIgnoreCase`…), for
/// `new Dictionary<string, T>(comparer)` and LINQ's comparer overloads.
/// `None`: not a string comparer.
pub fn comparer_ignores_case(v: &Value<'_>) -> Option<bool> {
    let _ = v;
    None
}

/// `string.Compare(a, b)` / the default comparer in the invariant culture.
pub fn compare_invariant(a: &str, b: &str) -> Ordering {
    a.cmp(b)
}
