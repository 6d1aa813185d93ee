//! Tests for the APIM routing rules.

use super::*;
use crate::config::{load_files, Config};

struct T {
    cfg: Config,
    router: Router,
}

fn t(apis: &[(&str, String)]) -> T {
    let files: Vec<(String, String)> = apis
        .iter()
        .map(|(id, body)| (format!("apis/{id}.toml"), body.clone()))
        .collect();
    let cfg = load_files(&files).expect("valid config");
    let router = Router::build(&cfg.apis).expect("router builds");
    T { cfg, router }
}

fn api(path: &str, extra: &str) -> String {
    format!("display-name = \"x\"\npath = \"{path}\"\nservice-url = \"echo://\"\n{extra}")
}

fn ops(list: &[(&str, &str, &str)]) -> String {
    list.iter()
        .map(|(id, m, tpl)| format!("[[operations]]\nid = \"{id}\"\nmethod = \"{m}\"\nurl-template = \"{tpl}\"\n"))
        .collect()
}

impl T {
    /// (api id, operation id, remainder) for a request.
    fn go(
        &self,
        host: Option<&str>,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Option<(String, String, String)> {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, Some(q.as_bytes())),
            None => (target, None),
        };
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let header = |name: &[u8]| {
            headers
                .iter()
                .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_bytes())
        };
        let req = RouteRequest {
            host: host.map(str::as_bytes),
            method: &method,
            path: path.as_bytes(),
            query,
            header: &header,
        };
        let mut scratch = RouteScratch::new();
        let m = self.router.route(&req, &mut scratch)?;
        let a = &self.cfg.apis[m.api];
        let rest = String::from_utf8_lossy(&path.as_bytes()[m.remaining_start..]).into_owned();
        Some((a.id.clone(), a.operations[m.operation].id.clone(), rest))
    }

    fn api_of(&self, method: &str, target: &str) -> Option<String> {
        self.go(None, method, target, &[]).map(|m| m.0)
    }
}

#[test]
fn api_path_matches_on_segment_boundaries() {
    let r = t(&[("echo", api("echo", ""))]);
    for (p, rest) in [
        ("/echo", ""),
        ("/echo/", "/"),
        ("/echo/x/y", "/x/y"),
        ("/echo;rev=1/x", "/x"),
    ] {
        assert_eq!(
            r.go(None, "GET", p, &[]),
            Some(("echo".into(), "default".into(), rest.into())),
            "{p}"
        );
    }
    for p in [
        "/echoes",
        "/ech",
        "/",
        "",
        "/x/echo",
        "/echo%2F",
        "/echo;x/y",
        "/echo;rev=/x",
        "/echo;rev=2x",
    ] {
        assert_eq!(r.api_of("GET", p), None, "{p}");
    }
    let with_root = t(&[("echo", api("echo", "")), ("root", api("", ""))]);
    assert_eq!(with_root.api_of("GET", "/echoes").as_deref(), Some("root"));
    assert_eq!(with_root.api_of("GET", "").as_deref(), Some("root"));
    assert_eq!(with_root.api_of("GET", "/echo/x").as_deref(), Some("echo"));
    assert_eq!(with_root.api_of("GET", "*"), None);
}

#[test]
fn longest_path_wins() {
    let r = t(&[("a", api("a", "")), ("ab", api("a/b", "")), ("abc", api("a/b/c", ""))]);
    assert_eq!(r.api_of("GET", "/a/b/x").as_deref(), Some("ab"));
    assert_eq!(r.api_of("GET", "/a/bc").as_deref(), Some("a"));
    assert_eq!(r.api_of("GET", "/a/b/c/d").as_deref(), Some("abc"));
    assert_eq!(
        r.go(None, "GET", "/a/b;rev=1/z", &[]).map(|m| m.2).as_deref(),
        Some("/z")
    );
}

#[test]
fn host_specific_precedence() {
    let r = t(&[
        ("any", api("p", "")),
        ("hosted", api("p", "hostnames = [\"API.example\"]\n")),
        ("longer", api("p/q", "")),
        ("only", api("h", "hostnames = [\"api.example\", \"[::1]\"]\n")),
    ]);
    let host = |h: Option<&str>, p: &str| r.go(h, "GET", p, &[]).map(|m| m.0);
    assert_eq!(host(Some("api.example"), "/p/x").as_deref(), Some("hosted"));
    assert_eq!(host(Some("API.Example:8443"), "/p").as_deref(), Some("hosted"));
    assert_eq!(host(Some("other.example"), "/p").as_deref(), Some("any"));
    assert_eq!(host(None, "/p").as_deref(), Some("any"));
    assert_eq!(host(Some("api.example"), "/p/q/z").as_deref(), Some("longer"));
    assert_eq!(host(Some("other.example"), "/h"), None);
    assert_eq!(host(Some("[::1]:80"), "/h").as_deref(), Some("only"));
    assert_eq!(host(Some(""), "/h"), None);
}

#[test]
fn revisions() {
    let r = t(&[
        ("r1", api("p", "")),
        ("r2", api("p", "revision = 2\nis-current = false\n")),
    ]);
    assert_eq!(
        r.go(None, "GET", "/p/x", &[]),
        Some(("r1".into(), "default".into(), "/x".into()))
    );
    assert_eq!(
        r.go(None, "GET", "/p;rev=2/x", &[]),
        Some(("r2".into(), "default".into(), "/x".into()))
    );
    assert_eq!(r.api_of("GET", "/p;rev=1").as_deref(), Some("r1"));
    assert_eq!(r.api_of("GET", "/p;rev=3/x"), None);
    assert_eq!(r.api_of("GET", "/p;rev=99999999999/x"), None);
}

#[test]
fn segment_versioning() {
    let v = |name: &str| format!("[version]\nname = \"{name}\"\nscheme = \"segment\"\n");
    let r = t(&[
        ("v1", api("p", &v("v1"))),
        ("v2", api("p", &v("v2"))),
        ("orig", api("p", "")),
    ]);
    assert_eq!(
        r.go(None, "GET", "/p/v2/users", &[]),
        Some(("v2".into(), "default".into(), "/users".into()))
    );
    assert_eq!(
        r.go(None, "GET", "/p/v1", &[]),
        Some(("v1".into(), "default".into(), "".into()))
    );
    assert_eq!(
        r.go(None, "GET", "/p/users", &[]),
        Some(("orig".into(), "default".into(), "/users".into()))
    );
    assert_eq!(r.api_of("GET", "/p/v1x/a").as_deref(), Some("orig"));
    let no_orig = t(&[
        ("v1", api("p", &v("v1"))),
        (
            "v1r2",
            api("p", &format!("revision = 2\nis-current = false\n{}", v("v1"))),
        ),
    ]);
    assert_eq!(no_orig.api_of("GET", "/p/users"), None);
    assert_eq!(no_orig.api_of("GET", "/p"), None);
    assert_eq!(
        no_orig.go(None, "GET", "/p/v1;rev=2/a", &[]).map(|m| (m.0, m.2)),
        Some(("v1r2".into(), "/a".into()))
    );
    assert_eq!(no_orig.api_of("GET", "/p;rev=2/v1/a").as_deref(), Some("v1r2"));
}

#[test]
fn header_and_query_versioning() {
    let h = |n: &str| format!("[version]\nname = \"{n}\"\nscheme = \"header\"\nheader = \"X-Ver\"\n");
    let r = t(&[("h1", api("p", &h("v1"))), ("h2", api("p", &h("v2")))]);
    assert_eq!(
        r.go(None, "GET", "/p/a", &[("x-ver", " v2 ")]).map(|m| (m.0, m.2)),
        Some(("h2".into(), "/a".into()))
    );
    assert_eq!(
        r.go(None, "GET", "/p/a", &[("X-Ver", "v1")]).map(|m| m.0).as_deref(),
        Some("h1")
    );
    assert_eq!(r.go(None, "GET", "/p/a", &[("X-Ver", "v3")]), None);
    assert_eq!(r.go(None, "GET", "/p/a", &[]), None);

    let q = |n: &str| format!("[version]\nname = \"{n}\"\nscheme = \"query\"\n");
    let r = t(&[
        ("q1", api("p", &q("v1"))),
        ("q2", api("p", &q("v2"))),
        ("orig", api("p", "")),
    ]);
    assert_eq!(r.api_of("GET", "/p/a?x=1&api-version=v2").as_deref(), Some("q2"));
    assert_eq!(r.api_of("GET", "/p/a?api-version=v1").as_deref(), Some("q1"));
    assert_eq!(r.api_of("GET", "/p/a?api-version=v9"), None);
    assert_eq!(r.api_of("GET", "/p/a?api-version=").as_deref(), Some("orig"));
    assert_eq!(r.api_of("GET", "/p/a").as_deref(), Some("orig"));
}

#[test]
fn operation_specificity_and_params() {
    let body = ops(&[
        ("any", "*", "/*"),
        ("get-all", "GET", "/*"),
        ("get-res", "GET", "/resource/{id}"),
        ("get-special", "GET", "/resource/special"),
        ("post-res", "POST", "/resource/{id}/{sub}"),
        ("root", "GET", "/"),
        ("dup", "GET", "/resource/special"),
    ]);
    let r = t(&[("e", api("e", &body))]);
    let op = |m: &str, p: &str| r.go(None, m, p, &[]).map(|x| x.1);
    assert_eq!(op("GET", "/e/resource/5").as_deref(), Some("get-res"));
    assert_eq!(op("GET", "/e/resource/5/").as_deref(), Some("get-res"));
    assert_eq!(op("GET", "/e/resource/special").as_deref(), Some("get-special"));
    assert_eq!(op("GET", "/e/resource").as_deref(), Some("get-all"));
    assert_eq!(op("GET", "/e/resource//").as_deref(), Some("get-all"));
    assert_eq!(op("DELETE", "/e/resource/5").as_deref(), Some("any"));
    assert_eq!(op("POST", "/e/resource/5/x").as_deref(), Some("post-res"));
    assert_eq!(op("GET", "/e").as_deref(), Some("root"));
    assert_eq!(op("GET", "/e/").as_deref(), Some("root"));

    let exact = t(&[("e", api("e", &ops(&[("one", "GET", "/users/{id}/books/{book}")])))]);
    let method = Method::GET;
    let none = |_: &[u8]| None;
    let path = b"/e/users/a%2Fb/books/7";
    let req = RouteRequest {
        host: None,
        method: &method,
        path,
        query: None,
        header: &none,
    };
    let mut scratch = RouteScratch::new();
    for _ in 0..2 {
        let m = exact.router.route(&req, &mut scratch).expect("match");
        assert_eq!(m.remaining_start, 2);
        let (r0, _) = scratch.param(0).expect("id");
        assert_eq!(&path[r0], b"a%2Fb");
        let (r1, in_query) = scratch.param(1).expect("book");
        assert_eq!((&path[r1], in_query), (&b"7"[..], false));
        assert_eq!(scratch.params.len(), 2);
    }
    assert_eq!(exact.go(None, "GET", "/e/users//books/7", &[]), None);
    assert_eq!(exact.go(None, "POST", "/e/users/1/books/7", &[]), None);
    assert_eq!(exact.go(None, "GET", "/e/users/1/books/7/x", &[]), None);
}

#[test]
fn template_query_params() {
    let r = t(&[(
        "s",
        api(
            "s",
            &ops(&[("search", "GET", "/find?q={q}&page={p}"), ("fallback", "GET", "/find")]),
        ),
    )]);
    let op = |p: &str| r.go(None, "GET", p, &[]).map(|x| x.1);
    assert_eq!(op("/s/find?page=2&q=a%20b").as_deref(), Some("search"));
    assert_eq!(op("/s/find?q=x").as_deref(), Some("fallback"));
    assert_eq!(op("/s/find").as_deref(), Some("fallback"));
    let method = Method::GET;
    let none = |_: &[u8]| None;
    let query = b"page=2&q=a%20b";
    let req = RouteRequest {
        host: None,
        method: &method,
        path: b"/s/find",
        query: Some(query),
        header: &none,
    };
    let mut scratch = RouteScratch::new();
    r.router.route(&req, &mut scratch).expect("match");
    let (q, in_query) = scratch.param(0).expect("q");
    assert_eq!((&query[q], in_query), (&b"a%20b"[..], true));
    let (p, _) = scratch.param(1).expect("page");
    assert_eq!(&query[p], b"2");
}

#[test]
fn percent_encoding_is_not_decoded() {
    let r = t(&[("e", api("e", &ops(&[("enc", "GET", "/a%20b")])))]);
    assert_eq!(r.api_of("GET", "/e/a%20b").as_deref(), Some("e"));
    assert_eq!(r.api_of("GET", "/e/a b"), None);
    assert_eq!(r.api_of("GET", "/%65/a%20b"), None);
}

#[test]
fn weird_paths_never_panic() {
    let r = t(&[
        ("root", api("", &ops(&[("x", "GET", "/{a}/*")]))),
        ("e", api("echo", "[version]\nname = \"v1\"\nscheme = \"segment\"\n")),
        ("q", api("q", "[version]\nname = \"v1\"\nscheme = \"query\"\n")),
    ]);
    let long = "/echo".repeat(20_000);
    let weird: Vec<&[u8]> = vec![
        b"",
        b"/",
        b"//",
        b"///",
        b"/echo%2F",
        b";rev=1",
        b"/;rev=",
        b"/;rev=1",
        b"/echo/v1;rev=",
        b"/echo/v1;",
        b"/q?",
        b"/q?&&==&api-version",
        b"*",
        b"\xff\xfe",
        b"/\xff/\x00",
        long.as_bytes(),
    ];
    let methods = [Method::GET, Method::POST, Method::from_bytes(b"BREW").expect("ext")];
    let header = |_: &[u8]| Some(&b"\xff"[..]);
    let mut scratch = RouteScratch::new();
    for path in weird {
        for method in &methods {
            for query in [None, Some(&b"&=&api-version=v1&="[..]), Some(&b"="[..])] {
                let req = RouteRequest {
                    host: Some(b":::[]"),
                    method,
                    path,
                    query,
                    header: &header,
                };
                if let Some(m) = r.router.route(&req, &mut scratch) {
                    assert!(m.remaining_start <= path.len());
                }
            }
        }
    }
}

#[test]
fn ten_thousand_apis() {
    let n = 10_000;
    let apis: Vec<(String, String)> = (0..n)
        .map(|i| {
            let extra = if i % 2 == 0 {
                String::new()
            } else {
                format!("hostnames = [\"h{i}.example\"]\n")
            };
            (format!("api{i}"), api(&format!("svc/{i}/v"), &extra))
        })
        .collect();
    let refs: Vec<(&str, String)> = apis.iter().map(|(id, b)| (id.as_str(), b.clone())).collect();
    let r = t(&refs);
    for i in [0, 1, n / 2, n / 2 + 1, n - 2, n - 1] {
        let host = format!("h{i}.example");
        let got = r.go(Some(&host), "GET", &format!("/svc/{i}/v/x"), &[]);
        assert_eq!(
            got.map(|m| (m.0, m.2)),
            Some((format!("api{i}"), "/x".to_owned())),
            "{i}"
        );
    }
    assert_eq!(r.go(Some("other"), "GET", "/svc/1/v/x", &[]), None);
    assert_eq!(r.api_of("GET", &format!("/svc/{n}/v")), None);
}
