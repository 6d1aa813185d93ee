//! Unit tests of how policies that wait compile: `Op::Async` and `Op::Wait`
//! in every section they are allowed in, the pipeline's `*_waits` and body
//! flags, and the load-time errors (running them: tests/e2e/send_request.rs).

use super::compile::{CompileError, Compiler, Section, TargetTable, Unsupported};
use super::document::{parse, Scope, SectionKind};
use super::program::{Op, Program};

fn compile(section: SectionKind, inner: &str) -> Result<Program, CompileError> {
    let name = section.as_str();
    let xml = format!("<policies><{name}>{inner}</{name}></policies>");
    let doc = parse("d.xml", Scope::Api, &xml).unwrap();
    let els = doc.section(section).unwrap_or_default();
    let s = match section {
        SectionKind::Inbound => Section::Inbound,
        SectionKind::Backend => Section::Backend,
        SectionKind::Outbound => Section::Outbound,
        SectionKind::OnError => Section::OnError,
    };
    let mut targets = TargetTable::default();
    Compiler::new(s, Unsupported::Error, &mut targets, "d.xml")
        .program(els)
        .map(|(p, _, _)| p)
}

fn error(section: SectionKind, inner: &str) -> String {
    compile(section, inner).map(|_| ()).unwrap_err().to_string()
}

const CALL: &str =
    r#"<send-request mode="new" response-variable-name="r"><set-url>http://127.0.0.1:9/x</set-url></send-request>"#;

#[test]
fn async_policies_compile_to_ops_that_suspend_in_every_section() {
    for section in [
        SectionKind::Inbound,
        SectionKind::Backend,
        SectionKind::Outbound,
        SectionKind::OnError,
    ] {
        let prog = compile(section, CALL).unwrap();
        assert!(matches!(prog.ops.as_slice(), [Op::Async(_)]), "{section:?}");
        assert!(prog.has_async());
    }
    let prog = compile(
        SectionKind::Inbound,
        &format!(r#"<wait for="any">{CALL}<choose><when condition="@(true)">{CALL}</when></choose></wait>"#),
    )
    .unwrap();
    let [Op::Wait(w)] = prog.ops.as_slice() else {
        panic!("{:?}", prog.ops)
    };
    assert_eq!(w.branches.len(), 2);
    assert!(matches!(w.branches[0].ops.as_slice(), [Op::Async(_)]));
    // The choose's jumps are relative to its own program.
    assert!(matches!(
        w.branches[1].ops.as_slice(),
        [Op::Branch { otherwise: 3, .. }, Op::Async(_), Op::Jump(3)]
    ));
    assert_eq!(w.branches[1].sites[1].path.as_ref(), "wait\\choose\\when\\send-request");
}

#[test]
fn pipelines_know_which_sections_wait_and_which_bodies_they_read() {
    let pipeline = |inbound: &str, outbound: &str| {
        crate::pipeline::Pipeline {
            inbound: compile(SectionKind::Inbound, inbound).unwrap(),
            backend: compile(SectionKind::Backend, "<forward-request />").unwrap(),
            outbound: compile(SectionKind::Outbound, outbound).unwrap(),
            ..Default::default()
        }
        .finish()
    };
    let p = pipeline("", "");
    assert!(!p.inbound_waits && !p.outbound_waits && !p.on_error_waits && p.plain);
    let p = pipeline(CALL, "");
    assert!(p.inbound_waits && !p.outbound_waits && !p.request_body && !p.plain);
    let p = pipeline(&CALL.replace("mode=\"new\"", "mode=\"copy\""), CALL);
    assert!(
        p.inbound_waits && p.outbound_waits && p.request_body,
        "copy reads the request body"
    );
    let p = pipeline(&CALL.replace("mode=\"new\"", "mode=\"@(&quot;copy&quot;)\""), "");
    assert!(p.request_body, "a mode expression may be copy");
    // retry outside the backend waits but buffers no request body.
    let p = pipeline(
        r#"<retry condition="@(false)" count="1" interval="0"><set-variable name="a" value="1" /></retry>"#,
        "",
    );
    assert!(p.inbound_waits && !p.request_body);
    // copy in outbound does not copy (nor buffer) the request body.
    let p = pipeline("", &CALL.replace("mode=\"new\"", "mode=\"copy\""));
    assert!(p.outbound_waits && !p.request_body);
}

#[test]
fn load_time_errors_name_the_element() {
    let cases = [
        (
            SectionKind::Inbound,
            r#"<send-request mode="new"><set-url>http://h/</set-url></send-request>"#,
            "response-variable-name",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r" />"#,
            "<set-url> is required",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r" mode="both"><set-url>http://h/</set-url></send-request>"#,
            "mode must be new or copy",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r"><set-url>ftp://h/</set-url></send-request>"#,
            "scheme",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r" timeout="soon"><set-url>http://h/</set-url></send-request>"#,
            "whole number of seconds",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r"><set-url>http://h/</set-url><set-status code="200" /></send-request>"#,
            "not allowed in <send-request>",
        ),
        (
            SectionKind::Inbound,
            r#"<send-one-way-request><set-url>http://h/</set-url><authentication-managed-identity resource="x" /></send-one-way-request>"#,
            "not allowed in <send-one-way-request>",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r"><set-url>http://h/</set-url><authentication-managed-identity resource="x" /><authentication-managed-identity resource="y" /></send-request>"#,
            "may appear only once",
        ),
        (
            SectionKind::Outbound,
            r#"<send-request response-variable-name="r"><set-url>http://h/</set-url><authentication-managed-identity /></send-request>"#,
            "missing attribute `resource`",
        ),
        (
            SectionKind::Inbound,
            r#"<send-request response-variable-name="r"><set-url>http://h/</set-url><proxy url="https://p:1" /></send-request>"#,
            "only an http:// proxy",
        ),
        (
            SectionKind::Inbound,
            r#"<send-one-way-request ignore-error="true"><set-url>http://h/</set-url></send-one-way-request>"#,
            "one-way",
        ),
        (
            SectionKind::Inbound,
            r#"<wait><set-header name="a"><value>1</value></set-header></wait>"#,
            "only send-request, cache-lookup-value and choose",
        ),
        (SectionKind::Inbound, r#"<wait for="some" />"#, "for must be all or any"),
        (
            SectionKind::OnError,
            r#"<wait />"#,
            "not allowed in the on-error section",
        ),
        (
            SectionKind::Inbound,
            r#"<wait><choose><when condition="@(true)"><wait /></when></choose></wait>"#,
            "nested",
        ),
        (
            SectionKind::Inbound,
            r#"<retry condition="@(true)" count="1" interval="1"><wait /></retry>"#,
            "<wait> may not appear inside <retry>",
        ),
        (
            SectionKind::Inbound,
            r#"<return-response response-variable-name=" " />"#,
            "empty `response-variable-name`",
        ),
    ];
    for (section, xml, want) in cases {
        let e = error(section, xml);
        assert!(e.contains(want), "{xml}: {e}");
        assert!(e.starts_with("d.xml:1: <"), "names the document, line and element: {e}");
    }
}

#[test]
fn send_request_takes_a_managed_identity_child_in_every_section() {
    let call = r#"<send-request response-variable-name="r"><set-url>http://h/</set-url>
        <authentication-managed-identity resource="@("api://" + "orders")" client-id="orders-app"
            output-token-variable-name="tok" ignore-error="true" /></send-request>"#;
    for section in [
        SectionKind::Inbound,
        SectionKind::Backend,
        SectionKind::Outbound,
        SectionKind::OnError,
    ] {
        let prog = compile(section, call).unwrap();
        let [Op::Async(p)] = prog.ops.as_slice() else {
            panic!("{:?}", prog.ops)
        };
        let super::effect::AsyncPolicy::SendRequest(s) = p else {
            panic!("{p:?}")
        };
        let id = s.out.identity.as_ref().expect("the child is kept");
        assert_eq!(id.identity, "orders-app");
        assert!(id.ignore_error && id.output.is_some());
    }
    // The element itself stays inbound-only.
    assert!(error(
        SectionKind::Outbound,
        r#"<authentication-managed-identity resource="x" />"#
    )
    .contains("outbound"));
}
