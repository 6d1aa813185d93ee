//! Errors: the message names the construct and the offset points at it.

use super::{eb, ee};

/// (source, byte offset, part of the message), as an expression.
fn expr_table(cases: &[(&str, usize, &str)]) {
    let mut bad = Vec::new();
    for (src, at, msg) in cases {
        let e = ee(src);
        if !e.message.contains(msg) || e.offset != *at {
            bad.push(format!(
                "{src}: got {:?} at {}, want {msg:?} at {at}",
                e.message, e.offset
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// (source, byte offset, part of the message), as a block.
fn block_table(cases: &[(&str, usize, &str)]) {
    let mut bad = Vec::new();
    for (src, at, msg) in cases {
        let e = eb(src);
        if !e.message.contains(msg) || e.offset != *at {
            bad.push(format!(
                "{src}: got {:?} at {}, want {msg:?} at {at}",
                e.message, e.offset
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn expression_errors() {
    expr_table(&[
        ("f(1, 2", 6, "expected `,` or `)` to close the argument list"),
        ("f(1 2)", 4, "to close the argument list, found a number"),
        ("a[1", 3, "`]` to close the indexer"),
        ("(a + b", 6, "expected `)` to close the parenthesis"),
        ("a ? b", 5, "expected `:` after the `?` branch"),
        ("a +", 3, "expected an expression, found end of expression"),
        ("a b", 2, "expected end of expression, found `b`"),
        ("(a, b)", 2, "tuples are not supported"),
        ("this.x", 0, "`this` is not available"),
        ("base.x", 0, "`base` is not available"),
        ("await f()", 0, "`await` is not supported"),
        ("sizeof(int)", 0, "`sizeof` is not supported"),
        ("stackalloc int[3]", 0, "`stackalloc` is not supported"),
        ("delegate { }", 0, "anonymous methods"),
        ("&x", 0, "pointer operations"),
        ("*p", 0, "pointer operations"),
        ("p->x", 1, "pointer member access"),
        ("x!.y", 1, "null-forgiving"),
        ("x switch { }", 2, "switch expressions"),
        ("from x in xs select x", 0, "LINQ query syntax"),
        ("1 + throw e", 4, "`throw` expression is only allowed"),
        ("new int[,] { }", 7, "multi-dimensional arrays"),
        ("new int[1, 2]", 9, "multi-dimensional arrays"),
        ("new Foo", 7, "expected `(`, `[` or `{` after `new Foo`"),
        ("new Foo { A = { B = 1 } }", 14, "nested object initializers"),
        ("new Foo { A = 1, 2 }", 17, "cannot mix"),
        ("new { 1 }", 6, "anonymous type member needs a name"),
        ("new[] { {1} }", 8, "nested array initializers"),
        ("new[] 3", 6, "array initializer"),
        ("nameof(1)", 7, "`nameof` needs a name"),
        ("typeof(1)", 7, "expected a type"),
        ("default(", 8, "expected a type"),
        ("checked x", 8, "after `checked`"),
        ("x.", 2, "a member name after `.`"),
        ("x.1", 1, "expected end of expression"),
        ("(ref int x) => x", 1, "`ref` lambda parameters"),
        ("(x, 1) => x", 4, "expected a type"),
        ("x => ", 5, "expected an expression"),
        ("$\"{x:}\" + $\"{}\"", 13, "empty interpolation hole"),
        ("$\"{a b}\"", 5, "expected end of expression, found `b`"),
        ("$\"{x,}\"", 5, "alignment"),
        ("\"abc", 0, "unterminated string literal"),
        ("'ab'", 0, "more than one character"),
        ("1.5L", 0, "integer suffix"),
        ("99999999999999999999", 0, "too large"),
        ("a ` b", 2, "unexpected character"),
        ("#if X", 0, "preprocessor"),
        ("x is not null", 5, "C# 9"),
        ("x is { Length: 1 }", 5, "property and positional patterns"),
        ("x is string ? 1", 15, "expected `:`"),
    ]);
}

#[test]
fn statement_errors() {
    block_table(&[
        ("goto a;", 0, "`goto` is not supported"),
        ("a: x = 1;", 0, "labels"),
        (
            "int a = 1, f() { return 1; }",
            11,
            "a local function must be declared on its own",
        ),
        ("int f(int x = 1) { return x; }", 12, "optional parameters"),
        ("int f(ref int x) { return x; }", 6, "`ref` parameters"),
        ("int f(int x);", 12, "`{` or `=>`"),
        ("if (a) int f() => 1;", 7, "cannot be the body of `if`"),
        (
            "using System;",
            0,
            "`using` directives and declarations are not supported",
        ),
        (
            "using var x = y;",
            0,
            "`using` directives and declarations are not supported",
        ),
        (
            "using (SHA256 x = y, z) { }",
            21,
            "a `using` variable must be initialized",
        ),
        ("using (var x = y) int z = 1;", 18, "cannot be the body of `using`"),
        ("const int n;", 10, "a constant must be initialized"),
        ("const var n = 1;", 0, "a constant cannot be declared with `var`"),
        ("lock (x) { }", 0, "`lock` is not supported"),
        ("yield return 1;", 0, "`yield` is not supported"),
        ("unsafe { }", 0, "`unsafe` is not supported"),
        ("fixed (int* p = a) { }", 0, "`fixed` is not supported"),
        ("int* p = null;", 3, "pointer types"),
        ("await t;", 0, "`await` is not supported"),
        ("class C { }", 0, "declarations of types"),
        ("struct S { }", 0, "declarations of types"),
        ("enum E { A }", 0, "declarations of types"),
        ("static int x = 1;", 0, "declarations of members"),
        ("public void F() { }", 0, "declarations of members"),
        ("x + 1;", 2, "only an assignment, call"),
        ("x;", 0, "only an assignment, call"),
        ("var x;", 4, "must be initialized"),
        ("var x = 1, y = 2;", 4, "`var` cannot declare several"),
        ("int a[] = null;", 5, "array brackets go after the type"),
        ("if (a) int x = 1;", 7, "a declaration cannot be the body of `if`"),
        ("while (a) var x = 1;", 10, "body of `while`"),
        ("if a) { }", 3, "expected `(` after `if`"),
        ("if (a { }", 6, "to close the condition of `if`"),
        ("x = 1", 5, "expected `;` after the statement"),
        ("int x = 1", 9, "expected `;` after the declaration"),
        ("{ x = 1;", 8, "expected `}` to close the block"),
        ("return 1", 8, "after the `return` statement"),
        ("break", 5, "after `break`"),
        ("do x++; (a);", 8, "`while` after the body of `do`"),
        ("for (int i = 0; i < 1) { }", 21, "after the condition of `for`"),
        ("for (i + 1;;) { }", 7, "only an assignment"),
        ("foreach (var x of xs) { }", 15, "`in` in `foreach`"),
        ("foreach (var (a, b) in xs) { }", 13, "deconstruction"),
        ("try { }", 7, "`catch` or `finally`"),
        ("try x = 1; catch { }", 4, "`{` to open a block"),
        ("switch (x) { x = 1; }", 13, "`case`, `default` or `}`"),
        ("switch (x) { case 1 break; }", 20, "`:` after the `case` label"),
        ("switch (x) { case 1: ", 21, "`}` to close the `switch`"),
        ("catch { }", 0, "expected an expression, found keyword `catch`"),
        ("else { }", 0, "found keyword `else`"),
        ("var (a, b) = t;", 0, "deconstruction"),
        ("(int, string) t = x;", 4, "tuples are not supported"),
        ("switch (o) { case not null: break; }", 18, "C# 9"),
    ]);
}

#[test]
fn positions_are_offsets_into_the_whole_text() {
    // The parser is given a range of the attribute value; offsets stay
    // absolute.
    let src = "@( a + )";
    let e = crate::syntax::parse_expr(src, 2, 7).unwrap_err();
    assert_eq!(e.offset, 7);
    let src = "@{ if (x) { y = ; } }";
    let e = crate::syntax::parse_block(src, 2, 20).unwrap_err();
    assert_eq!(e.offset, 16);
    let e = e.locate(src);
    assert_eq!((e.line, e.column), (1, 17));
    let src = "@(\n  $\"{x +}\")";
    let e = crate::syntax::parse_expr(src, 2, 13).unwrap_err();
    assert_eq!(e.offset, 11);
}

#[test]
fn nesting_is_bounded() {
    for (open, close) in [
        ("(", ")"),
        ("f(", ")"),
        ("a[", "]"),
        ("-", ""),
        ("!", ""),
        ("x => ", ""),
        ("new[] {", "}"),
        ("$\"{", "}\""),
        ("c ? a : ", ""),
        ("a ?? ", ""),
        ("x = ", ""),
        ("(int)", ""),
        ("new { a = ", "}"),
    ] {
        let deep = format!("{}1{}", open.repeat(200), close.repeat(200));
        let e = ee(&deep);
        assert!(e.message.contains("nested too deeply"), "{open}: {}", e.message);
        let n = if open.starts_with('$') { 10 } else { 40 };
        let ok = format!("{}1{}", open.repeat(n), close.repeat(n));
        assert!(crate::syntax::parse_expr(&ok, 0, ok.len()).is_ok(), "{ok}");
    }
    let deep = format!("typeof({}int{})", "List<".repeat(200), ">".repeat(200));
    assert!(ee(&deep).message.contains("nested too deeply"));
    let long = vec!["a"; 500].join(" + ");
    assert!(ee(&long).message.contains("nested too deeply"));
    let long = format!("x{}", ".y".repeat(500));
    assert!(ee(&long).message.contains("nested too deeply"));
    for (open, close) in [
        ("{", "}"),
        ("if (a) ", ""),
        ("while (a) {", "}"),
        ("try {", "} finally {}"),
    ] {
        let deep = format!("{}x = 1;{}", open.repeat(200), close.repeat(200));
        assert!(eb(&deep).message.contains("nested too deeply"), "{open}");
    }
}
