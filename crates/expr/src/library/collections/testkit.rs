//! Test helpers for the collections family: build collections and call
//! their members through the library's dispatch (`library::call_member`,
//! `get_member`, `index`…), as the evaluator does.

use crate::error::{EvalErrorKind, EvalResult};
use crate::library::{self, numbers::INT32, text::STRING};
use crate::testing::TestRt;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub fn int() -> TypeRef {
    TypeRef::of(&INT32)
}

pub fn string() -> TypeRef {
    TypeRef::of(&STRING)
}

pub fn generic(def: &'static TypeDef, args: Vec<TypeRef>) -> TypeRef {
    TypeRef::Named(def, args.into_boxed_slice())
}

/// `new def<targs>(args)`.
pub fn new(rt: &mut TestRt, def: &'static TypeDef, targs: Vec<TypeRef>, args: &[Value<'static>]) -> Value<'static> {
    library::construct(rt, &generic(def, targs), args).expect("constructor")
}

/// `recv.name(args)`; panics if there is no such member.
pub fn call(rt: &mut TestRt, recv: &Value<'static>, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
    callt(rt, recv, name, &[], args)
}

/// `recv.name<targs>(args)`.
pub fn callt(
    rt: &mut TestRt,
    recv: &Value<'static>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    library::call_member(rt, recv.clone(), name, targs, args).unwrap_or_else(|| panic!("no member {name}"))
}

/// `T.name<targs>(args)`.
pub fn call_static(
    rt: &mut TestRt,
    def: &'static TypeDef,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'static>],
) -> EvalResult<Value<'static>> {
    library::call_static(rt, def, name, targs, args).unwrap_or_else(|| panic!("no static {name}"))
}

/// `recv.name`.
pub fn get(rt: &mut TestRt, recv: &Value<'static>, name: &str) -> Value<'static> {
    library::get_member(rt, recv.clone(), name)
        .unwrap_or_else(|| panic!("no property {name}"))
        .expect("property")
}

/// `recv[key]`.
pub fn at(rt: &mut TestRt, recv: &Value<'static>, key: Value<'static>) -> EvalResult<Value<'static>> {
    library::index(rt, recv.clone(), key).expect("indexer")
}

/// The items' `ToString()`s joined with `,`.
pub fn show(rt: &mut TestRt, v: &Value<'static>) -> String {
    let items = library::items(rt, v).expect("enumerable").expect("items");
    items.iter().map(library::to_text_plain).collect::<Vec<_>>().join(",")
}

pub fn ints(xs: &[i32]) -> Vec<Value<'static>> {
    xs.iter().map(|x| Value::Int(*x)).collect()
}

/// A `List<int>` of `xs`.
pub fn int_list(rt: &mut TestRt, xs: &[i32]) -> Value<'static> {
    let l = new(rt, &super::LIST, vec![int()], &[]);
    for x in ints(xs) {
        call(rt, &l, "Add", &[x]).expect("Add");
    }
    l
}

/// A `string[]` of `xs`.
pub fn strs(xs: &[&str]) -> Value<'static> {
    super::Array::strings(xs.iter().copied())
}

/// The exception kind of a failed result.
pub fn kind<T: std::fmt::Debug>(r: EvalResult<T>) -> EvalErrorKind {
    r.expect_err("an exception").kind
}

/// `x => x > n`.
pub fn greater(rt: &mut TestRt, n: i128) -> Value<'static> {
    rt.lambda(move |a| Ok(Value::Bool(a[0].as_integer().unwrap_or(0) > n)))
}

/// `x => x * k`.
pub fn times(rt: &mut TestRt, k: i32) -> Value<'static> {
    rt.lambda(move |a| Ok(Value::Int(a[0].as_integer().unwrap_or(0) as i32 * k)))
}

/// `(a, b) => b - a` (a descending `Comparison<int>`).
pub fn descending(rt: &mut TestRt) -> Value<'static> {
    rt.lambda_n(2, |a| {
        Ok(Value::Int(
            (a[1].as_integer().unwrap_or(0) - a[0].as_integer().unwrap_or(0)) as i32,
        ))
    })
}
