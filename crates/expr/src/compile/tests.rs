//! The public API over the compiler and the evaluator: static types,
//! `Want` checks, error locations, limits, and a no-panic property test
//! over random texts (language constructs are covered case by case in
//! `tests/conformance/language.txt`).

use std::borrow::Cow;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::{is_expression, testing, EvalErrorKind, Expr, Limits, Value, Want};

fn ty(src: &str) -> String {
    Expr::compile(src)
        .map(|x| x.ty())
        .unwrap_or_else(|e| format!("error: {e}"))
}

fn eval_as(src: &str, want: Want) -> Result<String, String> {
    let x = Expr::compile_as(src, want).map_err(|e| format!("compile: {}", e.message))?;
    match x.eval(testing::sample_context()) {
        Ok(v) => Ok(format!("{}:{}", v.type_name(), crate::library::to_text(&v))),
        Err(e) => Err(e.kind.exception().to_owned()),
    }
}

#[test]
fn expr_is_plain_shareable_data() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    check::<Expr>();
    let x = Expr::compile("@(1 + 1)").unwrap();
    let y = x.clone();
    let h = std::thread::spawn(move || y.eval_string(testing::sample_context()).map(|s| s.into_owned()));
    assert_eq!(h.join().unwrap().unwrap(), "2");
    assert_eq!(format!("{x:?}"), "Expr(int)");
}

#[test]
fn static_types() {
    assert_eq!(ty("@(1)"), "int");
    assert_eq!(ty("@(\"a\" + 1)"), "string");
    assert_eq!(ty("@(new[] { 1, 2 })"), "int[]");
    assert_eq!(ty("@{ return 1; }"), "int");
    assert_eq!(ty("@{ if (1 > 2) return 1; return 2L; }"), "long");
    assert_eq!(ty("@(new[] { 1, \"a\" }[0])"), "dynamic");
    assert_eq!(ty("@{ int? x = null; return x; }"), "int?");
    assert_eq!(ty("@{ string s = null; return s?.GetType(); }"), "Type");
    assert_eq!(ty("@(1 < 2 ? 1 : 2.5)"), "double");
    assert_eq!(ty("@{ while (true) {} }"), "dynamic");
}

#[test]
fn want_is_checked_at_load_and_converted_at_run_time() {
    let e = Expr::compile_as("@(1)", Want::Bool).unwrap_err();
    assert!(e.message.contains("`bool`"), "{e}");
    assert!(Expr::compile_as("@(1L)", Want::Int).is_err());
    assert!(Expr::compile_as("@(1.5)", Want::Int).is_err());
    assert!(Expr::compile_as("@(1.5m)", Want::Double).is_err());
    assert!(Expr::compile_as("@{ object o = true; return o; }", Want::Bool).is_err());
    assert_eq!(eval_as("@(1 < 2)", Want::Bool), Ok("bool:True".into()));
    assert_eq!(eval_as("@((byte)7)", Want::Int), Ok("int:7".into()));
    assert_eq!(eval_as("@(3)", Want::Double), Ok("double:3".into()));
    assert_eq!(
        eval_as("@(new[] { true, \"a\" }[0])", Want::Bool),
        Ok("bool:True".into())
    );
    assert_eq!(
        eval_as("@(new[] { true, \"a\" }[1])", Want::Bool),
        Err("InvalidCastException".into())
    );
    assert_eq!(eval_as("@(new[] { (byte)1, \"a\" }[0])", Want::Int), Ok("int:1".into()));
    assert_eq!(eval_as("@(5)", Want::String), Ok("int:5".into()));
    assert!(Expr::compile_as("@(null)", Want::Int).is_err());
    assert!(Expr::compile_as("@(null)", Want::String).is_ok());
}

#[test]
fn eval_helpers() {
    let cx = testing::sample_context();
    let x = Expr::compile("@(\"lit\")").unwrap();
    assert!(matches!(x.eval_string(cx).unwrap(), Cow::Borrowed("lit")));
    assert_eq!(Expr::compile("@(null)").unwrap().eval_string(cx).unwrap(), "");
    assert_eq!(
        Expr::compile(" @{ return 40 + 2; } ").unwrap().eval_string(cx).unwrap(),
        "42"
    );
    assert!(Expr::compile("@(1 == 1)").unwrap().eval_bool(cx).unwrap());
    assert!(Expr::compile("@(1)").unwrap().eval_bool(cx).is_err());
    assert!(is_expression("  @(x)"));
    assert!(is_expression("@{ return 1; }"));
    assert!(!is_expression("plain"));
    assert!(!is_expression("x @(1)"));
}

#[test]
fn errors_are_located() {
    let e = Expr::compile("@{\n  int x = 1;\n  return y;\n}").unwrap_err();
    assert_eq!((e.line, e.column), (3, 10), "{e}");
    assert!(e.message.contains("unknown name `y`"));
    let e = Expr::compile("@{\n  int x = 1;\n}").unwrap_err();
    assert!(e.message.contains("not all code paths"), "{e}");
    assert_eq!(e.line, 3);
}

#[test]
fn limits_bound_steps_and_bytes() {
    let cx = testing::sample_context();
    let x = Expr::compile("@{ int i = 0; while (i < 1000) i++; return i; }").unwrap();
    assert!(x.eval(cx).is_ok());
    let small = Limits {
        max_steps: 100,
        max_bytes: 1 << 20,
    };
    assert_eq!(x.eval_with(cx, &small).unwrap_err().kind, EvalErrorKind::Budget);
    let s =
        Expr::compile("@{ string s = \"\"; for (int i = 0; i < 100; i++) s += \"0123456789\"; return s; }").unwrap();
    let tiny = Limits {
        max_steps: 1_000_000,
        max_bytes: 500,
    };
    assert_eq!(s.eval_with(cx, &tiny).unwrap_err().kind, EvalErrorKind::Budget);
    assert!(s.eval(cx).is_ok());
    // An endless loop ends with the budget error, quickly.
    let t = Instant::now();
    let e = Expr::compile("@{ while (true) {} }").unwrap().eval(cx).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Budget);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let e = Expr::compile("@{ try { for (;;) {} } catch (Exception) { return 1; } finally { } }")
        .unwrap()
        .eval(cx)
        .unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Budget);
}

#[test]
fn values_survive_their_evaluation_only_as_owned_data() {
    let cx = testing::sample_context();
    let x = Expr::compile("@{ var a = new { n = 1, s = \"x\" + 1 }; return a; }").unwrap();
    let v = x.eval(cx).unwrap().into_owned();
    assert_eq!(crate::library::to_text(&v), "{ n = 1, s = x1 }");
    assert!(matches!(
        Expr::compile("@(2 > 1)").unwrap().eval(cx).unwrap(),
        Value::Bool(true)
    ));
}

/// The deepest version of `shape(n)` the parser accepts.
fn deepest(shape: impl Fn(usize) -> String) -> String {
    let mut best = shape(1);
    for n in 2..=crate::syntax::MAX_NESTING * 2 {
        let src = shape(n);
        if Expr::compile(&src).is_err() {
            break;
        }
        best = src;
    }
    best
}

#[test]
fn deep_nesting_fits_a_small_stack() {
    let shapes = [
        deepest(|n| format!("@({}1{})", "(1 + ".repeat(n), ")".repeat(n))),
        deepest(|n| format!("@({}0{})", "true ? (".repeat(n), ") : 1".repeat(n))),
        deepest(|n| {
            format!(
                "@{{ int x = 0; {} x++; {} return x; }}",
                "if (x == 0) { ".repeat(n),
                "}".repeat(n)
            )
        }),
        deepest(|n| {
            format!(
                "@{{ int x = 0; {} x++; {} return x; }}",
                "try { ".repeat(n),
                "} finally { }".repeat(n)
            )
        }),
        deepest(|n| format!("@(\"x\"{})", "?.GetType()".repeat(n))),
        deepest(|n| format!("@({}1{})", "-(".repeat(n), ")".repeat(n))),
    ];
    let long_chain = format!("@(\"x\"{})", ".GetType()".repeat(300));
    let h = std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(move || {
            let cx = testing::sample_context();
            let mut out = Vec::new();
            for src in &shapes {
                let x = Expr::compile(src).map_err(|e| format!("{src}: {e}"))?;
                out.push(x.eval_string(cx).map_err(|e| e.to_string())?.into_owned());
            }
            out.push(
                Expr::compile(&long_chain)
                    .map(|_| String::new())
                    .unwrap_or_else(|e| e.message),
            );
            Ok::<_, String>(out)
        })
        .unwrap();
    let out = h.join().expect("no stack overflow").unwrap();
    assert_eq!(out[1], "0");
    assert_eq!(out[2], "1");
    assert_eq!(out[3], "1");
    assert_eq!(out[4], "System.Type");
    assert!(
        out[6].contains("too long") || out[6].contains("too deeply"),
        "{}",
        out[6]
    );
}

/// A random expression from a small grammar (no `byte`, `short`, `uint` or
/// `decimal` values: printing them needs the numbers family, a stub in the
/// core's own build) over the locals `i` (int),
/// `l` (long), `s` (string), `o` (object), `d` (double), `b` (bool),
/// `n` (int?) and `a` (int[]).
fn gen_expr(rng: &mut StdRng, depth: u32) -> String {
    const LEAVES: &[&str] = &[
        "i",
        "l",
        "s",
        "o",
        "d",
        "b",
        "n",
        "a",
        "0",
        "1",
        "-1",
        "2147483647",
        "-2147483648",
        "9223372036854775807L",
        "1.5",
        "0.0",
        "'c'",
        "\"x\"",
        "\"\"",
        "null",
        "true",
        "false",
        "a[0]",
        "a[i]",
        "a?[1]",
        "default(int)",
        "new Exception(\"e\")",
        "typeof(string)",
    ];
    if depth == 0 || rng.gen_bool(0.3) {
        return LEAVES[rng.gen_range(0..LEAVES.len())].to_owned();
    }
    let mut e = || gen_expr(rng, depth - 1);
    let (x, y, z) = (e(), e(), e());
    const OPS: &[&str] = &[
        "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "??",
    ];
    match rng.gen_range(0..16) {
        0..=4 => format!("({x} {} {y})", OPS[rng.gen_range(0..OPS.len())]),
        5 => format!("({x} ? {y} : {z})"),
        6 => format!("(-{x})"),
        7 => format!("(!{x})"),
        8 => format!("{x}?.GetType().Name"),
        9 => format!("new[] {{ {x}, {y} }}[0]"),
        10 => format!("$\"{{{x},3}}|{{{y}}}\""),
        11 => format!(
            "(({}){x})",
            ["int", "long", "bool", "double", "string", "object", "char", "int?"][rng.gen_range(0..8)]
        ),
        12 => format!("({x} is int)"),
        13 => format!("checked({x} + {y})"),
        14 => format!("new {{ p = {x} }}.p"),
        _ => format!("({x} as string)"),
    }
}

/// A random statement block using [`gen_expr`].
fn gen_block(rng: &mut StdRng) -> String {
    let mut out = String::from(
        "@{ int i = 3; long l = 4; string s = \"s\"; object o = 5; double d = 0.5; bool b = true; int? n = null; \
         int[] a = { 1, 2, 3 }; ",
    );
    for _ in 0..rng.gen_range(1..6) {
        let (x, y) = (gen_expr(rng, 3), gen_expr(rng, 2));
        let st = match rng.gen_range(0..10) {
            0 => format!("i = {x};"),
            1 => format!("s += {x};"),
            2 => format!("if ({x}) {{ i++; }} else {{ i--; }}"),
            3 => format!("while ({x}) {{ i++; if (i > 5) break; }}"),
            4 => format!("for (int k = 0; k < 3; k++) {{ l += {x}; }}"),
            5 => format!("switch ({x}) {{ case 1: i = 2; break; case \"x\": break; default: break; }}"),
            6 => format!("try {{ i = {x}; }} catch (Exception e) {{ s = e.Message; }} finally {{ i++; }}"),
            7 => format!("foreach (var c in {x}) {{ o = c; }}"),
            8 => format!("o = {x} ?? {y};"),
            _ => format!("var v{} = {x};", rng.gen_range(0..1000)),
        };
        out.push_str(&st);
        out.push(' ');
    }
    out.push_str(&format!("return {}; }}", gen_expr(rng, 3)));
    out
}

#[test]
fn random_grammar_programs_never_panic() {
    let mut rng = StdRng::seed_from_u64(7);
    let limits = Limits {
        max_steps: 5_000,
        max_bytes: 1 << 20,
    };
    let cx = testing::sample_context();
    let (mut compiled, mut ran) = (0, 0);
    for round in 0..3000 {
        let src = if round % 2 == 0 {
            format!("@({})", gen_expr(&mut rng, 4))
        } else {
            gen_block(&mut rng)
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match Expr::compile(&src) {
            Ok(x) => {
                // (Values are not printed: the numbers family's formatting
                // is a stub in the core's own build.)
                (true, x.eval_with(cx, &limits).is_ok())
            }
            Err(_) => (false, false),
        }));
        match r {
            Ok((c, o)) => {
                compiled += usize::from(c);
                ran += usize::from(o);
            }
            Err(_) => panic!("panicked on {src:?}"),
        }
    }
    assert!(compiled > 300 && ran > 200, "compiled {compiled}, ran {ran} of 3000");
}

/// Tokens random programs are made of.
const TOKENS: &[&str] = &[
    "x",
    "y",
    "i",
    "s",
    "a",
    "int",
    "var",
    "string",
    "long",
    "object",
    "bool",
    "new",
    "return",
    "if",
    "else",
    "while",
    "for",
    "foreach",
    "in",
    "do",
    "switch",
    "case",
    "default",
    ":",
    "break",
    "continue",
    "try",
    "catch",
    "finally",
    "throw",
    "checked",
    "unchecked",
    "null",
    "true",
    "false",
    "0",
    "1",
    "2147483647",
    "-1",
    "1.5",
    "2m",
    "3L",
    "'c'",
    "\"s\"",
    "$\"a{x}b\"",
    "@\"v\"",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ".",
    "?.",
    "?[",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    ">>",
    "&",
    "|",
    "^",
    "~",
    "!",
    "&&",
    "||",
    "??",
    "??=",
    "?",
    "=",
    "+=",
    "-=",
    "*=",
    "++",
    "--",
    "==",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "=>",
    "is",
    "as",
    "typeof",
    "default",
    "nameof",
    "out",
    "Exception",
    "GetType",
    "Message",
    "Name",
    "x.GetType()",
    "new[]",
    "new { a = 1 }",
    "int[]",
    "int?",
    "context",
    "Length",
    "ToString",
    "Equals",
];

fn random_program(rng: &mut StdRng) -> String {
    let n = rng.gen_range(1..30);
    let body: Vec<&str> = (0..n).map(|_| TOKENS[rng.gen_range(0..TOKENS.len())]).collect();
    if rng.gen_bool(0.5) {
        format!("@({})", body.join(" "))
    } else {
        format!("@{{ {} }}", body.join(" "))
    }
}

/// Programs that compile, mutated: likely to compile and run.
const SEEDS: &[&str] = &[
    "@{ int x = 0; for (int i = 0; i < 10; i++) { x += i; } return x; }",
    "@{ var s = \"a\"; try { s += 1; throw new Exception(s); } catch (Exception e) { return e.Message; } }",
    "@{ object o = 5; switch (o) { case int n when n > 1: return n; default: return 0; } }",
    "@(new[] { 1, 2 }[1] + (true ? 1 : 2) * 3 % 2 << 1)",
    "@{ int? x = null; return x ?? (x.HasValue ? 1 : 2); }",
    "@($\"{1,3}|{\"a\",-2}|{new { a = 1 }}\")",
];

#[test]
fn random_programs_never_panic() {
    let mut rng = StdRng::seed_from_u64(13);
    let limits = Limits {
        max_steps: 5_000,
        max_bytes: 1 << 20,
    };
    let cx = testing::sample_context();
    let mut compiled = 0;
    for round in 0..6000 {
        let src = if round % 2 == 0 {
            random_program(&mut rng)
        } else {
            let seed = SEEDS[rng.gen_range(0..SEEDS.len())];
            let mut t: Vec<char> = seed.chars().collect();
            for _ in 0..rng.gen_range(1..4) {
                let i = rng.gen_range(0..t.len());
                match rng.gen_range(0..3) {
                    0 => {
                        t.remove(i);
                    }
                    1 => t.insert(i, TOKENS[rng.gen_range(0..TOKENS.len())].chars().next().unwrap_or(' ')),
                    _ => {
                        let j = rng.gen_range(0..t.len());
                        t.swap(i, j);
                    }
                }
            }
            t.into_iter().collect()
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Ok(x) = Expr::compile(&src) {
                let _ = x
                    .eval_with(cx, &limits)
                    .map(|v| crate::library::to_text(&v).into_owned());
                true
            } else {
                false
            }
        }));
        match r {
            Ok(true) => compiled += 1,
            Ok(false) => {}
            Err(_) => panic!("panicked on {src:?}"),
        }
    }
    assert!(compiled > 100, "only {compiled} random programs compiled");
}

#[test]
fn local_functions_using_and_constants_are_checked() {
    assert_eq!(ty("@{ return F(); int F() => 1; }"), "int");
    assert_eq!(ty("@{ short F(short h) { return h; } return F(1); }"), "short");
    assert_eq!(ty("@{ const uint N = 60 * 20; return N; }"), "uint");
    assert_eq!(
        ty("@{ using (var h = new HMACSHA256(new byte[1])) { return h.ComputeHash(new byte[0]); } }"),
        "byte[]"
    );
    let err = |src: &str| Expr::compile(src).map(|_| ()).unwrap_err();
    let e = err("@{\n  int F(int n) => n < 1 ? 0 : F(n - 1);\n  return F(3);\n}");
    assert!(e.message.contains("recursive local functions are not supported"), "{e}");
    assert_eq!((e.line, e.column), (2, 31), "{e}");
    let e = err("@{ void F() { } return F(); }");
    assert!(e.message.contains("cannot return void"), "{e}");
    let e = err("@{ int n = 1200; uint u = n; return u; }");
    assert!(
        e.message.contains("cannot implicitly convert type `int` to `uint`"),
        "{e}"
    );
    let e = err("@{ int x; void F() { var y = x; } F(); return 1; }");
    assert!(e.message.contains("use of unassigned local variable `x`"), "{e}");
    // Each call is charged like a lambda call; functions nest without
    // recursion, so the depth is bounded by the text.
    let x = Expr::compile("@{ int F(int i) => i + 1; int s = 0; while (s < 1000) s = F(s); return s; }").unwrap();
    let small = Limits {
        max_steps: 500,
        max_bytes: 1 << 20,
    };
    assert_eq!(
        x.eval_with(testing::sample_context(), &small).unwrap_err().kind,
        EvalErrorKind::Budget
    );
    assert_eq!(x.eval_string(testing::sample_context()).unwrap(), "1000");
}
