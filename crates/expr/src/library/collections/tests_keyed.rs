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

/// Every member of every collection type and every LINQ operator, called
/// with arbitrary arguments (numbers at the edges, nulls, strings,
/// collections, lambdas that throw or return odd values): exceptions are
/// fine, panics are not.
#[test]
fn arbitrary_calls_never_panic() {
    let mut rt = TestRt::new();
    rt.max_bytes = 1 << 22;
    rt.max_steps = 1 << 22;
    let throwing = rt.lambda(|_| Err(crate::error::EvalError::argument("boom")));
    let to_bool = rt.lambda(|a| Ok(Value::Bool(a[0].as_integer().unwrap_or(0) % 2 == 0)));
    let odd = rt.lambda(|_| Ok(Value::str("not a bool")));
    let pair = rt.lambda_n(2, |a| Ok(Value::Int(a[0].as_integer().unwrap_or(0) as i32 % 3 - 1)));
    let liar = rt.lambda_n(2, |_| Ok(Value::Int(-1)));
    let args_pool: Vec<Value<'static>> = vec![
        Value::Null,
        Value::Int(0),
        Value::Int(1),
        Value::Int(-1),
        Value::Int(i32::MAX),
        Value::Int(i32::MIN),
        Value::Long(i64::MAX),
        // (Other numeric variants wait for the numbers family: its
        // placeholder `format` recurses through `Debug` for them.)
        Value::str("a"),
        Value::Double(f64::NAN),
        Array::of(int(), ints(&[3, 1, 2])),
        strs(&["x", "y"]),
        throwing,
        to_bool,
        odd,
        pair,
        liar,
    ];
    let mut seed = 7u64;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let mut defs: Vec<&'static crate::types::TypeDef> = TYPES.to_vec();
    defs.retain(|d| d.ctor.is_some());
    for round in 0..2000 {
        let d = defs[round % defs.len()];
        let targs = vec![int(); usize::from(d.generics)];
        let mut recv = match library::construct(&mut rt, &generic(d, targs), &[]) {
            Ok(v) => v,
            Err(_) => continue,
        };
        for i in 0..(round % 20) as i32 {
            for add in ["Add", "Enqueue", "Push"] {
                let _ = library::call_member(&mut rt, recv.clone(), add, &[], &[Value::Int(i % 7)]);
                let _ = library::call_member(&mut rt, recv.clone(), add, &[], &[Value::Int(i), Value::Int(i)]);
            }
        }
        if round % 3 == 0 {
            recv = Array::of(int(), ints(&[5, 4, 4, 1, 9, 0, 2, 8, 7, 6, 3, 3, 1, 2, 9, 8, 5, 4]));
        }
        for _ in 0..30 {
            let names: Vec<&str> = d
                .members
                .iter()
                .chain(ARRAY.members)
                .chain(ENUMERABLE.statics)
                .map(|m| m.name)
                .collect();
            let name = names[next(names.len())];
            let n = next(5);
            let args: Vec<Value<'static>> = (0..n).map(|_| args_pool[next(args_pool.len())].clone()).collect();
            let _ = library::call_member(&mut rt, recv.clone(), name, &[], &args);
            let _ = library::call_static(&mut rt, &ARRAY, name, &[int()], &args);
            let _ = library::call_static(&mut rt, &ENUMERABLE, name, &[int()], &args);
            let _ = library::get_member(&mut rt, recv.clone(), name);
            if let Some(k) = args.first() {
                let _ = library::index(&mut rt, recv.clone(), k.clone());
                let _ = library::set_index(&mut rt, &recv, k.clone(), args.get(1).cloned().unwrap_or(Value::Null));
            }
        }
        rt.steps = 0;
        rt.bytes = 0;
    }
}

/// Lambdas that change the collection they are called from: .NET's
/// results or exceptions, never a `RefCell` panic.
#[test]
fn reentrant_lambdas_do_not_panic() {
    let mut rt = TestRt::new();
    let l = int_list(&mut rt, &[3, 1, 2]);
    let target = l.clone();
    let cmp_adding = rt.lambda_n(2, move |a| {
        let mut inner = TestRt::new();
        call(&mut inner, &target, "Add", &[Value::Int(0)])?;
        Ok(Value::Int(
            (a[0].as_integer().unwrap_or(0) - a[1].as_integer().unwrap_or(0)) as i32,
        ))
    });
    let _ = call(&mut rt, &l, "Sort", &[cmp_adding]);
    let target = l.clone();
    let pred_adding = rt.lambda(move |_| {
        let mut inner = TestRt::new();
        call(&mut inner, &target, "Add", &[Value::Int(0)])?;
        Ok(Value::Bool(true))
    });
    let _ = call(&mut rt, &l, "RemoveAll", std::slice::from_ref(&pred_adding));
    let _ = call(&mut rt, &l, "Where", std::slice::from_ref(&pred_adding));
    let _ = call(&mut rt, &l, "Find", &[pred_adding]);
    let s = new(&mut rt, &HASH_SET, vec![int()], &[Array::of(int(), ints(&[1, 2, 3]))]);
    let target = s.clone();
    let set_adding = rt.lambda(move |a| {
        let mut inner = TestRt::new();
        call(
            &mut inner,
            &target,
            "Add",
            &[Value::Int(a[0].as_integer().unwrap_or(0) as i32 + 10)],
        )?;
        Ok(Value::Bool(true))
    });
    assert_eq!(call(&mut rt, &s, "RemoveWhere", &[set_adding]), Ok(Value::Int(3)));
    assert_eq!(get(&mut rt, &s, "Count"), Value::Int(3));
}
