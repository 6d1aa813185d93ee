//! Regex and its results; random inputs that must not panic.

use super::*;

fn groups(rt: &mut TestRt, m: &Value<'static>, key: Value<'static>) -> Value<'static> {
    let g = get(rt, m.clone(), "Groups");
    index(rt, g, key).unwrap().unwrap()
}

#[test]
fn regex_matching() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    let m = st(
        r,
        &REGEX,
        "Match",
        &[s("public, max-age=60"), s(r"max-age=(?<maxAge>\d+)")],
    )
    .unwrap();
    assert_eq!(txt(Ok(get(r, m.clone(), "Success"))), "True");
    assert_eq!(txt(Ok(get(r, m.clone(), "Index"))), "8");
    let g = groups(r, &m, s("maxAge"));
    assert_eq!(txt(Ok(get(r, g.clone(), "Value"))), "60");
    assert_eq!(txt(Ok(get(r, g, "Name"))), "maxAge");
    let g1 = groups(r, &m, Value::Int(1));
    assert_eq!(txt(Ok(get(r, g1, "Value"))), "60");
    let missing = groups(r, &m, s("nope"));
    assert_eq!(txt(Ok(get(r, missing.clone(), "Success"))), "False");
    assert_eq!(txt(Ok(get(r, missing, "Value"))), "");
    let none = st(r, &REGEX, "Match", &[s("abc"), s(r"\d")]).unwrap();
    assert_eq!(txt(Ok(get(r, none.clone(), "Success"))), "False");
    assert_eq!(txt(Ok(get(r, none, "Value"))), "");
    // UTF-16 positions.
    let m = st(r, &REGEX, "Match", &[s("😀é-x"), s("x")]).unwrap();
    assert_eq!(txt(Ok(get(r, m, "Index"))), "4");
    // Options.
    let ic = e(&REGEX_OPTIONS, "IgnoreCase");
    assert_eq!(txt(st(r, &REGEX, "IsMatch", &[s("HELLO"), s("^hello$"), ic])), "True");
    assert_eq!(txt(st(r, &REGEX, "IsMatch", &[s("HELLO"), s("(?i)^hello$")])), "True");
    // Matches, NextMatch.
    let ms = st(r, &REGEX, "Matches", &[s("a1b22c333"), s(r"\d+")]).unwrap();
    assert_eq!(txt(Ok(get(r, ms.clone(), "Count"))), "3");
    let third = index(r, ms.clone(), Value::Int(2)).unwrap().unwrap();
    assert_eq!(txt(Ok(get(r, third, "Value"))), "333");
    let first = index(r, ms, Value::Int(0)).unwrap().unwrap();
    let second = call(r, first, "NextMatch", &[]).unwrap();
    assert_eq!(txt(Ok(get(r, second, "Value"))), "22");
    let empties = st(r, &REGEX, "Matches", &[s("aab"), s("a*")]).unwrap();
    assert_eq!(txt(Ok(get(r, empties, "Count"))), "3");
    // Result and Captures.
    let m = st(r, &REGEX, "Match", &[s("John Smith"), s(r"(\w+) (\w+)")]).unwrap();
    assert_eq!(txt(call(r, m.clone(), "Result", &[s("$2, $1")])), "Smith, John");
    let caps = get(r, m.clone(), "Captures");
    assert_eq!(txt(Ok(get(r, caps, "Count"))), "1");
    let gs = get(r, m, "Groups");
    assert_eq!(txt(Ok(get(r, gs, "Count"))), "3");
    let empty = get_static(r, &crate::library::text::regex::matching::MATCH, "Empty")
        .unwrap()
        .unwrap();
    assert_eq!(txt(Ok(get(r, empty, "Success"))), "False");
}

#[test]
fn regex_replace_split_and_refusals() {
    let mut rt = TestRt::new();
    let r = &mut rt;
    assert_eq!(
        txt(st(
            r,
            &REGEX,
            "Replace",
            &[s("2024-01-02"), s(r"(\d+)-(\d+)-(\d+)"), s("$3/$2/$1")]
        )),
        "02/01/2024"
    );
    assert_eq!(
        txt(st(r, &REGEX, "Replace", &[s("a b"), s(r"(?<w>\w)"), s("[${w}]")])),
        "[a] [b]"
    );
    assert_eq!(txt(st(r, &REGEX, "Replace", &[s("a.b"), s(r"\."), s("$$")])), "a$b");
    let upper = r.lambda(|args| {
        let v = crate::library::get_member(&mut TestRt::new(), args[0].clone(), "Value").unwrap()?;
        Ok(Value::string(to_text_plain(&v).to_uppercase()))
    });
    assert_eq!(txt(st(r, &REGEX, "Replace", &[s("ab cd"), s(r"\w+"), upper])), "AB CD");
    let re = construct(r, &TypeRef::of(&REGEX), &[s("x")]).unwrap();
    assert_eq!(
        txt(call(r, re.clone(), "Replace", &[s("xxx"), s("y"), Value::Int(2)])),
        "yyx"
    );
    assert_eq!(txt(call(r, re.clone(), "ToString", &[])), "x");
    let v = call(r, re, "Split", &[s("axbxc")]).unwrap();
    assert_eq!(strings(&v), ["a", "b", "c"]);
    let v = st(r, &REGEX, "Split", &[s("a1b2c"), s(r"(\d)")]).unwrap();
    assert_eq!(strings(&v), ["a", "1", "b", "2", "c"]);
    assert_eq!(txt(st(r, &REGEX, "Unescape", &[s(r"a\.b\t")])), "a.b\t");
    for (p, what) in [
        (r"(a)\1", "backreference"),
        (r"(?=x)", "Lookahead"),
        (r"(?<=x)", "Lookbehind"),
        (r"(?>x)", "atomic"),
        (r"(?(x)a|b)", "conditional"),
    ] {
        let err = st(r, &REGEX, "IsMatch", &[s("x"), s(p)]).unwrap_err();
        assert_eq!(err.kind, EvalErrorKind::Argument);
        assert!(
            err.message.contains(what) && err.message.contains("no backtracking"),
            "{}",
            err.message
        );
    }
    assert_eq!(
        kind(st(r, &REGEX, "IsMatch", &[s("x"), s("(")])),
        EvalErrorKind::Argument
    );
    let rtl = e(&REGEX_OPTIONS, "RightToLeft");
    assert_eq!(
        kind(construct(r, &TypeRef::of(&REGEX), &[s("x"), rtl])),
        EvalErrorKind::NotSupported
    );
    assert!(call_static(r, &REGEX, "Escape", &[], &[s("x")]).is_none());
    // A pathological pattern for backtracking engines is linear here.
    let input = Value::string("a".repeat(5000) + "!");
    assert_eq!(txt(st(r, &REGEX, "IsMatch", &[input, s(r"^(a+)+$")])), "False");
}

/// Random patterns, inputs and indices: errors are fine, panics are not.
#[test]
fn no_panic_on_random_input() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let alphabet: Vec<char> = r"ab01 ()[]{}\\^$.|*+?-:<>'=!#,&~dwsbBpPkuxc^é😀".chars().collect();
    let mut rt = TestRt::new();
    for _ in 0..3000 {
        let n = rng.gen_range(0..12);
        let p: String = (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())]).collect();
        let input: String = (0..rng.gen_range(0..8))
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        let input = Value::string(input);
        let opts = Value::Enum(&REGEX_OPTIONS, [0, 1, 4, 32, 256, 2 | 16][rng.gen_range(0..6)]);
        let pv = Value::string(p);
        for name in ["IsMatch", "Matches", "Split"] {
            let _ = call_static(&mut rt, &REGEX, name, &[], &[input.clone(), pv.clone(), opts.clone()]);
        }
        let _ = call_static(
            &mut rt,
            &REGEX,
            "Replace",
            &[],
            &[input.clone(), pv.clone(), s("$1${x}$&$`$'$+$_$$")],
        );
        let _ = call_static(&mut rt, &REGEX, "Unescape", &[], std::slice::from_ref(&pv));
        let _ = call_static(&mut rt, &STRING, "Format", &[], &[pv.clone(), input.clone()]);
        let i = Value::Int(rng.gen_range(-2..10));
        let j = Value::Int(rng.gen_range(-2..10));
        for name in [
            "Substring",
            "Remove",
            "IndexOf",
            "LastIndexOf",
            "Insert",
            "PadLeft",
            "ToCharArray",
        ] {
            let _ = call_member(&mut rt, input.clone(), name, &[], &[i.clone(), j.clone()]);
            let _ = call_member(&mut rt, input.clone(), name, &[], std::slice::from_ref(&i));
        }
        let _ = call_member(
            &mut rt,
            input.clone(),
            "IndexOf",
            &[],
            &[pv.clone(), i.clone(), j.clone()],
        );
        let _ = call_member(
            &mut rt,
            input.clone(),
            "LastIndexOf",
            &[],
            &[pv.clone(), i.clone(), j.clone()],
        );
        let _ = call_member(&mut rt, input.clone(), "Insert", &[], &[i.clone(), pv.clone()]);
        let _ = index(&mut rt, input.clone(), i.clone());
        let sb = construct(&mut rt, &TypeRef::of(&STRING_BUILDER), std::slice::from_ref(&input)).unwrap();
        let _ = call(&mut rt, sb.clone(), "Insert", &[i.clone(), pv.clone()]);
        let _ = call(&mut rt, sb.clone(), "Remove", &[i.clone(), j.clone()]);
        let _ = call(
            &mut rt,
            sb.clone(),
            "Replace",
            &[pv.clone(), s("x"), i.clone(), j.clone()],
        );
        let _ = set_index(&mut rt, &sb, i.clone(), Value::Char('z'));
        let _ = set_member(&mut rt, &sb, "Length", j.clone());
        let _ = call(&mut rt, sb, "ToString", &[i.clone(), j.clone()]);
        let _ = crate::library::text::compare_invariant(pv.as_str().unwrap_or(""), input.as_str().unwrap_or(""));
    }
}
