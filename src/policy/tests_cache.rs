//! Unit tests of the caching policies' compile halves: sections, "once per
//! section", child elements, attribute values (their run halves are tested
//! end to end, tests/e2e/cache.rs).

use super::compile::{CompileError, Compiler, Section, TargetTable, Unsupported};
use super::document::{parse, Scope, SectionKind};
use super::effect::AsyncPolicy;
use super::program::{Op, Program};
use crate::cache::http::Downstream;
use crate::cache::CachingType;

fn compile(section: SectionKind, body: &str) -> Result<Program, CompileError> {
    let (tag, sec) = match section {
        SectionKind::Inbound => ("inbound", Section::Inbound),
        SectionKind::Backend => ("backend", Section::Backend),
        SectionKind::Outbound => ("outbound", Section::Outbound),
        SectionKind::OnError => ("on-error", Section::OnError),
    };
    let xml = format!("<policies><{tag}>{body}</{tag}></policies>");
    let doc = parse("d.xml", Scope::Api, &xml).expect("parses");
    let els = doc.section(section).unwrap_or_default();
    let mut targets = TargetTable::default();
    Compiler::new(sec, Unsupported::Error, &mut targets, "d.xml")
        .program(els)
        .map(|(p, _, _)| p)
}

fn err(section: SectionKind, body: &str) -> String {
    match compile(section, body) {
        Ok(_) => panic!("{body} compiled"),
        Err(e) => e.to_string(),
    }
}

fn only(p: &Program) -> &AsyncPolicy {
    match p.ops.as_slice() {
        [Op::Async(a)] => a,
        ops => panic!("expected one async op, got {ops:?}"),
    }
}

#[test]
fn cache_lookup_reads_its_attributes_and_children() {
    let p = compile(
        SectionKind::Inbound,
        r#"<cache-lookup vary-by-developer="true" downstream-caching-type="public" must-revalidate="false" caching-type="internal">
             <vary-by-header>Accept</vary-by-header>
             <vary-by-header>Accept-Charset</vary-by-header>
             <vary-by-query-parameter>page; size</vary-by-query-parameter>
             <vary-by-query-parameter>q</vary-by-query-parameter>
           </cache-lookup>"#,
    )
    .unwrap();
    assert!(p.has_async());
    let AsyncPolicy::CacheLookup(l) = only(&p) else {
        panic!("not a cache-lookup");
    };
    assert_eq!(
        l.headers.iter().map(|h| &**h).collect::<Vec<_>>(),
        ["Accept", "Accept-Charset"]
    );
    assert_eq!(l.query.iter().map(|h| &**h).collect::<Vec<_>>(), ["page", "size", "q"]);
    assert_eq!(l.caching_type, CachingType::Internal);
    assert!(matches!(
        l.downstream,
        super::cache_attrs::DownstreamAttr::Lit(Downstream::Public)
    ));
    assert!(matches!(l.must_revalidate, super::cache_attrs::Flag::Lit(false)));
    assert!(matches!(l.vary_by_developer, super::cache_attrs::Flag::Lit(true)));
    assert!(matches!(l.allow_private, super::cache_attrs::Flag::Lit(false)));

    // Defaults, and expressions where APIM allows them.
    let p = compile(
        SectionKind::Inbound,
        r#"<cache-lookup allow-private-response-caching="@(true)" downstream-caching-type="@("private")"/>"#,
    )
    .unwrap();
    let AsyncPolicy::CacheLookup(l) = only(&p) else {
        panic!("not a cache-lookup");
    };
    assert_eq!(l.caching_type, CachingType::PreferExternal);
    assert!(matches!(l.must_revalidate, super::cache_attrs::Flag::Lit(true)));
    assert!(matches!(l.allow_private, super::cache_attrs::Flag::Expr(_)));
    assert!(matches!(l.downstream, super::cache_attrs::DownstreamAttr::Expr(_)));
}

#[test]
fn cache_lookup_errors_name_the_element_and_line() {
    let e = err(SectionKind::Outbound, "<cache-lookup/>");
    assert!(
        e.contains("d.xml:1") && e.contains("<cache-lookup>") && e.contains("outbound"),
        "{e}"
    );
    let e = err(SectionKind::Inbound, "<cache-lookup/>\n<cache-lookup/>");
    assert!(e.contains("d.xml:2") && e.contains("only once"), "{e}");
    let e = err(
        SectionKind::Inbound,
        "<cache-lookup><vary-by-query-parameter>a</vary-by-query-parameter><vary-by-header>Accept</vary-by-header></cache-lookup>",
    );
    assert!(e.contains("<vary-by-header>") && e.contains("before"), "{e}");
    let e = err(
        SectionKind::Inbound,
        "<cache-lookup><vary-by-query-parameter> ; </vary-by-query-parameter></cache-lookup>",
    );
    assert!(e.contains("no query parameter"), "{e}");
    let e = err(
        SectionKind::Inbound,
        "<cache-lookup><vary-by-header>Bad Name</vary-by-header></cache-lookup>",
    );
    assert!(e.contains("not a header name"), "{e}");
    let e = err(SectionKind::Inbound, "<cache-lookup><vary-by-user/></cache-lookup>");
    assert!(e.contains("only vary-by-header"), "{e}");
    let e = err(
        SectionKind::Inbound,
        r#"<cache-lookup downstream-caching-type="shared"/>"#,
    );
    assert!(e.contains("none, private or public"), "{e}");
    let e = err(SectionKind::Inbound, r#"<cache-lookup caching-type="redis"/>"#);
    assert!(e.contains("internal, external or prefer-external"), "{e}");
    let e = err(SectionKind::Inbound, r#"<cache-lookup must-revalidate="yes"/>"#);
    assert!(e.contains("true or false"), "{e}");
}

#[test]
fn cache_store_is_outbound_only_and_needs_a_duration() {
    let p = compile(
        SectionKind::Outbound,
        r#"<cache-store duration="300" cache-response="true"/>"#,
    )
    .unwrap();
    assert!(matches!(only(&p), AsyncPolicy::CacheStore(_)));
    assert!(p.needs_response_body(), "cache-store reads the whole response");
    compile(SectionKind::Outbound, r#"<cache-store duration="@(60 * 5)"/>"#).unwrap();
    let e = err(SectionKind::Inbound, r#"<cache-store duration="1"/>"#);
    assert!(e.contains("inbound"), "{e}");
    let e = err(SectionKind::Outbound, "<cache-store/>");
    assert!(e.contains("missing attribute `duration`"), "{e}");
    let e = err(SectionKind::Outbound, r#"<cache-store duration="soon"/>"#);
    assert!(e.contains("number of seconds"), "{e}");
    let e = err(
        SectionKind::Outbound,
        r#"<cache-store duration="1"/><cache-store duration="2"/>"#,
    );
    assert!(e.contains("only once"), "{e}");
}

#[test]
fn value_policies_compile_in_every_section() {
    for section in [
        SectionKind::Inbound,
        SectionKind::Backend,
        SectionKind::Outbound,
        SectionKind::OnError,
    ] {
        let p = compile(
            section,
            r#"<cache-lookup-value key="@("k-" + context.Api.Id)" variable-name="v" default-value="none"/>
               <cache-store-value key="k" value="@(42)" duration="60" caching-type="external"/>
               <cache-store-value key="k2" value="text" duration="@(60)"/>
               <cache-remove-value key="k"/>"#,
        )
        .unwrap();
        assert_eq!(p.ops.len(), 4);
        assert!(!p.needs_response_body() && !p.needs_request_body());
    }
}

#[test]
fn value_policies_refuse_bad_attributes() {
    let e = err(SectionKind::Inbound, r#"<cache-lookup-value key="k"/>"#);
    assert!(e.contains("missing attribute `variable-name`"), "{e}");
    let e = err(SectionKind::Inbound, r#"<cache-lookup-value variable-name="v"/>"#);
    assert!(e.contains("missing attribute `key`"), "{e}");
    let e = err(
        SectionKind::Inbound,
        r#"<cache-lookup-value key="k" variable-name="@("v")"/>"#,
    );
    assert!(e.contains("variable-name"), "{e}");
    let e = err(SectionKind::Inbound, r#"<cache-store-value key="k" duration="1"/>"#);
    assert!(e.contains("missing attribute `value`"), "{e}");
    let e = err(SectionKind::Inbound, r#"<cache-store-value key="k" value="v"/>"#);
    assert!(e.contains("missing attribute `duration`"), "{e}");
    let e = err(
        SectionKind::Inbound,
        r#"<cache-store-value key="k" value="v" duration="x"/>"#,
    );
    assert!(e.contains("number of seconds"), "{e}");
    let e = err(SectionKind::Inbound, r#"<cache-remove-value/>"#);
    assert!(e.contains("missing attribute `key`"), "{e}");
    let e = err(
        SectionKind::Inbound,
        r#"<cache-remove-value key="k" caching-type="local"/>"#,
    );
    assert!(e.contains("caching-type"), "{e}");
}
