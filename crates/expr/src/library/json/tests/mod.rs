//! Unit tests of the JSON family, through the library's public dispatch
//! (`call_member`, `index`, `convert`…) and [`crate::testing::TestRt`],
//! as the evaluator will call it.

use crate::error::{EvalErrorKind, EvalResult};
use crate::library::{self, numbers, text, time};
use crate::testing::TestRt;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

use super::types::{FORMATTING, JARRAY, JOBJECT, JPROPERTY, JSONCONVERT, JTOKEN, JVALUE};

mod convert;
mod fuzz;
mod path;
mod perf;
mod text_io;
mod tree;

pub fn rt() -> TestRt {
    TestRt::new()
}

pub fn parse(rt: &mut TestRt, json: &str) -> Value<'static> {
    super::parse(rt, json).unwrap()
}

pub fn try_call(
    rt: &mut TestRt,
    recv: &Value<'static>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    library::call_member(rt, recv.clone(), name, targs, args).unwrap_or_else(|| panic!("no method {name}"))
}

pub fn call(rt: &mut TestRt, recv: &Value<'static>, name: &str, args: &[Value<'static>]) -> Value<'static> {
    try_call(rt, recv, name, &[], args).unwrap()
}

pub fn call_t(
    rt: &mut TestRt,
    recv: &Value<'static>,
    name: &str,
    targ: TypeRef,
    args: &[Value<'static>],
) -> Value<'static> {
    try_call(rt, recv, name, &[targ], args).unwrap()
}

pub fn get(rt: &mut TestRt, recv: &Value<'static>, name: &str) -> Value<'static> {
    library::get_member(rt, recv.clone(), name)
        .unwrap_or_else(|| panic!("no property {name}"))
        .unwrap()
}

pub fn idx(rt: &mut TestRt, recv: &Value<'static>, key: Value<'static>) -> EvalResult<Value<'static>> {
    library::index(rt, recv.clone(), key).unwrap()
}

pub fn at(rt: &mut TestRt, recv: &Value<'static>, key: &str) -> Value<'static> {
    idx(rt, recv, Value::string(key)).unwrap()
}

pub fn set_at(rt: &mut TestRt, recv: &Value<'static>, key: Value<'static>, v: Value<'static>) -> EvalResult<()> {
    library::set_index(rt, recv, key, v).unwrap()
}

pub fn st(rt: &mut TestRt, ty: &'static TypeDef, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    library::call_static(rt, ty, name, &[], args).unwrap_or_else(|| panic!("no static {name}"))
}

pub fn st_t(
    rt: &mut TestRt,
    ty: &'static TypeDef,
    name: &str,
    targ: TypeRef,
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    library::call_static(rt, ty, name, &[targ], args).unwrap_or_else(|| panic!("no static {name}"))
}

pub fn new(rt: &mut TestRt, ty: &'static TypeDef, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    library::construct(rt, &TypeRef::of(ty), args)
}

pub fn cast(rt: &mut TestRt, v: &Value<'static>, to: TypeRef) -> EvalResult<Value<'static>> {
    library::convert(rt, v.clone(), &to, true, false)
}

pub fn text_of(v: &Value<'_>) -> String {
    library::to_text_plain(v)
}

pub fn s(x: &str) -> Value<'static> {
    Value::string(x)
}

pub fn ty(d: &'static TypeDef) -> TypeRef {
    TypeRef::of(d)
}

pub fn int() -> TypeRef {
    ty(&numbers::INT32)
}

pub fn string() -> TypeRef {
    ty(&text::STRING)
}

pub fn nullable(t: TypeRef) -> TypeRef {
    TypeRef::Nullable(Box::new(t))
}

pub fn compact(rt: &mut TestRt, v: &Value<'static>) -> String {
    let none = Value::Enum(&FORMATTING, 0);
    text_of(&call(rt, v, "ToString", &[none]))
}

pub fn kind(e: EvalResult<Value<'static>>) -> EvalErrorKind {
    e.unwrap_err().kind
}

pub fn dt() -> TypeRef {
    ty(&time::DATETIME)
}

pub fn types() -> [&'static TypeDef; 6] {
    [&JTOKEN, &JOBJECT, &JARRAY, &JPROPERTY, &JVALUE, &JSONCONVERT]
}
