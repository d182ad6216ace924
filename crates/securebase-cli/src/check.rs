//! `securebase check`: load and validate, then report.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use securebase::{Checked, Collection, Diagnostics, Library, ReadabilityMemo, Sha256};
use serde_json::json;

use crate::{EXIT_ERRORS, Format, Terminal};

/// The version of the JSON report's shape.
const JSON_VERSION: u32 = 1;

/// Checks the project at `root` and prints the report in `format`; with
/// `cache`, takes the readability figures of files unchanged since an
/// earlier check from the memo kept for this project in the user's cache
/// folder, and keeps this check's there.
pub fn run(term: Terminal, root: &Path, format: Format, cache: bool) -> anyhow::Result<ExitCode> {
    let kept = cache.then(|| memo_file(root)).flatten();
    let result = match &kept {
        Some((path, stamp)) => {
            let mut memo = ReadabilityMemo::from_bytes(stamp.as_str(), &read_memo(path));
            let result = Library::check_with(root, &mut memo);
            if memo.changed()
                && let Err(e) = keep(path, &memo)
            {
                crate::detail!(term, "could not keep the readability figures in {}: {e}", path.display());
            }
            result
        }
        None => Library::check(root),
    };
    let (checked, diagnostics) = match &result {
        Ok(checked) => (Some(checked), &checked.warnings),
        Err(diagnostics) => (None, diagnostics),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Human => human(&mut out, checked, diagnostics, term.colour),
        Format::Json => json(&mut out, checked, diagnostics),
    }
    .context("cannot write the report")?;
    Ok(if result.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_ERRORS) })
}

/// Where the readability memo of the project at `root` is kept, and the
/// stamp it is valid under; `None` when there is no cache folder, when it
/// lies inside the project, or when the program cannot tell its own build.
///
/// The folder is `$SECUREBASE_CACHE_DIR`, else `$XDG_CACHE_HOME/securebase`,
/// else `~/.cache/securebase`, and never one inside the project (as with
/// `HOME` set to a checkout), so nothing committed to it can feed a check.
/// The stamp is this program's version and build (its executable's size and
/// time), so a rebuilt program never takes figures an older one measured;
/// the memo adds the library's own version of the counting rules.
fn memo_file(root: &Path) -> Option<(PathBuf, String)> {
    let absolute = |name: &str| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let folder = absolute("SECUREBASE_CACHE_DIR")
        .or_else(|| absolute("XDG_CACHE_HOME").map(|d| d.join("securebase")))
        .or_else(|| absolute("HOME").map(|h| h.join(".cache").join("securebase")))?;
    let project = root.canonicalize().ok()?;
    if resolved(&folder).starts_with(&project) {
        return None;
    }
    let key = Sha256::of(project.as_os_str().as_encoded_bytes());
    let program = std::env::current_exe().ok()?.metadata().ok()?;
    let built = program.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    let stamp = format!("securebase {} {} {built}", env!("CARGO_PKG_VERSION"), program.len());
    Some((folder.join(format!("readability-{}.bin", &key.as_str()[..16])), stamp))
}

/// `path` with symlinks resolved, as far as it exists (a folder not made
/// yet is where its nearest existing ancestor resolves to, joined with the
/// rest).
fn resolved(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = at.canonicalize() {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The largest memo read: far more than a project of 100,000 items needs.
const MAX_MEMO_BYTES: u64 = 256 * 1024 * 1024;

/// The bytes of the memo at `path`; none when there is none, it cannot be
/// read, or it is larger than any memo is.
fn read_memo(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(MAX_MEMO_BYTES + 1).read_to_end(&mut bytes));
    match read {
        Ok(n) if n as u64 <= MAX_MEMO_BYTES => bytes,
        _ => Vec::new(),
    }
}

/// Writes `memo` to `path` whole: to a new file of its own first (never
/// one already there, nor through a symlink), then renamed over the old
/// one, so that a check running at the same time reads one memo or the
/// other, never half of one.
fn keep(path: &Path, memo: &ReadabilityMemo) -> io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = folder.join(format!(".{name}.{}", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&partial)?;
        file.write_all(&memo.to_bytes())?;
        fs::rename(&partial, path)
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&partial);
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn human(out: &mut impl Write, checked: Option<&Checked>, diagnostics: &Diagnostics, colour: bool) -> io::Result<()> {
    for d in diagnostics {
        if colour {
            let (code, word) = if d.is_error() { ("1;31", "error") } else { ("1;33", "warning") };
            writeln!(
                out,
                "\x1b[1m{}:{}:{}\x1b[0m: \x1b[{code}m{word}[{}]\x1b[0m: {}",
                securebase::visible(&d.file.display().to_string()),
                d.line,
                d.column,
                d.code.as_str(),
                securebase::visible(&d.message)
            )?;
            if let Some(hint) = &d.hint {
                writeln!(out, "  \x1b[36mhint\x1b[0m: {}", securebase::visible(hint))?;
            }
        } else {
            writeln!(out, "{d}")?;
        }
    }
    let problems = format!(
        "{}, {}",
        plural(diagnostics.error_count(), "error", "errors"),
        plural(diagnostics.warning_count(), "warning", "warnings")
    );
    match checked {
        Some(checked) => {
            let counts: Vec<String> = Collection::ALL
                .iter()
                .map(|c| format!("{} {c}", checked.count(*c)))
                .chain([
                    plural(checked.people, "person", "people"),
                    plural(checked.ledgers, "review ledger", "review ledgers"),
                ])
                .collect();
            writeln!(out, "checked {}: {problems}", counts.join(", "))
        }
        None => writeln!(out, "check failed: {problems}"),
    }
}

fn json(out: &mut impl Write, checked: Option<&Checked>, diagnostics: &Diagnostics) -> io::Result<()> {
    let counts = checked.map(|checked| {
        let mut counts: serde_json::Map<String, serde_json::Value> =
            Collection::ALL.iter().map(|c| (c.as_str().to_owned(), json!(checked.count(*c)))).collect();
        counts.insert("people".into(), json!(checked.people));
        counts.insert("reviews".into(), json!(checked.ledgers));
        counts
    });
    let report = json!({
        "version": JSON_VERSION,
        "ok": checked.is_some(),
        "errors": diagnostics.error_count(),
        "warnings": diagnostics.warning_count(),
        "counts": counts,
        "diagnostics": diagnostics,
        "readability": checked.map(|checked| &checked.readability),
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use securebase::{Code, Diagnostic, Position};

    use super::*;

    fn failed_check() -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(
            Diagnostic::error(Code::Syntax, "content/guides/a.md", Position::new(2, 8), "expected a value")
                .with_hint("close the bracket"),
        );
        diagnostics.push(Diagnostic::warning(Code::IgnoredFile, "content/notes.txt", Position::START, "not loaded"));
        diagnostics
    }

    fn written(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_human_report_names_file_line_column_code_and_hint_then_the_totals() {
        let diagnostics = failed_check();
        assert_eq!(
            written(|out| human(out, None, &diagnostics, false)),
            "content/guides/a.md:2:8: error[syntax]: expected a value\n  hint: close the bracket\n\
             content/notes.txt:1:1: warning[ignored-file]: not loaded\n\
             check failed: 1 error, 1 warning\n"
        );
        let coloured = written(|out| human(out, None, &diagnostics, true));
        assert!(coloured.starts_with(
            "\x1b[1mcontent/guides/a.md:2:8\x1b[0m: \x1b[1;31merror[syntax]\x1b[0m: expected a value\n  \x1b[36mhint\x1b[0m: close the bracket\n"
        ));
        assert!(coloured.contains("\x1b[1;33mwarning[ignored-file]\x1b[0m"));
    }

    #[test]
    fn the_json_report_of_a_failed_check_has_no_counts_and_every_diagnostic() {
        let diagnostics = failed_check();
        let report: serde_json::Value = serde_json::from_str(&written(|out| json(out, None, &diagnostics))).unwrap();
        assert_eq!(report["version"], JSON_VERSION);
        assert_eq!(
            (report["ok"].clone(), report["errors"].clone(), report["warnings"].clone()),
            (json!(false), json!(1), json!(1))
        );
        assert_eq!(report["counts"], serde_json::Value::Null);
        assert_eq!(report["readability"], serde_json::Value::Null);
        let first = &report["diagnostics"][0];
        assert_eq!(
            (&first["file"], &first["line"], &first["column"], &first["code"], &first["severity"]),
            (&json!("content/guides/a.md"), &json!(2), &json!(8), &json!("syntax"), &json!("error"))
        );
        assert_eq!(first["hint"], "close the bracket");
        assert_eq!(report["diagnostics"][1]["hint"], serde_json::Value::Null);
    }

    #[test]
    fn counts_are_plural_only_when_not_one() {
        assert_eq!(
            [plural(0, "error", "errors"), plural(1, "error", "errors"), plural(2, "person", "people")],
            ["0 errors", "1 error", "2 people"]
        );
    }
}
