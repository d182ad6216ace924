//! `securebase preview`: load, validate and render a site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use securebase::Library;
use securebase_site::{BuildOptions, Edition};

use crate::EXIT_ERRORS;

/// Builds `edition` of the project at `root` into `out` (default `root/public`).
pub fn run(root: &Path, out: Option<PathBuf>, edition: Edition) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let library = match Library::load(root) {
        Ok(library) => library,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            eprintln!("build failed: {} error(s); the previous output is unchanged", diagnostics.error_count());
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
    };
    for warning in library.warnings() {
        eprintln!("{warning}");
    }
    let out = out.unwrap_or_else(|| root.join("public"));
    let report = securebase_site::build(&library, &BuildOptions { out: out.clone(), edition })
        .with_context(|| format!("cannot build the {} edition into {}", edition.as_str(), out.display()))?;
    println!(
        "built the {} edition: {} pages, {} files in {} ({:.2} s)",
        edition.as_str(),
        report.pages,
        report.files,
        report.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
