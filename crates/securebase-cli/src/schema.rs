//! `securebase schema`: JSON Schema files for editors.

use crate::say;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

/// Writes every schema into `out`.
pub fn run(out: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, schema) in securebase::schema::all() {
        let path = out.join(&name);
        let mut text = serde_json::to_string_pretty(&schema)?;
        text.push('\n');
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        say!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
