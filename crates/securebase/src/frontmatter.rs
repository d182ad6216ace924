//! Reading a content file's text: decoding, splitting YAML front matter from
//! the Markdown body, and finding keys and values again for diagnostics.
//!
//! Positions are always those of the whole file, so a problem in the front
//! matter points at the line an editor sees, not a line of the YAML slice.

use std::ops::Range;

use crate::diagnostic::{Code, Position};

/// A problem found while decoding or splitting, before any YAML is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextError {
    pub code: Code,
    pub at: Position,
    pub message: String,
    pub hint: &'static str,
}

/// The UTF-8 byte order mark, which decoding drops.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file's bytes as UTF-8, dropping a leading byte-order mark and
/// turning CRLF and lone CR line endings into LF, so that lines are counted
/// as the YAML parser and editors count them.
pub(crate) fn decode(mut bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let bad = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..bad]).unwrap_or_default();
        TextError {
            code: Code::Encoding,
            at: position_at(valid, valid.len()),
            message: format!("the file is not valid UTF-8 (invalid byte 0x{:02x})", bytes[bad]),
            hint: "save the file as UTF-8",
        }
    })?;
    Ok(if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text })
}

/// The 1-based position of byte `offset` in `text`.
pub(crate) fn position_at(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position::new(before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// A content file split into its front matter and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// The 1-based line where the body starts.
    pub body_line: usize,
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', '\n']).trim_end() == "---"
}

/// Splits `---`-fenced YAML front matter from the Markdown body.
pub(crate) fn split(text: &str) -> Result<Split<'_>, TextError> {
    split_text(text)
}

/// An item file's bytes as the loader reads them: decoded (a byte-order
/// mark dropped, line endings as the loader takes them) and split into
/// its front matter's YAML and its Markdown body; `None` when the loader
/// would refuse the file. A front end that shows an item's text (the
/// review desk's diff) shows exactly what the site will publish.
pub fn front_matter_and_body(bytes: &[u8]) -> Option<(String, String)> {
    let text = decode(bytes.to_vec()).ok()?;
    let split = split_text(&text).ok()?;
    Some((split.yaml.to_owned(), split.body.to_owned()))
}

fn split_text(text: &str) -> Result<Split<'_>, TextError> {
    if text.trim().is_empty() {
        return Err(TextError {
            code: Code::EmptyFile,
            at: Position::START,
            message: "the file is empty".into(),
            hint: "start with a `---` line, the front matter (title, summary, author, created, sources), a closing `---` line, then the body",
        });
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if !is_fence(first) {
        return Err(TextError {
            code: Code::FrontMatter,
            at: Position::START,
            message: "the file does not start with front matter".into(),
            hint: "the first line must be `---`, followed by YAML and a closing `---` line",
        });
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if is_fence(line) {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(TextError {
        code: Code::FrontMatter,
        at: Position::START,
        message: "the front matter is never closed".into(),
        hint: "add a line with only `---` after the last front-matter key",
    })
}

/// Where a YAML anchor (`&name`) starts a value in `yaml`, if one does.
///
/// Content files have no use for anchors and aliases, and aliases can
/// multiply one large value thousands of times (a "billion laughs"), so
/// they are refused before parsing. An anchor can only begin a node: a
/// value after `key:`, an item after `- `, or an entry of a flow collection
/// after `[`, `{` or `,`. Text inside quotes or later in a plain scalar
/// ("Sam & Co") is not an anchor.
pub(crate) fn find_anchor(yaml: &str) -> Option<Position> {
    // Only a line with an `&` can hold one; most YAML has none at all.
    if !yaml.contains('&') {
        return None;
    }
    for (number, line) in yaml.lines().enumerate().filter(|(_, line)| line.contains('&')) {
        if let Some(column) = anchor_in_line(line) {
            return Some(Position::new(number + 1, column));
        }
    }
    None
}

/// Where the YAML parser would see a line break that editors do not (NEL,
/// LINE SEPARATOR, PARAGRAPH SEPARATOR): refused in YAML, since they would
/// shift every line number after them.
pub(crate) fn find_yaml_only_break(yaml: &str) -> Option<Position> {
    // NEL is encoded C2 85, the two separators E2 80 A8 and E2 80 A9.
    if !yaml.bytes().any(|b| b == 0xC2 || b == 0xE2) {
        return None;
    }
    let offset = yaml.find(['\u{85}', '\u{2028}', '\u{2029}'])?;
    Some(position_at(yaml, offset))
}

/// The 1-based column of the first anchor in one line of YAML.
fn anchor_in_line(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut at_node_start = true;
    let mut flow_depth = 0usize;
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        match c {
            '#' if i == 0 || chars[i - 1].is_whitespace() => break,
            '"' | '\'' if at_node_start => {
                quote = Some(c);
                at_node_start = false;
            }
            '&' if at_node_start && !next_is_space => return Some(i + 1),
            ' ' | '\t' => {}
            '-' if at_node_start && next_is_space => {}
            ':' if next_is_space => at_node_start = true,
            '[' | '{' if at_node_start || flow_depth > 0 => {
                flow_depth += 1;
                at_node_start = true;
            }
            ']' | '}' if flow_depth > 0 => {
                flow_depth -= 1;
                at_node_start = false;
            }
            ',' if flow_depth > 0 => at_node_start = true,
            _ => at_node_start = false,
        }
    }
    None
}

/// The file lines before the front matter's YAML starts: the opening `---`.
pub(crate) const YAML_LINE_OFFSET: usize = 1;

/// Finds keys and values in a YAML text by its layout, to point diagnostics
/// found after parsing (a dangling reference, a bad date) at the right line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locator<'a> {
    text: &'a str,
    line_offset: usize,
}

impl<'a> Locator<'a> {
    /// A locator for `text` whose first line is file line `line_offset + 1`.
    pub fn new(text: &'a str, line_offset: usize) -> Self {
        Locator { text, line_offset }
    }

    fn lines(&self) -> impl Iterator<Item = (usize, &'a str)> {
        self.text.lines().enumerate()
    }

    fn at(&self, line: usize, text_line: &str, byte: usize) -> Position {
        Position::new(self.line_offset + line + 1, text_line[..byte].chars().count() + 1)
    }

    /// The start of the text.
    pub fn start(&self) -> Position {
        Position::new(self.line_offset + 1, 1)
    }

    /// The lines of a block that starts at `line`: until the next line at the
    /// same or a smaller indentation.
    fn block(&self, line: usize, indent: usize) -> Range<usize> {
        let end = self
            .lines()
            .skip(line + 1)
            .find(|(_, l)| !l.trim().is_empty() && indentation(l) <= indent && !l.trim_start().starts_with('#'))
            .map_or(self.text.lines().count(), |(i, _)| i);
        line..end
    }

    /// A top-level `key:`, with the lines of its block.
    fn top_key(&self, key: &str) -> Option<(Position, Range<usize>)> {
        self.lines().find_map(|(i, l)| {
            let rest = l.strip_prefix(key)?;
            rest.starts_with(':').then(|| (self.at(i, l, 0), self.block(i, 0)))
        })
    }

    /// Where a top-level `key` is, or the start of the text.
    pub fn key(&self, key: &str) -> Position {
        self.top_key(key).map_or_else(|| self.start(), |(p, _)| p)
    }

    /// Where `value` first appears inside `key`'s block, else where the key is.
    pub fn value(&self, key: &str, value: &str) -> Position {
        let Some((key_at, range)) = self.top_key(key) else {
            return self.start();
        };
        self.find(range, value).unwrap_or(key_at)
    }

    /// Where the `index`th top-level sequence entry (`- ...`) is, and its lines.
    fn entry(&self, index: usize) -> Option<(Position, Range<usize>)> {
        self.lines()
            .filter(|(_, l)| l.starts_with('-') && !l.starts_with("---"))
            .nth(index)
            .map(|(i, l)| (self.at(i, l, 0), self.block(i, 0)))
    }

    /// Where `key` is inside the `index`th top-level sequence entry, else the entry.
    pub fn entry_key(&self, index: usize, key: &str) -> Position {
        let Some((at, range)) = self.entry(index) else {
            return self.start();
        };
        let needle = format!("{key}:");
        self.find(range, &needle).unwrap_or(at)
    }

    /// Where `needle` first appears anywhere in the text, else the start.
    pub fn text(&self, needle: &str) -> Position {
        self.find(0..usize::MAX, needle).unwrap_or_else(|| self.start())
    }

    /// Moves a parser's position onto the value a message quotes in
    /// backticks, searching forward from `at` (the parser often reports the
    /// start of the enclosing mapping or sequence). For a duplicate key, the
    /// second occurrence.
    pub fn refine(&self, at: Position, message: &str) -> Position {
        // A missing field is missing: the parser's position (the mapping) is right.
        if message.contains("missing field") {
            return at;
        }
        let Some(quoted) = message.split('`').nth(1).filter(|q| !q.is_empty()) else { return at };
        let first = at.line.saturating_sub(self.line_offset + 1);
        if message.contains("duplicate field") {
            // The second key at the parser's indentation.
            let indent = at.column.saturating_sub(1);
            let key = format!("{}{quoted}:", " ".repeat(indent));
            let mut keys = self.lines().skip(first).filter(|(_, l)| l.starts_with(&key));
            return keys.nth(1).map_or(at, |(i, l)| self.at(i, l, indent));
        }
        let hit = self.lines().skip(first).find_map(|(i, l)| l.find(quoted).map(|b| self.at(i, l, b)));
        hit.unwrap_or(at)
    }

    fn find(&self, range: Range<usize>, needle: &str) -> Option<Position> {
        self.lines().skip(range.start).take(range.len()).find_map(|(i, l)| l.find(needle).map(|b| self.at(i, l, b)))
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_body_line() {
        let s = split("---\ntitle: A\n---\n# Body\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn accepts_crlf_and_trailing_spaces_on_fences() {
        let s = split("--- \r\ntitle: A\r\n---\r\nbody\r\n").unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "body\r\n");
    }

    #[test]
    fn rejects_missing_and_unterminated_front_matter() {
        assert_eq!(split("title: A\n").unwrap_err().code, Code::FrontMatter);
        let e = split("---\ntitle: A\nbody\n").unwrap_err();
        assert!(e.message.contains("never closed"));
        assert_eq!(split(" \n\n").unwrap_err().code, Code::EmptyFile);
    }

    #[test]
    fn decode_drops_bom_and_locates_bad_bytes() {
        assert_eq!(decode(b"\xEF\xBB\xBF---\n".to_vec()).unwrap(), "---\n");
        assert_eq!(decode(b"a\r\nb\rc\n".to_vec()).unwrap(), "a\nb\nc\n");
        let e = decode(b"---\ntitle: \xff\n".to_vec()).unwrap_err();
        assert_eq!(e.at, Position::new(2, 8));
    }

    #[test]
    fn anchors_are_found_only_where_they_start_a_node() {
        assert_eq!(find_anchor("title: &a x\n"), Some(Position::new(1, 8)));
        assert_eq!(find_anchor("list:\n  - &b x\n"), Some(Position::new(2, 5)));
        assert_eq!(find_anchor("k: [1, &c x]\n"), Some(Position::new(1, 8)));
        assert_eq!(find_anchor("&top\na: 1\n"), Some(Position::new(1, 1)));
        for fine in ["title: Sam & Co\n", "t: \"&x\"\n", "t: 'a &b'\n", "t: a, &b\n", "t: x # &c\n", "t: & spaced\n"] {
            assert_eq!(find_anchor(fine), None, "{fine:?}");
        }
    }

    #[test]
    fn locator_finds_keys_values_and_entries_with_file_offsets() {
        let yaml = "title: A\nrelated:\n  - styles/x\n  - guides/y\nsummary: s\n";
        let loc = Locator::new(yaml, 1);
        assert_eq!(loc.key("summary"), Position::new(6, 1));
        assert_eq!(loc.value("related", "guides/y"), Position::new(5, 5));
        assert_eq!(loc.value("related", "nowhere"), Position::new(3, 1));
        let ledger = "- blob: a\n  reviewer: x\n- blob: b\n  reviewer: y\n";
        let loc = Locator::new(ledger, 0);
        assert_eq!(loc.entry_key(1, "reviewer"), Position::new(4, 3));
    }
}
