//! `System.Char`: its statics (`IsDigit`, `IsLetter`, `ToUpper`, `Parse`,
//! …), its instance members, .NET's simple case mapping and the Unicode
//! general categories the `Is*` tests read (taken from regex-syntax's
//! Unicode tables, the ones the regex engine uses).
//!
//! A `char` value holds a Rust `char`: a supplementary character (an
//! emoji, which .NET sees as two surrogate chars) is one char value here,
//! so `IsSurrogate(c)` is always false; the `(string, index)` overloads see
//! the pairs of the string (see [`super::utf16`]).

use std::sync::OnceLock;

use regex_syntax::hir::{Class, HirKind};

use super::args::{self, out_of_range};
use super::utf16;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

/// `System.Char`.
pub static CHAR: TypeDef = TypeDef {
    name: "Char",
    aliases: &["char"],
    kind: TypeKind::Struct,
    bases: &["IComparable"],
    statics: &[
        m("MaxValue", "char"),
        m("MinValue", "char"),
        m("IsDigit", "bool"),
        m("IsLetter", "bool"),
        m("IsLetterOrDigit", "bool"),
        m("IsWhiteSpace", "bool"),
        m("IsUpper", "bool"),
        m("IsLower", "bool"),
        m("IsPunctuation", "bool"),
        m("IsSymbol", "bool"),
        m("IsControl", "bool"),
        m("IsNumber", "bool"),
        m("IsSeparator", "bool"),
        m("IsSurrogate", "bool"),
        m("IsHighSurrogate", "bool"),
        m("IsLowSurrogate", "bool"),
        m("IsSurrogatePair", "bool"),
        m("IsAscii", "bool"),
        m("IsAsciiDigit", "bool"),
        m("IsAsciiHexDigit", "bool"),
        m("IsAsciiHexDigitLower", "bool"),
        m("IsAsciiHexDigitUpper", "bool"),
        m("IsAsciiLetter", "bool"),
        m("IsAsciiLetterLower", "bool"),
        m("IsAsciiLetterUpper", "bool"),
        m("IsAsciiLetterOrDigit", "bool"),
        m("IsBetween", "bool"),
        m("ToUpper", "char"),
        m("ToLower", "char"),
        m("ToUpperInvariant", "char"),
        m("ToLowerInvariant", "char"),
        m("GetNumericValue", "double"),
        m("Parse", "char"),
        m("TryParse", "bool"),
        m("ToString", "string"),
        m("ConvertFromUtf32", "string"),
        m("ConvertToUtf32", "int"),
        m("Equals", "bool"),
    ],
    members: &[
        m("ToString", "string"),
        m("Equals", "bool"),
        m("CompareTo", "int"),
        m("GetHashCode", "int"),
    ],
    unimplemented: &["GetUnicodeCategory", "GetTypeCode"],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// General-category tables (sorted, inclusive code point ranges).
struct Categories {
    letter: Vec<(u32, u32)>,
    upper: Vec<(u32, u32)>,
    lower: Vec<(u32, u32)>,
    digit: Vec<(u32, u32)>,
    punct: Vec<(u32, u32)>,
    symbol: Vec<(u32, u32)>,
    separator: Vec<(u32, u32)>,
}

fn ranges(class: &str) -> Vec<(u32, u32)> {
    let Ok(hir) = regex_syntax::Parser::new().parse(&format!(r"\p{{{class}}}")) else {
        return Vec::new();
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect(),
        _ => Vec::new(),
    }
}

fn cats() -> &'static Categories {
    static CATS: OnceLock<Categories> = OnceLock::new();
    CATS.get_or_init(|| Categories {
        letter: ranges("L"),
        upper: ranges("Lu"),
        lower: ranges("Ll"),
        digit: ranges("Nd"),
        punct: ranges("P"),
        symbol: ranges("S"),
        separator: ranges("Z"),
    })
}

fn within(table: &[(u32, u32)], c: char) -> Option<(u32, u32)> {
    let c = c as u32;
    let i = table.partition_point(|(_, end)| *end < c);
    table.get(i).copied().filter(|(start, _)| *start <= c)
}

fn is_in(table: &[(u32, u32)], c: char) -> bool {
    within(table, c).is_some()
}

/// `Char.IsLetter` (categories Lu, Ll, Lt, Lm, Lo).
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    is_in(&cats().letter, c)
}

/// `Char.IsUpper` (Lu).
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    is_in(&cats().upper, c)
}

/// `Char.IsLower` (Ll).
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    is_in(&cats().lower, c)
}

/// `Char.IsDigit` (Nd).
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    is_in(&cats().digit, c)
}

/// `Char.IsPunctuation` (Pc, Pd, Ps, Pe, Pi, Pf, Po).
pub fn is_punctuation(c: char) -> bool {
    is_in(&cats().punct, c)
}

/// `Char.IsSymbol` (Sm, Sc, Sk, So).
pub fn is_symbol(c: char) -> bool {
    is_in(&cats().symbol, c)
}

/// `Char.IsSeparator` (Zs, Zl, Zp).
pub fn is_separator(c: char) -> bool {
    is_in(&cats().separator, c)
}

/// .NET's simple uppercase mapping (`ß` stays `ß`).
pub fn to_upper(c: char) -> char {
    let mut u = c.to_uppercase();
    match (u.next(), u.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// .NET's simple lowercase mapping (`İ` gives `i`).
pub fn to_lower(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        (Some(x), Some(_)) if c == '\u{130}' => x,
        _ => c,
    }
}

/// `Char.GetNumericValue`: decimal digits of every script, and the common
/// Latin-1 fractions and superscripts; -1 otherwise (.NET also knows the
/// values of other numeric chars such as Roman numerals, which give -1
/// here).
pub fn numeric_value(c: char) -> f64 {
    if c.is_ascii_digit() {
        return f64::from(c as u32 - '0' as u32);
    }
    if let Some((start, _)) = within(&cats().digit, c) {
        return f64::from((c as u32 - start) % 10);
    }
    match c {
        '¹' => 1.0,
        '²' => 2.0,
        '³' => 3.0,
        '¼' => 0.25,
        '½' => 0.5,
        '¾' => 0.75,
        '⁰' => 0.0,
        '⁴'..='⁹' => f64::from(c as u32 - 0x2070),
        _ => -1.0,
    }
}

fn get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    Some(Ok(match name {
        "MaxValue" => Value::Char('\u{FFFF}'),
        "MinValue" => Value::Char('\0'),
        _ => return None,
    }))
}

/// The char an `Is*` test reads: `(char)` or `(string, index)`.
/// `Err(None)` stands for "the index is half of a pair" (no BMP char).
fn tested(name: &str, args: &[Value<'_>]) -> EvalResult<Result<char, (char, bool)>> {
    match args {
        [Value::Char(c)] => Ok(Ok(*c)),
        [s, i] => {
            let s = args::req_str(s, "s")?;
            let i = args::index(i, "index", "Index was out of range.")?;
            if let Some(p) = utf16::pair_at(s, i) {
                return Ok(Err(p));
            }
            utf16::char_at(s, i).map(Ok).ok_or_else(|| {
                out_of_range(
                    "index",
                    "Index was out of range. Must be non-negative and less than the size of the collection.",
                )
            })
        }
        _ => Err(args::no_overload(name, args)),
    }
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    let test: Option<fn(char) -> bool> = match name {
        "IsDigit" => Some(is_digit),
        "IsLetter" => Some(is_letter),
        "IsLetterOrDigit" => Some(|c| is_letter(c) || is_digit(c)),
        "IsWhiteSpace" => Some(char::is_whitespace),
        "IsUpper" => Some(is_upper),
        "IsLower" => Some(is_lower),
        "IsPunctuation" => Some(is_punctuation),
        "IsSymbol" => Some(is_symbol),
        "IsControl" => Some(char::is_control),
        "IsNumber" => Some(char::is_numeric),
        "IsSeparator" => Some(is_separator),
        "IsAscii" => Some(|c| c.is_ascii()),
        "IsAsciiDigit" => Some(|c| c.is_ascii_digit()),
        "IsAsciiHexDigit" => Some(|c| c.is_ascii_hexdigit()),
        "IsAsciiHexDigitLower" => Some(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "IsAsciiHexDigitUpper" => Some(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
        "IsAsciiLetter" => Some(|c| c.is_ascii_alphabetic()),
        "IsAsciiLetterLower" => Some(|c| c.is_ascii_lowercase()),
        "IsAsciiLetterUpper" => Some(|c| c.is_ascii_uppercase()),
        "IsAsciiLetterOrDigit" => Some(|c| c.is_ascii_alphanumeric()),
        _ => None,
    };
    if let Some(test) = test {
        return Some(tested(name, args).map(|c| {
            // A surrogate half is a Cs char: none of these tests hold.
            Value::Bool(c.map(test).unwrap_or(false))
        }));
    }
    Some(match (name, args) {
        ("IsSurrogate" | "IsHighSurrogate" | "IsLowSurrogate", _) => tested(name, args).map(|c| {
            Value::Bool(match c {
                Ok(_) => false,
                Err((_, high)) => name == "IsSurrogate" || (name == "IsHighSurrogate") == high,
            })
        }),
        ("IsSurrogatePair", [Value::Char(_), Value::Char(_)]) => Ok(Value::Bool(false)),
        ("IsSurrogatePair", _) => tested(name, args).map(|c| Value::Bool(matches!(c, Err((_, true))))),
        ("IsBetween", [Value::Char(c), Value::Char(lo), Value::Char(hi)]) => Ok(Value::Bool((lo..=hi).contains(&c))),
        ("ToUpper" | "ToUpperInvariant", [Value::Char(c), ..]) => Ok(Value::Char(to_upper(*c))),
        ("ToLower" | "ToLowerInvariant", [Value::Char(c), ..]) => Ok(Value::Char(to_lower(*c))),
        ("GetNumericValue", _) => tested(name, args).map(|c| Value::Double(c.map(numeric_value).unwrap_or(-1.0))),
        ("ToString", [Value::Char(c)]) => args::owned(rt, c.to_string()),
        ("Equals", [Value::Char(a), Value::Char(b)]) => Ok(Value::Bool(a == b)),
        ("Parse", [s]) => parse(s),
        ("TryParse", [s, _]) => {
            let r = parse(s).ok();
            let ok = r.is_some();
            match rt.set_out(1, r.unwrap_or(Value::Char('\0'))) {
                Ok(()) => Ok(Value::Bool(ok)),
                Err(e) => Err(e),
            }
        }
        ("ConvertFromUtf32", [v]) => convert_from_utf32(rt, v),
        ("ConvertToUtf32", [Value::Char(_), Value::Char(_)]) => Err(out_of_range(
            "highSurrogate",
            "A valid high surrogate character is between 0xd800 and 0xdbff, inclusive.",
        )),
        ("ConvertToUtf32", [_, _]) => tested(name, args).and_then(|c| match c {
            Ok(c) => Ok(Value::Int(c as i32)),
            Err((c, true)) => Ok(Value::Int(c as i32)),
            Err((_, false)) => Err(EvalError::argument(
                "Found a low surrogate char without a preceding high surrogate at index: the string's index. (Parameter 's')",
            )),
        }),
        _ => return None,
    })
}

fn parse<'a>(s: &Value<'_>) -> EvalResult<Value<'a>> {
    let s = args::req_str(s, "s")?;
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) if c.len_utf16() == 1 => Ok(Value::Char(c)),
        _ => Err(EvalError::new(
            EvalErrorKind::Format,
            "String must be exactly one character long.",
        )),
    }
}

fn convert_from_utf32<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> EvalResult<Value<'a>> {
    let n = args::int(v, "utf32")?;
    let c = u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| out_of_range("utf32", "A valid UTF32 value is between 0x000000 and 0x10ffff, inclusive, and should not include surrogate codepoint values (0x00d800 ~ 0x00dfff)."))?;
    args::owned(rt, c.to_string())
}

/// A property of a char: chars have none.
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
    let _ = targs;
    Some(match (name, args) {
        ("ToString", [] | [_]) => args::owned(rt, c.to_string()),
        ("Equals", [Value::Char(o)]) => Ok(Value::Bool(c == *o)),
        ("Equals", [_]) => Ok(Value::Bool(false)),
        ("CompareTo", [Value::Char(o)]) => Ok(Value::Int(utf16_diff(c, *o))),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [_]) => Err(EvalError::argument("Object must be of type Char.")),
        ("GetHashCode", []) => Ok(Value::Int((c as i32) | ((c as i32) << 16))),
        _ => return None,
    })
}

/// `char.CompareTo`: the difference of the (first) UTF-16 units.
fn utf16_diff(a: char, b: char) -> i32 {
    let mut x = [0u16; 2];
    let mut y = [0u16; 2];
    let p = a.encode_utf16(&mut x)[0];
    let q = b.encode_utf16(&mut y)[0];
    i32::from(p) - i32::from(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn st(name: &str, args: &[Value<'static>]) -> Value<'static> {
        let mut rt = TestRt::new();
        call_static(&mut rt, name, &[], args).unwrap().unwrap()
    }

    #[test]
    fn categories() {
        assert!(is_digit('٣') && !is_digit('²') && '²'.is_numeric());
        assert!(is_letter('é') && is_upper('É') && is_lower('ß'));
        assert!(is_punctuation('!') && is_punctuation('¿') && !is_punctuation('+'));
        assert!(is_symbol('+') && is_symbol('€') && is_symbol('^'));
        assert!(is_separator(' ') && !is_separator('\t'));
        assert_eq!(numeric_value('٣'), 3.0);
        assert_eq!(numeric_value('½'), 0.5);
        assert_eq!(to_upper('ß'), 'ß');
        assert_eq!(to_lower('\u{130}'), 'i');
    }

    #[test]
    fn statics() {
        assert!(matches!(st("IsDigit", &[Value::Char('7')]), Value::Bool(true)));
        assert!(matches!(
            st("IsLetter", &[Value::string("a1"), Value::Int(1)]),
            Value::Bool(false)
        ));
        assert!(matches!(
            st("IsHighSurrogate", &[Value::string("a😀"), Value::Int(1)]),
            Value::Bool(true)
        ));
        assert!(matches!(
            st("IsLowSurrogate", &[Value::string("a😀"), Value::Int(1)]),
            Value::Bool(false)
        ));
        assert!(matches!(st("ToUpper", &[Value::Char('q')]), Value::Char('Q')));
        assert!(matches!(st("Parse", &[Value::string("x")]), Value::Char('x')));
        let mut rt = TestRt::new();
        let e = call_static(&mut rt, "Parse", &[], &[Value::string("xy")])
            .unwrap()
            .unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::Format);
        let r = call_static(&mut rt, "TryParse", &[], &[Value::string("xy"), Value::Null])
            .unwrap()
            .unwrap();
        assert!(matches!(r, Value::Bool(false)));
        assert!(matches!(rt.outs[0], (1, Value::Char('\0'))));
        assert!(matches!(
            st("ConvertToUtf32", &[Value::string("😀"), Value::Int(0)]),
            Value::Int(0x1F600)
        ));
        assert!(
            char_call(&mut rt, 'a', "CompareTo", &[], &[Value::Char('c')])
                .unwrap()
                .unwrap()
                .as_integer()
                == Some(-2)
        );
    }
}
