//! `SelectToken` / `SelectTokens`.

use super::*;

const STORE: &str = r#"{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "LOTR", "isbn": "0-395", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95},
    "odd key": {"x y": 1}
  },
  "when": "2024-01-02T03:04:05Z"
}"#;

fn select(rt: &mut TestRt, v: &Value<'static>, path: &str) -> Vec<String> {
    let found = call(rt, v, "SelectTokens", &[s(path)]);
    library::items(rt, &found)
        .unwrap()
        .unwrap()
        .iter()
        .map(|t| compact(rt, t))
        .collect()
}

fn one(rt: &mut TestRt, v: &Value<'static>, path: &str) -> String {
    let t = call(rt, v, "SelectToken", &[s(path)]);
    if t.is_null() {
        "null".into()
    } else {
        compact(rt, &t)
    }
}

#[test]
fn simple_paths() {
    let mut rt = rt();
    let v = parse(&mut rt, r#"{"a":{"b":[1,2]}}"#);
    let t = call(&mut rt, &v, "SelectToken", &[s("a.b[1]")]);
    assert_eq!(text_of(&call(&mut rt, &t, "ToString", &[])), "2");
    let v = parse(&mut rt, STORE);
    assert_eq!(one(&mut rt, &v, "store.bicycle.color"), "\"red\"");
    assert_eq!(one(&mut rt, &v, "$.store.book[0].title"), "\"Sayings\"");
    assert_eq!(one(&mut rt, &v, "store['odd key']['x y']"), "1");
    assert_eq!(one(&mut rt, &v, "store.nothing"), "null");
    assert_eq!(one(&mut rt, &v, "store.book[9]"), "null");
    assert_eq!(one(&mut rt, &v, "$"), compact(&mut rt, &v));
    assert_eq!(one(&mut rt, &v, ""), compact(&mut rt, &v));
}

#[test]
fn wildcards_scans_slices() {
    let mut rt = rt();
    let v = parse(&mut rt, STORE);
    assert_eq!(select(&mut rt, &v, "store.book[*].author").len(), 4);
    assert_eq!(select(&mut rt, &v, "$..author")[3], "\"J. R. R. Tolkien\"");
    assert_eq!(select(&mut rt, &v, "$..price").len(), 5);
    assert_eq!(select(&mut rt, &v, "store.bicycle.*"), ["\"red\"", "19.95"]);
    assert_eq!(
        select(&mut rt, &v, "store.book[1:3].title"),
        ["\"Sword\"", "\"Moby Dick\""]
    );
    assert_eq!(select(&mut rt, &v, "store.book[-1:].title"), ["\"LOTR\""]);
    assert_eq!(
        select(&mut rt, &v, "store.book[0,2].title"),
        ["\"Sayings\"", "\"Moby Dick\""]
    );
    assert_eq!(
        select(&mut rt, &v, "store.book[::2].title"),
        ["\"Sayings\"", "\"Moby Dick\""]
    );
    assert_eq!(select(&mut rt, &v, "store['bicycle','odd key']").len(), 2);
}

#[test]
fn filters() {
    let mut rt = rt();
    let v = parse(&mut rt, STORE);
    assert_eq!(
        select(&mut rt, &v, "store.book[?(@.price < 10)].title"),
        ["\"Sayings\"", "\"Moby Dick\""]
    );
    assert_eq!(
        select(&mut rt, &v, "$..book[?(@.isbn)].title"),
        ["\"Moby Dick\"", "\"LOTR\""]
    );
    assert_eq!(
        select(&mut rt, &v, "store.book[?(@.author == 'Evelyn Waugh')].price"),
        ["12.99"]
    );
    assert_eq!(
        select(
            &mut rt,
            &v,
            "store.book[?(@.category == 'fiction' && @.price > 10)].title"
        ),
        ["\"Sword\"", "\"LOTR\""]
    );
    assert_eq!(
        select(&mut rt, &v, "store.book[?(@.price == 8 || @.price == 8.95)].title"),
        ["\"Sayings\"", "\"Moby Dick\""]
    );
    assert_eq!(
        select(&mut rt, &v, "store.book[?(@.title =~ /^s/i)].title"),
        ["\"Sayings\"", "\"Sword\""]
    );
    assert_eq!(select(&mut rt, &v, "store.book[?(@.price != 8)]").len(), 3);
    assert_eq!(
        select(&mut rt, &v, "store.book[?(@.price > $.store.bicycle.price)].title"),
        ["\"LOTR\""]
    );
    // Dates compare with their ISO text.
    let d = parse(&mut rt, r#"[{"t":"2024-01-02T03:04:05Z","n":1}]"#);
    assert_eq!(select(&mut rt, &d, "[?(@.t == '2024-01-02T03:04:05Z')].n"), ["1"]);
}

#[test]
fn path_errors() {
    let mut rt = rt();
    let v = parse(&mut rt, STORE);
    let e = try_call(&mut rt, &v, "SelectToken", &[], &[s("store.book[*].title")]).unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (EvalErrorKind::Other("JsonException"), "Path returned multiple tokens.")
    );
    let e = try_call(
        &mut rt,
        &v,
        "SelectToken",
        &[],
        &[s("store.nothing"), Value::Bool(true)],
    )
    .unwrap_err();
    assert_eq!(e.message, "Property 'nothing' does not exist on JObject.");
    let e = try_call(
        &mut rt,
        &v,
        "SelectToken",
        &[],
        &[s("store.book[9]"), Value::Bool(true)],
    )
    .unwrap_err();
    assert_eq!(e.message, "Index 9 outside the bounds of JArray.");
    let e = try_call(&mut rt, &v, "SelectToken", &[], &[s("store.book[0]x")]).unwrap_err();
    assert_eq!(e.message, "Unexpected character following indexer: x");
    let e = try_call(&mut rt, &v, "SelectToken", &[], &[s("store.book[")]).unwrap_err();
    assert_eq!(e.message, "Path ended with open indexer.");
    let e = try_call(&mut rt, &v, "SelectToken", &[], &[s("store.")]).unwrap_err();
    assert_eq!(e.message, "Unexpected end while parsing path.");
    let e = try_call(&mut rt, &v, "SelectToken", &[], &[s("store.book[?(@.a ~ 1)]")]).unwrap_err();
    assert_eq!(e.message, "Could not read query operator.");
    let deep = format!("a{}", "[?(@.b".repeat(40));
    assert!(try_call(&mut rt, &v, "SelectToken", &[], &[s(&deep)]).is_err());
    assert_eq!(
        kind(try_call(&mut rt, &v, "SelectToken", &[], &[s("store.book[-1]")])),
        EvalErrorKind::ArgumentOutOfRange
    );
}
