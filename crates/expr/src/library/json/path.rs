//! JSONPath as Newtonsoft's `SelectToken`/`SelectTokens` parse it (a port
//! of its `JPath` parser: `a.b`, `a[0]`, `['a b']`, `['a','b']`, `[*]`,
//! `.*`, `..name`, `[0,2]`, `[1:3]`, `[-1:]`, `$`, filters `[?(@.x == 'y')]`
//! with `==`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `===`, `!==`, `=~ /re/i`,
//! `&&`, `||`, existence `[?(@.x)]`, and `$` inside filters), with its
//! `JsonException` messages; and the `Path` of a token. Evaluation is in
//! [`super::path_eval`].
//!
//! Invariant: filters nest at most [`MAX_NESTING`] deep (parsing is
//! recursive over the path text, which may come from a request).

use super::json_exception;
use super::scalar::Scalar;
use crate::error::{EvalError, EvalResult};
use crate::value::Value;

/// The deepest nesting of filters inside filters accepted.
pub const MAX_NESTING: usize = 32;

/// One step of a path.
#[derive(Debug, Clone)]
pub enum Filter {
    /// `.name` / `['name']`; `None` is `.*`.
    Field(Option<String>),
    /// `['a','b']`.
    Fields(Vec<String>),
    /// `[0]`; `None` is `[*]`.
    Index(Option<i32>),
    /// `[0,1]`.
    Indexes(Vec<i32>),
    /// `[start:end:step]`.
    Slice(Option<i32>, Option<i32>, Option<i32>),
    /// `..name`; `None` is `..*`.
    Scan(Option<String>),
    /// `..['a','b']`.
    ScanMany(Vec<String>),
    /// `[?(…)]`.
    Query(Box<Expr>),
    /// `..[?(…)]`.
    QueryScan(Box<Expr>),
    /// `$` inside a filter.
    Root,
}

/// A filter expression.
#[derive(Debug, Clone)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Test(Op, Side, Option<Side>),
}

/// One side of a comparison.
#[derive(Debug, Clone)]
pub enum Side {
    Path(Vec<Filter>),
    Value(Scalar),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Exists,
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    Regex,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Parses a path (Newtonsoft's `JPath` constructor).
pub fn parse(path: &str) -> EvalResult<Vec<Filter>> {
    let mut p = Parser {
        s: path.chars().collect(),
        i: 0,
        nesting: 0,
    };
    p.main()
}

struct Parser {
    s: Vec<char>,
    i: usize,
    nesting: usize,
}

fn unexpected(what: &str, c: char) -> EvalError {
    json_exception(format!("{what}{c}"))
}

impl Parser {
    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn cur(&self) -> EvalResult<char> {
        self.at(self.i)
            .ok_or_else(|| json_exception("Path ended with open query."))
    }

    fn ensure(&self, message: &str) -> EvalResult<char> {
        self.at(self.i).ok_or_else(|| json_exception(message))
    }

    fn eat_whitespace(&mut self) {
        while self.at(self.i) == Some(' ') {
            self.i += 1;
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.s[from..to].iter().collect()
    }

    fn main(&mut self) -> EvalResult<Vec<Filter>> {
        let mut start = self.i;
        self.eat_whitespace();
        if self.i == self.s.len() {
            return Ok(Vec::new());
        }
        if self.at(self.i) == Some('$') {
            if self.s.len() == 1 {
                return Ok(Vec::new());
            }
            if matches!(self.at(self.i + 1), Some('.' | '[')) {
                self.i += 1;
                start = self.i;
            }
        }
        let mut filters = Vec::new();
        if !self.path(&mut filters, start, false)? {
            let last = self.i;
            self.eat_whitespace();
            if self.i < self.s.len() {
                return Err(unexpected("Unexpected character while parsing path: ", self.s[last]));
            }
        }
        Ok(filters)
    }

    fn member(&self, from: usize, to: usize, scan: bool, trim: bool) -> Filter {
        let mut m = self.text(from, to);
        if trim {
            m.truncate(m.trim_end().len());
        }
        let name = if m == "*" { None } else { Some(m) };
        if scan {
            Filter::Scan(name)
        } else {
            Filter::Field(name)
        }
    }

    /// `ParsePath`: true when it stopped at the end of the text.
    fn path(&mut self, filters: &mut Vec<Filter>, mut start: usize, query: bool) -> EvalResult<bool> {
        let (mut scan, mut following_indexer, mut following_dot) = (false, false, false);
        while let Some(c) = self.at(self.i) {
            match c {
                '[' | '(' => {
                    if self.i > start {
                        filters.push(self.member(start, self.i, scan, false));
                        scan = false;
                    }
                    filters.push(self.indexer(c, scan)?);
                    scan = false;
                    self.i += 1;
                    start = self.i;
                    following_indexer = true;
                    following_dot = false;
                }
                ']' | ')' | ' ' => break,
                '.' => {
                    if self.i > start {
                        filters.push(self.member(start, self.i, scan, false));
                        scan = false;
                    }
                    if self.at(self.i + 1) == Some('.') {
                        scan = true;
                        self.i += 1;
                    }
                    self.i += 1;
                    start = self.i;
                    following_indexer = false;
                    following_dot = true;
                }
                c if query && matches!(c, '=' | '<' | '!' | '>' | '|' | '&') => break,
                c => {
                    if following_indexer {
                        return Err(unexpected("Unexpected character following indexer: ", c));
                    }
                    self.i += 1;
                }
            }
        }
        let at_end = self.i == self.s.len();
        if self.i > start {
            filters.push(self.member(start, self.i, scan, true));
        } else if following_dot && (at_end || query) {
            return Err(json_exception("Unexpected end while parsing path."));
        }
        Ok(at_end)
    }

    fn indexer(&mut self, open: char, scan: bool) -> EvalResult<Filter> {
        self.i += 1;
        let close = if open == '[' { ']' } else { ')' };
        self.ensure("Path ended with open indexer.")?;
        self.eat_whitespace();
        match self.ensure("Path ended with open indexer.")? {
            '\'' => self.quoted_field(close, scan),
            '?' => self.query(close, scan),
            _ => self.array_indexer(close),
        }
    }

    fn quoted_field(&mut self, close: char, scan: bool) -> EvalResult<Filter> {
        let mut fields: Option<Vec<String>> = None;
        while self.i < self.s.len() {
            let field = self.quoted_string()?;
            self.eat_whitespace();
            let c = self.ensure("Path ended with open indexer.")?;
            if c == close {
                return Ok(match (fields, scan) {
                    (Some(mut f), true) => {
                        f.push(field);
                        Filter::ScanMany(f)
                    }
                    (Some(mut f), false) => {
                        f.push(field);
                        Filter::Fields(f)
                    }
                    (None, true) => Filter::Scan(Some(field)),
                    (None, false) => Filter::Field(Some(field)),
                });
            } else if c == ',' {
                self.i += 1;
                self.eat_whitespace();
                fields.get_or_insert_with(Vec::new).push(field);
            } else {
                return Err(unexpected("Unexpected character while parsing path indexer: ", c));
            }
        }
        Err(json_exception("Path ended with open indexer."))
    }

    fn quoted_string(&mut self) -> EvalResult<String> {
        let mut out = String::new();
        self.i += 1;
        while let Some(c) = self.at(self.i) {
            if c == '\\' && self.i + 1 < self.s.len() {
                self.i += 1;
                let e = self.s[self.i];
                out.push(match e {
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'f' => '\u{c}',
                    'r' => '\r',
                    '\\' | '"' | '\'' | '/' => e,
                    _ => return Err(unexpected("Unknown escape character: \\", e)),
                });
                self.i += 1;
            } else if c == '\'' {
                self.i += 1;
                return Ok(out);
            } else {
                out.push(c);
                self.i += 1;
            }
        }
        Err(json_exception("Path ended with open indexer."))
    }

    fn number(&self, from: usize, to: usize) -> EvalResult<i32> {
        let t = self.text(from, to);
        t.trim().parse::<i32>().map_err(|_| {
            crate::error::EvalError::new(
                crate::error::EvalErrorKind::Format,
                format!("The input string '{t}' was not in a correct format."),
            )
        })
    }

    fn array_indexer(&mut self, close: char) -> EvalResult<Filter> {
        let mut start = self.i;
        let mut end: Option<usize> = None;
        let mut indexes: Option<Vec<i32>> = None;
        let mut colons = 0;
        let (mut first, mut second, mut step) = (None, None, None);
        while let Some(c) = self.at(self.i) {
            if c == ' ' {
                end = Some(self.i);
                self.eat_whitespace();
                continue;
            }
            if c == close {
                let stop = end.unwrap_or(self.i);
                let len = stop - start;
                if let Some(mut ix) = indexes {
                    if len == 0 {
                        return Err(json_exception("Array index expected."));
                    }
                    ix.push(self.number(start, stop)?);
                    return Ok(Filter::Indexes(ix));
                }
                if colons > 0 {
                    if len > 0 {
                        let n = self.number(start, stop)?;
                        if colons == 1 {
                            second = Some(n);
                        } else {
                            step = Some(n);
                        }
                    }
                    return Ok(Filter::Slice(first, second, step));
                }
                if len == 0 {
                    return Err(json_exception("Array index expected."));
                }
                return Ok(Filter::Index(Some(self.number(start, stop)?)));
            } else if c == ',' {
                let stop = end.unwrap_or(self.i);
                if stop == start {
                    return Err(json_exception("Array index expected."));
                }
                let n = self.number(start, stop)?;
                indexes.get_or_insert_with(Vec::new).push(n);
                self.i += 1;
                self.eat_whitespace();
                start = self.i;
                end = None;
            } else if c == '*' {
                self.i += 1;
                let c2 = self.ensure("Path ended with open indexer.")?;
                self.eat_whitespace();
                let c2 = self.at(self.i).unwrap_or(c2);
                if c2 != close {
                    return Err(unexpected("Unexpected character while parsing path indexer: ", c));
                }
                return Ok(Filter::Index(None));
            } else if c == ':' {
                let stop = end.unwrap_or(self.i);
                if stop > start {
                    let n = self.number(start, stop)?;
                    match colons {
                        0 => first = Some(n),
                        1 => second = Some(n),
                        _ => step = Some(n),
                    }
                }
                colons += 1;
                self.i += 1;
                self.eat_whitespace();
                start = self.i;
                end = None;
            } else if !c.is_ascii_digit() && c != '-' {
                return Err(unexpected("Unexpected character while parsing path indexer: ", c));
            } else {
                if end.is_some() {
                    return Err(unexpected("Unexpected character while parsing path indexer: ", c));
                }
                self.i += 1;
            }
        }
        Err(json_exception("Path ended with open indexer."))
    }

    fn query(&mut self, close: char, scan: bool) -> EvalResult<Filter> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(json_exception("Path filters nested too deeply."));
        }
        self.i += 1;
        let c = self.ensure("Path ended with open indexer.")?;
        if c != '(' {
            return Err(unexpected("Unexpected character while parsing path indexer: ", c));
        }
        self.i += 1;
        let expr = self.expression()?;
        self.i += 1;
        self.ensure("Path ended with open indexer.")?;
        self.eat_whitespace();
        let c = self.ensure("Path ended with open indexer.")?;
        if c != close {
            return Err(unexpected("Unexpected character while parsing path indexer: ", c));
        }
        self.nesting -= 1;
        Ok(if scan {
            Filter::QueryScan(Box::new(expr))
        } else {
            Filter::Query(Box::new(expr))
        })
    }

    /// `ParseExpression`, with Newtonsoft's grouping of `&&` and `||`.
    fn expression(&mut self) -> EvalResult<Expr> {
        // The composite chain: each entry is (is_and, members); an entry's
        // last member may be the next entry (Newtonsoft nests them).
        let mut chain: Vec<(bool, Vec<Expr>)> = Vec::new();
        while self.i < self.s.len() {
            let left = self.side()?;
            let c = self.cur()?;
            let (op, right) = if matches!(c, ')' | '|' | '&') {
                (Op::Exists, None)
            } else {
                let op = self.operator()?;
                (op, Some(self.side()?))
            };
            let test = Expr::Test(op, left, right);
            let c = self.cur()?;
            if c == ')' {
                return Ok(match chain.last_mut() {
                    None => test,
                    Some(last) => {
                        last.1.push(test);
                        fold(chain)
                    }
                });
            }
            let is_and = c == '&';
            if !self.matches(if is_and { "&&" } else { "||" }) {
                return Err(unexpected("Unexpected character while parsing path query: ", c));
            }
            if chain.last().is_none_or(|l| l.0 != is_and) {
                chain.push((is_and, Vec::new()));
            }
            if let Some(last) = chain.last_mut() {
                last.1.push(test);
            }
        }
        Err(json_exception("Path ended with open query."))
    }

    fn matches(&mut self, s: &str) -> bool {
        let mut j = self.i;
        for c in s.chars() {
            if self.at(j) != Some(c) {
                return false;
            }
            j += 1;
        }
        self.i = j;
        true
    }

    fn operator(&mut self) -> EvalResult<Op> {
        if self.i + 1 >= self.s.len() {
            return Err(json_exception("Path ended with open query."));
        }
        let table = [
            ("===", Op::StrictEq),
            ("==", Op::Eq),
            ("=~", Op::Regex),
            ("!==", Op::StrictNe),
            ("!=", Op::Ne),
            ("<>", Op::Ne),
            ("<=", Op::Le),
            ("<", Op::Lt),
            (">=", Op::Ge),
            (">", Op::Gt),
        ];
        for (text, op) in table {
            if self.matches(text) {
                return Ok(op);
            }
        }
        Err(json_exception("Could not read query operator."))
    }

    fn side(&mut self) -> EvalResult<Side> {
        self.eat_whitespace();
        let c = self.cur()?;
        if c == '$' || c == '@' {
            let mut filters = if c == '$' { vec![Filter::Root] } else { Vec::new() };
            self.i += 1;
            let start = self.i;
            if self.path(&mut filters, start, true)? {
                return Err(json_exception("Path ended with open query."));
            }
            self.eat_whitespace();
            self.cur()?;
            return Ok(Side::Path(filters));
        }
        if let Some(v) = self.value()? {
            self.eat_whitespace();
            self.cur()?;
            return Ok(Side::Value(v));
        }
        Err(unexpected(
            "Unexpected character while parsing path query: ",
            self.cur()?,
        ))
    }

    fn value(&mut self) -> EvalResult<Option<Scalar>> {
        let c = self.cur()?;
        if c == '\'' {
            return Ok(Some(Scalar::string(self.quoted_string()?)));
        }
        if c.is_ascii_digit() || c == '-' {
            let start = self.i;
            self.i += 1;
            while let Some(d) = self.at(self.i) {
                if d == ' ' || d == ')' {
                    let t = self.text(start, self.i);
                    let v = if t.contains(['.', 'E', 'e']) {
                        t.parse::<f64>().ok().map(Value::Double)
                    } else {
                        t.parse::<i64>().ok().map(Value::Long)
                    };
                    return Ok(v.map(Scalar::plain));
                }
                self.i += 1;
            }
            return Ok(None);
        }
        for (word, v) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            if c == word.as_bytes()[0] as char && self.matches(word) {
                return Ok(Some(Scalar::plain(v)));
            }
        }
        if c == '/' {
            return self.regex().map(Some);
        }
        Ok(None)
    }

    /// `/pattern/flags` as a string value (what `=~` takes).
    fn regex(&mut self) -> EvalResult<Scalar> {
        let start = self.i;
        self.i += 1;
        while let Some(c) = self.at(self.i) {
            if c == '\\' && self.i + 1 < self.s.len() {
                self.i += 2;
            } else if c == '/' {
                self.i += 1;
                while self.at(self.i).is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.i += 1;
                }
                return Ok(Scalar::string(self.text(start, self.i)));
            } else {
                self.i += 1;
            }
        }
        Err(json_exception("Path ended with open regex."))
    }
}

/// Newtonsoft's nesting of composite expressions: each composite was
/// appended to the previous one when created, so it is its last member.
fn fold(chain: Vec<(bool, Vec<Expr>)>) -> Expr {
    let mut acc: Option<Expr> = None;
    for (is_and, mut members) in chain.into_iter().rev() {
        if let Some(inner) = acc.take() {
            members.push(inner);
        }
        acc = Some(if is_and { Expr::And(members) } else { Expr::Or(members) });
    }
    acc.unwrap_or(Expr::And(Vec::new()))
}

/// Appends a property step to a path (`a`, `.b`, or `['c d']` for names
/// with special characters), as Newtonsoft's `JsonPosition` writes it.
pub fn push_property(path: &mut String, name: &str) {
    const SPECIAL: &[char] = &[
        '.', ' ', '\'', '/', '"', '[', ']', '(', ')', '\t', '\n', '\r', '\u{c}', '\u{8}', '\\', '\u{85}', '\u{2028}',
        '\u{2029}',
    ];
    if name.contains(SPECIAL) {
        path.push_str("['");
        for c in name.chars() {
            match c {
                '\'' => path.push_str("\\'"),
                '\\' => path.push_str("\\\\"),
                '\n' => path.push_str("\\n"),
                '\r' => path.push_str("\\r"),
                '\t' => path.push_str("\\t"),
                '\u{8}' => path.push_str("\\b"),
                '\u{c}' => path.push_str("\\f"),
                c if (c as u32) < 0x20 || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') => {
                    path.push_str(&format!("\\u{:04x}", c as u32));
                }
                c => path.push(c),
            }
        }
        path.push_str("']");
    } else {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(name);
    }
}
