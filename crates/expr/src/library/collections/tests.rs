//! Unit tests of arrays, `System.Array` and `List<T>` (the keyed and
//! queue types are in `tests_keyed`, LINQ in `linq::tests`), through the
//! library's dispatch as the evaluator calls them.

use std::cell::Cell;
use std::rc::Rc;

use super::testkit::*;
use super::*;
use crate::error::EvalErrorKind;
use crate::library::{self, numbers::BYTE, OBJECT};
use crate::testing::TestRt;
use crate::types::TypeRef;
use crate::value::Value;

#[test]
fn every_type_is_found_by_name_and_tables_are_well_formed() {
    for d in TYPES {
        assert!(
            library::find_type(d.name, usize::from(d.generics)).is_some_and(|f| f.is(d)),
            "{}",
            d.name
        );
        for m in d.members.iter().chain(d.statics) {
            assert!(!m.ret.is_empty(), "{}.{}", d.name, m.name);
            assert!(!d.unimplemented.contains(&m.name), "{}.{}", d.name, m.name);
        }
    }
    assert!(library::find_type("System.Collections.Generic.Dictionary", 2).is_some());
    assert!(library::find_type("System.Linq.Enumerable", 0).is_some());
}

#[test]
fn arrays() {
    let mut rt = TestRt::new();
    let a = Array::of(int(), ints(&[3, 1, 2]));
    assert_eq!(get(&mut rt, &a, "Length"), Value::Int(3));
    assert_eq!(get(&mut rt, &a, "Rank"), Value::Int(1));
    assert_eq!(at(&mut rt, &a, Value::Int(1)), Ok(Value::Int(1)));
    assert_eq!(kind(at(&mut rt, &a, Value::Int(3))), EvalErrorKind::IndexOutOfRange);
    library::set_index(&mut rt, &a, Value::Int(0), Value::Int(9))
        .unwrap()
        .unwrap();
    let b = call(&mut rt, &a, "Clone", &[]).unwrap();
    library::set_index(&mut rt, &b, Value::Int(0), Value::Int(7))
        .unwrap()
        .unwrap();
    assert_eq!(show(&mut rt, &a), "9,1,2");
    assert_eq!(show(&mut rt, &b), "7,1,2");
    assert_eq!(call(&mut rt, &a, "GetValue", &[Value::Int(2)]), Ok(Value::Int(2)));
    call(&mut rt, &a, "SetValue", &[Value::Int(5), Value::Int(2)]).unwrap();
    assert_eq!(call(&mut rt, &a, "GetLength", &[Value::Int(0)]), Ok(Value::Int(3)));
    assert_eq!(call(&mut rt, &a, "GetUpperBound", &[Value::Int(0)]), Ok(Value::Int(2)));
    assert_eq!(
        kind(call(&mut rt, &a, "GetLength", &[Value::Int(1)])),
        EvalErrorKind::IndexOutOfRange
    );
    let c = Array::of(int(), ints(&[0, 0, 0, 0, 0]));
    call(&mut rt, &a, "CopyTo", &[c.clone(), Value::Int(1)]).unwrap();
    assert_eq!(show(&mut rt, &c), "0,9,1,5,0");
    assert_eq!(
        kind(call(&mut rt, &a, "CopyTo", &[c.clone(), Value::Int(3)])),
        EvalErrorKind::Argument
    );
    assert_eq!(library::to_text_plain(&a), "System.Int32[]");
    // A string stored into an int[] is an InvalidCastException.
    assert_eq!(
        kind(library::set_index(&mut rt, &a, Value::Int(0), Value::str("x")).unwrap()),
        EvalErrorKind::InvalidCast
    );
}

#[test]
fn byte_arrays_stay_packed() {
    let mut rt = TestRt::new();
    let b = Array::of(TypeRef::of(&BYTE), vec![Value::Byte(1), Value::Byte(2)]);
    assert!(matches!(
        &*b.downcast::<Array>().unwrap().store.borrow(),
        array::Store::Bytes(_)
    ));
    call_static(&mut rt, &ARRAY, "Reverse", &[], std::slice::from_ref(&b)).unwrap();
    assert_eq!(Array::to_bytes(&b), Some(vec![2, 1]));
    library::set_index(&mut rt, &b, Value::Int(0), Value::Byte(7))
        .unwrap()
        .unwrap();
    assert_eq!(Array::to_bytes(&b), Some(vec![7, 1]));
}

#[test]
fn array_instance_checks() {
    let ints_ = Array::of(int(), ints(&[1]));
    let strings = strs(&["a"]);
    let arr = |t: TypeRef| TypeRef::Array(Box::new(t));
    assert!(library::is_instance(&ints_, &arr(int())));
    assert!(!library::is_instance(&ints_, &arr(string())));
    assert!(!library::is_instance(&ints_, &arr(TypeRef::of(&OBJECT))));
    assert!(library::is_instance(&strings, &arr(TypeRef::of(&OBJECT))));
    assert!(library::is_instance(
        &ints_,
        &generic(&interfaces::IENUMERABLE, vec![int()])
    ));
    assert!(library::is_instance(&ints_, &generic(&interfaces::ILIST, vec![int()])));
    assert!(!library::is_instance(
        &ints_,
        &generic(&interfaces::IENUMERABLE, vec![string()])
    ));
}

#[test]
fn array_statics() {
    let mut rt = TestRt::new();
    let s = |rt: &mut TestRt, name: &str, args: &[Value<'static>]| call_static(rt, &ARRAY, name, &[], args);
    let empty = call_static(&mut rt, &ARRAY, "Empty", &[string()], &[]).unwrap();
    assert_eq!(library::to_text_plain(&empty), "System.String[]");
    let a = Array::of(int(), ints(&[5, 3, 8, 3]));
    assert_eq!(s(&mut rt, "IndexOf", &[a.clone(), Value::Int(3)]), Ok(Value::Int(1)));
    assert_eq!(
        s(&mut rt, "LastIndexOf", &[a.clone(), Value::Int(3)]),
        Ok(Value::Int(3))
    );
    assert_eq!(s(&mut rt, "IndexOf", &[a.clone(), Value::Int(4)]), Ok(Value::Int(-1)));
    let gt4 = greater(&mut rt, 4);
    assert_eq!(s(&mut rt, "Exists", &[a.clone(), gt4.clone()]), Ok(Value::Bool(true)));
    assert_eq!(s(&mut rt, "Find", &[a.clone(), gt4.clone()]), Ok(Value::Int(5)));
    assert_eq!(s(&mut rt, "FindLast", &[a.clone(), gt4.clone()]), Ok(Value::Int(8)));
    assert_eq!(s(&mut rt, "FindIndex", &[a.clone(), gt4.clone()]), Ok(Value::Int(0)));
    assert_eq!(
        s(&mut rt, "FindIndex", &[a.clone(), Value::Int(1), gt4.clone()]),
        Ok(Value::Int(2))
    );
    assert_eq!(
        s(&mut rt, "FindLastIndex", &[a.clone(), gt4.clone()]),
        Ok(Value::Int(2))
    );
    assert_eq!(
        s(&mut rt, "TrueForAll", &[a.clone(), gt4.clone()]),
        Ok(Value::Bool(false))
    );
    let gt9 = greater(&mut rt, 9);
    assert_eq!(s(&mut rt, "Find", &[a.clone(), gt9]), Ok(Value::Int(0)), "default(int)");
    let found = s(&mut rt, "FindAll", &[a.clone(), gt4]).unwrap();
    assert_eq!(show(&mut rt, &found), "5,8");
    let x10 = times(&mut rt, 10);
    let conv = s(&mut rt, "ConvertAll", &[a.clone(), x10]).unwrap();
    assert_eq!(show(&mut rt, &conv), "50,30,80,30");
    assert_eq!(library::to_text_plain(&conv), "System.Int32[]");
    s(&mut rt, "Sort", std::slice::from_ref(&a)).unwrap();
    assert_eq!(show(&mut rt, &a), "3,3,5,8");
    assert_eq!(
        s(&mut rt, "BinarySearch", &[a.clone(), Value::Int(5)]),
        Ok(Value::Int(2))
    );
    assert_eq!(
        s(&mut rt, "BinarySearch", &[a.clone(), Value::Int(6)]),
        Ok(Value::Int(!3))
    );
    let desc = descending(&mut rt);
    s(&mut rt, "Sort", &[a.clone(), desc]).unwrap();
    assert_eq!(show(&mut rt, &a), "8,5,3,3");
    s(&mut rt, "Reverse", &[a.clone(), Value::Int(0), Value::Int(2)]).unwrap();
    assert_eq!(show(&mut rt, &a), "5,8,3,3");
    let dst = Array::of(int(), ints(&[0, 0, 0]));
    s(
        &mut rt,
        "Copy",
        &[a.clone(), Value::Int(1), dst.clone(), Value::Int(0), Value::Int(2)],
    )
    .unwrap();
    assert_eq!(show(&mut rt, &dst), "8,3,0");
    s(&mut rt, "Clear", &[dst.clone(), Value::Int(0), Value::Int(1)]).unwrap();
    assert_eq!(show(&mut rt, &dst), "0,3,0");
    s(&mut rt, "Fill", &[dst.clone(), Value::Int(4)]).unwrap();
    assert_eq!(show(&mut rt, &dst), "4,4,4");
    let seen = Rc::new(Cell::new(0));
    let seen2 = seen.clone();
    let add = rt.lambda(move |a| {
        seen2.set(seen2.get() + a[0].as_integer().unwrap_or(0) as i32);
        Ok(Value::Null)
    });
    s(&mut rt, "ForEach", &[dst.clone(), add]).unwrap();
    assert_eq!(seen.get(), 12);
    assert_eq!(
        kind(s(&mut rt, "IndexOf", &[Value::Null, Value::Int(1)])),
        EvalErrorKind::ArgumentNull
    );
    // Sort(keys, items)
    let keys = Array::of(int(), ints(&[3, 1, 2]));
    let items = strs(&["c", "a", "b"]);
    s(&mut rt, "Sort", &[keys.clone(), items.clone()]).unwrap();
    assert_eq!(show(&mut rt, &keys), "1,2,3");
    assert_eq!(show(&mut rt, &items), "a,b,c");
    let ro = s(&mut rt, "AsReadOnly", std::slice::from_ref(&keys)).unwrap();
    assert_eq!(get(&mut rt, &ro, "Count"), Value::Int(3));
    assert_eq!(at(&mut rt, &ro, Value::Int(2)), Ok(Value::Int(3)));
}

#[test]
fn sort_of_values_without_order_fails_as_dotnet() {
    let mut rt = TestRt::new();
    let a = Array::of(TypeRef::of(&OBJECT), vec![Value::Int(1), Value::str("a")]);
    let e = call_static(&mut rt, &ARRAY, "Sort", &[], &[a]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::InvalidOperation);
    assert!(e.message.starts_with("Failed to compare two elements in the array."));
}

#[test]
fn lists() {
    let mut rt = TestRt::new();
    let l = new(&mut rt, &LIST, vec![int()], &[]);
    assert_eq!(get(&mut rt, &l, "Capacity"), Value::Int(0));
    call(&mut rt, &l, "Add", &[Value::Int(3)]).unwrap();
    assert_eq!(get(&mut rt, &l, "Capacity"), Value::Int(4));
    call(&mut rt, &l, "AddRange", &[Array::of(int(), ints(&[1, 2, 5, 4]))]).unwrap();
    assert_eq!(get(&mut rt, &l, "Capacity"), Value::Int(8));
    assert_eq!(show(&mut rt, &l), "3,1,2,5,4");
    assert_eq!(get(&mut rt, &l, "Count"), Value::Int(5));
    call(&mut rt, &l, "Insert", &[Value::Int(0), Value::Int(0)]).unwrap();
    call(
        &mut rt,
        &l,
        "InsertRange",
        &[Value::Int(6), Array::of(int(), ints(&[9]))],
    )
    .unwrap();
    assert_eq!(show(&mut rt, &l), "0,3,1,2,5,4,9");
    assert_eq!(
        kind(call(&mut rt, &l, "Insert", &[Value::Int(8), Value::Int(0)])),
        EvalErrorKind::ArgumentOutOfRange
    );
    assert_eq!(call(&mut rt, &l, "Remove", &[Value::Int(5)]), Ok(Value::Bool(true)));
    assert_eq!(call(&mut rt, &l, "Remove", &[Value::Int(5)]), Ok(Value::Bool(false)));
    call(&mut rt, &l, "RemoveAt", &[Value::Int(0)]).unwrap();
    assert_eq!(show(&mut rt, &l), "3,1,2,4,9");
    let gt3 = greater(&mut rt, 3);
    assert_eq!(call(&mut rt, &l, "RemoveAll", &[gt3]), Ok(Value::Int(2)));
    assert_eq!(show(&mut rt, &l), "3,1,2");
    assert_eq!(call(&mut rt, &l, "Contains", &[Value::Int(2)]), Ok(Value::Bool(true)));
    assert_eq!(call(&mut rt, &l, "IndexOf", &[Value::Int(2)]), Ok(Value::Int(2)));
    call(&mut rt, &l, "Sort", &[]).unwrap();
    assert_eq!(show(&mut rt, &l), "1,2,3");
    let desc = descending(&mut rt);
    call(&mut rt, &l, "Sort", &[desc]).unwrap();
    assert_eq!(show(&mut rt, &l), "3,2,1");
    call(&mut rt, &l, "Reverse", &[]).unwrap();
    assert_eq!(show(&mut rt, &l), "1,2,3");
    assert_eq!(at(&mut rt, &l, Value::Int(0)), Ok(Value::Int(1)));
    let e = at(&mut rt, &l, Value::Int(3)).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::ArgumentOutOfRange);
    assert!(e.message.starts_with("Index was out of range."));
    library::set_index(&mut rt, &l, Value::Int(0), Value::Int(7))
        .unwrap()
        .unwrap();
    let arr = call(&mut rt, &l, "ToArray", &[]).unwrap();
    assert_eq!(library::to_text_plain(&arr), "System.Int32[]");
    assert_eq!(show(&mut rt, &arr), "7,2,3");
    let range = call(&mut rt, &l, "GetRange", &[Value::Int(1), Value::Int(2)]).unwrap();
    assert_eq!(show(&mut rt, &range), "2,3");
    assert_eq!(
        kind(call(&mut rt, &l, "GetRange", &[Value::Int(2), Value::Int(2)])),
        EvalErrorKind::Argument
    );
    call(&mut rt, &l, "RemoveRange", &[Value::Int(0), Value::Int(2)]).unwrap();
    assert_eq!(show(&mut rt, &l), "3");
    let x2 = times(&mut rt, 2);
    let conv = call(&mut rt, &l, "ConvertAll", &[x2]).unwrap();
    assert_eq!(
        library::to_text_plain(&conv),
        "System.Collections.Generic.List`1[System.Int32]"
    );
    assert_eq!(show(&mut rt, &conv), "6");
    call(&mut rt, &l, "Clear", &[]).unwrap();
    assert_eq!(get(&mut rt, &l, "Count"), Value::Int(0));
    assert_eq!(get(&mut rt, &l, "Capacity"), Value::Int(8));
}

#[test]
fn list_constructors_and_finds() {
    let mut rt = TestRt::new();
    let from = new(&mut rt, &LIST, vec![string()], &[strs(&["b", "a", "b"])]);
    assert_eq!(get(&mut rt, &from, "Capacity"), Value::Int(3));
    assert_eq!(
        call(&mut rt, &from, "LastIndexOf", &[Value::str("b")]),
        Ok(Value::Int(2))
    );
    let cap = new(&mut rt, &LIST, vec![int()], &[Value::Int(10)]);
    assert_eq!(get(&mut rt, &cap, "Capacity"), Value::Int(10));
    assert_eq!(
        kind(library::construct(
            &mut rt,
            &generic(&LIST, vec![int()]),
            &[Value::Int(-1)]
        )),
        EvalErrorKind::ArgumentOutOfRange
    );
    assert_eq!(
        kind(library::construct(
            &mut rt,
            &generic(&LIST, vec![int()]),
            &[Value::Null]
        )),
        EvalErrorKind::ArgumentNull
    );
    let l = int_list(&mut rt, &[1, 5, 2, 6]);
    let gt4 = greater(&mut rt, 4);
    assert_eq!(call(&mut rt, &l, "Find", std::slice::from_ref(&gt4)), Ok(Value::Int(5)));
    assert_eq!(
        call(&mut rt, &l, "FindLast", std::slice::from_ref(&gt4)),
        Ok(Value::Int(6))
    );
    assert_eq!(
        call(&mut rt, &l, "FindIndex", std::slice::from_ref(&gt4)),
        Ok(Value::Int(1))
    );
    assert_eq!(
        call(&mut rt, &l, "FindLastIndex", std::slice::from_ref(&gt4)),
        Ok(Value::Int(3))
    );
    assert_eq!(
        call(&mut rt, &l, "Exists", std::slice::from_ref(&gt4)),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &l, "TrueForAll", std::slice::from_ref(&gt4)),
        Ok(Value::Bool(false))
    );
    let all = call(&mut rt, &l, "FindAll", &[gt4]).unwrap();
    assert_eq!(show(&mut rt, &all), "5,6");
    assert!(library::is_instance(&all, &generic(&LIST, vec![int()])));
    assert!(!library::is_instance(&all, &generic(&LIST, vec![string()])));
    assert!(library::is_instance(
        &all,
        &generic(&interfaces::IREADONLYCOLLECTION, vec![int()])
    ));
    let sorted = int_list(&mut rt, &[1, 3, 5]);
    assert_eq!(
        call(&mut rt, &sorted, "BinarySearch", &[Value::Int(3)]),
        Ok(Value::Int(1))
    );
    assert_eq!(
        call(&mut rt, &sorted, "BinarySearch", &[Value::Int(4)]),
        Ok(Value::Int(!2))
    );
}

#[test]
fn list_views_and_enumerators() {
    let mut rt = TestRt::new();
    let l = int_list(&mut rt, &[1, 2]);
    let ro = call(&mut rt, &l, "AsReadOnly", &[]).unwrap();
    call(&mut rt, &l, "Add", &[Value::Int(3)]).unwrap();
    assert_eq!(get(&mut rt, &ro, "Count"), Value::Int(3), "a live view");
    assert_eq!(call(&mut rt, &ro, "IndexOf", &[Value::Int(3)]), Ok(Value::Int(2)));
    let e = call(&mut rt, &l, "GetEnumerator", &[]).unwrap();
    assert_eq!(
        kind(library::get_member(&mut rt, e.clone(), "Current").unwrap()),
        EvalErrorKind::InvalidOperation
    );
    let mut seen = Vec::new();
    while call(&mut rt, &e, "MoveNext", &[]) == Ok(Value::Bool(true)) {
        seen.push(get(&mut rt, &e, "Current"));
    }
    assert_eq!(seen, ints(&[1, 2, 3]));
}

#[test]
fn list_for_each_detects_modification() {
    let mut rt = TestRt::new();
    let l = int_list(&mut rt, &[1, 2]);
    let target = l.clone();
    // The lambda adds to the list it iterates: .NET throws.
    let add = rt.lambda(move |_| {
        let mut inner = TestRt::new();
        call(&mut inner, &target, "Add", &[Value::Int(0)])?;
        Ok(Value::Null)
    });
    let e = call(&mut rt, &l, "ForEach", &[add]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::InvalidOperation);
    assert_eq!(
        e.message,
        "Collection was modified; enumeration operation may not execute."
    );
}
