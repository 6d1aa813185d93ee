//! `System.Text.RegularExpressions.Regex` and `RegexOptions`, on the
//! `regex` crate: .NET patterns are translated ([`translate`]) to an
//! engine without backtracking, so no pattern or input can make a match
//! take more than linear time (the .NET features that need backtracking
//! are refused at construction with an `ArgumentException` naming them;
//! see [`translate`]'s doc for the list and the other differences).
//!
//! Options: `IgnoreCase`, `Multiline`, `Singleline`,
//! `IgnorePatternWhitespace`, `ExplicitCapture`, `ECMAScript` (ASCII
//! `\d\w\s`) are honoured; `Compiled`, `CultureInvariant` and
//! `NonBacktracking` change nothing (the engine never backtracks);
//! `RightToLeft` is refused (`NotSupportedException`). Match timeouts are
//! accepted and ignored: matching is linear.
//!
//! Compiled regexes are cached per thread, keyed by pattern and options,
//! 64 entries, least recently used evicted (a small map rather than a
//! crate: eviction scans 64 entries only on a miss with a full cache).
//! `Regex.Escape` is not allowed by APIM: it is in no table, so the
//! checker refuses it.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::text::args::{self, no_overload, null_arg, out_of_range};
use crate::library::text::utf16;
use crate::library::to_text;
use crate::runtime::Runtime;
use crate::types::{m, Apim, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

pub mod collections;
pub mod matching;
pub mod replace;
pub mod translate;

use collections::MatchCollection;
use matching::{MatchData, MatchObj};
use translate::GroupDef;

const NS: &str = "System.Text.RegularExpressions";

/// `RegexOptions`.
pub static REGEX_OPTIONS: TypeDef = TypeDef {
    name: "RegexOptions",
    namespace: NS,
    kind: TypeKind::Enum,
    flags: true,
    enum_values: &[
        ("None", 0),
        ("IgnoreCase", 1),
        ("Multiline", 2),
        ("ExplicitCapture", 4),
        ("Compiled", 8),
        ("Singleline", 16),
        ("IgnorePatternWhitespace", 32),
        ("RightToLeft", 64),
        ("ECMAScript", 256),
        ("CultureInvariant", 512),
        ("NonBacktracking", 1024),
    ],
    ..TypeDef::EMPTY
};

/// `Regex`.
pub static REGEX: TypeDef = TypeDef {
    name: "Regex",
    namespace: NS,
    apim: Apim::Only(&[
        ".ctor",
        "IsMatch",
        "Match",
        "Matches",
        "Replace",
        "Unescape",
        "Split",
        "ToString",
        "Equals",
        "GetHashCode",
        "GetType",
    ]),
    statics: &[
        m("IsMatch", "bool"),
        m("Match", "Match"),
        m("Matches", "MatchCollection"),
        m("Replace", "string"),
        m("Split", "string[]"),
        m("Unescape", "string"),
    ],
    members: &[
        m("IsMatch", "bool"),
        m("Match", "Match"),
        m("Matches", "MatchCollection"),
        m("Replace", "string"),
        m("Split", "string[]"),
        m("Options", "RegexOptions"),
        m("RightToLeft", "bool"),
        m("GetGroupNames", "string[]"),
        m("GetGroupNumbers", "int[]"),
        m("GroupNameFromNumber", "string"),
        m("GroupNumberFromName", "int"),
        m("ToString", "string"),
    ],
    unimplemented: &[
        "CacheSize",
        "InfiniteMatchTimeout",
        "MatchTimeout",
        "Count",
        "EnumerateMatches",
        "EnumerateSplits",
        "CompileToAssembly",
        "ValueMatchEvaluator",
    ],
    call_static: Some(call_static),
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

/// A translated and compiled pattern.
#[derive(Debug)]
pub struct Compiled {
    pub re: regex::Regex,
    pub groups: Vec<GroupDef>,
    pub pattern: String,
    pub options: i64,
}

const CACHE_SIZE: usize = 64;
const ALL_OPTIONS: i64 = 0x7FF & !128;

#[derive(Default)]
struct Cache {
    /// By pattern: (options, compiled, last use).
    map: HashMap<String, Vec<(i64, Rc<Compiled>, u64)>>,
    len: usize,
    tick: u64,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

fn check_options(options: i64) -> EvalResult<()> {
    if options & !ALL_OPTIONS != 0 || options < 0 {
        return Err(out_of_range(
            "options",
            "Specified argument was out of the range of valid values.",
        ));
    }
    if options & 64 != 0 {
        return Err(EvalError::new(
            EvalErrorKind::NotSupported,
            "RegexOptions.RightToLeft is not supported by Outpost's regular expressions",
        ));
    }
    if options & translate::ECMASCRIPT != 0 && options & !(translate::ECMASCRIPT | 1 | 2 | 8) != 0 {
        return Err(out_of_range(
            "options",
            "Specified argument was out of the range of valid values.",
        ));
    }
    Ok(())
}

/// The compiled regex for `pattern` and `options` (cached).
pub fn compile<'a>(rt: &mut dyn Runtime<'a>, pattern: &str, options: i64) -> EvalResult<Rc<Compiled>> {
    check_options(options)?;
    let hit = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        c.tick += 1;
        let tick = c.tick;
        let e = c.map.get_mut(pattern)?.iter_mut().find(|e| e.0 == options)?;
        e.2 = tick;
        Some(e.1.clone())
    });
    if let Some(c) = hit {
        return Ok(c);
    }
    rt.charge(pattern.len() as u64 + 16)?;
    let t = translate::translate(pattern, options)?;
    let re = regex::RegexBuilder::new(&t.pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 21)
        .nest_limit(64)
        .build()
        .map_err(|e| {
            let why = match e {
                regex::Error::CompiledTooBig(_) => "The pattern is too large.".to_owned(),
                e => e.to_string().lines().last().unwrap_or("").trim().to_owned(),
            };
            EvalError::argument(format!("Invalid pattern '{pattern}'. {why}"))
        })?;
    rt.alloc(pattern.len() * 16 + 256)?;
    let compiled = Rc::new(Compiled {
        re,
        groups: t.groups,
        pattern: pattern.to_owned(),
        options,
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len >= CACHE_SIZE {
            let oldest = c
                .map
                .iter()
                .flat_map(|(k, v)| v.iter().map(move |e| (e.2, k.clone(), e.0)))
                .min_by_key(|e| e.0);
            if let Some((_, k, o)) = oldest {
                if let Some(v) = c.map.get_mut(&k) {
                    v.retain(|e| e.0 != o);
                    if v.is_empty() {
                        c.map.remove(&k);
                    }
                }
                c.len -= 1;
            }
        }
        let tick = c.tick;
        c.map
            .entry(pattern.to_owned())
            .or_default()
            .push((options, compiled.clone(), tick));
        c.len += 1;
    });
    Ok(compiled)
}

/// The first match at or after byte `start` (an unsuccessful match past
/// the end).
pub fn search<'a>(rt: &mut dyn Runtime<'a>, c: &Rc<Compiled>, input: &Rc<str>, start: usize) -> EvalResult<MatchData> {
    rt.charge(1 + (input.len().saturating_sub(start) as u64) / 32)?;
    let slots = match (start <= input.len()).then(|| c.re.captures_at(input, start)).flatten() {
        Some(caps) => (0..caps.len())
            .map(|i| caps.get(i).map(|m| (m.start(), m.end())))
            .collect(),
        None => vec![None],
    };
    Ok(MatchData::new(c.clone(), input.clone(), slots))
}

/// Where the search after match `(s, e)` starts (one char on after an
/// empty match).
fn next_start(input: &str, s: usize, e: usize) -> usize {
    if e > s {
        e
    } else {
        e + input.get(e..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8)
    }
}

/// Every match from byte `start`, at most `limit`.
fn all<'a>(
    rt: &mut dyn Runtime<'a>,
    c: &Rc<Compiled>,
    input: &Rc<str>,
    start: usize,
    limit: usize,
) -> EvalResult<Vec<Rc<MatchData>>> {
    let mut out = Vec::new();
    let mut at = start;
    while out.len() < limit && at <= input.len() {
        let m = search(rt, c, input, at)?;
        let Some((s, e)) = m.span(0) else { break };
        at = next_start(input, s, e);
        out.push(Rc::new(m));
    }
    Ok(out)
}

/// A UTF-16 `startat` argument as a byte offset.
fn start_at(input: &str, v: Option<&Value<'_>>) -> EvalResult<usize> {
    let Some(v) = v else { return Ok(0) };
    let i = args::int(v, "startat")?;
    usize::try_from(i)
        .ok()
        .and_then(|i| utf16::byte_at(input, i))
        .ok_or_else(|| {
            out_of_range(
                "startat",
                "Start index cannot be less than 0 or greater than input length.",
            )
        })
}

fn input_arg(v: &Value<'_>) -> EvalResult<Rc<str>> {
    Ok(Rc::from(args::req_str(v, "input")?))
}

/// `Replace(input, replacement | evaluator, count, startat)` on a compiled regex.
fn replace<'a>(
    rt: &mut dyn Runtime<'a>,
    c: &Rc<Compiled>,
    input: &Rc<str>,
    with: &Value<'a>,
    count: i32,
    start: usize,
) -> EvalResult<Value<'a>> {
    if count < -1 {
        return Err(out_of_range("count", "Count cannot be less than -1."));
    }
    let limit = if count < 0 { usize::MAX } else { count as usize };
    let matches = all(rt, c, input, start, limit)?;
    if matches.is_empty() {
        return args::owned(rt, input.to_string());
    }
    let pieces = match with {
        Value::Str(r) => Some(replace::parse(r, &c.groups)),
        Value::Lambda(_) => None,
        Value::Null => return Err(null_arg("replacement")),
        _ => return Err(no_overload("Replace", std::slice::from_ref(with))),
    };
    let mut meter = args::Meter::default();
    let mut out = String::with_capacity(input.len());
    let mut last = 0;
    for m in &matches {
        let (s, e) = m.span(0).unwrap_or((last, last));
        out.push_str(input.get(last..s).unwrap_or(""));
        match &pieces {
            Some(p) => replace::expand(p, m, &mut out),
            None => {
                let r = rt.invoke(with, &[Value::Obj(Rc::new(MatchObj(m.clone())))])?;
                out.push_str(&to_text(&r));
            }
        }
        last = e;
        meter.grow(rt, out.len())?;
    }
    out.push_str(input.get(last..).unwrap_or(""));
    meter.finish(rt, out)
}

/// `Split(input, count, startat)`: captured groups are included.
fn split<'a>(
    rt: &mut dyn Runtime<'a>,
    c: &Rc<Compiled>,
    input: &Rc<str>,
    count: i32,
    start: usize,
) -> EvalResult<Value<'a>> {
    if count < 0 {
        return Err(out_of_range("count", "Count cannot be less than zero."));
    }
    let limit = if count == 0 { usize::MAX } else { count as usize - 1 };
    let matches = all(rt, c, input, start, limit)?;
    let mut out: Vec<String> = Vec::with_capacity(matches.len() + 1);
    let mut last = 0;
    for m in &matches {
        let Some((s, e)) = m.span(0) else { continue };
        out.push(input.get(last..s).unwrap_or("").to_owned());
        for g in 1..m.group_count() {
            if let Some((gs, ge)) = m.span(g) {
                out.push(input.get(gs..ge).unwrap_or("").to_owned());
            }
        }
        last = e;
    }
    out.push(input.get(last..).unwrap_or("").to_owned());
    rt.alloc(input.len() + out.len() * 32)?;
    Ok(Array::strings(out))
}

fn matches_value<'a>(
    rt: &mut dyn Runtime<'a>,
    c: &Rc<Compiled>,
    input: &Rc<str>,
    start: usize,
) -> EvalResult<Value<'a>> {
    let ms = all(rt, c, input, start, usize::MAX)?;
    rt.alloc(ms.len() * 64)?;
    Ok(Value::obj(MatchCollection(
        ms.into_iter().map(|m| Value::obj(MatchObj(m))).collect(),
    )))
}

/// A `Regex` object.
#[derive(Debug)]
pub struct RegexObj(pub Rc<Compiled>);

fn options_arg(v: Option<&Value<'_>>) -> EvalResult<i64> {
    match v {
        None => Ok(0),
        Some(Value::Enum(d, x)) if d.is(&REGEX_OPTIONS) => Ok(*x),
        Some(v) => v
            .as_integer()
            .map(|i| i as i64)
            .ok_or_else(|| EvalError::cast(v.type_name(), "RegexOptions")),
    }
}

fn ctor<'a>(rt: &mut dyn Runtime<'a>, targs: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let _ = targs;
    let (p, rest) = args.split_first().ok_or_else(|| no_overload("Regex", args))?;
    if rest.len() > 2 {
        return Err(no_overload("Regex", args));
    }
    let p = args::req_str(p, "pattern")?;
    let options = options_arg(rest.first())?;
    Ok(Value::obj(RegexObj(compile(rt, p, options)?)))
}

/// The instance members, shared by the statics (which compile first).
fn run<'a>(
    rt: &mut dyn Runtime<'a>,
    c: &Rc<Compiled>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let (input, rest) = args.split_first()?;
    let input = match input_arg(input) {
        Ok(i) => i,
        Err(e) => return Some(Err(e)),
    };
    Some((|| match (name, rest) {
        ("IsMatch", [] | [_]) => {
            let start = start_at(&input, rest.first())?;
            rt.charge(1 + (input.len() as u64) / 32)?;
            Ok(Value::Bool(c.re.is_match_at(&input, start)))
        }
        ("Match", [] | [_]) => {
            let start = start_at(&input, rest.first())?;
            Ok(Value::obj(MatchObj(Rc::new(search(rt, c, &input, start)?))))
        }
        ("Match", [b, l]) => {
            // Match(input, beginning, length): search the substring only.
            let b = args::index(
                b,
                "beginning",
                "Start index cannot be less than 0 or greater than input length.",
            )?;
            let l = args::index(l, "length", "Length cannot be less than 0 or exceed input length.")?;
            let cut = utf16::cut(&input, b, b.saturating_add(l))
                .ok_or_else(|| out_of_range("length", "Length cannot be less than 0 or exceed input length."))?;
            // (A pair split by either end is left out of the searched text.)
            let sub: Rc<str> = Rc::from(input.get(cut.start..cut.end).unwrap_or(""));
            let m = search(rt, c, &sub, 0)?;
            // Positions stay relative to the whole input, as in .NET.
            let slots = m
                .slots
                .iter()
                .map(|s| s.map(|(x, y)| (x + cut.start, y + cut.start)))
                .collect();
            Ok(Value::obj(MatchObj(Rc::new(MatchData::new(
                c.clone(),
                input.clone(),
                slots,
            )))))
        }
        ("Matches", [] | [_]) => {
            let start = start_at(&input, rest.first())?;
            matches_value(rt, c, &input, start)
        }
        ("Replace", [with, more @ ..]) if more.len() <= 2 => {
            let count = more.first().map(|v| args::int(v, "count")).transpose()?.unwrap_or(-1);
            let start = start_at(&input, more.get(1))?;
            replace(rt, c, &input, with, count, start)
        }
        ("Split", [] | [_] | [_, _]) => {
            let count = rest.first().map(|v| args::int(v, "count")).transpose()?.unwrap_or(0);
            let start = start_at(&input, rest.get(1))?;
            split(rt, c, &input, count, start)
        }
        _ => Err(no_overload(name, args)),
    })())
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = targs;
    if name == "Unescape" {
        return Some(match args {
            [s] => args::req_str(s, "str").and_then(|s| {
                let u =
                    replace::unescape(s).map_err(|why| EvalError::argument(format!("Invalid pattern '{s}'. {why}")))?;
                args::owned(rt, u)
            }),
            _ => Err(no_overload(name, args)),
        });
    }
    if !matches!(name, "IsMatch" | "Match" | "Matches" | "Replace" | "Split") {
        return None;
    }
    // (input, pattern[, replacement], [options[, timeout]])
    let fixed = if name == "Replace" { 3 } else { 2 };
    if args.len() < fixed || args.len() > fixed + 2 {
        return Some(Err(no_overload(name, args)));
    }
    Some((|| {
        let pattern = args::req_str(&args[1], "pattern")?;
        let options = options_arg(args.get(fixed))?;
        let c = compile(rt, pattern, options)?;
        let mut call: Vec<Value<'a>> = vec![args[0].clone()];
        if name == "Replace" {
            call.push(args[2].clone());
        }
        run(rt, &c, name, &call).unwrap_or_else(|| Err(no_overload(name, args)))
    })())
}

impl Object for RegexObj {
    fn type_def(&self) -> &'static TypeDef {
        &REGEX
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        match name {
            "Options" => Some(Ok(Value::Enum(&REGEX_OPTIONS, self.0.options))),
            "RightToLeft" => Some(Ok(Value::Bool(false))),
            _ => None,
        }
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (this, targs);
        let c = &self.0;
        match (name, args) {
            ("ToString", []) => Some(args::owned(rt, c.pattern.clone())),
            ("GetGroupNames", []) => Some(Ok(Array::strings(c.groups.iter().map(|g| g.name.clone())))),
            ("GetGroupNumbers", []) => Some(Ok(Array::of(
                TypeRef::of(&crate::library::numbers::INT32),
                c.groups.iter().map(|g| Value::Int(g.number)).collect(),
            ))),
            ("GroupNameFromNumber", [n]) => Some(args::int(n, "i").map(|n| {
                Value::string(
                    c.groups
                        .iter()
                        .find(|g| g.number == n)
                        .map_or(String::new(), |g| g.name.clone()),
                )
            })),
            ("GroupNumberFromName", [n]) => Some(
                args::req_str(n, "name")
                    .map(|n| Value::Int(c.groups.iter().find(|g| g.name == n).map_or(-1, |g| g.number))),
            ),
            ("IsMatch" | "Match" | "Matches" | "Replace" | "Split", _) => run(rt, c, name, args),
            _ => None,
        }
    }

    fn to_text(&self) -> String {
        self.0.pattern.clone()
    }
}
