//! .NET replacement patterns (`Regex.Replace(input, pattern, "$1")`,
//! `Match.Result`): `$number`, `${name}`, `$$`, `$&` / `$0`, `` $` ``,
//! `$'`, `$+`, `$_`; anything else after `$` is literal. As in .NET
//! (outside ECMAScript mode), `$12` refers to group 12 or is literal text
//! if there is no such group.

use super::matching::MatchData;
use super::translate::GroupDef;

/// A parsed replacement pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Lit(String),
    /// A group, by its index in the regex's group table.
    Group(usize),
    Before,
    After,
    LastGroup,
    Input,
}

/// Parses `repl` against the regex's groups.
pub fn parse(repl: &str, groups: &[GroupDef]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut it = repl.char_indices().peekable();
    let flush = |lit: &mut String, out: &mut Vec<Piece>| {
        if !lit.is_empty() {
            out.push(Piece::Lit(std::mem::take(lit)));
        }
    };
    while let Some((i, c)) = it.next() {
        if c != '$' {
            lit.push(c);
            continue;
        }
        let rest = &repl[i + 1..];
        let piece = match rest.chars().next() {
            Some('$') => {
                it.next();
                lit.push('$');
                continue;
            }
            Some('&') => Some((Piece::Group(0), 1)),
            Some('`') => Some((Piece::Before, 1)),
            Some('\'') => Some((Piece::After, 1)),
            Some('+') => Some((Piece::LastGroup, 1)),
            Some('_') => Some((Piece::Input, 1)),
            Some('{') => rest.find('}').and_then(|end| {
                let name = &rest[1..end];
                let g = match name.parse::<i32>() {
                    Ok(n) if name.bytes().all(|b| b.is_ascii_digit()) => groups.iter().position(|g| g.number == n),
                    _ => groups.iter().position(|g| g.name == name),
                };
                g.map(|g| (Piece::Group(g), end + 1))
            }),
            Some(d) if d.is_ascii_digit() => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                rest[..digits]
                    .parse::<i32>()
                    .ok()
                    .and_then(|n| groups.iter().position(|g| g.number == n))
                    .map(|g| (Piece::Group(g), digits))
            }
            _ => None,
        };
        match piece {
            Some((p, len)) => {
                flush(&mut lit, &mut out);
                out.push(p);
                for _ in 0..rest[..len].chars().count() {
                    it.next();
                }
            }
            None => lit.push('$'),
        }
    }
    flush(&mut lit, &mut out);
    out
}

/// Writes the replacement for match `m`.
pub fn expand(pieces: &[Piece], m: &MatchData, out: &mut String) {
    let input = &*m.input;
    let (ms, me) = m.span(0).unwrap_or((0, 0));
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Group(g) => {
                if let Some((s, e)) = m.span(*g) {
                    out.push_str(input.get(s..e).unwrap_or(""));
                }
            }
            Piece::Before => out.push_str(input.get(..ms).unwrap_or("")),
            Piece::After => out.push_str(input.get(me..).unwrap_or("")),
            Piece::LastGroup => {
                let last = m.group_count().saturating_sub(1);
                if let Some((s, e)) = m.span(last) {
                    out.push_str(input.get(s..e).unwrap_or(""));
                }
            }
            Piece::Input => out.push_str(input),
        }
    }
}

/// `Regex.Unescape`: turns .NET escapes back into the characters.
pub fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(d) = it.next() else {
            return Err("Illegal \\ at end of pattern.".into());
        };
        let hex = |it: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Result<char, String> {
            let h: String = (0..n).filter_map(|_| it.next()).collect();
            u32::from_str_radix(&h, 16)
                .ok()
                .filter(|_| h.len() == n)
                .and_then(char::from_u32)
                .ok_or_else(|| "Insufficient hex digits.".to_owned())
        };
        out.push(match d {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'e' => '\u{1B}',
            'f' => '\u{C}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{B}',
            'x' => hex(&mut it, 2)?,
            'u' => hex(&mut it, 4)?,
            'c' => match it.next() {
                Some(l) if l.is_ascii_alphabetic() => char::from(l.to_ascii_uppercase() as u8 & 0x1F),
                _ => return Err("Missing control character.".into()),
            },
            '0'..='7' => {
                let mut v = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(x) => {
                            v = v * 8 + x;
                            it.next();
                        }
                        None => break,
                    }
                }
                char::from((v & 0xFF) as u8)
            }
            c if c.is_alphanumeric() || c == '_' => return Err(format!("Unrecognized escape sequence \\{c}.")),
            c => c,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let g = |n: i32, name: &str| GroupDef {
            number: n,
            name: name.into(),
            slots: vec![n as usize],
        };
        let groups = [g(0, "0"), g(1, "1"), g(2, "x")];
        assert_eq!(
            parse("[$1|${x}|$$|$9|$&|$z]", &groups),
            [
                Piece::Lit("[".into()),
                Piece::Group(1),
                Piece::Lit("|".into()),
                Piece::Group(2),
                Piece::Lit("|$|$9|".into()),
                Piece::Group(0),
                Piece::Lit("|$z]".into())
            ]
        );
        assert_eq!(unescape(r"a\tb\u0041\\\.").unwrap(), "a\tbA\\.");
        assert!(unescape(r"\q").is_err());
    }
}
