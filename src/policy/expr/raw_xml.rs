//! The pre-pass that makes raw policy XML well-formed: real documents put
//! C# expressions with unescaped `"`, `'`, `&&`, `<` and `>` straight into
//! attribute values and element text (`condition="@(a < 5 && b == "x")"`).
//! [`escape_expressions`] finds each `@(...)`/`@{...}` that is a whole
//! attribute value or the whole text of an element, delimits it by reading
//! the C# (string, verbatim, interpolated and char literals, comments,
//! bracket nesting), and escapes the XML special characters inside it.
//!
//! Invariants: text outside expressions is copied unchanged; entity
//! references already in an expression (`&quot;`, `&amp;&amp;`, `&#60;`)
//! are read as the characters they stand for and kept as they are, so an
//! already-escaped document comes back unchanged (borrowed). A raw `&`
//! that spells an entity (`"&lt;"` in a C# string) is read as the entity:
//! escape it as `&amp;lt;` in such a document. Comments, CDATA sections,
//! processing instructions and end tags are skipped.

use std::borrow::Cow;

use super::scan::{scan_code, Chars, ScanError};

/// Where and why the pre-pass could not delimit an expression or a tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct RawXmlError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl RawXmlError {
    fn new(xml: &str, offset: usize, message: impl Into<String>) -> RawXmlError {
        let before = &xml[..offset.min(xml.len())];
        RawXmlError {
            offset,
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
            message: message.into(),
        }
    }
}

/// Returns `xml` with the expressions of attribute values and element
/// text escaped; borrowed when nothing needed escaping.
pub fn escape_expressions(xml: &str) -> Result<Cow<'_, str>, RawXmlError> {
    let mut p = Pass {
        xml,
        out: None,
        copied: 0,
    };
    p.run()?;
    Ok(match p.out {
        None => Cow::Borrowed(xml),
        Some(mut out) => {
            out.push_str(&xml[p.copied..]);
            Cow::Owned(out)
        }
    })
}

struct Pass<'x> {
    xml: &'x str,
    out: Option<String>,
    /// `xml[..copied]` is already in `out`.
    copied: usize,
}

impl Pass<'_> {
    fn err<T>(&self, at: usize, msg: impl Into<String>) -> Result<T, RawXmlError> {
        Err(RawXmlError::new(self.xml, at, msg))
    }

    fn starts(&self, i: usize, s: &str) -> bool {
        self.xml.as_bytes()[i..].starts_with(s.as_bytes())
    }

    /// Index just past the next `end` from `i`.
    fn skip_past(&self, i: usize, end: &str, what: &str) -> Result<usize, RawXmlError> {
        match self.xml[i..].find(end) {
            Some(k) => Ok(i + k + end.len()),
            None => self.err(i, format!("unterminated {what}")),
        }
    }

    fn run(&mut self) -> Result<(), RawXmlError> {
        let b = self.xml.as_bytes();
        let mut i = 0;
        // Start of the current element text, while it is only whitespace.
        let mut text_start = Some(0);
        while i < b.len() {
            match b[i] {
                b'<' => {
                    i = if self.starts(i, "<!--") {
                        self.skip_past(i, "-->", "comment")?
                    } else if self.starts(i, "<![CDATA[") {
                        self.skip_past(i, "]]>", "CDATA section")?
                    } else if self.starts(i, "<?") {
                        self.skip_past(i, "?>", "processing instruction")?
                    } else if self.starts(i, "<!") || self.starts(i, "</") {
                        self.skip_past(i, ">", "tag")?
                    } else {
                        self.start_tag(i)?
                    };
                    text_start = Some(i);
                }
                b'@' if text_start.is_some_and(|s| self.xml[s..i].trim().is_empty())
                    && matches!(b.get(i + 1), Some(b'(' | b'{')) =>
                {
                    i = self.expression(i)?;
                    text_start = None;
                }
                c => {
                    if !c.is_ascii_whitespace() {
                        text_start = None;
                    }
                    i += 1;
                }
            }
        }
        Ok(())
    }

    /// Reads a start tag from its `<`; returns the index past its `>`.
    fn start_tag(&mut self, lt: usize) -> Result<usize, RawXmlError> {
        let b = self.xml.as_bytes();
        let mut i = lt + 1;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                None => return self.err(lt, "unterminated tag"),
                Some(b'>') => return Ok(i + 1),
                Some(b'/') if b.get(i + 1) == Some(&b'>') => return Ok(i + 2),
                _ => {}
            }
            let name = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            if i == name {
                return self.err(i, "unexpected character in tag");
            }
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if b.get(i) != Some(&b'=') {
                return self.err(name, format!("attribute `{}` has no value", &self.xml[name..i]));
            }
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let q = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return self.err(i, "attribute value must be quoted"),
            };
            i += 1;
            let mut v = i;
            while v < b.len() && b[v].is_ascii_whitespace() {
                v += 1;
            }
            if b.get(v) == Some(&b'@') && matches!(b.get(v + 1), Some(b'(' | b'{')) {
                i = self.expression(v)?;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if b.get(i) != Some(&q) {
                    return self.err(i, "an expression must be the whole attribute value");
                }
                i += 1;
            } else {
                match b[i..].iter().position(|&c| c == q) {
                    Some(k) => i += k + 1,
                    None => return self.err(i - 1, "unterminated attribute value"),
                }
            }
        }
    }

    /// Delimits the expression at `at` (`@(` or `@{`), escapes it into the
    /// output, and returns the index past its closing bracket.
    fn expression(&mut self, at: usize) -> Result<usize, RawXmlError> {
        let close = if self.xml.as_bytes()[at + 1] == b'(' { ')' } else { '}' };
        let mut c = EntityChars {
            xml: self.xml,
            i: at + 2,
        };
        scan_code(&mut c, &[close]).map_err(|e| match e {
            ScanError::Unterminated { what: "expression", .. } => {
                RawXmlError::new(self.xml, at, format!("unterminated expression: no closing `{close}`"))
            }
            e => RawXmlError::new(self.xml, e.at(), format!("{e} in the expression at offset {at}")),
        })?;
        let end = c.i + 1;
        self.escape_region(at, end);
        Ok(end)
    }

    fn escape_region(&mut self, start: usize, end: usize) {
        let region = &self.xml[start..end];
        let mut escaped = String::new();
        let mut changed = false;
        let mut k = 0;
        while k < region.len() {
            if let Some((_, len)) = entity(&region[k..]) {
                escaped.push_str(&region[k..k + len]);
                k += len;
                continue;
            }
            let ch = region[k..].chars().next().expect("in bounds");
            match ch {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\'' => escaped.push_str("&apos;"),
                _ => escaped.push(ch),
            }
            changed |= matches!(ch, '&' | '<' | '>' | '"' | '\'');
            k += ch.len_utf8();
        }
        if changed {
            let out = self
                .out
                .get_or_insert_with(|| String::with_capacity(self.xml.len() + 64));
            out.push_str(&self.xml[self.copied..start]);
            out.push_str(&escaped);
            self.copied = end;
        }
    }
}

/// The entity reference at the start of `s`: (character, length).
fn entity(s: &str) -> Option<(char, usize)> {
    if !s.starts_with('&') {
        return None;
    }
    let semi = s[..s.len().min(12)].find(';')?;
    let name = &s[1..semi];
    let ch = match name {
        "quot" => '"',
        "apos" => '\'',
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((ch, semi + 1))
}

/// [`Chars`] over XML text with entity references decoded.
struct EntityChars<'x> {
    xml: &'x str,
    i: usize,
}

impl EntityChars<'_> {
    fn at(&self, i: usize) -> Option<(char, usize)> {
        let rest = self.xml.get(i..)?;
        entity(rest).or_else(|| rest.chars().next().map(|c| (c, c.len_utf8())))
    }
}

impl Chars for EntityChars<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        let mut i = self.i;
        for _ in 0..ahead {
            i += self.at(i)?.1;
        }
        self.at(i).map(|(c, _)| c)
    }

    fn bump(&mut self) -> Option<char> {
        let (c, len) = self.at(self.i)?;
        self.i += len;
        Some(c)
    }

    fn pos(&self) -> usize {
        self.i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(xml: &str) -> String {
        escape_expressions(xml).unwrap_or_else(|e| panic!("{e}")).into_owned()
    }

    #[test]
    fn escapes_attribute_expressions() {
        let raw = r#"<when condition="@(context.Response.StatusCode >= 500 && context.Request.Method == "GET")">"#;
        assert_eq!(
            esc(raw),
            r#"<when condition="@(context.Response.StatusCode &gt;= 500 &amp;&amp; context.Request.Method == &quot;GET&quot;)">"#
        );
        let raw = r#"<set-variable name="v" value='@(context.Variables.GetValueOrDefault<string>("a", "it's"))' />"#;
        assert_eq!(
            esc(raw),
            r#"<set-variable name="v" value='@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;a&quot;, &quot;it&apos;s&quot;))' />"#
        );
    }

    #[test]
    fn leaves_well_formed_documents_borrowed() {
        let doc = r#"<policies>
  <inbound>
    <base />
    <!-- @(not "an expression") -->
    <set-header name="X-Api" exists-action="override">
      <value>@(context.Api.Name)</value>
    </set-header>
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x&quot;, &quot;&quot;) != &quot;&quot; &amp;&amp; 1 &lt; 2)">
        <set-status code="403" reason="Forbidden" />
      </when>
    </choose>
    <set-body><![CDATA[@{ return "<a>" + 1; }]]></set-body>
  </inbound>
</policies>"#;
        assert!(matches!(escape_expressions(doc).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn element_text_blocks() {
        let raw = r#"<policies><outbound><set-body>@{
    var status = context.Response.StatusCode;
    if (status < 300 && status >= 200) {
        return "<ok/>";   // not a tag
    }
    return $"<error code='{status}'>{(status > 499 ? "server" : "client")}</error>";
}</set-body></outbound></policies>"#;
        let out = esc(raw);
        assert!(
            out.starts_with("<policies><outbound><set-body>@{\n    var status"),
            "{out}"
        );
        assert!(
            out.contains("if (status &lt; 300 &amp;&amp; status &gt;= 200) {"),
            "{out}"
        );
        assert!(
            out.contains(r#"return &quot;&lt;ok/&gt;&quot;;   // not a tag"#),
            "{out}"
        );
        assert!(
            out.contains("(status &gt; 499 ? &quot;server&quot; : &quot;client&quot;)"),
            "{out}"
        );
        assert!(out.ends_with("}</set-body></outbound></policies>"), "{out}");
        // Every `<` left is markup.
        assert_eq!(out.matches('<').count(), 6, "{out}");
    }

    #[test]
    fn literals_with_brackets_and_quotes() {
        let raw = r#"<set-header name="x"><value>@($"{context.Api.Name}: \")\" " + ')' + @"say ""(hi""")</value></set-header>"#;
        let out = esc(raw);
        assert!(out.ends_with("</value></set-header>"), "{out}");
        assert!(
            out.contains("+ &apos;)&apos; + @&quot;say &quot;&quot;(hi&quot;&quot;&quot;)</value>"),
            "{out}"
        );
        // A plain text value starting with @ but not an expression is untouched.
        assert_eq!(esc("<value>@home & away</value>"), "<value>@home & away</value>");
        assert_eq!(esc("<value>see @(x)</value>"), "<value>see @(x)</value>");
    }

    #[test]
    fn mixed_raw_and_escaped_entities() {
        let raw = r#"<when condition="@(context.Variables.GetValueOrDefault<string>(&quot;a&quot;) == "b")" />"#;
        assert_eq!(
            esc(raw),
            r#"<when condition="@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;a&quot;) == &quot;b&quot;)" />"#
        );
        // An escaped string containing a parenthesis does not end the expression.
        let doc = r#"<a v="@(&quot;)&quot; + &quot;x&quot;)"/>"#;
        assert!(matches!(escape_expressions(doc).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn errors_name_the_position() {
        let e = escape_expressions("<policies>\n  <a v=\"@(context.Request.Method\" />\n</policies>").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("unterminated"), "{e}");
        let e = escape_expressions(r#"<a v="@(1) tail"/>"#).unwrap_err();
        assert!(e.message.contains("whole attribute value"), "{e}");
        let e = escape_expressions("<a v=\"@(\"abc)/>").unwrap_err();
        assert!(e.message.contains("unterminated string literal"), "{e}");
        let e = escape_expressions("<v>@(f(1)</v>").unwrap_err();
        assert_eq!(e.message, "unterminated expression: no closing `)`");
        assert_eq!((e.line, e.column), (1, 4));
        assert!(escape_expressions("<!-- never closed").is_err());
        assert!(escape_expressions("<a b>").is_err());
    }

    #[test]
    fn real_world_document() {
        let raw = r#"<policies>
    <inbound>
        <base />
        <set-variable name="isMobile" value="@(context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPad") || context.Request.Headers.GetValueOrDefault("User-Agent","").Contains("iPhone"))" />
        <choose>
            <when condition="@(context.Variables.GetValueOrDefault<bool>("isMobile"))">
                <rewrite-uri template="@("/mobile" + context.Request.Url.Path)" />
            </when>
        </choose>
        <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription?.Id ?? context.Request.IpAddress)" />
    </inbound>
</policies>"#;
        let out = esc(raw);
        assert!(out.contains(r#"value="@(context.Request.Headers.GetValueOrDefault(&quot;User-Agent&quot;,&quot;&quot;).Contains(&quot;iPad&quot;) || "#), "{out}");
        assert!(
            out.contains(r#"condition="@(context.Variables.GetValueOrDefault&lt;bool&gt;(&quot;isMobile&quot;))">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"template="@(&quot;/mobile&quot; + context.Request.Url.Path)" />"#),
            "{out}"
        );
        assert!(
            out.contains(r#"counter-key="@(context.Subscription?.Id ?? context.Request.IpAddress)" />"#),
            "{out}"
        );
        // The escaped expressions compile once unescaped (the XML parser's job).
        let unescaped = out
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        assert_eq!(unescaped, raw);
    }
}
