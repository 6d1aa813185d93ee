//! Statements: source → printed block, and `delimit`.

use super::pb;
use crate::syntax::ast::{Kind, Stmt};
use crate::syntax::{delimit, parse_block};

fn table(cases: &[(&str, &str)]) {
    let bad: Vec<String> = cases
        .iter()
        .filter(|(src, want)| pb(src) != *want)
        .map(|(src, want)| format!("{src}\n   got {}\n  want {want}", pb(src)))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn declarations() {
    table(&[
        ("var x = 1;", "var x = 1;"),
        ("int a = 1, b, c = a;", "int a = 1, b, c = a;"),
        ("string s;", "string s;"),
        ("int? n = null;", "int? n = null;"),
        ("int[] a = {1, 2};", "int[] a = new [] {1, 2};"),
        ("string[] a = { };", "string[] a = new [] {};"),
        (
            "List<string> l = new List<string>();",
            "List<string> l = new List<string>();",
        ),
        (
            "Dictionary<string, List<int>> d = null;",
            "Dictionary<string, List<int>> d = null;",
        ),
        (
            "System.Text.StringBuilder sb = new System.Text.StringBuilder();",
            "System.Text.StringBuilder sb = new System.Text.StringBuilder();",
        ),
        ("JObject o = (JObject)x;", "JObject o = ((JObject)x);"),
        (
            "byte[] b = Convert.FromBase64String(s);",
            "byte[] b = Convert.FromBase64String(s);",
        ),
        ("const int N = 3;", "const int N = 3;"),
        (
            "var f = (Func<int, int>)(x => x);",
            "var f = ((Func<int, int>)(((x) => x)));",
        ),
    ]);
    let b = parse_block("int[] a = {1};", 0, 14).unwrap();
    let Stmt::Decl { vars, pos, .. } = &b[0] else { panic!() };
    assert_eq!(*pos, 0);
    assert_eq!(vars[0].pos, 6);
    let init = vars[0].init.as_ref().unwrap();
    assert_eq!(init.pos, 10);
    assert!(matches!(
        init.kind,
        Kind::NewArray {
            elem: None,
            size: None,
            items: Some(_)
        }
    ));
}

#[test]
fn expression_statements() {
    table(&[
        ("x = 1;", "(x = 1);"),
        ("a[0] = b.c = 2;", "(a[0] = (b.c = 2));"),
        ("x += 1;", "(x += 1);"),
        ("i++;", "(i++);"),
        ("--i;", "(--i);"),
        ("f(x);", "f(x);"),
        ("o?.Remove();", "o?.Remove();"),
        ("new Foo();", "new Foo();"),
        ("r.Property(\"k\").Remove();", "r.Property(\"k\").Remove();"),
        ("sb.Append(x).Append(y);", "sb.Append(x).Append(y);"),
        ("x ??= new List<int>();", "(x ??= new List<int>());"),
    ]);
}

#[test]
fn control_flow() {
    table(&[
        ("if (a) return 1; else return 2;", "if (a) return 1; else return 2;"),
        (
            "if (a) { x = 1; } else if (b) x = 2;",
            "if (a) { (x = 1); } else if (b) (x = 2);",
        ),
        ("if (a) if (b) f(); else g();", "if (a) if (b) f(); else g();"),
        ("while (i < 3) i++;", "while ((i < 3)) (i++);"),
        ("do { i++; } while (i < 3);", "do { (i++); } while ((i < 3));"),
        ("for (int i = 0; i < n; i++) { }", "for (int i = 0; (i < n); (i++)) {}"),
        ("for (int i = 0, j = 1; ; ) break;", "for (int i = 0, j = 1; ; ) break;"),
        (
            "for (i = 0, j = 0; i < 1; i++, j++) continue;",
            "for ((i = 0), (j = 0); (i < 1); (i++), (j++)) continue;",
        ),
        ("for (;;) { break; }", "for (; ; ) { break; }"),
        ("foreach (var h in hs) f(h);", "foreach (var h in hs) f(h);"),
        (
            "foreach (KeyValuePair<string, string[]> h in hs) { }",
            "foreach (KeyValuePair<string, string[]> h in hs) {}",
        ),
        (
            "foreach (JToken t in (JArray)o[\"a\"]) { }",
            "foreach (JToken t in ((JArray)o[\"a\"])) {}",
        ),
        ("return;", "return;"),
        ("return x ?? \"\";", "return (x ?? \"\");"),
        ("throw;", "throw;"),
        ("throw new Exception(\"m\");", "throw new Exception(\"m\");"),
        ("{ } ; { ; }", "{} ; { ; }"),
        ("checked { x = a * b; }", "checked { (x = (a * b)); }"),
        ("unchecked { }", "unchecked {}"),
        ("var y = checked(a + 1);", "var y = checked((a + 1));"),
    ]);
}

#[test]
fn switch_statements() {
    table(&[
        (
            "switch (s) { case \"a\": return 1; case \"b\": case \"c\": x = 2; break; default: return 3; }",
            "switch (s) { case \"a\": return 1; case \"b\": case \"c\": (x = 2); break; default: return 3; }",
        ),
        (
            "switch (o) { case string s: return s; case int n when n > 0: return n; case null: break; }",
            "switch (o) { case string s: return s; case int n when (n > 0): return n; case null: break; }",
        ),
        (
            "switch (n) { case 1: case -1: { return 1; } default: case 2: return 0; }",
            "switch (n) { case 1: case (-1): { return 1; } default: case 2: return 0; }",
        ),
        ("switch (c) { case 'a': break; }", "switch (c) { case 'a': break; }"),
        (
            "switch (code) { case HttpStatusCode.OK: break; case int when code > 1: break; }",
            "switch (code) { case HttpStatusCode.OK: break; case int when (code > 1): break; }",
        ),
        (
            "switch (x) { case 1 + 1: break; case var v: break; }",
            "switch (x) { case (1 + 1): break; case var v: break; }",
        ),
        ("switch (x) { }", "switch (x) { }"),
    ]);
}

#[test]
fn try_statements() {
    table(&[
        ("try { f(); } catch { }", "try { f(); } catch {}"),
        ("try { } catch (Exception) { }", "try {} catch (Exception) {}"),
        (
            "try { } catch (Exception e) { return e.Message; }",
            "try {} catch (Exception e) { return e.Message; }",
        ),
        (
            "try { } catch (FormatException e) when (e.Message != null) { } catch { } finally { x = 1; }",
            "try {} catch (FormatException e) when ((e.Message != null)) {} catch {} finally { (x = 1); }",
        ),
        ("try { } finally { }", "try {} finally {}"),
        (
            "try { } catch (System.Exception ex) when (true) { throw; }",
            "try {} catch (System.Exception ex) when (true) { throw; }",
        ),
    ]);
}

#[test]
fn lambda_blocks() {
    table(&[(
        "var f = xs.Select(x => { var y = x * 2; return y; });",
        "var f = xs.Select(((x) => { var y = (x * 2); return y; }));",
    )]);
}

#[test]
fn delimits() {
    assert_eq!(delimit("@(1)"), Ok((2, 3, false)));
    assert_eq!(delimit("  @{ return 1; }\n "), Ok((4, 15, true)));
    assert_eq!(delimit(r#"@(")" + ')')"#), Ok((2, 11, false)));
    assert_eq!(delimit("@{ /* } */ return \"}\"; // }\n}"), Ok((2, 28, true)));
    assert_eq!(delimit(r#"@($"{(x ? "}" : ")")}")"#), Ok((2, 22, false)));
    let e = delimit("x @(1)").unwrap_err();
    assert_eq!(e.offset, 0);
    assert!(e.message.contains("must start with"));
    let e = delimit("@(1) x").unwrap_err();
    assert_eq!(e.offset, 5);
    assert!(e.message.contains("after the expression"));
    let e = delimit("@(f(1").unwrap_err();
    assert!(e.message.contains("unterminated `(`"), "{}", e.message);
    assert_eq!(e.offset, 3);
    let e = delimit(" @(1").unwrap_err();
    assert_eq!((e.offset, e.message.as_str()), (1, "expected `)` to close `@(`"));
    let e = delimit("@{ \"abc }").unwrap_err();
    assert!(e.message.contains("unterminated string"));
    assert_eq!(e.offset, 3);
    assert!(delimit("").is_err());
    assert!(delimit("@").is_err());
    assert!(delimit("@(]").is_err());
}

#[test]
fn using_statements() {
    table(&[
        (
            "using (var h = new HMACSHA256(key)) { var hash = h.ComputeHash(b); }",
            "{ using var h = new HMACSHA256(key); { var hash = h.ComputeHash(b); } }",
        ),
        (
            "using (SHA256 a = SHA256.Create(), b = SHA256.Create()) x = 1;",
            "{ using SHA256 a = SHA256.Create(), b = SHA256.Create(); (x = 1); }",
        ),
        ("using (x) { }", "{ using object <using@7> = x; {} }"),
        ("using (f(x)) return 1;", "{ using object <using@7> = f(x); return 1; }"),
    ]);
}

#[test]
fn local_functions_and_constants() {
    table(&[
        (
            "int Twice(int x) { return x * 2; }",
            "int Twice(int x) { return (x * 2); }",
        ),
        (
            "void Log(string s, JObject o) => o.Add(s, 1);",
            "void Log(string s, JObject o) => o.Add(s, 1);",
        ),
        (
            "short F() => (short)1; return F();",
            "short F() => ((short)1); return F();",
        ),
        ("List<int> G() { return null; }", "List<int> G() { return null; }"),
        ("const uint N = 60 * 20;", "const uint N = (60 * 20);"),
        ("const int A = 1, B = 2;", "const int A = 1, B = 2;"),
    ]);
}
