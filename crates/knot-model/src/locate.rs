//! Finds where a JSON path sits in the file text, so problems found on the parsed value can
//! be reported with a line and column. Runs only on text serde_json has already accepted
//! (so nesting is bounded by serde_json's recursion limit).

use crate::problem::PathSeg;

/// 1-based line and column (in characters) of the value (or, for a final object key, the
/// key) at `path`; the deepest found ancestor's position when the path does not exist.
pub fn line_col(text: &str, path: &[PathSeg]) -> Option<(usize, usize)> {
    let mut scanner = Scanner {
        b: text.as_bytes(),
        pos: 0,
        best: None,
    };
    scanner.ws();
    scanner.find(path);
    let offset = scanner.best?;
    Some(offset_to_line_col(text, offset))
}

pub fn offset_to_line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
    best: Option<usize>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }
    /// Positioned at a value: record it, and descend along `path`.
    fn find(&mut self, path: &[PathSeg]) -> bool {
        self.best = Some(self.pos);
        let Some((seg, rest)) = path.split_first() else {
            return true;
        };
        match (self.peek(), seg) {
            (Some(b'{'), PathSeg::Key(want)) => {
                self.pos += 1;
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return false;
                    }
                    let key_pos = self.pos;
                    let key = self.string();
                    self.ws();
                    if self.peek() == Some(b':') {
                        self.pos += 1;
                    }
                    self.ws();
                    if key.as_deref() == Some(want.as_str()) {
                        if rest.is_empty() {
                            self.best = Some(key_pos);
                            return true;
                        }
                        return self.find(rest);
                    }
                    self.skip_value();
                    self.ws();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    } else {
                        return false;
                    }
                }
            }
            (Some(b'['), PathSeg::Index(want)) => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.ws();
                    if self.peek() == Some(b']') || self.peek().is_none() {
                        return false;
                    }
                    if i == *want {
                        return self.find(rest);
                    }
                    self.skip_value();
                    self.ws();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                        i += 1;
                    } else {
                        return false;
                    }
                }
            }
            _ => false,
        }
    }

    /// Reads a string literal, decoding the common escapes (enough to compare keys).
    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = self.b.get(self.pos..self.pos + 4)?;
                            self.pos += 4;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        None
    }

    fn skip_value(&mut self) {
        match self.peek() {
            Some(b'"') => {
                self.string();
            }
            Some(open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        None => return,
                        Some(c) if c == close => {
                            self.pos += 1;
                            return;
                        }
                        Some(b',' | b':') => self.pos += 1,
                        Some(_) => self.skip_value(),
                    }
                }
            }
            _ => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_indexes() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c\": {\"d\\u0065\": true}\n}";
        let p = |segs: Vec<PathSeg>| line_col(text, &segs);
        assert_eq!(p(vec![PathSeg::Key("a".into())]), Some((2, 3)));
        assert_eq!(
            p(vec![
                PathSeg::Key("a".into()),
                PathSeg::Index(1),
                PathSeg::Key("b".into())
            ]),
            Some((2, 13))
        );
        assert_eq!(
            p(vec![PathSeg::Key("c".into()), PathSeg::Key("de".into())]),
            Some((3, 9))
        );
        // A missing key reports its deepest existing ancestor.
        assert_eq!(
            p(vec![PathSeg::Key("c".into()), PathSeg::Key("zz".into())]),
            Some((3, 8))
        );
    }
}
