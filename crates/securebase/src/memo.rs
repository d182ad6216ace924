//! Readability figures remembered between checks, by the SHA-256 of the
//! item file they were measured from.
//!
//! An item's figures depend on nothing but its file's bytes (and the
//! counting rules), so a check that meets a file it measured before can
//! take them instead of counting again. The memo is a cache for a caller
//! that checks the same project again and again, such as `securebase
//! check`: where it is kept, and with what `stamp` (which must change
//! whenever the counting rules may have, such as with each build of the
//! program), is the caller's choice. Production never reads one.
//!
//! Its bytes are a header line (`securebase readability memo`, the version
//! of the format and of the counting rules, and the stamp) followed by one
//! record per file: the SHA-256 in hexadecimal, then the summary's and the
//! prose's figures, little-endian. Bytes that are not such a memo, or carry
//! other versions or another stamp, read as an empty memo. The bytes are
//! trusted: a memo is the caller's own record, kept where only it writes.

use std::collections::HashMap;

use crate::model::Sha256;
use crate::readability::{Figures, Readability, Sentence};

/// The first words of a memo's header: the format's version, then the
/// counting rules', which must change with any change to what
/// [`crate::readability`] counts or to the fields of [`Figures`], so that
/// figures counted by other rules are never taken.
const MAGIC: &[u8] = b"securebase readability memo 1 rules 1 ";

/// Readability figures measured before, by the SHA-256 of the item file
/// they were measured from.
#[derive(Debug, Clone, Default)]
pub struct ReadabilityMemo {
    stamp: String,
    figures: HashMap<Sha256, Readability>,
    changed: bool,
}

impl ReadabilityMemo {
    /// An empty memo whose figures are valid under `stamp` (one line, such
    /// as the program's version and build).
    pub fn new(stamp: impl Into<String>) -> ReadabilityMemo {
        ReadabilityMemo { stamp: stamp.into().replace('\n', " "), figures: HashMap::new(), changed: false }
    }

    /// The memo held in `bytes`, as [`to_bytes`](Self::to_bytes) wrote it;
    /// an empty one when they hold none, a damaged one, or one written
    /// under another `stamp`.
    pub fn from_bytes(stamp: impl Into<String>, bytes: &[u8]) -> ReadabilityMemo {
        let mut memo = ReadabilityMemo::new(stamp);
        if let Some(figures) = decode(&memo.stamp, bytes) {
            memo.figures = figures;
        }
        memo
    }

    /// The memo's bytes, for [`from_bytes`](Self::from_bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.figures.len() * 160);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(self.stamp.as_bytes());
        out.push(b'\n');
        let mut records: Vec<_> = self.figures.iter().collect();
        records.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (sha256, readability) in records {
            out.extend_from_slice(sha256.as_str().as_bytes());
            for figures in [&readability.summary, &readability.prose] {
                encode_figures(&mut out, figures);
            }
        }
        out
    }

    /// The figures remembered for the file whose SHA-256 is `sha256`.
    pub fn get(&self, sha256: &Sha256) -> Option<Readability> {
        self.figures.get(sha256).copied()
    }

    /// How many files' figures it holds.
    pub fn len(&self) -> usize {
        self.figures.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
    }

    /// Whether the last check it was given to
    /// ([`Library::check_with`](crate::Library::check_with)) changed what
    /// it holds, so that it is worth writing again.
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Marks it unchanged, before a check.
    pub(crate) fn unchanged(&mut self) {
        self.changed = false;
    }

    /// Holds exactly `figures` from now on: those of the files a check
    /// just met, so that the memo never outgrows the project.
    pub(crate) fn replace(&mut self, figures: HashMap<Sha256, Readability>) {
        self.changed = figures != self.figures;
        self.figures = figures;
    }
}

fn encode_figures(out: &mut Vec<u8>, figures: &Figures) {
    for n in [figures.sentences, figures.words, figures.syllables] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    for sentence in [figures.longest, figures.hardest] {
        match sentence {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&s.words.to_le_bytes());
                out.extend_from_slice(&s.syllables.to_le_bytes());
                out.extend_from_slice(&(s.line as u64).to_le_bytes());
                out.extend_from_slice(&(s.column as u64).to_le_bytes());
            }
        }
    }
}

/// The records of a memo written under `stamp`, or `None`.
fn decode(stamp: &str, bytes: &[u8]) -> Option<HashMap<Sha256, Readability>> {
    let rest = bytes.strip_prefix(MAGIC)?.strip_prefix(stamp.as_bytes())?.strip_prefix(b"\n")?;
    let mut reader = Reader(rest);
    let mut figures = HashMap::new();
    while !reader.0.is_empty() {
        let hex = std::str::from_utf8(reader.take(64)?).ok()?;
        let sha256 = Sha256::try_from(hex.to_owned()).ok()?;
        let summary = reader.figures()?;
        let prose = reader.figures()?;
        figures.insert(sha256, Readability { summary, prose });
    }
    Some(figures)
}

/// The bytes of a memo not read yet.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(taken)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(u64::from_le_bytes(self.take(8)?.try_into().ok()?)).ok()
    }

    fn sentence(&mut self) -> Option<Option<Sentence>> {
        match self.take(1)? {
            [0] => Some(None),
            [1] => Some(Some(Sentence {
                words: self.u32()?,
                syllables: self.u32()?,
                line: self.usize()?,
                column: self.usize()?,
            })),
            _ => None,
        }
    }

    fn figures(&mut self) -> Option<Figures> {
        Some(Figures {
            sentences: self.u32()?,
            words: self.u32()?,
            syllables: self.u32()?,
            longest: self.sentence()?,
            hardest: self.sentence()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures_of(markdown: &str) -> Figures {
        Figures::measure(markdown)
    }

    fn memo() -> ReadabilityMemo {
        let mut memo = ReadabilityMemo::new("test 1");
        let one = Readability { summary: figures_of("A short summary."), prose: figures_of("Some text.\n\nAnd more.") };
        let two = Readability { summary: figures_of("Another one here."), prose: Figures::default() };
        memo.replace(HashMap::from([(Sha256::of(b"one"), one), (Sha256::of(b"two"), two)]));
        memo
    }

    #[test]
    fn a_memo_reads_back_as_it_was_written() {
        let memo = memo();
        assert!(memo.changed());
        let read = ReadabilityMemo::from_bytes("test 1", &memo.to_bytes());
        assert_eq!(read.len(), 2);
        assert_eq!(read.get(&Sha256::of(b"one")), memo.get(&Sha256::of(b"one")));
        assert_eq!(read.get(&Sha256::of(b"two")), memo.get(&Sha256::of(b"two")));
        assert_eq!(read.get(&Sha256::of(b"three")), None);
        assert_eq!(read.to_bytes(), memo.to_bytes(), "records are written in one order");
        let first = read.get(&Sha256::of(b"one")).map(|r| r.prose);
        assert_eq!(first.map(|f| (f.sentences, f.words)), Some((2, 4)));
    }

    #[test]
    fn another_stamp_or_damaged_bytes_read_as_an_empty_memo() {
        let bytes = memo().to_bytes();
        assert!(ReadabilityMemo::from_bytes("test 2", &bytes).is_empty(), "another stamp");
        assert!(ReadabilityMemo::from_bytes("test", &bytes).is_empty(), "a stamp that is a prefix");
        for cut in [0, 10, MAGIC.len() + 7, bytes.len() - 1] {
            assert!(ReadabilityMemo::from_bytes("test 1", &bytes[..cut]).is_empty(), "cut at {cut}");
        }
        let header = MAGIC.len() + "test 1\n".len();
        let mut flipped = bytes.clone();
        // The first record's summary: its three counts, then the longest
        // sentence's tag.
        flipped[header + 64 + 12] = 7;
        assert!(ReadabilityMemo::from_bytes("test 1", &flipped).is_empty(), "a bad tag");
        let mut bad_hex = bytes;
        bad_hex[header] = b'X';
        assert!(ReadabilityMemo::from_bytes("test 1", &bad_hex).is_empty(), "a key that is not a digest");
        assert!(ReadabilityMemo::from_bytes("test 1", b"\xff\xfe anything").is_empty());
    }

    #[test]
    fn replacing_with_the_same_figures_is_no_change() {
        let mut memo = memo();
        let same = memo.figures.clone();
        memo.replace(same);
        assert!(!memo.changed());
        memo.replace(HashMap::new());
        assert!(memo.changed() && memo.is_empty());
    }

    #[test]
    fn a_stamp_is_one_line() {
        let memo = ReadabilityMemo::new("a\nb");
        assert_eq!(ReadabilityMemo::from_bytes("a b", &memo.to_bytes()).stamp, "a b");
        assert!(memo.to_bytes().ends_with(b"a b\n"));
    }
}
