//! Translation of a .NET regular expression to the `regex` crate's
//! syntax, and .NET's group numbering.
//!
//! Every capturing group becomes a plain `(…)` of the crate (named groups
//! too: names live in [`Translated::groups`], so .NET names the crate
//! would refuse still work); .NET numbers unnamed groups first, left to
//! right, then named ones. `IgnorePatternWhitespace` (`x`) and
//! `ExplicitCapture` (`n`) are applied here, by scope (inline
//! `(?x)`/`(?n:…)` included), so the crate never sees them; `i`, `m`, `s`
//! pass through. `RegexOptions.ECMAScript` makes `\d`, `\w`, `\s` ASCII.
//!
//! Refused with `ArgumentException` ("… is not supported by Outpost's
//! regular expressions (no backtracking)"): backreferences (`\1`,
//! `\k<name>`), lookahead and lookbehind (`(?=`, `(?!`, `(?<=`, `(?<!`),
//! atomic groups `(?>…)`, possessive quantifiers, balancing groups
//! `(?<a-b>…)`, conditionals `(?(…)…|…)`, `\G`.
//!
//! Known differences: `$` (without `Multiline`) and `\Z` match only at
//! the very end of the input (.NET also matches before a final `\n`);
//! `\w` and `\b` follow Unicode's word definition (.NET's differs in a
//! few categories); `\p{IsGreek}`-style block names are refused by the
//! crate; character class subtraction `[a-z-[aeiou]]` becomes the
//! crate's `--`.

use crate::error::{EvalError, EvalResult};

/// A group as .NET sees it.
#[derive(Debug, Clone)]
pub struct GroupDef {
    pub number: i32,
    pub name: String,
    /// The crate's capture indices that fill it (several when a name is
    /// used twice; the last one that matched wins).
    pub slots: Vec<usize>,
}

/// A translated pattern.
#[derive(Debug)]
pub struct Translated {
    pub pattern: String,
    /// Sorted by number; `groups[0]` is group 0, the whole match.
    pub groups: Vec<GroupDef>,
}

pub const IGNORE_CASE: i64 = 1;
pub const MULTILINE: i64 = 2;
pub const EXPLICIT_CAPTURE: i64 = 4;
pub const SINGLELINE: i64 = 16;
pub const IGNORE_WHITESPACE: i64 = 32;
pub const ECMASCRIPT: i64 = 256;

#[derive(Debug, Clone, Copy)]
struct Flags {
    x: bool,
    n: bool,
}

/// A capture as written: its name (`None`: unnamed).
struct Cap {
    name: Option<String>,
}

struct Tr<'p> {
    p: &'p [char],
    i: usize,
    out: String,
    flags: Flags,
    stack: Vec<Flags>,
    caps: Vec<Cap>,
    ecma: bool,
    pattern: &'p str,
}

fn unsupported(what: &str) -> EvalError {
    EvalError::argument(format!(
        "{what} is not supported by Outpost's regular expressions (no backtracking)"
    ))
}

const MAX_CLASS_DEPTH: usize = 16;

impl Tr<'_> {
    fn bad(&self, why: &str) -> EvalError {
        EvalError::argument(format!(
            "Invalid pattern '{}' at offset {}. {why}",
            self.pattern, self.i
        ))
    }

    fn peek(&self, k: usize) -> Option<char> {
        self.p.get(self.i + k).copied()
    }

    fn lit(&mut self, c: char, in_class: bool) {
        let special = if in_class {
            matches!(c, '[' | ']' | '\\' | '^' | '-' | '&' | '~')
        } else {
            regex_syntax::is_meta_character(c)
        };
        if special {
            self.out.push('\\');
        }
        self.out.push(c);
    }

    fn hex(&mut self, c: u32) {
        self.out.push_str(&format!("\\x{{{c:X}}}"));
    }

    fn run(&mut self) -> EvalResult<()> {
        while let Some(c) = self.peek(0) {
            if self.flags.x && c.is_whitespace() {
                self.i += 1;
                continue;
            }
            if self.flags.x && c == '#' {
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
                continue;
            }
            match c {
                '\\' => self.escape(false)?,
                '[' => self.class(0)?,
                '(' => self.group()?,
                ')' => {
                    self.flags = self.stack.pop().ok_or_else(|| self.bad("Too many )'s."))?;
                    self.out.push(')');
                    self.i += 1;
                }
                '{' => self.brace()?,
                '*' | '+' | '?' => {
                    self.out.push(c);
                    self.i += 1;
                    self.after_quantifier()?;
                }
                '}' => {
                    self.out.push_str("\\}");
                    self.i += 1;
                }
                '.' | '^' | '$' | '|' => {
                    self.out.push(c);
                    self.i += 1;
                }
                c => {
                    self.lit(c, false);
                    self.i += 1;
                }
            }
        }
        if !self.stack.is_empty() {
            return Err(self.bad("Not enough )'s."));
        }
        Ok(())
    }

    fn after_quantifier(&mut self) -> EvalResult<()> {
        match self.peek(0) {
            Some('+') => Err(unsupported("A possessive quantifier")),
            Some('?') => {
                self.out.push('?');
                self.i += 1;
                if matches!(self.peek(0), Some('*' | '+' | '?')) {
                    return Err(self.bad("Nested quantifier."));
                }
                Ok(())
            }
            Some('*') => Err(self.bad("Nested quantifier '*'.")),
            _ => Ok(()),
        }
    }

    /// `{n}`, `{n,}`, `{n,m}` are quantifiers; any other `{` is literal.
    fn brace(&mut self) -> EvalResult<()> {
        let mut j = self.i + 1;
        let digits = |j: &mut usize| {
            let s = *j;
            while self.p.get(*j).is_some_and(char::is_ascii_digit) {
                *j += 1;
            }
            *j > s
        };
        let ok = digits(&mut j) && {
            if self.p.get(j) == Some(&',') {
                j += 1;
                digits(&mut j);
            }
            self.p.get(j) == Some(&'}')
        };
        if !ok {
            self.out.push_str("\\{");
            self.i += 1;
            return Ok(());
        }
        let q: String = self.p[self.i..=j].iter().collect();
        self.out.push_str(&q);
        self.i = j + 1;
        self.after_quantifier()
    }

    fn escape(&mut self, in_class: bool) -> EvalResult<()> {
        self.i += 1;
        let Some(d) = self.peek(0) else {
            return Err(self.bad("Illegal \\ at end of pattern."));
        };
        self.i += 1;
        match d {
            'd' | 'D' | 'w' | 'W' | 's' | 'S' if self.ecma => {
                let set = match d.to_ascii_lowercase() {
                    'd' => "0-9",
                    'w' => "a-zA-Z0-9_",
                    _ => " \\f\\n\\r\\t\\v",
                };
                let neg = if d.is_ascii_uppercase() { "^" } else { "" };
                self.out.push_str(&format!("[{neg}{set}]"));
            }
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                self.out.push('\\');
                self.out.push(d);
            }
            'b' if in_class => self.hex(8),
            'b' | 'B' | 'A' | 'z' => {
                self.out.push('\\');
                self.out.push(d);
            }
            'Z' => self.out.push_str("\\z"),
            'G' => return Err(unsupported("\\G (contiguous matches)")),
            'k' => return Err(unsupported("A backreference (\\k<name>)")),
            '1'..='9' if !in_class => return Err(unsupported("A backreference (\\1)")),
            '0'..='7' => {
                let mut v = d.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 {
                    match self.peek(0).and_then(|c| c.to_digit(8)) {
                        Some(x) => {
                            v = v * 8 + x;
                            self.i += 1;
                            n += 1;
                        }
                        None => break,
                    }
                }
                self.hex(v & 0xFF);
            }
            'p' | 'P' => {
                if self.peek(0) != Some('{') {
                    return Err(self.bad("Incomplete \\p{X} character escape."));
                }
                let end = self.p[self.i..]
                    .iter()
                    .position(|c| *c == '}')
                    .ok_or_else(|| self.bad("Incomplete \\p{X} character escape."))?;
                let name: String = self.p[self.i + 1..self.i + end].iter().collect();
                self.i += end + 1;
                self.out.push_str(&format!("\\{d}{{{name}}}"));
            }
            'u' | 'x' => {
                let n = if d == 'u' { 4 } else { 2 };
                let digits: String = self.p.get(self.i..self.i + n).unwrap_or(&[]).iter().collect();
                let v = u32::from_str_radix(&digits, 16)
                    .ok()
                    .filter(|_| digits.len() == n && digits.chars().all(|c| c.is_ascii_hexdigit()))
                    .ok_or_else(|| self.bad("Insufficient hex digits."))?;
                self.i += n;
                if (0xD800..0xE000).contains(&v) {
                    return Err(unsupported("A surrogate escape (\\uD800-\\uDFFF)"));
                }
                self.hex(v);
            }
            'c' => {
                let c = self
                    .peek(0)
                    .filter(char::is_ascii_alphabetic)
                    .ok_or_else(|| self.bad("Missing control character."))?;
                self.i += 1;
                self.hex(c.to_ascii_uppercase() as u32 & 0x1F);
            }
            'a' => self.hex(7),
            'e' => self.hex(0x1B),
            'f' => self.hex(0x0C),
            'n' => self.hex(0x0A),
            'r' => self.hex(0x0D),
            't' => self.hex(0x09),
            'v' => self.hex(0x0B),
            c if c.is_alphanumeric() || c == '_' => {
                return Err(self.bad(&format!("Unrecognized escape sequence \\{c}.")));
            }
            c => self.lit(c, in_class),
        }
        Ok(())
    }

    fn class(&mut self, depth: usize) -> EvalResult<()> {
        if depth > MAX_CLASS_DEPTH {
            return Err(self.bad("Character class nesting is too deep."));
        }
        self.i += 1;
        self.out.push('[');
        if self.peek(0) == Some('^') {
            self.out.push('^');
            self.i += 1;
        }
        let mut first = true;
        let mut can_range = false;
        let mut pending_range = false;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.bad("Unterminated [] set."));
            };
            let atom = match c {
                ']' if !first => {
                    self.out.push(']');
                    self.i += 1;
                    return Ok(());
                }
                '-' if self.peek(1) == Some('[') && !first => {
                    self.out.push_str("--");
                    self.i += 1;
                    self.class(depth + 1)?;
                    if self.peek(0) != Some(']') {
                        return Err(self.bad("A subtraction must be the last element in a character class."));
                    }
                    continue;
                }
                '-' if can_range && !pending_range && self.peek(1).is_some_and(|n| n != ']') => {
                    self.out.push('-');
                    self.i += 1;
                    pending_range = true;
                    first = false;
                    continue;
                }
                '\\' => {
                    let before = self.out.len();
                    self.escape(true)?;
                    // A class escape (\d, \p{…}) cannot be a range end.
                    !self.out[before..].starts_with("\\d")
                        && !self.out[before..].starts_with("\\w")
                        && !self.out[before..].starts_with("\\s")
                        && !self.out[before..].starts_with("\\p")
                        && !self.out[before..].starts_with("\\P")
                        && !self.out[before..].starts_with('[')
                }
                c => {
                    self.lit(c, true);
                    self.i += 1;
                    true
                }
            };
            first = false;
            if pending_range {
                pending_range = false;
                can_range = false;
            } else {
                can_range = atom;
            }
        }
    }

    fn group(&mut self) -> EvalResult<()> {
        self.i += 1;
        if self.peek(0) != Some('?') {
            self.stack.push(self.flags);
            if self.flags.n {
                self.out.push_str("(?:");
            } else {
                self.caps.push(Cap { name: None });
                self.out.push('(');
            }
            return Ok(());
        }
        self.i += 1;
        match (self.peek(0), self.peek(1)) {
            (Some(':'), _) => {
                self.i += 1;
                self.stack.push(self.flags);
                self.out.push_str("(?:");
            }
            (Some('='), _) | (Some('!'), _) => return Err(unsupported("Lookahead ((?=…), (?!…))")),
            (Some('<'), Some('=' | '!')) => return Err(unsupported("Lookbehind ((?<=…), (?<!…))")),
            (Some('>'), _) => return Err(unsupported("An atomic group ((?>…))")),
            (Some('('), _) => return Err(unsupported("A conditional ((?(…)…|…))")),
            (Some('#'), _) => {
                while self.peek(0).is_some_and(|c| c != ')') {
                    self.i += 1;
                }
                if self.peek(0).is_none() {
                    return Err(self.bad("Unterminated (?#...) comment."));
                }
                self.i += 1;
            }
            (Some(open @ ('<' | '\'')), _) => {
                let close = if open == '<' { '>' } else { '\'' };
                self.i += 1;
                let start = self.i;
                while self.peek(0).is_some_and(|c| c != close) {
                    self.i += 1;
                }
                if self.peek(0).is_none() {
                    return Err(self.bad("Invalid group name: Group names must begin with a word character."));
                }
                let name: String = self.p[start..self.i].iter().collect();
                self.i += 1;
                if name.contains('-') {
                    return Err(unsupported("A balancing group ((?<name1-name2>…))"));
                }
                let valid = !name.is_empty()
                    && (name.chars().all(|c| c.is_ascii_digit())
                        || name.chars().all(|c| c.is_alphanumeric() || c == '_'));
                if !valid
                    || name.chars().next().is_some_and(|c| c.is_ascii_digit())
                        && !name.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(self.bad("Invalid group name: Group names must begin with a word character."));
                }
                self.stack.push(self.flags);
                self.caps.push(Cap { name: Some(name) });
                self.out.push('(');
            }
            _ => self.options()?,
        }
        Ok(())
    }

    /// `(?imnsx-imnsx)` or `(?imnsx-imnsx:…)`.
    fn options(&mut self) -> EvalResult<()> {
        let mut on = true;
        let mut pass = String::new();
        let mut flags = self.flags;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(self.bad("Unrecognized grouping construct."));
            };
            self.i += 1;
            match c {
                '-' => {
                    on = false;
                    pass.push('-');
                }
                'i' | 'm' | 's' => pass.push(c),
                'x' => flags.x = on,
                'n' => flags.n = on,
                ')' => {
                    self.flags = flags;
                    let p = pass.trim_end_matches('-');
                    if !p.is_empty() {
                        self.out.push_str(&format!("(?{p})"));
                    }
                    return Ok(());
                }
                ':' => {
                    self.stack.push(self.flags);
                    self.flags = flags;
                    let p = pass.trim_end_matches('-');
                    if p.is_empty() {
                        self.out.push_str("(?:");
                    } else {
                        self.out.push_str(&format!("(?{p}:"));
                    }
                    return Ok(());
                }
                _ => return Err(self.bad("Unrecognized grouping construct.")),
            }
        }
    }
}

/// Translates `pattern` under `options` (a `RegexOptions` value).
pub fn translate(pattern: &str, options: i64) -> EvalResult<Translated> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tr = Tr {
        p: &chars,
        i: 0,
        out: String::with_capacity(pattern.len() + 8),
        flags: Flags {
            x: options & IGNORE_WHITESPACE != 0,
            n: options & EXPLICIT_CAPTURE != 0,
        },
        stack: Vec::new(),
        caps: Vec::new(),
        ecma: options & ECMASCRIPT != 0,
        pattern,
    };
    let mut prefix = String::new();
    if options & IGNORE_CASE != 0 {
        prefix.push('i');
    }
    if options & MULTILINE != 0 {
        prefix.push('m');
    }
    if options & SINGLELINE != 0 {
        prefix.push('s');
    }
    if !prefix.is_empty() {
        tr.out.push_str(&format!("(?{prefix})"));
    }
    tr.run()?;
    let groups = number_groups(&tr.caps);
    Ok(Translated {
        pattern: tr.out,
        groups,
    })
}

/// .NET's numbering: unnamed groups 1..=u in order, then numeric names as
/// given, then other names in order of first appearance on the next free
/// numbers.
fn number_groups(caps: &[Cap]) -> Vec<GroupDef> {
    let mut groups: Vec<GroupDef> = vec![GroupDef {
        number: 0,
        name: "0".into(),
        slots: vec![0],
    }];
    let add = |groups: &mut Vec<GroupDef>, number: i32, name: String, slot: usize| match groups
        .iter_mut()
        .find(|g| g.number == number)
    {
        Some(g) => g.slots.push(slot),
        None => groups.push(GroupDef {
            number,
            name,
            slots: vec![slot],
        }),
    };
    let mut next = 1;
    for (k, c) in caps.iter().enumerate() {
        if c.name.is_none() {
            add(&mut groups, next, next.to_string(), k + 1);
            next += 1;
        }
    }
    for (k, c) in caps.iter().enumerate() {
        if let Some(n) = c.name.as_deref().and_then(|n| n.parse::<i32>().ok()) {
            add(&mut groups, n, n.to_string(), k + 1);
        }
    }
    for (k, c) in caps.iter().enumerate() {
        let Some(name) = c.name.as_deref().filter(|n| n.parse::<i32>().is_err()) else {
            continue;
        };
        if let Some(g) = groups.iter_mut().find(|g| g.name == name) {
            g.slots.push(k + 1);
            continue;
        }
        while groups.iter().any(|g| g.number == next) {
            next += 1;
        }
        groups.push(GroupDef {
            number: next,
            name: name.to_owned(),
            slots: vec![k + 1],
        });
    }
    groups.sort_by_key(|g| g.number);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(p: &str, o: i64) -> String {
        translate(p, o)
            .map(|t| t.pattern)
            .unwrap_or_else(|e| format!("ERR {}", e.message))
    }

    #[test]
    fn translations() {
        assert_eq!(tr(r"max-age=(?<maxAge>\d+)", 0), r"max\-age=(\d+)");
        assert_eq!(tr(r"(?'a'x)", 0), "(x)");
        assert_eq!(tr(r"a b # c", IGNORE_WHITESPACE), "ab");
        assert_eq!(tr(r"[a b]", IGNORE_WHITESPACE), "[a b]");
        assert_eq!(tr(r"(a)(?<n>b)", EXPLICIT_CAPTURE), "(?:a)(b)");
        assert_eq!(tr(r"(?i)x", 0), "(?i)x");
        assert_eq!(tr(r"(?in:a(b))", 0), "(?i:a(?:b))");
        assert_eq!(tr(r"x", IGNORE_CASE | MULTILINE), "(?im)x");
        assert_eq!(tr(r"\d", ECMASCRIPT), "[0-9]");
        assert_eq!(tr(r"[a-z-[aeiou]]", 0), "[a-z--[aeiou]]");
        assert_eq!(tr(r"[]a]", 0), r"[\]a]");
        assert_eq!(tr(r"[[]", 0), r"[\[]");
        assert_eq!(tr(r"a{,3}", 0), r"a\{,3\}");
        assert_eq!(tr(r"a{2,3}?", 0), r"a{2,3}?");
        assert_eq!(tr(r"\u00e9\x41\cA\0", 0), r"\x{E9}\x{41}\x{1}\x{0}");
        assert_eq!(tr(r"\<\>", 0), "<>");
        assert!(tr(r"(a)\1", 0).contains("backreference"));
        assert!(tr(r"(?=a)", 0).contains("Lookahead"));
        assert!(tr(r"(?<!a)", 0).contains("Lookbehind"));
        assert!(tr(r"(?>a)", 0).contains("atomic"));
        assert!(tr(r"a*+", 0).contains("possessive"));
        assert!(tr(r"(?<a-b>x)", 0).contains("balancing"));
        assert!(tr(r"(?(a)b|c)", 0).contains("conditional"));
        assert!(tr(r"(a", 0).contains("Not enough"));
        assert!(tr(r"a)", 0).contains("Too many"));
        assert!(tr(r"\q", 0).contains("Unrecognized escape"));
    }

    #[test]
    fn numbering() {
        let t = translate(r"(?<y>a)(b)(?<x>c)(d)", 0).unwrap();
        let v: Vec<(i32, &str, usize)> = t
            .groups
            .iter()
            .map(|g| (g.number, g.name.as_str(), g.slots[0]))
            .collect();
        assert_eq!(v, [(0, "0", 0), (1, "1", 2), (2, "2", 4), (3, "y", 1), (4, "x", 3)]);
    }
}
