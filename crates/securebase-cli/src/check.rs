//! `securebase check`: load and validate, then report.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use securebase::{Collection, Diagnostics, Library};
use serde_json::json;

use crate::{EXIT_ERRORS, Format};

/// The version of the JSON report's shape.
const JSON_VERSION: u32 = 1;

/// Checks the project at `root` and prints the report in `format`.
pub fn run(root: &Path, format: Format) -> anyhow::Result<ExitCode> {
    // The process ends right after the report, and the system takes back
    // its memory at once; freeing a large library item by item first would
    // only add to the wait.
    let result = std::mem::ManuallyDrop::new(Library::load(root));
    let (library, diagnostics) = match &*result {
        Ok(library) => (Some(library), library.warnings()),
        Err(diagnostics) => (None, diagnostics),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Human => human(&mut out, library, diagnostics),
        Format::Json => json(&mut out, library, diagnostics),
    }
    .context("cannot write the report")?;
    Ok(if result.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_ERRORS) })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn human(out: &mut impl Write, library: Option<&Library>, diagnostics: &Diagnostics) -> io::Result<()> {
    let colour = crate::terminal().colour;
    for d in diagnostics {
        if colour {
            let (code, word) = if d.is_error() { ("1;31", "error") } else { ("1;33", "warning") };
            writeln!(
                out,
                "\x1b[1m{}:{}:{}\x1b[0m: \x1b[{code}m{word}[{}]\x1b[0m: {}",
                d.file.display(),
                d.line,
                d.column,
                d.code.as_str(),
                d.message
            )?;
            if let Some(hint) = &d.hint {
                writeln!(out, "  \x1b[36mhint\x1b[0m: {hint}")?;
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
    match library {
        Some(library) => {
            let counts: Vec<String> = Collection::ALL
                .iter()
                .map(|c| format!("{} {c}", library.count(*c)))
                .chain([
                    plural(library.people().len(), "person", "people"),
                    plural(library.ledgers().len(), "review ledger", "review ledgers"),
                ])
                .collect();
            writeln!(out, "checked {}: {problems}", counts.join(", "))
        }
        None => writeln!(out, "check failed: {problems}"),
    }
}

fn json(out: &mut impl Write, library: Option<&Library>, diagnostics: &Diagnostics) -> io::Result<()> {
    let counts = library.map(|library| {
        let mut counts: serde_json::Map<String, serde_json::Value> =
            Collection::ALL.iter().map(|c| (c.as_str().to_owned(), json!(library.count(*c)))).collect();
        counts.insert("people".into(), json!(library.people().len()));
        counts.insert("reviews".into(), json!(library.ledgers().len()));
        counts
    });
    let report = json!({
        "version": JSON_VERSION,
        "ok": library.is_some(),
        "errors": diagnostics.error_count(),
        "warnings": diagnostics.warning_count(),
        "counts": counts,
        "diagnostics": diagnostics,
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
