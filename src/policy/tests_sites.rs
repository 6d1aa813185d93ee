//! Unit tests of the sites the compiler gives each op (`context.LastError`'s
//! Scope, Path and PolicyId).

use super::compile::{Compiler, Section, TargetTable, Unsupported};
use super::document::{parse, Scope, SectionKind};
use super::program::Op;

/// (path, policy id) of every `Do`/`Branch`/`Forward` op of the inbound section.
fn sites(xml: &str) -> Vec<(String, String, Scope)> {
    let doc = parse("d.xml", Scope::Api, xml).unwrap();
    let mut targets = TargetTable::default();
    let els = doc.section(SectionKind::Inbound).unwrap();
    let (prog, _, _) = Compiler::new(Section::Inbound, Unsupported::Error, &mut targets, "d.xml")
        .program(els)
        .unwrap();
    assert_eq!(prog.sites.len(), prog.ops.len(), "one site per op");
    prog.ops
        .iter()
        .zip(&prog.sites)
        .filter(|(op, _)| !matches!(op, Op::Jump(_)))
        .map(|(_, s)| {
            (
                s.path.to_string(),
                s.policy_id.as_deref().unwrap_or("").to_owned(),
                s.scope,
            )
        })
        .collect()
}

#[test]
fn paths_index_repeated_names_from_one_and_ids_come_from_the_policy_root() {
    let xml = r#"<policies><inbound>
        <set-header name="A" exists-action="override"><value>1</value></set-header>
        <choose id="pick">
            <when condition="@(true)"><set-status code="200" /></when>
            <when condition="@(false)">
                <set-header name="B" exists-action="override"><value>2</value></set-header>
                <set-header id="inner" name="C" exists-action="override"><value>3</value></set-header>
            </when>
            <otherwise><choose><when condition="@(true)"><set-method>GET</set-method></when></choose></otherwise>
        </choose>
        <choose><when condition="@(true)"><set-status code="201" /></when></choose>
    </inbound></policies>"#;
    let got = sites(xml);
    let want = [
        ("set-header", ""),
        ("choose[1]\\when[1]", "pick"),
        ("choose[1]\\when[1]\\set-status", ""),
        ("choose[1]\\when[2]", "pick"),
        ("choose[1]\\when[2]\\set-header[1]", ""),
        ("choose[1]\\when[2]\\set-header[2]", "inner"),
        ("choose[1]\\otherwise\\choose\\when", ""),
        ("choose[1]\\otherwise\\choose\\when\\set-method", ""),
        ("choose[2]\\when", ""),
        ("choose[2]\\when\\set-status", ""),
    ];
    let got_pairs: Vec<(&str, &str)> = got.iter().map(|(p, i, _)| (p.as_str(), i.as_str())).collect();
    assert_eq!(got_pairs, want);
    assert!(got.iter().all(|(_, _, s)| *s == Scope::Api));
}
