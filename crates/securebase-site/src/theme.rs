//! The theme: Tera templates from `themes/<name>/templates/`, overridden by
//! any template of the same name in the project's `templates/`, and the
//! theme's static files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use securebase::Slug;
use tera::{Context, ErrorKind, Tera};
use walkdir::WalkDir;

use crate::error::SiteError;

/// Compiled templates and the static files to copy.
#[derive(Debug)]
pub struct Theme {
    tera: Tera,
    /// Template name to the file it came from (relative to the root).
    files: BTreeMap<String, PathBuf>,
    /// Static files: output path (relative, `/`-separated) to source file.
    statics: BTreeMap<String, PathBuf>,
}

impl Theme {
    /// Loads theme `name` from `root/themes/`, with overrides from
    /// `root/templates/` and `root/static/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, SiteError> {
        if name.parse::<Slug>().is_err() {
            return Err(SiteError::Theme {
                name: name.to_owned(),
                reason: "a theme name is a folder name under themes/: lowercase letters, digits and hyphens".into(),
            });
        }
        let dir = root.join("themes").join(name);
        if !dir.join("templates").is_dir() {
            return Err(SiteError::Theme {
                name: name.to_owned(),
                reason: format!(
                    "there is no {}; set `theme` in site.toml to a folder under themes/",
                    rel(root, &dir.join("templates")).display()
                ),
            });
        }
        let mut files = BTreeMap::new();
        for templates in [dir.join("templates"), root.join("templates")] {
            files.extend(
                walk_files(root, &templates)?
                    .into_iter()
                    .filter(|(name, _)| name.ends_with(".html") || name.ends_with(".xml")),
            );
        }
        let mut sources = Vec::with_capacity(files.len());
        for (name, file) in &files {
            let text = fs::read_to_string(root.join(file)).map_err(SiteError::io(file))?;
            sources.push((name.clone(), text));
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&files, &e, None))?;
        let mut statics = BTreeMap::new();
        for dir in [dir.join("static"), root.join("static")] {
            statics.extend(walk_files(root, &dir)?);
        }
        Ok(Theme { tera, files, statics })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, SiteError> {
        self.tera.render(name, context).map_err(|e| template_error(&self.files, &e, Some(name)))
    }

    /// Static files to copy: output path and the source file (relative to the root).
    pub fn statics(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.statics.iter().map(|(k, v)| (k.as_str(), v.as_path()))
    }

    /// Adds a global value visible to every template.
    pub fn set_global(&mut self, key: &'static str, value: &impl serde::Serialize) {
        self.tera.global_context().insert(key, value);
    }
}

/// Files under `dir` keyed by their `/`-separated path inside it; symlinks
/// that leave the project are refused.
fn walk_files(root: &Path, dir: &Path) -> Result<BTreeMap<String, PathBuf>, SiteError> {
    let mut out = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let canonical_root = root.canonicalize().map_err(SiteError::io(root))?;
    for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| SiteError::Io { path: rel(root, dir), source: e.into() })?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let real = entry.path().canonicalize().map_err(SiteError::io(entry.path()))?;
        if !real.starts_with(&canonical_root) {
            return Err(SiteError::Theme {
                name: dir.display().to_string(),
                reason: format!(
                    "{} links outside the project; copy the file in instead",
                    rel(root, entry.path()).display()
                ),
            });
        }
        let inside = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let key = inside.to_string_lossy().replace('\\', "/");
        out.insert(key, rel(root, entry.path()));
    }
    Ok(out)
}

fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// A Tera error as a [`SiteError::Template`] naming the file, line and column.
fn template_error(files: &BTreeMap<String, PathBuf>, err: &tera::Error, rendering: Option<&str>) -> SiteError {
    let file_of = |name: &str| files.get(name).cloned().unwrap_or_else(|| PathBuf::from(name));
    let (template, line, column, message) = match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let span = report.span();
            (report.filename().to_owned(), span.start_line, span.start_col + 1, report.message().to_owned())
        }
        ErrorKind::CircularExtend { tpl, inheritance_chain } => {
            (tpl.clone(), 1, 1, format!("templates extend each other in a loop: {}", inheritance_chain.join(" -> ")))
        }
        ErrorKind::CircularInclude { tpl, include_chain } => {
            (tpl.clone(), 1, 1, format!("templates include each other in a loop: {}", include_chain.join(" -> ")))
        }
        ErrorKind::MissingParent { current, parent } => {
            (current.clone(), 1, 1, format!("it extends `{parent}`, which is not a template of the theme or the site"))
        }
        other => (rendering.unwrap_or_default().to_owned(), 1, 1, other.to_string()),
    };
    let template = if template.is_empty() { rendering.unwrap_or("?").to_owned() } else { template };
    SiteError::Template { file: file_of(&template), template, line, column, message }
}
