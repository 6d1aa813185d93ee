//! Compile errors: what is outside the subset or ill-typed is rejected at
//! compile time with a message naming the construct and its position.

use super::*;

fn err(src: &str) -> CompileError {
    match Expr::compile(src) {
        Ok(e) => panic!("{src}: expected a compile error, got {e:?}"),
        Err(e) => e,
    }
}

fn says(src: &str, needle: &str) {
    let e = err(src);
    assert!(
        e.message.contains(needle),
        "{src}: `{}` does not mention `{needle}`",
        e.message
    );
}

#[test]
fn wrapper() {
    says("context.Request.Method", "must start with");
    says("@(1) x", "after the expression");
    says("@(1", "unterminated");
    says("@{ return 1; ", "unterminated");
    says("@()", "expected an expression");
}

#[test]
fn positions() {
    let e = err("@(context.Request.Nope)");
    assert_eq!((e.offset, e.line, e.column), (17, 1, 18));
    assert!(e.message.contains("context.Request.Nope"), "{e}");
    let e = err("@{\n  var x = 1;\n  return x.Foo;\n}");
    assert_eq!((e.line, e.column), (3, 11));
    assert_eq!(e.to_string(), format!("{} (expression line 3, column 11)", e.message));
}

#[test]
fn unsupported_syntax() {
    says("@(new JObject())", "`new`");
    says("@(context.Request.Headers.Any(h => h.Key == \"x\"))", "lambda");
    says("@(\"a,b\".Split(',').Any())", "LINQ method `Any`");
    says("@(x => 1)", "lambda");
    says("@(typeof(string))", "typeof");
    says("@(1 & 2)", "bitwise");
    says("@(1 << 2)", "bitwise");
    says("@(context.Variables[\"x\"] is string)", "`is`");
    says("@(10L)", "suffix");
    says("@(3000000000)", "does not fit");
    says("@{ foreach (var h in x) { } return 1; }", "`foreach`");
    says("@{ int i = 0; i++; return i; }", "increment");
    says("@{ context.Variables[\"x\"] = 1; return 1; }", "read-only");
    says("@{ \"abc\".ToLower(); return 1; }", "cannot be a statement");
    says("@(int.TryParse(\"1\", out var n))", "`out`");
    says(
        "@(context.Request.Body.As<JObject>())",
        "type `JObject` is not supported",
    );
    says("@((JObject)context.Variables[\"x\"])", "type `JObject`");
    says("@($\"{1,5}\")", "alignment");
    says("@(context.Foo)", "`context.Foo` is not supported");
    says("@(Foo.Bar())", "unknown name `Foo`");
    says("@(foo)", "unknown name `foo`");
    says("@(DateTime.Parse(\"x\"))", "`DateTime.Parse` is not supported");
    says("@(\"a\".Normalize())", "method `Normalize` is not supported on string");
}

#[test]
fn type_errors() {
    says("@(1 + true)", "operator `+` cannot be applied to int and bool");
    says(
        "@(\"a\" < \"b\")",
        "operator `<` cannot be applied to string and string",
    );
    says("@(!1)", "operator `!` cannot be applied to int");
    says("@(1 && true)", "`&&` cannot be applied to int and bool");
    says("@(1 == \"1\")", "`==` cannot be applied to int and string");
    says("@(true ? 1 : \"a\")", "no conversion between int and string");
    says("@(1 ? 2 : 3)", "condition must be bool");
    says("@(1 ?? 2)", "can be null");
    says("@((int)\"5\")", "use int.Parse");
    says("@((bool)1)", "cannot convert int to bool");
    says("@(\"a\".Contains(1))", "must be strings or chars");
    says("@(\"a\".Substring(\"x\"))", "argument 1 must be int, not string");
    says("@(\"a\".Substring())", "takes 1 to 2 argument(s), got 0");
    says("@(\"a\".ToLower)", "is a method");
    says("@(\"a\".Foo)", "string has no supported member `Foo`");
    says(
        "@(context.Request.Headers.GetValueOrDefault(1))",
        "argument 1 must be string, not int",
    );
    says(
        "@(context.Request.Headers.GetValueOrDefault<int>(\"x\"))",
        "generic arguments",
    );
    says("@(1.Foo())", "method `Foo` is not supported on int");
    says("@(context.Response.StatusCode?.ToString())", "never null");
    says("@(5 as string)", "cannot convert int to string with `as`");
    says("@(int.Parse(5))", "argument 1 must be string, not int");
    says("@(Math.Max(\"a\", 1))", "takes int or double");
}

#[test]
fn block_errors() {
    says("@{ var x = 1; }", "not all code paths return");
    says("@{ if (true) return 1; }", "not all code paths return");
    says("@{ var x = 1; var x = 2; return x; }", "already defined");
    says("@{ var x; return 1; }", "initializer");
    says("@{ var x = null; return 1; }", "from null");
    says(
        "@{ int x = \"a\"; return x; }",
        "the value of `x` must be int, not string",
    );
    says("@{ var x = 1; x = \"a\"; return x; }", "must be int, not string");
    says("@{ y = 1; return 1; }", "not a local variable");
    says("@{ if (1) return 1; return 2; }", "must be bool");
    says("@{ if (true) return 1; return \"a\"; }", "returns both int and string");
    says("@{ var x = 1; x += \"a\"; return x; }", "cannot assign string");
}

#[test]
fn compile_as_checks_the_type() {
    let e = Expr::compile_as("@(context.Request.Method)", Type::Bool).unwrap_err();
    assert!(e.message.contains("has type string, but bool is needed"), "{e}");
    assert!(Expr::compile_as("@(1)", Type::String).is_err());
    assert!(Expr::compile_as("@{ return \"a\"; }", Type::Int).is_err());
    assert!(is_expression("  @(x)"));
    assert!(is_expression("@{ return 1; }"));
    assert!(!is_expression("plain @(x)"));
}

#[test]
fn nesting_is_bounded() {
    for deep in [
        format!("@({}1{})", "(".repeat(5000), ")".repeat(5000)),
        format!("@({}true)", "!".repeat(5000)),
        format!("@(1{})", " + 1".repeat(5000)),
        format!("@(\"a\"{})", ".ToLower()".repeat(5000)),
        format!("@{{ {} return 1; {} }}", "if (true) {".repeat(5000), "}".repeat(5000)),
        format!("@({}1{})", "$\"{".repeat(5000), "}\"".repeat(5000)),
    ] {
        let e = err(&deep);
        assert!(e.message.contains("too deep"), "{}", e.message);
    }
    // Ordinary nesting is fine.
    let ok = format!("@({}1{})", "(".repeat(30), ")".repeat(30));
    assert!(Expr::compile(&ok).is_ok());
    let chain = format!("@(\"a\"{})", " + \"b\"".repeat(60));
    assert!(Expr::compile(&chain).is_ok());
}

#[test]
fn client_certificate_members_are_type_checked() {
    says("@(context.Request.Certificate.PrivateKey)", "not supported");
    says("@(context.Request.Certificate.Verify(true))", "argument");
    says("@(context.Request.Certificate.Subject + 1 > 2)", "");
    assert_eq!(
        Expr::compile("@(context.Request.Certificate.NotBefore)").unwrap().ty(),
        Type::DateTime
    );
    assert_eq!(
        Expr::compile("@(context.Request.Certificate.Verify())").unwrap().ty(),
        Type::Bool
    );
}
