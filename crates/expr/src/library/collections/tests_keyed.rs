//! Unit tests of `Dictionary`, `HashSet`, `Queue`, `Stack` and the
//! budget, through the library's dispatch as the evaluator calls them.

use super::common::KeyCmp;
use super::testkit::*;
use super::*;
use crate::error::EvalErrorKind;
use crate::library;
use crate::testing::TestRt;
use crate::value::{Object, Value};

fn string_int_dict(rt: &mut TestRt) -> Value<'static> {
    new(rt, &DICTIONARY, vec![string(), int()], &[])
}

#[test]
fn dictionaries() {
    let mut rt = TestRt::new();
    let d = string_int_dict(&mut rt);
    call(&mut rt, &d, "Add", &[Value::str("b"), Value::Int(2)]).unwrap();
    call(&mut rt, &d, "Add", &[Value::str("a"), Value::Int(1)]).unwrap();
    let e = call(&mut rt, &d, "Add", &[Value::str("a"), Value::Int(3)]).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Argument);
    assert_eq!(e.message, "An item with the same key has already been added. Key: a");
    library::set_index(&mut rt, &d, Value::str("c"), Value::Int(3))
        .unwrap()
        .unwrap();
    library::set_index(&mut rt, &d, Value::str("b"), Value::Int(20))
        .unwrap()
        .unwrap();
    assert_eq!(show(&mut rt, &d), "[b, 20],[a, 1],[c, 3]");
    assert_eq!(at(&mut rt, &d, Value::str("a")), Ok(Value::Int(1)));
    let e = at(&mut rt, &d, Value::str("z")).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::KeyNotFound);
    assert_eq!(e.message, "The given key 'z' was not present in the dictionary.");
    assert_eq!(kind(at(&mut rt, &d, Value::Null)), EvalErrorKind::ArgumentNull);
    assert_eq!(
        call(&mut rt, &d, "ContainsKey", &[Value::str("c")]),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &d, "ContainsValue", &[Value::Int(20)]),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &d, "TryGetValue", &[Value::str("a"), Value::Null]),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &d, "TryGetValue", &[Value::str("q"), Value::Null]),
        Ok(Value::Bool(false))
    );
    assert_eq!(rt.outs, vec![(1, Value::Int(1)), (1, Value::Int(0))]);
    assert_eq!(
        call(&mut rt, &d, "TryAdd", &[Value::str("a"), Value::Int(5)]),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        call(&mut rt, &d, "GetValueOrDefault", &[Value::str("q")]),
        Ok(Value::Int(0))
    );
    assert_eq!(
        call(&mut rt, &d, "GetValueOrDefault", &[Value::str("q"), Value::Int(-1)]),
        Ok(Value::Int(-1))
    );
    let keys = get(&mut rt, &d, "Keys");
    let values = get(&mut rt, &d, "Values");
    assert_eq!(show(&mut rt, &keys), "b,a,c");
    assert_eq!(show(&mut rt, &values), "20,1,3");
    assert_eq!(
        call(&mut rt, &keys, "Contains", &[Value::str("a")]),
        Ok(Value::Bool(true))
    );
    assert_eq!(call(&mut rt, &d, "Remove", &[Value::str("b")]), Ok(Value::Bool(true)));
    assert_eq!(get(&mut rt, &keys, "Count"), Value::Int(2), "Keys is a live view");
    // .NET reuses the freed slot: "d" enumerates where "b" was.
    call(&mut rt, &d, "Add", &[Value::str("d"), Value::Int(4)]).unwrap();
    assert_eq!(show(&mut rt, &keys), "d,a,c");
    rt.outs.clear();
    assert_eq!(
        call(&mut rt, &d, "Remove", &[Value::str("a"), Value::Null]),
        Ok(Value::Bool(true))
    );
    assert_eq!(rt.outs, vec![(1, Value::Int(1))]);
    let copy = new(&mut rt, &DICTIONARY, vec![string(), int()], std::slice::from_ref(&d));
    assert_eq!(show(&mut rt, &copy), "[d, 4],[c, 3]");
    assert_eq!(
        library::to_text_plain(&d),
        "System.Collections.Generic.Dictionary`2[System.String,System.Int32]"
    );
    assert!(library::is_instance(
        &d,
        &generic(&interfaces::IDICTIONARY, vec![string(), int()])
    ));
    assert!(library::is_instance(
        &d,
        &generic(&interfaces::IREADONLYDICTIONARY, vec![string(), int()])
    ));
    assert!(!library::is_instance(
        &d,
        &generic(&interfaces::IDICTIONARY, vec![int(), int()])
    ));
    let kv = generic(&KEY_VALUE_PAIR, vec![string(), int()]);
    assert!(library::is_instance(&d, &generic(&interfaces::IENUMERABLE, vec![kv])));
    assert_eq!(d.downcast::<Dictionary>().unwrap().entries().map(|e| e.len()), Some(2));
    call(&mut rt, &d, "Clear", &[]).unwrap();
    assert_eq!(get(&mut rt, &d, "Count"), Value::Int(0));
}

#[test]
fn case_insensitive_dictionary() {
    let mut rt = TestRt::new();
    let d = Value::obj(Dictionary::new(string(), int(), KeyCmp::IgnoreCase));
    call(&mut rt, &d, "Add", &[Value::str("Content-Type"), Value::Int(1)]).unwrap();
    assert_eq!(at(&mut rt, &d, Value::str("content-type")), Ok(Value::Int(1)));
    assert_eq!(
        kind(call(&mut rt, &d, "Add", &[Value::str("CONTENT-TYPE"), Value::Int(2)])),
        EvalErrorKind::Argument
    );
    // Copying keeps nothing of the comparer unless given one (as .NET).
    let copy = new(&mut rt, &DICTIONARY, vec![string(), int()], std::slice::from_ref(&d));
    assert_eq!(
        call(&mut rt, &copy, "ContainsKey", &[Value::str("content-type")]),
        Ok(Value::Bool(false))
    );
}

#[test]
fn hash_sets() {
    let mut rt = TestRt::new();
    let s = new(
        &mut rt,
        &HASH_SET,
        vec![int()],
        &[Array::of(int(), ints(&[1, 2, 2, 3]))],
    );
    assert_eq!(get(&mut rt, &s, "Count"), Value::Int(3));
    assert_eq!(call(&mut rt, &s, "Add", &[Value::Int(3)]), Ok(Value::Bool(false)));
    assert_eq!(call(&mut rt, &s, "Add", &[Value::Int(4)]), Ok(Value::Bool(true)));
    assert_eq!(call(&mut rt, &s, "Contains", &[Value::Int(4)]), Ok(Value::Bool(true)));
    assert_eq!(call(&mut rt, &s, "Remove", &[Value::Int(1)]), Ok(Value::Bool(true)));
    assert_eq!(show(&mut rt, &s), "2,3,4");
    let other = Array::of(int(), ints(&[3, 4, 5]));
    let sub = Array::of(int(), ints(&[2, 3]));
    assert_eq!(
        call(&mut rt, &s, "Overlaps", std::slice::from_ref(&other)),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &s, "IsSupersetOf", std::slice::from_ref(&sub)),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &s, "IsProperSupersetOf", std::slice::from_ref(&sub)),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(&mut rt, &s, "IsSubsetOf", std::slice::from_ref(&sub)),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        call(&mut rt, &s, "SetEquals", &[Array::of(int(), ints(&[4, 3, 2, 2]))]),
        Ok(Value::Bool(true))
    );
    // 5 takes the slot 1 left: .NET's order after a removal.
    call(&mut rt, &s, "UnionWith", std::slice::from_ref(&other)).unwrap();
    assert_eq!(show(&mut rt, &s), "5,2,3,4");
    call(&mut rt, &s, "IntersectWith", &[Array::of(int(), ints(&[5, 3, 9]))]).unwrap();
    assert_eq!(show(&mut rt, &s), "5,3");
    call(&mut rt, &s, "SymmetricExceptWith", &[Array::of(int(), ints(&[5, 6]))]).unwrap();
    assert_eq!(show(&mut rt, &s), "3,6");
    call(&mut rt, &s, "ExceptWith", &[Array::of(int(), ints(&[3]))]).unwrap();
    assert_eq!(show(&mut rt, &s), "6");
    let gt0 = greater(&mut rt, 0);
    assert_eq!(call(&mut rt, &s, "RemoveWhere", &[gt0]), Ok(Value::Int(1)));
    assert_eq!(get(&mut rt, &s, "Count"), Value::Int(0));
    assert!(library::is_instance(&s, &generic(&interfaces::ISET, vec![int()])));
}

#[test]
fn queues_and_stacks() {
    let mut rt = TestRt::new();
    let q = new(&mut rt, &QUEUE, vec![string()], &[]);
    let e = call(&mut rt, &q, "Dequeue", &[]).unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (EvalErrorKind::InvalidOperation, "Queue empty.")
    );
    assert_eq!(call(&mut rt, &q, "TryDequeue", &[Value::Null]), Ok(Value::Bool(false)));
    assert_eq!(rt.outs, vec![(0, Value::Null)]);
    for s in ["a", "b", "c"] {
        call(&mut rt, &q, "Enqueue", &[Value::str(s)]).unwrap();
    }
    assert_eq!(call(&mut rt, &q, "Peek", &[]), Ok(Value::str("a")));
    assert_eq!(call(&mut rt, &q, "Dequeue", &[]), Ok(Value::str("a")));
    assert_eq!(get(&mut rt, &q, "Count"), Value::Int(2));
    assert_eq!(call(&mut rt, &q, "Contains", &[Value::str("c")]), Ok(Value::Bool(true)));
    let arr = call(&mut rt, &q, "ToArray", &[]).unwrap();
    assert_eq!(show(&mut rt, &arr), "b,c");

    let s = new(&mut rt, &STACK, vec![int()], &[Array::of(int(), ints(&[1, 2]))]);
    call(&mut rt, &s, "Push", &[Value::Int(3)]).unwrap();
    assert_eq!(show(&mut rt, &s), "3,2,1", "top first");
    let arr = call(&mut rt, &s, "ToArray", &[]).unwrap();
    assert_eq!(show(&mut rt, &arr), "3,2,1");
    assert_eq!(call(&mut rt, &s, "Pop", &[]), Ok(Value::Int(3)));
    assert_eq!(call(&mut rt, &s, "Peek", &[]), Ok(Value::Int(2)));
    rt.outs.clear();
    assert_eq!(call(&mut rt, &s, "TryPop", &[Value::Null]), Ok(Value::Bool(true)));
    assert_eq!(rt.outs, vec![(0, Value::Int(2))]);
    call(&mut rt, &s, "Clear", &[]).unwrap();
    let e = call(&mut rt, &s, "Pop", &[]).unwrap_err();
    assert_eq!(e.message, "Stack empty.");
    assert_eq!(
        library::to_text_plain(&s),
        "System.Collections.Generic.Stack`1[System.Int32]"
    );
}

#[test]
fn budget_is_charged() {
    let mut rt = TestRt::new();
    rt.max_bytes = 1000;
    let l = new(&mut rt, &LIST, vec![int()], &[]);
    let mut failed = false;
    for i in 0..1000 {
        if call(&mut rt, &l, "Add", &[Value::Int(i)]).is_err() {
            failed = true;
            break;
        }
    }
    assert!(failed, "adding past the memory cap fails");
    let mut rt = TestRt::new();
    rt.max_bytes = 1 << 20;
    let r = library::construct(&mut rt, &generic(&LIST, vec![int()]), &[Value::Int(i32::MAX)]);
    assert_eq!(kind(r), EvalErrorKind::Budget);
}
