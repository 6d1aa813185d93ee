//! A first pass over a Liquid template, before the liquid crate parses it:
//! finds every tag and filter name with its line, so a tag or filter APIM
//! does not have is a load-time error that names the line (the crate's own
//! errors do not carry one), and refuses blocks nested deeper than
//! [`MAX_NESTING`] (the crate's parser recurses per block).
//!
//! Invariant: the pass is linear in the template's length and never fails
//! on text it does not understand (the crate's parser reports that).

use super::filters::NAMES;

/// Deepest block nesting accepted.
pub const MAX_NESTING: usize = 32;

/// Tags without a body.
const TAGS: [&str; 6] = ["assign", "break", "continue", "cycle", "increment", "decrement"];
/// Block tags and the tags that may appear inside them.
const BLOCKS: [&str; 8] = [
    "if",
    "unless",
    "case",
    "for",
    "JSONArrayFor",
    "capture",
    "ifchanged",
    "comment",
];
const INNER: [&str; 3] = ["else", "elsif", "when"];

/// What the scan found out about a template.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Whether the template names `body` / `context` anywhere in markup.
    pub uses_body: bool,
    pub uses_context: bool,
}

/// A problem at a line of the template (1-based within the template).
#[derive(Debug, PartialEq, Eq)]
pub struct ScanError {
    pub line: u32,
    pub message: String,
}

fn line_at(text: &str, at: usize) -> u32 {
    u32::try_from(
        text.as_bytes()[..at.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1,
    )
    .unwrap_or(u32::MAX)
}

/// The end of the markup starting at `from` (after its `}}`/`%}`), quotes
/// respected; `None` when unclosed.
fn markup_end(text: &str, from: usize, close: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    let mut quote = None;
    while i < b.len() {
        match quote {
            Some(q) if b[i] == q => quote = None,
            Some(_) => {}
            None if b[i] == b'"' || b[i] == b'\'' => quote = Some(b[i]),
            None if b[i..].starts_with(close.as_bytes()) => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn identifier(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Every filter name in a piece of markup, with its offset in it.
fn filters(markup: &str) -> Vec<(usize, &str)> {
    let b = markup.as_bytes();
    let mut out = Vec::new();
    let mut quote = None;
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'|' => {
                let rest = &markup[i + 1..];
                let lead = rest.len() - rest.trim_start().len();
                out.push((i + 1 + lead, identifier(&rest[lead..])));
            }
            None => {}
        }
    }
    out
}

/// Whether `word` appears as a variable root in the markup (not in a string).
fn names_root(markup: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(i) = markup[from..].find(word).map(|i| i + from) {
        let before = markup[..i].chars().next_back();
        let after = markup[i + word.len()..].chars().next();
        let quotes = markup[..i].matches(['"', '\'']).count();
        if quotes.is_multiple_of(2)
            && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return true;
        }
        from = i + word.len();
    }
    false
}

fn unsupported_filter(name: &str) -> String {
    let hint = NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(&name.replace('_', "")))
        .map(|n| format!(" (APIM's filter names are PascalCase: `{n}`)"))
        .unwrap_or_default();
    format!("Liquid filter `{name}` is not supported{hint}")
}

/// A digit run too long for the crate's integer literals (it would panic).
fn oversized_number(markup: &str) -> bool {
    let mut quote = None;
    let mut run = 0;
    for c in markup.bytes() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c.is_ascii_digit() => {
                run += 1;
                if run > 18 {
                    return true;
                }
                continue;
            }
            None => {}
        }
        run = 0;
    }
    false
}

/// Scans a template.
pub fn scan(text: &str) -> Result<Scan, ScanError> {
    let mut out = Scan::default();
    let mut open: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(start) = text[i..].find('{').map(|s| s + i) {
        let rest = &text[start..];
        let (close, is_tag) = if rest.starts_with("{{") {
            ("}}", false)
        } else if rest.starts_with("{%") {
            ("%}", true)
        } else {
            i = start + 1;
            continue;
        };
        let Some(end) = markup_end(text, start + 2, close) else {
            break;
        };
        let markup = text[start + 2..end].trim_matches('-').trim();
        let markup_at = start + 2 + text[start + 2..end].find(markup).unwrap_or(0);
        i = end + 2;
        if oversized_number(markup) {
            return Err(ScanError {
                line: line_at(text, markup_at),
                message: "Liquid: a number literal has more than 18 digits".into(),
            });
        }
        for (at, name) in filters(markup) {
            if !NAMES.contains(&name) {
                return Err(ScanError {
                    line: line_at(text, markup_at + at),
                    message: unsupported_filter(name),
                });
            }
        }
        out.uses_body |= names_root(markup, "body");
        out.uses_context |= names_root(markup, "context");
        if !is_tag {
            continue;
        }
        let name = identifier(markup);
        let line = line_at(text, start);
        if name == "raw" || name == "comment" {
            // Their content is not markup: skip to the end tag.
            let end_tag = format!("end{name}");
            let mut j = i;
            loop {
                let Some(s) = text[j..].find("{%").map(|s| s + j) else {
                    return Ok(out);
                };
                let Some(e) = markup_end(text, s + 2, "%}") else {
                    return Ok(out);
                };
                j = e + 2;
                if identifier(text[s + 2..e].trim_matches('-').trim()) == end_tag {
                    break;
                }
            }
            i = j;
            continue;
        }
        if TAGS.contains(&name) || INNER.contains(&name) {
            continue;
        }
        if BLOCKS.contains(&name) {
            open.push(name);
            if open.len() > MAX_NESTING {
                return Err(ScanError {
                    line,
                    message: format!("Liquid blocks nest deeper than {MAX_NESTING} levels"),
                });
            }
            continue;
        }
        if let Some(block) = name.strip_prefix("end").filter(|b| BLOCKS.contains(b) || *b == "raw") {
            if open.last() == Some(&block) {
                open.pop();
            }
            continue;
        }
        return Err(ScanError {
            line,
            message: format!(
                "Liquid tag `{name}` is not supported (APIM's tags: {}, {}, raw)",
                TAGS.join(", "),
                BLOCKS.join(", ")
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_filters_and_roots() {
        let s = scan("{\n \"a\": \"{{ body.x | Upcase | Append: '|x' }}\",\n{% if context.Request.Method == 'GET' %}1{% endif %}\n}").unwrap();
        assert_eq!(
            s,
            Scan {
                uses_body: true,
                uses_context: true
            }
        );
        assert_eq!(scan("{{ 'body' }}").unwrap(), Scan::default());
        assert!(scan("{% raw %}{% include x %}{{ a | nope }}{% endraw %}").is_ok());
        assert!(scan("{% comment %}{% render x %}{% endcomment %}{{ a }}").is_ok());
        assert!(
            scan("{{ 'é€' | Upcase }} ü {% if x %}ß{% endif %}").is_ok(),
            "multi-byte text"
        );
        assert!(
            scan("{{ 'é").is_ok() && scan("{% é").is_ok(),
            "unclosed markup is the parser's to report"
        );
    }

    #[test]
    fn unsupported_tags_and_filters_name_their_line() {
        let e = scan("a\nb\n{% include 'x' %}").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`include`"), "{}", e.message);
        let e = scan("x\n{{ body.name\n | upcase }}").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`Upcase`"), "{}", e.message);
        let e = scan("{% tablerow x in y %}{% endtablerow %}").unwrap_err();
        assert!(e.message.contains("tablerow"));
        assert!(scan("{{ 99999999999999999999 }}")
            .unwrap_err()
            .message
            .contains("18 digits"));
        assert!(scan("{{ '99999999999999999999' }}").is_ok());
        let deep = "{% if a %}".repeat(MAX_NESTING + 1);
        assert!(scan(&deep).unwrap_err().message.contains("nest"));
    }
}
