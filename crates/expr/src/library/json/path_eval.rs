//! Evaluating a parsed JSONPath ([`super::path`]) over a token tree as
//! Newtonsoft's path filters do, `errorWhenNoMatch` included; and the
//! document-order walks it needs (also `Descendants()`).
//!
//! Differences from Newtonsoft (documented): comparing values of
//! incompatible types with `<`, `>`… is no match (Newtonsoft may throw a
//! `FormatException`); `=~` uses Rust's `regex` syntax (no look-around or
//! backreferences).

use std::rc::Rc;

use super::edit::out_of_range;
use super::node::{Data, Node};
use super::path::{Expr, Filter, Op, Side};
use super::scalar::Scalar;
use super::{json_exception, TokenType};
use crate::error::{EvalError, EvalResult};
use crate::runtime::Runtime;

/// Evaluates `filters` from `start` (`root` is what `$` refers to).
pub fn select(
    rt: &mut dyn Runtime<'_>,
    root: &Rc<Node>,
    start: &Rc<Node>,
    filters: &[Filter],
    error_when_no_match: bool,
) -> EvalResult<Vec<Rc<Node>>> {
    let mut current = vec![start.clone()];
    for f in filters {
        current = apply(rt, root, f, current, error_when_no_match)?;
        rt.charge(current.len() as u64 + 1)?;
    }
    Ok(current)
}

/// The descendants of `node` in document order (pre-order), optionally
/// with `node` first.
pub fn descendants(node: &Rc<Node>, with_self: bool) -> Vec<Rc<Node>> {
    let mut out = Vec::new();
    if with_self {
        out.push(node.clone());
    }
    let mut stack: Vec<Rc<Node>> = node.children().into_iter().rev().collect();
    let mut kids = Vec::new();
    while let Some(n) = stack.pop() {
        n.each_child(|c| kids.push(c.clone()));
        stack.extend(kids.drain(..).rev());
        out.push(n);
    }
    out
}

fn type_name(n: &Node) -> &'static str {
    n.type_name()
}

fn index_of(t: &Node, i: i32, err: bool) -> EvalResult<Option<Rc<Node>>> {
    match &t.data {
        Data::Array(items) | Data::Constructor(_, items) => {
            let items = items.borrow();
            if i < 0 {
                return Err(out_of_range());
            }
            match items.get(i as usize) {
                Some(v) => Ok(Some(v.clone())),
                None if err => Err(json_exception(format!(
                    "Index {i} outside the bounds of {}.",
                    type_name(t)
                ))),
                None => Ok(None),
            }
        }
        _ if err => Err(json_exception(format!("Index {i} not valid on {}.", type_name(t)))),
        _ => Ok(None),
    }
}

fn apply(
    rt: &mut dyn Runtime<'_>,
    root: &Rc<Node>,
    f: &Filter,
    current: Vec<Rc<Node>>,
    err: bool,
) -> EvalResult<Vec<Rc<Node>>> {
    let mut out = Vec::new();
    match f {
        Filter::Root => out.push(root.clone()),
        Filter::Field(name) => {
            for t in &current {
                if let Data::Object(props) = &t.data {
                    match name {
                        Some(n) => match t.get(n) {
                            Some(v) => out.push(v),
                            None if err => {
                                return Err(json_exception(format!("Property '{n}' does not exist on JObject.")))
                            }
                            None => {}
                        },
                        None => out.extend(props.borrow().iter().filter_map(|p| p.prop_value())),
                    }
                } else if err {
                    return Err(json_exception(format!(
                        "Property '{}' not valid on {}.",
                        name.as_deref().unwrap_or("*"),
                        type_name(t)
                    )));
                }
            }
        }
        Filter::Fields(names) => {
            for t in &current {
                if let Data::Object(_) = &t.data {
                    for n in names {
                        match t.get(n) {
                            Some(v) => out.push(v),
                            None if err => {
                                return Err(json_exception(format!("Property '{n}' does not exist on JObject.")))
                            }
                            None => {}
                        }
                    }
                } else if err {
                    let list: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
                    return Err(json_exception(format!(
                        "Properties {} not valid on {}.",
                        list.join(", "),
                        type_name(t)
                    )));
                }
            }
        }
        Filter::Index(Some(i)) => {
            for t in &current {
                out.extend(index_of(t, *i, err)?);
            }
        }
        Filter::Index(None) => {
            for t in &current {
                match &t.data {
                    Data::Array(items) | Data::Constructor(_, items) => out.extend(items.borrow().iter().cloned()),
                    _ if err => return Err(json_exception(format!("Index * not valid on {}.", type_name(t)))),
                    _ => {}
                }
            }
        }
        Filter::Indexes(ix) => {
            for t in &current {
                for i in ix {
                    out.extend(index_of(t, *i, err)?);
                }
            }
        }
        Filter::Slice(start, end, step) => {
            for t in &current {
                slice(t, *start, *end, *step, err, &mut out)?;
            }
        }
        Filter::Scan(name) => {
            for c in &current {
                if name.is_none() {
                    out.push(c.clone());
                }
                for d in descendants(c, false) {
                    match (&d.data, name) {
                        (Data::Property(n, v), Some(want)) if **n == **want => out.push(v.borrow().clone()),
                        (Data::Property(..), _) => {}
                        (_, None) => out.push(d.clone()),
                        _ => {}
                    }
                }
                rt.charge(out.len() as u64)?;
            }
        }
        Filter::ScanMany(names) => {
            for c in &current {
                for d in descendants(c, false) {
                    if let Data::Property(n, v) = &d.data {
                        if names.iter().any(|w| **w == **n) {
                            out.push(v.borrow().clone());
                        }
                    }
                }
            }
        }
        Filter::Query(expr) => {
            for t in &current {
                for v in t.children() {
                    if is_match(rt, root, &v, expr)? {
                        out.push(v);
                    }
                }
            }
        }
        Filter::QueryScan(expr) => {
            for t in &current {
                let candidates = if t.is_container() {
                    descendants(t, true)
                } else {
                    vec![t.clone()]
                };
                for d in candidates {
                    if is_match(rt, root, &d, expr)? {
                        out.push(d);
                    }
                }
            }
        }
    }
    Ok(out)
}

fn slice(
    t: &Node,
    start: Option<i32>,
    end: Option<i32>,
    step: Option<i32>,
    err: bool,
    out: &mut Vec<Rc<Node>>,
) -> EvalResult<()> {
    if step == Some(0) {
        return Err(json_exception("Step cannot be zero."));
    }
    let Data::Array(items) = &t.data else {
        if err {
            return Err(json_exception(format!("Array slice is not valid on {}.", type_name(t))));
        }
        return Ok(());
    };
    let items = items.borrow();
    let count = items.len() as i64;
    let step = i64::from(step.unwrap_or(1));
    let mut from = start.map_or(if step > 0 { 0 } else { count - 1 }, i64::from);
    let mut stop = end.map_or(if step > 0 { count } else { -1 }, i64::from);
    if start.is_some_and(|s| s < 0) {
        from += count;
    }
    if end.is_some_and(|e| e < 0) {
        stop += count;
    }
    from = from.max(if step > 0 { 0 } else { i64::from(i32::MIN) });
    from = from.min(if step > 0 { count } else { count - 1 });
    stop = stop.clamp(-1, count);
    let valid = |i: i64| if step > 0 { i < stop } else { i > stop };
    if valid(from) {
        let mut i = from;
        while valid(i) {
            if let Some(v) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
                out.push(v.clone());
            }
            i += step;
        }
    } else if err {
        let show = |v: Option<i32>| v.map_or("*".to_owned(), |v| v.to_string());
        return Err(json_exception(format!(
            "Array slice of {} to {} returned no results.",
            show(start),
            show(end)
        )));
    }
    Ok(())
}

/// A side's results: each a value's scalar, or `None` for a container.
fn side_results(
    rt: &mut dyn Runtime<'_>,
    root: &Rc<Node>,
    t: &Rc<Node>,
    side: &Side,
) -> EvalResult<Vec<Option<Scalar>>> {
    Ok(match side {
        Side::Value(s) => vec![Some(s.clone())],
        Side::Path(filters) => select(rt, root, t, filters, false)?
            .iter()
            .map(|n| n.scalar().map(|s| s.clone()))
            .collect(),
    })
}

fn is_match(rt: &mut dyn Runtime<'_>, root: &Rc<Node>, t: &Rc<Node>, expr: &Expr) -> EvalResult<bool> {
    match expr {
        Expr::And(members) => {
            for m in members {
                if !is_match(rt, root, t, m)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Or(members) => {
            for m in members {
                if is_match(rt, root, t, m)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::Test(op, left, right) => {
            let left = side_results(rt, root, t, left)?;
            if *op == Op::Exists || left.is_empty() {
                return Ok(!left.is_empty() && *op == Op::Exists);
            }
            let right = match right {
                Some(r) => side_results(rt, root, t, r)?,
                None => Vec::new(),
            };
            for l in &left {
                for r in &right {
                    if match_tokens(*op, l.as_ref(), r.as_ref())? {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        }
    }
}

fn match_tokens(op: Op, l: Option<&Scalar>, r: Option<&Scalar>) -> EvalResult<bool> {
    let (Some(l), Some(r)) = (l, r) else {
        return Ok(matches!(op, Op::Exists | Op::Ne));
    };
    let cmp = || l.compare_to(r);
    Ok(match op {
        Op::Exists => true,
        Op::Eq => equals_coerced(l, r),
        Op::Ne => !equals_coerced(l, r),
        Op::StrictEq => equals_strict(l, r),
        Op::StrictNe => !equals_strict(l, r),
        Op::Lt => cmp().is_some_and(|o| o.is_lt()),
        Op::Le => cmp().is_some_and(|o| o.is_le()),
        Op::Gt => cmp().is_some_and(|o| o.is_gt()),
        Op::Ge => cmp().is_some_and(|o| o.is_ge()),
        Op::Regex => regex_equals(l, r)?,
    })
}

fn int_float_mix(a: TokenType, b: TokenType) -> bool {
    matches!(
        (a, b),
        (TokenType::Integer, TokenType::Float) | (TokenType::Float, TokenType::Integer)
    )
}

/// Newtonsoft's `EqualsWithStringCoercion`.
fn equals_coerced(v: &Scalar, q: &Scalar) -> bool {
    if v.value_equals(q) {
        return true;
    }
    let (tv, tq) = (v.token_type(), q.token_type());
    if int_float_mix(tv, tq) {
        return super::scalar::compare_values(tv, &v.v, &q.v).is_some_and(|o| o.is_eq());
    }
    if tq != TokenType::String {
        return false;
    }
    let Some(query) = q.convert_to_string() else {
        return false;
    };
    let current = match (&v.v, tv) {
        (crate::value::Value::DateTime(d), TokenType::Date) => super::dates::iso_text(d.ticks, v.date_kind()),
        (crate::value::Value::DateTimeOffset(d), TokenType::Date) => {
            let mut s = String::new();
            super::dates::write_iso_offset(&mut s, d.utc.ticks, d.offset_minutes);
            s
        }
        (_, TokenType::Bytes | TokenType::Guid | TokenType::TimeSpan | TokenType::Uri) => {
            v.convert_to_string().unwrap_or_default()
        }
        _ => return false,
    };
    current == query
}

/// Newtonsoft's `EqualsWithStrictMatch`.
fn equals_strict(v: &Scalar, q: &Scalar) -> bool {
    let (tv, tq) = (v.token_type(), q.token_type());
    if int_float_mix(tv, tq) {
        return super::scalar::compare_values(tv, &v.v, &q.v).is_some_and(|o| o.is_eq());
    }
    tv == tq && v.value_equals(q)
}

/// `=~ /pattern/flags`.
fn regex_equals(input: &Scalar, pattern: &Scalar) -> EvalResult<bool> {
    if input.token_type() != TokenType::String || pattern.token_type() != TokenType::String {
        return Ok(false);
    }
    let (Some(text), Some(p)) = (input.convert_to_string(), pattern.convert_to_string()) else {
        return Ok(false);
    };
    let Some(last) = p.rfind('/').filter(|&i| i > 0) else {
        return Ok(false);
    };
    let (body, flags) = (&p[1..last], &p[last + 1..]);
    let re = regex::RegexBuilder::new(body)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        .ignore_whitespace(flags.contains('x'))
        .size_limit(1 << 20)
        .build()
        .map_err(|e| EvalError::argument(format!("Invalid pattern '{body}': {e}")))?;
    Ok(re.is_match(&text))
}
