//! The text family: `String` (every member), `Char`, `StringBuilder`,
//! `Regex` and its `Match`/`Group`/`Capture` collections, `Encoding`,
//! `StringComparer`, `StringComparison`, `StringSplitOptions`,
//! `StringReader`/`StringWriter`, and composite formatting
//! (`string.Format`, interpolation alignment).
//!
//! Modules: [`utf16`] (.NET's UTF-16 indices over UTF-8 text, and what
//! happens to a split surrogate pair), [`strings`] (instance members;
//! [`edit`] those building a new string),
//! [`statics`] (`string.Join`, `string.Format`…), [`search`], [`split`],
//! [`compare`] (comparisons and the invariant collation), [`comparer`],
//! [`format`] (composite formatting), [`chars`] (`Char`), [`builder`]
//! (`StringBuilder`), [`encoding`], [`io`] (`StringReader`/`Writer`),
//! [`regex`] (`Regex` translated to the `regex` crate).
//!
//! Invariants: every index a member takes or returns counts UTF-16 code
//! units; results that are part of the receiver borrow it; strings a
//! member builds are charged to the memory budget, loops over input to
//! the step budget; nothing panics on any input.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef};
use crate::value::Value;

pub mod args;
pub mod builder;
pub mod chars;
pub mod compare;
pub mod comparer;
pub mod edit;
pub mod encoding;
pub mod format;
pub mod io;
pub mod regex;
pub mod search;
pub mod split;
pub mod statics;
pub mod strings;
pub mod utf16;

pub use chars::{char_call, char_get, CHAR};
pub use comparer::comparer_ignores_case;
pub use strings::{string_call, string_get, string_index};

/// `System.String`.
pub static STRING: TypeDef = TypeDef {
    name: "String",
    aliases: &["string"],
    bases: &["IEnumerable", "IComparable"],
    statics: &[
        m("Empty", "string"),
        m("IsNullOrEmpty", "bool"),
        m("IsNullOrWhiteSpace", "bool"),
        m("Join", "string"),
        m("Concat", "string"),
        m("Format", "string"),
        m("Equals", "bool"),
        m("Compare", "int"),
        m("CompareOrdinal", "int"),
        m("Copy", "string"),
        m("Intern", "string"),
        m("IsInterned", "string"),
    ],
    members: &[
        m("Length", "int"),
        m("this[]", "char"),
        m("Chars", "char"),
        m("Clone", "object"),
        m("CompareTo", "int"),
        m("Contains", "bool"),
        m("StartsWith", "bool"),
        m("EndsWith", "bool"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
        m("IndexOf", "int"),
        m("IndexOfAny", "int"),
        m("LastIndexOf", "int"),
        m("LastIndexOfAny", "int"),
        m("Insert", "string"),
        m("Remove", "string"),
        m("Replace", "string"),
        m("ReplaceLineEndings", "string"),
        m("Split", "string[]"),
        m("Substring", "string"),
        m("ToCharArray", "char[]"),
        m("ToLower", "string"),
        m("ToLowerInvariant", "string"),
        m("ToUpper", "string"),
        m("ToUpperInvariant", "string"),
        m("ToString", "string"),
        m("Trim", "string"),
        m("TrimStart", "string"),
        m("TrimEnd", "string"),
        m("PadLeft", "string"),
        m("PadRight", "string"),
        m("Normalize", "string"),
        m("IsNormalized", "bool"),
    ],
    unimplemented: &[
        "Create",
        "CopyTo",
        "TryCopyTo",
        "EnumerateRunes",
        "GetEnumerator",
        "GetPinnableReference",
        "GetTypeCode",
    ],
    get_static: Some(statics::get_static),
    call_static: Some(statics::call_static),
    ctor: Some(statics::ctor),
    ..TypeDef::EMPTY
};

pub static TYPES: &[&TypeDef] = &[
    &STRING,
    &CHAR,
    &compare::STRING_COMPARISON,
    &split::STRING_SPLIT_OPTIONS,
    &comparer::STRING_COMPARER,
    &builder::STRING_BUILDER,
    &encoding::ENCODING,
    &io::STRING_READER,
    &io::STRING_WRITER,
    &regex::REGEX,
    &regex::REGEX_OPTIONS,
    &regex::matching::MATCH,
    &regex::matching::GROUP,
    &regex::matching::CAPTURE,
    &regex::collections::MATCH_COLLECTION,
    &regex::collections::GROUP_COLLECTION,
    &regex::collections::CAPTURE_COLLECTION,
];

/// `string.Compare(a, b)` / the default comparer in the invariant
/// culture (see [`compare`]'s doc for how it approximates ICU).
pub fn compare_invariant(a: &str, b: &str) -> Ordering {
    compare::culture(a, b, false)
}

/// Pads `s` to `alignment` (interpolation's `{x,8}` / `{x,-8}`).
pub fn align(s: &str, alignment: i64) -> Cow<'_, str> {
    format::align(s, alignment)
}

/// `string.Format(format, args)` for other families (`Console`-like
/// writers, `TextWriter.Write(format, …)`).
pub fn format_composite<'a>(rt: &mut dyn Runtime<'a>, fmt: &str, args: &[Value<'a>]) -> EvalResult<String> {
    format::composite(rt, fmt, args)
}

#[cfg(test)]
mod tests;
