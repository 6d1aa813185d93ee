//! No panics on arbitrary text: the JSON reader, JSONPath, and the
//! string conversions (deterministic pseudo-random inputs).

use super::*;
use crate::library::json::{convert, dates, path, strings};

const ALPHABET: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "'",
    " ",
    "\n",
    "a",
    "1",
    "-",
    "+",
    ".",
    "e",
    "T",
    "Z",
    "/",
    "*",
    "?",
    "(",
    ")",
    "@",
    "$",
    "=",
    "<",
    ">",
    "!",
    "&",
    "|",
    "é",
    "✓",
    "\u{2028}",
    "0",
    "9",
    "2024-01-02T03:04:05",
    "null",
    "true",
    "/Date(",
    ")/",
    "\u{1}",
    "..",
    "~",
];

fn inputs() -> impl Iterator<Item = String> {
    let mut seed: u64 = 0x1234_5678;
    (0..4000).map(move |_| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let len = (seed >> 59) as usize + 1;
        let mut s = String::new();
        let mut x = seed;
        for _ in 0..len * 2 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            s.push_str(ALPHABET[(x >> 33) as usize % ALPHABET.len()]);
        }
        s
    })
}

#[test]
fn arbitrary_text_never_panics() {
    let mut rt = rt();
    let doc = parse(&mut rt, r#"{"a":[{"b":1,"c":"x"},{"b":2}],"d":{"e":null}}"#);
    let explicit = [
        "2024-01-02T03:04:05+1é",
        "2024-01-02T03:04:05.é",
        "1.é:00",
        "{é}",
        "/Date(1+é)/",
        "[?(@.é=='é')]",
    ];
    for s in inputs().chain(explicit.iter().map(|s| s.to_string())) {
        let _ = super::super::parse(&mut rt, &s);
        let _ = path::parse(&s);
        let _ = library::call_member(&mut rt, doc.clone(), "SelectTokens", &[], &[Value::string(&s)]);
        let _ = dates::parse_json_date(&s);
        let _ = strings::parse_datetime(&s);
        let _ = strings::parse_timespan(&s);
        let _ = strings::parse_guid(&s);
        for prim in [
            convert::Prim::Int,
            convert::Prim::Double,
            convert::Prim::Decimal,
            convert::Prim::Bool,
        ] {
            let _ = convert::convert_value(&Value::string(&s), prim);
        }
    }
}
