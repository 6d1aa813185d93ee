//! Composition of global → product → API → operation through `<base/>`.

use super::*;

/// A document whose sections hold elements named by the given lists
/// (`"base"` becomes `<base/>`); `None` omits the section.
fn doc(scope: Scope, sections: [Option<&[&str]>; 4]) -> Document {
    let mut xml = String::from("<policies>");
    for (kind, names) in SectionKind::ALL.into_iter().zip(sections) {
        let Some(names) = names else { continue };
        xml.push_str(&format!("<{}>", kind.as_str()));
        for n in names {
            xml.push_str(&format!("<{n}/>"));
        }
        xml.push_str(&format!("</{}>", kind.as_str()));
    }
    xml.push_str("</policies>");
    parse(&format!("{scope}.xml"), scope, &xml).unwrap()
}

fn all(scope: Scope, names: &[&str]) -> Document {
    doc(scope, [Some(names), Some(names), Some(names), Some(names)])
}

/// `name@scope` per element of a section.
fn show(s: &Sections, kind: SectionKind) -> Vec<String> {
    s.get(kind)
        .iter()
        .map(|e| format!("{}@{}", e.name, e.origin.scope))
        .collect()
}

#[test]
fn four_scopes_with_base_first() {
    let g = all(Scope::Global, &["g"]);
    let p = all(Scope::Product, &["base", "p"]);
    let a = all(Scope::Api, &["base", "a"]);
    let o = all(Scope::Operation, &["base", "o"]);
    let s = compose(Some(&g), Some(&p), Some(&a), Some(&o));
    for kind in SectionKind::ALL {
        assert_eq!(
            show(&s, kind),
            ["g@global", "p@product", "a@api", "o@operation"],
            "{kind:?}"
        );
    }
    assert!(SectionKind::ALL
        .iter()
        .all(|k| s.get(*k).iter().all(|e| e.name != "base")));
}

#[test]
fn base_in_the_middle_and_last() {
    let g = all(Scope::Global, &["g1", "g2"]);
    let p = all(Scope::Product, &["p1", "base", "p2"]);
    let a = all(Scope::Api, &["a1", "base"]);
    let o = all(Scope::Operation, &["o1", "base", "o2"]);
    let s = compose(Some(&g), Some(&p), Some(&a), Some(&o));
    assert_eq!(
        show(&s, SectionKind::Outbound),
        [
            "o1@operation",
            "a1@api",
            "p1@product",
            "g1@global",
            "g2@global",
            "p2@product",
            "o2@operation"
        ]
    );
}

#[test]
fn a_section_without_base_drops_everything_above_it() {
    let g = all(Scope::Global, &["g"]);
    let p = all(Scope::Product, &["base", "p"]);
    let a = doc(
        Scope::Api,
        [Some(&["a"]), Some(&["base"]), Some(&[]), Some(&["base", "a"])],
    );
    let o = all(Scope::Operation, &["base", "o"]);
    let s = compose(Some(&g), Some(&p), Some(&a), Some(&o));
    assert_eq!(show(&s, SectionKind::Inbound), ["a@api", "o@operation"]);
    assert_eq!(show(&s, SectionKind::Backend), ["g@global", "p@product", "o@operation"]);
    assert_eq!(show(&s, SectionKind::Outbound), ["o@operation"]);
    assert_eq!(
        show(&s, SectionKind::OnError),
        ["g@global", "p@product", "a@api", "o@operation"]
    );
    // The operation itself dropping its parents.
    let o2 = doc(Scope::Operation, [Some(&["only"]), None, None, None]);
    let s = compose(Some(&g), Some(&p), Some(&a), Some(&o2));
    assert_eq!(show(&s, SectionKind::Inbound), ["only@operation"]);
    assert_eq!(show(&s, SectionKind::Backend), ["g@global", "p@product"]);
}

#[test]
fn missing_documents_and_sections_inherit() {
    let g = doc(Scope::Global, [Some(&["g"]), None, Some(&[]), None]);
    let a = doc(Scope::Api, [None, Some(&["a", "base"]), None, Some(&["base", "e"])]);
    // No product, no operation document.
    let s = compose(Some(&g), None, Some(&a), None);
    assert_eq!(show(&s, SectionKind::Inbound), ["g@global"]);
    // The global document has no backend: the built-in default applies.
    assert_eq!(show(&s, SectionKind::Backend), ["a@api", "forward-request@global"]);
    assert_eq!(&*s.backend[1].origin.document, DEFAULT_GLOBAL_DOCUMENT);
    assert_eq!(show(&s, SectionKind::Outbound), Vec::<String>::new());
    assert_eq!(show(&s, SectionKind::OnError), ["e@api"]);
}

#[test]
fn nothing_configured_is_the_built_in_global_policy() {
    let s = compose(None, None, None, None);
    assert!(s.inbound.is_empty() && s.outbound.is_empty() && s.on_error.is_empty());
    assert_eq!(show(&s, SectionKind::Backend), ["forward-request@global"]);
    // A global document replaces the default section it defines.
    let g = doc(Scope::Global, [None, Some(&["x"]), None, None]);
    assert_eq!(
        show(&compose(Some(&g), None, None, None), SectionKind::Backend),
        ["x@global"]
    );
}

#[test]
fn the_repository_demo_configuration_composes() {
    let cfg = crate::config::load_embedded().unwrap();
    let policies = ConfigPolicies::from_config(&cfg).unwrap();
    assert!(policies.global.is_some());
    let api = cfg.apis.first().unwrap();
    let op = api.operations.first().unwrap();
    let s = policies.sections(None, &api.id, &op.id);
    assert_eq!(show(&s, SectionKind::Backend), ["forward-request@global"]);
}
