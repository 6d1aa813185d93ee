//! Tests for loading and validating the declarative configuration.

use super::*;

fn f(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(p, c)| ((*p).to_owned(), (*c).to_owned())).collect()
}

const ECHO: &str = "display-name = \"E\"\npath = \"/echo/\"\nservice-url = \"echo://\"\n";

fn err(list: &[(&str, &str)]) -> ConfigError {
    match load_files(&f(list)) {
        Ok(cfg) => panic!("expected an error, got {cfg:?}"),
        Err(e) => e,
    }
}

fn api_err(body: &str) -> ConfigError {
    err(&[("apis/a.toml", body)])
}

#[test]
fn minimal_api_gets_defaults() {
    let cfg = load_files(&f(&[("apis/echo.toml", ECHO)])).expect("valid");
    let api = &cfg.apis[0];
    assert_eq!((api.id.as_str(), api.path.as_str()), ("echo", "echo"));
    assert_eq!((api.revision, api.is_current), (1, true));
    assert_eq!(api.subscription_key_header, "Ocp-Apim-Subscription-Key");
    assert_eq!(api.subscription_key_query, "subscription-key");
    assert_eq!(api.operations.len(), 1);
    assert_eq!(api.operations[0].id, "default");
    assert_eq!(api.operations[0].method, None);
    assert_eq!(api.operations[0].url_template, "/*");
}

#[test]
fn error_display_names_file_and_field() {
    let e = api_err("display-name = \"x\"\npath = \"a b\"\nservice-url = \"echo://\"\n");
    assert_eq!(e.file, "apis/a.toml");
    assert_eq!(e.field.as_deref(), Some("path"));
    assert!(e.to_string().starts_with("apis/a.toml: path: "), "{e}");
    let plain = ConfigError::new("x.toml", None, "boom");
    assert_eq!(plain.to_string(), "x.toml: boom");
}

#[test]
fn toml_errors_have_line_and_column() {
    let e = api_err("display-name = \"x\"\npath = \n");
    assert!(e.to_string().contains("line 2, column"), "{e}");
    let e = api_err(&format!("{ECHO}colour = \"red\"\n"));
    assert!(e.message.contains("colour") && e.message.contains("line 4"), "{e}");
    let e = api_err("path = \"x\"\nservice-url = \"echo://\"\n");
    assert!(e.message.contains("display-name"), "{e}");
    let e = api_err("display-name = \"x\"\npath = \"x\"\nservice-url = 42\n");
    assert_eq!(e.field.as_deref(), Some("service-url"), "{e}");
    let e = api_err(&format!("{ECHO}[[operations]]\nid = \"a\"\nmethod = 7\n"));
    assert_eq!(e.field.as_deref(), Some("operations.method"), "{e}");
}

#[test]
fn unknown_files() {
    assert!(err(&[("apis/a.json", "{}")]).message.contains("unknown file"));
    assert!(err(&[("backends/b.xml", "<policies/>")])
        .message
        .contains("unknown file"));
    assert!(err(&[("apis/x/y/z.xml", "<policies/>")])
        .message
        .contains("unknown file"));
    assert!(err(&[("stray.txt", "")]).message.contains("unknown file"));
    assert!(err(&[("certificates/c.crt", "")]).message.contains("unknown file"));
    let missing = err(&[(
        "hostnames.toml",
        "[[hostname]]\nhostname = \"a.test\"\ncertificate = \"c\"\n",
    )]);
    assert!(missing.message.contains("no certificate \"c\""), "{missing}");
    assert!(err(&[("apis/bad id.toml", ECHO)]).message.contains("file name"));
    let ok = f(&[
        ("settings.conf", "junk"),
        ("README.md", "#"),
        ("apis/notes.md", "x"),
        (".git/x", "y"),
    ]);
    assert_eq!(load_files(&ok).expect("ignored"), Config::default());
}

#[test]
fn service_urls() {
    for bad in [
        "ftp://h",
        "http://",
        "http://h:0",
        "http://h:70000",
        "http://h:x",
        "echo://h",
        "h:80",
        "http://[::1",
    ] {
        let e = api_err(&format!(
            "display-name = \"x\"\npath = \"p\"\nservice-url = \"{bad}\"\n"
        ));
        assert_eq!(e.field.as_deref(), Some("service-url"), "{bad}: {e}");
    }
    let ok = ServiceUrl::parse("https://[::1]:8443/x/").expect("v6");
    assert_eq!(
        ok,
        ServiceUrl::Http {
            tls: true,
            host: "::1".into(),
            port: 8443,
            base_path: "/x".into(),
            host_header: "[::1]:8443".into()
        }
    );
    assert_eq!(ServiceUrl::parse("echo://"), Ok(ServiceUrl::Echo));
}

fn rev(path: &str, extra: &str) -> String {
    format!("display-name = \"x\"\npath = \"{path}\"\nservice-url = \"echo://\"\n{extra}")
}

#[test]
fn revisions_and_current() {
    let a = rev("p", "");
    let b2 = rev("p", "revision = 2\nis-current = false\n");
    assert!(load_files(&f(&[("apis/a.toml", &a), ("apis/b.toml", &b2)])).is_ok());
    let e = err(&[("apis/a.toml", &a), ("apis/b.toml", &rev("/p/", ""))]);
    assert_eq!(e.field.as_deref(), Some("revision"), "{e}");
    let b2cur = rev("p", "revision = 2\n");
    let e = err(&[("apis/a.toml", &a), ("apis/b.toml", &b2cur)]);
    assert_eq!(e.field.as_deref(), Some("is-current"), "{e}");
    let e = err(&[("apis/a.toml", &rev("p", "is-current = false\n"))]);
    assert!(e.message.contains("found 0"), "{e}");
    // Different hosts do not collide; an overlapping host does.
    let h1 = rev("p", "hostnames = [\"A.example\"]\n");
    let h2 = rev("p", "hostnames = [\"b.example\"]\n");
    assert!(load_files(&f(&[("apis/a.toml", &h1), ("apis/b.toml", &h2)])).is_ok());
    let h3 = rev("p", "hostnames = [\"b.example\", \"a.example\"]\n");
    assert!(load_files(&f(&[("apis/a.toml", &h1), ("apis/b.toml", &h3)])).is_err());
    assert_eq!(api_err(&rev("p", "revision = 0\n")).field.as_deref(), Some("revision"));
    assert_eq!(
        api_err(&rev("p", "hostnames = [\"a:80\"]\n")).field.as_deref(),
        Some("hostnames")
    );
}

#[test]
fn version_sets() {
    let v1 = rev("p", "[version]\nname = \"v1\"\nscheme = \"header\"\n");
    let v2 = rev(
        "p",
        "[version]\nname = \"v2\"\nscheme = \"header\"\nheader = \"Api-Version\"\n",
    );
    let cfg = load_files(&f(&[
        ("apis/a.toml", &v1),
        ("apis/b.toml", &v2),
        ("apis/o.toml", &rev("p", "")),
    ]))
    .expect("valid");
    assert_eq!(
        cfg.apis[0].version,
        Some(ApiVersion {
            name: "v1".into(),
            scheme: VersionScheme::Header("Api-Version".into())
        })
    );
    let q = rev("p", "[version]\nname = \"v2\"\nscheme = \"query\"\n");
    let e = err(&[("apis/a.toml", &v1), ("apis/b.toml", &q)]);
    assert_eq!(e.field.as_deref(), Some("version.scheme"), "{e}");
    let bad = api_err(&rev("p", "[version]\nname = \"v1\"\nscheme = \"cookie\"\n"));
    assert_eq!(bad.field.as_deref(), Some("version.scheme"));
    let mixed = api_err(&rev(
        "p",
        "[version]\nname = \"v1\"\nscheme = \"segment\"\nquery = \"x\"\n",
    ));
    assert_eq!(mixed.field.as_deref(), Some("version"));
}

fn op(method: &str, template: &str) -> String {
    rev(
        "p",
        &format!("[[operations]]\nid = \"o\"\nmethod = \"{method}\"\nurl-template = \"{template}\"\n"),
    )
}

#[test]
fn operations() {
    let good = load_files(&f(&[("apis/a.toml", &op("GET", "/users/{id}?q={q}"))])).expect("valid");
    assert_eq!(good.apis[0].operations[0].method.as_deref(), Some("GET"));
    let cases = [
        ("get", "/x", "method"),
        ("GE T", "/x", "method"),
        ("GET", "x", "url-template"),
        ("GET", "/{a}/{a}", "url-template"),
        ("GET", "/{a", "url-template"),
        ("GET", "/a{b}", "url-template"),
        ("GET", "/*/x", "url-template"),
        ("GET", "/a//b", "url-template"),
        ("GET", "/x?q", "url-template"),
        ("GET", "/x?q={}", "url-template"),
    ];
    for (m, t, field) in cases {
        let e = api_err(&op(m, t));
        assert_eq!(
            e.field.as_deref(),
            Some(&*format!("operations[0].{field}")),
            "{m} {t}: {e}"
        );
    }
    let dup = rev(
        "p",
        "[[operations]]\nid = \"o\"\nmethod = \"*\"\nurl-template = \"/\"\n\
         [[operations]]\nid = \"o\"\nmethod = \"GET\"\nurl-template = \"/\"\n",
    );
    assert_eq!(api_err(&dup).field.as_deref(), Some("operations[1].id"));
}

#[test]
fn policies_attach_and_are_checked() {
    let doc = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c --><policies>\n<inbound/></policies>";
    let cfg = load_files(&f(&[
        ("policy.xml", "<policies/>"),
        ("apis/a.toml", &op("GET", "/")),
        ("apis/a.xml", doc),
        ("apis/a/o.xml", "<policies></policies>"),
    ]))
    .expect("valid");
    assert_eq!(
        cfg.global_policy.as_ref().map(|p| p.source.as_str()),
        Some("policy.xml")
    );
    assert!(cfg.apis[0].policy.is_some());
    assert_eq!(
        cfg.apis[0].operations[0].policy.as_ref().map(|p| p.source.as_str()),
        Some("apis/a/o.xml")
    );
    assert!(err(&[("policy.xml", "  \n")]).message.contains("empty"));
    assert!(err(&[("policy.xml", "<policy/>")]).message.contains("<policies>"));
    assert!(err(&[("policy.xml", "<policiesx/>")]).message.contains("<policies>"));
    assert!(err(&[("policy.xml", "<!-- x")]).message.contains("comment"));
    assert!(err(&[("apis/z.xml", "<policies/>")]).message.contains("no API"));
    let e = err(&[("apis/a.toml", &op("GET", "/")), ("apis/a/zz.xml", "<policies/>")]);
    assert!(e.message.contains("no operation"), "{e}");
}

#[test]
fn policy_documents_are_parsed_with_named_values_and_fragments() {
    let nv = "[[named-value]]\nname = \"h\"\nvalue = \"X-From-Nv\"\n";
    let doc = "<policies>\n<inbound>\n<base/>\n<include-fragment fragment-id=\"f\"/>\n</inbound>\n</policies>";
    let frag =
        "<fragment><set-header name=\"{{h}}\" exists-action=\"override\"><value>1</value></set-header></fragment>";
    let files = [
        ("apis/a.toml", ECHO),
        ("apis/a.xml", doc),
        ("named-values.toml", nv),
        ("fragments/f.xml", frag),
    ];
    let cfg = load_files(&f(&files)).expect("valid");
    assert_eq!(cfg.fragments.len(), 1);
    assert_eq!(
        (cfg.fragments[0].id.as_str(), cfg.fragments[0].doc.source.as_str()),
        ("f", "fragments/f.xml")
    );
    let policies = crate::policy::document::ConfigPolicies::from_config(&cfg).expect("parses");
    let s = policies.sections(None, "a", "default");
    assert_eq!(s.inbound[0].attr("name"), Some("X-From-Nv"));

    // Each missing piece is an error naming the file and line.
    let e = err(&files[..3]);
    assert_eq!(
        (e.file.as_str(), e.message.as_str()),
        ("apis/a.xml", "line 4: policy fragment \"f\" is not defined")
    );
    let e = err(&[files[0], files[1], files[3]]);
    assert_eq!(
        (e.file.as_str(), e.message.as_str()),
        ("fragments/f.xml", "line 1: named value {{h}} is not defined")
    );
    let e = err(&[
        ("apis/a.toml", ECHO),
        (
            "apis/a.xml",
            "<policies>\n<inbound><a b=\"@(x\" /></inbound></policies>",
        ),
    ]);
    assert!(e.message.starts_with("line 2: "), "{e}");
    let e = err(&[("policy.xml", "<policies><inbound>\n<base/></inbound></policies>")]);
    assert!(e.message.contains("line 2") && e.message.contains("global"), "{e}");
    assert_eq!(err(&[("fragments/x.toml", "")]).file, "fragments/x.toml");
}

#[test]
fn products_subscriptions_named_values_backends() {
    let product = "display-name = \"P\"\napis = [\"a\"]\nstate = \"published\"\n";
    let subs = "[[subscription]]\nid = \"s1\"\nscope = \"product:p\"\nprimary-key = \"k1\"\n\
                [[subscription]]\nid = \"s2\"\nscope = \"api:a\"\nprimary-key = \"k2\"\nsecondary-key = \"k3\"\nstate = \"suspended\"\n\
                [[subscription]]\nid = \"s3\"\nscope = \"all\"\nprimary-key = \"k4\"\n";
    let nv = "[[named-value]]\nname = \"token\"\nvalue = \"hunter2\"\nsecret = true\n";
    let be = "url = \"https://b.example\"\ndescription = \"B\"\n";
    let cfg = load_files(&f(&[
        ("apis/a.toml", ECHO),
        ("products/p.toml", product),
        ("products/p.xml", "<policies/>"),
        ("subscriptions.toml", subs),
        ("named-values.toml", nv),
        ("backends/b.toml", be),
    ]))
    .expect("valid");
    assert_eq!(cfg.products[0].state, ProductState::Published);
    assert!(cfg.products[0].subscription_required && cfg.products[0].policy.is_some());
    assert_eq!(cfg.subscriptions[1].state, SubscriptionState::Suspended);
    assert_eq!(cfg.subscriptions[0].scope, SubscriptionScope::Product("p".into()));
    let dbg = format!("{cfg:?}");
    assert!(!dbg.contains("hunter2") && !dbg.contains("k3"), "{dbg}");
    assert_eq!(cfg.backends[0].url, "https://b.example");

    let e = err(&[("products/p.toml", product)]);
    assert_eq!((e.file.as_str(), e.field.as_deref()), ("products/p.toml", Some("apis")));
    let e = err(&[(
        "subscriptions.toml",
        "[[subscription]]\nid = \"s\"\nscope = \"api:zz\"\nprimary-key = \"k\"\n",
    )]);
    assert!(e.message.contains("no API"), "{e}");
    let e = err(&[(
        "subscriptions.toml",
        "[[subscription]]\nid = \"s\"\nscope = \"everything\"\nprimary-key = \"k\"\n",
    )]);
    assert!(e.to_string().contains("scope"), "{e}");
    let dup_key = "[[subscription]]\nid = \"s\"\nscope = \"all\"\nprimary-key = \"k\"\n\
                   [[subscription]]\nid = \"t\"\nscope = \"all\"\nprimary-key = \"k\"\n";
    assert!(err(&[("subscriptions.toml", dup_key)]).message.contains("already used"));
    let dup_nv = "[[named-value]]\nname = \"a\"\nvalue = \"1\"\n[[named-value]]\nname = \"a\"\nvalue = \"2\"\n";
    assert_eq!(err(&[("named-values.toml", dup_nv)]).field.as_deref(), Some("name"));
    assert_eq!(
        err(&[("backends/b.toml", "url = \"gopher://x\"\n")]).field.as_deref(),
        Some("url")
    );
    assert_eq!(
        err(&[("products/p.toml", "display-name = \"P\"\nstate = \"live\"\n")])
            .field
            .as_deref(),
        Some("state")
    );
}

#[test]
fn load_dir_reads_tree() {
    let dir = std::env::temp_dir().join(format!("outpost-config-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("apis/echo")).expect("mkdir");
    std::fs::write(dir.join("apis/echo.toml"), op("GET", "/x")).expect("write");
    std::fs::write(dir.join("apis/echo/o.xml"), "<policies/>").expect("write");
    std::fs::write(dir.join("settings.conf"), "not toml [").expect("write");
    let cfg = load_dir(&dir).expect("loads");
    assert!(cfg.apis[0].operations[0].policy.is_some());
    std::fs::write(dir.join("apis/junk.txt"), "x").expect("write");
    let e = load_dir(&dir).expect_err("unknown file");
    assert_eq!(e.file, "apis/junk.txt");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(load_dir(&dir).is_err());
}

#[test]
fn apim_scope_forms_and_one_open_product_per_api() {
    let s = |x: &str| parse_scope(x);
    assert_eq!(s("/apis"), Some(SubscriptionScope::All));
    assert_eq!(s("/apis/a"), Some(SubscriptionScope::Api("a".into())));
    assert_eq!(s("/products/p/"), Some(SubscriptionScope::Product("p".into())));
    let full = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/products/starter";
    assert_eq!(s(full), Some(SubscriptionScope::Product("starter".into())));
    assert_eq!(s("/apis/a/b"), None);
    assert_eq!(s("/users/u"), None);
    assert_eq!(s("api:a b"), None);

    let open = "display-name = \"O\"\napis = [\"a\"]\nsubscription-required = false\n";
    let e = err(&[
        ("apis/a.toml", ECHO),
        ("products/o1.toml", open),
        ("products/o2.toml", open),
    ]);
    assert_eq!(
        (e.file.as_str(), e.field.as_deref()),
        ("products/o2.toml", Some("apis"))
    );
    assert!(e.message.contains("open product \"o1\""), "{e}");
    let protected = "display-name = \"P\"\napis = [\"a\"]\n";
    load_files(&f(&[
        ("apis/a.toml", ECHO),
        ("products/o1.toml", open),
        ("products/p.toml", protected),
    ]))
    .expect("one open and one protected product is fine");
}
