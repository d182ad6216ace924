//! Problems found in a content tree, each tied to a file, a line and a column.
//!
//! Loading never stops at the first problem: every pass records what it finds
//! in a [`Diagnostics`] list and the caller sees all of them at once.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How serious a [`Diagnostic`] is.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The content cannot be published until this is fixed.
    Error,
    /// Worth fixing; does not stop a build.
    Warning,
}

/// A stable, machine-readable name for each kind of problem.
///
/// The names (as serialised, in kebab-case) are part of the JSON output of
/// `securebase check` and do not change between releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    /// The file could not be read, or a folder could not be walked.
    Io,
    /// The file is not valid UTF-8.
    Encoding,
    /// The file is empty.
    EmptyFile,
    /// The `---` front-matter block is missing or never closed.
    FrontMatter,
    /// The YAML (or TOML) does not parse, or does not fit the schema.
    Syntax,
    /// A key that the schema does not know.
    UnknownField,
    /// A required key is absent.
    MissingField,
    /// A value of the wrong type or form.
    InvalidValue,
    /// A file or id that is not a valid slug.
    InvalidSlug,
    /// Two items of one collection, or two people, share an id.
    DuplicateId,
    /// A reference to an item or person that does not exist.
    DanglingReference,
    /// A reference into the wrong collection.
    WrongCollection,
    /// A person, role or licence rule is broken.
    Role,
    /// A review-ledger rule is broken.
    Ledger,
    /// Two items disagree about a relation they both state.
    Inconsistent,
    /// A file in a place the loader does not read.
    IgnoredFile,
    /// An item file anywhere but its own path, `content/<collection>/<slug>.md`.
    Misplaced,
    /// A symlink that loops or leaves the content folder.
    Symlink,
    /// A ledger record's signature does not make it an approval.
    Signature,
    /// The trust root file, or what production checks against it.
    Trust,
    /// A summary or prose harder to read than `site.toml`'s `[readability]` allows.
    Readability,
    /// A page of relationship advice without `site.toml`'s `[safety_note]`.
    SafetyNote,
}

impl Code {
    /// The stable kebab-case name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::Encoding => "encoding",
            Code::EmptyFile => "empty-file",
            Code::FrontMatter => "front-matter",
            Code::Syntax => "syntax",
            Code::UnknownField => "unknown-field",
            Code::MissingField => "missing-field",
            Code::InvalidValue => "invalid-value",
            Code::InvalidSlug => "invalid-slug",
            Code::DuplicateId => "duplicate-id",
            Code::DanglingReference => "dangling-reference",
            Code::WrongCollection => "wrong-collection",
            Code::Role => "role",
            Code::Ledger => "ledger",
            Code::Inconsistent => "inconsistent",
            Code::IgnoredFile => "ignored-file",
            Code::Misplaced => "misplaced",
            Code::Symlink => "symlink",
            Code::Signature => "signature",
            Code::Trust => "trust",
            Code::Readability => "readability",
            Code::SafetyNote => "safety-note",
        }
    }
}

/// A position in a file: 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column number.
    pub column: usize,
}

impl Position {
    /// The start of a file.
    pub const START: Position = Position { line: 1, column: 1 };

    /// Creates a position from 1-based line and column numbers.
    pub fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }
}

/// One problem, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable name of the problem.
    pub code: Code,
    /// The file, relative to the project root, with `/` separators.
    pub file: PathBuf,
    /// 1-based line in `file`.
    pub line: usize,
    /// 1-based column in `file`.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Starts an error at `file`, `at`.
    pub fn error(code: Code, file: impl Into<PathBuf>, at: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file.into(), at, message.into())
    }

    /// Starts a warning at `file`, `at`.
    pub fn warning(code: Code, file: impl Into<PathBuf>, at: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, file.into(), at, message.into())
    }

    fn new(severity: Severity, code: Code, file: PathBuf, at: Position, message: String) -> Self {
        Diagnostic { severity, code, file, line: at.line, column: at.column, message, hint: None }
    }

    /// Adds a hint that says how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Where the problem is.
    pub fn position(&self) -> Position {
        Position::new(self.line, self.column)
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// Formats the diagnostic as `file:line:column: severity[code]: message`,
    /// followed by the hint on its own line, with control characters shown
    /// as [`visible`] shows them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {severity}[{}]: {}",
            visible(&self.file.display().to_string()),
            self.line,
            self.column,
            self.code.as_str(),
            visible(&self.message)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", visible(hint))?;
        }
        Ok(())
    }
}

/// `text` as a terminal may show it: every control character but tab and
/// line feed, and every character that reorders text (bidirectional
/// formatting), written out as `\u{1b}`, so that text from a file cannot
/// erase, move or recolour what is shown around it.
pub fn visible(text: &str) -> Cow<'_, str> {
    fn hidden(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// Every problem found in a content tree, errors and warnings together,
/// sorted by file and position.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
#[error("{} error(s), {} warning(s) in the content", self.error_count(), self.warning_count())]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// All problems, errors and warnings, in file order once [`sort`](Self::sort)ed.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// How many errors there are.
    pub fn error_count(&self) -> usize {
        self.errors().count()
    }

    /// How many warnings there are.
    pub fn warning_count(&self) -> usize {
        self.warnings().count()
    }

    /// Whether there is at least one error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Whether nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts by file, then position, then message, so that output is stable.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message)));
        self.0.dedup();
    }

    /// Takes out one diagnostic like each of `old` (the same severity,
    /// code, file and message; positions aside) and adds `new`, sorted: for
    /// a check run again over part of what these came from.
    pub(crate) fn replace(&mut self, old: Diagnostics, new: Diagnostics) {
        for gone in old.0 {
            let same = |d: &Diagnostic| {
                (d.severity, d.code, &d.file, &d.message) == (gone.severity, gone.code, &gone.file, &gone.message)
            };
            if let Some(at) = self.0.iter().position(same) {
                self.0.remove(at);
            }
        }
        self.extend(new);
        self.sort();
    }

    /// Appends every problem of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A path as text with `/` between its parts, on every platform: how
/// paths inside a project are written in diagnostics, manifests and keys.
pub fn path_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The display form of a path relative to the project root, with `/` separators.
pub(crate) fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    PathBuf::from(path_text(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_reordering_characters_are_shown_not_obeyed() {
        assert!(matches!(visible("plain text,\ttabs\nand lines é"), Cow::Borrowed(_)));
        assert_eq!(visible("Take 50.\x1b[2K\rTake one."), "Take 50.\\u{1b}[2K\\u{d}Take one.");
        assert_eq!(visible("a\u{202e}b\u{2066}c\u{7f}"), "a\\u{202e}b\\u{2066}c\\u{7f}");
        let d = Diagnostic::error(Code::Syntax, "a\x1b.md", Position::new(1, 2), "bad \x07").with_hint("fix\u{200f}");
        assert_eq!(d.to_string(), "a\\u{1b}.md:1:2: error[syntax]: bad \\u{7}\n  hint: fix\\u{200f}");
    }
}
