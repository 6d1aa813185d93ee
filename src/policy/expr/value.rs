//! Runtime values. Strings are `Cow`: a value read from the context or a
//! literal of the compiled expression is borrowed; only values computed by
//! the expression (concatenation, `ToLower()`, ...) own their text.

use std::borrow::Cow;
use std::fmt;

use super::datetime::{DateTime, TimeSpan};
use super::types::{DictKind, Ns, Type};

/// A value of the expression language. `'a` is the lifetime of the
/// compiled expression and of the context it is evaluated against.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// C#'s 32-bit `int`; arithmetic wraps like C#'s unchecked context.
    Int(i32),
    Double(f64),
    Char(char),
    /// A `string` (also a `Guid`, in its "D" form).
    Str(Cow<'a, str>),
    /// A `string[]` (header values, `Split` results).
    Array(Vec<Cow<'a, str>>),
    DateTime(DateTime),
    TimeSpan(TimeSpan),
    /// One of `context`'s dictionaries (it stays in the context).
    Dict(DictKind),
    /// One of `context`'s objects.
    Ns(Ns),
}

impl<'a> Value<'a> {
    /// A string value borrowing `s`.
    pub fn str(s: &'a str) -> Value<'a> {
        Value::Str(Cow::Borrowed(s))
    }

    /// A string value owning `s`.
    pub fn string(s: impl Into<String>) -> Value<'static> {
        Value::Str(Cow::Owned(s.into()))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text of a string value (`None` for any other variant).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A copy that borrows from `self` (no allocation): how a context hands
    /// out a stored variable.
    pub fn borrowed(&self) -> Value<'_> {
        match self {
            Value::Str(s) => Value::Str(Cow::Borrowed(s)),
            Value::Array(a) => Value::Array(a.iter().map(|s| Cow::Borrowed(&**s)).collect()),
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Int(i) => Value::Int(*i),
            Value::Double(d) => Value::Double(*d),
            Value::Char(c) => Value::Char(*c),
            Value::DateTime(d) => Value::DateTime(*d),
            Value::TimeSpan(t) => Value::TimeSpan(*t),
            Value::Dict(d) => Value::Dict(*d),
            Value::Ns(n) => Value::Ns(*n),
        }
    }

    /// A copy owning all its text (allocates for borrowed strings): how
    /// set-variable stores a result past the request's borrows.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Array(a) => Value::Array(a.into_iter().map(|s| Cow::Owned(s.into_owned())).collect()),
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Double(d) => Value::Double(d),
            Value::Char(c) => Value::Char(c),
            Value::DateTime(d) => Value::DateTime(d),
            Value::TimeSpan(t) => Value::TimeSpan(t),
            Value::Dict(d) => Value::Dict(d),
            Value::Ns(n) => Value::Ns(n),
        }
    }

    /// The C# type name of the runtime value (for messages).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Double(_) => "double",
            Value::Char(_) => "char",
            Value::Str(_) => "string",
            Value::Array(_) => "string[]",
            Value::DateTime(_) => "DateTime",
            Value::TimeSpan(_) => "TimeSpan",
            Value::Dict(_) => "dictionary",
            Value::Ns(_) => "context object",
        }
    }

    /// Whether the runtime value belongs to the static type `t` (`object`
    /// and nullable types admit `null`).
    pub fn is_of(&self, t: Type) -> bool {
        match (self, t.non_null()) {
            (_, Type::Object) => true,
            (Value::Null, _) => t.admits_null(),
            (Value::Bool(_), Type::Bool)
            | (Value::Int(_), Type::Int)
            | (Value::Double(_), Type::Double)
            | (Value::Char(_), Type::Char)
            | (Value::Str(_), Type::String | Type::Guid)
            | (Value::Array(_), Type::StringArray)
            | (Value::DateTime(_), Type::DateTime)
            | (Value::TimeSpan(_), Type::TimeSpan) => true,
            (Value::Dict(d), Type::Dict(e)) => *d == e,
            (Value::Ns(n), Type::Ns(m)) => *n == m,
            _ => false,
        }
    }

    /// C#'s `ToString()` (and what `+` concatenation appends; null is "").
    /// Borrows for strings, allocates for everything else.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Value::Null => Cow::Borrowed(""),
            Value::Str(s) => Cow::Borrowed(s),
            Value::Bool(true) => Cow::Borrowed("True"),
            Value::Bool(false) => Cow::Borrowed("False"),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Double(d) => Cow::Owned(format_double(*d)),
            Value::Char(c) => Cow::Owned(c.to_string()),
            Value::Array(_) => Cow::Borrowed("System.String[]"),
            Value::DateTime(d) => Cow::Owned(d.format("").unwrap_or_default()),
            Value::TimeSpan(t) => Cow::Owned(t.to_dotnet_string()),
            Value::Dict(_) => Cow::Borrowed("System.Collections.Generic.Dictionary"),
            Value::Ns(ns) => Cow::Owned(ns.to_string()),
        }
    }
}

impl<'a> Value<'a> {
    /// [`Value::to_text`] keeping a string's borrow.
    pub fn into_text(self) -> Cow<'a, str> {
        match self {
            Value::Str(s) => s,
            v => Cow::Owned(v.to_text().into_owned()),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// `double.ToString()` as .NET Core 3.0+ prints it: the shortest text that
/// round-trips, in exponent form from 1E+15 up and below 1E-05.
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "∞".into() } else { "-∞".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let exp = d.abs().log10().floor() as i32;
    if (-5..15).contains(&exp) {
        return format!("{d}");
    }
    // Rust's `{:e}` is shortest round-trip too: "1.5e20" → "1.5E+20".
    let s = format!("{d:e}");
    let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", e.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_dotnet() {
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(2.0), "2");
        assert_eq!(format_double(1e15), "1E+15");
        assert_eq!(format_double(123456789012345.0), "123456789012345");
        assert_eq!(format_double(1.5e-7), "1.5E-07");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(-2.5e20), "-2.5E+20");
        assert_eq!(format_double(f64::NAN), "NaN");
    }

    #[test]
    fn to_text_and_ownership() {
        assert_eq!(Value::Bool(true).to_text(), "True");
        assert_eq!(Value::Null.to_text(), "");
        let owned = Value::str("abc").into_owned();
        assert!(matches!(owned.borrowed(), Value::Str(Cow::Borrowed("abc"))));
        assert!(Value::Null.is_of(Type::String));
        assert!(!Value::Null.is_of(Type::Int));
        assert!(Value::Int(1).is_of(Type::Nullable(super::super::types::Prim::Int)));
    }
}
