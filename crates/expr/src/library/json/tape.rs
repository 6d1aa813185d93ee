//! The fast path of [`super::parse`]: simd-json's tape (the gateway's JSON
//! parser, SIMD-accelerated) read in document order into the token tree.
//! It builds exactly what the serde_json path builds for the same valid
//! text; anything it does not handle identically — invalid or lenient
//! input (Newtonsoft's comments, trailing commas), nesting past
//! [`MAX_DEPTH`], `-0`, integers past `UInt64` — makes it give up
//! (`None`), and the serde_json path runs and reports Newtonsoft's errors.

use std::rc::Rc;

use simd_json::{StaticNode, Tape};

use super::dates::parse_json_date;
use super::node::Node;
use super::parse::MAX_DEPTH;
use super::scalar::Scalar;
use crate::value::Value;

type TapeNode<'t> = simd_json::value::tape::Node<'t>;

/// How many distinct property names are shared (`Rc<str>`) per document.
const NAME_CACHE: usize = 32;

/// Parses `text`: the root and the number of nodes built, or `None` to
/// take the serde_json path.
pub fn parse(text: &str, dates: bool) -> Option<(Rc<Node>, usize)> {
    if maybe_negative_zero(text.as_bytes()) {
        // simd-json reads the integer `-0` as 0; serde_json (and so
        // Outpost) as the float -0.0, as Newtonsoft does.
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    let tape: Tape<'_> = simd_json::to_tape(&mut bytes).ok()?;
    let mut b = Builder {
        tape: &tape.0,
        at: 0,
        nodes: 0,
        dates,
        names: Vec::new(),
    };
    let root = b.node(0)?;
    (b.at == b.tape.len()).then_some((root, b.nodes))
}

/// Whether the text may hold the number `-0` (a `-0` not followed by a
/// digit, `.` or an exponent; inside strings too: then only slower).
fn maybe_negative_zero(b: &[u8]) -> bool {
    b.windows(2)
        .enumerate()
        .any(|(i, w)| w == b"-0" && !matches!(b.get(i + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E')))
}

struct Builder<'t, 'i> {
    tape: &'t [TapeNode<'i>],
    at: usize,
    nodes: usize,
    dates: bool,
    names: Vec<Rc<str>>,
}

impl<'i> Builder<'_, 'i> {
    fn next(&mut self) -> Option<TapeNode<'i>> {
        let n = *self.tape.get(self.at)?;
        self.at += 1;
        Some(n)
    }

    fn name(&mut self, s: &str) -> Rc<str> {
        if let Some(n) = self.names.iter().find(|n| ***n == *s) {
            return n.clone();
        }
        let n: Rc<str> = Rc::from(s);
        if self.names.len() < NAME_CACHE {
            self.names.push(n.clone());
        }
        n
    }

    fn node(&mut self, depth: usize) -> Option<Rc<Node>> {
        self.nodes += 1;
        Some(match self.next()? {
            TapeNode::Static(s) => Node::value(Scalar::plain(match s {
                StaticNode::Null => return Some(Node::value(Scalar::null())),
                StaticNode::Bool(b) => Value::Bool(b),
                StaticNode::I64(v) => Value::Long(v),
                StaticNode::U64(v) => i64::try_from(v).map_or(Value::ULong(v), Value::Long),
                StaticNode::F64(v) => Value::Double(v),
            })),
            TapeNode::String(s) => {
                if self.dates {
                    if let Some((ticks, kind)) = parse_json_date(s) {
                        return Some(Node::value(Scalar::date(ticks, kind)));
                    }
                }
                Node::value(Scalar::string(s))
            }
            TapeNode::Array { len, .. } => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.node(depth + 1)?);
                }
                Node::array(items)
            }
            TapeNode::Object { len, .. } => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                let mut props: Vec<Rc<Node>> = Vec::with_capacity(len);
                for _ in 0..len {
                    let TapeNode::String(key) = self.next()? else {
                        return None;
                    };
                    let key = self.name(key);
                    let value = self.node(depth + 1)?;
                    self.nodes += 1;
                    let prop = Node::property(key.clone(), value);
                    // A repeated name replaces the earlier value in place
                    // (Newtonsoft's DuplicatePropertyNameHandling.Replace).
                    match props.iter().position(|p| p.name_ref() == Some(&*key)) {
                        Some(i) if len <= 32 => props[i] = prop,
                        Some(_) => return None,
                        None => props.push(prop),
                    }
                }
                Node::object(props)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::write;

    /// The tape path builds what the serde_json path builds.
    #[test]
    fn same_tree_as_the_serde_path() {
        for text in [
            r#"{"a":1,"b":[true,false,null,1.5,"x"],"c":{"d":"2024-01-02T03:04:05Z"},"a":2}"#,
            r#"[1,18446744073709551615,9223372036854775808,1e300,"\u00e9\n"]"#,
            r#"{"items":[{"id":1,"ok":true},{"id":2,"ok":false}],"name":"x"}"#,
            "  {\"nested\": [[[]]], \"e\": {}}  ",
            "[-0.0, 0, -1, -10, \"2024-01-02T03:04:05-05:00\", \"/Date(0)/\", \"http://x/y\"]",
        ] {
            let (fast, n1) = super::parse(text, true).expect("fast path");
            let (slow, n2) = super::super::parse::parse_tree_for_tests(text, true).expect("serde path");
            assert_eq!(
                write::token_json(&fast, false),
                write::token_json(&slow, false),
                "{text}"
            );
            assert_eq!(n1, n2, "{text}");
        }
        for text in ["[1,]", "{\"a\":1 // c\n}", "[", "{\"a\" 1}", "[-0]", "{\"a\":-0}"] {
            assert!(super::parse(text, true).is_none(), "{text}");
        }
    }
}
