//! Expressions: source → printed tree, one table per construct family.

use super::pe;

fn table(cases: &[(&str, &str)]) {
    let bad: Vec<String> = cases
        .iter()
        .filter(|(src, want)| pe(src) != *want)
        .map(|(src, want)| format!("{src}\n   got {}\n  want {want}", pe(src)))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn literals() {
    table(&[
        ("null", "null"),
        ("true", "true"),
        ("42", "42"),
        ("42u", "42u"),
        ("42L", "42L"),
        ("42UL", "42UL"),
        ("0xFF", "255"),
        ("0b1010", "10"),
        ("1_000_000", "1000000"),
        ("1.5", "1.5"),
        ("1.5f", "1.5f"),
        ("2d", "2d"),
        ("1.10m", "1.10m"),
        ("1e3", "1e3"),
        (r#""a\tb""#, r#""a\tb""#),
        (r#"@"C:\dir""x""#, r#""C:\\dir\"x""#),
        ("'c'", "'c'"),
        (r"'\u0041'", "'A'"),
        (r"'\x41'", "'A'"),
        ("-2147483648", "(-2147483648)"),
    ]);
}

#[test]
fn interpolated_strings() {
    table(&[
        (r#"$"a{x}b""#, r#"$"a{x}b""#),
        (r#"$"{x,8:N2}""#, r#"$"{x,8:N2}""#),
        (r#"$"{x,-8}""#, r#"$"{x,(-8)}""#),
        (r#"$"{d:yyyy-MM-dd}""#, r#"$"{d:yyyy-MM-dd}""#),
        (r#"$"{{literal}} {x}""#, r#"$"{{literal}} {x}""#),
        (r#"$@"c:\{x}\""#, r#"$"c:\{x}\""#),
        (r#"@$"{x}""""#, r#"$"{x}"""#),
        (r#"$"{(a ? "x" : "y")}""#, r#"$"{((a ? "x" : "y"))}""#),
        (r#"$"{$"{x}"}""#, r#"$"{$"{x}"}""#),
        (
            r#"$"token={(string)context.Variables["token"]}""#,
            r#"$"token={((string)context.Variables["token"])}""#,
        ),
    ]);
}

#[test]
fn precedence_and_associativity() {
    table(&[
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a << 2 + 1", "(a << (2 + 1))"),
        ("a >> 1", "(a >> 1)"),
        ("a < b == c > d", "((a < b) == (c > d))"),
        ("a & b ^ c | d", "(((a & b) ^ c) | d)"),
        ("a | b && c || d", "(((a | b) && c) || d)"),
        ("a == b & c", "((a == b) & c)"),
        ("a ?? b ?? c", "(a ?? (b ?? c))"),
        ("a || b ?? c", "((a || b) ?? c)"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a ?? b ? c : d", "((a ?? b) ? c : d)"),
        ("a = b = c", "(a = (b = c))"),
        ("a += b ? 1 : 2", "(a += (b ? 1 : 2))"),
        ("x -= 1", "(x -= 1)"),
        ("x *= 2", "(x *= 2)"),
        ("x /= 2", "(x /= 2)"),
        ("x %= 2", "(x %= 2)"),
        ("x &= m", "(x &= m)"),
        ("x |= m", "(x |= m)"),
        ("x ^= m", "(x ^= m)"),
        ("x <<= 2", "(x <<= 2)"),
        ("x >>= 2", "(x >>= 2)"),
        ("x ??= y", "(x ??= y)"),
        ("-a * b", "((-a) * b)"),
        ("!a && b", "((!a) && b)"),
        ("~a", "(~a)"),
        ("- -a", "(-(-a))"),
        ("++i", "(++i)"),
        ("--i", "(--i)"),
        ("i++ + 1", "((i++) + 1)"),
        ("i--", "(i--)"),
        ("a.b++", "(a.b++)"),
        ("-x.Length", "(-x.Length)"),
        ("(a + b) * c", "(((a + b)) * c)"),
        ("a % b / c", "((a % b) / c)"),
    ]);
}

#[test]
fn type_tests() {
    table(&[
        ("x is string", "(x is string)"),
        ("x is string s && s.Length > 0", "((x is string s) && (s.Length > 0))"),
        ("x is null", "(x is null)"),
        ("x is 3", "(x is 3)"),
        ("x is -1", "(x is (-1))"),
        ("x is var v", "(x is var v)"),
        ("x is JObject o ? o : null", "((x is JObject o) ? o : null)"),
        ("x is int ? 1 : 2", "((x is int) ? 1 : 2)"),
        ("x is System.String", "(x is System.String)"),
        ("x is 1 == b", "((x is 1) == b)"),
        ("x as string", "(x as string)"),
        ("x as string ?? \"d\"", "((x as string) ?? \"d\")"),
        ("x as int? ?? 0", "((x as int?) ?? 0)"),
        ("x as JObject == null", "((x as JObject) == null)"),
        ("a < b is bool", "((a < b) is bool)"),
    ]);
}

#[test]
fn casts() {
    table(&[
        ("(string)x", "((string)x)"),
        ("(int)-1", "((int)(-1))"),
        ("(int)+x", "((int)(+x))"),
        (
            "(JObject)context.Variables[\"x\"]",
            "((JObject)context.Variables[\"x\"])",
        ),
        ("(x) - y", "((x) - y)"),
        ("(x) + y", "((x) + y)"),
        ("(x)y", "((x)y)"),
        ("(x)(y)", "((x)(y))"),
        ("(x)!y", "((x)(!y))"),
        ("(x)~y", "((x)(~y))"),
        ("(T)null", "((T)null)"),
        ("(T)\"s\"", "((T)\"s\")"),
        ("(int?)x", "((int?)x)"),
        ("(string[])x", "((string[])x)"),
        ("(List<int>)x", "((List<int>)x)"),
        ("(System.Text.StringBuilder)o", "((System.Text.StringBuilder)o)"),
        ("(bool)((IResponse)v).Body", "((bool)(((IResponse)v)).Body)"),
        ("(a)", "(a)"),
        ("(a) is T", "((a) is T)"),
        ("(a < b)", "((a < b))"),
        ("(a ? b : c)", "((a ? b : c))"),
        ("(double)x / 2", "(((double)x) / 2)"),
        ("(string)x.y", "((string)x.y)"),
    ]);
}

#[test]
fn members_calls_indexers() {
    table(&[
        ("a.b.c", "a.b.c"),
        ("a?.b", "a?.b"),
        ("a?.b.c?.d", "a?.b.c?.d"),
        ("a?[0]", "a?[0]"),
        ("a[1, 2]", "a[1, 2]"),
        ("a[\"k\"][0]", "a[\"k\"][0]"),
        ("f()", "f()"),
        ("f(1, x)", "f(1, x)"),
        ("x.Foo(a)(b)", "x.Foo(a)(b)"),
        ("\"Hi\".Length", "\"Hi\".Length"),
        ("1.ToString()", "1.ToString()"),
        ("(1 + 1).ToString()", "((1 + 1)).ToString()"),
        ("string.Join(\",\", xs)", "string.Join(\",\", xs)"),
        ("int.Parse(s)", "int.Parse(s)"),
        ("System.Text.Encoding.UTF8", "System.Text.Encoding.UTF8"),
        (
            "b.As<JObject>(preserveContent: true)",
            "b.As<JObject>(preserveContent: true)",
        ),
        ("d.TryGetValue(k, out var v)", "d.TryGetValue(k, out var v)"),
        ("int.TryParse(s, out int n)", "int.TryParse(s, out int n)"),
        ("int.TryParse(s, out n)", "int.TryParse(s, out n)"),
        ("f(out _)", "f(out var _)"),
        ("f(ref x, in y)", "f(ref x, in y)"),
        ("f(out string[] a)", "f(out string[] a)"),
        ("f(out x.y)", "f(out x.y)"),
        ("f(name: out var v)", "f(name: out var v)"),
    ]);
}

#[test]
fn generics() {
    table(&[
        ("x.As<JObject>()", "x.As<JObject>()"),
        ("x.Value<int>() == 1", "(x.Value<int>() == 1)"),
        ("v.GetValueOrDefault<bool>(\"k\")", "v.GetValueOrDefault<bool>(\"k\")"),
        ("Enumerable.Empty<int>()", "Enumerable.Empty<int>()"),
        (
            "x.ToObject<Dictionary<string, List<int>>>()",
            "x.ToObject<Dictionary<string, List<int>>>()",
        ),
        ("List<int>.Foo", "‹List<int>›.Foo"),
        (
            "System.Collections.Generic.List<int>.Foo",
            "‹System.Collections.Generic.List<int>›.Foo",
        ),
        ("a < b", "(a < b)"),
        ("a < b > c", "((a < b) > c)"),
        ("f(a < b, c > d)", "f((a < b), (c > d))"),
        ("f(G<A, B>(7))", "f(‹G<A, B>›(7))"),
        ("a.b < c", "(a.b < c)"),
        (
            "x.Select<JToken, string>(t => (string)t)",
            "x.Select<JToken, string>(((t) => ((string)t)))",
        ),
        ("x.As<JObject>()?[\"a\"]", "x.As<JObject>()?[\"a\"]"),
        ("i < n && j > m", "((i < n) && (j > m))"),
        ("a.As<int?>()", "a.As<int?>()"),
        ("a.As<string[]>()", "a.As<string[]>()"),
        ("x >> y >= z", "((x >> y) >= z)"),
    ]);
}

#[test]
fn lambdas() {
    table(&[
        ("x => x + 1", "((x) => (x + 1))"),
        ("(x, y) => x * y", "((x, y) => (x * y))"),
        ("(string x) => x.Length", "((string x) => x.Length)"),
        ("() => 1", "(() => 1)"),
        ("() => { return 1; }", "(() => { return 1; })"),
        ("x => { }", "((x) => {})"),
        ("h.Where(h => h.Key != \"A\")", "h.Where(((h) => (h.Key != \"A\")))"),
        (
            "xs.Select(x => x).ToArray<string>()",
            "xs.Select(((x) => x)).ToArray<string>()",
        ),
        ("f(x => y => x + y)", "f(((x) => ((y) => (x + y))))"),
        ("x => x ?? throw new E()", "((x) => (x ?? (throw new E())))"),
        ("x => throw new E()", "((x) => (throw new E()))"),
        ("(JToken t) => (string)t", "((JToken t) => ((string)t))"),
        ("(a, b) => a ? b : !b", "((a, b) => (a ? b : (!b)))"),
    ]);
}

#[test]
fn creation() {
    table(&[
        ("new JObject()", "new JObject()"),
        ("new JProperty(\"a\", 1)", "new JProperty(\"a\", 1)"),
        ("new System.Text.StringBuilder()", "new System.Text.StringBuilder()"),
        ("new List<string>()", "new List<string>()"),
        ("new Foo { A = 1, B = x }", "new Foo() {A = 1, B = x}"),
        ("new Foo(1) { A = 1, }", "new Foo(1) {A = 1}"),
        ("new List<int> { 1, 2 }", "new List<int>() {1, 2}"),
        (
            "new Dictionary<string, int> { {\"k\", 1}, {\"j\", 2} }",
            "new Dictionary<string, int>() {{\"k\", 1}, {\"j\", 2}}",
        ),
        (
            "new Dictionary<string, int> { [\"k\"] = 1 }",
            "new Dictionary<string, int>() {[\"k\"] = 1}",
        ),
        ("new Foo {}", "new Foo() {}"),
        ("new int[3]", "new int[3]"),
        ("new int[n][]", "new int[][n]"),
        ("new int[] { 1, 2, }", "new int[] {1, 2}"),
        ("new int[2] { 1, 2 }", "new int[2] {1, 2}"),
        ("new string[0]", "new string[0]"),
        ("new[] { \"a\", \"b\" }", "new [] {\"a\", \"b\"}"),
        ("new byte[][] { }", "new byte[][] {}"),
        ("new { a = 1, x.B, c }", "new {a = 1, B = x.B, c = c}"),
        ("new { }", "new {}"),
        (
            "new JObject(new JProperty(\"a\", x)).ToString()",
            "new JObject(new JProperty(\"a\", x)).ToString()",
        ),
        ("new Random().Next(10)", "new Random().Next(10)"),
        ("new Uri(u).Host", "new Uri(u).Host"),
        ("new int?[2]", "new int?[2]"),
    ]);
}

#[test]
fn keywords() {
    table(&[
        ("default", "default"),
        ("default(int)", "default(int)"),
        ("default(List<int>)", "default(List<int>)"),
        ("typeof(string)", "typeof(string)"),
        ("typeof(int[])", "typeof(int[])"),
        ("nameof(x)", "nameof(x)"),
        ("nameof(a.b.C)", "nameof(C)"),
        ("checked(a + b)", "checked((a + b))"),
        ("unchecked((int)x)", "unchecked(((int)x))"),
        ("throw new Exception(\"x\")", "(throw new Exception(\"x\"))"),
        ("a ?? throw new E()", "(a ?? (throw new E()))"),
        ("c ? a : throw new E()", "(c ? a : (throw new E()))"),
        ("@class + 1", "(class + 1)"),
        ("var + nameof", "(var + nameof)"),
        ("global::System.Guid.NewGuid()", "System.Guid.NewGuid()"),
    ]);
}

#[test]
fn node_positions() {
    use crate::syntax::ast::Kind;
    use crate::syntax::parse_expr;
    let src = "a.b(c) + x[1] ?? (T)y";
    let e = parse_expr(src, 0, src.len()).unwrap();
    let Kind::Binary(_, l, r) = &e.kind else { panic!() };
    assert_eq!(e.pos, 14); // `??`
    assert_eq!(r.pos, 17); // the cast starts at `(`
    let Kind::Binary(_, call, index) = &l.kind else {
        panic!()
    };
    assert_eq!(l.pos, 7); // `+`
    assert_eq!(call.pos, 3); // `(` of the call
    let Kind::Call { callee, .. } = &call.kind else {
        panic!()
    };
    assert_eq!(callee.pos, 1); // `.` of the member access
    assert_eq!(index.pos, 10); // `[`
    let src = "x => new { a = 1 }";
    let e = parse_expr(src, 0, src.len()).unwrap();
    let Kind::Lambda { params, body } = &e.kind else {
        panic!()
    };
    assert_eq!((e.pos, params[0].pos), (0, 0));
    let crate::syntax::ast::LambdaBody::Expr(b) = body else {
        panic!()
    };
    assert_eq!(b.pos, 5);
}
