//! `securebase verify-site`: checks a deployed copy of a site against its
//! edition bundle. The bundle is verified against the trust root as
//! production verifies its sources, the site is rendered from it with this
//! generator, and the render is compared with the deployed files byte for
//! byte.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use securebase::{Approved, BundleError};
use securebase_site::{BuildOptions, Comparison, Part, Site};

use crate::{EXIT_ERRORS, Terminal, say};

/// Runs `verify-site DIR --bundle FILE --trust-root FILE`; with
/// `present_only`, files the render has and DIR lacks are counted, not
/// failed (a mirror made by following links lacks the API's documents).
pub fn run(
    term: Terminal,
    deployed: &Path,
    bundle: &Path,
    trust_root: &Path,
    present_only: bool,
) -> anyhow::Result<ExitCode> {
    let trust_root = crate::build::read_trust_root(Some(trust_root))?.context("a trust root is needed")?;
    if !deployed.is_dir() {
        anyhow::bail!(
            "{} is not a folder: give the folder holding the deployed site (downloaded by any means)",
            deployed.display()
        );
    }
    let bytes = std::fs::read(bundle).with_context(|| format!("cannot read the bundle {}", bundle.display()))?;
    let name = bundle.display().to_string();
    let approved = match Approved::from_bundle(&name, &bytes, &trust_root) {
        Ok(approved) => approved,
        Err(BundleError::Invalid(diagnostics)) => {
            eprintln!("the bundle {name} does not verify; in the files it holds:");
            for d in &diagnostics {
                eprintln!("{d}");
            }
            eprintln!("not verified: {} problem(s) with the bundle's approvals", diagnostics.error_count());
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
        Err(e) => {
            eprintln!("not verified: {}", securebase::visible(&e.to_string()));
            return Ok(ExitCode::from(EXIT_ERRORS));
        }
    };
    let made = approved.made();
    if made.generator != securebase::bundle::GENERATOR {
        crate::note!(
            term,
            "warning: the bundle was rendered by {}, and this is {}: pages may differ for that reason alone; \
             verify with {} for a byte-for-byte answer",
            made.generator,
            securebase::bundle::GENERATOR,
            made.generator
        );
    }
    let options = BuildOptions::approved(&approved, &bytes);
    let mut comparison = Comparison::new(deployed);
    let written = Site::new(approved.library(), &options)
        .and_then(|site| site.render_into(Part::All, &mut comparison, &|_, _| {}))
        .context("cannot render the site from the bundle")?;
    let mut differences = comparison.finish()?;
    let before = differences.len();
    // What a reader meets first, and the bundle itself, must be there.
    if present_only {
        differences.retain(
            |d| !matches!(d, securebase_site::Difference::Missing(p) if p != "index.html" && p != "edition.bundle"),
        );
    }
    let not_compared = before - differences.len();
    if not_compared > 0 {
        crate::note!(term, "not compared: {not_compared} file(s) the bundle renders are not in {}", deployed.display());
    }
    let items = approved.items().count();
    if differences.is_empty() {
        say!(
            "verified: {} matches the bundle byte for byte ({} files; {} item(s), each approved by a signature \
             that verifies against the trust root {}; the build says it was made on {}{}, which nothing signs)",
            deployed.display(),
            written.files - not_compared,
            items,
            trust_root.path.display(),
            made.date,
            made.commit
                .as_deref()
                .map(|c| format!(" from commit {}", c.chars().take(12).collect::<String>()))
                .unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for difference in &differences {
        say!("{difference}");
    }
    eprintln!(
        "not verified: {} file(s) of {} differ from what the bundle renders (the bundle itself verifies: {} approved item(s))",
        differences.len(),
        deployed.display(),
        items
    );
    Ok(ExitCode::from(EXIT_ERRORS))
}
