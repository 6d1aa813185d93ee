//! `System.Text.Encoding`: UTF-8 (`UTF8`, `Default`), `ASCII`, `Unicode`
//! (UTF-16LE), `BigEndianUnicode`, `UTF32` (LE), `Latin1`, and
//! `GetEncoding(name | codepage)` for those. Encoding replaces what the
//! target cannot hold with `?` (ASCII, Latin-1), decoding replaces
//! invalid input with U+FFFD (UTF-8: one per maximal invalid subpart, as
//! .NET Core does; ASCII: `?` for bytes above 0x7F, as .NET's ASCII
//! decoder does). Byte arrays are `byte[]` values.

use std::any::Any;
use std::rc::Rc;

use super::args::{self, no_overload, null_arg, out_of_range};
use super::chars::CHAR;
use crate::error::{EvalError, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

/// `System.Text.Encoding`.
pub static ENCODING: TypeDef = TypeDef {
    name: "Encoding",
    namespace: "System.Text",
    statics: &[
        m("UTF8", "Encoding"),
        m("ASCII", "Encoding"),
        m("Unicode", "Encoding"),
        m("BigEndianUnicode", "Encoding"),
        m("UTF32", "Encoding"),
        m("Latin1", "Encoding"),
        m("Default", "Encoding"),
        m("GetEncoding", "Encoding"),
        m("Convert", "byte[]"),
    ],
    members: &[
        m("GetBytes", "byte[]"),
        m("GetString", "string"),
        m("GetChars", "char[]"),
        m("GetByteCount", "int"),
        m("GetCharCount", "int"),
        m("GetMaxByteCount", "int"),
        m("GetMaxCharCount", "int"),
        m("GetPreamble", "byte[]"),
        m("WebName", "string"),
        m("EncodingName", "string"),
        m("BodyName", "string"),
        m("HeaderName", "string"),
        m("CodePage", "int"),
        m("WindowsCodePage", "int"),
        m("IsSingleByte", "bool"),
        m("IsReadOnly", "bool"),
        m("Clone", "object"),
        m("ToString", "string"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
    ],
    unimplemented: &[
        "UTF7",
        "GetEncodings",
        "RegisterProvider",
        "CreateTranscodingStream",
        "Preamble",
        "EncoderFallback",
        "DecoderFallback",
        "GetEncoder",
        "GetDecoder",
        "IsAlwaysNormalized",
        "IsBrowserDisplay",
        "IsBrowserSave",
        "IsMailNewsDisplay",
        "IsMailNewsSave",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// The encodings Outpost implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Ascii,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Latin1,
}

/// An `Encoding` object.
#[derive(Debug)]
pub struct Encoding {
    pub enc: Enc,
}

impl Enc {
    /// (web name, encoding name, code page).
    fn names(self) -> (&'static str, &'static str, i32) {
        match self {
            Enc::Utf8 => ("utf-8", "Unicode (UTF-8)", 65001),
            Enc::Ascii => ("us-ascii", "US-ASCII", 20127),
            Enc::Utf16Le => ("utf-16", "Unicode", 1200),
            Enc::Utf16Be => ("utf-16BE", "Unicode (Big-Endian)", 1201),
            Enc::Utf32Le => ("utf-32", "Unicode (UTF-32)", 12000),
            Enc::Latin1 => ("iso-8859-1", "Western European (ISO)", 28591),
        }
    }

    fn by_name(name: &str) -> Option<Enc> {
        let n = name.trim().to_ascii_lowercase();
        Some(match n.as_str() {
            "utf-8" | "utf8" | "unicode-1-1-utf-8" | "unicode-2-0-utf-8" | "x-unicode20utf8" => Enc::Utf8,
            "us-ascii" | "ascii" | "us" | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "cp367" | "csascii" | "ibm367"
            | "iso-ir-6" | "iso646-us" | "iso_646.irv:1991" => Enc::Ascii,
            "utf-16" | "utf-16le" | "unicode" | "ucs-2" => Enc::Utf16Le,
            "utf-16be" | "unicodefffe" => Enc::Utf16Be,
            "utf-32" | "utf-32le" => Enc::Utf32Le,
            "iso-8859-1" | "latin1" | "l1" | "cp819" | "csisolatin1" | "ibm819" | "iso-ir-100" | "iso8859-1"
            | "iso_8859-1" | "iso_8859-1:1987" => Enc::Latin1,
            _ => return None,
        })
    }

    fn by_code_page(cp: i32) -> Option<Enc> {
        Some(match cp {
            65001 => Enc::Utf8,
            20127 => Enc::Ascii,
            1200 => Enc::Utf16Le,
            1201 => Enc::Utf16Be,
            12000 => Enc::Utf32Le,
            28591 => Enc::Latin1,
            _ => return None,
        })
    }

    /// `GetBytes`.
    pub fn encode(self, s: &str) -> Vec<u8> {
        match self {
            Enc::Utf8 => s.as_bytes().to_vec(),
            Enc::Ascii => s.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }).collect(),
            Enc::Latin1 => s.chars().map(|c| u8::try_from(c as u32).unwrap_or(b'?')).collect(),
            Enc::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Enc::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Enc::Utf32Le => s.chars().flat_map(|c| (c as u32).to_le_bytes()).collect(),
        }
    }

    /// `GetByteCount`.
    fn byte_count(self, s: &str) -> usize {
        match self {
            Enc::Utf8 => s.len(),
            Enc::Ascii | Enc::Latin1 => s.chars().count(),
            Enc::Utf16Le | Enc::Utf16Be => 2 * super::utf16::len16(s),
            Enc::Utf32Le => 4 * s.chars().count(),
        }
    }

    /// `GetString`.
    pub fn decode(self, b: &[u8]) -> String {
        match self {
            Enc::Utf8 => String::from_utf8_lossy(b).into_owned(),
            Enc::Ascii => b
                .iter()
                .map(|x| if x.is_ascii() { char::from(*x) } else { '?' })
                .collect(),
            Enc::Latin1 => b.iter().map(|x| char::from(*x)).collect(),
            Enc::Utf16Le | Enc::Utf16Be => {
                let units = b.chunks(2).filter(|c| c.len() == 2).map(|c| {
                    if self == Enc::Utf16Le {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                });
                let mut s: String = char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')).collect();
                if b.len() % 2 == 1 {
                    s.push('\u{FFFD}');
                }
                s
            }
            Enc::Utf32Le => {
                let mut s: String = b
                    .chunks(4)
                    .filter(|c| c.len() == 4)
                    .map(|c| char::from_u32(u32::from_le_bytes([c[0], c[1], c[2], c[3]])).unwrap_or('\u{FFFD}'))
                    .collect();
                if !b.len().is_multiple_of(4) {
                    s.push('\u{FFFD}');
                }
                s
            }
        }
    }

    fn preamble(self) -> &'static [u8] {
        match self {
            Enc::Utf8 => &[0xEF, 0xBB, 0xBF],
            Enc::Utf16Le => &[0xFF, 0xFE],
            Enc::Utf16Be => &[0xFE, 0xFF],
            Enc::Utf32Le => &[0xFF, 0xFE, 0, 0],
            Enc::Ascii | Enc::Latin1 => &[],
        }
    }

    fn max_bytes_per_char(self) -> usize {
        match self {
            Enc::Utf8 => 3,
            Enc::Ascii | Enc::Latin1 => 1,
            Enc::Utf16Le | Enc::Utf16Be => 2,
            Enc::Utf32Le => 4,
        }
    }
}

fn value<'a>(enc: Enc) -> Value<'a> {
    Value::Obj(Rc::new(Encoding { enc }))
}

fn get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    Some(Ok(value(match name {
        "UTF8" | "Default" => Enc::Utf8,
        "ASCII" => Enc::Ascii,
        "Unicode" => Enc::Utf16Le,
        "BigEndianUnicode" => Enc::Utf16Be,
        "UTF32" => Enc::Utf32Le,
        "Latin1" => Enc::Latin1,
        _ => return None,
    })))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    Some(match (name, args) {
        ("GetEncoding", [v, ..]) => {
            let enc = match v {
                Value::Str(n) => Enc::by_name(n).ok_or_else(|| {
                    EvalError::argument(format!(
                        "'{n}' is not a supported encoding name. For information on defining a custom encoding, see the documentation for the Encoding.RegisterProvider method. (Parameter 'name')"
                    ))
                }),
                Value::Null => Err(null_arg("name")),
                v => {
                    let cp = match args::int(v, "codepage") {
                        Ok(cp) => cp,
                        Err(e) => return Some(Err(e)),
                    };
                    if cp == 0 {
                        Ok(Enc::Utf8)
                    } else {
                        Enc::by_code_page(cp).ok_or_else(|| {
                            EvalError::new(
                                crate::EvalErrorKind::NotSupported,
                                format!("No data is available for encoding {cp}. For information on defining a custom encoding, see the documentation for the Encoding.RegisterProvider method."),
                            )
                        })
                    }
                }
            };
            enc.map(value)
        }
        ("Convert", [from, to, bytes, rest @ ..]) => (|| {
            let (Some(from), Some(to)) = (from.downcast::<Encoding>(), to.downcast::<Encoding>()) else {
                return Err(null_arg("srcEncoding"));
            };
            let b = Array::to_bytes(bytes).ok_or_else(|| null_arg("bytes"))?;
            let b = slice(&b, rest)?;
            let out = to.enc.encode(&from.enc.decode(b));
            rt.alloc(out.len())?;
            Ok(Array::bytes(out))
        })(),
        _ => return None,
    })
}

/// `bytes[index..index+count]` from optional `(index, count)` arguments.
fn slice<'b>(b: &'b [u8], rest: &[Value<'_>]) -> EvalResult<&'b [u8]> {
    match rest {
        [] => Ok(b),
        [i, n] => {
            let i = args::index(i, "index", "Non-negative number required.")?;
            let n = args::index(n, "count", "Non-negative number required.")?;
            b.get(i..i.saturating_add(n))
                .ok_or_else(|| out_of_range("bytes", "Index and count must refer to a location within the buffer."))
        }
        _ => Err(EvalError::argument("expected (bytes[, index, count])")),
    }
}

/// The text a `GetBytes`/`GetByteCount` argument stands for: a string,
/// a `char[]` (optionally `index, count`), or a char.
fn text_arg(name: &str, args: &[Value<'_>]) -> EvalResult<String> {
    match args {
        [Value::Str(s)] => Ok(s.to_string()),
        [Value::Null] => Err(null_arg("s")),
        [Value::Char(c)] => Ok(c.to_string()),
        [a] => args::char_array(a)
            .map(|cs| cs.into_iter().collect())
            .ok_or_else(|| no_overload(name, args)),
        [a, i, n] => {
            let i = args::index(i, "index", "Non-negative number required.")?;
            let n = args::index(n, "count", "Non-negative number required.")?;
            if let Value::Str(s) = a {
                let c = super::utf16::cut(s, i, i.saturating_add(n)).ok_or_else(|| {
                    out_of_range("count", "Index and count must refer to a location within the string.")
                })?;
                return Ok(super::utf16::cut_text(s, c).into_owned());
            }
            let cs = args::char_array(a).ok_or_else(|| no_overload(name, args))?;
            cs.get(i..i.saturating_add(n))
                .map(|x| x.iter().collect())
                .ok_or_else(|| out_of_range("count", "Index and count must refer to a location within the buffer."))
        }
        _ => Err(no_overload(name, args)),
    }
}

impl Object for Encoding {
    fn type_def(&self) -> &'static TypeDef {
        &ENCODING
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        let (web, display, cp) = self.enc.names();
        Some(Ok(match name {
            "WebName" | "BodyName" | "HeaderName" => Value::str(web),
            "EncodingName" => Value::str(display),
            "CodePage" => Value::Int(cp),
            "WindowsCodePage" => Value::Int(match self.enc {
                Enc::Utf8 | Enc::Utf16Le | Enc::Utf16Be | Enc::Utf32Le => 1200,
                Enc::Ascii | Enc::Latin1 => 1252,
            }),
            "IsSingleByte" => Value::Bool(matches!(self.enc, Enc::Ascii | Enc::Latin1)),
            "IsReadOnly" => Value::Bool(true),
            _ => return None,
        }))
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
        let enc = self.enc;
        Some(match name {
            "GetBytes" => text_arg(name, args).and_then(|s| {
                rt.charge(s.len() as u64 / 64)?;
                let b = enc.encode(&s);
                rt.alloc(b.len())?;
                Ok(Array::bytes(b))
            }),
            "GetByteCount" => text_arg(name, args).map(|s| Value::Int(enc.byte_count(&s) as i32)),
            "GetString" | "GetChars" | "GetCharCount" => (|| {
                let (b, rest) = args.split_first().ok_or_else(|| no_overload(name, args))?;
                if b.is_null() {
                    return Err(null_arg("bytes"));
                }
                let bytes = Array::to_bytes(b).ok_or_else(|| no_overload(name, args))?;
                let s = enc.decode(slice(&bytes, rest)?);
                rt.charge(bytes.len() as u64 / 64)?;
                match name {
                    "GetString" => args::owned(rt, s),
                    "GetCharCount" => Ok(Value::Int(super::utf16::len16(&s) as i32)),
                    _ => {
                        rt.alloc(s.len() * 2)?;
                        Ok(Array::of(TypeRef::of(&CHAR), s.chars().map(Value::Char).collect()))
                    }
                }
            })(),
            "GetPreamble" if args.is_empty() => Ok(Array::bytes(enc.preamble().to_vec())),
            "GetMaxByteCount" => args::index(
                args.first().unwrap_or(&Value::Null),
                "charCount",
                "Non-negative number required.",
            )
            .map(|n| Value::Int(((n + 1) * enc.max_bytes_per_char()).min(i32::MAX as usize) as i32)),
            "GetMaxCharCount" => args::index(
                args.first().unwrap_or(&Value::Null),
                "byteCount",
                "Non-negative number required.",
            )
            .map(|n| Value::Int((n + 1).min(i32::MAX as usize) as i32)),
            "Clone" if args.is_empty() => Ok(Value::Obj(this.clone())),
            _ => return None,
        })
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        other.as_any().downcast_ref::<Encoding>().map(|o| o.enc == self.enc)
    }

    fn hash_code(&self) -> Option<u64> {
        Some(self.enc.names().2 as u64)
    }

    fn to_text(&self) -> String {
        match self.enc {
            Enc::Utf8 => "System.Text.UTF8Encoding+UTF8EncodingSealed",
            Enc::Ascii => "System.Text.ASCIIEncoding+ASCIIEncodingSealed",
            Enc::Utf16Le | Enc::Utf16Be => "System.Text.UnicodeEncoding",
            Enc::Utf32Le => "System.Text.UTF32Encoding",
            Enc::Latin1 => "System.Text.Latin1Encoding+Latin1EncodingSealed",
        }
        .to_owned()
    }
}
