//! String-aware pre-pass that turns APIM's "raw" policy form into XML.
//!
//! Real documents write C# policy expressions with unescaped `"`, `&&` and
//! `<` inside attribute values and element text, e.g.
//! `condition="@(context.Request.Headers.GetValueOrDefault("x","") != "")"`.
//! That is not well-formed XML. [`escape_expressions`] finds every
//! expression that starts an attribute value or a text run (`@(...)` or
//! `@{...}`), lexes it as C# (regular, verbatim `@"..."`, interpolated
//! `$"..."` strings with their `{holes}`, char literals, comments, and
//! `()`/`[]`/`{}` nesting) to find where it really ends, and escapes the raw
//! `<`, `&`, `"` and `'` inside it. Entity references already present
//! (`&quot;`, `&lt;`, `&amp;`, `&#34;`…) are left alone and lexed as the
//! character they stand for, so the escaped form and mixed forms pass
//! through unchanged in meaning.
//!
//! Invariants: the output has exactly the same line structure as the input
//! (only single characters are replaced, by entities without newlines), so
//! line numbers reported against the output are true for the input; input
//! without raw characters inside expressions is returned borrowed. Markup
//! outside expressions is copied verbatim: malformed XML stays malformed
//! for the XML parser to report. Runs in linear time with an explicit
//! stack (no recursion), so hostile nesting cannot overflow the stack.

use std::borrow::Cow;

/// An expression that never ends (EOF inside it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PrepassError {
    /// 1-based line where the offending expression starts.
    pub line: u32,
    pub message: String,
}

/// Escapes raw XML special characters inside policy expressions; see the
/// module documentation.
pub fn escape_expressions(xml: &str) -> Result<Cow<'_, str>, PrepassError> {
    let mut s = Scanner {
        src: xml.as_bytes(),
        text: xml,
        pos: 0,
        out: None,
        copied: 0,
    };
    s.document()?;
    Ok(match s.out {
        None => Cow::Borrowed(xml),
        Some(mut out) => {
            out.push_str(&xml[s.copied..]);
            Cow::Owned(out)
        }
    })
}

struct Scanner<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    /// Output built lazily on the first replacement.
    out: Option<String>,
    /// Bytes of `src` before this index are already in `out`.
    copied: usize,
}

/// What an open construct inside an expression is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `(`, `[` or `{` in code, or an interpolation hole in a `$"..."` string.
    Bracket,
    Hole,
    Str {
        verbatim: bool,
        interp: bool,
    },
}

impl<'a> Scanner<'a> {
    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn starts(&self, pat: &str) -> bool {
        self.src[self.pos..].starts_with(pat.as_bytes())
    }

    /// Moves past the next occurrence of `end`, or to EOF.
    fn skip_past(&mut self, end: &str) {
        match self.text[self.pos..].find(end) {
            Some(i) => self.pos += i + end.len(),
            None => self.pos = self.src.len(),
        }
    }

    fn skip_ws(&mut self) {
        while self.at(self.pos).is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn is_expr_start(&self) -> bool {
        self.at(self.pos) == b'@' && matches!(self.at(self.pos + 1), b'(' | b'{')
    }

    /// Markup: text runs, comments, CDATA, declarations and tags.
    fn document(&mut self) -> Result<(), PrepassError> {
        let mut text_start = true;
        while self.pos < self.src.len() {
            if self.starts("<!--") {
                self.skip_past("-->");
            } else if self.starts("<![CDATA[") {
                self.skip_past("]]>");
            } else if self.starts("<?") {
                self.skip_past("?>");
            } else if self.starts("<!") || self.starts("</") {
                self.skip_past(">");
                text_start = true;
                continue;
            } else if self.at(self.pos) == b'<' {
                if !self.tag()? {
                    // Malformed tag: leave the rest for the XML parser.
                    return Ok(());
                }
                text_start = true;
                continue;
            } else if text_start {
                self.skip_ws();
                if self.is_expr_start() {
                    self.expression()?;
                }
            } else {
                self.pos += 1;
            }
            text_start = false;
        }
        Ok(())
    }

    /// A start or empty tag at `<`. Returns false if it is malformed.
    fn tag(&mut self) -> Result<bool, PrepassError> {
        self.pos += 1;
        while !matches!(self.at(self.pos), 0 | b'>' | b'/') && !self.at(self.pos).is_ascii_whitespace() {
            self.pos += 1;
        }
        loop {
            self.skip_ws();
            match self.at(self.pos) {
                b'>' => {
                    self.pos += 1;
                    return Ok(true);
                }
                b'/' if self.at(self.pos + 1) == b'>' => {
                    self.pos += 2;
                    return Ok(true);
                }
                0 | b'<' | b'/' | b'=' | b'"' | b'\'' => return Ok(false),
                _ => {}
            }
            while !matches!(self.at(self.pos), 0 | b'=' | b'>' | b'<') && !self.at(self.pos).is_ascii_whitespace() {
                self.pos += 1;
            }
            self.skip_ws();
            if self.at(self.pos) != b'=' {
                return Ok(false);
            }
            self.pos += 1;
            self.skip_ws();
            let quote = self.at(self.pos);
            if quote != b'"' && quote != b'\'' {
                return Ok(false);
            }
            self.pos += 1;
            self.skip_ws();
            if self.is_expr_start() {
                self.expression()?;
            }
            while !matches!(self.at(self.pos), 0) && self.at(self.pos) != quote {
                self.pos += 1;
            }
            if self.at(self.pos) == 0 {
                return Ok(false);
            }
            self.pos += 1;
        }
    }

    /// The character at `at` as C# sees it, and how many input bytes it
    /// takes: an entity reference counts as the character it stands for.
    /// Returns `(byte, len, raw)` where `raw` means the byte is a literal
    /// special character that must be escaped. At EOF: `(0, 1, false)`.
    fn lex_at(&self, at: usize) -> (u8, usize, bool) {
        let c = self.at(at);
        if c != b'&' {
            return (c, 1, matches!(c, b'<' | b'"' | b'\''));
        }
        let rest = &self.src[at..];
        for (name, ch) in [
            (&b"&quot;"[..], b'"'),
            (b"&apos;", b'\''),
            (b"&lt;", b'<'),
            (b"&gt;", b'>'),
            (b"&amp;", b'&'),
        ] {
            if rest.starts_with(name) {
                return (ch, name.len(), false);
            }
        }
        if let Some((ch, len)) = char_ref(rest) {
            return (ch, len, false);
        }
        (b'&', 1, true)
    }

    /// Consumes one lexed character, escaping it if raw.
    fn take(&mut self) -> u8 {
        let (c, len, raw) = self.lex_at(self.pos);
        if raw {
            let entity = match c {
                b'<' => "&lt;",
                b'&' => "&amp;",
                b'"' => "&quot;",
                _ => "&apos;",
            };
            let out = self
                .out
                .get_or_insert_with(|| String::with_capacity(self.src.len() + 64));
            out.push_str(&self.text[self.copied..self.pos]);
            out.push_str(entity);
            self.copied = self.pos + 1;
        }
        self.pos += len;
        c
    }

    fn peek(&self) -> u8 {
        self.lex_at(self.pos).0
    }

    /// The lexed character after the current one.
    fn peek2(&self) -> u8 {
        let (_, len, _) = self.lex_at(self.pos);
        self.lex_at(self.pos + len).0
    }

    /// An expression at `@(` or `@{`, up to and including its closer.
    fn expression(&mut self) -> Result<(), PrepassError> {
        let start = self.pos;
        self.pos += 2;
        let mut stack = vec![Open::Bracket];
        while let Some(&top) = stack.last() {
            if self.pos >= self.src.len() {
                return Err(PrepassError {
                    line: line_of(self.src, start),
                    message: "policy expression is never closed (check its brackets and string quotes)".into(),
                });
            }
            match top {
                Open::Str { verbatim, interp } => self.in_string(&mut stack, verbatim, interp),
                Open::Bracket | Open::Hole => self.in_code(&mut stack),
            }
        }
        Ok(())
    }

    fn in_string(&mut self, stack: &mut Vec<Open>, verbatim: bool, interp: bool) {
        match self.take() {
            b'"' if verbatim && self.peek() == b'"' => {
                self.take();
            }
            b'"' => {
                stack.pop();
            }
            b'\\' if !verbatim => {
                self.take();
            }
            b'{' if interp && self.peek() == b'{' => {
                self.take();
            }
            b'{' if interp => stack.push(Open::Hole),
            b'}' if interp && self.peek() == b'}' => {
                self.take();
            }
            _ => {}
        }
    }

    fn in_code(&mut self, stack: &mut Vec<Open>) {
        let c = self.peek();
        let next = self.peek2();
        match c {
            b'"' => {
                self.take();
                stack.push(Open::Str {
                    verbatim: false,
                    interp: false,
                });
            }
            b'@' | b'$' if next == b'"' => {
                self.take();
                self.take();
                stack.push(Open::Str {
                    verbatim: c == b'@',
                    interp: c == b'$',
                });
            }
            b'@' | b'$' if matches!(next, b'@' | b'$') && next != c => {
                self.take();
                self.take();
                if self.peek() == b'"' {
                    self.take();
                    stack.push(Open::Str {
                        verbatim: true,
                        interp: true,
                    });
                }
            }
            b'\'' => self.char_literal(),
            b'/' if next == b'/' => {
                while !matches!(self.peek(), b'\n' | 0) {
                    self.take();
                }
            }
            b'/' if next == b'*' => {
                self.take();
                self.take();
                while self.pos < self.src.len() && !(self.peek() == b'*' && self.peek2() == b'/') {
                    self.take();
                }
                self.take();
                self.take();
            }
            b'(' | b'[' | b'{' => {
                self.take();
                stack.push(Open::Bracket);
            }
            b')' | b']' | b'}' => {
                self.take();
                stack.pop();
            }
            _ => {
                self.take();
            }
        }
    }

    /// `'x'`, `'\''`, `'"'`: at most a few characters, never past a newline.
    fn char_literal(&mut self) {
        self.take();
        for _ in 0..8 {
            match self.peek() {
                b'\'' => {
                    self.take();
                    return;
                }
                b'\\' => {
                    self.take();
                    self.take();
                }
                b'\n' | 0 => return,
                _ => {
                    self.take();
                }
            }
        }
    }
}

/// `&#NN;` or `&#xHH;` naming an ASCII character.
fn char_ref(rest: &[u8]) -> Option<(u8, usize)> {
    let body = rest.strip_prefix(b"&#")?;
    let end = body.iter().take(8).position(|&b| b == b';')?;
    let digits = std::str::from_utf8(&body[..end]).ok()?;
    let n = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    let b = u8::try_from(n).ok().filter(u8::is_ascii)?;
    Some((b, end + 3))
}

/// 1-based line of byte offset `at`.
fn line_of(src: &[u8], at: usize) -> u32 {
    let n = src[..at.min(src.len())].iter().filter(|&&b| b == b'\n').count();
    u32::try_from(n + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        escape_expressions(s).unwrap().into_owned()
    }

    #[test]
    fn escaped_and_plain_documents_are_borrowed() {
        for doc in [
            "<policies><inbound><set-header name=\"a\"><value>x &amp; y</value></set-header></inbound></policies>",
            "<a b=\"@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;))\" />",
            "<a b=\"@(&quot;a)b&quot;)\" c='@(1 &lt; 2 &amp;&amp; true)' />",
            "<!-- @(\"x\" < 1) --><a><![CDATA[@(\"x\" < 1)]]></a>",
            "<a b=\"mail@(x)\">user@example.com</a>",
        ] {
            assert!(matches!(escape_expressions(doc).unwrap(), Cow::Borrowed(_)), "{doc}");
        }
    }

    #[test]
    fn raw_attribute_expressions_are_escaped() {
        assert_eq!(
            esc(r#"<when condition="@(context.Request.Headers.GetValueOrDefault("x","") != "" && 1 < 2)">"#),
            "<when condition=\"@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;,&quot;&quot;) != \
             &quot;&quot; &amp;&amp; 1 &lt; 2)\">"
        );
        // A `)` inside a string does not end the expression.
        assert_eq!(
            esc(r#"<a b="@("a)b")" c="d"/>"#),
            r#"<a b="@(&quot;a)b&quot;)" c="d"/>"#
        );
        // Single-quoted attribute with a char literal.
        assert_eq!(
            esc(r#"<a b='@(x.Split(',')[0])'/>"#),
            "<a b='@(x.Split(&apos;,&apos;)[0])'/>"
        );
    }

    #[test]
    fn block_expressions_in_text_and_attributes() {
        let raw = "<set-body>@{\n  var s = \"<b>\" + context.Variables[\"n\"]; // don't\n  if (a < b && c) { return s; }\n  return \"}\";\n}</set-body>";
        let out = esc(raw);
        assert_eq!(
            out,
            "<set-body>@{\n  var s = &quot;&lt;b>&quot; + context.Variables[&quot;n&quot;]; // don&apos;t\n  \
             if (a &lt; b &amp;&amp; c) { return s; }\n  return &quot;}&quot;;\n}</set-body>"
        );
        assert_eq!(out.lines().count(), raw.lines().count());
        let attr = r#"<set-variable name="x" value="@{ return $"{a}-{(b < 1 ? "x" : "y")}"; }" />"#;
        assert_eq!(
            esc(attr),
            "<set-variable name=\"x\" value=\"@{ return $&quot;{a}-{(b &lt; 1 ? &quot;x&quot; : \
             &quot;y&quot;)}&quot;; }\" />"
        );
    }

    #[test]
    fn verbatim_and_escaped_quotes() {
        assert_eq!(
            esc(r#"<a b="@(@"C:\x""y" + "\"q\"")"/>"#),
            "<a b=\"@(@&quot;C:\\x&quot;&quot;y&quot; + &quot;\\&quot;q\\&quot;&quot;)\"/>"
        );
        assert_eq!(
            esc(r#"<a b="@($@"{x}""{{")"/>"#),
            "<a b=\"@($@&quot;{x}&quot;&quot;{{&quot;)\"/>"
        );
    }

    #[test]
    fn unterminated_expression_names_its_line() {
        let e = escape_expressions("<policies>\n<inbound>\n<a b=\"@(foo(\" />\n</inbound></policies>").unwrap_err();
        assert_eq!(e.line, 3);
        let e = escape_expressions("<a>\n@{ return \"x; }</a>").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn malformed_markup_is_left_alone() {
        for doc in ["<a b=c>", "<a b=\"x", "<", "<a", "</a", "<!-- x", "@(\"", "<a b=\"@(1)"] {
            let _ = escape_expressions(doc);
        }
        assert_eq!(esc("<a b=c d=\"@(\"x\")\">"), "<a b=c d=\"@(\"x\")\">");
    }

    #[test]
    fn char_refs() {
        assert_eq!(char_ref(b"&#34;x"), Some((b'"', 5)));
        assert_eq!(char_ref(b"&#x3C;"), Some((b'<', 6)));
        assert_eq!(char_ref(b"&#233;"), None);
        assert_eq!(char_ref(b"&#;"), None);
    }
}
