//! Where a JSON value is in its text: the line and position APIM's
//! messages end with (`… Line: 1, Position: 12`), found by scanning the
//! body for a JSON pointer.
//!
//! Positions follow Newtonsoft's reader, which reports where it stands
//! after reading the token: just after a scalar, just after the opening
//! `{` or `[` of a container. Lines and positions count from 1 (characters,
//! not bytes). Invariant: the scan never panics and never recurses; on
//! text that is not the JSON the pointer came from it answers with the
//! best position it reached.

/// The line and position of the value at `pointer` (RFC 6901) in `text`.
pub fn locate(text: &[u8], pointer: &str) -> (u32, u32) {
    let mut s = Scanner {
        text,
        at: 0,
        line: 1,
        col: 0,
    };
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    for token in &tokens {
        s.ws();
        match s.peek() {
            Some(b'{') => {
                s.bump();
                if !s.find_member(token) {
                    break;
                }
            }
            Some(b'[') => {
                s.bump();
                let Ok(n) = token.parse::<usize>() else { break };
                if !s.find_item(n) {
                    break;
                }
            }
            _ => break,
        }
    }
    s.ws();
    match s.peek() {
        Some(b'{' | b'[') => s.bump(),
        Some(_) => s.skip_scalar(),
        None => {}
    }
    (s.line, s.col)
}

struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
    line: u32,
    col: u32,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.at += 1;
            if b == b'\n' {
                self.line += 1;
                self.col = 0;
            } else if b & 0xC0 != 0x80 {
                // Count characters: continuation bytes of UTF-8 do not.
                self.col += 1;
            }
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.bump();
        }
    }

    /// Reads a string at the cursor (which is on its `"`), unescaped.
    fn string(&mut self) -> String {
        let mut out = Vec::new();
        self.bump();
        while let Some(b) = self.peek() {
            self.bump();
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.bump();
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex: String = (0..4)
                                .filter_map(|_| {
                                    let h = self.peek();
                                    self.bump();
                                    h.map(char::from)
                                })
                                .collect();
                            let c = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .unwrap_or('\u{fffd}');
                            let mut buf = [0; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn skip_scalar(&mut self) {
        if self.peek() == Some(b'"') {
            self.string();
            return;
        }
        while let Some(b) = self.peek() {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                break;
            }
            self.bump();
        }
    }

    /// Skips one value (containers by depth counting, no recursion).
    fn skip_value(&mut self) {
        self.ws();
        if !matches!(self.peek(), Some(b'{' | b'[')) {
            self.skip_scalar();
            return;
        }
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.string();
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.bump();
                        return;
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// Inside an object (after `{`): moves to the value of member `name`.
    fn find_member(&mut self, name: &str) -> bool {
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return false;
            }
            let key = self.string();
            self.ws();
            if self.peek() != Some(b':') {
                return false;
            }
            self.bump();
            if key == name {
                return true;
            }
            self.skip_value();
            self.ws();
            if self.peek() != Some(b',') {
                return false;
            }
            self.bump();
        }
    }

    /// Inside an array (after `[`): moves to item `n`.
    fn find_item(&mut self, n: usize) -> bool {
        for _ in 0..n {
            self.skip_value();
            self.ws();
            if self.peek() != Some(b',') {
                return false;
            }
            self.bump();
        }
        self.ws();
        !matches!(self.peek(), Some(b']') | None)
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_members_items_and_escaped_keys() {
        let text = b"{\n  \"name\": 5,\n  \"tags\": [\"a\", {\"x~/\\\"y\": true}],\n  \"n\": {}\n}";
        assert_eq!(locate(text, ""), (1, 1), "the root object: after its brace");
        assert_eq!(locate(text, "/name"), (2, 11), "after the scalar");
        assert_eq!(locate(text, "/tags/1"), (3, 17));
        assert_eq!(locate(text, "/tags/1/x~0~1\"y"), (3, 31));
        assert_eq!(locate(text, "/n"), (4, 8));
    }

    #[test]
    fn unknown_paths_and_garbage_do_not_panic() {
        assert_eq!(locate(b"{\"a\": 1}", "/b"), (1, 7), "where the search stopped");
        assert_eq!(locate(b"[1, 2]", "/7"), (1, 5));
        assert_eq!(locate(b"", "/a/b"), (1, 0));
        assert_eq!(
            locate("{\"é\": \"ü\"}".as_bytes(), "/é"),
            (1, 9),
            "characters, not bytes"
        );
        let _ = locate(b"{\"a\": [\"\\u12", "/a/0");
    }
}
