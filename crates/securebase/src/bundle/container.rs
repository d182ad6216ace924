//! The edition bundle's container: a versioned text header, then each file
//! as its length and path on one line followed by exactly its bytes.
//!
//! This module uses only `std`, so that `build.rs` can write the embedded
//! preview bundle with it too. README's "The edition bundle" is its
//! specification:
//!
//! ```text
//! securebase-edition 1
//! edition production
//! generator securebase 0.1.0
//! date 2026-12-07
//! commit 4f1c…            (optional)
//! editor <id> <key fingerprint>       (zero or more, trust root order)
//! withheld <id>                       (zero or more, sorted)
//! file <length> <path>
//! <length bytes>
//! …                                   (files sorted by path, each once)
//! end <number of files>
//! ```
//!
//! Every line ends with `\n` (a file's bytes too are followed by one), and
//! nothing follows the `end` line. The same content always gives the same
//! bytes.

use std::fmt;

/// The first line of every bundle, with the format's version.
pub const MAGIC: &str = "securebase-edition 1";

/// A bundle's parts, before anything in it is checked against a trust root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// `production` or `preview`.
    pub edition: String,
    /// The generator that wrote it (`securebase 0.1.0`).
    pub generator: String,
    /// The date the build judged reviews against (`2026-12-07`).
    pub date: String,
    /// The commit the build was made from, if it was made in a repository.
    pub commit: Option<String>,
    /// The trust root's editors and key fingerprints, in its order.
    pub editors: Vec<(String, String)>,
    /// The ids of items and people the edition withholds.
    pub withheld: Vec<String>,
    /// Every file, by its path in the project (`content/styles/avoidant.md`),
    /// sorted by path, each path once.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Why bytes are not a bundle: the 1-based line of the container and the
/// byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The container's line (file bytes count as the lines they hold).
    pub line: usize,
    /// The byte offset of that line's start.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} (byte {}): {}", self.line, self.offset, self.message)
    }
}

impl Container {
    /// The container's bytes. Files are written in path order whatever
    /// order they are held in; a header value holding a line break is
    /// written with it replaced by a space, so that the header stays one
    /// value per line. For any bytes [`parse`](Self::parse) accepts,
    /// writing what it read gives those bytes back.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(&self.files)
    }

    /// [`to_bytes`](Self::to_bytes) with `files` in place of the held ones,
    /// for a writer that keeps its files elsewhere.
    pub fn to_bytes_with(&self, files: &[(String, Vec<u8>)]) -> Vec<u8> {
        let one_line = |s: &str| s.replace('\n', " ");
        let mut out = Vec::with_capacity(files.iter().map(|(p, b)| p.len() + b.len() + 24).sum::<usize>() + 256);
        let line = |out: &mut Vec<u8>, text: String| {
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        };
        line(&mut out, MAGIC.to_owned());
        line(&mut out, format!("edition {}", one_line(&self.edition)));
        line(&mut out, format!("generator {}", one_line(&self.generator)));
        line(&mut out, format!("date {}", one_line(&self.date)));
        if let Some(commit) = &self.commit {
            line(&mut out, format!("commit {}", one_line(commit)));
        }
        for (id, fingerprint) in &self.editors {
            line(&mut out, format!("editor {} {}", one_line(id), one_line(fingerprint)));
        }
        let mut withheld: Vec<&String> = self.withheld.iter().collect();
        withheld.sort();
        withheld.dedup();
        for id in withheld {
            line(&mut out, format!("withheld {}", one_line(id)));
        }
        let mut files: Vec<&(String, Vec<u8>)> = files.iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, bytes) in &files {
            line(&mut out, format!("file {} {}", bytes.len(), one_line(path)));
            out.extend_from_slice(bytes);
            out.push(b'\n');
        }
        out.extend_from_slice(format!("end {}\n", files.len()).as_bytes());
        out
    }

    /// Reads a container, refusing anything [`to_bytes`](Self::to_bytes)
    /// would not have written: an unknown or misplaced line, a file path
    /// that is not plain and relative, files out of order or twice, a
    /// length past the end, a missing or wrong `end` line, or bytes after
    /// it.
    pub fn parse(bytes: &[u8]) -> Result<Container, FormatError> {
        let mut reader = Reader { bytes, at: 0, line: 1 };
        let magic = reader.line()?;
        if magic != MAGIC {
            let message = if magic.starts_with("securebase-edition ") {
                format!("this bundle is format `{magic}`, and this program reads `{MAGIC}`")
            } else {
                format!("this is not an edition bundle (it starts `{}`, not `{MAGIC}`)", shorten(magic))
            };
            return Err(reader.error_at_last(message));
        }
        let mut container = Container {
            edition: reader.field("edition")?.to_owned(),
            generator: reader.field("generator")?.to_owned(),
            date: reader.field("date")?.to_owned(),
            ..Container::default()
        };
        if !matches!(container.edition.as_str(), "production" | "preview") {
            let message = format!("the edition is `{}`; a bundle holds `production` or `preview`", container.edition);
            return Err(reader.error_at(2, message));
        }
        let mut next = reader.line()?;
        if let Some(commit) = next.strip_prefix("commit ") {
            if commit.is_empty() || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(reader.error_at_last("the `commit` line holds a commit id in hexadecimal"));
            }
            container.commit = Some(commit.to_owned());
            next = reader.line()?;
        }
        while let Some(rest) = next.strip_prefix("editor ") {
            let Some((id, fingerprint)) = rest.split_once(' ') else {
                return Err(reader.error_at_last("an `editor` line holds an id and a key fingerprint"));
            };
            container.editors.push((id.to_owned(), fingerprint.to_owned()));
            next = reader.line()?;
        }
        while let Some(id) = next.strip_prefix("withheld ") {
            if container.withheld.last().is_some_and(|last| last.as_str() >= id) {
                return Err(reader.error_at_last("`withheld` ids are sorted, each once"));
            }
            container.withheld.push(id.to_owned());
            next = reader.line()?;
        }
        while let Some(rest) = next.strip_prefix("file ") {
            let Some((length, path)) = rest.split_once(' ') else {
                return Err(reader.error_at_last("a `file` line holds a length and a path"));
            };
            let Some(length) = length.parse::<usize>().ok().filter(|n| n.to_string() == length) else {
                return Err(reader.error_at_last(format!("`{}` is not a length in bytes", shorten(length))));
            };
            if !crate::relpath::is_plain(path) {
                return Err(reader.error_at_last(format!(
                    "`{}` is not a plain relative path (`/`-separated names, no `.`, `..`, empty part, `\\`, `:` or control character)",
                    shorten(path)
                )));
            }
            if container.files.last().is_some_and(|(last, _)| last.as_str() >= path) {
                return Err(
                    reader.error_at_last(format!("`{path}` is out of order or there twice; files are sorted by path"))
                );
            }
            let path = path.to_owned();
            let bytes = reader.take(length, &path)?;
            container.files.push((path, bytes.to_vec()));
            next = reader.line()?;
        }
        let Some(count) = next.strip_prefix("end ") else {
            return Err(reader.error_at_last(format!("`{}` is not a line this bundle format has here", shorten(next))));
        };
        if count != container.files.len().to_string() {
            return Err(reader.error_at_last(format!(
                "the `end` line counts {} file(s), and the bundle holds {}",
                shorten(count),
                container.files.len()
            )));
        }
        if reader.at != bytes.len() {
            return Err(reader.error(format!("{} byte(s) follow the `end` line", bytes.len() - reader.at)));
        }
        Ok(container)
    }
}

/// The first 60 characters of `text`, for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A cursor over a bundle's bytes that knows its line.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
    line: usize,
}

impl<'b> Reader<'b> {
    /// The next line, without its `\n`.
    fn line(&mut self) -> Result<&'b str, FormatError> {
        let rest = &self.bytes[self.at..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return Err(self.error(if rest.is_empty() {
                "the bundle ends here, before its `end` line: it is truncated".to_owned()
            } else {
                "this line has no end: the bundle is truncated".to_owned()
            }));
        };
        let Ok(text) = std::str::from_utf8(&rest[..end]) else {
            return Err(self.error("this line is not UTF-8"));
        };
        if text.chars().any(char::is_control) {
            return Err(self.error("this line holds a control character"));
        }
        self.at += end + 1;
        self.line += 1;
        Ok(text)
    }

    /// The value of the next line, which must be `<key> <value>`.
    fn field(&mut self, key: &str) -> Result<&'b str, FormatError> {
        let text = self.line()?;
        match text.strip_prefix(key).and_then(|rest| rest.strip_prefix(' ')) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(self.error_at_last(format!("expected the `{key}` line here, found `{}`", shorten(text)))),
        }
    }

    /// A file's `length` bytes and the `\n` after them.
    fn take(&mut self, length: usize, path: &str) -> Result<&'b [u8], FormatError> {
        let rest = &self.bytes[self.at..];
        if rest.len() <= length {
            return Err(self.error(format!(
                "`{path}` declares {length} byte(s) and {} remain: the bundle is truncated",
                rest.len().saturating_sub(1)
            )));
        }
        let (bytes, after) = rest.split_at(length);
        if after[0] != b'\n' {
            return Err(self.error(format!("`{path}`'s {length} byte(s) are not followed by a line break")));
        }
        self.at += length + 1;
        self.line += bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        Ok(bytes)
    }

    /// An error at the current position.
    fn error(&self, message: impl Into<String>) -> FormatError {
        FormatError { line: self.line, offset: self.at, message: message.into() }
    }

    /// An error at the start of the line just read.
    fn error_at_last(&self, message: impl Into<String>) -> FormatError {
        let before = &self.bytes[..self.at.saturating_sub(1)];
        let offset = before.iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1);
        FormatError { line: self.line - 1, offset, message: message.into() }
    }

    /// An error at the start of line `line` of the header.
    fn error_at(&self, line: usize, message: impl Into<String>) -> FormatError {
        let offset = self.bytes.split(|&b| b == b'\n').take(line - 1).map(|l| l.len() + 1).sum();
        FormatError { line, offset, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Container {
        Container {
            edition: "production".into(),
            generator: "securebase 0.1.0".into(),
            date: "2026-12-07".into(),
            commit: Some("4f1c2a".into()),
            editors: vec![("alex-editor".into(), "SHA256:abc".into())],
            withheld: vec!["styles/secure".into()],
            files: vec![
                ("content/styles/avoidant.md".into(), b"---\ntitle: A\n---\nBody\n".to_vec()),
                ("themes/default/static/icon.png".into(), vec![0, 10, 65, 10]),
            ],
        }
    }

    #[test]
    fn a_container_reads_back_what_it_wrote() {
        let bytes = sample().to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.starts_with("securebase-edition 1\nedition production\ngenerator securebase 0.1.0\ndate 2026-12-07\n")
        );
        assert!(text.ends_with("\nend 2\n"), "{text}");
        assert_eq!(Container::parse(&bytes).unwrap(), sample());
    }

    #[test]
    fn every_cut_is_refused_with_its_line_and_never_panics() {
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            let error = Container::parse(&bytes[..cut]).unwrap_err();
            assert!(error.offset <= cut && error.line >= 1, "cut at {cut}: {error}");
        }
        let error = Container::parse(&bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(error.message, "this line has no end: the bundle is truncated");
    }

    #[test]
    fn what_the_writer_would_not_write_is_refused() {
        let bytes = sample().to_bytes();
        let cases: [(&str, Vec<u8>, &str); 6] = [
            (
                "a length with a leading zero",
                replace(&bytes, "file 22 ", "file 022 "),
                "`022` is not a length in bytes",
            ),
            ("files out of order", reorder(), "is out of order or there twice"),
            (
                "a path going up",
                replace(&bytes, "content/styles/avoidant.md", "content/../styles/a.md"),
                "is not a plain relative path",
            ),
            (
                "a commit that is not hex",
                replace(&bytes, "commit 4f1c2a", "commit 4f1c2a€"),
                "the `commit` line holds a commit id",
            ),
            (
                "a control character",
                replace(&bytes, "generator securebase", "generator \u{1b}[2Ksecurebase"),
                "control character",
            ),
            ("bytes after the end", [bytes.clone(), b"x".to_vec()].concat(), "1 byte(s) follow the `end` line"),
        ];
        for (what, bytes, message) in cases {
            let error = Container::parse(&bytes).unwrap_err();
            assert!(error.message.contains(message), "{what}: {error}");
        }
        let other = replace(&bytes, "securebase-edition 1", "securebase-edition 2");
        assert_eq!(
            Container::parse(&other).unwrap_err().to_string(),
            "line 1 (byte 0): this bundle is format `securebase-edition 2`, and this program reads `securebase-edition 1`"
        );
    }

    fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        assert!(text.contains(from), "{from}");
        text.replacen(from, to, 1).into_bytes()
    }

    /// The sample with its two files written in the wrong order.
    fn reorder() -> Vec<u8> {
        let mut one = sample();
        one.files.truncate(1);
        let mut other = sample();
        other.files.remove(0);
        let first = one.to_bytes();
        let second = other.to_bytes();
        let header_end = |b: &[u8]| String::from_utf8_lossy(b).find("\nfile ").unwrap() + 1;
        let body = |b: &[u8]| {
            let text = String::from_utf8_lossy(b).into_owned();
            text[header_end(b)..text.rfind("end ").unwrap()].to_owned()
        };
        let header = String::from_utf8_lossy(&first[..header_end(&first)]).into_owned();
        format!("{header}{}{}end 2\n", body(&second), body(&first)).into_bytes()
    }
}
