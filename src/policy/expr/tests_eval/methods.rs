//! Evaluation of methods and static calls (string methods, `Parse`,
//! conversions) and the .NET exceptions runtime failures map to.

use super::*;

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
