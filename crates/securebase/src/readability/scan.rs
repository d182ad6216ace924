//! Reading a Markdown text as a reader reads it, and counting its
//! sentences, words and syllables: the rules are the module's
//! ([`crate::readability`]). Lines are read one at a time for their block
//! (fence, indented code, HTML, heading, list item, quote, table); inline
//! text word by word, the common word eight bytes at a time.

use super::syllables::syllables;
use super::{Counted, Origin, Start};
use crate::diagnostic::Position;

/// Where a block being skipped ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Ordinary text.
    Text,
    /// A fenced code block, closed by a fence of `len` or more of `fence`.
    Fence { fence: u8, len: usize },
    /// An indented code block, ended by a line indented less.
    Indented,
    /// An HTML block, ended by a blank line.
    Html,
    /// An HTML comment, ended by `-->`.
    Comment,
}

/// The state of one pass over a text.
struct Scanner<'a> {
    text: &'a str,
    seen: &'a mut SeenWords,
    origin: Origin,
    out: &'a mut Vec<Counted>,
    /// The sentence being counted.
    words: u32,
    syllables: u32,
    start: Option<Start>,
    /// The line being read: its 0-based index, first byte and end, and
    /// whether it is all ASCII (a column is then a count of bytes), once
    /// a sentence starting on it asked.
    line: usize,
    line_start: usize,
    line_end: usize,
    line_ascii: Option<bool>,
    /// Where the last word ended, for telling an abbreviation's full stop.
    word_end: usize,
    word_start: usize,
    /// A byte of the text and its 0-based column, for placing sentences
    /// that start later on its line without counting from the line's start.
    counted_to: (usize, usize),
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, seen: &'a mut SeenWords, origin: Origin, out: &'a mut Vec<Counted>) -> Self {
        Scanner {
            text,
            seen,
            origin,
            out,
            words: 0,
            syllables: 0,
            start: None,
            line: 0,
            line_start: 0,
            line_end: 0,
            line_ascii: None,
            word_end: usize::MAX,
            word_start: 0,
            counted_to: (0, 0),
        }
    }

    #[inline(always)]
    fn word(&mut self, start: usize, end: usize, syllables: u32) {
        if self.start.is_none() {
            self.start = Some(match self.origin {
                Origin::Lines { first_line } => {
                    Start::At(Position::new(first_line + self.line, self.column(start) + 1))
                }
                Origin::Value(key) => Start::Value { key, offset: start },
            });
        }
        self.words = self.words.saturating_add(1);
        self.syllables = self.syllables.saturating_add(syllables);
        self.word_start = start;
        self.word_end = end;
    }

    /// The 0-based column, in characters, of byte `at` of the line.
    fn column(&mut self, at: usize) -> usize {
        let line = self.text.get(self.line_start..self.line_end).unwrap_or("");
        if *self.line_ascii.get_or_insert_with(|| line.is_ascii()) {
            return at.saturating_sub(self.line_start);
        }
        // Counted on from the last sentence's start on this line.
        let (from, before) = match self.counted_to {
            (counted, column) if counted >= self.line_start && counted <= at => (counted, column),
            _ => (self.line_start, 0),
        };
        let column = before + self.text.get(from..at).map_or(0, |s| s.chars().count());
        self.counted_to = (at, column);
        column
    }

    /// Ends the sentence being counted, if it has a word.
    fn end(&mut self) {
        if let Some(start) = self.start.take() {
            self.out.push(Counted { words: self.words, syllables: self.syllables, start });
        }
        self.words = 0;
        self.syllables = 0;
    }

    /// A `.`, `!`, `?` or `…` at byte `at`, `len` bytes long.
    fn terminal(&mut self, at: usize, len: usize) {
        if self.text.as_bytes()[at] == b'.' && self.word_end == at && self.start.is_some() {
            let word = self.text.get(self.word_start..self.word_end).unwrap_or("");
            match abbreviation(word) {
                Abbreviation::Not => {}
                Abbreviation::Always => return,
                Abbreviation::BeforeLowercase => {
                    let next = self.text[at + len..].trim_start().chars().next();
                    if next.is_some_and(|c| !c.is_uppercase()) {
                        return;
                    }
                }
            }
        }
        self.end();
    }

    /// Counts the inline text `text[from..to]`; returns where counting
    /// should go on (past `to` when a citation runs over the line's end).
    fn inline(&mut self, from: usize, to: usize) -> usize {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = from;
        while i < to {
            let b = bytes[i];
            if b.is_ascii_alphanumeric() {
                i = self.scan_word(i, to);
                continue;
            }
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            i = match b {
                b'!' if next == b'[' => skip_image(bytes, i, to),
                b'.' | b'!' | b'?' => {
                    self.terminal(i, 1);
                    i + 1
                }
                b'(' => match citation_end(text, i) {
                    Some(end) => end,
                    None => i + 1,
                },
                b'[' if next == b'^' => find_byte(bytes, i, to, b']').map_or(i + 1, |e| e + 1),
                b']' if next == b'(' => matching(bytes, i + 1, to, b'(', b')').map_or(i + 1, |e| e + 1),
                b']' if next == b'[' => find_byte(bytes, i + 1, to, b']').map_or(i + 1, |e| e + 1),
                b'<' if next.is_ascii_alphabetic() || next == b'/' || next == b'!' => {
                    find_byte(bytes, i, to, b'>').map_or(i + 1, |e| e + 1)
                }
                b'&' => entity_end(bytes, i, to).unwrap_or(i + 1),
                b'|' => {
                    self.end();
                    i + 1
                }
                0x80.. => match char_at(text, i) {
                    Some(c) if c.is_alphanumeric() => self.scan_word(i, to),
                    Some(c) => {
                        if c == '…' {
                            self.terminal(i, c.len_utf8());
                        }
                        i + c.len_utf8()
                    }
                    None => i + 1,
                },
                _ => i + 1,
            };
        }
        i
    }

    /// Reads the common word, eight bytes at a time: at most
    /// [`SEEN_LETTERS`] ASCII letters and digits, followed by nothing that
    /// could join it to more (see [`JOINS`]). Anything else is left to
    /// [`Scanner::any_word`], which reads it byte by byte to the same
    /// result, only slower.
    #[inline(always)]
    fn plain_word(&mut self, start: usize, to: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let low = Lanes::load(bytes, start, to);
        let first = low.run();
        let after = |k: usize| if k < to { bytes[k] } else { 0 };
        let joins = |end: usize| JOINS[usize::from(after(end))] & FOLLOWING[usize::from(after(end + 1))] != 0;
        // Most words end within the first eight bytes. A number's count
        // (one) is remembered like any word's.
        let (end, count) = if first < 8 {
            let end = start + first;
            if joins(end) {
                return None;
            }
            (end, self.seen.short(low.lowercase(first), || &self.text[start..end]))
        } else {
            let high = Lanes::load(bytes, start + 8, to);
            let more = high.run();
            let end = start + 8 + more;
            if more == 8 || joins(end) {
                return None;
            }
            (end, self.seen.long((low.0 | lanes_of(0x20), high.lowercase(more)), || &self.text[start..end]))
        };
        self.word(start, end, count);
        Some(end)
    }

    /// Reads the word that starts at `start`; returns where it ends.
    #[inline(always)]
    fn scan_word(&mut self, start: usize, to: usize) -> usize {
        match self.plain_word(start, to) {
            Some(end) => end,
            None => self.any_word(start, to),
        }
    }

    /// Reads any word that starts at `start`, byte by byte; returns where
    /// it ends.
    #[cold]
    #[inline(never)]
    fn any_word(&mut self, start: usize, to: usize) -> usize {
        let text = self.text;
        let bytes = text.as_bytes();
        let alnum_at = |k: usize| {
            k < to
                && (bytes[k].is_ascii_alphanumeric()
                    || (bytes[k] >= 0x80 && char_at(text, k).is_some_and(char::is_alphanumeric)))
        };
        // Only ASCII: the word's count can be remembered.
        let (mut plain, mut digit) = (true, false);
        let mut j = start;
        loop {
            while j < to {
                let b = bytes[j];
                let class = BYTE_CLASS[usize::from(b)];
                if class == LETTER {
                    j += 1;
                } else if class == DIGIT {
                    digit = true;
                    j += 1;
                } else if class == NOT_ASCII {
                    match char_at(text, j) {
                        Some(c) if c.is_alphanumeric() => {
                            plain = false;
                            j += c.len_utf8();
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            if j >= to {
                break;
            }
            let joined = match bytes[j] {
                b'\'' if alnum_at(j + 1) => 1,
                b'-' if alnum_at(j + 1) => 1,
                b'.' if j + 1 < to && bytes[j + 1].is_ascii_alphanumeric() => 1,
                b',' if j > start && bytes[j - 1].is_ascii_digit() && j + 1 < to && bytes[j + 1].is_ascii_digit() => 1,
                0x80.. => match char_at(text, j) {
                    Some(c @ ('’' | 'ʼ' | '‐' | '‑')) if alnum_at(j + c.len_utf8()) => {
                        plain = false;
                        c.len_utf8()
                    }
                    _ => 0,
                },
                _ => 0,
            };
            if joined == 0 {
                break;
            }
            j += joined;
        }
        // A web address reads as no words.
        if text[j..to].starts_with("://") {
            return bytes[j..to].iter().position(u8::is_ascii_whitespace).map_or(to, |k| j + k);
        }
        let word = &text[start..j];
        let count = if digit {
            1
        } else if plain {
            self.seen.any(word)
        } else {
            syllables(word)
        };
        self.word(start, j, count);
        j
    }
}

/// What each byte is, for reading words fast: [`LETTER`], [`DIGIT`],
/// [`NOT_ASCII`] or 0 (anything else).
/// A table with one byte for each byte value, computed at compile time.
macro_rules! byte_table {
    (|$b:ident| $value:expr) => {{
        let mut table = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            table[i] = $value;
            i += 1;
        }
        table
    }};
}

static BYTE_CLASS: [u8; 256] = byte_table!(|b| match b {
    b'a'..=b'z' | b'A'..=b'Z' => LETTER,
    b'0'..=b'9' => DIGIT,
    0x80.. => NOT_ASCII,
    _ => 0,
});
/// What a byte after a word can be, for [`JOINS`]: bits [`ALNUM`],
/// [`DIGIT_BIT`], [`WIDE`] (a byte of a wider character), [`SLASH`], and
/// [`ANY`] for every byte.
static FOLLOWING: [u8; 256] = byte_table!(|b| ANY
    | match b {
        b'a'..=b'z' | b'A'..=b'Z' => ALNUM,
        b'0'..=b'9' => ALNUM | DIGIT_BIT,
        b'/' => SLASH,
        0x80.. => WIDE,
        _ => 0,
    });
const ALNUM: u8 = 1;
const DIGIT_BIT: u8 = 2;
const WIDE: u8 = 4;
const SLASH: u8 = 8;
const ANY: u8 = 16;

/// For each byte that ends a run of letters and digits, the bits of
/// [`FOLLOWING`] that make it join the run to more: an apostrophe or hyphen
/// before a letter or digit (or a wider character, which may be a letter),
/// a dot before a letter or digit, a comma before a digit, ":/" (a web
/// address); a byte of a wider character always may.
static JOINS: [u8; 256] = byte_table!(|b| match b {
    b'\'' | b'-' => ALNUM | WIDE,
    b'.' => ALNUM,
    b',' => DIGIT_BIT,
    b':' => SLASH,
    0x80.. => ANY,
    _ => 0,
});
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
const NOT_ASCII: u8 = 3;

/// How many words of up to seven bytes, and of eight to fifteen, the
/// syllable counts of each thread remember: 16 KiB each, so that both
/// stay in the core's nearest cache as the text streams past.
const SHORT_SLOTS: usize = 2048;
const LONG_SLOTS: usize = 1024;

/// The longest word (in bytes) whose count is remembered: the last byte
/// of a key is then always 0, and holds the count.
const SEEN_LETTERS: usize = 15;

/// Eight bytes of a text, for finding where a word ends without a
/// branch per byte.
#[derive(Debug, Clone, Copy)]
struct Lanes(u64);

/// The top bit of each byte.
const TOP_BITS: u64 = 0x8080_8080_8080_8080;
/// Each byte's value repeated in all eight.
const fn lanes_of(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

impl Lanes {
    /// The bytes `at..at + 8` of `bytes`, those at or past `to` read as 0.
    fn load(bytes: &[u8], at: usize, to: usize) -> Lanes {
        match bytes.get(at..at + 8) {
            Some(eight) if at + 8 <= to => Lanes(u64::from_le_bytes(eight.try_into().unwrap_or_default())),
            _ => {
                let mut eight = [0u8; 8];
                let n = to.saturating_sub(at).min(8);
                if let (Some(into), Some(from)) = (eight.get_mut(..n), bytes.get(at..at + n)) {
                    into.copy_from_slice(from);
                }
                Lanes(u64::from_le_bytes(eight))
            }
        }
    }

    /// The top bit of each byte that is an ASCII letter. Each comparison
    /// adds to the byte's low seven bits, which cannot carry into the next
    /// byte.
    fn letters(self) -> u64 {
        let folded = (self.0 | lanes_of(0x20)) & !TOP_BITS;
        let from_a = folded + lanes_of(0x80 - b'a');
        let past_z = folded + lanes_of(0x80 - b'z' - 1);
        from_a & !past_z & !self.0 & TOP_BITS
    }

    /// The top bit of each byte that is an ASCII digit.
    fn digit_bits(self) -> u64 {
        let low = self.0 & !TOP_BITS;
        let from_0 = low + lanes_of(0x80 - b'0');
        let past_9 = low + lanes_of(0x80 - b'9' - 1);
        from_0 & !past_9 & !self.0 & TOP_BITS
    }

    /// How many bytes, from the first, are ASCII letters or digits.
    fn run(self) -> usize {
        ((!(self.letters() | self.digit_bits()) & TOP_BITS).trailing_zeros() / 8) as usize
    }

    /// The first `n` (at most 8) bytes, lowercase, the rest 0.
    fn lowercase(self, n: usize) -> u64 {
        (self.0 | lanes_of(0x20)) & first_bytes(n)
    }
}

/// A mask of the first `n` (at most 8) bytes of eight.
fn first_bytes(n: usize) -> u64 {
    if n >= 8 { u64::MAX } else { (1 << (8 * n)) - 1 }
}

/// The syllable counts of words this thread counted lately, by a hash of
/// the word: most words of any text are a few common ones, so most are
/// counted once. A word is kept as its key: its bytes, lowercase (ASCII
/// letters with 0x20 set; digits, apostrophes and dots as they are),
/// padded with zeros, as one number for a word of up to seven bytes and
/// two for one of eight to fifteen; the key's last byte, always 0, holds
/// the count.
struct SeenWords {
    short: Box<[u64; SHORT_SLOTS]>,
    long: Box<[(u64, u64); LONG_SLOTS]>,
}

/// A key's last byte, where a remembered word keeps its count.
const COUNT_BYTE: u64 = 0xff << 56;

/// A slot of [`SeenWords`]: a key, with the count in its last byte.
trait Slot: Copy {
    /// The count this slot holds for `key`, if it holds `key`.
    fn count_for(self, key: Self) -> Option<u32>;
    /// `key` holding `count`, if the count fits in a byte.
    fn holding(key: Self, count: u32) -> Option<Self>;
    /// A number of the key's bytes, for choosing its slots.
    fn hash(self) -> u64;
}

impl Slot for u64 {
    fn count_for(self, key: u64) -> Option<u32> {
        (self & !COUNT_BYTE == key).then_some((self >> 56) as u32)
    }
    fn holding(key: u64, count: u32) -> Option<u64> {
        u8::try_from(count).ok().map(|c| key | u64::from(c) << 56)
    }
    fn hash(self) -> u64 {
        self
    }
}

impl Slot for (u64, u64) {
    fn count_for(self, key: (u64, u64)) -> Option<u32> {
        (self.0 == key.0).then(|| self.1.count_for(key.1)).flatten()
    }
    fn holding(key: (u64, u64), count: u32) -> Option<(u64, u64)> {
        u64::holding(key.1, count).map(|last| (key.0, last))
    }
    fn hash(self) -> u64 {
        self.0 ^ self.1.rotate_left(29)
    }
}

impl SeenWords {
    /// Remembering nothing yet.
    fn new() -> SeenWords {
        SeenWords { short: Box::new([0; SHORT_SLOTS]), long: Box::new([(0, 0); LONG_SLOTS]) }
    }

    /// The syllables of `word`, of up to seven bytes, whose key is `key`.
    #[inline(always)]
    fn short<'w>(&mut self, key: u64, word: impl FnOnce() -> &'w str) -> u32 {
        look_up(&mut self.short, key, word)
    }

    /// The syllables of `word`, of eight to fifteen bytes, whose key is
    /// `key`.
    #[inline(always)]
    fn long<'w>(&mut self, key: (u64, u64), word: impl FnOnce() -> &'w str) -> u32 {
        look_up(&mut self.long, key, word)
    }

    /// The syllables of an ASCII word, remembered if it has at most
    /// [`SEEN_LETTERS`] bytes.
    fn any(&mut self, word: &str) -> u32 {
        let bytes = word.as_bytes();
        let half = |from: usize| {
            let part = bytes.get(from..).unwrap_or_default();
            let n = part.len().min(8);
            Lanes::load(part, 0, n).lowercase(n)
        };
        match word.len() {
            1..8 => self.short(half(0), || word),
            8..=SEEN_LETTERS => self.long((half(0), half(8)), || word),
            _ => syllables(word),
        }
    }
}

/// The syllables of `word`, whose key is `key`, from `slots`. Each hash
/// has two slots, the word used last first, so that two common words with
/// one hash do not keep pushing each other out.
#[inline(always)]
fn look_up<'w, S: Slot, const N: usize>(slots: &mut [S; N], key: S, word: impl FnOnce() -> &'w str) -> u32 {
    const { assert!((N / 2).is_power_of_two(), "a table has a power of two pairs of slots") };
    // The product's top bits, one pair of slots for each value.
    let bits = (N / 2).trailing_zeros();
    let pair = 2 * (key.hash().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize;
    match slots[pair].count_for(key) {
        Some(count) => count,
        None => not_first(&mut slots[pair..pair + 2], key, word()),
    }
}

/// [`look_up`] for a word not in its pair's first slot.
#[cold]
#[inline(never)]
fn not_first<S: Slot>(pair: &mut [S], key: S, word: &str) -> u32 {
    let [first, second] = pair else { return syllables(word) };
    if let Some(count) = second.count_for(key) {
        std::mem::swap(first, second);
        return count;
    }
    let count = syllables(word);
    if let Some(slot) = S::holding(key, count) {
        *second = *first;
        *first = slot;
    }
    count
}

thread_local! {
    static SEEN: std::cell::RefCell<SeenWords> = std::cell::RefCell::new(SeenWords::new());
}

/// Counts the sentences of `text` into `out`.
pub(super) fn scan(text: &str, origin: Origin, out: &mut Vec<Counted>) {
    SEEN.with_borrow_mut(|seen| scan_with(text, origin, out, seen));
}

fn scan_with(text: &str, origin: Origin, out: &mut Vec<Counted>, seen: &mut SeenWords) {
    let mut s = Scanner::new(text, seen, origin, out);
    let mut block = Block::Text;
    let mut blank_before = true;
    let mut in_list = false;
    // Where a citation that ran over a line's end ends.
    let mut resume = 0;
    let mut line_start = 0;
    let line_ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
    for (index, line_end) in line_ends.enumerate() {
        let line = &text[line_start..line_end];
        s.line = index;
        s.line_start = line_start;
        s.line_end = line_end;
        s.line_ascii = None;
        let start = line_start;
        line_start = line_end + 1;
        if resume > start {
            if resume < line_end {
                resume = s.inline(resume, line_end);
            }
            continue;
        }
        match block {
            Block::Fence { fence, len } => {
                let t = line.trim_start_matches(' ');
                let run = t.bytes().take_while(|&b| b == fence).count();
                if run >= len && t[run..].trim().is_empty() {
                    block = Block::Text;
                }
                continue;
            }
            Block::Html | Block::Comment if line.trim().is_empty() => {
                block = Block::Text;
                blank_before = true;
                continue;
            }
            Block::Html => continue,
            Block::Comment => {
                if line.contains("-->") {
                    block = Block::Text;
                }
                continue;
            }
            Block::Indented if line.trim().is_empty() || indentation(line) >= 4 => continue,
            Block::Indented | Block::Text => block = Block::Text,
        }
        if line.trim().is_empty() {
            s.end();
            blank_before = true;
            continue;
        }
        if indentation(line) >= 4 && blank_before && !in_list {
            s.end();
            block = Block::Indented;
            continue;
        }
        let was_blank = std::mem::replace(&mut blank_before, false);
        let mut at = start + (line.len() - line.trim_start().len());
        // Block quote markers.
        while text.as_bytes().get(at) == Some(&b'>') {
            at += 1;
            at += text[at..line_end].len() - text[at..line_end].trim_start().len();
        }
        let rest = &text[at..line_end];
        if rest.trim().is_empty() {
            s.end();
            blank_before = true;
            continue;
        }
        let rb = rest.as_bytes();
        let fence_run = rb.iter().take_while(|&&b| b == rb[0]).count();
        if matches!(rb[0], b'`' | b'~') && fence_run >= 3 && !(rb[0] == b'`' && rest[fence_run..].contains('`')) {
            s.end();
            block = Block::Fence { fence: rb[0], len: fence_run };
            continue;
        }
        let hashes = rb.iter().take_while(|&&b| b == b'#').count();
        if (1..=6).contains(&hashes) && rb.get(hashes).is_none_or(|&b| b == b' ' || b == b'\t') {
            s.end();
            let end = at + heading_text_end(rest);
            if at + hashes < end {
                resume = s.inline(at + hashes, end);
            }
            s.end();
            in_list = false;
            continue;
        }
        if rest.bytes().all(|b| matches!(b, b'-' | b'=' | b'*' | b'_' | b' ' | b'\t')) {
            // A thematic break, or the underline of the heading above.
            s.end();
            continue;
        }
        if let Some(marker) = list_marker(rest) {
            s.end();
            in_list = true;
            at += marker;
            let item = &text[at..line_end];
            at += item.len() - item.trim_start().len();
            let item = &text[at..line_end];
            if matches!(item.get(..3), Some("[ ]" | "[x]" | "[X]")) {
                at += 3;
            }
        } else if rest.starts_with("[^")
            && let Some(colon) = rest.find("]:")
        {
            s.end();
            in_list = false;
            at += colon + 2;
        } else if rest.starts_with('[') && rest.find("]:").is_some_and(|c| !rest[..c].contains("](")) {
            // A link reference definition.
            continue;
        } else if let Some(html) = html_block(rest) {
            s.end();
            block = html;
            continue;
        } else if was_blank && at == start {
            in_list = false;
        }
        resume = s.inline(at, line_end);
    }
    s.end();
}

/// Leading indentation in columns (a tab is four).
fn indentation(line: &str) -> usize {
    let mut columns = 0;
    for b in line.bytes() {
        match b {
            b' ' => columns += 1,
            b'\t' => columns += 4,
            _ => break,
        }
    }
    columns
}

/// The length of a list item's marker (`- `, `* `, `+ `, `1. `, `2) `).
fn list_marker(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let spaced = |at: usize| b.get(at).is_none_or(|&c| c == b' ' || c == b'\t');
    if matches!(b[0], b'-' | b'*' | b'+') && spaced(1) {
        return Some(1);
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    ((1..=9).contains(&digits) && matches!(b.get(digits), Some(b'.' | b')')) && spaced(digits + 1))
        .then_some(digits + 1)
}

/// Where a heading's text ends in `rest` (its line from the `#`s on): before
/// an attribute block (`{#id}`) and closing `#`s.
fn heading_text_end(rest: &str) -> usize {
    let mut t = rest.trim_end();
    if t.ends_with('}')
        && let Some(open) = t.rfind('{')
    {
        t = t[..open].trim_end();
    }
    let closing = t.trim_end_matches('#');
    if closing.len() < t.len() && (closing.is_empty() || closing.ends_with([' ', '\t'])) {
        t = closing.trim_end();
    }
    t.len()
}

/// The block an HTML line starts, if it starts one: a comment, or a tag
/// that is a block element or alone on its line.
fn html_block(rest: &str) -> Option<Block> {
    let b = rest.as_bytes();
    if b[0] != b'<' {
        return None;
    }
    if rest.starts_with("<!--") {
        return Some(if rest.contains("-->") { Block::Html } else { Block::Comment });
    }
    let name_at = usize::from(b.get(1) == Some(&b'/')) + 1;
    let name: &str = {
        let len = b[name_at.min(b.len())..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        rest.get(name_at..name_at + len).unwrap_or("")
    };
    if name.is_empty() && !rest.starts_with("<!") && !rest.starts_with("<?") {
        return None;
    }
    const BLOCKS: &[&str] = &[
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dialog",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "iframe",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "script",
        "section",
        "style",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ];
    let block = BLOCKS.iter().any(|n| n.eq_ignore_ascii_case(name));
    (block || rest.trim_end().ends_with('>')).then_some(Block::Html)
}

/// The char that starts at byte `at`, if one does.
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// The first `byte` in `bytes[from..to]`.
fn find_byte(bytes: &[u8], from: usize, to: usize, byte: u8) -> Option<usize> {
    bytes.get(from..to)?.iter().position(|&b| b == byte).map(|i| from + i)
}

/// The `close` that matches the `open` at `from`, within `..to`.
fn matching(bytes: &[u8], from: usize, to: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in bytes.get(from..to)?.iter().enumerate() {
        if b == open {
            depth += 1;
        } else if b == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(from + i);
            }
        }
    }
    None
}

/// Where an image (`![alt](src)`) that starts at `at` ends.
fn skip_image(bytes: &[u8], at: usize, to: usize) -> usize {
    let Some(alt_end) = matching(bytes, at + 1, to, b'[', b']') else { return at + 1 };
    if bytes.get(alt_end + 1) == Some(&b'(') {
        return matching(bytes, alt_end + 1, to, b'(', b')').map_or(alt_end + 1, |e| e + 1);
    }
    alt_end + 1
}

/// Where an HTML entity (`&amp;`, `&#8212;`) that starts at `at` ends.
fn entity_end(bytes: &[u8], at: usize, to: usize) -> Option<usize> {
    let name = bytes.get(at + 1..to.min(at + 34))?;
    let len = name.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'#').count();
    (len > 0 && name.get(len) == Some(&b';')).then_some(at + len + 2)
}

/// Where the citation in parentheses that opens at `open` ends, if it is a
/// citation: within 300 bytes and one paragraph, every `;`-separated part
/// ends with a year (or `n.d.`, or `in press`), page numbers aside.
fn citation_end(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let close = matching(bytes, open, bytes.len().min(open + 300), b'(', b')')?;
    let inner = &text[open + 1..close];
    if inner.contains("\n\n") || inner.contains('(') || inner.trim().is_empty() {
        return None;
    }
    inner.split(';').all(cites).then_some(close + 1)
}

/// Whether one part of a parenthesis cites a work: "Bowlby, 1969",
/// "see Levy et al., 2011, p. 194", "1969a".
fn cites(part: &str) -> bool {
    let mut part = part.trim();
    // Page numbers: ", p. 12" or ", pp. 121-160".
    if let Some(comma) = part.rfind(',') {
        let pages = part[comma + 1..].trim_start();
        if let Some(numbers) = pages.strip_prefix("pp.").or_else(|| pages.strip_prefix("p.")) {
            let numbers = numbers.trim();
            if !numbers.is_empty() && numbers.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '–' | ' ')) {
                part = part[..comma].trim_end();
            }
        }
    }
    if part.ends_with("n.d.") || part.ends_with("in press") {
        return true;
    }
    let last = part.rsplit([' ', ',', '/', '\n']).next().unwrap_or("");
    let digits = last.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &last[digits..];
    digits == 4
        && matches!(last.as_bytes()[0], b'1' | b'2')
        && (rest.is_empty() || (rest.len() == 1 && rest.as_bytes()[0].is_ascii_lowercase()))
}

/// How a word before a full stop is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abbreviation {
    /// Not an abbreviation: the full stop ends the sentence.
    Not,
    /// Never ends a sentence: "Dr.", "J.", "e.g.", "U.S.", "et al.".
    Always,
    /// Ends a sentence only when a capital follows: "etc.".
    BeforeLowercase,
}

fn abbreviation(word: &str) -> Abbreviation {
    let b = word.as_bytes();
    if b.len() == 1 && b[0].is_ascii_uppercase() {
        return Abbreviation::Always;
    }
    // Dotted: "U.S", "e.g", "Ph.D", but not "3.5" or "example.org".
    if word.contains('.') {
        let short = word.split('.').all(|p| (1..=2).contains(&p.len()) && p.bytes().any(|c| c.is_ascii_alphabetic()));
        return if short { Abbreviation::Always } else { Abbreviation::Not };
    }
    if b.len() > 6 {
        return Abbreviation::Not;
    }
    let mut lower = [0u8; 6];
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    match &lower[..b.len()] {
        b"mr" | b"mrs" | b"ms" | b"dr" | b"prof" | b"st" | b"mt" | b"jr" | b"sr" | b"rev" | b"lt" | b"sgt"
        | b"capt" | b"al" | b"vs" | b"cf" | b"eg" | b"ie" | b"approx" | b"ca" | b"fig" | b"vol" | b"pp" | b"p" => {
            Abbreviation::Always
        }
        // "No. 5", but "she said no. Then".
        b"etc" | b"no" => Abbreviation::BeforeLowercase,
        _ => Abbreviation::Not,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readability::Figures;

    /// (sentences, words) of a Markdown text.
    fn counts(text: &str) -> (u32, u32) {
        let f = Figures::measure(text);
        (f.sentences, f.words)
    }

    /// Each sentence's (words, line, column), in order.
    fn sentences(text: &str) -> Vec<(u32, usize, usize)> {
        let mut counted = Vec::new();
        scan(text, Origin::Lines { first_line: 1 }, &mut counted);
        counted
            .iter()
            .map(|c| match c.start {
                Start::At(at) => (c.words, at.line, at.column),
                Start::Value { .. } => unreachable!("a text measured by lines"),
            })
            .collect()
    }

    /// The word at every place one can start in `text`, read both ways.
    fn both_ways(text: &str) -> Vec<String> {
        let mut seen = SeenWords::new();
        let mut out = Vec::new();
        let mut scanner = |start: usize| {
            let mut counted = Vec::new();
            let mut s = Scanner::new(text, &mut seen, Origin::Lines { first_line: 1 }, &mut counted);
            let fast = s.plain_word(start, text.len()).map(|end| (end, s.words, s.syllables));
            s.words = 0;
            s.syllables = 0;
            let slow = s.any_word(start, text.len());
            (fast, (slow, s.words, s.syllables))
        };
        let bytes = text.as_bytes();
        for start in 0..bytes.len() {
            if bytes[start].is_ascii_alphanumeric() && (start == 0 || !bytes[start - 1].is_ascii_alphanumeric()) {
                let (fast, slow) = scanner(start);
                if let Some(fast) = fast
                    && fast != slow
                {
                    out.push(format!("at {start} ({:?}): fast {fast:?}, slow {slow:?}", &text[start..]));
                }
            }
        }
        out
    }

    #[test]
    fn the_fast_path_reads_words_as_the_byte_by_byte_path_does() {
        let tricky = "Don't stop: self-care, e.g. 1,000 steps.U.S. Fifteen-letter extraordinarily\
            counterproductive rock'n'roll café naïve it’s see https://x.org/a now ending";
        let mut texts: Vec<String> = vec![tricky.to_owned()];
        let passages: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/readability/passages.json")).expect("the passages are JSON");
        let passages = passages.as_array().expect("a list of passages");
        texts.extend(passages.iter().filter_map(|p| p["text"].as_str().map(str::to_owned)));
        assert!(texts.len() > 20, "the fixture passages were read");
        let differences: Vec<String> = texts.iter().flat_map(|t| both_ways(t)).collect();
        assert_eq!(differences, Vec::<String>::new());
        // Every kind of word end is met: the fast path is taken, and refused.
        let fast_taken = |text: &str, start: usize| {
            let mut seen = SeenWords::new();
            let mut counted = Vec::new();
            let mut s = Scanner::new(text, &mut seen, Origin::Lines { first_line: 1 }, &mut counted);
            s.plain_word(start, text.len())
        };
        assert_eq!(fast_taken("calm, then", 0), Some(4));
        assert_eq!(fast_taken("extraordinarily calm", 0), Some(15));
        assert_eq!(fast_taken("counterproductive", 0), None, "seventeen letters");
        assert_eq!(fast_taken("self-care", 0), None);
        assert_eq!(fast_taken("don't", 0), None);
        assert_eq!(fast_taken("1,000", 0), None);
        assert_eq!(fast_taken("U.S.", 0), None);
        assert_eq!(fast_taken("caf\u{e9}", 0), None);
        assert_eq!(fast_taken("https://x.org", 0), None);
        assert_eq!(fast_taken("end. Next", 0), Some(3));
    }

    #[test]
    fn a_slot_holds_its_own_key_and_count_only() {
        let half = |bytes: &[u8; 8]| u64::from_le_bytes(*bytes);
        let short = half(b"calm\0\0\0\0");
        let slot = u64::holding(short, 1).expect("a count of one fits");
        assert_eq!((slot.count_for(short), slot.count_for(half(b"calms\0\0\0"))), (Some(1), None));
        let long = (half(b"understa"), half(b"nd\0\0\0\0\0\0"));
        let slot = <(u64, u64)>::holding(long, 3).expect("a count of three fits");
        assert_eq!(slot.count_for(long), Some(3));
        assert_eq!(slot.count_for((long.0, half(b"nding\0\0\0"))), None, "the same first eight bytes");
        assert_eq!(slot.count_for((half(b"overstan"), long.1)), None, "the same last bytes");
        assert_eq!((u64::holding(short, 256), <(u64, u64)>::holding(long, 256)), (None, None), "too large to keep");
    }

    #[test]
    fn remembered_counts_are_the_rules_counts() {
        let passages: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/readability/passages.json")).expect("the passages are JSON");
        let mut words: Vec<String> = passages
            .as_array()
            .expect("a list of passages")
            .iter()
            .filter_map(|p| p["text"].as_str())
            .flat_map(|t| t.split(|c: char| !c.is_ascii_alphanumeric() && c != '\''))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        assert!(words.len() > 4_000, "the passages were read");
        // Each length a table keeps, one past the longest, and two words
        // that differ only past their eighth byte.
        words.extend(
            [
                "a",
                "seven77",
                "eighters",
                "fifteenlettersx",
                "sixteenletterssx",
                "Don't",
                "DON'T",
                "understand",
                "understanding",
            ]
            .map(String::from),
        );
        // Far more words than slots, of both tables: pairs are shared, and
        // words pushed out.
        let letters = "aeiostnrl".as_bytes();
        let n = letters.len();
        for i in 0..n.pow(4) {
            let stem: String =
                [i, i / n, i / n / n, i / n / n / n].map(|d| char::from(letters[d % n])).iter().collect();
            words.extend([stem.clone(), format!("{stem}ship"), format!("{stem}ablenesses")]);
        }
        let mut seen = SeenWords::new();
        for round in 0..2 {
            for word in &words {
                assert_eq!(seen.any(word), syllables(word), "{word:?}, round {round}");
            }
        }
        // A word and its case share a key; a 16-byte word is never kept.
        assert_eq!(seen.any("Caregiver"), seen.any("caregiver"));
        let mut fresh = SeenWords::new();
        fresh.any("sixteenletterssx");
        assert!(fresh.short.iter().all(|&s| s == 0) && fresh.long.iter().all(|&s| s == (0, 0)));
        fresh.any("eighters");
        assert_eq!(fresh.long.iter().filter(|&&s| s != (0, 0)).count(), 1);
        assert!(fresh.short.iter().all(|&s| s == 0));
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(counts("Dr. Smith saw the U.S. team, e.g. the coach. It went well."), (2, 12));
        assert_eq!(counts("Bowlby, J. wrote it. Levy et al. found more. Mrs. Lee agreed."), (3, 12));
        assert_eq!(counts("Bring pens, paper, etc. and a snack. Then rest."), (2, 9));
        assert_eq!(counts("We packed food, water, etc. Then we left."), (2, 8));
        assert_eq!(counts("Turn to page no. 5 now. She said no. Then she left."), (3, 12));
        assert_eq!(counts("Chat at 988lifeline.org. It is free."), (2, 6));
    }

    #[test]
    fn numbers_are_words_of_one_syllable() {
        let f = Figures::measure("About 1,000 people, or 3.5 percent, came in 1969.");
        assert_eq!((f.sentences, f.words), (1, 9));
        // a-bout 2, 1,000 1, peo-ple 2, or 1, 3.5 1, per-cent 2, came 1, in 1, 1969 1.
        assert_eq!(f.syllables, 12);
        assert_eq!(counts("Call 988 or text 741741 to talk, 24/7."), (1, 9));
    }

    #[test]
    fn hyphenated_words_are_one_word_counted_in_parts() {
        let f = Figures::measure("A well-known self-help book.");
        assert_eq!((f.sentences, f.words, f.syllables), (1, 4, 6));
        // A dash between words is not a hyphen.
        assert_eq!(counts("We can not dedicate—we can not consecrate – this ground."), (1, 10));
    }

    #[test]
    fn quotes_and_apostrophes() {
        let f = Figures::measure("\"Stop,\" she said. \"Don't go!\" He didn't.");
        assert_eq!((f.sentences, f.words), (3, 7));
        // stop 1, she 1, said 1, don't 1, go 1, he 1, did-n't 2.
        assert_eq!(f.syllables, 8);
        let curly = Figures::measure("“Stop,” she said. ‘Don’t go!’ He didn’t.");
        assert_eq!((curly.sentences, curly.words, curly.syllables), (3, 7, 8));
    }

    #[test]
    fn headings_list_items_and_table_cells_are_sentences() {
        let text = "# Title {#top}\n\n- one item\n- another item\n  that goes on\n* [ ] a task\n\nA paragraph with no stop\n\n1. First step\n2) Second step\n\n| Step | What to try |\n|---|---|\n| 1 | Breathe slowly |\n\nSetext heading\n---\nLast words";
        assert_eq!(
            sentences(text),
            [
                (1, 1, 3),
                (2, 3, 3),
                (5, 4, 3),
                (2, 6, 7),
                (5, 8, 1),
                (2, 10, 4),
                (2, 11, 4),
                (1, 13, 3),
                (3, 13, 10),
                (1, 15, 3),
                (2, 15, 7),
                (2, 17, 1),
                (2, 19, 1),
            ]
        );
    }

    #[test]
    fn footnotes_references_go_and_definitions_are_prose() {
        let text = "Text here.[^1] More text.\n\n[^1]: A note with more words.\n    It goes on.";
        assert_eq!(sentences(text), [(2, 1, 1), (2, 1, 16), (5, 3, 7), (3, 4, 5)]);
    }

    #[test]
    fn code_blocks_html_and_definitions_are_ignored() {
        let text = "Before.\n\n```rust\nlet x = 1; // code words.\n```\n\n~~~\nmore code\n~~~\n\n    indented code here.\n\n<div>\nhidden words\n</div>\n\n<!-- a\ncomment -->\n\n[ref]: https://example.org \"A title\"\n\nShown <b>bold</b> text.\n\nAfter.";
        assert_eq!(sentences(text), [(1, 1, 1), (3, 22, 1), (1, 24, 1)]);
        // Inline code is read as text.
        assert_eq!(counts("Run `securebase check` now."), (1, 4));
    }

    #[test]
    fn links_count_as_their_text_and_images_and_addresses_as_nothing() {
        let text = "Read [the guide](/guides/x/ \"Title here\") and ![a photo of a cat](cat.png) <https://example.org> [more][ref] now, at https://example.org/a.";
        assert_eq!(counts(text), (1, 7));
        assert_eq!(counts("Use &amp; reuse &#8212; carefully."), (1, 3));
    }

    #[test]
    fn citations_are_dropped_and_other_parentheses_kept() {
        let text = "Closeness helps (Bowlby, 1969). Care matters (Main & Solomon, 1990, pp. 121–160; Levy et al., 2011a). Some people (about one in four) feel this (see Hazan & Shaver, 1987, p. 12). Levy et al. (2011) agree.";
        assert_eq!(sentences(text), [(2, 1, 1), (2, 1, 33), (8, 1, 103), (4, 1, 180)]);
        // A citation across a line break, in a paragraph.
        let wrapped = "Researchers saw this (Ainsworth and colleagues,\n1978). Later work agreed.";
        assert_eq!(sentences(wrapped), [(3, 1, 1), (3, 2, 8)]);
        assert!(cites("n.d.") && cites("Smith, in press") && cites("Bowlby 1969/1982"));
        assert!(!cites("about 1 in 4") && !cites("12345") && !cites("ages 2-5") && !cites(""));
    }

    #[test]
    fn positions_count_characters_and_lines() {
        assert_eq!(sentences("Café. Über alles ist gut.\nNext line."), [(1, 1, 1), (4, 1, 7), (2, 2, 1)]);
        assert_eq!(sentences("> Quoted text\n> goes on.\n\n> Another."), [(4, 1, 3), (1, 4, 3)]);
        let mut counted = Vec::new();
        scan("First.\nSecond one.", Origin::Lines { first_line: 40 }, &mut counted);
        assert!(matches!(counted[1].start, Start::At(Position { line: 41, column: 1 })));
    }
}
