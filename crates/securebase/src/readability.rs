//! Readability: how hard an item's summary and prose are to read.
//!
//! Each text is measured in one pass over its Markdown, reduced to the
//! words a reader reads:
//!
//! - links count as their text; images, autolinks, inline HTML, HTML
//!   blocks, link reference definitions and footnote references are left
//!   out, and so are code blocks (fenced or indented);
//! - a citation in parentheses, such as "(Bowlby, 1969)", "(Main &
//!   Solomon, 1990, pp. 121-160)" or "(Hazan & Shaver, 1987; Levy et al.,
//!   2011)", is dropped: every part of it ends with a year;
//! - a heading, a list item, a table cell and a paragraph each end a
//!   sentence, whether or not it ends with a full stop; footnote
//!   definitions are prose like any other paragraph;
//! - a sentence otherwise ends at `.`, `!`, `?` or `…`, except after a
//!   title ("Dr.", "Mrs."), an initial ("J."), a dotted abbreviation
//!   ("e.g.", "U.S.") or "et al.", and after "etc." only when a capital
//!   follows;
//! - a word is a run of letters and digits, joined by apostrophes, hyphens,
//!   dots ("U.S", "3.5") and commas between digits ("1,000"); a number is
//!   one syllable, and each part of a hyphenated word is counted apart.
//!
//! Syllables are counted by rules (vowel groups, a silent final e, `-es`,
//! `-ed`, `-le`, vowels sounded apart, silent e before a suffix) and a short
//! list of exceptions. `tests/readability/` holds passages with the figures
//! Python's textstat gives them, which the counts agree with within a
//! grade.
//!
//! The grade is Flesch-Kincaid's: `0.39 × words per sentence + 11.8 ×
//! syllables per word − 15.59`.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::diagnostic::Position;
use crate::frontmatter;

mod scan;
mod syllables;

use scan::scan;

/// One sentence: how long it is and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Sentence {
    /// How many words it has.
    pub words: u32,
    /// How many syllables they have.
    pub syllables: u32,
    /// The 1-based line where it starts: in the item's file for an item's
    /// figures, in the text for [`Figures::measure`].
    pub line: usize,
    /// The 1-based column, in characters, where it starts.
    pub column: usize,
}

/// The figures of one text: its counts, and the sentences that make it
/// hardest to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Figures {
    /// How many sentences (list items and headings included).
    pub sentences: u32,
    /// How many words.
    pub words: u32,
    /// How many syllables.
    pub syllables: u32,
    /// The sentence with the most words (the first of them, on a tie).
    pub longest: Option<Sentence>,
    /// The sentence whose removal would lower the grade most.
    pub hardest: Option<Sentence>,
}

impl Figures {
    /// Measures a Markdown text on its own; lines are the text's, from 1.
    pub fn measure(markdown: &str) -> Figures {
        let mut counted = Vec::new();
        scan(markdown, Origin::Lines { first_line: 1 }, &mut counted);
        figures(&counted, |start| match start {
            Start::At(at) => at,
            Start::Value { .. } => Position::START,
        })
    }

    /// The Flesch-Kincaid grade (0 for a text with no words).
    pub fn grade(&self) -> f64 {
        grade(self.words, self.sentences, self.syllables)
    }

    /// The grade rounded to one decimal place, as reports show it and
    /// limits are compared with.
    pub fn rounded_grade(&self) -> f64 {
        round1(self.grade())
    }

    /// The mean words per sentence (0 for a text with no sentences).
    pub fn words_per_sentence(&self) -> f64 {
        if self.sentences == 0 { 0.0 } else { f64::from(self.words) / f64::from(self.sentences) }
    }
}

impl Serialize for Figures {
    /// `grade` and `words_per_sentence` rounded to one decimal place, the
    /// counts, and `longest_sentence` and `hardest_sentence` (or null).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Figures", 7)?;
        s.serialize_field("grade", &self.rounded_grade())?;
        s.serialize_field("words_per_sentence", &round1(self.words_per_sentence()))?;
        s.serialize_field("sentences", &self.sentences)?;
        s.serialize_field("words", &self.words)?;
        s.serialize_field("syllables", &self.syllables)?;
        s.serialize_field("longest_sentence", &self.longest)?;
        s.serialize_field("hardest_sentence", &self.hardest)?;
        s.end()
    }
}

/// How readable an item is: its summary, and its prose (the body and the
/// Markdown fields of its collection: `origins` and `in_relationships`,
/// `example`, `approach` and `what_to_expect`). Lines are the item file's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Readability {
    /// The summary's figures.
    pub summary: Figures,
    /// The prose's figures.
    pub prose: Figures,
}

fn grade(words: u32, sentences: u32, syllables: u32) -> f64 {
    if words == 0 || sentences == 0 {
        return 0.0;
    }
    let (w, s, y) = (f64::from(words), f64::from(sentences), f64::from(syllables));
    0.39 * w / s + 11.8 * y / w - 15.59
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The sentences of an item's body, counted while its text is at hand
/// (a check lets the body go as soon as the file is read).
#[derive(Debug, Default)]
pub(crate) struct BodySentences(Vec<Counted>);

/// Counts the sentences of a body whose first line is file line `first_line`.
pub(crate) fn body(text: &str, first_line: usize) -> BodySentences {
    let mut counted = Vec::with_capacity(64);
    scan(text, Origin::Lines { first_line }, &mut counted);
    BodySentences(counted)
}

/// Measures an item with `summary`, whose body's sentences are `body`
/// and whose other Markdown fields are `fields` (key, value); `yaml` is its
/// front matter, which starts after file line `line_offset`, for placing
/// sentences of front-matter values.
pub(crate) fn measure(
    summary: &str,
    fields: &[Option<(&'static str, &str)>],
    body: BodySentences,
    yaml: &str,
    line_offset: usize,
) -> Readability {
    let value_of = |key: &str| match key {
        "summary" => summary,
        _ => fields.iter().flatten().find(|(k, _)| *k == key).map_or("", |(_, v)| v),
    };
    let place = |start: Start| match start {
        Start::At(at) => at,
        Start::Value { key, offset } => value_position(yaml, line_offset, key, value_of(key), offset),
    };
    let mut counted = Vec::new();
    scan(summary, Origin::Value("summary"), &mut counted);
    let summary = figures(&counted, place);
    let mut counted = body.0;
    for (key, value) in fields.iter().flatten() {
        scan(value, Origin::Value(key), &mut counted);
    }
    Readability { summary, prose: figures(&counted, place) }
}

/// Where a sentence starts, before it is placed in the item's file.
#[derive(Debug, Clone, Copy)]
enum Start {
    /// Already a position in the file (or the text measured).
    At(Position),
    /// A byte offset into the value of a front-matter key.
    Value { key: &'static str, offset: usize },
}

/// One sentence as counted.
#[derive(Debug, Clone, Copy)]
struct Counted {
    words: u32,
    syllables: u32,
    start: Start,
}

/// What a text is, for placing its sentences.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// Lines of a file, the first being `first_line`.
    Lines { first_line: usize },
    /// The value of a front-matter key.
    Value(&'static str),
}

/// The figures of counted sentences, the longest and hardest placed by `place`.
fn figures(counted: &[Counted], place: impl Fn(Start) -> Position) -> Figures {
    let (mut words, mut syllables) = (0u32, 0u32);
    for c in counted {
        words = words.saturating_add(c.words);
        syllables = syllables.saturating_add(c.syllables);
    }
    let sentences = u32::try_from(counted.len()).unwrap_or(u32::MAX);
    let located = |c: &Counted| {
        let at = place(c.start);
        Sentence { words: c.words, syllables: c.syllables, line: at.line, column: at.column }
    };
    let mut longest: Option<&Counted> = None;
    for c in counted {
        if longest.is_none_or(|l| c.words > l.words) {
            longest = Some(c);
        }
    }
    // Removing the hardest sentence lowers the grade most; with one
    // sentence, it is that one.
    let all = grade(words, sentences, syllables);
    let mut hardest: Option<(&Counted, f64)> = None;
    for c in counted {
        let without = if sentences > 1 {
            grade(words.saturating_sub(c.words), sentences - 1, syllables.saturating_sub(c.syllables))
        } else {
            f64::NEG_INFINITY
        };
        let gain = all - without;
        if hardest.is_none_or(|(_, g)| gain > g) {
            hardest = Some((c, gain));
        }
    }
    Figures { sentences, words, syllables, longest: longest.map(located), hardest: hardest.map(|(c, _)| located(c)) }
}

/// Where the sentence at byte `offset` of `value` (the value of `key`) is
/// in the file: found by its first words in the key's lines of `yaml`,
/// which starts after file line `line_offset`; else where the key is.
fn value_position(yaml: &str, line_offset: usize, key: &str, value: &str, offset: usize) -> Position {
    let in_file = |at: usize| {
        let p = frontmatter::position_at(yaml, at);
        Position::new(p.line + line_offset, p.column)
    };
    let Some(key_at) = top_level_key(yaml, key) else { return Position::new(line_offset + 1, 1) };
    // The key's block: its own line and the indented lines after it.
    let after_key = key_at + key.len() + 1;
    let mut end = yaml.len();
    let mut line_start = yaml[key_at..].find('\n').map_or(yaml.len(), |i| key_at + i + 1);
    while line_start < yaml.len() {
        let rest = &yaml[line_start..];
        if rest.starts_with(|c: char| !c.is_whitespace() && c != '#') {
            end = line_start;
            break;
        }
        line_start = rest.find('\n').map_or(yaml.len(), |i| line_start + i + 1);
    }
    let block = yaml.get(after_key..end).unwrap_or("");
    let tail = value.get(offset..).unwrap_or("");
    let tail = &tail[..tail.find('\n').unwrap_or(tail.len())];
    // The longest run of the sentence's first words found in the block.
    let word_ends: Vec<usize> = tail
        .char_indices()
        .filter(|&(_, c)| c == ' ')
        .map(|(i, _)| i)
        .chain([tail.len()])
        .filter(|&i| i > 0)
        .take(6)
        .collect();
    for &cut in word_ends.iter().rev() {
        let needle = &tail[..cut];
        let found = block.match_indices(needle).map(|(i, _)| i).find(|&i| {
            let before = block[..i].chars().next_back();
            before.is_none_or(|c| !c.is_alphanumeric())
        });
        if let Some(i) = found {
            return in_file(after_key + i);
        }
    }
    in_file(key_at)
}

/// The byte offset of the line where top-level `key:` is, if it is.
fn top_level_key(yaml: &str, key: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let line = &yaml[at..];
        if line.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')) {
            return Some(at);
        }
        at += line.find('\n')? + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::syllables::syllables;
    use super::*;

    #[test]
    fn figures_give_the_grade_longest_and_hardest_sentence() {
        let f = Figures::measure(
            "I can. Antidisestablishmentarianism fascinates philosophers.\nIt is a long, long, long sentence of small words.",
        );
        assert_eq!((f.sentences, f.words), (3, 15));
        assert_eq!(f.longest, Some(Sentence { words: 10, syllables: 11, line: 2, column: 1 }));
        assert_eq!(f.hardest.map(|s| (s.line, s.column, s.words)), Some((1, 8, 3)));
        let expected = 0.39 * 15.0 / 3.0 + 11.8 * f64::from(f.syllables) / 15.0 - 15.59;
        assert!((f.grade() - expected).abs() < 1e-9);
        assert_eq!(f.words_per_sentence(), 5.0);
        let one = Figures::measure("A single sentence here.");
        assert_eq!(one.hardest, one.longest);
        let none = Figures::measure("```\ncode only\n```\n");
        assert_eq!(none, Figures::default());
        assert_eq!((none.grade(), none.words_per_sentence()), (0.0, 0.0));
    }

    #[test]
    fn figures_serialize_rounded_with_the_sentences() {
        let f = Figures::measure("The cat sat on the mat. It was warm there.");
        let json = serde_json::to_value(f).unwrap();
        assert_eq!(json["sentences"], 2);
        assert_eq!(json["words"], 10);
        assert_eq!(json["grade"], f.rounded_grade());
        assert_eq!(json["words_per_sentence"], 5.0);
        assert_eq!(json["longest_sentence"]["line"], 1);
        assert_eq!(json["longest_sentence"]["words"], 6);
    }

    #[test]
    fn values_are_placed_at_their_yaml_lines() {
        let yaml = "title: A\nsummary: One here. Two three.\norigins: >-\n  First sentence is here. Second\n  sentence starts\n  mid-line. Third one.\nauthor: x\n";
        assert_eq!(value_position(yaml, 1, "summary", "One here. Two three.", 10), Position::new(3, 20));
        let origins = "First sentence is here. Second sentence starts mid-line. Third one.";
        let second = origins.find("Second").unwrap();
        assert_eq!(value_position(yaml, 1, "origins", origins, second), Position::new(5, 27));
        let third = origins.find("Third").unwrap();
        assert_eq!(value_position(yaml, 1, "origins", origins, third), Position::new(7, 13));
        // Not found: the key's line; no key: the start of the front matter.
        assert_eq!(value_position(yaml, 1, "origins", "Elsewhere.", 0), Position::new(4, 1));
        assert_eq!(value_position(yaml, 1, "approach", "Anything.", 0), Position::new(2, 1));
    }

    #[test]
    fn no_input_makes_it_panic() {
        const PIECES: &[&str] = &[
            "(",
            ")",
            "[",
            "]",
            "!",
            "<",
            ">",
            "&",
            ";",
            "#",
            "-",
            "*",
            "`",
            "~",
            "|",
            "\\",
            ".",
            "\n",
            "\n\n",
            " ",
            "é",
            "’",
            "…",
            "—",
            "1969",
            "a",
            "Dr",
            "^",
            ":",
            "\t",
            "    ",
            "---",
            "```",
            "<!--",
            "-->",
            "e.g",
            "U",
            "://",
            "[^",
            "]:",
            "](",
            "n't",
            "\u{1F600}",
            "\r",
            ",",
            "1",
            "ing",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 60) as usize;
            let text: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            let f = Figures::measure(&text);
            assert!(f.sentences <= f.words, "{text:?}");
            let lines = text.split('\n').count();
            for s in f.longest.iter().chain(&f.hardest) {
                assert!(s.line >= 1 && s.line <= lines && s.column >= 1, "{text:?}: {s:?}");
            }
            let offset = (next() % (text.len() as u64 + 2)) as usize;
            let at = value_position(&format!("summary: {text}\n"), 1, "summary", &text, offset);
            assert!(at.line >= 2, "{text:?}");
            let _ = syllables(&text);
        }
    }
}
