//! Unit tests of the LINQ operators, called as extension methods through
//! the library's dispatch and in `Enumerable`'s static form.

use super::super::testkit::*;
use super::super::{Array, DICTIONARY, KEY_VALUE_PAIR, LIST};
use super::ENUMERABLE;
use crate::error::EvalErrorKind;
use crate::library::{self, numbers::INT32, OBJECT};
use crate::testing::TestRt;
use crate::types::TypeRef;
use crate::value::Value;

fn arr(xs: &[i32]) -> Value<'static> {
    Array::of(int(), ints(xs))
}

fn elem_name(v: &Value<'static>) -> String {
    library::to_text_plain(v)
}

/// `x => x % k`.
fn modulo(rt: &mut TestRt, k: i128) -> Value<'static> {
    rt.lambda(move |a| Ok(Value::Int((a[0].as_integer().unwrap_or(0) % k) as i32)))
}

/// `s => s.Length`.
fn length(rt: &mut TestRt) -> Value<'static> {
    rt.lambda(|a| Ok(Value::Int(a[0].as_str().map_or(0, |s| s.len() as i32))))
}

#[test]
fn where_select_and_index_overloads() {
    let mut rt = TestRt::new();
    let xs = arr(&[5, 1, 4, 2]);
    let gt1 = greater(&mut rt, 1);
    let w = call(&mut rt, &xs, "Where", &[gt1]).unwrap();
    assert_eq!(show(&mut rt, &w), "5,4,2");
    let even_index = rt.lambda_n(2, |a| Ok(Value::Bool(a[1].as_integer().unwrap_or(1) % 2 == 0)));
    let w = call(&mut rt, &xs, "Where", &[even_index]).unwrap();
    assert_eq!(show(&mut rt, &w), "5,4");
    let x10 = times(&mut rt, 10);
    let s = call(&mut rt, &xs, "Select", &[x10]).unwrap();
    assert_eq!(show(&mut rt, &s), "50,10,40,20");
    let plus_index = rt.lambda_n(2, |a| {
        Ok(Value::Int(
            (a[0].as_integer().unwrap_or(0) + a[1].as_integer().unwrap_or(0)) as i32,
        ))
    });
    let s = call(&mut rt, &xs, "Select", &[plus_index]).unwrap();
    assert_eq!(show(&mut rt, &s), "5,2,6,5");
    // Enumerable.Where(xs, f): the static form.
    let gt3 = greater(&mut rt, 3);
    let w = call_static(&mut rt, &ENUMERABLE, "Where", &[], &[xs.clone(), gt3]).unwrap();
    assert_eq!(show(&mut rt, &w), "5,4");
    assert_eq!(
        kind(call_static(&mut rt, &ENUMERABLE, "Count", &[], &[Value::Null])),
        EvalErrorKind::ArgumentNull
    );
    // A non-enumerable receiver has no LINQ.
    assert!(library::call_member(&mut rt, Value::Int(3), "Where", &[], &[]).is_none());
}

#[test]
fn the_idioms() {
    let mut rt = TestRt::new();
    // new List<int> { 3, 1, 2 }.OrderBy(x => x).Select(x => x * 10).Last() == 30
    let l = int_list(&mut rt, &[3, 1, 2]);
    let id = rt.lambda(|a| Ok(a[0].clone()));
    let x10 = times(&mut rt, 10);
    let o = call(&mut rt, &l, "OrderBy", &[id]).unwrap();
    let s = call(&mut rt, &o, "Select", &[x10]).unwrap();
    assert_eq!(call(&mut rt, &s, "Last", &[]), Ok(Value::Int(30)));
    // "a b c".Split(' ').Last(); headers.Where(…).Select(…).ToArray<string>()
    let words = strs(&["Bearer", "tok"]);
    assert_eq!(call(&mut rt, &words, "Last", &[]), Ok(Value::str("tok")));
    let d = new(&mut rt, &DICTIONARY, vec![string(), string()], &[]);
    for (k, v) in [("Authorization", "x"), ("Accept", "y")] {
        call(&mut rt, &d, "Add", &[Value::str(k), Value::str(v)]).unwrap();
    }
    let not_auth = rt.lambda(|a| {
        let p = a[0].downcast::<super::super::KeyValuePair>().unwrap();
        Ok(Value::Bool(p.key != Value::str("Authorization")))
    });
    let fmt = rt.lambda(|a| {
        let p = a[0].downcast::<super::super::KeyValuePair>().unwrap();
        Ok(Value::string(format!(
            "{}: {}",
            library::to_text(&p.key),
            library::to_text(&p.value)
        )))
    });
    let w = call(&mut rt, &d, "Where", &[not_auth]).unwrap();
    let s = call(&mut rt, &w, "Select", &[fmt]).unwrap();
    let a = callt(&mut rt, &s, "ToArray", &[string()], &[]).unwrap();
    assert_eq!(elem_name(&a), "System.String[]");
    assert_eq!(show(&mut rt, &a), "Accept: y");
    assert_eq!(call(&mut rt, &a, "Any", &[]), Ok(Value::Bool(true)));
    // No match in a dictionary: FirstOrDefault is default(KeyValuePair), whose Key is null.
    let never = rt.lambda(|_| Ok(Value::Bool(false)));
    let none = call(&mut rt, &d, "FirstOrDefault", &[never]).unwrap();
    assert_eq!(get(&mut rt, &none, "Key"), Value::Null);
}

#[test]
fn element_operators() {
    let mut rt = TestRt::new();
    let xs = arr(&[4, 7, 9]);
    let empty = arr(&[]);
    let gt5 = greater(&mut rt, 5);
    let gt9 = greater(&mut rt, 9);
    assert_eq!(call(&mut rt, &xs, "First", &[]), Ok(Value::Int(4)));
    assert_eq!(
        call(&mut rt, &xs, "First", std::slice::from_ref(&gt5)),
        Ok(Value::Int(7))
    );
    assert_eq!(
        call(&mut rt, &xs, "Last", std::slice::from_ref(&gt5)),
        Ok(Value::Int(9))
    );
    let e = call(&mut rt, &empty, "First", &[]).unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (EvalErrorKind::InvalidOperation, "Sequence contains no elements")
    );
    let e = call(&mut rt, &xs, "First", std::slice::from_ref(&gt9)).unwrap_err();
    assert_eq!(e.message, "Sequence contains no matching element");
    assert_eq!(
        call(&mut rt, &empty, "FirstOrDefault", &[]),
        Ok(Value::Int(0)),
        "default(int)"
    );
    assert_eq!(
        call(&mut rt, &xs, "LastOrDefault", std::slice::from_ref(&gt9)),
        Ok(Value::Int(0))
    );
    assert_eq!(
        call(&mut rt, &xs, "FirstOrDefault", &[gt9.clone(), Value::Int(-1)]),
        Ok(Value::Int(-1))
    );
    assert_eq!(call(&mut rt, &strs(&[]), "FirstOrDefault", &[]), Ok(Value::Null));
    let e = call(&mut rt, &xs, "Single", &[]).unwrap_err();
    assert_eq!(e.message, "Sequence contains more than one element");
    let e = call(&mut rt, &xs, "SingleOrDefault", std::slice::from_ref(&gt5)).unwrap_err();
    assert_eq!(e.message, "Sequence contains more than one matching element");
    let gt8 = greater(&mut rt, 8);
    assert_eq!(call(&mut rt, &xs, "Single", &[gt8]), Ok(Value::Int(9)));
    assert_eq!(
        call(&mut rt, &xs, "SingleOrDefault", std::slice::from_ref(&gt9)),
        Ok(Value::Int(0))
    );
    assert_eq!(call(&mut rt, &xs, "ElementAt", &[Value::Int(2)]), Ok(Value::Int(9)));
    assert_eq!(
        kind(call(&mut rt, &xs, "ElementAt", &[Value::Int(3)])),
        EvalErrorKind::ArgumentOutOfRange
    );
    assert_eq!(
        call(&mut rt, &xs, "ElementAtOrDefault", &[Value::Int(-1)]),
        Ok(Value::Int(0))
    );
    assert_eq!(
        call(&mut rt, &xs, "Any", std::slice::from_ref(&gt9)),
        Ok(Value::Bool(false))
    );
    assert_eq!(call(&mut rt, &empty, "Any", &[]), Ok(Value::Bool(false)));
    let gt3 = greater(&mut rt, 3);
    assert_eq!(call(&mut rt, &xs, "All", &[gt3]), Ok(Value::Bool(true)));
    assert_eq!(call(&mut rt, &xs, "Count", &[]), Ok(Value::Int(3)));
    assert_eq!(call(&mut rt, &xs, "Count", &[gt5]), Ok(Value::Int(2)));
    assert_eq!(call(&mut rt, &xs, "LongCount", &[]), Ok(Value::Long(3)));
    assert_eq!(call(&mut rt, &xs, "Contains", &[Value::Int(7)]), Ok(Value::Bool(true)));
    assert_eq!(call(&mut rt, &xs, "Contains", &[Value::Long(7)]), Ok(Value::Bool(true)));
    let same = int_list(&mut rt, &[4, 7, 9]);
    assert_eq!(call(&mut rt, &xs, "SequenceEqual", &[same]), Ok(Value::Bool(true)));
    assert_eq!(
        call(&mut rt, &xs, "SequenceEqual", &[arr(&[4, 7])]),
        Ok(Value::Bool(false))
    );
}

#[test]
fn aggregates() {
    let mut rt = TestRt::new();
    let xs = arr(&[4, 7, 9]);
    assert_eq!(call(&mut rt, &xs, "Sum", &[]), Ok(Value::Int(20)));
    assert_eq!(call(&mut rt, &xs, "Average", &[]), Ok(Value::Double(20.0 / 3.0)));
    assert_eq!(call(&mut rt, &xs, "Min", &[]), Ok(Value::Int(4)));
    assert_eq!(call(&mut rt, &xs, "Max", &[]), Ok(Value::Int(9)));
    let x2 = times(&mut rt, 2);
    assert_eq!(call(&mut rt, &xs, "Sum", std::slice::from_ref(&x2)), Ok(Value::Int(40)));
    assert_eq!(call(&mut rt, &xs, "Max", &[x2]), Ok(Value::Int(18)));
    let big = arr(&[i32::MAX, 1]);
    let e = call(&mut rt, &big, "Sum", &[]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Overflow);
    assert_eq!(call(&mut rt, &big, "Average", &[]), Ok(Value::Double(1_073_741_824.0)));
    let longs = Array::of(
        TypeRef::of(&crate::library::numbers::INT64),
        vec![Value::Long(1), Value::Long(2)],
    );
    assert_eq!(call(&mut rt, &longs, "Sum", &[]), Ok(Value::Long(3)));
    let doubles = Array::of(
        TypeRef::of(&crate::library::numbers::DOUBLE),
        vec![Value::Double(1.5), Value::Double(f64::NAN)],
    );
    assert!(matches!(call(&mut rt, &doubles, "Min", &[]), Ok(Value::Double(d)) if d.is_nan()));
    assert_eq!(call(&mut rt, &doubles, "Max", &[]), Ok(Value::Double(1.5)));
    let empty = arr(&[]);
    assert_eq!(call(&mut rt, &empty, "Sum", &[]), Ok(Value::Int(0)));
    assert_eq!(kind(call(&mut rt, &empty, "Min", &[])), EvalErrorKind::InvalidOperation);
    assert_eq!(
        kind(call(&mut rt, &empty, "Average", &[])),
        EvalErrorKind::InvalidOperation
    );
    assert_eq!(
        call(&mut rt, &strs(&[]), "Max", &[]),
        Ok(Value::Null),
        "reference types: null"
    );
    assert_eq!(call(&mut rt, &strs(&["b", "c", "a"]), "Max", &[]), Ok(Value::str("c")));
    let len = length(&mut rt);
    let words = strs(&["bb", "a", "ccc", "dd"]);
    assert_eq!(
        call(&mut rt, &words, "MaxBy", std::slice::from_ref(&len)),
        Ok(Value::str("ccc"))
    );
    assert_eq!(call(&mut rt, &words, "MinBy", &[len]), Ok(Value::str("a")));
    let add = rt.lambda_n(2, |a| {
        Ok(Value::Int(
            (a[0].as_integer().unwrap_or(0) + a[1].as_integer().unwrap_or(0)) as i32,
        ))
    });
    assert_eq!(
        call(&mut rt, &xs, "Aggregate", std::slice::from_ref(&add)),
        Ok(Value::Int(20))
    );
    assert_eq!(
        call(&mut rt, &xs, "Aggregate", &[Value::Int(100), add.clone()]),
        Ok(Value::Int(120))
    );
    let x10 = times(&mut rt, 10);
    assert_eq!(
        call(&mut rt, &xs, "Aggregate", &[Value::Int(0), add.clone(), x10]),
        Ok(Value::Int(200))
    );
    assert_eq!(
        kind(call(&mut rt, &empty, "Aggregate", &[add])),
        EvalErrorKind::InvalidOperation
    );
    assert_eq!(
        kind(call(&mut rt, &strs(&["a"]), "Sum", &[])),
        EvalErrorKind::InvalidCast
    );
}

#[test]
fn ordering_is_stable_with_then_by() {
    let mut rt = TestRt::new();
    let words = strs(&["bb", "a", "dd", "c", "aa"]);
    let len = length(&mut rt);
    let id = rt.lambda(|a| Ok(a[0].clone()));
    let by_len = call(&mut rt, &words, "OrderBy", std::slice::from_ref(&len)).unwrap();
    assert_eq!(show(&mut rt, &by_len), "a,c,bb,dd,aa", "stable");
    let then = call(&mut rt, &by_len, "ThenBy", std::slice::from_ref(&id)).unwrap();
    assert_eq!(show(&mut rt, &then), "a,c,aa,bb,dd");
    let then_desc = call(&mut rt, &by_len, "ThenByDescending", std::slice::from_ref(&id)).unwrap();
    assert_eq!(show(&mut rt, &then_desc), "c,a,dd,bb,aa");
    let desc = call(&mut rt, &words, "OrderByDescending", &[len]).unwrap();
    assert_eq!(show(&mut rt, &desc), "bb,dd,aa,a,c");
    let plain = call(&mut rt, &words, "Order", &[]).unwrap();
    assert_eq!(show(&mut rt, &plain), "a,aa,bb,c,dd");
    // ThenBy needs an ordered sequence.
    assert!(library::call_member(&mut rt, words.clone(), "ThenBy", &[], std::slice::from_ref(&id)).is_none());
    let mixed = Array::of(TypeRef::of(&OBJECT), vec![Value::Int(1), Value::str("x")]);
    assert_eq!(
        kind(call(&mut rt, &mixed, "OrderBy", &[id])),
        EvalErrorKind::InvalidOperation
    );
}

#[test]
fn partitioning_and_concatenation() {
    let mut rt = TestRt::new();
    let xs = arr(&[1, 2, 3, 4, 5]);
    let c = |rt: &mut TestRt, name: &str, args: &[Value<'static>]| {
        let r = call(rt, &xs, name, args).unwrap();
        show(rt, &r)
    };
    assert_eq!(c(&mut rt, "Skip", &[Value::Int(3)]), "4,5");
    assert_eq!(c(&mut rt, "Take", &[Value::Int(2)]), "1,2");
    assert_eq!(c(&mut rt, "Take", &[Value::Int(-2)]), "");
    assert_eq!(c(&mut rt, "Skip", &[Value::Int(9)]), "");
    assert_eq!(c(&mut rt, "SkipLast", &[Value::Int(2)]), "1,2,3");
    assert_eq!(c(&mut rt, "TakeLast", &[Value::Int(2)]), "4,5");
    let lt3 = rt.lambda(|a| Ok(Value::Bool(a[0].as_integer().unwrap_or(0) < 3)));
    assert_eq!(c(&mut rt, "TakeWhile", std::slice::from_ref(&lt3)), "1,2");
    assert_eq!(c(&mut rt, "SkipWhile", &[lt3]), "3,4,5");
    assert_eq!(c(&mut rt, "Reverse", &[]), "5,4,3,2,1");
    assert_eq!(c(&mut rt, "Concat", &[arr(&[6])]), "1,2,3,4,5,6");
    assert_eq!(c(&mut rt, "Append", &[Value::Int(6)]), "1,2,3,4,5,6");
    assert_eq!(c(&mut rt, "Prepend", &[Value::Int(0)]), "0,1,2,3,4,5");
    let chunks = call(&mut rt, &xs, "Chunk", &[Value::Int(2)]).unwrap();
    let last = call(&mut rt, &chunks, "Last", &[]).unwrap();
    assert_eq!(elem_name(&last), "System.Int32[]");
    assert_eq!(show(&mut rt, &last), "5");
    let mul = rt.lambda_n(2, |a| {
        Ok(Value::Int(
            (a[0].as_integer().unwrap_or(0) * a[1].as_integer().unwrap_or(0)) as i32,
        ))
    });
    assert_eq!(c(&mut rt, "Zip", &[arr(&[10, 20]), mul]), "10,40");
    assert_eq!(
        kind(call(&mut rt, &xs, "Zip", &[arr(&[1])])),
        EvalErrorKind::NotSupported
    );
    let empty = arr(&[]);
    let d = call(&mut rt, &empty, "DefaultIfEmpty", &[]).unwrap();
    assert_eq!(show(&mut rt, &d), "0");
    assert_eq!(call(&mut rt, &xs, "AsEnumerable", &[]), Ok(xs.clone()));
    let to_range = rt.lambda(|a| {
        let n = a[0].as_integer().unwrap_or(0) as i32;
        Ok(Array::of(TypeRef::of(&INT32), (0..n).map(Value::Int).collect()))
    });
    let many = call(&mut rt, &arr(&[1, 3]), "SelectMany", &[to_range]).unwrap();
    assert_eq!(show(&mut rt, &many), "0,0,1,2");
    // A string is a sequence of chars.
    let rev = call(&mut rt, &Value::str("abc"), "Reverse", &[]).unwrap();
    assert_eq!(show(&mut rt, &rev), "c,b,a");
}

#[test]
fn sets_and_grouping() {
    let mut rt = TestRt::new();
    let xs = arr(&[3, 1, 3, 2, 1]);
    let c = |rt: &mut TestRt, name: &str, args: &[Value<'static>]| {
        let r = call(rt, &xs, name, args).unwrap();
        show(rt, &r)
    };
    assert_eq!(c(&mut rt, "Distinct", &[]), "3,1,2");
    let m2 = modulo(&mut rt, 2);
    assert_eq!(c(&mut rt, "DistinctBy", std::slice::from_ref(&m2)), "3,2");
    assert_eq!(c(&mut rt, "Union", &[arr(&[4, 1])]), "3,1,2,4");
    assert_eq!(c(&mut rt, "Intersect", &[arr(&[2, 3, 9])]), "3,2");
    assert_eq!(c(&mut rt, "Except", &[arr(&[1])]), "3,2");
    let groups = call(&mut rt, &xs, "GroupBy", std::slice::from_ref(&m2)).unwrap();
    let first = call(&mut rt, &groups, "First", &[]).unwrap();
    assert_eq!(get(&mut rt, &first, "Key"), Value::Int(1));
    assert_eq!(show(&mut rt, &first), "3,1,3,1");
    assert_eq!(call(&mut rt, &groups, "Count", &[]), Ok(Value::Int(2)));
    let x10 = times(&mut rt, 10);
    let g = call(&mut rt, &xs, "GroupBy", &[m2.clone(), x10]).unwrap();
    let g0 = call(&mut rt, &g, "Last", &[]).unwrap();
    assert_eq!(show(&mut rt, &g0), "20");
    let key_count = rt.lambda_n(2, |a| {
        let n = a[1].downcast::<super::Seq>().map_or(0, |s| s.items.len());
        Ok(Value::string(format!("{}:{n}", library::to_text(&a[0]))))
    });
    let counts = call(&mut rt, &xs, "GroupBy", &[m2.clone(), key_count]).unwrap();
    assert_eq!(show(&mut rt, &counts), "1:4,0:1");
    let lookup = call(&mut rt, &xs, "ToLookup", std::slice::from_ref(&m2)).unwrap();
    assert_eq!(get(&mut rt, &lookup, "Count"), Value::Int(2));
    let odd = at(&mut rt, &lookup, Value::Int(1)).unwrap();
    assert_eq!(show(&mut rt, &odd), "3,1,3,1");
    let none = at(&mut rt, &lookup, Value::Int(7)).unwrap();
    assert_eq!(show(&mut rt, &none), "");
    assert_eq!(
        call(&mut rt, &lookup, "Contains", &[Value::Int(0)]),
        Ok(Value::Bool(true))
    );
}

#[test]
fn joins() {
    let mut rt = TestRt::new();
    let outer = arr(&[1, 2, 3]);
    let inner = strs(&["a", "bb", "cc", "dddd"]);
    let id = rt.lambda(|a| Ok(a[0].clone()));
    let len = length(&mut rt);
    let pair = rt.lambda_n(2, |a| {
        Ok(Value::string(format!(
            "{}{}",
            library::to_text(&a[0]),
            library::to_text(&a[1])
        )))
    });
    let j = call(&mut rt, &outer, "Join", &[inner.clone(), id.clone(), len.clone(), pair]).unwrap();
    assert_eq!(show(&mut rt, &j), "1a,2bb,2cc");
    let count = rt.lambda_n(2, |a| {
        let n = a[1].downcast::<super::Seq>().map_or(0, |s| s.items.len());
        Ok(Value::string(format!("{}:{n}", library::to_text(&a[0]))))
    });
    let gj = call(&mut rt, &outer, "GroupJoin", &[inner, id, len, count]).unwrap();
    assert_eq!(show(&mut rt, &gj), "1:1,2:2,3:0");
}

#[test]
fn conversions() {
    let mut rt = TestRt::new();
    let x10 = times(&mut rt, 10);
    let s = call(&mut rt, &arr(&[1, 2]), "Select", &[x10]).unwrap();
    let a = call(&mut rt, &s, "ToArray", &[]).unwrap();
    assert_eq!(elem_name(&a), "System.Int32[]", "inferred from the items");
    let l = call(&mut rt, &s, "ToList", &[]).unwrap();
    assert!(library::is_instance(&l, &generic(&LIST, vec![int()])));
    let to_text = rt.lambda(|a| Ok(Value::string(library::to_text_plain(&a[0]))));
    let strings = call(&mut rt, &arr(&[1, 2]), "Select", &[to_text]).unwrap();
    let a = call(&mut rt, &strings, "ToArray", &[]).unwrap();
    assert_eq!(elem_name(&a), "System.String[]");
    let mixed = Array::of(TypeRef::of(&OBJECT), vec![Value::Int(1), Value::str("x"), Value::Null]);
    let any = rt.lambda(|a| Ok(a[0].clone()));
    let s = call(&mut rt, &mixed, "Select", &[any]).unwrap();
    let a = call(&mut rt, &s, "ToArray", &[]).unwrap();
    assert_eq!(elem_name(&a), "System.Object[]");
    let strings_only = callt(&mut rt, &mixed, "OfType", &[string()], &[]).unwrap();
    assert_eq!(show(&mut rt, &strings_only), "x");
    let e = callt(&mut rt, &mixed, "Cast", &[int()], &[]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::InvalidCast);
    let set = call(&mut rt, &arr(&[2, 1, 2]), "ToHashSet", &[]).unwrap();
    assert_eq!(show(&mut rt, &set), "2,1");
    let len = length(&mut rt);
    let words = strs(&["a", "bb"]);
    let d = call(&mut rt, &words, "ToDictionary", std::slice::from_ref(&len)).unwrap();
    assert_eq!(show(&mut rt, &d), "[1, a],[2, bb]");
    assert!(library::is_instance(&d, &generic(&DICTIONARY, vec![int(), string()])));
    let dup = strs(&["a", "b"]);
    let e = call(&mut rt, &dup, "ToDictionary", &[len]).unwrap_err();
    assert_eq!(e.message, "An item with the same key has already been added. Key: 1");
    let back = call(&mut rt, &d, "ToDictionary", &[]).unwrap();
    assert_eq!(show(&mut rt, &back), "[1, a],[2, bb]");
    let kv = generic(&KEY_VALUE_PAIR, vec![int(), string()]);
    let first = call(&mut rt, &back, "First", &[]).unwrap();
    assert!(library::is_instance(&first, &kv));
}

#[test]
fn generators_and_budget() {
    let mut rt = TestRt::new();
    let r = call_static(&mut rt, &ENUMERABLE, "Range", &[], &[Value::Int(3), Value::Int(3)]).unwrap();
    assert_eq!(show(&mut rt, &r), "3,4,5");
    let r = call_static(&mut rt, &ENUMERABLE, "Repeat", &[], &[Value::str("x"), Value::Int(2)]).unwrap();
    assert_eq!(show(&mut rt, &r), "x,x");
    let e = call_static(&mut rt, &ENUMERABLE, "Empty", &[int()], &[]).unwrap();
    assert_eq!(call(&mut rt, &e, "FirstOrDefault", &[]), Ok(Value::Int(0)));
    assert_eq!(
        kind(call_static(
            &mut rt,
            &ENUMERABLE,
            "Range",
            &[],
            &[Value::Int(2), Value::Int(i32::MAX)]
        )),
        EvalErrorKind::ArgumentOutOfRange
    );
    rt.max_steps = 10_000;
    assert_eq!(
        kind(call_static(
            &mut rt,
            &ENUMERABLE,
            "Range",
            &[],
            &[Value::Int(0), Value::Int(i32::MAX)]
        )),
        EvalErrorKind::Budget
    );
}
