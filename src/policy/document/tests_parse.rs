//! Parsing: tree shape, line numbers, raw form, structure rules, named
//! values and fragments.

use super::*;

fn lib(named: &[(&str, &str, bool)], fragments: &[(&str, &str)]) -> Result<PolicyLibrary, DocumentError> {
    let mut nv = NamedValues::new();
    for (n, v, s) in named {
        nv.insert(*n, *v, *s);
    }
    let names: Vec<String> = fragments.iter().map(|(id, _)| format!("fragments/{id}.xml")).collect();
    let sources: Vec<FragmentSource<'_>> = fragments
        .iter()
        .zip(&names)
        .map(|((id, xml), name)| FragmentSource {
            id,
            document: name,
            xml,
        })
        .collect();
    PolicyLibrary::new(nv, &sources)
}

fn inbound(doc: &Document) -> &[Element] {
    doc.section(SectionKind::Inbound).unwrap()
}

#[test]
fn parses_sections_elements_attributes_and_lines() {
    let xml = "<?xml version=\"1.0\"?>\n<!-- header -->\n<policies>\n  <inbound>\n    <base />\n    <set-header name=\"X-A\"\n                exists-action=\"override\">\n      <value>one &amp; two</value>\n      <value><![CDATA[<raw> & ]]></value>\n    </set-header>\n  </inbound>\n  <outbound/>\n</policies>\n";
    let doc = parse("apis/a.xml", Scope::Api, xml).unwrap();
    assert_eq!(&*doc.name, "apis/a.xml");
    assert!(doc.section(SectionKind::Backend).is_none());
    assert_eq!(doc.section(SectionKind::Outbound), Some(&[][..]));
    let els = inbound(&doc);
    assert_eq!(els.len(), 2);
    assert_eq!((els[0].name.as_str(), els[0].line), ("base", 5));
    let sh = &els[1];
    assert_eq!((sh.name.as_str(), sh.line), ("set-header", 6));
    assert_eq!(sh.attr("name"), Some("X-A"));
    assert_eq!(sh.attr_node("exists-action").map(|a| a.line), Some(7));
    assert_eq!(sh.attr("missing"), None);
    assert_eq!(&*sh.origin.document, "apis/a.xml");
    assert_eq!(sh.origin.scope, Scope::Api);
    let values: Vec<&Element> = sh.children_elements().collect();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0].children, vec![Node::Text("one & two".into(), 8)]);
    assert_eq!(values[1].text(), "<raw> & ");
    assert_eq!(values[0].origin.scope, Scope::Api);
    assert_eq!(sh.child("value").map(|v| v.line), Some(8));
}

#[test]
fn whitespace_text_dropped_but_cdata_kept() {
    let doc = parse(
        "d",
        Scope::Api,
        "<policies><inbound><a>  \n </a><b><![CDATA[ ]]></b><c> x\r\n y </c></inbound></policies>",
    )
    .unwrap();
    let els = inbound(&doc);
    assert!(els[0].children.is_empty());
    assert_eq!(els[1].text(), " ");
    assert_eq!(els[2].text(), " x\n y ");
}

#[test]
fn raw_form_documents_parse_like_escaped_ones() {
    let raw = r#"<policies>
    <inbound>
        <base />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Method != "GET")">
                <set-variable name="limit" value="@(context.Variables.GetValueOrDefault<int>("n", 0) < 10 ? "low" : "high")" />
            </when>
        </choose>
        <set-body>@{
            var body = context.Request.Body.As<JObject>(preserveContent: true);
            if (body["a"] != null && (int)body["a"] < 5) { return "<small/>"; }
            return $"{body["a"]}";
        }</set-body>
    </inbound>
</policies>"#;
    let escaped = raw
        .replace(
            r#""@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Method != "GET")""#,
            "\"@(context.Request.Headers.GetValueOrDefault(&quot;X-Tier&quot;,&quot;&quot;) == &quot;gold&quot; \
             &amp;&amp; context.Request.Method != &quot;GET&quot;)\"",
        )
        .replace(
            r#""@(context.Variables.GetValueOrDefault<int>("n", 0) < 10 ? "low" : "high")""#,
            "'@(context.Variables.GetValueOrDefault&lt;int>(\"n\", 0) &lt; 10 ? \"low\" : \"high\")'",
        )
        .replace("As<JObject>", "As&lt;JObject>")
        .replace("&& (int)body[\"a\"] < 5", "&amp;&amp; (int)body[\"a\"] &lt; 5")
        .replace("\"<small/>\"", "\"&lt;small/>\"");
    assert_ne!(raw, escaped);
    let a = parse("raw.xml", Scope::Operation, raw).unwrap();
    let b = parse("raw.xml", Scope::Operation, &escaped).unwrap();
    assert_eq!(a, b);
    let when = inbound(&a)[1].child("when").unwrap();
    assert_eq!(
        when.attr("condition"),
        Some(
            r#"@(context.Request.Headers.GetValueOrDefault("X-Tier","") == "gold" && context.Request.Method != "GET")"#
        )
    );
    assert_eq!(when.line, 5);
    let sv = when.child("set-variable").unwrap();
    assert_eq!(
        sv.attr("value"),
        Some(r#"@(context.Variables.GetValueOrDefault<int>("n", 0) < 10 ? "low" : "high")"#)
    );
    let body = inbound(&a)[2].text();
    assert!(body.starts_with("@{\n") && body.contains(r#"&& (int)body["a"] < 5) { return "<small/>"; }"#));
    assert_eq!(inbound(&a)[2].children[0], Node::Text(body.clone(), 9));
}

#[test]
fn multi_line_expression_attribute_keeps_newlines() {
    let doc = parse(
        "d",
        Scope::Api,
        "<policies><inbound><set-variable name=\"v\" value=\"@{\n  // a comment with a quote: don't\n  return 1;\n}\" /></inbound></policies>",
    )
    .unwrap();
    assert_eq!(
        inbound(&doc)[0].attr("value"),
        Some("@{\n  // a comment with a quote: don't\n  return 1;\n}")
    );
}

fn err(xml: &str, scope: Scope) -> DocumentError {
    parse("p.xml", scope, xml).unwrap_err()
}

#[test]
fn syntax_errors_name_document_and_line() {
    let e = err("<policies>\n<inbound>\n<a></b>\n</inbound>\n</policies>", Scope::Api);
    assert!(matches!(e, DocumentError::Syntax { line: 3, .. }), "{e:?}");
    assert!(e.to_string().starts_with("p.xml: line 3: "), "{e}");
    let e = err(
        "<policies>\n<inbound>\n<a b=\"@(x(\" />\n</inbound></policies>",
        Scope::Api,
    );
    assert!(matches!(e, DocumentError::Syntax { line: 3, .. }), "{e:?}");
    let e = err("<policies>\n<inbound>\n<a>&nbsp;</a></inbound></policies>", Scope::Api);
    assert!(matches!(e, DocumentError::Syntax { line: 3, .. }), "{e:?}");
    for bad in [
        "",
        "   ",
        "<policies>",
        "<policies></policies><policies/>",
        "<policies/>x",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><policies/>",
        "<policies><inbound a=\"1\" a=\"2\"/></policies>",
    ] {
        assert!(matches!(err(bad, Scope::Api), DocumentError::Syntax { .. }), "{bad}");
    }
    let deep = format!(
        "<policies><inbound>{}{}</inbound></policies>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert!(err(&deep, Scope::Api).to_string().contains("nest deeper"));
}

#[test]
fn structure_rules() {
    let cases = [
        ("<policy/>", Scope::Api, 1, "root element must be <policies>"),
        (
            "<policies>\n<inbound/>\n<inbound/></policies>",
            Scope::Api,
            3,
            "appears twice",
        ),
        (
            "<policies>\n<outbund/></policies>",
            Scope::Api,
            2,
            "unexpected <outbund>",
        ),
        (
            "<policies>\n<inbound>hello</inbound></policies>",
            Scope::Api,
            2,
            "text is not allowed",
        ),
        (
            "<policies>\n<inbound x=\"1\"/></policies>",
            Scope::Api,
            2,
            "takes no attributes",
        ),
        (
            "<policies><inbound>\n<base/></inbound></policies>",
            Scope::Global,
            2,
            "global policy",
        ),
        (
            "<policies><inbound><base/>\n<base/></inbound></policies>",
            Scope::Api,
            2,
            "twice",
        ),
        (
            "<policies><inbound><choose><when condition=\"true\">\n<base/></when></choose></inbound></policies>",
            Scope::Api,
            2,
            "direct child",
        ),
        (
            "<policies><inbound>\n<base>x</base></inbound></policies>",
            Scope::Api,
            2,
            "no attributes or content",
        ),
    ];
    for (xml, scope, line, msg) in cases {
        let e = err(xml, scope);
        assert!(matches!(e, DocumentError::Structure { .. }), "{xml}: {e:?}");
        assert_eq!(e.line(), line, "{xml}: {e}");
        assert!(e.to_string().contains(msg), "{xml}: {e}");
    }
    // Global documents are fine without <base/>.
    assert!(parse(
        "g",
        Scope::Global,
        "<policies><backend><forward-request/></backend></policies>"
    )
    .is_ok());
}

#[test]
fn named_values_in_attributes_and_text() {
    let l = lib(&[("host", "api.example.com", false), ("key", "a\"<b>&c", true)], &[]).unwrap();
    let doc = l
        .parse(
            "apis/x.xml",
            Scope::Api,
            "<policies><inbound>\n<set-header name=\"Host\">\n<value>{{host}}</value></set-header>\n<set-header name=\"K\" value=\"{{key}}\"><value>x {{key}} y</value></set-header></inbound></policies>",
        )
        .unwrap();
    let els = inbound(&doc);
    assert_eq!(els[0].child("value").unwrap().text(), "api.example.com");
    assert_eq!(els[1].attr("value"), Some("a\"<b>&c"));
    assert_eq!(els[1].child("value").unwrap().text(), "x a\"<b>&c y");
    // Unknown: error names the document and the line of the reference.
    let e = l
        .parse(
            "apis/x.xml",
            Scope::Api,
            "<policies><inbound>\n<set-header name=\"A\">\n<value>\n{{nope}}</value></set-header></inbound></policies>",
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "apis/x.xml: line 4: named value {{nope}} is not defined");
    let e = l
        .parse(
            "p",
            Scope::Api,
            "<policies><inbound>\n<a b=\"{{other}}\"/></inbound></policies>",
        )
        .unwrap_err();
    assert_eq!((e.line(), e.document()), (2, "p"));
    // Secret values never appear in errors.
    let e = l
        .parse(
            "p",
            Scope::Api,
            "<policies><inbound><a b=\"{{key}}\"/><c d=\"{{x}}\"/></inbound></policies>",
        )
        .unwrap_err();
    assert!(!format!("{e} {e:?} {l:?}").contains("a\"<b>&c"));
}

#[test]
fn fragments_are_inlined_with_their_own_lines_and_the_includers_scope() {
    let l = lib(
        &[("h", "X-Frag", false)],
        &[
            ("hdr", "<fragment>\n  <set-header name=\"{{h}}\" exists-action=\"override\"><value>1</value></set-header>\n  <include-fragment fragment-id=\"inner\"/>\n</fragment>"),
            ("inner", "<fragment><set-variable name=\"v\" value=\"@(&quot;x&quot;)\"/></fragment>"),
        ],
    )
    .unwrap();
    assert_eq!(l.fragment("hdr").map(<[Element]>::len), Some(2));
    let doc = l
        .parse(
            "apis/a/op.xml",
            Scope::Operation,
            "<policies><inbound>\n<base/>\n<include-fragment fragment-id=\"hdr\" />\n<choose><when condition=\"true\"><include-fragment fragment-id=\"inner\"/></when></choose>\n</inbound></policies>",
        )
        .unwrap();
    let els = inbound(&doc);
    let names: Vec<&str> = els.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["base", "set-header", "set-variable", "choose"]);
    assert_eq!(els[1].attr("name"), Some("X-Frag"));
    assert_eq!((&*els[1].origin.document, els[1].line), ("fragments/hdr.xml", 2));
    assert_eq!(&*els[2].origin.document, "fragments/inner.xml");
    assert!(els.iter().all(|e| e.origin.scope == Scope::Operation));
    let nested = els[3].child("when").unwrap().child("set-variable").unwrap();
    assert_eq!(nested.attr("value"), Some("@(\"x\")"));
    assert_eq!(nested.origin.scope, Scope::Operation);
}

#[test]
fn fragment_errors() {
    let missing = lib(
        &[],
        &[("a", "<fragment>\n<include-fragment fragment-id=\"zz\"/></fragment>")],
    )
    .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "fragments/a.xml: line 2: policy fragment \"zz\" is not defined"
    );
    let cycle = lib(
        &[],
        &[
            ("a", "<fragment><include-fragment fragment-id=\"b\"/></fragment>"),
            ("b", "<fragment><x/>\n<include-fragment fragment-id=\"a\"/></fragment>"),
        ],
    )
    .unwrap_err();
    assert!(matches!(cycle, DocumentError::Fragment { line: 2, .. }), "{cycle:?}");
    assert!(cycle.to_string().contains("a → b → a"), "{cycle}");
    let selfref = lib(
        &[],
        &[("a", "<fragment><include-fragment fragment-id=\"a\"/></fragment>")],
    )
    .unwrap_err();
    assert!(selfref.to_string().contains("a → a"), "{selfref}");
    let chain: Vec<(String, String)> = (0..=MAX_FRAGMENT_NESTING)
        .map(|i| {
            let xml = format!("<fragment><include-fragment fragment-id=\"f{}\"/></fragment>", i + 1);
            (format!("f{i}"), xml)
        })
        .chain([(
            format!("f{}", MAX_FRAGMENT_NESTING + 1),
            "<fragment><x/></fragment>".to_owned(),
        )])
        .collect();
    let refs: Vec<(&str, &str)> = chain.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert!(lib(&[], &refs).unwrap_err().to_string().contains("nest deeper"));
    for (xml, msg) in [
        ("<policies/>", "must be <fragment>"),
        ("<fragment><base/></fragment>", "<base/> is not allowed"),
        ("<fragment><inbound/></fragment>", "cannot contain the section"),
        ("<fragment><a b=\"{{nv}}\"/></fragment>", "{{nv}}"),
        ("<fragment><include-fragment/></fragment>", "needs a fragment-id"),
    ] {
        let e = lib(&[], &[("f", xml), ("ok", "<fragment/>")]).unwrap_err();
        assert!(e.to_string().contains(msg), "{xml}: {e}");
    }
    let l = lib(&[], &[("ok", "<fragment><x/></fragment>")]).unwrap();
    let e = l
        .parse(
            "d",
            Scope::Api,
            "<policies><inbound>\n<include-fragment fragment-id=\"nope\"/></inbound></policies>",
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "d: line 2: policy fragment \"nope\" is not defined");
    let e = l
        .parse(
            "d",
            Scope::Api,
            "<policies><inbound><include-fragment fragment-id=\"ok\" x=\"1\"/></inbound></policies>",
        )
        .unwrap_err();
    assert!(e.to_string().contains("no attribute \"x\""), "{e}");
    // A fragment id taken from a secret named value is not revealed.
    let l = lib(&[("sec", "hidden-id", true)], &[]).unwrap();
    let e = l
        .parse(
            "d",
            Scope::Api,
            "<policies><inbound><include-fragment fragment-id=\"{{sec}}\"/></inbound></policies>",
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "d: line 1: policy fragment \"{{sec}}\" is not defined");
}

#[test]
fn arbitrary_damage_never_panics() {
    let sample = "<?xml version=\"1.0\"?><policies><inbound><base/><!-- é -->\n<choose><when condition=\"@(context.Request.Headers.GetValueOrDefault(\"X\",\"\") == \"ü\" && 1 < 2)\"><set-body>@{ var s = $\"{a}-{(b < 1 ? @\"x\"\"\" : 'c'.ToString())}\"; /* } */ return s; }</set-body></when></choose>\n<set-header name=\"{{nv}}\"><value><![CDATA[<&>]]>&amp;&#233;</value></set-header><include-fragment fragment-id=\"f\"/></inbound></policies>";
    let l = lib(&[("nv", "v", true)], &[("f", "<fragment><x/></fragment>")]).unwrap();
    assert!(l.parse("d", Scope::Api, sample).is_ok());
    let chars: Vec<char> = sample.chars().collect();
    let specials = ['<', '>', '"', '\'', '&', '@', '(', ')', '{', '}', '/', '\n', ';', 'é'];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for round in 0..3000 {
        let mut damaged = chars.clone();
        for _ in 0..=next(4) {
            let i = next(damaged.len());
            match next(3) {
                0 => damaged[i] = specials[next(specials.len())],
                1 => {
                    damaged.remove(i);
                }
                _ => damaged.insert(i, specials[next(specials.len())]),
            }
        }
        if round % 3 == 0 {
            damaged.truncate(next(damaged.len() + 1));
        }
        let text: String = damaged.into_iter().collect();
        for scope in [Scope::Global, Scope::Operation] {
            let _ = l.parse("d", scope, &text);
        }
        let _ = check_fragment_syntax("f", &text);
    }
}
