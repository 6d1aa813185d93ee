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
//!
//! Layout: this module walks the markup (text runs, comments, CDATA,
//! declarations, tags and their attribute values) and finds where
//! expressions start; `expression` lexes one expression as C# to find its
//! end and escapes what needs it.

mod expression;

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
}
