//! JSON text as Newtonsoft's `JsonTextWriter` writes it: `ToString()` of
//! tokens (indented) and `ToString(Formatting.None)`, and
//! `JsonConvert.SerializeObject` of any value.
//!
//! Layout: `Formatting.Indented` puts each property and array item on its
//! own line, indented by two spaces per level, with `": "` after names;
//! empty containers are `{}` and `[]`. Lines end with
//! `Environment.NewLine`, which is `"\n"` on Linux, where APIM's
//! self-hosted gateway runs (`"\r\n"` on Windows hosts). `None` is
//! compact (`{"a":1,"b":[1,2]}`).
//!
//! Values: strings escaped as Newtonsoft's default `StringEscapeHandling`
//! (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other control characters and
//! U+0085, U+2028, U+2029 as `\u00xx`; everything else, non-ASCII included,
//! as is); doubles, floats and decimals with a decimal place (`1.0`,
//! `1.5`, `1E+20`, `"NaN"`/`"Infinity"` quoted); dates in ISO 8601 with
//! their kind (`"2024-01-02T03:04:05Z"`); Guids, TimeSpans and Uris as
//! strings; byte arrays in base64; enums as numbers.
//!
//! Serializing other values (`SerializeObject`, `FromObject`): dictionaries
//! ([`crate::Object::entries`], context dictionaries) as objects, plain
//! and anonymous objects ([`crate::Object::fields`]) as objects,
//! enumerables ([`crate::Object::items`]) as arrays; any other object as
//! its `ToString()` string. Nesting deeper than 64 levels is refused
//! (where Newtonsoft would report a self-referencing loop).

use std::fmt::Write as _;

use base64::Engine;

use super::dates::{write_iso, write_iso_offset};
use super::fmt::{double_r, ensure_decimal_place, guid_d, single_r};
use super::node::{Data, Node};
use super::scalar::{Flavor, Scalar};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::KeyValuePair;
use crate::runtime::Runtime;
use crate::value::Value;

/// The deepest value `SerializeObject`/`FromObject` follow.
pub const MAX_SERIALIZE_DEPTH: usize = 64;

fn newline(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// `token.ToString(formatting)`.
pub fn token_json(node: &Node, indent: bool) -> String {
    let mut out = String::with_capacity(256);
    write_node(&mut out, node, indent, 0);
    out
}

/// Writes a token (bounded by the tree's depth invariant).
pub fn write_node(out: &mut String, node: &Node, indent: bool, level: usize) {
    match &node.data {
        Data::Object(props) => {
            let props = props.borrow();
            out.push('{');
            for (i, p) in props.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if indent {
                    newline(out, level + 1);
                }
                write_node(out, p, indent, level + 1);
            }
            if indent && !props.is_empty() {
                newline(out, level);
            }
            out.push('}');
        }
        Data::Array(items) => write_items(out, "[", &items.borrow(), "]", indent, level),
        Data::Constructor(name, items) => {
            let open = format!("new {}(", name.borrow());
            write_items(out, &open, &items.borrow(), ")", indent, level);
        }
        Data::Property(name, value) => {
            write_string(out, name);
            out.push(':');
            if indent {
                out.push(' ');
            }
            write_node(out, &value.borrow(), indent, level);
        }
        Data::Value(s) => write_scalar(out, &s.borrow()),
    }
}

fn write_items(out: &mut String, open: &str, items: &[std::rc::Rc<Node>], close: &str, indent: bool, level: usize) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if indent {
            newline(out, level + 1);
        }
        write_node(out, item, indent, level + 1);
    }
    if indent && !items.is_empty() {
        newline(out, level);
    }
    out.push_str(close);
}

/// A `JValue` as JSON.
pub fn write_scalar(out: &mut String, s: &Scalar) {
    match s.flavor {
        Flavor::Raw => {
            if let Value::Str(t) = &s.v {
                out.push_str(t);
            }
            return;
        }
        Flavor::Comment => {
            out.push_str("/*");
            if let Value::Str(t) = &s.v {
                out.push_str(t);
            }
            out.push_str("*/");
            return;
        }
        Flavor::Undefined => {
            out.push_str("undefined");
            return;
        }
        _ => {}
    }
    match &s.v {
        Value::DateTime(d) => {
            out.push('"');
            write_iso(out, d.ticks, s.date_kind());
            out.push('"');
        }
        v => write_primitive(out, v),
    }
}

/// A primitive value as JSON (dates as `Utc`, the time family's kind).
fn write_primitive(out: &mut String, v: &Value<'_>) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Char(c) => write_string(out, c.encode_utf8(&mut [0; 4])),
        Value::Str(s) => write_string(out, s),
        Value::Double(d) => write_double(out, *d),
        Value::Float(f) => write_float(out, single_r(*f), f.is_finite()),
        Value::Decimal(d) => out.push_str(&ensure_decimal_place(d.to_string())),
        Value::DateTime(d) => {
            out.push('"');
            write_iso(out, d.ticks, super::dates::DateKind::Utc);
            out.push('"');
        }
        Value::DateTimeOffset(d) => {
            out.push('"');
            write_iso_offset(out, d.utc.ticks, d.offset_minutes);
            out.push('"');
        }
        Value::TimeSpan(t) => write_string(out, &t.to_dotnet_string()),
        Value::Guid(g) => write_string(out, &guid_d(*g)),
        Value::Enum(_, n) => {
            let _ = write!(out, "{n}");
        }
        Value::Obj(o) => match crate::library::collections::Array::to_bytes(v) {
            Some(b) => write_string(out, &base64::engine::general_purpose::STANDARD.encode(b)),
            None => write_string(out, &o.to_text()),
        },
        Value::Long(i) => push_i64(out, *i),
        v => match v.as_integer() {
            Some(i) => {
                let _ = write!(out, "{i}");
            }
            None => write_string(out, &crate::library::to_text_plain(v)),
        },
    }
}

/// An `i64` in decimal, without the formatting machinery.
fn push_i64(out: &mut String, i: i64) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    for &b in &buf[at..] {
        out.push(char::from(b));
    }
}

/// A double: Rust's shortest text is .NET's `R` text when the decimal
/// exponent is within .NET's fixed-notation range; otherwise [`double_r`].
fn write_double(out: &mut String, d: f64) {
    let a = d.abs();
    if (1e-4..1e15).contains(&a) {
        let start = out.len();
        let _ = write!(out, "{d}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    } else {
        write_float(out, double_r(d), d.is_finite());
    }
}

fn write_float(out: &mut String, text: String, finite: bool) {
    if finite {
        out.push_str(&ensure_decimal_place(text));
    } else {
        // FloatFormatHandling.String (the default): quoted.
        out.push('"');
        out.push_str(&text);
        out.push('"');
    }
}

/// Whether a byte starts something [`write_string`] may escape: ASCII
/// controls, `"`, `\\`, and the lead bytes of U+0085 (`C2`) and U+2028/9 (`E2`).
fn needs_look(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\' || b == 0xC2 || b == 0xE2
}

/// A JSON string literal with Newtonsoft's default escaping.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let Some(first) = bytes.iter().position(|&b| needs_look(b)) else {
        out.push_str(s);
        out.push('"');
        return;
    };
    let mut start = 0;
    for (i, c) in s[first..].char_indices() {
        let i = i + first;
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            c if (c as u32) < 0x20 || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn too_deep() -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("JsonSerializationException"),
        format!("Self referencing loop detected, or nesting deeper than {MAX_SERIALIZE_DEPTH} levels."),
    )
}

/// `JsonConvert.SerializeObject(value, formatting)`.
pub fn serialize<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, indent: bool) -> EvalResult<String> {
    let mut out = String::with_capacity(64);
    // Leaves charge the budget as they are written (see `write_value`).
    write_value(rt, &mut out, v, indent, 0)?;
    Ok(out)
}

/// Writes any value as Newtonsoft's serializer does (see the module doc).
pub fn write_value<'a>(
    rt: &mut dyn Runtime<'a>,
    out: &mut String,
    v: &Value<'a>,
    indent: bool,
    level: usize,
) -> EvalResult<()> {
    if level > MAX_SERIALIZE_DEPTH {
        return Err(too_deep());
    }
    rt.charge(1)?;
    let Value::Obj(o) = v else {
        if let Value::Dict(_) | Value::Ns(_) = v {
            return write_enumerable(rt, out, v, indent, level);
        }
        let start = out.len();
        write_primitive(out, v);
        return rt.alloc(out.len() - start);
    };
    // Leaves charge the memory budget for what they wrote as they go (a
    // shared value written many times is charged every time).
    let start = out.len();
    if let Some(node) = o.as_any().downcast_ref::<Node>() {
        rt.charge(node.count_nodes() as u64)?;
        write_node(out, node, indent, level);
        return rt.alloc(out.len() - start);
    }
    if crate::library::collections::Array::to_bytes(v).is_some() {
        write_primitive(out, v);
        return rt.alloc(out.len() - start);
    }
    if let Some(entries) = o.entries() {
        let pairs = entries
            .into_iter()
            .map(|(k, v)| (crate::library::to_text_plain(&k), v))
            .collect::<Vec<_>>();
        return write_pairs(rt, out, pairs, indent, level);
    }
    if let Some(fields) = o.fields() {
        let pairs = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        return write_pairs(rt, out, pairs, indent, level);
    }
    if o.items().is_some() {
        return write_enumerable(rt, out, v, indent, level);
    }
    write_string(out, &o.to_text());
    Ok(())
}

fn write_pairs<'a>(
    rt: &mut dyn Runtime<'a>,
    out: &mut String,
    pairs: Vec<(String, Value<'static>)>,
    indent: bool,
    level: usize,
) -> EvalResult<()> {
    out.push('{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if indent {
            newline(out, level + 1);
        }
        write_string(out, k);
        out.push(':');
        if indent {
            out.push(' ');
        }
        write_value(rt, out, v, indent, level + 1)?;
    }
    if indent && !pairs.is_empty() {
        newline(out, level);
    }
    out.push('}');
    Ok(())
}

/// An enumerable: an array, or an object when every item is a
/// `KeyValuePair` with a string key (a dictionary seen through `items`).
fn write_enumerable<'a>(
    rt: &mut dyn Runtime<'a>,
    out: &mut String,
    v: &Value<'a>,
    indent: bool,
    level: usize,
) -> EvalResult<()> {
    let items = match crate::library::items(rt, v) {
        Some(r) => r?,
        None => {
            write_string(out, &crate::library::to_text_plain(v));
            return Ok(());
        }
    };
    let is_dict =
        matches!(v, Value::Dict(_) | Value::Ns(_)) && items.iter().all(|i| i.downcast::<KeyValuePair>().is_some());
    if is_dict {
        let pairs = items
            .iter()
            .filter_map(|i| i.downcast::<KeyValuePair>())
            .map(|p| (crate::library::to_text_plain(&p.key), p.value.clone()))
            .collect();
        return write_pairs(rt, out, pairs, indent, level);
    }
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if indent {
            newline(out, level + 1);
        }
        write_value(rt, out, item, indent, level + 1)?;
    }
    if indent && !items.is_empty() {
        newline(out, level);
    }
    out.push(']');
    Ok(())
}
