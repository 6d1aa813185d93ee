//! JSON text to a token tree, as Newtonsoft's `JToken.Parse` /
//! `JObject.Parse` / `JArray.Parse` read it with their defaults, built in
//! document order straight from serde_json's streaming parser (a
//! `DeserializeSeed`/`Visitor` pair; serde_json's features stay off).
//!
//! What it produces (decided to emulate Newtonsoft, which APIM policies
//! were written against):
//! - integers as `Int64` (`JTokenType.Integer`); up to `UInt64::MaxValue`
//!   as `UInt64` (Newtonsoft: `BigInteger`, also `Integer`); beyond that
//!   serde_json yields a double, so they become `Float` (Newtonsoft keeps a
//!   `BigInteger`: a documented difference); `-0` becomes the float `-0.0`;
//! - reals as `Double` (`JTokenType.Float`): `1.0` stays a Float and is
//!   written back as `1.0`; serde_json's default float parsing may differ
//!   from .NET's in the last bit for literals of 17+ significant digits;
//! - strings that look like dates become `JTokenType.Date` values
//!   (`DateParseHandling.DateTime`, see [`super::dates`] for exactly which);
//! - a repeated property name replaces the earlier value in place
//!   (`DuplicatePropertyNameHandling.Replace`);
//! - nesting deeper than 64 containers is refused (Newtonsoft's default
//!   `MaxDepth` of 64 since 13.0), with its message;
//! - accepted as Newtonsoft's reader accepts them: raw control characters
//!   inside strings, trailing commas (`[1,]`, `{"a":1,}`), comments
//!   (`//…`, `/*…*/`, dropped as `JObject.Parse` drops them).
//!
//! Refused where Newtonsoft is lenient (a `JsonReaderException`; the
//! messages follow Newtonsoft's wording, positions are serde_json's):
//! single-quoted strings, unquoted property names, `NaN`/`Infinity`/
//! `undefined` literals, constructors (`new Date(…)`), `[,]`, lone UTF-16
//! surrogates in `\u` escapes.

use std::fmt;
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::dates::parse_json_date;
use super::edit::NODE_BYTES;
use super::node::Node;
use super::scalar::Scalar;
use super::TokenType;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::value::Value;

/// Newtonsoft's default `JsonReader.MaxDepth`.
pub const MAX_DEPTH: usize = 64;

/// What the caller loads (`JToken.Parse`, `JObject.Parse`, `JArray.Parse`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Token,
    Object,
    Array,
}

/// Parses `text`; `dates`: Newtonsoft's `DateParseHandling.DateTime`
/// (off where Newtonsoft reads strings as strings, `DeserializeObject<string[]>`).
pub fn parse(rt: &mut dyn Runtime<'_>, text: &str, want: Want, dates: bool) -> EvalResult<Rc<Node>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    rt.charge(text.len() as u64 / 16 + 1)?;
    rt.alloc(text.len())?;
    let what = match want {
        Want::Token => "JToken",
        Want::Object => "JObject",
        Want::Array => "JArray",
    };
    let Some(first) = text.find(|c: char| !matches!(c, ' ' | '\t' | '\n' | '\r')) else {
        return Err(reader_error(format!(
            "Error reading {what} from JsonReader. Path '', line 0, position 0."
        )));
    };
    let (line, col) = line_col(text, first);
    let expect = |found: &str| -> EvalError {
        let kind = match want {
            Want::Object => "an object",
            _ => "an array",
        };
        reader_error(format!(
            "Error reading {what} from JsonReader. Current JsonReader item is not {kind}: {found}. Path '', line {line}, position {}.",
            col
        ))
    };
    let opener = text.as_bytes()[first];
    match (want, opener) {
        (Want::Object, b'[') => return Err(expect("StartArray")),
        (Want::Array, b'{') => return Err(expect("StartObject")),
        _ => {}
    }
    let fast = super::tape::parse(text, dates);
    let node = match fast.map_or_else(|| parse_tree(text, dates), Ok) {
        Ok(n) => n,
        // Newtonsoft's reader is lenient where serde_json is strict: retry
        // on a rewritten text, and report the first error if that fails too.
        Err(f) => match lenient(text) {
            Some(fixed) => match parse_tree(&fixed, dates) {
                Ok(n) => n,
                Err(_) => return Err(f.into_error(text)),
            },
            None => return Err(f.into_error(text)),
        },
    };
    let (node, nodes) = node;
    rt.charge(nodes as u64)?;
    rt.alloc(nodes * NODE_BYTES)?;
    let found = match node.token_type() {
        TokenType::Object => {
            return if want == Want::Array {
                Err(expect("StartObject"))
            } else {
                Ok(node)
            }
        }
        TokenType::Array => {
            return if want == Want::Object {
                Err(expect("StartArray"))
            } else {
                Ok(node)
            }
        }
        t => t.name(),
    };
    match want {
        Want::Token => Ok(node),
        _ => {
            let last = text.trim_end().len().saturating_sub(1);
            let (line, col) = line_col(text, last);
            let kind = if want == Want::Object { "an object" } else { "an array" };
            Err(reader_error(format!(
                "Error reading {what} from JsonReader. Current JsonReader item is not {kind}: {found}. Path '', line {line}, position {}.",
                col
            )))
        }
    }
}

/// A `JsonReaderException`.
pub fn reader_error(message: impl Into<String>) -> EvalError {
    EvalError::new(EvalErrorKind::Other("JsonReaderException"), message)
}

/// 1-based line and column of byte `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A step of the path being read (for error messages).
#[derive(Debug, Clone)]
enum Part {
    Key(Rc<str>),
    Index(usize),
}

fn path_text(parts: &[Part]) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            Part::Key(k) => super::path::push_property(&mut s, k),
            Part::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// The reader's state while it builds the tree.
struct Ctx {
    depth: usize,
    dates: bool,
    path: Vec<Part>,
    too_deep: bool,
    /// The nodes read so far (for the budget).
    nodes: usize,
    /// Property names read so far (see [`KeySeed`]).
    names: Vec<Rc<str>>,
    /// Children of the containers being read, innermost last: each
    /// container takes its tail at its end (one exact allocation).
    stack: Vec<Rc<Node>>,
}

enum Failure {
    Serde(serde_json::Error, Vec<Part>),
    TooDeep(serde_json::Error, Vec<Part>),
}

impl Failure {
    fn into_error(self, text: &str) -> EvalError {
        let (e, path, deep) = match &self {
            Failure::Serde(e, p) => (e, p, false),
            Failure::TooDeep(e, p) => (e, p, true),
        };
        let (line, col) = (e.line(), e.column());
        let path = path_text(path);
        let msg = if deep {
            format!("The reader's MaxDepth of {MAX_DEPTH} has been exceeded.")
        } else {
            newtonsoft_message(e, text)
        };
        reader_error(format!("{msg} Path '{path}', line {line}, position {col}."))
    }
}

/// Newtonsoft's wording for serde_json's syntax errors.
fn newtonsoft_message(e: &serde_json::Error, text: &str) -> String {
    let raw = e.to_string();
    let what = raw.split(" at line ").next().unwrap_or(&raw);
    let ch = char_at(text, e.line(), e.column());
    let c = ch.map(String::from).unwrap_or_default();
    match what {
        "EOF while parsing a string" => "Unterminated string. Expected delimiter: \".".into(),
        "EOF while parsing an object" => "Unexpected end of content while loading JObject.".into(),
        "EOF while parsing a list" => "Unexpected end of content while loading JArray.".into(),
        "EOF while parsing a value" => "Unexpected end when reading JSON.".into(),
        "trailing characters" => format!("Additional text encountered after finished reading JSON content: {c}."),
        "expected value" | "trailing comma" => format!("Unexpected character encountered while parsing value: {c}."),
        "key must be a string" => format!("Invalid property identifier character: {c}."),
        "expected `:`" => format!("Invalid character after parsing property name. Expected ':' but got: {c}."),
        "expected `,` or `}`" | "expected `,` or `]`" => {
            format!("After parsing a value an unexpected character was encountered: {c}.")
        }
        "invalid escape" => format!("Bad JSON escape sequence: \\{c}."),
        "invalid number" | "number out of range" => {
            format!("Unexpected character encountered while parsing number: {c}.")
        }
        "expected ident" => format!("Unexpected character encountered while parsing value: {c}."),
        other => {
            let mut s = other.to_owned();
            if let Some(f) = s.get_mut(..1) {
                f.make_ascii_uppercase();
            }
            s.push('.');
            s
        }
    }
}

/// The character at serde_json's (line, column) (columns count bytes).
fn char_at(text: &str, line: usize, column: usize) -> Option<char> {
    let l = text.split('\n').nth(line.checked_sub(1)?)?;
    let at = column.checked_sub(1)?;
    let mut at = at.min(l.len());
    while !l.is_char_boundary(at) {
        at -= 1;
    }
    l[at..].chars().next()
}

/// `text` rewritten into strict JSON where Newtonsoft's reader accepts
/// more: comments (`//…` and `/*…*/`) dropped, trailing commas before `]`
/// or `}` dropped, raw control characters inside strings escaped. `None`
/// when there is nothing to rewrite.
fn lenient(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    let mut chars = text.char_indices().peekable();
    let (mut in_string, mut escaped) = (false, false);
    while let Some((i, c)) = chars.next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            } else if (c as u32) < 0x20 {
                out.push_str(&format!("\\u{:04x}", c as u32));
                changed = true;
                continue;
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if text[i + 1..].starts_with('/') => {
                changed = true;
                while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                    chars.next();
                }
            }
            '/' if text[i + 1..].starts_with('*') => {
                let end = text[i + 2..].find("*/")?;
                changed = true;
                out.push(' ');
                while chars.peek().is_some_and(|&(j, _)| j < i + 2 + end + 2) {
                    chars.next();
                }
            }
            ',' => {
                let rest = text[i + 1..].trim_start_matches([' ', '\t', '\n', '\r']);
                let after_value = out.trim_end().ends_with(|p: char| !matches!(p, '[' | '{' | ','));
                if rest.starts_with([']', '}']) && after_value {
                    changed = true;
                } else {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    changed.then_some(out)
}

/// The serde_json path alone (tests compare the fast path with it).
#[cfg(test)]
pub fn parse_tree_for_tests(text: &str, dates: bool) -> Option<(Rc<Node>, usize)> {
    parse_tree(text, dates).ok()
}

fn parse_tree(text: &str, dates: bool) -> Result<(Rc<Node>, usize), Failure> {
    let mut ctx = Ctx {
        depth: 0,
        dates,
        path: Vec::new(),
        too_deep: false,
        nodes: 0,
        names: Vec::new(),
        stack: Vec::with_capacity(64),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let result = NodeSeed { ctx: &mut ctx }
        .deserialize(&mut de)
        .and_then(|n| de.end().map(|()| (n, ctx.nodes)));
    result.map_err(|e| {
        let path = std::mem::take(&mut ctx.path);
        if ctx.too_deep {
            Failure::TooDeep(e, path)
        } else {
            Failure::Serde(e, path)
        }
    })
}

struct NodeSeed<'c> {
    ctx: &'c mut Ctx,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Rc<Node>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Rc<Node>, D::Error> {
        d.deserialize_any(self)
    }
}

impl NodeSeed<'_> {
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        self.ctx.nodes += 1;
        self.ctx.depth += 1;
        if self.ctx.depth > MAX_DEPTH {
            self.ctx.too_deep = true;
            return Err(E::custom("max depth"));
        }
        Ok(())
    }

    fn string(self, s: &str) -> Rc<Node> {
        self.ctx.nodes += 1;
        if self.ctx.dates {
            if let Some((ticks, kind)) = parse_json_date(s) {
                return Node::value(Scalar::date(ticks, kind));
            }
        }
        Node::value(Scalar::string(s))
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Rc<Node>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Rc<Node>, E> {
        self.ctx.nodes += 1;
        Ok(Node::value(Scalar::plain(Value::Bool(v))))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Rc<Node>, E> {
        self.ctx.nodes += 1;
        Ok(Node::value(Scalar::plain(Value::Long(v))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Rc<Node>, E> {
        self.ctx.nodes += 1;
        let v = i64::try_from(v).map_or(Value::ULong(v), Value::Long);
        Ok(Node::value(Scalar::plain(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Rc<Node>, E> {
        self.ctx.nodes += 1;
        Ok(Node::value(Scalar::plain(Value::Double(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Rc<Node>, E> {
        Ok(self.string(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Rc<Node>, E> {
        self.ctx.nodes += 1;
        Ok(Node::value(Scalar::null()))
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Rc<Node>, A::Error> {
        self.enter()?;
        let base = self.ctx.stack.len();
        loop {
            self.ctx.path.push(Part::Index(self.ctx.stack.len() - base));
            let item = seq.next_element_seed(NodeSeed { ctx: &mut *self.ctx })?;
            self.ctx.path.pop();
            match item {
                Some(n) => self.ctx.stack.push(n),
                None => break,
            }
        }
        self.ctx.depth -= 1;
        Ok(Node::array(self.ctx.stack.drain(base..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Rc<Node>, A::Error> {
        self.enter()?;
        let base = self.ctx.stack.len();
        let mut index: Option<std::collections::HashMap<Rc<str>, usize>> = None;
        // The path names the last property read until the next one starts
        // (what Newtonsoft's messages show for an error between them).
        let mut named = false;
        while let Some(key) = map.next_key_seed(KeySeed {
            names: &mut self.ctx.names,
        })? {
            if named {
                self.ctx.path.pop();
            }
            self.ctx.path.push(Part::Key(key.clone()));
            named = true;
            let value = map.next_value_seed(NodeSeed { ctx: &mut *self.ctx })?;
            self.ctx.nodes += 1;
            let props = &mut self.ctx.stack[base..];
            let existing = match &index {
                Some(ix) => ix.get(&key).copied(),
                None => props.iter().position(|p| p.name_ref() == Some(&*key)),
            };
            let prop = Node::property(key.clone(), value);
            match existing {
                Some(i) => props[i] = prop,
                None => {
                    self.ctx.stack.push(prop);
                    let len = self.ctx.stack.len() - base;
                    if let Some(ix) = &mut index {
                        ix.insert(key, len - 1);
                    } else if len > 32 {
                        index = Some(
                            self.ctx.stack[base..]
                                .iter()
                                .enumerate()
                                .filter_map(|(i, p)| p.name().map(|n| (n, i)))
                                .collect(),
                        );
                    }
                }
            }
        }
        if named {
            self.ctx.path.pop();
        }
        self.ctx.depth -= 1;
        Ok(Node::object(self.ctx.stack.drain(base..).collect()))
    }
}

/// Reads a property name, sharing the `Rc<str>` of a name already read
/// (the same names repeat in every item of an array of objects).
struct KeySeed<'k> {
    names: &'k mut Vec<Rc<str>>,
}

/// How many distinct names [`KeySeed`] remembers.
const NAME_CACHE: usize = 32;

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Rc<str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Rc<str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Rc<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Rc<str>, E> {
        if let Some(n) = self.names.iter().find(|n| ***n == *v) {
            return Ok(n.clone());
        }
        let n: Rc<str> = Rc::from(v);
        if self.names.len() < NAME_CACHE {
            self.names.push(n.clone());
        }
        Ok(n)
    }
}
