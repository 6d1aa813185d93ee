//! The conformance runner: every `tests/conformance/*.txt` of the crate
//! (read at test time, format in that folder's README.md), each case
//! compiled with [`Expr::compile`] and evaluated against
//! [`testing::sample_context`]. All failing cases are reported together,
//! with their file and line, in one assertion message.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::{library, testing, Expr, Value};

/// One case's outcome: `Err` says what went wrong.
fn run_case(src: &str, expect: &str) -> Result<(), String> {
    if let Some(sub) = expect.strip_prefix("error: ") {
        return match Expr::compile(src) {
            Err(e) if e.message.contains(sub) => Ok(()),
            Err(e) => Err(format!(
                "compile error `{}`, expected one containing `{sub}`",
                e.message
            )),
            Ok(x) => Err(format!(
                "compiled (static type {}), expected an error containing `{sub}`",
                x.ty()
            )),
        };
    }
    let x = Expr::compile(src).map_err(|e| format!("compile error: {e}"))?;
    let got = x.eval(testing::sample_context());
    match (got, expect.strip_prefix('!')) {
        (Err(e), Some(name)) if e.kind.exception() == name => Ok(()),
        (Err(e), _) => Err(format!("threw {e}, expected `{expect}`")),
        (Ok(v), Some(name)) => Err(format!("gave `{}`, expected {name}", text(&v))),
        (Ok(v), None) => {
            let t = text(&v);
            if t == expect {
                Ok(())
            } else {
                Err(format!("gave `{t}`, expected `{expect}`"))
            }
        }
    }
}

fn text(v: &Value<'_>) -> String {
    match v {
        Value::Null => "null".to_owned(),
        v => library::to_text(v).into_owned(),
    }
}

/// A case (line number, expression, expectation), or what is wrong at a
/// line of a malformed file.
type Case<'t> = Result<(usize, &'t str, &'t str), (usize, String)>;

/// The cases of one file.
fn cases(text: &str) -> Vec<Case<'_>> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let l = line.trim_end();
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        match pending.take() {
            None => {
                if l.starts_with('=') {
                    out.push(Err((n, "an expectation without an expression".to_owned())));
                } else {
                    pending = Some((n, l));
                }
            }
            Some((en, expr)) => match l.strip_prefix('=') {
                Some(e) => out.push(Ok((en, expr, e.strip_prefix(' ').unwrap_or(e)))),
                None => {
                    out.push(Err((en, "an expression without a `= …` line after it".to_owned())));
                    pending = Some((n, l));
                }
            },
        }
    }
    if let Some((n, _)) = pending {
        out.push(Err((n, "an expression without a `= …` line after it".to_owned())));
    }
    out
}

#[test]
fn conformance() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(f).expect("readable conformance file");
        for c in cases(&text) {
            total += 1;
            match c {
                Err((line, msg)) => failures.push(format!("{name}:{line}: {msg}")),
                Ok((line, src, expect)) => {
                    let r = catch_unwind(AssertUnwindSafe(|| run_case(src, expect)))
                        .unwrap_or_else(|_| Err("panicked".to_owned()));
                    if let Err(msg) = r {
                        failures.push(format!("{name}:{line}: {src}\n    {msg}"));
                    }
                }
            }
        }
    }
    assert!(total > 0, "no conformance cases found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {total} conformance cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn case_files_parse() {
    let c = cases("# comment\n@(1)\n= 1\n\n@(\"\")\n=\n@(x)\n= error: unknown\n");
    assert_eq!(c.len(), 3);
    assert!(matches!(c[1], Ok((5, _, ""))));
    assert!(matches!(c[2], Ok((7, _, "error: unknown"))));
    assert!(cases("@(1)\n@(2)\n= 2").first().is_some_and(|c| c.is_err()));
}
