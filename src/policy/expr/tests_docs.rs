//! Keeps the "Expressions at a glance" table of docs/policies.md true: every
//! example whose result is written as code is compiled and evaluated in the
//! table's scenario (`GET /orders/42?page=2` with `X-Tier: gold`, no
//! subscription or product) and must give exactly that result.

use super::testing::FakeContext;
use super::types::{Ns, TextField, UrlKind};
use super::Expr;

const DOC: &str = include_str!("../../../docs/policies.md");

/// The table's scenario.
fn scenario() -> FakeContext {
    FakeContext::default()
        .text(TextField::RequestMethod, "GET")
        .text(TextField::UrlPath(UrlKind::Current), "/orders/42")
        .text(TextField::ApiPath, "orders")
        .text(TextField::OperationUrlTemplate, "/orders/{id}")
        .text(TextField::LastErrorReason, "HeaderNotFound")
        .header("X-Tier", "gold")
        .query("page", "2")
        .matched("id", "42")
        .without(Ns::Subscription)
        .without(Ns::Product)
}

/// The cells of a table row, split on `|` that are not escaped as `\|`.
fn cells(row: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = row.trim().trim_start_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().unwrap().push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_owned()).collect()
}

/// The first code span of a cell, when the cell starts with one.
fn code(cell: &str) -> Option<&str> {
    let rest = cell.strip_prefix('`')?;
    Some(&rest[..rest.find('`')?])
}

#[test]
fn every_example_of_the_expressions_table_gives_its_result() {
    let table = DOC
        .split("## Expressions at a glance")
        .nth(1)
        .expect("the section exists")
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2);
    let cx = scenario();
    let mut checked = 0;
    for row in table {
        let c = cells(row);
        let (Some(example), Some(result)) = (code(&c[1]), code(&c[2])) else {
            // A prose result (a new GUID, today's date): compiled only.
            let example = code(&c[1]).unwrap_or_else(|| panic!("no example in {row}"));
            Expr::compile(example).unwrap_or_else(|e| panic!("{example}: {e}"));
            continue;
        };
        let e = Expr::compile(example).unwrap_or_else(|e| panic!("{example}: {e}"));
        let got = e.eval_string(&cx).unwrap_or_else(|e| panic!("{example}: {e}"));
        assert_eq!(got, result, "{example}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} examples checked");
}
