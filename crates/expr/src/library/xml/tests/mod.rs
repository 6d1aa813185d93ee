//! Unit tests of the XML family through [`TestRt`]: expected outputs are
//! .NET's, written from its sources and documentation (not run against
//! .NET here). Shared helpers below; the tests by topic in the submodules.

use crate::error::{EvalErrorKind, EvalResult};
use crate::library::{call_member, call_static, construct, convert, get_member, set_member, to_text_plain};
use crate::testing::TestRt;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

use crate::library::xml::{parse, XmlKind};

pub(super) fn s(x: &str) -> Value<'static> {
    Value::string(x)
}

pub(super) fn el(rt: &mut TestRt, xml: &str) -> Value<'static> {
    parse(rt, xml, XmlKind::Element).expect("parses")
}

pub(super) fn doc(rt: &mut TestRt, xml: &str) -> Value<'static> {
    parse(rt, xml, XmlKind::Document).expect("parses")
}

pub(super) fn call(
    rt: &mut TestRt,
    v: &Value<'static>,
    name: &str,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    call_member(rt, v.clone(), name, &[], args).expect("member exists")
}

pub(super) fn ok(rt: &mut TestRt, v: &Value<'static>, name: &str, args: &[Value<'static>]) -> Value<'static> {
    call(rt, v, name, args).expect("call succeeds")
}

pub(super) fn get(rt: &mut TestRt, v: &Value<'static>, name: &str) -> Value<'static> {
    get_member(rt, v.clone(), name)
        .expect("property exists")
        .expect("get succeeds")
}

pub(super) fn new(rt: &mut TestRt, ty: &'static TypeDef, args: &[Value<'static>]) -> Value<'static> {
    construct(rt, &TypeRef::of(ty), args).expect("constructs")
}

pub(super) fn text(v: &Value<'_>) -> String {
    to_text_plain(v)
}

pub(super) fn tostring(rt: &mut TestRt, v: &Value<'static>) -> String {
    text(&ok(rt, v, "ToString", &[]))
}

pub(super) fn items(v: &Value<'static>) -> Vec<Value<'static>> {
    match v {
        Value::Obj(o) => o.items().expect("enumerable"),
        _ => panic!("not an object"),
    }
}

pub(super) fn xml_error(r: EvalResult<Value<'static>>) -> String {
    match r {
        Err(e) => {
            assert_eq!(e.kind, EvalErrorKind::Other("XmlException"), "{e}");
            e.message
        }
        Ok(v) => panic!("expected an XmlException, got {v:?}"),
    }
}

mod parsing;
mod trees;
mod values;
mod writing;
