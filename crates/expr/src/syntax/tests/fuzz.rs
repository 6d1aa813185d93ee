//! No panic, ever: random bytes, random token soups, deeply nested input
//! and mutations of documented examples go through `delimit`, the lexer,
//! `parse_expr`, `parse_block` and the scanner (errors are fine). A fixed
//! xorshift generator keeps the run deterministic.

use crate::syntax::scan::{scan_code, StrChars};
use crate::syntax::{delimit, parse_block, parse_expr};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Every entry point on `src`, and on each wrapped form.
fn run_all(src: &str) {
    let _ = parse_expr(src, 0, src.len());
    let _ = parse_block(src, 0, src.len());
    let _ = delimit(src);
    for text in [format!("@({src})"), format!("@{{{src}}}")] {
        if let Ok((a, b, block)) = delimit(&text) {
            let _ = if block {
                parse_block(&text, a, b).map(|_| ())
            } else {
                parse_expr(&text, a, b).map(|_| ())
            };
        }
    }
    let mut c = StrChars { src, i: 0 };
    let _ = scan_code(&mut c, &[')']);
}

const TOKENS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    ">>",
    "?",
    "??",
    "?.",
    ".",
    ",",
    ":",
    ";",
    "=",
    "==",
    "=>",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "~",
    "&",
    "&&",
    "|",
    "||",
    "^",
    "++",
    "--",
    "+=",
    "??=",
    "<<=",
    ">>=",
    "x",
    "y",
    "var",
    "int",
    "string",
    "List",
    "JObject",
    "new",
    "is",
    "as",
    "null",
    "true",
    "default",
    "typeof",
    "nameof",
    "checked",
    "throw",
    "if",
    "else",
    "for",
    "foreach",
    "in",
    "while",
    "do",
    "switch",
    "case",
    "when",
    "break",
    "return",
    "try",
    "catch",
    "finally",
    "out",
    "ref",
    "1",
    "0x1F",
    "1.5m",
    "2UL",
    "'c'",
    "'\\n'",
    "\"s\"",
    "@\"v\"\"\"",
    "$\"a{",
    "}b\"",
    "$\"{x,5:N2}\"",
    "$@\"{",
    "@",
    "$",
    "\"",
    "'",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "global::",
    "_",
];

const OPENERS: &[&str] = &[
    "(",
    "f(",
    "a[",
    "-",
    "!",
    "x => ",
    "new[] {",
    "$\"{",
    "c ? a : ",
    "a ?? ",
    "(int)",
    "List<",
    "new { a = ",
    "{",
    "if (a) ",
    "while (a) {",
    "() => {",
    "new List<int> { ",
    "x.y<",
    "default(",
    "typeof(",
    "(a, ",
];

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let alphabet: Vec<char> = "(){}[]<>?.,:;=+-*/%!~&|^@$\"'\\ \n\tax1_é0bXuU{}".chars().collect();
    for _ in 0..3000 {
        let len = rng.below(40);
        let src: String = if rng.below(2) == 0 {
            (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect()
        } else {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        run_all(&src);
    }
}

#[test]
fn token_soups_never_panic() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..4000 {
        let len = rng.below(30) + 1;
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(rng.pick(TOKENS));
            if rng.below(3) == 0 {
                src.push(' ');
            }
        }
        run_all(&src);
    }
}

#[test]
fn deep_nesting_never_panics() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..300 {
        let depth = rng.below(400) + 1;
        let mut src = String::new();
        for _ in 0..depth {
            src.push_str(rng.pick(OPENERS));
        }
        src.push('1');
        if rng.below(2) == 0 {
            for _ in 0..depth {
                src.push_str(rng.pick(&[")", "]", "}", "}\"", ">", ">()", ";"]));
            }
        }
        run_all(&src);
    }
    // One long flat input of each kind: bounded, and not quadratic enough
    // to matter.
    for unit in ["(a)+", "a<b>", "f(x)(y)", "x?.y", "$\"{a}\"+", "new[]{1}.", "x => "] {
        run_all(&unit.repeat(3000));
    }
}

#[test]
fn mutated_examples_never_panic() {
    let seeds = [
        r#"context.Request.Headers.Where(h => h.Key != "A").Select(h => $"{h.Key,5:N2}").ToArray<string>()"#,
        r#"var d = new Dictionary<string, int> { ["k"] = 1 }; foreach (var p in d) { if (p.Value is int n && n > 0) return (string)p.Key; } return null;"#,
        r#"switch (x) { case string s when s.Length > 0: return s; default: try { throw; } catch (Exception e) when (e != null) { } finally { } break; }"#,
        r#"(bool)((IResponse)context.Variables["t"]).Body.As<JObject>()["active"] == false ? new { a = 1, x.B } : new int[3] { 1, 2, 3 }"#,
    ];
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    for _ in 0..4000 {
        let mut s: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..rng.below(4) + 1 {
            let at = rng.below(s.len() + 1);
            match rng.below(3) {
                0 if at < s.len() => {
                    s.remove(at);
                }
                1 if at < s.len() => s[at] = rng.pick(TOKENS).chars().next().unwrap_or('x'),
                _ => {
                    for (k, c) in rng.pick(TOKENS).chars().enumerate() {
                        s.insert(at + k, c);
                    }
                }
            }
        }
        let src: String = s.into_iter().collect();
        run_all(&src);
    }
}

/// Input at and beyond the nesting bound parses (or fails) within a
/// 512 KiB stack even unoptimised (measured: 384 KiB does not suffice for
/// 100 nested parentheses in a debug build, about 4 KiB per level),
/// leaving most of a 2 MiB thread to the checker and the evaluator.
#[test]
fn deep_input_fits_a_small_stack() {
    let r = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            for open in OPENERS {
                for n in [99usize, 100, 101, 150] {
                    run_all(&format!("{}1", open.repeat(n)));
                }
            }
        })
        .map(|t| t.join());
    assert!(matches!(r, Ok(Ok(()))));
}
