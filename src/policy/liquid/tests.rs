use liquid_core::model::Value;

use super::globals::{body, XsiNil};
use super::Liquid;

fn render(template: &str, json: &str) -> String {
    let t = Liquid::compile(template).unwrap_or_else(|e| panic!("{template}: {e:?}"));
    let b = body(json.as_bytes(), Some("application/json"), XsiNil::Blank);
    t.render(b, Value::Nil, 1 << 20)
        .unwrap_or_else(|e| panic!("{template}: {e}"))
}

#[test]
fn every_filter_by_its_apim_name() {
    let cases: &[(&str, &str)] = &[
        ("{{ -5 | Abs }}", "5"),
        ("{{ 'a' | Append: 'b' }}", "ab"),
        ("{{ 3 | AtLeast: 5 }}", "5"),
        ("{{ 7 | AtMost: 5 }}", "5"),
        ("{{ 'hELLO' | Capitalize }}", "Hello"),
        ("{{ body.c | Compact | Join: ',' }}", "1,2"),
        ("{{ 1234.5 | Currency }}", "\u{a4}1,234.50"),
        (
            "{{ '2024-03-05T06:07:08Z' | Date: 'yyyy-MM-dd HH:mm' }}",
            "2024-03-05 06:07",
        ),
        ("{{ body.missing | Default: 'd' }}", "d"),
        ("{{ 7 | DividedBy: 2 }}", "3"),
        ("{{ 'AbC' | Downcase }}", "abc"),
        ("{{ '<a&b>' | Escape }}", "&lt;a&amp;b&gt;"),
        ("{{ body.l | First }}", "x"),
        ("{{ '<i>' | H }}", "&lt;i&gt;"),
        ("{{ body.l | Join: '-' }}", "x-y-z"),
        ("{{ body.l | Last }}", "z"),
        ("[{{ '  a ' | Lstrip }}]", "[a ]"),
        ("{{ body.o | Map: 'n' | Join: ',' }}", "1,2"),
        ("{{ 5 | Minus: 2 }}", "3"),
        ("{{ 7 | Modulo: 3 }}", "1"),
        ("{{ body.nl | NewlineToBr }}", "a<br />\nb"),
        ("{{ 1 | Plus: 2 }}", "3"),
        ("{{ 'b' | Prepend: 'a' }}", "ab"),
        ("{{ 'abab' | Remove: 'b' }}", "aa"),
        ("{{ 'abab' | RemoveFirst: 'b' }}", "aab"),
        ("{{ 'abab' | Replace: 'a', 'x' }}", "xbxb"),
        ("{{ 'abab' | ReplaceFirst: 'a', 'x' }}", "xbab"),
        ("{{ 2.567 | Round: 1 }}", "2.6"),
        ("[{{ ' a  ' | Rstrip }}]", "[ a]"),
        ("{{ body.l | Size }}", "3"),
        ("{{ 'hello' | Slice: 1, 3 }}", "ell"),
        ("{{ body.u | Sort | Join: '' }}", "abc"),
        ("{{ 'a,b' | Split: ',' | Last }}", "b"),
        ("[{{ ' a ' | Strip }}]", "[a]"),
        ("{{ '<p>hi</p>' | StripHtml }}", "hi"),
        ("{{ body.nl | StripNewlines }}", "ab"),
        ("{{ 3 | Times: 4 }}", "12"),
        ("{{ 'abcdefgh' | Truncate: 5 }}", "ab..."),
        ("{{ 'a b c d' | TruncateWords: 2 }}", "a b..."),
        ("{{ body.d | Uniq | Join: '' }}", "ab"),
        ("{{ 'ab' | Upcase }}", "AB"),
        ("{{ 'a%20b+c%zz' | UrlDecode }}", "a b c%zz"),
        ("{{ 'a b&c' | UrlEncode }}", "a+b%26c"),
    ];
    let data =
        r#"{"c":[1,null,2],"l":["x","y","z"],"o":[{"n":1},{"n":2}],"nl":"a\nb","u":["c","a","b"],"d":["a","a","b"]}"#;
    for (template, want) in cases {
        assert_eq!(render(template, data), *want, "{template}");
    }
    assert_eq!(cases.len(), 43, "one case per APIM filter");
}

#[test]
fn tags_and_apim_json_array_for() {
    let data = r#"{"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"kind":"x"}"#;
    assert_eq!(
        render(
            "[{% JSONArrayFor i in body.items %}{\"id\":{{i.id}}}{% endJSONArrayFor %}]",
            data
        ),
        r#"[{"id":1},{"id":2}]"#
    );
    assert_eq!(
        render(
            "{% for i in body.items reversed %}{{forloop.index}}{{i.name}}{% else %}none{% endfor %}",
            data
        ),
        "1b2a"
    );
    assert_eq!(
        render("{% for i in body.nothing %}x{% else %}none{% endfor %}", data),
        "none"
    );
    assert_eq!(
        render("{% for n in (1..9) limit:3 offset:2 %}{{n}}{% endfor %}", data),
        "345"
    );
    assert_eq!(
        render(
            "{% for n in (1..9) %}{% if n > 2 %}{% break %}{% endif %}{{n}}{% endfor %}",
            data
        ),
        "12"
    );
    assert_eq!(
        render(
            "{% assign k = body.kind | Upcase %}{% case k %}{% when 'X' %}yes{% else %}no{% endcase %}",
            data
        ),
        "yes"
    );
    assert_eq!(
        render("{% capture c %}{{ body.kind }}!{% endcapture %}{{ c }}{{ c }}", data),
        "x!x!"
    );
    assert_eq!(
        render(
            "{% unless body.kind == 'y' %}u{% endunless %}{% raw %}{{x}}{% endraw %}",
            data
        ),
        "u{{x}}"
    );
    assert_eq!(
        render(
            "{% comment %}gone{% endcomment %}{% increment n %}{% increment n %}",
            data
        ),
        "01"
    );
}

#[test]
fn unsupported_markup_fails_at_load_with_its_line() {
    for (template, line, what) in [
        ("ok\n{% include 'x' %}", 2, "include"),
        ("{{ a }}\n\n{{ a | upcase }}", 3, "Upcase"),
        ("{% render 'x' %}", 1, "render"),
    ] {
        let e = Liquid::compile(template).unwrap_err();
        assert_eq!(e.line, line, "{template}");
        assert!(e.message.contains(what), "{template}: {}", e.message);
    }
    assert!(Liquid::compile("{% if a %}").is_err(), "unclosed block");
}

#[test]
fn hostile_data_cannot_stall_or_blow_up() {
    let t = Liquid::compile("{% for i in (1..body.n) %}{% endfor %}").unwrap();
    let b = body(br#"{"n":1000000000000}"#, Some("application/json"), XsiNil::Blank);
    assert!(t.render(b, Value::Nil, 1 << 20).unwrap_err().contains("at most"));
    let t = Liquid::compile(
        "{% for a in (1..300) %}{% for b in (1..300) %}{% for c in (1..300) %}{% endfor %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    assert!(t
        .render(Value::Nil, Value::Nil, 1 << 20)
        .unwrap_err()
        .contains("iterations"));
    let t = Liquid::compile("{% assign s = 'xx' %}{% for i in (1..60) %}{% assign s = s | Append: s %}{% endfor %}")
        .unwrap();
    assert!(t
        .render(Value::Nil, Value::Nil, 1 << 16)
        .unwrap_err()
        .contains("too much"));
    let t = Liquid::compile(
        "{% assign s = 'x' %}{% for i in (1..40) %}{% capture s %}{{s}}{{s}}{% endcapture %}{% endfor %}",
    )
    .unwrap();
    assert!(t.render(Value::Nil, Value::Nil, 1 << 16).is_err());
    let t = Liquid::compile("{% for i in (1..10000) %}abcdefghij{% endfor %}").unwrap();
    let e = t.render(Value::Nil, Value::Nil, 1000).unwrap_err();
    assert!(e.contains("larger"), "{e}");
}

#[test]
fn xml_bodies_are_objects() {
    let t = Liquid::compile("{{ body.order.id }}/{{ body.order.line | Size }}/{{ body.order.line[1] }}").unwrap();
    let b = body(
        b"<order><id>7</id><line>a</line><line>b</line></order>",
        Some("application/xml"),
        XsiNil::Blank,
    );
    assert_eq!(t.render(b, Value::Nil, 1000).unwrap(), "7/2/b");
}

#[test]
fn hostile_filter_arguments_are_errors_or_values_never_panics() {
    let args = [
        "",
        ": 9223372036854775807",
        ": -9223372036854775807",
        ": 0",
        ": -1",
        ": 'x', 'y'",
        ": body.l",
        ": nil",
        ": 1.5e300",
    ];
    let inputs = [
        "9223372036854775807",
        "-9223372036854775807",
        "'é€ü'",
        "body.l",
        "nil",
        "body.o",
        "1.5e300",
        "''",
    ];
    let data = r#"{"l":["x","y"],"o":[{"n":1}]}"#;
    let mut rendered = 0;
    for name in super::filters::NAMES {
        for a in args {
            for i in inputs {
                let template = format!("{{{{ {i} | {name}{a} }}}}");
                let Ok(t) = Liquid::compile(&template) else { continue };
                let b = body(data.as_bytes(), Some("application/json"), XsiNil::Blank);
                rendered += 1;
                if let Err(e) = t.render(b, Value::Nil, 1 << 16) {
                    assert!(!e.contains("failed while rendering"), "{template} panicked: {e}");
                }
            }
        }
    }
    assert!(rendered > 500, "{rendered} templates rendered");
}
