//! Evaluation of each construct against a [`FakeContext`].

use std::borrow::Cow;

use super::testing::FakeContext;
use super::*;

fn cx() -> FakeContext {
    FakeContext::default()
        .text(TextField::RequestMethod, "POST")
        .text(TextField::IpAddress, "10.1.2.3")
        .text(TextField::UrlScheme(UrlKind::Current), "https")
        .text(TextField::UrlHost(UrlKind::Current), "api.example.com")
        .text(TextField::UrlPath(UrlKind::Current), "/orders/42")
        .text(TextField::UrlQueryString(UrlKind::Current), "?a=1&b=x")
        .text(
            TextField::UrlFull(UrlKind::Current),
            "https://api.example.com/orders/42?a=1&b=x",
        )
        .text(TextField::UrlPath(UrlKind::Original), "/v1/orders/42")
        .text(TextField::SubscriptionId, "sub-1")
        .text(TextField::SubscriptionKey, "k3y")
        .text(TextField::SubscriptionName, "Gold")
        .text(TextField::ApiId, "orders")
        .text(TextField::ApiName, "Orders API")
        .text(TextField::ApiPath, "v1")
        .text(TextField::OperationId, "get-order")
        .text(TextField::OperationMethod, "GET")
        .text(TextField::OperationUrlTemplate, "/orders/{id}")
        .text(TextField::ProductId, "gold")
        .text(TextField::ProductName, "Gold Plan")
        .text(TextField::OperationName, "Get order")
        .text(TextField::DeploymentGatewayId, "gw-1")
        .text(TextField::RequestId, "0f8fad5b-d9cb-469f-a165-70867728950e")
        .text(TextField::LastErrorSource, "rate-limit")
        .text(TextField::LastErrorReason, "RateLimitExceeded")
        .text(TextField::LastErrorMessage, "Rate limit is exceeded.")
        .text(TextField::LastErrorSection, "inbound")
        .text(TextField::LastErrorPath, "choose\\when[2]\\rate-limit")
        .header("Content-Type", "application/json")
        .header("Accept", "text/plain")
        .header("Accept", "application/json")
        .header("Authorization", "Bearer abc.def")
        .header("X-Count", "17")
        .response_header("ETag", "\"v1\"")
        .query("a", "1")
        .query("b", "x")
        .matched("id", "42")
        .var("name", Value::string("alice"))
        .var("count", Value::Int(3))
        .var("flag", Value::Bool(true))
        .var("ratio", Value::Double(0.5))
        .var("nothing", Value::Null)
        .without(Ns::User)
}

fn ev_with(c: &FakeContext, src: &str) -> Value<'static> {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    e.eval(c).unwrap_or_else(|e| panic!("{src}: {e}")).into_owned()
}

fn ev(src: &str) -> Value<'static> {
    ev_with(&cx(), src)
}

fn s(src: &str) -> String {
    match ev(src) {
        Value::Str(s) => s.into_owned(),
        v => panic!("{src}: expected a string, got {v:?}"),
    }
}

fn b(src: &str) -> bool {
    match ev(src) {
        Value::Bool(b) => b,
        v => panic!("{src}: expected a bool, got {v:?}"),
    }
}

fn i(src: &str) -> i32 {
    match ev(src) {
        Value::Int(i) => i,
        v => panic!("{src}: expected an int, got {v:?}"),
    }
}

fn fails(src: &str) -> EvalError {
    let e = Expr::compile(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let c = cx();
    match e.eval(&c) {
        Ok(v) => panic!("{src}: expected a runtime error, got {v:?}"),
        Err(e) => e,
    }
}

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
fn context_members() {
    assert_eq!(s("@(context.Request.Method)"), "POST");
    assert_eq!(s("@(context.Request.IpAddress)"), "10.1.2.3");
    assert_eq!(s("@(context.Request.Url.Path)"), "/orders/42");
    assert_eq!(s("@(context.Request.Url.Host)"), "api.example.com");
    assert_eq!(s("@(context.Request.Url.Scheme)"), "https");
    assert_eq!(i("@(context.Request.Url.Port)"), 443);
    assert_eq!(s("@(context.Request.Url.QueryString)"), "?a=1&b=x");
    assert_eq!(
        s("@(context.Request.Url.ToString())"),
        "https://api.example.com/orders/42?a=1&b=x"
    );
    assert_eq!(s("@(context.Request.OriginalUrl.Path)"), "/v1/orders/42");
    assert_eq!(
        s("@(context.Subscription.Id + context.Subscription.Key + context.Subscription.Name)"),
        "sub-1k3yGold"
    );
    assert_eq!(
        s("@(context.Api.Id + \"|\" + context.Api.Name + \"|\" + context.Api.Path)"),
        "orders|Orders API|v1"
    );
    assert_eq!(
        s("@(context.Operation.Id + context.Operation.Method + context.Operation.UrlTemplate)"),
        "get-orderGET/orders/{id}"
    );
    assert_eq!(s("@(context.Product.Id)"), "gold");
    assert_eq!(
        s("@(context.Product.Name + \"|\" + context.Operation.Name)"),
        "Gold Plan|Get order"
    );
    assert_eq!(
        s("@(context.LastError.Section + \" \" + context.LastError.Path)"),
        "inbound choose\\when[2]\\rate-limit"
    );
    assert_eq!(s("@(context.LastError.PolicyId ?? \"none\")"), "none");
    assert_eq!(s("@(context.Deployment.GatewayId)"), "gw-1");
    assert_eq!(
        s("@(context.RequestId.ToString())"),
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    );
    assert_eq!(
        s("@(context.LastError.Source + \":\" + context.LastError.Reason)"),
        "rate-limit:RateLimitExceeded"
    );
    assert_eq!(ev("@(context.LastError.Scope)"), Value::Null);
    assert_eq!(i("@(context.Response.StatusCode)"), 200);
    assert_eq!(
        s("@(context.Timestamp.ToString(\"o\"))"),
        "2024-02-29T13:05:09.0000000Z"
    );
    assert_eq!(ev("@(context.Elapsed.TotalMilliseconds)"), Value::Double(1500.0));
    assert_eq!(s("@(context.Request.MatchedParameters[\"id\"])"), "42");
}

#[test]
fn headers_and_dictionaries() {
    assert_eq!(
        s(r#"@(context.Request.Headers.GetValueOrDefault("content-type", ""))"#),
        "application/json"
    );
    assert_eq!(
        s(r#"@(context.Request.Headers.GetValueOrDefault("Accept", ""))"#),
        "text/plain,application/json"
    );
    assert_eq!(
        s(r#"@(context.Request.Headers.GetValueOrDefault("X-Missing", "none"))"#),
        "none"
    );
    assert_eq!(
        ev(r#"@(context.Request.Headers.GetValueOrDefault("X-Missing"))"#),
        Value::Null
    );
    assert!(b(r#"@(context.Request.Headers.ContainsKey("authorization"))"#));
    assert!(!b(r#"@(context.Request.Headers.ContainsKey("X-Nope"))"#));
    assert_eq!(s(r#"@(context.Request.Headers["Accept"].First())"#), "text/plain");
    assert_eq!(s(r#"@(context.Request.Headers["Accept"].Last())"#), "application/json");
    assert_eq!(i(r#"@(context.Request.Headers["Accept"].Length)"#), 2);
    assert_eq!(
        s(r#"@(context.Request.Headers["Authorization"].First().Split(' ')[1])"#),
        "abc.def"
    );
    assert_eq!(
        s(r#"@(context.Response.Headers.GetValueOrDefault("etag", ""))"#),
        "\"v1\""
    );
    assert_eq!(s(r#"@(context.Request.Url.Query.GetValueOrDefault("b", ""))"#), "x");
    assert!(b(r#"@(context.Request.Url.Query.ContainsKey("a"))"#));
    assert_eq!(
        s(r#"@(context.Request.MatchedParameters.GetValueOrDefault("id", "0"))"#),
        "42"
    );
}

#[test]
fn variables_and_casts() {
    assert_eq!(s(r#"@((string)context.Variables["name"])"#), "alice");
    assert_eq!(i(r#"@((int)context.Variables["count"] + 1)"#), 4);
    assert!(b(r#"@((bool)context.Variables["flag"])"#));
    assert_eq!(s(r#"@(context.Variables.GetValueOrDefault<string>("name"))"#), "alice");
    assert_eq!(i(r#"@(context.Variables.GetValueOrDefault<int>("missing"))"#), 0);
    assert_eq!(i(r#"@(context.Variables.GetValueOrDefault<int>("missing", 9))"#), 9);
    assert_eq!(
        s(r#"@(context.Variables.GetValueOrDefault("missing", "dflt"))"#),
        "dflt"
    );
    assert_eq!(s(r#"@(context.Variables.GetValueOrDefault("name", "dflt"))"#), "alice");
    assert_eq!(ev(r#"@(context.Variables.GetValueOrDefault("count"))"#), Value::Int(3));
    assert!(b(r#"@(context.Variables.ContainsKey("flag"))"#));
    assert_eq!(ev(r#"@(context.Variables["name"] as string)"#), Value::string("alice"));
    assert_eq!(ev(r#"@(context.Variables["count"] as string)"#), Value::Null);
    assert_eq!(ev(r#"@((string)context.Variables["nothing"])"#), Value::Null);
    assert_eq!(i("@((int)3.9)"), 3);
    assert_eq!(i("@((int)-3.9)"), -3);
    assert_eq!(ev("@((double)3)"), Value::Double(3.0));
    assert_eq!(i("@((int)'A')"), 65);
    // object == string compares values (see docs/expressions.md).
    assert!(b(r#"@(context.Variables["name"] == "alice")"#));
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
fn string_methods() {
    assert!(b(r#"@("Hello".Contains("ell"))"#));
    assert!(b(r#"@("Hello".Contains('H'))"#));
    assert!(b(r#"@("Hello".StartsWith("He") && "Hello".EndsWith("lo"))"#));
    assert!(b(r#"@("Hello".StartsWith("he", StringComparison.OrdinalIgnoreCase))"#));
    assert!(!b(r#"@("Hello".StartsWith("he"))"#));
    assert!(b(r#"@("Hello".Equals("HELLO", StringComparison.OrdinalIgnoreCase))"#));
    assert!(!b(r#"@("Hello".Equals("HELLO"))"#));
    assert_eq!(s(r#"@("MiXed".ToLower() + "MiXed".ToUpper())"#), "mixedMIXED");
    assert_eq!(
        s(r#"@("  pad  ".Trim() + "|" + "xxaxx".Trim('x') + "|" + "  a ".TrimStart() + "|" + " a  ".TrimEnd())"#),
        "pad|a|a | a"
    );
    assert_eq!(s(r#"@("a-b-c".Replace("-", "+"))"#), "a+b+c");
    assert_eq!(s(r#"@("a-b-c".Replace('-', '_'))"#), "a_b_c");
    assert_eq!(s(r#"@("Hello".Substring(1, 3) + "Hello".Substring(3))"#), "elllo");
    assert_eq!(i(r#"@("Hello".Length + "héllo😀".Length)"#), 12);
    assert_eq!(i(r#"@("Hello".IndexOf("l") * 10 + "Hello".LastIndexOf('l'))"#), 23);
    assert_eq!(i(r#"@("Hello".IndexOf("z"))"#), -1);
    assert_eq!(
        ev(r#"@("a,b;c".Split(',', ';'))"#),
        Value::Array(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(
        i(r#"@("a,,b".Split(',', StringSplitOptions.RemoveEmptyEntries).Length)"#),
        2
    );
    assert_eq!(s(r#"@("a::b::c".Split("::").Last())"#), "c");
    assert_eq!(s(r#"@("7".PadLeft(3, '0') + "x".PadRight(2) + "|")"#), "007x |");
    assert!(b(
        r#"@(string.IsNullOrEmpty("") && string.IsNullOrEmpty(null) && !string.IsNullOrEmpty("a"))"#
    ));
    assert!(b(r#"@(string.IsNullOrWhiteSpace("  "))"#));
    assert_eq!(s(r#"@(string.Join(",", "a;b".Split(';')))"#), "a,b");
    assert_eq!(s(r#"@(string.Join("-", 1, "b", true))"#), "1-b-True");
    assert_eq!(s(r#"@(string.Concat("a", 1))"#), "a1");
    assert_eq!(s(r#"@(string.Format("{0}/{1:D2}", "x", 5))"#), "x/05");
    assert!(b(r#"@(string.Equals("a", "A", StringComparison.OrdinalIgnoreCase))"#));
    assert_eq!(s(r#"@(String.Empty + "x")"#), "x");
    assert_eq!(ev(r#"@("abc"[1])"#), Value::Char('b'));
}

#[test]
fn conversions_and_statics() {
    assert_eq!(i(r#"@(int.Parse("41") + 1)"#), 42);
    assert_eq!(
        i(r#"@(int.Parse(context.Request.Headers.GetValueOrDefault("X-Count", "0")))"#),
        17
    );
    assert_eq!(ev(r#"@(double.Parse("2.5"))"#), Value::Double(2.5));
    assert!(b(r#"@(bool.Parse("True"))"#));
    assert_eq!(s("@(42.ToString())"), "42");
    assert_eq!(s("@(true.ToString())"), "True");
    assert_eq!(s("@(2.50.ToString())"), "2.5");
    assert_eq!(s("@(255.ToString(\"X4\"))"), "00FF");
    assert_eq!(s("@(3.14159.ToString(\"F2\"))"), "3.14");
    assert_eq!(i("@(Math.Max(3, 7) + Math.Min(3, 7) + Math.Abs(-1))"), 11);
    assert_eq!(ev("@(Math.Max(3, 7.5))"), Value::Double(7.5));
    let g = s("@(Guid.NewGuid().ToString())");
    assert_eq!(g.len(), 36);
    assert_ne!(g, s("@(Guid.NewGuid().ToString())"));
    assert_eq!(s("@(Guid.NewGuid().ToString(\"N\"))").len(), 32);
    assert_eq!(
        s("@(DateTime.UtcNow.ToString(\"yyyy-MM-ddTHH:mm:ssZ\"))"),
        "2024-02-29T13:05:10Z"
    );
    assert_eq!(i("@(DateTime.UtcNow.Year)"), 2024);
    assert_eq!(
        s("@(DateTime.UtcNow.AddDays(1).ToString(\"s\"))"),
        "2024-03-01T13:05:10"
    );
    assert_eq!(
        ev("@((DateTime.UtcNow - context.Timestamp).TotalSeconds)"),
        Value::Double(1.0)
    );
    assert!(b("@(context.Elapsed < TimeSpan.FromSeconds(2))"));
    assert!(b("@(context.Elapsed > TimeSpan.Zero)"));
    assert_eq!(s("@(context.Elapsed.ToString())"), "00:00:01.5000000");
    assert_eq!(s("@(DateTime.UtcNow.ToString())"), "02/29/2024 13:05:10");
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
fn runtime_errors() {
    assert_eq!(fails(r#"@(int.Parse("abc"))"#).kind, EvalErrorKind::Format);
    assert_eq!(fails(r#"@(int.Parse("99999999999"))"#).kind, EvalErrorKind::Overflow);
    assert_eq!(
        fails(r#"@(int.Parse(context.Request.Headers.GetValueOrDefault("X-None")))"#).kind,
        EvalErrorKind::ArgumentNull
    );
    assert_eq!(
        fails(r#"@(context.Variables["missing"])"#).kind,
        EvalErrorKind::KeyNotFound
    );
    assert_eq!(
        fails(r#"@(context.Request.Headers["X-None"])"#).kind,
        EvalErrorKind::KeyNotFound
    );
    assert_eq!(fails("@(context.User.Email)").kind, EvalErrorKind::NullReference);
    assert_eq!(
        fails(r#"@(context.Request.Headers.GetValueOrDefault("X-None").Length)"#).kind,
        EvalErrorKind::NullReference
    );
    assert_eq!(
        fails(r#"@((int)context.Variables["name"])"#).kind,
        EvalErrorKind::InvalidCast
    );
    assert_eq!(
        fails(r#"@((int)context.Variables["nothing"])"#).kind,
        EvalErrorKind::NullReference
    );
    assert_eq!(
        fails(r#"@(context.Variables.GetValueOrDefault<int>("name"))"#).kind,
        EvalErrorKind::InvalidCast
    );
    assert_eq!(
        fails(r#"@("abc".Substring(2, 5))"#).kind,
        EvalErrorKind::ArgumentOutOfRange
    );
    assert_eq!(fails(r#"@("a".Split(',')[3])"#).kind, EvalErrorKind::IndexOutOfRange);
    assert_eq!(fails("@(1 / 0)").kind, EvalErrorKind::DivideByZero);
    assert_eq!(
        fails(r#"@(context.Request.Body.As<string>())"#).kind,
        EvalErrorKind::InvalidOperation
    );
    assert_eq!(fails(r#"@(DateTime.UtcNow.ToString("q"))"#).kind, EvalErrorKind::Format);
    let e = fails(r#"@(int.Parse("x"))"#);
    assert_eq!(
        e.to_string(),
        "FormatException: The input string 'x' was not in a correct format."
    );
}

#[test]
fn body_and_variables_from_context() {
    let mut c = cx();
    c.body = Some("{\"a\":1}".into());
    assert_eq!(
        ev_with(&c, "@(context.Request.Body.As<string>(preserveContent: true))"),
        Value::string("{\"a\":1}")
    );
    c.set_variable("later", Value::Int(5));
    assert_eq!(ev_with(&c, "@((int)context.Variables[\"later\"] * 2)"), Value::Int(10));
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

#[test]
fn a_mutable_context_coerces() {
    let mut c = cx();
    let e = Expr::compile("@(context.Api.Id)").unwrap();
    let m: &mut dyn Context = &mut c;
    assert_eq!(e.eval_string(m).unwrap(), "orders");
    m.set_variable("x", Value::Int(1));
    assert!(Expr::compile("@(context.Variables.ContainsKey(\"x\"))")
        .unwrap()
        .eval_bool(m)
        .unwrap());
}

#[test]
fn client_certificate_members() {
    let c = cx()
        .text(TextField::CertSubject, "CN=client, O=Example")
        .text(TextField::CertIssuer, "CN=Example CA")
        .text(TextField::CertThumbprint, "5E7FC1A1F7AD302EDFBFB0B87C5AF2A299B72858")
        .text(TextField::CertSerialNumber, "0A1B");
    let t = |src: &str| match ev_with(&c, src) {
        Value::Str(s) => s.into_owned(),
        v => panic!("{src}: {v:?}"),
    };
    assert_eq!(t("@(context.Request.Certificate.Subject)"), "CN=client, O=Example");
    assert_eq!(
        t("@(context.Request.Certificate.SubjectName.Name)"),
        "CN=client, O=Example"
    );
    assert_eq!(t("@(context.Request.Certificate.IssuerName.Name)"), "CN=Example CA");
    assert_eq!(
        t("@(context.Request.Certificate?.Thumbprint ?? \"none\")"),
        "5E7FC1A1F7AD302EDFBFB0B87C5AF2A299B72858"
    );
    assert_eq!(t("@(context.Request.Certificate.SerialNumber.ToLower())"), "0a1b");
    assert_eq!(
        ev_with(
            &c,
            "@(context.Request.Certificate.Verify() && context.Request.Certificate.VerifyNoRevocation())"
        ),
        Value::Bool(true)
    );
    assert_eq!(
        ev_with(
            &c,
            "@(context.Request.Certificate.NotAfter > context.Request.Certificate.NotBefore)"
        ),
        Value::Bool(true)
    );
    assert_eq!(ev_with(&c, "@(context.Request.Certificate.Version)"), Value::Int(3));
    // Absent: null, and `?.` is safe.
    let none = cx().without(Ns::Certificate);
    assert_eq!(
        ev_with(&none, "@(context.Request.Certificate == null)"),
        Value::Bool(true)
    );
    assert_eq!(
        ev_with(&none, "@(context.Request.Certificate?.Subject ?? \"none\")"),
        Value::string("none")
    );
    let e = Expr::compile("@(context.Request.Certificate.Subject)").unwrap();
    assert_eq!(e.eval(&none).unwrap_err().kind, EvalErrorKind::NullReference);
}
