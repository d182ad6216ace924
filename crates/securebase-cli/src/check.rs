//! `securebase check`: load and validate, then report.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use securebase::{Checked, Collection, Diagnostics, Library};
use serde_json::json;

use crate::{EXIT_ERRORS, Format, Terminal};

/// The version of the JSON report's shape.
const JSON_VERSION: u32 = 1;

/// Checks the project at `root` and prints the report in `format`.
pub fn run(term: Terminal, root: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let result = Library::check(root);
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
