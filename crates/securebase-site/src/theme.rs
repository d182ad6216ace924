//! The theme: Tera templates from `themes/<name>/templates/`, overridden by
//! any template of the same name in the project's `templates/`, and the
//! theme's static files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use securebase::{ProjectLayout, Slug};
use tera::{Context, ErrorKind, Tera};

use crate::error::SiteError;

/// Compiled templates and the static files to copy.
#[derive(Debug)]
pub struct Theme {
    tera: Tera,
    /// Template name to the file it came from (relative to the root).
    files: BTreeMap<String, PathBuf>,
    /// Static files: output path (relative, `/`-separated) to bytes.
    statics: BTreeMap<String, Vec<u8>>,
}

/// Every file of theme `name` as the project holds it (see
/// [`ProjectLayout::theme_files`]): the set an editor approves as `theme`.
pub fn theme_files(root: &Path, name: &str) -> Result<Vec<(String, PathBuf)>, SiteError> {
    Ok(ProjectLayout::theme_files(root, name)?)
}

fn check_name(name: &str) -> Result<(), SiteError> {
    if name.parse::<Slug>().is_err() {
        return Err(securebase::ThemeFilesError::BadName(name.to_owned()).into());
    }
    Ok(())
}

fn no_templates(name: &str) -> SiteError {
    securebase::ThemeFilesError::NoTemplates(name.to_owned()).into()
}

impl Theme {
    /// Loads theme `name` from `root/themes/`, with overrides from
    /// `root/templates/` and `root/static/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, SiteError> {
        let mut files = Vec::new();
        for (path, file) in theme_files(root, name)? {
            let bytes = fs::read(&file).map_err(SiteError::io(Path::new(&path)))?;
            files.push((path, bytes));
        }
        Theme::from_files(name, &files)
    }

    /// Builds theme `name` from files already read, as (path relative to
    /// the project root, bytes): templates from `themes/<name>/templates/`
    /// overridden by `templates/`, static files from `themes/<name>/static/`
    /// overridden by `static/`. The production edition passes the approved
    /// version's files; other files are ignored.
    pub fn from_files(name: &str, files: &[(String, Vec<u8>)]) -> Result<Theme, SiteError> {
        check_name(name)?;
        let theme_templates = format!("themes/{name}/templates/");
        let theme_static = format!("themes/{name}/static/");
        let mut templates: BTreeMap<String, (PathBuf, &[u8])> = BTreeMap::new();
        let mut statics = BTreeMap::new();
        for prefix in [theme_templates.as_str(), "templates/"] {
            for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with(prefix)) {
                let name = &path[prefix.len()..];
                if name.ends_with(".html") || name.ends_with(".xml") {
                    templates.insert(name.to_owned(), (PathBuf::from(path), bytes.as_slice()));
                }
            }
        }
        if !templates.values().any(|(p, _)| p.starts_with(&theme_templates)) {
            return Err(no_templates(name));
        }
        for prefix in [theme_static.as_str(), "static/"] {
            for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with(prefix)) {
                statics.insert(path[prefix.len()..].to_owned(), bytes.clone());
            }
        }
        let mut texts = Vec::with_capacity(templates.len());
        for (name, (file, bytes)) in &templates {
            let text = std::str::from_utf8(bytes).map_err(|e| SiteError::Io {
                path: file.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?;
            texts.push((name.as_str(), text));
        }
        let files: BTreeMap<String, PathBuf> = templates.iter().map(|(n, (f, _))| (n.clone(), f.clone())).collect();
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        tera.add_raw_templates(texts.iter().copied()).map_err(|e| template_error(&files, &e, None))?;
        Ok(Theme { tera, files, statics })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, SiteError> {
        self.tera.render(name, context).map_err(|e| template_error(&self.files, &e, Some(name)))
    }

    /// Static files to copy: output path and bytes.
    pub fn statics(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.statics.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Adds a global value visible to every template.
    pub fn set_global(&mut self, key: &'static str, value: &impl serde::Serialize) {
        self.tera.global_context().insert(key, value);
    }
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
