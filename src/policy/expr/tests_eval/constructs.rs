//! Evaluation of the language constructs: literals, operators, `?.`,
//! interpolation, `@{ }` blocks, the `Expr` evaluation helpers, and
//! expressions as they appear in real policy documents.

use std::borrow::Cow;

use super::*;

#[test]
fn literals() {
    assert_eq!(s(r#"@("a\tb")"#), "a\tb");
    assert_eq!(s(r#"@(@"C:\dir ""q""")"#), "C:\\dir \"q\"");
    assert_eq!(ev("@('x')"), Value::Char('x'));
    assert_eq!(i("@(42)"), 42);
    assert_eq!(i("@(-2147483648)"), i32::MIN);
    assert_eq!(ev("@(2.5)"), Value::Double(2.5));
    assert!(b("@(true)"));
    assert_eq!(ev("@(null)"), Value::Null);
    assert_eq!(ev("  @( 1 )  "), Value::Int(1));
}

#[test]
fn operators() {
    assert_eq!(i("@(1 + 2 * 3 - 4 / 2 % 3)"), 5);
    assert_eq!(i("@((1 + 2) * 3)"), 9);
    assert_eq!(ev("@(7 / 2.0)"), Value::Double(3.5));
    assert_eq!(i("@(7 / 2)"), 3);
    assert_eq!(i("@(-7 % 3)"), -1);
    assert_eq!(i("@(2147483647 + 1)"), i32::MIN);
    assert!(b("@(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2 && 2 == 2.0)"));
    assert!(b("@(!(1 > 2) || false)"));
    assert!(b("@(false || true && true)"));
    assert_eq!(s(r#"@(context.Request.Method == "POST" ? "write" : "read")"#), "write");
    assert_eq!(ev("@(true ? 1 : 2.5)"), Value::Double(1.0));
    assert_eq!(s(r#"@("n=" + 1 + true + 'c' + 2.5 + null)"#), "n=1Truec2.5");
    assert_eq!(s(r#"@(1 + 2 + "x")"#), "3x");
    assert_eq!(
        s(r#"@(context.Variables.GetValueOrDefault("missing") as string ?? "fallback")"#),
        "fallback"
    );
    assert_eq!(s(r#"@((string)context.Variables["name"] ?? "fallback")"#), "alice");
    assert_eq!(i("@('a' + 1)"), 98);
}

#[test]
fn null_conditional() {
    let c = cx().without(Ns::Subscription);
    assert_eq!(ev_with(&c, "@(context.Subscription?.Id)"), Value::Null);
    assert_eq!(
        ev_with(&c, "@(context.Subscription?.Id ?? \"anonymous\")"),
        Value::string("anonymous")
    );
    assert_eq!(ev_with(&c, "@(context.Subscription?.Name.Length)"), Value::Null);
    assert_eq!(ev_with(&cx(), "@(context.Subscription?.Name.Length)"), Value::Int(4));
    assert_eq!(ev("@(context.User?.Email)"), Value::Null);
    assert_eq!(
        ev("@(context.LastError?.Message)"),
        Value::string("Rate limit is exceeded.")
    );
    assert_eq!(
        ev(r#"@(context.Request.Headers.GetValueOrDefault("X-None")?.ToLower())"#),
        Value::Null
    );
    assert_eq!(
        ev(r#"@(context.Request.Headers.GetValueOrDefault("Accept")?.Length)"#),
        Value::Int(27)
    );
    assert!(b(r#"@(context.Subscription?.Key != null)"#));
}

#[test]
fn interpolation() {
    assert_eq!(
        s(r#"@($"{context.Request.Method} {context.Request.Url.Path}")"#),
        "POST /orders/42"
    );
    assert_eq!(s(r#"@($"{{literal}} {1 + 2}")"#), "{literal} 3");
    assert_eq!(s(r#"@($"t={context.Timestamp:yyyyMMdd}")"#), "t=20240229");
    assert_eq!(s(r#"@($"{(context.Api.Id == "orders" ? "yes" : "no")}!")"#), "yes!");
    assert_eq!(s(r#"@($@"C:\{context.Api.Id}")"#), "C:\\orders");
    assert_eq!(s(r#"@($"{context.Variables["name"]}")"#), "alice");
}

#[test]
fn blocks() {
    let src = r#"@{
        var auth = context.Request.Headers.GetValueOrDefault("Authorization", "");
        string token = "";
        if (auth.StartsWith("Bearer ")) {
            token = auth.Substring(7);
        } else if (auth.Length > 0) {
            return "other";
        } else {
            return "none";
        }
        int n = 0;
        n += token.Length;
        n -= 1;
        // a comment
        return token + "/" + n; /* trailing */
    }"#;
    assert_eq!(s(src), "abc.def/6");
    assert_eq!(ev("@{ return 1; }"), Value::Int(1));
    assert_eq!(ev("@{ if (true) return 1; return 2.5; }"), Value::Double(1.0));
    assert_eq!(ev("@{ if (false) { return \"a\"; } return null; }"), Value::Null);
    assert_eq!(ev("@{ string x; return x; }"), Value::Null);
    assert_eq!(ev("@{ int x; { var y = 2; x = y; } return x; }"), Value::Int(2));
    let e = Expr::compile("@{ var a = \"x\"; return a; }").unwrap();
    assert_eq!(e.ty(), Type::String);
}

#[test]
fn compile_as_and_eval_helpers() {
    let c = cx();
    let e = Expr::compile_as(r#"@(context.Request.Method == "POST")"#, Type::Bool).unwrap();
    assert!(e.eval_bool(&c).unwrap());
    let e = Expr::compile_as("@(1)", Type::Double).unwrap();
    assert_eq!(e.eval(&c).unwrap(), Value::Double(1.0));
    let e = Expr::compile_as("@{ return 1; }", Type::Double).unwrap();
    assert_eq!(e.eval(&c).unwrap(), Value::Double(1.0));
    let e = Expr::compile_as("@(1)", Type::Object).unwrap();
    assert_eq!(e.eval(&c).unwrap(), Value::Int(1));
    let e = Expr::compile("@(context.Request.Headers.GetValueOrDefault(\"Content-Type\", \"\"))").unwrap();
    // A single-valued header and a literal are borrowed, not copied.
    assert!(matches!(e.eval_string(&c).unwrap(), Cow::Borrowed("application/json")));
    let e = Expr::compile("@(\"lit\")").unwrap();
    assert!(matches!(e.eval_string(&c).unwrap(), Cow::Borrowed("lit")));
    let e = Expr::compile("@(42)").unwrap();
    assert_eq!(e.eval_string(&c).unwrap(), "42");
}

#[test]
fn expressions_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Expr>();
}

/// Expressions as they appear in public policy documents and Microsoft's
/// policy samples: each compiles, and evaluates without error.
#[test]
fn real_world_expressions() {
    let corpus = [
        r#"@(context.Request.Headers.GetValueOrDefault("Authorization","").Split(' ').Last())"#,
        r#"@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Subject)"#,
        r#"@(context.Subscription.Id)"#,
        r#"@(context.Request.IpAddress)"#,
        r#"@(context.Response.StatusCode == 200)"#,
        r#"@(context.Response.StatusCode >= 500 && context.Request.Method == "GET")"#,
        r#"@(context.Request.Url.Query.GetValueOrDefault("api-version", ""))"#,
        r#"@(context.Variables.GetValueOrDefault<string>("name", "default"))"#,
        r#"@((string)context.Variables["name"] + "-suffix")"#,
        r#"@(context.Request.Headers.ContainsKey("X-Forwarded-For") ? context.Request.Headers["X-Forwarded-For"].First() : context.Request.IpAddress)"#,
        r#"@(String.Format("{0}:{1}", context.Api.Name, context.Operation.Id))"#,
        r#"@(context.Request.MatchedParameters["id"])"#,
        r#"@(Guid.NewGuid().ToString())"#,
        r#"@(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"))"#,
        r#"@(context.RequestId.ToString())"#,
        r#"@(context.LastError.Message)"#,
        r#"@(context.Request.Url.Path.ToLower().Contains("/admin"))"#,
        r#"@(!context.Request.Headers.GetValueOrDefault("Accept", "").Contains("xml"))"#,
        r#"@{
            string value;
            if (context.Request.Headers.ContainsKey("X-Custom")) {
                value = context.Request.Headers["X-Custom"].First();
            } else {
                value = "none";
            }
            return value;
        }"#,
        r#"@{
            var key = context.Subscription?.Key ?? "anon";
            return $"{key}:{context.Request.IpAddress}";
        }"#,
        r#"@(context.Elapsed.TotalMilliseconds > 1000)"#,
        r#"@(context.Deployment.GatewayId + "/" + context.Api.Id)"#,
        r#"@(int.Parse(context.Request.Headers.GetValueOrDefault("X-Count", "0")) > 10)"#,
        r#"@(context.Product?.Name ?? "none")"#,
    ];
    let c = cx();
    for src in corpus {
        match Expr::compile(src) {
            Ok(e) => {
                e.eval(&c).unwrap_or_else(|err| panic!("{src}: {err}"));
            }
            // AsJwt is outside the subset, and says so.
            Err(e) if src.contains("AsJwt") => assert!(e.message.contains("AsJwt"), "{e}"),
            Err(e) => panic!("{src}: {e}"),
        }
    }
}
